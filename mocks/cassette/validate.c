/* validate.c: the cassette schema and the rules beyond it, for the whole
 * document, meta, and the cross-references (unique ids, `after`). The
 * interaction parts are in validate_ix.c. docs/cassette.schema.json is the
 * same schema for other tools; keep them in step. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

__attribute__((format(printf, 2, 0))) static void report(mk_cas_vctx *v, const char *fmt,
                                                        va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    v->count++;
    if (v->fn)
        v->fn(v->ctx, v->ptr.buf, msg);
}

void mk_cas__issue(mk_cas_vctx *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(v, fmt, ap);
    va_end(ap);
}

void mk_cas__issue_at(mk_cas_vctx *v, const char *key, const char *fmt, ...)
{
    size_t old = mk_cas__ptr_key(&v->ptr, key);
    va_list ap;
    va_start(ap, fmt);
    report(v, fmt, ap);
    va_end(ap);
    mk_cas__ptr_pop(&v->ptr, old);
}

void mk_cas__check_keys(mk_cas_vctx *v, const cJSON *obj, const char *const *allowed)
{
    for (const cJSON *m = obj->child; m; m = m->next) {
        const char *name = m->string ? m->string : "";
        int known = 0;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, name) == 0)
                known = 1;
        if (!known) {
            char list[256] = "";
            size_t used = 0;
            for (const char *const *a = allowed; *a; a++) {
                int n = snprintf(list + used, sizeof list - used, "%s%s",
                                 a == allowed ? "" : ", ", *a);
                if (n < 0 || (size_t)n >= sizeof list - used)
                    break;
                used += (size_t)n;
            }
            mk_cas__issue_at(v, name, "unknown key \"%s\"; expected one of: %s", name, list);
            continue;
        }
        for (const cJSON *e = obj->child; e != m; e = e->next)
            if (e->string && strcmp(e->string, name) == 0) {
                mk_cas__issue_at(v, name, "duplicate key \"%s\"", name);
                break;
            }
    }
}

const cJSON *mk_cas__member(mk_cas_vctx *v, const cJSON *obj, const char *key, int required)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!m && required)
        mk_cas__issue(v, "missing required key \"%s\"", key);
    return m;
}

int mk_cas__want_int(mk_cas_vctx *v, const cJSON *obj, const char *key, int required,
                     double lo, double hi, const char *what, int64_t *out)
{
    const cJSON *m = mk_cas__member(v, obj, key, required);
    if (!m)
        return 0;
    double d = m->valuedouble;
    if (!cJSON_IsNumber(m) || !isfinite(d) || d != floor(d) || d < lo || d > hi) {
        char got[64];
        mk_cas__issue_at(v, key, "must be %s, got %s", what,
                         mk_cas__describe(m, got, sizeof got));
        return 0;
    }
    if (out)
        *out = (int64_t)d;
    return 1;
}

const char *mk_cas__want_string(mk_cas_vctx *v, const cJSON *obj, const char *key,
                                int required, int nonempty)
{
    const cJSON *m = mk_cas__member(v, obj, key, required);
    if (!m)
        return NULL;
    if (!cJSON_IsString(m) || (nonempty && m->valuestring[0] == '\0')) {
        char got[64];
        mk_cas__issue_at(v, key, "must be a %sstring, got %s", nonempty ? "non-empty " : "",
                         mk_cas__describe(m, got, sizeof got));
        return NULL;
    }
    return m->valuestring;
}

const char *mk_cas__want_enum(mk_cas_vctx *v, const cJSON *obj, const char *key,
                              int required, const char *const *values)
{
    const cJSON *m = mk_cas__member(v, obj, key, required);
    if (!m)
        return NULL;
    if (cJSON_IsString(m))
        for (const char *const *e = values; *e; e++)
            if (strcmp(*e, m->valuestring) == 0)
                return m->valuestring;
    char list[160] = "", got[64];
    size_t used = 0;
    for (const char *const *e = values; *e; e++) {
        int n = snprintf(list + used, sizeof list - used, "%s\"%s\"",
                         e == values ? "" : (e[1] ? ", " : " or "), *e);
        if (n < 0 || (size_t)n >= sizeof list - used)
            break;
        used += (size_t)n;
    }
    mk_cas__issue_at(v, key, "must be one of %s, got %s", list,
                     mk_cas__describe(m, got, sizeof got));
    return NULL;
}

/* "YYYY-MM-DD", optionally followed by "THH:MM" and anything after. */
static int looks_iso8601(const char *s)
{
    static const char date[] = "dddd-dd-dd";
    static const char time[] = "Tdd:dd";
    size_t n = strlen(s);
    if (n < 10)
        return 0;
    for (size_t i = 0; i < 10; i++)
        if (date[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != date[i])
            return 0;
    if (n == 10)
        return 1;
    if (n < 16)
        return 0;
    for (size_t i = 0; i < 6; i++)
        if (time[i] == 'd' ? (s[10 + i] < '0' || s[10 + i] > '9') : s[10 + i] != time[i])
            return 0;
    return 1;
}

static void check_string_array(mk_cas_vctx *v, const cJSON *obj, const char *key,
                               int min_items)
{
    const cJSON *arr = mk_cas__member(v, obj, key, 0);
    if (!arr)
        return;
    size_t old = mk_cas__ptr_key(&v->ptr, key);
    if (!cJSON_IsArray(arr)) {
        char got[64];
        mk_cas__issue(v, "must be an array of strings, got %s",
                      mk_cas__describe(arr, got, sizeof got));
    } else if (cJSON_GetArraySize(arr) < min_items) {
        mk_cas__issue(v, "must name at least %d public source%s (\"owner/repo@commit path\")",
                      min_items, min_items == 1 ? "" : "s");
    } else {
        size_t i = 0;
        for (const cJSON *e = arr->child; e; e = e->next, i++)
            if (!cJSON_IsString(e) || e->valuestring[0] == '\0') {
                char got[64];
                size_t o = mk_cas__ptr_index(&v->ptr, i);
                mk_cas__issue(v, "must be a non-empty string, got %s",
                              mk_cas__describe(e, got, sizeof got));
                mk_cas__ptr_pop(&v->ptr, o);
            }
    }
    mk_cas__ptr_pop(&v->ptr, old);
}

static void check_source(mk_cas_vctx *v, const cJSON *src)
{
    static const char *const keys[] = {"kind", "url", "version", "refs", NULL};
    static const char *const kinds[] = {"recorded", "synthesized", NULL};
    if (!cJSON_IsObject(src)) {
        char got[64];
        mk_cas__issue(v, "must be an object {\"kind\": \"recorded\"|\"synthesized\", ...}, got %s",
                      mk_cas__describe(src, got, sizeof got));
        return;
    }
    mk_cas__check_keys(v, src, keys);
    const char *kind = mk_cas__want_enum(v, src, "kind", 1, kinds);
    mk_cas__want_string(v, src, "url", kind && strcmp(kind, "recorded") == 0, 1);
    mk_cas__want_string(v, src, "version", 0, 0);
    if (kind && strcmp(kind, "synthesized") == 0) {
        if (!cJSON_GetObjectItemCaseSensitive(src, "refs"))
            mk_cas__issue(v, "a synthesized cassette must name its public sources in \"refs\"");
        check_string_array(v, src, "refs", 1);
    } else {
        check_string_array(v, src, "refs", 0);
    }
}

static void check_meta(mk_cas_vctx *v, const cJSON *meta)
{
    static const char *const keys[] = {"service", "name",       "description", "created",
                                       "source",  "redactions", "extra",       NULL};
    if (!cJSON_IsObject(meta)) {
        char got[64];
        mk_cas__issue(v, "must be an object, got %s", mk_cas__describe(meta, got, sizeof got));
        return;
    }
    mk_cas__check_keys(v, meta, keys);
    mk_cas__want_string(v, meta, "service", 1, 1);
    mk_cas__want_string(v, meta, "name", 1, 1);
    mk_cas__want_string(v, meta, "description", 0, 0);
    const char *created = mk_cas__want_string(v, meta, "created", 1, 1);
    if (created && !looks_iso8601(created))
        mk_cas__issue_at(v, "created", "must be an ISO 8601 time such as "
                                       "\"2026-01-31T12:00:00Z\", got \"%.40s\"", created);
    const cJSON *src = mk_cas__member(v, meta, "source", 1);
    if (src) {
        size_t old = mk_cas__ptr_key(&v->ptr, "source");
        check_source(v, src);
        mk_cas__ptr_pop(&v->ptr, old);
    }
    check_string_array(v, meta, "redactions", 0);
    const cJSON *extra = mk_cas__member(v, meta, "extra", 0);
    if (extra && !cJSON_IsObject(extra)) {
        char got[64];
        mk_cas__issue_at(v, "extra", "must be an object, got %s",
                         mk_cas__describe(extra, got, sizeof got));
    }
}

/* The id of interaction i as the loader will name it. */
static const char *ix_id(const cJSON *ix, size_t i, char *buf, size_t size)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(ix, "id");
    if (cJSON_IsString(id) && id->valuestring[0])
        return id->valuestring;
    snprintf(buf, size, "ix-%zu", i);
    return buf;
}

/* The interactions' ids sorted (by id, then position), so duplicates sit
 * next to each other and `after` targets are found by binary search:
 * O(n log n) instead of comparing every pair (20k interactions took 4 s). */
typedef struct id_ref {
    const char *id;          /* the "id" string, or NULL: generated, in buf */
    size_t index;
    char buf[32];
} id_ref;

static const char *ref_id(const id_ref *r)
{
    return r->id ? r->id : r->buf;
}

static int ref_cmp(const void *a, const void *b)
{
    const id_ref *x = a, *y = b;
    int c = strcmp(ref_id(x), ref_id(y));
    if (c)
        return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

typedef struct id_index {
    id_ref *refs;            /* object interactions only, sorted */
    size_t count;
    size_t *first;           /* per interaction: position of the first one with its id */
} id_index;

static int index_build(id_index *x, const cJSON *ixs)
{
    size_t n = (size_t)cJSON_GetArraySize(ixs);
    memset(x, 0, sizeof *x);
    x->refs = malloc((n ? n : 1) * sizeof *x->refs);
    x->first = malloc((n ? n : 1) * sizeof *x->first);
    if (!x->refs || !x->first) {
        free(x->refs);
        free(x->first);
        memset(x, 0, sizeof *x);
        return -1;
    }
    size_t i = 0;
    for (const cJSON *ix = ixs->child; ix; ix = ix->next, i++) {
        x->first[i] = i;
        if (!cJSON_IsObject(ix))
            continue;
        id_ref *r = &x->refs[x->count++];
        r->index = i;
        const char *id = ix_id(ix, i, r->buf, sizeof r->buf);
        r->id = id == r->buf ? NULL : id;
    }
    if (x->count > 1) /* qsort(NULL, 0, ...) is undefined */
        qsort(x->refs, x->count, sizeof *x->refs, ref_cmp);
    for (size_t k = 1; k < x->count; k++)
        if (strcmp(ref_id(&x->refs[k]), ref_id(&x->refs[k - 1])) == 0)
            x->first[x->refs[k].index] = x->first[x->refs[k - 1].index];
    return 0;
}

static void index_free(id_index *x)
{
    free(x->refs);
    free(x->first);
}

/* Position of the (first) interaction called id, or -1. */
static long find_id(const id_index *x, const char *id)
{
    size_t lo = 0, hi = x->count;
    while (lo < hi) { /* the first ref whose id is >= id */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ref_id(&x->refs[mid]), id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < x->count && strcmp(ref_id(&x->refs[lo]), id) == 0)
        return (long)x->refs[lo].index;
    return -1;
}

/* Every `after` in items (chunks or frames) names another interaction. */
static void check_afters(mk_cas_vctx *v, const id_index *x, const cJSON *items, size_t self,
                         const char *self_id)
{
    if (!cJSON_IsArray(items))
        return;
    size_t k = 0;
    for (const cJSON *it = items->child; it; it = it->next, k++) {
        const cJSON *after = cJSON_GetObjectItemCaseSensitive(it, "after");
        if (!after)
            continue;
        size_t old = mk_cas__ptr_index(&v->ptr, k);
        if (!cJSON_IsString(after) || after->valuestring[0] == '\0') {
            char got[64];
            mk_cas__issue_at(v, "after", "must be the id of another interaction, got %s",
                             mk_cas__describe(after, got, sizeof got));
        } else {
            long target = find_id(x, after->valuestring);
            if (target < 0)
                mk_cas__issue_at(v, "after", "names no interaction: \"%.100s\"",
                                 after->valuestring);
            else if ((size_t)target == self)
                mk_cas__issue_at(v, "after",
                                 "must name another interaction, not its own (\"%.100s\")",
                                 self_id);
        }
        mk_cas__ptr_pop(&v->ptr, old);
    }
}

static void check_references(mk_cas_vctx *v, const cJSON *ixs)
{
    id_index x;
    if (index_build(&x, ixs) != 0) {
        mk_cas__issue(v, "out of memory checking ids");
        return;
    }
    size_t i = 0;
    for (const cJSON *ix = ixs->child; ix; ix = ix->next, i++) {
        if (!cJSON_IsObject(ix))
            continue;
        char buf[32];
        const char *id = ix_id(ix, i, buf, sizeof buf);
        size_t old = mk_cas__ptr_index(&v->ptr, i);
        size_t j = x.first[i];
        if (j != i) {
            if (cJSON_GetObjectItemCaseSensitive(ix, "id"))
                mk_cas__issue_at(v, "id", "duplicate id \"%.100s\" (also /interactions/%zu)",
                                 id, j);
            else
                mk_cas__issue(v, "its generated id \"%s\" is taken by /interactions/%zu; "
                                 "give one of them another id", id, j);
        }
        const cJSON *resp = cJSON_GetObjectItemCaseSensitive(ix, "response");
        if (cJSON_IsObject(resp)) {
            size_t a = mk_cas__ptr_key(&v->ptr, "response");
            size_t b = mk_cas__ptr_key(&v->ptr, "chunks");
            check_afters(v, &x, cJSON_GetObjectItemCaseSensitive(resp, "chunks"), i, id);
            mk_cas__ptr_pop(&v->ptr, b);
            mk_cas__ptr_pop(&v->ptr, a);
        }
        const cJSON *ws = cJSON_GetObjectItemCaseSensitive(ix, "websocket");
        if (cJSON_IsObject(ws)) {
            size_t a = mk_cas__ptr_key(&v->ptr, "websocket");
            size_t b = mk_cas__ptr_key(&v->ptr, "frames");
            check_afters(v, &x, cJSON_GetObjectItemCaseSensitive(ws, "frames"), i, id);
            mk_cas__ptr_pop(&v->ptr, b);
            mk_cas__ptr_pop(&v->ptr, a);
        }
        mk_cas__ptr_pop(&v->ptr, old);
    }
    index_free(&x);
}

size_t mk_cas__validate(const cJSON *root, mk_cas_issue_fn fn, void *ctx)
{
    static const char *const keys[] = {"$schema", "mockkit_cassette", "meta", "interactions",
                                       NULL};
    mk_cas_vctx v;
    memset(&v, 0, sizeof v);
    v.fn = fn;
    v.ctx = ctx;
    if (!cJSON_IsObject(root)) {
        char got[64];
        mk_cas__issue(&v, "a cassette must be a JSON object, got %s",
                      mk_cas__describe(root, got, sizeof got));
        return v.count;
    }
    mk_cas__check_keys(&v, root, keys);
    mk_cas__want_string(&v, root, "$schema", 0, 1);
    const cJSON *ver = mk_cas__member(&v, root, "mockkit_cassette", 1);
    if (ver && !(cJSON_IsNumber(ver) && ver->valuedouble == MK_CASSETTE_VERSION)) {
        char got[64];
        mk_cas__issue_at(&v, "mockkit_cassette", "must be the format version %d, got %s",
                         MK_CASSETTE_VERSION, mk_cas__describe(ver, got, sizeof got));
    }
    const cJSON *meta = mk_cas__member(&v, root, "meta", 1);
    if (meta) {
        size_t old = mk_cas__ptr_key(&v.ptr, "meta");
        check_meta(&v, meta);
        mk_cas__ptr_pop(&v.ptr, old);
    }
    const cJSON *ixs = mk_cas__member(&v, root, "interactions", 1);
    if (ixs) {
        size_t old = mk_cas__ptr_key(&v.ptr, "interactions");
        if (!cJSON_IsArray(ixs)) {
            char got[64];
            mk_cas__issue(&v, "must be an array of interactions, got %s",
                          mk_cas__describe(ixs, got, sizeof got));
        } else {
            int64_t prev_at = 0;
            size_t i = 0;
            for (const cJSON *ix = ixs->child; ix; ix = ix->next, i++) {
                size_t o = mk_cas__ptr_index(&v.ptr, i);
                mk_cas__check_interaction(&v, ix, &prev_at);
                mk_cas__ptr_pop(&v.ptr, o);
            }
            check_references(&v, ixs);
        }
        mk_cas__ptr_pop(&v.ptr, old);
    }
    return v.count;
}
