/* bee_coerce.c: AJV's coerceTypes:"array" (bee-api src/ajv.ts), applied to
 * a request body or query before the model validator sees it. Before a
 * type check fails, AJV tries to coerce the value to the declared type(s),
 * in their order: to string from a number or boolean ("" from
 * null); to number/integer from a boolean, null or a numeric string; to
 * boolean from "true"/"false", 1/0 or null; to null from "", 0 or false; to
 * an array by wrapping a scalar, and (array mode) a one-item array to its
 * item. Objects are never coerced. The walk follows $ref, anyOf/oneOf,
 * properties, additionalProperties and items, as AJV's generated code does.
 * AJV coerces in place inside each oneOf/anyOf branch it tries, in order, and
 * keeps what a failed branch coerced (docs/coercion.md: "Ajv will not
 * backtrack"); anyOf stops at the first branch that passes, oneOf at the
 * second. One difference: a branch is coerced all through here, where AJV
 * stops coercing it at its first failing keyword. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bee_internal.h"

static const cJSON *deref(const cJSON *defs, const cJSON *s)
{
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(s, "$ref");
    if (cJSON_IsString(r) && strncmp(r->valuestring, "#/$defs/", 8) == 0)
        return cJSON_GetObjectItemCaseSensitive(defs, r->valuestring + 8);
    return s;
}

int mk__bee_is_type(const char *t, const cJSON *v)
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

/* The scalar value v coerced to type t, or NULL when AJV would not. */
static cJSON *coerce_scalar(const char *t, const cJSON *v)
{
    if (strcmp(t, "string") == 0) {
        if (cJSON_IsNumber(v)) {
            char buf[64];
            if (v->valuedouble == (double)(long long)v->valuedouble)
                snprintf(buf, sizeof(buf), "%lld", (long long)v->valuedouble);
            else
                snprintf(buf, sizeof(buf), "%.17g", v->valuedouble);
            return cJSON_CreateString(buf);
        }
        if (cJSON_IsBool(v))
            return cJSON_CreateString(cJSON_IsTrue(v) ? "true" : "false");
        if (cJSON_IsNull(v))
            return cJSON_CreateString("");
    } else if (strcmp(t, "number") == 0 || strcmp(t, "integer") == 0) {
        if (cJSON_IsBool(v))
            return cJSON_CreateNumber(cJSON_IsTrue(v) ? 1 : 0);
        if (cJSON_IsNull(v))
            return cJSON_CreateNumber(0);
        if (cJSON_IsString(v) && v->valuestring[0]) {
            char *end;
            double d = strtod(v->valuestring, &end);
            if (*end == '\0' && (t[0] == 'n' || d == (double)(long long)d))
                return cJSON_CreateNumber(d);
        }
    } else if (strcmp(t, "boolean") == 0) {
        if ((cJSON_IsString(v) && strcmp(v->valuestring, "false") == 0) ||
            (cJSON_IsNumber(v) && v->valuedouble == 0) || cJSON_IsNull(v))
            return cJSON_CreateFalse();
        if ((cJSON_IsString(v) && strcmp(v->valuestring, "true") == 0) ||
            (cJSON_IsNumber(v) && v->valuedouble == 1))
            return cJSON_CreateTrue();
    } else if (strcmp(t, "null") == 0) {
        if ((cJSON_IsString(v) && !v->valuestring[0]) || (cJSON_IsNumber(v) && v->valuedouble == 0) ||
            cJSON_IsFalse(v))
            return cJSON_CreateNull();
    }
    return NULL;
}

static int fits(const cJSON *ty, const cJSON *v)
{
    const cJSON *t;
    if (cJSON_IsString(ty))
        return mk__bee_is_type(ty->valuestring, v);
    cJSON_ArrayForEach(t, ty) {
        if (cJSON_IsString(t) && mk__bee_is_type(t->valuestring, v))
            return 1;
    }
    return 0;
}

static cJSON *coerce(const cJSON *defs, const cJSON *schema, cJSON *v, int depth);

/* anyOf (one = 0) / oneOf (one = 1): each branch in turn coerces v in place;
 * whether it passes is the AJV walk's reading (a branch it cannot read counts
 * as failed, so the next one is tried too). */
static cJSON *branches(const cJSON *defs, const cJSON *arr, int one, cJSON *v, int depth)
{
    int passing = 0;
    for (const cJSON *b = arr ? arr->child : NULL; b; b = b->next) {
        v = coerce(defs, b, v, depth + 1);
        if (mk__bee_ajv_passes(defs, b, v) == 1 && ++passing > one)
            break;
    }
    return v;
}

/* Takes v, returns the value AJV would validate (maybe v itself). */
static cJSON *coerce(const cJSON *defs, const cJSON *schema, cJSON *v, int depth)
{
    const cJSON *s = deref(defs, schema);
    const cJSON *ty = cJSON_GetObjectItemCaseSensitive(s, "type");
    const cJSON *t;
    if (!s || depth > MK_MODEL_MAX_DEPTH)
        return v;
    if (ty && !fits(ty, v)) {
        /* AJV coerceData: only toward coercible types (not object) */
        int coercible = 0;
        for (t = cJSON_IsString(ty) ? ty : ty->child; t; t = cJSON_IsString(ty) ? NULL : t->next)
            coercible |= cJSON_IsString(t) && strcmp(t->valuestring, "object") != 0;
        if (!coercible)
            return v;
        if (cJSON_IsArray(v) && cJSON_GetArraySize(v) == 1) {
            /* array mode: a one-item array is taken for its item first */
            cJSON *one = cJSON_DetachItemFromArray(v, 0);
            cJSON_Delete(v);
            v = one;
            if (fits(ty, v))
                return coerce(defs, schema, v, depth);  /* and walked as that type */
        }
        for (t = cJSON_IsString(ty) ? ty : ty->child; t; t = cJSON_IsString(ty) ? NULL : t->next) {
            cJSON *c = NULL;
            if (!cJSON_IsString(t))
                continue;
            if (strcmp(t->valuestring, "array") == 0) {
                if (!cJSON_IsArray(v) && !cJSON_IsObject(v)) {
                    c = cJSON_CreateArray();
                    cJSON_AddItemToArray(c, v);
                    return coerce(defs, schema, c, depth);
                }
                continue;
            }
            if (cJSON_IsArray(v) || cJSON_IsObject(v))
                continue;
            c = coerce_scalar(t->valuestring, v);
            if (c) {
                cJSON_Delete(v);
                return c;
            }
        }
        return v;  /* the type check will refuse it */
    }
    /* after type, const and enum, AJV runs anyOf then oneOf */
    v = branches(defs, cJSON_GetObjectItemCaseSensitive(s, "anyOf"), 0, v, depth);
    v = branches(defs, cJSON_GetObjectItemCaseSensitive(s, "oneOf"), 1, v, depth);
    if (cJSON_IsObject(v)) {
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
        const cJSON *addl = cJSON_GetObjectItemCaseSensitive(s, "additionalProperties");
        for (cJSON *k = v->child; k;) {
            cJSON *next = k->next;
            const cJSON *ps = cJSON_GetObjectItemCaseSensitive(props, k->string);
            const cJSON *sub = ps ? ps : (cJSON_IsObject(addl) ? addl : NULL);
            if (sub) {
                cJSON *c = coerce(defs, sub, cJSON_Duplicate(k, 1), depth + 1);
                if (c) /* names the replacement (a coerced value is a new item) */
                    cJSON_ReplaceItemInObjectCaseSensitive(v, k->string, c);
            }
            k = next;
        }
    } else if (cJSON_IsArray(v)) {
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(s, "items");
        if (items) {
            for (cJSON *e = v->child; e;) {
                cJSON *next = e->next;
                cJSON *c = coerce(defs, items, cJSON_Duplicate(e, 1), depth + 1);
                if (c)
                    cJSON_ReplaceItemViaPointer(v, e, c);
                e = next;
            }
        }
    }
    return v;
}

cJSON *mk__bee_coerce(const cJSON *defs, const char *type_name, cJSON *v)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(defs, type_name);
    return s ? coerce(defs, s, v, 0) : v;
}

/* After the body, Fastify validates the querystring (repeated names are
 * arrays). Returns 1 with *out filled when it is refused. */
