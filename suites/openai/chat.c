/* chat.c: OpenAI Chat Completions compatibility, the gptchat flows.
 *
 * Runs against the embedded mock (fixtures/openai) or, with OPENAI_BASE_URL
 * and OPENAI_API_KEY set, a live service. It checks what a client relies
 * on: object shapes, one id per stream, role only in the first delta,
 * finish reasons, tool-call fragments, that folding a stream gives the same
 * message as the non-stream reply, usage in the stream, incremental
 * delivery, error events inside a stream, and 401s. Values that a live
 * model may vary (the text) are compared exactly only against the mock. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "mockkit/openai.h"
#include "kit.h"
#include "suite.h"

#define HELLO "Hello, how are you?"
#define AAPL "What is the stock price of AAPL?"
#define PARALLEL "What are the stock prices of AAPL and MSFT?"
#define HAIKU "Write a haiku about the sea."

#define STOCK_PARAMS                                                                  \
    "{\"type\":\"object\",\"properties\":{\"symbol\":{\"type\":\"string\","           \
    "\"description\":\"The stock ticker symbol, e.g. AAPL\"}},\"required\":[\"symbol\"]}"
#define STOCK_TOOL                                                                    \
    "{\"type\":\"function\",\"function\":{\"name\":\"get_stock_price\",\"description\":" \
    "\"Get the current stock price for a ticker symbol\",\"parameters\":" STOCK_PARAMS "}}"
#define STOCK_FUNCTION                                                                \
    "{\"name\":\"get_stock_price\",\"description\":\"Get the current stock price for a " \
    "ticker symbol\",\"parameters\":" STOCK_PARAMS "}"

#define REQ(model, question, extra)                                                   \
    "{\"model\":\"" model "\",\"messages\":[{\"role\":\"user\",\"content\":\"" question \
    "\"}]" extra "}"

static const char *const REQ_HELLO = REQ("gpt-4", HELLO, "");
static const char *const REQ_HELLO_USAGE =
    REQ("gpt-4", HELLO, ",\"stream_options\":{\"include_usage\":true}");
static const char *const REQ_STOCK = REQ("gpt-4", AAPL, ",\"tools\":[" STOCK_TOOL "]");
static const char *const REQ_PARALLEL = REQ("gpt-4o", PARALLEL, ",\"tools\":[" STOCK_TOOL "]");
static const char *const REQ_LEGACY = REQ("gpt-4", AAPL, ",\"functions\":[" STOCK_FUNCTION "]");
static const char *const REQ_HAIKU = REQ("gpt-4", HAIKU, "");

static suite_target target;

static int group_setup(void **state)
{
    (void)state;
    return suite_target_start("openai", &target);
}

static int group_teardown(void **state)
{
    (void)state;
    suite_target_stop(&target);
    return 0;
}

static mk_openai *client(void)
{
    mk_openai *c = mk_openai_new(target.base_url, target.api_key);
    assert_non_null(c);
    return c;
}

/* ---- helpers --------------------------------------------------------------- */

/* Every chunk of one stream, kept (copies) in arrival order. */
typedef struct collected {
    cJSON *chunks;            /* array */
    mk_openai_concat *concat;
} collected;

static int collect_cb(void *user, const cJSON *chunk)
{
    collected *col = user;
    cJSON_AddItemToArray(col->chunks, cJSON_Duplicate(chunk, 1));
    return mk_openai_concat_add_chunk(col->concat, chunk) == MKC_OK ? 0 : 1;
}

static void collected_init(collected *col)
{
    col->chunks = cJSON_CreateArray();
    col->concat = mk_openai_concat_new();
    assert_non_null(col->chunks);
    assert_non_null(col->concat);
}

static void collected_free(collected *col)
{
    cJSON_Delete(col->chunks);
    mk_openai_concat_free(col->concat);
}

static void stream_ok(const char *request, collected *col)
{
    mk_openai *c = client();
    mkc_error err;
    memset(&err, 0, sizeof err);
    collected_init(col);
    int rc = mk_openai_chat_stream_str(c, request, collect_cb, col, &err);
    if (rc != MKC_OK)
        fail_msg("stream: %s: %s", mkc_errname(rc), err.message);
    mkc_error_clear(&err);
    mk_openai_free(c);
    assert_true(cJSON_GetArraySize(col->chunks) > 0);
}

static cJSON *chat_ok(const char *request)
{
    mk_openai *c = client();
    mkc_error err;
    memset(&err, 0, sizeof err);
    cJSON *out = NULL;
    int rc = mk_openai_chat_str(c, request, &out, &err);
    if (rc != MKC_OK)
        fail_msg("chat: %s: %s", mkc_errname(rc), err.message);
    mkc_error_clear(&err);
    mk_openai_free(c);
    return out;
}

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = get(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *first_choice(const cJSON *completion)
{
    const cJSON *choices = get(completion, "choices");
    assert_true(cJSON_IsArray(choices));
    assert_true(cJSON_GetArraySize(choices) >= 1);
    return cJSON_GetArrayItem(choices, 0);
}

static const cJSON *message(const cJSON *completion)
{
    const cJSON *m = get(first_choice(completion), "message");
    assert_true(cJSON_IsObject(m));
    return m;
}

/* The chunks that carry a choice (the usage chunk has none). */
static const cJSON *chunk_choice(const cJSON *chunk)
{
    const cJSON *choices = get(chunk, "choices");
    assert_true(cJSON_IsArray(choices));
    return cJSON_GetArrayItem(choices, 0);
}

static void assert_usage_adds_up(const cJSON *u)
{
    assert_true(cJSON_IsObject(u));
    const cJSON *p = get(u, "prompt_tokens"), *c = get(u, "completion_tokens"),
                *t = get(u, "total_tokens");
    assert_true(cJSON_IsNumber(p) && cJSON_IsNumber(c) && cJSON_IsNumber(t));
    assert_true(p->valuedouble > 0 && c->valuedouble > 0);
    assert_int_equal((long)t->valuedouble, (long)(p->valuedouble + c->valuedouble));
}

/* Arguments of a call as parsed JSON, which must hold a string "symbol". */
static const char *symbol_of(const cJSON *fn, cJSON **parsed)
{
    const char *args = str(fn, "arguments");
    assert_non_null(args);
    *parsed = cJSON_Parse(args);
    if (!*parsed)
        fail_msg("arguments are not JSON: %s", args);
    const char *sym = str(*parsed, "symbol");
    if (!sym)
        fail_msg("arguments have no \"symbol\": %s", args);
    return sym;
}

/* ---- shapes ------------------------------------------------------------------- */

static void nonstream_reply_is_a_chat_completion(void **state)
{
    (void)state;
    cJSON *r = chat_ok(REQ_HELLO);
    assert_string_equal(str(r, "object"), "chat.completion");
    assert_non_null(str(r, "id"));
    assert_true(strncmp(str(r, "id"), "chatcmpl-", 9) == 0);
    assert_true(cJSON_IsNumber(get(r, "created")));
    assert_non_null(str(r, "model"));
    const cJSON *ch = first_choice(r);
    assert_int_equal((int)get(ch, "index")->valuedouble, 0);
    assert_string_equal(str(ch, "finish_reason"), "stop");
    assert_string_equal(str(message(r), "role"), "assistant");
    assert_non_null(str(message(r), "content"));
    assert_true(strlen(str(message(r), "content")) > 0);
    assert_usage_adds_up(get(r, "usage"));
    cJSON_Delete(r);
}

static void stream_chunks_share_one_id_and_role_comes_first(void **state)
{
    (void)state;
    collected col;
    stream_ok(REQ_HELLO, &col);
    const char *id = str(cJSON_GetArrayItem(col.chunks, 0), "id");
    assert_non_null(id);
    int i = 0, finishes = 0;
    const cJSON *chunk;
    cJSON_ArrayForEach(chunk, col.chunks) {
        assert_string_equal(str(chunk, "object"), "chat.completion.chunk");
        assert_string_equal(str(chunk, "id"), id);
        const cJSON *ch = chunk_choice(chunk);
        if (!ch) {
            i++;
            continue;   /* a usage chunk, which live servers may send */
        }
        const cJSON *delta = get(ch, "delta");
        assert_true(cJSON_IsObject(delta));
        if (i == 0) {
            assert_string_equal(str(delta, "role"), "assistant");
            assert_string_equal(str(delta, "content"), "");
        } else {
            assert_null(get(delta, "role"));
        }
        const cJSON *fr = get(ch, "finish_reason");
        if (cJSON_IsString(fr)) {
            assert_string_equal(fr->valuestring, "stop");
            assert_int_equal(cJSON_GetArraySize(delta), 0);
            finishes++;
        } else {
            assert_true(cJSON_IsNull(fr));
        }
        i++;
    }
    assert_int_equal(finishes, 1);
    collected_free(&col);
}

static void folded_stream_equals_the_nonstream_reply(void **state)
{
    (void)state;
    collected col;
    stream_ok(REQ_HELLO, &col);
    cJSON *folded = mk_openai_concat_result(col.concat);
    cJSON *reply = chat_ok(REQ_HELLO);
    assert_string_equal(str(folded, "object"), "chat.completion");
    assert_string_equal(str(folded, "id"), str(cJSON_GetArrayItem(col.chunks, 0), "id"));
    assert_string_equal(str(first_choice(folded), "finish_reason"),
                        str(first_choice(reply), "finish_reason"));
    const cJSON *fm = message(folded), *rm = message(reply);
    assert_string_equal(str(fm, "role"), str(rm, "role"));
    assert_non_null(str(fm, "content"));
    assert_null(get(fm, "tool_calls"));
    if (!target.live)   /* a live model words it differently each time */
        assert_string_equal(str(fm, "content"), str(rm, "content"));
    cJSON_Delete(folded);
    cJSON_Delete(reply);
    collected_free(&col);
}

/* ---- tools ------------------------------------------------------------------- */

static void tool_call_fragments_open_with_id_and_name(void **state)
{
    (void)state;
    collected col;
    stream_ok(REQ_STOCK, &col);
    int fragments = 0;
    const char *finish = NULL;
    const cJSON *chunk;
    cJSON_ArrayForEach(chunk, col.chunks) {
        const cJSON *ch = chunk_choice(chunk);
        if (!ch)
            continue;
        if (cJSON_IsString(get(ch, "finish_reason")))
            finish = str(ch, "finish_reason");
        const cJSON *tcs = get(get(ch, "delta"), "tool_calls");
        const cJSON *tc;
        cJSON_ArrayForEach(tc, tcs) {
            assert_int_equal((int)get(tc, "index")->valuedouble, 0);
            const cJSON *fn = get(tc, "function");
            if (fragments == 0) {
                assert_true(strncmp(str(tc, "id"), "call_", 5) == 0);
                assert_string_equal(str(tc, "type"), "function");
                assert_string_equal(str(fn, "name"), "get_stock_price");
                assert_string_equal(str(fn, "arguments"), "");
            } else {
                assert_null(get(tc, "id"));
                assert_null(get(fn, "name"));
                assert_non_null(str(fn, "arguments"));
            }
            fragments++;
        }
    }
    assert_true(fragments >= 2);
    assert_non_null(finish);
    assert_string_equal(finish, "tool_calls");
    collected_free(&col);
}

static void folded_tool_call_equals_the_nonstream_reply(void **state)
{
    (void)state;
    collected col;
    stream_ok(REQ_STOCK, &col);
    cJSON *folded = mk_openai_concat_result(col.concat);
    cJSON *reply = chat_ok(REQ_STOCK);
    assert_string_equal(str(first_choice(folded), "finish_reason"), "tool_calls");
    assert_string_equal(str(first_choice(reply), "finish_reason"), "tool_calls");
    const cJSON *fm = message(folded), *rm = message(reply);
    assert_true(cJSON_IsNull(get(fm, "content")));
    assert_true(cJSON_IsNull(get(rm, "content")));
    assert_int_equal(cJSON_GetArraySize(get(fm, "tool_calls")), 1);
    assert_int_equal(cJSON_GetArraySize(get(rm, "tool_calls")), 1);
    const cJSON *ft = cJSON_GetArrayItem(get(fm, "tool_calls"), 0);
    const cJSON *rt = cJSON_GetArrayItem(get(rm, "tool_calls"), 0);
    assert_true(strncmp(str(ft, "id"), "call_", 5) == 0);
    assert_string_equal(str(ft, "type"), "function");
    assert_string_equal(str(get(ft, "function"), "name"), str(get(rt, "function"), "name"));
    cJSON *fa, *ra;
    const char *fs = symbol_of(get(ft, "function"), &fa);
    const char *rs = symbol_of(get(rt, "function"), &ra);
    assert_string_equal(fs, "AAPL");
    assert_string_equal(fs, rs);
    assert_true(cJSON_Compare(fa, ra, 1));
    cJSON_Delete(fa);
    cJSON_Delete(ra);
    cJSON_Delete(folded);
    cJSON_Delete(reply);
    collected_free(&col);
}

static void parallel_calls_fold_into_two_by_index(void **state)
{
    (void)state;
    collected col;
    stream_ok(REQ_PARALLEL, &col);
    int opened[2] = {0, 0};
    const cJSON *chunk;
    cJSON_ArrayForEach(chunk, col.chunks) {
        const cJSON *ch = chunk_choice(chunk);
        const cJSON *tcs = ch ? get(get(ch, "delta"), "tool_calls") : NULL;
        const cJSON *tc;
        cJSON_ArrayForEach(tc, tcs) {
            int ix = (int)get(tc, "index")->valuedouble;
            assert_true(ix == 0 || ix == 1);
            if (get(tc, "id")) {
                assert_int_equal(opened[ix], 0);   /* id only on the first fragment */
                assert_non_null(str(get(tc, "function"), "name"));
                opened[ix] = 1;
            } else {
                assert_int_equal(opened[ix], 1);   /* never a fragment before its opener */
            }
        }
    }
    assert_true(opened[0] && opened[1]);
    cJSON *folded = mk_openai_concat_result(col.concat);
    cJSON *reply = chat_ok(REQ_PARALLEL);
    const cJSON *fcalls = get(message(folded), "tool_calls");
    const cJSON *rcalls = get(message(reply), "tool_calls");
    assert_int_equal(cJSON_GetArraySize(fcalls), 2);
    assert_int_equal(cJSON_GetArraySize(rcalls), 2);
    char seen[2][16];
    for (int i = 0; i < 2; i++) {
        cJSON *fa, *ra;
        const cJSON *fc = cJSON_GetArrayItem(fcalls, i), *rc = cJSON_GetArrayItem(rcalls, i);
        assert_string_equal(str(get(fc, "function"), "name"), "get_stock_price");
        assert_string_equal(str(get(rc, "function"), "name"), "get_stock_price");
        snprintf(seen[i], sizeof seen[i], "%s", symbol_of(get(fc, "function"), &fa));
        assert_string_equal(seen[i], symbol_of(get(rc, "function"), &ra));
        cJSON_Delete(fa);
        cJSON_Delete(ra);
    }
    assert_string_not_equal(seen[0], seen[1]);
    assert_string_not_equal(str(cJSON_GetArrayItem(fcalls, 0), "id"),
                            str(cJSON_GetArrayItem(fcalls, 1), "id"));
    cJSON_Delete(folded);
    cJSON_Delete(reply);
    collected_free(&col);
}

static void legacy_function_call_folds(void **state)
{
    (void)state;
    collected col;
    stream_ok(REQ_LEGACY, &col);
    const cJSON *first = get(get(chunk_choice(cJSON_GetArrayItem(col.chunks, 0)), "delta"),
                             "function_call");
    assert_string_equal(str(first, "name"), "get_stock_price");
    cJSON *folded = mk_openai_concat_result(col.concat);
    cJSON *reply = chat_ok(REQ_LEGACY);
    assert_string_equal(str(first_choice(folded), "finish_reason"), "function_call");
    assert_string_equal(str(first_choice(reply), "finish_reason"), "function_call");
    const cJSON *ff = get(message(folded), "function_call");
    const cJSON *rf = get(message(reply), "function_call");
    assert_null(get(message(folded), "tool_calls"));
    assert_string_equal(str(ff, "name"), str(rf, "name"));
    cJSON *fa, *ra;
    assert_string_equal(symbol_of(ff, &fa), symbol_of(rf, &ra));
    assert_true(cJSON_Compare(fa, ra, 1));
    cJSON_Delete(fa);
    cJSON_Delete(ra);
    cJSON_Delete(folded);
    cJSON_Delete(reply);
    collected_free(&col);
}

/* ---- usage ------------------------------------------------------------------- */

/* ---- follow-up turns: a longer `messages` array ------------------------------ */

/* Send request (non-stream) and the same with stream:true; both must end
 * with a text answer (finish_reason stop), the folded stream the same text
 * as the reply against the mock. */
static void assert_text_turn(cJSON *request)
{
    char *body = cJSON_PrintUnformatted(request);
    cJSON *reply = chat_ok(body);
    free(body);
    assert_string_equal(str(first_choice(reply), "finish_reason"), "stop");
    const char *text = str(message(reply), "content");
    assert_non_null(text);
    assert_true(strlen(text) > 0);
    cJSON_AddTrueToObject(request, "stream");
    body = cJSON_PrintUnformatted(request);
    collected col;
    stream_ok(body, &col);
    free(body);
    cJSON *folded = mk_openai_concat_result(col.concat);
    assert_string_equal(str(first_choice(folded), "finish_reason"), "stop");
    const char *ftext = str(message(folded), "content");
    assert_non_null(ftext);
    if (!target.live)
        assert_string_equal(ftext, text);
    cJSON_Delete(folded);
    collected_free(&col);
    cJSON_Delete(reply);
}

/* The message a handler appends: the assistant reply as received. */
static cJSON *conversation_with_reply(const char *first_request, const cJSON *reply)
{
    cJSON *req = cJSON_Parse(first_request);
    assert_non_null(req);
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(req, "messages"),
                         cJSON_Duplicate(message(reply), 1));
    return req;
}

#define STOCK_RESULT "{\"symbol\": \"AAPL\", \"price\": 189.84, \"currency\": \"USD\"}"

/* A tool-call handler runs the tool and sends its result back: the
 * conversation grows by the assistant's tool_calls message and a `tool`
 * message naming its call id; the model answers in text. */
static void tool_result_follow_up_is_answered(void **state)
{
    (void)state;
    cJSON *reply = chat_ok(REQ_STOCK);
    const cJSON *call = cJSON_GetArrayItem(get(message(reply), "tool_calls"), 0);
    assert_non_null(call);
    cJSON *req = conversation_with_reply(REQ_STOCK, reply);
    cJSON *tool = cJSON_CreateObject();
    cJSON_AddStringToObject(tool, "role", "tool");
    cJSON_AddStringToObject(tool, "tool_call_id", str(call, "id"));
    cJSON_AddStringToObject(tool, "content", STOCK_RESULT);
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(req, "messages"), tool);
    cJSON_Delete(reply);
    assert_text_turn(req);
    cJSON_Delete(req);
}

/* The deprecated form: the function's result goes back as a `function`
 * message named after it. */
static void function_result_follow_up_is_answered(void **state)
{
    (void)state;
    cJSON *reply = chat_ok(REQ_LEGACY);
    assert_string_equal(str(get(message(reply), "function_call"), "name"), "get_stock_price");
    cJSON *req = conversation_with_reply(REQ_LEGACY, reply);
    cJSON *fn = cJSON_CreateObject();
    cJSON_AddStringToObject(fn, "role", "function");
    cJSON_AddStringToObject(fn, "name", "get_stock_price");
    cJSON_AddStringToObject(fn, "content", STOCK_RESULT);
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(req, "messages"), fn);
    cJSON_Delete(reply);
    assert_text_turn(req);
    cJSON_Delete(req);
}

/* gptchat's set_config(messages) example starts the chat with two
 * messages; the user's next question makes three. */
static void preseeded_conversation_is_answered(void **state)
{
    (void)state;
    cJSON *req = cJSON_Parse(
        "{\"model\":\"gpt-4\",\"messages\":["
        "{\"role\":\"user\",\"content\":\"Hello, how are you?\"},"
        "{\"role\":\"assistant\",\"content\":\"I'm doing great, how can I help you today?\"},"
        "{\"role\":\"user\",\"content\":\"" HAIKU "\"}]}");
    assert_non_null(req);
    assert_text_turn(req);
    cJSON_Delete(req);
}

static void include_usage_adds_a_final_usage_chunk(void **state)
{
    (void)state;
    collected col;
    stream_ok(REQ_HELLO_USAGE, &col);
    int n = cJSON_GetArraySize(col.chunks);
    const cJSON *last = cJSON_GetArrayItem(col.chunks, n - 1);
    assert_true(cJSON_IsArray(get(last, "choices")));
    assert_int_equal(cJSON_GetArraySize(get(last, "choices")), 0);
    assert_usage_adds_up(get(last, "usage"));
    for (int i = 0; i < n - 1; i++) {
        const cJSON *u = get(cJSON_GetArrayItem(col.chunks, i), "usage");
        assert_true(u == NULL || cJSON_IsNull(u));
        assert_int_equal(cJSON_GetArraySize(get(cJSON_GetArrayItem(col.chunks, i), "choices")), 1);
    }
    cJSON *folded = mk_openai_concat_result(col.concat);
    assert_true(cJSON_Compare(get(folded, "usage"), get(last, "usage"), 1));
    assert_non_null(str(message(folded), "content"));
    cJSON_Delete(folded);
    collected_free(&col);
}

/* ---- incremental delivery -------------------------------------------------------
 * A mock of our own on a virtual clock: nothing after the first chunk can be
 * sent until the clock moves on, which only happens once the first chunk has
 * reached the callback. A client that buffered the stream would get every
 * chunk at the same clock reading (or none, until the watchdog deadline). */

typedef struct incremental {
    mk_clock *clock;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int chunks;
    int finished;
    int late;            /* the deadline passed before the first chunk */
    int64_t first_at;
    int64_t last_at;
} incremental;

static int incremental_cb(void *user, const cJSON *chunk)
{
    (void)chunk;
    incremental *in = user;
    pthread_mutex_lock(&in->mu);
    int64_t now = mk_clock_now_ms(in->clock);
    if (in->chunks == 0)
        in->first_at = now;
    in->last_at = now;
    in->chunks++;
    pthread_cond_broadcast(&in->cv);
    pthread_mutex_unlock(&in->mu);
    return 0;
}

static int64_t real_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Moves the clock in 5 ms steps while the server waits on it, pausing after
 * each step for the callback; once the first chunk is in, it jumps far
 * ahead to let the rest out. After a real-time deadline it only jumps, so
 * the stream always ends and the test fails instead of hanging. */
static void *advancer(void *arg)
{
    incremental *in = arg;
    int64_t deadline = real_ms() + 20000;
    for (;;) {
        pthread_mutex_lock(&in->mu);
        int finished = in->finished, got = in->chunks;
        if (!got && real_ms() > deadline)
            in->late = 1;
        int jump = got || in->late;
        pthread_mutex_unlock(&in->mu);
        if (finished)
            break;
        if (mk_clock_wait_for_waiters(in->clock, 1, 50) != 0)
            continue;
        mk_clock_advance(in->clock, jump ? 100000 : 5);
        if (jump)
            continue;
        pthread_mutex_lock(&in->mu);
        struct timespec until;
        mkc__deadline_in(&until, 20);
        while (in->chunks == 0 && !in->finished &&
               pthread_cond_timedwait(&in->cv, &in->mu, &until) == 0) {
        }
        pthread_mutex_unlock(&in->mu);
    }
    return NULL;
}

static void stream_is_delivered_incrementally(void **state)
{
    (void)state;
    if (target.live)
        suite_skip("needs the virtual clock of an embedded mock");
    incremental in;
    memset(&in, 0, sizeof in);
    pthread_mutex_init(&in.mu, NULL);
    mkc__cond_init_monotonic(&in.cv);
    in.clock = mk_clock_new_virtual();
    assert_non_null(in.clock);

    char dir[1024];
    suite_fixtures_dir("openai", dir, sizeof dir);
    const char *paths[] = {dir};
    mk_mock_options o;
    mk_mock_options_init(&o);
    o.service = "openai";
    o.speed = 1.0;
    o.clock = in.clock;
    o.quiet = 1;
    mk_mock *m = NULL;
    mk_diag d;
    memset(&d, 0, sizeof d);
    assert_int_equal(mk_mock_new(&o, paths, 1, &m, &d), MK_MOCK_OK);
    char base[600];
    snprintf(base, sizeof base, "%s%s", mk_mock_url(m), mk_mock_base_path(m));
    mk_openai *c = mk_openai_new(base, "sk-proj-testkey");
    assert_non_null(c);

    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, advancer, &in), 0);
    mkc_error err;
    memset(&err, 0, sizeof err);
    int rc = mk_openai_chat_stream_str(c, REQ_HELLO, incremental_cb, &in, &err);
    pthread_mutex_lock(&in.mu);
    in.finished = 1;
    pthread_mutex_unlock(&in.mu);
    pthread_join(th, NULL);
    mk_openai_free(c);
    mk_mock_free(m);
    mk_clock_free(in.clock);
    pthread_cond_destroy(&in.cv);
    pthread_mutex_destroy(&in.mu);

    if (rc != MKC_OK)
        fail_msg("stream: %s: %s", mkc_errname(rc), err.message);
    mkc_error_clear(&err);
    if (in.late)
        fail_msg("no chunk reached the callback within 20 s while the clock was held");
    assert_true(in.chunks > 2);
    /* The last chunk came only after the clock moved past the first one. */
    if (!(in.last_at > in.first_at))
        fail_msg("every chunk arrived at clock %lld ms: the stream was not incremental",
                 (long long)in.first_at);
}

/* ---- errors ------------------------------------------------------------------- */

typedef struct error_run {
    int chunks;
    char content[256];
} error_run;

static int error_cb(void *user, const cJSON *chunk)
{
    error_run *er = user;
    er->chunks++;
    const char *t = str(get(chunk_choice(chunk), "delta"), "content");
    if (t)
        strncat(er->content, t, sizeof er->content - strlen(er->content) - 1);
    return 0;
}

static void error_event_mid_stream_surfaces_after_the_deltas(void **state)
{
    (void)state;
    mk_openai *c = client();
    error_run er;
    memset(&er, 0, sizeof er);
    mkc_error err;
    memset(&err, 0, sizeof err);
    int rc = mk_openai_chat_stream_str(c, REQ_HAIKU, error_cb, &er, &err);
    if (target.live && rc == MKC_OK) {
        /* A real service answers the haiku; a mock posing as live (the
         * cassettes served by `mockkit check`) fails it half way. */
        mkc_error_clear(&err);
        mk_openai_free(c);
        suite_skip("the live service answered in full: a mid-stream error cannot be provoked");
    }
    assert_int_equal(rc, MKC_EHTTP);
    assert_true(er.chunks >= 2);
    assert_true(strlen(er.content) > 0);
    assert_non_null(strstr(err.message, "The server had an error while processing your request"));
    mk_openai_api_error ae;
    assert_int_equal(mk_openai_error_parse(&err, &ae), MKC_OK);
    assert_string_equal(ae.type, "server_error");
    mkc_error_clear(&err);
    mk_openai_free(c);
}

static void missing_key_is_401(void **state)
{
    (void)state;
    mk_openai *c = mk_openai_new(target.base_url, NULL);
    assert_non_null(c);
    cJSON *out = NULL;
    mkc_error err;
    memset(&err, 0, sizeof err);
    assert_int_equal(mk_openai_chat_str(c, REQ_HELLO, &out, &err), MKC_EHTTP);
    assert_null(out);
    suite_assert_status(err.http_status, 401);
    mk_openai_api_error ae;
    assert_int_equal(mk_openai_error_parse(&err, &ae), MKC_OK);
    assert_string_equal(ae.type, "invalid_request_error");
    assert_non_null(strstr(ae.message, "You didn't provide an API key"));
    assert_non_null(strstr(err.message, "401"));
    mkc_error_clear(&err);
    mk_openai_free(c);
}

static void wrong_key_is_401_invalid_api_key(void **state)
{
    (void)state;
    mk_openai *c = mk_openai_new(target.base_url, "sk-proj-wrongkey1234");
    assert_non_null(c);
    mkc_error err;
    memset(&err, 0, sizeof err);
    /* Streaming requests are refused the same way, before any event. */
    int chunks = 0;
    int rc = mk_openai_chat_stream_str(c, REQ_HELLO, NULL, &chunks, &err);
    assert_int_equal(rc, MKC_EHTTP);
    suite_assert_status(err.http_status, 401);
    mk_openai_api_error ae;
    assert_int_equal(mk_openai_error_parse(&err, &ae), MKC_OK);
    assert_string_equal(ae.type, "invalid_request_error");
    assert_string_equal(ae.code, "invalid_api_key");
    assert_non_null(strstr(ae.message, "Incorrect API key provided"));
    assert_null(strstr(ae.message, "sk-proj-wrongkey1234"));   /* the key is masked */
    assert_non_null(strstr(err.message, "invalid_api_key"));
    mkc_error_clear(&err);
    mk_openai_free(c);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nonstream_reply_is_a_chat_completion),
        cmocka_unit_test(stream_chunks_share_one_id_and_role_comes_first),
        cmocka_unit_test(folded_stream_equals_the_nonstream_reply),
        cmocka_unit_test(tool_call_fragments_open_with_id_and_name),
        cmocka_unit_test(folded_tool_call_equals_the_nonstream_reply),
        cmocka_unit_test(parallel_calls_fold_into_two_by_index),
        cmocka_unit_test(legacy_function_call_folds),
        cmocka_unit_test(tool_result_follow_up_is_answered),
        cmocka_unit_test(function_result_follow_up_is_answered),
        cmocka_unit_test(preseeded_conversation_is_answered),
        cmocka_unit_test(include_usage_adds_a_final_usage_chunk),
        cmocka_unit_test(stream_is_delivered_incrementally),
        cmocka_unit_test(error_event_mid_stream_surfaces_after_the_deltas),
        cmocka_unit_test(missing_key_is_401),
        cmocka_unit_test(wrong_key_is_401_invalid_api_key),
    };
    return SUITE_RUN(argc, argv, tests, group_setup, group_teardown);
}
