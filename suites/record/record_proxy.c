/* record_proxy.c: record through the proxy, then replay the written
 * cassette with mk_mock and compare bytes; redaction; refused writes;
 * upstream failures. The upstream is upstream.c, an independent server. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <civetweb.h>
#include <curl/curl.h>

#include "mockkit/cassette.h"
#include "mockkit/mock.h"
#include "mockkit/diff.h"
#include "mockkit/record.h"
#include "kit.h"
#include "suite.h"
#include "upstream.h"

static upstream up;

static int group_setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    mg_init_library(0);
    return upstream_start(&up);
}

static int group_teardown(void **state)
{
    (void)state;
    upstream_stop(&up);
    curl_global_cleanup();
    return 0;
}

static mk_record *rec_start(const char *upstream_url, const char *out, mk_record_mode mode)
{
    mk_record_options o;
    mk_record_options_init(&o);
    o.upstream = upstream_url;
    o.out = out;
    o.mode = mode;
    o.service = "generic";
    o.quiet = 1;
    mk_record *r = NULL;
    mk_diag d;
    int rc = mk_record_new(&o, &r, &d);
    if (rc != MK_RECORD_OK) {
        char msg[1200];
        print_error("mk_record_new: %s: %s\n", mk_record_strerror(rc),
                    mk_diag_format(&d, msg, sizeof msg));
    }
    return r;
}

static void rec_finish(mk_record *r)
{
    mk_diag d;
    int rc = mk_record_stop(r, &d);
    if (rc != MK_RECORD_OK) {
        char msg[1200];
        print_error("mk_record_stop: %s\n", mk_diag_format(&d, msg, sizeof msg));
    }
    assert_int_equal(rc, MK_RECORD_OK);
    mk_record_free(r);
}

static mk_cassette *load(const char *path)
{
    mk_cassette *c = NULL;
    mk_diag d;
    int rc = mk_cassette_load(path, &c, &d);
    if (rc != MK_CASSETTE_OK) {
        char msg[1200];
        print_error("load: %s\n", mk_diag_format(&d, msg, sizeof msg));
    }
    assert_int_equal(rc, MK_CASSETTE_OK);
    return c;
}

static mk_mock *replay(const char *path)
{
    mk_mock_options o;
    mk_mock_options_init(&o);
    o.speed = 0;
    o.quiet = 1;
    const char *paths[] = {path};
    mk_mock *m = NULL;
    mk_diag d;
    int rc = mk_mock_new(&o, paths, 1, &m, &d);
    if (rc != MK_MOCK_OK) {
        char msg[1200];
        print_error("mk_mock_new: %s\n", mk_diag_format(&d, msg, sizeof msg));
    }
    assert_int_equal(rc, MK_MOCK_OK);
    return m;
}

static void get(const char *base, const char *method, const char *path, const char *const *hdrs,
                const char *body, reply *out, int report)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", base, path);
    assert_int_equal(client_request(report ? &up : NULL, method, url, hdrs, body, out), 0);
}

/* Plain JSON, a JSON request body and a binary body survive record ->
 * replay byte for byte. */
static void test_http_roundtrip(void **state)
{
    (void)state;
    char out[512];
    tmp_path(out, sizeof out, "http.json");
    mk_record *r = rec_start(up.url, out, MK_RECORD_MODE_ALL);
    assert_non_null(r);
    const char *json_hdr[] = {"Content-Type: application/json", NULL};
    reply a, b, c;
    get(mk_record_url(r), "GET", "/v1/items/42", NULL, NULL, &a, 0);
    get(mk_record_url(r), "POST", "/v1/echo", json_hdr, "{\"q\":\"hi\",\"n\":1}", &b, 0);
    get(mk_record_url(r), "GET", "/v1/bin", NULL, NULL, &c, 0);
    assert_int_equal(a.status, 200);
    assert_string_equal(a.body, "{\"id\":\"42\",\"object\":\"item\",\"name\":\"widget\"}");
    assert_string_equal(b.body, "{\"q\":\"hi\",\"n\":1}");
    assert_int_equal(c.len, 4);
    assert_memory_equal(c.body, "\xff\x00\xfe\x01", 4);
    rec_finish(r);

    mk_cassette *cas = load(out);
    assert_int_equal(cas->count, 3);
    assert_string_equal(cas->meta.source.kind, "recorded");
    assert_int_equal(cas->interactions[0].response.body.kind, MK_BODY_JSON);
    assert_int_equal(cas->interactions[1].request.body.kind, MK_BODY_JSON);
    assert_int_equal(cas->interactions[2].response.body.kind, MK_BODY_BASE64);
    mk_cassette_free(cas);

    mk_mock *m = replay(out);
    reply ra, rb, rc;
    get(mk_mock_url(m), "GET", "/v1/items/42", NULL, NULL, &ra, 0);
    get(mk_mock_url(m), "POST", "/v1/echo", json_hdr, "{\"q\":\"hi\",\"n\":1}", &rb, 0);
    get(mk_mock_url(m), "GET", "/v1/bin", NULL, NULL, &rc, 0);
    assert_int_equal(ra.status, 200);
    assert_int_equal(ra.len, a.len);
    assert_memory_equal(ra.body, a.body, a.len);
    assert_int_equal(rb.len, b.len);
    assert_memory_equal(rb.body, b.body, b.len);
    assert_int_equal(rc.len, c.len);
    assert_memory_equal(rc.body, c.body, c.len);
    mk_mock_free(m);
    reply_free(&a);
    reply_free(&b);
    reply_free(&c);
    reply_free(&ra);
    reply_free(&rb);
    reply_free(&rc);
}

static void concat_pieces(char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < up_sse_piece_count; i++)
        strncat(buf, up_sse_pieces[i], size - strlen(buf) - 1);
}

/* Written with gaps, an SSE stream (split mid-line) is recorded as exactly
 * the upstream's writes, with non-decreasing times, and replays to the same
 * bytes. */
static void test_sse_gaps_roundtrip(void **state)
{
    (void)state;
    char out[512], whole[2048];
    tmp_path(out, sizeof out, "sse-gaps.json");
    concat_pieces(whole, sizeof whole);
    pthread_mutex_lock(&up.mu);
    up.client_bytes = 0;
    pthread_mutex_unlock(&up.mu);

    mk_record *r = rec_start(up.url, out, MK_RECORD_MODE_ALL);
    assert_non_null(r);
    reply a;
    get(mk_record_url(r), "GET", "/v1/sse/gaps", NULL, NULL, &a, 1);
    assert_int_equal(a.curl_rc, 0);
    assert_string_equal(a.body, whole);
    rec_finish(r);

    mk_cassette *cas = load(out);
    assert_int_equal(cas->count, 1);
    const mk_response *resp = &cas->interactions[0].response;
    assert_true(resp->streamed);
    assert_false(resp->close);
    assert_string_equal(mk_headers_get(&resp->headers, "content-type"), "text/event-stream");
    assert_int_equal(resp->chunk_count, up_sse_piece_count);
    for (size_t i = 0; i < resp->chunk_count; i++) {
        assert_int_equal(resp->chunks[i].body.bytes.len, strlen(up_sse_pieces[i]));
        assert_memory_equal(resp->chunks[i].body.bytes.data, up_sse_pieces[i],
                            strlen(up_sse_pieces[i]));
        if (i > 0)
            assert_true(resp->chunks[i].at_ms >= resp->chunks[i - 1].at_ms);
        assert_true(resp->chunks[i].at_ms >= cas->interactions[0].at_ms);
    }
    mk_cassette_free(cas);

    mk_mock *m = replay(out);
    reply b;
    get(mk_mock_url(m), "GET", "/v1/sse/gaps", NULL, NULL, &b, 0);
    assert_int_equal(b.status, 200);
    assert_string_equal(b.body, whole);
    mk_mock_free(m);
    reply_free(&a);
    reply_free(&b);
}

/* Written back to back, however the reads fell, the chunks join to the
 * stream and the replay gives the same bytes. */
static void test_sse_burst_concatenation(void **state)
{
    (void)state;
    char out[512], whole[2048];
    tmp_path(out, sizeof out, "sse-burst.json");
    concat_pieces(whole, sizeof whole);
    mk_record *r = rec_start(up.url, out, MK_RECORD_MODE_ALL);
    assert_non_null(r);
    reply a;
    get(mk_record_url(r), "GET", "/v1/sse/burst", NULL, NULL, &a, 0);
    assert_string_equal(a.body, whole);
    rec_finish(r);

    mk_cassette *cas = load(out);
    const mk_response *resp = &cas->interactions[0].response;
    assert_true(resp->chunk_count >= 1);
    char joined[2048] = "";
    for (size_t i = 0; i < resp->chunk_count; i++)
        strncat(joined, (const char *)resp->chunks[i].body.bytes.data,
                sizeof joined - strlen(joined) - 1);
    assert_string_equal(joined, whole);
    mk_cassette_free(cas);

    mk_mock *m = replay(out);
    reply b;
    get(mk_mock_url(m), "GET", "/v1/sse/burst", NULL, NULL, &b, 0);
    assert_string_equal(b.body, whole);
    mk_mock_free(m);
    reply_free(&a);
    reply_free(&b);
}

typedef struct hold_arg {
    const char *url;
    reply rep;
} hold_arg;

static void *hold_thread(void *p)
{
    hold_arg *h = p;
    char url[512];
    snprintf(url, sizeof url, "%s/v1/sse/hold", h->url);
    client_request(&up, "GET", url, NULL, NULL, &h->rep);
    return NULL;
}

/* One timeline across connections: the event that followed a request on
 * another connection names it in "after"; the one before it does not. */
static void test_after_across_connections(void **state)
{
    (void)state;
    char out[512];
    tmp_path(out, sizeof out, "after.json");
    pthread_mutex_lock(&up.mu);
    up.client_bytes = 0;
    up.triggered = 0;
    pthread_mutex_unlock(&up.mu);
    mk_record *r = rec_start(up.url, out, MK_RECORD_MODE_ALL);
    assert_non_null(r);
    hold_arg h = {mk_record_url(r), {0}};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, hold_thread, &h), 0);
    /* Trigger only once the stream's first event reached the client. */
    struct timespec until;
    mkc__deadline_in(&until, 5000);
    pthread_mutex_lock(&up.mu);
    while (up.client_bytes < strlen(up_sse_pieces[0]))
        if (pthread_cond_timedwait(&up.cv, &up.mu, &until) != 0)
            break;
    pthread_mutex_unlock(&up.mu);
    reply tr;
    get(mk_record_url(r), "POST", "/v1/trigger", NULL, "{}", &tr, 0);
    assert_int_equal(tr.status, 200);
    pthread_join(t, NULL);
    assert_int_equal(h.rep.curl_rc, 0);
    rec_finish(r);

    mk_cassette *cas = load(out);
    assert_int_equal(cas->count, 2);
    const mk_interaction *hold = &cas->interactions[0], *trig = &cas->interactions[1];
    assert_string_equal(hold->request.path, "/v1/sse/hold");
    assert_string_equal(trig->request.path, "/v1/trigger");
    assert_int_equal(hold->response.chunk_count, 2);
    assert_null(hold->response.chunks[0].after);
    assert_non_null(hold->response.chunks[1].after);
    assert_string_equal(hold->response.chunks[1].after, trig->id);
    assert_true(hold->response.chunks[1].at_ms >= trig->at_ms);
    mk_cassette_free(cas);
    reply_free(&tr);
    reply_free(&h.rep);
}

/* Record one websocket session through the proxy into out. */
static void record_ws_session(const char *out)
{
    char err[256];
    mk_record *r = rec_start(up.url, out, MK_RECORD_MODE_ALL);
    assert_non_null(r);
    ws_client c;
    assert_int_equal(ws_open(&c, mk_record_port(r), "/ws/echo", err, sizeof err), 0);
    assert_int_equal(ws_wait(&c, 1, 5000), 0);
    assert_string_equal(c.msgs[0].data, "{\"hello\":\"ws\"}");
    ws_send(&c, MG_WEBSOCKET_OPCODE_TEXT, "{\"q\":\"hi\"}", 10);
    assert_int_equal(ws_wait(&c, 2, 5000), 0);
    assert_string_equal(c.msgs[1].data, "{\"echo\":{\"q\":\"hi\"}}");
    ws_send(&c, MG_WEBSOCKET_OPCODE_BINARY, "\x01\x02\xff", 3);
    assert_int_equal(ws_wait(&c, 3, 5000), 0);
    assert_int_equal(c.msgs[2].opcode, MG_WEBSOCKET_OPCODE_BINARY);
    assert_memory_equal(c.msgs[2].data, "\x01\x02\xff", 3);
    ws_send(&c, MG_WEBSOCKET_OPCODE_TEXT, "bye", 3);
    assert_int_equal(ws_wait_closed(&c, 5000), 0);
    ws_close(&c);
    rec_finish(r);
}

/* Frames cross the proxy both ways and are recorded in order, with their
 * directions, types, payload kinds and close code. */
static void test_ws_record(void **state)
{
    (void)state;
    char out[512];
    tmp_path(out, sizeof out, "ws.json");
    record_ws_session(out);
    mk_cassette *cas = load(out);
    assert_int_equal(cas->count, 1);
    const mk_interaction *ix = &cas->interactions[0];
    assert_int_equal(ix->kind, MK_IX_WEBSOCKET);
    assert_string_equal(ix->request.path, "/ws/echo");
    assert_int_equal(ix->frame_count, 7); /* hello, q, echo, bin, bin, bye, close */
    assert_int_equal(ix->frames[0].from, MK_FROM_SERVER);
    assert_int_equal(ix->frames[1].from, MK_FROM_CLIENT);
    assert_int_equal(ix->frames[1].payload.kind, MK_BODY_JSON);
    assert_int_equal(ix->frames[2].from, MK_FROM_SERVER);
    assert_int_equal(ix->frames[3].type, MK_FRAME_BINARY);
    assert_int_equal(ix->frames[3].payload.kind, MK_BODY_BASE64);
    assert_int_equal(ix->frames[4].from, MK_FROM_SERVER);
    assert_int_equal(ix->frames[5].from, MK_FROM_CLIENT);
    assert_int_equal(ix->frames[6].from, MK_FROM_SERVER);
    assert_int_equal(ix->frames[6].type, MK_FRAME_CLOSE);
    assert_int_equal(ix->frames[6].close_code, 1000);
    for (size_t i = 1; i < ix->frame_count; i++)
        assert_true(ix->frames[i].at_ms >= ix->frames[i - 1].at_ms);
    mk_cassette_free(cas);
}

/* The replay of a recorded session answers the same client frames with the
 * same bytes. */
static void test_ws_replay(void **state)
{
    (void)state;
    char out[512], err[256];
    tmp_path(out, sizeof out, "ws-replay.json");
    record_ws_session(out);
    mk_mock *m = replay(out);
    ws_client d;
    assert_int_equal(ws_open(&d, mk_mock_port(m), "/ws/echo", err, sizeof err), 0);
    assert_int_equal(ws_wait(&d, 1, 5000), 0);
    assert_string_equal(d.msgs[0].data, "{\"hello\":\"ws\"}");
    ws_send(&d, MG_WEBSOCKET_OPCODE_TEXT, "{\"q\":\"hi\"}", 10);
    assert_int_equal(ws_wait(&d, 2, 5000), 0);
    assert_string_equal(d.msgs[1].data, "{\"echo\":{\"q\":\"hi\"}}");
    ws_send(&d, MG_WEBSOCKET_OPCODE_BINARY, "\x01\x02\xff", 3);
    assert_int_equal(ws_wait(&d, 3, 5000), 0);
    assert_memory_equal(d.msgs[2].data, "\x01\x02\xff", 3);
    ws_close(&d);
    mk_mock_free(m);
}

/* Planted credentials in both directions never reach the file; their
 * shapes (scheme, cookie names, attributes) do, and meta says what. */
static void test_redaction(void **state)
{
    (void)state;
    char out[512];
    tmp_path(out, sizeof out, "redact.json");
    mk_record *r = rec_start(up.url, out, MK_RECORD_MODE_ALL);
    assert_non_null(r);
    const char *hdrs[] = {"Authorization: Bearer sk-proj-PLANTEDBEARER1234567890abcdef",
                          "Cookie: session=PLANTEDCOOKIE5678; theme=dark",
                          "X-Api-Key: PLANTEDXAPIKEY9999", "Content-Type: application/json",
                          NULL};
    const char *form_hdrs[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    reply a, b, c, d;
    get(mk_record_url(r), "GET", "/v1/items/1", hdrs, NULL, &a, 0);
    get(mk_record_url(r), "POST", "/v1/echo", hdrs,
        "{\"user\":{\"name\":\"bob\",\"password\":\"PLANTEDJSONPASS1\"},\"api_key\":\"PLANTEDFIELDKEY2\"}",
        &b, 0);
    get(mk_record_url(r), "POST", "/v1/echo", form_hdrs,
        "user=bob&password=PLANTEDFORMPASS3&keep=1", &c, 0);
    get(mk_record_url(r), "POST", "/v1/login", hdrs, "{}", &d, 0);
    /* The client itself still sees the real values. */
    assert_non_null(strstr(a.headers, "PLANTEDSETCOOKIE0042"));
    assert_non_null(strstr(d.body, "PLANTEDACCESSTOKEN77"));
    rec_finish(r);

    size_t len;
    char *text = suite_read_file(out, &len);
    assert_non_null(text);
    static const char *const planted[] = {"PLANTEDBEARER", "PLANTEDCOOKIE5678", "PLANTEDXAPIKEY",
                                          "PLANTEDJSONPASS", "PLANTEDFIELDKEY", "PLANTEDFORMPASS",
                                          "PLANTEDSETCOOKIE", "PLANTEDACCESSTOKEN"};
    for (size_t i = 0; i < sizeof planted / sizeof *planted; i++) {
        if (strstr(text, planted[i]))
            print_error("planted %s reached the cassette\n", planted[i]);
        assert_null(strstr(text, planted[i]));
    }
    assert_non_null(strstr(text, "Bearer <REDACTED:authorization>"));
    assert_non_null(strstr(text, "session=<REDACTED:session>; theme=<REDACTED:theme>"));
    assert_non_null(strstr(text, "sid=<REDACTED:sid>; Path=/; HttpOnly"));
    assert_non_null(strstr(text, "password=<REDACTED:password>&keep=1"));
    assert_non_null(strstr(text, "\"header:authorization\""));
    assert_non_null(strstr(text, "\"json:password\""));
    free(text);
    /* Redacted fields keep their names and places. */
    mk_cassette *cas = load(out);
    const cJSON *body = cas->interactions[1].request.body.json;
    assert_non_null(body);
    const cJSON *pw = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(body, "user"), "password");
    assert_true(cJSON_IsString(pw));
    assert_string_equal(pw->valuestring, "<REDACTED:password>");
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(body, "api_key");
    assert_true(cJSON_IsString(key));
    assert_string_equal(key->valuestring, "<REDACTED:api_key>");
    mk_cassette_free(cas);
    reply_free(&a);
    reply_free(&b);
    reply_free(&c);
    reply_free(&d);
}

/* JSON websocket messages are redacted both ways too. */
static void test_ws_redaction(void **state)
{
    (void)state;
    char out[512], err[256];
    tmp_path(out, sizeof out, "ws-redact.json");
    mk_record *r = rec_start(up.url, out, MK_RECORD_MODE_ALL);
    assert_non_null(r);
    ws_client c;
    assert_int_equal(ws_open(&c, mk_record_port(r), "/ws/echo", err, sizeof err), 0);
    assert_int_equal(ws_wait(&c, 1, 5000), 0);
    static const char msg[] = "{\"auth\":{\"token\":\"PLANTEDWSTOKEN123\"}}";
    ws_send(&c, MG_WEBSOCKET_OPCODE_TEXT, msg, sizeof msg - 1);
    assert_int_equal(ws_wait(&c, 2, 5000), 0);
    assert_non_null(strstr(c.msgs[1].data, "PLANTEDWSTOKEN123")); /* the client sees it */
    ws_close(&c);
    rec_finish(r);
    size_t len;
    char *text = suite_read_file(out, &len);
    assert_non_null(text);
    assert_null(strstr(text, "PLANTEDWSTOKEN"));
    assert_non_null(strstr(text, "<REDACTED:token>"));
    free(text);
}

/* A secret the redaction cannot know about (a key in free text) makes the
 * scan refuse the cassette: nothing is written and the reason is given. */
static void test_scan_refuses_leak(void **state)
{
    (void)state;
    char out[512];
    tmp_path(out, sizeof out, "leak.json");
    mk_record *r = rec_start(up.url, out, MK_RECORD_MODE_ALL);
    assert_non_null(r);
    reply a;
    get(mk_record_url(r), "GET", "/v1/leak", NULL, NULL, &a, 0);
    assert_int_equal(a.status, 200);
    mk_diag d;
    assert_int_equal(mk_record_stop(r, &d), MK_RECORD_ECASSETTE);
    assert_non_null(strstr(d.message, "secret"));
    assert_true(d.pointer[0] == '/');
    assert_false(file_exists(out));
    mk_record_free(r);
    reply_free(&a);
}

/* A refused upstream is a 502 that names it; the 502 is the recorder's own,
 * so it is not saved as an interaction. */
static void test_upstream_refused(void **state)
{
    (void)state;
    char out[512], dead[64];
    tmp_path(out, sizeof out, "refused.json");
    snprintf(dead, sizeof dead, "http://127.0.0.1:%d", dead_port());
    mk_record *r = rec_start(dead, out, MK_RECORD_MODE_ALL);
    assert_non_null(r);
    reply a;
    get(mk_record_url(r), "GET", "/v1/items/1", NULL, NULL, &a, 0);
    assert_int_equal(a.status, 502);
    assert_non_null(strstr(a.body, dead));
    rec_finish(r);
    mk_cassette *cas = load(out);
    assert_int_equal(cas->count, 0);
    mk_cassette_free(cas);
    reply_free(&a);
}

/* An upstream that drops the connection mid-stream: the client's stream is
 * cut the same way and the cassette says so (close: true). */
static void test_upstream_cut(void **state)
{
    (void)state;
    char out[512];
    tmp_path(out, sizeof out, "cut.json");
    pthread_mutex_lock(&up.mu);
    up.client_bytes = 0;
    pthread_mutex_unlock(&up.mu);
    mk_record *r = rec_start(up.url, out, MK_RECORD_MODE_ALL);
    assert_non_null(r);
    reply a;
    get(mk_record_url(r), "GET", "/v1/sse/cut", NULL, NULL, &a, 1);
    assert_int_equal(a.status, 200);
    assert_int_not_equal(a.curl_rc, 0); /* the chunked body never ended */
    assert_string_equal(a.body, up_sse_pieces[0]);
    rec_finish(r);
    mk_cassette *cas = load(out);
    const mk_response *resp = &cas->interactions[0].response;
    assert_true(resp->streamed);
    assert_true(resp->close);
    assert_int_equal(resp->chunk_count, 1);
    mk_cassette_free(cas);
    reply_free(&a);
}

/* An upstream that says nothing for longer than the idle timeout is a 502
 * naming it, well before the client's own timeout. */
static void test_upstream_timeout(void **state)
{
    (void)state;
    char out[512];
    tmp_path(out, sizeof out, "timeout.json");
    mk_record_options o;
    mk_record_options_init(&o);
    o.upstream = up.url;
    o.out = out;
    o.mode = MK_RECORD_MODE_ALL;
    o.quiet = 1;
    o.idle_timeout_ms = 1000;
    mk_record *r = NULL;
    mk_diag d;
    assert_int_equal(mk_record_new(&o, &r, &d), MK_RECORD_OK);
    reply a;
    get(mk_record_url(r), "GET", "/v1/hang", NULL, NULL, &a, 0);
    upstream_release(&up);
    assert_int_equal(a.curl_rc, 0);
    assert_int_equal(a.status, 502);
    assert_non_null(strstr(a.body, up.url));
    assert_non_null(strstr(a.body, "timed out"));
    rec_finish(r);
    reply_free(&a);
}

/* Re-recording a shipped session (served by the replay engine with its
 * service profile) through the proxy gives a cassette that diff finds
 * compatible with the original: the whole record -> diff loop agrees. */
static void test_rerecord_fixture_is_compatible(void **state)
{
    (void)state;
    char out[512], fixture[512];
    tmp_path(out, sizeof out, "rerecord.json");
    snprintf(fixture, sizeof fixture, "%s/openai/chat-hello.json", MOCKKIT_FIXTURES_DIR);
    mk_mock_options mo;
    mk_mock_options_init(&mo);
    mo.service = "openai";
    mo.speed = 0;
    mo.quiet = 1;
    const char *paths[] = {fixture};
    mk_mock *m = NULL;
    mk_diag d;
    assert_int_equal(mk_mock_new(&mo, paths, 1, &m, &d), MK_MOCK_OK);
    char upstream_url[300];
    snprintf(upstream_url, sizeof upstream_url, "%s", mk_mock_url(m));

    mk_record *r = rec_start(upstream_url, out, MK_RECORD_MODE_ALL);
    assert_non_null(r);
    const char *hdrs[] = {"Content-Type: application/json", "Accept: application/json",
                          "Authorization: Bearer sk-proj-testkey", NULL};
    static const char *const bodies[] = {
        "{\"model\":\"gpt-4\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello, how are you?\"}]}",
        "{\"model\":\"gpt-4\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello, how are you?\"}],"
        "\"stream\":true}",
        "{\"model\":\"gpt-4\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello, how are you?\"}],"
        "\"stream\":true,\"stream_options\":{\"include_usage\":true}}"};
    for (size_t i = 0; i < 3; i++) {
        reply a;
        get(mk_record_url(r), "POST", "/v1/chat/completions", hdrs, bodies[i], &a, 0);
        assert_int_equal(a.status, 200);
        reply_free(&a);
    }
    rec_finish(r);
    mk_mock_free(m);

    size_t len;
    char *text = suite_read_file(out, &len);
    assert_non_null(text);
    assert_null(strstr(text, "sk-proj-testkey"));
    free(text);

    mk_diff_options o;
    mk_diff_options_init(&o);
    o.timing_min_ms = 1000000; /* replayed at speed 0: timing is not the question */
    mk_diff_result *res = NULL;
    assert_int_equal(mk_diff_files(fixture, out, &o, &res, &d), MK_CASSETTE_OK);
    for (size_t i = 0; i < res->count; i++) {
        char line[1400];
        print_error("%s\n", mk_diff_format(&res->items[i], line, sizeof line));
    }
    assert_int_equal(res->count, 0);
    mk_diff_result_free(res);
}

/* A path with an encoded space is stored decoded and replays; one whose
 * decoded path holds '?' (%3F) cannot be a cassette path: it is left out
 * and the rest of the session is still written. */
static void test_encoded_paths(void **state)
{
    (void)state;
    char out[512];
    tmp_path(out, sizeof out, "encoded.json");
    mk_record *r = rec_start(up.url, out, MK_RECORD_MODE_ALL);
    assert_non_null(r);
    reply a, b;
    get(mk_record_url(r), "GET", "/v1/files/my%20file.txt", NULL, NULL, &a, 0);
    get(mk_record_url(r), "GET", "/v1/a%3Fb", NULL, NULL, &b, 0);
    assert_int_equal(a.status, 200);
    assert_string_equal(a.body, "{\"object\":\"file\",\"name\":\"my file.txt\"}");
    assert_int_equal(b.status, 404); /* the client was still answered */
    rec_finish(r);

    mk_cassette *cas = load(out);
    assert_int_equal(cas->count, 1);
    assert_string_equal(cas->interactions[0].request.path, "/v1/files/my file.txt");
    mk_cassette_free(cas);

    mk_mock *m = replay(out);
    reply ra;
    get(mk_mock_url(m), "GET", "/v1/files/my%20file.txt", NULL, NULL, &ra, 0);
    assert_int_equal(ra.status, 200);
    assert_int_equal(ra.len, a.len);
    assert_memory_equal(ra.body, a.body, a.len);
    mk_mock_free(m);
    reply_free(&a);
    reply_free(&b);
    reply_free(&ra);
}

/* A POST without a body or a content type reaches the upstream as sent:
 * libcurl's form default (application/x-www-form-urlencoded) must not be
 * added, since services such as Bee refuse that type on a bodyless call. */
static void test_bodyless_post_gains_no_content_type(void **state)
{
    (void)state;
    char out[512];
    tmp_path(out, sizeof out, "bodyless.json");
    mk_record *r = rec_start(up.url, out, MK_RECORD_MODE_ALL);
    assert_non_null(r);
    reply a;
    get(mk_record_url(r), "POST", "/v1/echo", NULL, NULL, &a, 0);
    assert_int_equal(a.status, 200);
    /* /v1/echo answers with the content type it received, text/plain for none */
    if (!strstr(a.headers, "Content-Type: text/plain"))
        print_error("headers: %s\n", a.headers);
    assert_non_null(strstr(a.headers, "Content-Type: text/plain"));
    assert_null(strstr(a.headers, "x-www-form-urlencoded"));
    reply_free(&a);
    rec_finish(r);
}

/* Stopping a recorder that saw no request writes a valid, empty cassette
 * (docs/recording.md), and in sanitized builds does not trip on it. */
static void test_stop_without_requests(void **state)
{
    (void)state;
    char out[512];
    tmp_path(out, sizeof out, "empty.json");
    mk_record *r = rec_start(up.url, out, MK_RECORD_MODE_ALL);
    assert_non_null(r);
    assert_int_equal(mk_record_count(r), 0);
    rec_finish(r);
    mk_cassette *cas = load(out);
    assert_int_equal(cas->count, 0);
    assert_string_equal(cas->meta.source.kind, "recorded");
    mk_cassette_free(cas);
}

/* docs/recording.md: placeholders are stable so that a replayed request
 * carrying the real values still matches (the engine matches a recorded
 * "<REDACTED...>" against any value). */
static void test_redacted_request_replays_with_real_values(void **state)
{
    (void)state;
    char out[512];
    tmp_path(out, sizeof out, "redact-replay.json");
    mk_record *r = rec_start(up.url, out, MK_RECORD_MODE_ALL);
    assert_non_null(r);
    const char *json_hdr[] = {"Content-Type: application/json", NULL};
    const char *form_hdr[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    const char *json_body = "{\"user\":\"bob\",\"password\":\"PLANTEDJSONPASS1\"}";
    const char *form_body = "user=bob&password=PLANTEDFORMPASS3&keep=1";
    reply a, b;
    get(mk_record_url(r), "POST", "/v1/echo", json_hdr, json_body, &a, 0);
    get(mk_record_url(r), "POST", "/v1/echo", form_hdr, form_body, &b, 0);
    assert_int_equal(a.status, 200);
    assert_int_equal(b.status, 200);
    rec_finish(r);

    size_t len;
    char *text = suite_read_file(out, &len);
    assert_non_null(text);
    assert_null(strstr(text, "PLANTEDJSONPASS1"));
    assert_null(strstr(text, "PLANTEDFORMPASS3"));
    free(text);

    /* The integration sends its real secrets again: each finds its own
     * recorded interaction. */
    mk_mock *m = replay(out);
    reply ra, rb;
    get(mk_mock_url(m), "POST", "/v1/echo", json_hdr, json_body, &ra, 0);
    get(mk_mock_url(m), "POST", "/v1/echo", form_hdr, form_body, &rb, 0);
    if (ra.status != 200 || rb.status != 200)
        print_error("replay: json %ld %s\nform %ld %s\n", ra.status, ra.body, rb.status, rb.body);
    assert_int_equal(ra.status, 200);
    assert_int_equal(rb.status, 200);
    assert_non_null(strstr(ra.body, "\"user\":\"bob\""));
    assert_non_null(strstr(ra.body, "<REDACTED:password>"));
    assert_non_null(strstr(rb.body, "keep=1"));
    assert_non_null(strstr(rb.body, "password=<REDACTED:password>"));
    mk_mock_free(m);
    reply_free(&a);
    reply_free(&b);
    reply_free(&ra);
    reply_free(&rb);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http_roundtrip),
        cmocka_unit_test(test_sse_gaps_roundtrip),
        cmocka_unit_test(test_sse_burst_concatenation),
        cmocka_unit_test(test_after_across_connections),
        cmocka_unit_test(test_ws_record),
        cmocka_unit_test(test_ws_replay),
        cmocka_unit_test(test_redaction),
        cmocka_unit_test(test_ws_redaction),
        cmocka_unit_test(test_scan_refuses_leak),
        cmocka_unit_test(test_upstream_refused),
        cmocka_unit_test(test_upstream_cut),
        cmocka_unit_test(test_upstream_timeout),
        cmocka_unit_test(test_rerecord_fixture_is_compatible),
        cmocka_unit_test(test_encoded_paths),
        cmocka_unit_test(test_stop_without_requests),
        cmocka_unit_test(test_bodyless_post_gains_no_content_type),
        cmocka_unit_test(test_redacted_request_replays_with_real_values),
    };
    return SUITE_RUN(argc, argv, tests, group_setup, group_teardown);
}
