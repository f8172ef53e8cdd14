/* suite.h: what every mockkit suite shares.
 *
 * A suite runs against the embedded mock of its service (default: started
 * in-process on an ephemeral port from fixtures/<service>, instant timing)
 * or against a live service when the environment sets the variables of
 * its row in mk_service_table (mockkit/service.h: the URL, and the key or
 * the login; `mockkit check --help` lists them).
 *
 * MOCKKIT_FIXTURES=DIR replaces fixtures/ for the embedded mocks and
 * MOCKKIT_SPEED=X their replay speed (default 0, instant).
 */
#ifndef MOCKKIT_SUITE_H
#define MOCKKIT_SUITE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mockkit/mock.h"

typedef struct suite_target {
    int live;               /* 1: a live service from the environment */
    char root_url[512];     /* scheme://host:port */
    char base_url[512];     /* root_url + the service's base path (/v1, /api, "") */
    char api_key[256];      /* bee/openai: key to send */
    char username[128];     /* cairos */
    char password[128];     /* cairos */
    mk_mock *mock;          /* the embedded mock, NULL when live */
} suite_target;

/* Start the embedded mock for service or read the live target from the
 * environment. Returns 0, or -1 with a message on stderr. */
int suite_target_start(const char *service, suite_target *t);
void suite_target_stop(suite_target *t);

/* The shipped fixtures: for a suite installed to libexec/mockkit (which an
 * installed `mockkit check` runs) the installed ones, found relative to the
 * executable; else the source tree's. */
const char *suite_shipped_fixtures(void);

/* The fixtures folder of a service (MOCKKIT_FIXTURES or the shipped one). */
const char *suite_fixtures_dir(const char *service, char *buf, size_t size);

/* Run a group: argv[1], if given, filters test names (cmocka glob).
 * Use through SUITE_MAIN. */
int suite_run(int argc, char **argv, const char *name, const struct CMUnitTest *tests,
              size_t count, CMFixtureFunction setup, CMFixtureFunction teardown);

#define SUITE_RUN(argc, argv, tests, setup, teardown)                               \
    suite_run((argc), (argv), __FILE__, (tests), sizeof(tests) / sizeof((tests)[0]), \
              (setup), (teardown))

/* ---- assertions that say what was expected, in words -------------------
 * cmocka's assert_int_equal prints "0x194 != 0x191"; these print
 * "HTTP 404, expected 401" or the client's own account of a failed call
 * ("could not connect to http://...: ..."), with the caller's file:line,
 * which is what `mockkit check` shows in its table and JUnit report. */

#define suite_assert_status(got, want) \
    suite__assert_status((long)(got), (long)(want), __FILE__, __LINE__)
void suite__assert_status(long got, long want, const char *file, int line);

/* rc of a client call (0 = MKC_OK) and its mkc_error *. */
#define suite_assert_call(rc, err) \
    suite__assert_call((int)(rc), (err)->url, (err)->message, __FILE__, __LINE__)
void suite__assert_call(int rc, const char *url, const char *message, const char *file, int line);

/* Skip the current test saying why ("skipped: <reason>" on stdout, which
 * `mockkit check` reports). */
#define suite_skip(...)                  \
    do {                                 \
        suite__skip_reason(__VA_ARGS__); \
        skip();                          \
    } while (0)
void suite__skip_reason(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Read a whole file (tests only). Caller frees. NULL on error. */
char *suite_read_file(const char *path, size_t *len);

#endif
