/* check.h: what `mockkit check`'s files share: one suite run, its tests
 * as read from cmocka's output, and the live pre-flight. */
#ifndef MOCKKIT_CLI_CHECK_H
#define MOCKKIT_CLI_CHECK_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "services.h"

typedef enum { T_PASS, T_FAIL, T_SKIP } test_result;

typedef struct test_case {
    char name[128];
    test_result result;
    double seconds;        /* from its RUN line to its result line */
    char message[512];     /* failure: the first assertion message */
    char location[256];    /* failure: file:line of the assertion */
    char reason[256];      /* skip: why */
} test_case;

typedef struct suite_run {
    char name[256];
    int service;
    int ran;               /* 0: skipped (no live target) */
    int exit_status;       /* process exit code, or 128+signal */
    int live_seen;         /* it said it talks to a live target */
    double seconds;
    char log[4096];        /* path of its captured output (removed at the end) */
    test_case *tests;
    size_t test_count;
    int passed, failed, skipped;
} suite_run;

/* Runs dir/r->name with its output in logdir/<name>.log, reading cmocka's
 * lines as they come (times, messages, skip reasons). Bounded by
 * timeout_s. Returns 0, or -1 when it could not be started. */
int mk_check_run_suite(const char *dir, const char *logdir, suite_run *r, int timeout_s);

/* Adds a failed test named name with message to r (once per name), for a
 * verdict found outside the suite's own output (--conform). */
void mk_check_add_failure(suite_run *r, const char *name, const char *message);

/* Passes of a suite that never reached the live target (it read only the
 * shipped fixtures) become skips saying so: they prove nothing live. */
void mk_check_demote_fixture_only(suite_run *r);

/* Live pre-flight of the selected services: every problem is printed on
 * stderr with the variable to fix, and added to `out` (a cJSON array, may
 * be NULL) as {"service","message"}. named: the services were named on the
 * command line (then an unset URL is a problem, not a skip). Returns the
 * number of problems. */
int mk_check_preflight(const int selected[MK_SERVICE_COUNT], int named, cJSON *out);

/* The variable naming the live URL of service s. */
const char *mk_check_live_var(int s);

#endif
