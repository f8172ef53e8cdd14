/* suite-conformance-asset: the gate catches the Pieces Asset bug (issue 9).
 * In the SDK's Format, `asset` is a full FlattenedAsset object (only
 * FlattenedFormat.asset is a string id). A copy of fixtures/pieces/rest.json
 * whose formats carry string ids must fail the gate at
 * .../formats/iterable/N/asset, naming Format.asset and FlattenedAsset; the
 * same copy with FlattenedAsset objects there must pass. Works whatever the
 * shipped fixture currently holds, since both copies are rewritten. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mockkit/conform.h"
#include "suite.h"

#define REST MOCKKIT_FIXTURES_DIR "/pieces/rest.json"
#define MODEL MOCKKIT_SOURCE_DIR "/models/pieces.json"

/* A FlattenedAsset for asset: scalars kept, formats and previews as ids. */
static cJSON *flatten(const cJSON *asset)
{
    cJSON *flat = cJSON_Duplicate(asset, 1);
    cJSON *refs = cJSON_CreateArray();
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(cJSON_GetObjectItem(asset, "formats"), "iterable")) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "id", cJSON_GetObjectItem(f, "id")->valuestring);
        cJSON_AddItemToArray(refs, r);
    }
    cJSON *formats = cJSON_CreateObject();
    cJSON_AddItemToObject(formats, "iterable", refs);
    cJSON_ReplaceItemInObject(flat, "formats", formats);
    const cJSON *orig = cJSON_GetObjectItem(asset, "original");
    cJSON_ReplaceItemInObject(flat, "original",
                              cJSON_CreateString(cJSON_GetObjectItem(orig, "id")->valuestring));
    cJSON *preview = cJSON_CreateObject();
    const cJSON *p = cJSON_GetObjectItem(asset, "preview");
    const char *keys[] = {"base", "overlay"};
    for (int i = 0; i < 2; i++) {
        const cJSON *x = cJSON_GetObjectItem(p, keys[i]);
        if (cJSON_IsObject(x))
            cJSON_AddStringToObject(preview, keys[i], cJSON_GetObjectItem(x, "id")->valuestring);
    }
    cJSON_ReplaceItemInObject(flat, "preview", preview);
    return flat;
}

/* Every Format in asset.formats.iterable gets asset = a copy of with
 * (original.reference and previews are FlattenedFormats: string ids there
 * are right and stay). Returns how many were set. */
static int set_format_assets(cJSON *asset, const cJSON *with)
{
    int n = 0;
    cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(cJSON_GetObjectItem(asset, "formats"), "iterable")) {
        cJSON_ReplaceItemInObject(f, "asset", cJSON_Duplicate(with, 1));
        n++;
    }
    return n;
}

/* Rewrites every Asset response body of the cassette; returns the count. */
static int rewrite(cJSON *doc, int as_objects)
{
    int formats = 0;
    cJSON *ix;
    cJSON_ArrayForEach(ix, cJSON_GetObjectItem(doc, "interactions")) {
        cJSON *body = cJSON_GetObjectItem(cJSON_GetObjectItem(ix, "response"), "json");
        cJSON *list = cJSON_GetObjectItem(body, "iterable");
        cJSON *one = cJSON_GetObjectItem(body, "formats") ? body : NULL;
        cJSON *assets[64];
        int n = 0;
        if (one)
            assets[n++] = one;
        cJSON *a;
        cJSON_ArrayForEach(a, list) {
            if (cJSON_GetObjectItem(a, "formats") && n < 64)
                assets[n++] = a;
        }
        for (int i = 0; i < n; i++) {
            cJSON *with = as_objects ? flatten(assets[i])
                                     : cJSON_CreateString(cJSON_GetObjectItem(assets[i], "id")->valuestring);
            formats += set_format_assets(assets[i], with);
            cJSON_Delete(with);
        }
    }
    return formats;
}

typedef struct seen {
    int asset_errors;
    int other_errors;
    char first[1200];
} seen;

static void on_finding(void *ctx, const mk_conform_finding *f)
{
    seen *s = ctx;
    if (f->status == MK_MODEL_OK || f->status == MK_MODEL_SKIPPED)
        return;
    const char *ptr = f->error.pointer;
    size_t n = strlen(ptr);
    int at_asset = n > 6 && strcmp(ptr + n - 6, "/asset") == 0 && strstr(ptr, "/formats/iterable/");
    if (f->status == MK_MODEL_INVALID && at_asset && strcmp(f->error.keyword, "type") == 0 &&
        strcmp(f->error.type, "FlattenedAsset") == 0 && strstr(f->error.message, "Format.asset")) {
        if (!s->asset_errors)
            mk_model_error_format(&f->error, s->first, sizeof(s->first));
        s->asset_errors++;
    } else if (strstr(f->ix->request.path, "asset")) {
        s->other_errors++;
        char line[1200];
        print_error("%s %s: %s\n", f->ix->id, f->where,
                    mk_model_error_format(&f->error, line, sizeof(line)));
    }
}

static void run(int as_objects, seen *s, int *formats)
{
    size_t len = 0;
    char *text = suite_read_file(REST, &len);
    assert_non_null(text);
    cJSON *doc = cJSON_ParseWithLength(text, len);
    free(text);
    assert_non_null(doc);
    *formats = rewrite(doc, as_objects);
    mk_cassette *c = NULL;
    mk_diag d;
    assert_int_equal(mk_cassette_from_json(doc, "rest-copy.json", &c, &d), MK_CASSETTE_OK);
    mk_model *m = NULL;
    mk_model_error e;
    assert_int_equal(mk_model_new(MODEL, &m, &e), MK_MODEL_OK);
    memset(s, 0, sizeof(*s));
    assert_true(mk_conform_cassette(m, c, on_finding, s, NULL) >= 0);
    mk_model_free(m);
    mk_cassette_free(c);
    cJSON_Delete(doc);
}

static void test_string_asset_fails(void **state)
{
    (void)state;
    seen s;
    int formats = 0;
    run(0, &s, &formats);
    assert_true(formats >= 3);  /* GET /assets and the GET /asset/{id} responses */
    print_message("first: %s\n", s.first);
    assert_true(s.asset_errors >= 3);
    assert_non_null(strstr(s.first, "expected object, found string (Format.asset)"));
}

static void test_flattened_asset_object_passes(void **state)
{
    (void)state;
    seen s;
    int formats = 0;
    run(1, &s, &formats);
    assert_true(formats >= 3);
    assert_int_equal(s.asset_errors, 0);
    assert_int_equal(s.other_errors, 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_asset_fails),
        cmocka_unit_test(test_flattened_asset_object_passes),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
