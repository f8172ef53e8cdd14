/* cairos_events.c: the event-log handler's contract, on the mock's event-log
 * variants (X-Mockkit-Scenario): error events with text data, unknown
 * events stopping the handler by default or going to an unknown handler,
 * keep-alive comments ignored, and a stream cut inside an event reported
 * as truncated after the complete events were delivered. Against a live
 * service that is not a mockkit these tests are skipped. */
#include "cairos_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAILING_PROMPT "Juggle three chainsaws on a unicycle"

static void open_scenario(const char *scenario)
{
    if (!cairos_target_is_mockkit())
        suite_skip("needs mockkit's scenario control (/__mockkit/), which a live Cairos lacks");
    ctx.c = cairos_login();
    cairos_log_init(&ctx.log, ctx.c);
    char line[128];
    snprintf(line, sizeof line, "X-Mockkit-Scenario: %s", scenario);
    assert_int_equal(mk_cairos_sse_add_header(ctx.log.sse, line), MKC_OK);
}

/* Log open, then the chat whose job fails. */
static void start_and_chat_failing(void)
{
    cairos_log_start(&ctx.log);
    int rc = mk_cairos_create_thread(ctx.c, &ctx.thread, &ctx.err);
    if (rc == MKC_OK)
        rc = mk_cairos_send_chat(ctx.c, FAILING_PROMPT, ctx.thread.id, &ctx.chat, &ctx.err);
    if (rc != MKC_OK)
        fail_msg("chat: %s: %s", mkc_errname(rc), ctx.err.message);
}

static void test_unknown_event_stops_with_error_by_default(void **state)
{
    (void)state;
    open_scenario("errors");
    cairos_log_on(&ctx.log, "animation_error", 0);
    cairos_log_on(&ctx.log, "export_error", 0);
    start_and_chat_failing();

    ctx.data = cairos_log_next(&ctx.log, "animation_error");
    /* error payloads are text; this one happens to hold FastAPI's detail */
    assert_non_null(strstr(ctx.data, "detail"));
    int rc = cairos_log_finish(&ctx.log);
    assert_int_equal(rc, MKC_EPROTOCOL);
    assert_non_null(strstr(ctx.log.err.message, "unknown event \"unknown\""));
    /* nothing after the unknown event was delivered */
    free(ctx.data);
    ctx.data = NULL;
    assert_int_equal(mkc_queue_size(ctx.log.q), 0);
}

static void test_unknown_event_goes_to_unknown_handler(void **state)
{
    (void)state;
    open_scenario("errors");
    cairos_log_on(&ctx.log, "animation_error", 0);
    cairos_log_on(&ctx.log, "export_error", 0);
    cairos_log_on_unknown(&ctx.log);
    ctx.log.stop_on = "export_error";
    start_and_chat_failing();

    /* in order: animation_error, unknown, export_error */
    const char *want[] = {"animation_error\n", "unknown\ninto the unknown", "export_error\n"};
    for (size_t i = 0; i < 3; i++) {
        ctx.data = cairos_log_next(&ctx.log, NULL);
        assert_non_null(ctx.data);
        if (strncmp(ctx.data, want[i], strlen(want[i])) != 0)
            fail_msg("event %zu: got \"%s\", want \"%s...\"", i, ctx.data, want[i]);
        free(ctx.data);
        ctx.data = NULL;
    }
    /* the stop_on callback returned non-zero: MKC_EABORTED */
    assert_int_equal(cairos_log_finish(&ctx.log), MKC_EABORTED);
}

static void test_parse_json_rejects_text_data(void **state)
{
    (void)state;
    open_scenario("debug");
    cairos_log_on(&ctx.log, "debug", 1); /* debug carries text, not JSON */
    cairos_log_start(&ctx.log);
    assert_int_equal(cairos_log_finish(&ctx.log), MKC_EJSON);
    assert_non_null(strstr(ctx.log.err.message, "\"debug\""));
}

static void test_keepalive_comments_are_not_events(void **state)
{
    (void)state;
    open_scenario("cut");
    cairos_log_on(&ctx.log, "usage_report", 0);
    cairos_log_on(&ctx.log, "animation_success", 1);
    cairos_log_on(&ctx.log, "export_success", 1);
    cairos_log_start(&ctx.log);
    (void)cairos_log_finish(&ctx.log);
    assert_true(mk_cairos_sse_comment_count(ctx.log.sse) >= 1);
    /* exactly the two complete events; the ping made no event */
    assert_int_equal(mk_cairos_sse_event_count(ctx.log.sse), 2);
    /* this variant's response sets cairos_session, which the handler keeps
     * (CairosSSEHandler adopts it into the client) */
    const char *session = mk_cairos_sse_session(ctx.log.sse);
    assert_non_null(session);
    assert_int_equal(mk_cairos_set_session(ctx.c, session), MKC_OK);
    assert_string_equal(mk_cairos_session(ctx.c), session);
}

static void test_cut_stream_is_truncated_after_complete_events(void **state)
{
    (void)state;
    open_scenario("cut");
    cairos_log_on(&ctx.log, "usage_report", 0);
    cairos_log_on(&ctx.log, "animation_success", 1);
    cairos_log_on(&ctx.log, "export_success", 1);
    cairos_log_start(&ctx.log);

    ctx.data = cairos_log_next(&ctx.log, "animation_success");
    cJSON *j = cJSON_Parse(ctx.data);
    int rc = mk_cairos_animation_from_json(j, &ctx.anim, &ctx.err);
    cJSON_Delete(j);
    assert_int_equal(rc, MKC_OK);
    assert_true(strlen(ctx.anim.job_thread) > 0);

    rc = cairos_log_finish(&ctx.log);
    if (rc != MKC_ETRUNCATED)
        fail_msg("want MKC_ETRUNCATED, got %s: %s", mkc_errname(rc), ctx.log.err.message);
    assert_non_null(strstr(ctx.log.err.message, "/event_log"));
    /* the partial export_success never reached its callback */
    assert_int_equal(mkc_queue_size(ctx.log.q), 0);
}

/* When the server sent ids, a dropped log is resumed with Last-Event-ID and
 * continues where it stopped (the mock only answers the reconnect that
 * carries Last-Event-ID: 2). Cairos itself sends no ids. */
static void test_resume_with_last_event_id(void **state)
{
    (void)state;
    open_scenario("resume");
    mk_cairos_sse_set_resume(ctx.log.sse, 2);
    cairos_log_on(&ctx.log, "usage_report", 0);
    cairos_log_on(&ctx.log, "animation_success", 1);
    cairos_log_on(&ctx.log, "export_success", 1);
    ctx.log.stop_on = "export_success";
    cairos_log_start(&ctx.log);
    const char *want[] = {"usage_report\n", "animation_success\n", "export_success\n"};
    for (size_t i = 0; i < 3; i++) {
        ctx.data = cairos_log_next(&ctx.log, NULL);
        assert_non_null(ctx.data);
        if (strncmp(ctx.data, want[i], strlen(want[i])) != 0)
            fail_msg("event %zu: got \"%.60s\", want \"%s...\"", i, ctx.data, want[i]);
        free(ctx.data);
        ctx.data = NULL;
    }
    /* the stop_on callback returned non-zero: MKC_EABORTED */
    assert_int_equal(cairos_log_finish(&ctx.log), MKC_EABORTED);
}

/* Without resume (the default, like the Python handler) the drop ends run. */
static void test_no_resume_by_default(void **state)
{
    (void)state;
    open_scenario("resume");
    cairos_log_on(&ctx.log, "usage_report", 0);
    cairos_log_on(&ctx.log, "animation_success", 1);
    cairos_log_on(&ctx.log, "export_success", 1);
    cairos_log_start(&ctx.log);
    int rc = cairos_log_finish(&ctx.log);
    assert_int_equal(rc, MKC_ECLOSED);
    assert_int_equal(mk_cairos_sse_event_count(ctx.log.sse), 2);
}

static void test_stop_from_another_thread(void **state)
{
    (void)state;
    if (!cairos_target_is_mockkit())
        suite_skip("needs mockkit's scenario control (/__mockkit/), which a live Cairos lacks");
    ctx.c = cairos_login();
    cairos_log_init(&ctx.log, ctx.c);
    cairos_log_on(&ctx.log, "animation_success", 1);
    cairos_log_on(&ctx.log, "export_success", 1);
    cairos_log_on(&ctx.log, "usage_report", 0);
    cairos_log_start(&ctx.log); /* the default log idles until a chat */
    mk_cairos_sse_stop(ctx.log.sse);
    assert_int_equal(cairos_log_finish(&ctx.log), MKC_EABORTED);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unknown_event_stops_with_error_by_default,
                                        cairos_test_setup, cairos_test_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_event_goes_to_unknown_handler,
                                        cairos_test_setup, cairos_test_teardown),
        cmocka_unit_test_setup_teardown(test_parse_json_rejects_text_data, cairos_test_setup,
                                        cairos_test_teardown),
        cmocka_unit_test_setup_teardown(test_keepalive_comments_are_not_events,
                                        cairos_test_setup, cairos_test_teardown),
        cmocka_unit_test_setup_teardown(test_cut_stream_is_truncated_after_complete_events,
                                        cairos_test_setup, cairos_test_teardown),
        cmocka_unit_test_setup_teardown(test_resume_with_last_event_id, cairos_test_setup,
                                        cairos_test_teardown),
        cmocka_unit_test_setup_teardown(test_no_resume_by_default, cairos_test_setup,
                                        cairos_test_teardown),
        cmocka_unit_test_setup_teardown(test_stop_from_another_thread, cairos_test_setup,
                                        cairos_test_teardown),
    };
    return SUITE_RUN(argc, argv, tests, cairos_group_setup, cairos_group_teardown);
}
