/* test_cairos_body.c: the Cairos profile's 422 for request bodies, byte
 * for byte what FastAPI 0.118 with pydantic v2 answers (sources cited in
 * mocks/server/cairos_body.c; every JSON decode position and message below
 * was checked against CPython 3.11's json.loads). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_util.h"
#include "suite.h"

#define PROFILE CORE_CASSETTES "/profiles/cairos.json"
#define COOKIES "Cookie: Outseta.nocode.accessToken=abc; cairos_session=s1"
#define JSON_CT "Content-Type: application/json"

static const char *const json_cookies[] = {COOKIES, JSON_CT, NULL};
static const char *const json_only[] = {JSON_CT, NULL};

/* POST body to path; returns the status and copies the body into out. */
static long post(mk_mock *m, const char *path, const char *const *headers, const char *body,
                 char *out, size_t size)
{
    char url[600];
    cu_resp r;
    long status;
    snprintf(url, sizeof(url), "%s%s", mk_mock_url(m), path);
    assert_int_equal(cu_request("POST", url, headers, body, &r), 0);
    status = r.status;
    snprintf(out, size, "%s", r.body ? r.body : "");
    cu_resp_free(&r);
    return status;
}

static void expect(mk_mock *m, const char *path, const char *const *headers, const char *body,
                   long status, const char *want)
{
    char got[4096];
    assert_int_equal(post(m, path, headers, body, got, sizeof(got)), status);
    if (want)
        assert_string_equal(got, want);
}

static mk_mock *start(void)
{
    const char *const paths[] = {PROFILE};
    return cu_mock("cairos", paths, 1, 0, NULL);
}

#define MISSING_BODY                                                                         \
    "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\"],\"msg\":\"Field required\","      \
    "\"input\":null}]}"

/* No body, and JSON null (json.loads gives None): the body field is missing. */
static void missing_body(void **state)
{
    const char *const no_ct[] = {COOKIES, NULL};
    mk_mock *m = start();
    (void)state;
    expect(m, "/api/thread/t1", no_ct, NULL, 422, MISSING_BODY);
    expect(m, "/api/thread/t1/nosequence", no_ct, NULL, 422, MISSING_BODY);
    expect(m, "/api/thread/t1", json_cookies, "null", 422, MISSING_BODY);
    mk_mock_free(m);
}

/* json.loads refuses: one json_invalid entry at ["body", character
 * position] with CPython's message in ctx.error, input {}. */
static void json_decode_errors(void **state)
{
    static const struct {
        const char *body, *msg;
        int pos;
    } cases[] = {
        {"{\"prompt\": }", "Expecting value", 11},
        {"{\"prompt\":\"\xc3\xa9\" x}", "Expecting ',' delimiter", 14}, /* é is one character */
        {"{\"a\":1,}", "Expecting property name enclosed in double quotes", 7},
        {"[1,]", "Expecting value", 3},
        {"\"abc", "Unterminated string starting at", 0},
        {"{\"a\" 1}", "Expecting ':' delimiter", 5},
        {"\"\\x\"", "Invalid \\\\escape", 1},
        {"\"\\u12x4\"", "Invalid \\\\uXXXX escape", 2},
        {"{\"a\":1} x", "Extra data", 8},
        {"\xef\xbb\xbf{\"a\":}", "Expecting value", 5}, /* the BOM is dropped */
        {"\"a\x01\"", "Invalid control character at", 2},
        {"   ", "Expecting value", 3},
    };
    mk_mock *m = start();
    char want[512];
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(want, sizeof(want),
                 "{\"detail\":[{\"type\":\"json_invalid\",\"loc\":[\"body\",%d],\"msg\":\"JSON "
                 "decode error\",\"input\":{},\"ctx\":{\"error\":\"%s\"}}]}",
                 cases[i].pos, cases[i].msg);
        expect(m, "/api/thread/t1", json_cookies, cases[i].body, 422, want);
    }
    /* raised while reading the body, before cookies are looked at */
    snprintf(want, sizeof(want),
             "{\"detail\":[{\"type\":\"json_invalid\",\"loc\":[\"body\",0],\"msg\":\"JSON decode "
             "error\",\"input\":{},\"ctx\":{\"error\":\"Expecting value\"}}]}");
    expect(m, "/api/thread/t1/nosequence", json_only, "x", 422, want);
    /* bytes that are not UTF-8: the decode fails outside JSONDecodeError */
    expect(m, "/api/thread/t1", json_cookies, "{\"a\":\"\xff\"}", 400,
           "{\"detail\":\"There was an error parsing the body\"}");
    mk_mock_free(m);
}

/* A Motion (Animation.sequence item) with the given sg_id. */
#define MOTION(sg_id)                                                                        \
    "{\"sg_id\":" sg_id ",\"description\":\"d\",\"input\":\"i.bgeo.sc\",\"created_at\":"           \
    "\"2025-08-19T15:24:19.124646+00:00\",\"shot_description\":\"s\"}"

#define NOT_A_MODEL "Input should be a valid dictionary or object to extract fields from"

/* JSON that is not an object; a body that is not JSON by its media type
 * (kept as bytes, shown decoded). */
static void wrong_json_type(void **state)
{
    const char *const text[] = {COOKIES, "Content-Type: text/plain", NULL};
    mk_mock *m = start();
    (void)state;
    expect(m, "/api/thread/t1", json_cookies, "[1]", 422,
           "{\"detail\":[{\"type\":\"model_attributes_type\",\"loc\":[\"body\"],\"msg\":\"" NOT_A_MODEL
           "\",\"input\":[1]}]}");
    expect(m, "/api/thread/t1/nosequence", json_cookies, "\"hi\"", 422,
           "{\"detail\":[{\"type\":\"model_attributes_type\",\"loc\":[\"body\"],\"msg\":\"" NOT_A_MODEL
           "\",\"input\":\"hi\"}]}");
    expect(m, "/api/thread/t1", text, "{}", 422,
           "{\"detail\":[{\"type\":\"model_attributes_type\",\"loc\":[\"body\"],\"msg\":\"" NOT_A_MODEL
           "\",\"input\":\"{}\"}]}");
    mk_mock_free(m);
}

/* Every missing required field, in ChatInput's declaration order, each
 * with the whole body as input; nested models too. */
static void missing_fields(void **state)
{
    mk_mock *m = start();
    (void)state;
    expect(m, "/api/thread/t1", json_cookies, "{\"btl_objs\":[]}", 422,
           "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\",\"prompt\"],\"msg\":\"Field "
           "required\",\"input\":{\"btl_objs\":[]}},{\"type\":\"missing\",\"loc\":[\"body\","
           "\"history\"],\"msg\":\"Field required\",\"input\":{\"btl_objs\":[]}}]}");
    /* the input as json.dumps shows Python's dict: float literals as
     * repr(float), ints exact, a repeated key once with its last value */
    expect(m, "/api/thread/t1", json_cookies,
           "{\"prompt\":{\"content\":\"hi\"},\"btl_objs\":[1.0,-0,2.5e3,1E16,1e-5,"
           "12345678901234567890123],\"x\":{\"y\":1,\"z\":0,\"y\":2}}",
           422,
           "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\",\"history\"],\"msg\":\"Field "
           "required\",\"input\":{\"prompt\":{\"content\":\"hi\"},\"btl_objs\":[1.0,0,2500.0,1e+16,"
           "1e-05,12345678901234567890123],\"x\":{\"y\":2,\"z\":0}}}]}");
    expect(m, "/api/thread/t1/nosequence", json_cookies,
           "{\"prompt\":{\"type\":\"human\"},\"history\":[],\"btl_objs\":[]}", 422,
           "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\",\"prompt\",\"content\"],\"msg\":"
           "\"Field required\",\"input\":{\"type\":\"human\"}}]}");
    mk_mock_free(m);
}

/* A field of the wrong type: pydantic's type, message and the value. */
static void wrong_field_types(void **state)
{
    mk_mock *m = start();
    (void)state;
    expect(m, "/api/thread/t1", json_cookies,
           "{\"prompt\":{\"content\":\"hi\"},\"history\":\"x\",\"btl_objs\":{}}", 422,
           "{\"detail\":[{\"type\":\"list_type\",\"loc\":[\"body\",\"history\"],\"msg\":\"Input "
           "should be a valid list\",\"input\":\"x\"},{\"type\":\"list_type\",\"loc\":[\"body\","
           "\"btl_objs\"],\"msg\":\"Input should be a valid list\",\"input\":{}}]}");
    expect(m, "/api/thread/t1", json_cookies,
           "{\"prompt\":5,\"history\":[],\"btl_objs\":[]}", 422,
           "{\"detail\":[{\"type\":\"model_attributes_type\",\"loc\":[\"body\",\"prompt\"],"
           "\"msg\":\"" NOT_A_MODEL "\",\"input\":5}]}");
    expect(m, "/api/thread/t1", json_cookies,
           "{\"prompt\":{\"content\":\"hi\",\"type\":\"ai\",\"additional_kwargs\":[],"
           "\"example\":\"maybe\"},\"history\":[],\"btl_objs\":[]}",
           422,
           "{\"detail\":[{\"type\":\"dict_type\",\"loc\":[\"body\",\"prompt\",\"additional_kwargs\"],"
           "\"msg\":\"Input should be a valid dictionary\",\"input\":[]},{\"type\":\"literal_error\","
           "\"loc\":[\"body\",\"prompt\",\"type\"],\"msg\":\"Input should be 'human'\",\"input\":"
           "\"ai\",\"ctx\":{\"expected\":\"'human'\"}},{\"type\":\"bool_parsing\",\"loc\":[\"body\","
           "\"prompt\",\"example\"],\"msg\":\"Input should be a valid boolean, unable to interpret "
           "input\",\"input\":\"maybe\"}]}");
    expect(m, "/api/thread/t1", json_cookies,
           "{\"prompt\":{\"content\":\"hi\"},\"history\":[],\"btl_objs\":[],\"animation\":[{"
           "\"sequence\":[],\"description\":7}]}",
           422,
           "{\"detail\":[{\"type\":\"string_type\",\"loc\":[\"body\",\"animation\",0,\"description\"],"
           "\"msg\":\"Input should be a valid string\",\"input\":7}]}");
    /* unions: every member's errors under pydantic's tag for it; content
     * is langchain's Union[str, list[Union[str, dict]]], history assumed a
     * plain Union of the message classes (models/cairos.json's order) */
    expect(m, "/api/thread/t1", json_cookies,
           "{\"prompt\":{\"content\":5},\"history\":[{\"content\":\"x\",\"type\":\"tool\"}],"
           "\"btl_objs\":[]}",
           422,
           "{\"detail\":[{\"type\":\"string_type\",\"loc\":[\"body\",\"prompt\",\"content\",\"str\"],"
           "\"msg\":\"Input should be a valid string\",\"input\":5},{\"type\":\"list_type\",\"loc\":["
           "\"body\",\"prompt\",\"content\",\"list[union[str,dict[any,any]]]\"],\"msg\":\"Input should "
           "be a valid list\",\"input\":5},{\"type\":\"literal_error\",\"loc\":[\"body\",\"history\",0,"
           "\"HumanMessage\",\"type\"],\"msg\":\"Input should be 'human'\",\"input\":\"tool\",\"ctx\":{"
           "\"expected\":\"'human'\"}},{\"type\":\"literal_error\",\"loc\":[\"body\",\"history\",0,"
           "\"AIMessage\",\"type\"],\"msg\":\"Input should be 'ai'\",\"input\":\"tool\",\"ctx\":{"
           "\"expected\":\"'ai'\"}},{\"type\":\"literal_error\",\"loc\":[\"body\",\"history\",0,"
           "\"SystemMessage\",\"type\"],\"msg\":\"Input should be 'system'\",\"input\":\"tool\",\"ctx\":"
           "{\"expected\":\"'system'\"}},{\"type\":\"missing\",\"loc\":[\"body\",\"history\",0,"
           "\"ToolMessage\",\"tool_call_id\"],\"msg\":\"Field required\",\"input\":{\"content\":\"x\","
           "\"type\":\"tool\"}}]}");
    /* lax scalars that still fail: a fraction, words that are no number or
     * boolean, a number that is not 0 or 1 */
    expect(m, "/api/thread/t1", json_cookies,
           "{\"prompt\":{\"content\":\"hi\",\"example\":0.5},\"history\":[],\"btl_objs\":[],"
           "\"animation\":[{\"sequence\":[" MOTION("1.5") "," MOTION("\"1__0\"") "],"
           "\"description\":\"d\"}]}",
           422,
           "{\"detail\":[{\"type\":\"bool_type\",\"loc\":[\"body\",\"prompt\",\"example\"],\"msg\":"
           "\"Input should be a valid boolean\",\"input\":0.5},{\"type\":\"int_from_float\",\"loc\":["
           "\"body\",\"animation\",0,\"sequence\",0,\"sg_id\"],\"msg\":\"Input should be a valid "
           "integer, got a number with a fractional part\",\"input\":1.5},{\"type\":\"int_parsing\","
           "\"loc\":[\"body\",\"animation\",0,\"sequence\",1,\"sg_id\"],\"msg\":\"Input should be a "
           "valid integer, unable to parse string as an integer\",\"input\":\"1__0\"}]}");
    expect(m, "/api/thread/t1", json_cookies,
           "{\"prompt\":{\"content\":\"hi\",\"example\":2},\"history\":[],\"btl_objs\":[]}", 422,
           "{\"detail\":[{\"type\":\"bool_parsing\",\"loc\":[\"body\",\"prompt\",\"example\"],"
           "\"msg\":\"Input should be a valid boolean, unable to interpret input\",\"input\":2}]}");
    mk_mock_free(m);
}

/* Missing cookies and a bad body: one 422, cookie errors first
 * (solve_dependencies), body errors after. */
static void cookies_then_body(void **state)
{
    mk_mock *m = start();
    (void)state;
    expect(m, "/api/thread/t1", json_only, "{\"prompt\":{\"content\":\"hi\"},\"btl_objs\":[]}", 422,
           "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"cookie\",\"Outseta.nocode.accessToken\"],"
           "\"msg\":\"Field required\",\"input\":null},{\"type\":\"missing\",\"loc\":[\"cookie\","
           "\"cairos_session\"],\"msg\":\"Field required\",\"input\":null},{\"type\":\"missing\","
           "\"loc\":[\"body\",\"history\"],\"msg\":\"Field required\",\"input\":{\"prompt\":{"
           "\"content\":\"hi\"},\"btl_objs\":[]}}]}");
    mk_mock_free(m);
}

/* What pydantic takes is not refused: extra keys (extra="ignore"), lax
 * booleans, nullable fields, any JSON Content-Type. */
static void valid_bodies_pass(void **state)
{
    const char *const vnd[] = {COOKIES, "Content-Type: application/vnd.cairos+json; charset=utf-8",
                               NULL};
    char got[4096];
    mk_mock *m = start();
    (void)state;
    assert_int_equal(post(m, "/api/thread/t1", json_cookies,
                          "{\"prompt\":{\"content\":[\"a\",{\"b\":1}],\"example\":\"yes\",\"name\":"
                          "null},\"history\":[{\"content\":\"x\",\"type\":\"ai\"}],\"btl_objs\":[1],"
                          "\"extra\":true}",
                          got, sizeof(got)),
                     200);
    assert_non_null(strstr(got, "trigger_msg"));
    assert_int_equal(post(m, "/api/thread/t1", json_cookies,
                          "{\"prompt\":{\"content\":\"hi\",\"example\":1},\"history\":[],"
                          "\"btl_objs\":[],\"animation\":[{\"sequence\":[" MOTION("\" +1_000.00 \"")
                          "," MOTION("true") "," MOTION("3") "],\"description\":\"d\"}]}",
                          got, sizeof(got)),
                     200);
    assert_int_equal(post(m, "/api/thread/t1", vnd,
                          "{\"prompt\":{\"content\":\"hi\"},\"history\":[],\"btl_objs\":[]}", got,
                          sizeof(got)),
                     200);
    /* /test takes a ChatInput too (process_message_test_thread_thread_id_test_post.py) */
    assert_int_equal(post(m, "/api/thread/t1/test", json_cookies, "[", got, sizeof(got)), 422);
    assert_non_null(strstr(got, "\"json_invalid\""));
    mk_mock_free(m);
}

/* POST /login: a required form field absent is a 422 before the
 * credential check; an empty value is present (FastAPI 0.118). */
static void login_form(void **state)
{
    const char *const form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    mk_mock *m = start();
    (void)state;
    expect(m, "/api/login", form, "username=bob", 422,
           "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\",\"password\"],\"msg\":\"Field "
           "required\",\"input\":null}]}");
    /* a JSON body is no form: both fields missing, in the form's order */
    expect(m, "/api/login", json_only, "{\"username\":\"bob\",\"password\":\"x\"}", 422,
           "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\",\"username\"],\"msg\":\"Field "
           "required\",\"input\":null},{\"type\":\"missing\",\"loc\":[\"body\",\"password\"],"
           "\"msg\":\"Field required\",\"input\":null}]}");
    /* without a Content-Type Starlette parses no form either */
    const char *const no_ct[] = {"Content-Type:", NULL};
    expect(m, "/api/login", no_ct, "username=bob&password=bobspassword", 422,
           "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\",\"username\"],\"msg\":\"Field "
           "required\",\"input\":null},{\"type\":\"missing\",\"loc\":[\"body\",\"password\"],"
           "\"msg\":\"Field required\",\"input\":null}]}");
    expect(m, "/api/login", form, "username=&password=", 401,
           "{\"detail\":\"Incorrect username or password\"}");
    expect(m, "/api/login", form, "username=bob&password=bobspassword", 200, NULL);
    mk_mock_free(m);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(missing_body),      cmocka_unit_test(json_decode_errors),
        cmocka_unit_test(wrong_json_type),   cmocka_unit_test(missing_fields),
        cmocka_unit_test(wrong_field_types), cmocka_unit_test(cookies_then_body),
        cmocka_unit_test(valid_bodies_pass), cmocka_unit_test(login_form),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
