/* test_http.c: mkc_http against a CivetWeb server started in the test:
 * refused connections fail fast naming the URL, error statuses carry their
 * body, default headers and cookies reach the server, multipart uploads
 * arrive byte for byte, and a hostile deeply nested JSON answer is refused
 * before it is parsed (the service clients' one helper, mkc__call_json). */
#define _GNU_SOURCE  /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mockkit/cassette.h" /* MK_JSON_MAX_DEPTH */
#include "mockkit/client.h"
#include "mockkit/openai.h"
#include "suite.h"
#include "test_server.h"

static ts_server srv;

static int h_error(struct mg_connection *c, void *status_ptr)
{
    int status = (int)(long)status_ptr;
    const char body[] = "{\"error\":{\"message\":\"no such thing\"}}";
    mg_printf(c,
              "HTTP/1.1 %d Error\r\nContent-Type: application/json\r\n"
              "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
              status, sizeof body - 1, body);
    return status;
}

/* Echo the headers the client core is meant to send, one per line. */
static int h_headers(struct mg_connection *c, void *u)
{
    (void)u;
    const char *x = mg_get_header(c, "X-Test");
    const char *auth = mg_get_header(c, "Authorization");
    const char *cookie = mg_get_header(c, "Cookie");
    char body[1024];
    int n = snprintf(body, sizeof body, "x-test=%s\nauthorization=%s\ncookie=%s\n",
                     x ? x : "(none)", auth ? auth : "(none)", cookie ? cookie : "(none)");
    mg_printf(c,
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
              "Connection: close\r\n\r\n%s",
              n, body);
    return 200;
}

/* Echo the request body and content type back. */
static int h_echo(struct mg_connection *c, void *u)
{
    (void)u;
    char *body = NULL;
    size_t len = 0, cap = 0;
    char buf[4096];
    int n;
    while ((n = mg_read(c, buf, sizeof buf)) > 0) {
        if (len + (size_t)n > cap) {
            cap = (len + (size_t)n) * 2;
            char *nb = realloc(body, cap);
            if (!nb)
                break;
            body = nb;
        }
        memcpy(body + len, buf, (size_t)n);
        len += (size_t)n;
    }
    const char *ct = mg_get_header(c, "Content-Type");
    mg_printf(c,
              "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
              "X-Request-Content-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
              ct ? ct : "", len);
    if (len)
        mg_write(c, body, len);
    free(body);
    return 200;
}

/* Nesting a parser without a bound takes on (cJSON's own limit is 1000), so
 * only the bound can refuse it: {"a":{"a":...{}...}}. Caller frees. */
enum { DEEP = 200 };
static char *deep_object(void)
{
    char *s = malloc(DEEP * 6 + 3);
    if (!s)
        return NULL;
    char *p = s;
    for (int i = 0; i < DEEP; i++)
        p += sprintf(p, "{\"a\":");
    p += sprintf(p, "{}");
    memset(p, '}', DEEP);
    p[DEEP] = '\0';
    return s;
}

/* A 200 application/json answer nested DEEP levels, after reading the request. */
static int h_deep(struct mg_connection *c, void *u)
{
    (void)u;
    char buf[4096];
    while (mg_read(c, buf, sizeof buf) > 0)
        ;
    char *body = deep_object();
    size_t len = body ? strlen(body) : 0;
    mg_printf(c,
              "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
              "Connection: close\r\n\r\n",
              len);
    if (body)
        mg_write(c, body, len);
    free(body);
    return 200;
}

static int setup(void **state)
{
    (void)state;
    if (ts_start(&srv) != 0)
        return -1;
    mg_set_request_handler(srv.ctx, "/missing$", h_error, (void *)404L);
    mg_set_request_handler(srv.ctx, "/broken$", h_error, (void *)500L);
    mg_set_request_handler(srv.ctx, "/headers$", h_headers, NULL);
    mg_set_request_handler(srv.ctx, "/echo$", h_echo, NULL);
    mg_set_request_handler(srv.ctx, "/deep/chat/completions$", h_deep, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ts_stop(&srv);
    return 0;
}

static void test_refused_is_econnect_naming_the_url(void **state)
{
    (void)state;
    int port = ts_free_port();
    assert_true(port > 0);
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    mkc_http *h = mkc_http_new(base);
    assert_non_null(h);
    mkc_error err = {0};
    mkc_response *r = NULL;
    long long t0 = ts_now_ms();
    int rc = mkc_http_request(h, "GET", "/anything", NULL, NULL, NULL, 0, &r, &err);
    long long took = ts_now_ms() - t0;
    assert_int_equal(rc, MKC_ECONNECT);
    assert_int_equal(err.code, MKC_ECONNECT);
    assert_null(r);
    assert_non_null(strstr(err.message, base));
    assert_true(took < 2000);  /* refused is immediate, not a timeout */
    mkc_error_clear(&err);
    mkc_http_free(h);
}

static void check_http_error(const char *path, long status)
{
    mkc_http *h = mkc_http_new(srv.url);
    mkc_error err = {0};
    mkc_response *r = NULL;
    int rc = mkc_http_request_ok(h, "GET", path, NULL, NULL, NULL, 0, &r, &err);
    assert_int_equal(rc, MKC_EHTTP);
    assert_int_equal(err.code, MKC_EHTTP);
    assert_int_equal(err.http_status, status);
    assert_non_null(err.body);
    assert_non_null(strstr(err.body, "no such thing"));
    assert_non_null(strstr(err.message, path));
    assert_non_null(r);
    assert_int_equal(r->status, status);
    mkc_response_free(r);
    mkc_error_clear(&err);

    /* mkc_http_request is fine with any status. */
    assert_int_equal(mkc_http_request(h, "GET", path, NULL, NULL, NULL, 0, &r, &err), MKC_OK);
    assert_int_equal(r->status, status);
    mkc_response_free(r);
    mkc_http_free(h);
}

static void test_4xx_is_ehttp_with_body(void **state)
{
    (void)state;
    check_http_error("/missing", 404);
}

static void test_5xx_is_ehttp_with_body(void **state)
{
    (void)state;
    check_http_error("/broken", 500);
}

static void test_default_headers_and_cookies_reach_the_server(void **state)
{
    (void)state;
    mkc_http *h = mkc_http_new(srv.url);
    assert_int_equal(mkc_http_add_header(h, "Authorization: Bearer <REDACTED>"), MKC_OK);
    assert_int_equal(mkc_http_add_header(h, "X-Test: one"), MKC_OK);
    assert_int_equal(mkc_http_set_cookie(h, "session=abc; theme=dark"), MKC_OK);
    mkc_error err = {0};
    for (int i = 0; i < 2; i++) {  /* and again on the reused handle */
        mkc_response *r = NULL;
        assert_int_equal(mkc_http_request_ok(h, "GET", "/headers", NULL, NULL, NULL, 0, &r, &err),
                         MKC_OK);
        assert_non_null(strstr(r->body, "x-test=one\n"));
        assert_non_null(strstr(r->body, "authorization=Bearer <REDACTED>\n"));
        assert_non_null(strstr(r->body, "cookie=session=abc; theme=dark\n"));
        mkc_response_free(r);
    }
    mkc_http_free(h);
}

static void test_multipart_upload_arrives_intact(void **state)
{
    (void)state;
    mkc_http *h = mkc_http_new(srv.url);
    static const unsigned char file[] = {'P', 'K', 0x03, 0x04, 0x00, 0x00, 0xff, 0xfe,
                                         '\r', '\n', '-', '-', 0x00, 'e', 'n', 'd'};
    mkc_form_field fields[] = {
        {.name = "purpose", .value = "assistants"},
        {.name = "file", .data = file, .data_len = sizeof file, .filename = "blob.bin",
         .content_type = "application/octet-stream"},
    };
    mkc_response *r = NULL;
    mkc_error err = {0};
    assert_int_equal(mkc_http_post_multipart(h, "/echo", fields, 2, &r, &err), MKC_OK);
    assert_int_equal(r->status, 200);
    const char *ct = mkc_response_header(r, "X-Request-Content-Type");
    assert_non_null(ct);
    assert_non_null(strstr(ct, "multipart/form-data; boundary="));
    assert_non_null(memmem(r->body, r->body_len, file, sizeof file));
    assert_non_null(memmem(r->body, r->body_len, "filename=\"blob.bin\"", 19));
    assert_non_null(memmem(r->body, r->body_len, "name=\"purpose\"", 14));
    assert_non_null(memmem(r->body, r->body_len, "assistants", 10));
    mkc_response_free(r);
    mkc_http_free(h);
}

/* A service answering 200 with JSON nested past MK_JSON_MAX_DEPTH: the
 * client says so (MKC_EJSON) instead of handing the tree to the caller's
 * recursive walks; a caller's own request that deep is refused too. */
static void test_deep_json_answer_is_refused_by_depth(void **state)
{
    (void)state;
    char base[128], want[64];
    snprintf(base, sizeof base, "%s/deep", srv.url);
    snprintf(want, sizeof want, "deeper than %d levels", MK_JSON_MAX_DEPTH);
    mk_openai *c = mk_openai_new(base, NULL);
    assert_non_null(c);
    cJSON *out = NULL;
    mkc_error err = {0};
    assert_int_equal(mk_openai_chat_str(c, "{\"model\":\"m\",\"messages\":[]}", &out, &err),
                     MKC_EJSON);
    assert_null(out);
    assert_non_null(strstr(err.message, want));
    assert_non_null(strstr(err.url, "/deep/chat/completions"));
    mkc_error_clear(&err);

    char *deep = deep_object();
    assert_non_null(deep);
    assert_int_equal(mk_openai_chat_str(c, deep, &out, &err), MKC_EINVAL);
    assert_null(out);
    assert_non_null(strstr(err.message, "deeper than"));
    mkc_error_clear(&err);
    free(deep);
    mk_openai_free(c);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_is_econnect_naming_the_url),
        cmocka_unit_test(test_4xx_is_ehttp_with_body),
        cmocka_unit_test(test_5xx_is_ehttp_with_body),
        cmocka_unit_test(test_default_headers_and_cookies_reach_the_server),
        cmocka_unit_test(test_multipart_upload_arrives_intact),
        cmocka_unit_test(test_deep_json_answer_is_refused_by_depth),
    };
    return SUITE_RUN(argc, argv, tests, setup, teardown);
}
