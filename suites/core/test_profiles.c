/* test_profiles.c: what each service profile enforces whatever the
 * cassette says (auth, rate limit) and its unmatched envelope. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core_util.h"
#include "suite.h"

#define PROFILE(name) CORE_CASSETTES "/profiles/" name ".json"

typedef struct reply {
    long status;
    cJSON *json;
    cu_resp raw;
} reply;

static void call(mk_mock *m, const char *method, const char *path, const char *const *headers,
                 const char *body, reply *out)
{
    char url[600];
    snprintf(url, sizeof(url), "%s%s", mk_mock_url(m), path);
    assert_int_equal(cu_request(method, url, headers, body, &out->raw), 0);
    out->status = out->raw.status;
    out->json = cJSON_Parse(out->raw.body);
}

static void reply_free(reply *r)
{
    cJSON_Delete(r->json);
    cu_resp_free(&r->raw);
}

static const char *str_at(const cJSON *j, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItem(j, a);
    if (b) {
        v = cJSON_GetObjectItem(v, b);
    }
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static mk_mock *start(const char *service, const char *path, int rate_limit)
{
    const char *paths[] = {path};
    mk_mock_options o;
    mk_mock *m = NULL;
    mk_mock_options_init(&o);
    o.service = service;
    o.quiet = 1;
    o.rate_limit = rate_limit;
    assert_int_equal(mk_mock_new(&o, paths, 1, &m, NULL), MK_MOCK_OK);
    return m;
}

static void bee_needs_its_key(void **state)
{
    const char *good[] = {"Authorization: Bearer sk-proj-testkey", NULL};
    const char *wrong[] = {"Authorization: Bearer sk-proj-other", NULL};
    const char *malformed[] = {"Authorization: Basic Ym9iOmJvYg==", NULL};
    mk_mock *m = start("bee", PROFILE("bee"), 0);
    reply r;
    char buf[32];
    (void)state;
    assert_string_equal(mk_mock_base_path(m), "/v1");
    call(m, "GET", "/v1/assistants", NULL, NULL, &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(str_at(r.json, "error", "code"), "auth_error");
    assert_string_equal(str_at(r.json, "error", "message"), "Invalid authorization");
    reply_free(&r);
    call(m, "GET", "/v1/assistants", malformed, NULL, &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(str_at(r.json, "error", "message"), "Invalid authorization");
    reply_free(&r);
    call(m, "GET", "/v1/assistants", wrong, NULL, &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(str_at(r.json, "error", "message"), "Key not found");
    reply_free(&r);
    call(m, "GET", "/v1/assistants", good, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(r.json, "object", NULL), "list");
    reply_free(&r);
    /* a known route nothing recorded: Bee's envelope only, the near miss in
     * headers (no "mockkit" member a Bee client would not expect) */
    call(m, "GET", "/v1/assistants/asst_1", good, NULL, &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(str_at(r.json, "error", "code"), "not_found");
    assert_string_equal(str_at(r.json, "error", "message"),
                        "mockkit: no recorded interaction for GET /v1/assistants/asst_1");
    assert_null(cJSON_GetObjectItem(r.json, "mockkit"));
    assert_int_equal(cJSON_GetArraySize(r.json), 1);
    assert_string_equal(cu_header(&r.raw, "X-Mockkit-Unmatched", buf, sizeof(buf)), "1");
    assert_string_equal(cu_header(&r.raw, "Content-Type", buf, sizeof(buf)),
                        "application/json; charset=utf-8");
    {
        char near[512];
        assert_non_null(cu_header(&r.raw, "X-Mockkit-Nearest", near, sizeof(near)));
        assert_non_null(strstr(near, "profiles/bee.json#list-assistants: path: "));
    }
    reply_free(&r);
    mk_mock_free(m);
}

static void bee_rate_limit(void **state)
{
    const char *good[] = {"Authorization: Bearer sk-proj-testkey", NULL};
    mk_mock *m = start("bee", PROFILE("bee"), 3);
    reply r;
    char buf[32];
    int ok = 0;
    (void)state;
    /* the window is one second: 3 pass, the 4th is refused (unless the
     * window rolled over in between, which the loop tolerates once) */
    for (int i = 0; i < 8; i++) {
        call(m, "GET", "/v1/assistants", good, NULL, &r);
        if (r.status == 429) {
            assert_string_equal(str_at(r.json, "error", "code"), "too_many_requests");
            assert_string_equal(str_at(r.json, "error", "message"),
                                "Exceeded 3 requests per 1 second");
            assert_string_equal(cu_header(&r.raw, "ratelimit-limit", buf, sizeof(buf)), "3");
            assert_string_equal(cu_header(&r.raw, "ratelimit-remaining", buf, sizeof(buf)), "0");
            assert_non_null(cu_header(&r.raw, "ratelimit-reset", buf, sizeof(buf)));
            assert_true(atoi(buf) >= 1);
            assert_non_null(cu_header(&r.raw, "retry-after", buf, sizeof(buf)));
            assert_true(atoi(buf) >= 1);
            ok = 1;
            reply_free(&r);
            break;
        }
        assert_int_equal(r.status, 200);
        reply_free(&r);
    }
    assert_true(ok);
    mk_mock_free(m);
}

static void openai_key_errors(void **state)
{
    const char *wrong[] = {"Authorization: Bearer sk-proj-abcdefgh1234", NULL};
    const char *good[] = {"Authorization: Bearer sk-proj-testkey", NULL};
    mk_mock *m = start("openai", PROFILE("openai"), 0);
    reply r;
    (void)state;
    call(m, "POST", "/v1/chat/completions", NULL, "{\"model\":\"gpt-4o-mini\"}", &r);
    assert_int_equal(r.status, 401);
    assert_non_null(strstr(str_at(r.json, "error", "message"), "You didn't provide an API key"));
    assert_string_equal(str_at(r.json, "error", "type"), "invalid_request_error");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "error"), "code")));
    reply_free(&r);
    call(m, "POST", "/v1/chat/completions", wrong, "{\"model\":\"gpt-4o-mini\"}", &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(str_at(r.json, "error", "code"), "invalid_api_key");
    assert_non_null(strstr(str_at(r.json, "error", "message"),
                           "Incorrect API key provided: sk-***1234."));
    reply_free(&r);
    call(m, "POST", "/v1/chat/completions", good, "{\"model\":\"gpt-4o-mini\"}", &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    call(m, "POST", "/v1/chat/completions", good, "{\"model\":\"gpt-5\"}", &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(str_at(r.json, "error", "code"), "unknown_url");
    assert_string_equal(str_at(r.json, "error", "message"),
                        "mockkit: no recorded interaction for POST /v1/chat/completions");
    assert_string_equal(str_at(r.json, "mockkit", NULL) ? "" : "object", "object");
    assert_non_null(strstr(r.raw.body, "body: /model: expected \\\"gpt-4o-mini\\\", got \\\"gpt-5\\\""));
    reply_free(&r);
    mk_mock_free(m);
}

static void cairos_login_and_session(void **state)
{
    const char *form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    const char *cookie[] = {"Cookie: other=1; Outseta.nocode.accessToken=abc", NULL};
    const char *empty_cookie[] = {"Cookie: Outseta.nocode.accessToken=", NULL};
    const char *bearer[] = {"Authorization: Bearer tok", NULL};
    const char *session[] = {"Cookie: Outseta.nocode.accessToken=abc; cairos_session=s1", NULL};
    mk_mock *m = start("cairos", PROFILE("cairos"), 0);
    reply r;
    char buf[128];
    (void)state;
    assert_string_equal(mk_mock_base_path(m), "/api");
    call(m, "POST", "/api/login", form, "username=bob&password=wrong", &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(str_at(r.json, "detail", NULL), "Incorrect username or password");
    reply_free(&r);
    call(m, "POST", "/api/login", form, "username=bob&password=bobspassword", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(cu_header(&r.raw, "Set-Cookie", buf, sizeof(buf)));
    assert_non_null(strstr(buf, "Outseta.nocode.accessToken="));
    reply_free(&r);
    /* a route's required cookie missing: FastAPI's 422 HTTPValidationError,
     * whatever the Authorization header says */
    call(m, "GET", "/api/thread", NULL, NULL, &r);
    assert_int_equal(r.status, 422);
    assert_string_equal(r.raw.body, "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"cookie\","
                                    "\"Outseta.nocode.accessToken\"],\"msg\":\"Field required\","
                                    "\"input\":null}]}");
    assert_non_null(strstr(cu_header(&r.raw, "content-type", buf, sizeof(buf)), "application/json"));
    reply_free(&r);
    call(m, "GET", "/api/thread", bearer, NULL, &r);
    assert_int_equal(r.status, 422);
    reply_free(&r);
    /* present, even empty, passes validation (token values are not checked) */
    call(m, "GET", "/api/thread", empty_cookie, NULL, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    call(m, "GET", "/api/thread", cookie, NULL, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    /* /event_log also requires cairos_session; both missing: both listed */
    call(m, "GET", "/api/event_log", cookie, NULL, &r);
    assert_int_equal(r.status, 422);
    assert_string_equal(r.raw.body, "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"cookie\","
                                    "\"cairos_session\"],\"msg\":\"Field required\","
                                    "\"input\":null}]}");
    reply_free(&r);
    call(m, "GET", "/api/event_log", NULL, NULL, &r);
    assert_int_equal(r.status, 422);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "detail")), 2);
    reply_free(&r);
    call(m, "GET", "/api/event_log", session, NULL, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    /* a known path with another method: FastAPI's 405, before validation */
    call(m, "DELETE", "/api/thread", NULL, NULL, &r);
    assert_int_equal(r.status, 405);
    assert_string_equal(r.raw.body, "{\"detail\":\"Method Not Allowed\"}");
    assert_string_equal(cu_header(&r.raw, "allow", buf, sizeof(buf)), "GET");
    reply_free(&r);
    call(m, "HEAD", "/api/thread", cookie, NULL, &r);
    assert_int_equal(r.status, 405);  /* an APIRoute's methods are only the declared GET */
    reply_free(&r);
    /* routing comes first: an unknown route is 404 with or without cookies */
    call(m, "GET", "/api/nope", NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(str_at(r.json, "detail", NULL), "Not Found");
    assert_string_equal(str_at(r.json, "mockkit", "unmatched"), "GET /api/nope");
    reply_free(&r);
    mk_mock_free(m);
}

static void pieces_plain_text_404(void **state)
{
    mk_mock *m = start("pieces", PROFILE("pieces"), 0);
    reply r;
    char buf[64];
    (void)state;
    assert_string_equal(mk_mock_base_path(m), "");
    call(m, "GET", "/.well-known/health", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.raw.body, "ok:12.5.0");
    reply_free(&r);
    call(m, "GET", "/.well-known/version", NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    assert_non_null(cu_header(&r.raw, "Content-Type", buf, sizeof(buf)));
    assert_non_null(strstr(buf, "text/plain"));
    assert_string_equal(cu_header(&r.raw, "X-Mockkit-Unmatched", buf, sizeof(buf)), "1");
    assert_non_null(strstr(r.raw.body, "mockkit: no recorded interaction for GET /.well-known/version"
                                       " (nearest: "));
    assert_non_null(strstr(r.raw.body, "pieces.json#health, failed: path: expected"));
    reply_free(&r);
    mk_mock_free(m);
}

static void admin_paths_skip_auth(void **state)
{
    mk_mock *m = start("bee", PROFILE("bee"), 0);
    reply r;
    (void)state;
    call(m, "GET", "/__mockkit/requests", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(cJSON_IsArray(r.json));
    reply_free(&r);
    mk_mock_free(m);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bee_needs_its_key),       cmocka_unit_test(bee_rate_limit),
        cmocka_unit_test(openai_key_errors),       cmocka_unit_test(cairos_login_and_session),
        cmocka_unit_test(pieces_plain_text_404),   cmocka_unit_test(admin_paths_skip_auth),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
