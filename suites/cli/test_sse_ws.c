/* test_sse_ws.c: `mockkit sse` and `mockkit ws`, the built binary run as a
 * child (suites/common/child.h) against an embedded mock replaying
 * suites/client/cassettes/, with assertions on the JSON lines printed and
 * the exit status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "mockkit/mock.h"
#include "child.h"
#include "suite.h"
#include "test_server.h"

#define MOCKKIT SUITE_MOCKKIT
#define CASSETTES MOCKKIT_SOURCE_DIR "/suites/client/cassettes"

static mk_mock *mock;

static int setup(void **state)
{
    (void)state;
    mk_mock_options o;
    mk_mock_options_init(&o);
    o.service = NULL;
    o.speed = 0;
    o.quiet = 1;
    const char *paths[] = {CASSETTES};
    mk_diag diag = {0};
    if (mk_mock_new(&o, paths, 1, &mock, &diag) != MK_MOCK_OK) {
        fprintf(stderr, "mock: %s: %s\n", diag.file, diag.message);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    mk_mock_free(mock);
    return 0;
}

typedef struct run_out {
    char text[8192];  /* stdout and stderr, interleaved */
    int status;       /* exit status, -1 if it did not exit */
} run_out;

/* Run `mockkit ARGS` (a shell fragment) and collect its output. */
static void run(run_out *r, const char *fmt, const char *url, const char *rest)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' %s '%s' %s 2>&1", MOCKKIT, fmt, url, rest);
    int st = suite_child_shell(cmd, 30000, r->text, sizeof r->text);
    r->status = st >= 0 && st < 128 ? st : -1;
}

static void test_sse_prints_each_event_as_json(void **state)
{
    (void)state;
    char url[256];
    snprintf(url, sizeof url, "%s/events", mk_mock_url(mock));
    run_out r;
    run(&r, "sse", url, "");
    assert_int_equal(r.status, 0);
    assert_string_equal(
        r.text,
        "{\"event\":\"thread.run.created\",\"data\":\"{\\\"id\\\":\\\"run_1\\\",\\\"status\\\":\\\"queued\\\"}\",\"id\":\"1\"}\n"
        "{\"event\":\"message\",\"data\":\"line one\\nline two\",\"id\":\"1\"}\n"
        "{\"event\":\"done\",\"data\":\"[DONE]\",\"id\":\"3\"}\n");
}

static void test_sse_max_events(void **state)
{
    (void)state;
    char url[256];
    snprintf(url, sizeof url, "%s/events", mk_mock_url(mock));
    run_out r;
    run(&r, "sse", url, "--max-events 1 -H 'X-Test: 1'");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.text, "{\"event\":\"thread.run.created\",\"data\":"
                                "\"{\\\"id\\\":\\\"run_1\\\",\\\"status\\\":\\\"queued\\\"}\",\"id\":\"1\"}\n");
}

static void test_sse_post_with_body(void **state)
{
    (void)state;
    char url[256];
    snprintf(url, sizeof url, "%s/runs", mk_mock_url(mock));
    run_out r;
    run(&r, "sse", url, "--method POST --data '{\"assistant_id\":\"asst_1\",\"stream\":true}'");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.text, "{\"event\":\"thread.run.completed\",\"data\":\"{\\\"id\\\":"
                                "\\\"run_2\\\"}\",\"id\":\"\"}\n");
}

static void test_sse_cut_stream_fails_after_the_whole_events(void **state)
{
    (void)state;
    char url[256];
    snprintf(url, sizeof url, "%s/cut", mk_mock_url(mock));
    run_out r;
    run(&r, "sse", url, "");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.text, "{\"event\":\"message\",\"data\":\"whole\",\"id\":\"\"}\n"));
    assert_non_null(strstr(r.text, "middle of an event"));
    assert_non_null(strstr(r.text, url));
}

static void test_sse_http_error_names_status_and_body(void **state)
{
    (void)state;
    char url[256];
    snprintf(url, sizeof url, "%s/not-sse", mk_mock_url(mock));
    run_out r;
    run(&r, "sse", url, "");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.text, "HTTP 404"));
    assert_non_null(strstr(r.text, "no such stream"));
    assert_null(strstr(r.text, "{\"event\""));
}

static void test_sse_refused_names_the_url(void **state)
{
    (void)state;
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/events", ts_free_port());
    run_out r;
    run(&r, "sse", url, "--timeout 2000");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.text, url));
    assert_non_null(strstr(r.text, "could not connect"));
}

static void test_sse_usage_errors(void **state)
{
    (void)state;
    run_out r;
    run(&r, "sse", "http://127.0.0.1:1/x", "--max-events many");
    assert_int_equal(r.status, 2);
    run(&r, "sse", "--bogus", "");
    assert_int_equal(r.status, 2);
    run(&r, "sse", "--help", "");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.text, "usage: mockkit sse URL"));
}

static void test_ws_session(void **state)
{
    (void)state;
    char url[256];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/session", mk_mock_port(mock));
    run_out r;
    run(&r, "ws", url, "--send '{\"question\":\"hi\"}' --timeout 5000");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.text, "{\"type\":\"text\",\"data\":\"hello\"}\n"
                                "{\"type\":\"text\",\"data\":\"{\\\"answer\\\":\\\"Hi there\\\"}\"}\n"
                                "{\"type\":\"binary\",\"data_base64\":\"AAEC/w==\"}\n"
                                "{\"type\":\"close\",\"code\":1000,\"reason\":\"bye\"}\n");
}

static void test_ws_expect_n_frames(void **state)
{
    (void)state;
    char url[256];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/chatter", mk_mock_port(mock));
    run_out r;
    run(&r, "ws", url, "--expect 2 --timeout 5000");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.text, "{\"type\":\"text\",\"data\":\"one\"}\n"
                                "{\"type\":\"text\",\"data\":\"two\"}\n");
}

static void test_ws_timeout_short_of_expect_fails(void **state)
{
    (void)state;
    char url[256];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/chatter", mk_mock_port(mock));
    run_out r;
    long long t0 = ts_now_ms();
    run(&r, "ws", url, "--expect 5 --timeout 500");
    assert_true(ts_now_ms() - t0 < 4000);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.text, "timed out after 3 of 5 frames"));
}

static void test_ws_refused_names_the_url(void **state)
{
    (void)state;
    char url[256];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/session", ts_free_port());
    run_out r;
    run(&r, "ws", url, "");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.text, url));
    run(&r, "ws", "--help", "");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.text, "usage: mockkit ws URL"));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sse_prints_each_event_as_json),
        cmocka_unit_test(test_sse_max_events),
        cmocka_unit_test(test_sse_post_with_body),
        cmocka_unit_test(test_sse_cut_stream_fails_after_the_whole_events),
        cmocka_unit_test(test_sse_http_error_names_status_and_body),
        cmocka_unit_test(test_sse_refused_names_the_url),
        cmocka_unit_test(test_sse_usage_errors),
        cmocka_unit_test(test_ws_session),
        cmocka_unit_test(test_ws_expect_n_frames),
        cmocka_unit_test(test_ws_timeout_short_of_expect_fails),
        cmocka_unit_test(test_ws_refused_names_the_url),
    };
    return SUITE_RUN(argc, argv, tests, setup, teardown);
}
