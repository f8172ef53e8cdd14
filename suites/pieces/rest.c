/* suite-pieces-rest: the REST shapes the Pieces SDKs and CLI rely on
 * (protocol note §1, §2.3): text/plain health and version, the Context of
 * /connect, models the CLI looks up, user, applications, assets,
 * conversations, and a clear error when nothing listens. Ids come from
 * responses, never from the fixtures. */
#include "pieces_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mk_pieces *client(void **state)
{
    pt_state *st = *state;
    pt_reset(st);
    mk_pieces *p = mk_pieces_new(st->t.base_url);
    assert_non_null(p);
    return p;
}

static void check(int rc, mkc_error *err)
{
    if (rc != MKC_OK)
        fail_msg("%s: %s", mkc_errname(rc), err->message);
}

static int in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

static void assert_timestamp(const cJSON *o, const char *key)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, key);
    assert_true(cJSON_IsObject(t));
    assert_non_null(pt_str(t, "value"));
}

/* Discovery: HEAD and GET answer 200; the body is text/plain "ok:<uuid>". */
static void test_health(void **state)
{
    mk_pieces *p = client(state);
    mkc_error err = {0};
    check(mk_pieces_health_probe(p, &err), &err);
    char *body = NULL;
    check(mk_pieces_health(p, &body, &err), &err);  /* enforces text/plain */
    assert_true(strncmp(body, "ok:", 3) == 0);
    assert_true(pt_is_uuid(body + 3));
    free(body);
    mk_pieces_free(p);
}

/* The CLI requires 12.0.0 <= version < 13.0.0, sent as text/plain. */
static void test_version(void **state)
{
    mk_pieces *p = client(state);
    mkc_error err = {0};
    char *v = NULL;
    check(mk_pieces_version(p, &v, &err), &err);
    int major = -1, minor = -1, patch = -1;
    assert_int_equal(sscanf(v, "%d.%d.%d", &major, &minor, &patch), 3);
    assert_int_equal(major, 12);
    assert_true(minor >= 0 && patch >= 0);
    free(v);
    mk_pieces_free(p);
}

/* The workshop's connect (OPEN_SOURCE on LINUX) returns a Context whose
 * Application has every required field and a stable id. */
static void test_connect(void **state)
{
    mk_pieces *p = client(state);
    mkc_error err = {0};
    cJSON *ctx = NULL;
    check(mk_pieces_connect(p, "OPEN_SOURCE", "LINUX", "1.0.0", &ctx, &err), &err);
    assert_true(pt_is_uuid(pt_str(ctx, "os")));
    const cJSON *app = cJSON_GetObjectItemCaseSensitive(ctx, "application");
    assert_true(cJSON_IsObject(app));
    assert_true(pt_is_uuid(pt_str(app, "id")));
    assert_string_equal(pt_str(app, "name"), "OPEN_SOURCE");
    assert_string_equal(pt_str(app, "platform"), "LINUX");
    assert_non_null(pt_str(app, "version"));
    assert_true(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(app, "onboarded")));
    static const char *const privacy[] = {"UNKNOWN", "OPEN", "CLOSED", "ANONYMOUS", NULL};
    assert_true(in_list(pt_str(app, "privacy"), privacy));
    assert_true(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(ctx, "health")));
    assert_string_equal(mk_pieces_application_id(p), pt_str(app, "id"));

    char first[64];
    snprintf(first, sizeof first, "%s", mk_pieces_application_id(p));
    check(mk_pieces_connect(p, "OPEN_SOURCE", "LINUX", "1.0.0", NULL, &err), &err);
    assert_string_equal(mk_pieces_application_id(p), first);
    cJSON_Delete(ctx);
    mk_pieces_free(p);
}

/* PiecesClient connects with platform.system() mapped to WINDOWS, LINUX,
 * MACOS or WEB: every one is answered with an Application on that
 * platform, a stable id per platform. */
static void test_connect_platforms(void **state)
{
    static const char *const platforms[] = {"MACOS", "WINDOWS", "LINUX", "WEB"};
    for (size_t i = 0; i < sizeof platforms / sizeof platforms[0]; i++) {
        mk_pieces *p = client(state);
        mkc_error err = {0};
        cJSON *ctx = NULL;
        int rc = mk_pieces_connect(p, "OPEN_SOURCE", platforms[i], "5.0.0", &ctx, &err);
        if (rc != MKC_OK)
            fail_msg("connect on %s: %s: %s", platforms[i], mkc_errname(rc), err.message);
        const cJSON *app = cJSON_GetObjectItemCaseSensitive(ctx, "application");
        assert_string_equal(pt_str(app, "platform"), platforms[i]);
        assert_string_equal(pt_str(app, "name"), "OPEN_SOURCE");
        assert_true(pt_is_uuid(pt_str(app, "id")));
        char first[64];
        snprintf(first, sizeof first, "%s", pt_str(app, "id"));
        cJSON_Delete(ctx);
        check(mk_pieces_connect(p, "OPEN_SOURCE", platforms[i], "5.0.0", NULL, &err), &err);
        assert_string_equal(mk_pieces_application_id(p), first);
        mk_pieces_free(p);
    }
}

/* Models parse under the SDK's required fields, and the two the CLI looks
 * up by literal value are there. */
static void test_models(void **state)
{
    mk_pieces *p = client(state);
    mkc_error err = {0};
    cJSON *models = NULL;
    check(mk_pieces_models(p, &models, &err), &err);
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(models, "iterable");
    assert_true(cJSON_IsArray(it));
    assert_true(cJSON_GetArraySize(it) > 0);
    static const char *const types[] = {"UNKNOWN", "BALANCED", "SPEED", "ACCURACY", NULL};
    int usable = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, it) {
        assert_true(pt_is_uuid(pt_str(m, "id")));
        assert_non_null(pt_str(m, "version"));
        assert_non_null(pt_str(m, "name"));
        assert_timestamp(m, "created");
        const cJSON *cloud = cJSON_GetObjectItemCaseSensitive(m, "cloud");
        assert_true(cJSON_IsBool(cloud));
        assert_true(in_list(pt_str(m, "type"), types));
        assert_non_null(pt_str(m, "usage"));
        usable += cJSON_IsTrue(cloud) ||
                  cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "downloaded"));
    }
    assert_true(usable > 0);
    assert_non_null(mk_pieces_models_find(models, "unique", "gemini-2.0-flash-lite-001"));
    assert_non_null(mk_pieces_models_find(models, "name", "GPT-3.5-turbo Chat Model"));
    cJSON_Delete(models);
    mk_pieces_free(p);
}

/* /user has a profile (id, aesthetics); /applications lists OS_SERVER. */
static void test_user_and_applications(void **state)
{
    mk_pieces *p = client(state);
    mkc_error err = {0};
    cJSON *u = NULL;
    check(mk_pieces_user(p, &u, &err), &err);
    const cJSON *user = cJSON_GetObjectItemCaseSensitive(u, "user");
    assert_true(cJSON_IsObject(user));
    assert_non_null(pt_str(user, "id"));
    assert_true(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(user, "aesthetics")));
    cJSON_Delete(u);

    cJSON *apps = NULL;
    check(mk_pieces_applications(p, &apps, &err), &err);
    int os_server = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(apps, "iterable")) {
        assert_true(pt_is_uuid(pt_str(a, "id")));
        os_server += strcmp(pt_str(a, "name"), "OS_SERVER") == 0;
    }
    assert_true(os_server >= 1);
    cJSON_Delete(apps);
    mk_pieces_free(p);
}

static void assert_asset(const cJSON *a)
{
    assert_true(pt_is_uuid(pt_str(a, "id")));
    assert_non_null(pt_str(a, "creator"));
    assert_timestamp(a, "created");
    assert_timestamp(a, "updated");
    assert_non_null(pt_str(a, "mechanism"));
    assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(a, "formats"), "iterable")));
    const cJSON *original = cJSON_GetObjectItemCaseSensitive(a, "original");
    assert_non_null(pt_str(original, "id"));
    const cJSON *preview = cJSON_GetObjectItemCaseSensitive(a, "preview");
    assert_non_null(pt_str(cJSON_GetObjectItemCaseSensitive(preview, "base"), "id"));
    /* FlattenedFormat.asset must be the asset's 36-char UUID. */
    const cJSON *ref = cJSON_GetObjectItemCaseSensitive(original, "reference");
    if (ref)
        assert_true(pt_is_uuid(pt_str(ref, "asset")));
    /* Asset.formats holds full Formats, whose `asset` is a FlattenedAsset
     * (an object with the required id, creator, created, updated,
     * mechanism, formats, original and preview.base as ids), not an id. */
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(
                              cJSON_GetObjectItemCaseSensitive(a, "formats"), "iterable")) {
        assert_non_null(pt_str(f, "id"));
        assert_true(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(f, "application")));
        const cJSON *flat = cJSON_GetObjectItemCaseSensitive(f, "asset");
        if (!cJSON_IsObject(flat))
            fail_msg("formats.iterable[].asset is not a FlattenedAsset object");
        assert_string_equal(pt_str(flat, "id"), pt_str(a, "id"));
        assert_non_null(pt_str(flat, "creator"));
        assert_timestamp(flat, "created");
        assert_timestamp(flat, "updated");
        assert_non_null(pt_str(flat, "mechanism"));
        assert_non_null(pt_str(flat, "original"));  /* a format id, not an object */
        assert_non_null(pt_str(cJSON_GetObjectItemCaseSensitive(flat, "preview"), "base"));
        assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(flat, "formats"), "iterable")));
    }
}

/* Every listed asset has the required fields and resolves by id. */
static void test_assets(void **state)
{
    mk_pieces *p = client(state);
    mkc_error err = {0};
    cJSON *assets = NULL;
    check(mk_pieces_assets(p, &assets, &err), &err);
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(assets, "iterable")) {
        assert_asset(a);
        cJSON *one = NULL;
        check(mk_pieces_asset(p, pt_str(a, "id"), &one, &err), &err);
        assert_string_equal(pt_str(one, "id"), pt_str(a, "id"));
        cJSON_Delete(one);
    }
    cJSON_Delete(assets);
    mk_pieces_free(p);
}

/* Every listed conversation has the required fields, resolves by id, and
 * its messages resolve with a role. */
static void test_conversations(void **state)
{
    mk_pieces *p = client(state);
    mkc_error err = {0};
    cJSON *convs = NULL;
    check(mk_pieces_conversations(p, &convs, &err), &err);
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(convs, "iterable")) {
        cJSON *one = NULL;
        check(mk_pieces_conversation(p, pt_str(c, "id"), &one, &err), &err);
        assert_string_equal(pt_str(one, "id"), pt_str(c, "id"));
        static const char *const types[] = {"UNKNOWN", "COPILOT", NULL};
        assert_true(in_list(pt_str(one, "type"), types));
        assert_timestamp(one, "created");
        assert_timestamp(one, "updated");
        const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(one, "messages"), "iterable");
        assert_true(cJSON_IsArray(msgs));
        const cJSON *m;
        cJSON_ArrayForEach(m, msgs) {
            cJSON *msg = NULL;
            check(mk_pieces_message(p, pt_str(m, "id"), &msg, &err), &err);
            assert_non_null(pt_str(msg, "role"));
            assert_string_equal(pt_str(cJSON_GetObjectItemCaseSensitive(msg, "conversation"),
                                       "id"),
                                pt_str(one, "id"));
            cJSON_Delete(msg);
        }
        cJSON_Delete(one);
    }
    cJSON_Delete(convs);
    mk_pieces_free(p);
}

/* JSON endpoints are application/json and text ones text/plain: asking
 * for JSON from a text endpoint is a content-type error, not garbage. */
static void test_content_types(void **state)
{
    mk_pieces *p = client(state);
    mkc_error err = {0};
    cJSON *j = NULL;
    assert_int_equal(mk_pieces_get_json(p, "/.well-known/version", &j, &err),
                     MKC_ECONTENT_TYPE);
    assert_null(j);
    mkc_error_clear(&err);
    /* An unknown path is a 404 carried as MKC_EHTTP with the body. */
    assert_int_equal(mk_pieces_get_json(p, "/mockkit/no/such/path", &j, &err), MKC_EHTTP);
    assert_int_equal(err.http_status, 404);
    mkc_error_clear(&err);
    mk_pieces_free(p);
}

/* Nothing listening: a clear MKC_ECONNECT naming the URL, quickly. */
static void test_not_running(void **state)
{
    (void)state;
    int port = pt_closed_port();
    assert_true(port > 0);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    mk_pieces *p = mk_pieces_new(url);
    assert_non_null(p);
    mkc_error err = {0};
    char *body = NULL;
    long long t0 = pt_now_ms();
    assert_int_equal(mk_pieces_health(p, &body, &err), MKC_ECONNECT);
    assert_true(pt_now_ms() - t0 < 3000);
    assert_null(body);
    assert_non_null(strstr(err.message, url + 7));
    mkc_error_clear(&err);

    mkc_queue *q = mkc_queue_new();
    mk_pieces_ws_callbacks cb = pt_callbacks(q);
    mk_pieces_ws *ws = mk_pieces_ws_new(p, MK_PIECES_WS_HEALTH, &cb);
    t0 = pt_now_ms();
    assert_int_equal(mk_pieces_ws_start(ws, &err), MKC_ECONNECT);
    assert_true(pt_now_ms() - t0 < 3000);
    assert_false(mk_pieces_ws_is_running(ws));
    mkc_error_clear(&err);
    mk_pieces_free(p);  /* frees ws too */
    mkc_queue_free(q);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_health),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_connect),
        cmocka_unit_test(test_connect_platforms),
        cmocka_unit_test(test_models),
        cmocka_unit_test(test_user_and_applications),
        cmocka_unit_test(test_assets),
        cmocka_unit_test(test_conversations),
        cmocka_unit_test(test_content_types),
        cmocka_unit_test(test_not_running),
    };
    return SUITE_RUN(argc, argv, tests, pt_group_setup, pt_group_teardown);
}
