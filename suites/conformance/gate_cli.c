/* suite-conformance-gate: the gate as CI runs it, on a small source tree of
 * its own: exit 1 naming an unbound SSE event; exit 0 once that interaction
 * is listed in not-modelled.txt with a reason, which is then printed as not
 * checked; a payload that breaks its type still fails when listed; and
 * --emit writes one verdict per validated payload. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "suite.h"

#define GATE MOCKKIT_BINARY_DIR "/bin/conformance-gate"

static char dir[256];

/* A macro, not a variable: a literal format is checked against its argument
 * at every optimisation level (-Wformat-nonliteral). */
#define CASSETTE_FMT \
    "{\"mockkit_cassette\": 1,\n" \
    " \"meta\": {\"service\": \"cairos\", \"name\": \"e\", \"created\": \"2026-01-31\",\n" \
    "   \"source\": {\"kind\": \"synthesized\", \"refs\": [\"CairosAI/cairos-python-client@5ebd629 x\"]}},\n" \
    " \"interactions\": [\n" \
    "  {\"id\": \"events\", \"at_ms\": 0, \"request\": {\"method\": \"GET\", \"path\": \"/api/event_log\"},\n" \
    "   \"response\": {\"status\": 200, \"headers\": {\"content-type\": \"text/event-stream\"},\n" \
    "    \"chunks\": [{\"at_ms\": 1, \"text\": \"event: usage_report\\ndata: 96\\n\\n\"},\n" \
    "     {\"at_ms\": 2, \"text\": \"event: surprise\\ndata: hello\\n\\n\"},\n" \
    "     {\"at_ms\": 3, \"text\": \"event: export_success\\ndata: %s\\n\\n\"}]}}\n" \
    " ]}\n"

static const char *const export_ok =
    "{\\\"job_thread\\\": \\\"t\\\", \\\"job_trigger\\\": \\\"243bafdd-d97d-4a61-9d84-603645e7505f\\\", "
    "\\\"user_id\\\": \\\"u\\\", \\\"created_at\\\": \\\"2026-11-23T02:15:27+00:00\\\", \\\"filepath\\\": \\\"/x.zip\\\"}";
static const char *const export_bad = "{\\\"job_thread\\\": \\\"t\\\"}";

static void write_file(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void write_cassette(const char *export_data)
{
    char text[4096];
    snprintf(text, sizeof(text), CASSETTE_FMT, export_data);
    write_file("fixtures/cairos/events.json", text);
}

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/mk-conform-gate-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "mkdir -p '%s/models' '%s/fixtures/cairos' '%s/suites/conformance' && "
             "cp '%s/models/cairos.json' '%s/models/'",
             dir, dir, dir, MOCKKIT_SOURCE_DIR, dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int gate(const char *extra, char *out, size_t size)
{
    char cmd[1400];
    snprintf(cmd, sizeof(cmd), "'%s' '%s' --service cairos %s 2>&1", GATE, dir, extra);
    int st = suite_child_shell(cmd, 60000, out, size);
    assert_true(st >= 0 && st < 128);  /* it exited, and in time */
    return st;
}

static void test_unbound_event_fails_until_listed(void **state)
{
    (void)state;
    char out[16384];
    write_cassette(export_ok);
    char list[600];
    snprintf(list, sizeof(list), "%s/suites/conformance/not-modelled.txt", dir);
    remove(list);
    assert_int_equal(gate("", out, sizeof(out)), 1);
    assert_non_null(strstr(out, "(interaction \"events\") /interactions/0/response/chunks: "
                                "SSE event 1 \"surprise\""));
    assert_non_null(strstr(out, "binds no SSE event \"surprise\" of GET /api/event_log"));
    /* usage_report is bound to null: said, not failed */
    assert_non_null(strstr(out, "not checked: cairos sse GET /api/event_log event usage_report"));
    assert_non_null(strstr(out, "cairos        1       0       1       1  FAIL"));

    write_file("suites/conformance/not-modelled.txt",
               "# comment\ncairos/events.json events: a server event outside the client's enum\n");
    assert_int_equal(gate("", out, sizeof(out)), 0);
    assert_non_null(strstr(out, "not checked: cairos sse GET /api/event_log event surprise"));
    assert_non_null(strstr(out, "(listed: a server event outside the client's enum)"));
    assert_non_null(strstr(out, "PASS"));
}

static void test_listed_interaction_still_checks_bound_payloads(void **state)
{
    (void)state;
    char out[16384];
    write_cassette(export_bad);
    write_file("suites/conformance/not-modelled.txt",
               "cairos/events.json events: a server event outside the client's enum\n");
    assert_int_equal(gate("", out, sizeof(out)), 1);
    assert_non_null(strstr(out, "SSE event 2 \"export_success\""));
    assert_non_null(strstr(out, "missing required property \"job_trigger\" [required; Export"));
}

static void test_emit_writes_verdicts(void **state)
{
    (void)state;
    char out[16384], path[600];
    write_cassette(export_bad);
    snprintf(path, sizeof(path), "%s/verdicts.jsonl", dir);
    char extra[700];
    snprintf(extra, sizeof(extra), "--emit '%s'", path);
    gate(extra, out, sizeof(out));
    size_t len = 0;
    char *text = suite_read_file(path, &len);
    assert_non_null(text);
    cJSON *rec = cJSON_Parse(text);
    assert_non_null(rec);
    assert_string_equal(cJSON_GetObjectItem(rec, "type")->valuestring, "#/$defs/Export");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(rec, "valid")));
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "value"), "job_thread")->valuestring, "t");
    cJSON_Delete(rec);
    free(text);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unbound_event_fails_until_listed),
        cmocka_unit_test(test_listed_interaction_still_checks_bound_payloads),
        cmocka_unit_test(test_emit_writes_verdicts),
    };
    return SUITE_RUN(argc, argv, tests, setup, teardown);
}
