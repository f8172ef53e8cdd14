/* test_record.c: `mockkit record` as a user runs it: it prints where it
 * listens, forwards, and writes the (redacted) cassette on SIGINT/SIGTERM. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <civetweb.h>
#include <curl/curl.h>

#include "child.h"
#include "mockkit/cassette.h"
#include "suite.h"
#include "upstream.h"

#define MOCKKIT_BIN SUITE_MOCKKIT

static upstream up;

static int group_setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    mg_init_library(0);
    return upstream_start(&up);
}

static int group_teardown(void **state)
{
    (void)state;
    upstream_stop(&up);
    curl_global_cleanup();
    return 0;
}

/* Everything the child printed, stdout then stderr (caller frees). */
static char *printed(const suite_child *c)
{
    size_t lo = 0, le = 0;
    char *o = suite_child_output(c, 1, &lo), *e = suite_child_output(c, 2, &le);
    char *all = o && e ? malloc(lo + le + 1) : NULL;
    if (all) {
        memcpy(all, o, lo);
        memcpy(all + lo, e, le + 1);
    }
    free(o);
    free(e);
    assert_non_null(all);
    return all;
}

/* The URL the recorder says it listens on ("... on http://127.0.0.1:N"). */
static void listen_url(const suite_child *c, char *url, size_t size)
{
    char *text = printed(c);
    const char *on = strstr(text, " on http://");
    assert_non_null(on);
    on += 4;
    size_t n = strcspn(on, " \t\r\n");
    assert_true(n > 0 && n < size);
    memcpy(url, on, n);
    url[n] = '\0';
    free(text);
}

/* Exit status after at most timeout_ms, and what it printed (caller frees). */
static int finish(suite_child *c, int timeout_ms, char **text)
{
    int status = suite_child_wait(c, timeout_ms);
    *text = printed(c);
    suite_child_cleanup(c);
    return status;
}

static void test_record_until_sigint(void **state)
{
    (void)state;
    char out[512];
    tmp_path(out, sizeof out, "cli.json");
    const char *args[] = {MOCKKIT_BIN, "record", "--upstream", up.url, "--out", out,
                          "--mode", "all", "--redact-field", "name", NULL};
    suite_child c;
    assert_int_equal(suite_child_start(&c, args), 0);
    assert_int_equal(suite_child_wait_output(&c, "Ctrl-C", 10000), 0);
    char url[128];
    listen_url(&c, url, sizeof url);

    char full[256];
    snprintf(full, sizeof full, "%s/v1/items/42", url);
    const char *hdrs[] = {"Authorization: Bearer PLANTEDCLIBEARER123", NULL};
    reply a;
    assert_int_equal(client_request(NULL, "GET", full, hdrs, NULL, &a), 0);
    assert_int_equal(a.status, 200);
    assert_false(file_exists(out)); /* written on the signal, not before */

    assert_int_equal(suite_child_signal_wait(&c, SIGINT, 10000), 0);
    char *said = printed(&c);
    suite_child_cleanup(&c);
    assert_non_null(strstr(said, "wrote"));
    free(said);
    size_t len;
    char *text = suite_read_file(out, &len);
    assert_non_null(text);
    assert_null(strstr(text, "PLANTEDCLIBEARER"));
    assert_non_null(strstr(text, "Bearer <REDACTED:authorization>"));
    assert_null(strstr(text, "widget")); /* --redact-field name */
    assert_non_null(strstr(text, "<REDACTED:name>"));
    free(text);
    reply_free(&a);
}

/* Start `mockkit record` on up.url writing out; its URL into url. */
static void start_cli(suite_child *c, const char *out, char *url, size_t size)
{
    const char *args[] = {MOCKKIT_BIN, "record", "--upstream", up.url, "--out", out,
                          "--mode", "all", NULL};
    assert_int_equal(suite_child_start(c, args), 0);
    assert_int_equal(suite_child_wait_output(c, "Ctrl-C", 10000), 0);
    listen_url(c, url, size);
}

static size_t count_of(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

/* One request the cassette cannot hold is reported once, by method and
 * path, and the rest of the session is written (exit 0). */
static void test_unstorable_request_is_skipped(void **state)
{
    (void)state;
    char out[512], url[128], full[256];
    tmp_path(out, sizeof out, "cli-skip.json");
    suite_child c;
    start_cli(&c, out, url, sizeof url);
    reply a, b;
    snprintf(full, sizeof full, "%s/v1/files/my%%20file.txt", url);
    assert_int_equal(client_request(NULL, "GET", full, NULL, NULL, &a), 0);
    snprintf(full, sizeof full, "%s/v1/a%%3Fb", url);
    assert_int_equal(client_request(NULL, "GET", full, NULL, NULL, &b), 0);
    kill(c.pid, SIGINT);
    char *said = NULL;
    assert_int_equal(finish(&c, 10000, &said), 0);
    assert_int_equal(count_of(said, "skipped GET /v1/a?b"), 1);
    assert_non_null(strstr(said, "wrote"));
    assert_non_null(strstr(said, "(1 interactions recorded)"));
    assert_null(strstr(said, "not written"));
    free(said);
    size_t len;
    char *text = suite_read_file(out, &len);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"/v1/files/my file.txt\""));
    assert_null(strstr(text, "a?b"));
    free(text);
    reply_free(&a);
    reply_free(&b);
}

/* Ctrl-C before any request: a valid cassette with no interactions. */
static void test_no_requests_writes_empty_cassette(void **state)
{
    (void)state;
    char out[512], url[128];
    tmp_path(out, sizeof out, "cli-empty.json");
    suite_child c;
    start_cli(&c, out, url, sizeof url);
    kill(c.pid, SIGINT);
    char *said = NULL;
    assert_int_equal(finish(&c, 10000, &said), 0);
    assert_non_null(strstr(said, "(0 interactions recorded)"));
    free(said);
    mk_cassette *cas = NULL;
    mk_diag d;
    assert_int_equal(mk_cassette_load(out, &cas, &d), MK_CASSETTE_OK);
    assert_int_equal(cas->count, 0);
    mk_cassette_free(cas);
}

static void test_usage_errors(void **state)
{
    (void)state;
    const char *bad_mode[] = {MOCKKIT_BIN, "record", "--upstream", up.url, "--out", "/tmp/x.json",
                              "--mode", "sometimes", NULL};
    const char *no_out[] = {MOCKKIT_BIN, "record", "--upstream", up.url, NULL};
    const char *bad_up[] = {MOCKKIT_BIN, "record", "--upstream", "ftp://x", "--out",
                            "/tmp/never-written.json", "--mode", "all", NULL};
    char out[4096], err[4096];
    assert_int_equal(suite_child_run(bad_mode, out, sizeof out, err, sizeof err), 2);
    assert_int_equal(suite_child_run(no_out, out, sizeof out, err, sizeof err), 2);
    assert_int_equal(suite_child_run(bad_up, out, sizeof out, err, sizeof err), 2);
    /* a missing folder is said at start, before any session */
    const char *no_dir[] = {MOCKKIT_BIN, "record", "--upstream", up.url, "--out",
                            "/tmp/mockkit-missing-dir-812/x.json", "--mode", "all", NULL};
    assert_int_equal(suite_child_run(no_dir, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "folder /tmp/mockkit-missing-dir-812"));
    const char *bad_pattern[] = {MOCKKIT_BIN, "record", "--upstream", up.url, "--out",
                                 "/tmp/x.json", "--redact-pattern=([", NULL};
    assert_int_equal(suite_child_run(bad_pattern, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "--redact-pattern '(['"));
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_until_sigint),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_unstorable_request_is_skipped),
        cmocka_unit_test(test_no_requests_writes_empty_cassette),
    };
    return SUITE_RUN(argc, argv, tests, group_setup, group_teardown);
}
