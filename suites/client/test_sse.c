/* test_sse.c: mkc_sse_stream against a CivetWeb server started in the test.
 * Each failure has its own code and a message naming the URL: refused,
 * wrong content type, HTTP error with body, cut mid-event (with the byte
 * offset), callback stop, idle timeout. Events arrive as they are sent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mockkit/client.h"
#include "suite.h"
#include "test_server.h"

static ts_server srv;
/* Handler <-> test hand-offs, reset per test. */
static ts_gate first_seen;   /* the test's callback got event 1 */
static ts_gate release;      /* the test is done; a stalling handler may return */
static int first_seen_in_time;

static void sse_head(struct mg_connection *c)
{
    mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
                 "Cache-Control: no-cache\r\nConnection: close\r\n\r\n");
}

static void put(struct mg_connection *c, const char *s)
{
    mg_write(c, s, strlen(s));
}

static int h_json(struct mg_connection *c, void *u)
{
    (void)u;
    mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                 "Connection: close\r\n\r\n{}");
    return 200;
}

static int h_error(struct mg_connection *c, void *u)
{
    (void)u;
    const char body[] = "{\"detail\":\"run not found\"}";
    mg_printf(c, "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
                 "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", sizeof body - 1, body);
    return 500;
}

/* "data: one\n\n" is 11 bytes, "data: par" 9: the cut is at byte 20. */
static int h_cut(struct mg_connection *c, void *u)
{
    (void)u;
    sse_head(c);
    put(c, "data: one\n\ndata: par");
    return 200;
}

static int h_incremental(struct mg_connection *c, void *u)
{
    (void)u;
    sse_head(c);
    put(c, "event: first\nid: 1\ndata: hello\n\n");
    int in_time = ts_gate_wait(&first_seen, 5000);
    pthread_mutex_lock(&first_seen.lock);  /* the test reads it on its thread */
    first_seen_in_time = in_time;
    pthread_mutex_unlock(&first_seen.lock);
    put(c, "event: second\nid: 2\ndata: world\n\n");
    return 200;
}

/* Echoes what identifies the request as an SSE reconnect. */
static int h_echo_headers(struct mg_connection *c, void *u)
{
    (void)u;
    const char *id = mg_get_header(c, "Last-Event-ID");
    const char *acc = mg_get_header(c, "Accept");
    const char *x = mg_get_header(c, "X-Test");
    const char *ck = mg_get_header(c, "Cookie");
    sse_head(c);
    mg_printf(c, "data: last-event-id=%s\ndata: accept=%s\ndata: x-test=%s\ndata: cookie=%s\n\n",
              id ? id : "(none)", acc ? acc : "(none)", x ? x : "(none)", ck ? ck : "(none)");
    return 200;
}

static int h_three(struct mg_connection *c, void *u)
{
    (void)u;
    sse_head(c);
    put(c, "data: 1\n\ndata: 2\n\ndata: 3\n\n");
    return 200;
}

/* One event, then silence until the test is done (bounded). */
static int h_stall(struct mg_connection *c, void *u)
{
    (void)u;
    sse_head(c);
    put(c, "data: before the silence\n\n");
    ts_gate_wait(&release, 4000);
    return 200;
}

/* A field line, then silence: the stream stops inside an event. */
static int h_stall_mid_event(struct mg_connection *c, void *u)
{
    (void)u;
    sse_head(c);
    put(c, "data: partial\n");
    ts_gate_wait(&release, 4000);
    return 200;
}

/* A header to hook, a retry value, and two events. */
static int h_hooks(struct mg_connection *c, void *u)
{
    (void)u;
    mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                 "Set-Cookie: cairos_session=s1; Path=/\r\nConnection: close\r\n\r\n");
    put(c, "retry: 1500\ndata: a\n\ndata: b\n\n");
    return 200;
}

static int setup(void **state)
{
    (void)state;
    ts_gate_init(&first_seen);
    ts_gate_init(&release);
    if (ts_start(&srv) != 0)
        return -1;
    mg_set_request_handler(srv.ctx, "/json$", h_json, NULL);
    mg_set_request_handler(srv.ctx, "/error$", h_error, NULL);
    mg_set_request_handler(srv.ctx, "/cut$", h_cut, NULL);
    mg_set_request_handler(srv.ctx, "/incremental$", h_incremental, NULL);
    mg_set_request_handler(srv.ctx, "/headers$", h_echo_headers, NULL);
    mg_set_request_handler(srv.ctx, "/three$", h_three, NULL);
    mg_set_request_handler(srv.ctx, "/stall$", h_stall, NULL);
    mg_set_request_handler(srv.ctx, "/stall-mid$", h_stall_mid_event, NULL);
    mg_set_request_handler(srv.ctx, "/hooks$", h_hooks, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ts_gate_open(&release);  /* a stalled handler returns, so mg_stop does not wait */
    ts_stop(&srv);
    ts_gate_destroy(&first_seen);
    ts_gate_destroy(&release);
    return 0;
}

/* Gates live as long as the server (a handler may still be inside one
 * when its test ends); each test starts with both closed. */
static void gate_close(ts_gate *g)
{
    pthread_mutex_lock(&g->lock);
    g->set = 0;
    pthread_mutex_unlock(&g->lock);
}

static int each_setup(void **state)
{
    (void)state;
    gate_close(&first_seen);
    gate_close(&release);
    first_seen_in_time = 0;
    return 0;
}

/* Events go to a queue as "type|data|id"; kind is the event's index. */
typedef struct collect {
    mkc_queue *q;
    int count;
    int stop_after;     /* 0 = never */
    ts_gate *signal;    /* opened after the first event */
} collect;

static int on_event(void *user, const mkc_sse_event *ev)
{
    collect *c = user;
    char line[512];
    int n = snprintf(line, sizeof line, "%.*s|%.*s|%.*s", (int)ev->type_len, ev->type,
                     (int)ev->data_len, ev->data, (int)ev->id_len, ev->id);
    mkc_queue_push(c->q, c->count++, line, (size_t)n);
    if (c->count == 1 && c->signal)
        ts_gate_open(c->signal);
    return c->stop_after && c->count >= c->stop_after;
}

static char *pop(mkc_queue *q)
{
    int kind;
    char *data = NULL;
    size_t len;
    if (mkc_queue_pop(q, 0, &kind, &data, &len) != MKC_OK)
        return NULL;
    return data;
}

static void assert_next(mkc_queue *q, const char *want)
{
    char *got = pop(q);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_refused_is_econnect(void **state)
{
    (void)state;
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", ts_free_port());
    mkc_http *h = mkc_http_new(base);
    collect c = {.q = mkc_queue_new()};
    mkc_error err = {0};
    long long t0 = ts_now_ms();
    assert_int_equal(mkc_sse_stream(h, "/events", NULL, on_event, &c, NULL, &err), MKC_ECONNECT);
    assert_true(ts_now_ms() - t0 < 2000);
    assert_int_equal(err.code, MKC_ECONNECT);
    assert_non_null(strstr(err.message, base));
    assert_int_equal(c.count, 0);
    mkc_queue_free(c.q);
    mkc_http_free(h);
}

static void test_wrong_content_type(void **state)
{
    (void)state;
    mkc_http *h = mkc_http_new(srv.url);
    collect c = {.q = mkc_queue_new()};
    mkc_error err = {0};
    assert_int_equal(mkc_sse_stream(h, "/json", NULL, on_event, &c, NULL, &err),
                     MKC_ECONTENT_TYPE);
    assert_int_equal(err.code, MKC_ECONTENT_TYPE);
    assert_non_null(strstr(err.message, "/json"));
    assert_non_null(strstr(err.message, "application/json"));
    assert_int_equal(c.count, 0);
    mkc_error_clear(&err);
    mkc_queue_free(c.q);
    mkc_http_free(h);
}

static void test_http_error_has_status_and_body(void **state)
{
    (void)state;
    mkc_http *h = mkc_http_new(srv.url);
    collect c = {.q = mkc_queue_new()};
    mkc_error err = {0};
    assert_int_equal(mkc_sse_stream(h, "/error", NULL, on_event, &c, NULL, &err), MKC_EHTTP);
    assert_int_equal(err.http_status, 500);
    assert_non_null(err.body);
    assert_string_equal(err.body, "{\"detail\":\"run not found\"}");
    assert_non_null(strstr(err.message, "/error"));
    assert_int_equal(c.count, 0);  /* an error page is never parsed as events */
    mkc_error_clear(&err);
    mkc_queue_free(c.q);
    mkc_http_free(h);
}

static void test_cut_mid_event_is_truncated_at_offset(void **state)
{
    (void)state;
    mkc_http *h = mkc_http_new(srv.url);
    collect c = {.q = mkc_queue_new()};
    mkc_error err = {0};
    assert_int_equal(mkc_sse_stream(h, "/cut", NULL, on_event, &c, NULL, &err), MKC_ETRUNCATED);
    assert_int_equal(err.code, MKC_ETRUNCATED);
    assert_non_null(strstr(err.message, "/cut"));
    assert_non_null(strstr(err.message, "byte 20"));
    assert_int_equal(c.count, 1);
    assert_next(c.q, "message|one|");
    mkc_error_clear(&err);
    mkc_queue_free(c.q);
    mkc_http_free(h);
}

static void test_events_arrive_before_the_stream_ends(void **state)
{
    (void)state;
    mkc_http *h = mkc_http_new(srv.url);
    collect c = {.q = mkc_queue_new(), .signal = &first_seen};
    mkc_error err = {0};
    char *last = NULL;
    assert_int_equal(mkc_sse_stream(h, "/incremental", NULL, on_event, &c, &last, &err), MKC_OK);
    /* The server sent event 2 only after our callback had event 1. */
    pthread_mutex_lock(&first_seen.lock);
    int in_time = first_seen_in_time;
    pthread_mutex_unlock(&first_seen.lock);
    assert_int_equal(in_time, 1);
    assert_next(c.q, "first|hello|1");
    assert_next(c.q, "second|world|2");
    assert_string_equal(last, "2");
    free(last);
    mkc_queue_free(c.q);
    mkc_http_free(h);
}

static void test_last_event_id_headers_and_cookies_are_sent(void **state)
{
    (void)state;
    mkc_http *h = mkc_http_new(srv.url);
    mkc_http_add_header(h, "X-Test: default");
    mkc_http_set_cookie(h, "sid=<REDACTED>");
    collect c = {.q = mkc_queue_new()};
    mkc_error err = {0};
    mkc_sse_options o = {.last_event_id = "evt-41"};
    assert_int_equal(mkc_sse_stream(h, "/headers", &o, on_event, &c, NULL, &err), MKC_OK);
    assert_next(c.q, "message|last-event-id=evt-41\naccept=text/event-stream\n"
                     "x-test=default\ncookie=sid=<REDACTED>|");

    /* Unset (or empty): no header at all. */
    o.last_event_id = "";
    assert_int_equal(mkc_sse_stream(h, "/headers", &o, on_event, &c, NULL, &err), MKC_OK);
    char *got = pop(c.q);
    assert_non_null(got);
    assert_non_null(strstr(got, "last-event-id=(none)"));
    free(got);
    mkc_queue_free(c.q);
    mkc_http_free(h);
}

static void test_callback_stop_is_eaborted(void **state)
{
    (void)state;
    mkc_http *h = mkc_http_new(srv.url);
    collect c = {.q = mkc_queue_new(), .stop_after = 1};
    mkc_error err = {0};
    assert_int_equal(mkc_sse_stream(h, "/three", NULL, on_event, &c, NULL, &err), MKC_EABORTED);
    assert_int_equal(err.code, MKC_EABORTED);
    assert_non_null(strstr(err.message, "/three"));
    assert_int_equal(c.count, 1);  /* nothing after the stop */
    mkc_queue_free(c.q);
    mkc_http_free(h);
}

static void test_idle_timeout(void **state)
{
    (void)state;
    mkc_http *h = mkc_http_new(srv.url);
    collect c = {.q = mkc_queue_new()};
    mkc_error err = {0};
    mkc_sse_options o = {.idle_timeout_ms = 1000};
    long long t0 = ts_now_ms();
    int rc = mkc_sse_stream(h, "/stall", &o, on_event, &c, NULL, &err);
    long long took = ts_now_ms() - t0;
    ts_gate_open(&release);
    assert_int_equal(rc, MKC_ETIMEOUT);
    assert_int_equal(err.code, MKC_ETIMEOUT);
    assert_non_null(strstr(err.message, "/stall"));
    assert_true(took >= 900);
    assert_true(took < 3500);  /* well before the handler's own 4 s bound */
    assert_next(c.q, "message|before the silence|");
    mkc_queue_free(c.q);
    mkc_http_free(h);
}

/* Silence inside an event is a timeout (the server is still there), not a
 * truncation. */
static void test_idle_timeout_inside_an_event(void **state)
{
    (void)state;
    mkc_http *h = mkc_http_new(srv.url);
    collect c = {.q = mkc_queue_new()};
    mkc_error err = {0};
    mkc_sse_options o = {.idle_timeout_ms = 1000};
    int rc = mkc_sse_stream(h, "/stall-mid", &o, on_event, &c, NULL, &err);
    ts_gate_open(&release);
    assert_int_equal(rc, MKC_ETIMEOUT);
    assert_non_null(strstr(err.message, "inside an event"));
    assert_int_equal(c.count, 0);
    mkc_queue_free(c.q);
    mkc_http_free(h);
}

typedef struct hooks {
    collect c;
    int opened_before_events;  /* on_open ran while no event had come */
    int opens;
    char cookie[128];
} hooks;

static void hook_open(void *user)
{
    hooks *k = user;
    k->opens++;
    k->opened_before_events = k->c.count == 0;
}

static void hook_header(void *user, const char *line)
{
    hooks *k = user;
    if (strncasecmp(line, "Set-Cookie:", 11) == 0)
        snprintf(k->cookie, sizeof k->cookie, "%s", line + 11);
}

static int hook_event(void *user, const mkc_sse_event *ev)
{
    return on_event(&((hooks *)user)->c, ev);
}

/* on_open comes once and before the first event, on_header sees the
 * response headers (a Set-Cookie the caller adopts), retry_out gets the
 * stream's retry: value. */
static void test_open_header_and_retry_hooks(void **state)
{
    (void)state;
    mkc_http *h = mkc_http_new(srv.url);
    hooks k = {.c = {.q = mkc_queue_new()}};
    long retry = 0;
    mkc_sse_options o = {.on_open = hook_open, .on_header = hook_header, .retry_out = &retry};
    mkc_error err = {0};
    assert_int_equal(mkc_sse_stream(h, "/hooks", &o, hook_event, &k, NULL, &err), MKC_OK);
    assert_int_equal(k.opens, 1);
    assert_true(k.opened_before_events);
    assert_non_null(strstr(k.cookie, "cairos_session=s1"));
    assert_int_equal(retry, 1500);
    assert_int_equal(k.c.count, 2);
    mkc_queue_free(k.c.q);
    mkc_http_free(h);
}

typedef struct bg {
    mkc_http *h;
    collect c;
    atomic_int stop;
    int rc;
} bg;

static void *bg_stream(void *arg)
{
    bg *b = arg;
    mkc_sse_options o = {.stop = &b->stop};
    b->rc = mkc_sse_stream(b->h, "/stall", &o, on_event, &b->c, NULL, NULL);
    return NULL;
}

/* A stream blocked on a silent server ends when another thread sets the
 * stop flag. */
static void test_stop_flag_from_another_thread(void **state)
{
    (void)state;
    ts_gate first;
    ts_gate_init(&first);
    bg b = {.h = mkc_http_new(srv.url), .c = {.q = mkc_queue_new(), .signal = &first}};
    atomic_init(&b.stop, 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, bg_stream, &b), 0);
    assert_int_equal(ts_gate_wait(&first, 5000), 1);  /* the stream is open and idle */
    long long t0 = ts_now_ms();
    atomic_store(&b.stop, 1);
    pthread_join(t, NULL);
    long long took = ts_now_ms() - t0;
    ts_gate_open(&release);
    assert_int_equal(b.rc, MKC_EABORTED);
    assert_true(took < 3000);  /* libcurl's progress tick is about 1 s */
    ts_gate_destroy(&first);
    mkc_queue_free(b.c.q);
    mkc_http_free(b.h);
}

int main(int argc, char **argv)
{
#define T(f) cmocka_unit_test_setup(f, each_setup)
    const struct CMUnitTest tests[] = {
        T(test_refused_is_econnect),
        T(test_wrong_content_type),
        T(test_http_error_has_status_and_body),
        T(test_cut_mid_event_is_truncated_at_offset),
        T(test_events_arrive_before_the_stream_ends),
        T(test_last_event_id_headers_and_cookies_are_sent),
        T(test_callback_stop_is_eaborted),
        T(test_idle_timeout),
        T(test_idle_timeout_inside_an_event),
        T(test_open_header_and_retry_hooks),
        T(test_stop_flag_from_another_thread),
    };
#undef T
    return SUITE_RUN(argc, argv, tests, setup, teardown);
}
