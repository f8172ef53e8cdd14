/* suite-conformance-live: `mockkit check --target live --conform` reports a
 * live response that breaks the models and fails the suite that got it.
 * The "live service" is an embedded mock serving a cassette whose chat
 * completion has no "choices"; the suite is a small script that calls it
 * with curl and reports a cmocka pass, so only the conformance check can
 * fail it. The same run against a conforming cassette passes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mockkit/mock.h"
#include "mockkit/service.h"
#include "child.h"
#include "suite.h"

#define MOCKKIT SUITE_MOCKKIT

static char dir[256];

static const char *const broken =
    "{\"mockkit_cassette\": 1,\n"
    " \"meta\": {\"service\": \"openai\", \"name\": \"b\", \"created\": \"2026-01-31\",\n"
    "   \"source\": {\"kind\": \"recorded\", \"url\": \"https://api.openai.com/v1\"}},\n"
    " \"interactions\": [\n"
    "  {\"id\": \"chat\", \"at_ms\": 0, \"request\": {\"method\": \"POST\", \"path\": \"/v1/chat/completions\",\n"
    "    \"json\": {\"model\": \"gpt-4\"}},\n"
    "   \"response\": {\"status\": 200, \"headers\": {\"content-type\": \"application/json\"},\n"
    "    \"json\": {\"id\": \"c\", \"object\": \"chat.completion\", \"created\": 1, \"model\": \"gpt-4\"}}}\n"
    " ]}\n";

/* A cmocka-looking suite: one call through $OPENAI_BASE_URL, one pass. It
 * announces its live target as the real suites do (suites/common/suite.c),
 * or check would count its pass as a fixture-only skip. */
static const char *const probe =
    "#!/bin/sh\n"
    "echo \"[suite] openai: live target $OPENAI_BASE_URL\"\n"
    "curl -s -o /dev/null -H 'Authorization: Bearer sk-proj-testkey' \\\n"
    "  -H 'content-type: application/json' \\\n"
    "  -d '{\"model\":\"gpt-4\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello, how are you?\"}]}' \\\n"
    "  \"$OPENAI_BASE_URL/chat/completions\"\n"
    "echo '[ RUN      ] probe'\n"
    "echo '[       OK ] probe'\n";

/* A "Bee" that takes a run body the model refuses (no assistant_id) with
 * 200, and answers an unknown route in FastAPI's words instead of bee-api's
 * not-found envelope (src/errors/plugin.ts). Both break models/bee.json. */
static const char *const lenient_bee =
    "{\"mockkit_cassette\": 1,\n"
    " \"meta\": {\"service\": \"bee\", \"name\": \"lenient\", \"created\": \"2026-01-31\",\n"
    "   \"source\": {\"kind\": \"recorded\", \"url\": \"http://localhost:4000\"}},\n"
    " \"interactions\": [\n"
    "  {\"id\": \"run\", \"at_ms\": 0, \"request\": {\"method\": \"POST\",\n"
    "    \"path\": \"/v1/threads/thread_1/runs\", \"json\": {\"stream\": false}},\n"
    "   \"response\": {\"status\": 200, \"headers\": {\"content-type\": \"application/json\"},\n"
    "    \"json\": {\"ok\": true}}},\n"
    "  {\"id\": \"nowhere\", \"at_ms\": 0, \"request\": {\"method\": \"GET\", \"path\": \"/v1/no_such_route\"},\n"
    "   \"response\": {\"status\": 404, \"headers\": {\"content-type\": \"application/json\"},\n"
    "    \"json\": {\"detail\": \"Not Found\"}}}\n"
    " ]}\n";

static const char *const bee_probe =
    "#!/bin/sh\n"
    "echo \"[suite] bee: live target $BEE_API/v1\"\n"
    "curl -s -o /dev/null -H 'content-type: application/json' -d '{\"stream\":false}' \\\n"
    "  \"$BEE_API/v1/threads/thread_1/runs\"\n"
    "curl -s -o /dev/null \"$BEE_API/v1/no_such_route\"\n"
    "echo '[ RUN      ] probe'\n"
    "echo '[       OK ] probe'\n";

static void write_file(const char *rel, const char *text, int mode)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, (mode_t)mode), 0);
}

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/mk-conform-live-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    char cmd[2400];
    snprintf(cmd, sizeof(cmd),
             "mkdir -p '%s/broken' '%s/good' '%s/suites' '%s/bee' '%s/bee-suites' && "
             "cp '%s/openai/chat-hello.json' '%s/good/'",
             dir, dir, dir, dir, dir, MOCKKIT_FIXTURES_DIR, dir);
    if (system(cmd) != 0)
        return -1;
    write_file("broken/chat.json", broken, 0644);
    write_file("suites/suite-openai-probe", probe, 0755);
    write_file("bee/lenient.json", lenient_bee, 0644);
    write_file("bee-suites/suite-bee-probe", bee_probe, 0755);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Serves dir/<folder> as the live OpenAI and runs check against it. */
static int check_live(const char *folder, char *out, size_t size)
{
    char fixtures[600];
    snprintf(fixtures, sizeof(fixtures), "%s/%s", dir, folder);
    const char *paths[] = {fixtures};
    mk_mock_options o;
    mk_mock_options_init(&o);
    o.service = "openai";
    o.speed = 0;
    mk_mock *m = NULL;
    mk_diag d;
    assert_int_equal(mk_mock_new(&o, paths, 1, &m, &d), MK_MOCK_OK);
    /* only OpenAI is live: every other row's URL variable unset */
    char unset[400] = "";
    for (int i = 0; i < MK_SERVICE_COUNT; i++) {
        size_t n = strlen(unset);
        if (i != MK_SERVICE_OPENAI)
            snprintf(unset + n, sizeof(unset) - n, "-u %s ", mk_service_table[i].url_var);
    }
    char cmd[2400];
    snprintf(cmd, sizeof(cmd),
             "env %sOPENAI_BASE_URL='%s/v1' "
             "OPENAI_API_KEY=sk-proj-testkey '%s' check --target live --conform "
             "--models '%s/models' --suites '%s/suites' openai 2>&1",
             unset, mk_mock_url(m), MOCKKIT, MOCKKIT_SOURCE_DIR, dir);
    int st = suite_child_shell(cmd, 120000, out, size);
    mk_mock_free(m);
    assert_true(st >= 0 && st < 128);  /* it exited, and in time */
    return st;
}

static void test_breaking_live_response_fails(void **state)
{
    (void)state;
    char out[16384];
    int rc = check_live("broken", out, sizeof(out));
    print_message("%s", out);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "openai live POST /v1/chat/completions (/interactions/0/response): "
                                "(root): missing required property \"choices\" "
                                "[required; CreateChatCompletionResponse"));
    assert_non_null(strstr(out, "failed: conformance to models (docs/models.md): "
                                "1 live payload breaks models/openai.json"));
    assert_non_null(strstr(out, "1 break it"));
}

static void test_conforming_live_responses_pass(void **state)
{
    (void)state;
    char out[16384];
    int rc = check_live("good", out, sizeof(out));
    print_message("%s", out);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "conform to models/openai.json, 0 break it"));
}

/* Off-model requests are excused only when the service refused them (4xx),
 * and an unknown route's answer is held to the not-found envelope. */
static void test_lenient_bee_fails(void **state)
{
    (void)state;
    char fixtures[600], out[16384], cmd[2400];
    snprintf(fixtures, sizeof(fixtures), "%s/bee", dir);
    const char *paths[] = {fixtures};
    mk_mock_options o;
    mk_mock_options_init(&o);
    o.service = "generic"; /* replays as recorded: no Bee routing or validation */
    o.speed = 0;
    o.quiet = 1;
    mk_mock *m = NULL;
    mk_diag d;
    assert_int_equal(mk_mock_new(&o, paths, 1, &m, &d), MK_MOCK_OK);
    snprintf(cmd, sizeof(cmd),
             "env -u PIECES_URL -u OPENAI_BASE_URL -u CAIROS_URL BEE_API='%s' "
             "BEE_API_KEY=sk-proj-testkey '%s' check --target live --conform "
             "--models '%s/models' --suites '%s/bee-suites' bee 2>&1",
             mk_mock_url(m), MOCKKIT, MOCKKIT_SOURCE_DIR, dir);
    int rc = suite_child_shell(cmd, 120000, out, sizeof(out));
    mk_mock_free(m);
    print_message("%s", out);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "bee live POST /v1/threads/thread_1/runs (/interactions/0/request): "
                                "(root): missing required property \"assistant_id\""));
    assert_non_null(strstr(out, "bee live GET /v1/no_such_route (/interactions/1/response): "));
    assert_non_null(strstr(out, "[required; ErrorResponse"));
    assert_non_null(strstr(out, "3 break it, 0 off-model requests refused"));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_breaking_live_response_fails),
        cmocka_unit_test(test_conforming_live_responses_pass),
        cmocka_unit_test(test_lenient_bee_fails),
    };
    return SUITE_RUN(argc, argv, tests, setup, teardown);
}
