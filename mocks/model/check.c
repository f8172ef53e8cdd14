/* check.c: a model file is checked once, when loaded, so validation can
 * trust it: only the supported keywords, well-formed values, resolvable
 * local $refs, compilable patterns and well-formed bindings. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const TYPES[] = {"integer", "number", "string", "boolean",
                                    "object", "array", "null"};

static int is_type_name(const char *s)
{
    for (size_t i = 0; i < sizeof(TYPES) / sizeof(TYPES[0]); i++)
        if (strcmp(s, TYPES[i]) == 0)
            return 1;
    return 0;
}

const cJSON *mk_mdl__resolve(const mk_model *m, const char *ref, const char **name)
{
    static const char prefix[] = "#/$defs/";
    if (!ref || strncmp(ref, prefix, sizeof(prefix) - 1) != 0 || !m->defs)
        return NULL;
    const char *n = ref + sizeof(prefix) - 1;
    if (!*n || strchr(n, '/') || strchr(n, '~'))
        return NULL;
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(m->defs, n);
    if (s && name)
        *name = s->string;
    return s;
}

static int add_pattern(mk_model *m, const cJSON *node, const char *ptr, mk_model_error *err)
{
    if (m->pattern_count == m->pattern_cap) {
        size_t ncap = m->pattern_cap ? m->pattern_cap * 2 : 16;
        mk_mdl_pattern *n = realloc(m->patterns, ncap * sizeof(*n));
        if (!n)
            return mk_mdl__err(err, MK_MODEL_ENOMEM, ptr, "pattern", "out of memory");
        m->patterns = n;
        m->pattern_cap = ncap;
    }
    mk_mdl_pattern *p = &m->patterns[m->pattern_count];
    int rc = regcomp(&p->re, node->valuestring, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char why[128];
        regerror(rc, &p->re, why, sizeof(why));
        return mk_mdl__err(err, MK_MODEL_EMODEL, ptr, "pattern",
                           "pattern \"%s\" is not a POSIX extended regex: %s",
                           node->valuestring, why);
    }
    p->node = node;
    m->pattern_count++;
    return MK_MODEL_OK;
}

static int check_schema(mk_model *m, const cJSON *s, mk_mdl_ptr *p, int depth,
                        mk_model_error *err);

static int check_schema_array(mk_model *m, const cJSON *v, const char *kw, mk_mdl_ptr *p,
                              int depth, mk_model_error *err)
{
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
        return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, kw, "%s must be a non-empty array",
                           kw);
    size_t i = 0;
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        size_t old = mk_mdl__ptr_index(p, i);
        int rc = check_schema(m, e, p, depth + 1, err);
        mk_mdl__ptr_pop(p, old);
        if (rc != MK_MODEL_OK)
            return rc;
    }
    return MK_MODEL_OK;
}

static int is_count(const cJSON *v)
{
    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 1e15 &&
           v->valuedouble == (double)(long long)v->valuedouble;
}

/* One keyword of a schema object; p points at the keyword. */
static int check_keyword(mk_model *m, const cJSON *k, mk_mdl_ptr *p, int depth,
                         mk_model_error *err)
{
    const char *kw = k->string;
    if (strcmp(kw, "type") == 0) {
        if (cJSON_IsString(k)) {
            if (!is_type_name(k->valuestring))
                return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, kw, "unknown type \"%s\"",
                                   k->valuestring);
            return MK_MODEL_OK;
        }
        if (!cJSON_IsArray(k) || cJSON_GetArraySize(k) == 0)
            return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, kw,
                               "type must be a type name or a non-empty array of them");
        for (const cJSON *e = k->child; e; e = e->next)
            if (!cJSON_IsString(e) || !is_type_name(e->valuestring))
                return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, kw,
                                   "type array holds something that is not a type name");
        return MK_MODEL_OK;
    }
    if (strcmp(kw, "properties") == 0) {
        if (!cJSON_IsObject(k))
            return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, kw, "properties must be an object");
        for (const cJSON *e = k->child; e; e = e->next) {
            size_t old = mk_mdl__ptr_key(p, e->string);
            int rc = check_schema(m, e, p, depth + 1, err);
            mk_mdl__ptr_pop(p, old);
            if (rc != MK_MODEL_OK)
                return rc;
        }
        return MK_MODEL_OK;
    }
    if (strcmp(kw, "required") == 0) {
        if (!cJSON_IsArray(k))
            return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, kw, "required must be an array");
        for (const cJSON *e = k->child; e; e = e->next)
            if (!cJSON_IsString(e))
                return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, kw,
                                   "required must hold property names (strings)");
        return MK_MODEL_OK;
    }
    if (strcmp(kw, "additionalProperties") == 0 || strcmp(kw, "items") == 0 ||
        strcmp(kw, "propertyNames") == 0)
        return check_schema(m, k, p, depth + 1, err);
    if (strcmp(kw, "enum") == 0) {
        if (!cJSON_IsArray(k) || cJSON_GetArraySize(k) == 0)
            return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, kw, "enum must be a non-empty array");
        return MK_MODEL_OK;
    }
    if (strcmp(kw, "const") == 0)
        return MK_MODEL_OK;
    if (strcmp(kw, "$ref") == 0) {
        if (!cJSON_IsString(k) || !mk_mdl__resolve(m, k->valuestring, NULL))
            return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, kw,
                               "$ref must name an existing \"#/$defs/<Name>\"%s%s",
                               cJSON_IsString(k) ? ", not " : "",
                               cJSON_IsString(k) ? k->valuestring : "");
        return MK_MODEL_OK;
    }
    if (strcmp(kw, "oneOf") == 0 || strcmp(kw, "anyOf") == 0 || strcmp(kw, "allOf") == 0)
        return check_schema_array(m, k, kw, p, depth, err);
    if (strcmp(kw, "minimum") == 0 || strcmp(kw, "maximum") == 0) {
        if (!cJSON_IsNumber(k))
            return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, kw, "%s must be a number", kw);
        return MK_MODEL_OK;
    }
    if (strcmp(kw, "multipleOf") == 0) {
        /* JSON Schema: strictly greater than 0 (AJV divides by it) */
        if (!cJSON_IsNumber(k) || !(k->valuedouble > 0))
            return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, kw,
                               "multipleOf must be a number greater than 0");
        return MK_MODEL_OK;
    }
    if (strcmp(kw, "uniqueItems") == 0) {
        if (!cJSON_IsBool(k))
            return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, kw, "uniqueItems must be a boolean");
        return MK_MODEL_OK;
    }
    if (strcmp(kw, "minLength") == 0 || strcmp(kw, "maxLength") == 0 ||
        strcmp(kw, "minItems") == 0 || strcmp(kw, "maxItems") == 0 ||
        strcmp(kw, "minProperties") == 0 || strcmp(kw, "maxProperties") == 0) {
        if (!is_count(k))
            return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, kw,
                               "%s must be a non-negative integer", kw);
        return MK_MODEL_OK;
    }
    if (strcmp(kw, "pattern") == 0) {
        if (!cJSON_IsString(k))
            return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, kw, "pattern must be a string");
        return add_pattern(m, k, p->buf, err);
    }
    if (strcmp(kw, "x-source") == 0 || strcmp(kw, "description") == 0 ||
        strcmp(kw, "title") == 0) {
        if (!cJSON_IsString(k))
            return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, kw, "%s must be a string", kw);
        return MK_MODEL_OK;
    }
    return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, kw,
                       "unknown keyword \"%s\" (docs/models.md lists the supported ones)", kw);
}

static int check_schema(mk_model *m, const cJSON *s, mk_mdl_ptr *p, int depth,
                        mk_model_error *err)
{
    if (depth > MK_MODEL_MAX_DEPTH)
        return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, "depth",
                           "schema nested deeper than %d levels", MK_MODEL_MAX_DEPTH);
    if (cJSON_IsBool(s))
        return MK_MODEL_OK;
    if (!cJSON_IsObject(s))
        return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, "", "a schema must be an object or a boolean");
    for (const cJSON *k = s->child; k; k = k->next) {
        size_t old = mk_mdl__ptr_key(p, k->string);
        int rc = check_keyword(m, k, p, depth, err);
        mk_mdl__ptr_pop(p, old);
        if (rc != MK_MODEL_OK)
            return rc;
    }
    return MK_MODEL_OK;
}

/* A binding target: null (not checked) or a resolvable "#/$defs/Name". */
static int check_target(const mk_model *m, const cJSON *v, const char *ptr, mk_model_error *err)
{
    if (cJSON_IsNull(v))
        return MK_MODEL_OK;
    if (cJSON_IsString(v) && mk_mdl__resolve(m, v->valuestring, NULL))
        return MK_MODEL_OK;
    return mk_mdl__err(err, MK_MODEL_EMODEL, ptr, "bindings",
                       "a binding maps to null or an existing \"#/$defs/<Name>\"");
}

static int is_status_key(const char *k)
{
    if (strlen(k) != 3 || k[0] < '1' || k[0] > '5')
        return 0;
    if (k[1] == 'x' && k[2] == 'x')
        return 1;
    return k[1] >= '0' && k[1] <= '9' && k[2] >= '0' && k[2] <= '9';
}

static int check_map(const mk_model *m, const cJSON *map, mk_mdl_ptr *p, int statuses,
                     mk_model_error *err)
{
    if (!cJSON_IsObject(map))
        return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, "bindings", "must be an object");
    for (const cJSON *e = map->child; e; e = e->next) {
        size_t old = mk_mdl__ptr_key(p, e->string);
        int rc = MK_MODEL_OK;
        if (statuses && !is_status_key(e->string))
            rc = mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, "bindings",
                             "response keys are statuses (\"200\") or classes (\"4xx\")");
        if (rc == MK_MODEL_OK)
            rc = check_target(m, e, p->buf, err);
        mk_mdl__ptr_pop(p, old);
        if (rc != MK_MODEL_OK)
            return rc;
    }
    return MK_MODEL_OK;
}

static int check_binding(const mk_model *m, const cJSON *b, mk_mdl_ptr *p, int *unrouted,
                         mk_model_error *err)
{
    if (!cJSON_IsObject(b))
        return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, "bindings", "a binding is an object");
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(b, "path");
    const cJSON *ws = cJSON_GetObjectItemCaseSensitive(b, "ws");
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(b, "method");
    if (cJSON_IsString(path) && strcmp(path->valuestring, "*") == 0) {
        /* Every method and path no other binding routes: request and
         * responses only, as a not-found handler answers. */
        if (method || ws || cJSON_GetObjectItemCaseSensitive(b, "sse"))
            return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, "bindings",
                               "the \"*\" binding (unknown routes) has no \"method\", "
                               "\"sse\" or \"ws\"");
        if (*unrouted)
            return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, "bindings",
                               "a second \"*\" binding");
        *unrouted = 1;
    } else if (!cJSON_IsString(path) || path->valuestring[0] != '/') {
        return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, "bindings",
                           "a binding needs an absolute \"path\" (or \"*\")");
    } else if (!ws && !cJSON_IsString(method)) {
        return mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, "bindings",
                           "an HTTP binding needs a \"method\"");
    }
    for (const cJSON *k = b->child; k; k = k->next) {
        size_t old = mk_mdl__ptr_key(p, k->string);
        int rc = MK_MODEL_OK;
        if (strcmp(k->string, "method") == 0 || strcmp(k->string, "path") == 0 ||
            strcmp(k->string, "note") == 0) {
            if (!cJSON_IsString(k))
                rc = mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, "bindings", "must be a string");
        } else if (strcmp(k->string, "request") == 0) {
            rc = check_target(m, k, p->buf, err);
        } else if (strcmp(k->string, "responses") == 0) {
            rc = check_map(m, k, p, 1, err);
        } else if (strcmp(k->string, "sse") == 0) {
            rc = check_map(m, k, p, 0, err);
        } else if (strcmp(k->string, "ws") == 0) {
            rc = check_map(m, k, p, 0, err);
            for (const cJSON *e = k->child; rc == MK_MODEL_OK && e; e = e->next)
                if (strcmp(e->string, "client") != 0 && strcmp(e->string, "server") != 0)
                    rc = mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, "bindings",
                                     "ws keys are \"client\" and \"server\"");
        } else {
            rc = mk_mdl__err(err, MK_MODEL_EMODEL, p->buf, "bindings",
                             "unknown binding key \"%s\"", k->string);
        }
        mk_mdl__ptr_pop(p, old);
        if (rc != MK_MODEL_OK)
            return rc;
    }
    return MK_MODEL_OK;
}

static int check_model(mk_model *m, mk_model_error *err)
{
    const cJSON *doc = m->doc;
    if (!cJSON_IsObject(doc))
        return mk_mdl__err(err, MK_MODEL_EMODEL, "", "", "a model is a JSON object");
    const cJSON *service = cJSON_GetObjectItemCaseSensitive(doc, "service");
    if (!cJSON_IsString(service) || !service->valuestring[0])
        return mk_mdl__err(err, MK_MODEL_EMODEL, "/service", "", "\"service\" must name the service");
    m->service = service->valuestring;
    const cJSON *sources = cJSON_GetObjectItemCaseSensitive(doc, "sources");
    if (!cJSON_IsObject(sources) || !sources->child)
        return mk_mdl__err(err, MK_MODEL_EMODEL, "/sources", "",
                           "\"sources\" must name at least one upstream source");
    for (const cJSON *e = sources->child; e; e = e->next)
        if (!cJSON_IsString(e))
            return mk_mdl__err(err, MK_MODEL_EMODEL, "/sources", "", "sources are strings");
    m->defs = cJSON_GetObjectItemCaseSensitive(doc, "$defs");
    if (!cJSON_IsObject(m->defs))
        return mk_mdl__err(err, MK_MODEL_EMODEL, "/$defs", "", "\"$defs\" must be an object");
    m->bindings = cJSON_GetObjectItemCaseSensitive(doc, "bindings");
    if (!cJSON_IsArray(m->bindings))
        return mk_mdl__err(err, MK_MODEL_EMODEL, "/bindings", "", "\"bindings\" must be an array");
    for (const cJSON *k = doc->child; k; k = k->next) {
        static const char *const top[] = {"service", "sources", "$defs", "bindings",
                                          "$schema", "description", "title"};
        int known = 0;
        for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++)
            known |= strcmp(k->string, top[i]) == 0;
        if (!known)
            return mk_mdl__err(err, MK_MODEL_EMODEL, "", "", "unknown top-level key \"%s\"",
                               k->string);
    }
    mk_mdl_ptr p = {.buf = "/$defs", .len = 6};
    for (const cJSON *d = m->defs->child; d; d = d->next) {
        size_t old = mk_mdl__ptr_key(&p, d->string);
        int rc = check_schema(m, d, &p, 0, err);
        mk_mdl__ptr_pop(&p, old);
        if (rc != MK_MODEL_OK)
            return rc;
    }
    mk_mdl_ptr bp = {.buf = "/bindings", .len = 9};
    size_t i = 0;
    int unrouted = 0;
    for (const cJSON *b = m->bindings->child; b; b = b->next, i++) {
        size_t old = mk_mdl__ptr_index(&bp, i);
        int rc = check_binding(m, b, &bp, &unrouted, err);
        mk_mdl__ptr_pop(&bp, old);
        if (rc != MK_MODEL_OK)
            return rc;
    }
    return MK_MODEL_OK;
}

/* Patterns are compiled for UTF-8 (C.UTF-8, this thread only), so "." and
 * "{1,64}" count characters as JavaScript and Python do, not bytes; the
 * compiled form keeps that whatever the process locale. Without C.UTF-8,
 * the process locale (bytes under "C"). */
int mk_mdl__check_model(mk_model *m, mk_model_error *err)
{
    locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    locale_t old = utf8 ? uselocale(utf8) : (locale_t)0;
    int rc = check_model(m, err);
    if (utf8) {
        uselocale(old);
        freelocale(utf8);
    }
    return rc;
}
