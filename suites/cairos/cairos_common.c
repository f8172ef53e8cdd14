/* cairos_common.c: shared helpers of the cairos suites. */
#include "cairos_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

suite_target cairos_target;
cairos_ctx ctx;

int cairos_test_setup(void **state)
{
    (void)state;
    cairos_reset();
    memset(&ctx, 0, sizeof ctx);
    return 0;
}

int cairos_test_teardown(void **state)
{
    (void)state;
    cairos_log_free(&ctx.log);
    mk_cairos_free(ctx.c);
    mk_cairos_thread_clear(&ctx.thread);
    mk_cairos_thread_list_clear(&ctx.threads);
    mk_cairos_chat_output_free(ctx.chat);
    mk_cairos_motions_free(ctx.motions);
    mk_cairos_animation_clear(&ctx.anim);
    mk_cairos_export_clear(&ctx.exp);
    free(ctx.bytes);
    free(ctx.data);
    mkc_error_clear(&ctx.err);
    memset(&ctx, 0, sizeof ctx);
    return 0;
}

int cairos_group_setup(void **state)
{
    (void)state;
    return suite_target_start("cairos", &cairos_target);
}

int cairos_group_teardown(void **state)
{
    (void)state;
    suite_target_stop(&cairos_target);
    return 0;
}

void cairos_reset(void)
{
    if (cairos_target.mock) {
        mk_mock_reset(cairos_target.mock);
        return;
    }
    /* A live mockkit has the admin path at its root; a real service has
     * not, and nothing needs resetting there. */
    char root[600];
    const char *api = strstr(cairos_target.base_url, "/api");
    snprintf(root, sizeof root, "%.*s", api ? (int)(api - cairos_target.base_url) : 512,
             cairos_target.base_url);
    mkc_http *h = mkc_http_new(root);
    mkc_response *r = NULL;
    if (h)
        mkc_http_request(h, "POST", "/__mockkit/reset", NULL, NULL, NULL, 0, &r, NULL);
    mkc_response_free(r);
    mkc_http_free(h);
}

int cairos_target_is_mockkit(void)
{
    if (cairos_target.mock)
        return 1;
    char root[600];
    const char *api = strstr(cairos_target.base_url, "/api");
    snprintf(root, sizeof root, "%.*s", api ? (int)(api - cairos_target.base_url) : 512,
             cairos_target.base_url);
    mkc_http *h = mkc_http_new(root);
    mkc_response *r = NULL;
    int yes = h && mkc_http_request(h, "GET", "/__mockkit/requests", NULL, NULL, NULL, 0, &r,
                                    NULL) == MKC_OK && r->status == 200;
    mkc_response_free(r);
    mkc_http_free(h);
    return yes;
}

mk_cairos *cairos_login(void)
{
    mk_cairos *c = NULL;
    mkc_error err;
    memset(&err, 0, sizeof err);
    int rc = mk_cairos_login(cairos_target.base_url, cairos_target.username,
                             cairos_target.password, &c, &err);
    suite_assert_call(rc, &err);  /* says why login failed, in words */
    mkc_error_clear(&err);
    assert_non_null(c);
    return c;
}

static int push_event(void *user, const char *event, const char *data, size_t len,
                      const cJSON *json)
{
    (void)json;
    cairos_log *l = user;
    size_t n = strlen(event) + 1 + len;
    char *item = malloc(n + 1);
    if (!item)
        return 1;
    snprintf(item, n + 1, "%s\n", event);
    memcpy(item + strlen(event) + 1, data, len);
    item[n] = '\0';
    mkc_queue_push(l->q, EV_EVENT, item, n);
    free(item);
    return l->stop_on && strcmp(event, l->stop_on) == 0;
}

void cairos_log_init(cairos_log *l, mk_cairos *c)
{
    memset(l, 0, sizeof *l);
    l->sse = mk_cairos_sse_new(c);
    l->q = mkc_queue_new();
    assert_non_null(l->sse);
    assert_non_null(l->q);
}

void cairos_log_on(cairos_log *l, const char *event, int parse_json)
{
    assert_int_equal(mk_cairos_sse_register(l->sse, event, parse_json, push_event, l), MKC_OK);
}

void cairos_log_on_unknown(cairos_log *l)
{
    mk_cairos_sse_set_unknown_handler(l->sse, push_event, l);
}

static void *runner(void *arg)
{
    cairos_log *l = arg;
    l->rc = mk_cairos_sse_run(l->sse, &l->err);
    mkc_queue_push(l->q, EV_DONE, "", 0);
    return NULL;
}

void cairos_log_start(cairos_log *l)
{
    assert_int_equal(pthread_create(&l->thread, NULL, runner, l), 0);
    l->started = 1;
    if (mk_cairos_sse_wait_open(l->sse, 10000) != 0)
        fail_msg("event log did not open within 10 s");
}

char *cairos_log_next(cairos_log *l, const char *event)
{
    for (;;) {
        int kind = 0;
        char *data = NULL;
        size_t len = 0;
        int rc = mkc_queue_pop(l->q, CAIROS_WAIT_MS, &kind, &data, &len);
        if (rc != MKC_OK)
            fail_msg("no \"%s\" event within %d ms", event ? event : "(any)", CAIROS_WAIT_MS);
        if (kind == EV_DONE) {
            free(data);
            /* put it back so cairos_log_finish still sees it */
            mkc_queue_push(l->q, EV_DONE, "", 0);
            if (!event)
                return NULL;
            fail_msg("event log ended (%s: %s) before \"%s\"", mkc_errname(l->rc),
                     l->err.message, event);
        }
        size_t name_len = strcspn(data, "\n");
        if (!event || (strlen(event) == name_len && strncmp(data, event, name_len) == 0)) {
            if (!event)
                return data; /* "name\ndata" */
            char *payload = malloc(len - name_len);
            memcpy(payload, data + name_len + 1, len - name_len - 1);
            payload[len - name_len - 1] = '\0';
            free(data);
            return payload;
        }
        free(data);
    }
}

int cairos_log_finish(cairos_log *l)
{
    for (;;) {
        int kind = 0;
        char *data = NULL;
        size_t len = 0;
        if (mkc_queue_pop(l->q, CAIROS_WAIT_MS, &kind, &data, &len) != MKC_OK)
            fail_msg("event log did not end within %d ms", CAIROS_WAIT_MS);
        free(data);
        if (kind == EV_DONE)
            break;
    }
    pthread_join(l->thread, NULL);
    l->started = 0;
    return l->rc;
}

void cairos_log_free(cairos_log *l)
{
    if (l->started) {
        mk_cairos_sse_stop(l->sse);
        pthread_join(l->thread, NULL);
        l->started = 0;
    }
    mk_cairos_sse_free(l->sse);
    mkc_queue_free(l->q);
    mkc_error_clear(&l->err);
    memset(l, 0, sizeof *l);
}
