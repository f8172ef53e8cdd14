/* test_ws.c: websocket replay with CivetWeb's own client: frames on
 * connect, frames answering client frames (JSON partial, exact, any), two
 * recorded exchanges on one socket, recorded close codes, triggers,
 * unmatched frames, and clients that vanish. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <civetweb.h>
#include <cjson/cJSON.h>

#include "core_util.h"
#include "kit.h" /* monotonic deadlines */
#include "suite.h"

#define ROUNDTRIP CORE_CASSETTES "/roundtrip.json"
#define TRIGGERS CORE_CASSETTES "/triggers.json"
#define MULTI CORE_CASSETTES "/ws-multi.json"

typedef struct wframe {
    int opcode;
    char *data;
    size_t len;
    int64_t t_ms;
} wframe;

typedef struct wclient {
    struct mg_connection *conn;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    wframe frames[32];
    size_t count;
    int closed;
    int sending; /* a ws_send is inside mg_write (see on_close) */
} wclient;

static int on_data(struct mg_connection *conn, int flags, char *data, size_t len, void *arg)
{
    wclient *c = arg;
    (void)conn;
    pthread_mutex_lock(&c->mu);
    if (c->count < 32) {
        wframe *f = &c->frames[c->count++];
        f->opcode = flags & 0xf;
        f->data = malloc(len + 1);
        memcpy(f->data, data, len);
        f->data[len] = '\0';
        f->len = len;
        f->t_ms = cu_now_ms();
    }
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    return (flags & 0xf) != MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE;
}

/* CivetWeb 1.15 sets the client's stop flag when this returns, and its
 * push_inner checks that flag after each successful send: a frame whose
 * answer is the server's close (the chat's "bye") would be reported as a
 * failed write though it went out, whenever the reader thread runs ahead of
 * the writer. So a send under way finishes first (bounded), as mkc_ws's
 * close_cb does; a close that came before the send still fails it. */
static void on_close(const struct mg_connection *conn, void *arg)
{
    wclient *c = arg;
    struct timespec until;
    (void)conn;
    mkc__deadline_in(&until, 2000);
    pthread_mutex_lock(&c->mu);
    while (c->sending && pthread_cond_timedwait(&c->cv, &c->mu, &until) == 0) {
    }
    c->closed = 1;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static int ws_open(wclient *c, mk_mock *m, const char *path)
{
    char err[256] = "";
    memset(c, 0, sizeof(*c));
    pthread_mutex_init(&c->mu, NULL);
    mkc__cond_init_monotonic(&c->cv);
    c->conn = mg_connect_websocket_client("127.0.0.1", mk_mock_port(m), 0, err, sizeof(err), path,
                                          NULL, on_data, on_close, c);
    return c->conn ? 0 : -1;
}

/* Wait for n frames (or close), at most timeout_ms. Returns the count. */
static size_t ws_wait(wclient *c, size_t n, int timeout_ms)
{
    struct timespec until;
    size_t count;
    mkc__deadline_in(&until, timeout_ms);
    pthread_mutex_lock(&c->mu);
    while (c->count < n && !c->closed) {
        if (pthread_cond_timedwait(&c->cv, &c->mu, &until) != 0) {
            break;
        }
    }
    count = c->count;
    pthread_mutex_unlock(&c->mu);
    return count;
}

/* One masked text frame in ONE write: mg_websocket_client_write sends the
 * header and the payload in two writes on a socket without TCP_NODELAY, so
 * the payload waits ~40 ms for the server's delayed ACK (Nagle), which
 * would show up as replay latency. */
static int64_t ws_send(wclient *c, const char *text)
{
    unsigned char frame[256];
    const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
    size_t len = strlen(text);
    int64_t t;
    assert_true(len < 126);
    frame[0] = 0x80 | MG_WEBSOCKET_OPCODE_TEXT;
    frame[1] = (unsigned char)(0x80 | len);
    memcpy(frame + 2, mask, 4);
    for (size_t i = 0; i < len; i++) {
        frame[6 + i] = (unsigned char)text[i] ^ mask[i & 3];
    }
    t = cu_now_ms();
    pthread_mutex_lock(&c->mu);
    c->sending = 1;
    pthread_mutex_unlock(&c->mu);
    errno = 0;
    int wrote = mg_write(c->conn, frame, 6 + len);
    int err = errno;
    pthread_mutex_lock(&c->mu);
    c->sending = 0;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    if (wrote != (int)(6 + len)) {
        /* say what the client had seen: a close before the write, or a
         * write that failed on an open connection */
        pthread_mutex_lock(&c->mu);
        size_t count = c->count;
        int closed = c->closed, last = count ? c->frames[count - 1].opcode : -1;
        pthread_mutex_unlock(&c->mu);
        fail_msg("sending \"%s\": mg_write returned %d (errno %d %s); the client had %zu "
                 "frames, the last of opcode %d, and %s", text, wrote, err, strerror(err), count,
                 last, closed ? "its close handler had run" : "no close yet");
    }
    return t;
}

static void ws_close(wclient *c)
{
    if (c->conn) {
        mg_close_connection(c->conn);
    }
    for (size_t i = 0; i < c->count; i++) {
        free(c->frames[i].data);
    }
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
}

static void assert_frame(const wclient *c, size_t i, int opcode, const char *text)
{
    assert_true(i < c->count);
    assert_int_equal(c->frames[i].opcode, opcode);
    assert_int_equal(c->frames[i].len, strlen(text));
    assert_memory_equal(c->frames[i].data, text, strlen(text));
}

/* Never early, at most tol late (deadlines are absolute from the client
 * frame's arrival, so lateness does not add up). */
static void check_gap(int64_t got, int64_t want, int64_t tol)
{
    if (got < want - 2 || got > want + tol) {
        fail_msg("%lld ms after the client frame, expected %lld (at most %lld late)",
                 (long long)got, (long long)want, (long long)tol);
    }
}

/* The roundtrip "chat" session at a speed. */
static void chat_at(double speed)
{
    const char *paths[] = {ROUNDTRIP};
    mk_mock *m = cu_mock(NULL, paths, 1, speed, NULL);
    wclient c;
    int64_t sent;
    assert_int_equal(ws_open(&c, m, "/ws/chat"), 0);
    assert_int_equal(ws_wait(&c, 1, 5000), 1);
    assert_frame(&c, 0, MG_WEBSOCKET_OPCODE_TEXT, "welcome");
    /* JSON partial: extra members in the client frame are fine */
    sent = ws_send(&c, "{\"q\":\"hi\",\"client\":\"test\"}");
    assert_int_equal(ws_wait(&c, 3, 5000), 3);
    assert_frame(&c, 1, MG_WEBSOCKET_OPCODE_TEXT, "{\"a\":\"hello\"}");
    assert_frame(&c, 2, MG_WEBSOCKET_OPCODE_TEXT, "done");
    if (speed > 0) {
        check_gap(c.frames[1].t_ms - sent, (int64_t)(60 / speed), 15);
        check_gap(c.frames[2].t_ms - sent, (int64_t)(150 / speed), 15);
    } else {
        check_gap(c.frames[2].t_ms - sent, 0, 15);
    }
    ws_send(&c, "{\"q\":\"bye\"}");
    assert_int_equal(ws_wait(&c, 4, 5000), 4);
    /* close with the recorded code and reason */
    assert_int_equal(c.frames[3].opcode, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE);
    assert_int_equal(c.frames[3].len, 2 + strlen("bye now"));
    assert_int_equal(((unsigned char)c.frames[3].data[0] << 8) | (unsigned char)c.frames[3].data[1],
                     4001);
    assert_memory_equal(c.frames[3].data + 2, "bye now", 7);
    ws_close(&c);
    mk_mock_free(m);
}

static void chat_recorded_speed(void **state)
{
    (void)state;
    chat_at(1.0);
}

static void chat_scaled_speed(void **state)
{
    (void)state;
    chat_at(2.0);
}

static void chat_instant(void **state)
{
    (void)state;
    chat_at(0.0);
}

static void chat_on_virtual_clock(void **state)
{
    const char *paths[] = {ROUNDTRIP};
    mk_clock *clk = mk_clock_new_virtual();
    mk_mock *m = cu_mock(NULL, paths, 1, 1.0, clk);
    wclient c;
    (void)state;
    assert_int_equal(ws_open(&c, m, "/ws/chat"), 0);
    assert_int_equal(ws_wait(&c, 1, 5000), 1);
    ws_send(&c, "{\"q\":\"hi\"}");
    assert_int_equal(mk_clock_wait_for_waiters(clk, 1, 5000), 0);
    assert_int_equal(ws_wait(&c, 2, 50), 1); /* nothing before the clock moves */
    mk_clock_advance(clk, 60);
    assert_int_equal(ws_wait(&c, 2, 5000), 2);
    assert_frame(&c, 1, MG_WEBSOCKET_OPCODE_TEXT, "{\"a\":\"hello\"}");
    assert_int_equal(mk_clock_wait_for_waiters(clk, 1, 5000), 0);
    assert_int_equal(ws_wait(&c, 3, 50), 2);
    mk_clock_advance(clk, 90);
    assert_int_equal(ws_wait(&c, 3, 5000), 3);
    assert_frame(&c, 2, MG_WEBSOCKET_OPCODE_TEXT, "done");
    ws_close(&c);
    mk_mock_free(m);
    mk_clock_free(clk);
}

static void two_exchanges_on_one_socket(void **state)
{
    const char *paths[] = {MULTI};
    mk_mock *m = cu_mock(NULL, paths, 1, 0.0, NULL);
    wclient c;
    (void)state;
    assert_int_equal(ws_open(&c, m, "/qgpt/stream"), 0);
    /* b was recorded on another connection to the same path: still served */
    ws_send(&c, "{\"question\":{\"query\":\"b\",\"model\":\"x\"}}");
    assert_int_equal(ws_wait(&c, 2, 5000), 2);
    assert_int_equal(c.frames[0].opcode, MG_WEBSOCKET_OPCODE_BINARY);
    assert_int_equal(c.frames[0].len, 4);
    assert_memory_equal(c.frames[0].data, "\x00\x01\x02\xff", 4);
    assert_frame(&c, 1, MG_WEBSOCKET_OPCODE_TEXT, "{\"answer\":\"B\",\"status\":\"COMPLETED\"}");
    ws_send(&c, "{\"question\":{\"query\":\"a\"}}");
    assert_int_equal(ws_wait(&c, 3, 5000), 3);
    assert_frame(&c, 2, MG_WEBSOCKET_OPCODE_TEXT, "{\"answer\":\"A\",\"status\":\"COMPLETED\"}");
    ws_close(&c);
    mk_mock_free(m);
}

static void exact_and_any_frames(void **state)
{
    const char *paths[] = {MULTI};
    mk_mock *m = cu_mock(NULL, paths, 1, 0.0, NULL);
    wclient c, d;
    mk_journal_entry e[4];
    size_t n;
    (void)state;
    assert_int_equal(ws_open(&c, m, "/exact/abc"), 0); /* template path */
    ws_send(&c, "{\"k\":1,\"extra\":2}");   /* exact: refused, no answer */
    assert_int_equal(ws_wait(&c, 1, 50), 0);
    ws_send(&c, "{\"k\":1}");
    assert_int_equal(ws_wait(&c, 1, 5000), 1);
    assert_frame(&c, 0, MG_WEBSOCKET_OPCODE_TEXT, "exact-ok");
    n = mk_mock_journal(m, e, 4);
    assert_int_equal(n, 2);
    assert_int_equal(e[0].status, 101);
    assert_string_equal(e[0].interaction, "exact");
    assert_int_equal(e[1].matched, 0);
    assert_string_equal(e[1].near_miss, "frame: /extra: expected absent, got 2");
    ws_close(&c);
    assert_int_equal(ws_open(&d, m, "/any"), 0);
    ws_send(&d, "anything at all");
    assert_int_equal(ws_wait(&d, 1, 5000), 1);
    assert_frame(&d, 0, MG_WEBSOCKET_OPCODE_TEXT, "any-ok");
    ws_close(&d);
    mk_mock_free(m);
}

static void unmatched_frame_keeps_socket_open(void **state)
{
    const char *paths[] = {ROUNDTRIP};
    mk_mock *m = cu_mock(NULL, paths, 1, 0.0, NULL);
    wclient c;
    mk_journal_entry e[4];
    (void)state;
    assert_int_equal(ws_open(&c, m, "/ws/chat"), 0);
    assert_int_equal(ws_wait(&c, 1, 5000), 1);
    ws_send(&c, "{\"q\":\"nope\"}");
    assert_int_equal(ws_wait(&c, 2, 50), 1);
    /* still open: the recorded exchange works afterwards */
    ws_send(&c, "{\"q\":\"hi\"}");
    assert_int_equal(ws_wait(&c, 3, 5000), 3);
    assert_frame(&c, 1, MG_WEBSOCKET_OPCODE_TEXT, "{\"a\":\"hello\"}");
    /* frames are handled in order, so the miss is journaled by now */
    assert_int_equal(mk_mock_journal(m, e, 4), 2);
    assert_int_equal(e[1].matched, 0);
    assert_string_equal(e[1].path, "/ws/chat");
    assert_string_equal(e[1].interaction, "chat");
    assert_string_equal(e[1].near_miss, "frame: /q: expected \"hi\", got \"nope\"");
    ws_close(&c);
    mk_mock_free(m);
}

static void idle_socket_stays_open(void **state)
{
    const char *paths[] = {ROUNDTRIP};
    mk_mock *m = cu_mock(NULL, paths, 1, 0.0, NULL);
    wclient c;
    (void)state;
    assert_int_equal(ws_open(&c, m, "/ws/chat"), 0);
    assert_int_equal(ws_wait(&c, 1, 5000), 1);
    /* idle for well past the server's read timeout: no close arrives */
    assert_int_equal(ws_wait(&c, 2, 1500), 1);
    assert_false(c.closed);
    ws_send(&c, "{\"q\":\"hi\"}");
    assert_int_equal(ws_wait(&c, 3, 5000), 3);
    assert_frame(&c, 1, MG_WEBSOCKET_OPCODE_TEXT, "{\"a\":\"hello\"}");
    ws_close(&c);
    mk_mock_free(m);
}

static void unknown_path_refused(void **state)
{
    const char *paths[] = {ROUNDTRIP};
    mk_mock *m = cu_mock(NULL, paths, 1, 0.0, NULL);
    wclient c;
    mk_journal_entry e[2];
    (void)state;
    assert_int_equal(ws_open(&c, m, "/ws/other"), -1);
    c.conn = NULL;
    ws_close(&c);
    assert_int_equal(mk_mock_journal(m, e, 2), 1);
    assert_int_equal(e[0].status, 404);
    assert_non_null(strstr(e[0].near_miss, "path: expected \"/ws/chat\""));
    mk_mock_free(m);
}

static void trigger_gates_frame(void **state)
{
    const char *paths[] = {TRIGGERS};
    mk_clock *clk = mk_clock_new_virtual();
    mk_mock *m = cu_mock(NULL, paths, 1, 1.0, clk);
    wclient c;
    char url[256];
    cu_resp r;
    (void)state;
    assert_int_equal(ws_open(&c, m, "/ws/live"), 0);
    assert_int_equal(ws_wait(&c, 1, 5000), 1);
    assert_frame(&c, 0, MG_WEBSOCKET_OPCODE_TEXT, "hi");
    assert_int_equal(mk_clock_wait_for_waiters(clk, 1, 5000), 0);
    mk_clock_advance(clk, 10000); /* long past its recorded time */
    assert_int_equal(mk_clock_wait_for_waiters(clk, 1, 5000), 0);
    assert_int_equal(ws_wait(&c, 2, 50), 1);
    snprintf(url, sizeof(url), "%s/kick2", mk_mock_url(m));
    assert_int_equal(cu_request("POST", url, NULL, "", &r), 0);
    assert_int_equal(r.status, 201);
    cu_resp_free(&r);
    assert_int_equal(mk_clock_wait_for_waiters(clk, 1, 5000), 0);
    mk_clock_advance(clk, 49); /* 3450 - 3400 = 50 ms after the trigger */
    assert_int_equal(mk_clock_wait_for_waiters(clk, 1, 5000), 0);
    assert_int_equal(ws_wait(&c, 2, 50), 1);
    mk_clock_advance(clk, 1);
    assert_int_equal(ws_wait(&c, 2, 5000), 2);
    assert_frame(&c, 1, MG_WEBSOCKET_OPCODE_TEXT, "{\"event\":\"kicked\"}");
    ws_close(&c);
    mk_mock_free(m);
    mk_clock_free(clk);
}

static void client_vanishes_mid_session(void **state)
{
    const char *paths[] = {ROUNDTRIP, TRIGGERS};
    mk_mock *m = cu_mock(NULL, paths, 2, 1.0, NULL);
    wclient a, b;
    char url[256];
    cu_resp r;
    (void)state;
    /* a leaves while its player waits 60 ms for the next frame */
    assert_int_equal(ws_open(&a, m, "/ws/chat"), 0);
    assert_int_equal(ws_wait(&a, 1, 5000), 1);
    ws_send(&a, "{\"q\":\"hi\"}");
    ws_close(&a);
    /* b's player waits for a trigger that never comes when the mock stops */
    assert_int_equal(ws_open(&b, m, "/ws/live"), 0);
    assert_int_equal(ws_wait(&b, 1, 5000), 1);
    snprintf(url, sizeof(url), "%s/hello", mk_mock_url(m));
    assert_int_equal(cu_request("GET", url, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    cu_resp_free(&r);
    mk_mock_free(m);
    ws_wait(&b, 2, 5000); /* the server went away: on_close fires */
    assert_true(b.closed);
    ws_close(&b);
}

/* An upgrade with an over-long key is refused before anything is set up:
 * a 400, no 101 in the journal, and (under ASan) nothing leaked. */
static void overlong_key_is_refused_cleanly(void **state)
{
    const char *paths[] = {ROUNDTRIP};
    mk_mock *m = cu_mock(NULL, paths, 1, 0.0, NULL);
    char url[256], key[128];
    cu_resp r;
    mk_journal_entry e[4];
    (void)state;
    memset(key, 'A', 80);
    key[80] = '\0';
    char key_header[160];
    snprintf(key_header, sizeof(key_header), "Sec-WebSocket-Key: %s", key);
    const char *headers[] = {"Connection: Upgrade", "Upgrade: websocket",
                             "Sec-WebSocket-Version: 13", key_header, NULL};
    snprintf(url, sizeof(url), "%s/ws/chat", mk_mock_url(m));
    assert_int_equal(cu_request("GET", url, headers, NULL, &r), 0);
    assert_int_equal(r.status, 400);
    cu_resp_free(&r);
    /* journaled as the refusal it is, never as a 101 */
    assert_int_equal(mk_mock_journal(m, e, 4), 1);
    assert_int_equal(e[0].status, 400);
    mk_mock_free(m);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(overlong_key_is_refused_cleanly),
        cmocka_unit_test(chat_recorded_speed),
        cmocka_unit_test(chat_scaled_speed),
        cmocka_unit_test(chat_instant),
        cmocka_unit_test(chat_on_virtual_clock),
        cmocka_unit_test(two_exchanges_on_one_socket),
        cmocka_unit_test(exact_and_any_frames),
        cmocka_unit_test(unmatched_frame_keeps_socket_open),
        cmocka_unit_test(idle_socket_stays_open),
        cmocka_unit_test(unknown_path_refused),
        cmocka_unit_test(trigger_gates_frame),
        cmocka_unit_test(client_vanishes_mid_session),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
