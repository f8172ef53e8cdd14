/* concat.c: fold chat.completion.chunk objects into one chat.completion, the
 * way openai-node v4 ChatCompletionStream accumulates a stream (see
 * openai.h for the rules and the one deliberate difference). */
#include "mockkit/openai.h"

#include <stdlib.h>
#include <string.h>
#include "mockkit/cassette.h"

struct mk_openai_concat {
    cJSON *top;       /* every top-level key of the chunks except choices */
    cJSON *choices;   /* choice snapshots, each with "index" and "message" */
    size_t count;
};

mk_openai_concat *mk_openai_concat_new(void)
{
    mk_openai_concat *cc = calloc(1, sizeof *cc);
    if (!cc)
        return NULL;
    cc->top = cJSON_CreateObject();
    cc->choices = cJSON_CreateArray();
    if (!cc->top || !cc->choices) {
        mk_openai_concat_free(cc);
        return NULL;
    }
    return cc;
}

void mk_openai_concat_free(mk_openai_concat *cc)
{
    if (!cc)
        return;
    cJSON_Delete(cc->top);
    cJSON_Delete(cc->choices);
    free(cc);
}

size_t mk_openai_concat_count(const mk_openai_concat *cc)
{
    return cc ? cc->count : 0;
}

/* JavaScript truthiness for the values a delta carries. */
static int truthy(const cJSON *v)
{
    if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v))
        return 0;
    if (cJSON_IsString(v))
        return v->valuestring && v->valuestring[0] != '\0';
    if (cJSON_IsNumber(v))
        return v->valuedouble != 0;
    return 1;
}

static int is_index(const cJSON *v)
{
    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e6 &&
           (double)(int)v->valuedouble == v->valuedouble;
}

/* obj[key] = copy of v (replacing). */
static int set_copy(cJSON *obj, const char *key, const cJSON *v)
{
    cJSON *dup = cJSON_Duplicate(v, 1);
    if (!dup)
        return MKC_ENOMEM;
    if (cJSON_HasObjectItem(obj, key))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, dup);
    else
        cJSON_AddItemToObject(obj, key, dup);
    return MKC_OK;
}

static int set_item(cJSON *obj, const char *key, cJSON *item)
{
    if (!item)
        return MKC_ENOMEM;
    if (cJSON_HasObjectItem(obj, key))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
    else
        cJSON_AddItemToObject(obj, key, item);
    return MKC_OK;
}

/* obj[key] = (obj[key] if a string, else "") + add. */
static int append_str(cJSON *obj, const char *key, const char *add)
{
    const cJSON *cur = cJSON_GetObjectItemCaseSensitive(obj, key);
    const char *old = cJSON_IsString(cur) && cur->valuestring ? cur->valuestring : "";
    size_t a = strlen(old), b = strlen(add);
    char *s = malloc(a + b + 1);
    if (!s)
        return MKC_ENOMEM;
    memcpy(s, old, a);
    memcpy(s + a, add, b + 1);
    cJSON *item = cJSON_CreateString(s);
    free(s);
    return set_item(obj, key, item);
}

/* The element of arr whose "index" equals index, or NULL. */
static cJSON *find_by_index(const cJSON *arr, int index)
{
    cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        const cJSON *ix = cJSON_GetObjectItemCaseSensitive(it, "index");
        if (cJSON_IsNumber(ix) && (int)ix->valuedouble == index)
            return it;
    }
    return NULL;
}

/* Checks every type the fold relies on, so a bad chunk folds nothing. */
static int validate(const cJSON *chunk)
{
    if (!cJSON_IsObject(chunk))
        return MKC_EINVAL;
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(chunk, "choices");
    if (!choices || cJSON_IsNull(choices))
        return MKC_OK;
    if (!cJSON_IsArray(choices))
        return MKC_EJSON;
    const cJSON *ch;
    cJSON_ArrayForEach(ch, choices) {
        if (!cJSON_IsObject(ch) || !is_index(cJSON_GetObjectItemCaseSensitive(ch, "index")))
            return MKC_EJSON;
        const cJSON *delta = cJSON_GetObjectItemCaseSensitive(ch, "delta");
        if (!delta || cJSON_IsNull(delta))
            continue;
        if (!cJSON_IsObject(delta))
            return MKC_EJSON;
        const cJSON *tcs = cJSON_GetObjectItemCaseSensitive(delta, "tool_calls");
        if (tcs && !cJSON_IsNull(tcs)) {
            if (!cJSON_IsArray(tcs))
                return MKC_EJSON;
            const cJSON *tc;
            cJSON_ArrayForEach(tc, tcs) {
                if (!cJSON_IsObject(tc) ||
                    !is_index(cJSON_GetObjectItemCaseSensitive(tc, "index")))
                    return MKC_EJSON;
            }
        }
    }
    return MKC_OK;
}

/* Append the arrays of logprobs.content / logprobs.refusal. */
static int fold_logprobs(cJSON *choice, const cJSON *lp)
{
    cJSON *cur = cJSON_GetObjectItemCaseSensitive(choice, "logprobs");
    if (!truthy(cur))
        return set_copy(choice, "logprobs", lp);
    const cJSON *part;
    cJSON_ArrayForEach(part, lp) {
        const char *k = part->string;
        if (strcmp(k, "content") != 0 && strcmp(k, "refusal") != 0) {
            if (set_copy(cur, k, part) != MKC_OK)
                return MKC_ENOMEM;
            continue;
        }
        if (!cJSON_IsArray(part))
            continue;
        cJSON *dst = cJSON_GetObjectItemCaseSensitive(cur, k);
        if (!cJSON_IsArray(dst)) {
            if (set_item(cur, k, cJSON_CreateArray()) != MKC_OK)
                return MKC_ENOMEM;
            dst = cJSON_GetObjectItemCaseSensitive(cur, k);
        }
        const cJSON *e;
        cJSON_ArrayForEach(e, part) {
            cJSON *dup = cJSON_Duplicate(e, 1);
            if (!dup)
                return MKC_ENOMEM;
            cJSON_AddItemToArray(dst, dup);
        }
    }
    return MKC_OK;
}

static int fold_function_call(cJSON *msg, const cJSON *fc)
{
    cJSON *cur = cJSON_GetObjectItemCaseSensitive(msg, "function_call");
    if (!cur)
        return set_copy(msg, "function_call", fc);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(fc, "name");
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(fc, "arguments");
    if (truthy(name) && cJSON_IsString(name) && set_copy(cur, "name", name) != MKC_OK)
        return MKC_ENOMEM;
    if (truthy(args) && cJSON_IsString(args))
        return append_str(cur, "arguments", args->valuestring);
    return MKC_OK;
}

static int fold_tool_call(cJSON *msg, const cJSON *tc)
{
    cJSON *calls = cJSON_GetObjectItemCaseSensitive(msg, "tool_calls");
    if (!cJSON_IsArray(calls)) {
        if (set_item(msg, "tool_calls", cJSON_CreateArray()) != MKC_OK)
            return MKC_ENOMEM;
        calls = cJSON_GetObjectItemCaseSensitive(msg, "tool_calls");
    }
    int index = (int)cJSON_GetObjectItemCaseSensitive(tc, "index")->valuedouble;
    cJSON *call = find_by_index(calls, index);
    if (!call) {
        call = cJSON_CreateObject();
        if (!call || !cJSON_AddNumberToObject(call, "index", index)) {
            cJSON_Delete(call);
            return MKC_ENOMEM;
        }
        cJSON_AddItemToArray(calls, call);
    }
    const cJSON *f;
    cJSON_ArrayForEach(f, tc) {
        const char *k = f->string;
        if (strcmp(k, "index") == 0 || strcmp(k, "function") == 0)
            continue;
        if ((strcmp(k, "id") == 0 || strcmp(k, "type") == 0) && !truthy(f))
            continue;
        if (set_copy(call, k, f) != MKC_OK)
            return MKC_ENOMEM;
    }
    const cJSON *fn = cJSON_GetObjectItemCaseSensitive(tc, "function");
    if (!truthy(fn) || !cJSON_IsObject(fn))
        return MKC_OK;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(fn, "name");
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(fn, "arguments");
    cJSON *dst = cJSON_GetObjectItemCaseSensitive(call, "function");
    if (!dst) {
        dst = cJSON_CreateObject();
        if (!dst)
            return MKC_ENOMEM;
        cJSON_AddItemToObject(call, "function", dst);
        const char *n0 = cJSON_IsString(name) ? name->valuestring : "";
        if (!cJSON_AddStringToObject(dst, "name", n0) ||
            !cJSON_AddStringToObject(dst, "arguments", ""))
            return MKC_ENOMEM;
    }
    if (truthy(name) && cJSON_IsString(name) && set_copy(dst, "name", name) != MKC_OK)
        return MKC_ENOMEM;
    if (truthy(args) && cJSON_IsString(args))
        return append_str(dst, "arguments", args->valuestring);
    return MKC_OK;
}

static int fold_delta(cJSON *msg, const cJSON *delta)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, delta) {
        const char *k = f->string;
        int rc = MKC_OK;
        if (strcmp(k, "content") == 0 || strcmp(k, "refusal") == 0) {
            if (truthy(f) && cJSON_IsString(f))
                rc = append_str(msg, k, f->valuestring);
        } else if (strcmp(k, "role") == 0) {
            if (truthy(f))
                rc = set_copy(msg, "role", f);
        } else if (strcmp(k, "function_call") == 0) {
            if (truthy(f) && cJSON_IsObject(f))
                rc = fold_function_call(msg, f);
        } else if (strcmp(k, "tool_calls") == 0) {
            if (truthy(f)) {
                if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(msg, "tool_calls")))
                    rc = set_item(msg, "tool_calls", cJSON_CreateArray());
                const cJSON *tc;
                cJSON_ArrayForEach(tc, f) {
                    if (rc == MKC_OK)
                        rc = fold_tool_call(msg, tc);
                }
            }
        } else {
            rc = set_copy(msg, k, f);   /* the SDK throws here; we keep it */
        }
        if (rc != MKC_OK)
            return rc;
    }
    return MKC_OK;
}

static int fold_choice(mk_openai_concat *cc, const cJSON *ch)
{
    int index = (int)cJSON_GetObjectItemCaseSensitive(ch, "index")->valuedouble;
    const cJSON *finish = cJSON_GetObjectItemCaseSensitive(ch, "finish_reason");
    cJSON *choice = find_by_index(cc->choices, index);
    if (!choice) {
        choice = cJSON_CreateObject();
        if (!choice)
            return MKC_ENOMEM;
        cJSON_AddItemToArray(cc->choices, choice);
        if (!cJSON_AddNumberToObject(choice, "index", index) ||
            !cJSON_AddObjectToObject(choice, "message") ||
            set_item(choice, "finish_reason",
                     finish ? cJSON_Duplicate(finish, 1) : cJSON_CreateNull()) != MKC_OK ||
            set_item(choice, "logprobs", cJSON_CreateNull()) != MKC_OK)
            return MKC_ENOMEM;
    }
    const cJSON *f;
    cJSON_ArrayForEach(f, ch) {
        const char *k = f->string;
        int rc = MKC_OK;
        if (strcmp(k, "logprobs") == 0) {
            if (truthy(f) && cJSON_IsObject(f))
                rc = fold_logprobs(choice, f);
        } else if (strcmp(k, "finish_reason") == 0) {
            if (truthy(f))
                rc = set_copy(choice, k, f);
        } else if (strcmp(k, "delta") == 0) {
            if (cJSON_IsObject(f))
                rc = fold_delta(cJSON_GetObjectItemCaseSensitive(choice, "message"), f);
        } else if (strcmp(k, "index") != 0 && strcmp(k, "message") != 0) {
            rc = set_copy(choice, k, f);
        }
        if (rc != MKC_OK)
            return rc;
    }
    return MKC_OK;
}

int mk_openai_concat_add_chunk(mk_openai_concat *cc, const cJSON *chunk)
{
    if (!cc)
        return MKC_EINVAL;
    int rc = validate(chunk);
    if (rc != MKC_OK)
        return rc;
    const cJSON *f;
    cJSON_ArrayForEach(f, chunk) {
        if (strcmp(f->string, "choices") == 0)
            continue;
        if (set_copy(cc->top, f->string, f) != MKC_OK)
            return MKC_ENOMEM;
    }
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(chunk, "choices");
    const cJSON *list = cJSON_IsArray(choices) ? choices : NULL;
    const cJSON *ch;
    cJSON_ArrayForEach(ch, list) {
        rc = fold_choice(cc, ch);
        if (rc != MKC_OK)
            return rc;
    }
    cc->count++;
    return MKC_OK;
}

int mk_openai_concat_add_json(mk_openai_concat *cc, const char *chunk_json)
{
    if (!cc || !chunk_json)
        return MKC_EINVAL;
    cJSON *chunk = mk_json_parse_bounded(chunk_json, strlen(chunk_json), NULL); /* server data */
    if (!chunk)
        return MKC_EJSON;
    int rc = mk_openai_concat_add_chunk(cc, chunk);
    cJSON_Delete(chunk);
    return rc;
}

/* ---- result -------------------------------------------------------------- */

static int by_index(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    double ix = cJSON_GetObjectItemCaseSensitive(x, "index")->valuedouble;
    double iy = cJSON_GetObjectItemCaseSensitive(y, "index")->valuedouble;
    return (ix > iy) - (ix < iy);
}

/* The elements of arr (each with a numeric "index") sorted by index, in a
 * malloc'd array of borrowed pointers. */
static const cJSON **sorted(const cJSON *arr, int *n)
{
    *n = cJSON_GetArraySize(arr);
    const cJSON **v = calloc((size_t)(*n > 0 ? *n : 1), sizeof *v);
    if (!v)
        return NULL;
    int i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) v[i++] = it;
    qsort(v, (size_t)*n, sizeof *v, by_index);
    return v;
}

/* Copy of every key of src except the ones named in skip (NULL-terminated). */
static cJSON *copy_except(const cJSON *src, const char *const *skip)
{
    cJSON *out = cJSON_CreateObject();
    const cJSON *f;
    cJSON_ArrayForEach(f, src) {
        int skipped = 0;
        for (const char *const *s = skip; *s; s++)
            skipped |= strcmp(f->string, *s) == 0;
        if (!skipped && out && set_copy(out, f->string, f) != MKC_OK) {
            cJSON_Delete(out);
            return NULL;
        }
    }
    return out;
}

static cJSON *copy_or_null(const cJSON *v)
{
    return v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull();
}

static cJSON *result_tool_calls(const cJSON *calls)
{
    int n;
    const cJSON **v = sorted(calls, &n);
    cJSON *out = cJSON_CreateArray();
    if (!v || !out)
        goto fail;
    static const char *const skip[] = {"index", NULL};
    for (int i = 0; i < n; i++) {
        cJSON *call = copy_except(v[i], skip);
        if (!call)
            goto fail;
        cJSON_AddItemToArray(out, call);
    }
    free(v);
    return out;
fail:
    free(v);
    cJSON_Delete(out);
    return NULL;
}

static cJSON *result_message(const cJSON *m)
{
    static const char *const skip[] = {"role", "content", "refusal", "function_call",
                                       "tool_calls", NULL};
    cJSON *out = copy_except(m, skip);
    if (!out)
        return NULL;
    const cJSON *fc = cJSON_GetObjectItemCaseSensitive(m, "function_call");
    const cJSON *tcs = cJSON_GetObjectItemCaseSensitive(m, "tool_calls");
    int ok = set_item(out, "role", copy_or_null(cJSON_GetObjectItemCaseSensitive(m, "role"))) ==
                 MKC_OK &&
             set_item(out, "content",
                      copy_or_null(cJSON_GetObjectItemCaseSensitive(m, "content"))) == MKC_OK &&
             set_item(out, "refusal",
                      copy_or_null(cJSON_GetObjectItemCaseSensitive(m, "refusal"))) == MKC_OK;
    if (ok && fc) {
        cJSON *f = cJSON_Duplicate(fc, 1);
        /* finalizeChatCompletion requires both; a missing one reads as "". */
        if (f && !cJSON_HasObjectItem(f, "name"))
            cJSON_AddStringToObject(f, "name", "");
        if (f && !cJSON_HasObjectItem(f, "arguments"))
            cJSON_AddStringToObject(f, "arguments", "");
        ok = set_item(out, "function_call", f) == MKC_OK;
    } else if (ok && cJSON_IsArray(tcs)) {
        ok = set_item(out, "tool_calls", result_tool_calls(tcs)) == MKC_OK;
    }
    if (!ok) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

cJSON *mk_openai_concat_result(const mk_openai_concat *cc)
{
    if (!cc || cc->count == 0)
        return NULL;
    static const char *const top_skip[] = {"object", "system_fingerprint", NULL};
    cJSON *out = copy_except(cc->top, top_skip);
    cJSON *choices = cJSON_CreateArray();
    int n = 0;
    const cJSON **v = sorted(cc->choices, &n);
    if (!out || !choices || !v)
        goto fail;
    static const char *const choice_skip[] = {"message", NULL};
    for (int i = 0; i < n; i++) {
        cJSON *ch = copy_except(v[i], choice_skip);
        if (!ch)
            goto fail;
        cJSON_AddItemToArray(choices, ch);
        if (set_item(ch, "message",
                     result_message(cJSON_GetObjectItemCaseSensitive(v[i], "message"))) !=
            MKC_OK)
            goto fail;
    }
    free(v);
    v = NULL;
    if (set_item(out, "choices", choices) != MKC_OK) {
        choices = NULL;
        goto fail;
    }
    choices = NULL;
    if (!cJSON_AddStringToObject(out, "object", "chat.completion"))
        goto fail;
    const cJSON *fp = cJSON_GetObjectItemCaseSensitive(cc->top, "system_fingerprint");
    if (truthy(fp) && set_copy(out, "system_fingerprint", fp) != MKC_OK)
        goto fail;
    return out;
fail:
    free(v);
    cJSON_Delete(choices);
    cJSON_Delete(out);
    return NULL;
}
