/* suite-core-keepalive: a streamed response with "keepalive" stays open
 * after its last chunk and sends its ping on the recorded cadence (from the
 * response's start, as sse-starlette's ping task runs), on the virtual
 * clock; "{utc}" becomes the current UTC time as Python prints it; a client
 * that leaves ends the stream at the next ping; speed 0 never floods. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core_util.h"
#include "suite.h"

#define KEEPALIVE CORE_CASSETTES "/keepalive.json"

static void assert_ping(const cu_chunk *c)
{
    regex_t re;
    char text[128];
    assert_true(c->len < sizeof text);
    memcpy(text, c->data, c->len);
    text[c->len] = '\0';
    assert_int_equal(regcomp(&re,
                             "^: ping - [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}"
                             "(\\.[0-9]{6})?\\+00:00\r\n\r\n$",
                             REG_EXTENDED | REG_NOSUB),
                     0);
    if (regexec(&re, text, 0, NULL, 0) != 0) {
        regfree(&re);
        fail_msg("not an sse-starlette ping: \"%s\"", text);
    }
    regfree(&re);
}

/* Advance the parked server by ms and expect exactly `want` chunks. */
static void advance_expect(mk_clock *c, cu_stream *s, int64_t ms, size_t want)
{
    assert_int_equal(mk_clock_wait_for_waiters(c, 1, 5000), 0);
    assert_int_equal(mk_clock_advance(c, ms), 0);
    assert_int_equal(cu_stream_wait(s, want, 5000), want);
    assert_int_equal(cu_stream_wait(s, want + 1, 50), want);
}

static void pings_on_recorded_cadence(void **state)
{
    const char *paths[] = {KEEPALIVE};
    mk_clock *c = mk_clock_new_virtual();
    mk_mock *m = cu_mock(NULL, paths, 1, 1.0, c);
    char url[256];
    cu_stream s;
    (void)state;
    snprintf(url, sizeof url, "%s/events", mk_mock_url(m));
    assert_int_equal(cu_stream_start(&s, "GET", url, NULL, NULL), 0);
    assert_int_equal(cu_stream_wait(&s, 1, 5000), 1);
    advance_expect(c, &s, 5000, 2);       /* the last recorded event */
    advance_expect(c, &s, 9999, 2);       /* 15 s after the response began: not yet */
    advance_expect(c, &s, 1, 3);          /* ... now the first ping */
    assert_ping(&s.chunks[2]);
    advance_expect(c, &s, 14999, 3);
    advance_expect(c, &s, 1, 4);          /* and every 15 s after */
    assert_ping(&s.chunks[3]);
    advance_expect(c, &s, 15000, 5);
    assert_false(s.saw_end);              /* never ended by the server */
    mk_mock_free(m);                      /* stopping ends it */
    cu_stream_finish(&s);
    assert_false(s.saw_end);
    mk_clock_free(c);
}

/* With one worker thread, a second request is served only once the stream's
 * handler has returned: that is how the test sees the stream end. */
static void client_leaving_ends_the_stream(void **state)
{
    const char *paths[] = {KEEPALIVE};
    mk_clock *c = mk_clock_new_virtual();
    mk_mock_options o;
    mk_mock *m = NULL;
    mk_diag d;
    char url[256];
    cu_stream s;
    cu_resp r;
    (void)state;
    mk_mock_options_init(&o);
    o.speed = 1.0;
    o.clock = c;
    o.quiet = 1;
    o.threads = 1;
    assert_int_equal(mk_mock_new(&o, paths, 1, &m, &d), MK_MOCK_OK);
    snprintf(url, sizeof url, "%s/events", mk_mock_url(m));
    cu_stream_init(&s);
    s.abort_after = 3; /* both events and the first ping, then hang up */
    assert_int_equal(cu_stream_run(&s, "GET", url, NULL, NULL), 0);
    assert_int_equal(cu_stream_wait(&s, 1, 5000), 1);
    assert_int_equal(mk_clock_wait_for_waiters(c, 1, 5000), 0);
    assert_int_equal(mk_clock_advance(c, 5000), 0);
    assert_int_equal(mk_clock_wait_for_waiters(c, 1, 5000), 0);
    assert_int_equal(mk_clock_advance(c, 10000), 0);
    cu_stream_finish(&s);
    assert_int_equal(s.count, 3);
    /* Ten pings due at once: the first write after the hang-up may still
     * succeed, a later one fails (the peer's reset is in) and the handler
     * returns, freeing the only connection slot for the next request. The
     * handler does that on its own thread after the advance: until it has,
     * the mock rightly answers 503 (every slot taken), so the next request
     * is retried for a bounded few seconds; a stream that never ends fails. */
    assert_int_equal(mk_clock_wait_for_waiters(c, 1, 5000), 0);
    assert_int_equal(mk_clock_advance(c, 10 * 15000), 0);
    snprintf(url, sizeof url, "%s/hello", mk_mock_url(m));
    long status = 0;
    for (int i = 0; i < 100 && status != 200; i++) { /* bounded: about 5 s */
        assert_int_equal(cu_request("GET", url, NULL, NULL, &r), 0); /* curl: 10 s at most */
        status = r.status;
        cu_resp_free(&r);
        if (status == 503) {
            struct timespec pause = {0, 50 * 1000000L};
            nanosleep(&pause, NULL);
        } else {
            assert_int_equal(status, 200);
        }
    }
    assert_int_equal(status, 200);
    mk_mock_free(m);
    mk_clock_free(c);
}

static void speed_zero_keeps_the_cadence(void **state)
{
    const char *paths[] = {KEEPALIVE};
    mk_clock *c = mk_clock_new_virtual();
    mk_mock *m = cu_mock(NULL, paths, 1, 0.0, c);
    char url[256];
    cu_stream s;
    (void)state;
    snprintf(url, sizeof url, "%s/events", mk_mock_url(m));
    assert_int_equal(cu_stream_start(&s, "GET", url, NULL, NULL), 0);
    assert_int_equal(cu_stream_wait(&s, 2, 5000), 2);  /* the recording at once */
    /* the next ping is 10 s after the last event on the recorded grid */
    advance_expect(c, &s, 9999, 2);
    advance_expect(c, &s, 1, 3);
    assert_ping(&s.chunks[2]);
    advance_expect(c, &s, 15000, 4);
    mk_mock_free(m);
    cu_stream_finish(&s);
    mk_clock_free(c);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pings_on_recorded_cadence),
        cmocka_unit_test(client_leaving_ends_the_stream),
        cmocka_unit_test(speed_zero_keeps_the_cadence),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
