/* suite-faults-cassette: a cassette's faults survive a load and a save (the
 * recorder's append path re-reads a cassette and saves it through
 * mk_cassette_save_json): every "fault" on an interaction, a chunk and a
 * server frame is there, unchanged, after the round trip. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "mockkit/cassette.h"
#include "suite.h"

#define DECLARED MOCKKIT_SOURCE_DIR "/suites/faults/cassettes/declared.json"

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char *text = NULL;
    long n;
    assert_non_null(fp);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    n = ftell(fp);
    assert_true(n > 0);
    rewind(fp);
    text = calloc(1, (size_t)n + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    return text;
}

/* Every fault of c in order, "|"-joined with where it sits. */
static void faults_of(const mk_cassette *c, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < c->count; i++) {
        const mk_interaction *ix = &c->interactions[i];
        if (ix->fault)
            used += (size_t)snprintf(out + used, size - used, "%s:%s|", ix->id, ix->fault);
        for (size_t k = 0; k < ix->response.chunk_count && used < size; k++)
            if (ix->response.chunks[k].fault)
                used += (size_t)snprintf(out + used, size - used, "%s/chunk%zu:%s|", ix->id, k,
                                         ix->response.chunks[k].fault);
        for (size_t k = 0; k < ix->frame_count && used < size; k++)
            if (ix->frames[k].fault)
                used += (size_t)snprintf(out + used, size - used, "%s/frame%zu:%s|", ix->id, k,
                                         ix->frames[k].fault);
        assert_true(used < size);
    }
}

static void faults_survive_load_and_save(void **state)
{
    (void)state;
    mk_cassette *before = NULL, *after = NULL;
    mk_diag d;
    char path[256], want[2048], got[2048];
    char *text = slurp(DECLARED);
    cJSON *root = cJSON_Parse(text);
    assert_non_null(root);
    memset(&d, 0, sizeof(d));
    assert_int_equal(mk_cassette_load(DECLARED, &before, &d), MK_CASSETTE_OK);
    faults_of(before, want, sizeof(want));
    /* all three places hold one */
    assert_non_null(strstr(want, ":status=503|"));
    assert_non_null(strstr(want, "/chunk1:cut=byte:20,rst|"));
    assert_non_null(strstr(want, ":latency=250|"));
    assert_non_null(strstr(want, "/frame"));

    snprintf(path, sizeof(path), "%s/faults-roundtrip-%d.json", MOCKKIT_BINARY_DIR, (int)getpid());
    assert_int_equal(mk_cassette_save_json(root, path, &d), MK_CASSETTE_OK);
    assert_int_equal(mk_cassette_load(path, &after, &d), MK_CASSETTE_OK);
    faults_of(after, got, sizeof(got));
    assert_string_equal(got, want);

    /* and the saved file passes lint with its faults (their grammar is checked
     * when a mock loads them; here the schema keeps them) */
    assert_int_equal(mk_cassette_lint(path, NULL, NULL), 0);
    mk_cassette_free(before);
    mk_cassette_free(after);
    cJSON_Delete(root);
    free(text);
    remove(path);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(faults_survive_load_and_save),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
