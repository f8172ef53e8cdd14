/* suite-cassette-save: mk_cassette_save_json writes only valid, secret-free
 * cassettes, atomically: a refused save leaves an existing file
 * byte-identical and no temporary file behind; a save loads back to the
 * same cassette. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "helpers.h"
#include "mockkit/cassette.h"
#include "suite.h"

#define FULL MOCKKIT_SOURCE_DIR "/suites/cassette/data/full.json"

static char dir[512];

static int make_dir(void **state)
{
    (void)state;
    h_tmpdir(dir, sizeof dir);
    return 0;
}

static int remove_dir(void **state)
{
    (void)state;
    h_rmdir(dir);
    return 0;
}

static cJSON *full_doc(void)
{
    char *text = suite_read_file(FULL, NULL);
    assert_non_null(text);
    cJSON *doc = h_json(text);
    free(text);
    return doc;
}

static void test_save_then_load_round_trips(void **state)
{
    (void)state;
    cJSON *doc = full_doc();
    char path[1024];
    snprintf(path, sizeof path, "%s/round.json", dir);
    mk_diag d;
    assert_int_equal(mk_cassette_save_json(doc, path, &d), MK_CASSETTE_OK);
    assert_int_equal(h_hidden_entries(dir), 0);

    /* pretty-printed JSON equal to what was saved */
    char *text = suite_read_file(path, NULL);
    assert_non_null(strchr(text, '\n'));
    cJSON *back = h_json(text);
    assert_true(cJSON_Compare(doc, back, 1));
    free(text);
    cJSON_Delete(back);

    mk_cassette *a = NULL, *b = NULL;
    assert_int_equal(mk_cassette_from_json(doc, "mem", &a, &d), MK_CASSETTE_OK);
    assert_int_equal(mk_cassette_load(path, &b, &d), MK_CASSETTE_OK);
    assert_int_equal(a->count, b->count);
    for (size_t i = 0; i < a->count; i++) {
        const mk_interaction *x = &a->interactions[i], *y = &b->interactions[i];
        assert_string_equal(x->id, y->id);
        assert_int_equal(x->at_ms, y->at_ms);
        assert_int_equal(x->response.body.bytes.len, y->response.body.bytes.len);
        if (x->response.body.bytes.len)
            assert_memory_equal(x->response.body.bytes.data, y->response.body.bytes.data,
                                x->response.body.bytes.len);
        assert_int_equal(x->response.chunk_count, y->response.chunk_count);
        assert_int_equal(x->frame_count, y->frame_count);
    }
    mk_cassette_free(a);
    mk_cassette_free(b);
    cJSON_Delete(doc);
}

static void expect_refused(const char *set, const char *value, int status, const char *pointer)
{
    char path[1024];
    h_write(dir, "existing.json", "{\"old\": \"bytes\"}\n", path, sizeof path);
    cJSON *doc = full_doc();
    h_set(doc, set, value);
    mk_diag d;
    assert_int_equal(mk_cassette_save_json(doc, path, &d), status);
    assert_string_equal(d.pointer, pointer);
    assert_string_equal(d.file, path);
    char *after = suite_read_file(path, NULL);
    assert_string_equal(after, "{\"old\": \"bytes\"}\n");
    free(after);
    assert_int_equal(h_hidden_entries(dir), 0);

    /* a missing target is not created either */
    snprintf(path, sizeof path, "%s/never.json", dir);
    assert_int_equal(mk_cassette_save_json(doc, path, &d), status);
    struct stat st;
    assert_int_not_equal(stat(path, &st), 0);
    cJSON_Delete(doc);
}

static void test_refuses_secret_and_keeps_target(void **state)
{
    (void)state;
    expect_refused("/interactions/0/request/headers/Authorization",
                   "\"Bearer abcdefghijklmnopqrstuvwxyz\"", MK_CASSETTE_ESECRET,
                   "/interactions/0/request/headers/Authorization");
    expect_refused("/interactions/0/request/json/password", "\"hunter2\"", MK_CASSETTE_ESECRET,
                   "/interactions/0/request/json/password");
}

static void test_refuses_invalid_and_keeps_target(void **state)
{
    (void)state;
    expect_refused("/interactions/0/response/status", "\"201\"", MK_CASSETTE_ESCHEMA,
                   "/interactions/0/response/status");
}

static void test_replaces_existing_file(void **state)
{
    (void)state;
    char path[1024];
    h_write(dir, "replace.json", "old", path, sizeof path);
    cJSON *doc = full_doc();
    mk_diag d;
    assert_int_equal(mk_cassette_save_json(doc, path, &d), MK_CASSETTE_OK);
    mk_cassette *c = NULL;
    assert_int_equal(mk_cassette_load(path, &c, &d), MK_CASSETTE_OK);
    assert_int_equal(c->count, 4);
    mk_cassette_free(c);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    cJSON_Delete(doc);
}

static void test_unwritable_folder_is_eio(void **state)
{
    (void)state;
    cJSON *doc = full_doc();
    mk_diag d;
    assert_int_equal(mk_cassette_save_json(doc, "/nonexistent-mockkit/x.json", &d),
                     MK_CASSETTE_EIO);
    assert_non_null(strstr(d.message, "temporary file"));
    cJSON_Delete(doc);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_save_then_load_round_trips),
        cmocka_unit_test(test_refuses_secret_and_keeps_target),
        cmocka_unit_test(test_refuses_invalid_and_keeps_target),
        cmocka_unit_test(test_replaces_existing_file),
        cmocka_unit_test(test_unwritable_folder_is_eio),
    };
    return SUITE_RUN(argc, argv, tests, make_dir, remove_dir);
}
