/* record_diff.c: `mockkit diff` on crafted pairs (cassettes/make.py): each
 * kind of drift is found, volatile values are not, --ignore and the timing
 * threshold work, and the command's exit codes are 0/1/2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mockkit/diff.h"
#include "suite.h"

#define CASSETTES MOCKKIT_SOURCE_DIR "/suites/record/cassettes/"

static mk_diff_result *run(const char *b, const mk_diff_options *o)
{
    mk_diff_result *res = NULL;
    mk_diag d;
    memset(&d, 0, sizeof d);
    int rc = mk_diff_files(CASSETTES "base.json", b, o, &res, &d);
    if (rc != MK_CASSETTE_OK) {
        char msg[1200];
        print_error("diff: %s\n", mk_diag_format(&d, msg, sizeof msg));
    }
    assert_int_equal(rc, MK_CASSETTE_OK);
    for (size_t i = 0; i < res->count; i++) {
        char line[1400];
        print_message("  %s\n", mk_diff_format(&res->items[i], line, sizeof line));
    }
    return res;
}

/* The finding of this kind on this endpoint (and where, if given). */
static const mk_diff_finding *has(const mk_diff_result *r, mk_diff_kind kind,
                                  const char *endpoint, const char *where)
{
    for (size_t i = 0; i < r->count; i++) {
        const mk_diff_finding *f = &r->items[i];
        if (f->kind == kind && strcmp(f->endpoint, endpoint) == 0 &&
            (!where || strcmp(f->where, where) == 0))
            return f;
    }
    return NULL;
}

static size_t count_kind(const mk_diff_result *r, mk_diff_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < r->count; i++)
        n += r->items[i].kind == kind;
    return n;
}

static void test_path_templates(void **state)
{
    (void)state;
    char buf[256];
    assert_string_equal(mk_diff_path_template("/v1/threads/thread_6740a1b2c3d4e5f601234560/runs",
                                              buf, sizeof buf),
                        "/v1/threads/{id}/runs");
    assert_string_equal(mk_diff_path_template("/assets/0f8e2c1a-5b7d-4e3f-9a1b-2c3d4e5f6a7b",
                                              buf, sizeof buf),
                        "/assets/{id}");
    assert_string_equal(mk_diff_path_template("/api/threads/42/messages", buf, sizeof buf),
                        "/api/threads/{id}/messages");
    assert_string_equal(mk_diff_path_template("/v1/chat/completions", buf, sizeof buf),
                        "/v1/chat/completions");
}

static void test_same_is_compatible(void **state)
{
    (void)state;
    mk_diff_result *r = run(CASSETTES "base.json", NULL);
    assert_int_equal(r->count, 0);
    assert_int_equal(r->endpoints_a, 5);
    mk_diff_result_free(r);
}

/* Other ids, timestamps, generated text (and delta count), timing within
 * 50%: nothing to report. */
static void test_volatile_ignored(void **state)
{
    (void)state;
    mk_diff_result *r = run(CASSETTES "volatile.json", NULL);
    assert_int_equal(r->count, 0);
    mk_diff_result_free(r);
}

static void test_endpoints(void **state)
{
    (void)state;
    mk_diff_result *r = run(CASSETTES "drift-endpoint.json", NULL);
    assert_non_null(has(r, MK_DIFF_ENDPOINT_REMOVED, "GET /v1/models", NULL));
    assert_non_null(has(r, MK_DIFF_ENDPOINT_ADDED, "GET /v1/assistants", NULL));
    assert_int_equal(r->count, 2);
    mk_diff_result_free(r);
}

static void test_status(void **state)
{
    (void)state;
    mk_diff_result *r = run(CASSETTES "drift-status.json", NULL);
    const mk_diff_finding *f = has(r, MK_DIFF_STATUS, "GET /v1/files/{id}", NULL);
    assert_non_null(f);
    assert_non_null(strstr(f->message, "404 -> 410"));
    assert_int_equal(count_kind(r, MK_DIFF_STATUS), 1);
    mk_diff_result_free(r);
}

static void test_fields(void **state)
{
    (void)state;
    mk_diff_result *r = run(CASSETTES "drift-fields.json", NULL);
    const char *ep = "GET /v1/threads/{id}";
    assert_non_null(has(r, MK_DIFF_FIELD_REMOVED, ep, "/metadata"));
    assert_non_null(has(r, MK_DIFF_FIELD_ADDED, ep, "/tool_resources"));
    const mk_diff_finding *t = has(r, MK_DIFF_FIELD_TYPE, ep, "/created_at");
    assert_non_null(t);
    assert_non_null(strstr(t->message, "number -> string"));
    const mk_diff_finding *v = has(r, MK_DIFF_VALUE, ep, "/object");
    assert_non_null(v);
    assert_non_null(strstr(v->message, "thread.v2"));
    assert_int_equal(r->count, 4);
    mk_diff_result_free(r);
}

static void test_sse_events(void **state)
{
    (void)state;
    mk_diff_result *r = run(CASSETTES "drift-sse.json", NULL);
    const mk_diff_finding *f = has(r, MK_DIFF_SSE_EVENTS, "POST /v1/threads/{id}/runs", NULL);
    assert_non_null(f);
    assert_non_null(strstr(f->message, "thread.run.created"));
    assert_non_null(strstr(f->message, "thread.run.step.created"));
    mk_diff_result_free(r);
}

static void test_ws_messages(void **state)
{
    (void)state;
    mk_diff_result *r = run(CASSETTES "drift-ws.json", NULL);
    /* {answer,status} still occurs (IN-PROGRESS); the new key set is reported. */
    assert_int_equal(count_kind(r, MK_DIFF_WS_MESSAGES), 1);
    int found = 0;
    for (size_t i = 0; i < r->count; i++)
        found |= strstr(r->items[i].message, "server text {answer,conversation,status}") != NULL;
    assert_true(found);
    mk_diff_result_free(r);
}

static void test_timing(void **state)
{
    (void)state;
    mk_diff_result *r = run(CASSETTES "drift-timing.json", NULL);
    const char *ep = "POST /v1/threads/{id}/runs";
    assert_non_null(has(r, MK_DIFF_TIMING, ep, "first-chunk"));
    assert_non_null(has(r, MK_DIFF_TIMING, ep, "duration"));
    mk_diff_result_free(r);

    mk_diff_options o;
    mk_diff_options_init(&o);
    o.timing_threshold_pct = 2000;
    r = run(CASSETTES "drift-timing.json", &o);
    assert_int_equal(count_kind(r, MK_DIFF_TIMING), 0);
    mk_diff_result_free(r);
}

/* --ignore takes keys and pointers. */
static void test_ignore(void **state)
{
    (void)state;
    const char *ignore[] = {"metadata", "tool_resources", "/created_at", "object"};
    mk_diff_options o;
    mk_diff_options_init(&o);
    o.ignore = ignore;
    o.ignore_count = 4;
    mk_diff_result *r = run(CASSETTES "drift-fields.json", &o);
    assert_int_equal(r->count, 0);
    mk_diff_result_free(r);
}

/* An invalid cassette is an error naming file and pointer, as lint does. */
static void test_invalid(void **state)
{
    (void)state;
    mk_diff_result *res = NULL;
    mk_diag d;
    int rc = mk_diff_files(CASSETTES "base.json", CASSETTES "invalid.json", NULL, &res, &d);
    assert_int_equal(rc, MK_CASSETTE_ESCHEMA);
    assert_null(res);
    assert_non_null(strstr(d.file, "invalid.json"));
    assert_string_equal(d.pointer, "/interactions/4/response/status");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_templates), cmocka_unit_test(test_same_is_compatible),
        cmocka_unit_test(test_volatile_ignored), cmocka_unit_test(test_endpoints),
        cmocka_unit_test(test_status),         cmocka_unit_test(test_fields),
        cmocka_unit_test(test_sse_events),     cmocka_unit_test(test_ws_messages),
        cmocka_unit_test(test_timing),         cmocka_unit_test(test_ignore),
        cmocka_unit_test(test_invalid),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
