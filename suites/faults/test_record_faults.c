/* suite-faults-record: faults in `record` proxy mode, on the answers a live
 * upstream gives (here an embedded mock on loopback stands in for it): the
 * kit's client sees the same errors as against the mock, and a faulted
 * exchange is not recorded. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mockkit/client.h"
#include "mockkit/mock.h"
#include "mockkit/record.h"
#include "suite.h"

#define CASSETTE MOCKKIT_SOURCE_DIR "/suites/faults/cassettes/stream.json"
#define PINGS MOCKKIT_SOURCE_DIR "/suites/faults/cassettes/pings.json"
#define KEY "Authorization: Bearer sk-proj-testkey"
#define STREAM_BODY "{\"model\":\"gpt-4\",\"stream\":true}"

static int on_event(void *user, const mkc_sse_event *ev)
{
    (void)ev;
    (*(int *)user)++;
    return 0;
}

static void proxied_answers_get_the_faults(void **state)
{
    (void)state;
    mk_mock_options mo;
    mk_record_options ro;
    mk_mock *up = NULL;
    mk_record *rec = NULL;
    mk_diag d;
    const char *paths[] = {CASSETTE};
    const char *faults[] = {"GET /v1/models/gpt-4:status=429,retry-after=3,times=1",
                            "POST /v1/chat/completions:cut=event:2,rst"};
    char out[256], base[256];
    mk_mock_options_init(&mo);
    mo.service = "openai";
    mo.speed = 0;
    mo.quiet = 1;
    memset(&d, 0, sizeof(d));
    assert_int_equal(mk_mock_new(&mo, paths, 1, &up, &d), MK_MOCK_OK);
    snprintf(out, sizeof(out), "%s/faults-record-%d.json", MOCKKIT_BINARY_DIR, (int)getpid());
    mk_record_options_init(&ro);
    ro.upstream = mk_mock_url(up);
    ro.out = out;
    ro.mode = MK_RECORD_MODE_ALL;
    ro.service = "openai";
    ro.quiet = 1;
    ro.faults = faults;
    ro.fault_count = 2;
    assert_int_equal(mk_record_new(&ro, &rec, &d), 0);
    snprintf(base, sizeof(base), "%s/v1", mk_record_url(rec));

    mkc_http *h = mkc_http_new(base);
    mkc_response *resp = NULL;
    mkc_error err = {0};
    assert_int_equal(mkc_http_add_header(h, KEY), MKC_OK);
    /* 429 in OpenAI's envelope from the proxy, without asking the upstream */
    assert_int_equal(mkc_http_request_ok(h, "GET", "/models/gpt-4", NULL, NULL, NULL, 0, &resp,
                                         &err),
                     MKC_EHTTP);
    assert_int_equal(err.http_status, 429);
    assert_non_null(strstr(err.body, "rate_limit_exceeded"));
    assert_non_null(strstr(err.body, "\"message\":\"Rate limit reached for requests\""));
    assert_string_equal(mkc_response_header(resp, "retry-after"), "3");
    mkc_response_free(resp);
    mkc_error_clear(&err);
    assert_int_equal(mkc_http_request_ok(h, "GET", "/models/gpt-4", NULL, NULL, NULL, 0, &resp,
                                         &err),
                     MKC_OK);
    mkc_response_free(resp);

    /* the upstream's stream, cut after its second event with a reset */
    mkc_sse_options so;
    int events = 0;
    memset(&so, 0, sizeof(so));
    so.method = "POST";
    so.content_type = "application/json";
    so.body = STREAM_BODY;
    so.body_len = strlen(STREAM_BODY);
    assert_int_equal(mkc_sse_stream(h, "/chat/completions", &so, on_event, &events, NULL, &err),
                     MKC_ECLOSED);
    assert_int_equal(events, 2);
    assert_non_null(strstr(err.message, "Failure when receiving data from the peer"));
    mkc_error_clear(&err);
    mkc_http_free(h);

    /* recorded: the one answer no fault touched */
    assert_int_equal(mk_record_count(rec), 1);
    assert_int_equal(mk_record_stop(rec, &d), 0);
    mk_record_free(rec);
    mk_mock_free(up);
    remove(out);
}

/* The proxy counts events as the mock does: `: ping` blocks and a block
 * with only an event field are not events (pings.json). */
static void proxied_cut_counts_dispatched_events_only(void **state)
{
    (void)state;
    mk_mock_options mo;
    mk_record_options ro;
    mk_mock *up = NULL;
    mk_record *rec = NULL;
    mk_diag d;
    const char *paths[] = {PINGS};
    const char *faults[] = {"POST /v1/chat/completions:cut=event:2"};
    char out[256], base[256];
    mk_mock_options_init(&mo);
    mo.service = "openai";
    mo.speed = 0;
    mo.quiet = 1;
    memset(&d, 0, sizeof(d));
    assert_int_equal(mk_mock_new(&mo, paths, 1, &up, &d), MK_MOCK_OK);
    snprintf(out, sizeof(out), "%s/faults-record-pings-%d.json", MOCKKIT_BINARY_DIR,
             (int)getpid());
    mk_record_options_init(&ro);
    ro.upstream = mk_mock_url(up);
    ro.out = out;
    ro.mode = MK_RECORD_MODE_ALL;
    ro.service = "openai";
    ro.quiet = 1;
    ro.faults = faults;
    ro.fault_count = 1;
    assert_int_equal(mk_record_new(&ro, &rec, &d), 0);
    snprintf(base, sizeof(base), "%s/v1", mk_record_url(rec));

    mkc_http *h = mkc_http_new(base);
    mkc_error err = {0};
    mkc_sse_options so;
    int events = 0;
    assert_int_equal(mkc_http_add_header(h, KEY), MKC_OK);
    memset(&so, 0, sizeof(so));
    so.method = "POST";
    so.content_type = "application/json";
    so.body = STREAM_BODY;
    so.body_len = strlen(STREAM_BODY);
    assert_int_equal(mkc_sse_stream(h, "/chat/completions", &so, on_event, &events, NULL, &err),
                     MKC_ECLOSED);
    assert_int_equal(events, 2); /* a block count would have cut after 1 */
    assert_non_null(strstr(err.message, "between events"));
    mkc_error_clear(&err);
    mkc_http_free(h);
    assert_int_equal(mk_record_count(rec), 0); /* faulted: not recorded */
    assert_int_equal(mk_record_stop(rec, &d), 0);
    mk_record_free(rec);
    mk_mock_free(up);
    remove(out);
}

/* ---- faults that wait: real clock in the proxy, bounds with tolerances -- */

typedef struct rig {
    mk_mock *up;
    mk_record *rec;
    char out[256], base[256];
} rig;

static void rig_start(rig *g, const char *cassette, double speed, const char *fault)
{
    mk_mock_options mo;
    mk_record_options ro;
    mk_diag d;
    const char *paths[] = {cassette};
    static const char *faults[1];
    memset(g, 0, sizeof(*g));
    faults[0] = fault;
    mk_mock_options_init(&mo);
    mo.service = "openai";
    mo.speed = speed;
    mo.quiet = 1;
    memset(&d, 0, sizeof(d));
    assert_int_equal(mk_mock_new(&mo, paths, 1, &g->up, &d), MK_MOCK_OK);
    snprintf(g->out, sizeof(g->out), "%s/faults-record-wait-%d.json", MOCKKIT_BINARY_DIR,
             (int)getpid());
    mk_record_options_init(&ro);
    ro.upstream = mk_mock_url(g->up);
    ro.out = g->out;
    ro.mode = MK_RECORD_MODE_ALL;
    ro.service = "openai";
    ro.quiet = 1;
    ro.faults = faults;
    ro.fault_count = 1;
    assert_int_equal(mk_record_new(&ro, &g->rec, &d), 0);
    snprintf(g->base, sizeof(g->base), "%s/v1", mk_record_url(g->rec));
}

static void rig_stop(rig *g)
{
    mk_diag d;
    memset(&d, 0, sizeof(d));
    if (g->rec) {
        assert_int_equal(mk_record_stop(g->rec, &d), 0);
        mk_record_free(g->rec);
    }
    mk_mock_free(g->up);
    remove(g->out);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct run {
    const rig *g;
    long idle_ms;
    atomic_int events;
    atomic_int done;
    int rc;
    mkc_error err;
} run;

static int count_event(void *user, const mkc_sse_event *ev)
{
    (void)ev;
    atomic_fetch_add(&((run *)user)->events, 1);
    return 0;
}

static void *stream_thread(void *arg)
{
    run *r = arg;
    mkc_http *h = mkc_http_new(r->g->base);
    mkc_sse_options so;
    assert_non_null(h);
    (void)mkc_http_add_header(h, KEY);
    mkc_http_set_timeout(h, 20000);
    memset(&so, 0, sizeof(so));
    so.method = "POST";
    so.content_type = "application/json";
    so.body = STREAM_BODY;
    so.body_len = strlen(STREAM_BODY);
    so.idle_timeout_ms = r->idle_ms;
    r->rc = mkc_sse_stream(h, "/chat/completions", &so, count_event, r, NULL, &r->err);
    mkc_http_free(h);
    atomic_store(&r->done, 1);
    return NULL;
}

static int run_stream(const rig *g, long idle_ms, run *r)
{
    memset(r, 0, sizeof(*r));
    r->g = g;
    r->idle_ms = idle_ms;
    stream_thread(r);
    return r->rc;
}

/* Bounded: until cond holds or 10 s passed. */
static int wait_for(atomic_int *v, int at_least)
{
    for (int i = 0; i < 2000 && atomic_load(v) < at_least; i++) {
        struct timespec ts = {0, 5 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return atomic_load(v);
}

/* The whole stream (at least 3 events) under fault, taking at least
 * min_ms; the exchange is not recorded when `unrecorded`. */
static void slow_but_whole(double speed, const char *fault, int64_t min_ms, int unrecorded)
{
    rig g;
    run r;
    rig_start(&g, CASSETTE, speed, fault);
    int64_t t0 = mono_ms();
    assert_int_equal(run_stream(&g, 0, &r), MKC_OK);
    int64_t took = mono_ms() - t0;
    assert_true(atomic_load(&r.events) >= 3);
    if (took < min_ms)
        fail_msg("%s: the stream took %lld ms, want >= %lld", fault, (long long)took,
                 (long long)min_ms);
    if (unrecorded)
        assert_int_equal(mk_record_count(g.rec), 0);
    rig_stop(&g);
}

/* drip=32/20: the whole stream, 32 bytes every 20 ms within each part curl
 * hands over (about 490 bytes with chunk framing in at most 3 parts: >= 12
 * gaps, 240 ms, where the stream alone takes a few ms), and the exchange is
 * not recorded. */
static void proxied_drip(void **state)
{
    (void)state;
    slow_but_whole(0, "POST /v1/chat/completions:drip=32/20", 220, 1);
}

/* latency=400,at=between: each part after the first 400 ms late. The
 * upstream sends its three chunks 100 ms apart (speed 0.1), so the proxy
 * gets at least three parts: >= 2 x 400 ms on top of the first at 200 ms,
 * where the stream alone takes 400 ms. */
static void proxied_latency_between_parts(void **state)
{
    (void)state;
    slow_but_whole(0.1, "POST /v1/chat/completions:latency=400,at=between", 950, 1);
}

/* stall,at=event:1: one event, then nothing, and the client's idle timeout
 * fires; the recorder then still stops within a bound. (Whether the proxy
 * freed the handler when the client left, before the stop, is not told
 * apart here: the stop flag would end it too.) */
static void proxied_stall_ends_when_client_leaves(void **state)
{
    (void)state;
    rig g;
    run r;
    rig_start(&g, CASSETTE, 0, "POST /v1/chat/completions:stall,at=event:1");
    assert_int_equal(run_stream(&g, 600, &r), MKC_ETIMEOUT);
    assert_int_equal(atomic_load(&r.events), 1);
    mkc_error_clear(&r.err);
    int64_t t0 = mono_ms();
    rig_stop(&g);
    int64_t took = mono_ms() - t0;
    if (took > 3000) {
        fail_msg("recorder stop took %lld ms after the client left", (long long)took);
    }
}

/* The same stall with a client that never gives up: stopping the recorder
 * ends the stalled answer (the client sees its stream end without the
 * rest), within a bound. */
static void proxied_stall_ends_when_recorder_stops(void **state)
{
    (void)state;
    rig g;
    run r;
    pthread_t t;
    rig_start(&g, CASSETTE, 0, "POST /v1/chat/completions:stall,at=event:1");
    memset(&r, 0, sizeof(r));
    r.g = &g;
    assert_int_equal(pthread_create(&t, NULL, stream_thread, &r), 0);
    assert_int_equal(wait_for(&r.events, 1), 1);
    assert_int_equal(atomic_load(&r.done), 0); /* stalled */
    int64_t t0 = mono_ms();
    mk_diag d;
    memset(&d, 0, sizeof(d));
    assert_int_equal(mk_record_stop(g.rec, &d), 0);
    int64_t took = mono_ms() - t0;
    assert_int_equal(wait_for(&r.done, 1), 1);
    pthread_join(t, NULL);
    assert_int_not_equal(r.rc, MKC_OK); /* no clean end of stream */
    assert_int_equal(atomic_load(&r.events), 1);
    mkc_error_clear(&r.err);
    if (took > 3000) {
        fail_msg("recorder stop took %lld ms with a stalled answer", (long long)took);
    }
    mk_record_free(g.rec);
    g.rec = NULL;
    rig_stop(&g);
}

/* stall (at the status line, its default): nothing at all, not even the
 * status, until the client gives up; nothing is recorded and the recorder
 * still stops within a bound. (It used to pass the answer through at once.) */
static void proxied_stall_at_status(void **state)
{
    (void)state;
    rig g;
    rig_start(&g, CASSETTE, 0, "POST /v1/chat/completions:stall");
    mkc_http *h = mkc_http_new(g.base);
    assert_non_null(h);
    (void)mkc_http_add_header(h, KEY);
    mkc_http_set_timeout(h, 800);
    mkc_response *resp = NULL;
    mkc_error err = {0};
    int64_t t0 = mono_ms();
    int rc = mkc_http_request(h, "POST", "/chat/completions", NULL, "application/json",
                              STREAM_BODY, strlen(STREAM_BODY), &resp, &err);
    int64_t took = mono_ms() - t0;
    if (rc != MKC_ETIMEOUT)
        print_error("got %d after %lld ms: %s\n", rc, (long long)took, err.message);
    assert_int_equal(rc, MKC_ETIMEOUT);
    assert_null(resp);
    assert_true(took >= 700);
    mkc_error_clear(&err);
    mkc_http_free(h);
    assert_int_equal(mk_record_count(g.rec), 0);
    t0 = mono_ms();
    rig_stop(&g);
    if (mono_ms() - t0 > 3000)
        fail_msg("recorder stop took %lld ms after a stall", (long long)(mono_ms() - t0));
}

/* latency=300 (at the status line): the whole answer, late, through the
 * same hook as the mock's. The wait comes before the upstream is asked, and
 * the recorder keeps that exchange (proxy.c fault_part): not asserted here. */
static void proxied_latency_at_status(void **state)
{
    (void)state;
    slow_but_whole(0, "POST /v1/chat/completions:latency=300", 290, 0);
}

static void bad_fault_refused(void **state)
{
    (void)state;
    mk_record_options ro;
    mk_record *rec = NULL;
    mk_diag d;
    const char *faults[] = {"/v1/x:cut=3"};
    char line[1200];
    mk_record_options_init(&ro);
    ro.upstream = "http://127.0.0.1:9";
    ro.out = MOCKKIT_BINARY_DIR "/faults-record-bad.json";
    ro.mode = MK_RECORD_MODE_ALL;
    ro.quiet = 1;
    ro.faults = faults;
    ro.fault_count = 1;
    memset(&d, 0, sizeof(d));
    assert_int_not_equal(mk_record_new(&ro, &rec, &d), 0);
    assert_null(rec);
    assert_non_null(strstr(mk_diag_format(&d, line, sizeof(line)),
                           "--fault '/v1/x:cut=3': fault spec byte 6: cut wants event:N"));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(proxied_answers_get_the_faults),
        cmocka_unit_test(proxied_cut_counts_dispatched_events_only),
        cmocka_unit_test(proxied_drip),
        cmocka_unit_test(proxied_latency_between_parts),
        cmocka_unit_test(proxied_stall_ends_when_client_leaves),
        cmocka_unit_test(proxied_stall_ends_when_recorder_stops),
        cmocka_unit_test(proxied_stall_at_status),
        cmocka_unit_test(proxied_latency_at_status),
        cmocka_unit_test(bad_fault_refused),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
