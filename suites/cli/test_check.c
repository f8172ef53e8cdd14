/* test_check.c: `mockkit check` explains itself. Against live targets it
 * first checks each named service (reachable, key present and taken, base
 * path right) and runs nothing while a variable is wrong; failures are in
 * words with their location in the table, JUnit and JSON; skips say why;
 * suites that never reached the live target do not count as live passes;
 * no temporary folder is left behind. The suites here are small scripts
 * printing what cmocka prints, so each outcome is exact. */
#include <arpa/inet.h>
#include <dirent.h>
#include <signal.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "child.h"
#include "mockkit/mock.h"
#include "mockkit/service.h"
#include "suite.h"

static char out[65536], err[65536];
static char dir[64];          /* scratch folder of this run */
static mk_mock *bee, *openai;

static mk_mock *start(const char *service)
{
    mk_mock_options o;
    mk_mock_options_init(&o);
    o.service = service;
    o.port = 0;
    o.quiet = 1;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", MOCKKIT_FIXTURES_DIR, service);
    const char *paths[] = {path};
    mk_mock *m = NULL;
    mk_diag d;
    return mk_mock_new(&o, paths, 1, &m, &d) == MK_MOCK_OK ? m : NULL;
}

static int group_setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/mk-check-test-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    bee = start("bee");
    openai = start("openai");
    return bee && openai ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    mk_mock_free(bee);
    mk_mock_free(openai);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* A suite executable that prints `body` (shell) and exits with `status`. */
static void fake_suite(const char *folder, const char *name, const char *body, int status)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", folder, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n%s\nexit %d\n", body, status);
    fclose(f);
    assert_int_equal(chmod(path, 0755), 0);
}

static void folder(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
    mkdir(buf, 0700);
}

/* Every variable of every row, so no deployment of the caller's leaks in. */
static void clear_live_env(void)
{
    for (int i = 0; i < MK_SERVICE_COUNT; i++) {
        const mk_service_info *s = &mk_service_table[i];
        const char *vars[] = {s->url_var, s->key_var, s->user_var, s->password_var};
        for (size_t v = 0; v < sizeof vars / sizeof vars[0]; v++)
            if (vars[v])
                unsetenv(vars[v]);
    }
}

/* Runs `check --target live SERVICE` against a suite that would leave a
 * marker; returns the exit status and asserts no suite ran. */
static int preflight(const char *service)
{
    char suites[256], marker[300], body[400];
    folder(suites, sizeof suites, "preflight");
    snprintf(marker, sizeof marker, "%s/ran", dir);
    unlink(marker);
    char name[64];
    snprintf(name, sizeof name, "suite-%s-marker", service);
    snprintf(body, sizeof body, "touch %s", marker);
    fake_suite(suites, name, body, 0);
    const char *argv[] = {"mockkit", "check", "--target", "live", "--suites", suites, service,
                    NULL};
    int rc = suite_child_run(argv, out, sizeof out, err, sizeof err);
    assert_int_equal(access(marker, F_OK), -1);  /* nothing ran */
    assert_null(strstr(out, "service suite"));
    return rc;
}

static void test_preflight_names_the_variable_to_fix(void **state)
{
    (void)state;
    char root[256], url[300];
    clear_live_env();

    /* BEE_API with /v1 (the suites add their own) */
    snprintf(root, sizeof root, "%s", mk_mock_url(bee));
    snprintf(url, sizeof url, "%s/v1", root);
    setenv("BEE_API", url, 1);
    setenv("BEE_API_KEY", "sk-proj-testkey", 1);
    assert_int_equal(preflight("bee"), 2);
    assert_non_null(strstr(err, "BEE_API has the wrong base path"));
    char want[400];
    snprintf(want, sizeof want, "set BEE_API=%s\n", root);
    assert_non_null(strstr(err, want));

    /* the same for tools */
    char suites[256];
    folder(suites, sizeof suites, "preflight");
    const char *json[] = {"mockkit", "check", "--target=live", "--json", "--suites", suites, "bee", NULL};
    assert_int_equal(suite_child_run(json, out, sizeof out, err, sizeof err), 2);
    cJSON *j = cJSON_Parse(out);
    assert_non_null(j);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(j, "ran")));
    cJSON *p0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "preflight"), 0);
    assert_string_equal(cJSON_GetObjectItem(p0, "service")->valuestring, "bee");
    assert_non_null(strstr(cJSON_GetObjectItem(p0, "message")->valuestring, "set BEE_API="));
    cJSON_Delete(j);

    /* the key missing */
    setenv("BEE_API", root, 1);
    unsetenv("BEE_API_KEY");
    assert_int_equal(preflight("bee"), 2);
    assert_non_null(strstr(err, "BEE_API_KEY is not set"));

    /* OPENAI_BASE_URL without /v1 */
    snprintf(root, sizeof root, "%s", mk_mock_url(openai));
    setenv("OPENAI_BASE_URL", root, 1);
    setenv("OPENAI_API_KEY", "sk-proj-testkey", 1);
    assert_int_equal(preflight("openai"), 2);
    assert_non_null(strstr(err, "OPENAI_BASE_URL has the wrong base path"));
    snprintf(want, sizeof want, "set OPENAI_BASE_URL=%s/v1", root);
    assert_non_null(strstr(err, want));

    /* a key the service refuses */
    snprintf(url, sizeof url, "%s/v1", root);
    setenv("OPENAI_BASE_URL", url, 1);
    setenv("OPENAI_API_KEY", "sk-wrong", 1);
    assert_int_equal(preflight("openai"), 2);
    assert_non_null(strstr(err, "OPENAI_API_KEY was refused: HTTP 401"));

    /* nothing listening */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    getsockname(s, (struct sockaddr *)&a, &len);
    close(s);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(a.sin_port));
    setenv("PIECES_URL", url, 1);
    assert_int_equal(preflight("pieces"), 2);
    assert_non_null(strstr(err, "could not connect to http://127.0.0.1:"));
    assert_non_null(strstr(err, "/.well-known/health: connection refused; check PIECES_URL"));

    /* no scheme */
    setenv("PIECES_URL", "localhost:39300", 1);
    assert_int_equal(preflight("pieces"), 2);
    assert_non_null(strstr(err, "PIECES_URL=localhost:39300 is not an http:// or https:// URL"));
    unsetenv("PIECES_URL");

    /* a named service without its URL */
    assert_int_equal(preflight("cairos"), 2);
    assert_non_null(strstr(err, "CAIROS_URL is not set"));
    clear_live_env();
}

static const char failing_suite[] =
    "echo '[==========] Running 3 test(s).'\n"
    "echo '[ RUN      ] t_pass'\n"
    "echo '[       OK ] t_pass'\n"
    "echo '[ RUN      ] t_fail'\n"
    "echo 'HTTP 404, expected 401' >&2\n"
    "echo '[  ERROR   ] --- [   LINE   ] --- /src/suites/bee/x.c:42: error: Failure!' >&2\n"
    "echo '[  FAILED  ] t_fail'\n"
    "echo '[ RUN      ] t_assert'\n"
    "echo '[  ERROR   ] --- 0x1 != 0x2' >&2\n"
    "echo '[   LINE   ] --- /src/suites/bee/y.c:7: error: Failure!' >&2\n"
    "echo '[  FAILED  ] t_assert'\n"
    "echo '[ RUN      ] t_skip'\n"
    "echo 'skipped: needs a mock'\n"
    "echo '[  SKIPPED ] t_skip'";

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* The failing assertion in the table, JUnit and JSON; a reason per skip;
 * a time per test; the log folder removed. */
static void test_failures_in_words_everywhere(void **state)
{
    (void)state;
    char suites[256], tmp[256], junit[300];
    folder(suites, sizeof suites, "failing");
    folder(tmp, sizeof tmp, "tmp");
    fake_suite(suites, "suite-bee-fake", failing_suite, 1);
    snprintf(junit, sizeof junit, "%s/junit.xml", dir);
    setenv("TMPDIR", tmp, 1);
    clear_live_env();
    const char *argv[] = {"mockkit", "check", "--fixtures", MOCKKIT_FIXTURES_DIR, "--suites", suites,
                    "--junit", junit, "bee", NULL};
    assert_int_equal(suite_child_run(argv, out, sizeof out, err, sizeof err), 1);
    assert_non_null(strstr(out, "failed: t_fail: HTTP 404, expected 401 (suites/bee/x.c:42)"));
    assert_non_null(strstr(out, "failed: t_assert: 0x1 != 0x2 (suites/bee/y.c:7)"));
    assert_non_null(strstr(out, "skipped: t_skip: needs a mock"));

    size_t len = 0;
    char *xml = suite_read_file(junit, &len);
    assert_non_null(xml);
    assert_non_null(strstr(xml, "<failure message=\"HTTP 404, expected 401\""));
    assert_non_null(strstr(xml, "at suites/bee/x.c:42</failure>"));
    assert_non_null(strstr(xml, "<skipped message=\"needs a mock\"/>"));
    assert_int_equal(count(xml, "<testcase "), 4);
    assert_int_equal(count(xml, "\" time=\""), 5);  /* one per test case and the suite */
    assert_null(strstr(xml, "/mockkit-check-"));    /* no pointer to a temp log */
    free(xml);

    /* nothing left in TMPDIR */
    DIR *d = opendir(tmp);
    assert_non_null(d);
    struct dirent *e;
    int entries = 0;
    while ((e = readdir(d)) != NULL)
        entries += e->d_name[0] != '.';
    closedir(d);
    assert_int_equal(entries, 0);

    const char *json[] = {"mockkit", "check", "--json", "--fixtures", MOCKKIT_FIXTURES_DIR, "--suites",
                    suites, "bee", NULL};
    assert_int_equal(suite_child_run(json, out, sizeof out, err, sizeof err), 1);
    cJSON *j = cJSON_Parse(out);
    assert_non_null(j);
    cJSON *tests = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "suites"), 0),
                                       "tests");
    cJSON *t_fail = cJSON_GetArrayItem(tests, 1);
    assert_string_equal(cJSON_GetObjectItem(t_fail, "message")->valuestring,
                        "HTTP 404, expected 401");
    assert_string_equal(cJSON_GetObjectItem(t_fail, "location")->valuestring, "suites/bee/x.c:42");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(tests, 3), "reason")->valuestring,
                        "needs a mock");
    assert_int_equal(cJSON_GetObjectItem(j, "failed")->valueint, 2);
    cJSON_Delete(j);
    unsetenv("TMPDIR");
}

/* Live: a suite that never reached the live target (it read the shipped
 * fixtures) is not a live pass; with nothing else, the run is not green. */
static void test_fixture_only_suites_are_not_live_passes(void **state)
{
    (void)state;
    char suites[256], body[512];
    folder(suites, sizeof suites, "live");
    clear_live_env();
    setenv("BEE_API", mk_mock_url(bee), 1);
    setenv("BEE_API_KEY", "sk-proj-testkey", 1);
    fake_suite(suites, "suite-bee-fixtures",
               "echo '[ RUN      ] t_reads_fixture'\necho '[       OK ] t_reads_fixture'", 0);
    const char *argv[] = {"mockkit", "check", "--target", "live", "--suites", suites, "bee", NULL};
    assert_int_equal(suite_child_run(argv, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(out, "reads the shipped fixtures only"));
    assert_non_null(strstr(out, "0 passed, 0 failed, 1 skipped"));
    assert_non_null(strstr(err, "no test checked a live service"));

    snprintf(body, sizeof body,
             "echo \"[suite] bee: live target $BEE_API/v1\" >&2\n"
             "echo '[ RUN      ] t_live'\necho '[       OK ] t_live'");
    fake_suite(suites, "suite-bee-live", body, 0);
    assert_int_equal(suite_child_run(argv, out, sizeof out, err, sizeof err), 0);
    assert_non_null(strstr(out, "1 passed, 0 failed, 1 skipped"));
    clear_live_env();
}

static int dead_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    getsockname(s, (struct sockaddr *)&a, &len);
    close(s);
    return ntohs(a.sin_port);
}

/* A real suite whose service is not there says so in words: the URL and
 * "connection refused", not a status code in hex. */
static void test_suite_connect_failure_in_words(void **state)
{
    (void)state;
    char url[128], want[200];
    int port = dead_port();
    clear_live_env();
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    setenv("BEE_API", url, 1);
    setenv("BEE_API_KEY", "sk-proj-testkey", 1);
    const char *argv[] = {MOCKKIT_BINARY_DIR "/bin/suite-bee-runs", "test_thread_create_retrieve", NULL};
    assert_int_not_equal(suite_child_run(argv, out, sizeof out, err, sizeof err), 0);
    snprintf(want, sizeof want, "could not connect to %s/v1/threads: connection refused", url);
    if (!strstr(out, want) && !strstr(err, want))
        fail_msg("wanted '%s'; got: %s%s", want, out, err);
    clear_live_env();
}

/* The suites against `mockkit serve` of the shipped fixtures, with
 * --conform: the error suite's off-model requests are refused (400) as the
 * model says and its unknown route gets bee-api's not-found envelope, so
 * the run is green; every answer is still checked against models/bee.json. */
static suite_child serve, check; /* stopped by stop_children, even after a failed assertion */

static int stop_children(void **state)
{
    (void)state;
    suite_child_cleanup(&check);
    suite_child_cleanup(&serve);
    clear_live_env();
    return 0;
}

static void test_conform_against_served_fixtures(void **state)
{
    (void)state;
    const char *sargv[] = {"mockkit", "serve", "--only", "bee", "--port", "bee=0", "--speed", "0",
                           NULL};
    assert_int_equal(suite_child_start(&serve, sargv), 0);
    assert_int_equal(suite_child_wait_output(&serve, "cassettes", 20000), 0);
    char *text = suite_child_output(&serve, 1, NULL);
    char url[128] = "";
    const char *at = text ? strstr(text, "http://") : NULL;
    assert_non_null(at);
    /* BEE_API is the root: the line's URL without its /v1 */
    snprintf(url, sizeof url, "%.*s", (int)(7 + strcspn(at + 7, "/ \n")), at);
    free(text);
    clear_live_env();
    setenv("BEE_API", url, 1);
    setenv("BEE_API_KEY", "sk-proj-testkey", 1);
    const char *cargv[] = {"mockkit", "check", "--target", "live", "--reset", "--conform", "bee",
                           NULL};
    assert_int_equal(suite_child_start(&check, cargv), 0);
    int rc = suite_child_wait(&check, 300000);
    char *cout = suite_child_output(&check, 1, NULL);
    if (rc != 0 || !strstr(cout, "refused (4xx)"))
        print_error("%s\n", cout);
    assert_int_equal(rc, 0);
    const char *errors = strstr(cout, "suite-bee-errors");
    assert_non_null(errors);
    assert_non_null(strstr(cout, "break it, 2 off-model requests refused (4xx) as the model says"));
    assert_null(strstr(cout, " 1 break it"));
    assert_non_null(strstr(cout, " 0 failed"));
    free(cout);
    assert_int_equal(suite_child_signal_wait(&serve, SIGTERM, 20000), 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_preflight_names_the_variable_to_fix),
        cmocka_unit_test(test_failures_in_words_everywhere),
        cmocka_unit_test(test_fixture_only_suites_are_not_live_passes),
        cmocka_unit_test(test_suite_connect_failure_in_words),
        cmocka_unit_test_teardown(test_conform_against_served_fixtures, stop_children),
    };
    return SUITE_RUN(argc, argv, tests, group_setup, group_teardown);
}
