/* suite-faults-http: every HTTP fault against an embedded OpenAI mock, and
 * the error the kit's own client (mkc_*) surfaces for it. Latency and drip
 * run on a virtual clock; the only real-time bound is a stalled stream's
 * client idle timeout. Loopback only. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mockkit/client.h"
#include "mockkit/mock.h"
#include "suite.h"

#define CASSETTE MOCKKIT_SOURCE_DIR "/suites/faults/cassettes/stream.json"
#define DECLARED MOCKKIT_SOURCE_DIR "/suites/faults/cassettes/declared.json"
#define PINGS MOCKKIT_SOURCE_DIR "/suites/faults/cassettes/pings.json"
#define BAD MOCKKIT_SOURCE_DIR "/suites/faults/cassettes/bad/bad-fault.json"
#define BEE_FIXTURE MOCKKIT_SOURCE_DIR "/fixtures/bee/basic-usage.json"
#define KEY "Authorization: Bearer sk-proj-testkey"
#define STREAM_BODY "{\"model\":\"gpt-4\",\"stream\":true}"

typedef struct fx {
    mk_mock *m;
    mk_clock *clock; /* virtual, or NULL */
    char base[160];
} fx;

static const char *cassette = CASSETTE;

static fx *start(uint64_t seed, int virtual_clock)
{
    fx *f = calloc(1, sizeof(*f));
    mk_mock_options o;
    mk_diag d;
    const char *paths[] = {cassette};
    assert_non_null(f);
    mk_mock_options_init(&o);
    o.service = "openai";
    o.speed = 0;
    o.quiet = 1;
    o.seed = seed;
    if (virtual_clock) {
        f->clock = mk_clock_new_virtual();
        o.clock = f->clock;
    }
    memset(&d, 0, sizeof(d));
    assert_int_equal(mk_mock_new(&o, paths, 1, &f->m, &d), MK_MOCK_OK);
    snprintf(f->base, sizeof(f->base), "%s/v1", mk_mock_url(f->m));
    return f;
}

static void stop(fx *f)
{
    mk_mock_free(f->m);
    mk_clock_free(f->clock);
    free(f);
}

static void add(fx *f, const char *spec)
{
    char err[300] = "";
    int rc = mk_mock_fault_add(f->m, spec, err, sizeof(err));
    if (rc != MK_MOCK_OK) {
        fail_msg("%s: %s", spec, err);
    }
}

static mkc_http *client(const fx *f)
{
    mkc_http *h = mkc_http_new(f->base);
    assert_non_null(h);
    assert_int_equal(mkc_http_add_header(h, KEY), MKC_OK);
    mkc_http_set_timeout(h, 10000);
    return h;
}

/* GET the plain model answer; returns the mkc status, fills err. */
static int get_model(fx *f, mkc_response **out, mkc_error *err)
{
    mkc_http *h = client(f);
    int rc = mkc_http_request_ok(h, "GET", "/models/gpt-4", NULL, NULL, NULL, 0, out, err);
    mkc_http_free(h);
    return rc;
}

static const char *stream_body = STREAM_BODY;

typedef struct sse_run {
    fx *f;
    long idle_ms;
    atomic_int events;
    atomic_int done;
    int rc;
    mkc_error err;
} sse_run;

static int on_event(void *user, const mkc_sse_event *ev)
{
    (void)ev;
    atomic_fetch_add(&((sse_run *)user)->events, 1);
    return 0;
}

static void *sse_thread(void *arg)
{
    sse_run *r = arg;
    mkc_http *h = client(r->f);
    mkc_sse_options o;
    memset(&o, 0, sizeof(o));
    o.method = "POST";
    o.content_type = "application/json";
    o.body = stream_body;
    o.body_len = strlen(stream_body);
    o.idle_timeout_ms = r->idle_ms;
    r->rc = mkc_sse_stream(h, "/chat/completions", &o, on_event, r, NULL, &r->err);
    mkc_http_free(h);
    atomic_store(&r->done, 1);
    return NULL;
}

/* Bounded: until the client has n events, or 5 s. */
static int wait_events(sse_run *r, int n)
{
    for (int i = 0; i < 1000 && atomic_load(&r->events) < n; i++) {
        struct timespec ts = {0, 5 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return atomic_load(&r->events);
}

/* Bounded: is the call still running after 50 ms? */
static int still_running(sse_run *r)
{
    struct timespec ts = {0, 50 * 1000000L};
    nanosleep(&ts, NULL);
    return !atomic_load(&r->done);
}

static int stream(fx *f, long idle_ms, sse_run *r)
{
    memset(r, 0, sizeof(*r));
    r->f = f;
    r->idle_ms = idle_ms;
    sse_thread(r);
    return r->rc;
}


/* ---- status ------------------------------------------------------------- */

static void status_429_once_with_retry_after(void **state)
{
    (void)state;
    fx *f = start(0, 0);
    mkc_response *resp = NULL;
    mkc_error err = {0};
    add(f, "openai:GET /v1/models/{model}:status=429,retry-after=2,times=1");
    assert_int_equal(get_model(f, &resp, &err), MKC_EHTTP);
    assert_int_equal(err.http_status, 429);
    assert_non_null(strstr(err.body, "\"code\":\"rate_limit_exceeded\""));
    assert_string_equal(mkc_response_header(resp, "retry-after"), "2");
    mkc_response_free(resp);
    mkc_error_clear(&err);
    assert_int_equal(get_model(f, &resp, &err), MKC_OK); /* once: the retry succeeds */
    assert_int_equal(resp->status, 200);
    mkc_response_free(resp);
    stop(f);
}

static void status_500_every_second_time_in_openai_envelope(void **state)
{
    (void)state;
    fx *f = start(0, 0);
    add(f, "GET /v1/models/gpt-4:status=500,every=2");
    for (int i = 1; i <= 4; i++) {
        mkc_response *resp = NULL;
        mkc_error err = {0};
        int rc = get_model(f, &resp, &err);
        if (i % 2) {
            assert_int_equal(rc, MKC_OK);
        } else {
            assert_int_equal(rc, MKC_EHTTP);
            assert_int_equal(err.http_status, 500);
            assert_non_null(strstr(err.body, "\"type\":\"server_error\""));
        }
        mkc_response_free(resp);
        mkc_error_clear(&err);
    }
    stop(f);
}

/* p=0.5 with a seed: the same seed gives the same statuses, and they mix. */
/* A status fault says what the service itself says for that status
 * (docs/faults.md cites each); mkc surfaces it in the error body. */
static void status_in_the_services_own_words(void **state)
{
    (void)state;
    static const struct {
        const char *service, *fixture;
        int status;
        const char *code, *message;
    } rows[] = {
        {"openai", CASSETTE, 429, "\"code\":\"rate_limit_exceeded\"",
         "\"message\":\"Rate limit reached for requests\""},
        {"openai", CASSETTE, 500, "\"type\":\"server_error\"",
         "\"message\":\"The server had an error while processing your request. Sorry about "
         "that!\""},
        {"openai", CASSETTE, 503, "\"type\":\"server_error\"",
         "\"message\":\"The engine is currently overloaded, please try again later\""},
        {"bee", BEE_FIXTURE, 429, "\"code\":\"too_many_requests\"",
         "\"message\":\"Exceeded 25 requests per 1 second\""},
        {"bee", BEE_FIXTURE, 500, "\"code\":\"internal_server_error\"",
         "\"message\":\"Internal server error\""},
        {"bee", BEE_FIXTURE, 503, "\"code\":\"service_unavailable\"",
         "\"message\":\"Bee observe API client is not defined\""},
        /* no fixed wording: the fault says what it is */
        {"openai", CASSETTE, 502, "\"type\":\"server_error\"",
         "\"message\":\"mockkit fault: status 502\""},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        mk_mock_options o;
        mk_mock *m = NULL;
        mk_diag d;
        const char *paths[] = {rows[i].fixture};
        char spec[64], err_text[300] = "", base[200];
        mk_mock_options_init(&o);
        o.service = rows[i].service;
        o.speed = 0;
        o.quiet = 1;
        memset(&d, 0, sizeof(d));
        assert_int_equal(mk_mock_new(&o, paths, 1, &m, &d), MK_MOCK_OK);
        snprintf(spec, sizeof(spec), "GET /v1/models:status=%d", rows[i].status);
        if (mk_mock_fault_add(m, spec, err_text, sizeof(err_text)) != MK_MOCK_OK) {
            fail_msg("%s: %s", spec, err_text);
        }
        snprintf(base, sizeof(base), "%s/v1", mk_mock_url(m));
        mkc_http *h = mkc_http_new(base);
        mkc_response *resp = NULL;
        mkc_error err = {0};
        assert_non_null(h);
        assert_int_equal(mkc_http_request_ok(h, "GET", "/models", NULL, NULL, NULL, 0, &resp, &err),
                         MKC_EHTTP);
        assert_int_equal(err.http_status, rows[i].status);
        if (!strstr(err.body, rows[i].code) || !strstr(err.body, rows[i].message)) {
            fail_msg("%s %d: %s", rows[i].service, rows[i].status, err.body);
        }
        mkc_response_free(resp);
        mkc_error_clear(&err);
        mkc_http_free(h);
        mk_mock_free(m);
    }
}

static void status_with_probability_is_seeded(void **state)
{
    (void)state;
    long seen[2][24];
    for (int run = 0; run < 2; run++) {
        fx *f = start(run == 0 ? 42 : 42, 0);
        add(f, "GET /v1/models/gpt-4:status=503,p=0.5");
        for (int i = 0; i < 24; i++) {
            mkc_response *resp = NULL;
            mkc_error err = {0};
            get_model(f, &resp, &err);
            seen[run][i] = resp ? resp->status : err.http_status;
            mkc_response_free(resp);
            mkc_error_clear(&err);
        }
        stop(f);
    }
    int fails = 0;
    for (int i = 0; i < 24; i++) {
        assert_int_equal(seen[0][i], seen[1][i]);
        fails += seen[0][i] == 503;
    }
    assert_in_range(fails, 3, 21);
    fx *f = start(7, 0); /* another seed, another pattern */
    add(f, "GET /v1/models/gpt-4:status=503,p=0.5");
    int differ = 0;
    for (int i = 0; i < 24; i++) {
        mkc_response *resp = NULL;
        mkc_error err = {0};
        get_model(f, &resp, &err);
        differ += (resp ? resp->status : err.http_status) != seen[0][i];
        mkc_response_free(resp);
        mkc_error_clear(&err);
    }
    assert_true(differ > 0);
    stop(f);
}

/* ---- cuts ---------------------------------------------------------------- */

static void cut_after_event_two_with_fin(void **state)
{
    (void)state;
    fx *f = start(0, 0);
    sse_run r;
    add(f, "POST /v1/chat/completions:cut=event:2");
    assert_int_equal(stream(f, 0, &r), MKC_ECLOSED); /* between events, no end */
    assert_int_equal(atomic_load(&r.events), 2);
    assert_non_null(strstr(r.err.message, "between events"));
    /* FIN: curl's CURLE_PARTIAL_FILE, not the receive error of a reset */
    assert_non_null(strstr(r.err.message, "Transferred a partial file"));
    mkc_error_clear(&r.err);
    stop(f);
}

/* Only blocks a WHATWG client dispatches are events: the `: ping` comment
 * blocks and the block with only an event field before and between them do
 * not count (pings.json), in one chunk or across chunks, LF or CRLF. */
static void cut_counts_dispatched_events_only(void **state)
{
    (void)state;
    cassette = PINGS;
    for (int n = 1; n <= 2; n++) {
        char spec[80];
        fx *f = start(0, 0);
        sse_run r;
        snprintf(spec, sizeof(spec), "POST /v1/chat/completions:cut=event:%d", n);
        add(f, spec);
        /* a block count would cut after the first ping: 0 events, then 1 */
        assert_int_equal(stream(f, 0, &r), MKC_ECLOSED);
        assert_int_equal(atomic_load(&r.events), n);
        assert_non_null(strstr(r.err.message, "between events"));
        mkc_error_clear(&r.err);
        stop(f);
    }
    cassette = CASSETTE;
}

static void cut_mid_event_at_byte(void **state)
{
    (void)state;
    fx *f = start(0, 0);
    sse_run r;
    add(f, "POST /v1/chat/completions:cut=byte:200");  /* event 1 is 167 bytes */
    assert_int_equal(stream(f, 0, &r), MKC_ETRUNCATED);
    assert_int_equal(atomic_load(&r.events), 1);
    mkc_error_clear(&r.err);
    stop(f);
}

static void cut_with_rst(void **state)
{
    (void)state;
    fx *f = start(0, 0);
    sse_run r;
    add(f, "POST /v1/chat/completions:cut=event:1,rst");
    int rc = stream(f, 0, &r);
    assert_int_equal(rc, MKC_ECLOSED);
    /* curl's CURLE_RECV_ERROR (ECONNRESET), where a FIN cut is a partial file */
    assert_non_null(strstr(r.err.message, "Failure when receiving data from the peer"));
    assert_int_equal(atomic_load(&r.events), 1);
    mkc_error_clear(&r.err);
    stop(f);
}

static void cut_plain_body_at_byte(void **state)
{
    (void)state;
    fx *f = start(0, 0);
    mkc_response *resp = NULL;
    mkc_error err = {0};
    add(f, "GET /v1/models/gpt-4:cut=byte:10");
    assert_int_equal(get_model(f, &resp, &err), MKC_ECLOSED); /* Content-Length not met */
    assert_null(resp);
    mkc_error_clear(&err);
    stop(f);
}

static void garbage_then_close(void **state)
{
    (void)state;
    fx *f = start(0, 0);
    mkc_response *resp = NULL;
    mkc_error err = {0};
    add(f, "GET /v1/models/gpt-4:garbage=64");
    int rc = get_model(f, &resp, &err);
    assert_int_not_equal(rc, MKC_OK);
    assert_null(resp);
    assert_int_equal(err.http_status, 0);
    mkc_error_clear(&err);
    stop(f);
}

static void empty_reply(void **state)
{
    (void)state;
    fx *f = start(0, 0);
    mkc_response *resp = NULL;
    mkc_error err = {0};
    add(f, "GET /v1/models/gpt-4:empty");
    assert_int_equal(get_model(f, &resp, &err), MKC_ECLOSED); /* curl: empty reply */
    assert_non_null(strstr(err.message, "Server returned nothing"));
    mkc_error_clear(&err);
    stop(f);
}

static void malformed_chunk(void **state)
{
    (void)state;
    fx *f = start(0, 0);
    sse_run r;
    add(f, "POST /v1/chat/completions:badchunk");
    int rc = stream(f, 0, &r);
    assert_int_not_equal(rc, MKC_OK);
    assert_int_equal(atomic_load(&r.events), 0);
    mkc_error_clear(&r.err);
    stop(f);
}

/* ---- latency, drip, stall ------------------------------------------------ */

static void *model_thread(void *arg)
{
    sse_run *r = arg; /* reuses done/rc/err */
    mkc_response *resp = NULL;
    r->rc = get_model(r->f, &resp, &r->err);
    if (resp && resp->body_len == 72) {
        atomic_store(&r->events, 1); /* the whole recorded body arrived */
    }
    mkc_response_free(resp);
    atomic_store(&r->done, 1);
    return NULL;
}

static void latency_before_status_on_virtual_clock(void **state)
{
    (void)state;
    fx *f = start(0, 1);
    sse_run r;
    pthread_t t;
    memset(&r, 0, sizeof(r));
    r.f = f;
    add(f, "GET /v1/models/gpt-4:latency=500");
    assert_int_equal(pthread_create(&t, NULL, model_thread, &r), 0);
    assert_int_equal(mk_clock_wait_for_waiters(f->clock, 1, 5000), 0);
    mk_clock_advance(f->clock, 499);
    assert_int_equal(mk_clock_wait_for_waiters(f->clock, 1, 5000), 0); /* still parked */
    assert_int_equal(atomic_load(&r.done), 0);
    mk_clock_advance(f->clock, 1);
    pthread_join(t, NULL);
    assert_int_equal(r.rc, MKC_OK);
    assert_int_equal(atomic_load(&r.events), 1);
    stop(f);
}

static void latency_between_chunks_on_virtual_clock(void **state)
{
    (void)state;
    fx *f = start(0, 1);
    sse_run r;
    pthread_t t;
    memset(&r, 0, sizeof(r));
    r.f = f;
    add(f, "POST /v1/chat/completions:latency=100..100,at=between");
    assert_int_equal(pthread_create(&t, NULL, sse_thread, &r), 0);
    for (int gap = 1; gap <= 2; gap++) {
        assert_int_equal(wait_events(&r, gap), gap);
        assert_int_equal(mk_clock_wait_for_waiters(f->clock, 1, 5000), 0);
        mk_clock_advance(f->clock, 99);
        assert_int_equal(mk_clock_wait_for_waiters(f->clock, 1, 5000), 0);
        assert_true(still_running(&r));
        assert_int_equal(atomic_load(&r.events), gap); /* parked after event `gap` */
        mk_clock_advance(f->clock, 1);
    }
    pthread_join(t, NULL);
    assert_int_equal(r.rc, MKC_OK);
    assert_int_equal(atomic_load(&r.events), 4);
    stop(f);
}

static void drip_on_virtual_clock(void **state)
{
    (void)state;
    fx *f = start(0, 1);
    sse_run r;
    pthread_t t;
    memset(&r, 0, sizeof(r));
    r.f = f;
    add(f, "GET /v1/models/gpt-4:drip=16/10"); /* 72 bytes: 5 pieces, 4 waits */
    assert_int_equal(pthread_create(&t, NULL, model_thread, &r), 0);
    /* pieces at 0, 10, 20, 30, 40 ms of the drip's own grid */
    assert_int_equal(mk_clock_wait_for_waiters(f->clock, 1, 5000), 0);
    mk_clock_advance(f->clock, 39);
    assert_int_equal(mk_clock_wait_for_waiters(f->clock, 1, 5000), 0);
    assert_true(still_running(&r));
    mk_clock_advance(f->clock, 1);
    pthread_join(t, NULL);
    assert_int_equal(r.rc, MKC_OK);
    assert_int_equal(atomic_load(&r.events), 1);
    stop(f);
}

/* A stream stalled after event 1: the client's idle timeout fires, and the
 * mock notices the client leaving (its slot is free again: a mock of one
 * connection serves the next request). */
static void stall_after_event_one_client_times_out(void **state)
{
    (void)state;
    mk_mock_options o;
    mk_diag d;
    const char *paths[] = {CASSETTE};
    fx *f = calloc(1, sizeof(*f));
    sse_run r;
    mkc_response *resp = NULL;
    mkc_error err = {0};
    mk_mock_options_init(&o);
    o.service = "openai";
    o.speed = 0;
    o.quiet = 1;
    o.max_connections = 1;
    memset(&d, 0, sizeof(d));
    assert_int_equal(mk_mock_new(&o, paths, 1, &f->m, &d), MK_MOCK_OK);
    snprintf(f->base, sizeof(f->base), "%s/v1", mk_mock_url(f->m));
    add(f, "POST /v1/chat/completions:stall,at=event:1,times=1");
    assert_int_equal(stream(f, 400, &r), MKC_ETIMEOUT);
    assert_int_equal(atomic_load(&r.events), 1);
    mkc_error_clear(&r.err);
    /* the stalled worker lets go within a probe or two (250 ms each) */
    int ok = 0;
    for (int i = 0; i < 40 && !ok; i++) {
        ok = get_model(f, &resp, &err) == MKC_OK;
        mkc_response_free(resp);
        resp = NULL;
        mkc_error_clear(&err);
        if (!ok) {
            struct timespec ts = {0, 50 * 1000000L};
            nanosleep(&ts, NULL); /* bounded poll: 40 x 50 ms */
        }
    }
    assert_true(ok);
    stop(f);
}

/* ---- declaring faults ---------------------------------------------------- */

static void bad_specs_name_the_byte(void **state)
{
    (void)state;
    fx *f = start(0, 0);
    char err[300];
    assert_int_equal(mk_mock_fault_add(f->m, "/v1/x:status=42", err, sizeof(err)), MK_MOCK_EINVAL);
    assert_non_null(strstr(err, "byte 6: status wants an HTTP status 100-599"));
    assert_int_equal(mk_mock_fault_add(f->m, "post /v1/x:empty", err, sizeof(err)), MK_MOCK_EINVAL);
    assert_non_null(strstr(err, "byte 0"));
    assert_int_equal(mk_mock_fault_add(f->m, "/v1/x:empty,retry-after=1", err, sizeof(err)),
                     MK_MOCK_EINVAL);
    assert_non_null(strstr(err, "retry-after goes with status="));
    assert_int_equal(mk_mock_fault_add(f->m, "bee:/v1/x:empty", err, sizeof(err)), MK_MOCK_EINVAL);
    assert_non_null(strstr(err, "'bee'"));
    assert_int_equal(mk_mock_fault_add(f->m, "/v1/x:cut=event:x", err, sizeof(err)), MK_MOCK_EINVAL);
    assert_non_null(strstr(err, "cut wants event:N or byte:K"));
    stop(f);
}

static void admin_sets_faults_for_next_requests(void **state)
{
    (void)state;
    fx *f = start(0, 0);
    mkc_http *h = mkc_http_new(mk_mock_url(f->m));
    mkc_response *resp = NULL;
    mkc_error err = {0};
    const char *bad = "{\"fault\":\"/v1/x:nope\"}";
    const char *good = "{\"faults\":[\"GET /v1/models/gpt-4:status=502,times=2\"]}";
    assert_int_equal(mkc_http_request(h, "POST", "/__mockkit/faults", NULL, NULL, bad,
                                      strlen(bad), &resp, &err),
                     MKC_OK);
    assert_int_equal(resp->status, 400);
    assert_non_null(strstr(resp->body, "expected a fault"));
    mkc_response_free(resp);
    assert_int_equal(mkc_http_request(h, "POST", "/__mockkit/faults", NULL, NULL, good,
                                      strlen(good), &resp, &err),
                     MKC_OK);
    assert_int_equal(resp->status, 200);
    mkc_response_free(resp);
    for (int i = 0; i < 3; i++) {
        int rc = get_model(f, &resp, &err);
        assert_int_equal(rc, i < 2 ? MKC_EHTTP : MKC_OK); /* the next 2 requests only */
        mkc_response_free(resp);
        mkc_error_clear(&err);
    }
    assert_int_equal(mkc_http_request(h, "POST", "/__mockkit/faults", NULL, NULL, good,
                                      strlen(good), &resp, &err),
                     MKC_OK);
    mkc_response_free(resp);
    assert_int_equal(mkc_http_request(h, "DELETE", "/__mockkit/faults", NULL, NULL, NULL, 0,
                                      &resp, &err),
                     MKC_OK);
    assert_string_equal(resp->body, "{\"faults\":[]}");
    mkc_response_free(resp);
    assert_int_equal(get_model(f, &resp, &err), MKC_OK); /* cleared */
    mkc_response_free(resp);
    mkc_http_free(h);
    stop(f);
}

/* ---- declared in the cassette -------------------------------------------- */

static void declared_status_on_interaction(void **state)
{
    (void)state;
    cassette = DECLARED;
    fx *f = start(0, 0);
    for (int i = 0; i < 2; i++) { /* every time: no times= in a cassette */
        mkc_response *resp = NULL;
        mkc_error err = {0};
        assert_int_equal(get_model(f, &resp, &err), MKC_EHTTP);
        assert_int_equal(err.http_status, 503);
        assert_non_null(strstr(err.body, "\"type\":\"server_error\""));
        mkc_response_free(resp);
        mkc_error_clear(&err);
    }
    stop(f);
    cassette = CASSETTE;
}

static void declared_cut_on_chunk(void **state)
{
    (void)state;
    cassette = DECLARED;
    fx *f = start(0, 0);
    sse_run r;
    /* chunk 1 says cut=byte:20,rst: event 1 whole, 20 bytes of event 2, reset:
     * the client reports the half event first */
    assert_int_equal(stream(f, 0, &r), MKC_ETRUNCATED);
    assert_int_equal(atomic_load(&r.events), 1);
    assert_non_null(strstr(r.err.message, "in the middle of an event"));
    mkc_error_clear(&r.err);
    stop(f);
    cassette = CASSETTE;
}

static void declared_latency_on_chunk(void **state)
{
    (void)state;
    cassette = DECLARED;
    stream_body = "{\"model\":\"slow\",\"stream\":true}";
    fx *f = start(0, 1);
    sse_run r;
    pthread_t t;
    memset(&r, 0, sizeof(r));
    r.f = f;
    assert_int_equal(pthread_create(&t, NULL, sse_thread, &r), 0);
    assert_int_equal(wait_events(&r, 2), 2);
    assert_int_equal(mk_clock_wait_for_waiters(f->clock, 1, 5000), 0);
    mk_clock_advance(f->clock, 249);
    assert_int_equal(mk_clock_wait_for_waiters(f->clock, 1, 5000), 0);
    assert_true(still_running(&r));
    assert_int_equal(atomic_load(&r.events), 2); /* chunk 2 waits its 250 ms */
    mk_clock_advance(f->clock, 1);
    pthread_join(t, NULL);
    assert_int_equal(r.rc, MKC_OK);
    assert_int_equal(atomic_load(&r.events), 4);
    stop(f);
    stream_body = STREAM_BODY;
    cassette = CASSETTE;
}

static void declared_bad_fault_refused_at_load(void **state)
{
    (void)state;
    mk_mock_options o;
    mk_diag d;
    mk_mock *m = NULL;
    const char *paths[] = {BAD};
    char line[1200];
    mk_mock_options_init(&o);
    o.service = "openai";
    o.quiet = 1;
    memset(&d, 0, sizeof(d));
    assert_int_equal(mk_mock_new(&o, paths, 1, &m, &d), MK_MOCK_ECASSETTE);
    assert_null(m);
    mk_diag_format(&d, line, sizeof(line));
    assert_non_null(strstr(line, "bad-fault.json: /interactions/1/response/chunks/1/fault: "
                                 "fault spec byte 0: cut wants event:N or byte:K"));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_429_once_with_retry_after),
        cmocka_unit_test(status_500_every_second_time_in_openai_envelope),
        cmocka_unit_test(status_in_the_services_own_words),
        cmocka_unit_test(status_with_probability_is_seeded),
        cmocka_unit_test(cut_after_event_two_with_fin),
        cmocka_unit_test(cut_counts_dispatched_events_only),
        cmocka_unit_test(cut_mid_event_at_byte),
        cmocka_unit_test(cut_with_rst),
        cmocka_unit_test(cut_plain_body_at_byte),
        cmocka_unit_test(garbage_then_close),
        cmocka_unit_test(empty_reply),
        cmocka_unit_test(malformed_chunk),
        cmocka_unit_test(latency_before_status_on_virtual_clock),
        cmocka_unit_test(latency_between_chunks_on_virtual_clock),
        cmocka_unit_test(drip_on_virtual_clock),
        cmocka_unit_test(stall_after_event_one_client_times_out),
        cmocka_unit_test(bad_specs_name_the_byte),
        cmocka_unit_test(admin_sets_faults_for_next_requests),
        cmocka_unit_test(declared_status_on_interaction),
        cmocka_unit_test(declared_cut_on_chunk),
        cmocka_unit_test(declared_latency_on_chunk),
        cmocka_unit_test(declared_bad_fault_refused_at_load),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
