/* cairos_auth.c: the login and what it leaves behind: the token cookie
 * parsed out of Set-Cookie and sent back, the session id, and a clear
 * error for wrong credentials. */
#include "cairos_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_cookie_parser(void **state)
{
    (void)state;
    char v[64];
    /* httpx joins several Set-Cookie headers with ", " */
    const char *joined = "cairos_session=abc123; Path=/, Outseta.nocode.accessToken=tok.en-1; "
                         "HttpOnly; Max-Age=86400; Path=/";
    assert_int_equal(mk_cairos_cookie_from_set_cookie(joined, MK_CAIROS_TOKEN_COOKIE, v, sizeof v),
                     MKC_OK);
    assert_string_equal(v, "tok.en-1");
    assert_int_equal(mk_cairos_cookie_from_set_cookie(joined, "cairos_session", v, sizeof v),
                     MKC_OK);
    assert_string_equal(v, "abc123");
    /* an attribute is not a cookie; a prefix of a name is not the name */
    assert_int_equal(mk_cairos_cookie_from_set_cookie(joined, "Path", v, sizeof v), MKC_EPROTOCOL);
    assert_int_equal(mk_cairos_cookie_from_set_cookie(joined, "cairos", v, sizeof v),
                     MKC_EPROTOCOL);
    assert_int_equal(mk_cairos_cookie_from_set_cookie(joined, MK_CAIROS_TOKEN_COOKIE, v, 4),
                     MKC_ETOOBIG);
}

static void test_login_keeps_token_and_session(void **state)
{
    (void)state;
    ctx.c = cairos_login();
    const char *token = mk_cairos_token(ctx.c);
    const char *session = mk_cairos_session(ctx.c);
    assert_non_null(token);
    assert_true(strlen(token) > 0);
    assert_non_null(session);
    assert_true(strlen(session) > 0);
    char want[1024];
    snprintf(want, sizeof want, "%s=%s; %s=%s", MK_CAIROS_TOKEN_COOKIE, token,
             MK_CAIROS_SESSION_COOKIE, session);
    assert_string_equal(mk_cairos_cookie_header(ctx.c), want);
}

/* The token cookie alone authenticates (as the generated client's
 * per-request cookies do); without it FastAPI refuses the required cookie
 * parameter with 422 HTTPValidationError, which the generated client parses
 * (the Authorization header does not replace it). */
static void test_token_cookie_is_what_authenticates(void **state)
{
    (void)state;
    ctx.c = cairos_login();
    char cookie[1024];
    snprintf(cookie, sizeof cookie, "%s=%s", MK_CAIROS_TOKEN_COOKIE, mk_cairos_token(ctx.c));

    mkc_http *h = mkc_http_new(cairos_target.base_url);
    assert_non_null(h);
    mkc_response *r = NULL;
    int rc = mkc_http_request(h, "GET", "/thread", NULL, NULL, NULL, 0, &r, &ctx.err);
    long anonymous = rc == MKC_OK ? r->status : -1;
    char body[256] = "";
    if (r && r->body)
        snprintf(body, sizeof body, "%s", r->body);
    mkc_response_free(r);
    r = NULL;
    mkc_http_set_cookie(h, cookie);
    rc = mkc_http_request(h, "GET", "/thread", NULL, NULL, NULL, 0, &r, &ctx.err);
    long with_cookie = rc == MKC_OK ? r->status : -1;
    mkc_response_free(r);
    mkc_http_free(h);

    assert_int_equal(with_cookie, 200);
    assert_int_equal(anonymous, 422);
    cJSON *err = cJSON_Parse(body);
    assert_non_null(err);
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(err, "detail"), 0);
    const cJSON *loc = cJSON_GetObjectItemCaseSensitive(first, "loc");
    assert_string_equal(cJSON_GetArrayItem(loc, 0)->valuestring, "cookie");
    assert_string_equal(cJSON_GetArrayItem(loc, 1)->valuestring, MK_CAIROS_TOKEN_COOKIE);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(first, "msg")->valuestring,
                        "Field required");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(first, "type")->valuestring, "missing");
    cJSON_Delete(err);
}

static void test_wrong_password_is_a_clear_401(void **state)
{
    (void)state;
    char wrong[200];
    snprintf(wrong, sizeof wrong, "%s-not", cairos_target.password);
    int rc = mk_cairos_login(cairos_target.base_url, cairos_target.username, wrong, &ctx.c,
                             &ctx.err);
    assert_int_equal(rc, MKC_EHTTP);
    assert_null(ctx.c);
    assert_int_equal(ctx.err.http_status, 401);
    assert_non_null(strstr(ctx.err.message, "/login"));
    assert_non_null(strstr(ctx.err.message, "401"));
    if (cairos_target_is_mockkit())
        assert_non_null(strstr(ctx.err.message, "Incorrect username or password"));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cookie_parser),
        cmocka_unit_test_setup_teardown(test_login_keeps_token_and_session, cairos_test_setup,
                                        cairos_test_teardown),
        cmocka_unit_test_setup_teardown(test_token_cookie_is_what_authenticates,
                                        cairos_test_setup, cairos_test_teardown),
        cmocka_unit_test_setup_teardown(test_wrong_password_is_a_clear_401, cairos_test_setup,
                                        cairos_test_teardown),
    };
    return SUITE_RUN(argc, argv, tests, cairos_group_setup, cairos_group_teardown);
}
