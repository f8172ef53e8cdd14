/* test_isolation.c: one client's abandoned, slow or surplus connections do
 * not stop the mock serving others: a stream whose client left frees its
 * slot within a second even while parked on an `after` trigger, slow
 * headers hit a deadline, past max_connections comes a 503 in the
 * service's envelope (admin paths always answered), and the default mock
 * holds 1,000 streams at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rb_util.h"
#include "suite.h"

#define CAIROS MOCKKIT_FIXTURES_DIR "/cairos"
#define PIECES MOCKKIT_FIXTURES_DIR "/pieces"

/* A stream parked on a trigger that never comes (errors-chat is never
 * posted): its head arrives, its first chunk waits forever. */
static const char GATED[] =
    "GET /api/event_log HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n"
    "X-Mockkit-Scenario: errors\r\nAuthorization: Bearer t\r\n"
    "Cookie: Outseta.nocode.accessToken=t; cairos_session=s\r\n\r\n";
static const char CAIROS_PLAIN[] =
    "GET /api/avatar HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n"
    "Cookie: Outseta.nocode.accessToken=t; cairos_session=s\r\nConnection: close\r\n\r\n";
static const char PIECES_HEALTH[] =
    "GET /.well-known/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

static mk_mock *start(const char *service, const char *dir, int max_conn, int timeout_ms)
{
    mk_mock_options o;
    const char *paths[] = {dir};
    mk_mock_options_init(&o);
    o.service = service;
    o.speed = 0;
    o.quiet = 1;
    o.max_connections = max_conn;
    o.request_timeout_ms = timeout_ms;
    return rb_mock(&o, paths, 1);
}

/* Open n gated streams; each must get its 200 head. */
static void open_gated(mk_mock *m, int *fds, int n)
{
    char buf[2048];
    for (int i = 0; i < n; i++) {
        fds[i] = rb_connect(mk_mock_port(m));
        assert_true(fds[i] >= 0);
        assert_int_equal(rb_send(fds[i], GATED, sizeof(GATED) - 1), 0);
    }
    for (int i = 0; i < n; i++) {
        rb_read_until(fds[i], buf, sizeof(buf), "\r\n\r\n", 10000);
        assert_int_equal(rb_status(buf), 200);
    }
}

static int status_of(mk_mock *m, const char *raw)
{
    char out[16384];
    return rb_exchange(mk_mock_port(m), raw, NULL, 0, out, sizeof(out), 10000);
}

static void full_mock_refuses_with_503_but_answers_admin(void **state)
{
    mk_mock *m = start("cairos", CAIROS, 4, 0);
    int fds[4];
    char out[4096];
    (void)state;
    open_gated(m, fds, 4);
    assert_int_equal(rb_exchange(mk_mock_port(m), CAIROS_PLAIN, NULL, 0, out, sizeof(out), 10000),
                     503);
    assert_non_null(strstr(out, "{\"detail\":\"mockkit: 4 connections already being served"));
    assert_int_equal(status_of(m, "POST /__mockkit/reset HTTP/1.1\r\nHost: x\r\nContent-Length: 0"
                                  "\r\nConnection: close\r\n\r\n"),
                     200);
    assert_int_equal(status_of(m, "GET /__mockkit/requests HTTP/1.1\r\nHost: x\r\nConnection: "
                                  "close\r\n\r\n"),
                     200);
    for (int i = 0; i < 4; i++) {
        close(fds[i]);
    }
    mk_mock_free(m);
}

/* 64 abandoned gated streams: the wedge. Each slot must come back
 * within about a second of its client leaving, with no trigger ever. */
static void abandoned_gated_streams_give_their_slots_back(void **state)
{
    enum { N = 64 };
    mk_mock *m = start("cairos", CAIROS, N, 0);
    int fds[N], status = 503;
    int64_t closed_at, deadline;
    (void)state;
    open_gated(m, fds, N);
    assert_int_equal(status_of(m, CAIROS_PLAIN), 503);
    for (int i = 0; i < N; i++) {
        close(fds[i]);
    }
    closed_at = rb_now_ms();
    deadline = closed_at + 5000; /* generous for a loaded machine; the bound is checked below */
    while (status == 503 && rb_now_ms() < deadline) {
        status = status_of(m, CAIROS_PLAIN);
    }
    assert_int_equal(status, 200);
    /* reset and a full set of new streams: every slot is free again */
    assert_int_equal(status_of(m, "POST /__mockkit/reset HTTP/1.1\r\nHost: x\r\nContent-Length: 0"
                                  "\r\nConnection: close\r\n\r\n"),
                     200);
    for (int tries = 0; tries < 100; tries++) {
        char buf[2048];
        int ok = 1;
        for (int i = 0; i < N; i++) {
            fds[i] = rb_connect(mk_mock_port(m));
            assert_true(fds[i] >= 0);
            assert_int_equal(rb_send(fds[i], GATED, sizeof(GATED) - 1), 0);
        }
        for (int i = 0; i < N; i++) {
            rb_read_until(fds[i], buf, sizeof(buf), "\r\n\r\n", 10000);
            ok &= rb_status(buf) == 200;
            close(fds[i]);
        }
        if (ok) {
            break;
        }
        assert_true(rb_now_ms() < deadline + 5000);
    }
    print_message("slots back %lld ms after the clients left\n",
                  (long long)(rb_now_ms() - closed_at));
    mk_mock_free(m);
}

static void one_abandoned_stream_is_noticed_within_a_second(void **state)
{
    mk_mock *m = start("cairos", CAIROS, 1, 0);
    int fd;
    int64_t closed_at, took = -1;
    (void)state;
    open_gated(m, &fd, 1);
    close(fd);
    closed_at = rb_now_ms();
    while (rb_now_ms() < closed_at + 5000) {
        if (status_of(m, CAIROS_PLAIN) == 200) {
            took = rb_now_ms() - closed_at;
            break;
        }
    }
    print_message("abandoned stream noticed after %lld ms\n", (long long)took);
    assert_true(took >= 0);
    assert_true(took <= 1000 + 500); /* MK__PROBE_MS slices, plus a loaded machine */
    mk_mock_free(m);
}

/* A client that resets its connection before the stream ever looked at
 * its socket: a reset socket has no peer name, and is still noticed. */
static void reset_stream_is_noticed_too(void **state)
{
    mk_mock *m = start("cairos", CAIROS, 1, 0);
    struct linger hard = {1, 0};
    int fd;
    int64_t closed_at, took = -1;
    (void)state;
    open_gated(m, &fd, 1);
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
    close(fd); /* RST, not FIN */
    closed_at = rb_now_ms();
    while (rb_now_ms() < closed_at + 5000) {
        if (status_of(m, CAIROS_PLAIN) == 200) {
            took = rb_now_ms() - closed_at;
            break;
        }
    }
    print_message("reset stream noticed after %lld ms\n", (long long)took);
    assert_true(took >= 0);
    assert_true(took <= 1000 + 500);
    mk_mock_free(m);
}

static void slow_headers_block_nobody_and_time_out(void **state)
{
    enum { N = 100 };
    mk_mock *m = start("pieces", PIECES, 0, 800);
    int fds[N];
    int64_t t0;
    (void)state;
    for (int i = 0; i < N; i++) {
        fds[i] = rb_connect(mk_mock_port(m));
        assert_true(fds[i] >= 0);
        assert_int_equal(rb_send(fds[i], "GET /.well-known/hea", 20), 0);
    }
    t0 = rb_now_ms();
    assert_int_equal(status_of(m, PIECES_HEALTH), 200);
    print_message("answered in %lld ms beside %d slow senders\n", (long long)(rb_now_ms() - t0), N);
    assert_true(rb_now_ms() - t0 < 2000);
    /* one more byte each, then silence: the header deadline closes them */
    for (int i = 0; i < N; i++) {
        assert_int_equal(rb_send(fds[i], "l", 1), 0);
    }
    for (int i = 0; i < N; i++) {
        assert_true(rb_closed_within(fds[i], 10000));
        close(fds[i]);
    }
    mk_mock_free(m);
}

/* Default options: 1,000 gated streams at once, and the port still answers. */
static void default_mock_holds_1000_streams(void **state)
{
    enum { N = 1000 };
    mk_mock *m = start("cairos", CAIROS, 0, 0);
    int *fds = calloc(N, sizeof(*fds));
    (void)state;
    assert_non_null(fds);
    open_gated(m, fds, N);
    assert_int_equal(status_of(m, CAIROS_PLAIN), 200); /* the default is 1,024 */
    for (int i = 0; i < N; i++) {
        close(fds[i]);
    }
    free(fds);
    mk_mock_free(m);
}

/* Default options: 1,000 websockets at once (each a worker and a player). */
static void default_mock_holds_1000_websockets(void **state)
{
    enum { N = 1000 };
    mk_mock *m = start("pieces", PIECES, 0, 0);
    int *fds = calloc(N, sizeof(*fds));
    (void)state;
    assert_non_null(fds);
    for (int i = 0; i < N; i++) {
        fds[i] = rb_connect(mk_mock_port(m));
        assert_true(fds[i] >= 0);
        assert_int_equal(rb_ws_open(fds[i], "/qgpt/stream", 10000), 101);
    }
    assert_int_equal(status_of(m, PIECES_HEALTH), 200);
    for (int i = 0; i < N; i++) {
        close(fds[i]);
    }
    free(fds);
    mk_mock_free(m);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_mock_refuses_with_503_but_answers_admin),
        cmocka_unit_test(one_abandoned_stream_is_noticed_within_a_second),
        cmocka_unit_test(abandoned_gated_streams_give_their_slots_back),
        cmocka_unit_test(reset_stream_is_noticed_too),
        cmocka_unit_test(slow_headers_block_nobody_and_time_out),
        cmocka_unit_test(default_mock_holds_1000_streams),
        cmocka_unit_test(default_mock_holds_1000_websockets),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
