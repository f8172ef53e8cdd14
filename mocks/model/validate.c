/* validate.c: an instance against a (checked) schema. The first failure
 * is reported with the instance pointer, the keyword, and the nearest
 * $defs type with its x-source; anyOf/oneOf report their closest branch. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

typedef struct vctx {
    const mk_model *m;
    mk_model_error *err;  /* never NULL inside */
    mk_mdl_ptr ptr;       /* where in the instance */
    const char *type;     /* nearest $defs name */
    const char *source;   /* its x-source */
    const char *holder;   /* type whose property is being checked ... */
    const char *prop;     /* ... and that property's name */
    size_t prop_ptr_len;  /* pointer length of that property's value */
} vctx;

static int fail(vctx *c, const char *kw, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(vctx *c, const char *kw, const char *fmt, ...)
{
    mk_model_error *e = c->err;
    memset(e, 0, sizeof(*e));
    snprintf(e->pointer, sizeof(e->pointer), "%s", c->ptr.buf);
    snprintf(e->keyword, sizeof(e->keyword), "%s", kw);
    snprintf(e->type, sizeof(e->type), "%s", c->type ? c->type : "");
    snprintf(e->source, sizeof(e->source), "%s", c->source ? c->source : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    /* The value of a property whose own type failed: also name the property
     * (e.g. Format.asset, where the type says FlattenedAsset). */
    if (c->holder && c->prop && c->type && strcmp(c->holder, c->type) != 0 &&
        c->ptr.len == c->prop_ptr_len) {
        size_t n = strlen(e->message);
        snprintf(e->message + n, sizeof(e->message) - n, " (%.60s.%.60s)", c->holder, c->prop);
    }
    return MK_MODEL_INVALID;
}

static int validate(vctx *c, const cJSON *s, const cJSON *v, int depth);

static int type_ok(const char *want, const cJSON *v)
{
    const char *have = mk_mdl__json_type(v);
    if (strcmp(want, have) == 0)
        return 1;
    return strcmp(want, "number") == 0 && strcmp(have, "integer") == 0;
}

static int check_type(vctx *c, const cJSON *t, const cJSON *v)
{
    char want[128] = "";
    if (cJSON_IsString(t)) {
        if (type_ok(t->valuestring, v))
            return MK_MODEL_OK;
        snprintf(want, sizeof(want), "%s", t->valuestring);
    } else {
        for (const cJSON *e = t->child; e; e = e->next) {
            if (type_ok(e->valuestring, v))
                return MK_MODEL_OK;
            size_t n = strlen(want);
            snprintf(want + n, sizeof(want) - n, "%s%s", n ? " or " : "", e->valuestring);
        }
    }
    return fail(c, "type", "expected %s, found %s", want, mk_mdl__json_type(v));
}

static size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static const regex_t *find_pattern(const mk_model *m, const cJSON *node)
{
    for (size_t i = 0; i < m->pattern_count; i++)
        if (m->patterns[i].node == node)
            return &m->patterns[i].re;
    return NULL;
}

static int check_object(vctx *c, const cJSON *s, const cJSON *v, int depth)
{
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(s, "required");
    const cJSON *addl = cJSON_GetObjectItemCaseSensitive(s, "additionalProperties");
    const cJSON *mnp = cJSON_GetObjectItemCaseSensitive(s, "minProperties");
    const cJSON *mxp = cJSON_GetObjectItemCaseSensitive(s, "maxProperties");
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(s, "propertyNames");
    double count = (double)cJSON_GetArraySize(v);
    if (mxp && count > mxp->valuedouble)
        return fail(c, "maxProperties", "%.0f properties, at most %.0f allowed", count,
                    mxp->valuedouble);
    if (mnp && count < mnp->valuedouble)
        return fail(c, "minProperties", "%.0f properties, at least %.0f required", count,
                    mnp->valuedouble);
    for (const cJSON *r = req ? req->child : NULL; r; r = r->next)
        if (!cJSON_GetObjectItemCaseSensitive(v, r->valuestring))
            return fail(c, "required", "missing required property \"%s\"", r->valuestring);
    for (const cJSON *k = names ? v->child : NULL; k; k = k->next) {
        /* the key as a string value, on the stack: nothing to allocate */
        cJSON key;
        memset(&key, 0, sizeof(key));
        key.type = cJSON_String;
        key.valuestring = k->string;
        mk_model_error inner;
        mk_model_error *outer = c->err;
        c->err = &inner;
        int rc = validate(c, names, &key, depth + 1);
        c->err = outer;
        if (rc != MK_MODEL_OK)
            return fail(c, "propertyNames", "property name \"%.64s\" is not allowed: %.200s",
                        k->string, inner.message);
    }
    for (const cJSON *k = v->child; k; k = k->next) {
        const cJSON *ps = props ? cJSON_GetObjectItemCaseSensitive(props, k->string) : NULL;
        if (!ps && cJSON_IsFalse(addl)) {
            size_t old = mk_mdl__ptr_key(&c->ptr, k->string);
            int rc = fail(c, "additionalProperties", "unknown property \"%s\" is not allowed",
                          k->string);
            mk_mdl__ptr_pop(&c->ptr, old);
            return rc;
        }
        const cJSON *sub = ps ? ps : (addl && !cJSON_IsBool(addl) ? addl : NULL);
        if (!sub)
            continue;
        size_t old = mk_mdl__ptr_key(&c->ptr, k->string);
        const char *save_holder = c->holder, *save_prop = c->prop;
        size_t save_len = c->prop_ptr_len;
        c->holder = c->type;
        c->prop = k->string;
        c->prop_ptr_len = c->ptr.len;
        int rc = validate(c, sub, k, depth + 1);
        c->holder = save_holder;
        c->prop = save_prop;
        c->prop_ptr_len = save_len;
        mk_mdl__ptr_pop(&c->ptr, old);
        if (rc != MK_MODEL_OK)
            return rc;
    }
    return MK_MODEL_OK;
}

static int check_array(vctx *c, const cJSON *s, const cJSON *v, int depth)
{
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(s, "items");
    const cJSON *mn = cJSON_GetObjectItemCaseSensitive(s, "minItems");
    const cJSON *mx = cJSON_GetObjectItemCaseSensitive(s, "maxItems");
    double n = (double)cJSON_GetArraySize(v);
    if (mn && n < mn->valuedouble)
        return fail(c, "minItems", "%.0f items, at least %.0f required", n, mn->valuedouble);
    if (mx && n > mx->valuedouble)
        return fail(c, "maxItems", "%.0f items, at most %.0f allowed", n, mx->valuedouble);
    const cJSON *uniq = cJSON_GetObjectItemCaseSensitive(s, "uniqueItems");
    if (cJSON_IsTrue(uniq)) {
        /* JSON equality: 1 and 1.0 alike, object members in any order */
        size_t i = 0;
        for (const cJSON *a = v->child; a; a = a->next, i++) {
            size_t j = i + 1;
            for (const cJSON *b = a->next; b; b = b->next, j++)
                if (cJSON_Compare(a, b, 1))
                    return fail(c, "uniqueItems", "items %zu and %zu are identical", i, j);
        }
    }
    if (!items)
        return MK_MODEL_OK;
    size_t i = 0;
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        size_t old = mk_mdl__ptr_index(&c->ptr, i);
        int rc = validate(c, items, e, depth + 1);
        mk_mdl__ptr_pop(&c->ptr, old);
        if (rc != MK_MODEL_OK)
            return rc;
    }
    return MK_MODEL_OK;
}

static int check_string(vctx *c, const cJSON *s, const cJSON *v)
{
    const cJSON *mn = cJSON_GetObjectItemCaseSensitive(s, "minLength");
    const cJSON *mx = cJSON_GetObjectItemCaseSensitive(s, "maxLength");
    const cJSON *pat = cJSON_GetObjectItemCaseSensitive(s, "pattern");
    double n = (double)utf8_length(v->valuestring);
    if (mn && n < mn->valuedouble)
        return fail(c, "minLength", "%.0f characters, at least %.0f required", n,
                    mn->valuedouble);
    if (mx && n > mx->valuedouble)
        return fail(c, "maxLength", "%.0f characters, at most %.0f allowed", n,
                    mx->valuedouble);
    if (pat) {
        const regex_t *re = find_pattern(c->m, pat);
        if (re && regexec(re, v->valuestring, 0, NULL, 0) != 0)
            return fail(c, "pattern", "\"%.80s\" does not match /%s/", v->valuestring,
                        pat->valuestring);
    }
    return MK_MODEL_OK;
}

/* AJV 8's test without multipleOfPrecision (bee-api sets none): the
 * quotient x / m in double precision must equal parseInt(quotient), where
 * parseInt reads the quotient's JavaScript text: exponent forms (|q| >= 1e21
 * or below 1e-6) read as their first digits, so they fail. No tolerance:
 * AJV refuses 0.57 for multipleOf 0.01 (0.57 / 0.01 = 56.99999999999999),
 * and so does python3-jsonschema (int(q) != q). */
int mk_model_multiple_of(double x, double m)
{
    if (!(m > 0))
        return 0;
    double q = x / m;
    if (!isfinite(q))
        return 0;
    if (q == 0)
        return 1;
    double a = fabs(q);
    if (a >= 1e21 || a < 1e-6)
        return 0;
    return trunc(q) == q;
}

static int check_number(vctx *c, const cJSON *s, const cJSON *v)
{
    const cJSON *mn = cJSON_GetObjectItemCaseSensitive(s, "minimum");
    const cJSON *mx = cJSON_GetObjectItemCaseSensitive(s, "maximum");
    if (mn && v->valuedouble < mn->valuedouble)
        return fail(c, "minimum", "%g is less than the minimum %g", v->valuedouble,
                    mn->valuedouble);
    if (mx && v->valuedouble > mx->valuedouble)
        return fail(c, "maximum", "%g is more than the maximum %g", v->valuedouble,
                    mx->valuedouble);
    const cJSON *mul = cJSON_GetObjectItemCaseSensitive(s, "multipleOf");
    if (mul && !mk_model_multiple_of(v->valuedouble, mul->valuedouble))
        return fail(c, "multipleOf", "%.17g is not a multiple of %g", v->valuedouble,
                    mul->valuedouble);
    return MK_MODEL_OK;
}

/* cJSON_Compare treats 1 and 1.0 alike, as JSON Schema does. */
static int check_enum(vctx *c, const cJSON *en, const cJSON *v)
{
    for (const cJSON *e = en->child; e; e = e->next)
        if (cJSON_Compare(e, v, 1))
            return MK_MODEL_OK;
    char *txt = cJSON_PrintUnformatted(v);
    int rc = fail(c, "enum", "%.80s is not one of the %d allowed values",
                  txt ? txt : mk_mdl__json_type(v), cJSON_GetArraySize(en));
    cJSON_free(txt);
    return rc;
}

static int is_null_only(const cJSON *s)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "type");
    return cJSON_IsObject(s) && cJSON_GetArraySize(s) == 1 && cJSON_IsString(t) &&
           strcmp(t->valuestring, "null") == 0;
}

/* anyOf / oneOf: counts matching branches; on none, keeps the error of
 * the branch that got deepest into the instance (the closest match). */
static int check_branches(vctx *c, const cJSON *arr, const char *kw, const cJSON *v, int depth)
{
    mk_model_error *outer = c->err;
    mk_model_error best = {0}, cur;
    int have_best = 0, matches = 0, idx = 0, best_idx = 0, real = 0;
    for (const cJSON *b = arr->child; b; b = b->next)
        real += !is_null_only(b);
    for (const cJSON *b = arr->child; b; b = b->next, idx++) {
        c->err = &cur;
        int rc = validate(c, b, v, depth + 1);
        c->err = outer;
        if (rc == MK_MODEL_OK) {
            matches++;
            continue;
        }
        if (!have_best || strlen(cur.pointer) > strlen(best.pointer) ||
            strcmp(cur.keyword, "depth") == 0) {
            best = cur;
            best_idx = idx;
            have_best = 1;
        }
    }
    if (strcmp(kw, "oneOf") == 0 && matches > 1)
        return fail(c, "oneOf", "matches %d of the oneOf alternatives, exactly one allowed",
                    matches);
    if (matches > 0)
        return MK_MODEL_OK;
    /* depth, or a nullable X (anyOf [X, null]) that is not X: X's error. */
    if (strcmp(best.keyword, "depth") == 0 || (real == 1 && !cJSON_IsNull(v))) {
        *outer = best;
        return MK_MODEL_INVALID;
    }
    *outer = best;
    char msg[sizeof(best.message)];
    snprintf(msg, sizeof(msg), "%s", best.message);
    snprintf(outer->message, sizeof(outer->message),
             "no %s alternative matches at %.80s; closest (#%d): %.240s", kw,
             c->ptr.len ? c->ptr.buf : "(root)", best_idx,
             msg);
    return MK_MODEL_INVALID;
}

static int validate(vctx *c, const cJSON *s, const cJSON *v, int depth)
{
    if (depth > MK_MODEL_MAX_DEPTH)
        return fail(c, "depth", "nested deeper than %d levels (schema and $ref hops counted)",
                    MK_MODEL_MAX_DEPTH);
    if (cJSON_IsTrue(s))
        return MK_MODEL_OK;
    if (cJSON_IsFalse(s))
        return fail(c, "false", "no value is allowed here");
    const cJSON *k;
    int rc;
    if ((k = cJSON_GetObjectItemCaseSensitive(s, "$ref"))) {
        const char *name = NULL;
        const cJSON *target = mk_mdl__resolve(c->m, k->valuestring, &name);
        const char *save_type = c->type, *save_source = c->source;
        const cJSON *xs = cJSON_GetObjectItemCaseSensitive(target, "x-source");
        c->type = name;
        c->source = cJSON_IsString(xs) ? xs->valuestring : NULL;
        rc = target ? validate(c, target, v, depth + 1)
                    : fail(c, "$ref", "unresolved %s", k->valuestring);
        c->type = save_type;
        c->source = save_source;
        if (rc != MK_MODEL_OK)
            return rc;
    }
    if ((k = cJSON_GetObjectItemCaseSensitive(s, "type")) && (rc = check_type(c, k, v)))
        return rc;
    if ((k = cJSON_GetObjectItemCaseSensitive(s, "const")) && !cJSON_Compare(k, v, 1))
        return fail(c, "const", "value is not the constant the model requires");
    if ((k = cJSON_GetObjectItemCaseSensitive(s, "enum")) && (rc = check_enum(c, k, v)))
        return rc;
    if (cJSON_IsObject(v) && (rc = check_object(c, s, v, depth)))
        return rc;
    if (cJSON_IsArray(v) && (rc = check_array(c, s, v, depth)))
        return rc;
    if (cJSON_IsString(v) && (rc = check_string(c, s, v)))
        return rc;
    if (cJSON_IsNumber(v) && (rc = check_number(c, s, v)))
        return rc;
    if ((k = cJSON_GetObjectItemCaseSensitive(s, "allOf"))) {
        for (const cJSON *b = k->child; b; b = b->next)
            if ((rc = validate(c, b, v, depth + 1)))
                return rc;
    }
    if ((k = cJSON_GetObjectItemCaseSensitive(s, "anyOf")) &&
        (rc = check_branches(c, k, "anyOf", v, depth)))
        return rc;
    if ((k = cJSON_GetObjectItemCaseSensitive(s, "oneOf")) &&
        (rc = check_branches(c, k, "oneOf", v, depth)))
        return rc;
    return MK_MODEL_OK;
}

int mk_mdl__validate(const mk_model *m, const cJSON *schema, const char *type_name,
                     const cJSON *instance, mk_model_error *err)
{
    mk_model_error local;
    vctx c = {.m = m, .err = err ? err : &local, .type = type_name};
    const cJSON *xs = cJSON_GetObjectItemCaseSensitive(schema, "x-source");
    c.source = cJSON_IsString(xs) ? xs->valuestring : NULL;
    return validate(&c, schema, instance, 0);
}

int mk_model_validate_type(const mk_model *m, const char *type, const cJSON *instance,
                           mk_model_error *err)
{
    if (!m || !type || !instance)
        return mk_mdl__err(err, MK_MODEL_EINVAL, "", "", "missing model, type or value");
    char ref[160];
    if (strncmp(type, "#/$defs/", 8) == 0)
        snprintf(ref, sizeof(ref), "%s", type);
    else
        snprintf(ref, sizeof(ref), "#/$defs/%s", type);
    const char *name = NULL;
    const cJSON *s = mk_mdl__resolve(m, ref, &name);
    if (!s)
        return mk_mdl__err(err, MK_MODEL_EMODEL, "", "$ref", "%s has no type %s", m->name, ref);
    return mk_mdl__validate(m, s, name, instance, err);
}
