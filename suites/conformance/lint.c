/* suite-conformance-lint: `mockkit lint` checks a user's recordings against
 * the service models: --service NAME, or the folder name; every problem names
 * the file, the interaction and the JSON pointer; exit 1 on a payload that
 * breaks the model, 2 for a service without a model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "suite.h"

#define MOCKKIT SUITE_MOCKKIT

static char dir[256];

/* An OpenAI chat completion the SDKs cannot parse: no "choices", and a
 * request with the wrong type for "messages". */
static const char *const broken =
    "{\"mockkit_cassette\": 1,\n"
    " \"meta\": {\"service\": \"openai\", \"name\": \"b\", \"created\": \"2026-01-31\",\n"
    "   \"source\": {\"kind\": \"recorded\", \"url\": \"https://api.openai.com/v1\"}},\n"
    " \"interactions\": [\n"
    "  {\"id\": \"chat\", \"at_ms\": 0, \"request\": {\"method\": \"POST\", \"path\": \"/v1/chat/completions\",\n"
    "    \"json\": {\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}},\n"
    "   \"response\": {\"status\": 200, \"headers\": {\"content-type\": \"application/json\"},\n"
    "    \"json\": {\"id\": \"c\", \"object\": \"chat.completion\", \"created\": 1, \"model\": \"gpt-4o\"}}},\n"
    "  {\"id\": \"stream\", \"at_ms\": 5, \"request\": {\"method\": \"POST\", \"path\": \"/v1/chat/completions\",\n"
    "    \"json\": {\"model\": \"gpt-4o\", \"messages\": \"hi\", \"stream\": true}},\n"
    "   \"response\": {\"status\": 200, \"headers\": {\"content-type\": \"text/event-stream\"},\n"
    "    \"chunks\": [{\"at_ms\": 6, \"text\": \"data: {\\\"id\\\":\\\"c\\\",\\\"object\\\":\\\"chat.completion.chunk\\\","
    "\\\"created\\\":1,\\\"model\\\":\\\"m\\\",\\\"choices\\\":[{\\\"index\\\":\\\"0\\\",\\\"delta\\\":{},\\\"finish_reason\\\":null}]}\\n\\n\"},\n"
    "     {\"at_ms\": 7, \"text\": \"data: [DONE]\\n\\n\"}]}}\n"
    " ]}\n";

static void write_file(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/mk-conform-lint-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "mkdir -p '%s/openai' '%s/mine' && cp '%s/openai/chat-hello.json' '%s/openai/'",
             dir, dir, MOCKKIT_FIXTURES_DIR, dir);
    if (system(cmd) != 0)
        return -1;
    write_file("openai/broken.json", broken);
    write_file("mine/broken.json", broken);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int run(const char *args, char *out, size_t size)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "MOCKKIT_MODELS='%s/models' '%s' %s 2>&1", MOCKKIT_SOURCE_DIR,
             MOCKKIT, args);
    int st = suite_child_shell(cmd, 30000, out, size);
    assert_true(st >= 0 && st < 128);  /* it exited, and in time */
    return st;
}

static void test_service_option_flags_each_payload(void **state)
{
    (void)state;
    char out[16384], args[1200], want[1200];
    snprintf(args, sizeof args, "lint --service openai '%s/mine/broken.json'", dir);
    assert_int_equal(run(args, out, sizeof out), 1);
    snprintf(want, sizeof want,
             "%s/mine/broken.json: /interactions/0/response: interaction \"chat\": (root): "
             "missing required property \"choices\" [required; CreateChatCompletionResponse",
             dir);
    assert_non_null(strstr(out, want));
    snprintf(want, sizeof want,
             "%s/mine/broken.json: /interactions/1/request: interaction \"stream\": /messages: "
             "expected array, found string",
             dir);
    assert_non_null(strstr(out, want));
    /* SSE events are checked one by one; [DONE] is allowed */
    snprintf(want, sizeof want,
             "%s/mine/broken.json: /interactions/1/response/chunks: SSE event 0 \"message\": "
             "interaction \"stream\": /choices/0/index: ",
             dir);
    assert_non_null(strstr(out, want));
    assert_non_null(strstr(out, "expected integer, found string"));
    assert_null(strstr(out, "SSE event 1"));
    assert_non_null(strstr(out, "1 cassette, 3 errors"));
}

/* Without --service: the folder name picks the model; a folder that names
 * no model gets only the cassette checks. */
static void test_folder_name_picks_the_model(void **state)
{
    (void)state;
    char out[16384], args[1200];
    snprintf(args, sizeof args, "lint '%s/openai'", dir);
    assert_int_equal(run(args, out, sizeof out), 1);
    assert_non_null(strstr(out, "2 cassettes, 3 errors"));
    assert_null(strstr(out, "chat-hello.json:"));
    snprintf(args, sizeof args, "lint '%s/mine'", dir);
    assert_int_equal(run(args, out, sizeof out), 0);
    assert_string_equal(out, "1 cassette, 0 errors\n");
    snprintf(args, sizeof args, "lint --service openai '%s/openai/chat-hello.json'", dir);
    assert_int_equal(run(args, out, sizeof out), 0);
}

/* An event no model type covers (a rehearsal of an unknown event) is a
 * warning saying it was not checked, not an error. */
static void test_unbound_event_is_a_warning(void **state)
{
    (void)state;
    char out[16384], args[1200];
    snprintf(args, sizeof args, "lint --service cairos '%s/fixtures/cairos/events-debug.json'",
             MOCKKIT_SOURCE_DIR);
    assert_int_equal(run(args, out, sizeof out), 0);
    assert_non_null(strstr(out, "SSE event 0 \"debug\": warning: not checked: interaction "
                                "\"debug-event-log\""));
    assert_non_null(strstr(out, "1 cassette, 0 errors"));
}

/* --json carries the model's findings too, as problems with the file, the
 * interaction's pointer and the message, counted in "errors". */
static void test_json_lists_model_findings(void **state)
{
    (void)state;
    char out[16384], args[1200], want[1200];
    snprintf(args, sizeof args, "lint --json --service=openai '%s/mine/broken.json'", dir);
    assert_int_equal(run(args, out, sizeof out), 1);
    if (out[0] != '{' || !strstr(out, "\"errors\":3,"))
        print_error("output: %s\n", out);
    assert_int_equal(out[0], '{');
    assert_non_null(strstr(out, "\"cassettes\":1,\"errors\":3,"));
    snprintf(want, sizeof want,
             "{\"file\":\"%s/mine/broken.json\",\"line\":0,\"column\":0,"
             "\"pointer\":\"/interactions/0/response\",\"message\":\"interaction \\\"chat\\\": "
             "(root): missing required property \\\"choices\\\"",
             dir);
    assert_non_null(strstr(out, want));
    assert_null(strstr(out, "cassette, 3 errors")); /* no text summary in JSON mode */
}

static void test_unknown_service_is_a_usage_error(void **state)
{
    (void)state;
    char out[4096], args[1200];
    snprintf(args, sizeof args, "lint --service nosuch '%s/mine'", dir);
    assert_int_equal(run(args, out, sizeof out), 2);
    assert_non_null(strstr(out, "no model for service 'nosuch'"));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_service_option_flags_each_payload),
        cmocka_unit_test(test_folder_name_picks_the_model),
        cmocka_unit_test(test_unbound_event_is_a_warning),
        cmocka_unit_test(test_json_lists_model_findings),
        cmocka_unit_test(test_unknown_service_is_a_usage_error),
    };
    return SUITE_RUN(argc, argv, tests, setup, teardown);
}
