/* suite-faults-record-ws: websocket faults in `record` proxy mode, on the
 * session a live upstream plays (an embedded mock on loopback stands in for
 * it): close 1001/1011 after N messages, 1006 (TCP dropped, FIN or RST, no
 * close frame), fragmented messages, pings left without pong, a refused
 * upgrade, latency between messages and a stall (on the real clock); what
 * the kit's websocket client (mkc_ws_*) sees, as against the mock
 * (suite-faults-ws). Every wait is a bounded queue pop; real-clock checks
 * are lower bounds (never early) and a silence, which load cannot break. */
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "kit.h" /* mkc__now_ms */
#include "mockkit/client.h"
#include "mockkit/mock.h"
#include "mockkit/record.h"
#include "suite.h"

#define CASSETTE MOCKKIT_SOURCE_DIR "/suites/faults/cassettes/ws.json"
enum { K_MSG = 1, K_PONG, K_CLOSE };

typedef struct rig {
    mk_mock *up;
    mk_record *rec;
    mkc_queue *q;
    mkc_ws *ws;
    char out[256];
    pthread_mutex_t mu;
    int64_t opened_ms; /* before the client connected: no message can precede it */
    int64_t at_ms[8];  /* when the client got each message (monotonic) */
    size_t got;
} rig;

static void on_message(void *user, mkc_ws_opcode op, const char *data, size_t len)
{
    rig *g = user;
    pthread_mutex_lock(&g->mu);
    if (op != MKC_WS_PONG && g->got < 8) {
        g->at_ms[g->got++] = mkc__now_ms();
    }
    pthread_mutex_unlock(&g->mu);
    mkc_queue_push(g->q, op == MKC_WS_PONG ? K_PONG : K_MSG, data, len);
}

static void on_close(void *user, int code, const char *reason)
{
    rig *g = user;
    char buf[160];
    int n = snprintf(buf, sizeof(buf), "%d %s", code, reason);
    mkc_queue_push(g->q, K_CLOSE, buf, (size_t)n);
}

/* Upstream mock, recorder in front with one fault (or none); connect the
 * kit's client to the recorder. Returns mkc_ws_connect's status. */
static int rig_open(rig *g, const char *fault)
{
    mk_mock_options mo;
    mk_record_options ro;
    mk_diag d;
    const char *paths[] = {CASSETTE};
    static const char *faults[1];
    char url[160];
    mkc_ws_callbacks cb = {on_message, on_close, NULL};
    mkc_error err = {0};
    memset(g, 0, sizeof(*g));
    pthread_mutex_init(&g->mu, NULL);
    faults[0] = fault;
    mk_mock_options_init(&mo);
    mo.speed = 0;
    mo.quiet = 1;
    memset(&d, 0, sizeof(d));
    assert_int_equal(mk_mock_new(&mo, paths, 1, &g->up, &d), MK_MOCK_OK);
    snprintf(g->out, sizeof(g->out), "%s/faults-record-ws-%d.json", MOCKKIT_BINARY_DIR,
             (int)getpid());
    mk_record_options_init(&ro);
    ro.upstream = mk_mock_url(g->up);
    ro.out = g->out;
    ro.mode = MK_RECORD_MODE_ALL;
    ro.quiet = 1;
    ro.faults = faults;
    ro.fault_count = fault ? 1 : 0;
    assert_int_equal(mk_record_new(&ro, &g->rec, &d), 0);
    g->q = mkc_queue_new();
    cb.user = g;
    snprintf(url, sizeof(url), "ws%s/ws", mk_record_url(g->rec) + 4); /* http:// -> ws:// */
    g->opened_ms = mkc__now_ms();
    int rc = mkc_ws_connect(url, &cb, &g->ws, &err);
    mkc_error_clear(&err);
    return rc;
}

static void rig_close(rig *g, size_t want_recorded)
{
    mk_diag d;
    mkc_ws_free(g->ws);
    memset(&d, 0, sizeof(d));
    assert_int_equal(mk_record_stop(g->rec, &d), 0);
    assert_int_equal(mk_record_count(g->rec), want_recorded);
    mk_record_free(g->rec);
    mkc_queue_free(g->q);
    mk_mock_free(g->up);
    pthread_mutex_destroy(&g->mu);
    remove(g->out);
}

static int next(rig *g, char *buf, size_t n)
{
    int kind = 0;
    char *data = NULL;
    size_t len = 0;
    if (mkc_queue_pop(g->q, 5000, &kind, &data, &len) != MKC_OK) {
        return 0;
    }
    snprintf(buf, n, "%.*s", (int)len, data);
    free(data);
    return kind;
}

static void expect_messages_then_close(const char *fault, int messages, const char *close_text)
{
    rig g;
    char buf[400];
    assert_int_equal(rig_open(&g, fault), MKC_OK);
    for (int i = 1; i <= messages; i++) {
        char want[16];
        snprintf(want, sizeof(want), "m%d", i);
        assert_int_equal(next(&g, buf, sizeof(buf)), K_MSG);
        assert_memory_equal(buf, want, strlen(want));
    }
    assert_int_equal(next(&g, buf, sizeof(buf)), K_CLOSE);
    assert_string_equal(buf, close_text);
    rig_close(&g, 0); /* a faulted session is not recorded */
}

static void proxied_close_1011_after_one_message(void **state)
{
    (void)state;
    expect_messages_then_close("/ws:wsclose=1011,at=event:1", 1, "1011 mockkit fault");
}

static void proxied_close_1001_before_any_message(void **state)
{
    (void)state;
    expect_messages_then_close("GET /ws:wsclose=1001", 0, "1001 mockkit fault");
}

static void proxied_close_1006_drops_tcp_after_two(void **state)
{
    (void)state;
    expect_messages_then_close("/ws:wsclose=1006,at=event:2", 2, "1006 ");
}

static void proxied_cut_with_rst_after_one(void **state)
{
    (void)state;
    expect_messages_then_close("/ws:cut=event:1,rst", 1, "1006 ");
}

static void proxied_fragmented_message_is_joined(void **state)
{
    (void)state;
    rig g;
    char buf[400];
    assert_int_equal(rig_open(&g, "/ws:fragment=64"), MKC_OK);
    assert_int_equal(next(&g, buf, sizeof(buf)), K_MSG);
    assert_int_equal(strlen(buf), 303); /* "m1:" + 300, from 5 frames */
    assert_memory_equal(buf, "m1:xxx", 6);
    assert_int_equal(next(&g, buf, sizeof(buf)), K_MSG);
    assert_string_equal(buf, "m2");
    rig_close(&g, 0);
}

static void proxied_ping_without_pong(void **state)
{
    (void)state;
    rig g;
    char buf[400];
    /* control: through the proxy a ping is answered (by the upstream) */
    assert_int_equal(rig_open(&g, NULL), MKC_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(next(&g, buf, sizeof(buf)), K_MSG);
    }
    assert_int_equal(mkc_ws_send(g.ws, MKC_WS_PING, "hb", 2), MKC_OK);
    assert_int_equal(next(&g, buf, sizeof(buf)), K_PONG);
    rig_close(&g, 1);
    /* fault: the upstream's pong is kept from the client */
    assert_int_equal(rig_open(&g, "/ws:nopong"), MKC_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(next(&g, buf, sizeof(buf)), K_MSG);
    }
    assert_int_equal(mkc_ws_send(g.ws, MKC_WS_PING, "hb", 2), MKC_OK);
    assert_int_equal(mkc_ws_send_text(g.ws, "more"), MKC_OK);
    /* the upstream answers in order: m4 comes after where the pong was */
    assert_int_equal(next(&g, buf, sizeof(buf)), K_MSG);
    assert_string_equal(buf, "m4");
    assert_int_equal(mkc_queue_size(g.q), 0);
    assert_true(mkc_ws_is_open(g.ws));
    rig_close(&g, 0);
}

/* latency=300,at=between: m1 as it comes, each later message at least
 * 300 ms after the one before (the upstream sent all three at once). The
 * client sees message k no earlier than (k-1) x 300 ms after it connected;
 * gaps between the client's own sightings would not do: a late sighting
 * of m2 shortens the gap to m3 it appears to have. */
static void proxied_latency_between_messages(void **state)
{
    (void)state;
    rig g;
    char buf[400];
    assert_int_equal(rig_open(&g, "/ws:latency=300,at=between"), MKC_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(next(&g, buf, sizeof(buf)), K_MSG);
    }
    pthread_mutex_lock(&g.mu);
    for (size_t i = 1; i < 3; i++) {
        int64_t after = g.at_ms[i] - g.opened_ms;
        if (after < (int64_t)i * 300 - 2) {
            fail_msg("message %zu came %lld ms after the client connected, before %zu x 300 ms "
                     "of latency", i + 1, (long long)after, i);
        }
    }
    pthread_mutex_unlock(&g.mu);
    rig_close(&g, 0); /* a session the fault slowed is not recorded */
}

/* stall,at=event:1: m1, then nothing; the client leaving ends the stall
 * (rig_close returns: the proxy's worker let go). */
static void proxied_stall_after_one(void **state)
{
    (void)state;
    rig g;
    char buf[400];
    assert_int_equal(rig_open(&g, "/ws:stall,at=event:1"), MKC_OK);
    assert_int_equal(next(&g, buf, sizeof(buf)), K_MSG);
    assert_memory_equal(buf, "m1:", 3);
    int kind = 0;
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(mkc_queue_pop(g.q, 1000, &kind, &data, &len), MKC_ETIMEOUT);
    assert_true(mkc_ws_is_open(g.ws));
    rig_close(&g, 0);
}

static void proxied_upgrade_refused_with_status(void **state)
{
    (void)state;
    rig g;
    assert_int_equal(rig_open(&g, "/ws:status=503,retry-after=5"), MKC_EHTTP);
    assert_null(g.ws);
    rig_close(&g, 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(proxied_close_1011_after_one_message),
        cmocka_unit_test(proxied_close_1001_before_any_message),
        cmocka_unit_test(proxied_close_1006_drops_tcp_after_two),
        cmocka_unit_test(proxied_cut_with_rst_after_one),
        cmocka_unit_test(proxied_fragmented_message_is_joined),
        cmocka_unit_test(proxied_ping_without_pong),
        cmocka_unit_test(proxied_latency_between_messages),
        cmocka_unit_test(proxied_stall_after_one),
        cmocka_unit_test(proxied_upgrade_refused_with_status),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
