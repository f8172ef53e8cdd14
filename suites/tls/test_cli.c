/* test_cli.c: the mockkit command line over TLS, run as a child process:
 * `serve --tls-cert/--tls-key` answers libcurl and mkc over https; the
 * README's record example against an https upstream with a test CA;
 * `sse` and `ws` with --cacert, a wrong CA and --insecure; and
 * `check --target live --cacert` against a TLS `serve`. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "mockkit/client.h"
#include "suite.h"
#include "tls_env.h"

#define MOCKKIT MOCKKIT_BINARY_DIR "/bin/mockkit"

extern char **environ;

static tls_certs certs;
static tls_upstream good, rogue, wrongname;

static int start(tls_upstream *u, const char *name)
{
    char both[320], file[64];
    snprintf(file, sizeof file, "%s-both.pem", name);
    return tls_upstream_start(u, tls_cert_file(&certs, file, both, sizeof both));
}

static int group_teardown(void **state);

static int group_setup(void **state)
{
    (void)state;
    unsetenv("MOCKKIT_CACERT");
    unsetenv("MOCKKIT_INSECURE");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (tls_certs_make(&certs) != 0)
        return -1;
    if (start(&good, "server") || start(&rogue, "rogue") || start(&wrongname, "wrongname")) {
        group_teardown(state); /* nothing left behind */
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    tls_upstream_stop(&good);
    tls_upstream_stop(&rogue);
    tls_upstream_stop(&wrongname);
    tls_certs_remove(&certs);
    curl_global_cleanup();
    return 0;
}

typedef struct proc {
    pid_t pid;
    char out[400], err[400];
} proc;

/* mockkit ARGS..., stdout and stderr into files in the cert folder. */
static void spawn(proc *p, const char *tag, const char *const *args)
{
    const char *argv[32] = {"mockkit"};
    size_t n = 1;
    for (size_t i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    snprintf(p->out, sizeof p->out, "%s/%s.out", certs.dir, tag);
    snprintf(p->err, sizeof p->err, "%s/%s.err", certs.dir, tag);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, p->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, p->err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int rc = posix_spawn(&p->pid, MOCKKIT, &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    assert_int_equal(rc, 0);
}

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void tick(void)
{
    struct timespec t = {0, 20 * 1000000L};
    nanosleep(&t, NULL);
}

/* Exit status, or -1 (and the child killed) after timeout_ms. */
static int wait_exit(proc *p, int timeout_ms)
{
    long long end = now_ms() + timeout_ms;
    int status = 0;
    while (now_ms() < end) {
        pid_t w = waitpid(p->pid, &status, WNOHANG);
        if (w == p->pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        tick();
    }
    kill(p->pid, SIGKILL);
    waitpid(p->pid, &status, 0);
    return -1;
}

static char *slurp(const char *path)
{
    size_t len;
    char *s = suite_read_file(path, &len);
    return s ? s : strdup("");
}

/* Wait (bounded) until file holds needle; returns the text (caller frees). */
static char *wait_text(const char *file, const char *needle, int timeout_ms)
{
    long long end = now_ms() + timeout_ms;
    for (;;) {
        char *s = slurp(file);
        if (strstr(s, needle) || now_ms() >= end)
            return s;
        free(s);
        tick();
    }
}

static int run(const char *tag, const char *const *args, char **out, char **err)
{
    proc p;
    spawn(&p, tag, args);
    int rc = wait_exit(&p, 60000);
    *out = slurp(p.out);
    *err = slurp(p.err);
    return rc;
}

static void test_sse_with_cacert_wrong_ca_and_insecure(void **state)
{
    (void)state;
    char url[128], bad[128];
    snprintf(url, sizeof url, "%s/v1/sse/burst", good.url);
    snprintf(bad, sizeof bad, "%s/v1/sse/burst", rogue.url);
    char *out, *err;
    const char *ok[] = {"sse", url, "--cacert", certs.ca, NULL};
    assert_int_equal(run("sse-ok", ok, &out, &err), 0);
    assert_non_null(strstr(out, "\"event\":\"thread.run.created\""));
    assert_non_null(strstr(out, "\"data\":\"[DONE]\""));
    free(out);
    free(err);

    const char *wrong[] = {"sse", bad, "--cacert", certs.ca, NULL};
    assert_int_equal(run("sse-wrong", wrong, &out, &err), 1);
    if (!strstr(err, bad) || !strstr(err, "unknown CA"))
        print_error("stderr: %s\n", err);
    assert_non_null(strstr(err, bad));
    assert_non_null(strstr(err, "unknown CA"));
    assert_string_equal(out, "");
    free(out);
    free(err);

    const char *insecure[] = {"sse", bad, "--insecure", NULL};
    assert_int_equal(run("sse-insecure", insecure, &out, &err), 0);
    assert_non_null(strstr(out, "[DONE]"));
    free(out);
    free(err);
}

static void test_ws_with_cacert_and_wrong_name(void **state)
{
    (void)state;
    char url[128], bad[128];
    snprintf(url, sizeof url, "wss://127.0.0.1:%d/ws/echo", good.port);
    snprintf(bad, sizeof bad, "wss://127.0.0.1:%d/ws/echo", wrongname.port);
    char *out, *err;
    const char *ok[] = {"ws", url, "--cacert", certs.ca, "--send", "hi", "--expect", "2", NULL};
    assert_int_equal(run("ws-ok", ok, &out, &err), 0);
    assert_non_null(strstr(out, "{\"type\":\"text\",\"data\":\"{\\\"hello\\\":\\\"wss\\\"}\"}"));
    assert_non_null(strstr(out, "{\\\"echo\\\":\\\"hi\\\"}"));
    free(out);
    free(err);

    const char *wrong[] = {"ws", bad, "--cacert", certs.ca, NULL};
    assert_int_equal(run("ws-wrong", wrong, &out, &err), 1);
    if (!strstr(err, bad) || !strstr(err, "host name mismatch"))
        print_error("stderr: %s\n", err);
    assert_non_null(strstr(err, bad));
    assert_non_null(strstr(err, "host name mismatch"));
    free(out);
    free(err);
}

/* Start `mockkit record ARGS`, GET /v1/items/1 through it, Ctrl-C: the
 * status the client got (its body printed when not want); the recorder
 * must exit 0. */
static long record_one(const char *tag, const char *const *args, long want)
{
    proc p;
    spawn(&p, tag, args);
    char *banner = wait_text(p.out, "Ctrl-C", 10000);
    const char *on = strstr(banner, " on http://");
    if (!on)
        print_error("record printed: %s\n", banner);
    assert_non_null(on);
    char proxy[128];
    assert_int_equal(sscanf(on, " on %127s", proxy), 1);
    free(banner);
    mkc_http *h = mkc_http_new(proxy);
    mkc_response *r = NULL;
    mkc_error err = {0};
    assert_int_equal(mkc_http_request(h, "GET", "/v1/items/1", NULL, NULL, NULL, 0, &r, &err),
                     MKC_OK);
    long status = r->status;
    if (status != want)
        print_error("%s\n", r->body);
    mkc_response_free(r);
    mkc_http_free(h);
    kill(p.pid, SIGINT);
    assert_int_equal(wait_exit(&p, 20000), 0);
    return status;
}

/* record --insecure (no value, among options with values) and the env
 * default MOCKKIT_CACERT, as sse and ws take it. */
static void test_record_insecure_and_env_cacert(void **state)
{
    (void)state;
    char out[400];
    snprintf(out, sizeof out, "%s/insecure.json", certs.dir);
    const char *insecure[] = {"record", "--upstream", rogue.url, "--insecure", "--out", out,
                              "--mode", "all", NULL};
    assert_int_equal(record_one("record-insecure", insecure, 200), 200);
    const char *strict[] = {"record", "--upstream", rogue.url, "--out", out, "--mode", "all",
                            "--cacert", certs.ca, NULL};
    assert_int_equal(record_one("record-strict", strict, 502), 502);
    const char *plain[] = {"record", "--upstream", good.url, "--out", out, "--mode", "all", NULL};
    setenv("MOCKKIT_CACERT", certs.ca, 1);
    long with_env = record_one("record-env", plain, 200);
    unsetenv("MOCKKIT_CACERT");
    assert_int_equal(with_env, 200);
}

/* README: mockkit record --upstream https://bee.example.com --out
 * fixtures/bee/my-flow.json --service bee; here with the test CA. */
static void test_readme_record_example_over_https(void **state)
{
    (void)state;
    char cassette[400];
    snprintf(cassette, sizeof cassette, "%s/my-flow.json", certs.dir);
    proc p;
    const char *args[] = {"record", "--upstream", good.url, "--out", cassette,
                          "--service", "bee", "--cacert", certs.ca, NULL};
    spawn(&p, "record", args);
    char *banner = wait_text(p.out, "Ctrl-C", 10000);
    const char *on = strstr(banner, " on http://");
    if (!on)
        print_error("record printed: %s\n", banner);
    assert_non_null(on);
    char proxy[128];
    assert_int_equal(sscanf(on, " on %127s", proxy), 1);
    free(banner);

    mkc_http *h = mkc_http_new(proxy);
    mkc_response *r = NULL;
    mkc_error err = {0};
    assert_int_equal(mkc_http_request(h, "GET", "/v1/items/1", NULL, NULL, NULL, 0, &r, &err),
                     MKC_OK);
    assert_int_equal(r->status, 200);
    assert_string_equal(r->body, "{\"id\":\"item_1\",\"object\":\"item\"}");
    mkc_response_free(r);
    mkc_http_free(h);

    kill(p.pid, SIGINT);
    assert_int_equal(wait_exit(&p, 20000), 0);
    char *out = slurp(p.out);
    assert_non_null(strstr(out, "wrote"));
    free(out);
    char *json = slurp(cassette);
    cJSON *root = cJSON_Parse(json);
    free(json);
    assert_non_null(root);
    cJSON *meta = cJSON_GetObjectItem(root, "meta");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(meta, "service")), "bee");
    cJSON *ix = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "interactions"), 0);
    cJSON *req = cJSON_GetObjectItem(ix, "request");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(req, "path")), "/v1/items/1");
    cJSON *body = cJSON_GetObjectItem(cJSON_GetObjectItem(ix, "response"), "json");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(body, "id")), "item_1");
    cJSON_Delete(root);
}

/* serve with TLS: the printed URL is https://, and libcurl and mkc trusting
 * the test CA get answers; a key that does not fit is refused by name. */
static void test_serve_tls(void **state)
{
    (void)state;
    char ready[400], key[320], rogue_key[320];
    snprintf(ready, sizeof ready, "%s/ready", certs.dir);
    remove(ready);
    tls_cert_file(&certs, "server.key", key, sizeof key);
    proc p;
    const char *args[] = {"serve", "--only", "bee", "--port", "bee=0", "--speed", "0", "--quiet",
                          "--tls-cert", certs.server, "--tls-key", key, "--ready-file", ready,
                          NULL};
    spawn(&p, "serve", args);
    char *lines = wait_text(ready, "\n", 10000);
    char url[256] = "";
    if (sscanf(lines, "bee %255s", url) != 1)
        print_error("ready file: '%s'\n", lines);
    free(lines);
    assert_int_equal(strncmp(url, "https://127.0.0.1:", 18), 0);

    /* libcurl, as `curl --cacert` would. */
    char admin[300];
    snprintf(admin, sizeof admin, "%.*s/__mockkit/requests", (int)(strlen(url) - 3), url);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, admin);
    curl_easy_setopt(c, CURLOPT_CAINFO, certs.ca);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fwrite);
    FILE *sink = fopen("/dev/null", "w");
    curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
    CURLcode cc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    fclose(sink);
    assert_int_equal(cc, CURLE_OK);
    assert_int_equal(status, 200);

    /* mkc, as the Bee suites do. */
    mkc_http *h = mkc_http_new(url);
    mkc_tls tls = {.cacert = certs.ca};
    mkc_http_set_tls(h, &tls);
    mkc_http_add_header(h, "Authorization: Bearer sk-proj-testkey");
    mkc_response *r = NULL;
    mkc_error err = {0};
    int rc = mkc_http_request(h, "GET", "/assistants/asst_6740b5d0a1b2c3d4e5123451", NULL, NULL,
                              NULL, 0, &r, &err);
    if (rc != MKC_OK)
        print_error("%s\n", err.message);
    assert_int_equal(rc, MKC_OK);
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(r->body, "\"object\":\"assistant\""));
    mkc_response_free(r);
    mkc_http_free(h);
    kill(p.pid, SIGTERM);
    assert_int_equal(wait_exit(&p, 20000), 0);

    /* A key that is not the certificate's. */
    tls_cert_file(&certs, "rogue.key", rogue_key, sizeof rogue_key);
    const char *bad[] = {"serve", "--only", "bee", "--port", "bee=0", "--tls-cert", certs.server,
                         "--tls-key", rogue_key, NULL};
    char *out, *errs;
    assert_int_equal(run("serve-bad", bad, &out, &errs), 2);
    if (!strstr(errs, "does not match"))
        print_error("stderr: %s\n", errs);
    assert_non_null(strstr(errs, "does not match"));
    assert_non_null(strstr(errs, certs.server));
    free(out);
    free(errs);
}

/* check --target live: --cacert reaches the suites (MOCKKIT_CACERT). */
static void test_check_live_over_https(void **state)
{
    (void)state;
    char ready[400], key[320];
    snprintf(ready, sizeof ready, "%s/ready-live", certs.dir);
    remove(ready);
    tls_cert_file(&certs, "server.key", key, sizeof key);
    proc p;
    const char *args[] = {"serve", "--only", "bee", "--port", "bee=0", "--speed", "0", "--quiet",
                          "--tls-cert", certs.server, "--tls-key", key, "--ready-file", ready,
                          NULL};
    spawn(&p, "serve-live", args);
    char *lines = wait_text(ready, "\n", 10000);
    char url[256] = "";
    sscanf(lines, "bee %255s", url);
    free(lines);
    assert_int_equal(strncmp(url, "https://", 8), 0);
    url[strlen(url) - 3] = '\0'; /* BEE_API is without /v1 */
    setenv("BEE_API", url, 1);
    setenv("BEE_API_KEY", "sk-proj-testkey", 1);
    char *out, *err;
    const char *with[] = {"check", "--target", "live", "--reset", "bee", "--cacert", certs.ca,
                          NULL};
    int ok = run("check-ca", with, &out, &err);
    if (ok != 0)
        print_error("%s\n%s\n", out, err);
    assert_int_equal(ok, 0);
    assert_non_null(strstr(out, "0 failed"));
    free(out);
    free(err);
    const char *without[] = {"check", "--target", "live", "--reset", "bee", NULL};
    int refused = run("check-noca", without, &out, &err);
    unsetenv("BEE_API");
    unsetenv("BEE_API_KEY");
    assert_int_equal(refused, 1);  /* the system store does not know the test CA */
    free(out);
    free(err);
    kill(p.pid, SIGTERM);
    assert_int_equal(wait_exit(&p, 20000), 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sse_with_cacert_wrong_ca_and_insecure),
        cmocka_unit_test(test_ws_with_cacert_and_wrong_name),
        cmocka_unit_test(test_readme_record_example_over_https),
        cmocka_unit_test(test_record_insecure_and_env_cacert),
        cmocka_unit_test(test_serve_tls),
        cmocka_unit_test(test_check_live_over_https),
    };
    return SUITE_RUN(argc, argv, tests, group_setup, group_teardown);
}
