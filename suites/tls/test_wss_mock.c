/* test_wss_mock.c: websockets over wss:// against the embedded mock with
 * tls_cert. The mock's own frame reader reads the raw socket, so TLS
 * upgrades go to CivetWeb's reader (mocks/server/ws.c); these prove that
 * path replays both ways, answers the recorded close, and still closes
 * 1009 past max_frame. Also: a TLS client that abandons a parked stream
 * (close_notify, then FIN) gives its connection slot back. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mockkit/client.h"
#include "mockkit/mock.h"
#include "suite.h"
#include "tls_env.h"

#define ROUNDTRIP MOCKKIT_SOURCE_DIR "/suites/core/cassettes/roundtrip.json"
#define CAIROS MOCKKIT_FIXTURES_DIR "/cairos"
#define CAIROS_COOKIE "Outseta.nocode.accessToken=t; cairos_session=s"

static tls_certs certs;

static int group_setup(void **state)
{
    (void)state;
    unsetenv("MOCKKIT_CACERT");
    unsetenv("MOCKKIT_INSECURE");
    return tls_certs_make(&certs);
}

static int group_teardown(void **state)
{
    (void)state;
    tls_certs_remove(&certs);
    return 0;
}

typedef struct seen {
    mkc_queue *q;
} seen;

static void on_message(void *user, mkc_ws_opcode op, const char *data, size_t len)
{
    mkc_queue_push(((seen *)user)->q, (int)op, data, len);
}

/* The close code as a queue entry: mkc_ws_wait_closed may return before
 * on_close has run. */
static void on_close(void *user, int code, const char *reason)
{
    char text[16];
    (void)reason;
    snprintf(text, sizeof text, "%d", code);
    mkc_queue_push(((seen *)user)->q, MKC_WS_CLOSE, text, strlen(text));
}

/* The close code the client saw (messages before it are skipped), or -1. */
static int close_code(mkc_queue *q)
{
    for (int i = 0; i < 16; i++) {
        int kind, code;
        char *data = NULL;
        size_t len;
        if (mkc_queue_pop(q, 5000, &kind, &data, &len) != MKC_OK)
            return -1;
        code = kind == MKC_WS_CLOSE ? atoi(data) : 0;
        free(data);
        if (kind == MKC_WS_CLOSE)
            return code;
    }
    return -1;
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

/* The roundtrip cassette's mock, listening with TLS. */
static mk_mock *tls_mock(size_t max_frame)
{
    const char *paths[] = {ROUNDTRIP};
    mk_mock_options o;
    mk_mock_options_init(&o);
    o.speed = 0;
    o.quiet = 1;
    o.tls_cert = certs.server;
    o.tls_key = certs.server_key;
    o.max_frame = max_frame;
    mk_mock *m = NULL;
    mk_diag d;
    int rc = mk_mock_new(&o, paths, 1, &m, &d);
    if (rc != MK_MOCK_OK)
        print_error("%s\n", d.message);
    assert_int_equal(rc, MK_MOCK_OK);
    return m;
}

static mkc_ws *open_chat(mk_mock *m, seen *s)
{
    char url[160];
    const char *base = mk_mock_url(m);
    assert_int_equal(strncmp(base, "https://", 8), 0);
    snprintf(url, sizeof url, "wss://%s/ws/chat", base + 8);
    mkc_ws_callbacks cb = {.on_message = on_message, .on_close = on_close, .user = s};
    mkc_tls tls = {.cacert = certs.ca};
    mkc_ws *ws = NULL;
    mkc_error err = {0};
    int rc = mkc_ws_connect_tls(url, &cb, &tls, &ws, &err);
    if (rc != MKC_OK)
        print_error("%s\n", err.message);
    assert_int_equal(rc, MKC_OK);
    mkc_error_clear(&err);
    return ws;
}

/* The recorded chat both ways: server frames, a matched JSON client frame,
 * and the recorded close (4001) after the last client frame. At speed 0
 * that close can be back before our "bye" send returns; the send still
 * reports MKC_OK (client/core/ws.c, close_cb). */
static void test_wss_replays_both_ways(void **state)
{
    (void)state;
    mk_mock *m = tls_mock(0);
    seen s = {.q = mkc_queue_new()};
    mkc_ws *ws = open_chat(m, &s);
    expect_text(s.q, "welcome");
    assert_int_equal(mkc_ws_send_text(ws, "{\"q\":\"hi\",\"client\":\"wss\"}"), MKC_OK);
    expect_text(s.q, "{\"a\":\"hello\"}");
    expect_text(s.q, "done");
    assert_int_equal(mkc_ws_send_text(ws, "{\"q\":\"bye\"}"), MKC_OK);
    assert_int_equal(close_code(s.q), 4001);
    mkc_ws_free(ws);
    mkc_queue_free(s.q);
    mk_mock_free(m);
}

/* A message past max_frame over wss: close 1009, not a served frame. */
static void test_wss_oversized_frame_closes_1009(void **state)
{
    (void)state;
    mk_mock *m = tls_mock(1024);
    seen s = {.q = mkc_queue_new()};
    mkc_ws *ws = open_chat(m, &s);
    expect_text(s.q, "welcome");
    char big[2048];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    /* CivetWeb reads the whole message before our callback closes, so the
     * write went out: MKC_OK, even when the close is back before it returns */
    assert_int_equal(mkc_ws_send_text(ws, big), MKC_OK);
    assert_int_equal(close_code(s.q), 1009);
    mkc_ws_free(ws);
    mkc_queue_free(s.q);
    mk_mock_free(m);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* GET /api/avatar over https: the status, or -1. */
static long avatar_status(mk_mock *m)
{
    mkc_http *h = mkc_http_new(mk_mock_url(m));
    mkc_tls tls = {.cacert = certs.ca};
    const char *headers[] = {"Authorization: Bearer t", "Cookie: " CAIROS_COOKIE, NULL};
    mkc_response *r = NULL;
    mkc_error err = {0};
    long status = -1;
    assert_non_null(h);
    assert_int_equal(mkc_http_set_tls(h, &tls), MKC_OK);
    if (mkc_http_request(h, "GET", "/api/avatar", headers, NULL, NULL, 0, &r, &err) == MKC_OK)
        status = r->status;
    mkc_response_free(r);
    mkc_error_clear(&err);
    mkc_http_free(h);
    return status;
}

/* A stream parked on a trigger that never comes (see suites/robust), over
 * TLS, abandoned the way a TLS client leaves: close_notify, then FIN. Our
 * probe only peeks, so the unread alert hid the FIN until POLLRDHUP. */
static void test_abandoned_tls_stream_gives_its_slot_back(void **state)
{
    (void)state;
    static const char gated[] =
        "GET /api/event_log HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n"
        "X-Mockkit-Scenario: errors\r\nAuthorization: Bearer t\r\nCookie: " CAIROS_COOKIE
        "\r\n\r\n";
    const char *paths[] = {CAIROS};
    mk_mock_options o;
    mk_mock_options_init(&o);
    o.service = "cairos";
    o.speed = 0;
    o.quiet = 1;
    o.max_connections = 1;
    o.tls_cert = certs.server;
    o.tls_key = certs.server_key;
    mk_mock *m = NULL;
    mk_diag d;
    assert_int_equal(mk_mock_new(&o, paths, 1, &m, &d), MK_MOCK_OK);

    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    assert_non_null(ctx);
    assert_int_equal(SSL_CTX_load_verify_locations(ctx, certs.ca, NULL), 1);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)mk_mock_port(m))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    SSL *ssl = SSL_new(ctx);
    assert_non_null(ssl);
    SSL_set_fd(ssl, fd);
    assert_int_equal(SSL_connect(ssl), 1);
    assert_int_equal(SSL_write(ssl, gated, (int)sizeof gated - 1), (int)sizeof gated - 1);
    char head[2048];
    int got = SSL_read(ssl, head, (int)sizeof head - 1); /* the 200 head, then it waits */
    assert_true(got > 12);
    head[got] = '\0';
    assert_int_equal(strncmp(head, "HTTP/1.1 200", 12), 0);
    /* the one slot is held: a second request is refused */
    assert_int_equal(avatar_status(m), 503);

    SSL_shutdown(ssl);
    close(fd);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    int64_t closed_at = now_ms(), took = -1;
    while (now_ms() < closed_at + 5000) {
        if (avatar_status(m) == 200) {
            took = now_ms() - closed_at;
            break;
        }
    }
    print_message("abandoned TLS stream noticed after %lld ms\n", (long long)took);
    assert_true(took >= 0);
    assert_true(took <= 1500); /* probe slices, plus a loaded machine */
    mk_mock_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wss_replays_both_ways),
        cmocka_unit_test(test_wss_oversized_frame_closes_1009),
        cmocka_unit_test(test_abandoned_tls_stream_gives_its_slot_back),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
