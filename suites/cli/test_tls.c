/* test_tls.c: the mockkit command line over TLS, run as a child process:
 * `serve --tls-cert/--tls-key` answers libcurl and mkc over https; the
 * README's record example against an https upstream with a test CA;
 * `sse` and `ws` with --cacert, a wrong CA and --insecure; and
 * `check --target live --cacert` against a TLS `serve`. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "child.h"
#include "mockkit/client.h"
#include "suite.h"
#include "tls_env.h"


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

/* mockkit ARGS... (suites/common/child.h captures stdout and stderr). */
static void spawn(suite_child *p, const char *const *args)
{
    const char *argv[32] = {"mockkit"};
    size_t n = 1;
    for (size_t i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    assert_int_equal(suite_child_start(p, argv), 0);
}

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
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
        struct timespec t = {0, 20 * 1000000L};
        nanosleep(&t, NULL);
    }
}

/* Exit status after at most timeout_ms (killed: -1); the captured output
 * is removed. */
static int finish(suite_child *p, int timeout_ms)
{
    int rc = suite_child_wait(p, timeout_ms);
    suite_child_cleanup(p);
    return rc;
}

static int run(const char *const *args, char **out, char **err)
{
    suite_child p;
    spawn(&p, args);
    int rc = suite_child_wait(&p, 60000);
    *out = suite_child_output(&p, 1, NULL);
    *err = suite_child_output(&p, 2, NULL);
    suite_child_cleanup(&p);
    assert_non_null(*out);
    assert_non_null(*err);
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
    assert_int_equal(run(ok, &out, &err), 0);
    assert_non_null(strstr(out, "\"event\":\"thread.run.created\""));
    assert_non_null(strstr(out, "\"data\":\"[DONE]\""));
    free(out);
    free(err);

    const char *wrong[] = {"sse", bad, "--cacert", certs.ca, NULL};
    assert_int_equal(run(wrong, &out, &err), 1);
    if (!strstr(err, bad) || !strstr(err, "unknown CA"))
        print_error("stderr: %s\n", err);
    assert_non_null(strstr(err, bad));
    assert_non_null(strstr(err, "unknown CA"));
    assert_string_equal(out, "");
    free(out);
    free(err);

    const char *insecure[] = {"sse", bad, "--insecure", NULL};
    assert_int_equal(run(insecure, &out, &err), 0);
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
    assert_int_equal(run(ok, &out, &err), 0);
    assert_non_null(strstr(out, "{\"type\":\"text\",\"data\":\"{\\\"hello\\\":\\\"wss\\\"}\"}"));
    assert_non_null(strstr(out, "{\\\"echo\\\":\\\"hi\\\"}"));
    free(out);
    free(err);

    const char *wrong[] = {"ws", bad, "--cacert", certs.ca, NULL};
    assert_int_equal(run(wrong, &out, &err), 1);
    if (!strstr(err, bad) || !strstr(err, "host name mismatch"))
        print_error("stderr: %s\n", err);
    assert_non_null(strstr(err, bad));
    assert_non_null(strstr(err, "host name mismatch"));
    free(out);
    free(err);
}

/* A wss URL whose server (mockkit serve with TLS) answers the upgrade with
 * a plain HTTP error: the message names the status, found with the same TLS
 * settings (--cacert, in its --opt=value form) as the connection; without
 * them the probe could not reach the server and the status would be lost. */
static void test_ws_refused_upgrade_over_wss_names_status(void **state)
{
    (void)state;
    char ready[400], key[320];
    snprintf(ready, sizeof ready, "%s/ready-ws", certs.dir);
    remove(ready);
    tls_cert_file(&certs, "server.key", key, sizeof key);
    suite_child p;
    const char *args[] = {"serve", "--only", "openai", "--port", "openai=0", "--quiet",
                          "--tls-cert", certs.server, "--tls-key", key, "--ready-file", ready,
                          NULL};
    spawn(&p, args);
    char *lines = wait_text(ready, "\n", 10000);
    char base[256] = "", url[300], cacert[400];
    sscanf(lines, "openai %255s", base);
    free(lines);
    assert_int_equal(strncmp(base, "https://", 8), 0);
    snprintf(url, sizeof url, "wss%s/no-such-socket", base + 5);
    snprintf(cacert, sizeof cacert, "--cacert=%s", certs.ca);
    char *out, *err;
    const char *refused[] = {"ws", url, cacert, "--timeout=2000", NULL};
    int rc = run(refused, &out, &err);
    kill(p.pid, SIGTERM);
    assert_int_equal(finish(&p, 20000), 0);
    if (!strstr(err, "websocket upgrade refused: HTTP 404"))
        print_error("stderr: %s\n", err);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(err, url));
    assert_non_null(strstr(err, "websocket upgrade refused: HTTP 404"));
    free(out);
    free(err);
}

/* The TLS options are entries of the shared option tables: a flag refuses
 * a value, and serve's key without a certificate is a usage error (2). */
static void test_tls_options_usage_errors(void **state)
{
    (void)state;
    char *out, *err;
    const char *flag[] = {"ws", "wss://127.0.0.1:1/x", "--insecure=1", NULL};
    assert_int_equal(run(flag, &out, &err), 2);
    assert_non_null(strstr(err, "mockkit ws: --insecure takes no value"));
    free(out);
    free(err);
    const char *keyonly[] = {"serve", "--only", "bee", "--tls-key", certs.server_key, NULL};
    assert_int_equal(run(keyonly, &out, &err), 2);
    assert_non_null(strstr(err, "mockkit serve: --tls-key needs --tls-cert"));
    free(out);
    free(err);
    const char *unknown[] = {"record", "--upstream", "https://127.0.0.1:1", "--out", "/tmp/x.json",
                             "--cacerts", certs.ca, NULL};
    assert_int_equal(run(unknown, &out, &err), 2);
    assert_non_null(strstr(err, "unknown option --cacerts"));
    free(out);
    free(err);
}

/* Start `mockkit record ARGS`, GET /v1/items/1 through it, Ctrl-C: the
 * status the client got (its body printed when not want); the recorder
 * must exit 0. */
static long record_one(const char *const *args, long want)
{
    suite_child p;
    spawn(&p, args);
    char *banner = wait_text(p.out_path, "Ctrl-C", 10000);
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
    assert_int_equal(finish(&p, 20000), 0);
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
    assert_int_equal(record_one(insecure, 200), 200);
    const char *strict[] = {"record", "--upstream", rogue.url, "--out", out, "--mode", "all",
                            "--cacert", certs.ca, NULL};
    assert_int_equal(record_one(strict, 502), 502);
    const char *plain[] = {"record", "--upstream", good.url, "--out", out, "--mode", "all", NULL};
    setenv("MOCKKIT_CACERT", certs.ca, 1);
    long with_env = record_one(plain, 200);
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
    suite_child p;
    const char *args[] = {"record", "--upstream", good.url, "--out", cassette,
                          "--service", "bee", "--cacert", certs.ca, NULL};
    spawn(&p, args);
    char *banner = wait_text(p.out_path, "Ctrl-C", 10000);
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
    assert_int_equal(suite_child_wait(&p, 20000), 0);
    char *out = suite_child_output(&p, 1, NULL);
    suite_child_cleanup(&p);
    assert_non_null(out);
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
    suite_child p;
    const char *args[] = {"serve", "--only", "bee", "--port", "bee=0", "--speed", "0", "--quiet",
                          "--tls-cert", certs.server, "--tls-key", key, "--ready-file", ready,
                          NULL};
    spawn(&p, args);
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
    assert_int_equal(finish(&p, 20000), 0);

    /* A key that is not the certificate's. */
    tls_cert_file(&certs, "rogue.key", rogue_key, sizeof rogue_key);
    const char *bad[] = {"serve", "--only", "bee", "--port", "bee=0", "--tls-cert", certs.server,
                         "--tls-key", rogue_key, NULL};
    char *out, *errs;
    assert_int_equal(run(bad, &out, &errs), 2);
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
    suite_child p;
    const char *args[] = {"serve", "--only", "bee", "--port", "bee=0", "--speed", "0", "--quiet",
                          "--tls-cert", certs.server, "--tls-key", key, "--ready-file", ready,
                          NULL};
    spawn(&p, args);
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
    int ok = run(with, &out, &err);
    if (ok != 0)
        print_error("%s\n%s\n", out, err);
    assert_int_equal(ok, 0);
    assert_non_null(strstr(out, "0 failed"));
    free(out);
    free(err);
    /* --conform's recording proxy reaches the https service with the same CA. */
    const char *conform[] = {"check", "--target", "live", "--reset", "bee", "--conform",
                             "--cacert", certs.ca, NULL};
    ok = run(conform, &out, &err);
    /* suite-bee-errors' off-model requests are refused as the model says. */
    if (ok != 0)
        print_error("%s\n%s\n", out, err);
    assert_int_equal(ok, 0);
    assert_non_null(strstr(out, "0 failed"));
    assert_non_null(strstr(out, "payloads conform to models/bee.json"));
    assert_null(strstr(out, "session not recorded"));
    free(out);
    free(err);
    const char *without[] = {"check", "--target", "live", "--reset", "bee", NULL};
    int refused = run(without, &out, &err);
    unsetenv("BEE_API");
    unsetenv("BEE_API_KEY");
    /* The system store does not know the test CA: the live pre-flight says
     * so with the URL and the TLS reason, and no suite runs (exit 2). */
    if (refused != 2 || !strstr(err, "unknown CA"))
        print_error("%s\n%s\n", out, err);
    assert_int_equal(refused, 2);
    assert_non_null(strstr(err, url));
    assert_non_null(strstr(err, "unknown CA"));
    free(out);
    free(err);
    kill(p.pid, SIGTERM);
    assert_int_equal(finish(&p, 20000), 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sse_with_cacert_wrong_ca_and_insecure),
        cmocka_unit_test(test_ws_with_cacert_and_wrong_name),
        cmocka_unit_test(test_ws_refused_upgrade_over_wss_names_status),
        cmocka_unit_test(test_tls_options_usage_errors),
        cmocka_unit_test(test_readme_record_example_over_https),
        cmocka_unit_test(test_record_insecure_and_env_cacert),
        cmocka_unit_test(test_serve_tls),
        cmocka_unit_test(test_check_live_over_https),
    };
    return SUITE_RUN(argc, argv, tests, group_setup, group_teardown);
}
