/* test_replay.c: byte-exact, timed replay of plain and streamed responses
 * at recorded, scaled and instant speed, on the real and the virtual clock,
 * cross-connection triggers, latency, cut streams and clients that leave. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core_util.h"
#include "suite.h"

#define ROUNDTRIP CORE_CASSETTES "/roundtrip.json"
#define TRIGGERS CORE_CASSETTES "/triggers.json"

static const char *const k_chunks[] = {
    "event: start\ndata: {\"i\":0}\n\n",
    "data: {\"i\":1}\n\n",
    "data: {\"i\":2,\"text\":\"two\"}\n\ndata: {\"i\":3}\n\n",
    "event: done\ndata: [DONE]\n\n",
};
static const int64_t k_gaps[] = {60, 80, 60}; /* recorded gaps between chunks */

static void url_of(mk_mock *m, const char *path, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", mk_mock_url(m), path);
}

static void plain_response_byte_exact(void **state)
{
    const char *paths[] = {ROUNDTRIP};
    mk_mock *m = cu_mock(NULL, paths, 1, 1.0, NULL);
    char url[256], buf[64];
    cu_resp r;
    (void)state;
    url_of(m, "/hello", url, sizeof(url));
    assert_int_equal(cu_request("GET", url, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    /* json bodies go out as cJSON_PrintUnformatted */
    assert_string_equal(r.body, "{\"hello\":\"world\",\"n\":[1,2,3]}");
    assert_string_equal(cu_header(&r, "x-served-by", buf, sizeof(buf)), "recorded");
    assert_string_equal(cu_header(&r, "content-type", buf, sizeof(buf)), "application/json");
    /* the recorded (wrong) content-length is regenerated */
    assert_string_equal(cu_header(&r, "content-length", buf, sizeof(buf)), "29");
    cu_resp_free(&r);
    mk_mock_free(m);
}

/* Stream /stream at speed and check bytes, boundaries and gaps. */
static void stream_at(mk_mock *m, double speed, int64_t tolerance)
{
    char url[256];
    cu_stream s;
    mk_mock_set_speed(m, speed);
    url_of(m, "/stream", url, sizeof(url));
    assert_int_equal(cu_stream_start(&s, "POST", url, "{\"stream\":true,\"model\":\"x\"}", NULL), 0);
    cu_stream_wait(&s, 5, 10000);
    pthread_join(s.thread, NULL);
    s.thread = pthread_self(); /* joined: finish must not join again */
    assert_int_equal(s.curl_rc, 0);
    assert_int_equal(s.status, 200);
    assert_int_equal(s.count, 4);
    assert_true(s.saw_end);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(s.chunks[i].len, strlen(k_chunks[i]));
        assert_memory_equal(s.chunks[i].data, k_chunks[i], s.chunks[i].len);
    }
    /* Deadlines are absolute (request arrival + recorded offset / speed), so
     * each chunk is checked against them: never early (measured from before
     * the request left), and at most `tolerance` late (measured from the
     * first chunk, which is due with the request). */
    for (size_t i = 1; i < 4; i++) {
        int64_t off = 0;
        for (size_t k = 0; k < i; k++) {
            off += k_gaps[k];
        }
        int64_t want = speed > 0 ? (int64_t)((double)off / speed + 0.5) : 0;
        int64_t since_start = s.chunks[i].t_ms - s.t_start;
        int64_t since_first = s.chunks[i].t_ms - s.chunks[0].t_ms;
        if (since_start < want - 2 || since_first > want + tolerance) {
            fail_msg("speed %.1f: chunk %zu at +%lld ms from the first (+%lld from the request), "
                     "recorded +%lld ms -> expected +%lld, at most %lld ms late",
                     speed, i, (long long)since_first, (long long)since_start, (long long)off,
                     (long long)want, (long long)tolerance);
        }
    }
    for (size_t i = 0; i < s.count; i++) {
        free(s.chunks[i].data);
    }
    s.count = 0;
    free(s.body);
    s.body = NULL;
    pthread_cond_destroy(&s.cv);
    pthread_mutex_destroy(&s.mu);
}

static void stream_recorded_speed(void **state)
{
    const char *paths[] = {ROUNDTRIP};
    mk_mock *m = cu_mock(NULL, paths, 1, 1.0, NULL);
    (void)state;
    stream_at(m, 1.0, 15);
    mk_mock_free(m);
}

static void stream_scaled_speed(void **state)
{
    const char *paths[] = {ROUNDTRIP};
    mk_mock *m = cu_mock(NULL, paths, 1, 1.0, NULL);
    (void)state;
    stream_at(m, 4.0, 15);
    mk_mock_free(m);
}

static void stream_instant(void **state)
{
    const char *paths[] = {ROUNDTRIP};
    mk_mock *m = cu_mock(NULL, paths, 1, 1.0, NULL);
    (void)state;
    stream_at(m, 0.0, 15);
    mk_mock_free(m);
}

static void concurrent_streams_keep_their_timing(void **state)
{
    enum { N = 16 };
    const char *paths[] = {ROUNDTRIP};
    mk_mock *m = cu_mock(NULL, paths, 1, 1.0, NULL);
    char url[256];
    cu_stream *s = calloc(N, sizeof(*s));
    (void)state;
    assert_non_null(s);
    url_of(m, "/stream", url, sizeof(url));
    for (int i = 0; i < N; i++) {
        assert_int_equal(cu_stream_start(&s[i], "POST", url, "{\"stream\":true}", NULL), 0);
    }
    for (int i = 0; i < N; i++) {
        assert_int_equal(cu_stream_wait(&s[i], 5, 10000), 4); /* 5: until the end */
    }
    for (int i = 0; i < N; i++) {
        assert_true(s[i].saw_end);
        for (size_t k = 0; k < 4; k++) {
            assert_memory_equal(s[i].chunks[k].data, k_chunks[k], strlen(k_chunks[k]));
        }
        /* the last chunk is due 200 ms after the first: never early, a
         * little late at most, whatever the other 15 streams do */
        int64_t span = s[i].chunks[3].t_ms - s[i].chunks[0].t_ms;
        int64_t since_start = s[i].chunks[3].t_ms - s[i].t_start;
        if (since_start < 198 || span > 200 + 25) {
            fail_msg("stream %d: last chunk %lld ms after the first (%lld after the request), "
                     "recorded 200", i, (long long)span, (long long)since_start);
        }
    }
    for (int i = 0; i < N; i++) {
        cu_stream_finish(&s[i]);
    }
    free(s);
    mk_mock_free(m);
}

static void stream_on_virtual_clock(void **state)
{
    const char *paths[] = {ROUNDTRIP};
    mk_clock *c = mk_clock_new_virtual();
    mk_mock *m = cu_mock(NULL, paths, 1, 1.0, c);
    char url[256];
    cu_stream s;
    (void)state;
    url_of(m, "/stream", url, sizeof(url));
    assert_int_equal(cu_stream_start(&s, "POST", url, "{\"stream\":true}", NULL), 0);
    /* chunk 0 is due with the request; then the server parks */
    assert_int_equal(cu_stream_wait(&s, 1, 5000), 1);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(mk_clock_wait_for_waiters(c, 1, 5000), 0);
        assert_int_equal(cu_stream_count(&s), i + 1);
        /* one ms early: still nothing (bounded check, the server is parked) */
        assert_int_equal(mk_clock_advance(c, k_gaps[i] - 1), 0);
        assert_int_equal(mk_clock_wait_for_waiters(c, 1, 5000), 0);
        assert_int_equal(cu_stream_wait(&s, i + 2, 50), i + 1);
        /* on time: exactly the due chunk */
        assert_int_equal(mk_clock_advance(c, 1), 0);
        assert_int_equal(cu_stream_wait(&s, i + 2, 5000), i + 2);
        assert_memory_equal(s.chunks[i + 1].data, k_chunks[i + 1], s.chunks[i + 1].len);
    }
    cu_stream_wait(&s, 5, 5000);
    cu_stream_finish(&s);
    assert_true(s.saw_end);
    mk_mock_free(m);
    mk_clock_free(c);
}

static void cut_stream_has_no_end(void **state)
{
    const char *paths[] = {ROUNDTRIP};
    mk_mock *m = cu_mock(NULL, paths, 1, 0.0, NULL);
    char url[256];
    cu_stream s;
    (void)state;
    url_of(m, "/cut", url, sizeof(url));
    assert_int_equal(cu_stream_start(&s, "GET", url, NULL, NULL), 0);
    cu_stream_wait(&s, 3, 5000);
    pthread_mutex_lock(&s.mu);
    while (!s.done) {
        pthread_cond_wait(&s.cv, &s.mu); /* curl has a 20 s timeout */
    }
    pthread_mutex_unlock(&s.mu);
    assert_int_equal(s.count, 2);
    assert_string_equal(s.chunks[0].data, "data: one\n\n");
    assert_string_equal(s.chunks[1].data, "data: two\n\n"); /* from base64 */
    assert_false(s.saw_end); /* the connection dropped without the 0-chunk */
    cu_stream_finish(&s);
    mk_mock_free(m);
}

static void latency_before_headers(void **state)
{
    const char *paths[] = {TRIGGERS};
    mk_clock *c = mk_clock_new_virtual();
    mk_mock *m = cu_mock(NULL, paths, 1, 1.0, c);
    char url[256];
    cu_stream s;
    (void)state;
    url_of(m, "/slow", url, sizeof(url));
    cu_stream_init(&s);
    s.plain = 1;
    assert_int_equal(cu_stream_run(&s, "GET", url, NULL, NULL), 0);
    assert_int_equal(mk_clock_wait_for_waiters(c, 1, 5000), 0);
    mk_clock_advance(c, 499);
    assert_int_equal(mk_clock_wait_for_waiters(c, 1, 5000), 0);
    assert_int_equal(cu_stream_wait(&s, 1, 50), 0);
    mk_clock_advance(c, 1);
    assert_int_equal(cu_stream_wait(&s, 1, 5000), 1);
    cu_stream_finish(&s);
    assert_int_equal(s.status, 200);
    mk_mock_free(m);
    mk_clock_free(c);
}

/* A cassette with nothing to do with the triggers, added while a stream is
 * parked: from then on a new set is served. */
static const char unrelated_cassette[] =
    "{\"mockkit_cassette\": 1, \"meta\": {\"service\": \"generic\", \"name\": \"other\","
    " \"created\": \"2026-11-30T00:00:00Z\","
    " \"source\": {\"kind\": \"synthesized\", \"refs\": [\"test_replay.c\"]}},"
    " \"interactions\": [{\"id\": \"ping\", \"at_ms\": 0, \"request\": {\"method\": \"GET\","
    " \"path\": \"/ping\"}, \"response\": {\"status\": 204}}]}";

/* /events parks its second chunk until /kick arrives on another
 * connection. add_while_parked: a cassette is added meanwhile; the stream
 * is still released, since the cassette it waits in is served by both the
 * old set and the new one. */
static void trigger_gates_chunk_with(int add_while_parked)
{
    const char *paths[] = {TRIGGERS};
    mk_clock *c = mk_clock_new_virtual();
    mk_mock *m = cu_mock(NULL, paths, 1, 1.0, c);
    char url[256];
    cu_stream s;
    cu_resp r;
    mk_journal_entry e[4];
    url_of(m, "/events", url, sizeof(url));
    assert_int_equal(cu_stream_start(&s, "GET", url, NULL, NULL), 0);
    assert_int_equal(cu_stream_wait(&s, 1, 5000), 1);
    assert_string_equal(s.chunks[0].data, "data: hello\n\n");
    /* far past the chunk's recorded time: it still waits for /kick */
    assert_int_equal(mk_clock_wait_for_waiters(c, 1, 5000), 0);
    mk_clock_advance(c, 5000);
    assert_int_equal(mk_clock_wait_for_waiters(c, 1, 5000), 0);
    assert_int_equal(cu_stream_wait(&s, 2, 50), 1);
    if (add_while_parked) {
        mk_diag d;
        memset(&d, 0, sizeof(d));
        if (mk_mock_add_cassette(m, unrelated_cassette, strlen(unrelated_cassette), "other.json",
                                 NULL, &d) != MK_MOCK_OK) {
            fail_msg("add: %s", d.message);
        }
    }
    /* the trigger arrives on another connection */
    url_of(m, "/kick", url, sizeof(url));
    assert_int_equal(cu_request("POST", url, NULL, "", &r), 0);
    assert_int_equal(r.status, 200);
    cu_resp_free(&r);
    /* then the recorded delay from the trigger: 1250 - 1200 = 50 ms */
    assert_int_equal(mk_clock_wait_for_waiters(c, 1, 5000), 0);
    mk_clock_advance(c, 49);
    assert_int_equal(mk_clock_wait_for_waiters(c, 1, 5000), 0);
    assert_int_equal(cu_stream_wait(&s, 2, 50), 1);
    mk_clock_advance(c, 1);
    assert_int_equal(cu_stream_wait(&s, 2, 5000), 2);
    assert_string_equal(s.chunks[1].data, "data: kicked\n\n");
    mk_clock_advance(c, 50);
    assert_int_equal(cu_stream_wait(&s, 3, 5000), 3);
    assert_string_equal(s.chunks[2].data, "data: after-kick\n\n");
    cu_stream_finish(&s);
    assert_true(s.saw_end);
    assert_int_equal(mk_mock_journal(m, e, 4), 2);
    assert_string_equal(e[0].interaction, "events");
    assert_string_equal(e[1].interaction, "kick");
    mk_mock_free(m);
    mk_clock_free(c);
}

static void trigger_gates_chunk(void **state)
{
    (void)state;
    trigger_gates_chunk_with(0);
}

static void trigger_reaches_a_stream_parked_before_a_cassette_was_added(void **state)
{
    (void)state;
    trigger_gates_chunk_with(1);
}

static void trigger_on_real_clock_keeps_order(void **state)
{
    const char *paths[] = {TRIGGERS};
    mk_mock *m = cu_mock(NULL, paths, 1, 1.0, NULL);
    char url[256];
    cu_stream s;
    cu_resp r;
    int64_t sent;
    (void)state;
    url_of(m, "/events", url, sizeof(url));
    assert_int_equal(cu_stream_start(&s, "GET", url, NULL, NULL), 0);
    assert_int_equal(cu_stream_wait(&s, 1, 5000), 1);
    url_of(m, "/kick", url, sizeof(url));
    sent = cu_now_ms();
    assert_int_equal(cu_request("POST", url, NULL, "", &r), 0);
    cu_resp_free(&r);
    assert_int_equal(cu_stream_wait(&s, 3, 5000), 3);
    assert_true(s.chunks[1].t_ms >= sent + 50 - 2);
    assert_true(s.chunks[1].t_ms <= sent + 50 + 30);
    cu_stream_finish(&s);
    mk_mock_free(m);
}

static void client_leaves_mid_stream(void **state)
{
    const char *paths[] = {TRIGGERS, ROUNDTRIP};
    mk_mock *m = cu_mock(NULL, paths, 2, 1.0, NULL);
    char url[256];
    cu_stream s, s2;
    (void)state;
    /* one client hangs up while the server waits for a trigger ... */
    url_of(m, "/events", url, sizeof(url));
    cu_stream_init(&s);
    s.abort_after = 1;
    assert_int_equal(cu_stream_run(&s, "GET", url, NULL, NULL), 0);
    /* ... another while the server waits between chunks */
    url_of(m, "/stream", url, sizeof(url));
    cu_stream_init(&s2);
    s2.abort_after = 2;
    assert_int_equal(cu_stream_run(&s2, "POST", url, "{\"stream\":true}", NULL), 0);
    cu_stream_finish(&s);
    cu_stream_finish(&s2);
    assert_int_equal(s.count, 1);
    assert_int_equal(s2.count, 2);
    /* the server still serves, and stops cleanly with a parked stream */
    url_of(m, "/hello", url, sizeof(url));
    {
        cu_resp r;
        assert_int_equal(cu_request("GET", url, NULL, NULL, &r), 0);
        assert_int_equal(r.status, 200);
        cu_resp_free(&r);
    }
    mk_mock_free(m);
}

static void free_while_streaming(void **state)
{
    const char *paths[] = {TRIGGERS};
    mk_mock *m = cu_mock(NULL, paths, 1, 1.0, NULL);
    char url[256];
    cu_stream s;
    int64_t t0;
    (void)state;
    url_of(m, "/events", url, sizeof(url));
    assert_int_equal(cu_stream_start(&s, "GET", url, NULL, NULL), 0);
    assert_int_equal(cu_stream_wait(&s, 1, 5000), 1);
    t0 = cu_now_ms();
    mk_mock_free(m); /* the stream is parked on a trigger that never comes */
    assert_true(cu_now_ms() - t0 < 3000);
    cu_stream_finish(&s);
    assert_false(s.saw_end);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_response_byte_exact),
        cmocka_unit_test(stream_recorded_speed),
        cmocka_unit_test(stream_scaled_speed),
        cmocka_unit_test(stream_instant),
        cmocka_unit_test(concurrent_streams_keep_their_timing),
        cmocka_unit_test(stream_on_virtual_clock),
        cmocka_unit_test(cut_stream_has_no_end),
        cmocka_unit_test(latency_before_headers),
        cmocka_unit_test(trigger_gates_chunk),
        cmocka_unit_test(trigger_reaches_a_stream_parked_before_a_cassette_was_added),
        cmocka_unit_test(trigger_on_real_clock_keeps_order),
        cmocka_unit_test(client_leaves_mid_stream),
        cmocka_unit_test(free_while_streaming),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
