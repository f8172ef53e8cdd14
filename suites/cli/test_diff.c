/* test_diff.c: `mockkit diff` as a user runs it: exit 0 compatible (volatile
 * fields and --ignore'd ones, timing under the threshold), 1 drift, 2 an
 * invalid or missing cassette or a usage error. The findings themselves are
 * suites/record/record_diff.c's (the library). */
#include <stdio.h>

#include "child.h"
#include "suite.h"

#define CASSETTES MOCKKIT_SOURCE_DIR "/suites/record/cassettes/"

static int diff(const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' diff %s 2>&1", SUITE_MOCKKIT, args);
    char out[8192];
    int st = suite_child_shell(cmd, 30000, out, sizeof out);
    if (st < 0 || st > 2)
        print_error("mockkit diff %s: status %d: %s\n", args, st, out);
    return st;
}

static void test_exit_codes(void **state)
{
    (void)state;
    assert_int_equal(diff(CASSETTES "base.json " CASSETTES "volatile.json"), 0);
    assert_int_equal(diff(CASSETTES "base.json " CASSETTES "drift-status.json"), 1);
    assert_int_equal(diff(CASSETTES "base.json " CASSETTES "drift-fields.json --ignore metadata "
                                    "--ignore tool_resources --ignore /created_at --ignore object"),
                     0);
    assert_int_equal(diff(CASSETTES "base.json " CASSETTES "drift-timing.json --timing-threshold 2000"),
                     0);
    assert_int_equal(diff(CASSETTES "base.json " CASSETTES "invalid.json"), 2);
    assert_int_equal(diff(CASSETTES "base.json /nonexistent/x.json"), 2);
    assert_int_equal(diff(CASSETTES "base.json"), 2);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_codes),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
