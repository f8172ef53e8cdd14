/* test_requests.c: GET /__mockkit/requests (headers and body, redacted,
 * bounded, filtered, times from start) and POST /__mockkit/verify (count
 * and order: 200, or 409 with what differed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "admin_util.h"
#include "suite.h"

static const char cassette[] =
    "{\"mockkit_cassette\":1,\"meta\":{\"service\":\"generic\",\"name\":\"req\","
    "\"description\":\"admin suite: a POST with a JSON body and a GET\",\"created\":"
    "\"2026-11-30T10:00:00Z\",\"source\":{\"kind\":\"synthesized\",\"refs\":[\"mockkit "
    "docs/cassette.md (the format itself)\"]}},\"interactions\":["
    "{\"id\":\"post\",\"at_ms\":0,\"request\":{\"method\":\"POST\",\"path\":\"/items\","
    "\"json\":{\"kind\":\"a\"}},\"response\":{\"status\":201,\"text\":\"made\"}},"
    "{\"id\":\"get\",\"at_ms\":1,\"request\":{\"method\":\"GET\",\"path\":\"/items/{id}\"},"
    "\"response\":{\"status\":200,\"text\":\"it\"}}]}";

static mk_mock *g;
static mk_clock *g_clock;

static int setup(void **state)
{
    mk_mock_options o;
    mk_diag d;
    char dir[64];
    (void)state;
    au_tmpdir(dir, sizeof(dir));
    au_write(dir, "req.json", cassette);
    const char *paths[] = {dir};
    g_clock = mk_clock_new_virtual();
    assert_int_equal(mk_clock_advance(g_clock, 5000), 0); /* the mock starts at 5 s */
    mk_mock_options_init(&o);
    o.speed = 0;
    o.quiet = 1;
    o.clock = g_clock;
    assert_int_equal(mk_mock_new(&o, paths, 1, &g, &d), MK_MOCK_OK);
    au_rmdir(dir); /* loaded: the folder is no longer needed */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    mk_mock_free(g);
    mk_clock_free(g_clock);
    return 0;
}

static long send(const char *method, const char *path, const char *body, const char *auth)
{
    char url[512], a[300];
    const char *headers[] = {"Content-Type: application/json", a, NULL};
    cu_resp r;
    long status;
    snprintf(url, sizeof(url), "%s%s", mk_mock_url(g), path);
    snprintf(a, sizeof(a), "Authorization: %s", auth ? auth : "");
    if (!auth) {
        headers[1] = NULL;
    }
    assert_int_equal(cu_request(method, url, headers, body, &r), 0);
    status = r.status;
    cu_resp_free(&r);
    return status;
}

static cJSON *admin_json(const char *method, const char *path, const char *body, long *status)
{
    cu_resp r;
    cJSON *j;
    au_admin(g, method, path, body, NULL, &r);
    *status = r.status;
    j = cJSON_Parse(r.body);
    assert_non_null(j);
    cu_resp_free(&r);
    return j;
}

static void test_entries_carry_headers_and_body_redacted(void **state)
{
    long status;
    const char *key = "Bearer sk-proj-0123456789abcdefghijklmnop";
    (void)state;
    mk_mock_reset(g);
    assert_int_equal(mk_clock_advance(g_clock, 250), 0);
    assert_int_equal(send("POST", "/items", "{\"kind\":\"a\",\"password\":\"hunter2\"}", key),
                     201);
    cJSON *j = admin_json("GET", "/__mockkit/requests", NULL, &status);
    assert_int_equal(status, 200);
    assert_int_equal(cJSON_GetArraySize(j), 1);
    cJSON *e = cJSON_GetArrayItem(j, 0);
    assert_int_equal(cJSON_GetObjectItem(e, "t_ms")->valueint, 250); /* since start */
    cJSON *req = cJSON_GetObjectItem(e, "request");
    assert_non_null(req);
    cJSON *h = cJSON_GetObjectItem(req, "headers");
    assert_string_equal(cJSON_GetObjectItem(h, "Content-Type")->valuestring, "application/json");
    assert_string_equal(cJSON_GetObjectItem(h, "Authorization")->valuestring,
                        "<REDACTED:Authorization>");
    cJSON *body = cJSON_GetObjectItem(req, "json");
    assert_string_equal(cJSON_GetObjectItem(body, "kind")->valuestring, "a");
    assert_string_equal(cJSON_GetObjectItem(body, "password")->valuestring,
                        "<REDACTED:password>");
    char *text = cJSON_PrintUnformatted(j);
    assert_null(strstr(text, "hunter2"));
    assert_null(strstr(text, "sk-proj-0123"));
    free(text);
    cJSON_Delete(j);
}

static void test_body_is_bounded(void **state)
{
    long status;
    size_t n = 100 * 1024;
    char *big = malloc(n + 1);
    (void)state;
    mk_mock_reset(g);
    memset(big, 'x', n);
    big[n] = '\0';
    send("PUT", "/blob", big, NULL);
    cJSON *j = admin_json("GET", "/__mockkit/requests", NULL, &status);
    cJSON *e = cJSON_GetArrayItem(j, 0);
    assert_int_equal(cJSON_GetObjectItem(e, "body_bytes")->valuedouble, (double)n);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(e, "body_truncated")));
    assert_int_equal(strlen(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "request"), "text")
                                ->valuestring),
                     64 * 1024);
    cJSON_Delete(j);
    free(big);
}

static void test_filters(void **state)
{
    long status;
    (void)state;
    mk_mock_reset(g);
    send("GET", "/items/1", NULL, NULL);
    send("GET", "/nothing", NULL, NULL);
    send("GET", "/items/2?x=1", NULL, NULL);
    cJSON *j = admin_json("GET", "/__mockkit/requests?unmatched=1", NULL, &status);
    assert_int_equal(cJSON_GetArraySize(j), 1);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "path")->valuestring,
                        "/nothing");
    cJSON_Delete(j);
    j = admin_json("GET", "/__mockkit/requests?path=/items/2", NULL, &status);
    assert_int_equal(cJSON_GetArraySize(j), 1);
    cJSON_Delete(j);
    j = admin_json("GET", "/__mockkit/requests?path=/items/*", NULL, &status);
    assert_int_equal(cJSON_GetArraySize(j), 2);
    cJSON_Delete(j);
}

static void test_verify_count(void **state)
{
    long status;
    (void)state;
    mk_mock_reset(g);
    send("POST", "/items", "{\"kind\":\"a\",\"n\":1}", NULL);
    send("POST", "/items", "{\"kind\":\"b\"}", NULL);
    cJSON *j = admin_json("POST", "/__mockkit/verify",
                          "{\"request\":{\"method\":\"POST\",\"path\":\"/items\","
                          "\"body\":{\"kind\":\"a\"}},\"count\":1}",
                          &status);
    assert_int_equal(status, 200);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "ok")));
    cJSON_Delete(j);
    j = admin_json("POST", "/__mockkit/verify",
                   "{\"request\":{\"method\":\"POST\",\"path\":\"/items\"},\"at_most\":1}",
                   &status);
    assert_int_equal(status, 409);
    assert_int_equal(cJSON_GetObjectItem(j, "count")->valueint, 2);
    assert_non_null(strstr(cJSON_GetObjectItem(j, "differed")->valuestring, "got 2"));
    cJSON_Delete(j);
    /* none with kind c: the nearest is a POST /items whose body differs */
    j = admin_json("POST", "/__mockkit/verify",
                   "{\"request\":{\"method\":\"POST\",\"path\":\"/items\","
                   "\"body\":{\"kind\":\"c\"}},\"at_least\":1}",
                   &status);
    assert_int_equal(status, 409);
    cJSON *near = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "nearest"), 0);
    assert_non_null(near);
    assert_non_null(strstr(cJSON_GetObjectItem(near, "differs")->valuestring, "/kind"));
    cJSON_Delete(j);
    j = admin_json("POST", "/__mockkit/verify", "{\"request\":{\"path\":3}}", &status);
    assert_int_equal(status, 400);
    cJSON_Delete(j);
}

static void test_verify_order(void **state)
{
    long status;
    (void)state;
    mk_mock_reset(g);
    send("POST", "/items", "{\"kind\":\"a\"}", NULL);
    send("GET", "/other", NULL, NULL);
    send("GET", "/items/7", NULL, NULL);
    cJSON *j = admin_json("POST", "/__mockkit/verify",
                          "{\"order\":[{\"method\":\"POST\",\"path\":\"/items\"},"
                          "{\"method\":\"GET\",\"path\":\"/items/{id}\"}]}",
                          &status);
    assert_int_equal(status, 200);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "seqs")), 2);
    cJSON_Delete(j);
    j = admin_json("POST", "/__mockkit/verify",
                   "{\"order\":[{\"method\":\"GET\",\"path\":\"/items/{id}\"},"
                   "{\"method\":\"POST\",\"path\":\"/items\"}]}",
                   &status);
    assert_int_equal(status, 409);
    assert_non_null(strstr(cJSON_GetObjectItem(j, "differed")->valuestring, "step 2 of 2"));
    cJSON_Delete(j);
}

/* The C twin answers as the endpoint does. */
static void test_verify_c_api(void **state)
{
    cJSON *expect, *report = NULL;
    (void)state;
    mk_mock_reset(g);
    send("GET", "/items/1", NULL, NULL);
    expect = cJSON_Parse("{\"request\":{\"path\":\"/items/{id}\"},\"count\":1}");
    assert_int_equal(mk_mock_verify(g, expect, &report), 1);
    cJSON_Delete(report);
    cJSON_Delete(expect);
    expect = cJSON_Parse("{\"request\":{\"path\":\"/items/{id}\"},\"count\":2}");
    assert_int_equal(mk_mock_verify(g, expect, &report), 0);
    assert_non_null(cJSON_GetObjectItem(report, "differed"));
    cJSON_Delete(report);
    cJSON_Delete(expect);
    cJSON *list = mk_mock_requests_json(g, "/items/1", 0);
    assert_int_equal(cJSON_GetArraySize(list), 1);
    cJSON_Delete(list);
}

/* Near misses are ranked: method and path first, then the most alike
 * body; the best three are shown, each with the matcher that failed. */
static void test_near_misses_ranked(void **state)
{
    static const char more[] =
        "{\"mockkit_cassette\":1,\"meta\":{\"service\":\"generic\",\"name\":\"more\","
        "\"description\":\"admin suite: a second POST /items\",\"created\":"
        "\"2026-11-30T10:00:00Z\",\"source\":{\"kind\":\"synthesized\",\"refs\":[\"mockkit "
        "docs/cassette.md (the format itself)\"]}},\"interactions\":["
        "{\"id\":\"post-b\",\"at_ms\":0,\"request\":{\"method\":\"POST\",\"path\":\"/items\","
        "\"json\":{\"kind\":\"b\",\"size\":1}},\"response\":{\"status\":201,\"text\":\"b\"}}]}";
    mk_diag d;
    char url[256];
    const char *headers[] = {"Content-Type: application/json", NULL};
    cu_resp r;
    (void)state;
    assert_int_equal(mk_mock_add_cassette(g, more, strlen(more), NULL, NULL, &d), MK_MOCK_OK);
    snprintf(url, sizeof(url), "%s/items", mk_mock_url(g));
    assert_int_equal(cu_request("POST", url, headers, "{\"kind\":\"b\",\"size\":2}", &r), 0);
    assert_int_equal(r.status, 404);
    cJSON *j = cJSON_Parse(r.body);
    cu_resp_free(&r);
    cJSON *list = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "mockkit"), "candidates");
    assert_int_equal(cJSON_GetArraySize(list), 3);
    const char *want[] = {"post-b", "post", "get"};
    const char *fails[] = {"body: /size", "body: /kind", "method"};
    for (int i = 0; i < 3; i++) {
        cJSON *c = cJSON_GetArrayItem(list, i);
        assert_string_equal(cJSON_GetObjectItem(c, "interaction")->valuestring, want[i]);
        assert_non_null(strstr(cJSON_GetObjectItem(c, "failed")->valuestring, fails[i]));
    }
    cJSON_Delete(j);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entries_carry_headers_and_body_redacted),
        cmocka_unit_test(test_body_is_bounded),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_verify_count),
        cmocka_unit_test(test_verify_order),
        cmocka_unit_test(test_verify_c_api),
        cmocka_unit_test(test_near_misses_ranked),
    };
    return SUITE_RUN(argc, argv, tests, setup, teardown);
}
