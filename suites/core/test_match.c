/* test_match.c: which recorded interaction answers a request: templates,
 * query subset/exact, named headers, JSON partial/equal, specificity,
 * sequences, reset, unmatched reports and the journal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core_util.h"
#include "suite.h"

static mk_mock *g_mock;

static int group_setup(void **state)
{
    const char *paths[] = {CORE_CASSETTES "/matching.json"};
    (void)state;
    g_mock = cu_mock(NULL, paths, 1, 0.0, NULL);
    return g_mock ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    mk_mock_free(g_mock);
    return 0;
}

static int reset(void **state)
{
    (void)state;
    mk_mock_reset(g_mock);
    return 0;
}

/* Request and return the "which" field of the JSON answer ("" if none). */
static char *which(const char *method, const char *path, const char *const *headers,
                   const char *body, long *status)
{
    char url[600];
    cu_resp r;
    cJSON *j;
    char *out;
    snprintf(url, sizeof(url), "%s%s", mk_mock_url(g_mock), path);
    assert_int_equal(cu_request(method, url, headers, body, &r), 0);
    *status = r.status;
    j = cJSON_Parse(r.body);
    out = strdup(r.status == 404 ? "" : cJSON_IsString(cJSON_GetObjectItem(j, "which"))
                     ? cJSON_GetObjectItem(j, "which")->valuestring
                     : (cJSON_IsString(cJSON_GetObjectItem(j, "status"))
                            ? cJSON_GetObjectItem(j, "status")->valuestring
                            : r.body));
    cJSON_Delete(j);
    cu_resp_free(&r);
    return out;
}

#define ASSERT_WHICH(expect_status, expect, method, path, headers, body)       \
    do {                                                                     \
        long st_;                                                            \
        char *w_ = which(method, path, headers, body, &st_);                 \
        assert_int_equal(st_, expect_status);                                \
        assert_string_equal(w_, expect);                                     \
        free(w_);                                                            \
    } while (0)

static void template_path_matches_any_segment(void **state)
{
    (void)state;
    ASSERT_WHICH(200, "template", "GET", "/v1/threads/thread_other", NULL, NULL);
    ASSERT_WHICH(200, "template", "GET", "/v1/threads/t2", NULL, NULL);
    /* one segment only */
    ASSERT_WHICH(404, "", "GET", "/v1/threads/a/b", NULL, NULL);
}

static void query_subset_allows_extra_params(void **state)
{
    (void)state;
    ASSERT_WHICH(200, "subset", "GET", "/v1/items?limit=20&order=desc", NULL, NULL);
    ASSERT_WHICH(404, "", "GET", "/v1/items?limit=10", NULL, NULL);
    ASSERT_WHICH(404, "", "GET", "/v1/items", NULL, NULL);
}

static void query_exact_refuses_extra_params(void **state)
{
    (void)state;
    ASSERT_WHICH(200, "exact", "GET", "/v1/exact?ids%5B%5D=a&limit=20&ids[]=b", NULL, NULL);
    ASSERT_WHICH(404, "", "GET", "/v1/exact?limit=20&ids[]=a&ids[]=b&after=x", NULL, NULL);
    ASSERT_WHICH(404, "", "GET", "/v1/exact?limit=20&ids[]=a", NULL, NULL);
}

static void named_headers_compared_others_ignored(void **state)
{
    const char *t1[] = {"X-Tenant: t1", "User-Agent: OpenAI/Python 1.2", "X-Stainless-Lang: python",
                        NULL};
    const char *t2[] = {"x-tenant: t2", NULL};
    (void)state;
    ASSERT_WHICH(200, "tenant-t1", "GET", "/v1/hdr", t1, NULL);
    ASSERT_WHICH(404, "", "GET", "/v1/hdr", t2, NULL);
    ASSERT_WHICH(404, "", "GET", "/v1/hdr", NULL, NULL);
}

static void json_partial_vs_equal(void **state)
{
    const char *json[] = {"Content-Type: application/json", NULL};
    (void)state;
    ASSERT_WHICH(200, "partial", "POST", "/v1/partial", json,
                 "{\"opts\":{\"top_p\":1,\"temp\":0.5},\"model\":\"m1\",\"extra\":true}");
    ASSERT_WHICH(404, "", "POST", "/v1/partial", json, "{\"model\":\"m1\",\"opts\":{\"temp\":0.7}}");
    /* equal ignores key order but not extra keys */
    ASSERT_WHICH(200, "equal", "POST", "/v1/equal", json, "{\"n\":[1,2],\"model\":\"m1\"}");
    ASSERT_WHICH(404, "", "POST", "/v1/equal", json, "{\"n\":[1,2],\"model\":\"m1\",\"x\":0}");
    ASSERT_WHICH(404, "", "POST", "/v1/equal", json, "{\"n\":[2,1],\"model\":\"m1\"}");
    /* match.json replaces the recorded body: the recorded seed is not required */
    ASSERT_WHICH(200, "override", "POST", "/v1/override", json, "{\"model\":\"m1\",\"seed\":7}");
}

static void non_json_body_equal_by_bytes(void **state)
{
    long st;
    char *w;
    (void)state;
    w = which("PUT", "/v1/raw", NULL, "exact bytes", &st);
    assert_int_equal(st, 204);
    free(w);
    ASSERT_WHICH(404, "", "PUT", "/v1/raw", NULL, "exact bytes!");
}

static void most_specific_wins(void **state)
{
    char url[600];
    cu_resp r;
    (void)state;
    /* both pass for stream:true; the stream one matched one more JSON leaf */
    snprintf(url, sizeof(url), "%s/v1/chat", mk_mock_url(g_mock));
    assert_int_equal(cu_request("POST", url, NULL, "{\"model\":\"m1\",\"stream\":true}", &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "data: streamed\n\n");
    cu_resp_free(&r);
    ASSERT_WHICH(200, "plain", "POST", "/v1/chat", NULL, "{\"model\":\"m1\"}");
    ASSERT_WHICH(200, "plain", "POST", "/v1/chat", NULL, "{\"model\":\"m1\",\"stream\":false}");
}

static void sequence_advances_then_repeats_last(void **state)
{
    (void)state;
    ASSERT_WHICH(200, "queued", "GET", "/v1/runs/run_1", NULL, NULL);
    ASSERT_WHICH(200, "in_progress", "GET", "/v1/runs/run_1", NULL, NULL);
    ASSERT_WHICH(200, "completed", "GET", "/v1/runs/run_1", NULL, NULL);
    ASSERT_WHICH(200, "completed", "GET", "/v1/runs/run_1", NULL, NULL);
}

static void reset_starts_sequences_over(void **state)
{
    char url[600];
    cu_resp r;
    (void)state;
    ASSERT_WHICH(200, "queued", "GET", "/v1/runs/run_1", NULL, NULL);
    ASSERT_WHICH(200, "in_progress", "GET", "/v1/runs/run_1", NULL, NULL);
    /* over HTTP, as a suite running against `mockkit serve` would */
    snprintf(url, sizeof(url), "%s/__mockkit/reset", mk_mock_url(g_mock));
    assert_int_equal(cu_request("POST", url, NULL, "", &r), 0);
    assert_int_equal(r.status, 200);
    cu_resp_free(&r);
    ASSERT_WHICH(200, "queued", "GET", "/v1/runs/run_1", NULL, NULL);
}

static void head_answered_from_get(void **state)
{
    char url[600], buf[64];
    cu_resp r;
    (void)state;
    snprintf(url, sizeof(url), "%s/v1/threads/t9", mk_mock_url(g_mock));
    assert_int_equal(cu_request("HEAD", url, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.blen, 0);
    assert_non_null(cu_header(&r, "Content-Length", buf, sizeof(buf)));
    assert_true(atoi(buf) > 0);
    cu_resp_free(&r);
}

/* A HEAD answered from a GET sequence only peeks: the next GET still gets
 * the first state. */
static void head_does_not_advance_a_get_sequence(void **state)
{
    char url[600];
    cu_resp r;
    (void)state;
    snprintf(url, sizeof(url), "%s/v1/runs/run_1", mk_mock_url(g_mock));
    assert_int_equal(cu_request("HEAD", url, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    cu_resp_free(&r);
    ASSERT_WHICH(200, "queued", "GET", "/v1/runs/run_1", NULL, NULL);
    ASSERT_WHICH(200, "in_progress", "GET", "/v1/runs/run_1", NULL, NULL);
}

static void unmatched_names_failing_matcher(void **state)
{
    char url[600], buf[64];
    cu_resp r;
    cJSON *j, *near;
    mk_journal_entry e[8];
    size_t n;
    (void)state;
    snprintf(url, sizeof(url), "%s/v1/items?limit=10", mk_mock_url(g_mock));
    assert_int_equal(cu_request("GET", url, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 404);
    assert_string_equal(cu_header(&r, "X-Mockkit-Unmatched", buf, sizeof(buf)), "1");
    j = cJSON_Parse(r.body);
    assert_non_null(j);
    assert_string_equal(cJSON_GetObjectItem(j, "error")->valuestring, "no recorded interaction");
    near = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "mockkit"), "nearest");
    assert_non_null(near);
    assert_string_equal(cJSON_GetObjectItem(near, "interaction")->valuestring, "list-subset");
    assert_string_equal(cJSON_GetObjectItem(near, "failed")->valuestring,
                        "query: limit: expected \"20\", got \"10\"");
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(j, "mockkit"), "unmatched")->valuestring,
        "GET /v1/items?limit=10");
    cJSON_Delete(j);
    cu_resp_free(&r);

    /* a JSON body: the pointer names the missing member */
    snprintf(url, sizeof(url), "%s/v1/partial", mk_mock_url(g_mock));
    assert_int_equal(cu_request("POST", url, NULL, "{\"model\":\"m1\"}", &r), 0);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "body: /opts: expected {\\\"temp\\\":0.5}, got absent"));
    cu_resp_free(&r);

    /* the journal holds both, oldest first, with the report */
    n = mk_mock_journal(g_mock, e, 8);
    assert_int_equal(n, 2);
    assert_int_equal(e[0].seq, 1);
    assert_int_equal(e[0].matched, 0);
    assert_int_equal(e[0].status, 404);
    assert_string_equal(e[0].path, "/v1/items?limit=10");
    assert_string_equal(e[0].interaction, "list-subset");
    assert_string_equal(e[0].near_miss, "query: limit: expected \"20\", got \"10\"");
    assert_string_equal(e[1].near_miss, "body: /opts: expected {\"temp\":0.5}, got absent");
}

static void journal_over_http(void **state)
{
    char url[600];
    cu_resp r;
    cJSON *j, *last;
    long st;
    char *w;
    (void)state;
    w = which("GET", "/v1/threads/abc", NULL, NULL, &st);
    free(w);
    snprintf(url, sizeof(url), "%s/__mockkit/requests", mk_mock_url(g_mock));
    assert_int_equal(cu_request("GET", url, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    j = cJSON_Parse(r.body);
    assert_true(cJSON_IsArray(j));
    assert_int_equal(cJSON_GetArraySize(j), 1);
    last = cJSON_GetArrayItem(j, 0);
    assert_string_equal(cJSON_GetObjectItem(last, "path")->valuestring, "/v1/threads/abc");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(last, "matched")));
    assert_string_equal(cJSON_GetObjectItem(last, "interaction")->valuestring, "get-thread");
    assert_int_equal(cJSON_GetObjectItem(last, "status")->valueint, 200);
    cJSON_Delete(j);
    cu_resp_free(&r);
}

static void journal_is_bounded(void **state)
{
    const char *paths[] = {CORE_CASSETTES "/matching.json"};
    mk_mock_options o;
    mk_mock *m;
    mk_journal_entry e[8];
    char url[600];
    cu_resp r;
    (void)state;
    mk_mock_options_init(&o);
    o.journal_size = 3;
    o.quiet = 1;
    o.disable_admin = 1;
    assert_int_equal(mk_mock_new(&o, paths, 1, &m, NULL), MK_MOCK_OK);
    for (int i = 0; i < 5; i++) {
        snprintf(url, sizeof(url), "%s/v1/threads/t%d", mk_mock_url(m), i);
        assert_int_equal(cu_request("GET", url, NULL, NULL, &r), 0);
        cu_resp_free(&r);
    }
    assert_int_equal(mk_mock_journal(m, e, 8), 3);
    assert_int_equal(e[0].seq, 3);
    assert_string_equal(e[2].path, "/v1/threads/t4");
    /* admin off: the path is just another unmatched request */
    snprintf(url, sizeof(url), "%s/__mockkit/requests", mk_mock_url(m));
    assert_int_equal(cu_request("GET", url, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 404);
    cu_resp_free(&r);
    mk_mock_free(m);
}

/* The placeholder rule (mk_cassette_is_placeholder) as the matcher reads it:
 * <REDACTED> and <REDACTED:name> stand for any value, in JSON and in text;
 * <REDACTED:> is no placeholder (the secret scan refuses it too), so only
 * those very bytes match it. */
static void placeholders_match_any_value_empty_name_does_not(void **state)
{
    const char *paths[] = {CORE_CASSETTES "/placeholders.json"};
    const char *json[] = {"Content-Type: application/json", NULL};
    const char *form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    mk_mock *saved = g_mock;
    (void)state;
    g_mock = cu_mock(NULL, paths, 1, 0.0, NULL);
    assert_non_null(g_mock);
    ASSERT_WHICH(200, "named", "POST", "/v1/named", json, "{\"user\":\"bob\",\"password\":\"hunter2\"}");
    ASSERT_WHICH(404, "", "POST", "/v1/named", json, "{\"user\":\"bob\"}");
    ASSERT_WHICH(404, "", "POST", "/v1/empty", json, "{\"user\":\"bob\",\"password\":\"hunter2\"}");
    ASSERT_WHICH(200, "empty-name", "POST", "/v1/empty", json,
                 "{\"user\":\"bob\",\"password\":\"<REDACTED:>\"}");
    ASSERT_WHICH(200, "form", "POST", "/v1/form", form, "user=bob&password=hunter2");
    ASSERT_WHICH(404, "", "POST", "/v1/form-empty", form, "user=bob&password=hunter2");
    ASSERT_WHICH(200, "form-empty-name", "POST", "/v1/form-empty", form, "user=bob&password=<REDACTED:>");
    mk_mock_free(g_mock);
    g_mock = saved;
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(template_path_matches_any_segment, reset),
        cmocka_unit_test_setup(query_subset_allows_extra_params, reset),
        cmocka_unit_test_setup(query_exact_refuses_extra_params, reset),
        cmocka_unit_test_setup(named_headers_compared_others_ignored, reset),
        cmocka_unit_test_setup(json_partial_vs_equal, reset),
        cmocka_unit_test_setup(non_json_body_equal_by_bytes, reset),
        cmocka_unit_test_setup(most_specific_wins, reset),
        cmocka_unit_test_setup(sequence_advances_then_repeats_last, reset),
        cmocka_unit_test_setup(reset_starts_sequences_over, reset),
        cmocka_unit_test_setup(head_answered_from_get, reset),
        cmocka_unit_test_setup(head_does_not_advance_a_get_sequence, reset),
        cmocka_unit_test_setup(unmatched_names_failing_matcher, reset),
        cmocka_unit_test_setup(journal_over_http, reset),
        cmocka_unit_test(journal_is_bounded),
        cmocka_unit_test(placeholders_match_any_value_empty_name_does_not),
    };
    return SUITE_RUN(argc, argv, tests, group_setup, group_teardown);
}
