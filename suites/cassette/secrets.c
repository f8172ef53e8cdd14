/* suite-cassette-secrets: the secret scan catches every kind of credential
 * wherever a recorder could leave it (headers, query, JSON and text bodies,
 * form bodies, SSE chunks, websocket frames), and lets placeholders, empty
 * values and short public test keys through. */
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "mockkit/cassette.h"
#include "suite.h"

static const char *const base =
    "{\"mockkit_cassette\": 1,"
    " \"meta\": {\"service\": \"bee\", \"name\": \"s\", \"created\": \"2026-01-31\","
    "   \"source\": {\"kind\": \"synthesized\", \"refs\": [\"i-am-bee/bee-api@main a.ts\"]},"
    "   \"redactions\": [\"json:password\", \"header:authorization\"]},"
    " \"interactions\": ["
    "  {\"id\": \"a\", \"at_ms\": 0, \"request\": {\"method\": \"POST\", \"path\": \"/v1/a\"},"
    "   \"response\": {\"status\": 200, \"chunks\": [{\"at_ms\": 1, \"text\": \"ok\"}]}},"
    "  {\"id\": \"w\", \"at_ms\": 2, \"request\": {\"method\": \"GET\", \"path\": \"/ws\"},"
    "   \"websocket\": {\"frames\": [{\"at_ms\": 3, \"from\": \"server\", \"type\": \"text\","
    "     \"text\": \"hi\"}]}}"
    " ]}";

#define REQ "/interactions/0/request"
#define RESP "/interactions/0/response"
#define LONG_KEY "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx1234"
#define JWT "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl"

typedef struct secret_case {
    const char *set;
    const char *value;
    const char *pointer; /* expected; NULL = must pass the scan */
    const char *message;
} secret_case;

static const secret_case cases[] = {
    /* API keys, bearer tokens, JWTs: anywhere */
    {REQ "/headers", "{\"Authorization\": \"Bearer " LONG_KEY "\"}", REQ "/headers/Authorization",
     "looks like an API key"},
    {REQ "/headers", "{\"authorization\": \"Bearer abcdefghijklmnop1234\"}",
     REQ "/headers/authorization", "looks like a bearer token"},
    {"/interactions/0/note", "\"key was " LONG_KEY " oops\"", "/interactions/0/note",
     "looks like an API key"},
    {REQ "/json", "{\"deep\": [{\"x\": \"" JWT "\"}]}", REQ "/json/deep/0/x", "looks like a JWT"},
    {"/interactions/1/websocket/frames/0/text", "\"Authorization: bearer abcdefghijklmnop1234\"",
     "/interactions/1/websocket/frames/0/text", "bearer token"},
    {RESP "/chunks/0", "{\"at_ms\": 1, \"base64\": \"a2V5PXNrLWFudC1hYmNkZWZnaGlqa2xtbm9wcXJzdA==\"}",
     RESP "/chunks/0/base64", "in the decoded base64: looks like an API key"},
    /* credential headers must be placeholders */
    {REQ "/headers", "{\"Authorization\": \"Basic dXNlcjpwYXNz\"}", REQ "/headers/Authorization",
     "Authorization header must be a placeholder"},
    {REQ "/headers", "{\"X-Api-Key\": \"abc\"}", REQ "/headers/X-Api-Key", "must be a placeholder"},
    {REQ "/headers", "{\"api-key\": \"abc\"}", REQ "/headers/api-key", "must be a placeholder"},
    {REQ "/headers", "{\"Cookie\": \"a=<REDACTED>; sid=abc123\"}", REQ "/headers/Cookie",
     "the value of cookie \"sid\" must be a placeholder"},
    {RESP "/headers",
     "{\"Set-Cookie\": [\"ok=<REDACTED>; Path=/\", \"sid=s3cr3t; HttpOnly; Path=/\"]}",
     RESP "/headers/Set-Cookie/1", "cookie \"sid\""},
    /* credential fields: JSON, query, form and SSE bodies */
    {REQ "/json", "{\"user\": \"bob\", \"password\": \"hunter2\"}", REQ "/json/password",
     "field \"password\" must be a placeholder"},
    {REQ "/json", "{\"a\": {\"client_secret\": \"x\"}}", REQ "/json/a/client_secret", "client_secret"},
    {REQ "/json", "{\"apiKey\": \"k\"}", REQ "/json/apiKey", "apiKey"},
    {REQ "/json", "{\"api_key\": \"k\"}", REQ "/json/api_key", "api_key"},
    {REQ "/json", "{\"access_token\": \"t\"}", REQ "/json/access_token", "access_token"},
    {REQ "/json", "{\"refresh_token\": \"t\"}", REQ "/json/refresh_token", "refresh_token"},
    {REQ "/json", "{\"token\": \"t\"}", REQ "/json/token", "token"},
    {REQ "/json", "{\"passwd\": \"t\"}", REQ "/json/passwd", "passwd"},
    {REQ "/json", "{\"secret\": \"t\"}", REQ "/json/secret", "secret"},
    {REQ "/query", "{\"api_key\": \"abc\"}", REQ "/query/api_key", "api_key"},
    {REQ "/text", "\"user=bob&password=hunter2\"", REQ "/text",
     "form field \"password\" must be a placeholder"},
    {REQ "/text", "\"{\\\"password\\\": \\\"hunter2\\\"}\"", REQ "/text",
     "in the JSON text: field \"password\""},
    {RESP "/chunks/0/text", "\"event: x\\ndata: {\\\"token\\\": \\\"abc\\\"}\\n\\n\"",
     RESP "/chunks/0/text", "in an SSE data line: field \"token\""},
    /* not placeholders (mk_cassette_is_placeholder): an empty name, other characters */
    {REQ "/json", "{\"password\": \"<REDACTED:>\"}", REQ "/json/password",
     "field \"password\" must be a placeholder"},
    {REQ "/json", "{\"password\": \"<REDACTED:a b>\"}", REQ "/json/password",
     "field \"password\" must be a placeholder"},
    {REQ "/headers", "{\"Authorization\": \"Bearer <REDACTED:>\"}", REQ "/headers/Authorization",
     "Authorization header must be a placeholder"},
    /* placeholders, empty values and short public test keys pass */
    {REQ "/headers", "{\"Authorization\": \"Bearer <REDACTED>\"}", NULL, NULL},
    {REQ "/headers", "{\"Authorization\": \"<REDACTED:api-key>\"}", NULL, NULL},
    {REQ "/headers", "{\"X-Api-Key\": \"<REDACTED>\", \"Api-Key\": \"\"}", NULL, NULL},
    {REQ "/headers", "{\"Cookie\": \"sid=<REDACTED:sid>; theme=<REDACTED>\"}", NULL, NULL},
    {RESP "/headers", "{\"Set-Cookie\": \"sid=<REDACTED>; Path=/; Max-Age=3600; HttpOnly\"}",
     NULL, NULL},
    {RESP "/headers", "{\"Set-Cookie\": \"sid=; Max-Age=0\"}", NULL, NULL},
    {REQ "/json", "{\"password\": \"\", \"token\": \"<REDACTED:token>\", \"max_tokens\": 5, "
                  "\"tokens\": \"many\", \"token_type\": \"bearer\"}", NULL, NULL},
    {REQ "/text", "\"user=bob&password=%3CREDACTED%3E&token=\"", NULL, NULL},
    {"/interactions/0/note", "\"the bee-stack default key is sk-proj-testkey\"", NULL, NULL},
    {"/interactions/0/note", "\"task-abcdefghijklmnopqrstuvwxyz is not a key\"", NULL, NULL},
    {REQ "/text", "\"Bearer short and Bearer <REDACTED>\"", NULL, NULL},
};

static void test_each_kind_is_caught_and_placeholders_pass(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const secret_case *sc = &cases[i];
        cJSON *doc = h_json(base);
        h_set(doc, sc->set, sc->value);
        mk_diag d;
        int rc = mk_cassette_scan_secrets(doc, "s.json", &d);
        char buf[1200];
        if (!sc->pointer) {
            if (rc != MK_CASSETTE_OK)
                fail_msg("case %zu (%s = %s) should pass, got %s", i, sc->set, sc->value,
                         mk_diag_format(&d, buf, sizeof buf));
        } else if (rc != MK_CASSETTE_ESECRET || strcmp(d.pointer, sc->pointer) != 0 ||
                   !strstr(d.message, sc->message)) {
            fail_msg("case %zu (%s = %s): status %d, \"%s\"; want %s with \"%s\"", i, sc->set,
                     sc->value, rc, mk_diag_format(&d, buf, sizeof buf), sc->pointer,
                     sc->message);
        }
        /* the loader does not scan: a cassette with a secret is still a cassette */
        mk_cassette *c = NULL;
        assert_int_equal(mk_cassette_from_json(doc, "s.json", &c, &d), MK_CASSETTE_OK);
        mk_cassette_free(c);
        cJSON_Delete(doc);
    }
}

/* A recorded JSON text nested past MK_JSON_MAX_DEPTH is not walked (the
 * recursion is what the bound prevents), so it cannot pass as clean: the
 * password at its bottom would go unseen. */
static void test_too_deep_json_text_fails_closed(void **state)
{
    (void)state;
    enum { DEEP = 100 };
    char text[DEEP * 2 + 64] = "\"";
    size_t n = 1;
    for (int i = 0; i < DEEP; i++)
        text[n++] = '[';
    n += (size_t)snprintf(text + n, sizeof text - n, "{\\\"password\\\": \\\"x\\\"}");
    for (int i = 0; i < DEEP; i++)
        text[n++] = ']';
    text[n++] = '"';
    text[n] = '\0';
    cJSON *doc = h_json(base);
    h_set(doc, REQ "/text", text);
    mk_diag d;
    assert_int_equal(mk_cassette_scan_secrets(doc, "s.json", &d), MK_CASSETTE_ESECRET);
    assert_string_equal(d.pointer, REQ "/text");
    assert_non_null(strstr(d.message, "in the JSON text: nests deeper than 64 levels"));
    cJSON_Delete(doc);
}

/* The one placeholder rule, as matcher, scan and redactor read it. */
static void test_placeholder_rule(void **state)
{
    static const struct {
        const char *s;
        size_t prefix;  /* mk_cassette_placeholder_len; whole string: a placeholder */
    } rows[] = {
        {"<REDACTED>", 10},
        {"<REDACTED:api-key>", 18},
        {"<REDACTED:x.y_Z-9>", 18},
        {"<REDACTED:>", 0},           /* empty name: not one (the recorder writes <REDACTED>) */
        {"<REDACTED:a b>", 0},        /* a name is [A-Za-z0-9._-] */
        {"<REDACTED:a<b>", 0},
        {"<REDACTED", 0},
        {"<REDACTED:name", 0},
        {"<redacted>", 0},
        {"", 0},
        {"<REDACTED>tail", 10},       /* a prefix, not the whole string */
        {"<REDACTED:sid>; Path=/", 14},
    };
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t n = strlen(rows[i].s);
        if (mk_cassette_placeholder_len(rows[i].s, n) != rows[i].prefix)
            fail_msg("\"%s\": placeholder_len %zu, want %zu", rows[i].s,
                     mk_cassette_placeholder_len(rows[i].s, n), rows[i].prefix);
        if (mk_cassette_is_placeholder(rows[i].s, n) != (rows[i].prefix == n && n > 0))
            fail_msg("\"%s\": is_placeholder wrong", rows[i].s);
    }
    /* a length that cuts the closing '>' off is no placeholder */
    assert_int_equal(mk_cassette_is_placeholder("<REDACTED:ab>", 12), 0);
    assert_int_equal(mk_cassette_placeholder_len(NULL, 0), 0);
}

static void test_findings_never_repeat_the_secret(void **state)
{
    (void)state;
    cJSON *doc = h_json(base);
    h_set(doc, REQ "/headers", "{\"Authorization\": \"Bearer " LONG_KEY "\"}");
    mk_diag d;
    assert_int_equal(mk_cassette_scan_secrets(doc, "s.json", &d), MK_CASSETTE_ESECRET);
    assert_null(strstr(d.message, "AbCdEf"));
    assert_string_equal(d.file, "s.json");
    cJSON_Delete(doc);
}

static void test_clean_document_passes(void **state)
{
    (void)state;
    cJSON *doc = h_json(base);
    mk_diag d;
    assert_int_equal(mk_cassette_scan_secrets(doc, NULL, &d), MK_CASSETTE_OK);
    assert_int_equal(mk_cassette_scan_secrets(doc, "s.json", NULL), MK_CASSETTE_OK);
    cJSON_Delete(doc);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_kind_is_caught_and_placeholders_pass),
        cmocka_unit_test(test_too_deep_json_text_fails_closed),
        cmocka_unit_test(test_placeholder_rule),
        cmocka_unit_test(test_findings_never_repeat_the_secret),
        cmocka_unit_test(test_clean_document_passes),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
