/* stream.c: Bee run streams: event names and order, the data's object
 * types, delta concatenation, incremental delivery, the requires_action ->
 * submit_tool_outputs flow, and a failed run's last_error. */
#include "bee_common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Stream a run of assistant_id on a new thread asking question. */
static int stream_run(mk_bee *b, const char *assistant_id, const char *question,
                      bee_events *ev, cJSON **thread)
{
    *thread = bee_create_thread(b, question);
    cJSON *params = bee_run_params(assistant_id);
    mkc_error err = {0};
    int rc = mk_bee_run_stream(b, bee_str(*thread, "id"), params, NULL, bee_collect, ev, &err);
    cJSON_Delete(params);
    BEE_OK(rc, err);
    return rc;
}

/* The "object" each event's data must carry. */
static const char *object_for(const char *event)
{
    if (strcmp(event, "thread.run.step.delta") == 0)
        return "thread.run.step.delta";
    if (strcmp(event, "thread.message.delta") == 0)
        return "thread.message.delta";
    if (strncmp(event, "thread.run.step.", 16) == 0)
        return "thread.run.step";
    if (strncmp(event, "thread.message.", 15) == 0)
        return "thread.message";
    if (strncmp(event, "thread.run.", 11) == 0)
        return "thread.run";
    return NULL;
}

static void assert_well_formed(const bee_events *ev)
{
    assert_true(ev->count >= 2);
    assert_string_equal(ev->names[0], "thread.run.created");
    assert_string_equal(ev->names[ev->count - 1], "done");
    /* Bee's quirk: done's data is the JSON string "[DONE]". */
    assert_true(cJSON_IsString(ev->data[ev->count - 1]));
    assert_string_equal(ev->data[ev->count - 1]->valuestring, "[DONE]");
    for (size_t i = 0; i + 1 < ev->count; i++) {
        const char *want = object_for(ev->names[i]);
        if (!want) {
            print_error("unexpected event %zu: %s\n", i, ev->names[i]);
            fail();
        }
        bee_assert_object(ev->data[i], want);
    }
}

static void test_stream_event_order(void **state)
{
    mk_bee *b = bee_client(*state, NULL);
    cJSON *a = bee_create_assistant(b), *th = NULL;
    bee_events *ev = calloc(1, sizeof *ev);
    stream_run(b, bee_str(a, "id"), BEE_QUESTION, ev, &th);
    assert_well_formed(ev);
    int created = bee_events_find(ev, "thread.run.created", 0);
    int queued = bee_events_find(ev, "thread.run.queued", 0);
    int in_progress = bee_events_find(ev, "thread.run.in_progress", 0);
    int step_created = bee_events_find(ev, "thread.run.step.created", 0);
    int msg_created = bee_events_find(ev, "thread.message.created", 0);
    int msg_delta = bee_events_find(ev, "thread.message.delta", 0);
    int msg_completed = bee_events_find(ev, "thread.message.completed", 0);
    int completed = bee_events_find(ev, "thread.run.completed", 0);
    assert_true(created == 0 && queued > created && in_progress > queued);
    assert_true(step_created > in_progress);
    assert_true(msg_created > step_created && msg_delta > msg_created);
    assert_true(msg_completed > msg_delta && completed > msg_completed);
    assert_int_equal(completed, (int)ev->count - 2);  /* then done */
    assert_string_equal(bee_str(ev->data[created], "status"), "queued");
    assert_string_equal(bee_str(ev->data[completed], "status"), "completed");
    const char *rid = bee_assert_id(ev->data[created], "run");
    assert_string_equal(bee_str(ev->data[completed], "id"), rid);
    assert_string_equal(bee_str(ev->data[created], "thread_id"), bee_str(th, "id"));
    /* created and completed carry the same message entity: same id, same
     * created_at */
    assert_string_equal(bee_str(ev->data[msg_created], "id"), bee_str(ev->data[msg_completed], "id"));
    assert_true(cJSON_GetObjectItemCaseSensitive(ev->data[msg_created], "created_at")->valuedouble ==
                cJSON_GetObjectItemCaseSensitive(ev->data[msg_completed], "created_at")->valuedouble);
    /* Every step event belongs to this run; every step that starts completes. */
    for (size_t i = 0; i < ev->count; i++) {
        if (strcmp(ev->names[i], "thread.run.step.created") != 0)
            continue;
        bee_assert_id(ev->data[i], "step");
        assert_string_equal(bee_str(ev->data[i], "run_id"), rid);
        int done = -1;
        for (size_t j = i + 1; j < ev->count && done < 0; j++)
            if (strcmp(ev->names[j], "thread.run.step.completed") == 0 &&
                strcmp(bee_str(ev->data[j], "id"), bee_str(ev->data[i], "id")) == 0)
                done = (int)j;
        assert_true(done > 0);
    }
    bee_events_clear(ev);
    free(ev);
    cJSON_Delete(th);
    cJSON_Delete(a);
    mk_bee_free(b);
}

/* Appends every text fragment of msg_id's deltas. */
static void concat_message(const bee_events *ev, const char *msg_id, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t i = 0; i < ev->count; i++) {
        if (strcmp(ev->names[i], "thread.message.delta") != 0 ||
            strcmp(bee_str(ev->data[i], "id"), msg_id) != 0)
            continue;
        const cJSON *delta = cJSON_GetObjectItemCaseSensitive(ev->data[i], "delta");
        const cJSON *part;
        cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(delta, "content")) {
            const cJSON *text = cJSON_GetObjectItemCaseSensitive(part, "text");
            strncat(out, bee_str(text, "value"), size - strlen(out) - 1);
        }
    }
}

/* s without leading and trailing whitespace, as (pointer, length). */
static const char *trimmed(const char *s, size_t *len)
{
    while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    *len = n;
    return s;
}

static void test_stream_delta_concatenation(void **state)
{
    mk_bee *b = bee_client(*state, NULL);
    cJSON *a = bee_create_assistant(b), *th = NULL;
    bee_events *ev = calloc(1, sizeof *ev);
    stream_run(b, bee_str(a, "id"), BEE_QUESTION, ev, &th);
    int checked = 0;
    static char joined[65536];
    for (size_t i = 0; i < ev->count; i++) {
        if (strcmp(ev->names[i], "thread.message.completed") != 0)
            continue;
        const cJSON *m = ev->data[i];
        bee_assert_id(m, "msg");
        assert_string_equal(bee_str(m, "role"), "assistant");
        const cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(m, "content"), 0);
        const char *full = bee_str(cJSON_GetObjectItemCaseSensitive(c0, "text"), "value");
        concat_message(ev, bee_str(m, "id"), joined, sizeof joined);
        assert_string_equal(joined, full);
        assert_true(strlen(full) > 0);
        checked++;
    }
    assert_int_equal(checked, 1);
    /* Bee's thought steps stream too: their deltas add up to the thought. */
    for (size_t i = 0; i < ev->count; i++) {
        if (strcmp(ev->names[i], "thread.run.step.completed") != 0 ||
            strcmp(bee_str(ev->data[i], "type"), "thought") != 0)
            continue;
        const char *sid = bee_str(ev->data[i], "id");
        joined[0] = '\0';
        for (size_t j = 0; j < i; j++) {
            if (strcmp(ev->names[j], "thread.run.step.delta") != 0 ||
                strcmp(bee_str(ev->data[j], "id"), sid) != 0)
                continue;
            const cJSON *sd = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(ev->data[j], "delta"), "step_details");
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(sd, "thought"), "content");
            if (cJSON_IsString(t))
                strncat(joined, t->valuestring, sizeof joined - strlen(joined) - 1);
        }
        const cJSON *details = cJSON_GetObjectItemCaseSensitive(ev->data[i], "step_details");
        /* Bee stores the framework's parsed thought on completion (streaming.ts
         * update handler), which may differ from the deltas in surrounding
         * whitespace only. */
        const char *full =
            bee_str(cJSON_GetObjectItemCaseSensitive(details, "thought"), "content");
        size_t jn, fn;
        const char *j = trimmed(joined, &jn), *f = trimmed(full, &fn);
        assert_int_equal(jn, fn);
        assert_memory_equal(j, f, jn);
    }
    bee_events_clear(ev);
    free(ev);
    cJSON_Delete(th);
    cJSON_Delete(a);
    mk_bee_free(b);
}

/* ---- incremental delivery ------------------------------------------------ */

typedef struct bg_stream {
    mk_bee *b;
    const char *thread_id;
    cJSON *params;
    mkc_queue *q;          /* event names as they arrive; kind 1 = returned */
    atomic_int returned;   /* set once mk_bee_run_stream has returned */
    int rc;
} bg_stream;

static int push_event(void *user, const char *event, const cJSON *data)
{
    (void)data;
    bg_stream *s = user;
    mkc_queue_push(s->q, 0, event, strlen(event));
    return 0;
}

static void *bg_run(void *arg)
{
    bg_stream *s = arg;
    mkc_error err = {0};
    s->rc = mk_bee_run_stream(s->b, s->thread_id, s->params, NULL, push_event, s, &err);
    mkc_error_clear(&err);
    atomic_store(&s->returned, 1);
    mkc_queue_push(s->q, 1, "", 0);
    return NULL;
}

/* The first event reaches the callback while the stream is still open. On
 * the mock the stream replays on a virtual clock that only this test moves,
 * so "still open" is certain rather than a matter of timing. */
static void test_stream_incremental(void **state)
{
    const bee_env *env = *state;
    mk_bee *setup = bee_client(env, NULL);
    cJSON *a = bee_create_assistant(setup);
    cJSON *th = bee_create_thread(setup, BEE_QUESTION);

    mk_clock *clock = NULL;
    mk_mock *mock = NULL;
    char url[1200];
    snprintf(url, sizeof url, "%s", env->t.base_url);
    if (!env->t.live) {
        clock = mk_clock_new_virtual();
        assert_non_null(clock);
        mk_mock_options o;
        mk_mock_options_init(&o);
        o.service = "bee";
        o.speed = 1.0;
        o.clock = clock;
        o.quiet = 1;
        char dir[1024];
        const char *paths[] = {suite_fixtures_dir("bee", dir, sizeof dir)};
        mk_diag d = {0};
        assert_int_equal(mk_mock_new(&o, paths, 1, &mock, &d), MK_MOCK_OK);
        snprintf(url, sizeof url, "%s%s", mk_mock_url(mock), mk_mock_base_path(mock));
    }
    bg_stream s = {.thread_id = bee_str(th, "id"), .params = bee_run_params(bee_str(a, "id"))};
    s.b = mk_bee_new(url, env->t.api_key);
    assert_non_null(s.b);
    s.q = mkc_queue_new();
    assert_non_null(s.q);
    pthread_t tid;
    assert_int_equal(pthread_create(&tid, NULL, bg_run, &s), 0);

    int kind = -1;
    char *data = NULL;
    size_t len = 0;
    int got = MKC_ETIMEOUT;
    for (int i = 0; i < 1000 && got != MKC_OK; i++) {  /* bounded: 10 s of virtual time */
        if (clock)
            mk_clock_advance(clock, 10);
        got = mkc_queue_pop(s.q, clock ? 20 : 180000, &kind, &data, &len);
    }
    assert_int_equal(got, MKC_OK);
    assert_int_equal(kind, 0);
    assert_string_equal(data, "thread.run.created");
    free(data);
    /* The first event is in hand and the call that delivers it has not
     * returned. On the virtual clock this is certain; a live target that
     * sends the whole stream at once (a mock at speed 0) makes it
     * unobservable, which is reported as a skip, not a pass. */
    int inconclusive = env->t.live && atomic_load(&s.returned);
    if (!inconclusive)
        assert_int_equal(atomic_load(&s.returned), 0);

    if (clock)
        mk_clock_advance(clock, 3600 * 1000);  /* release the rest of the stream */
    int last_kind = 0;
    char *last = NULL;
    for (int i = 0; i < 10000 && last_kind != 1; i++) {
        free(last);
        last = NULL;
        if (mkc_queue_pop(s.q, 180000, &last_kind, &last, &len) != MKC_OK)
            break;
    }
    free(last);
    assert_int_equal(last_kind, 1);
    pthread_join(tid, NULL);
    assert_int_equal(s.rc, MKC_OK);

    mkc_queue_free(s.q);
    mk_bee_free(s.b);
    cJSON_Delete(s.params);
    mk_mock_free(mock);
    mk_clock_free(clock);
    cJSON_Delete(th);
    cJSON_Delete(a);
    mk_bee_free(setup);
    if (inconclusive) {
        print_message("the target sent the whole stream at once: incremental delivery not observable\n");
        skip();
    }
}

/* ---- tools and failures -------------------------------------------------- */

static void test_requires_action_submit_tool_outputs(void **state)
{
    const bee_env *env = *state;
    mk_bee *b = bee_client(env, NULL);
    cJSON *a = bee_create_fn_assistant(b), *th = NULL;
    bee_events *ev = calloc(1, sizeof *ev);
    stream_run(b, bee_str(a, "id"), BEE_FN_QUESTION, ev, &th);
    assert_well_formed(ev);
    int ra = bee_events_find(ev, "thread.run.requires_action", 0);
    if (ra < 0 && env->t.live) {
        bee_events_clear(ev);
        free(ev);
        cJSON_Delete(th);
        cJSON_Delete(a);
        mk_bee_free(b);
        skip();  /* the live model answered without calling the function */
    }
    assert_true(ra > 0);
    /* The stream stops at requires_action: only done follows. */
    assert_int_equal(ra, (int)ev->count - 2);
    const cJSON *run = ev->data[ra];
    assert_string_equal(bee_str(run, "status"), "requires_action");
    const cJSON *action = cJSON_GetObjectItemCaseSensitive(run, "required_action");
    assert_string_equal(bee_str(action, "type"), "submit_tool_outputs");
    const cJSON *calls = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(action, "submit_tool_outputs"), "tool_calls");
    assert_int_equal(cJSON_GetArraySize(calls), 1);
    const cJSON *call = cJSON_GetArrayItem(calls, 0);
    const char *call_id = bee_assert_id(call, "call");
    assert_string_equal(bee_str(call, "type"), "function");
    assert_string_equal(bee_str(cJSON_GetObjectItemCaseSensitive(call, "function"), "name"),
                        "get_current_location");

    /* A retrieve agrees while the run waits. */
    const char *tid = bee_str(th, "id"), *rid = bee_str(run, "id");
    cJSON *now = NULL;
    mkc_error err = {0};
    BEE_OK(mk_bee_run_retrieve(b, tid, rid, &now, &err), err);
    assert_string_equal(bee_str(now, "status"), "requires_action");
    cJSON_Delete(now);

    cJSON *outputs = cJSON_CreateArray();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "tool_call_id", call_id);
    cJSON_AddStringToObject(o, "output", BEE_FN_OUTPUT);
    cJSON_AddItemToArray(outputs, o);
    bee_events *ev2 = calloc(1, sizeof *ev2);
    BEE_OK(mk_bee_run_submit_tool_outputs_stream(b, tid, rid, outputs, NULL, bee_collect, ev2,
                                                 &err),
           err);
    cJSON_Delete(outputs);
    /* A new stream that continues the same run to completion. */
    assert_true(ev2->count >= 2);
    assert_string_equal(ev2->names[ev2->count - 1], "done");
    int completed = bee_events_find(ev2, "thread.run.completed", 0);
    assert_int_equal(completed, (int)ev2->count - 2);
    assert_string_equal(bee_str(ev2->data[completed], "id"), rid);
    assert_true(bee_events_find(ev2, "thread.message.completed", 0) >= 0);
    /* The tool step completes with the output we gave. */
    int found = 0;
    for (size_t i = 0; i < ev2->count; i++) {
        if (strcmp(ev2->names[i], "thread.run.step.completed") != 0 ||
            strcmp(bee_str(ev2->data[i], "type"), "tool_calls") != 0)
            continue;
        const cJSON *tc = cJSON_GetArrayItem(
            cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(ev2->data[i], "step_details"), "tool_calls"),
            0);
        assert_string_equal(bee_str(tc, "id"), call_id);
        found = 1;
    }
    assert_true(found);
    bee_events_clear(ev2);
    free(ev2);
    bee_events_clear(ev);
    free(ev);
    cJSON_Delete(th);
    cJSON_Delete(a);
    mk_bee_free(b);
}

static void test_failed_run_has_last_error(void **state)
{
    const bee_env *env = *state;
    mk_bee *b = bee_client(env, NULL);
    cJSON *a = bee_create_assistant(b), *th = NULL;
    bee_events *ev = calloc(1, sizeof *ev);
    stream_run(b, bee_str(a, "id"), BEE_FAIL_QUESTION, ev, &th);
    assert_well_formed(ev);
    int failed = bee_events_find(ev, "thread.run.failed", 0);
    if (failed < 0 && env->t.live) {
        bee_events_clear(ev);
        free(ev);
        cJSON_Delete(th);
        cJSON_Delete(a);
        mk_bee_free(b);
        skip();  /* a live run cannot be made to fail on purpose */
    }
    assert_int_equal(failed, (int)ev->count - 2);
    assert_int_equal(bee_events_find(ev, "thread.run.completed", 0), -1);
    const cJSON *run = ev->data[failed];
    assert_string_equal(bee_str(run, "status"), "failed");
    assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(run, "failed_at")));
    const cJSON *le = cJSON_GetObjectItemCaseSensitive(run, "last_error");
    assert_true(strlen(bee_str(le, "code")) > 0);
    assert_true(strlen(bee_str(le, "message")) > 0);

    cJSON *now = NULL;
    mkc_error err = {0};
    BEE_OK(mk_bee_run_retrieve(b, bee_str(th, "id"), bee_str(run, "id"), &now, &err), err);
    assert_string_equal(bee_str(now, "status"), "failed");
    assert_string_equal(bee_str(cJSON_GetObjectItemCaseSensitive(now, "last_error"), "code"),
                        bee_str(le, "code"));
    cJSON_Delete(now);
    bee_events_clear(ev);
    free(ev);
    cJSON_Delete(th);
    cJSON_Delete(a);
    mk_bee_free(b);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_event_order),
        cmocka_unit_test(test_stream_delta_concatenation),
        cmocka_unit_test(test_stream_incremental),
        cmocka_unit_test(test_requires_action_submit_tool_outputs),
        cmocka_unit_test(test_failed_run_has_last_error),
    };
    return SUITE_RUN(argc, argv, tests, bee_group_setup, bee_group_teardown);
}
