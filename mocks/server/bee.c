/* bee.c: what Bee's Fastify server does before a route handler runs, in
 * its order (i-am-bee/bee-api@7f04eca):
 *   1. @godaddy/terminus answers /healthcheck before Fastify sees it
 *      (src/terminus.ts);
 *   2. routing: no route for method + path is 404 "Route does not exist",
 *      whatever the key (src/errors/plugin.ts setNotFoundHandler);
 *   3. the rate limit, an onRequest hook of routes only (src/rate-limit.ts);
 *   4. body parsing by media type, then schema validation of the body and
 *      the querystring (AJV with coerceTypes:"array", src/ajv.ts; see
 *      bee_coerce.c): 400 invalid_input in Fastify's "body<path> <ajv
 *      message>" wording (bee_ajv.c);
 *   5. auth, each route's preHandler (src/auth/authentication.ts).
 * Routes and body and query types come from models/bee.json, the model the
 * conformance gate checks the fixtures with (embedded at build time); the
 * model validator (mockkit/model.h) decides what is valid. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bee_internal.h"
#include "mockkit/cassette.h"

extern const char mk__bee_model_json[];
extern const size_t mk__bee_model_len;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static cJSON *model_doc;     /* parsed models/bee.json: the route table */
static mk_model *model;      /* the validator's view of the same file */
static char model_error[700];


/* Built once per process and never changed afterwards, like a compiled
 * table: every Bee mock shares it. */
static void load_model(void)
{
    mk__embedded_model_load(mk__bee_model_json, mk__bee_model_len, "models/bee.json",
                            &model_doc, &model, model_error, sizeof(model_error));
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
    mk__bee_ajv_from_error(var, err, msg, size);
}

/* secure-json-parse, as Fastify 4 calls it (onProtoPoisoning and
 * onConstructorPoisoning "error"): a "__proto__" key, or a "constructor"
 * object with a "prototype" key, anywhere in the body is a SyntaxError. */
static int poisoned(const cJSON *v, int depth)
{
    const cJSON *k;
    if (depth > MK_MODEL_MAX_DEPTH)
        return 0;
    cJSON_ArrayForEach(k, v) {
        if (k->string && (strcmp(k->string, "__proto__") == 0 ||
                          (strcmp(k->string, "constructor") == 0 && cJSON_IsObject(k) &&
                           cJSON_GetObjectItemCaseSensitive(k, "prototype"))))
            return 1;
        if ((cJSON_IsObject(k) || cJSON_IsArray(k)) && poisoned(k, depth + 1))
            return 1;
    }
    return 0;
}

typedef struct member {
    cJSON *item;
    size_t index;
} member;

static int by_name(const void *a, const void *b)
{
    const member *x = a, *y = b;
    int c = strcmp(x->item->string, y->item->string);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* JSON.parse keeps one member per name: where the name came first, with the
 * value it had last ({"a":1,"a":2} is {"a":2}), so maxProperties counts
 * names and a repeated field is judged by its last value. Sorted, not
 * pairwise, so a body of many keys stays cheap. 0, or -1 out of memory. */
static int json_parse_members(cJSON *v, int depth)
{
    cJSON *k;
    size_t n = 0, i = 0;
    if (depth > MK_MODEL_MAX_DEPTH)
        return 0;
    cJSON_ArrayForEach(k, v) {
        n++;
        if ((cJSON_IsObject(k) || cJSON_IsArray(k)) && json_parse_members(k, depth + 1) != 0)
            return -1;
    }
    if (!cJSON_IsObject(v) || n < 2)
        return 0;
    member *all = malloc(n * sizeof(*all));
    if (!all)
        return -1;
    cJSON_ArrayForEach(k, v) {
        all[i].item = k;
        all[i].index = i;
        i++;
    }
    qsort(all, n, sizeof(*all), by_name);
    for (i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && strcmp(all[j].item->string, all[i].item->string) == 0)
            j++;
        if (j - i > 1) {
            for (size_t d = i + 1; d + 1 < j; d++)
                cJSON_Delete(cJSON_DetachItemViaPointer(v, all[d].item));
            cJSON_ReplaceItemViaPointer(v, all[i].item, cJSON_DetachItemViaPointer(v, all[j - 1].item));
        }
        i = j;
    }
    free(all);
    return 0;
}

static int has_type(const char *ct, const char *want)
{
    size_t n = strlen(want);
    return ct && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Fastify's JSON parser (defaultJsonParser + secure-json-parse). Returns 1
 * with *out filled when it refuses the body, else 0 with *body (owned). */
static int json_body(const mk__req *req, mk__reply *out, cJSON **body)
{
    *body = NULL;
    if (req->body_len == 0) {
        reply_error(out, 400, "invalid_input",
                    "Body cannot be empty when content-type is set to 'application/json'");
        return 1;
    }
    int too_deep = 0;
    *body = mk_json_parse_bounded((const char *)req->body, req->body_len, &too_deep);
    if (!*body && too_deep) {
        /* refused before cJSON recurses (a worker's stack is small) */
        reply_error(out, 400, "invalid_input",
                    "mockkit: the request body nests JSON deeper than 64 levels");
        return 1;
    }
    if (!*body) {
        /* JSON.parse's SyntaxError text is V8's; ours names the fact only. */
        reply_error(out, 400, "invalid_input", "mockkit: the request body is not valid JSON");
        return 1;
    }
    if (json_parse_members(*body, 0) != 0) {
        cJSON_Delete(*body);
        *body = NULL;
        reply_error(out, 500, "internal_server_error", "mockkit: out of memory");
        return 1;
    }
    if (poisoned(*body, 0)) {
        cJSON_Delete(*body);
        *body = NULL;
        reply_error(out, 400, "invalid_input", "Object contains forbidden prototype property");
        return 1;
    }
    return 0;
}

/* Would Fastify 4's handleRequest parse this request's body? */
static int parses_body(const mk__req *req)
{
    const char *ct = mk__req_header(req, "Content-Type");
    const char *cl = mk__req_header(req, "Content-Length");
    const char *te = mk__req_header(req, "Transfer-Encoding");
    if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
        return 0;
    if (strcmp(req->method, "DELETE") == 0 || strcmp(req->method, "OPTIONS") == 0)
        return ct && (cl || te);
    return ct || te || (cl && strcmp(cl, "0") != 0);
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
    int json = has_type(ct, "application/json");
    mk_model_error err;
    char msg[700];
    cJSON *body = NULL;
    int rc, parse = parses_body(req);
    if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
        return 0;  /* no body schema on these routes either */
    if (parse && !json && !has_type(ct, "text/plain") && !has_type(ct, "multipart/form-data")) {
        /* @fastify/error formats `contentType || undefined` with util.format */
        snprintf(msg, sizeof(msg), "Unsupported Media Type: %.200s", ct ? ct : "undefined");
        reply_error(out, 500, "internal_server_error", msg);
        return 1;
    }
    /* Fastify's JSON parser runs whether or not the route has a schema */
    if (parse && json && json_body(req, out, &body))
        return 1;
    if (!cJSON_IsString(type) || (parse && has_type(ct, "multipart/form-data"))) {
        cJSON_Delete(body);
        return 0;  /* no body schema (or not modelled), or not a JSON body */
    }
    if (!body || !cJSON_IsObject(body)) {
        /* no body (undefined), a text/plain string or another JSON value;
         * AJV's coerceTypes never turns those into an object */
        cJSON_Delete(body);
        reply_error(out, 400, "invalid_input", "body must be object");
        return 1;
    }
    if (strncmp(type->valuestring, "#/$defs/", 8) == 0)
        body = mk__bee_coerce(cJSON_GetObjectItemCaseSensitive(model_doc, "$defs"),
                              type->valuestring + 8, body);
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
        q = mk__bee_coerce(cJSON_GetObjectItemCaseSensitive(model_doc, "$defs"), type, q);
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
    if (strlen(m->api_key) == len && strncmp(p, m->api_key, len) == 0)
        return 0;  /* the mock's credential, whatever its form (--api-key) */
    if (strncmp(token, "sk-proj-", 8) == 0 && len > 8) {
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
        /* the not-found handler is a route too: a JSON body is still parsed
         * (other media types are let through: request.is404) */
        cJSON *body = NULL;
        if (parses_body(req) && has_type(mk__req_header(req, "Content-Type"), "application/json") &&
            json_body(req, out, &body))
            return 1;
        cJSON_Delete(body);
        reply_error(out, 404, "not_found", "Route does not exist");
        return 1;
    }
    if (mk__bee_rate_limited(m, req, run_route(route), now_ms, out))
        return 1;
    if (validate_body(route, req, out) || validate_query(route, req, out))
        return 1;
    return check_auth(m, req, out);
}
