/* test_abuse.c: input no client should send must get a clear answer in the
 * service's own envelope, and the process must go on serving: JSON nested
 * deeper than the engine parses (as a body and as a websocket text frame),
 * bodies and frames over their limits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "mockkit/cassette.h"
#include "rb_util.h"
#include "suite.h"

#define PIECES MOCKKIT_FIXTURES_DIR "/pieces"
#define BEE MOCKKIT_FIXTURES_DIR "/bee"
#define DEEP 800 /* the probe from issue 11: once enough to kill the process */

static mk_mock *start(const char *service, const char *dir, size_t max_body, size_t max_frame)
{
    mk_mock_options o;
    const char *paths[] = {dir};
    mk_mock_options_init(&o);
    o.service = service;
    o.speed = 0;
    o.quiet = 1;
    o.max_body = max_body;
    o.max_frame = max_frame;
    return rb_mock(&o, paths, 1);
}

static char *brackets(size_t n)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, '[', n);
    s[n] = '\0';
    return s;
}

/* The one parser every foreign JSON goes through (mock, recorder, clients). */
static void bounded_parser_counts_only_real_nesting(void **state)
{
    char *deep = brackets(DEEP);
    char at_limit[2 * MK_JSON_MAX_DEPTH + 1];
    int too_deep = 0;
    cJSON *v;
    (void)state;
    assert_null(mk_json_parse_bounded(deep, DEEP, &too_deep));
    assert_int_equal(too_deep, 1);
    free(deep);
    memset(at_limit, '[', MK_JSON_MAX_DEPTH);
    memset(at_limit + MK_JSON_MAX_DEPTH, ']', MK_JSON_MAX_DEPTH);
    v = mk_json_parse_bounded(at_limit, 2 * MK_JSON_MAX_DEPTH, &too_deep);
    assert_non_null(v);
    assert_int_equal(too_deep, 0);
    cJSON_Delete(v);
    /* brackets inside strings (escaped quotes included) are text, not nesting */
    v = mk_json_parse_bounded("{\"a\":\"[[[[\\\"[[[[\"}", 18, &too_deep);
    assert_non_null(v);
    assert_int_equal(mk_json_depth("{\"a\":\"[[[[\\\"[[[[\"}", 18, 64), 1);
    cJSON_Delete(v);
    assert_null(mk_json_parse_bounded("not json", 8, &too_deep));
    assert_int_equal(too_deep, 0);
}

/* Still serving: a recorded GET answers 200. */
static void assert_healthy(mk_mock *m, const char *raw)
{
    char out[8192];
    assert_int_equal(rb_exchange(mk_mock_port(m), raw, NULL, 0, out, sizeof(out), 5000), 200);
}

static const char PIECES_HEALTH[] =
    "GET /.well-known/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

static void deep_json_body_is_400_and_server_lives(void **state)
{
    mk_mock *m = start("pieces", PIECES, 0, 0);
    char *body = brackets(DEEP);
    char head[256], out[8192];
    (void)state;
    snprintf(head, sizeof(head),
             "POST /connect HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Content-Length: %d\r\nConnection: close\r\n\r\n",
             DEEP);
    assert_int_equal(rb_exchange(mk_mock_port(m), head, body, DEEP, out, sizeof(out), 5000), 400);
    /* Pieces answers errors as plain text; the message names the limit */
    assert_non_null(strstr(out, "text/plain"));
    assert_non_null(strstr(out, "deeper than 64 levels"));
    assert_healthy(m, PIECES_HEALTH);
    /* a body just at the limit is parsed (and, not recorded, unmatched) */
    free(body);
    body = malloc(2 * 64 + 1);
    memset(body, '[', 64);
    memset(body + 64, ']', 64);
    body[128] = '\0';
    snprintf(head, sizeof(head),
             "POST /connect HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Content-Length: 128\r\nConnection: close\r\n\r\n");
    assert_int_equal(rb_exchange(mk_mock_port(m), head, body, 128, out, sizeof(out), 5000), 404);
    free(body);
    mk_mock_free(m);
}

static void deep_json_in_bee_envelope(void **state)
{
    mk_mock *m = start("bee", BEE, 0, 0);
    char *body = brackets(DEEP);
    char head[256], out[8192];
    (void)state;
    /* Bee validates the body before auth: 400 even without a key */
    snprintf(head, sizeof(head),
             "POST /v1/threads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Content-Length: %d\r\nConnection: close\r\n\r\n",
             DEEP);
    assert_int_equal(rb_exchange(mk_mock_port(m), head, body, DEEP, out, sizeof(out), 5000), 400);
    assert_non_null(strstr(out, "{\"error\":{\"code\":\"invalid_input\",\"message\":"));
    free(body);
    mk_mock_free(m);
}

static void deep_json_frame_closes_1007(void **state)
{
    mk_mock *m = start("pieces", PIECES, 0, 0);
    char *frame = brackets(DEEP);
    int fd = rb_connect(mk_mock_port(m));
    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(rb_ws_open(fd, "/qgpt/stream", 5000), 101);
    assert_int_equal(rb_ws_send(fd, 0x1, frame, DEEP), 0);
    assert_int_equal(rb_ws_close_code(fd, 5000), 1007);
    close(fd);
    free(frame);
    assert_healthy(m, PIECES_HEALTH);
    mk_mock_free(m);
}

static void frame_over_max_closes_1009(void **state)
{
    mk_mock *m = start("pieces", PIECES, 0, 1024);
    char frame[2048];
    int fd = rb_connect(mk_mock_port(m));
    (void)state;
    memset(frame, 'a', sizeof(frame));
    assert_true(fd >= 0);
    assert_int_equal(rb_ws_open(fd, "/qgpt/stream", 5000), 101);
    assert_int_equal(rb_ws_send(fd, 0x1, frame, sizeof(frame)), 0);
    assert_int_equal(rb_ws_close_code(fd, 5000), 1009);
    close(fd);
    assert_healthy(m, PIECES_HEALTH);
    mk_mock_free(m);
}

/* A header claiming ~2 GB: refused from the header alone, nothing sent,
 * nothing reserved (CivetWeb's own reader allocated the claimed length). */
static void claimed_2gb_frame_closes_1009_at_once(void **state)
{
    mk_mock *m = start("pieces", PIECES, 0, 0);
    static const unsigned char head[] = {0x81, 0xff, 0, 0, 0, 0, 0x7f, 0xff, 0, 0,
                                         1, 2, 3, 4};
    int fd = rb_connect(mk_mock_port(m));
    int64_t t0;
    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(rb_ws_open(fd, "/qgpt/stream", 5000), 101);
    t0 = rb_now_ms();
    assert_int_equal(rb_send(fd, head, sizeof(head)), 0);
    assert_int_equal(rb_ws_close_code(fd, 5000), 1009);
    assert_true(rb_now_ms() - t0 < 2000);
    close(fd);
    assert_healthy(m, PIECES_HEALTH);
    mk_mock_free(m);
}

/* RFC 6455 5.1: a server closes on an unmasked client frame (1002); and
 * the handshake answers the RFC's own sample key with its sample accept. */
static void handshake_and_unmasked_frame(void **state)
{
    mk_mock *m = start("pieces", PIECES, 0, 0);
    static const unsigned char unmasked[] = {0x81, 0x02, 'h', 'i'};
    char resp[2048];
    int fd = rb_connect(mk_mock_port(m));
    (void)state;
    assert_true(fd >= 0);
    static const char upgrade[] =
        "GET /qgpt/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    assert_int_equal(rb_send(fd, upgrade, sizeof(upgrade) - 1), 0);
    rb_read_until(fd, resp, sizeof(resp), "\r\n\r\n", 5000);
    assert_int_equal(rb_status(resp), 101);
    assert_non_null(strstr(resp, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    assert_int_equal(rb_send(fd, unmasked, sizeof(unmasked)), 0);
    assert_int_equal(rb_ws_close_code(fd, 5000), 1002);
    close(fd);
    mk_mock_free(m);
}

static void body_over_max_is_413(void **state)
{
    mk_mock *m = start("pieces", PIECES, 1024, 0);
    char body[2048], out[8192];
    (void)state;
    memset(body, ' ', sizeof(body));
    /* sent in full */
    assert_int_equal(rb_exchange(mk_mock_port(m),
                                 "POST /connect HTTP/1.1\r\nHost: x\r\nContent-Length: 2048\r\n"
                                 "Connection: close\r\n\r\n",
                                 body, sizeof(body), out, sizeof(out), 5000),
                     413);
    assert_non_null(strstr(out, "larger than 1024 bytes"));
    /* claimed only: refused at once, nothing reserved for a terabyte */
    assert_int_equal(rb_exchange(mk_mock_port(m),
                                 "POST /connect HTTP/1.1\r\nHost: x\r\nContent-Length: "
                                 "1099511627776\r\n\r\n",
                                 NULL, 0, out, sizeof(out), 5000),
                     413);
    /* chunked, no length given */
    memcpy(body + 2048 - 7, "\r\n0\r\n\r\n", 7);
    assert_int_equal(rb_exchange(mk_mock_port(m),
                                 "POST /connect HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked"
                                 "\r\nConnection: close\r\n\r\n7f9\r\n",
                                 body, sizeof(body), out, sizeof(out), 5000),
                     413);
    assert_healthy(m, PIECES_HEALTH);
    mk_mock_free(m);
}

/* CivetWeb 1.15 echoed the version into its status line ("HTTP/1.1x 505")
 * and sent an upgrade without a key a body with no status line. */
static void civetweb_errors_get_a_status_line_and_envelope(void **state)
{
    mk_mock *m = start("bee", BEE, 0, 0);
    char out[4096];
    (void)state;
    assert_int_equal(rb_exchange(mk_mock_port(m), "GET /v1/threads HTTP/1.1x\r\nHost: x\r\n\r\n",
                                 NULL, 0, out, sizeof(out), 5000),
                     400);
    assert_memory_equal(out, "HTTP/1.1 400 Bad Request\r\n", 26);
    assert_non_null(strstr(out, "{\"error\":{\"code\":\"invalid_input\""));
    assert_int_equal(rb_exchange(mk_mock_port(m),
                                 "GET /v1/threads HTTP/1.1\x0b\r\nHost: x\r\n\r\n", NULL, 0,
                                 out, sizeof(out), 5000),
                     400);
    assert_int_equal(rb_exchange(mk_mock_port(m),
                                 "GET /v1/threads HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                                 "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n",
                                 NULL, 0, out, sizeof(out), 5000),
                     400);
    assert_memory_equal(out, "HTTP/1.1 400 Bad Request\r\n", 26);
    assert_non_null(strstr(out, "Sec-WebSocket-Key"));
    /* a well-formed version we do not speak stays a 505, with our status line */
    assert_int_equal(rb_exchange(mk_mock_port(m), "GET /v1/threads HTTP/2\r\nHost: x\r\n\r\n",
                                 NULL, 0, out, sizeof(out), 5000),
                     505);
    assert_memory_equal(out, "HTTP/1.1 505 ", 13);
    mk_mock_free(m);
}

/* A new key per request fills the bounded rate-limit table (4,096 keys)
 * and turns it over; limiting still works for a key in use. */
static void rate_limit_survives_a_new_key_per_request(void **state)
{
    mk_mock_options o;
    const char *paths[] = {BEE};
    mk_mock *m;
    char raw[256], out[4096];
    int statuses[3];
    int64_t t0;
    (void)state;
    mk_mock_options_init(&o);
    o.service = "bee";
    o.speed = 0;
    o.quiet = 1;
    o.rate_limit = 2;
    m = rb_mock(&o, paths, 1);
    for (int i = 0; i < 5000; i++) {
        snprintf(raw, sizeof(raw),
                 "GET /v1/threads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer churn-%d\r\n"
                 "Connection: close\r\n\r\n",
                 i);
        assert_int_equal(rb_exchange(mk_mock_port(m), raw, NULL, 0, out, sizeof(out), 5000), 401);
    }
    t0 = rb_now_ms();
    for (int i = 0; i < 3; i++) {
        statuses[i] = rb_exchange(mk_mock_port(m),
                                  "GET /v1/threads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                                  "steady\r\nConnection: close\r\n\r\n",
                                  NULL, 0, out, sizeof(out), 5000);
    }
    assert_int_not_equal(statuses[0], 429);
    assert_int_not_equal(statuses[1], 429);
    if (rb_now_ms() - t0 < 1000) { /* all three in one window */
        assert_int_equal(statuses[2], 429);
    }
    mk_mock_free(m);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bounded_parser_counts_only_real_nesting),
        cmocka_unit_test(deep_json_body_is_400_and_server_lives),
        cmocka_unit_test(deep_json_in_bee_envelope),
        cmocka_unit_test(deep_json_frame_closes_1007),
        cmocka_unit_test(frame_over_max_closes_1009),
        cmocka_unit_test(claimed_2gb_frame_closes_1009_at_once),
        cmocka_unit_test(handshake_and_unmasked_frame),
        cmocka_unit_test(body_over_max_is_413),
        cmocka_unit_test(civetweb_errors_get_a_status_line_and_envelope),
        cmocka_unit_test(rate_limit_survives_a_new_key_per_request),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
