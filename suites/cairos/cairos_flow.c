/* cairos_flow.c: the seed's session end to end, as the Python client and
 * its example use the API: login, threads, chat with the event log already
 * open, animation_success, export, export_success, download; plus the
 * motions-only chat and the avatars. Ids are taken from responses only. */
#include "cairos_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(call)                                                                   \
    do {                                                                              \
        int rc_ = (call);                                                             \
        if (rc_ != MKC_OK)                                                            \
            fail_msg("%s: %s: %s", #call, mkc_errname(rc_), ctx.err.message);         \
    } while (0)

static cJSON *parse(const char *data)
{
    cJSON *j = cJSON_Parse(data);
    if (!j)
        fail_msg("event data is not JSON: %.200s", data);
    return j;
}

static void assert_uuid(const char *s)
{
    char hex[33];
    assert_non_null(s);
    if (mk_cairos_uuid_hex(s, hex) != MKC_OK)
        fail_msg("not a UUID: %s", s);
}

/* The seed's full flow with the event log opened first on its own thread. */
static void test_full_flow_events_follow_requests(void **state)
{
    (void)state;
    ctx.c = cairos_login();

    CHECK(mk_cairos_list_threads(ctx.c, &ctx.threads, &ctx.err));
    assert_true(ctx.threads.count >= 1);
    CHECK(mk_cairos_create_thread(ctx.c, &ctx.thread, &ctx.err));
    assert_non_null(ctx.thread.id);
    assert_true(strlen(ctx.thread.id) > 0);
    {
        mk_cairos_thread again;
        CHECK(mk_cairos_get_thread_by_id(ctx.c, ctx.thread.id, &again, &ctx.err));
        int same = strcmp(again.id, ctx.thread.id) == 0;
        mk_cairos_thread_clear(&again);
        assert_true(same);
    }

    cairos_log_init(&ctx.log, ctx.c);
    cairos_log_on(&ctx.log, "animation_success", 1);
    cairos_log_on(&ctx.log, "animation_error", 0);
    cairos_log_on(&ctx.log, "export_success", 1);
    cairos_log_on(&ctx.log, "export_error", 0);
    cairos_log_on(&ctx.log, "usage_report", 0);
    /* only CairosSSEMessages names: an unregistered event (e.g. `debug`)
     * would stop the handler with an error, as error_on_unknown=True does */
    ctx.log.stop_on = "export_success";
    cairos_log_start(&ctx.log);

    CHECK(mk_cairos_send_chat(ctx.c, CAIROS_PROMPT, ctx.thread.id, &ctx.chat, &ctx.err));
    assert_uuid(ctx.chat->trigger_msg);
    CHECK(mk_cairos_motions_from_chat_output(ctx.chat, &ctx.motions, &ctx.err));
    assert_non_null(ctx.motions);
    assert_true(ctx.motions->count >= 1);

    /* animation_success: an OrmAnimation for this thread and this chat */
    ctx.data = cairos_log_next(&ctx.log, "animation_success");
    cJSON *j = parse(ctx.data);
    int rc = mk_cairos_animation_from_json(j, &ctx.anim, &ctx.err);
    cJSON_Delete(j);
    CHECK(rc);
    assert_string_equal(ctx.anim.job_thread, ctx.thread.id);
    char a[33], b[33];
    assert_int_equal(mk_cairos_uuid_hex(ctx.anim.job_trigger, a), MKC_OK);
    assert_int_equal(mk_cairos_uuid_hex(ctx.chat->trigger_msg, b), MKC_OK);
    assert_string_equal(a, b);
    assert_non_null(strstr(ctx.anim.filepath_gltf, ".glb"));
    free(ctx.data);
    ctx.data = NULL;

    /* export with the ids the event carried */
    mk_cairos_animation accepted;
    CHECK(mk_cairos_export_animation(ctx.c, ctx.anim.job_thread, ctx.anim.job_trigger, &accepted,
                                     &ctx.err));
    int same = strcmp(accepted.job_thread, ctx.anim.job_thread) == 0;
    mk_cairos_animation_clear(&accepted);
    assert_true(same);

    ctx.data = cairos_log_next(&ctx.log, "export_success");
    j = parse(ctx.data);
    rc = mk_cairos_export_from_json(j, &ctx.exp, &ctx.err);
    cJSON_Delete(j);
    CHECK(rc);
    assert_string_equal(ctx.exp.job_thread, ctx.thread.id);
    assert_int_equal(mk_cairos_uuid_hex(ctx.exp.job_trigger, a), MKC_OK);
    assert_string_equal(a, b);
    assert_true(strlen(ctx.exp.filepath) > 0);

    /* the export_success callback stopped the handler: the kit's callback
     * contract, a non-zero return aborts, naming the event */
    assert_int_equal(cairos_log_finish(&ctx.log), MKC_EABORTED);
    assert_non_null(strstr(ctx.log.err.message, "callback of event \"export_success\""));

    size_t len = 0;
    CHECK(mk_cairos_download_animation(ctx.c, ctx.exp.job_thread, ctx.exp.job_trigger,
                                       &ctx.bytes, &len, &ctx.err));
    assert_true(len > 22);
    assert_memory_equal(ctx.bytes, "PK\x03\x04", 4); /* a zip, as the example unpacks it */
}

/* The event log is an endless stream (sse-starlette pings every 15 s until
 * the client leaves): after the last job event it stays open, so a handler
 * that waits for the end in production waits here too; only stop() ends it. */
static void test_event_log_stays_open_after_last_event(void **state)
{
    (void)state;
    ctx.c = cairos_login();
    CHECK(mk_cairos_create_thread(ctx.c, &ctx.thread, &ctx.err));
    cairos_log_init(&ctx.log, ctx.c);
    cairos_log_on(&ctx.log, "animation_success", 1);
    cairos_log_on(&ctx.log, "export_success", 1);
    cairos_log_on(&ctx.log, "usage_report", 0);
    cairos_log_start(&ctx.log);
    CHECK(mk_cairos_send_chat(ctx.c, CAIROS_PROMPT, ctx.thread.id, &ctx.chat, &ctx.err));
    ctx.data = cairos_log_next(&ctx.log, "animation_success");
    cJSON *j = parse(ctx.data);
    int rc = mk_cairos_animation_from_json(j, &ctx.anim, &ctx.err);
    cJSON_Delete(j);
    CHECK(rc);
    free(ctx.data);
    ctx.data = NULL;
    mk_cairos_animation accepted;
    CHECK(mk_cairos_export_animation(ctx.c, ctx.anim.job_thread, ctx.anim.job_trigger, &accepted,
                                     &ctx.err));
    mk_cairos_animation_clear(&accepted);
    ctx.data = cairos_log_next(&ctx.log, "export_success");
    free(ctx.data);
    ctx.data = NULL;

    /* nothing ends the stream: no event, no end, within a bounded look */
    int kind = 0;
    char *more = NULL;
    size_t len = 0;
    if (mkc_queue_pop(ctx.log.q, 400, &kind, &more, &len) == MKC_OK) {
        char msg[200];
        snprintf(msg, sizeof msg, "after export_success: %s \"%.100s\"",
                 kind == EV_DONE ? "the stream ended" : "another event", more ? more : "");
        free(more);
        fail_msg("%s", msg);
    }
    assert_true(mk_cairos_sse_is_open(ctx.log.sse));
    mk_cairos_sse_stop(ctx.log.sse);
    assert_int_equal(cairos_log_finish(&ctx.log), MKC_EABORTED);
}

/* request_motions_sequence on the first listed thread (the seed's example). */
static void test_motions_sequence_returns_motions(void **state)
{
    (void)state;
    ctx.c = cairos_login();
    CHECK(mk_cairos_list_threads(ctx.c, &ctx.threads, &ctx.err));
    assert_true(ctx.threads.count >= 1);
    CHECK(mk_cairos_request_motions_sequence(ctx.c, CAIROS_PROMPT, ctx.threads.items[0].id,
                                             &ctx.chat, &ctx.err));
    CHECK(mk_cairos_motions_from_chat_output(ctx.chat, &ctx.motions, &ctx.err));
    assert_non_null(ctx.motions);
    assert_true(strlen(ctx.motions->key) > 0);
    assert_true(ctx.motions->count >= 1);
    for (size_t i = 0; i < ctx.motions->count; i++) {
        assert_true(ctx.motions->entries[i].sg_id > 0);
        assert_true(strlen(ctx.motions->entries[i].input) > 0);
        assert_non_null(ctx.motions->entries[i].shot_description);
    }
}

/* A chat answer without an artifact has no motions (None in Python). */
static void test_motions_absent_is_null(void **state)
{
    (void)state;
    mk_cairos_chat_output o = {0};
    o.json = cJSON_Parse("{\"trigger_msg\":\"x\",\"btl_objs\":\"[]\",\"messages\":"
                         "[{\"type\":\"human\",\"content\":\"hi\"}]}");
    assert_non_null(o.json);
    int rc = mk_cairos_motions_from_chat_output(&o, &ctx.motions, &ctx.err);
    cJSON_Delete(o.json);
    assert_int_equal(rc, MKC_OK);
    assert_null(ctx.motions);
    /* a StoredMessage-shaped artifact (Houdini client) is found too */
    o.json = cJSON_Parse("{\"messages\":[{\"type\":\"tool\",\"data\":{\"artifact\":{\"key\":\"k\","
                         "\"entries\":[{\"sg_id\":7,\"description\":\"d\",\"input\":\"/m/7\","
                         "\"created_at\":\"2025-01-01T00:00:00+00:00\",\"shot_description\":\"s\"}]}}}]}");
    rc = mk_cairos_motions_from_chat_output(&o, &ctx.motions, &ctx.err);
    cJSON_Delete(o.json);
    assert_int_equal(rc, MKC_OK);
    assert_non_null(ctx.motions);
    assert_int_equal(ctx.motions->count, 1);
    assert_int_equal(ctx.motions->entries[0].sg_id, 7);
}

static void test_avatars_list_get_file(void **state)
{
    (void)state;
    ctx.c = cairos_login();
    mk_cairos_avatar_list list = {0};
    CHECK(mk_cairos_list_avatars(ctx.c, &list, &ctx.err));
    if (list.count == 0) {
        mk_cairos_avatar_list_clear(&list);
        fail_msg("no avatars listed");
    }
    mk_cairos_avatar one = {0};
    int rc = mk_cairos_get_avatar(ctx.c, list.items[0].id, &one, &ctx.err);
    int same = rc == MKC_OK && strcmp(one.id, list.items[0].id) == 0;
    char id[64];
    snprintf(id, sizeof id, "%s", list.items[0].id);
    mk_cairos_avatar_clear(&one);
    mk_cairos_avatar_list_clear(&list);
    CHECK(rc);
    assert_true(same);
    size_t len = 0;
    CHECK(mk_cairos_get_avatar_file(ctx.c, id, &ctx.bytes, &len, &ctx.err));
    assert_true(len > 0);
}

static void test_uuid_hex(void **state)
{
    (void)state;
    char hex[33];
    assert_int_equal(mk_cairos_uuid_hex("243bafdd-d97d-4a61-9d84-603645e7505f", hex), MKC_OK);
    assert_string_equal(hex, "243bafddd97d4a619d84603645e7505f");
    assert_int_equal(mk_cairos_uuid_hex("243BAFDD-D97D-4A61-9D84-603645E7505F", hex), MKC_OK);
    assert_string_equal(hex, "243bafddd97d4a619d84603645e7505f");
    assert_int_equal(mk_cairos_uuid_hex("243bafdd", hex), MKC_EINVAL);
    assert_int_equal(mk_cairos_uuid_hex("zz3bafdd-d97d-4a61-9d84-603645e7505f", hex), MKC_EINVAL);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_full_flow_events_follow_requests, cairos_test_setup,
                                        cairos_test_teardown),
        cmocka_unit_test_setup_teardown(test_event_log_stays_open_after_last_event,
                                        cairos_test_setup, cairos_test_teardown),
        cmocka_unit_test_setup_teardown(test_motions_sequence_returns_motions, cairos_test_setup,
                                        cairos_test_teardown),
        cmocka_unit_test_setup_teardown(test_motions_absent_is_null, cairos_test_setup,
                                        cairos_test_teardown),
        cmocka_unit_test_setup_teardown(test_avatars_list_get_file, cairos_test_setup,
                                        cairos_test_teardown),
        cmocka_unit_test(test_uuid_hex),
    };
    return SUITE_RUN(argc, argv, tests, cairos_group_setup, cairos_group_teardown);
}
