/* test_record.c: `record` with an https upstream (a TLS server made in the
 * test): plain answers recorded and replayed byte for byte, SSE passed on
 * incrementally, a websocket session both ways over wss, and certificate
 * failures answered with a 502 that names the upstream URL and the reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "mockkit/client.h"
#include "mockkit/mock.h"
#include "mockkit/record.h"
#include "suite.h"
#include "tls_env.h"

static tls_certs certs;
static tls_upstream good, rogue, wrongname;

static int start(tls_upstream *u, const char *name)
{
    char both[320], file[64];
    snprintf(file, sizeof file, "%s-both.pem", name);
    return tls_upstream_start(u, tls_cert_file(&certs, file, both, sizeof both));
}

static int group_teardown(void **state);

static int group_setup(void **state)
{
    (void)state;
    unsetenv("MOCKKIT_CACERT");
    unsetenv("MOCKKIT_INSECURE");
    if (tls_certs_make(&certs) != 0)
        return -1;
    if (start(&good, "server") || start(&rogue, "rogue") || start(&wrongname, "wrongname")) {
        group_teardown(state); /* nothing left behind */
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    tls_upstream_stop(&good);
    tls_upstream_stop(&rogue);
    tls_upstream_stop(&wrongname);
    tls_certs_remove(&certs);
    return 0;
}

static mk_record *rec_start(const char *upstream, const char *out, const char *cacert,
                            int insecure)
{
    mk_record_options o;
    mk_record_options_init(&o);
    o.upstream = upstream;
    o.out = out;
    o.mode = MK_RECORD_MODE_ALL;
    o.quiet = 1;
    o.cacert = cacert;
    o.insecure = insecure;
    mk_record *r = NULL;
    mk_diag d;
    int rc = mk_record_new(&o, &r, &d);
    if (rc != MK_RECORD_OK) {
        char msg[1200];
        print_error("mk_record_new: %s\n", mk_diag_format(&d, msg, sizeof msg));
    }
    assert_int_equal(rc, MK_RECORD_OK);
    return r;
}

static void rec_stop(mk_record *r)
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

static void out_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", certs.dir, name);
    remove(buf);
}

static mkc_response *get(const char *base, const char *method, const char *path, const char *body)
{
    mkc_http *h = mkc_http_new(base);
    mkc_response *r = NULL;
    mkc_error err = {0};
    int rc = mkc_http_request(h, method, path, NULL, body ? "application/json" : NULL, body,
                              body ? strlen(body) : 0, &r, &err);
    if (rc != MKC_OK)
        print_error("%s\n", err.message);
    assert_int_equal(rc, MKC_OK);
    mkc_http_free(h);
    return r;
}

static cJSON *load_json(const char *path)
{
    size_t len = 0;
    char *text = suite_read_file(path, &len);
    assert_non_null(text);
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    assert_non_null(root);
    return root;
}

static void test_https_recorded_and_replayed_byte_exact(void **state)
{
    (void)state;
    char out[400];
    out_path(out, sizeof out, "https.json");
    mk_record *r = rec_start(good.url, out, certs.ca, 0);
    static const char item[] = "{\"id\":\"item_1\",\"object\":\"item\"}";
    static const char sent[] = "{\"a\": [1, 2],\n \"b\": \"\\u00e9\"}";
    mkc_response *a = get(mk_record_url(r), "GET", "/v1/items/1", NULL);
    assert_int_equal(a->status, 200);
    assert_string_equal(a->body, item);
    assert_string_equal(mkc_response_header(a, "X-Upstream"), "tls");
    mkc_response *b = get(mk_record_url(r), "POST", "/v1/echo", sent);
    assert_int_equal(b->status, 200);
    assert_memory_equal(b->body, sent, sizeof sent - 1);
    mkc_response_free(a);
    mkc_response_free(b);
    rec_stop(r);

    cJSON *root = load_json(out);
    cJSON *src = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "meta"), "source");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(src, "url")), good.url);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "interactions")), 2);
    cJSON_Delete(root);

    /* Replay: the same bytes as the TLS upstream sent. */
    mk_mock_options mo;
    mk_mock_options_init(&mo);
    mo.speed = 0;
    mo.quiet = 1;
    const char *paths[] = {out};
    mk_mock *m = NULL;
    mk_diag d;
    assert_int_equal(mk_mock_new(&mo, paths, 1, &m, &d), MK_MOCK_OK);
    a = get(mk_mock_url(m), "GET", "/v1/items/1", NULL);
    b = get(mk_mock_url(m), "POST", "/v1/echo", sent);
    assert_int_equal(a->status, 200);
    assert_int_equal(a->body_len, sizeof item - 1);
    assert_memory_equal(a->body, item, sizeof item - 1);
    assert_int_equal(b->body_len, sizeof sent - 1);
    assert_memory_equal(b->body, sent, sizeof sent - 1);
    mkc_response_free(a);
    mkc_response_free(b);
    mk_mock_free(m);
}

typedef struct seen {
    int events;
} seen;

static int on_event(void *user, const mkc_sse_event *ev)
{
    (void)ev;
    ((seen *)user)->events++;
    tls_upstream_client_event(&good);  /* lets the upstream write the next piece */
    return 0;
}

/* The upstream writes each piece only once the client, behind the proxy,
 * has parsed the events before it: a buffering hop would stall it. */
static void test_sse_over_https_upstream_is_incremental(void **state)
{
    (void)state;
    char out[400];
    out_path(out, sizeof out, "sse.json");
    mk_record *r = rec_start(good.url, out, certs.ca, 0);
    mkc_http *h = mkc_http_new(mk_record_url(r));
    seen s = {0};
    mkc_sse_options o = {.idle_timeout_ms = 10000};
    mkc_error err = {0};
    int before = tls_upstream_gate_timeouts(&good);
    int rc = mkc_sse_stream(h, "/v1/sse", &o, on_event, &s, NULL, &err);
    if (rc != MKC_OK)
        print_error("%s\n", err.message);
    assert_int_equal(rc, MKC_OK);
    assert_int_equal(s.events, 4);
    assert_int_equal(tls_upstream_gate_timeouts(&good), before);
    mkc_http_free(h);
    rec_stop(r);

    /* Recorded as the pieces the upstream wrote, in order. */
    cJSON *root = load_json(out);
    cJSON *ix = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "interactions"), 0);
    cJSON *chunks = cJSON_GetObjectItem(cJSON_GetObjectItem(ix, "response"), "chunks");
    assert_true(cJSON_GetArraySize(chunks) >= 2);
    size_t total = 0, want = 0;
    cJSON *c;
    cJSON_ArrayForEach(c, chunks)
    {
        const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(c, "text"));
        assert_non_null(t);
        total += strlen(t);
    }
    for (size_t i = 0; i < tls_sse_piece_count; i++)
        want += strlen(tls_sse_pieces[i]);
    assert_int_equal(total, want);
    cJSON_Delete(root);
}

static void on_message(void *user, mkc_ws_opcode op, const char *data, size_t len)
{
    mkc_queue_push(user, (int)op, data, len);
}

static void expect_text(mkc_queue *q, const char *want)
{
    int kind;
    char *data = NULL;
    size_t len;
    assert_int_equal(mkc_queue_pop(q, 5000, &kind, &data, &len), MKC_OK);
    assert_int_equal(kind, MKC_WS_TEXT);
    assert_string_equal(data, want);
    free(data);
}

/* Client ws:// to the recorder, recorder wss:// to the upstream. */
static void test_websocket_to_wss_upstream_both_ways(void **state)
{
    (void)state;
    char out[400], url[128];
    out_path(out, sizeof out, "wss.json");
    mk_record *r = rec_start(good.url, out, certs.ca, 0);
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/ws/echo", mk_record_port(r));
    mkc_queue *q = mkc_queue_new();
    mkc_ws_callbacks cb = {.on_message = on_message, .user = q};
    mkc_ws *ws = NULL;
    mkc_error err = {0};
    int rc = mkc_ws_connect(url, &cb, &ws, &err);
    if (rc != MKC_OK)
        print_error("%s\n", err.message);
    assert_int_equal(rc, MKC_OK);
    expect_text(q, "{\"hello\":\"wss\"}");
    assert_int_equal(mkc_ws_send_text(ws, "through tls"), MKC_OK);
    expect_text(q, "{\"echo\":\"through tls\"}");
    mkc_ws_close(ws, 1000, "");
    mkc_ws_free(ws);
    mkc_queue_free(q);
    rec_stop(r);

    cJSON *root = load_json(out);
    cJSON *ix = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "interactions"), 0);
    cJSON *frames = cJSON_GetObjectItem(cJSON_GetObjectItem(ix, "websocket"), "frames");
    assert_non_null(frames);
    int from_client = 0, echo = 0;
    cJSON *f;
    cJSON_ArrayForEach(f, frames)
    {
        const char *from = cJSON_GetStringValue(cJSON_GetObjectItem(f, "from"));
        const char *text = cJSON_GetStringValue(cJSON_GetObjectItem(f, "text"));
        cJSON *js = cJSON_GetObjectItem(f, "json");
        from_client += from && !strcmp(from, "client") && text && !strcmp(text, "through tls");
        echo += from && !strcmp(from, "server") && js &&
                cJSON_GetObjectItem(js, "echo") &&
                !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(js, "echo")), "through tls");
    }
    assert_int_equal(from_client, 1);
    assert_int_equal(echo, 1);
    cJSON_Delete(root);
}

/* A 502 from the recorder naming the upstream URL and the TLS reason, and
 * a refused upgrade for websockets (CivetWeb alone would have let the
 * wrong name through). */
static void test_bad_upstream_certificates_are_refused_with_reason(void **state)
{
    (void)state;
    struct {
        tls_upstream *u;
        const char *reason;
    } cases[] = {{&rogue, "unknown CA"}, {&wrongname, "host name mismatch"}};
    for (size_t i = 0; i < 2; i++) {
        char out[400], url[128];
        out_path(out, sizeof out, "refused.json");
        mk_record *r = rec_start(cases[i].u->url, out, certs.ca, 0);
        mkc_response *a = get(mk_record_url(r), "GET", "/v1/items/1", NULL);
        assert_int_equal(a->status, 502);
        if (!strstr(a->body, cases[i].u->url) || !strstr(a->body, cases[i].reason))
            print_error("502 body: %s\n", a->body);
        assert_non_null(strstr(a->body, cases[i].u->url));
        assert_non_null(strstr(a->body, cases[i].reason));
        mkc_response_free(a);
        snprintf(url, sizeof url, "ws://127.0.0.1:%d/ws/echo", mk_record_port(r));
        mkc_ws *ws = NULL;
        mkc_error err = {0};
        assert_int_not_equal(mkc_ws_connect(url, NULL, &ws, &err), MKC_OK);
        assert_null(ws);
        rec_stop(r);
    }
}

static void test_insecure_upstream_accepted(void **state)
{
    (void)state;
    char out[400];
    out_path(out, sizeof out, "insecure.json");
    mk_record *r = rec_start(rogue.url, out, NULL, 1);
    mkc_response *a = get(mk_record_url(r), "GET", "/v1/items/1", NULL);
    assert_int_equal(a->status, 200);
    mkc_response_free(a);
    char url[128];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/ws/echo", mk_record_port(r));
    mkc_queue *q = mkc_queue_new();
    mkc_ws_callbacks cb = {.on_message = on_message, .user = q};
    mkc_ws *ws = NULL;
    mkc_error err = {0};
    assert_int_equal(mkc_ws_connect(url, &cb, &ws, &err), MKC_OK);
    expect_text(q, "{\"hello\":\"wss\"}");
    mkc_ws_free(ws);
    mkc_queue_free(q);
    rec_stop(r);
}

static void test_unreadable_cacert_refused_at_start(void **state)
{
    (void)state;
    char out[400];
    out_path(out, sizeof out, "never.json");
    mk_record_options o;
    mk_record_options_init(&o);
    o.upstream = good.url;
    o.out = out;
    o.quiet = 1;
    o.cacert = "/nonexistent/ca.pem";
    mk_record *r = NULL;
    mk_diag d;
    assert_int_equal(mk_record_new(&o, &r, &d), MK_RECORD_EINVAL);
    assert_null(r);
    assert_non_null(strstr(d.message, "/nonexistent/ca.pem"));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_https_recorded_and_replayed_byte_exact),
        cmocka_unit_test(test_sse_over_https_upstream_is_incremental),
        cmocka_unit_test(test_websocket_to_wss_upstream_both_ways),
        cmocka_unit_test(test_bad_upstream_certificates_are_refused_with_reason),
        cmocka_unit_test(test_insecure_upstream_accepted),
        cmocka_unit_test(test_unreadable_cacert_refused_at_start),
    };
    return SUITE_RUN(argc, argv, tests, group_setup, group_teardown);
}
