/* test_bee_profile.c: the Bee mock refuses requests the way bee-api's
 * Fastify server does, in its order: /healthcheck (terminus), routing
 * (404 "Route does not exist" whatever the key), body validation against
 * models/bee.json (400 invalid_input in AJV's words), then auth (401). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core_util.h"
#include "suite.h"

static const char *const JSON_NO_KEY[] = {"Content-Type: application/json", NULL};
static const char *const JSON_KEY[] = {"Content-Type: application/json",
                                       "Authorization: Bearer sk-proj-testkey", NULL};
static const char *const KEY[] = {"Authorization: Bearer sk-proj-testkey", NULL};

typedef struct reply {
    long status;
    cJSON *json;
    cu_resp raw;
    char ctype[96];
} reply;

static mk_mock *start(void)
{
    const char *paths[] = {CORE_CASSETTES "/profiles/bee.json"};
    mk_mock_options o;
    mk_mock *m = NULL;
    mk_mock_options_init(&o);
    o.service = "bee";
    o.quiet = 1;
    assert_int_equal(mk_mock_new(&o, paths, 1, &m, NULL), MK_MOCK_OK);
    return m;
}

static void call(mk_mock *m, const char *method, const char *path, const char *const *headers,
                 const char *body, reply *out)
{
    char url[600];
    snprintf(url, sizeof(url), "%s%s", mk_mock_url(m), path);
    assert_int_equal(cu_request(method, url, headers, body, &out->raw), 0);
    out->status = out->raw.status;
    out->json = cJSON_Parse(out->raw.body);
    if (!cu_header(&out->raw, "Content-Type", out->ctype, sizeof(out->ctype)))
        out->ctype[0] = '\0';
}

static void reply_free(reply *r)
{
    cJSON_Delete(r->json);
    cu_resp_free(&r->raw);
}

/* status, Bee code and message, the whole body being {"error":{...}} */
static void expect(mk_mock *m, const char *method, const char *path,
                   const char *const *headers, const char *body, long status, const char *code,
                   const char *message)
{
    reply r;
    call(m, method, path, headers, body, &r);
    if (r.status != status)
        print_error("%s %s %s: got %ld %s\n", method, path, body ? body : "", r.status,
                    r.raw.body ? r.raw.body : "");
    assert_int_equal(r.status, status);
    assert_int_equal(cJSON_GetArraySize(r.json), 1);
    const cJSON *e = cJSON_GetObjectItem(r.json, "error");
    assert_int_equal(cJSON_GetArraySize(e), 2);
    assert_string_equal(cJSON_GetObjectItem(e, "code")->valuestring, code);
    assert_string_equal(cJSON_GetObjectItem(e, "message")->valuestring, message);
    assert_string_equal(r.ctype, "application/json; charset=utf-8");
    reply_free(&r);
}

static void unknown_route_is_404_whatever_the_key(void **state)
{
    mk_mock *m = start();
    (void)state;
    expect(m, "GET", "/v1/nothing", NULL, NULL, 404, "not_found", "Route does not exist");
    expect(m, "GET", "/v1/nothing", KEY, NULL, 404, "not_found", "Route does not exist");
    /* a wrong method on a known path is no route either (Fastify has no 405) */
    expect(m, "PUT", "/v1/assistants", NULL, "{}", 404, "not_found", "Route does not exist");
    /* no trailing-slash folding */
    expect(m, "GET", "/v1/assistants/", NULL, NULL, 404, "not_found", "Route does not exist");
    /* Fastify's 404 handler is a route: a JSON body is parsed first, other
     * media types are let through */
    expect(m, "POST", "/v1/nothing", JSON_NO_KEY, "", 400, "invalid_input",
           "Body cannot be empty when content-type is set to 'application/json'");
    expect(m, "POST", "/v1/nothing", JSON_NO_KEY, "{}", 404, "not_found", "Route does not exist");
    {
        const char *const form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
        expect(m, "POST", "/v1/nothing", form, "a=1", 404, "not_found", "Route does not exist");
    }
    /* known routes without a key get to auth */
    expect(m, "GET", "/v1/assistants", NULL, NULL, 401, "auth_error", "Invalid authorization");
    /* GET has no static /v1/threads/runs: {thread_id} takes "runs" */
    expect(m, "GET", "/v1/threads/runs", NULL, NULL, 401, "auth_error", "Invalid authorization");
    mk_mock_free(m);
}

static void validation_before_auth(void **state)
{
    mk_mock *m = start();
    (void)state;
    /* no key and a bad body: 400, not 401 */
    expect(m, "POST", "/v1/threads/thread_1/runs", JSON_NO_KEY, "{}", 400, "invalid_input",
           "body must have required property 'assistant_id'");
    expect(m, "POST", "/v1/threads/thread_1/runs", JSON_NO_KEY,
           "{\"assistant_id\":\"asst_1\",\"foo\":1}", 400, "invalid_input",
           "body must NOT have additional properties");
    /* a good body without a key: now auth speaks */
    expect(m, "POST", "/v1/threads/thread_1/runs", JSON_NO_KEY, "{\"assistant_id\":\"asst_1\"}",
           401, "auth_error", "Invalid authorization");
    /* POST /v1/threads/runs is its own route (static beats {thread_id}) */
    expect(m, "POST", "/v1/threads/runs", JSON_KEY, "{\"metadata\":{}}", 400, "invalid_input",
           "body must have required property 'assistant_id'");
    mk_mock_free(m);
}

static void ajv_wording(void **state)
{
    mk_mock *m = start();
    (void)state;
    expect(m, "POST", "/v1/threads/thread_1/runs", JSON_KEY, "{\"assistant_id\":{}}", 400,
           "invalid_input", "body/assistant_id must be string");
    /* nullable: AJV names the declared type only */
    expect(m, "POST", "/v1/assistants", JSON_KEY, "{\"name\":[\"a\",\"b\"]}", 400,
           "invalid_input", "body/name must be string");
    /* coerceTypes:"array": a string where an array is declared is wrapped,
     * so a string message list fails on its item */
    expect(m, "POST", "/v1/threads", JSON_KEY, "{\"messages\":\"hi\"}", 400, "invalid_input",
           "body/messages/0 must be object");
    expect(m, "POST", "/v1/assistants", JSON_KEY, "{\"top_p\":\"high\"}", 400, "invalid_input",
           "body/top_p must be number");
    /* objects are never coerced: a one-item array is no object */
    expect(m, "POST", "/v1/vector_stores", JSON_KEY, "{\"depends_on\":[{\"thread\":{\"id\":\"t\"}}]}",
           400, "invalid_input", "body/depends_on must be object");
    expect(m, "POST", "/v1/assistants", JSON_KEY, "{\"agent\":\"crew\"}", 400, "invalid_input",
           "body/agent must be equal to one of the allowed values");
    expect(m, "POST", "/v1/assistants", JSON_KEY, "{\"top_p\":1.5}", 400, "invalid_input",
           "body/top_p must be <= 1");
    expect(m, "POST", "/v1/threads", JSON_KEY, "{\"messages\":[{\"role\":\"user\"}]}", 400,
           "invalid_input", "body/messages/0 must have required property 'content'");
    expect(m, "POST", "/v1/threads", JSON_KEY,
           "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"x\":1}]}", 400, "invalid_input",
           "body/messages/0 must NOT have additional properties");
    expect(m, "POST", "/v1/assistants", JSON_KEY, "{\"name\":\"" /* 257 characters */
           "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
           "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
           "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
           400, "invalid_input", "body/name must NOT have more than 256 characters");
    /* a failed oneOf: Fastify prints every AJV error, each branch's first
     * one and then the oneOf's (tools-usage.ts has five branches) */
    expect(m, "POST", "/v1/assistants", JSON_KEY, "{\"tools\":[{\"type\":\"browser\"}]}", 400,
           "invalid_input",
           "body/tools/0 must have required property 'user', "
           "body/tools/0 must have required property 'function', "
           "body/tools/0/type must be equal to constant, "
           "body/tools/0/type must be equal to constant, "
           "body/tools/0 must have required property 'system', "
           "body/tools/0 must match exactly one schema in oneOf");
    /* AJV's order: an unknown member is reported before a bad known one,
     * and members in the schema's order, not the request's */
    expect(m, "POST", "/v1/threads/thread_1/runs", JSON_KEY,
           "{\"assistant_id\":{},\"zzz\":1}", 400, "invalid_input",
           "body must NOT have additional properties");
    expect(m, "POST", "/v1/threads/thread_1/runs", JSON_KEY,
           "{\"model\":{},\"assistant_id\":{}}", 400, "invalid_input",
           "body/assistant_id must be string");
    /* Fastify's own parser errors */
    expect(m, "POST", "/v1/assistants", JSON_KEY, "", 400, "invalid_input",
           "Body cannot be empty when content-type is set to 'application/json'");
    expect(m, "POST", "/v1/threads/thread_1/runs", KEY, NULL, 400, "invalid_input",
           "body must be object");
    /* secure-json-parse refuses prototype poisoning, on any route */
    expect(m, "POST", "/v1/threads/thread_1/runs", JSON_KEY,
           "{\"assistant_id\":\"a\",\"metadata\":{\"__proto__\":{\"x\":\"1\"}}}", 400,
           "invalid_input", "Object contains forbidden prototype property");
    expect(m, "POST", "/v1/threads/thread_1/runs/run_1/cancel", JSON_KEY,
           "{\"constructor\":{\"prototype\":{}}}", 400, "invalid_input",
           "Object contains forbidden prototype property");
    mk_mock_free(m);
}

/* The keywords bee-api's DTOs add on top of types and bounds, each refused
 * in AJV 8's words: multipleOf 0.01 (AJV divides, with no tolerance, so
 * 0.57 / 0.01 = 56.99999999999999 is refused too), metadata's maxProperties
 * 16 and propertyNames ^.{1,64}$ (the pattern's error, then its own), and
 * uniqueItems (AJV's scan order decides which pair it names). */
static void strict_keywords(void **state)
{
    static const char k16[] = "\"k00\":\"v\",\"k01\":\"v\",\"k02\":\"v\",\"k03\":\"v\",\"k04\":\"v\",\"k05\":\"v\",\"k06\":\"v\",\"k07\":\"v\",\"k08\":\"v\",\"k09\":\"v\",\"k10\":\"v\",\"k11\":\"v\",\"k12\":\"v\",\"k13\":\"v\",\"k14\":\"v\",\"k15\":\"v\"";
    char body[1024];
    mk_mock *m = start();
    (void)state;
    expect(m, "POST", "/v1/assistants", JSON_KEY, "{\"temperature\":0.555}", 400,
           "invalid_input", "body/temperature must be multiple of 0.01");
    expect(m, "POST", "/v1/threads/thread_1/runs", JSON_KEY,
           "{\"assistant_id\":\"a\",\"top_p\":0.57}", 400, "invalid_input",
           "body/top_p must be multiple of 0.01");
    /* whole hundredths that divide evenly pass, also coerced from text */
    expect(m, "POST", "/v1/threads/thread_1/runs", JSON_NO_KEY,
           "{\"assistant_id\":\"a\",\"top_p\":0.5,\"temperature\":0.7}", 401, "auth_error",
           "Invalid authorization");
    expect(m, "POST", "/v1/threads/thread_1/runs", JSON_NO_KEY,
           "{\"assistant_id\":\"a\",\"temperature\":\"1.25\"}", 401, "auth_error",
           "Invalid authorization");
    expect(m, "POST", "/v1/threads/thread_1/runs", JSON_KEY,
           "{\"assistant_id\":\"a\",\"temperature\":\"0.555\"}", 400, "invalid_input",
           "body/temperature must be multiple of 0.01");

    snprintf(body, sizeof(body), "{\"assistant_id\":\"a\",\"metadata\":{%s}}", k16);
    expect(m, "POST", "/v1/threads/thread_1/runs", JSON_NO_KEY, body, 401, "auth_error",
           "Invalid authorization");
    snprintf(body, sizeof(body), "{\"assistant_id\":\"a\",\"metadata\":{%s,\"k16\":\"v\"}}", k16);
    expect(m, "POST", "/v1/threads/thread_1/runs", JSON_KEY, body, 400, "invalid_input",
           "body/metadata must NOT have more than 16 properties");
    /* JSON.parse keeps one member per name, with its last value */
    snprintf(body, sizeof(body), "{\"assistant_id\":{},\"metadata\":{%s,\"k00\":\"w\"},"
             "\"assistant_id\":\"a\"}", k16);
    expect(m, "POST", "/v1/threads/thread_1/runs", JSON_NO_KEY, body, 401, "auth_error",
           "Invalid authorization");
    expect(m, "POST", "/v1/threads/thread_1/runs", JSON_KEY,
           "{\"assistant_id\":\"a\",\"top_p\":0.5,\"top_p\":0.555,\"top_p\":0.57}", 400,
           "invalid_input", "body/top_p must be multiple of 0.01");

    char key[80];
    memset(key, 'k', 65);
    key[65] = '\0';
    snprintf(body, sizeof(body), "{\"metadata\":{\"%s\":\"v\"}}", key);
    expect(m, "POST", "/v1/assistants", JSON_KEY, body, 400, "invalid_input",
           "body/metadata must match pattern \"^.{1,64}$\", body/metadata property name must be valid");
    expect(m, "POST", "/v1/threads", JSON_KEY, "{\"metadata\":{\"\":\"v\"}}", 400,
           "invalid_input",
           "body/metadata must match pattern \"^.{1,64}$\", body/metadata property name must be valid");
    key[64] = '\0';
    snprintf(body, sizeof(body), "{\"assistant_id\":\"a\",\"metadata\":{\"%s\":\"v\"}}", key);
    expect(m, "POST", "/v1/threads/thread_1/runs", JSON_NO_KEY, body, 401, "auth_error",
           "Invalid authorization");
    /* characters, not bytes: 64 two-byte characters are a valid name */
    char wide[160] = "";
    for (int i = 0; i < 64; i++)
        strcat(wide, "\xc3\xa9");
    snprintf(body, sizeof(body), "{\"assistant_id\":\"a\",\"metadata\":{\"%s\":\"v\"}}", wide);
    expect(m, "POST", "/v1/threads/thread_1/runs", JSON_NO_KEY, body, 401, "auth_error",
           "Invalid authorization");

    /* string items: AJV keys them from the end, naming the later one first */
    expect(m, "POST", "/v1/threads", JSON_KEY,
           "{\"tool_resources\":{\"code_interpreter\":{\"file_ids\":[\"f\",\"g\",\"f\"]}}}", 400,
           "invalid_input",
           "body/tool_resources/code_interpreter/file_ids must NOT have duplicate items "
           "(items ## 2 and 0 are identical)");
    /* object items: compared pairwise, the earlier one first */
    expect(m, "POST", "/v1/assistants", JSON_KEY,
           "{\"tools\":[{\"type\":\"code_interpreter\"},{\"type\":\"code_interpreter\"}]}", 400,
           "invalid_input", "body/tools must NOT have duplicate items (items ## 0 and 1 are identical)");
    expect(m, "GET", "/v1/threads/thread_1/runs?ids[]=r1&ids[]=r1", NULL, NULL, 400,
           "invalid_input",
           "querystring/ids[] must NOT have duplicate items (items ## 1 and 0 are identical)");
    expect(m, "GET", "/v1/threads/thread_1/runs?ids[]=r1&ids[]=r2", NULL, NULL, 401,
           "auth_error", "Invalid authorization");
    mk_mock_free(m);
}

/* Fastify validates the querystring too, after the body and before auth;
 * AJV's coerceTypes:"array" turns "20" into 20, "true" into true and a lone
 * value into a one-item array where the schema declares one. */
static void querystring_validation(void **state)
{
    mk_mock *m = start();
    (void)state;
    expect(m, "GET", "/v1/assistants?limit=0", NULL, NULL, 400, "invalid_input",
           "querystring/limit must be >= 1");
    expect(m, "GET", "/v1/assistants?limit=abc", NULL, NULL, 400, "invalid_input",
           "querystring/limit must be number");
    expect(m, "GET", "/v1/assistants?limit=1&limit=2", NULL, NULL, 400, "invalid_input",
           "querystring/limit must be number");
    expect(m, "GET", "/v1/assistants?foo=1", NULL, NULL, 400, "invalid_input",
           "querystring must NOT have additional properties");
    expect(m, "GET", "/v1/threads/thread_1/messages?order=up", NULL, NULL, 400, "invalid_input",
           "querystring/order must be equal to one of the allowed values");
    expect(m, "GET", "/v1/tools?type=robot", NULL, NULL, 400, "invalid_input",
           "querystring/type/0 must be equal to one of the allowed values");
    /* valid once coerced: on to auth */
    expect(m, "GET", "/v1/assistants?limit=20&order=asc&public=true", NULL, NULL, 401,
           "auth_error", "Invalid authorization");
    expect(m, "GET", "/v1/tools?type=system", NULL, NULL, 401, "auth_error",
           "Invalid authorization");
    /* a route without a querystring schema takes any query */
    expect(m, "GET", "/v1/assistants/asst_1?anything=1", NULL, NULL, 401, "auth_error",
           "Invalid authorization");
    mk_mock_free(m);
}

/* Fastify 4 parses a body by its media type: a form type it has no parser
 * for is a 500 from Bee's error handler; a DELETE's body is parsed only when
 * a length is sent (openai-node's DELETE carries the JSON type, no length). */
static void body_parsing_by_media_type(void **state)
{
    const char *const form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    const char *const json_delete[] = {"Content-Type: application/json",
                                       "Authorization: Bearer sk-proj-testkey", NULL};
    const char *const json_delete_len[] = {"Content-Type: application/json",
                                           "Content-Length: 0",
                                           "Authorization: Bearer sk-proj-testkey", NULL};
    mk_mock *m = start();
    reply r;
    (void)state;
    expect(m, "POST", "/v1/threads/thread_1/runs/run_1/cancel", form, "", 500,
           "internal_server_error", "Unsupported Media Type: application/x-www-form-urlencoded");
    /* a body without a type: no parser for "" either */
    const char *const untyped[] = {"Content-Type:", NULL};
    expect(m, "POST", "/v1/threads/thread_1/runs/run_1/cancel", untyped, "{}", 500,
           "internal_server_error", "Unsupported Media Type: undefined");
    /* no type, no body: the handler runs (here: auth) */
    expect(m, "POST", "/v1/threads/thread_1/runs/run_1/cancel", NULL, NULL, 401, "auth_error",
           "Invalid authorization");
    call(m, "DELETE", "/v1/assistants/asst_1", json_delete, NULL, &r);
    assert_int_equal(r.status, 404);  /* through to matching: nothing recorded */
    assert_non_null(strstr(r.raw.body, "no recorded interaction"));
    reply_free(&r);
    expect(m, "DELETE", "/v1/assistants/asst_1", json_delete_len, NULL, 400, "invalid_input",
           "Body cannot be empty when content-type is set to 'application/json'");
    mk_mock_free(m);
}

/* What AJV coerces passes validation, as on Bee: a number for a string id,
 * "0.5" for a number, "true" for a boolean, a one-item array for a scalar. */
static void coerced_bodies_pass(void **state)
{
    const char *bodies[] = {
        "{\"assistant_id\":5}",
        "{\"assistant_id\":\"asst_1\",\"top_p\":\"0.5\",\"stream\":\"false\"}",
        "{\"assistant_id\":[\"asst_1\"],\"temperature\":null}",
        "{\"assistant_id\":[5]}", /* unwrapped, then turned into "5" */
    };
    mk_mock *m = start();
    (void)state;
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
        expect(m, "POST", "/v1/threads/thread_1/runs", JSON_NO_KEY, bodies[i], 401, "auth_error",
               "Invalid authorization");
    mk_mock_free(m);
}

/* AJV coerces inside the oneOf/anyOf branches it tries: a file_search
 * tool's max_num_results "5" is 5 in tools-usage.ts' fourth branch, and
 * expires_after's days "30" passes the ExpiresAfter branch of a
 * [null, ExpiresAfter] oneOf. What no branch can coerce is still refused. */
static void coerced_inside_branches(void **state)
{
    mk_mock *m = start();
    (void)state;
    expect(m, "POST", "/v1/threads/thread_1/runs", JSON_NO_KEY,
           "{\"assistant_id\":\"a\",\"tools\":[{\"type\":\"file_search\","
           "\"file_search\":{\"max_num_results\":\"5\"}}]}",
           401, "auth_error", "Invalid authorization");
    expect(m, "POST", "/v1/vector_stores/vs_1", JSON_NO_KEY,
           "{\"expires_after\":{\"anchor\":\"last_active_at\",\"days\":\"30\"}}", 401,
           "auth_error", "Invalid authorization");
    expect(m, "POST", "/v1/threads/thread_1/runs", JSON_KEY,
           "{\"assistant_id\":\"a\",\"tools\":[{\"type\":\"file_search\","
           "\"file_search\":{\"max_num_results\":\"many\"}}]}",
           400, "invalid_input",
           "body/tools/0 must have required property 'user', "
           "body/tools/0 must have required property 'function', "
           "body/tools/0/type must be equal to constant, "
           "body/tools/0/file_search/max_num_results must be integer, "
           "body/tools/0 must have required property 'system', "
           "body/tools/0 must match exactly one schema in oneOf");
    mk_mock_free(m);
}

static void auth_kinds(void **state)
{
    const char *const wrong[] = {"Authorization: Bearer sk-proj-other", NULL};
    const char *const padded[] = {"Authorization: Bearer  sk-proj-testkey ", NULL};
    const char *const token[] = {"Authorization: Bearer sk-testkey", NULL};
    const char *const basic[] = {"Authorization: Basic Ym9iOmJvYg==", NULL};
    mk_mock *m = start();
    reply r;
    (void)state;
    expect(m, "GET", "/v1/assistants", wrong, NULL, 401, "auth_error", "Key not found");
    expect(m, "GET", "/v1/assistants", basic, NULL, 401, "auth_error", "Invalid authorization");
    /* not sk-proj-: Bee takes it for an OAuth access token */
    expect(m, "GET", "/v1/assistants", token, NULL, 401, "auth_error", "Invalid access token");
    /* determineAuthType trims the token */
    call(m, "GET", "/v1/assistants", padded, NULL, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    mk_mock_free(m);

    /* a key set with --api-key is accepted whatever its form */
    const char *paths[] = {CORE_CASSETTES "/profiles/bee.json"};
    const char *const custom[] = {"Authorization: Bearer custom-token", NULL};
    mk_mock_options o;
    mk_mock_options_init(&o);
    o.service = "bee";
    o.quiet = 1;
    o.api_key = "custom-token";
    assert_int_equal(mk_mock_new(&o, paths, 1, &m, NULL), MK_MOCK_OK);
    call(m, "GET", "/v1/assistants", custom, NULL, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    mk_mock_free(m);
}

static void healthcheck_is_terminus(void **state)
{
    mk_mock *m = start();
    reply r;
    (void)state;
    /* any method, no key, exact URL; terminus sets plain application/json */
    call(m, "GET", "/healthcheck", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.raw.body, "{\"status\":\"ok\"}");
    assert_string_equal(r.ctype, "application/json");
    reply_free(&r);
    call(m, "POST", "/healthcheck", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    /* with a query it is not terminus's URL any more, and Fastify has no such route */
    expect(m, "GET", "/healthcheck?x=1", NULL, NULL, 404, "not_found", "Route does not exist");
    mk_mock_free(m);
}

/* The shipped run stream, replayed: bee-api's sse.send() writes the event
 * line and the data line separately, so each is its own HTTP chunk, and
 * init() copies the rate-limit headers (26 on run routes) onto the stream. */
static void run_stream_is_written_like_sse_send(void **state)
{
    char dir[1024], file[1100], url[700];
    const char *paths[1];
    mk_mock_options o;
    mk_mock *m = NULL;
    cu_stream st;
    cu_resp r;
    (void)state;
    paths[0] = suite_fixtures_dir("bee", dir, sizeof(dir));
    snprintf(file, sizeof(file), "%s/run-stream.json", dir);
    mk_cassette *cas = NULL;
    assert_int_equal(mk_cassette_load(file, &cas, NULL), 0);
    const mk_interaction *ix = &cas->interactions[0];
    char *body = cJSON_PrintUnformatted(ix->request.body.json);
    mk_mock_options_init(&o);
    o.service = "bee";
    o.quiet = 1;
    o.speed = 0;
    assert_int_equal(mk_mock_new(&o, paths, 1, &m, NULL), MK_MOCK_OK);
    snprintf(url, sizeof(url), "%s%s", mk_mock_url(m), ix->request.path);

    assert_int_equal(cu_request("POST", url, JSON_KEY, body, &r), 0);
    char buf[64];
    assert_int_equal(r.status, 200);
    assert_string_equal(cu_header(&r, "ratelimit-limit", buf, sizeof(buf)), "26");
    assert_string_equal(cu_header(&r, "ratelimit-remaining", buf, sizeof(buf)), "25");
    assert_string_equal(cu_header(&r, "Content-Type", buf, sizeof(buf)), "text/event-stream");
    cu_resp_free(&r);

    assert_int_equal(cu_stream_start(&st, "POST", url, body, JSON_KEY), 0);
    assert_true(cu_stream_wait(&st, 4, 5000) >= 4);
    assert_int_equal(st.chunks[0].len, strlen("event: thread.run.created\n"));
    assert_memory_equal(st.chunks[0].data, "event: thread.run.created\n", st.chunks[0].len);
    assert_memory_equal(st.chunks[1].data, "data: {", 7);
    assert_memory_equal(st.chunks[1].data + st.chunks[1].len - 2, "\n\n", 2);
    assert_memory_equal(st.chunks[2].data, "event: thread.run.queued\n", st.chunks[2].len);
    cu_stream_finish(&st);
    cJSON_free(body);
    mk_cassette_free(cas);
    mk_mock_free(m);
}

/* The rate limit (on, 3 a second here) is a hook of routes only: unknown
 * routes are never 429; run routes have Bee's own limit of 26 and their own
 * count; every routed reply the mock makes carries the ratelimit-* headers.
 * Bounded: a window may roll over once, so the burst is retried. */
static void rate_limit_is_per_route_kind(void **state)
{
    const char *paths[] = {CORE_CASSETTES "/profiles/bee.json"};
    mk_mock_options o;
    mk_mock *m = NULL;
    reply r;
    char buf[32];
    int limited = 0;
    (void)state;
    mk_mock_options_init(&o);
    o.service = "bee";
    o.quiet = 1;
    o.rate_limit = 3;
    assert_int_equal(mk_mock_new(&o, paths, 1, &m, NULL), MK_MOCK_OK);
    for (int attempt = 0; attempt < 3 && !limited; attempt++) {
        for (int i = 0; i < 5 && !limited; i++) {
            call(m, "GET", "/v1/assistants", NULL, NULL, &r);
            if (r.status == 429) {
                limited = 1;
            } else {
                assert_int_equal(r.status, 401);
                assert_string_equal(cu_header(&r.raw, "ratelimit-limit", buf, sizeof(buf)), "3");
            }
            reply_free(&r);
        }
    }
    assert_true(limited);
    /* same key, other kind of route: not limited */
    expect(m, "GET", "/v1/nothing", NULL, NULL, 404, "not_found", "Route does not exist");
    call(m, "POST", "/v1/threads/thread_1/runs", JSON_NO_KEY, "{}", &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(cu_header(&r.raw, "ratelimit-limit", buf, sizeof(buf)), "26");
    assert_string_equal(cu_header(&r.raw, "ratelimit-remaining", buf, sizeof(buf)), "25");
    reply_free(&r);
    mk_mock_free(m);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unknown_route_is_404_whatever_the_key),
        cmocka_unit_test(validation_before_auth),
        cmocka_unit_test(ajv_wording),
        cmocka_unit_test(strict_keywords),
        cmocka_unit_test(querystring_validation),
        cmocka_unit_test(body_parsing_by_media_type),
        cmocka_unit_test(coerced_bodies_pass),
        cmocka_unit_test(coerced_inside_branches),
        cmocka_unit_test(auth_kinds),
        cmocka_unit_test(healthcheck_is_terminus),
        cmocka_unit_test(run_stream_is_written_like_sse_send),
        cmocka_unit_test(rate_limit_is_per_route_kind),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
