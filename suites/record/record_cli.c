/* record_cli.c: `mockkit record` as a user runs it: it prints where it
 * listens, forwards, and writes the (redacted) cassette on SIGINT/SIGTERM. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <civetweb.h>
#include <curl/curl.h>

#include "mockkit/cassette.h"
#include "suite.h"
#include "upstream.h"

#define MOCKKIT_BIN MOCKKIT_BINARY_DIR "/bin/mockkit"

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

typedef struct child {
    pid_t pid;
    int out;          /* read end of its stdout and stderr */
    char text[4096];  /* what it printed so far */
    size_t len;
} child;

static int spawn(child *c, const char *const *args)
{
    memset(c, 0, sizeof *c);
    int fds[2];
    if (pipe(fds))
        return -1;
    c->pid = fork();
    if (c->pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2); /* reports too, to check what the user is told */
        close(fds[0]);
        close(fds[1]);
        execv(MOCKKIT_BIN, (char *const *)args);
        _exit(127);
    }
    close(fds[1]);
    c->out = fds[0];
    return c->pid > 0 ? 0 : -1;
}

/* Read stdout until `want` appears or EOF or timeout; 0 when found. */
static int read_until(child *c, const char *want, int timeout_ms)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        if (want && strstr(c->text, want))
            return 0;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (spent >= timeout_ms)
            return -1;
        struct pollfd p = {c->out, POLLIN, 0};
        if (poll(&p, 1, (int)(timeout_ms - spent)) <= 0)
            continue;
        ssize_t n = read(c->out, c->text + c->len, sizeof c->text - c->len - 1);
        if (n <= 0)
            return want ? -1 : 0; /* EOF */
        c->len += (size_t)n;
        c->text[c->len] = '\0';
    }
}

/* Wait (bounded) for the child to exit; its exit status, or -1. */
static int finish(child *c, int timeout_ms)
{
    int st = 0;
    /* EOF on its stdout means it is exiting: then waitpid returns at once. */
    if (read_until(c, NULL, timeout_ms) != 0) {
        kill(c->pid, SIGKILL);
        waitpid(c->pid, &st, 0);
        close(c->out);
        return -1;
    }
    waitpid(c->pid, &st, 0);
    close(c->out);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_record_until_sigint(void **state)
{
    (void)state;
    char out[512];
    tmp_path(out, sizeof out, "cli.json");
    const char *args[] = {MOCKKIT_BIN, "record", "--upstream", up.url, "--out", out,
                          "--mode", "all", "--redact-field", "name", NULL};
    child c;
    assert_int_equal(spawn(&c, args), 0);
    assert_int_equal(read_until(&c, "Ctrl-C", 10000), 0);
    const char *on = strstr(c.text, " on http://");
    assert_non_null(on);
    char url[128];
    assert_int_equal(sscanf(on + 4, "%127s", url), 1);

    char full[256];
    snprintf(full, sizeof full, "%s/v1/items/42", url);
    const char *hdrs[] = {"Authorization: Bearer PLANTEDCLIBEARER123", NULL};
    reply a;
    assert_int_equal(client_request(NULL, "GET", full, hdrs, NULL, &a), 0);
    assert_int_equal(a.status, 200);
    assert_false(file_exists(out)); /* written on the signal, not before */

    kill(c.pid, SIGINT);
    assert_int_equal(finish(&c, 10000), 0);
    assert_non_null(strstr(c.text, "wrote"));
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
static void start_cli(child *c, const char *out, char *url, size_t size)
{
    const char *args[] = {MOCKKIT_BIN, "record", "--upstream", up.url, "--out", out,
                          "--mode", "all", NULL};
    assert_int_equal(spawn(c, args), 0);
    assert_int_equal(read_until(c, "Ctrl-C", 10000), 0);
    const char *on = strstr(c->text, " on http://");
    assert_non_null(on);
    char fmt[16];
    snprintf(fmt, sizeof fmt, "%%%zus", size - 1);
    assert_int_equal(sscanf(on + 4, fmt, url), 1);
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
    child c;
    start_cli(&c, out, url, sizeof url);
    reply a, b;
    snprintf(full, sizeof full, "%s/v1/files/my%%20file.txt", url);
    assert_int_equal(client_request(NULL, "GET", full, NULL, NULL, &a), 0);
    snprintf(full, sizeof full, "%s/v1/a%%3Fb", url);
    assert_int_equal(client_request(NULL, "GET", full, NULL, NULL, &b), 0);
    kill(c.pid, SIGINT);
    assert_int_equal(finish(&c, 10000), 0);
    assert_int_equal(count_of(c.text, "skipped GET /v1/a?b"), 1);
    assert_non_null(strstr(c.text, "wrote"));
    assert_non_null(strstr(c.text, "(1 interactions recorded)"));
    assert_null(strstr(c.text, "not written"));
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
    child c;
    start_cli(&c, out, url, sizeof url);
    kill(c.pid, SIGINT);
    assert_int_equal(finish(&c, 10000), 0);
    assert_non_null(strstr(c.text, "(0 interactions recorded)"));
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
    child c;
    assert_int_equal(spawn(&c, bad_mode), 0);
    assert_int_equal(finish(&c, 10000), 2);
    assert_int_equal(spawn(&c, no_out), 0);
    assert_int_equal(finish(&c, 10000), 2);
    assert_int_equal(spawn(&c, bad_up), 0);
    assert_int_equal(finish(&c, 10000), 2);
    /* a missing folder is said at start, before any session */
    const char *no_dir[] = {MOCKKIT_BIN, "record", "--upstream", up.url, "--out",
                            "/tmp/mockkit-missing-dir-812/x.json", "--mode", "all", NULL};
    assert_int_equal(spawn(&c, no_dir), 0);
    assert_int_equal(finish(&c, 10000), 2);
    assert_non_null(strstr(c.text, "folder /tmp/mockkit-missing-dir-812"));
    const char *bad_pattern[] = {MOCKKIT_BIN, "record", "--upstream", up.url, "--out",
                                 "/tmp/x.json", "--redact-pattern=([", NULL};
    assert_int_equal(spawn(&c, bad_pattern), 0);
    assert_int_equal(finish(&c, 10000), 2);
    assert_non_null(strstr(c.text, "--redact-pattern '(['"));
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
