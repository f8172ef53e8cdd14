/* concat_unit.c: the stream concat helper (mk_openai_concat_*) folds the
 * recorded streams of the shipped OpenAI cassettes into the message the
 * official SDKs would build, including tool-call arguments split mid-token.
 * No sockets: chunks come straight from the cassette files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "mockkit/openai.h"
#include "suite.h"

/* The shipped fixtures, not MOCKKIT_FIXTURES: the expected messages below
 * are the ones these exact files fold to. One path at a time (each call
 * below uses it at once). */
static const char *fixture(const char *file)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/openai/%s", suite_shipped_fixtures(), file);
    return path;
}

static cJSON *load(const char *name)
{
    char *text = suite_read_file(name, NULL);
    assert_non_null(text);
    cJSON *j = cJSON_Parse(text);
    free(text);
    assert_non_null(j);
    return j;
}

static cJSON *interaction(cJSON *cassette, const char *id)
{
    cJSON *ix;
    cJSON_ArrayForEach(ix, cJSON_GetObjectItem(cassette, "interactions")) {
        const cJSON *v = cJSON_GetObjectItem(ix, "id");
        if (cJSON_IsString(v) && strcmp(v->valuestring, id) == 0)
            return ix;
    }
    fail_msg("no interaction %s", id);
    return NULL;
}

/* Feed every `data:` event of a recorded stream, as the client would hand
 * them over (the shipped streams put one event per chunk). Stops before
 * [DONE] and before an error event; returns the number of chunks folded. */
static int fold_stream(mk_openai_concat *cc, cJSON *ix)
{
    int n = 0;
    cJSON *chunk;
    cJSON_ArrayForEach(chunk, cJSON_GetObjectItem(cJSON_GetObjectItem(ix, "response"), "chunks")) {
        const char *text = cJSON_GetObjectItem(chunk, "text")->valuestring;
        assert_true(strncmp(text, "data: ", 6) == 0);
        const char *data = text + 6;
        if (strncmp(data, "[DONE]", 6) == 0)
            break;
        cJSON *j = cJSON_Parse(data);
        assert_non_null(j);
        if (cJSON_GetObjectItem(j, "error")) {
            cJSON_Delete(j);
            break;
        }
        assert_int_equal(mk_openai_concat_add_chunk(cc, j), MKC_OK);
        cJSON_Delete(j);
        n++;
    }
    return n;
}

static cJSON *fold_file(const char *file, const char *id, int *chunks)
{
    cJSON *c = load(file);
    mk_openai_concat *cc = mk_openai_concat_new();
    assert_non_null(cc);
    int n = fold_stream(cc, interaction(c, id));
    if (chunks)
        *chunks = n;
    assert_int_equal(mk_openai_concat_count(cc), (size_t)n);
    cJSON *r = mk_openai_concat_result(cc);
    mk_openai_concat_free(cc);
    cJSON_Delete(c);
    assert_non_null(r);
    return r;
}

static void assert_json_equal(const cJSON *got, const char *want_json)
{
    cJSON *want = cJSON_Parse(want_json);
    assert_non_null(want);
    if (!cJSON_Compare(got, want, 1)) {
        char *g = cJSON_PrintUnformatted(got);
        fprintf(stderr, "got:  %s\nwant: %s\n", g, want_json);
        cJSON_free(g);
        cJSON_Delete(want);
        fail_msg("folded value differs");
    }
    cJSON_Delete(want);
}

static const cJSON *choice0(const cJSON *completion)
{
    const cJSON *choices = cJSON_GetObjectItem(completion, "choices");
    assert_int_equal(cJSON_GetArraySize(choices), 1);
    return cJSON_GetArrayItem(choices, 0);
}

/* The message of the non-stream reply to the same question. */
static cJSON *reply_message(const char *file, const char *id)
{
    cJSON *c = load(file);
    cJSON *body = cJSON_GetObjectItem(cJSON_GetObjectItem(interaction(c, id), "response"), "json");
    cJSON *m = cJSON_Duplicate(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(body, "choices"), 0),
                            "message"),
        1);
    cJSON_Delete(c);
    return m;
}

static void text_stream_folds_to_the_reply(void **state)
{
    (void)state;
    int n = 0;
    cJSON *r = fold_file(fixture("chat-hello.json"), "hello-stream", &n);
    assert_true(n > 2);
    assert_string_equal(cJSON_GetObjectItem(r, "object")->valuestring, "chat.completion");
    assert_string_equal(cJSON_GetObjectItem(r, "id")->valuestring,
                        "chatcmpl-AW3kF2nR8tYp5LmQ0vXc6BzW1dJa9");
    assert_null(cJSON_GetObjectItem(r, "usage"));
    assert_null(cJSON_GetObjectItem(r, "system_fingerprint")); /* null: dropped, as the SDK */
    const cJSON *ch = choice0(r);
    assert_string_equal(cJSON_GetObjectItem(ch, "finish_reason")->valuestring, "stop");
    cJSON *want = reply_message(fixture("chat-hello.json"), "hello");
    assert_true(cJSON_Compare(cJSON_GetObjectItem(ch, "message"), want, 1));
    cJSON_Delete(want);
    cJSON_Delete(r);
}

static void usage_chunk_sets_usage(void **state)
{
    (void)state;
    cJSON *r = fold_file(fixture("chat-hello.json"), "hello-stream-usage", NULL);
    assert_json_equal(cJSON_GetObjectItem(r, "usage"),
                      "{\"prompt_tokens\":13,\"completion_tokens\":28,\"total_tokens\":41,"
                      "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
                      "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
                      "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, "choices")), 1);
    cJSON_Delete(r);
}

static void split_tool_call_arguments_join(void **state)
{
    (void)state;
    cJSON *r = fold_file(fixture("chat-tools.json"), "stock-stream", NULL);
    const cJSON *ch = choice0(r);
    assert_string_equal(cJSON_GetObjectItem(ch, "finish_reason")->valuestring, "tool_calls");
    assert_json_equal(cJSON_GetObjectItem(ch, "message"),
                      "{\"role\":\"assistant\",\"content\":null,\"refusal\":null,"
                      "\"tool_calls\":[{\"id\":\"call_7GhJ2kLm9NpQ4rSt6VwX1yZa\","
                      "\"type\":\"function\",\"function\":{\"name\":\"get_stock_price\","
                      "\"arguments\":\"{\\\"symbol\\\":\\\"AAPL\\\"}\"}}]}");
    /* Same name and arguments as the non-stream reply (ids differ per call). */
    cJSON *want = reply_message(fixture("chat-tools.json"), "stock");
    const cJSON *got_fn = cJSON_GetObjectItem(
        cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(ch, "message"), "tool_calls"), 0),
        "function");
    const cJSON *want_fn = cJSON_GetObjectItem(
        cJSON_GetArrayItem(cJSON_GetObjectItem(want, "tool_calls"), 0), "function");
    assert_true(cJSON_Compare(got_fn, want_fn, 1));
    cJSON_Delete(want);
    cJSON_Delete(r);
}

static void parallel_calls_fold_by_index(void **state)
{
    (void)state;
    cJSON *r = fold_file(fixture("chat-parallel-tools.json"), "parallel-stream", NULL);
    const cJSON *ch = choice0(r);
    cJSON *want = reply_message(fixture("chat-parallel-tools.json"), "parallel");
    assert_true(cJSON_Compare(cJSON_GetObjectItem(ch, "message"), want, 1));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(want, "tool_calls")), 2);
    assert_string_equal(cJSON_GetObjectItem(r, "system_fingerprint")->valuestring,
                        "fp_7f6be3efb0");
    cJSON_Delete(want);
    cJSON_Delete(r);
}

static void legacy_function_call_folds(void **state)
{
    (void)state;
    cJSON *r = fold_file(fixture("chat-function-call.json"), "legacy-function-stream", NULL);
    const cJSON *ch = choice0(r);
    assert_string_equal(cJSON_GetObjectItem(ch, "finish_reason")->valuestring, "function_call");
    cJSON *want = reply_message(fixture("chat-function-call.json"), "legacy-function");
    assert_true(cJSON_Compare(cJSON_GetObjectItem(ch, "message"), want, 1));
    cJSON_Delete(want);
    cJSON_Delete(r);
}

static void deltas_before_an_error_are_kept(void **state)
{
    (void)state;
    cJSON *r = fold_file(fixture("chat-stream-error.json"), "haiku-stream-error", NULL);
    const cJSON *ch = choice0(r);
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(ch, "message"), "content")->valuestring,
        "Waves fold into foam,\nsalt");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(ch, "finish_reason")));
    cJSON_Delete(r);
}

/* Rules read from openai-node ChatCompletionStream, each on a tiny stream. */
static cJSON *fold_texts(const char *const *chunks, size_t n)
{
    mk_openai_concat *cc = mk_openai_concat_new();
    assert_non_null(cc);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(mk_openai_concat_add_json(cc, chunks[i]), MKC_OK);
    cJSON *r = mk_openai_concat_result(cc);
    mk_openai_concat_free(cc);
    assert_non_null(r);
    return r;
}

static void out_of_order_calls_and_choices(void **state)
{
    (void)state;
    static const char *const s[] = {
        "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
        "\"choices\":[{\"index\":1,\"delta\":{\"role\":\"assistant\",\"content\":\"B\"},"
        "\"finish_reason\":null},{\"index\":0,\"delta\":{\"role\":\"assistant\","
        "\"tool_calls\":[{\"index\":1,\"id\":\"call_b\",\"type\":\"function\",\"function\":"
        "{\"name\":\"g\",\"arguments\":\"{\\\"y\"}}]},\"finish_reason\":null}]}",
        "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
        "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\","
        "\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}},"
        "{\"index\":1,\"function\":{\"arguments\":\"\\\":2}\"}}]},\"finish_reason\":null}]}",
        "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
        "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"},"
        "{\"index\":1,\"delta\":{\"content\":\"C\"},\"finish_reason\":\"stop\"}]}",
    };
    cJSON *r = fold_texts(s, 3);
    assert_json_equal(r,
        "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\","
        "\"choices\":[{\"index\":0,\"finish_reason\":\"tool_calls\",\"logprobs\":null,"
        "\"message\":{\"role\":\"assistant\",\"content\":null,\"refusal\":null,\"tool_calls\":["
        "{\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}},"
        "{\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"g\","
        "\"arguments\":\"{\\\"y\\\":2}\"}}]}},"
        "{\"index\":1,\"finish_reason\":\"stop\",\"logprobs\":null,"
        "\"message\":{\"role\":\"assistant\",\"content\":\"BC\",\"refusal\":null}}]}");
    cJSON_Delete(r);
}

static void refusal_name_overwrite_and_empty_content(void **state)
{
    (void)state;
    static const char *const s[] = {
        "{\"id\":\"c2\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\","
        "\"refusal\":\"I can\"},\"finish_reason\":null}]}",
        "{\"id\":\"c2\",\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"'t\","
        "\"function_call\":{\"name\":\"a\",\"arguments\":\"x\"}},\"finish_reason\":null}]}",
        "{\"id\":\"c2\",\"choices\":[{\"index\":0,\"delta\":{\"function_call\":{\"name\":\"b\","
        "\"arguments\":\"y\"}},\"finish_reason\":\"function_call\"}]}",
        "{\"id\":\"c2\",\"choices\":[],\"usage\":{\"total_tokens\":3}}",
    };
    cJSON *r = fold_texts(s, 4);
    /* "" content never starts the content (the SDK tests truthiness). */
    assert_json_equal(cJSON_GetObjectItem(choice0(r), "message"),
                      "{\"role\":\"assistant\",\"content\":null,\"refusal\":\"I can't\","
                      "\"function_call\":{\"name\":\"b\",\"arguments\":\"xy\"}}");
    assert_json_equal(cJSON_GetObjectItem(r, "usage"), "{\"total_tokens\":3}");
    cJSON_Delete(r);
}

static void bad_chunks_are_refused_and_fold_nothing(void **state)
{
    (void)state;
    mk_openai_concat *cc = mk_openai_concat_new();
    assert_non_null(cc);
    assert_null(mk_openai_concat_result(cc));
    assert_int_equal(mk_openai_concat_add_json(cc, "[1]"), MKC_EINVAL);
    assert_int_equal(mk_openai_concat_add_json(cc, "{"), MKC_EJSON);
    assert_int_equal(mk_openai_concat_add_json(cc, "{\"choices\":{}}"), MKC_EJSON);
    assert_int_equal(
        mk_openai_concat_add_json(cc, "{\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":"
                                      "{\"content\":\"a\",\"tool_calls\":[{\"id\":\"q\"}]}}]}"),
        MKC_EJSON);
    assert_int_equal(mk_openai_concat_count(cc), 0);
    assert_null(mk_openai_concat_result(cc));
    assert_int_equal(mk_openai_concat_add_chunk(NULL, NULL), MKC_EINVAL);
    mk_openai_concat_free(cc);
    mk_openai_concat_free(NULL);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_stream_folds_to_the_reply),
        cmocka_unit_test(usage_chunk_sets_usage),
        cmocka_unit_test(split_tool_call_arguments_join),
        cmocka_unit_test(parallel_calls_fold_by_index),
        cmocka_unit_test(legacy_function_call_folds),
        cmocka_unit_test(deltas_before_an_error_are_kept),
        cmocka_unit_test(out_of_order_calls_and_choices),
        cmocka_unit_test(refusal_name_overwrite_and_empty_content),
        cmocka_unit_test(bad_chunks_are_refused_and_fold_nothing),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
