/* test_client.c: the client core over TLS against a real TLS server made
 * here: https, SSE and wss verified with a CA file, refused with the reason
 * (unknown CA, host name mismatch, expired) for each bad certificate,
 * accepted with insecure, and the env defaults. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <civetweb.h>

#include "mockkit/client.h"
#include "mockkit/mock.h"
#include "suite.h"
#include "tls_env.h"

static tls_certs certs;
static tls_upstream good, rogue, wrongname, expired;

static int start(tls_upstream *u, const char *name)
{
    char both[320];
    char file[64];
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
    if (start(&good, "server") || start(&rogue, "rogue") || start(&wrongname, "wrongname") ||
           start(&expired, "expired")) {
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
    tls_upstream_stop(&expired);
    tls_certs_remove(&certs);
    return 0;
}

/* GET base/v1/items/1 with these settings: the call's status. */
static int get_item(const char *base, const mkc_tls *tls, mkc_response **out, mkc_error *err)
{
    mkc_http *h = mkc_http_new(base);
    assert_non_null(h);
    if (tls)
        assert_int_equal(mkc_http_set_tls(h, tls), MKC_OK);
    int rc = mkc_http_request(h, "GET", "/v1/items/1", NULL, NULL, NULL, 0, out, err);
    mkc_http_free(h);
    return rc;
}

static void test_https_with_cacert(void **state)
{
    (void)state;
    mkc_tls tls = {.cacert = certs.ca};
    mkc_response *r = NULL;
    mkc_error err = {0};
    assert_int_equal(get_item(good.url, &tls, &r, &err), MKC_OK);
    assert_int_equal(r->status, 200);
    assert_string_equal(r->body, "{\"id\":\"item_1\",\"object\":\"item\"}");
    mkc_response_free(r);
}

/* The failure a user sees: MKC_ETLS, the URL and the reason in words. */
static void assert_refused(int rc, const mkc_error *err, const char *url, const char *reason)
{
    if (rc != MKC_ETLS || !strstr(err->message, url) || !strstr(err->message, reason))
        print_error("got %s: %s\n", mkc_errname(rc), err->message);
    assert_int_equal(rc, MKC_ETLS);
    assert_non_null(strstr(err->message, url));
    assert_non_null(strstr(err->message, reason));
}

static void test_https_refusals_say_why(void **state)
{
    (void)state;
    mkc_tls tls = {.cacert = certs.ca};
    struct {
        tls_upstream *u;
        const char *reason;
    } cases[] = {{&rogue, "unknown CA"}, {&wrongname, "host name mismatch"},
                 {&expired, "certificate expired"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mkc_response *r = NULL;
        mkc_error err = {0};
        int rc = get_item(cases[i].u->url, &tls, &r, &err);
        assert_null(r);
        assert_refused(rc, &err, cases[i].u->url, cases[i].reason);
        mkc_error_clear(&err);
    }
}

/* Without --cacert the system store decides, and it does not know the test CA. */
static void test_system_store_is_the_default(void **state)
{
    (void)state;
    mkc_response *r = NULL;
    mkc_error err = {0};
    assert_refused(get_item(good.url, NULL, &r, &err), &err, good.url, "unknown CA");
}

static void test_insecure_accepts_any_certificate(void **state)
{
    (void)state;
    mkc_tls tls = {.insecure = 1};
    tls_upstream *any[] = {&rogue, &wrongname, &expired};
    for (size_t i = 0; i < 3; i++) {
        mkc_response *r = NULL;
        mkc_error err = {0};
        assert_int_equal(get_item(any[i]->url, &tls, &r, &err), MKC_OK);
        assert_int_equal(r->status, 200);
        mkc_response_free(r);
    }
}

/* MOCKKIT_CACERT / MOCKKIT_INSECURE are what `check --cacert/--insecure` set. */
static void test_env_defaults(void **state)
{
    (void)state;
    mkc_response *r = NULL;
    mkc_error err = {0};
    setenv("MOCKKIT_CACERT", certs.ca, 1);
    int rc = get_item(good.url, NULL, &r, &err);
    int rogue_rc = get_item(rogue.url, NULL, NULL, &err);
    unsetenv("MOCKKIT_CACERT");
    assert_int_equal(rc, MKC_OK);
    mkc_response_free(r);
    assert_int_equal(rogue_rc, MKC_EINVAL);  /* out NULL: nothing sent */
    r = NULL;
    setenv("MOCKKIT_INSECURE", "1", 1);
    rc = get_item(rogue.url, NULL, &r, &err);
    unsetenv("MOCKKIT_INSECURE");
    assert_int_equal(rc, MKC_OK);
    mkc_response_free(r);
}

typedef struct sse_seen {
    tls_upstream *u;
    int events;
    char last[64];
} sse_seen;

static int on_event(void *user, const mkc_sse_event *ev)
{
    sse_seen *s = user;
    s->events++;
    snprintf(s->last, sizeof s->last, "%.*s", (int)ev->type_len, ev->type);
    tls_upstream_client_event(s->u);  /* lets the server write the next piece */
    return 0;
}

/* Each piece is written only after the client parsed the events before it:
 * a client that buffered the TLS stream would stall the server. */
static void test_sse_over_https_is_incremental(void **state)
{
    (void)state;
    mkc_http *h = mkc_http_new(good.url);
    mkc_tls tls = {.cacert = certs.ca};
    assert_int_equal(mkc_http_set_tls(h, &tls), MKC_OK);
    sse_seen s = {.u = &good};
    mkc_sse_options o = {.idle_timeout_ms = 10000};
    mkc_error err = {0};
    int before = tls_upstream_gate_timeouts(&good);
    int rc = mkc_sse_stream(h, "/v1/sse", &o, on_event, &s, NULL, &err);
    if (rc != MKC_OK)
        print_error("%s\n", err.message);
    assert_int_equal(rc, MKC_OK);
    assert_int_equal(s.events, 4);
    assert_string_equal(s.last, "done");
    assert_int_equal(tls_upstream_gate_timeouts(&good), before);
    mkc_error_clear(&err);
    mkc_http_free(h);
}

static void test_sse_refused_with_reason(void **state)
{
    (void)state;
    mkc_http *h = mkc_http_new(wrongname.url);
    mkc_tls tls = {.cacert = certs.ca};
    assert_int_equal(mkc_http_set_tls(h, &tls), MKC_OK);
    sse_seen s = {.u = &wrongname};
    mkc_error err = {0};
    int rc = mkc_sse_stream(h, "/v1/sse/burst", NULL, on_event, &s, NULL, &err);
    assert_refused(rc, &err, wrongname.url, "host name mismatch");
    assert_int_equal(s.events, 0);
    mkc_http_free(h);
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

static void wss_url(const tls_upstream *u, char *buf, size_t size)
{
    snprintf(buf, size, "wss://127.0.0.1:%d/ws/echo", u->port);
}

static void test_wss_both_ways(void **state)
{
    (void)state;
    char url[128];
    wss_url(&good, url, sizeof url);
    mkc_queue *q = mkc_queue_new();
    mkc_ws_callbacks cb = {.on_message = on_message, .user = q};
    mkc_tls tls = {.cacert = certs.ca};
    mkc_ws *ws = NULL;
    mkc_error err = {0};
    int rc = mkc_ws_connect_tls(url, &cb, &tls, &ws, &err);
    if (rc != MKC_OK)
        print_error("%s\n", err.message);
    assert_int_equal(rc, MKC_OK);
    expect_text(q, "{\"hello\":\"wss\"}");
    assert_int_equal(mkc_ws_send_text(ws, "ping over tls"), MKC_OK);
    expect_text(q, "{\"echo\":\"ping over tls\"}");
    assert_int_equal(mkc_ws_close(ws, 1000, ""), MKC_OK);
    mkc_ws_free(ws);
    mkc_queue_free(q);
}

/* The name mismatch case is the one CivetWeb's client alone would let through. */
static void test_wss_refusals_say_why(void **state)
{
    (void)state;
    mkc_tls tls = {.cacert = certs.ca};
    struct {
        tls_upstream *u;
        const char *reason;
    } cases[] = {{&rogue, "unknown CA"}, {&wrongname, "host name mismatch"},
                 {&expired, "certificate expired"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char url[128];
        wss_url(cases[i].u, url, sizeof url);
        mkc_ws *ws = NULL;
        mkc_error err = {0};
        int rc = mkc_ws_connect_tls(url, NULL, &tls, &ws, &err);
        assert_null(ws);
        assert_refused(rc, &err, url, cases[i].reason);
    }
}

static void test_wss_insecure_and_env(void **state)
{
    (void)state;
    char url[128];
    wss_url(&rogue, url, sizeof url);
    mkc_tls tls = {.insecure = 1};
    mkc_queue *q = mkc_queue_new();
    mkc_ws_callbacks cb = {.on_message = on_message, .user = q};
    mkc_ws *ws = NULL;
    mkc_error err = {0};
    assert_int_equal(mkc_ws_connect_tls(url, &cb, &tls, &ws, &err), MKC_OK);
    expect_text(q, "{\"hello\":\"wss\"}");
    mkc_ws_free(ws);
    ws = NULL;
    /* mkc_ws_connect: env defaults. */
    wss_url(&good, url, sizeof url);
    setenv("MOCKKIT_CACERT", certs.ca, 1);
    int rc = mkc_ws_connect(url, &cb, &ws, &err);
    unsetenv("MOCKKIT_CACERT");
    assert_int_equal(rc, MKC_OK);
    expect_text(q, "{\"hello\":\"wss\"}");
    mkc_ws_free(ws);
    mkc_queue_free(q);
}

/* The embedded mock with tls_cert: an https:// URL that mkc reaches with the
 * test CA; a certificate file that is not there is refused by name. */
static void test_embedded_mock_listens_with_tls(void **state)
{
    (void)state;
    mk_mock_options o;
    mk_mock_options_init(&o);
    o.speed = 0;
    o.quiet = 1;
    o.tls_cert = certs.server;
    o.tls_key = certs.server_key;
    mk_mock *m = NULL;
    mk_diag d;
    assert_int_equal(mk_mock_new(&o, NULL, 0, &m, &d), MK_MOCK_OK);
    assert_int_equal(strncmp(mk_mock_url(m), "https://127.0.0.1:", 18), 0);
    mkc_http *h = mkc_http_new(mk_mock_url(m));
    mkc_tls tls = {.cacert = certs.ca};
    mkc_http_set_tls(h, &tls);
    mkc_response *r = NULL;
    mkc_error err = {0};
    assert_int_equal(mkc_http_request(h, "GET", "/__mockkit/requests", NULL, NULL, NULL, 0, &r,
                                      &err),
                     MKC_OK);
    assert_int_equal(r->status, 200);
    mkc_response_free(r);
    mkc_http_free(h);
    mk_mock_free(m);

    o.tls_cert = "/nonexistent/cert.pem";
    o.tls_key = NULL;
    m = NULL;
    assert_int_equal(mk_mock_new(&o, NULL, 0, &m, &d), MK_MOCK_EBIND);
    assert_null(m);
    if (!strstr(d.message, "/nonexistent/cert.pem"))
        print_error("%s\n", d.message);
    assert_non_null(strstr(d.message, "cannot load TLS certificate /nonexistent/cert.pem"));
}

static void test_reason_texts(void **state)
{
    (void)state;
    /* OpenSSL's verify strings as libcurl quotes them. */
    assert_string_equal(mkc_tls_reason("SSL certificate problem: unable to get local issuer "
                                       "certificate"), "unknown CA");
    assert_string_equal(mkc_tls_reason("SSL certificate problem: self-signed certificate"),
                        "unknown CA");
    assert_string_equal(mkc_tls_reason("SSL certificate problem: certificate has expired"),
                        "certificate expired");
    assert_string_equal(mkc_tls_reason("SSL: no alternative certificate subject name matches "
                                       "target host name '127.0.0.1'"), "host name mismatch");
    assert_string_equal(mkc_tls_reason("OpenSSL SSL_connect: SSL_ERROR_SYSCALL"),
                        "handshake failed");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_https_with_cacert),
        cmocka_unit_test(test_https_refusals_say_why),
        cmocka_unit_test(test_system_store_is_the_default),
        cmocka_unit_test(test_insecure_accepts_any_certificate),
        cmocka_unit_test(test_env_defaults),
        cmocka_unit_test(test_sse_over_https_is_incremental),
        cmocka_unit_test(test_sse_refused_with_reason),
        cmocka_unit_test(test_wss_both_ways),
        cmocka_unit_test(test_wss_refusals_say_why),
        cmocka_unit_test(test_wss_insecure_and_env),
        cmocka_unit_test(test_embedded_mock_listens_with_tls),
        cmocka_unit_test(test_reason_texts),
    };
    return SUITE_RUN(argc, argv, tests, group_setup, group_teardown);
}
