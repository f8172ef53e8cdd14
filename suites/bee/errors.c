/* errors.c: Bee's error envelope {"error":{"code","message"}} and statuses:
 * 401 without or with a wrong key, 404 for unknown ids, 400 for a bad body,
 * and (mock only) the 429 of the rate limit with its headers. */
#include "bee_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Asserts an MKC_EHTTP error with this status and Bee code. */
static void assert_bee_error(int rc, mkc_error *err, long status, const char *code)
{
    if (rc != MKC_EHTTP)
        print_error("expected an HTTP error, got %s: %s\n", mkc_errname(rc), err->message);
    assert_int_equal(rc, MKC_EHTTP);
    assert_int_equal(err->http_status, status);
    char got[64];
    assert_string_equal(mk_bee_error_code(err, got, sizeof got), code);
    cJSON *body = cJSON_ParseWithLength(err->body, err->body_len);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(body, "error");
    assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "message")));
    /* The message names status, code and the URL. */
    char prefix[96];
    snprintf(prefix, sizeof prefix, "bee: %ld %s: ", status, code);
    assert_memory_equal(err->message, prefix, strlen(prefix));
    assert_non_null(strstr(err->message, err->url));
    cJSON_Delete(body);
    mkc_error_clear(err);
}

static void test_401_without_key(void **state)
{
    mk_bee *b = bee_client(*state, "");
    cJSON *out = NULL;
    mkc_error err = {0};
    int rc = mk_bee_assistant_list(b, NULL, &out, &err);
    assert_null(out);
    assert_bee_error(rc, &err, 401, "auth_error");
    mk_bee_free(b);
}

static void test_401_wrong_key(void **state)
{
    mk_bee *b = bee_client(*state, "sk-proj-notakeyanyoneknows");
    cJSON *out = NULL;
    mkc_error err = {0};
    int rc = mk_bee_assistant_list(b, NULL, &out, &err);
    assert_null(out);
    /* Bee: an unknown sk-proj- key is "Key not found". */
    cJSON *body = cJSON_ParseWithLength(err.body, err.body_len);
    assert_string_equal(bee_str(cJSON_GetObjectItemCaseSensitive(body, "error"), "message"),
                        "Key not found");
    cJSON_Delete(body);
    assert_bee_error(rc, &err, 401, "auth_error");
    mk_bee_free(b);
}

static void test_404_unknown_ids(void **state)
{
    mk_bee *b = bee_client(*state, NULL);
    cJSON *out = NULL;
    mkc_error err = {0};
    assert_bee_error(mk_bee_thread_retrieve(b, "thread_" BEE_UNKNOWN_HEX, &out, &err), &err, 404,
                     "not_found");
    assert_bee_error(mk_bee_assistant_retrieve(b, "asst_" BEE_UNKNOWN_HEX, &out, &err), &err,
                     404, "not_found");
    /* An unknown run on a thread that exists. */
    cJSON *th = bee_create_thread(b, BEE_QUESTION);
    assert_bee_error(mk_bee_run_retrieve(b, bee_str(th, "id"), "run_" BEE_UNKNOWN_HEX, &out,
                                         &err),
                     &err, 404, "not_found");
    assert_null(out);
    cJSON_Delete(th);
    mk_bee_free(b);
}

static void test_400_run_without_assistant_id(void **state)
{
    mk_bee *b = bee_client(*state, NULL);
    cJSON *th = bee_create_thread(b, BEE_QUESTION);
    cJSON *empty = cJSON_CreateObject();
    cJSON *out = NULL;
    mkc_error err = {0};
    int rc = mk_bee_run_create(b, bee_str(th, "id"), empty, &out, &err);
    assert_null(out);
    cJSON *body = cJSON_ParseWithLength(err.body, err.body_len);
    /* Fastify 4's "body <ajv message>", and nothing but Bee's envelope */
    assert_string_equal(bee_str(cJSON_GetObjectItemCaseSensitive(body, "error"), "message"),
                        "body must have required property 'assistant_id'");
    assert_int_equal(cJSON_GetArraySize(body), 1);
    cJSON_Delete(body);
    assert_bee_error(rc, &err, 400, "invalid_input");
    cJSON_Delete(empty);
    cJSON_Delete(th);
    mk_bee_free(b);
}

/* Bee validates (route schema) before it authenticates (preHandler): a bad
 * body without a key is 400; an unknown field is 400 too
 * (additionalProperties:false). */
static void test_400_before_401(void **state)
{
    mk_bee *keyed = bee_client(*state, NULL);
    cJSON *th = bee_create_thread(keyed, BEE_QUESTION);
    mk_bee *b = bee_client(*state, "");
    cJSON *params = cJSON_Parse("{\"assistant_id\":\"asst_" BEE_UNKNOWN_HEX "\",\"stream_mode\":1}");
    cJSON *out = NULL;
    mkc_error err = {0};
    int rc = mk_bee_run_create(b, bee_str(th, "id"), params, &out, &err);
    cJSON *body = cJSON_ParseWithLength(err.body, err.body_len);
    assert_string_equal(bee_str(cJSON_GetObjectItemCaseSensitive(body, "error"), "message"),
                        "body must NOT have additional properties");
    cJSON_Delete(body);
    assert_bee_error(rc, &err, 400, "invalid_input");
    cJSON_Delete(params);
    cJSON_Delete(th);
    mk_bee_free(b);
    mk_bee_free(keyed);
}

/* An unknown route is 404 "Route does not exist" with or without a key,
 * with Fastify's content type. */
static void test_404_unknown_route_before_auth(void **state)
{
    mk_bee *b = bee_client(*state, "");
    cJSON *out = NULL;
    mkc_error err = {0};
    int rc = mk_bee_request(b, "GET", "/no_such_route", NULL, &out, &err);
    cJSON *body = cJSON_ParseWithLength(err.body, err.body_len);
    assert_string_equal(bee_str(cJSON_GetObjectItemCaseSensitive(body, "error"), "message"),
                        "Route does not exist");
    cJSON_Delete(body);
    assert_bee_error(rc, &err, 404, "not_found");
    mk_bee_free(b);
}

/* bee-stack's health check: terminus answers {"status":"ok"} without auth. */
static void test_healthcheck(void **state)
{
    const bee_env *env = *state;
    mkc_http *h = mkc_http_new(env->t.root_url);
    mkc_response *r = NULL;
    mkc_error err = {0};
    assert_non_null(h);
    BEE_OK(mkc_http_request(h, "GET", "/healthcheck", NULL, NULL, NULL, 0, &r, &err), err);
    assert_int_equal(r->status, 200);
    assert_int_equal(r->body_len, strlen("{\"status\":\"ok\"}"));
    assert_memory_equal(r->body, "{\"status\":\"ok\"}", r->body_len);
    assert_string_equal(r->content_type, "application/json");
    mkc_response_free(r);
    mkc_http_free(h);
}

/* Bee allows 25 requests per second per key: a burst over it gets 429 with
 * the draft-spec ratelimit-* headers and retry-after. The shared mock has no
 * limit (suites would trip it), so this test starts its own. */
static void test_429_after_burst(void **state)
{
    const bee_env *env = *state;
    if (env->t.live)
        skip();  /* do not hammer a live service */
    mk_mock_options o;
    mk_mock_options_init(&o);
    o.service = "bee";
    o.speed = 0;
    o.quiet = 1;
    o.rate_limit = 25;
    char dir[1024];
    const char *paths[] = {suite_fixtures_dir("bee", dir, sizeof dir)};
    mk_diag d = {0};
    mk_mock *mock = NULL;
    assert_int_equal(mk_mock_new(&o, paths, 1, &mock, &d), MK_MOCK_OK);
    char url[1200];
    snprintf(url, sizeof url, "%s%s", mk_mock_url(mock), mk_mock_base_path(mock));
    mkc_http *h = mkc_http_new(url);
    assert_non_null(h);
    mkc_http_add_header(h, "Authorization: Bearer sk-proj-testkey");

    mkc_response *hit = NULL;
    int ok = 0;
    /* Bounded: a fixed 1 s window may roll over once mid-burst, never 8 times. */
    for (int i = 0; i < 200 && !hit; i++) {
        mkc_response *r = NULL;
        mkc_error err = {0};
        int rc = mkc_http_request(h, "GET", "/assistants", NULL, NULL, NULL, 0, &r, &err);
        if (rc != MKC_OK)
            print_error("%s\n", err.message);
        assert_int_equal(rc, MKC_OK);
        if (r->status == 429)
            hit = r;
        else {
            assert_int_equal(r->status, 200);
            ok++;
            mkc_response_free(r);
        }
    }
    assert_non_null(hit);
    assert_true(ok >= 25);
    cJSON *body = cJSON_ParseWithLength(hit->body, hit->body_len);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(body, "error");
    assert_string_equal(bee_str(e, "code"), "too_many_requests");
    assert_string_equal(bee_str(e, "message"), "Exceeded 25 requests per 1 second");
    assert_non_null(mkc_response_header(hit, "ratelimit-limit"));
    assert_string_equal(mkc_response_header(hit, "ratelimit-limit"), "25");
    assert_non_null(mkc_response_header(hit, "ratelimit-remaining"));
    assert_string_equal(mkc_response_header(hit, "ratelimit-remaining"), "0");
    assert_non_null(mkc_response_header(hit, "ratelimit-reset"));
    const char *retry = mkc_response_header(hit, "retry-after");
    assert_non_null(retry);
    assert_true(atoi(retry) >= 0 && atoi(retry) <= 1);
    cJSON_Delete(body);
    mkc_response_free(hit);
    mkc_http_free(h);
    mk_mock_free(mock);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_401_without_key),
        cmocka_unit_test(test_401_wrong_key),
        cmocka_unit_test(test_404_unknown_ids),
        cmocka_unit_test(test_400_run_without_assistant_id),
        cmocka_unit_test(test_400_before_401),
        cmocka_unit_test(test_404_unknown_route_before_auth),
        cmocka_unit_test(test_healthcheck),
        cmocka_unit_test(test_429_after_burst),
    };
    return SUITE_RUN(argc, argv, tests, bee_group_setup, bee_group_teardown);
}
