/* test_options.c: the command line every `mockkit` subcommand shares:
 * --opt=value as well as --opt value, the same words for unknown options
 * and missing values, exit 2 for every usage error, `mockkit version`,
 * --json for lint/diff/check, distinct messages for bad URLs and a refused
 * websocket upgrade, and SSE data holding NUL printed whole. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <civetweb.h>
#include <cjson/cJSON.h>

#include "child.h"
#include "mockkit/mock.h"
#include "suite.h"

#define CASSETTES MOCKKIT_SOURCE_DIR "/suites/record/cassettes"

static char out[16384], err[16384];

/* Every command words an unknown option and a missing value the same way,
 * and both are exit 2. */
static void test_unknown_option_same_everywhere(void **state)
{
    (void)state;
    const char *cmds[] = {"serve", "check", "lint", "record", "diff", "sse", "ws"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        const char *argv[] = {"mockkit", cmds[i], "--bogus", NULL};
        assert_int_equal(suite_child_run(argv, out, sizeof out, err, sizeof err), 2);
        char want[64];
        snprintf(want, sizeof want, "mockkit %s: unknown option --bogus", cmds[i]);
        if (!strstr(err, want))
            fail_msg("%s: wanted '%s', stderr was: %s", cmds[i], want, err);
    }
    const char *eq[] = {"mockkit", "lint", "--bogus=1", "x.json", NULL};
    assert_int_equal(suite_child_run(eq, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "unknown option --bogus\n"));

    const char *missing[] = {"mockkit", "record", "--upstream", "http://127.0.0.1:1", "--out", NULL};
    assert_int_equal(suite_child_run(missing, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "mockkit record: --out needs a value"));

    const char *flag_value[] = {"mockkit", "serve", "--quiet=yes", NULL};
    assert_int_equal(suite_child_run(flag_value, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "--quiet takes no value"));

    const char *top[] = {"mockkit", "--bogus", NULL};
    assert_int_equal(suite_child_run(top, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "mockkit: unknown option --bogus"));
}

/* --opt=value means the same as --opt value. */
static void test_equals_form_accepted(void **state)
{
    (void)state;
    const char *spaced[] = {"mockkit", "diff", CASSETTES "/base.json", CASSETTES "/drift-timing.json",
                      "--timing-threshold", "5000", NULL};
    assert_int_equal(suite_child_run(spaced, out, sizeof out, err, sizeof err), 0);
    const char *joined[] = {"mockkit", "diff", CASSETTES "/base.json", CASSETTES "/drift-timing.json",
                      "--timing-threshold=5000", NULL};
    assert_int_equal(suite_child_run(joined, out, sizeof out, err, sizeof err), 0);
    assert_non_null(strstr(out, "compatible"));
    /* and the value is really used: the default threshold reports drift */
    const char *dflt[] = {"mockkit", "diff", CASSETTES "/base.json", CASSETTES "/drift-timing.json", NULL};
    assert_int_equal(suite_child_run(dflt, out, sizeof out, err, sizeof err), 1);

    const char *bad[] = {"mockkit", "diff", "--timing-threshold=", "a", "b", NULL};
    assert_int_equal(suite_child_run(bad, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "is not a percentage"));
}

static void test_version_command(void **state)
{
    (void)state;
    const char *argv[] = {"mockkit", "version", NULL};
    assert_int_equal(suite_child_run(argv, out, sizeof out, err, sizeof err), 0);
    assert_int_equal(strncmp(out, "mockkit ", 8), 0);
    assert_true(out[8] >= '0' && out[8] <= '9');
    const char *flag[] = {"mockkit", "--version", NULL};
    char again[256];
    assert_int_equal(suite_child_run(flag, again, sizeof again, err, sizeof err), 0);
    assert_string_equal(again, out);
}

/* An empty URL, a URL without a scheme and an unsupported scheme are three
 * different mistakes with three different messages. */
static void test_url_mistakes_have_own_messages(void **state)
{
    (void)state;
    const char *empty[] = {"mockkit", "sse", "", NULL};
    assert_int_equal(suite_child_run(empty, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "mockkit sse: empty URL"));

    const char *scheme[] = {"mockkit", "sse", "ftp://127.0.0.1:1/x", NULL};
    assert_int_equal(suite_child_run(scheme, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "unsupported scheme 'ftp'"));

    const char *noscheme[] = {"mockkit", "ws", "127.0.0.1:1/x", NULL};
    assert_int_equal(suite_child_run(noscheme, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "not a URL"));

    const char *ws_http[] = {"mockkit", "ws", "http://127.0.0.1:1/x", NULL};
    assert_int_equal(suite_child_run(ws_http, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "unsupported scheme 'http'"));

    /* nothing listening: the system's reason, not "could not connect (...)" */
    const char *refused[] = {"mockkit", "sse", "http://127.0.0.1:1/x", NULL};
    assert_int_equal(suite_child_run(refused, out, sizeof out, err, sizeof err), 1);
    assert_non_null(strstr(err, "could not connect to http://127.0.0.1:1/x: connection refused"));

    const char *up[] = {"mockkit", "record", "--upstream", "gopher://h", "--out", "/tmp/x.json", NULL};
    assert_int_equal(suite_child_run(up, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "unsupported scheme 'gopher'"));
}

/* A server that answers the upgrade with a plain HTTP error: the message
 * names the status. */
static void test_ws_refused_upgrade_names_status(void **state)
{
    (void)state;
    mk_mock_options o;
    mk_mock_options_init(&o);
    o.service = "openai";
    o.port = 0;
    o.quiet = 1;
    const char *paths[] = {MOCKKIT_FIXTURES_DIR "/openai"};
    mk_mock *m = NULL;
    mk_diag d;
    assert_int_equal(mk_mock_new(&o, paths, 1, &m, &d), MK_MOCK_OK);
    char url[512];
    snprintf(url, sizeof url, "ws%s/v1/no-such-socket", mk_mock_url(m) + 4);
    const char *argv[] = {"mockkit", "ws", url, "--timeout=2000", NULL};
    int rc = suite_child_run(argv, out, sizeof out, err, sizeof err);
    mk_mock_free(m);
    assert_int_equal(rc, 1);
    if (!strstr(err, "websocket upgrade refused: HTTP 404"))
        fail_msg("stderr: %s", err);
}

static cJSON *parse_out(void)
{
    cJSON *j = cJSON_Parse(out);
    if (!j)
        fail_msg("not JSON: %s", out);
    return j;
}

static void test_lint_json(void **state)
{
    (void)state;
    const char *argv[] = {"mockkit", "lint", "--json", CASSETTES "/invalid.json", CASSETTES "/base.json",
                    NULL};
    assert_int_equal(suite_child_run(argv, out, sizeof out, err, sizeof err), 1);
    cJSON *j = parse_out();
    assert_int_equal(cJSON_GetObjectItem(j, "cassettes")->valueint, 2);
    cJSON *problems = cJSON_GetObjectItem(j, "problems");
    assert_int_equal(cJSON_GetArraySize(problems), cJSON_GetObjectItem(j, "errors")->valueint);
    cJSON *first = cJSON_GetArrayItem(problems, 0);
    assert_non_null(strstr(cJSON_GetObjectItem(first, "file")->valuestring, "invalid.json"));
    assert_string_equal(cJSON_GetObjectItem(first, "pointer")->valuestring,
                        "/interactions/4/response/status");
    cJSON_Delete(j);

    const char *clean[] = {"mockkit", "lint", "--json", CASSETTES "/base.json", NULL};
    assert_int_equal(suite_child_run(clean, out, sizeof out, err, sizeof err), 0);
    j = parse_out();
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "problems")), 0);
    cJSON_Delete(j);
}

static void test_diff_json(void **state)
{
    (void)state;
    const char *argv[] = {"mockkit", "diff", "--json", CASSETTES "/base.json",
                    CASSETTES "/drift-status.json", NULL};
    assert_int_equal(suite_child_run(argv, out, sizeof out, err, sizeof err), 1);
    cJSON *j = parse_out();
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(j, "compatible")));
    cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "findings"), 0);
    assert_non_null(f);
    assert_string_equal(cJSON_GetObjectItem(f, "kind")->valuestring, "status-changed");
    cJSON_Delete(j);
}

/* An SSE server that sends one event whose data holds a NUL byte. */
static void *nul_server(void *arg)
{
    int lfd = *(int *)arg;
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        return NULL;
    char req[4096];
    ssize_t n = recv(fd, req, sizeof req, 0);
    (void)n;
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                               "Connection: close\r\n\r\n"
                               "event: part\ndata: before\0after\n\n";
    ssize_t w = send(fd, resp, sizeof resp - 1, MSG_NOSIGNAL);
    (void)w;
    close(fd);
    return NULL;
}

static void test_sse_prints_nul_whole(void **state)
{
    (void)state;
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(lfd, 1), 0);
    socklen_t len = sizeof a;
    getsockname(lfd, (struct sockaddr *)&a, &len);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, nul_server, &lfd), 0);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/stream", ntohs(a.sin_port));
    const char *argv[] = {"mockkit", "sse", url, "--timeout", "5000", NULL};
    int rc = suite_child_run(argv, out, sizeof out, err, sizeof err);
    shutdown(lfd, SHUT_RDWR);  /* unblocks accept if the child never came */
    pthread_join(t, NULL);
    close(lfd);
    assert_int_equal(rc, 0);
    assert_string_equal(out, "{\"event\":\"part\",\"data\":\"before\\u0000after\",\"id\":\"\"}\n");
}

/* A websocket server whose greeting is a text frame holding a NUL. */
static int ws_connect(const struct mg_connection *c, void *u)
{
    (void)c;
    (void)u;
    return 0;
}

static void ws_ready(struct mg_connection *c, void *u)
{
    (void)u;
    static const char text[] = "a\0b";
    mg_websocket_write(c, MG_WEBSOCKET_OPCODE_TEXT, text, sizeof text - 1);
}

static int ws_data(struct mg_connection *c, int bits, char *data, size_t len, void *u)
{
    (void)c;
    (void)bits;
    (void)data;
    (void)len;
    (void)u;
    return 1;
}

static void test_ws_prints_nul_whole(void **state)
{
    (void)state;
    const char *cfg[] = {"listening_ports", "127.0.0.1:0", "num_threads", "4", NULL};
    struct mg_callbacks cb;
    memset(&cb, 0, sizeof cb);
    struct mg_context *ctx = mg_start(&cb, NULL, cfg);
    assert_non_null(ctx);
    mg_set_websocket_handler(ctx, "/ws", ws_connect, ws_ready, ws_data, NULL, NULL);
    struct mg_server_port sp[2];
    assert_true(mg_get_server_ports(ctx, 2, sp) >= 1);
    char url[128];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/ws", sp[0].port);
    const char *argv[] = {"mockkit", "ws", url, "--expect=1", "--timeout=5000", NULL};
    int rc = suite_child_run(argv, out, sizeof out, err, sizeof err);
    mg_stop(ctx);
    assert_int_equal(rc, 0);
    assert_string_equal(out, "{\"type\":\"text\",\"data\":\"a\\u0000b\"}\n");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_option_same_everywhere),
        cmocka_unit_test(test_equals_form_accepted),
        cmocka_unit_test(test_version_command),
        cmocka_unit_test(test_url_mistakes_have_own_messages),
        cmocka_unit_test(test_ws_refused_upgrade_names_status),
        cmocka_unit_test(test_lint_json),
        cmocka_unit_test(test_diff_json),
        cmocka_unit_test(test_sse_prints_nul_whole),
        cmocka_unit_test(test_ws_prints_nul_whole),
    };
    mg_init_library(0);
    int rc = SUITE_RUN(argc, argv, tests, NULL, NULL);
    mg_exit_library();
    return rc;
}
