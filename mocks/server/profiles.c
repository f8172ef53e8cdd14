/* profiles.c: what each service enforces whatever the cassette says (auth,
 * rate limit) and its envelope for unmatched requests
 * (/tmp/mockkit/profiles.md is the contract). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cairos_internal.h"
#include "faults.h"
#include "mock_internal.h"

struct mk__rate {
    uint32_t hash;         /* of key: most comparisons stop here */
    char key[160];
    int64_t window_start;
    int count;
};

int mk__service_parse(const char *name, mk__service *out)
{
    int row = mk_service_index(name);
    if (row >= 0) {
        *out = (mk__service)(1 + row);
        return 0;
    }
    if (!name || strcmp(name, "generic") == 0) {
        *out = MK__SVC_GENERIC;
        return 0;
    }
    return -1;
}

const mk_service_info *mk__service_row(mk__service s)
{
    int row = (int)s - 1;
    return row >= 0 && row < MK_SERVICE_COUNT ? &mk_service_table[row] : NULL;
}

const char *mk__service_base_path(mk__service s)
{
    const mk_service_info *row = mk__service_row(s);
    return row ? row->base_path : "";
}

void mk__reply_clear(mk__reply *r)
{
    free(r->body);
    memset(r, 0, sizeof(*r));
}

static void reply_json(mk__reply *r, int status, cJSON *body)
{
    r->status = status;
    r->content_type = "application/json";
    r->body = body ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
}

static cJSON *error_obj(const char *code, const char *message)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *err = cJSON_AddObjectToObject(root, "error");
    cJSON_AddStringToObject(err, "code", code);
    cJSON_AddStringToObject(err, "message", message);
    return root;
}

static cJSON *openai_error(const char *message, const char *code)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *err = cJSON_AddObjectToObject(root, "error");
    cJSON_AddStringToObject(err, "message", message);
    cJSON_AddStringToObject(err, "type", "invalid_request_error");
    cJSON_AddNullToObject(err, "param");
    if (code) {
        cJSON_AddStringToObject(err, "code", code);
    } else {
        cJSON_AddNullToObject(err, "code");
    }
    return root;
}

static cJSON *detail(const char *text)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "detail", text);
    return root;
}

static int under(const char *path, const char *base)
{
    size_t n = strlen(base);
    return strncmp(path, base, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* The token after "Bearer " (exact prefix), or NULL. */
static const char *bearer(const mk__req *req)
{
    const char *h = mk__req_header(req, "Authorization");
    if (!h || strncmp(h, "Bearer ", 7) != 0) {
        return NULL;
    }
    return h + 7;
}

static uint32_t hash_key(const char *key)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *key; key++) {
        h = (h ^ (unsigned char)*key) * 16777619u;
    }
    return h;
}

/* A slot for a new key. The table holds at most MK__RATE_KEYS keys: when
 * it is full, new keys replace slots in insertion order (round robin, O(1)),
 * so a client sending a new key per request can neither grow memory nor
 * slow the mock down. A replaced key starts a fresh window if it comes back:
 * only more than MK__RATE_KEYS distinct keys within one second can see it. */
static struct mk__rate *rate_slot(struct mk_mock *m)
{
    if (!m->rates) {
        m->rates = calloc(MK__RATE_KEYS, sizeof(*m->rates));
        m->rate_hashes = calloc(MK__RATE_KEYS, sizeof(*m->rate_hashes));
        if (!m->rates || !m->rate_hashes) {
            free(m->rates);
            free(m->rate_hashes);
            m->rates = NULL;
            m->rate_hashes = NULL;
            return NULL;
        }
    }
    if (m->rate_count < MK__RATE_KEYS) {
        return &m->rates[m->rate_count++];
    }
    struct mk__rate *r = &m->rates[m->rate_next];
    m->rate_next = (m->rate_next + 1) % MK__RATE_KEYS;
    return r;
}

/* Fixed one-second window per key. Returns 1 when over the limit. */
static int rate_limited(struct mk_mock *m, const char *full_key, int max, int64_t now,
                        int *reset_s, int *remaining)
{
    struct mk__rate *r = NULL;
    char key[sizeof(r->key)];
    uint32_t h;
    int over = 0;
    snprintf(key, sizeof(key), "%s", full_key); /* as stored, so a long key finds itself */
    h = hash_key(key);
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->rate_count; i++) {
        if (m->rate_hashes[i] == h && strcmp(m->rates[i].key, key) == 0) {
            r = &m->rates[i];
            break;
        }
    }
    if (!r && (r = rate_slot(m)) != NULL) {
        memset(r, 0, sizeof(*r));
        r->hash = h;
        m->rate_hashes[r - m->rates] = h;
        snprintf(r->key, sizeof(r->key), "%s", key);
        r->window_start = now;
    }
    if (r) {
        if (now - r->window_start >= 1000) {
            r->window_start = now;
            r->count = 0;
        }
        r->count++;
        over = r->count > max;
        *remaining = over ? 0 : max - r->count;
        *reset_s = (int)((r->window_start + 1000 - now + 999) / 1000);
        if (*reset_s < 1) {
            *reset_s = 1;
        }
    }
    pthread_mutex_unlock(&m->mu);
    return over;
}

/* Bee's @fastify/rate-limit (src/rate-limit.ts): an onRequest hook of every
 * route, a fixed window per key; the routes that create or continue runs
 * allow 26 (runs.module.ts config.rateLimit, "global rate limit +1 for the
 * UI") and count on their own (a route config gets its own store). Every
 * routed reply carries the draft-spec headers; over the limit it is a 429. */
int mk__bee_rate_limited(struct mk_mock *m, const mk__req *req, const char *run_route,
                         int64_t now, mk__reply *out)
{
    const char *key = bearer(req);
    char k[160];
    int reset_s = 1, remaining = 0, max = run_route ? 26 : m->opts.rate_limit;
    char msg[96];
    if (m->opts.rate_limit <= 0) {
        return 0;
    }
    snprintf(k, sizeof(k), "%.50s%s%.100s", run_route ? run_route : "", run_route ? " " : "",
             key ? key : "");
    if (!rate_limited(m, k, max, now, &reset_s, &remaining)) {
        snprintf(out->extra, sizeof(out->extra),
                 "ratelimit-limit: %d\r\nratelimit-remaining: %d\r\nratelimit-reset: %d\r\n",
                 max, remaining, reset_s);
        return 0;
    }
    snprintf(msg, sizeof(msg), "Exceeded %d requests per 1 second", max);
    reply_json(out, 429, error_obj("too_many_requests", msg));
    out->content_type = MK__BEE_JSON;
    snprintf(out->extra, sizeof(out->extra),
             "ratelimit-limit: %d\r\nratelimit-remaining: 0\r\nratelimit-reset: "
             "%d\r\nretry-after: %d\r\n",
             max, reset_s, reset_s);
    return 1;
}

static int openai_check(struct mk_mock *m, const mk__req *req, mk__reply *out)
{
    const char *key = bearer(req);
    char msg[320], masked[64];
    size_t n;
    if (!key || !key[0]) {
        reply_json(out, 401,
                   openai_error("You didn't provide an API key. You need to provide your API key "
                                "in an Authorization header using Bearer auth (i.e. "
                                "Authorization: Bearer YOUR_KEY).",
                                NULL));
        return 1;
    }
    if (strcmp(key, m->api_key) == 0) {
        return 0;
    }
    n = strlen(key);
    if (n >= 7) {
        snprintf(masked, sizeof(masked), "%.3s***%s", key, key + n - 4);
    } else {
        snprintf(masked, sizeof(masked), "***");
    }
    snprintf(msg, sizeof(msg),
             "Incorrect API key provided: %s. You can find your API key at "
             "https://platform.openai.com/account/api-keys.",
             masked);
    reply_json(out, 401, openai_error(msg, "invalid_api_key"));
    return 1;
}

/* Does the Cookie header carry the cookie name (any value, even empty:
 * FastAPI counts only an absent cookie as missing)? */
static int has_cookie(const char *cookies, const char *name)
{
    size_t n = strlen(name);
    const char *p = cookies;
    while (p && *p) {
        while (*p == ' ' || *p == ';') {
            p++;
        }
        if (strncmp(p, name, n) == 0 && p[n] == '=') {
            return 1;
        }
        p = strchr(p, ';');
    }
    return 0;
}

#define CAIROS_TOKEN "Outseta.nocode.accessToken"
#define CAIROS_SESSION "cairos_session"

/* The Cairos routes and the cookies each declares required (cairos-python-
 * client's generated low-level API: a cookie parameter typed `str` is
 * required, `Union[Unset, str]` optional). Literal paths before templates,
 * as FastAPI tries routes in declaration order. */
static const struct cairos_route {
    const char *method, *path;
    int token, session;
} cairos_routes[] = {
    {"GET", "/api/session_id", 1, 0},
    {"GET", "/api/event_log", 1, 1},
    {"GET", "/api/thread", 1, 0},
    {"POST", "/api/thread", 1, 0},
    {"GET", "/api/anim", 1, 0},
    {"GET", "/api/anim/job", 1, 0},
    {"GET", "/api/anim/export", 1, 0},
    {"GET", "/api/anim/export_job", 1, 0},
    {"GET", "/api/avatar", 1, 1},
    {"GET", "/api/avatar_rebuilt", 1, 0},
    {"GET", "/api/credit_balance", 1, 0},
    {"GET", "/api/motion", 1, 0},
    {"GET", "/api/motd", 1, 0},
    {"POST", "/api/motd", 1, 0},
    {"POST", "/api/system/sync", 1, 0},
    {"POST", "/api/system/select_scene", 1, 0},
    {"GET", "/api/system/selected_scene", 1, 0},
    {"GET", "/api/thread/{thread_id}", 1, 0},
    {"POST", "/api/thread/{thread_id}", 1, 1},
    {"POST", "/api/thread/{thread_id}/nosequence", 1, 1},
    {"POST", "/api/thread/{thread_id}/test", 1, 1},
    {"POST", "/api/oneshot/thread/{thread_id}", 1, 0},
    {"GET", "/api/anim/{thread_id}/{trigger_msg_id}", 1, 0},
    {"GET", "/api/anim/{thread_id}/{trigger_msg_id}/file", 1, 0},
    {"GET", "/api/anim/{thread_id}/{trigger_msg_id}/test", 0, 0},
    {"POST", "/api/anim/{thread_id}/{trigger_msg_id}/export", 1, 1},
    {"GET", "/api/anim/{thread_id}/{trigger_msg_id}/download", 1, 1},
    {"POST", "/api/anim/{thread_id}/{trigger_msg_id}/retarget/{avatar_id}", 1, 1},
    {"POST", "/api/avatar/new/{label}", 1, 1},
    {"GET", "/api/avatar/{uuid}", 1, 0},
    {"DELETE", "/api/avatar/{uuid}", 1, 0},
    {"GET", "/api/avatar/{uuid}/file", 1, 0},
    {"POST", "/api/avatar/{uuid}/upload", 1, 1},
    {"PATCH", "/api/avatar/{uuid}/mapping", 1, 0},
    {"PATCH", "/api/avatar/{uuid}/llm_mapping", 1, 1},
    {"POST", "/api/avatar/{uuid}/autorig", 1, 1},
    {"POST", "/api/avatar/{uuid}/export", 1, 1},
    {"GET", "/api/avatar/{uuid}/download", 1, 0},
    {"GET", "/api/avatar_rebuilt/{uuid}", 1, 0},
    {"GET", "/api/avatar_rebuilt/{uuid}/download", 1, 0},
    {"DELETE", "/api/motd/{motd_id}", 1, 0},
};

/* FastAPI's answer to a missing required cookie (fastapi/dependencies/
 * utils.py _validate_value_with_model_field -> _compat get_missing_field_error,
 * exception_handlers.request_validation_exception_handler): 422
 * {"detail":[{"type":"missing","loc":["cookie",name],"msg":"Field required",
 * "input":null}, ...]}, one entry per missing cookie in declaration order. */
static void add_missing(cJSON *list, const char *name)
{
    cJSON *e = cJSON_CreateObject();
    cJSON *loc;
    cJSON_AddStringToObject(e, "type", "missing"); /* pydantic's key order */
    loc = cJSON_AddArrayToObject(e, "loc");
    cJSON_AddItemToArray(loc, cJSON_CreateString("cookie"));
    cJSON_AddItemToArray(loc, cJSON_CreateString(name));
    cJSON_AddStringToObject(e, "msg", "Field required");
    cJSON_AddNullToObject(e, "input");
    cJSON_AddItemToArray(list, e);
}

/* Routing, then validation, as FastAPI does: an unknown path is left to
 * matching (its 404); a known path with another method is 405 with the
 * first such route's method in Allow (Starlette's Router keeps the first
 * partial match; an APIRoute's methods are exactly the declared one, so
 * HEAD on a GET route is 405 too); then the body is read (a JSON syntax
 * error is a 422 of its own, fastapi/routing.py); then one 422 lists the
 * missing cookies before the body's errors (fastapi/dependencies/utils.py
 * solve_dependencies; cairos_body.c cites the sources). */
static int cairos_cookies(const mk__req *req, mk__reply *out)
{
    const char *cookies = mk__req_header(req, "Cookie");
    const struct cairos_route *partial = NULL;
    for (size_t i = 0; i < sizeof(cairos_routes) / sizeof(cairos_routes[0]); i++) {
        const struct cairos_route *r = &cairos_routes[i];
        int no_token, no_session;
        cJSON *root, *list, *body_errors;
        if (!mk__path_match(r->path, req->path)) {
            continue;
        }
        if (strcmp(req->method, r->method) != 0) {
            if (!partial) {
                partial = r;
            }
            continue;
        }
        no_token = r->token && !has_cookie(cookies, CAIROS_TOKEN);
        no_session = r->session && !has_cookie(cookies, CAIROS_SESSION);
        root = cJSON_CreateObject();
        list = cJSON_AddArrayToObject(root, "detail");
        body_errors = cJSON_CreateArray();
        if (mk__cairos_body(req, body_errors, out) != 0) {
            cJSON_Delete(body_errors);
            cJSON_Delete(root);
            return 1;
        }
        if (no_token) {
            add_missing(list, CAIROS_TOKEN);
        }
        if (no_session) {
            add_missing(list, CAIROS_SESSION);
        }
        while (body_errors && body_errors->child) {
            cJSON_AddItemToArray(list, cJSON_DetachItemViaPointer(body_errors, body_errors->child));
        }
        cJSON_Delete(body_errors);
        if (cJSON_GetArraySize(list) == 0) {
            cJSON_Delete(root);
            return 0;
        }
        reply_json(out, 422, root);
        return 1;
    }
    if (partial) {
        reply_json(out, 405, detail("Method Not Allowed"));
        snprintf(out->extra, sizeof(out->extra), "Allow: %s\r\n", partial->method);
        return 1;
    }
    return 0;
}

static int cairos_check(struct mk_mock *m, const mk__req *req, mk__reply *out)
{
    if (strcmp(req->method, "POST") == 0 && strcmp(req->path, "/api/login") == 0) {
        mk_query_param *form = NULL;
        size_t count = 0;
        const char *user = NULL, *pass = NULL;
        char *text;
        int ok;
        cJSON *root = cJSON_CreateObject();
        /* a required form field absent: FastAPI's 422 before the handler */
        mk__cairos_login_form(req, cJSON_AddArrayToObject(root, "detail"));
        if (cJSON_GetArraySize(cJSON_GetObjectItem(root, "detail")) > 0) {
            reply_json(out, 422, root);
            return 1;
        }
        cJSON_Delete(root);
        text = malloc(req->body_len + 1);
        if (!text) {
            return 0;
        }
        memcpy(text, req->body, req->body_len);
        text[req->body_len] = '\0';
        if (mk__query_parse(text, &form, &count) == 0) {
            for (size_t i = 0; i < count; i++) {
                if (strcmp(form[i].name, "username") == 0) {
                    user = form[i].value;
                } else if (strcmp(form[i].name, "password") == 0) {
                    pass = form[i].value;
                }
            }
        }
        ok = user && pass && strcmp(user, m->username) == 0 && strcmp(pass, m->password) == 0;
        mk__query_free(form, count);
        free(text);
        if (!ok) {
            reply_json(out, 401, detail("Incorrect username or password"));
            return 1;
        }
        return 0;
    }
    return cairos_cookies(req, out);
}

int mk__profile_check(struct mk_mock *m, const mk__req *req, int64_t now_ms, mk__reply *out)
{
    const char *base = mk__service_base_path(m->service);
    if (m->service == MK__SVC_BEE) {
        return mk__bee_check(m, req, now_ms, out); /* every path: Bee routes them all */
    }
    if (!base[0] || !under(req->path, base)) {
        return 0;
    }
    switch (m->service) {
    case MK__SVC_OPENAI:
        return openai_check(m, req, out);
    case MK__SVC_CAIROS:
        return cairos_check(m, req, out);
    case MK__SVC_BEE: /* handled above */
    case MK__SVC_PIECES:
    case MK__SVC_GENERIC:
        break;
    }
    return 0;
}

/* Bee: its own envelope only (clients parse {"error":{code,message}}); the
 * near miss goes to headers, the journal and stderr. Header values are
 * single-line by construction: control characters become spaces. */
static int bee_unmatched(const char *line, const char *cassette, const char *interaction,
                         const char *failed, mk__reply *out)
{
    char msg[760], near[1200];
    size_t n;
    snprintf(msg, sizeof(msg), "mockkit: no recorded interaction for %s", line);
    reply_json(out, 404, error_obj("not_found", msg));
    out->content_type = MK__BEE_JSON;
    n = (size_t)snprintf(out->extra, sizeof(out->extra), "X-Mockkit-Unmatched: 1\r\n");
    if (cassette) {
        snprintf(near, sizeof(near), "%s#%s: %s", cassette, interaction ? interaction : "",
                 failed ? failed : "");
        for (char *c = near; *c; c++) {
            if ((unsigned char)*c < 0x20 || *c == 0x7f) {
                *c = ' ';
            }
        }
        snprintf(out->extra + n, sizeof(out->extra) - n, "X-Mockkit-Nearest: %.*s\r\n",
                 (int)(sizeof(out->extra) - n - 24), near);
    }
    return out->body ? 0 : -1;
}

/* The near misses, best first, each with the matcher that failed. */
static void add_candidates(cJSON *mk, const mk__pick *pick)
{
    cJSON *list = cJSON_AddArrayToObject(mk, "candidates");
    for (size_t i = 0; list && i < pick->near_count; i++) {
        const mk__ix *x = &pick->set->ixs[pick->near[i]];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "cassette", x->cas->path);
        cJSON_AddStringToObject(o, "interaction", x->ix->id);
        cJSON_AddStringToObject(o, "failed", pick->near_failed[i]);
        cJSON_AddItemToArray(list, o);
    }
}

static void add_mockkit(cJSON *root, const char *unmatched, const mk__pick *pick)
{
    cJSON *mk = cJSON_AddObjectToObject(root, "mockkit");
    cJSON_AddStringToObject(mk, "unmatched", unmatched);
    if (pick && pick->near_count > 0) {
        const mk__ix *x = &pick->set->ixs[pick->near[0]];
        cJSON *near = cJSON_AddObjectToObject(mk, "nearest");
        cJSON_AddStringToObject(near, "cassette", x->cas->path);
        cJSON_AddStringToObject(near, "interaction", x->ix->id);
        cJSON_AddStringToObject(near, "failed", pick->near_failed[0]);
        add_candidates(mk, pick);
    }
}

int mk__profile_unmatched(const struct mk_mock *m, const mk__req *req, const mk__pick *pick,
                          mk__reply *out)
{
    char line[700], msg[700];
    cJSON *root;
    int has_q = req->query_string && req->query_string[0];
    const mk__ix *near = pick && pick->near_count > 0 ? &pick->set->ixs[pick->near[0]] : NULL;
    const char *cassette = near ? near->cas->path : NULL;
    const char *interaction = near ? near->ix->id : NULL;
    const char *failed = near ? pick->near_failed[0] : NULL;
    snprintf(line, sizeof(line), "%s %s%s%s", req->method, req->path, has_q ? "?" : "",
             has_q ? req->query_string : "");
    switch (m->service) {
    case MK__SVC_PIECES: {
        size_t cap = 1600 + MK__NEAR * 700, len;
        out->status = 404;
        out->content_type = "text/plain; charset=utf-8";
        out->body = malloc(cap);
        if (!out->body) {
            return -1;
        }
        if (cassette) {
            len = (size_t)snprintf(out->body, cap,
                                   "mockkit: no recorded interaction for %s (nearest: %s#%s, "
                                   "failed: %s)",
                                   line, cassette, interaction ? interaction : "",
                                   failed ? failed : "");
            for (size_t i = 1; i < pick->near_count && len < cap; i++) {
                const mk__ix *x = &pick->set->ixs[pick->near[i]];
                len += (size_t)snprintf(out->body + len, cap - len, "\n  also near: %s#%s, "
                                        "failed: %s", x->cas->path, x->ix->id,
                                        pick->near_failed[i]);
            }
        } else {
            snprintf(out->body, cap, "mockkit: no recorded interaction for %s", line);
        }
        out->status = 404;
        snprintf(out->extra, sizeof(out->extra), "X-Mockkit-Unmatched: 1\r\n");
        return 0;
    }
    case MK__SVC_BEE:
        return bee_unmatched(line, cassette, interaction, failed, out);
    case MK__SVC_OPENAI:
        snprintf(msg, sizeof(msg), "mockkit: no recorded interaction for %s %s", req->method,
                 req->path);
        root = openai_error(msg, "unknown_url");
        break;
    case MK__SVC_CAIROS:
        root = detail("Not Found");
        break;
    case MK__SVC_GENERIC:
    default:
        root = cJSON_CreateObject();
        cJSON_AddStringToObject(root, "error", "no recorded interaction");
        break;
    }
    add_mockkit(root, line, pick);
    reply_json(out, 404, root);
    snprintf(out->extra, sizeof(out->extra), "X-Mockkit-Unmatched: 1\r\n");
    return out->body ? 0 : -1;
}

int mk__profile_refuse(const struct mk_mock *m, int status, const char *message, mk__reply *out)
{
    cJSON *root;
    const char *bee_code = status == 503 ? "service_unavailable" : "invalid_input";
    switch (m->service) {
    case MK__SVC_PIECES: {
        size_t cap = strlen(message) + 16;
        out->status = status;
        out->content_type = "text/plain; charset=utf-8";
        out->body = malloc(cap);
        if (!out->body) {
            return -1;
        }
        snprintf(out->body, cap, "%s", message);
        return 0;
    }
    case MK__SVC_BEE:
        root = error_obj(bee_code, message);
        break;
    case MK__SVC_OPENAI:
        root = openai_error(message, NULL);
        break;
    case MK__SVC_CAIROS:
        root = detail(message);
        break;
    case MK__SVC_GENERIC:
    default:
        root = cJSON_CreateObject();
        cJSON_AddStringToObject(root, "error", message);
        break;
    }
    reply_json(out, status, root);
    return out->body ? 0 : -1;
}

/* The words the service itself answers a status with, where it has fixed
 * ones (docs/faults.md cites them); NULL: the caller's message stands.
 * Bee (i-am-bee/bee-api 7f04eca): 429 from src/rate-limit.ts's
 * errorResponseBuilder at the default limit (25 per 1000 ms), 500 from
 * src/runs/jobs/runs.queue.ts, 503 from src/observe/utils.ts (its only
 * service_unavailable). OpenAI: 500 as observed (shared notes 4.x), 429 and
 * 503 as the error-codes guide names them. */
static const char *fault_wording(mk__service service, int status)
{
    if (service == MK__SVC_BEE) {
        return status == 429   ? "Exceeded 25 requests per 1 second"
               : status == 500 ? "Internal server error"
               : status == 503 ? "Bee observe API client is not defined"
                               : NULL;
    }
    if (service == MK__SVC_OPENAI) {
        return status == 429   ? "Rate limit reached for requests"
               : status == 500 ? "The server had an error while processing your request. "
                                 "Sorry about that!"
               : status == 503 ? "The engine is currently overloaded, please try again later"
                               : NULL;
    }
    return NULL;
}

/* A status fault (faults.c) in the envelope and with the code the service
 * itself uses for that status (docs/faults.md cites them). */
int mk__profile_fault(const struct mk_mock *m, int status, const char *message, mk__reply *out)
{
    const char *code;
    const char *own = fault_wording(m->service, status);
    if (own) {
        message = own;
    }
    if (m->service == MK__SVC_BEE) {
        code = status == 429   ? "too_many_requests"
               : status == 503 ? "service_unavailable"
               : status >= 500 ? "internal_server_error"
                               : "invalid_input";
        reply_json(out, status, error_obj(code, message));
        out->content_type = MK__BEE_JSON;
        return out->body ? 0 : -1;
    }
    if (m->service == MK__SVC_OPENAI) {
        cJSON *root = openai_error(message, status == 429 ? "rate_limit_exceeded" : NULL);
        cJSON *err = cJSON_GetObjectItem(root, "error");
        cJSON_ReplaceItemInObject(err, "type",
                                  cJSON_CreateString(status == 429   ? "requests"
                                                     : status >= 500 ? "server_error"
                                                                     : "invalid_request_error"));
        reply_json(out, status, root);
        return out->body ? 0 : -1;
    }
    return mk__profile_refuse(m, status, message, out);
}

int mk__profile_fault_svc(const char *service, int status, const char *message, mk__reply *out)
{
    /* only the service is read: a zeroed mock that names it */
    static const struct mk_mock zero;
    struct mk_mock *m = malloc(sizeof(*m));
    int rc;
    if (!m) {
        return -1;
    }
    *m = zero;
    if (mk__service_parse(service, &m->service) != 0) {
        m->service = MK__SVC_GENERIC;
    }
    rc = mk__profile_fault(m, status, message, out);
    free(m);
    return rc;
}
