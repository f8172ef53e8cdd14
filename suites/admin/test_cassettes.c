/* test_cassettes.c: adding, replacing, removing and reloading cassettes of
 * a running mock over /__mockkit/ and the C API, who may do it, and that a
 * bad cassette is refused with lint's message while the old set serves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "admin_util.h"
#include "suite.h"

static mk_mock *start(const char *dir, const char *token)
{
    mk_mock_options o;
    mk_mock *m = NULL;
    mk_diag d;
    const char *paths[] = {dir};
    mk_mock_options_init(&o);
    o.speed = 0;
    o.quiet = 1;
    o.admin_token = token;
    assert_int_equal(mk_mock_new(&o, paths, 1, &m, &d), MK_MOCK_OK);
    return m;
}

typedef struct fx {
    char dir[64];
    mk_mock *m;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    char *a = au_cassette("alpha", "/a", "A1");
    au_tmpdir(f->dir, sizeof(f->dir));
    au_write(f->dir, "alpha.json", a);
    free(a);
    f->m = start(f->dir, NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    mk_mock_free(f->m);
    au_rmdir(f->dir);
    free(f);
    return 0;
}

static void assert_answers(mk_mock *m, const char *path, const char *text)
{
    long status;
    char *body = au_get(m, path, &status);
    if (!text) {
        assert_int_equal(status, 404);
        return;
    }
    assert_int_equal(status, 200);
    assert_string_equal(body, text);
    free(body);
}

/* What GET /__mockkit/cassettes lists: names, files, counts. */
static void list_names(mk_mock *m, char *out, size_t size)
{
    cu_resp r;
    cJSON *j;
    const cJSON *e;
    out[0] = '\0';
    au_admin(m, "GET", "/__mockkit/cassettes", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    j = cJSON_Parse(r.body);
    assert_true(cJSON_IsArray(j));
    cJSON_ArrayForEach(e, j)
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "name");
        assert_true(cJSON_IsString(n));
        assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(e, "interactions")));
        strncat(out, n->valuestring, size - strlen(out) - 2);
        strncat(out, " ", size - strlen(out) - 1);
    }
    cJSON_Delete(j);
    cu_resp_free(&r);
}

static void test_list(void **state)
{
    fx *f = *state;
    char names[256];
    list_names(f->m, names, sizeof(names));
    assert_string_equal(names, "alpha ");
}

static void test_add_then_replace(void **state)
{
    fx *f = *state;
    cu_resp r;
    char names[256];
    char *b1 = au_cassette("beta", "/b", "B1"), *b2 = au_cassette("beta", "/b", "B2");
    assert_answers(f->m, "/b", NULL);
    au_admin(f->m, "POST", "/__mockkit/cassettes", b1, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"done\":\"add\""));
    cu_resp_free(&r);
    assert_answers(f->m, "/b", "B1");
    assert_answers(f->m, "/a", "A1");
    /* the same meta.name replaces, it does not add a second */
    au_admin(f->m, "POST", "/__mockkit/cassettes", b2, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"replaced\":1"));
    cu_resp_free(&r);
    assert_answers(f->m, "/b", "B2");
    list_names(f->m, names, sizeof(names));
    assert_string_equal(names, "alpha beta ");
    free(b1);
    free(b2);
}

static void test_remove(void **state)
{
    fx *f = *state;
    cu_resp r;
    au_admin(f->m, "DELETE", "/__mockkit/cassettes/alpha", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    cu_resp_free(&r);
    assert_answers(f->m, "/a", NULL);
    au_admin(f->m, "DELETE", "/__mockkit/cassettes/alpha", NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "alpha"));
    cu_resp_free(&r);
}

/* A schema error names the pointer, as `mockkit lint` does; nothing changes. */
static void test_bad_cassette_refused(void **state)
{
    fx *f = *state;
    cu_resp r;
    cJSON *j;
    char *bad = au_cassette("alpha", "/a", "A2");
    char *at = strstr(bad, "\"status\":200");
    memcpy(at, "\"status\":\"x\"", 12); /* same length: a string where a number goes */
    au_admin(f->m, "POST", "/__mockkit/cassettes", bad, NULL, &r);
    assert_int_equal(r.status, 400);
    j = cJSON_Parse(r.body);
    assert_non_null(j);
    assert_string_equal(cJSON_GetObjectItem(j, "pointer")->valuestring,
                        "/interactions/0/response/status");
    assert_non_null(strstr(cJSON_GetObjectItem(j, "message")->valuestring,
                           "/interactions/0/response/status"));
    cJSON_Delete(j);
    cu_resp_free(&r);
    assert_answers(f->m, "/a", "A1");
    /* a syntax error: line and column */
    au_admin(f->m, "POST", "/__mockkit/cassettes", "{\"mockkit_cassette\":1,\n  oops}", NULL, &r);
    assert_int_equal(r.status, 400);
    j = cJSON_Parse(r.body);
    assert_int_equal(cJSON_GetObjectItem(j, "line")->valueint, 2);
    cJSON_Delete(j);
    cu_resp_free(&r);
    free(bad);
}

/* Lint's secret scan refuses a recorded key, without echoing it. */
static void test_secret_refused(void **state)
{
    fx *f = *state;
    cu_resp r;
    const char *key = "sk-proj-abcdefghijklmnopqrstuvwxyz0123";
    char *c = au_cassette("gamma", "/g", key);
    au_admin(f->m, "POST", "/__mockkit/cassettes", c, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "secret"));
    assert_null(strstr(r.body, key));
    cu_resp_free(&r);
    assert_answers(f->m, "/g", NULL);
    free(c);
}

/* POST /__mockkit/reload reads the folder again; a bad file refuses it all. */
static void test_reload(void **state)
{
    fx *f = *state;
    cu_resp r;
    char *a2 = au_cassette("alpha", "/a", "A2"), *d = au_cassette("delta", "/d", "D1");
    au_write(f->dir, "alpha.json", a2);
    au_write(f->dir, "delta.json", d);
    assert_answers(f->m, "/a", "A1"); /* nothing changes until asked */
    au_admin(f->m, "POST", "/__mockkit/reload", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    cu_resp_free(&r);
    assert_answers(f->m, "/a", "A2");
    assert_answers(f->m, "/d", "D1");
    au_write(f->dir, "broken.json", "{\"mockkit_cassette\": 1,");
    au_admin(f->m, "POST", "/__mockkit/reload", NULL, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "broken.json"));
    cu_resp_free(&r);
    assert_answers(f->m, "/a", "A2");
    assert_answers(f->m, "/d", "D1");
    free(a2);
    free(d);
}

/* Sequence state of a cassette that stays is kept across a swap. */
static void test_sequence_survives_add(void **state)
{
    fx *f = *state;
    cu_resp r;
    char *seq = au_cassette("seq", "/s", "first");
    char *second = seq + strlen(seq) - 2; /* the closing "]}" of interactions */
    char doc[4096];
    char *e = au_cassette("eps", "/e", "E");
    /* two recorded answers to GET /s: a sequence */
    snprintf(doc, sizeof(doc), "%.*s,{\"id\":\"get2\",\"at_ms\":1,\"request\":{\"method\":"
             "\"GET\",\"path\":\"/s\"},\"response\":{\"status\":200,\"text\":\"second\"}}]}",
             (int)(second - seq), seq);
    au_admin(f->m, "POST", "/__mockkit/cassettes", doc, NULL, &r);
    assert_int_equal(r.status, 200);
    cu_resp_free(&r);
    assert_answers(f->m, "/s", "first");
    au_admin(f->m, "POST", "/__mockkit/cassettes", e, NULL, &r);
    assert_int_equal(r.status, 200);
    cu_resp_free(&r);
    assert_answers(f->m, "/s", "second");
    free(seq);
    free(e);
}

/* The C API does what the endpoints do. */
static void test_c_api(void **state)
{
    fx *f = *state;
    mk_diag d;
    int replaced = -1;
    char *b = au_cassette("beta", "/b", "B1");
    cJSON *list;
    assert_int_equal(mk_mock_add_cassette(f->m, b, strlen(b), "beta.json", &replaced, &d),
                     MK_MOCK_OK);
    assert_int_equal(replaced, 0);
    assert_answers(f->m, "/b", "B1");
    list = mk_mock_cassettes_json(f->m);
    assert_int_equal(cJSON_GetArraySize(list), 2);
    cJSON_Delete(list);
    assert_int_equal(mk_mock_remove_cassette(f->m, "beta", &d), MK_MOCK_OK);
    assert_answers(f->m, "/b", NULL);
    assert_int_equal(mk_mock_remove_cassette(f->m, "beta", &d), MK_MOCK_ENOENT);
    assert_int_equal(mk_mock_add_cassette(f->m, "{", 1, "x.json", NULL, &d), MK_MOCK_ECASSETTE);
    assert_string_equal(d.file, "x.json");
    assert_int_equal(mk_mock_reload(f->m, &d), MK_MOCK_OK);
    assert_answers(f->m, "/a", "A1");
    free(b);
}

/* With a token every admin request needs it, loopback ones too. */
static void test_token(void **state)
{
    fx *f = *state;
    cu_resp r;
    mk_mock *m = start(f->dir, "s3cret-admin");
    au_admin(m, "GET", "/__mockkit/cassettes", NULL, NULL, &r);
    assert_int_equal(r.status, 401);
    cu_resp_free(&r);
    au_admin(m, "DELETE", "/__mockkit/cassettes/alpha", NULL, "wrong", &r);
    assert_int_equal(r.status, 401);
    cu_resp_free(&r);
    assert_answers(m, "/a", "A1");
    au_admin(m, "DELETE", "/__mockkit/cassettes/alpha", NULL, "s3cret-admin", &r);
    assert_int_equal(r.status, 200);
    cu_resp_free(&r);
    assert_answers(m, "/a", NULL);
    mk_mock_free(m);
}

/* Off loopback the admin API needs a token: refused before listening. */
static void test_bind_needs_token(void **state)
{
    fx *f = *state;
    mk_mock_options o;
    mk_mock *m = NULL;
    mk_diag d;
    const char *paths[] = {f->dir};
    mk_mock_options_init(&o);
    o.bind = "0.0.0.0";
    assert_int_equal(mk_mock_new(&o, paths, 1, &m, &d), MK_MOCK_EINVAL);
    assert_null(m);
    assert_non_null(strstr(d.message, "admin_token"));
}

/* A cassette's `fault` is checked as lint checks it whenever cassettes are
 * swapped in (add, reload), not only at start: a bad one is refused with
 * its pointer and the old set serves; a good one fires. Faults sit behind
 * the same access check as every admin path. */
static char *with_fault(const char *name, const char *path, const char *fault)
{
    char *c = au_cassette(name, path, "F1");
    const char *at = strstr(c, "\"id\":\"get\",");
    size_t n = strlen(c) + strlen(fault) + 16, head = (size_t)(at - c) + 11;
    char *out = malloc(n);
    assert_non_null(out);
    snprintf(out, n, "%.*s\"fault\":\"%s\",%s", (int)head, c, fault, c + head);
    free(c);
    return out;
}

static void test_fault_checked_on_swap(void **state)
{
    fx *f = *state;
    cu_resp r;
    cJSON *j;
    long status;
    char *bad = with_fault("phi", "/p", "status=9999"), *good = with_fault("phi", "/p", "status=503");
    au_admin(f->m, "POST", "/__mockkit/cassettes", bad, NULL, &r);
    assert_int_equal(r.status, 400);
    j = cJSON_Parse(r.body);
    assert_non_null(j);
    assert_string_equal(cJSON_GetObjectItem(j, "pointer")->valuestring, "/interactions/0/fault");
    cJSON_Delete(j);
    cu_resp_free(&r);
    assert_answers(f->m, "/p", NULL);
    assert_answers(f->m, "/a", "A1");
    au_write(f->dir, "phi.json", bad);
    au_admin(f->m, "POST", "/__mockkit/reload", NULL, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "/interactions/0/fault"));
    cu_resp_free(&r);
    assert_answers(f->m, "/a", "A1");
    au_write(f->dir, "phi.json", good);
    au_admin(f->m, "POST", "/__mockkit/reload", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    cu_resp_free(&r);
    free(au_get(f->m, "/p", &status));
    assert_int_equal(status, 503);
    free(bad);
    free(good);
}

static void test_faults_need_token(void **state)
{
    fx *f = *state;
    cu_resp r;
    long status;
    mk_mock *m = start(f->dir, "s3cret-admin");
    au_admin(m, "POST", "/__mockkit/faults", "{\"fault\":\"/a:status=500\"}", NULL, &r);
    assert_int_equal(r.status, 401);
    cu_resp_free(&r);
    assert_answers(m, "/a", "A1");
    au_admin(m, "POST", "/__mockkit/faults", "{\"fault\":\"/a:status=500\"}", "s3cret-admin",
             &r);
    assert_int_equal(r.status, 200);
    cu_resp_free(&r);
    free(au_get(m, "/a", &status));
    assert_int_equal(status, 500);
    /* an unknown admin path names the faults one among the paths there are */
    au_admin(m, "GET", "/__mockkit/nope", NULL, "s3cret-admin", &r);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "/__mockkit/faults"));
    cu_resp_free(&r);
    mk_mock_free(m);
}

/* One reset for every service: POST /__mockkit/reset on one port of a
 * group clears the journals of all, and so does mk_mock_group_reset. */
static void test_group_reset(void **state)
{
    fx *f = *state;
    mk_mock_group *g = mk_mock_group_new();
    mk_mock *m[2];
    mk_mock_options o;
    mk_diag d;
    cu_resp r;
    mk_journal_entry e;
    const char *paths[] = {f->dir};
    assert_non_null(g);
    mk_mock_options_init(&o);
    o.speed = 0;
    o.quiet = 1;
    o.group = g;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(mk_mock_new(&o, paths, 1, &m[i], &d), MK_MOCK_OK);
        assert_answers(m[i], "/a", "A1");
        assert_int_equal(mk_mock_journal(m[i], &e, 1), 1);
    }
    au_admin(m[1], "POST", "/__mockkit/reset", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"mocks\":2"));
    cu_resp_free(&r);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(mk_mock_journal(m[i], &e, 1), 0);
        assert_answers(m[i], "/a", "A1");
    }
    mk_mock_free(m[0]);
    assert_int_equal(mk_mock_group_reset(g), 1); /* a freed mock has left */
    assert_int_equal(mk_mock_journal(m[1], &e, 1), 0);
    mk_mock_free(m[1]);
    mk_mock_group_free(g);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_then_replace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_cassette_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sequence_survives_add, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c_api, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bind_needs_token, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fault_checked_on_swap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_faults_need_token, setup, teardown),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
