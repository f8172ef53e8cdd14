/* test_wss_mock.c: websockets over wss:// against the embedded mock with
 * tls_cert. The mock's own frame reader reads the raw socket, so TLS
 * upgrades go to CivetWeb's reader (mocks/server/ws.c); these prove that
 * path replays both ways, answers the recorded close, and still closes
 * 1009 past max_frame. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mockkit/client.h"
#include "mockkit/mock.h"
#include "suite.h"
#include "tls_env.h"

#define ROUNDTRIP MOCKKIT_SOURCE_DIR "/suites/core/cassettes/roundtrip.json"

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
    atomic_int close_code;
} seen;

static void on_message(void *user, mkc_ws_opcode op, const char *data, size_t len)
{
    mkc_queue_push(((seen *)user)->q, (int)op, data, len);
}

static void on_close(void *user, int code, const char *reason)
{
    (void)reason;
    atomic_store(&((seen *)user)->close_code, code);
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
 * and the recorded close (4001) after the last client frame. */
static void test_wss_replays_both_ways(void **state)
{
    (void)state;
    mk_mock *m = tls_mock(0);
    seen s = {.q = mkc_queue_new()};
    atomic_init(&s.close_code, 0);
    mkc_ws *ws = open_chat(m, &s);
    expect_text(s.q, "welcome");
    assert_int_equal(mkc_ws_send_text(ws, "{\"q\":\"hi\",\"client\":\"wss\"}"), MKC_OK);
    expect_text(s.q, "{\"a\":\"hello\"}");
    expect_text(s.q, "done");
    assert_int_equal(mkc_ws_send_text(ws, "{\"q\":\"bye\"}"), MKC_OK);
    assert_int_equal(mkc_ws_wait_closed(ws, 5000), 0);
    assert_int_equal(atomic_load(&s.close_code), 4001);
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
    atomic_init(&s.close_code, 0);
    mkc_ws *ws = open_chat(m, &s);
    expect_text(s.q, "welcome");
    char big[2048];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(mkc_ws_send_text(ws, big), MKC_OK);
    assert_int_equal(mkc_ws_wait_closed(ws, 5000), 0);
    assert_int_equal(atomic_load(&s.close_code), 1009);
    mkc_ws_free(ws);
    mkc_queue_free(s.q);
    mk_mock_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wss_replays_both_ways),
        cmocka_unit_test(test_wss_oversized_frame_closes_1009),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
