/* suite-pieces-ask: the copilot chat over /qgpt/stream (protocol note
 * §3.2): answer deltas in IN-PROGRESS frames, then one text-free
 * COMPLETED carrying the conversation id; both input forms; a follow-up in
 * the same conversation on the same socket, resolvable over REST; stop;
 * FAILED with errorMessage and statusCode. */
#include "pieces_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HELLO "Hi how are you"

typedef struct answer {
    int chunks;          /* IN-PROGRESS frames with answers */
    char text[2048];     /* the deltas joined */
    char status[32];     /* the final status */
    char conversation[64];
    char error[256];
    int status_code;
    int final_has_text;  /* the final frame carried answers */
} answer;

typedef struct ask_ctx {
    mkc_queue *q;
    mk_pieces *p;
    mk_pieces_ws *ws;
} ask_ctx;

static void open_ask(void **state, ask_ctx *c)
{
    pt_state *st = *state;
    pt_reset(st);
    c->q = mkc_queue_new();
    c->p = mk_pieces_new(st->t.base_url);
    assert_non_null(c->q);
    assert_non_null(c->p);
    mk_pieces_ws_callbacks cb = pt_callbacks(c->q);
    c->ws = mk_pieces_ws_new(c->p, MK_PIECES_WS_ASK, &cb);
    assert_non_null(c->ws);
}

static void close_ask(ask_ctx *c)
{
    mk_pieces_free(c->p);  /* closes and frees the socket */
    mkc_queue_free(c->q);
}

/* Read frames until a status other than IN-PROGRESS (the SDK generator's
 * rule), checking each frame on the way. */
static void read_answer(mkc_queue *q, answer *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 0; i < 1000; i++) {
        char *data = NULL;
        pt_expect(q, PT_EV_ANSWER, &data);
        cJSON *f = cJSON_Parse(data);
        free(data);
        assert_non_null(f);
        const char *conv = pt_str(f, "conversation");  /* required in every frame */
        assert_true(pt_is_uuid(conv));
        if (a->conversation[0])
            assert_string_equal(conv, a->conversation);
        else
            snprintf(a->conversation, sizeof a->conversation, "%s", conv);
        const char *status = pt_str(f, "status");
        const cJSON *iterable = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(f, "question"),
                                             "answers"),
            "iterable");
        if (strcmp(status, "IN-PROGRESS") == 0) {
            const cJSON *ans;
            cJSON_ArrayForEach(ans, iterable) {
                /* every answer needs both text and score */
                assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(ans, "score")));
                const char *t = pt_str(ans, "text");
                assert_true(strlen(a->text) + strlen(t) < sizeof a->text);
                strcat(a->text, t);
            }
            a->chunks += iterable != NULL;
            cJSON_Delete(f);
            continue;
        }
        snprintf(a->status, sizeof a->status, "%s", status);
        a->final_has_text = cJSON_GetArraySize(iterable) > 0;
        const cJSON *em = cJSON_GetObjectItemCaseSensitive(f, "errorMessage");
        if (cJSON_IsString(em))
            snprintf(a->error, sizeof a->error, "%s", em->valuestring);
        const cJSON *sc = cJSON_GetObjectItemCaseSensitive(f, "statusCode");
        if (cJSON_IsNumber(sc))
            a->status_code = sc->valueint;
        cJSON_Delete(f);
        return;
    }
    fail_msg("no final frame after 1000 frames");
}

static void ask(ask_ctx *c, const char *query, const char *conversation,
                mk_pieces_input_form form)
{
    mk_pieces_question q = {query, conversation, NULL, NULL, form};
    mkc_error err = {0};
    int rc = mk_pieces_ask(c->ws, &q, &err);
    if (rc != MKC_OK)
        fail_msg("ask \"%s\": %s: %s", query, mkc_errname(rc), err.message);
}

static void assert_completed(const answer *a)
{
    assert_string_equal(a->status, "COMPLETED");
    assert_true(a->chunks >= 1);
    assert_true(strlen(a->text) > 0);
    /* COMPLETED repeats no text: clients append every frame's answers. */
    assert_false(a->final_has_text);
}

/* The workshop: legacy `question` input on a socket that ask() opens. */
static void test_hello_question_form(void **state)
{
    ask_ctx c;
    open_ask(state, &c);
    assert_false(mk_pieces_ws_is_running(c.ws));
    ask(&c, HELLO, NULL, MK_PIECES_INPUT_QUESTION);
    assert_true(mk_pieces_ws_is_running(c.ws));
    answer a;
    read_answer(c.q, &a);
    assert_completed(&a);
    close_ask(&c);
}

/* SDK 5 / CLI: relevance with options.question:true. */
static void test_hello_relevance_form(void **state)
{
    ask_ctx c;
    open_ask(state, &c);
    mkc_error err = {0};
    assert_int_equal(mk_pieces_ws_start(c.ws, &err), MKC_OK);
    ask(&c, HELLO, NULL, MK_PIECES_INPUT_RELEVANCE);
    answer a;
    read_answer(c.q, &a);
    assert_completed(&a);
    close_ask(&c);
}

/* A follow-up on the same socket stays in the conversation COMPLETED
 * named, and that conversation resolves over REST. */
static void test_follow_up_same_conversation(void **state)
{
    ask_ctx c;
    open_ask(state, &c);
    ask(&c, HELLO, NULL, MK_PIECES_INPUT_QUESTION);
    answer first;
    read_answer(c.q, &first);
    assert_completed(&first);

    ask(&c, "What can you help me with?", first.conversation, MK_PIECES_INPUT_QUESTION);
    answer second;
    read_answer(c.q, &second);
    assert_completed(&second);
    assert_string_equal(second.conversation, first.conversation);
    assert_string_not_equal(second.text, first.text);

    mkc_error err = {0};
    cJSON *conv = NULL;
    int rc = mk_pieces_conversation(c.p, first.conversation, &conv, &err);
    if (rc != MKC_OK)
        fail_msg("GET /conversation/%s: %s", first.conversation, err.message);
    assert_string_equal(pt_str(conv, "id"), first.conversation);
    assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(conv, "messages"), "iterable")));
    cJSON_Delete(conv);
    close_ask(&c);
}

/* stop mid-answer ends the answer (STOPPED, inferred from the TUI). */
static void test_stop(void **state)
{
    pt_state *st = *state;
    ask_ctx c;
    open_ask(state, &c);
    ask(&c, "Write a long story about a mutex", NULL, MK_PIECES_INPUT_QUESTION);
    char *data = NULL;
    pt_expect(c.q, PT_EV_ANSWER, &data);
    cJSON *f = cJSON_Parse(data);
    free(data);
    assert_string_equal(pt_str(f, "status"), "IN-PROGRESS");
    mkc_error err = {0};
    assert_int_equal(mk_pieces_ask_stop(c.ws, pt_str(f, "conversation"), &err), MKC_OK);
    cJSON_Delete(f);
    answer a;
    read_answer(c.q, &a);
    if (st->is_mock)
        assert_string_equal(a.status, "STOPPED");
    else
        assert_true(strcmp(a.status, "STOPPED") == 0 || strcmp(a.status, "CANCELED") == 0 ||
                    strcmp(a.status, "COMPLETED") == 0);
    assert_false(a.final_has_text);
    assert_true(mk_pieces_ws_is_running(c.ws));  /* the socket stays open */
    close_ask(&c);
}

/* A failed answer: FAILED with errorMessage and statusCode, the socket
 * stays usable. Only the mock can be made to fail on demand. */
static void test_failed(void **state)
{
    pt_state *st = *state;
    if (st->t.live) {
        pt_reset(st);
        if (!st->is_mock)
            skip();
    }
    ask_ctx c;
    open_ask(state, &c);
    ask(&c, "Review this file with a Pro model", NULL, MK_PIECES_INPUT_QUESTION);
    answer a;
    read_answer(c.q, &a);
    assert_string_equal(a.status, "FAILED");
    assert_true(strlen(a.error) > 0);
    assert_true(a.status_code >= 400);
    assert_int_equal(a.chunks, 0);

    ask(&c, HELLO, NULL, MK_PIECES_INPUT_QUESTION);
    answer b;
    read_answer(c.q, &b);
    assert_completed(&b);
    close_ask(&c);
}

static void on_raw(void *user, mkc_ws_opcode op, const char *data, size_t len)
{
    (void)op;
    mkc_queue_push(user, PT_EV_ANSWER, data, len);
}

/* QGPTQuestionInput requires `relevant`: a legacy question without it is
 * not an answerable input (the SDK model rejects it), so the mock answers
 * it with nothing, while the same question with `relevant` is answered. */
static void test_question_requires_relevant(void **state)
{
    pt_state *st = *state;
    pt_reset(st);
    if (!st->is_mock)
        skip();  /* what a live server does with it is not documented */
    char url[512];
    snprintf(url, sizeof url, "ws%s/qgpt/stream", st->t.base_url + 4);
    mkc_queue *q = mkc_queue_new();
    mkc_ws_callbacks cb = {on_raw, NULL, q};
    mkc_ws *ws = NULL;
    mkc_error err = {0};
    assert_int_equal(mkc_ws_connect(url, &cb, &ws, &err), MKC_OK);
    assert_int_equal(mkc_ws_send_text(ws, "{\"question\":{\"query\":\"" HELLO "\"}}"), MKC_OK);
    int kind = 0;
    char *data = NULL;
    if (pt_pop(q, 300, &kind, &data)) {
        char msg[300];
        snprintf(msg, sizeof msg, "answered a question without relevant: %.200s", data);
        free(data);
        fail_msg("%s", msg);
    }
    assert_int_equal(mkc_ws_send_text(ws, "{\"question\":{\"query\":\"" HELLO
                                          "\",\"relevant\":{\"iterable\":[]}}}"),
                     MKC_OK);
    answer a;
    read_answer(q, &a);
    assert_completed(&a);
    mkc_ws_free(ws);
    mkc_queue_free(q);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello_question_form),
        cmocka_unit_test(test_hello_relevance_form),
        cmocka_unit_test(test_follow_up_same_conversation),
        cmocka_unit_test(test_stop),
        cmocka_unit_test(test_failed),
        cmocka_unit_test(test_question_requires_relevant),
    };
    return SUITE_RUN(argc, argv, tests, pt_group_setup, pt_group_teardown);
}
