/* suite-cassette-rules: every schema rule and every rule beyond the schema
 * (docs/cassette.md), one broken at a time on a valid cassette, is
 * reported with its JSON pointer and a message saying what was expected. */
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "mockkit/cassette.h"
#include "suite.h"

static const char *const base =
    "{\"mockkit_cassette\": 1,"
    " \"meta\": {\"service\": \"bee\", \"name\": \"t\", \"created\": \"2026-01-31T12:00:00Z\","
    "   \"source\": {\"kind\": \"synthesized\", \"refs\": [\"i-am-bee/bee-api@main a.ts\"]}},"
    " \"interactions\": ["
    "  {\"id\": \"a\", \"at_ms\": 10, \"request\": {\"method\": \"POST\", \"path\": \"/v1/a\"},"
    "   \"response\": {\"status\": 200, \"at_ms\": 20,"
    "     \"chunks\": [{\"at_ms\": 20, \"text\": \"x\"}, {\"at_ms\": 30, \"text\": \"y\"}]}},"
    "  {\"id\": \"b\", \"at_ms\": 40, \"request\": {\"method\": \"GET\", \"path\": \"/ws\"},"
    "   \"websocket\": {\"frames\": [{\"at_ms\": 50, \"from\": \"client\", \"type\": \"text\","
    "     \"text\": \"hi\"}, {\"at_ms\": 60, \"from\": \"server\", \"type\": \"close\","
    "     \"code\": 1000}]}}"
    " ]}";

typedef struct rule_case {
    const char *set;      /* pointer to change */
    const char *value;    /* new JSON value, NULL = delete */
    const char *pointer;  /* expected diag.pointer */
    const char *message;  /* expected part of diag.message */
} rule_case;

#define IX0 "/interactions/0"
#define IX1 "/interactions/1"
#define FR IX1 "/websocket/frames"

static const rule_case cases[] = {
    /* types and ranges */
    {IX0 "/response/status", "\"200\"", IX0 "/response/status",
     "must be an integer 100-599, got \"200\""},
    {IX0 "/response/status", "99", IX0 "/response/status", "100-599, got 99"},
    {IX0 "/response/status", "600", IX0 "/response/status", "100-599, got 600"},
    {IX0 "/at_ms", "-1", IX0 "/at_ms", "must be an integer >= 0, got -1"},
    {IX0 "/at_ms", "1.5", IX0 "/at_ms", "must be an integer >= 0, got 1.5"},
    {FR "/1/code", "999", FR "/1/code", "must be a close code 1000-4999, got 999"},
    {FR "/1/code", "5000", FR "/1/code", "1000-4999, got 5000"},
    {FR "/0/code", "1000", FR "/0/code", "only close frames take a code"},
    {"/mockkit_cassette", "2", "/mockkit_cassette", "must be the format version 1, got 2"},
    {"/meta/created", "\"yesterday\"", "/meta/created", "must be an ISO 8601 time"},
    {IX0 "/response/close", "\"yes\"", IX0 "/response/close", "must be true or false"},
    /* keepalive: a streamed response that ends open */
    {IX0 "/response/keepalive", "{\"every_ms\": 0, \"text\": \": ping\\r\\n\\r\\n\"}",
     IX0 "/response/keepalive/every_ms", "must be an integer >= 1, got 0"},
    {IX0 "/response/keepalive", "{\"every_ms\": 15000}", IX0 "/response/keepalive",
     "missing required key \"text\""},
    {IX0 "/response/keepalive", "{\"every_ms\": 15000, \"text\": \"x\", \"n\": 1}",
     IX0 "/response/keepalive/n", ""},
    {IX0 "/response/keepalive", "15000", IX0 "/response/keepalive", "must be an object"},
    {IX0 "/response", "{\"status\": 200, \"keepalive\": {\"every_ms\": 1, \"text\": \"x\"}}",
     IX0 "/response/keepalive", "needs \"chunks\""},
    {IX0 "/response",
     "{\"status\": 200, \"chunks\": [], \"close\": true,"
     " \"keepalive\": {\"every_ms\": 1, \"text\": \"x\"}}",
     IX0 "/response/keepalive", "a cut stream"},
    {IX0 "/request/path", "\"v1/a\"", IX0 "/request/path", "must be an absolute path"},
    {IX0 "/request/path", "\"/v1/a?x=1\"", IX0 "/request/path", "parameters go in \"query\""},
    {IX0 "/request/path", "\"/v1/a#top\"", IX0 "/request/path", "without '?' or '#'"},
    {IX0 "/request/method", "\"post\"", IX0 "/request/method", "HTTP method in capitals"},
    {IX1 "/request/method", "\"POST\"", IX1 "/request/method",
     "must be \"GET\" for a websocket upgrade"},
    {IX0 "/request/headers", "{\"x\": 5}", IX0 "/request/headers/x",
     "must be a string or an array of strings, got 5"},
    {IX0 "/request/query", "{\"ids\": [\"a\", 1]}", IX0 "/request/query/ids",
     "must be a string or an array of strings"},
    /* RFC 6901: '/' and '~' in a key are escaped in the pointer */
    {IX0 "/request/headers", "{\"a/b~c\": null}", IX0 "/request/headers/a~1b~0c",
     "got null"},
    {IX0 "/match", "{\"query\": \"sometimes\"}", IX0 "/match/query",
     "must be one of \"subset\", \"exact\" or \"ignore\", got \"sometimes\""},
    {IX0 "/match", "{\"body\": \"fuzzy\"}", IX0 "/match/body", "\"equal\", \"partial\""},
    {IX0 "/match", "{\"path\": \"/v1/{id\"}", IX0 "/match/path", "{name} parameters"},
    {IX0 "/match", "{\"headers\": \"accept\"}", IX0 "/match/headers",
     "must be an array of header names"},
    {FR "/1/type", "\"shout\"", FR "/1/type", "must be one of \"text\", \"binary\""},
    {FR "/0/from", "\"me\"", FR "/0/from", "\"server\" or \"client\", got \"me\""},
    {FR "/0/match", "\"fuzzy\"", FR "/0/match", "\"partial\", \"exact\" or \"any\""},
    {FR "/1/match", "\"exact\"", FR "/1/match", "only client frames take \"match\""},
    {FR "/0/after", "\"a\"", FR "/0/after", "only server frames take \"after\""},
    {FR "/1/text", "\"bye\"", FR "/1", "a close frame carries \"code\" and \"reason\""},
    /* required keys, unknown keys (typos), one-of */
    {"/meta", NULL, "", "missing required key \"meta\""},
    {"/meta/created", NULL, "/meta", "missing required key \"created\""},
    {IX0 "/request/method", NULL, IX0 "/request", "missing required key \"method\""},
    {IX0 "/response/status", NULL, IX0 "/response", "missing required key \"status\""},
    {IX1 "/websocket/frames", NULL, IX1 "/websocket", "missing required key \"frames\""},
    {IX0 "/respnse", "{}", IX0 "/respnse", "unknown key \"respnse\"; expected one of: id,"},
    {"/meta/servce", "\"x\"", "/meta/servce", "unknown key \"servce\""},
    {IX0 "/response/chunks/0/at", "1", IX0 "/response/chunks/0/at", "unknown key"},
    {IX0 "/response", NULL, IX0, "needs exactly one of \"response\" (HTTP) or \"websocket\""},
    {IX0 "/websocket", "{\"frames\": []}", IX0, "has both"},
    /* bodies */
    {IX0 "/response/chunks/0/json", "1", IX0 "/response/chunks/0",
     "has both \"json\" and \"text\"; a body takes exactly one of json, text, base64"},
    {IX0 "/response/json", "{}", IX0 "/response", "has both a body and \"chunks\""},
    {IX0 "/request/base64", "\"not*base64\"", IX0 "/request/base64",
     "must be valid base64 (RFC 4648"},
    {IX0 "/request/base64", "\"QUJD R\"", IX0 "/request/base64", "bad input at offset 4"},
    {IX0 "/request/text", "5", IX0 "/request/text", "must be a string, got 5"},
    /* the timeline */
    {IX1 "/at_ms", "5", IX1 "/at_ms",
     "must not be earlier than the previous interaction (at_ms 10), got 5"},
    {IX0 "/response/at_ms", "9", IX0 "/response/at_ms",
     "must not be earlier than the request (at_ms 10), got 9"},
    {IX0 "/response/chunks/0/at_ms", "15", IX0 "/response/chunks/0/at_ms",
     "must not be earlier than the response (at_ms 20), got 15"},
    {IX0 "/response/chunks/1/at_ms", "19", IX0 "/response/chunks/1/at_ms",
     "must not be earlier than the previous chunk (at_ms 20), got 19"},
    {IX0 "/response/chunks/2", "{\"at_ms\": 25, \"text\": \"z\"}", IX0 "/response/chunks/2/at_ms",
     "must not be earlier than the previous chunk (at_ms 30), got 25"},
    {FR "/0/at_ms", "30", FR "/0/at_ms",
     "must not be earlier than the upgrade request (at_ms 40), got 30"},
    {FR "/1/at_ms", "45", FR "/1/at_ms",
     "must not be earlier than the previous frame (at_ms 50), got 45"},
    /* ids and triggers */
    {IX1 "/id", "\"a\"", IX1 "/id", "duplicate id \"a\" (also /interactions/0)"},
    {IX1 "/id", "\"\"", IX1 "/id", "must be a non-empty string"},
    {IX0 "/response/chunks/0/after", "\"nope\"", IX0 "/response/chunks/0/after",
     "names no interaction: \"nope\""},
    {IX0 "/response/chunks/0/after", "\"a\"", IX0 "/response/chunks/0/after",
     "must name another interaction, not its own (\"a\")"},
    {FR "/1/after", "\"zz\"", FR "/1/after", "names no interaction"},
    /* sources */
    {"/meta/source/refs", "[]", "/meta/source/refs", "must name at least 1 public source"},
    {"/meta/source/refs", NULL, "/meta/source",
     "a synthesized cassette must name its public sources in \"refs\""},
    {"/meta/source/kind", "\"recorded\"", "/meta/source", "missing required key \"url\""},
    {"/meta/source/kind", "\"guessed\"", "/meta/source/kind",
     "\"recorded\" or \"synthesized\""},
};

static void check_case(const rule_case *rc, size_t i)
{
    cJSON *doc = h_json(base);
    h_set(doc, rc->set, rc->value);
    mk_cassette *c = (mk_cassette *)1;
    mk_diag d;
    int status = mk_cassette_from_json(doc, "rules.json", &c, &d);
    if (status != MK_CASSETTE_ESCHEMA || strcmp(d.pointer, rc->pointer) != 0 ||
        !strstr(d.message, rc->message)) {
        char buf[1200];
        fail_msg("case %zu (set %s = %s): status %d, got \"%s\"; want pointer \"%s\" with "
                 "\"%s\"", i, rc->set, rc->value ? rc->value : "(delete)", status,
                 mk_diag_format(&d, buf, sizeof buf), rc->pointer, rc->message);
    }
    assert_null(c);
    assert_string_equal(d.file, "rules.json");
    assert_int_equal(d.line, 0);
    cJSON_Delete(doc);
}

static void test_each_rule_names_pointer_and_expectation(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(&cases[i], i);
}

static void test_base_is_valid(void **state)
{
    (void)state;
    cJSON *doc = h_json(base);
    mk_cassette *c = NULL;
    mk_diag d;
    assert_int_equal(mk_cassette_from_json(doc, "rules.json", &c, &d), MK_CASSETTE_OK);
    assert_int_equal(c->count, 2);
    mk_cassette_free(c);
    cJSON_Delete(doc);
}

static void test_generated_id_clash(void **state)
{
    (void)state;
    /* Interaction 1 without an id is "ix-1"; another may not take that name. */
    cJSON *doc = h_json(base);
    h_set(doc, IX1 "/id", NULL);
    h_set(doc, IX0 "/id", "\"ix-1\"");
    mk_cassette *c = NULL;
    mk_diag d;
    assert_int_equal(mk_cassette_from_json(doc, "rules.json", &c, &d), MK_CASSETTE_ESCHEMA);
    assert_string_equal(d.pointer, IX1);
    assert_non_null(strstr(d.message, "generated id \"ix-1\" is taken by /interactions/0"));
    cJSON_Delete(doc);
}

static void test_after_may_name_generated_id(void **state)
{
    (void)state;
    cJSON *doc = h_json(base);
    h_set(doc, IX0 "/id", NULL);
    h_set(doc, FR "/1/after", "\"ix-0\"");
    mk_cassette *c = NULL;
    mk_diag d;
    assert_int_equal(mk_cassette_from_json(doc, "rules.json", &c, &d), MK_CASSETTE_OK);
    assert_string_equal(c->interactions[0].id, "ix-0");
    assert_ptr_equal(mk_cassette_find(c, c->interactions[1].frames[1].after), c->interactions);
    mk_cassette_free(c);
    cJSON_Delete(doc);
}

static void test_root_must_be_object(void **state)
{
    (void)state;
    mk_cassette *c = NULL;
    mk_diag d;
    assert_int_equal(mk_cassette_parse("[1]", 3, "r.json", &c, &d), MK_CASSETTE_ESCHEMA);
    assert_string_equal(d.pointer, "");
    assert_string_equal(d.message, "a cassette must be a JSON object, got an array");
    char buf[1200];
    assert_string_equal(mk_diag_format(&d, buf, sizeof buf),
                        "r.json: a cassette must be a JSON object, got an array");
}

static void test_extensions_where_free_form(void **state)
{
    (void)state;
    /* Bodies, headers, query and meta.extra take any keys; "$schema" is allowed. */
    cJSON *doc = h_json(base);
    h_set(doc, "/$schema", "\"../../docs/cassette.schema.json\"");
    h_set(doc, "/meta/extra", "{\"anything\": {\"goes\": [1]}}");
    h_set(doc, IX0 "/request/json", "{\"respnse\": 1, \"mockkit_cassette\": 2}");
    h_set(doc, IX0 "/request/headers", "{\"X-Odd\": [\"1\", \"2\"]}");
    h_set(doc, IX0 "/request/query", "{\"at_ms\": \"x\"}");
    mk_cassette *c = NULL;
    mk_diag d;
    char buf[1200];
    int rc = mk_cassette_from_json(doc, "rules.json", &c, &d);
    if (rc != MK_CASSETTE_OK)
        fail_msg("%s", mk_diag_format(&d, buf, sizeof buf));
    mk_cassette_free(c);
    cJSON_Delete(doc);
}

/* request.path is stored decoded (what the engine matches): a space or
 * other characters a URL would percent-encode are fine. */
static void test_decoded_path_with_space(void **state)
{
    (void)state;
    cJSON *doc = h_json(base);
    h_set(doc, IX0 "/request/path", "\"/files/my file (1).txt\"");
    mk_cassette *c = NULL;
    mk_diag d;
    char buf[1200];
    int rc = mk_cassette_from_json(doc, "rules.json", &c, &d);
    if (rc != MK_CASSETTE_OK)
        fail_msg("%s", mk_diag_format(&d, buf, sizeof buf));
    assert_string_equal(c->interactions[0].request.path, "/files/my file (1).txt");
    mk_cassette_free(c);
    cJSON_Delete(doc);
}

/* 20k interactions: ids are checked by sorting, not pair by pair (that
 * took seconds); duplicates and `after` targets are still found right. */
static cJSON *many(size_t n)
{
    cJSON *doc = h_json(base);
    cJSON *ixs = cJSON_GetObjectItemCaseSensitive(doc, "interactions");
    while (cJSON_GetArraySize(ixs) > 0)
        cJSON_DeleteItemFromArray(ixs, 0);
    for (size_t i = 0; i < n; i++) {
        char text[512];
        /* every chunk follows the interaction before it (the first: the next) */
        snprintf(text, sizeof text,
                 "{\"id\": \"i%zu\", \"at_ms\": %zu, \"request\": {\"method\": \"GET\","
                 " \"path\": \"/v1/x\"}, \"response\": {\"status\": 200, \"at_ms\": %zu,"
                 " \"chunks\": [{\"at_ms\": %zu, \"text\": \"x\", \"after\": \"i%zu\"}]}}",
                 i, i, i, i, i ? i - 1 : 1);
        cJSON_AddItemToArray(ixs, h_json(text));
    }
    return doc;
}

static void test_many_interactions_ids(void **state)
{
    (void)state;
    const size_t n = 20000;
    cJSON *doc = many(n);
    mk_cassette *c = NULL;
    mk_diag d;
    char buf[1200];
    int rc = mk_cassette_from_json(doc, "many.json", &c, &d);
    if (rc != MK_CASSETTE_OK)
        fail_msg("%s", mk_diag_format(&d, buf, sizeof buf));
    assert_int_equal(c->count, n);
    mk_cassette_free(c);

    /* the last one takes the id of the 8th: reported there, naming the first */
    h_set(doc, "/interactions/19999/id", "\"i7\"");
    assert_int_equal(mk_cassette_from_json(doc, "many.json", &c, &d), MK_CASSETTE_ESCHEMA);
    assert_null(c);
    assert_string_equal(d.pointer, "/interactions/19999/id");
    assert_string_equal(d.message, "duplicate id \"i7\" (also /interactions/7)");

    /* ... so "i19999" is gone and the chunk after it names no interaction */
    h_set(doc, "/interactions/19999/id", "\"i19999\"");
    h_set(doc, "/interactions/12345/response/chunks/0/after", "\"i20000\"");
    assert_int_equal(mk_cassette_from_json(doc, "many.json", &c, &d), MK_CASSETTE_ESCHEMA);
    assert_string_equal(d.pointer, "/interactions/12345/response/chunks/0/after");
    assert_string_equal(d.message, "names no interaction: \"i20000\"");
    cJSON_Delete(doc);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base_is_valid),
        cmocka_unit_test(test_each_rule_names_pointer_and_expectation),
        cmocka_unit_test(test_generated_id_clash),
        cmocka_unit_test(test_after_may_name_generated_id),
        cmocka_unit_test(test_root_must_be_object),
        cmocka_unit_test(test_extensions_where_free_form),
        cmocka_unit_test(test_decoded_path_with_space),
        cmocka_unit_test(test_many_interactions_ids),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
