/* validate_ix.c: one interaction: request, match, response (+ chunks),
 * websocket (+ frames), bodies, and the timeline rules (at_ms never goes
 * back; chunks and frames are not earlier than their request). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

static const char *const body_keys[] = {"json", "text", "base64", NULL};

int mk_cas__has_body(const cJSON *obj)
{
    for (const char *const *k = body_keys; *k; k++)
        if (cJSON_GetObjectItemCaseSensitive(obj, *k))
            return 1;
    return 0;
}

void mk_cas__check_body(mk_cas_vctx *v, const cJSON *obj)
{
    const char *first = NULL;
    for (const char *const *k = body_keys; *k; k++) {
        if (!cJSON_GetObjectItemCaseSensitive(obj, *k))
            continue;
        if (first) {
            mk_cas__issue(v, "has both \"%s\" and \"%s\"; a body takes exactly one of "
                             "json, text, base64", first, *k);
            break;
        }
        first = *k;
    }
    mk_cas__want_string(v, obj, "text", 0, 0);
    const char *b64 = mk_cas__want_string(v, obj, "base64", 0, 0);
    if (b64) {
        unsigned char *bytes = NULL;
        size_t n = 0, bad = 0;
        if (mk_cas__base64_decode(b64, strlen(b64), &bytes, &n, &bad) != 0)
            mk_cas__issue_at(v, "base64", "must be valid base64 (RFC 4648, standard alphabet, "
                                          "no whitespace): bad input at offset %zu", bad);
        free(bytes);
    }
}

static int not_object(mk_cas_vctx *v, const cJSON *obj, const char *what)
{
    if (cJSON_IsObject(obj))
        return 0;
    char got[64];
    mk_cas__issue(v, "must be %s, got %s", what, mk_cas__describe(obj, got, sizeof got));
    return 1;
}

/* headers / query: object of string or array-of-strings values. */
static void check_multimap(mk_cas_vctx *v, const cJSON *obj, const char *key)
{
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!map)
        return;
    size_t old = mk_cas__ptr_key(&v->ptr, key);
    if (!not_object(v, map, "an object of names to strings (or arrays of strings)")) {
        for (const cJSON *m = map->child; m; m = m->next) {
            int ok = cJSON_IsString(m);
            if (cJSON_IsArray(m)) {
                ok = 1;
                for (const cJSON *e = m->child; e; e = e->next)
                    ok = ok && cJSON_IsString(e);
            }
            if (!ok) {
                char got[64];
                mk_cas__issue_at(v, m->string ? m->string : "",
                                 "must be a string or an array of strings, got %s",
                                 mk_cas__describe(m, got, sizeof got));
            }
        }
    }
    mk_cas__ptr_pop(&v->ptr, old);
}

static void check_request(mk_cas_vctx *v, const cJSON *req, int websocket)
{
    static const char *const keys[] = {"method", "path", "query", "headers",
                                       "json",   "text", "base64", NULL};
    if (not_object(v, req, "an object"))
        return;
    mk_cas__check_keys(v, req, keys);
    const char *method = mk_cas__want_string(v, req, "method", 1, 1);
    if (method) {
        int token = 1;
        for (const char *c = method; *c; c++)
            token = token && *c >= 'A' && *c <= 'Z';
        if (!token)
            mk_cas__issue_at(v, "method", "must be an HTTP method in capitals such as \"GET\", "
                                          "got \"%.40s\"", method);
        else if (websocket && strcmp(method, "GET") != 0)
            mk_cas__issue_at(v, "method", "must be \"GET\" for a websocket upgrade, got \"%s\"",
                             method);
    }
    const char *path = mk_cas__want_string(v, req, "path", 1, 1);
    /* The path is stored decoded (as the engine matches it), so a space or
     * any other character is fine; '?' or '#' would mean a query or
     * fragment was pasted into it. */
    if (path && (path[0] != '/' || strpbrk(path, "?#")))
        mk_cas__issue_at(v, "path", "must be an absolute path starting with \"/\", without "
                                    "'?' or '#' (parameters go in \"query\"), got \"%.60s\"",
                         path);
    check_multimap(v, req, "query");
    check_multimap(v, req, "headers");
    mk_cas__check_body(v, req);
}

static void check_match(mk_cas_vctx *v, const cJSON *m)
{
    static const char *const keys[] = {"path", "query", "headers", "body", "json", NULL};
    static const char *const query_modes[] = {"subset", "exact", "ignore", NULL};
    static const char *const body_modes[] = {"equal", "partial", "ignore", NULL};
    if (not_object(v, m, "an object"))
        return;
    mk_cas__check_keys(v, m, keys);
    const char *path = mk_cas__want_string(v, m, "path", 0, 1);
    if (path) {
        int ok = path[0] == '/';
        int open = 0;
        for (const char *c = path; *c && ok; c++) {
            if (*c == '{') {
                ok = !open && c[1] != '}';
                open = 1;
            } else if (*c == '}') {
                ok = open;
                open = 0;
            } else if (open) {
                ok = *c != '/';
            }
        }
        if (!ok || open)
            mk_cas__issue_at(v, "path", "must be an absolute path template with whole {name} "
                                        "parameters such as \"/v1/threads/{thread_id}\", "
                                        "got \"%.60s\"", path);
    }
    mk_cas__want_enum(v, m, "query", 0, query_modes);
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(m, "headers");
    if (h) {
        int ok = cJSON_IsArray(h);
        for (const cJSON *e = ok ? h->child : NULL; e; e = e->next)
            ok = ok && cJSON_IsString(e) && e->valuestring[0];
        if (!ok) {
            char got[64];
            mk_cas__issue_at(v, "headers", "must be an array of header names, got %s",
                             mk_cas__describe(h, got, sizeof got));
        }
    }
    mk_cas__want_enum(v, m, "body", 0, body_modes);
}

static void check_chunks(mk_cas_vctx *v, const cJSON *chunks, int64_t start)
{
    static const char *const keys[] = {"at_ms", "json", "text", "base64", "after", "fault", NULL};
    size_t old = mk_cas__ptr_key(&v->ptr, "chunks");
    if (!cJSON_IsArray(chunks)) {
        char got[64];
        mk_cas__issue(v, "must be an array of {\"at_ms\", \"text\"|\"base64\"|\"json\"}, got %s",
                      mk_cas__describe(chunks, got, sizeof got));
        mk_cas__ptr_pop(&v->ptr, old);
        return;
    }
    int64_t prev = start;
    size_t i = 0;
    for (const cJSON *c = chunks->child; c; c = c->next, i++) {
        size_t o = mk_cas__ptr_index(&v->ptr, i);
        if (!not_object(v, c, "an object")) {
            mk_cas__check_keys(v, c, keys);
            int64_t at = 0;
            if (mk_cas__want_int(v, c, "at_ms", 1, 0, MK_CAS_AT_MS_MAX, "an integer >= 0", &at)) {
                if (at < prev)
                    mk_cas__issue_at(v, "at_ms", "must not be earlier than %s (at_ms %lld), "
                                                 "got %lld", i ? "the previous chunk"
                                                               : "the response",
                                     (long long)prev, (long long)at);
                else
                    prev = at;
            }
            mk_cas__check_body(v, c);
            /* its grammar: the mock when it loads, and `mockkit lint` */
            mk_cas__want_string(v, c, "fault", 0, 1);
        }
        mk_cas__ptr_pop(&v->ptr, o);
    }
    mk_cas__ptr_pop(&v->ptr, old);
}

/* keepalive: {"every_ms": >= 1, "text": non-empty}, on a streamed response
 * that ends open (not a cut stream). */
static void check_keepalive(mk_cas_vctx *v, const cJSON *resp, int streamed, int cut)
{
    static const char *const keys[] = {"every_ms", "text", NULL};
    const cJSON *ka = cJSON_GetObjectItemCaseSensitive(resp, "keepalive");
    if (!ka)
        return;
    size_t old = mk_cas__ptr_key(&v->ptr, "keepalive");
    if (!cJSON_IsObject(ka)) {
        char got[64];
        mk_cas__issue(v, "must be an object {\"every_ms\":…, \"text\":…}, got %s",
                      mk_cas__describe(ka, got, sizeof got));
    } else {
        mk_cas__check_keys(v, ka, keys);
        mk_cas__want_int(v, ka, "every_ms", 1, 1, MK_CAS_AT_MS_MAX, "an integer >= 1", NULL);
        mk_cas__want_string(v, ka, "text", 1, 1);
        if (!streamed)
            mk_cas__issue(v, "needs \"chunks\": only a streamed response stays open");
        if (cut)
            mk_cas__issue(v, "a cut stream (\"close\": true) cannot stay open");
    }
    mk_cas__ptr_pop(&v->ptr, old);
}

static void check_response(mk_cas_vctx *v, const cJSON *resp, int64_t req_at)
{
    static const char *const keys[] = {"status", "at_ms", "headers", "json", "text",
                                       "base64", "chunks", "close", "keepalive", NULL};
    if (not_object(v, resp, "an object"))
        return;
    mk_cas__check_keys(v, resp, keys);
    mk_cas__want_int(v, resp, "status", 1, 100, 599, "an integer 100-599", NULL);
    int64_t at = req_at;
    if (mk_cas__want_int(v, resp, "at_ms", 0, 0, MK_CAS_AT_MS_MAX, "an integer >= 0", &at) &&
        at < req_at) {
        mk_cas__issue_at(v, "at_ms", "must not be earlier than the request (at_ms %lld), "
                                     "got %lld", (long long)req_at, (long long)at);
        at = req_at;
    }
    check_multimap(v, resp, "headers");
    mk_cas__check_body(v, resp);
    const cJSON *chunks = cJSON_GetObjectItemCaseSensitive(resp, "chunks");
    if (chunks) {
        if (mk_cas__has_body(resp))
            mk_cas__issue(v, "has both a body and \"chunks\"; a streamed response carries "
                             "its bytes in chunks only");
        check_chunks(v, chunks, at);
    }
    const cJSON *close = cJSON_GetObjectItemCaseSensitive(resp, "close");
    if (close && !cJSON_IsBool(close)) {
        char got[64];
        mk_cas__issue_at(v, "close", "must be true or false, got %s",
                         mk_cas__describe(close, got, sizeof got));
    }
    check_keepalive(v, resp, chunks != NULL, cJSON_IsTrue(close));
}

static void check_frame(mk_cas_vctx *v, const cJSON *f, int64_t *prev, int first)
{
    static const char *const keys[] = {"at_ms", "from",   "type",  "json",  "text",
                                       "base64", "code", "reason", "match", "after", "fault",
                                       NULL};
    static const char *const froms[] = {"server", "client", NULL};
    static const char *const types[] = {"text", "binary", "ping", "pong", "close", NULL};
    static const char *const matches[] = {"partial", "exact", "any", NULL};
    if (not_object(v, f, "an object"))
        return;
    mk_cas__check_keys(v, f, keys);
    int64_t at = 0;
    if (mk_cas__want_int(v, f, "at_ms", 1, 0, MK_CAS_AT_MS_MAX, "an integer >= 0", &at)) {
        if (at < *prev)
            mk_cas__issue_at(v, "at_ms", "must not be earlier than %s (at_ms %lld), got %lld",
                             first ? "the upgrade request" : "the previous frame",
                             (long long)*prev, (long long)at);
        else
            *prev = at;
    }
    const char *from = mk_cas__want_enum(v, f, "from", 1, froms);
    const char *type = mk_cas__want_enum(v, f, "type", 1, types);
    mk_cas__check_body(v, f);
    int is_close = type && strcmp(type, "close") == 0;
    if (is_close && mk_cas__has_body(f))
        mk_cas__issue(v, "a close frame carries \"code\" and \"reason\", not a body");
    if (cJSON_GetObjectItemCaseSensitive(f, "code")) {
        if (type && !is_close)
            mk_cas__issue_at(v, "code", "only close frames take a code");
        else
            mk_cas__want_int(v, f, "code", 0, 1000, 4999, "a close code 1000-4999", NULL);
    }
    if (cJSON_GetObjectItemCaseSensitive(f, "reason")) {
        if (type && !is_close)
            mk_cas__issue_at(v, "reason", "only close frames take a reason");
        else
            mk_cas__want_string(v, f, "reason", 0, 0);
    }
    if (cJSON_GetObjectItemCaseSensitive(f, "match")) {
        if (from && strcmp(from, "client") != 0)
            mk_cas__issue_at(v, "match", "only client frames take \"match\"");
        else
            mk_cas__want_enum(v, f, "match", 0, matches);
    }
    if (cJSON_GetObjectItemCaseSensitive(f, "after") && from && strcmp(from, "server") != 0)
        mk_cas__issue_at(v, "after", "only server frames take \"after\"");
    if (cJSON_GetObjectItemCaseSensitive(f, "fault")) {
        if (from && strcmp(from, "server") != 0)
            mk_cas__issue_at(v, "fault", "only server frames take \"fault\"");
        else
            mk_cas__want_string(v, f, "fault", 0, 1);
    }
}

static void check_websocket(mk_cas_vctx *v, const cJSON *ws, int64_t req_at)
{
    static const char *const keys[] = {"frames", NULL};
    if (not_object(v, ws, "an object {\"frames\": [...]}"))
        return;
    mk_cas__check_keys(v, ws, keys);
    const cJSON *frames = mk_cas__member(v, ws, "frames", 1);
    if (!frames)
        return;
    size_t old = mk_cas__ptr_key(&v->ptr, "frames");
    if (!cJSON_IsArray(frames)) {
        char got[64];
        mk_cas__issue(v, "must be an array of frames, got %s",
                      mk_cas__describe(frames, got, sizeof got));
    } else {
        int64_t prev = req_at;
        size_t i = 0;
        for (const cJSON *f = frames->child; f; f = f->next, i++) {
            size_t o = mk_cas__ptr_index(&v->ptr, i);
            check_frame(v, f, &prev, i == 0);
            mk_cas__ptr_pop(&v->ptr, o);
        }
    }
    mk_cas__ptr_pop(&v->ptr, old);
}

void mk_cas__check_interaction(mk_cas_vctx *v, const cJSON *ix, int64_t *prev_at)
{
    static const char *const keys[] = {"id",       "at_ms",     "request", "match",
                                       "response", "websocket", "note",    "fault", NULL};
    if (not_object(v, ix, "an object"))
        return;
    mk_cas__check_keys(v, ix, keys);
    mk_cas__want_string(v, ix, "id", 0, 1);
    int64_t at = *prev_at;
    if (mk_cas__want_int(v, ix, "at_ms", 1, 0, MK_CAS_AT_MS_MAX, "an integer >= 0", &at)) {
        if (at < *prev_at) {
            mk_cas__issue_at(v, "at_ms", "must not be earlier than the previous interaction "
                                         "(at_ms %lld), got %lld",
                             (long long)*prev_at, (long long)at);
            at = *prev_at;
        }
        *prev_at = at;
    }
    mk_cas__want_string(v, ix, "note", 0, 0);
    mk_cas__want_string(v, ix, "fault", 0, 1);
    const cJSON *resp = cJSON_GetObjectItemCaseSensitive(ix, "response");
    const cJSON *ws = cJSON_GetObjectItemCaseSensitive(ix, "websocket");
    if (!resp == !ws)
        mk_cas__issue(v, "needs exactly one of \"response\" (HTTP) or \"websocket\" "
                         "(upgraded connection), has %s", resp ? "both" : "neither");
    const cJSON *req = mk_cas__member(v, ix, "request", 1);
    if (req) {
        size_t o = mk_cas__ptr_key(&v->ptr, "request");
        check_request(v, req, ws && !resp);
        mk_cas__ptr_pop(&v->ptr, o);
    }
    const cJSON *match = cJSON_GetObjectItemCaseSensitive(ix, "match");
    if (match) {
        size_t o = mk_cas__ptr_key(&v->ptr, "match");
        check_match(v, match);
        mk_cas__ptr_pop(&v->ptr, o);
    }
    if (resp) {
        size_t o = mk_cas__ptr_key(&v->ptr, "response");
        check_response(v, resp, at);
        mk_cas__ptr_pop(&v->ptr, o);
    }
    if (ws) {
        size_t o = mk_cas__ptr_key(&v->ptr, "websocket");
        check_websocket(v, ws, at);
        mk_cas__ptr_pop(&v->ptr, o);
    }
}
