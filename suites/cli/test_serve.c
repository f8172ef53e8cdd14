/* test_serve.c: `mockkit serve` and `mockkit check` as a user runs them:
 * ports read back from --ready-file, a request answered, a clean stop on
 * SIGTERM, and clear exit codes for bad options. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "child.h"
#include "mockkit/service.h"
#include "suite.h"

/* Bounded poll for a file the child writes atomically when it is ready. */
static int wait_file(const char *path, int timeout_ms)
{
    struct timespec step = {0, 10 * 1000 * 1000};
    struct stat st;
    for (int waited = 0; waited < timeout_ms; waited += 10) {
        if (stat(path, &st) == 0)
            return 0;
        nanosleep(&step, NULL);
    }
    return -1;
}

static size_t sink(char *d, size_t s, size_t n, void *u)
{
    (void)d;
    (void)u;
    return s * n;
}

/* The status of a GET (body NULL) or a POST of body; 0 when none came. */
static long http_status(const char *url, const char *body)
{
    CURL *c = curl_easy_init();
    long status = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    return status;
}

static long get_status(const char *url) { return http_status(url, NULL); }

static long post_status(const char *url, const char *body) { return http_status(url, body); }

/* serve on a free port: the ready file names the URL, the mock answers,
 * SIGTERM stops it with exit 0 and the ready file is removed. */
static void test_serve_ready_answers_and_stops_cleanly(void **state)
{
    (void)state;
    char dir[] = "/tmp/mockkit-serve-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char ready[256];
    snprintf(ready, sizeof ready, "%s/ready", dir);
    const char *argv[] = {"mockkit", "serve", "--fixtures", MOCKKIT_FIXTURES_DIR, "--only", "pieces",
                          "--port", "pieces=0", "--speed", "0", "--ready-file", ready, NULL};
    suite_child c;
    assert_int_equal(suite_child_start(&c, argv), 0);
    assert_int_equal(wait_file(ready, 10000), 0);

    char line[512] = "", name[32] = "", url[400] = "";
    FILE *f = fopen(ready, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_int_equal(sscanf(line, "%31s %399s", name, url), 2);
    assert_string_equal(name, "pieces");
    assert_true(strncmp(url, "http://127.0.0.1:", 17) == 0);  /* loopback by default */

    char health[512];
    snprintf(health, sizeof health, "%s/.well-known/health", url);
    assert_int_equal(get_status(health), 200);

    assert_int_equal(suite_child_signal_wait(&c, SIGTERM, 10000), 0);
    suite_child_cleanup(&c);
    struct stat st;
    assert_int_not_equal(stat(ready, &st), 0);
    rmdir(dir);
}

/* The limits reach the mocks: --max-body 16 turns a 40-byte body into 413. */
static void test_serve_limits_reach_the_mock(void **state)
{
    (void)state;
    char dir[] = "/tmp/mockkit-serve-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char ready[256];
    snprintf(ready, sizeof ready, "%s/ready", dir);
    const char *argv[] = {"mockkit", "serve", "--fixtures", MOCKKIT_FIXTURES_DIR, "--only",
                          "pieces", "--port", "pieces=0", "--speed", "0", "--max-body", "16",
                          "--max-connections", "2000", "--max-frame", "4096", "--ready-file",
                          ready, NULL};
    suite_child c;
    assert_int_equal(suite_child_start(&c, argv), 0);
    assert_int_equal(wait_file(ready, 10000), 0);
    char line[512] = "", name[32] = "", url[400] = "", connect[512];
    FILE *f = fopen(ready, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_int_equal(sscanf(line, "%31s %399s", name, url), 2);
    snprintf(connect, sizeof connect, "%s/connect", url);
    assert_int_equal(post_status(connect, "{\"application\":{\"name\":\"OPEN_SOURCE\"}}"), 413);
    assert_int_equal(suite_child_signal_wait(&c, SIGTERM, 10000), 0);
    suite_child_cleanup(&c);
    rmdir(dir);
}

/* Exit status and what a short run printed (stdout, then stderr). */
static int run_capture(const char *const argv[], char *text, size_t size)
{
    char out[2048], err[2048];
    int rc = suite_child_run(argv, out, sizeof out, err, sizeof err);
    size_t n = strlen(out);
    snprintf(text, size, "%s", out);
    if (n < size)
        snprintf(text + n, size - n, "%s", err);
    return rc;
}

/* Bad options are usage errors (exit 2) that say what was wrong. */
static void test_serve_bad_options_exit_2(void **state)
{
    (void)state;
    char text[4096];
    const char *bad_port[] = {"mockkit", "serve", "--port", "bee=notaport", NULL};
    assert_int_equal(run_capture(bad_port, text, sizeof text), 2);
    assert_non_null(strstr(text, "not a port number"));

    const char *bad_service[] = {"mockkit", "serve", "--only", "nosuch", NULL};
    assert_int_equal(run_capture(bad_service, text, sizeof text), 2);
    assert_non_null(strstr(text, "unknown service 'nosuch'"));

    /* a fault for a service not in the table names the ones that are */
    const char *bad_fault[] = {"mockkit", "serve", "--fixtures", MOCKKIT_FIXTURES_DIR, "--only",
                               "bee", "--port", "bee=0", "--fault", "nosuch:/x:status=500", NULL};
    assert_int_equal(run_capture(bad_fault, text, sizeof text), 2);
    assert_non_null(strstr(text, "unknown service 'nosuch' (pieces, bee, cairos, openai)"));

    const char *zero_conns[] = {"mockkit", "serve", "--max-connections", "0", NULL};
    assert_int_equal(run_capture(zero_conns, text, sizeof text), 2);
    assert_non_null(strstr(text, "--max-connections wants a whole number 1-20000"));

    const char *no_fixtures[] = {"mockkit", "serve", "--fixtures", "/nonexistent", "--only", "bee", NULL};
    assert_int_equal(run_capture(no_fixtures, text, sizeof text), 2);
    assert_non_null(strstr(text, "/nonexistent/bee"));

    /* refused before it listens: nothing is exposed off loopback */
    const char *open_admin[] = {"mockkit", "serve", "--only", "bee", "--bind", "0.0.0.0", NULL};
    assert_int_equal(run_capture(open_admin, text, sizeof text), 2);
    assert_non_null(strstr(text, "--admin-token"));
}

static void write_text(const char *path, const char *text)
{
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(rename(tmp, path), 0);
}

/* A pieces cassette answering GET path with 200. */
static void write_cassette(const char *path, const char *get)
{
    char doc[1200];
    snprintf(doc, sizeof doc,
             "{\"mockkit_cassette\":1,\"meta\":{\"service\":\"pieces\",\"name\":\"one\","
             "\"description\":\"cli suite: one GET\",\"created\":\"2026-11-30T10:00:00Z\","
             "\"source\":{\"kind\":\"synthesized\",\"refs\":[\"mockkit docs/cassette.md\"]}},"
             "\"interactions\":[{\"id\":\"g\",\"at_ms\":0,\"request\":{\"method\":\"GET\","
             "\"path\":\"%s\"},\"response\":{\"status\":200,\"text\":\"ok\"}}]}",
             get);
    write_text(path, doc);
}

/* Bounded poll until url answers want. */
static int wait_status(const char *url, long want, int timeout_ms)
{
    struct timespec step = {0, 20 * 1000 * 1000};
    for (int waited = 0; waited < timeout_ms; waited += 20) {
        if (get_status(url) == want)
            return 0;
        nanosleep(&step, NULL);
    }
    return -1;
}

/* SIGHUP reloads the folder; a bad cassette is refused, named on stderr,
 * and the cassettes before keep serving. --watch sees a change itself. */
static void test_serve_sighup_and_watch_reload(void **state)
{
    (void)state;
    char dir[] = "/tmp/mockkit-serve-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char pieces[300], file[400], bad[400], ready[256], url[400] = "", line[512] = "";
    char name[32], x[512], y[512], z[512];
    snprintf(pieces, sizeof pieces, "%s/pieces", dir);
    assert_int_equal(mkdir(pieces, 0755), 0);
    snprintf(file, sizeof file, "%s/one.json", pieces);
    snprintf(bad, sizeof bad, "%s/zz-bad.json", pieces);
    snprintf(ready, sizeof ready, "%s/ready", dir);
    write_cassette(file, "/x");
    const char *argv[] = {"mockkit", "serve", "--fixtures", dir, "--only", "pieces", "--port",
                          "pieces=0", "--speed", "0", "--ready-file", ready, "--watch", NULL};
    suite_child c;
    assert_int_equal(suite_child_start(&c, argv), 0);
    assert_int_equal(wait_file(ready, 10000), 0);
    FILE *f = fopen(ready, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_int_equal(sscanf(line, "%31s %399s", name, url), 2);
    snprintf(x, sizeof x, "%s/x", url);
    snprintf(y, sizeof y, "%s/y", url);
    snprintf(z, sizeof z, "%s/z", url);
    assert_int_equal(get_status(x), 200);

    write_cassette(file, "/y");
    assert_int_equal(kill(c.pid, SIGHUP), 0);
    assert_int_equal(wait_status(y, 200, 10000), 0);
    assert_int_equal(get_status(x), 404);

    write_text(bad, "{\"mockkit_cassette\": 1, \"meta\": ");
    assert_int_equal(kill(c.pid, SIGHUP), 0);
    assert_int_equal(suite_child_wait_output(&c, "reload refused", 10000), 0);
    char *err = suite_child_output(&c, 2, NULL);
    assert_non_null(err);
    assert_non_null(strstr(err, "zz-bad.json"));
    free(err);
    assert_int_equal(get_status(y), 200);

    /* --watch: no signal, the change alone (within its 1 s poll) */
    remove(bad);
    write_cassette(file, "/z");
    assert_int_equal(wait_status(z, 200, 10000), 0);

    assert_int_equal(suite_child_signal_wait(&c, SIGTERM, 10000), 0);
    suite_child_cleanup(&c);
    remove(file);
    rmdir(pieces);
    rmdir(dir);
}

/* A port already taken is a clear start-up error, not a hang. */
static void test_serve_port_in_use_exit_2(void **state)
{
    (void)state;
    char dir[] = "/tmp/mockkit-serve-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char ready[256];
    snprintf(ready, sizeof ready, "%s/ready", dir);
    const char *first[] = {"mockkit", "serve", "--fixtures", MOCKKIT_FIXTURES_DIR, "--only", "openai",
                           "--port", "openai=0", "--ready-file", ready, NULL};
    suite_child c;
    assert_int_equal(suite_child_start(&c, first), 0);
    assert_int_equal(wait_file(ready, 10000), 0);
    char line[512] = "", url[400] = "";
    FILE *f = fopen(ready, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_int_equal(sscanf(line, "%*s %399s", url), 1);
    int port = atoi(strrchr(url, ':') + 1);  /* http://127.0.0.1:PORT/v1 */
    char arg[32];
    snprintf(arg, sizeof arg, "openai=%d", port);

    char text[4096];
    const char *second[] = {"mockkit", "serve", "--fixtures", MOCKKIT_FIXTURES_DIR, "--only", "openai",
                      "--port", arg, NULL};
    assert_int_equal(run_capture(second, text, sizeof text), 2);
    assert_non_null(strstr(text, "openai did not start"));
    assert_non_null(strstr(text, "address already in use"));

    assert_int_equal(suite_child_signal_wait(&c, SIGTERM, 10000), 0);
    suite_child_cleanup(&c);
    rmdir(dir);
}

/* The service of each line of a ready file that is a table row, as a bit
 * mask, and the port of the row want (0 if absent). */
static unsigned ready_rows(const char *path, int want, int *port)
{
    unsigned rows = 0;
    char line[512], name[64], url[400];
    FILE *f = fopen(path, "r");
    *port = 0;
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f)) {
        int row = sscanf(line, "%63s %399s", name, url) == 2 ? mk_service_index(name) : -1;
        if (row < 0)
            continue;
        rows |= 1u << row;
        if (row == want)
            *port = atoi(strchr(url + 7, ':') + 1);  /* http://127.0.0.1:PORT/v1 */
    }
    fclose(f);
    return rows;
}

/* --free-ports: every service of the table on a port of its own choosing,
 * so two instances run side by side (on the default ports the second could
 * not start); a --port given still holds: here the first instance's Bee
 * port, taken, so the third cannot start. */
static void test_serve_free_ports_every_service(void **state)
{
    (void)state;
    char dir[] = "/tmp/mockkit-serve-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char ready1[256], ready2[256];
    snprintf(ready1, sizeof ready1, "%s/ready1", dir);
    snprintf(ready2, sizeof ready2, "%s/ready2", dir);
    const char *first[] = {"mockkit", "serve", "--fixtures", MOCKKIT_FIXTURES_DIR, "--speed", "0",
                           "--free-ports", "--ready-file", ready1, NULL};
    const char *second[] = {"mockkit", "serve", "--fixtures", MOCKKIT_FIXTURES_DIR, "--speed", "0",
                            "--free-ports", "--ready-file", ready2, NULL};
    suite_child c1, c2;
    assert_int_equal(suite_child_start(&c1, first), 0);
    assert_int_equal(suite_child_start(&c2, second), 0);
    assert_int_equal(wait_file(ready1, 10000), 0);
    assert_int_equal(wait_file(ready2, 10000), 0);
    int bee1 = 0, bee2 = 0;
    unsigned all = (1u << MK_SERVICE_COUNT) - 1;
    assert_int_equal(ready_rows(ready1, MK_SERVICE_BEE, &bee1), all);
    assert_int_equal(ready_rows(ready2, MK_SERVICE_BEE, &bee2), all);
    assert_true(bee1 > 0 && bee2 > 0 && bee1 != bee2);
    assert_int_equal(suite_child_signal_wait(&c2, SIGTERM, 10000), 0);
    suite_child_cleanup(&c2);

    char arg[32], text[4096];
    snprintf(arg, sizeof arg, "bee=%d", bee1);
    const char *third[] = {"mockkit", "serve", "--fixtures", MOCKKIT_FIXTURES_DIR, "--port", arg,
                           "--free-ports", NULL};
    assert_int_equal(run_capture(third, text, sizeof text), 2);
    assert_non_null(strstr(text, "bee did not start"));
    assert_non_null(strstr(text, "address already in use"));

    assert_int_equal(suite_child_signal_wait(&c1, SIGTERM, 10000), 0);
    suite_child_cleanup(&c1);
    rmdir(dir);
}

/* --env-file: the variables of each service's row (mockkit/service.h) as
 * shell assignments a script sources: the root URL where the suites add the
 * base path (BEE_API), the base URL where the variable holds it
 * (CAIROS_URL), the key given, the default login; quoting survives a
 * quote in the key; the file goes with the mocks. */
static void test_serve_env_file_points_suites_at_mocks(void **state)
{
    (void)state;
    char dir[] = "/tmp/mockkit-serve-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char ready[256], envf[256];
    snprintf(ready, sizeof ready, "%s/ready", dir);
    snprintf(envf, sizeof envf, "%s/env", dir);
    const char *argv[] = {"mockkit", "serve", "--fixtures", MOCKKIT_FIXTURES_DIR, "--only", "bee",
                          "--only", "cairos", "--port", "bee=0", "--port", "cairos=0",
                          "--api-key", "k'ey", "--env-file", envf, "--ready-file", ready, NULL};
    suite_child c;
    assert_int_equal(suite_child_start(&c, argv), 0);
    assert_int_equal(wait_file(ready, 10000), 0);

    char script[600], out[1024], err[1024];
    snprintf(script, sizeof script,
             ". '%s' && printf '%%s|%%s|%%s|%%s|%%s' \"$BEE_API\" \"$BEE_API_KEY\" \"$CAIROS_URL\" "
             "\"$CAIROS_USER\" \"$CAIROS_PASSWORD\"",
             envf);
    const char *sh[] = {"/bin/sh", "-c", script, NULL};
    assert_int_equal(suite_child_run(sh, out, sizeof out, err, sizeof err), 0);
    char bee[128], key[32], cairos[128], user[32], pass[32];
    assert_int_equal(sscanf(out, "%127[^|]|%31[^|]|%127[^|]|%31[^|]|%31s", bee, key, cairos, user,
                            pass), 5);
    assert_true(strncmp(bee, "http://127.0.0.1:", 17) == 0);
    assert_null(strstr(bee, "/v1"));  /* the suites add it */
    assert_string_equal(key, "k'ey");
    assert_true(strncmp(cairos, "http://127.0.0.1:", 17) == 0);
    assert_non_null(strstr(cairos, "/api"));
    assert_string_equal(user, "bob");
    assert_string_equal(pass, "bobspassword");

    assert_int_equal(suite_child_signal_wait(&c, SIGTERM, 10000), 0);
    suite_child_cleanup(&c);
    struct stat st;
    assert_int_not_equal(stat(envf, &st), 0);
    rmdir(dir);
}

/* Any folder of cassettes is a service of its own name, replayed as
 * recorded (no key, no cookie): named with --service, or found in
 * --fixtures; each gets a line in the ready file. A --fault naming no
 * service reaches them too. */
static void test_serve_generic_services(void **state)
{
    (void)state;
    char dir[] = "/tmp/mockkit-serve-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char found[300], named[300], f1[400], f2[400], ready[256], arg[400];
    snprintf(found, sizeof found, "%s/myapi", dir);
    snprintf(named, sizeof named, "%s/elsewhere", dir);
    assert_int_equal(mkdir(found, 0755), 0);
    assert_int_equal(mkdir(named, 0755), 0);
    snprintf(f1, sizeof f1, "%s/one.json", found);
    snprintf(f2, sizeof f2, "%s/one.json", named);
    write_cassette(f1, "/v2/things");
    write_cassette(f2, "/other");
    snprintf(ready, sizeof ready, "%s/ready", dir);
    snprintf(arg, sizeof arg, "other=%s:0", named);
    const char *argv[] = {"mockkit", "serve", "--fixtures", dir, "--speed", "0", "--service", arg,
                          "--fault", "GET /other:status=418", "--ready-file", ready, NULL};
    suite_child c;
    assert_int_equal(suite_child_start(&c, argv), 0);
    assert_int_equal(wait_file(ready, 10000), 0);
    FILE *f = fopen(ready, "r");
    assert_non_null(f);
    char line[512];
    int saw = 0;
    while (fgets(line, sizeof line, f)) {
        char name[64], url[400], probe[512];
        assert_int_equal(sscanf(line, "%63s %399s", name, url), 2);
        if (strcmp(name, "myapi") == 0) {
            snprintf(probe, sizeof probe, "%s/v2/things", url);
            assert_int_equal(get_status(probe), 200); /* no key asked for */
            saw |= 1;
        } else if (strcmp(name, "other") == 0) {
            snprintf(probe, sizeof probe, "%s/other", url);
            assert_int_equal(get_status(probe), 418); /* the fault, before the replay */
            saw |= 2;
        }
    }
    fclose(f);
    assert_int_equal(saw, 3);
    assert_int_equal(suite_child_signal_wait(&c, SIGTERM, 10000), 0);
    suite_child_cleanup(&c);
    remove(f1);
    remove(f2);
    rmdir(found);
    rmdir(named);
    rmdir(dir);
}

/* check with a live target and no variables set must not look green. */
static void test_check_live_without_targets_exit_2(void **state)
{
    (void)state;
    char text[4096];
    unsetenv("OPENAI_BASE_URL");
    const char *argv[] = {"mockkit", "check", "--target", "live", "openai", NULL};
    assert_int_equal(run_capture(argv, text, sizeof text), 2);
    assert_non_null(strstr(text, "OPENAI_BASE_URL is not set"));
}

int main(int argc, char **argv)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serve_ready_answers_and_stops_cleanly),
        cmocka_unit_test(test_serve_bad_options_exit_2),
        cmocka_unit_test(test_serve_limits_reach_the_mock),
        cmocka_unit_test(test_serve_port_in_use_exit_2),
        cmocka_unit_test(test_serve_free_ports_every_service),
        cmocka_unit_test(test_serve_env_file_points_suites_at_mocks),
        cmocka_unit_test(test_serve_sighup_and_watch_reload),
        cmocka_unit_test(test_serve_generic_services),
        cmocka_unit_test(test_check_live_without_targets_exit_2),
    };
    int rc = SUITE_RUN(argc, argv, tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
