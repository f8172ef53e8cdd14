/* test_lint.c (suite-cli-lint): the `mockkit lint` command as a user runs it: exit
 * status 0 / 1 / 2, every problem printed with file and line:col or JSON
 * pointer, folders walked recursively in sorted order, and a summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "child.h"
#include "suite.h"

#define MOCKKIT SUITE_MOCKKIT
#define FULL MOCKKIT_SOURCE_DIR "/suites/cassette/data/full.json"

static char dir[512];

static const char *const bad_schema =
    "{\"mockkit_cassette\": 1,\n"
    " \"meta\": {\"service\": \"bee\", \"name\": \"b\", \"created\": \"2026-01-31\",\n"
    "   \"source\": {\"kind\": \"synthesized\", \"refs\": [\"x/y@1 a\"]}},\n"
    " \"interactions\": [\n"
    "  {\"at_ms\": 0, \"request\": {\"method\": \"GET\", \"path\": \"/a\"},\n"
    "   \"response\": {\"status\": \"200\"}},\n"
    "  {\"at_ms\": 0, \"request\": {\"method\": \"GET\", \"path\": \"/b\"},\n"
    "   \"respons\": {\"status\": 200}}\n"
    " ]}\n";

static const char *const with_secret =
    "{\"mockkit_cassette\": 1,\n"
    " \"meta\": {\"service\": \"bee\", \"name\": \"s\", \"created\": \"2026-01-31\",\n"
    "   \"source\": {\"kind\": \"synthesized\", \"refs\": [\"x/y@1 a\"]}},\n"
    " \"interactions\": [\n"
    "  {\"at_ms\": 0, \"request\": {\"method\": \"POST\", \"path\": \"/a\",\n"
    "    \"json\": {\"password\": \"hunter2\"}}, \"response\": {\"status\": 200}}\n"
    " ]}\n";

static int setup(void **state)
{
    (void)state;
    h_tmpdir(dir, sizeof dir);
    char path[1024], cmd[4096];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/good/sub' '%s/mixed/sub' '%s/empty' '%s/nojson' && "
                              "cp '%s' '%s/good/a.json' && cp '%s' '%s/good/sub/b.json' && "
                              "cp '%s' '%s/mixed/sub/ok.json'",
             dir, dir, dir, dir, FULL, dir, FULL, dir, FULL, dir);
    if (system(cmd) != 0)
        return -1;
    h_write(dir, "mixed/bad.json", bad_schema, path, sizeof path);
    h_write(dir, "mixed/syntax.json", "{\n  \"a\": [1,\n 2,,\n", path, sizeof path);
    h_write(dir, "mixed/secret.json", with_secret, path, sizeof path);
    h_write(dir, "mixed/notes.txt", "not a cassette", path, sizeof path);
    h_write(dir, "nojson/notes.txt", "no cassette here", path, sizeof path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    h_rmdir(dir);
    return 0;
}

/* Runs mockkit with args; returns the exit status, output in out. */
static int run(const char *args, char *out, size_t size)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' %s 2>&1", MOCKKIT, args);
    int st = suite_child_shell(cmd, 30000, out, size);
    assert_true(st >= 0 && st < 128);  /* it exited, and in time */
    return st;
}

static void test_valid_folder_exits_0(void **state)
{
    (void)state;
    char out[8192], args[1100];
    snprintf(args, sizeof args, "lint '%s/good'", dir);
    assert_int_equal(run(args, out, sizeof out), 0);
    assert_non_null(strstr(out, "2 cassettes, 0 errors"));
    snprintf(args, sizeof args, "lint '%s'", FULL);
    assert_int_equal(run(args, out, sizeof out), 0);
    assert_string_equal(out, "1 cassette, 0 errors\n");
}

/* Nothing to lint is not a problem: "0 cassettes", exit 0 (and no
 * undefined qsort on an empty list in sanitized builds). */
static void test_empty_folder_exits_0(void **state)
{
    (void)state;
    char out[8192], args[1100];
    snprintf(args, sizeof args, "lint '%s/empty'", dir);
    assert_int_equal(run(args, out, sizeof out), 0);
    assert_string_equal(out, "0 cassettes, 0 errors\n");
    snprintf(args, sizeof args, "lint '%s/nojson'", dir);
    assert_int_equal(run(args, out, sizeof out), 0);
    assert_string_equal(out, "0 cassettes, 0 errors\n");
}

static void test_problems_exit_1_with_every_problem(void **state)
{
    (void)state;
    char out[8192], args[1100], want[1200];
    snprintf(args, sizeof args, "lint '%s/mixed/bad.json'", dir);
    assert_int_equal(run(args, out, sizeof out), 1);
    /* both problems of the file, not only the first */
    snprintf(want, sizeof want, "%s/mixed/bad.json: /interactions/0/response/status: "
                                "must be an integer 100-599, got \"200\"\n", dir);
    assert_non_null(strstr(out, want));
    snprintf(want, sizeof want, "%s/mixed/bad.json: /interactions/1/respons: unknown key", dir);
    assert_non_null(strstr(out, want));
    assert_non_null(strstr(out, "1 cassette, 3 errors")); /* + missing response */
}

static void test_mixed_folder_sorted_with_summary(void **state)
{
    (void)state;
    char out[8192], args[1100], want[1200];
    snprintf(args, sizeof args, "lint '%s/mixed'", dir);
    assert_int_equal(run(args, out, sizeof out), 1);
    snprintf(want, sizeof want, "%s/mixed/syntax.json:3:4: not valid JSON", dir);
    const char *syntax = strstr(out, want);
    snprintf(want, sizeof want, "%s/mixed/secret.json: /interactions/0/request/json/password: "
                                "secret:", dir);
    const char *secret = strstr(out, want);
    snprintf(want, sizeof want, "%s/mixed/bad.json: ", dir);
    const char *bad = strstr(out, want);
    assert_non_null(syntax);
    assert_non_null(secret);
    assert_non_null(bad);
    assert_true(bad < secret && secret < syntax); /* sorted by path */
    assert_null(strstr(out, "notes.txt"));
    assert_non_null(strstr(out, "4 cassettes, 5 errors\n"));
}

static void test_usage_and_unreadable_exit_2(void **state)
{
    (void)state;
    char out[8192], args[1100];
    assert_int_equal(run("lint", out, sizeof out), 2);
    assert_non_null(strstr(out, "usage: mockkit lint"));
    assert_int_equal(run("lint --bogus x", out, sizeof out), 2);
    snprintf(args, sizeof args, "lint '%s/good' '%s/missing.json'", dir, dir);
    assert_int_equal(run(args, out, sizeof out), 2);
    assert_non_null(strstr(out, "missing.json: cannot read"));
    assert_int_equal(run("lint --help", out, sizeof out), 0);
    assert_non_null(strstr(out, "Exit status"));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_folder_exits_0),
        cmocka_unit_test(test_empty_folder_exits_0),
        cmocka_unit_test(test_problems_exit_1_with_every_problem),
        cmocka_unit_test(test_mixed_folder_sorted_with_summary),
        cmocka_unit_test(test_usage_and_unreadable_exit_2),
    };
    return SUITE_RUN(argc, argv, tests, setup, teardown);
}
