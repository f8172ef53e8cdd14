/* bind.c: which type a payload is (bindings), and checking a payload. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "mockkit/cassette.h" /* mk_json_parse_bounded_at */

/* "{name}" matches one non-empty segment; everything else literally. */
static int path_matches(const char *tpl, const char *path)
{
    while (*tpl && *path) {
        if (*tpl == '{') {
            const char *close = strchr(tpl, '}');
            if (!close)
                return 0;
            const char *seg_end = strchr(path, '/');
            if (!seg_end)
                seg_end = path + strlen(path);
            if (seg_end == path)
                return 0;
            tpl = close + 1;
            path = seg_end;
            continue;
        }
        if (*tpl != *path)
            return 0;
        tpl++;
        path++;
    }
    return *tpl == '\0' && *path == '\0';
}

static const char *part_key(mk_model_part part)
{
    switch (part) {
    case MK_MODEL_REQUEST:
        return "request";
    case MK_MODEL_RESPONSE:
        return "responses";
    case MK_MODEL_SSE:
        return "sse";
    case MK_MODEL_WS_CLIENT:
    case MK_MODEL_WS_SERVER:
        return "ws";
    }
    return "";
}

/* The target in one binding for p, or NULL if the binding does not say. */
static const cJSON *target_in(const cJSON *b, const mk_model_payload *p)
{
    const cJSON *slot = cJSON_GetObjectItemCaseSensitive(b, part_key(p->part));
    if (!slot)
        return NULL;
    if (p->part == MK_MODEL_REQUEST)
        return slot;
    if (p->part == MK_MODEL_WS_CLIENT || p->part == MK_MODEL_WS_SERVER)
        return cJSON_GetObjectItemCaseSensitive(slot,
                                                p->part == MK_MODEL_WS_CLIENT ? "client" : "server");
    if (p->part == MK_MODEL_SSE)
        return cJSON_GetObjectItemCaseSensitive(slot, p->event && *p->event ? p->event : "message");
    char key[16];
    snprintf(key, sizeof(key), "%03d", p->status);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(slot, key);
    if (t)
        return t;
    if (p->status < 100 || p->status > 599)
        return NULL;
    snprintf(key, sizeof(key), "%dxx", p->status / 100);
    return cJSON_GetObjectItemCaseSensitive(slot, key);
}

/* Literal characters of a template: "/assets/identifiers" beats
 * "/assets/{asset}" for the same path, as OpenAPI orders them. */
static size_t literal_length(const char *tpl)
{
    size_t n = 0;
    for (const char *c = tpl; *c; c++) {
        if (*c == '{') {
            const char *close = strchr(c, '}');
            if (!close)
                break;
            c = close;
            continue;
        }
        n++;
    }
    return n;
}

/* The most specific binding (most literal characters, then the first)
 * whose method and path match and that says something about p's part.
 * A request no binding routes falls to the "*" binding, if any: the
 * service's answer to an unknown route (its not-found handler). */
static const cJSON *find_binding(const mk_model *m, const mk_model_payload *p, int *path_seen)
{
    int ws = p->part == MK_MODEL_WS_CLIENT || p->part == MK_MODEL_WS_SERVER;
    const cJSON *best = NULL, *unrouted = NULL;
    size_t best_len = 0;
    for (const cJSON *b = m->bindings->child; b; b = b->next) {
        const cJSON *path = cJSON_GetObjectItemCaseSensitive(b, "path");
        const cJSON *method = cJSON_GetObjectItemCaseSensitive(b, "method");
        if (strcmp(path->valuestring, "*") == 0) {
            unrouted = b;
            continue;
        }
        if (!path_matches(path->valuestring, p->path))
            continue;
        if (!ws && (!cJSON_IsString(method) || strcasecmp(method->valuestring, p->method) != 0))
            continue;
        *path_seen = 1;
        size_t len = literal_length(path->valuestring);
        if (target_in(b, p) && (!best || len > best_len)) {
            best = b;
            best_len = len;
        }
    }
    if (!best && !*path_seen && !ws && unrouted && target_in(unrouted, p))
        best = unrouted;
    return best;
}

static void describe(const mk_model_payload *p, char *buf, size_t size)
{
    switch (p->part) {
    case MK_MODEL_REQUEST:
        snprintf(buf, size, "request body of %s %s", p->method, p->path);
        break;
    case MK_MODEL_RESPONSE:
        snprintf(buf, size, "%d response of %s %s", p->status, p->method, p->path);
        break;
    case MK_MODEL_SSE:
        snprintf(buf, size, "SSE event \"%s\" of %s %s", p->event && *p->event ? p->event : "message",
                 p->method, p->path);
        break;
    case MK_MODEL_WS_CLIENT:
    case MK_MODEL_WS_SERVER:
        snprintf(buf, size, "websocket %s frame on %s",
                 p->part == MK_MODEL_WS_CLIENT ? "client" : "server", p->path);
        break;
    }
}

static int bad_payload(const mk_model_payload *p)
{
    int ws = p && (p->part == MK_MODEL_WS_CLIENT || p->part == MK_MODEL_WS_SERVER);
    return !p || !p->path || (!ws && !p->method);
}

int mk_model_lookup(const mk_model *m, const mk_model_payload *p, const char **type,
                    mk_model_error *err)
{
    if (type)
        *type = NULL;
    if (!m || bad_payload(p))
        return mk_mdl__err(err, MK_MODEL_EINVAL, "", "", "missing model or payload");
    int path_seen = 0;
    const cJSON *b = find_binding(m, p, &path_seen);
    char what[512];
    describe(p, what, sizeof(what));
    if (!b)
        return mk_mdl__err(err, MK_MODEL_UNBOUND, "", "bindings", "models/%s.json binds no %s%s",
                           m->service, what,
                           path_seen ? " (the route is bound, this part is not)" : "");
    const cJSON *t = target_in(b, p);
    if (cJSON_IsNull(t))
        return MK_MODEL_SKIPPED;
    if (type)
        *type = t->valuestring;
    return MK_MODEL_OK;
}

int mk_model_binding(const mk_model *m, const mk_model_payload *p, const char **path_template,
                     const char **note)
{
    if (path_template)
        *path_template = NULL;
    if (note)
        *note = NULL;
    if (!m || bad_payload(p))
        return MK_MODEL_EINVAL;
    int path_seen = 0;
    const cJSON *b = find_binding(m, p, &path_seen);
    if (!b)
        return MK_MODEL_UNBOUND;
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(b, "note");
    if (path_template)
        *path_template = cJSON_GetObjectItemCaseSensitive(b, "path")->valuestring;
    if (note && cJSON_IsString(n))
        *note = n->valuestring;
    return MK_MODEL_OK;
}

int mk_model_check_json(const mk_model *m, const mk_model_payload *p, const cJSON *value,
                        mk_model_error *err)
{
    const char *type = NULL;
    int rc = mk_model_lookup(m, p, &type, err);
    if (rc != MK_MODEL_OK)
        return rc;
    if (!value)
        return mk_mdl__err(err, MK_MODEL_ENOTJSON, "", "", "no JSON value to check");
    return mk_model_validate_type(m, type, value, err);
}

int mk_model_check(const mk_model *m, const mk_model_payload *p, const char *text, size_t len,
                   mk_model_error *err)
{
    const char *type = NULL;
    int rc = mk_model_lookup(m, p, &type, err);
    if (rc != MK_MODEL_OK)
        return rc;
    if (!text)
        len = 0;
    if (p->part == MK_MODEL_SSE && len == 6 && memcmp(text, "[DONE]", 6) == 0) {
        mk_model_payload done = *p;
        done.event = "[DONE]";
        int dr = mk_model_lookup(m, &done, NULL, NULL);
        if (dr == MK_MODEL_OK || dr == MK_MODEL_SKIPPED)
            return MK_MODEL_OK;
    }
    if (len && memchr(text, '\0', len))
        return mk_mdl__err(err, MK_MODEL_ENOTJSON, "", "", "%s payload holds a NUL byte", type);
    /* Bounded: live payloads are foreign (mockkit/cassette.h). */
    int too_deep = 0;
    size_t off = 0;
    cJSON *v = mk_json_parse_bounded_at(text, len, 1, &too_deep, &off);
    if (!v && too_deep)
        return mk_mdl__err(err, MK_MODEL_ENOTJSON, "", "", "%s payload nests deeper than %d levels",
                           type, MK_JSON_MAX_DEPTH);
    if (!v)
        return mk_mdl__err(err, MK_MODEL_ENOTJSON, "", "", "%s payload is not JSON (byte %zu)",
                           type, off);
    rc = mk_model_validate_type(m, type, v, err);
    cJSON_Delete(v);
    return rc;
}
