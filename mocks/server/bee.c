/* bee.c: what Bee's Fastify server does before a route handler runs, in
 * its order (i-am-bee/bee-api@7f04eca):
 *   1. @godaddy/terminus answers /healthcheck before Fastify sees it
 *      (src/terminus.ts);
 *   2. routing: no route for method + path is 404 "Route does not exist",
 *      whatever the key (src/errors/plugin.ts setNotFoundHandler);
 *   3. the rate limit, an onRequest hook of routes only (src/rate-limit.ts);
 *   4. schema validation of the body (AJV, src/ajv.ts): 400 invalid_input
 *      in Fastify's "body<path> <ajv message>" wording;
 *   5. auth, each route's preHandler (src/auth/authentication.ts).
 * Routes and body types come from models/bee.json, the same model the
 * conformance gate checks the fixtures with (embedded at build time). */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mock_internal.h"
#include "mockkit/model.h"

extern const char mk__bee_model_json[];
extern const size_t mk__bee_model_len;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static cJSON *model_doc;     /* parsed models/bee.json: the route table */
static mk_model *model;      /* the validator's view of the same file */
static char model_error[700];

static cJSON *coerce_to_type(const char *type_name, cJSON *v);

/* Built once per process and never changed afterwards, like a compiled
 * table: every Bee mock shares it. */
static void load_model(void)
{
    mk_model_error err;
    model_doc = cJSON_ParseWithLength(mk__bee_model_json, mk__bee_model_len);
    if (!model_doc) {
        snprintf(model_error, sizeof(model_error), "models/bee.json (embedded) is not JSON");
        return;
    }
    if (mk_model_new_json(model_doc, "models/bee.json", &model, &err) != MK_MODEL_OK) {
        snprintf(model_error, sizeof(model_error), "models/bee.json: %.200s: %.380s", err.pointer,
                 err.message);
        model = NULL;
    }
}

const char *mk__bee_model_error(void)
{
    pthread_once(&once, load_model);
    return model ? NULL : model_error;
}

static void reply_error(mk__reply *out, int status, const char *code, const char *message)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *err = cJSON_AddObjectToObject(root, "error");
    cJSON_AddStringToObject(err, "code", code);
    cJSON_AddStringToObject(err, "message", message);
    out->status = status;
    out->content_type = MK__BEE_JSON;  /* Fastify's reply.send() of an object */
    out->body = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
}

/* find-my-way: "{name}" is one non-empty segment, the rest is literal. */
static int route_matches(const char *tpl, const char *path, int *statics)
{
    *statics = 0;
    while (*tpl && *path) {
        if (*tpl == '{') {
            const char *close = strchr(tpl, '}');
            const char *end = strchr(path, '/');
            if (!close)
                return 0;
            if (!end)
                end = path + strlen(path);
            if (end == path)
                return 0;
            tpl = close + 1;
            path = end;
            continue;
        }
        if (*tpl != *path)
            return 0;
        if (*tpl == '/')
            (*statics)++;
        tpl++;
        path++;
    }
    return *tpl == '\0' && *path == '\0';
}

/* The binding of the route Fastify would pick: a static segment beats a
 * parameter (POST /v1/threads/runs is not POST /v1/threads/{thread_id}).
 * HEAD is served by the GET route (Fastify's exposeHeadRoutes). */
static const cJSON *find_route(const char *method, const char *path)
{
    const cJSON *best = NULL;
    int best_statics = -1;
    const cJSON *b;
    if (strcmp(method, "HEAD") == 0)
        method = "GET";
    cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(model_doc, "bindings")) {
        const cJSON *bm = cJSON_GetObjectItemCaseSensitive(b, "method");
        const cJSON *bp = cJSON_GetObjectItemCaseSensitive(b, "path");
        int statics;
        if (!cJSON_IsString(bm) || !cJSON_IsString(bp) || strcmp(bm->valuestring, method) != 0)
            continue;
        if (route_matches(bp->valuestring, path, &statics) && statics > best_statics) {
            best = b;
            best_statics = statics;
        }
    }
    return best;
}

/* The number at the end of a validator message ("at least 1 required"). */
static const char *last_number(const char *msg, char *buf, size_t size)
{
    const char *end = msg + strlen(msg), *p;
    while (end > msg && !isdigit((unsigned char)end[-1]))
        end--;
    p = end;
    while (p > msg && (isdigit((unsigned char)p[-1]) || p[-1] == '.' || p[-1] == '-'))
        p--;
    snprintf(buf, size, "%.*s", (int)(end - p), p);
    return buf;
}

/* The text between the first pair of double quotes of msg. */
static const char *quoted(const char *msg, char *buf, size_t size)
{
    const char *a = strchr(msg, '"');
    const char *b = a ? strchr(a + 1, '"') : NULL;
    snprintf(buf, size, "%.*s", a && b ? (int)(b - a - 1) : 0, a ? a + 1 : "");
    return buf;
}

/* AJV's message for the validator's first error, as Fastify 4's default
 * schemaErrorFormatter prints it: "body" + instancePath + " " + message.
 * AJV's instancePath of required/additionalProperties is the object, and a
 * nullable type's message names the non-null type ("must be string"). */
static void ajv_message(const char *var, const mk_model_error *e, char *out, size_t size)
{
    char path[300], arg[128], msg[200];
    snprintf(path, sizeof(path), "%s", e->pointer);
    if (strcmp(e->keyword, "additionalProperties") == 0) {
        char *slash = strrchr(path, '/');
        if (slash)
            *slash = '\0';
        snprintf(msg, sizeof(msg), "must NOT have additional properties");
    } else if (strcmp(e->keyword, "required") == 0) {
        snprintf(msg, sizeof(msg), "must have required property '%s'",
                 quoted(e->message, arg, sizeof(arg)));
    } else if (strcmp(e->keyword, "type") == 0) {
        /* "expected string or null, found integer" */
        char types[128] = "";
        const char *p = strncmp(e->message, "expected ", 9) == 0 ? e->message + 9 : "";
        const char *stop = strstr(p, ", found");
        size_t n = stop ? (size_t)(stop - p) : strlen(p);
        while (n > 0) {
            const char *sep = strstr(p, " or ");
            size_t len = sep && (size_t)(sep - p) < n ? (size_t)(sep - p) : n;
            if (!(len == 4 && strncmp(p, "null", 4) == 0)) {
                size_t t = strlen(types);
                snprintf(types + t, sizeof(types) - t, "%s%.*s", t ? "," : "", (int)len, p);
            }
            if (len == n)
                break;
            n -= len + 4;
            p += len + 4;
        }
        snprintf(msg, sizeof(msg), "must be %s", types[0] ? types : "null");
    } else if (strcmp(e->keyword, "enum") == 0) {
        snprintf(msg, sizeof(msg), "must be equal to one of the allowed values");
    } else if (strcmp(e->keyword, "const") == 0) {
        snprintf(msg, sizeof(msg), "must be equal to constant");
    } else if (strcmp(e->keyword, "minimum") == 0 || strcmp(e->keyword, "maximum") == 0) {
        snprintf(msg, sizeof(msg), "must be %s %s", e->keyword[1] == 'i' ? ">=" : "<=",
                 last_number(e->message, arg, sizeof(arg)));
    } else if (strcmp(e->keyword, "minLength") == 0 || strcmp(e->keyword, "maxLength") == 0 ||
               strcmp(e->keyword, "minItems") == 0 || strcmp(e->keyword, "maxItems") == 0) {
        snprintf(msg, sizeof(msg), "must NOT have %s than %s %s",
                 e->keyword[1] == 'i' ? "fewer" : "more", last_number(e->message, arg, sizeof(arg)),
                 strstr(e->keyword, "Items") ? "items" : "characters");
    } else if (strcmp(e->keyword, "oneOf") == 0) {
        snprintf(msg, sizeof(msg), "must match exactly one schema in oneOf");
    } else if (strcmp(e->keyword, "anyOf") == 0) {
        snprintf(msg, sizeof(msg), "must match a schema in anyOf");
    } else {
        snprintf(msg, sizeof(msg), "%.190s", e->message);
    }
    snprintf(out, size, "%s%s %s", var, path, msg);
}

/* The validator names the failing branch of a oneOf/anyOf in its message
 * ("no oneOf alternative matches ..."); AJV's last error is the oneOf. */
static void branch_keyword(mk_model_error *e)
{
    if (strncmp(e->message, "no oneOf alternative", 20) == 0 ||
        strncmp(e->message, "no anyOf alternative", 20) == 0) {
        const char *at = strstr(e->message, "at \"");
        char where[256];
        snprintf(e->keyword, sizeof(e->keyword), "%.5s", e->message + 3);
        quoted(at ? at : "", where, sizeof(where));
        snprintf(e->pointer, sizeof(e->pointer), "%s", where);
    }
}

/* The 400 text for a value the validator refused: AJV's order and words
 * (bee_ajv.c), or the validator's first error in AJV's words when that
 * walk cannot say. */
static void refusal(const char *var, const char *type, const cJSON *v, mk_model_error *err,
                    char *msg, size_t size)
{
    const cJSON *defs = cJSON_GetObjectItemCaseSensitive(model_doc, "$defs");
    if (strncmp(type, "#/$defs/", 8) == 0)
        type += 8;
    if (mk__bee_ajv_text(defs, type, var, v, msg, size) == 0)
        return;
    branch_keyword(err);
    ajv_message(var, err, msg, size);
}

static int has_type(const char *ct, const char *want)
{
    size_t n = strlen(want);
    return ct && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Parsing, then step 4. Fastify 4's handleRequest: GET and HEAD bodies are
 * never parsed; DELETE and OPTIONS only with a content type and a length
 * or transfer-encoding header; other methods always when they carry a
 * content type (or a body without one). The parser is that of the content
 * type: application/json, text/plain (Fastify's own), multipart/form-data
 * (@fastify/multipart); any other is FST_ERR_CTP_INVALID_MEDIA_TYPE, which
 * Bee's error handler turns into a 500. Returns 1 with *out filled when
 * the request is refused. */
static int validate_body(const cJSON *route, const mk__req *req, mk__reply *out)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(route, "request");
    const char *ct = mk__req_header(req, "Content-Type");
    const char *cl = mk__req_header(req, "Content-Length");
    const char *te = mk__req_header(req, "Transfer-Encoding");
    int json = has_type(ct, "application/json");
    mk_model_error err;
    char msg[700];
    cJSON *body = NULL;
    int rc, parse;
    if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) {
        return 0;  /* no body schema on these routes either */
    } else if (strcmp(req->method, "DELETE") == 0 || strcmp(req->method, "OPTIONS") == 0) {
        parse = ct && (cl || te);
    } else {
        parse = ct || te || (cl && strcmp(cl, "0") != 0);
    }
    if (parse && !json && !has_type(ct, "text/plain") && !has_type(ct, "multipart/form-data")) {
        snprintf(msg, sizeof(msg), "Unsupported Media Type: %.200s", ct ? ct : "");
        reply_error(out, 500, "internal_server_error", msg);
        return 1;
    }
    if (parse && req->body_len == 0 && json) {
        reply_error(out, 400, "invalid_input",
                    "Body cannot be empty when content-type is set to 'application/json'");
        return 1;
    }
    if (!cJSON_IsString(type))
        return 0;  /* no body schema (or not modelled): Fastify checks nothing */
    if (parse && has_type(ct, "multipart/form-data"))
        return 0;  /* not a JSON body */
    if (parse && json) {
        body = cJSON_ParseWithLength((const char *)req->body, req->body_len);
        if (!body) {
            /* JSON.parse's SyntaxError text is V8's; ours names the fact only. */
            reply_error(out, 400, "invalid_input", "mockkit: the request body is not valid JSON");
            return 1;
        }
    }
    if (!body || !cJSON_IsObject(body)) {
        /* no body (undefined), a text/plain string or another JSON value;
         * AJV's coerceTypes never turns those into an object */
        cJSON_Delete(body);
        reply_error(out, 400, "invalid_input", "body must be object");
        return 1;
    }
    if (strncmp(type->valuestring, "#/$defs/", 8) == 0)
        body = coerce_to_type(type->valuestring + 8, body);
    rc = mk_model_validate_type(model, type->valuestring, body, &err);
    if (rc != MK_MODEL_OK)
        refusal("body", type->valuestring, body, &err, msg, sizeof(msg));
    cJSON_Delete(body);
    if (rc == MK_MODEL_OK)
        return 0;
    reply_error(out, 400, "invalid_input", msg);
    return 1;
}

/* The querystring schema of each GET route that has one (the route's
 * `schema.querystring` in its *.module.ts); the types are in models/bee.json. */
static const struct {
    const char *route, *type;
} QUERIES[] = {
    {"/v1/assistants", "AssistantsListQuery"},
    {"/v1/threads", "PaginationQuery"},
    {"/v1/threads/{thread_id}/messages", "PaginationQuery"},
    {"/v1/threads/{thread_id}/runs", "RunsListQuery"},
    {"/v1/threads/{thread_id}/runs/{run_id}/steps", "PaginationQuery"},
    {"/v1/files", "FilesListQuery"},
    {"/v1/vector_stores", "VectorStoresListQuery"},
    {"/v1/vector_stores/{vector_store_id}/files", "PaginationQuery"},
    {"/v1/tools", "ToolsListQuery"},
    {"/observe/v1/traces/{id}", "TraceReadQuery"},
    {"/observe/v1/traces/{trace_id}/spans", "SpanReadQuery"},
};

/* ---- AJV coerceTypes:"array" (src/ajv.ts) --------------------------------
 * Before a type check fails, AJV tries to coerce the value to the declared
 * type(s), in their order: to string from a number or boolean ("" from
 * null); to number/integer from a boolean, null or a numeric string; to
 * boolean from "true"/"false", 1/0 or null; to null from "", 0 or false; to
 * an array by wrapping a scalar, and (array mode) a one-item array to its
 * item. Objects are never coerced. The walk follows $ref, properties,
 * additionalProperties and items, as AJV's generated code does; inside
 * oneOf/anyOf branches nothing is coerced here (kept strict). */

static const cJSON *deref(const cJSON *s)
{
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(s, "$ref");
    if (cJSON_IsString(r) && strncmp(r->valuestring, "#/$defs/", 8) == 0)
        return cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(model_doc, "$defs"), r->valuestring + 8);
    return s;
}

static int is_type(const char *t, const cJSON *v)
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
        return is_type(ty->valuestring, v);
    cJSON_ArrayForEach(t, ty) {
        if (cJSON_IsString(t) && is_type(t->valuestring, v))
            return 1;
    }
    return 0;
}

/* Takes v, returns the value AJV would validate (maybe v itself). */
static cJSON *coerce(const cJSON *schema, cJSON *v, int depth)
{
    const cJSON *s = deref(schema);
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
                return coerce(schema, v, depth);  /* and walked as that type */
        }
        for (t = cJSON_IsString(ty) ? ty : ty->child; t; t = cJSON_IsString(ty) ? NULL : t->next) {
            cJSON *c = NULL;
            if (!cJSON_IsString(t))
                continue;
            if (strcmp(t->valuestring, "array") == 0) {
                if (!cJSON_IsArray(v) && !cJSON_IsObject(v)) {
                    c = cJSON_CreateArray();
                    cJSON_AddItemToArray(c, v);
                    return coerce(schema, c, depth);
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
    if (cJSON_IsObject(v)) {
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
        const cJSON *addl = cJSON_GetObjectItemCaseSensitive(s, "additionalProperties");
        for (cJSON *k = v->child; k;) {
            cJSON *next = k->next;
            const cJSON *ps = cJSON_GetObjectItemCaseSensitive(props, k->string);
            const cJSON *sub = ps ? ps : (cJSON_IsObject(addl) ? addl : NULL);
            if (sub) {
                cJSON *c = coerce(sub, cJSON_Duplicate(k, 1), depth + 1);
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
                cJSON *c = coerce(items, cJSON_Duplicate(e, 1), depth + 1);
                if (c)
                    cJSON_ReplaceItemViaPointer(v, e, c);
                e = next;
            }
        }
    }
    return v;
}

static cJSON *coerce_to_type(const char *type_name, cJSON *v)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(model_doc, "$defs"), type_name);
    return s ? coerce(s, v, 0) : v;
}

/* After the body, Fastify validates the querystring (repeated names are
 * arrays). Returns 1 with *out filled when it is refused. */
static int validate_query(const cJSON *route, const mk__req *req, mk__reply *out)
{
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(route, "path");
    const char *type = NULL;
    mk_model_error err;
    char msg[700];
    cJSON *q;
    int rc;
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0)
        return 0;
    for (size_t i = 0; i < sizeof(QUERIES) / sizeof(QUERIES[0]); i++)
        if (strcmp(QUERIES[i].route, path->valuestring) == 0)
            type = QUERIES[i].type;
    if (!type)
        return 0;
    q = cJSON_CreateObject();
    for (size_t i = 0; q && i < req->query_count; i++) {
        const char *name = req->query[i].name;
        cJSON *have = cJSON_GetObjectItemCaseSensitive(q, name);
        cJSON *v = cJSON_CreateString(req->query[i].value ? req->query[i].value : "");
        if (!have) {
            cJSON_AddItemToObject(q, name, v);
        } else if (cJSON_IsArray(have)) {
            cJSON_AddItemToArray(have, v);
        } else {
            cJSON *a = cJSON_CreateArray();
            cJSON_AddItemToArray(a, cJSON_Duplicate(have, 1));
            cJSON_AddItemToArray(a, v);
            cJSON_ReplaceItemInObjectCaseSensitive(q, name, a);
        }
    }
    if (q)
        q = coerce_to_type(type, q);
    rc = q ? mk_model_validate_type(model, type, q, &err) : MK_MODEL_ENOMEM;
    if (rc != MK_MODEL_OK && rc != MK_MODEL_ENOMEM)
        refusal("querystring", type, q, &err, msg, sizeof(msg));
    cJSON_Delete(q);
    if (rc == MK_MODEL_OK || rc == MK_MODEL_ENOMEM)
        return 0;
    reply_error(out, 400, "invalid_input", msg);
    return 1;
}

/* Step 5: determineAuthType (src/auth/utils.ts) then auth(). The token is
 * what follows the exact "Bearer " prefix, trimmed. */
static int check_auth(const struct mk_mock *m, const mk__req *req, mk__reply *out)
{
    const char *h = mk__req_header(req, "Authorization");
    char token[512];
    size_t len;
    const char *p;
    if (!h || strncmp(h, "Bearer ", 7) != 0) {
        reply_error(out, 401, "auth_error", "Invalid authorization");
        return 1;
    }
    p = h + 7;
    while (isspace((unsigned char)*p))
        p++;
    len = strlen(p);
    while (len > 0 && isspace((unsigned char)p[len - 1]))
        len--;
    if (len == 0) {
        reply_error(out, 401, "auth_error", "Invalid authorization");
        return 1;
    }
    snprintf(token, sizeof(token), "%.*s", (int)len, p);
    if (strncmp(token, "sk-proj-", 8) == 0 && len > 8) {
        if (strcmp(token, m->api_key) == 0)
            return 0;
        reply_error(out, 401, "auth_error", "Key not found");
        return 1;
    }
    if (strncmp(token, "sk-art-", 7) == 0 && len > 7) {
        /* artifact secrets are refused by the default preHandler */
        reply_error(out, 401, "auth_error", "Invalid authorization");
        return 1;
    }
    /* anything else is an OAuth access token: the mock knows none
     * (derived: introspection reports it inactive) */
    reply_error(out, 401, "auth_error", "Invalid access token");
    return 1;
}

/* The routes with config.rateLimit.max 26 (src/runs/runs.module.ts). */
static const char *run_route(const cJSON *route)
{
    static const char *const runs[] = {
        "/v1/threads/{thread_id}/runs", "/v1/threads/runs",
        "/v1/threads/{thread_id}/runs/{run_id}/submit_tool_outputs",
        "/v1/threads/{thread_id}/runs/{run_id}/submit_tool_approvals",
        "/v1/threads/{thread_id}/runs/{run_id}/submit_tool_inputs"};
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(route, "method");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(route, "path");
    for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++)
        if (strcmp(m->valuestring, "POST") == 0 && strcmp(p->valuestring, runs[i]) == 0)
            return runs[i];
    return NULL;
}

int mk__bee_check(struct mk_mock *m, const mk__req *req, int64_t now_ms, mk__reply *out)
{
    const cJSON *route;
    if (mk__bee_model_error()) {
        reply_error(out, 500, "internal_server_error", model_error);
        return 1;
    }
    /* terminus compares req.url, query included, and takes any method */
    if (strcmp(req->path, "/healthcheck") == 0 && !req->query_string) {
        out->status = 200;
        out->content_type = "application/json";
        out->body = strdup("{\"status\":\"ok\"}");
        return 1;
    }
    route = strcmp(req->path, "/healthcheck") == 0 ? NULL : find_route(req->method, req->path);
    if (!route) { /* terminus' URL is no Fastify route: with a query it is 404 */
        reply_error(out, 404, "not_found", "Route does not exist");
        return 1;
    }
    if (mk__bee_rate_limited(m, req, run_route(route), now_ms, out))
        return 1;
    if (validate_body(route, req, out) || validate_query(route, req, out))
        return 1;
    return check_auth(m, req, out);
}
