/* shape.c: the shape of JSON values: which paths exist with which types,
 * arrays by element shape, and the values of enum-like keys. Ids, times and
 * generated text are never compared as values; map keys that look like ids
 * become {id} so two recordings of one map agree. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diff_internal.h"

/* Keys whose string values are part of the contract, not the data. */
static const char *const enum_keys[] = {"object", "type", "status", "role", "finish_reason",
                                        "code", NULL};

/* Keys whose shape is volatile across recordings (present or not, null or
 * not, depending on the backend build); left out unless no_default_ignores. */
static const char *const volatile_keys[] = {"system_fingerprint", "service_tier", NULL};

int mk_diff__looks_like_id(const char *s)
{
    size_t n = strlen(s), digits = 0, hex_run = 0, longest_hex = 0;
    if (n == 0)
        return 0;
    if (s[0] == '{' && s[n - 1] == '}')
        return 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isdigit(c))
            digits++;
        else if (!isalpha(c) && c != '-' && c != '_' && c != '.' && c != ':')
            return 0;
        hex_run = isxdigit(c) ? hex_run + 1 : 0;
        if (hex_run > longest_hex)
            longest_hex = hex_run;
    }
    if (digits == n)
        return 1;
    /* thread_6740a1..., file-abc12345, uuids; and asst_ffff... (hex, no digit). */
    return n >= 8 && (digits > 0 || longest_hex >= 12);
}

int mk_diff__ignored(const mk_diff_options *o, const char *pointer, const char *key)
{
    for (size_t i = 0; o && i < o->ignore_count; i++) {
        const char *ig = o->ignore[i];
        if (!ig)
            continue;
        if (ig[0] == '/' ? strcmp(ig, pointer) == 0 : (key && strcmp(ig, key) == 0))
            return 1;
    }
    if (key && !(o && o->no_default_ignores))
        for (const char *const *v = volatile_keys; *v; v++)
            if (strcmp(*v, key) == 0)
                return 1;
    return 0;
}

void mk_diff__shape_free(mk_shape *s)
{
    for (size_t i = 0; i < s->count; i++) {
        free(s->items[i].path);
        free(s->items[i].values);
    }
    free(s->items);
    memset(s, 0, sizeof *s);
}

/* Index of path's entry, or s->count when there is none. */
static size_t index_of(const mk_shape *s, const char *path)
{
    size_t i = 0;
    while (i < s->count && strcmp(s->items[i].path, path) != 0)
        i++;
    return i;
}

const mk_shape_entry *mk_diff__shape_get(const mk_shape *s, const char *path)
{
    size_t i = index_of(s, path);
    return i < s->count ? &s->items[i] : NULL;
}

static mk_shape_entry *entry(mk_shape *s, const char *path)
{
    size_t i = index_of(s, path);
    mk_shape_entry *e = i < s->count ? &s->items[i] : NULL;
    if (e)
        return e;
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        mk_shape_entry *n = realloc(s->items, cap * sizeof *n);
        if (!n)
            return NULL;
        s->items = n;
        s->cap = cap;
    }
    e = &s->items[s->count];
    memset(e, 0, sizeof *e);
    e->path = strdup(path);
    if (!e->path)
        return NULL;
    s->count++;
    return e;
}

/* Add v to the sorted "a|b|c" set in *values. */
static void add_value(char **values, const char *v)
{
    if (strchr(v, '|') || strlen(v) > 64)
        return;
    char *old = *values;
    if (old) {
        const char *p = old;
        while (p) {
            const char *bar = strchr(p, '|');
            size_t len = bar ? (size_t)(bar - p) : strlen(p);
            if (len == strlen(v) && strncmp(p, v, len) == 0)
                return;
            p = bar ? bar + 1 : NULL;
        }
    }
    /* Rebuild sorted: small sets, simple insertion. */
    size_t cap = (old ? strlen(old) : 0) + strlen(v) + 2;
    char *out = malloc(cap);
    if (!out)
        return;
    out[0] = '\0';
    int placed = 0;
    const char *p = old;
    while (p) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        char tok[80];
        snprintf(tok, sizeof tok, "%.*s", (int)len, p);
        if (!placed && strcmp(v, tok) < 0) {
            strcat(out, out[0] ? "|" : "");
            strcat(out, v);
            placed = 1;
        }
        strcat(out, out[0] ? "|" : "");
        strcat(out, tok);
        p = bar ? bar + 1 : NULL;
    }
    if (!placed) {
        strcat(out, out[0] ? "|" : "");
        strcat(out, v);
    }
    free(old);
    *values = out;
}

static unsigned type_of(const cJSON *v)
{
    if (cJSON_IsNull(v))
        return MK_T_NULL;
    if (cJSON_IsBool(v))
        return MK_T_BOOL;
    if (cJSON_IsNumber(v))
        return MK_T_NUMBER;
    if (cJSON_IsString(v))
        return MK_T_STRING;
    if (cJSON_IsArray(v))
        return MK_T_ARRAY;
    return MK_T_OBJECT;
}

static int walk(mk_shape *s, const cJSON *v, char *path, size_t len, size_t cap,
                const char *key, const mk_diff_options *o)
{
    mk_shape_entry *e = entry(s, len ? path : "/");
    if (!e)
        return -1;
    e->types |= type_of(v);
    if (cJSON_IsString(v) && key)
        for (const char *const *k = enum_keys; *k; k++)
            if (strcmp(*k, key) == 0)
                add_value(&e->values, v->valuestring);
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
        return 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, v)
    {
        const char *seg = cJSON_IsArray(v) ? "[]" : c->string;
        if (!cJSON_IsArray(v) && mk_diff__looks_like_id(seg))
            seg = "{id}";
        int n = snprintf(path + len, cap - len, "/%s", seg);
        if (n < 0 || (size_t)n >= cap - len)
            continue; /* too deep to name: leave it out */
        if (!mk_diff__ignored(o, path, cJSON_IsArray(v) ? NULL : c->string) &&
            walk(s, c, path, len + (size_t)n, cap, cJSON_IsArray(v) ? key : c->string, o))
            return -1;
        path[len] = '\0';
    }
    return 0;
}

int mk_diff__shape_add(mk_shape *s, const cJSON *v, const char *prefix, const mk_diff_options *o)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", prefix ? prefix : "");
    return walk(s, v, path, strlen(path), sizeof path, NULL, o);
}

const char *mk_diff__types_name(unsigned types, char *buf, size_t size)
{
    static const char *const names[] = {"null", "boolean", "number", "string", "object", "array"};
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 5; i >= 0; i--)
        if (types & (1u << i))
            n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s", n ? "|" : "", names[i]);
    return buf;
}
