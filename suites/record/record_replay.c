/* record_replay.c: recordings that replay what happened. Requests that
 * differ only in credentials, content type or query are recorded apart and
 * replayed apart; `new` mode records a new query variant; secrets in
 * queries, named headers and patterns are redacted, and a session the scan
 * still refuses is kept beside the target; a recorder stopped mid-stream
 * keeps what arrived; JSON bodies keep their bytes apart from the redacted
 * values. The upstream is upstream.c, an independent server. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <civetweb.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "mockkit/cassette.h"
#include "mockkit/mock.h"
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

static mk_record *start(const char *out, mk_record_mode mode, const char *const *patterns,
                        size_t npatterns)
{
    mk_record_options o;
    mk_record_options_init(&o);
    o.upstream = up.url;
    o.out = out;
    o.mode = mode;
    o.quiet = 1;
    o.redact_patterns = patterns;
    o.redact_pattern_count = npatterns;
    mk_record *r = NULL;
    mk_diag d;
    int rc = mk_record_new(&o, &r, &d);
    if (rc != MK_RECORD_OK) {
        char msg[1200];
        fail_msg("mk_record_new: %s", mk_diag_format(&d, msg, sizeof msg));
    }
    return r;
}

static void finish(mk_record *r)
{
    mk_diag d;
    int rc = mk_record_stop(r, &d);
    if (rc != MK_RECORD_OK) {
        char msg[1200];
        fail_msg("mk_record_stop: %s", mk_diag_format(&d, msg, sizeof msg));
    }
    mk_record_free(r);
}

static mk_mock *replay(const char *path)
{
    mk_mock_options o;
    mk_mock_options_init(&o);
    o.speed = 0;
    o.quiet = 1;
    const char *paths[] = {path};
    mk_mock *m = NULL;
    mk_diag d;
    if (mk_mock_new(&o, paths, 1, &m, &d) != MK_MOCK_OK) {
        char msg[1200];
        fail_msg("mk_mock_new: %s", mk_diag_format(&d, msg, sizeof msg));
    }
    return m;
}

/* status of method base+path with headers/body; body text into out_body. */
static long call(const char *base, const char *method, const char *path,
                 const char *const *hdrs, const char *body, char *out_body, size_t size)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", base, path);
    reply rp;
    assert_int_equal(client_request(NULL, method, url, hdrs, body, &rp), 0);
    long status = rp.status;
    if (out_body)
        snprintf(out_body, size, "%s", rp.body ? rp.body : "");
    reply_free(&rp);
    return status;
}

static char *slurp(const char *path)
{
    size_t len = 0;
    char *s = suite_read_file(path, &len);
    assert_non_null(s);
    return s;
}

static const char *const with_auth[] = {"Authorization: Bearer abc-not-a-real-key", NULL};

/* The reported case: the upstream answers 401 without credentials and 200
 * with them. Both recorded, each replays as it happened, in either order
 * and repeatedly. */
static void test_authorised_and_unauthorised_replay_apart(void **state)
{
    (void)state;
    char out[512];
    tmp_path(out, sizeof out, "auth.json");
    mk_record *r = start(out, MK_RECORD_MODE_ALL, NULL, 0);
    assert_int_equal(call(mk_record_url(r), "GET", "/v1/private", NULL, NULL, NULL, 0), 401);
    assert_int_equal(call(mk_record_url(r), "GET", "/v1/private", with_auth, NULL, NULL, 0), 200);
    finish(r);

    mk_cassette *c = NULL;
    assert_int_equal(mk_cassette_load(out, &c, NULL), MK_CASSETTE_OK);
    assert_int_equal(c->count, 2);
    /* what distinguishes them is on file: the credential as a placeholder */
    assert_null(mk_headers_get(&c->interactions[0].request.headers, "authorization"));
    assert_string_equal(mk_headers_get(&c->interactions[1].request.headers, "authorization"),
                        "Bearer <REDACTED:authorization>");
    mk_cassette_free(c);

    mk_mock *m = replay(out);
    const char *u = mk_mock_url(m);
    assert_int_equal(call(u, "GET", "/v1/private", with_auth, NULL, NULL, 0), 200);
    assert_int_equal(call(u, "GET", "/v1/private", NULL, NULL, NULL, 0), 401);
    assert_int_equal(call(u, "GET", "/v1/private", with_auth, NULL, NULL, 0), 200);
    assert_int_equal(call(u, "GET", "/v1/private", NULL, NULL, NULL, 0), 401);
    mk_mock_free(m);
}

/* Same method, path and body bytes, different content types: recorded
 * apart, replayed by content type. */
static void test_content_type_variants_replay_apart(void **state)
{
    (void)state;
    char out[512], body[256];
    tmp_path(out, sizeof out, "typed.json");
    const char *const form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    const char *const plain[] = {"Content-Type: text/plain", NULL};
    mk_record *r = start(out, MK_RECORD_MODE_ALL, NULL, 0);
    call(mk_record_url(r), "POST", "/v1/typed", form, "a=1", body, sizeof body);
    assert_string_equal(body, "{\"kind\":\"form\"}");
    call(mk_record_url(r), "POST", "/v1/typed", plain, "a=1", body, sizeof body);
    assert_string_equal(body, "{\"kind\":\"json\"}");
    finish(r);

    mk_mock *m = replay(out);
    call(mk_mock_url(m), "POST", "/v1/typed", plain, "a=1", body, sizeof body);
    assert_string_equal(body, "{\"kind\":\"json\"}");
    call(mk_mock_url(m), "POST", "/v1/typed", form, "a=1", body, sizeof body);
    assert_string_equal(body, "{\"kind\":\"form\"}");
    mk_mock_free(m);
}

/* `new` mode: a query the cassette never had for this path is new and is
 * recorded, although the recorded request without a query would match. */
static void test_new_mode_records_new_query_variant(void **state)
{
    (void)state;
    char out[512], body[512];
    tmp_path(out, sizeof out, "variants.json");
    mk_record *r = start(out, MK_RECORD_MODE_ALL, NULL, 0);
    call(mk_record_url(r), "GET", "/v1/list", NULL, NULL, body, sizeof body);
    finish(r);

    r = start(out, MK_RECORD_MODE_NEW, NULL, 0);
    int hits = upstream_hits(&up);
    call(mk_record_url(r), "GET", "/v1/list?page=2", NULL, NULL, body, sizeof body);
    assert_string_equal(body, "{\"object\":\"list\",\"query\":\"page=2\"}");
    assert_int_equal(upstream_hits(&up), hits + 1);
    /* the recorded variant still replays without reaching the upstream */
    call(mk_record_url(r), "GET", "/v1/list", NULL, NULL, body, sizeof body);
    assert_string_equal(body, "{\"object\":\"list\",\"query\":\"\"}");
    assert_int_equal(upstream_hits(&up), hits + 1);
    mk_diag d;
    assert_int_equal(mk_record_stop(r, &d), MK_RECORD_OK);
    assert_int_equal(mk_record_count(r), 1);
    mk_record_free(r);

    mk_mock *m = replay(out);
    call(mk_mock_url(m), "GET", "/v1/list?page=2", NULL, NULL, body, sizeof body);
    assert_string_equal(body, "{\"object\":\"list\",\"query\":\"page=2\"}");
    call(mk_mock_url(m), "GET", "/v1/list", NULL, NULL, body, sizeof body);
    assert_string_equal(body, "{\"object\":\"list\",\"query\":\"\"}");
    mk_mock_free(m);
}

/* Credentials in the query, in X-*-Token / api-key headers and wherever a
 * --redact-pattern matches never reach the file; the cassette is written
 * (not refused) and replays for a client sending other real values. */
static void test_query_header_and_pattern_redaction(void **state)
{
    (void)state;
    char out[512], body[512];
    tmp_path(out, sizeof out, "redact.json");
    const char *const patterns[] = {"SECRETVALUE[0-9]+"};
    const char *const hdrs[] = {"X-Custom-Token: tok-PLANTED-1", "api-key: k-PLANTED-2",
                                "X-Trace: SECRETVALUE77", NULL};
    mk_record *r = start(out, MK_RECORD_MODE_ALL, patterns, 1);
    call(mk_record_url(r), "GET", "/v1/list?api_key=SECRETVALUE123&page=1&token=SECRETVALUE9",
         hdrs, NULL, body, sizeof body);
    /* the client saw the real answer */
    assert_non_null(strstr(body, "api_key=SECRETVALUE123"));
    finish(r);

    char *text = slurp(out);
    assert_null(strstr(text, "SECRETVALUE"));
    assert_null(strstr(text, "PLANTED"));
    free(text);
    mk_cassette *c = NULL;
    assert_int_equal(mk_cassette_load(out, &c, NULL), MK_CASSETTE_OK);
    const mk_request *req = &c->interactions[0].request;
    assert_string_equal(req->query[0].name, "api_key");
    assert_string_equal(req->query[0].value, "<REDACTED:api_key>");
    assert_string_equal(req->query[1].value, "1");
    assert_string_equal(mk_headers_get(&req->headers, "x-custom-token"),
                        "<REDACTED:x-custom-token>");
    assert_string_equal(mk_headers_get(&req->headers, "api-key"), "<REDACTED:api-key>");
    assert_string_equal(mk_headers_get(&req->headers, "x-trace"), "<REDACTED:pattern>");
    assert_non_null(strstr((const char *)c->interactions[0].response.body.bytes.data,
                           "api_key=<REDACTED:pattern>"));
    mk_cassette_free(c);

    mk_mock *m = replay(out);
    assert_int_equal(call(mk_mock_url(m), "GET", "/v1/list?api_key=other&page=1&token=x", NULL,
                          NULL, NULL, 0),
                     200);
    /* the parameters that are not secret still decide */
    assert_int_equal(call(mk_mock_url(m), "GET", "/v1/list?api_key=other&page=2&token=x", NULL,
                          NULL, NULL, 0),
                     404);
    mk_mock_free(m);
}

/* A secret the redaction did not catch: the target is not written, the
 * session is kept in <target>.rejected.json, owner-only, with every
 * finding listed. */
static void test_refused_session_kept_as_rejected(void **state)
{
    (void)state;
    char out[512], rejected[600];
    tmp_path(out, sizeof out, "leaky.json");
    snprintf(rejected, sizeof rejected, "%.*s.rejected.json", (int)(strlen(out) - 5), out);
    unlink(rejected);
    mk_record *r = start(out, MK_RECORD_MODE_ALL, NULL, 0);
    assert_int_equal(call(mk_record_url(r), "GET", "/v1/leak", NULL, NULL, NULL, 0), 200);
    assert_int_equal(call(mk_record_url(r), "GET", "/v1/items/3", NULL, NULL, NULL, 0), 200);
    mk_diag d;
    assert_int_equal(mk_record_stop(r, &d), MK_RECORD_ECASSETTE);
    assert_non_null(strstr(d.message, rejected));
    assert_string_equal(mk_record_rejected_path(r), rejected);
    mk_record_free(r);
    assert_false(file_exists(out));

    struct stat st;
    assert_int_equal(stat(rejected, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char *text = slurp(rejected);
    cJSON *root = cJSON_Parse(text);
    free(text);
    assert_non_null(root);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "interactions")), 2);
    cJSON *findings = cJSON_GetObjectItem(root, "rejected_findings");
    assert_true(cJSON_GetArraySize(findings) >= 1);
    int names_leak = 0;
    cJSON *f;
    cJSON_ArrayForEach(f, findings)
    {
        const char *p = cJSON_GetObjectItem(f, "pointer")->valuestring;
        names_leak |= strncmp(p, "/interactions/0/response", 24) == 0;
    }
    assert_true(names_leak);
    cJSON_Delete(root);
    unlink(rejected);
}

/* --out in a folder that does not exist is refused before anything runs;
 * so is a pattern that does not compile. */
static void test_bad_out_folder_and_pattern_refused_at_start(void **state)
{
    (void)state;
    mk_record_options o;
    mk_record_options_init(&o);
    o.upstream = up.url;
    o.out = "/tmp/mockkit-no-such-folder-4711/x.json";
    o.mode = MK_RECORD_MODE_ALL;
    o.quiet = 1;
    mk_record *r = NULL;
    mk_diag d;
    assert_int_equal(mk_record_new(&o, &r, &d), MK_RECORD_EINVAL);
    assert_null(r);
    assert_non_null(strstr(d.message, "folder /tmp/mockkit-no-such-folder-4711"));

    char out[512];
    tmp_path(out, sizeof out, "pattern.json");
    const char *const bad[] = {"(["};
    o.out = out;
    o.redact_patterns = bad;
    o.redact_pattern_count = 1;
    assert_int_equal(mk_record_new(&o, &r, &d), MK_RECORD_EINVAL);
    assert_non_null(strstr(d.message, "--redact-pattern '(['"));

    /* a listen port another server holds */
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", up.port);
    o.redact_pattern_count = 0;
    o.listen = listen;
    assert_int_equal(mk_record_new(&o, &r, &d), MK_RECORD_EBIND);
    assert_non_null(strstr(d.message, "address already in use"));
}

typedef struct held {
    const char *url;
    reply rp;
} held;

static void *hold_stream(void *arg)
{
    held *h = arg;
    client_request(&up, "GET", h->url, NULL, NULL, &h->rp);
    return NULL;
}

/* Stopping the recorder while a stream is open keeps what arrived, and
 * does not mark the stream as cut by the upstream. */
static void test_stop_during_stream_keeps_chunks_without_close(void **state)
{
    (void)state;
    char out[512], url[512];
    tmp_path(out, sizeof out, "stopped.json");
    pthread_mutex_lock(&up.mu);
    up.client_bytes = 0;
    up.triggered = 0;
    pthread_mutex_unlock(&up.mu);
    mk_record *r = start(out, MK_RECORD_MODE_ALL, NULL, 0);
    snprintf(url, sizeof url, "%s/v1/sse/hold", mk_record_url(r));
    held h = {.url = url};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, hold_stream, &h), 0);
    /* bounded wait for the first event to reach the client */
    size_t want = strlen(up_sse_pieces[0]), got = 0;
    for (int i = 0; i < 500 && got < want; i++) {
        struct timespec step = {0, 10 * 1000 * 1000};
        nanosleep(&step, NULL);
        pthread_mutex_lock(&up.mu);
        got = up.client_bytes;
        pthread_mutex_unlock(&up.mu);
    }
    assert_true(got >= want);
    finish(r);  /* Ctrl-C */
    pthread_join(t, NULL);
    reply_free(&h.rp);
    /* let the upstream's held handler end */
    char trig[128];
    snprintf(trig, sizeof trig, "%s/v1/trigger", up.url);
    reply tr;
    client_request(NULL, "POST", trig, NULL, "", &tr);
    reply_free(&tr);

    mk_cassette *c = NULL;
    assert_int_equal(mk_cassette_load(out, &c, NULL), MK_CASSETTE_OK);
    assert_int_equal(c->count, 1);
    const mk_response *resp = &c->interactions[0].response;
    assert_true(resp->streamed);
    assert_int_equal(resp->chunk_count, 1);
    assert_false(resp->close);
    mk_cassette_free(c);
}

/* A pretty-printed JSON body keeps every byte but the redacted values:
 * layout, key order and "1.50" (cJSON would print 1.5). */
static void test_redaction_keeps_json_bytes(void **state)
{
    (void)state;
    char out[512];
    tmp_path(out, sizeof out, "pretty.json");
    mk_record *r = start(out, MK_RECORD_MODE_ALL, NULL, 0);
    assert_int_equal(call(mk_record_url(r), "GET", "/v1/pretty", NULL, NULL, NULL, 0), 200);
    finish(r);
    char want[512];
    snprintf(want, sizeof want,
             "{\n    \"user\": \"bob\",\n    \"password\": \"<REDACTED:password>\",\n"
             "    \"ratio\": 1.50,\n    \"nested\": { \"token\" : \"<REDACTED:token>\" }\n}");
    mk_cassette *c = NULL;
    assert_int_equal(mk_cassette_load(out, &c, NULL), MK_CASSETTE_OK);
    const mk_body *b = &c->interactions[0].response.body;
    assert_int_equal(b->bytes.len, strlen(want));
    assert_memory_equal(b->bytes.data, want, strlen(want));
    mk_cassette_free(c);

    char body[512];
    mk_mock *m = replay(out);
    call(mk_mock_url(m), "GET", "/v1/pretty", NULL, NULL, body, sizeof body);
    assert_string_equal(body, want);
    mk_mock_free(m);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_authorised_and_unauthorised_replay_apart),
        cmocka_unit_test(test_content_type_variants_replay_apart),
        cmocka_unit_test(test_new_mode_records_new_query_variant),
        cmocka_unit_test(test_query_header_and_pattern_redaction),
        cmocka_unit_test(test_refused_session_kept_as_rejected),
        cmocka_unit_test(test_bad_out_folder_and_pattern_refused_at_start),
        cmocka_unit_test(test_stop_during_stream_keeps_chunks_without_close),
        cmocka_unit_test(test_redaction_keeps_json_bytes),
    };
    return SUITE_RUN(argc, argv, tests, group_setup, group_teardown);
}
