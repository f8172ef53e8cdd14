/* bee_ajv.c: the text of Bee's 400 for a value the model validator has
 * refused, as AJV 8 (allErrors off) and Fastify 4's default
 * schemaErrorFormatter produce it: "<var><instancePath> <message>", and for
 * a failed oneOf/anyOf every branch's first error before the oneOf's own,
 * joined by ", " (Fastify prints all of validate.errors).
 *
 * AJV's order at one value: type; then const, enum, anyOf, oneOf, allOf;
 * maximum, minimum; maxLength, minLength; maxItems, minItems, items (in
 * order); required (in order), additionalProperties (instance order),
 * properties (schema order). Only the keywords models/bee.json uses are
 * known here; anything else makes the walk give up (the caller then words
 * the validator's own error). Validity is the validator's decision, not
 * this file's. */
#include <stdio.h>
#include <string.h>

#include "mock_internal.h"
#include "mockkit/model.h"

typedef struct walk {
    const cJSON *defs;
    char text[700];  /* the joined messages so far */
    int unknown;     /* met a keyword this walk does not know */
} walk;

static void add(walk *w, const char *var, const char *path, const char *fmt, const char *arg)
{
    size_t n = strlen(w->text);
    char msg[300];
    snprintf(msg, sizeof(msg), fmt, arg);
    snprintf(w->text + n, sizeof(w->text) - n, "%s%s%s %s", n ? ", " : "", var, path, msg);
}

static const cJSON *deref(const walk *w, const cJSON *s)
{
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(s, "$ref");
    if (cJSON_IsString(r) && strncmp(r->valuestring, "#/$defs/", 8) == 0)
        return cJSON_GetObjectItemCaseSensitive(w->defs, r->valuestring + 8);
    return s;
}

static int type_is(const char *t, const cJSON *v)
{
    if (strcmp(t, "integer") == 0)
        return cJSON_IsNumber(v) && v->valuedouble == (double)(long long)v->valuedouble;
    return (strcmp(t, "number") == 0 && cJSON_IsNumber(v)) ||
           (strcmp(t, "string") == 0 && cJSON_IsString(v)) ||
           (strcmp(t, "boolean") == 0 && cJSON_IsBool(v)) ||
           (strcmp(t, "null") == 0 && cJSON_IsNull(v)) ||
           (strcmp(t, "array") == 0 && cJSON_IsArray(v)) ||
           (strcmp(t, "object") == 0 && cJSON_IsObject(v));
}

static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int number_arg(const cJSON *k, char *buf, size_t size)
{
    snprintf(buf, size, "%g", k->valuedouble);
    return 1;
}

static int check(walk *w, const char *var, const cJSON *schema, const cJSON *v, char *path,
                 size_t cap, int depth);

/* oneOf/anyOf: each failing branch leaves its first error, then the
 * keyword's own. Returns 1 when the keyword failed. */
static int branches(walk *w, const char *var, const cJSON *arr, int one, const cJSON *v,
                    char *path, size_t cap, int depth)
{
    char saved[sizeof(w->text)];
    int passing = 0;
    const cJSON *b;
    snprintf(saved, sizeof(saved), "%s", w->text);
    cJSON_ArrayForEach(b, arr) {
        if (check(w, var, b, v, path, cap, depth + 1) == 0)
            passing++;
    }
    if (w->unknown)
        return 1;
    if (one ? passing == 1 : passing > 0) {
        snprintf(w->text, sizeof(w->text), "%s", saved);  /* AJV resets on success */
        return 0;
    }
    add(w, var, path, one ? "must match exactly one schema in oneOf%s" : "must match a schema in anyOf%s",
        "");
    return 1;
}

/* 0: v passes what this walk checks; 1: an error was added. */
static int check(walk *w, const char *var, const cJSON *schema, const cJSON *v, char *path,
                 size_t cap, int depth)
{
    const cJSON *s = deref(w, schema), *k, *t;
    char num[64];
    size_t plen = strlen(path);
    if (!s || depth > MK_MODEL_MAX_DEPTH) {
        w->unknown = 1;
        return 1;
    }
    if (cJSON_IsTrue(s))
        return 0;
    for (k = s->child; k; k = k->next) {
        static const char *const known[] = {
            "type",      "const",     "enum",      "anyOf",     "oneOf",
            "maximum",   "minimum",   "maxLength", "minLength", "maxItems",
            "minItems",  "items",     "required",  "properties", "additionalProperties",
            "$ref",      "x-source",  "description", "title"};
        int ok = 0;
        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
            ok |= strcmp(k->string, known[i]) == 0;
        if (!ok) {
            w->unknown = 1;  /* e.g. pattern, allOf: leave it to the validator's words */
            return 1;
        }
    }
    if ((k = cJSON_GetObjectItemCaseSensitive(s, "type"))) {
        int ok = 0;
        char types[96] = "";
        for (t = cJSON_IsString(k) ? k : k->child; t; t = cJSON_IsString(k) ? NULL : t->next) {
            ok |= type_is(t->valuestring, v);
            if (strcmp(t->valuestring, "null") != 0) {
                /* Bee writes `nullable: true`: AJV names the declared type only */
                size_t n = strlen(types);
                snprintf(types + n, sizeof(types) - n, "%s%s", n ? "," : "", t->valuestring);
            }
        }
        if (!ok) {
            add(w, var, path, "must be %s", types[0] ? types : "null");
            return 1;
        }
    }
    if ((k = cJSON_GetObjectItemCaseSensitive(s, "const")) && !cJSON_Compare(k, v, 1)) {
        add(w, var, path, "must be equal to constant%s", "");
        return 1;
    }
    if ((k = cJSON_GetObjectItemCaseSensitive(s, "enum"))) {
        int ok = 0;
        cJSON_ArrayForEach(t, k) ok |= cJSON_Compare(t, v, 1);
        if (!ok) {
            add(w, var, path, "must be equal to one of the allowed values%s", "");
            return 1;
        }
    }
    if ((k = cJSON_GetObjectItemCaseSensitive(s, "anyOf")) &&
        branches(w, var, k, 0, v, path, cap, depth))
        return 1;
    if ((k = cJSON_GetObjectItemCaseSensitive(s, "oneOf")) &&
        branches(w, var, k, 1, v, path, cap, depth))
        return 1;
    if (cJSON_IsNumber(v)) {
        if ((k = cJSON_GetObjectItemCaseSensitive(s, "maximum")) && v->valuedouble > k->valuedouble &&
            number_arg(k, num, sizeof(num))) {
            add(w, var, path, "must be <= %s", num);
            return 1;
        }
        if ((k = cJSON_GetObjectItemCaseSensitive(s, "minimum")) && v->valuedouble < k->valuedouble &&
            number_arg(k, num, sizeof(num))) {
            add(w, var, path, "must be >= %s", num);
            return 1;
        }
    }
    if (cJSON_IsString(v)) {
        double n = (double)utf8_len(v->valuestring);
        if ((k = cJSON_GetObjectItemCaseSensitive(s, "maxLength")) && n > k->valuedouble &&
            number_arg(k, num, sizeof(num))) {
            add(w, var, path, "must NOT have more than %s characters", num);
            return 1;
        }
        if ((k = cJSON_GetObjectItemCaseSensitive(s, "minLength")) && n < k->valuedouble &&
            number_arg(k, num, sizeof(num))) {
            add(w, var, path, "must NOT have fewer than %s characters", num);
            return 1;
        }
    }
    if (cJSON_IsArray(v)) {
        double n = (double)cJSON_GetArraySize(v);
        size_t i = 0;
        if ((k = cJSON_GetObjectItemCaseSensitive(s, "maxItems")) && n > k->valuedouble &&
            number_arg(k, num, sizeof(num))) {
            add(w, var, path, "must NOT have more than %s items", num);
            return 1;
        }
        if ((k = cJSON_GetObjectItemCaseSensitive(s, "minItems")) && n < k->valuedouble &&
            number_arg(k, num, sizeof(num))) {
            add(w, var, path, "must NOT have fewer than %s items", num);
            return 1;
        }
        if ((k = cJSON_GetObjectItemCaseSensitive(s, "items"))) {
            cJSON_ArrayForEach(t, v) {
                snprintf(path + plen, cap - plen, "/%zu", i++);
                int rc = check(w, var, k, t, path, cap, depth + 1);
                path[plen] = '\0';
                if (rc)
                    return 1;
            }
        }
    }
    if (cJSON_IsObject(v)) {
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
        const cJSON *addl = cJSON_GetObjectItemCaseSensitive(s, "additionalProperties");
        cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(s, "required")) {
            if (cJSON_IsString(k) && !cJSON_GetObjectItemCaseSensitive(v, k->valuestring)) {
                add(w, var, path, "must have required property '%s'", k->valuestring);
                return 1;
            }
        }
        cJSON_ArrayForEach(t, v) {
            const cJSON *ps = cJSON_GetObjectItemCaseSensitive(props, t->string);
            int rc = 0;
            if (ps)
                continue;
            if (cJSON_IsFalse(addl)) {
                add(w, var, path, "must NOT have additional properties%s", "");
                return 1;
            }
            if (cJSON_IsObject(addl)) {
                /* AJV's instancePath of a member: "/" + key, ~ and / escaped */
                snprintf(path + plen, cap - plen, "/%s", t->string);
                rc = check(w, var, addl, t, path, cap, depth + 1);
                path[plen] = '\0';
            }
            if (rc)
                return 1;
        }
        cJSON_ArrayForEach(k, props) {
            const cJSON *member = cJSON_GetObjectItemCaseSensitive(v, k->string);
            int rc;
            if (!member)
                continue;
            snprintf(path + plen, cap - plen, "/%s", k->string);
            rc = check(w, var, k, member, path, cap, depth + 1);
            path[plen] = '\0';
            if (rc)
                return 1;
        }
    }
    return 0;
}

int mk__bee_ajv_text(const cJSON *defs, const char *type_name, const char *var, const cJSON *v,
                     char *out, size_t size)
{
    walk w;
    char path[400] = "";
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(defs, type_name);
    memset(&w, 0, sizeof(w));
    w.defs = defs;
    if (!s || check(&w, var, s, v, path, sizeof(path), 0) == 0 || w.unknown || !w.text[0])
        return -1;
    snprintf(out, size, "%s", w.text);
    return 0;
}
