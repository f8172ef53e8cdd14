/* suite-conformance-model: the model validator (mocks/include/mockkit/model.h).
 * Every keyword, from the table in data/keywords.json (python3-jsonschema
 * checks the same table in crosscheck.py, so both agree); errors that name
 * pointer, keyword, type and x-source; models that are refused; hostile
 * nesting; bindings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mockkit/model.h"
#include "suite.h"

#define DATA MOCKKIT_SOURCE_DIR "/suites/conformance/data/keywords.json"

static cJSON *load_data(void)
{
    size_t len = 0;
    char *text = suite_read_file(DATA, &len);
    assert_non_null(text);
    cJSON *doc = cJSON_ParseWithLength(text, len);
    free(text);
    assert_non_null(doc);
    return doc;
}

static mk_model *model_from(const char *json)
{
    cJSON *doc = cJSON_Parse(json);
    assert_non_null(doc);
    mk_model *m = NULL;
    mk_model_error e;
    int rc = mk_model_new_json(doc, "test", &m, &e);
    cJSON_Delete(doc);
    if (rc != MK_MODEL_OK)
        fail_msg("model refused: %s", e.message);
    return m;
}

/* Each case: the verdict, and for a failure the keyword and pointer. */
static void test_keyword_table(void **state)
{
    (void)state;
    cJSON *doc = load_data();
    mk_model *m = NULL;
    mk_model_error e;
    assert_int_equal(mk_model_new_json(cJSON_GetObjectItem(doc, "model"), "keywords", &m, &e),
                     MK_MODEL_OK);
    int n = 0, bad = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
        const char *type = cJSON_GetObjectItem(c, "type")->valuestring;
        const cJSON *inst = cJSON_GetObjectItem(c, "instance");
        int valid = cJSON_IsTrue(cJSON_GetObjectItem(c, "valid"));
        int rc = mk_model_validate_type(m, type, inst, &e);
        char *txt = cJSON_PrintUnformatted(inst);
        n++;
        if (valid && rc != MK_MODEL_OK) {
            print_error("case %d %s %s: rejected: %s\n", n, type, txt, e.message);
            bad++;
        } else if (!valid && rc != MK_MODEL_INVALID) {
            print_error("case %d %s %s: accepted (rc %d)\n", n, type, txt, rc);
            bad++;
        } else if (!valid) {
            const char *kw = cJSON_GetObjectItem(c, "keyword")->valuestring;
            const char *ptr = cJSON_GetObjectItem(c, "pointer")->valuestring;
            if (strcmp(kw, e.keyword) != 0 || strcmp(ptr, e.pointer) != 0) {
                print_error("case %d %s %s: got [%s] at \"%s\", want [%s] at \"%s\"\n", n, type,
                            txt, e.keyword, e.pointer, kw, ptr);
                bad++;
            }
        }
        cJSON_free(txt);
    }
    assert_true(n > 50);
    assert_int_equal(bad, 0);
    mk_model_free(m);
    cJSON_Delete(doc);
}

/* The error names the nested type (not the outer one) and its x-source. */
static void test_error_names_type_and_source(void **state)
{
    (void)state;
    cJSON *doc = load_data();
    mk_model *m = NULL;
    assert_int_equal(mk_model_new_json(cJSON_GetObjectItem(doc, "model"), "k", &m, NULL),
                     MK_MODEL_OK);
    cJSON *inst = cJSON_Parse("{\"inner\": {\"id\": \"x\", \"bogus\": true}}");
    mk_model_error e;
    assert_int_equal(mk_model_validate_type(m, "#/$defs/Outer", inst, &e), MK_MODEL_INVALID);
    assert_string_equal(e.pointer, "/inner/bogus");
    assert_string_equal(e.keyword, "additionalProperties");
    assert_string_equal(e.type, "Closed");
    assert_string_equal(e.source, "unit Closed");
    char line[1024];
    mk_model_error_format(&e, line, sizeof(line));
    assert_non_null(strstr(line, "/inner/bogus: unknown property \"bogus\""));
    assert_non_null(strstr(line, "Closed (unit Closed)"));
    cJSON_Delete(inst);
    /* unknown type name: a model error, not a verdict */
    cJSON *one = cJSON_CreateNumber(1);
    assert_int_equal(mk_model_validate_type(m, "Nope", one, &e), MK_MODEL_EMODEL);
    assert_non_null(strstr(e.message, "#/$defs/Nope"));
    cJSON_Delete(one);
    mk_model_free(m);
    cJSON_Delete(doc);
}

#define HEAD "{\"service\":\"t\",\"sources\":{\"s\":\"x\"},"

/* The keywords Bee's metadata and sampling fields need: each error names the
 * value's pointer, the keyword, the type and its x-source, and what broke. */
static void test_bee_keywords_errors(void **state)
{
    (void)state;
    mk_model *m = model_from(HEAD "\"$defs\":{\"Meta\":{\"x-source\":\"bee-api src/schema.ts\","
                             "\"type\":\"object\",\"maxProperties\":2,"
                             "\"propertyNames\":{\"pattern\":\"^.{1,3}$\"}},"
                             "\"Body\":{\"x-source\":\"bee-api run-create.ts\",\"type\":\"object\","
                             "\"properties\":{\"t\":{\"type\":\"number\",\"multipleOf\":0.01},"
                             "\"ids\":{\"type\":\"array\",\"uniqueItems\":true},"
                             "\"metadata\":{\"$ref\":\"#/$defs/Meta\"}}}},\"bindings\":[]}");
    static const struct {
        const char *json, *pointer, *keyword, *type, *message;
    } cases[] = {
        {"{\"t\":0.555}", "/t", "multipleOf", "Body", "0.55500000000000005 is not a multiple of 0.01"},
        {"{\"ids\":[\"a\",\"b\",\"a\"]}", "/ids", "uniqueItems", "Body", "items 0 and 2 are identical"},
        {"{\"metadata\":{\"a\":1,\"b\":2,\"c\":3}}", "/metadata", "maxProperties", "Meta",
         "3 properties, at most 2 allowed"},
        {"{\"metadata\":{\"abcd\":1}}", "/metadata", "propertyNames", "Meta",
         "property name \"abcd\" is not allowed"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *v = cJSON_Parse(cases[i].json);
        mk_model_error e;
        assert_int_equal(mk_model_validate_type(m, "Body", v, &e), MK_MODEL_INVALID);
        assert_string_equal(e.pointer, cases[i].pointer);
        assert_string_equal(e.keyword, cases[i].keyword);
        assert_string_equal(e.type, cases[i].type);
        assert_non_null(strstr(e.source, "bee-api"));
        if (!strstr(e.message, cases[i].message))
            fail_msg("case %zu: message \"%s\"", i, e.message);
        cJSON_Delete(v);
    }
    mk_model_free(m);
}

typedef struct refused {
    const char *json;
    const char *pointer;
    const char *message;
} refused;

static const refused refused_models[] = {
    {HEAD "\"$defs\":{\"A\":{\"type\":\"object\",\"format\":\"date\"}},\"bindings\":[]}",
     "/$defs/A/format", "unknown keyword \"format\""},
    {HEAD "\"$defs\":{\"A\":{\"type\":\"int\"}},\"bindings\":[]}", "/$defs/A/type",
     "unknown type"},
    {HEAD "\"$defs\":{\"A\":{\"$ref\":\"#/$defs/B\"}},\"bindings\":[]}", "/$defs/A/$ref",
     "existing"},
    {HEAD "\"$defs\":{\"A\":{\"$ref\":\"other.json#/A\"}},\"bindings\":[]}", "/$defs/A/$ref",
     "existing"},
    {HEAD "\"$defs\":{\"A\":{\"pattern\":\"(\"}},\"bindings\":[]}", "/$defs/A/pattern",
     "POSIX extended"},
    {HEAD "\"$defs\":{\"A\":{\"minLength\":-1}},\"bindings\":[]}", "/$defs/A/minLength",
     "non-negative"},
    {HEAD "\"$defs\":{\"A\":{\"multipleOf\":0}},\"bindings\":[]}", "/$defs/A/multipleOf",
     "greater than 0"},
    {HEAD "\"$defs\":{\"A\":{\"multipleOf\":-0.01}},\"bindings\":[]}", "/$defs/A/multipleOf",
     "greater than 0"},
    {HEAD "\"$defs\":{\"A\":{\"multipleOf\":\"0.01\"}},\"bindings\":[]}",
     "/$defs/A/multipleOf", "greater than 0"},
    {HEAD "\"$defs\":{\"A\":{\"uniqueItems\":1}},\"bindings\":[]}", "/$defs/A/uniqueItems",
     "boolean"},
    {HEAD "\"$defs\":{\"A\":{\"maxProperties\":1.5}},\"bindings\":[]}",
     "/$defs/A/maxProperties", "non-negative"},
    {HEAD "\"$defs\":{\"A\":{\"minProperties\":-1}},\"bindings\":[]}",
     "/$defs/A/minProperties", "non-negative"},
    {HEAD "\"$defs\":{\"A\":{\"propertyNames\":{\"pattern\":\"(\"}}},\"bindings\":[]}",
     "/$defs/A/propertyNames/pattern", "POSIX extended"},
    {HEAD "\"$defs\":{\"A\":{\"propertyNames\":7}},\"bindings\":[]}", "/$defs/A/propertyNames",
     "object or a boolean"},
    {HEAD "\"$defs\":{\"A\":{\"properties\":{\"x\":{\"nullable\":true}}}},\"bindings\":[]}",
     "/$defs/A/properties/x/nullable", "unknown keyword"},
    {HEAD "\"$defs\":{\"A\":{\"anyOf\":[]}},\"bindings\":[]}", "/$defs/A/anyOf", "non-empty"},
    {HEAD "\"$defs\":{},\"bindings\":[{\"method\":\"GET\",\"path\":\"/a\","
          "\"responses\":{\"200\":\"#/$defs/Missing\"}}]}",
     "/bindings/0/responses/200", "existing"},
    {HEAD "\"$defs\":{},\"bindings\":[{\"method\":\"GET\",\"path\":\"/a\","
          "\"responses\":{\"ok\":null}}]}",
     "/bindings/0/responses/ok", "statuses"},
    {HEAD "\"$defs\":{},\"bindings\":[{\"path\":\"/a\",\"request\":null}]}", "/bindings/0",
     "method"},
    {HEAD "\"$defs\":{},\"bindings\":[{\"path\":\"/a\",\"ws\":{\"both\":null}}]}",
     "/bindings/0/ws", "client"},
    {"{\"service\":\"t\",\"sources\":{},\"$defs\":{},\"bindings\":[]}", "/sources", "at least one"},
    {HEAD "\"$defs\":{},\"bindings\":[{\"path\":\"*\",\"method\":\"GET\",\"request\":null}]}",
     "/bindings/0", "no \"method\""},
    {HEAD "\"$defs\":{},\"bindings\":[{\"path\":\"*\",\"request\":null},"
          "{\"path\":\"*\",\"request\":null}]}",
     "/bindings/1", "second"},
    {HEAD "\"$defs\":{},\"bindings\":[{\"path\":\"a\",\"method\":\"GET\",\"request\":null}]}",
     "/bindings/0", "absolute"},
};

static void test_refused_models(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(refused_models) / sizeof(refused_models[0]); i++) {
        cJSON *doc = cJSON_Parse(refused_models[i].json);
        assert_non_null(doc);
        mk_model *m = (mk_model *)&m;
        mk_model_error e;
        int rc = mk_model_new_json(doc, "bad.json", &m, &e);
        cJSON_Delete(doc);
        if (rc != MK_MODEL_EMODEL || m != NULL ||
            strcmp(e.pointer, refused_models[i].pointer) != 0 ||
            !strstr(e.message, refused_models[i].message))
            fail_msg("model %zu: rc %d, pointer \"%s\", message \"%s\"", i, rc, e.pointer,
                     e.message);
        assert_non_null(strstr(e.message, "bad.json"));
    }
}

static void test_file_errors(void **state)
{
    (void)state;
    mk_model *m = NULL;
    mk_model_error e;
    assert_int_equal(mk_model_new("/nonexistent/model.json", &m, &e), MK_MODEL_EIO);
    assert_null(m);
    assert_non_null(strstr(e.message, "/nonexistent/model.json"));
    assert_int_equal(mk_model_new(NULL, &m, &e), MK_MODEL_EINVAL);
    char path[] = "/tmp/mk-model-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("{\"service\":\n\"t\",,}", f);
    fclose(f);
    assert_int_equal(mk_model_new(path, &m, &e), MK_MODEL_EMODEL);
    assert_non_null(strstr(e.message, ":2: not JSON"));
    remove(path);
}

/* A hostile instance nested far deeper than the bound against a recursive
 * type, and a model whose $ref loops on itself: both end in a "depth"
 * report, never in a stack overflow. */
static void test_depth_bounded(void **state)
{
    (void)state;
    mk_model *m = model_from(HEAD "\"$defs\":{"
                                  "\"Tree\":{\"type\":\"object\",\"properties\":{\"c\":{\"$ref\":\"#/$defs/Tree\"}}},"
                                  "\"Loop\":{\"$ref\":\"#/$defs/Loop\"},"
                                  "\"List\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/List\"}},"
                                  "\"Either\":{\"anyOf\":[{\"$ref\":\"#/$defs/Either\"},{\"type\":\"string\"}]}"
                                  "},\"bindings\":[]}");
    enum { N = 900 };
    char *deep = malloc(N * 6 + 16);
    char *p = deep;
    for (int i = 0; i < N; i++)
        p += sprintf(p, "{\"c\":");
    p += sprintf(p, "{}");
    for (int i = 0; i < N; i++)
        *p++ = '}';
    *p = '\0';
    cJSON *inst = cJSON_Parse(deep);
    assert_non_null(inst);
    mk_model_error e;
    assert_int_equal(mk_model_validate_type(m, "Tree", inst, &e), MK_MODEL_INVALID);
    assert_string_equal(e.keyword, "depth");
    assert_string_equal(e.type, "Tree");
    cJSON_Delete(inst);
    cJSON *one = cJSON_CreateNumber(1);
    assert_int_equal(mk_model_validate_type(m, "Loop", one, &e), MK_MODEL_INVALID);
    assert_string_equal(e.keyword, "depth");
    assert_int_equal(mk_model_validate_type(m, "Either", one, &e), MK_MODEL_INVALID);
    assert_string_equal(e.keyword, "depth");
    cJSON_Delete(one);
    /* a shallow tree is fine */
    cJSON *ok = cJSON_Parse("{\"c\":{\"c\":{}}}");
    assert_int_equal(mk_model_validate_type(m, "Tree", ok, &e), MK_MODEL_OK);
    cJSON_Delete(ok);
    free(deep);
    mk_model_free(m);
    /* a model nested deeper than the bound is refused at load */
    char *big = malloc(200 * 32 + 256);
    p = big + sprintf(big, HEAD "\"$defs\":{\"A\":");
    for (int i = 0; i < 200; i++)
        p += sprintf(p, "{\"items\":");
    p += sprintf(p, "true");
    for (int i = 0; i < 200; i++)
        *p++ = '}';
    sprintf(p, "},\"bindings\":[]}");
    cJSON *doc = cJSON_Parse(big);
    free(big);
    assert_non_null(doc);
    mk_model *mm = NULL;
    assert_int_equal(mk_model_new_json(doc, "deep.json", &mm, &e), MK_MODEL_EMODEL);
    assert_string_equal(e.keyword, "depth");
    cJSON_Delete(doc);
}

static const char *const bound_model =
    HEAD "\"$defs\":{"
    "\"Obj\":{\"type\":\"object\",\"required\":[\"id\"]},"
    "\"Err\":{\"type\":\"object\",\"required\":[\"error\"]},"
    "\"Chunk\":{\"type\":\"object\",\"required\":[\"object\"]},"
    "\"In\":{\"type\":\"object\",\"required\":[\"q\"]},"
    "\"Out\":{\"type\":\"object\",\"required\":[\"a\"]}},"
    "\"bindings\":["
    "{\"method\":\"POST\",\"path\":\"/v1/things/{id}/runs\",\"request\":\"#/$defs/Obj\","
    " \"responses\":{\"200\":\"#/$defs/Obj\",\"4xx\":\"#/$defs/Err\",\"204\":null},"
    " \"sse\":{\"message\":\"#/$defs/Chunk\",\"[DONE]\":null,\"done\":null}},"
    "{\"method\":\"GET\",\"path\":\"/v1/things\",\"responses\":{\"200\":\"#/$defs/Obj\"}},"
    "{\"method\":\"GET\",\"path\":\"/v1/things/{id}\",\"responses\":{\"200\":\"#/$defs/Obj\"}},"
    "{\"method\":\"GET\",\"path\":\"/v1/things/count\",\"responses\":{\"200\":\"#/$defs/Err\"}},"
    "{\"path\":\"/ws/{x}\",\"ws\":{\"client\":\"#/$defs/In\",\"server\":\"#/$defs/Out\"}}]}";

static int check(const mk_model *m, mk_model_part part, const char *method, const char *path,
                 int status, const char *event, const char *body, mk_model_error *e)
{
    mk_model_payload p = {part, method, path, status, event};
    return mk_model_check(m, &p, body, body ? strlen(body) : 0, e);
}

static void test_bindings(void **state)
{
    (void)state;
    mk_model *m = model_from(bound_model);
    mk_model_error e;
    const char *path = "/v1/things/t_1/runs";
    assert_int_equal(check(m, MK_MODEL_REQUEST, "POST", path, 0, NULL, "{\"id\":1}", &e), MK_MODEL_OK);
    assert_int_equal(check(m, MK_MODEL_REQUEST, "post", path, 0, NULL, "{}", &e), MK_MODEL_INVALID);
    assert_string_equal(e.type, "Obj");
    assert_int_equal(check(m, MK_MODEL_RESPONSE, "POST", path, 200, NULL, "{\"id\":1}", &e), MK_MODEL_OK);
    /* 404 falls to the 4xx class */
    assert_int_equal(check(m, MK_MODEL_RESPONSE, "POST", path, 404, NULL, "{\"id\":1}", &e), MK_MODEL_INVALID);
    assert_string_equal(e.type, "Err");
    assert_int_equal(check(m, MK_MODEL_RESPONSE, "POST", path, 204, NULL, "not json", &e), MK_MODEL_SKIPPED);
    assert_int_equal(check(m, MK_MODEL_RESPONSE, "POST", path, 500, NULL, "{}", &e), MK_MODEL_UNBOUND);
    assert_non_null(strstr(e.message, "500 response of POST /v1/things/t_1/runs"));
    assert_non_null(strstr(e.message, "this part is not"));
    /* {id} is one segment only */
    assert_int_equal(check(m, MK_MODEL_REQUEST, "POST", "/v1/things/a/b/runs", 0, NULL, "{}", &e), MK_MODEL_UNBOUND);
    assert_int_equal(check(m, MK_MODEL_REQUEST, "POST", "/v1/things//runs", 0, NULL, "{}", &e), MK_MODEL_UNBOUND);
    assert_int_equal(check(m, MK_MODEL_REQUEST, "GET", path, 0, NULL, "{}", &e), MK_MODEL_UNBOUND);
    assert_null(strstr(e.message, "this part is not"));
    /* SSE: default event name, [DONE] where declared, unknown events unbound */
    assert_int_equal(check(m, MK_MODEL_SSE, "POST", path, 200, NULL, "{\"object\":\"c\"}", &e), MK_MODEL_OK);
    assert_int_equal(check(m, MK_MODEL_SSE, "POST", path, 200, "message", "{}", &e), MK_MODEL_INVALID);
    assert_int_equal(check(m, MK_MODEL_SSE, "POST", path, 200, NULL, "[DONE]", &e), MK_MODEL_OK);
    assert_int_equal(check(m, MK_MODEL_SSE, "POST", path, 200, NULL, "[DONE", &e), MK_MODEL_ENOTJSON);
    assert_int_equal(check(m, MK_MODEL_SSE, "POST", path, 200, "done", "\"[DONE]\"", &e), MK_MODEL_SKIPPED);
    assert_int_equal(check(m, MK_MODEL_SSE, "POST", path, 200, "debug", "{}", &e), MK_MODEL_UNBOUND);
    assert_non_null(strstr(e.message, "SSE event \"debug\""));
    /* websockets: path only, each direction its own type */
    assert_int_equal(check(m, MK_MODEL_WS_CLIENT, NULL, "/ws/a", 0, NULL, "{\"q\":1}", &e), MK_MODEL_OK);
    assert_int_equal(check(m, MK_MODEL_WS_SERVER, NULL, "/ws/a", 0, NULL, "{\"q\":1}", &e), MK_MODEL_INVALID);
    assert_string_equal(e.keyword, "required");
    assert_string_equal(e.type, "Out");
    /* lookup hands out the type */
    const char *type = NULL;
    mk_model_payload p = {MK_MODEL_RESPONSE, "GET", "/v1/things", 200, NULL};
    assert_int_equal(mk_model_lookup(m, &p, &type, &e), MK_MODEL_OK);
    assert_string_equal(type, "#/$defs/Obj");
    assert_int_equal(mk_model_check(m, &p, "{\"id\":", 6, &e), MK_MODEL_ENOTJSON);
    /* a literal path beats a template that also matches, whatever the order */
    p.path = "/v1/things/count";
    assert_int_equal(mk_model_lookup(m, &p, &type, &e), MK_MODEL_OK);
    assert_string_equal(type, "#/$defs/Err");
    p.path = "/v1/things/t_9";
    assert_int_equal(mk_model_lookup(m, &p, &type, &e), MK_MODEL_OK);
    assert_string_equal(type, "#/$defs/Obj");
    p.path = "/v1/things";
    /* not NUL-terminated payloads are fine */
    const char buf[] = {'{', '"', 'i', 'd', '"', ':', '1', '}', 'X'};
    assert_int_equal(mk_model_check(m, &p, buf, 8, &e), MK_MODEL_OK);
    assert_int_equal(mk_model_check(m, NULL, buf, 8, &e), MK_MODEL_EINVAL);
    assert_string_equal(mk_model_service(m), "t");
    const char *tpl = NULL, *note = "x";
    mk_model_payload q = {MK_MODEL_SSE, "POST", "/v1/things/9/runs", 200, "done"};
    assert_int_equal(mk_model_binding(m, &q, &tpl, &note), MK_MODEL_OK);
    assert_string_equal(tpl, "/v1/things/{id}/runs");
    assert_null(note);
    q.event = "nope";
    assert_int_equal(mk_model_binding(m, &q, &tpl, &note), MK_MODEL_UNBOUND);
    mk_model_free(m);
    mk_model_free(NULL);
}

/* "*" is the service's answer to a route it does not have (Bee's
 * not-found handler): it covers only requests no binding routes. */
static void test_unrouted_binding(void **state)
{
    (void)state;
    mk_model *m = model_from(
        HEAD "\"$defs\":{\"Obj\":{\"type\":\"object\",\"required\":[\"id\"]},"
        "\"Err\":{\"type\":\"object\",\"required\":[\"error\"]}},\"bindings\":["
        "{\"path\":\"*\",\"request\":null,\"responses\":{\"4xx\":\"#/$defs/Err\"}},"
        "{\"method\":\"GET\",\"path\":\"/v1/things\",\"responses\":{\"200\":\"#/$defs/Obj\"}},"
        "{\"path\":\"/ws\",\"ws\":{\"client\":\"#/$defs/Obj\"}}]}");
    mk_model_error e;
    const char *err = "{\"error\":{}}";
    assert_int_equal(check(m, MK_MODEL_RESPONSE, "GET", "/v1/nope", 404, NULL, err, &e), MK_MODEL_OK);
    assert_int_equal(check(m, MK_MODEL_RESPONSE, "DELETE", "/v1/things", 404, NULL, "{}", &e),
                     MK_MODEL_INVALID);
    assert_string_equal(e.type, "Err");
    assert_int_equal(check(m, MK_MODEL_REQUEST, "POST", "/v1/nope", 0, NULL, "[", &e), MK_MODEL_SKIPPED);
    /* a 200 on an unknown route is not the not-found handler's */
    assert_int_equal(check(m, MK_MODEL_RESPONSE, "GET", "/v1/nope", 200, NULL, "{}", &e),
                     MK_MODEL_UNBOUND);
    /* a routed request keeps its own binding: its 404 is not bound there */
    assert_int_equal(check(m, MK_MODEL_RESPONSE, "GET", "/v1/things", 404, NULL, err, &e),
                     MK_MODEL_UNBOUND);
    assert_non_null(strstr(e.message, "this part is not"));
    /* websockets are never the not-found handler's */
    assert_int_equal(check(m, MK_MODEL_WS_CLIENT, NULL, "/nows", 0, NULL, "{}", &e), MK_MODEL_UNBOUND);
    const char *tpl = NULL, *note = NULL;
    mk_model_payload q = {MK_MODEL_RESPONSE, "PUT", "/x", 404, NULL};
    assert_int_equal(mk_model_binding(m, &q, &tpl, &note), MK_MODEL_OK);
    assert_string_equal(tpl, "*");
    mk_model_free(m);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keyword_table),
        cmocka_unit_test(test_bee_keywords_errors),
        cmocka_unit_test(test_error_names_type_and_source),
        cmocka_unit_test(test_refused_models),
        cmocka_unit_test(test_file_errors),
        cmocka_unit_test(test_depth_bounded),
        cmocka_unit_test(test_bindings),
        cmocka_unit_test(test_unrouted_binding),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
