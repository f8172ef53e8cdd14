/* models.c: JSON to the typed Cairos payloads, and the motions of a chat. */
#include "internal.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Field tables keep each model's parse to one loop. */
typedef struct field {
    const char *key;
    size_t offset;
    int required;
} field;

static int parse_fields(const cJSON *j, void *obj, const field *f, size_t n, const char *where,
                        mkc_error *err)
{
    if (!cJSON_IsObject(j))
        return mkc_error_set(err, MKC_EJSON, NULL, "%s: expected an object", where);
    for (size_t i = 0; i < n; i++) {
        char **dst = (char **)((char *)obj + f[i].offset);
        int rc = mk_cairos__str(j, f[i].key, f[i].required, dst, where, err);
        if (rc != MKC_OK)
            return rc;
    }
    return MKC_OK;
}

static void free_fields(void *obj, const field *f, size_t n)
{
    if (!obj)
        return;
    for (size_t i = 0; i < n; i++) {
        char **p = (char **)((char *)obj + f[i].offset);
        free(*p);
        *p = NULL;
    }
}

#define F(type, name, req) {#name, offsetof(type, name), req}
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const field thread_fields[] = {
    F(mk_cairos_thread, id, 1), F(mk_cairos_thread, user_id, 0),
    F(mk_cairos_thread, created_at, 1), F(mk_cairos_thread, nice_name, 0)};
static const field avatar_fields[] = {
    F(mk_cairos_avatar, id, 1), F(mk_cairos_avatar, user_id, 1), F(mk_cairos_avatar, label, 1)};
static const field animation_fields[] = {
    F(mk_cairos_animation, job_thread, 1), F(mk_cairos_animation, job_trigger, 1),
    F(mk_cairos_animation, user_id, 1), F(mk_cairos_animation, created_at, 1),
    F(mk_cairos_animation, filepath_gltf, 1), F(mk_cairos_animation, filepath_bgeo, 1),
    F(mk_cairos_animation, avatar_id, 0)};
static const field export_fields[] = {
    F(mk_cairos_export, job_thread, 1), F(mk_cairos_export, job_trigger, 1),
    F(mk_cairos_export, user_id, 1), F(mk_cairos_export, created_at, 1),
    F(mk_cairos_export, filepath, 1)};

void mk_cairos_thread_clear(mk_cairos_thread *t)
{
    free_fields(t, thread_fields, COUNT(thread_fields));
}

void mk_cairos_avatar_clear(mk_cairos_avatar *a)
{
    free_fields(a, avatar_fields, COUNT(avatar_fields));
}

void mk_cairos_animation_clear(mk_cairos_animation *a)
{
    free_fields(a, animation_fields, COUNT(animation_fields));
}

void mk_cairos_export_clear(mk_cairos_export *e)
{
    free_fields(e, export_fields, COUNT(export_fields));
}

void mk_cairos_thread_list_clear(mk_cairos_thread_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++)
        mk_cairos_thread_clear(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

void mk_cairos_avatar_list_clear(mk_cairos_avatar_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++)
        mk_cairos_avatar_clear(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

/* Each parse clears what it filled when it fails, so callers only clear on success. */
#define PARSE(obj, fields, where)                                                \
    do {                                                                         \
        memset((obj), 0, sizeof *(obj));                                         \
        int rc_ = parse_fields(j, (obj), (fields), COUNT(fields), (where), err); \
        if (rc_ != MKC_OK)                                                       \
            free_fields((obj), (fields), COUNT(fields));                         \
        return rc_;                                                              \
    } while (0)

int mk_cairos__thread_from_json(const cJSON *j, mk_cairos_thread *t, mkc_error *err)
{
    PARSE(t, thread_fields, "ChatThread");
}

int mk_cairos__avatar_from_json(const cJSON *j, mk_cairos_avatar *a, mkc_error *err)
{
    PARSE(a, avatar_fields, "AvatarPublic");
}

int mk_cairos_animation_from_json(const cJSON *j, mk_cairos_animation *out, mkc_error *err)
{
    if (!out)
        return MKC_EINVAL;
    PARSE(out, animation_fields, "OrmAnimation");
}

int mk_cairos_export_from_json(const cJSON *j, mk_cairos_export *out, mkc_error *err)
{
    if (!out)
        return MKC_EINVAL;
    PARSE(out, export_fields, "Export");
}

void mk_cairos_chat_output_free(mk_cairos_chat_output *o)
{
    if (!o)
        return;
    free(o->trigger_msg);
    free(o->btl_objs);
    cJSON_Delete(o->json);
    free(o);
}

/* Takes ownership of j. */
int mk_cairos__chat_output_from_json(cJSON *j, mk_cairos_chat_output **out, mkc_error *err)
{
    *out = NULL;
    mk_cairos_chat_output *o = calloc(1, sizeof *o);
    if (!o) {
        cJSON_Delete(j);
        return MKC_ENOMEM;
    }
    o->json = j;
    int rc = cJSON_IsObject(j) ? MKC_OK
                               : mkc_error_set(err, MKC_EJSON, NULL, "ChatOutput: expected an object");
    if (rc == MKC_OK)
        rc = mk_cairos__str(j, "trigger_msg", 1, &o->trigger_msg, "ChatOutput", err);
    if (rc == MKC_OK)
        rc = mk_cairos__str(j, "btl_objs", 1, &o->btl_objs, "ChatOutput", err);
    if (rc == MKC_OK && !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "messages")))
        rc = mkc_error_set(err, MKC_EJSON, NULL, "ChatOutput.messages: expected an array");
    if (rc != MKC_OK) {
        mk_cairos_chat_output_free(o);
        return rc;
    }
    *out = o;
    return MKC_OK;
}

int mk_cairos_uuid_hex(const char *uuid, char out[33])
{
    if (!uuid || !out)
        return MKC_EINVAL;
    size_t n = 0;
    for (const char *p = uuid; *p; p++) {
        if (*p == '-')
            continue;
        if (n == 32 || !strchr("0123456789abcdefABCDEF", *p))
            return MKC_EINVAL;
        char ch = *p;
        out[n++] = (ch >= 'A' && ch <= 'F') ? (char)(ch - 'A' + 'a') : ch;
    }
    out[n] = '\0';
    return n == 32 ? MKC_OK : MKC_EINVAL;
}

void mk_cairos_motions_free(mk_cairos_motions *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->count; i++) {
        free(m->entries[i].description);
        free(m->entries[i].input);
        free(m->entries[i].created_at);
        free(m->entries[i].shot_description);
    }
    free(m->entries);
    free(m->key);
    free(m);
}

static int motion_from_json(const cJSON *j, mk_cairos_motion *m, size_t index, mkc_error *err)
{
    char where[64];
    snprintf(where, sizeof where, "Motions.entries[%zu]", index);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "sg_id");
    if (!cJSON_IsObject(j) || !cJSON_IsNumber(id))
        return mkc_error_set(err, MKC_EJSON, NULL, "%s: expected an object with a numeric sg_id",
                               where);
    m->sg_id = (long)id->valuedouble;
    int rc = mk_cairos__str(j, "description", 1, &m->description, where, err);
    if (rc == MKC_OK)
        rc = mk_cairos__str(j, "input", 1, &m->input, where, err);
    if (rc == MKC_OK)
        rc = mk_cairos__str(j, "created_at", 1, &m->created_at, where, err);
    if (rc == MKC_OK)
        rc = mk_cairos__str(j, "shot_description", 1, &m->shot_description, where, err);
    return rc;
}

static const cJSON *find_artifact(const cJSON *messages)
{
    const cJSON *msg;
    cJSON_ArrayForEach(msg, messages)
    {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(msg, "artifact");
        if (!a) /* StoredMessage {type, data: {...}} as the Houdini client reads it */
            a = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(msg, "data"),
                                                 "artifact");
        if (a && !cJSON_IsNull(a))
            return a;
    }
    return NULL;
}

int mk_cairos_motions_from_chat_output(const mk_cairos_chat_output *o, mk_cairos_motions **out,
                                       mkc_error *err)
{
    if (!o || !out)
        return MKC_EINVAL;
    *out = NULL;
    const cJSON *a = find_artifact(cJSON_GetObjectItemCaseSensitive(o->json, "messages"));
    if (!a)
        return MKC_OK;
    const cJSON *entries = cJSON_GetObjectItemCaseSensitive(a, "entries");
    if (!cJSON_IsObject(a) || !cJSON_IsArray(entries))
        return mkc_error_set(err, MKC_EJSON, NULL,
                               "artifact: expected Motions {key, entries: [Motion]}");
    mk_cairos_motions *m = calloc(1, sizeof *m);
    int n = cJSON_GetArraySize(entries);
    if (m)
        m->entries = calloc(n > 0 ? (size_t)n : 1, sizeof *m->entries);
    if (!m || !m->entries) {
        mk_cairos_motions_free(m);
        return mkc_error_set(err, MKC_ENOMEM, NULL, "out of memory");
    }
    int rc = mk_cairos__str(a, "key", 1, &m->key, "Motions", err);
    for (int i = 0; rc == MKC_OK && i < n; i++) {
        m->count++; /* counted first so a partly filled entry is freed */
        rc = motion_from_json(cJSON_GetArrayItem(entries, i), &m->entries[i], (size_t)i, err);
    }
    if (rc != MKC_OK) {
        mk_cairos_motions_free(m);
        return rc;
    }
    *out = m;
    return MKC_OK;
}
