/* record_modes.c: the VCR modes. Which requests reach the upstream (its hit
 * counter) and what the cassette holds afterwards. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <civetweb.h>
#include <curl/curl.h>

#include "mockkit/cassette.h"
#include "mockkit/record.h"
#include "suite.h"
#include "upstream.h"

static upstream up;

static int group_setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    mg_init_library(0);
    return upstream_start(&up);
}

static int group_teardown(void **state)
{
    (void)state;
    upstream_stop(&up);
    curl_global_cleanup();
    return 0;
}

static int rec_new_to(const char *target, const char *out, mk_record_mode mode, mk_record **r)
{
    mk_record_options o;
    mk_record_options_init(&o);
    o.upstream = target;
    o.out = out;
    o.mode = mode;
    o.quiet = 1;
    mk_diag d;
    int rc = mk_record_new(&o, r, &d);
    if (rc != MK_RECORD_OK && mode != MK_RECORD_MODE_NONE) {
        char msg[1200];
        print_error("mk_record_new: %s\n", mk_diag_format(&d, msg, sizeof msg));
    }
    return rc;
}

static int rec_new(const char *out, mk_record_mode mode, mk_record **r)
{
    return rec_new_to(up.url, out, mode, r);
}

static void stop(mk_record *r)
{
    mk_diag d;
    int rc = mk_record_stop(r, &d);
    if (rc != MK_RECORD_OK) {
        char msg[1200];
        print_error("mk_record_stop: %s\n", mk_diag_format(&d, msg, sizeof msg));
    }
    assert_int_equal(rc, MK_RECORD_OK);
    mk_record_free(r);
}

static void get(mk_record *r, const char *path, reply *out)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", mk_record_url(r), path);
    assert_int_equal(client_request(NULL, "GET", url, NULL, NULL, out), 0);
}

/* Record items/42 into out with mode all. */
static void seed(const char *out)
{
    mk_record *r = NULL;
    assert_int_equal(rec_new(out, MK_RECORD_MODE_ALL, &r), MK_RECORD_OK);
    reply a;
    get(r, "/v1/items/42", &a);
    assert_int_equal(a.status, 200);
    reply_free(&a);
    stop(r);
    assert_true(file_exists(out));
}

static mk_cassette *load(const char *path)
{
    mk_cassette *c = NULL;
    mk_diag d;
    assert_int_equal(mk_cassette_load(path, &c, &d), MK_CASSETTE_OK);
    return c;
}

/* once: records while the cassette is missing, replays once it exists
 * (the upstream sees nothing the second time). */
static void test_once(void **state)
{
    (void)state;
    char out[512];
    tmp_path(out, sizeof out, "once.json");
    mk_record *r = NULL;
    assert_int_equal(rec_new(out, MK_RECORD_MODE_ONCE, &r), MK_RECORD_OK);
    assert_false(mk_record_replaying(r));
    reply a;
    get(r, "/v1/items/42", &a);
    stop(r);
    assert_true(file_exists(out));

    int hits = upstream_hits(&up);
    assert_int_equal(rec_new(out, MK_RECORD_MODE_ONCE, &r), MK_RECORD_OK);
    assert_true(mk_record_replaying(r));
    reply b;
    get(r, "/v1/items/42", &b);
    assert_int_equal(b.status, 200);
    assert_string_equal(b.body, a.body);
    assert_int_equal(upstream_hits(&up), hits);
    stop(r);
    reply_free(&a);
    reply_free(&b);
}

/* none: replay only; without a cassette it refuses to start, and an
 * unknown request is not forwarded. */
static void test_none(void **state)
{
    (void)state;
    char out[512];
    tmp_path(out, sizeof out, "none.json");
    mk_record *r = NULL;
    assert_int_equal(rec_new(out, MK_RECORD_MODE_NONE, &r), MK_RECORD_ECASSETTE);
    assert_null(r);

    seed(out);
    int hits = upstream_hits(&up);
    assert_int_equal(rec_new(out, MK_RECORD_MODE_NONE, &r), MK_RECORD_OK);
    assert_true(mk_record_replaying(r));
    reply a, b;
    get(r, "/v1/items/42", &a);
    get(r, "/v1/items/7", &b);
    assert_int_equal(a.status, 200);
    assert_true(b.status >= 400);
    assert_int_equal(upstream_hits(&up), hits);
    stop(r);
    reply_free(&a);
    reply_free(&b);
}

/* new: what the cassette has is replayed, the rest is forwarded, recorded
 * and appended after the existing timeline. */
static void test_new(void **state)
{
    (void)state;
    char out[512];
    tmp_path(out, sizeof out, "new.json");
    seed(out);
    int hits = upstream_hits(&up);
    mk_record *r = NULL;
    assert_int_equal(rec_new(out, MK_RECORD_MODE_NEW, &r), MK_RECORD_OK);
    assert_false(mk_record_replaying(r));
    reply a, b;
    get(r, "/v1/items/42", &a);
    assert_int_equal(a.status, 200);
    assert_int_equal(upstream_hits(&up), hits);
    get(r, "/v1/items/7", &b);
    assert_int_equal(b.status, 200);
    assert_non_null(strstr(b.body, "\"7\""));
    assert_int_equal(upstream_hits(&up), hits + 1);
    /* The handler files the exchange just after the client has its answer:
     * count once stopped (stop waits for every handler). */
    mk_diag d;
    assert_int_equal(mk_record_stop(r, &d), MK_RECORD_OK);
    assert_int_equal(mk_record_count(r), 1);
    mk_record_free(r);

    mk_cassette *c = load(out);
    assert_int_equal(c->count, 2);
    assert_string_equal(c->interactions[0].request.path, "/v1/items/42");
    assert_string_equal(c->interactions[1].request.path, "/v1/items/7");
    assert_true(c->interactions[1].at_ms > c->interactions[0].at_ms);
    assert_string_not_equal(c->interactions[0].id, c->interactions[1].id);
    mk_cassette_free(c);
    reply_free(&a);
    reply_free(&b);
}

/* all: everything goes to the upstream and the cassette is replaced. */
static void test_all(void **state)
{
    (void)state;
    char out[512];
    tmp_path(out, sizeof out, "all.json");
    seed(out);
    int hits = upstream_hits(&up);
    mk_record *r = NULL;
    assert_int_equal(rec_new(out, MK_RECORD_MODE_ALL, &r), MK_RECORD_OK);
    reply a;
    get(r, "/v1/items/7", &a);
    assert_int_equal(upstream_hits(&up), hits + 1);
    stop(r);
    mk_cassette *c = load(out);
    assert_int_equal(c->count, 1);
    assert_string_equal(c->interactions[0].request.path, "/v1/items/7");
    mk_cassette_free(c);
    reply_free(&a);
}

/* Bad options fail with a message, nothing starts. */
static void test_bad_options(void **state)
{
    (void)state;
    mk_record_options o;
    mk_record_options_init(&o);
    mk_record *r = NULL;
    mk_diag d;
    o.out = "/tmp/never.json";
    o.mode = MK_RECORD_MODE_ALL;
    o.upstream = "ftp://example";
    assert_int_equal(mk_record_new(&o, &r, &d), MK_RECORD_EINVAL);
    assert_null(r);
    assert_non_null(strstr(d.message, "ftp://example"));
    o.upstream = up.url;
    o.listen = "127.0.0.1:notaport";
    assert_int_equal(mk_record_new(&o, &r, &d), MK_RECORD_EINVAL);
    assert_int_equal(mk_record_mode_parse("sometimes"), -1);
    assert_int_equal(mk_record_mode_parse("new"), MK_RECORD_MODE_NEW);
}

/* The upstream's scheme is case-insensitive (RFC 3986 3.1), as the CLI's
 * URL check has it: HTTP:// records, and the cassette names the URL with
 * the scheme lowercased. HTTPS:// is https; other schemes stay refused. */
static void test_upstream_scheme_any_case(void **state)
{
    (void)state;
    char out[512], upper[600];
    tmp_path(out, sizeof out, "scheme.json");
    assert_int_equal(strncmp(up.url, "http://", 7), 0);
    snprintf(upper, sizeof upper, "HtTP://%s/", up.url + 7);
    mk_record *r = NULL;
    assert_int_equal(rec_new_to(upper, out, MK_RECORD_MODE_ALL, &r), MK_RECORD_OK);
    int hits = upstream_hits(&up);
    reply a;
    get(r, "/v1/items/42", &a);
    assert_int_equal(a.status, 200);
    assert_int_equal(upstream_hits(&up), hits + 1);
    reply_free(&a);
    stop(r);
    mk_cassette *c = load(out);
    assert_string_equal(c->meta.source.url, up.url);
    mk_cassette_free(c);

    assert_int_equal(rec_new_to("HTTPS://127.0.0.1:9", out, MK_RECORD_MODE_ALL, &r), MK_RECORD_OK);
    mk_record_free(r);
    mk_record_options o;
    mk_record_options_init(&o);
    o.upstream = "HTTPX://127.0.0.1:9";
    o.mode = MK_RECORD_MODE_ALL;
    o.out = out;
    mk_diag d;
    assert_int_equal(mk_record_new(&o, &r, &d), MK_RECORD_EINVAL);
    assert_non_null(strstr(d.message, "HTTPX://127.0.0.1:9"));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_once),
        cmocka_unit_test(test_none),
        cmocka_unit_test(test_new),
        cmocka_unit_test(test_all),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_upstream_scheme_any_case),
    };
    return SUITE_RUN(argc, argv, tests, group_setup, group_teardown);
}
