/* cairos.c: login, cookies and the REST calls of the Cairos client. */
#include "internal.h"
#include "call.h"  /* mkc__call_json */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include "mockkit/cassette.h"

int mk_cairos__str(const cJSON *obj, const char *key, int required, char **dst,
                   const char *where, mkc_error *err)
{
    *dst = NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v || cJSON_IsNull(v)) {
        if (required)
            return mkc_error_set(err, MKC_EJSON, NULL, "%s: missing \"%s\"", where, key);
        return MKC_OK;
    }
    if (!cJSON_IsString(v))
        return mkc_error_set(err, MKC_EJSON, NULL, "%s.%s: expected a string", where, key);
    *dst = mkc__strdup(v->valuestring);
    return *dst ? MKC_OK : mkc_error_set(err, MKC_ENOMEM, NULL, "out of memory");
}

/* ---- cookies -------------------------------------------------------------- */

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

int mk_cairos_cookie_from_set_cookie(const char *set_cookie, const char *name, char *out,
                                     size_t size)
{
    if (!set_cookie || !name || !out || size == 0)
        return MKC_EINVAL;
    size_t name_len = strlen(name);
    const char *p = set_cookie;
    /* Each cookie is name=value up to ';'; cookies joined by ", " (httpx).
     * Cairos cookies hold no ',' (no Expires=), which this relies on like
     * the Python client's parse_cookies does. */
    while (*p) {
        p = skip_ws(p);
        const char *end = p + strcspn(p, ";,");
        const char *eq = memchr(p, '=', (size_t)(end - p));
        if (eq && (size_t)(eq - p) == name_len && memcmp(p, name, name_len) == 0) {
            const char *v = eq + 1;
            size_t vlen = (size_t)(end - v);
            while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
                vlen--;
            if (vlen + 1 > size)
                return MKC_ETOOBIG;
            memcpy(out, v, vlen);
            out[vlen] = '\0';
            return MKC_OK;
        }
        /* skip the attributes of this cookie to the next ',' */
        p = end;
        p += strcspn(p, ",");
        if (*p == ',')
            p++;
    }
    return MKC_EPROTOCOL;
}

static int rebuild_cookie(mk_cairos *c)
{
    size_t n = strlen(MK_CAIROS_TOKEN_COOKIE) + strlen(c->token) + 64 +
               (c->session ? strlen(c->session) : 0);
    char *s = malloc(n);
    if (!s)
        return MKC_ENOMEM;
    if (c->session)
        snprintf(s, n, "%s=%s; %s=%s", MK_CAIROS_TOKEN_COOKIE, c->token,
                 MK_CAIROS_SESSION_COOKIE, c->session);
    else
        snprintf(s, n, "%s=%s", MK_CAIROS_TOKEN_COOKIE, c->token);
    free(c->cookie);
    c->cookie = s;
    return mkc_http_set_cookie(c->http, s);
}

int mk_cairos_set_session(mk_cairos *c, const char *session)
{
    if (!c || !session || !*session)
        return MKC_EINVAL;
    char *s = mkc__strdup(session);
    if (!s)
        return MKC_ENOMEM;
    free(c->session);
    c->session = s;
    return rebuild_cookie(c);
}

const char *mk_cairos_base_url(const mk_cairos *c) { return c ? c->base_url : NULL; }
const char *mk_cairos_token(const mk_cairos *c) { return c ? c->token : NULL; }
const char *mk_cairos_session(const mk_cairos *c) { return c ? c->session : NULL; }
const char *mk_cairos_cookie_header(const mk_cairos *c) { return c ? c->cookie : NULL; }
mkc_http *mk_cairos_http(mk_cairos *c) { return c ? c->http : NULL; }

void mk_cairos_free(mk_cairos *c)
{
    if (!c)
        return;
    mkc_http_free(c->http);
    free(c->base_url);
    free(c->token);
    free(c->session);
    free(c->cookie);
    free(c);
}

/* ---- requests ------------------------------------------------------------- */

/* An unexpected answer in one line naming method, URL, status and the
 * FastAPI detail ({"detail": "text"} or a 422 list); err has status, URL
 * and body. */
static void describe(const mkc__call *call, mkc_error *err)
{
    char detail[256] = "";
    cJSON *j = err->body ? mk_json_parse_bounded(err->body, err->body_len, NULL) : NULL;
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "detail");
    if (cJSON_IsString(d)) {
        snprintf(detail, sizeof detail, "%s", d->valuestring);
    } else if (cJSON_IsArray(d)) {
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(d, 0), "msg");
        snprintf(detail, sizeof detail, "%s", cJSON_IsString(msg) ? msg->valuestring : "invalid");
    } else if (err->body) {
        snprintf(detail, sizeof detail, "%.200s", err->body);
    }
    cJSON_Delete(j);
    char url[sizeof err->url];
    snprintf(url, sizeof url, "%s", err->url);
    snprintf(err->message, sizeof err->message, "%s %.200s: HTTP %ld: %s", call->method, url,
             err->http_status, detail);
}

/* One request; any status other than `expect` is an error, 2xx ones too
 * (the API's statuses are part of its contract). *out (optional) gets the
 * response, *json (optional) its JSON. */
static int request(mk_cairos *c, const char *method, const char *path, const char *ctype,
                   const char *body, size_t body_len, long expect, mkc_response **out,
                   cJSON **json, mkc_error *err)
{
    mkc__call call = {.service = "cairos", .method = method, .path = path,
                      .content_type = ctype, .body = body, .body_len = body_len,
                      .expect = expect, .describe = describe};
    return mkc__call_json(c->http, &call, out, json, err);
}

static int call(mk_cairos *c, const char *method, const char *path, const char *ctype,
                const char *body, size_t body_len, long expect, mkc_response **out,
                mkc_error *err)
{
    return request(c, method, path, ctype, body, body_len, expect, out, NULL, err);
}

static int call_json(mk_cairos *c, const char *method, const char *path, const char *json_body,
                     long expect, cJSON **out, mkc_error *err)
{
    return request(c, method, path, json_body ? "application/json" : NULL, json_body,
                   json_body ? strlen(json_body) : 0, expect, NULL, out, err);
}

static char *form_escape(const char *s)
{
    char *e = curl_easy_escape(NULL, s, 0);
    char *d = mkc__strdup(e);
    curl_free(e);
    return d;
}

static int find_token(const mkc_response *r, char *out, size_t size)
{
    int rc = MKC_EPROTOCOL;
    for (size_t i = 0; i < r->header_count && rc != MKC_OK; i++) {
        const char *line = r->headers[i];
        if (strncasecmp(line, "set-cookie:", 11) != 0)
            continue;
        rc = mk_cairos_cookie_from_set_cookie(skip_ws(line + 11), MK_CAIROS_TOKEN_COOKIE, out,
                                              size);
    }
    return rc;
}

static int request_session_id(mk_cairos *c, mkc_error *err)
{
    cJSON *j = NULL;
    int rc = call_json(c, "GET", "/session_id", NULL, 200, &j, err);
    if (rc != MKC_OK)
        return rc;
    if (!cJSON_IsString(j) || !*j->valuestring) {
        cJSON_Delete(j);
        return mkc_error_set(err, MKC_EJSON, c->base_url,
                               "GET %s/session_id: expected a JSON string", c->base_url);
    }
    rc = mk_cairos_set_session(c, j->valuestring);
    cJSON_Delete(j);
    return rc;
}

int mk_cairos_login(const char *base_url, const char *user, const char *password,
                    mk_cairos **out, mkc_error *err)
{
    if (out)
        *out = NULL;
    if (!base_url || !user || !password || !out)
        return mkc_error_set(err, MKC_EINVAL, base_url, "login: NULL argument");
    mk_cairos *c = calloc(1, sizeof *c);
    if (!c)
        return mkc_error_set(err, MKC_ENOMEM, base_url, "out of memory");
    c->base_url = mkc__strdup(base_url);
    if (c->base_url) {
        size_t n = strlen(c->base_url);
        if (n > 0 && c->base_url[n - 1] == '/')
            c->base_url[n - 1] = '\0';
        c->http = mkc_http_new(c->base_url);
    }
    char *u = form_escape(user), *p = form_escape(password);
    if (!c->http || !u || !p) {
        free(u);
        free(p);
        mk_cairos_free(c);
        return mkc_error_set(err, MKC_ENOMEM, base_url, "out of memory");
    }
    /* OAuth2 password form as the generated client sends it (scope always). */
    size_t n = strlen(u) + strlen(p) + 40;
    char *form = malloc(n);
    if (form)
        snprintf(form, n, "username=%s&password=%s&scope=", u, p);
    free(u);
    free(p);
    if (!form) {
        mk_cairos_free(c);
        return mkc_error_set(err, MKC_ENOMEM, base_url, "out of memory");
    }
    mkc_response *r = NULL;
    int rc = call(c, "POST", "/login", "application/x-www-form-urlencoded", form, strlen(form),
                  200, &r, err);
    free(form);
    char token[4096];
    if (rc == MKC_OK && find_token(r, token, sizeof token) != MKC_OK)
        rc = mkc_error_set(err, MKC_EPROTOCOL, c->base_url,
                             "POST %s/login: 200 without Set-Cookie %s", c->base_url,
                             MK_CAIROS_TOKEN_COOKIE);
    mkc_response_free(r);
    if (rc == MKC_OK && !*token)
        rc = mkc_error_set(err, MKC_EPROTOCOL, c->base_url,
                             "POST %s/login: empty %s cookie", c->base_url,
                             MK_CAIROS_TOKEN_COOKIE);
    if (rc == MKC_OK) {
        c->token = mkc__strdup(token);
        char auth[4200];
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        if (!c->token || mkc_http_add_header(c->http, auth) != MKC_OK ||
            rebuild_cookie(c) != MKC_OK)
            rc = mkc_error_set(err, MKC_ENOMEM, c->base_url, "out of memory");
    }
    if (rc == MKC_OK)
        rc = request_session_id(c, err);
    if (rc != MKC_OK) {
        mk_cairos_free(c);
        return rc;
    }
    *out = c;
    return MKC_OK;
}

/* ---- threads, chat, avatars, animations ------------------------------------ */

int mk_cairos_list_threads(mk_cairos *c, mk_cairos_thread_list *out, mkc_error *err)
{
    if (!c || !out)
        return MKC_EINVAL;
    memset(out, 0, sizeof *out);
    cJSON *j = NULL;
    int rc = call_json(c, "GET", "/thread", NULL, 200, &j, err);
    if (rc != MKC_OK)
        return rc;
    if (!cJSON_IsArray(j)) {
        cJSON_Delete(j);
        return mkc_error_set(err, MKC_EJSON, c->base_url, "GET %s/thread: expected an array",
                               c->base_url);
    }
    int n = cJSON_GetArraySize(j);
    out->items = calloc(n > 0 ? (size_t)n : 1, sizeof *out->items);
    if (!out->items)
        rc = MKC_ENOMEM;
    for (int i = 0; rc == MKC_OK && i < n; i++) {
        rc = mk_cairos__thread_from_json(cJSON_GetArrayItem(j, i), &out->items[i], err);
        if (rc == MKC_OK)
            out->count++;
    }
    cJSON_Delete(j);
    if (rc != MKC_OK)
        mk_cairos_thread_list_clear(out);
    return rc;
}

int mk_cairos_create_thread(mk_cairos *c, mk_cairos_thread *out, mkc_error *err)
{
    if (!c || !out)
        return MKC_EINVAL;
    memset(out, 0, sizeof *out);
    cJSON *j = NULL;
    int rc = call_json(c, "POST", "/thread", NULL, 201, &j, err);
    if (rc == MKC_OK)
        rc = mk_cairos__thread_from_json(j, out, err);
    cJSON_Delete(j);
    return rc;
}

int mk_cairos_get_thread_by_id(mk_cairos *c, const char *thread_id, mk_cairos_thread *out,
                               mkc_error *err)
{
    if (!c || !thread_id || !out)
        return MKC_EINVAL;
    memset(out, 0, sizeof *out);
    char path[512];
    snprintf(path, sizeof path, "/thread/%s", thread_id);
    cJSON *j = NULL;
    int rc = call_json(c, "GET", path, NULL, 200, &j, err);
    if (rc == MKC_OK)
        rc = mk_cairos__thread_from_json(j, out, err);
    cJSON_Delete(j);
    return rc;
}

/* ChatInput as send_chat builds it: prompt HumanMessage with a fresh hex id,
 * empty history and btl_objs. */
static char *chat_input(const char *prompt)
{
    static const char hex[] = "0123456789abcdef";
    char id[33];
    for (int i = 0; i < 32; i++)
        id[i] = hex[rand() & 15]; /* an id, not a secret */
    id[32] = '\0';
    cJSON *root = cJSON_CreateObject();
    cJSON *p = cJSON_AddObjectToObject(root, "prompt");
    cJSON_AddStringToObject(p, "content", prompt);
    cJSON_AddStringToObject(p, "id", id);
    cJSON_AddArrayToObject(root, "history");
    cJSON_AddArrayToObject(root, "btl_objs");
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return s;
}

static int chat(mk_cairos *c, const char *suffix, const char *prompt, const char *thread_id,
                mk_cairos_chat_output **out, mkc_error *err)
{
    if (out)
        *out = NULL;
    if (!c || !prompt || !thread_id || !out)
        return MKC_EINVAL;
    if (!c->session)
        return mkc_error_set(err, MKC_EINVAL, c->base_url, "Session id is required");
    char path[512];
    snprintf(path, sizeof path, "/thread/%s%s", thread_id, suffix);
    char *body = chat_input(prompt);
    if (!body)
        return mkc_error_set(err, MKC_ENOMEM, c->base_url, "out of memory");
    cJSON *j = NULL;
    int rc = call_json(c, "POST", path, body, 200, &j, err);
    free(body);
    if (rc != MKC_OK)
        return rc;
    return mk_cairos__chat_output_from_json(j, out, err); /* takes j */
}

int mk_cairos_send_chat(mk_cairos *c, const char *prompt, const char *thread_id,
                        mk_cairos_chat_output **out, mkc_error *err)
{
    return chat(c, "", prompt, thread_id, out, err);
}

int mk_cairos_request_motions_sequence(mk_cairos *c, const char *prompt, const char *thread_id,
                                       mk_cairos_chat_output **out, mkc_error *err)
{
    return chat(c, "/nosequence", prompt, thread_id, out, err);
}

int mk_cairos_list_avatars(mk_cairos *c, mk_cairos_avatar_list *out, mkc_error *err)
{
    if (!c || !out)
        return MKC_EINVAL;
    memset(out, 0, sizeof *out);
    cJSON *j = NULL;
    int rc = call_json(c, "GET", "/avatar", NULL, 200, &j, err);
    if (rc != MKC_OK)
        return rc;
    if (!cJSON_IsArray(j)) {
        cJSON_Delete(j);
        return mkc_error_set(err, MKC_EJSON, c->base_url, "GET %s/avatar: expected an array",
                               c->base_url);
    }
    int n = cJSON_GetArraySize(j);
    out->items = calloc(n > 0 ? (size_t)n : 1, sizeof *out->items);
    if (!out->items)
        rc = MKC_ENOMEM;
    for (int i = 0; rc == MKC_OK && i < n; i++) {
        rc = mk_cairos__avatar_from_json(cJSON_GetArrayItem(j, i), &out->items[i], err);
        if (rc == MKC_OK)
            out->count++;
    }
    cJSON_Delete(j);
    if (rc != MKC_OK)
        mk_cairos_avatar_list_clear(out);
    return rc;
}

/* uuid in either form → 32 hex for the path. */
static int uuid_path(const char *uuid, char hex[33])
{
    if (strlen(uuid) == 32 && strspn(uuid, "0123456789abcdefABCDEF") == 32) {
        memcpy(hex, uuid, 33);
        return MKC_OK;
    }
    return mk_cairos_uuid_hex(uuid, hex);
}

int mk_cairos_get_avatar(mk_cairos *c, const char *uuid, mk_cairos_avatar *out, mkc_error *err)
{
    if (!c || !uuid || !out)
        return MKC_EINVAL;
    memset(out, 0, sizeof *out);
    char hex[33], path[128];
    if (uuid_path(uuid, hex) != MKC_OK)
        return mkc_error_set(err, MKC_EINVAL, NULL, "not a UUID: %.60s", uuid);
    snprintf(path, sizeof path, "/avatar/%s", hex);
    cJSON *j = NULL;
    int rc = call_json(c, "GET", path, NULL, 200, &j, err);
    if (rc == MKC_OK)
        rc = mk_cairos__avatar_from_json(j, out, err);
    cJSON_Delete(j);
    return rc;
}

static int get_bytes(mk_cairos *c, const char *path, unsigned char **data, size_t *len,
                     mkc_error *err)
{
    *data = NULL;
    *len = 0;
    mkc_response *r = NULL;
    int rc = call(c, "GET", path, NULL, NULL, 0, 200, &r, err);
    if (rc != MKC_OK)
        return rc;
    *data = malloc(r->body_len + 1);
    if (*data) {
        memcpy(*data, r->body ? r->body : "", r->body_len);
        (*data)[r->body_len] = 0;
        *len = r->body_len;
    } else {
        rc = MKC_ENOMEM;
    }
    mkc_response_free(r);
    return rc;
}

int mk_cairos_get_avatar_file(mk_cairos *c, const char *uuid, unsigned char **data, size_t *len,
                              mkc_error *err)
{
    if (!c || !uuid || !data || !len)
        return MKC_EINVAL;
    char hex[33], path[128];
    if (uuid_path(uuid, hex) != MKC_OK)
        return mkc_error_set(err, MKC_EINVAL, NULL, "not a UUID: %.60s", uuid);
    snprintf(path, sizeof path, "/avatar/%s/file", hex);
    return get_bytes(c, path, data, len, err);
}

static int anim_path(const char *thread_id, const char *trigger, const char *tail, char *path,
                     size_t size, mkc_error *err)
{
    char hex[33];
    if (uuid_path(trigger, hex) != MKC_OK)
        return mkc_error_set(err, MKC_EINVAL, NULL, "not a UUID: %.60s", trigger);
    snprintf(path, size, "/anim/%s/%s/%s", thread_id, hex, tail);
    return MKC_OK;
}

int mk_cairos_export_animation(mk_cairos *c, const char *thread_id, const char *trigger,
                               mk_cairos_animation *out, mkc_error *err)
{
    if (!c || !thread_id || !trigger)
        return MKC_EINVAL;
    if (out)
        memset(out, 0, sizeof *out);
    char path[512];
    int rc = anim_path(thread_id, trigger, "export", path, sizeof path, err);
    if (rc != MKC_OK)
        return rc;
    cJSON *j = NULL;
    rc = call_json(c, "POST", path, NULL, 202, &j, err);
    if (rc == MKC_OK && out)
        rc = mk_cairos_animation_from_json(j, out, err);
    cJSON_Delete(j);
    return rc;
}

int mk_cairos_download_animation(mk_cairos *c, const char *thread_id, const char *trigger,
                                 unsigned char **data, size_t *len, mkc_error *err)
{
    if (!c || !thread_id || !trigger || !data || !len)
        return MKC_EINVAL;
    char path[512];
    int rc = anim_path(thread_id, trigger, "download", path, sizeof path, err);
    return rc == MKC_OK ? get_bytes(c, path, data, len, err) : rc;
}
