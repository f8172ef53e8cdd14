/* resources.c: message pagination (limit/after/before/order and the
 * trailing empty page), files (multipart upload, bytes round trip), vector
 * stores, Bee's /tools, and cancelling a run. */
#include "bee_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIRST "First message for paging."
#define SECOND "Second message for paging."
#define FILE_TEXT "Bees have five eyes.\nA honey bee visits 50 to 100 flowers per trip.\n"

/* The ids of a page's items, in order, joined by spaces. */
static void page_ids(const cJSON *page, char *out, size_t size)
{
    out[0] = '\0';
    const cJSON *it;
    cJSON_ArrayForEach(it, bee_assert_list(page)) {
        if (out[0])
            strncat(out, " ", size - strlen(out) - 1);
        strncat(out, bee_str(it, "id"), size - strlen(out) - 1);
    }
}

static void list(mk_bee *b, const char *thread_id, mk_bee_page pg, char *ids, size_t size,
                 int *has_more)
{
    cJSON *page = NULL;
    mkc_error err = {0};
    BEE_OK(mk_bee_message_list(b, thread_id, &pg, &page, &err), err);
    page_ids(page, ids, size);
    *has_more = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(page, "has_more"));
    cJSON_Delete(page);
}

static void test_message_pagination(void **state)
{
    mk_bee *b = bee_client(*state, NULL);
    cJSON *th = bee_create_thread(b, FIRST);
    const char *tid = bee_str(th, "id");
    cJSON *m2 = NULL;
    mkc_error err = {0};
    BEE_OK(mk_bee_message_create(b, tid, "user", SECOND, &m2, &err), err);
    bee_assert_object(m2, "thread.message");
    const char *id2 = bee_assert_id(m2, "msg");
    assert_string_equal(bee_str(m2, "role"), "user");

    cJSON *all = NULL;
    BEE_OK(mk_bee_message_list(b, tid, NULL, &all, &err), err);
    const cJSON *data = bee_assert_list(all);
    assert_int_equal(cJSON_GetArraySize(data), 2);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(all, "total_count")->valueint, 2);
    assert_string_equal(bee_str(cJSON_GetArrayItem(data, 0), "id"), id2);  /* desc */
    const char *id1 = bee_assert_id(cJSON_GetArrayItem(data, 1), "msg");
    const cJSON *c0 = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(data, 1), "content"), 0);
    assert_string_equal(bee_str(cJSON_GetObjectItemCaseSensitive(c0, "text"), "value"), FIRST);

    char ids[256], want[256];
    int more;
    list(b, tid, (mk_bee_page){.limit = 1}, ids, sizeof ids, &more);
    assert_string_equal(ids, id2);
    assert_true(more);
    list(b, tid, (mk_bee_page){.limit = 1, .after = id2}, ids, sizeof ids, &more);
    assert_string_equal(ids, id1);
    assert_false(more);
    list(b, tid, (mk_bee_page){.limit = 1, .after = id1}, ids, sizeof ids, &more);
    assert_string_equal(ids, "");
    assert_false(more);
    /* The trailing page an SDK that ignores has_more asks for. */
    list(b, tid, (mk_bee_page){.after = id1}, ids, sizeof ids, &more);
    assert_string_equal(ids, "");
    list(b, tid, (mk_bee_page){.limit = 1, .before = id1}, ids, sizeof ids, &more);
    assert_string_equal(ids, id2);
    list(b, tid, (mk_bee_page){.order = "asc"}, ids, sizeof ids, &more);
    snprintf(want, sizeof want, "%s %s", id1, id2);
    assert_string_equal(ids, want);
    list(b, tid, (mk_bee_page){.order = "asc", .after = id2}, ids, sizeof ids, &more);
    assert_string_equal(ids, "");
    cJSON_Delete(all);
    cJSON_Delete(m2);
    cJSON_Delete(th);
    mk_bee_free(b);
}

/* DELETE answers {"id","object":"<x>.deleted","deleted":true} and nothing else. */
static void assert_deleted(mk_bee *b, const char *path, const char *id, const char *object)
{
    cJSON *out = NULL;
    mkc_error err = {0};
    BEE_OK(mk_bee_request(b, "DELETE", path, NULL, &out, &err), err);
    assert_string_equal(bee_str(out, "id"), id);
    assert_string_equal(bee_str(out, "object"), object);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(out, "deleted")));
    assert_int_equal(cJSON_GetArraySize(out), 3);
    cJSON_Delete(out);
}

static cJSON *upload(mk_bee *b)
{
    cJSON *f = NULL;
    mkc_error err = {0};
    BEE_OK(mk_bee_file_upload(b, "bee-facts.txt", FILE_TEXT, strlen(FILE_TEXT), "text/plain",
                              NULL, &f, &err),
           err);
    bee_assert_object(f, "file");
    bee_assert_id(f, "file");
    return f;
}

static void test_file_round_trip(void **state)
{
    mk_bee *b = bee_client(*state, NULL);
    cJSON *f = upload(b);
    assert_string_equal(bee_str(f, "filename"), "bee-facts.txt");
    assert_string_equal(bee_str(f, "purpose"), "assistants");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(f, "bytes")->valueint,
                     (int)strlen(FILE_TEXT));
    char *data = NULL;
    size_t len = 0;
    mkc_error err = {0};
    BEE_OK(mk_bee_file_content(b, bee_str(f, "id"), &data, &len, &err), err);
    assert_int_equal(len, strlen(FILE_TEXT));
    assert_memory_equal(data, FILE_TEXT, len);
    free(data);
    /* GET /files lists it; the trailing page still counts the whole filter */
    cJSON *page = NULL, *tail = NULL;
    BEE_OK(mk_bee_request(b, "GET", "/files", NULL, &page, &err), err);
    int found = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, bee_assert_list(page)) {
        bee_assert_object(it, "file");
        found |= strcmp(bee_str(it, "id"), bee_str(f, "id")) == 0;
    }
    assert_true(found);
    if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(page, "has_more"))) {
        char path[200];
        snprintf(path, sizeof path, "/files?after=%s", bee_str(page, "last_id"));
        BEE_OK(mk_bee_request(b, "GET", path, NULL, &tail, &err), err);
        assert_int_equal(cJSON_GetArraySize(bee_assert_list(tail)), 0);
        assert_int_equal(cJSON_GetObjectItemCaseSensitive(tail, "total_count")->valueint,
                         cJSON_GetObjectItemCaseSensitive(page, "total_count")->valueint);
        cJSON_Delete(tail);
    }
    cJSON_Delete(page);
    cJSON_Delete(f);
    mk_bee_free(b);
}

static void test_vector_store_with_file(void **state)
{
    mk_bee *b = bee_client(*state, NULL);
    cJSON *f = upload(b);
    const char *fid = bee_str(f, "id");
    cJSON *params = cJSON_CreateObject();
    cJSON_AddStringToObject(params, "name", "bee-facts");
    cJSON *vs = NULL;
    mkc_error err = {0};
    BEE_OK(mk_bee_vector_store_create(b, params, &vs, &err), err);
    cJSON_Delete(params);
    bee_assert_object(vs, "vector_store");
    const char *vid = bee_assert_id(vs, "vs");
    assert_string_equal(bee_str(vs, "name"), "bee-facts");
    assert_true(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(vs, "file_counts")));

    cJSON *vf = NULL;
    BEE_OK(mk_bee_vector_store_file_add(b, vid, fid, &vf, &err), err);
    bee_assert_object(vf, "vector_store.file");
    /* Bee: the vector-store file's id is the file's id. */
    assert_string_equal(bee_str(vf, "id"), fid);
    assert_string_equal(bee_str(vf, "vector_store_id"), vid);

    char path[256];
    snprintf(path, sizeof path, "/vector_stores/%s", vid);
    cJSON *again = NULL;
    BEE_OK(mk_bee_request(b, "GET", path, NULL, &again, &err), err);
    const cJSON *counts = cJSON_GetObjectItemCaseSensitive(again, "file_counts");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(counts, "total")->valueint, 1);
    /* no expires_after: Bee's toDto leaves expires_at undefined (absent) */
    assert_null(cJSON_GetObjectItemCaseSensitive(vs, "expires_at"));
    assert_null(cJSON_GetObjectItemCaseSensitive(again, "expires_at"));
    cJSON_Delete(again);

    /* GET /vector_stores/{id}/files and the file in it */
    char fpath[300];
    snprintf(fpath, sizeof fpath, "/vector_stores/%s/files", vid);
    cJSON *files = NULL;
    BEE_OK(mk_bee_request(b, "GET", fpath, NULL, &files, &err), err);
    const cJSON *first = cJSON_GetArrayItem(bee_assert_list(files), 0);
    bee_assert_object(first, "vector_store.file");
    assert_string_equal(bee_str(first, "id"), fid);
    /* Bee's quirk: last_id is the file id, which the cursor does not find
     * among vector-store files: the trailing page is 404 not_found */
    char tail[400];
    snprintf(tail, sizeof tail, "%s?after=%s", fpath, bee_str(files, "last_id"));
    cJSON *none = NULL;
    assert_int_equal(mk_bee_request(b, "GET", tail, NULL, &none, &err), MKC_EHTTP);
    assert_int_equal(err.http_status, 404);
    char code[32];
    assert_string_equal(mk_bee_error_code(&err, code, sizeof code), "not_found");
    mkc_error_clear(&err);
    cJSON_Delete(files);

    /* GET /vector_stores lists it, with the whole count on the trailing page */
    cJSON *stores = NULL;
    BEE_OK(mk_bee_request(b, "GET", "/vector_stores", NULL, &stores, &err), err);
    int found = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, bee_assert_list(stores)) {
        bee_assert_object(it, "vector_store");
        found |= strcmp(bee_str(it, "id"), vid) == 0;
    }
    assert_true(found);
    cJSON_Delete(stores);

    /* deletes: Bee's object names are camelCase (createDeleteResponse) */
    char dpath[400];
    snprintf(dpath, sizeof dpath, "%s/%s", fpath, fid);
    assert_deleted(b, dpath, fid, "vectorStoreFile.deleted");
    snprintf(dpath, sizeof dpath, "/vector_stores/%s", vid);
    assert_deleted(b, dpath, vid, "vectorStore.deleted");
    snprintf(dpath, sizeof dpath, "/files/%s", fid);
    assert_deleted(b, dpath, fid, "file.deleted");
    cJSON_Delete(vf);
    cJSON_Delete(vs);
    cJSON_Delete(f);
    mk_bee_free(b);
}

static const char IP_INFO[] =
    "import requests\n\ndef ip_info(ip: str) -> dict:\n"
    "  \"\"\"\n  Get information about an IP address, such as location, company, and carrier "
    "name.\n\n  :param ip: IP address in the 255.255.255.255 format\n"
    "  :return: Information about the IP address\n  \"\"\"\n"
    "  response = requests.get(f\"https://ipinfo.io/{ip}/geo\")\n"
    "  response.raise_for_status()\n  return response.json()\n";

/* Bee's built-in tools (tools.service.ts listTools): bare ids, their real
 * types, fixed creation dates, and input schemas as compact JSON text. */
static const struct {
    const char *id, *type;
    long created_at;   /* new Date('YYYY-MM-DD') */
    int has_short;     /* metadata.$ui_description_short */
    int has_user_description;
} BUILTINS[] = {
    {"web_search", "system", 1721779200, 1, 1},   {"wikipedia", "system", 1721779200, 1, 1},
    {"weather", "system", 1721865600, 1, 1},      {"arxiv", "system", 1721865600, 1, 1},
    {"read_file", "system", 1727827200, 1, 1},    {"llm", "system", 1733961600, 0, 1},
    {"calculator", "system", 1733961600, 0, 1},   {"function", "function", 1722384000, 0, 0},
    {"file_search", "file_search", 1722384000, 1, 1},
};

static void assert_builtin(const cJSON *t, size_t i)
{
    bee_assert_object(t, "tool");
    assert_string_equal(bee_str(t, "type"), BUILTINS[i].type);
    assert_int_equal((long)cJSON_GetObjectItemCaseSensitive(t, "created_at")->valuedouble,
                     BUILTINS[i].created_at);
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(t, "metadata");
    const cJSON *shrt = cJSON_GetObjectItemCaseSensitive(meta, "$ui_description_short");
    assert_int_equal(cJSON_IsString(shrt), BUILTINS[i].has_short);
    if (!BUILTINS[i].has_short)  /* toDto's undefined metadata is dropped */
        assert_null(meta);
    assert_int_equal(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(t, "user_description")),
                     BUILTINS[i].has_user_description);
    /* json_schema is JSON.stringify output: compact */
    const char *js = bee_str(t, "json_schema");
    cJSON *parsed = cJSON_Parse(js);
    assert_non_null(parsed);
    char *again = cJSON_PrintUnformatted(parsed);
    assert_string_equal(again, js);
    cJSON_free(again);
    cJSON_Delete(parsed);
}

static void test_tools_builtins(void **state)
{
    const bee_env *env = *state;
    mk_bee *b = bee_client(env, NULL);
    cJSON *page = NULL;
    mkc_error err = {0};
    BEE_OK(mk_bee_tool_list(b, NULL, &page, &err), err);
    size_t seen = 0;
    int others = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, bee_assert_list(page)) {
        const char *id = bee_str(it, "id");
        size_t i;
        for (i = 0; i < sizeof BUILTINS / sizeof BUILTINS[0]; i++)
            if (strcmp(id, BUILTINS[i].id) == 0)
                break;
        if (i < sizeof BUILTINS / sizeof BUILTINS[0]) {
            assert_builtin(it, i);
            seen++;
        } else if (strcmp(id, "code_interpreter") == 0) {
            /* listed only when Bee has BEE_CODE_INTERPRETER_URL; the mock has not */
            assert_true(env->t.live);
            assert_string_equal(bee_str(it, "type"), "code_interpreter");
        } else {
            bee_assert_id(it, "tool");  /* a user tool */
            assert_string_equal(bee_str(it, "type"), "user");
            others++;
        }
    }
    assert_int_equal(seen, sizeof BUILTINS / sizeof BUILTINS[0]);
    cJSON *one = NULL;
    BEE_OK(mk_bee_request(b, "GET", "/tools/web_search", NULL, &one, &err), err);
    assert_builtin(one, 0);
    cJSON_Delete(one);
    cJSON_Delete(page);
    mk_bee_free(b);
}

static void test_tool_create_update_delete(void **state)
{
    mk_bee *b = bee_client(*state, NULL);
    cJSON *params = cJSON_CreateObject();
    cJSON_AddStringToObject(params, "source_code", IP_INFO);
    cJSON *tool = NULL;
    mkc_error err = {0};
    BEE_OK(mk_bee_tool_create(b, params, &tool, &err), err);
    cJSON_Delete(params);
    bee_assert_object(tool, "tool");
    const char *tid = bee_assert_id(tool, "tool");
    assert_string_equal(bee_str(tool, "type"), "user");
    assert_string_equal(bee_str(tool, "name"), "ip_info");  /* from the function name */
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(tool, "user_description")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(tool, "api_key")));
    cJSON *schema = cJSON_Parse(bee_str(tool, "json_schema"));
    assert_non_null(schema);
    cJSON_Delete(schema);

    char path[200];
    snprintf(path, sizeof path, "/tools/%s", tid);
    cJSON *upd = cJSON_CreateObject();
    cJSON_AddStringToObject(upd, "user_description", "Looks up where an IP address is.");
    cJSON *updated = NULL;
    BEE_OK(mk_bee_request(b, "POST", path, upd, &updated, &err), err);
    cJSON_Delete(upd);
    assert_string_equal(bee_str(updated, "id"), tid);
    assert_string_equal(bee_str(updated, "user_description"), "Looks up where an IP address is.");
    assert_deleted(b, path, tid, "tool.deleted");
    cJSON_Delete(updated);
    cJSON_Delete(tool);
    mk_bee_free(b);
}

static void test_cancel_run(void **state)
{
    const bee_env *env = *state;
    mk_bee *b = bee_client(env, NULL);
    cJSON *a = bee_create_assistant(b);
    cJSON *th = bee_create_thread(b, BEE_CANCEL_QUESTION);
    const char *tid = bee_str(th, "id");
    cJSON *params = bee_run_params(bee_str(a, "id"));
    cJSON *run = NULL;
    mkc_error err = {0};
    BEE_OK(mk_bee_run_create(b, tid, params, &run, &err), err);
    cJSON_Delete(params);
    const char *rid = bee_assert_id(run, "run");
    /* Bee cancels only in_progress/requires_action runs: wait for in_progress. */
    mk_bee_poll_options po = {.interval_ms = bee_poll_interval(env), .timeout_ms = 60000,
                              .stop_at = "in_progress"};
    cJSON *now = NULL;
    BEE_OK(mk_bee_run_poll(b, tid, rid, &po, &now, &err), err);
    if (strcmp(bee_str(now, "status"), "in_progress") != 0 && env->t.live) {
        cJSON_Delete(now);
        cJSON_Delete(run);
        cJSON_Delete(th);
        cJSON_Delete(a);
        mk_bee_free(b);
        skip();  /* the live run finished before we could cancel it */
    }
    assert_string_equal(bee_str(now, "status"), "in_progress");
    cJSON *cancelling = NULL;
    BEE_OK(mk_bee_run_cancel(b, tid, rid, &cancelling, &err), err);
    bee_assert_object(cancelling, "thread.run");
    assert_string_equal(bee_str(cancelling, "id"), rid);
    assert_string_equal(bee_str(cancelling, "status"), "cancelling");
    cJSON *end = NULL;
    po.stop_at = NULL;
    BEE_OK(mk_bee_run_poll(b, tid, rid, &po, &end, &err), err);
    assert_string_equal(bee_str(end, "status"), "cancelled");
    assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(end, "cancelled_at")));
    cJSON_Delete(end);
    cJSON_Delete(cancelling);
    cJSON_Delete(now);
    cJSON_Delete(run);
    cJSON_Delete(th);
    cJSON_Delete(a);
    mk_bee_free(b);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_message_pagination),
        cmocka_unit_test(test_file_round_trip),
        cmocka_unit_test(test_vector_store_with_file),
        cmocka_unit_test(test_tools_builtins),
        cmocka_unit_test(test_tool_create_update_delete),
        cmocka_unit_test(test_cancel_run),
    };
    return SUITE_RUN(argc, argv, tests, bee_group_setup, bee_group_teardown);
}
