/* suite-faults-ws: websocket faults against an embedded generic mock, and
 * what the kit's websocket client (mkc_ws_*) surfaces: the close code (1006
 * when the TCP connection is dropped without a close frame), the messages
 * before it, fragmented messages joined (and, through CivetWeb's own frame
 * callback, the continuation frames on the wire), a ping left unanswered.
 * Built twice: suite-faults-wss (FAULTS_TLS) runs the same cases over
 * wss://, where CivetWeb's reader serves the socket (mocks/server/ws.c).
 * Loopback only; every wait is a bounded queue pop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <civetweb.h>

#include "mockkit/client.h"
#include "mockkit/mock.h"
#include "suite.h"
#if FAULTS_TLS
#include "tls_env.h"
#endif

#define CASSETTE MOCKKIT_SOURCE_DIR "/suites/faults/cassettes/ws.json"
enum { K_MSG = 1, K_PONG, K_CLOSE };

static const char *cassette = CASSETTE;

#if FAULTS_TLS
static tls_certs certs;
static mkc_tls tls;

static int group_setup(void **state)
{
    (void)state;
    unsetenv("MOCKKIT_CACERT");
    unsetenv("MOCKKIT_INSECURE");
    if (tls_certs_make(&certs) != 0) {
        return -1;
    }
    tls.cacert = certs.ca;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    tls_certs_remove(&certs);
    return 0;
}
#define SCHEME "wss"
#define TLS_OPTS (&tls)
#else
#define SCHEME "ws"
#define TLS_OPTS NULL
#define group_setup NULL
#define group_teardown NULL
#endif

static mk_mock *start(const char *spec)
{
    mk_mock_options o;
    mk_diag d;
    mk_mock *m = NULL;
    const char *paths[] = {cassette};
    char err[300] = "";
    mk_mock_options_init(&o);
    o.speed = 0;
    o.quiet = 1;
#if FAULTS_TLS
    o.tls_cert = certs.server;
    o.tls_key = certs.server_key;
#endif
    memset(&d, 0, sizeof(d));
    assert_int_equal(mk_mock_new(&o, paths, 1, &m, &d), MK_MOCK_OK);
    if (spec && mk_mock_fault_add(m, spec, err, sizeof(err)) != MK_MOCK_OK) {
        fail_msg("%s: %s", spec, err);
    }
    return m;
}

static void url_of(mk_mock *m, char *buf, size_t n)
{
    snprintf(buf, n, SCHEME "://127.0.0.1:%d/ws", mk_mock_port(m));
}

static void on_message(void *user, mkc_ws_opcode op, const char *data, size_t len)
{
    mkc_queue_push(user, op == MKC_WS_PONG ? K_PONG : K_MSG, data, len);
}

static void on_close(void *user, int code, const char *reason)
{
    char buf[160];
    int n = snprintf(buf, sizeof(buf), "%d %s", code, reason);
    mkc_queue_push(user, K_CLOSE, buf, (size_t)n);
}

typedef struct ws_conn {
    mk_mock *m;
    mkc_queue *q;
    mkc_ws *ws;
} ws_conn;

static void open_conn(ws_conn *c, const char *spec)
{
    char url[96];
    mkc_ws_callbacks cb = {on_message, on_close, NULL};
    mkc_error err = {0};
    c->m = start(spec);
    c->q = mkc_queue_new();
    cb.user = c->q;
    url_of(c->m, url, sizeof(url));
    assert_int_equal(mkc_ws_connect_tls(url, &cb, TLS_OPTS, &c->ws, &err), MKC_OK);
}

static void close_conn(ws_conn *c)
{
    mkc_ws_free(c->ws);
    mkc_queue_free(c->q);
    mk_mock_free(c->m);
}

/* Pops the next item; returns its kind and copies its text into buf. */
static int next(ws_conn *c, char *buf, size_t n)
{
    int kind = 0;
    char *data = NULL;
    size_t len = 0;
    if (mkc_queue_pop(c->q, 5000, &kind, &data, &len) != MKC_OK) {
        return 0;
    }
    snprintf(buf, n, "%.*s", (int)len, data);
    free(data);
    return kind;
}

static void expect_messages_then_close(const char *spec, int messages, const char *close_text)
{
    ws_conn c;
    char buf[400];
    open_conn(&c, spec);
    for (int i = 1; i <= messages; i++) {
        char want[16];
        snprintf(want, sizeof(want), "m%d", i);
        assert_int_equal(next(&c, buf, sizeof(buf)), K_MSG);
        assert_memory_equal(buf, want, strlen(want));
    }
    assert_int_equal(next(&c, buf, sizeof(buf)), K_CLOSE);
    assert_string_equal(buf, close_text);
    close_conn(&c);
}

static void close_1011_after_one_message(void **state)
{
    (void)state;
    expect_messages_then_close("/ws:wsclose=1011,at=event:1", 1, "1011 mockkit fault");
}

static void close_1001_at_once(void **state)
{
    (void)state;
    expect_messages_then_close("GET /ws:wsclose=1001", 0, "1001 mockkit fault");
}

static void close_1006_drops_tcp_after_two(void **state)
{
    (void)state;
    /* no close frame: the client reports 1006 with no reason */
    expect_messages_then_close("/ws:wsclose=1006,at=event:2", 2, "1006 ");
}

static void cut_with_rst_after_one(void **state)
{
    (void)state;
    expect_messages_then_close("/ws:cut=event:1,rst", 1, "1006 ");
}

static void fragmented_message_is_joined(void **state)
{
    (void)state;
    ws_conn c;
    char buf[400];
    open_conn(&c, "/ws:fragment=64");
    assert_int_equal(next(&c, buf, sizeof(buf)), K_MSG);
    assert_int_equal(strlen(buf), 303); /* "m1:" + 300, from 5 frames */
    assert_memory_equal(buf, "m1:xxx", 6);
    assert_int_equal(next(&c, buf, sizeof(buf)), K_MSG);
    assert_string_equal(buf, "m2"); /* short: one frame */
    close_conn(&c);
}

/* CivetWeb's frame callback sees each frame: the first text without FIN,
 * then continuations, the last with FIN. */
static int frame_cb(struct mg_connection *mc, int flags, char *data, size_t len, void *user)
{
    char head[8];
    (void)mc;
    (void)data;
    snprintf(head, sizeof(head), "%02x", flags & 0xff);
    mkc_queue_push(user, (int)len, head, strlen(head));
    return 1;
}

static void frame_close(const struct mg_connection *mc, void *user)
{
    (void)mc;
    (void)user;
}

static void fragments_on_the_wire(void **state)
{
    (void)state;
    mk_mock *m = start("/ws:fragment=64");
    mkc_queue *q = mkc_queue_new();
    struct mg_connection *mc = NULL;
    mkc_error err = {0};
    char url[96];
    const char *want[] = {"01", "00", "00", "00", "80"}; /* 64+64+64+64+47 bytes */
    url_of(m, url, sizeof(url));
    assert_int_equal(mkc_ws_civetweb_connect(url, NULL, TLS_OPTS, frame_cb, frame_close, q, &mc,
                                             &err),
                     MKC_OK);
    for (int i = 0; i < 5; i++) {
        int len = 0;
        char *flags = NULL;
        size_t n = 0;
        assert_int_equal(mkc_queue_pop(q, 5000, &len, &flags, &n), MKC_OK);
        assert_string_equal(flags, want[i]);
        assert_int_equal(len, i < 4 ? 64 : 47);
        free(flags);
    }
    mg_close_connection(mc);
    mkc_queue_free(q);
    mk_mock_free(m);
}

static void ping_without_pong(void **state)
{
    (void)state;
    ws_conn c;
    char buf[400];
    /* control: a ping is answered */
    open_conn(&c, NULL);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(next(&c, buf, sizeof(buf)), K_MSG);
    }
    assert_int_equal(mkc_ws_send(c.ws, MKC_WS_PING, "hb", 2), MKC_OK);
    assert_int_equal(next(&c, buf, sizeof(buf)), K_PONG);
    close_conn(&c);
    /* fault: the ping goes unanswered, the connection stays up */
    open_conn(&c, "/ws:nopong");
    for (int i = 0; i < 3; i++) {
        assert_int_equal(next(&c, buf, sizeof(buf)), K_MSG);
    }
    assert_int_equal(mkc_ws_send(c.ws, MKC_WS_PING, "hb", 2), MKC_OK);
    assert_int_equal(mkc_ws_send_text(c.ws, "more"), MKC_OK);
    /* frames are answered in order: m4 arrives after any pong would have */
    assert_int_equal(next(&c, buf, sizeof(buf)), K_MSG);
    assert_string_equal(buf, "m4");
    assert_int_equal(mkc_queue_size(c.q), 0);
    assert_true(mkc_ws_is_open(c.ws));
    close_conn(&c);
}


/* An upgrade answered by a fault before any status line: the connect
 * fails at once with `want`, naming the URL. */
static void upgrade_fails(const char *spec, int want)
{
    mk_mock *m = start(spec);
    mkc_ws *ws = NULL;
    mkc_ws_callbacks cb = {on_message, on_close, NULL};
    mkc_error err = {0};
    char url[96];
    url_of(m, url, sizeof(url));
    int rc = mkc_ws_connect_tls(url, &cb, TLS_OPTS, &ws, &err);
    if (rc != want) {
        fail_msg("%s: got %s (%s), expected %s", spec, mkc_strerror(rc), err.message,
                 mkc_strerror(want));
    }
    assert_null(ws);
    assert_non_null(strstr(err.message, url));
    mkc_error_clear(&err);
    mk_mock_free(m);
}

static void upgrade_refused_with_status(void **state)
{
    (void)state;
    upgrade_fails("/ws:status=503,retry-after=5", MKC_EHTTP);
}

static void upgrade_answered_with_nothing(void **state)
{
    (void)state;
    upgrade_fails("/ws:empty", MKC_ECLOSED);
}

static void upgrade_answered_with_garbage(void **state)
{
    (void)state;
    upgrade_fails("/ws:garbage=64", MKC_EPROTOCOL);
}

/* A frame's own fault in the cassette: "wsclose=1011" instead of m2. */
static void declared_close_on_frame(void **state)
{
    (void)state;
    cassette = MOCKKIT_SOURCE_DIR "/suites/faults/cassettes/declared.json";
    expect_messages_then_close(NULL, 1, "1011 mockkit fault");
    cassette = CASSETTE;
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(close_1011_after_one_message),
        cmocka_unit_test(close_1001_at_once),
        cmocka_unit_test(close_1006_drops_tcp_after_two),
        cmocka_unit_test(cut_with_rst_after_one),
        cmocka_unit_test(fragmented_message_is_joined),
        cmocka_unit_test(fragments_on_the_wire),
        cmocka_unit_test(ping_without_pong),
        cmocka_unit_test(upgrade_refused_with_status),
        cmocka_unit_test(upgrade_answered_with_nothing),
        cmocka_unit_test(upgrade_answered_with_garbage),
        cmocka_unit_test(declared_close_on_frame),
    };
    return SUITE_RUN(argc, argv, tests, group_setup, group_teardown);
}
