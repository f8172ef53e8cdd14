/* pieces.c: the Pieces OS client object and its REST calls. */
#include "pieces_internal.h"
#include "call.h"  /* mkc__call_json */
#include "kit.h"  /* mkc__strdup, monotonic deadlines */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

mk_pieces *mk_pieces_new(const char *base_url)
{
    if (!base_url || !*base_url)
        return NULL;
    mk_pieces *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->base_url = mkc__strdup(base_url);
    if (p->base_url) {
        size_t n = strlen(p->base_url);
        if (n > 0 && p->base_url[n - 1] == '/')
            p->base_url[n - 1] = '\0';
        p->http = mkc_http_new(p->base_url);
    }
    if (!p->base_url || !p->http) {
        mkc_http_free(p->http);
        free(p->base_url);
        free(p);
        return NULL;
    }
    p->timeout_ms = 10000;
    mkc_http_set_timeout(p->http, p->timeout_ms);
    pthread_mutex_init(&p->http_mu, NULL);
    pthread_mutex_init(&p->reg_mu, NULL);
    return p;
}

void mk_pieces_free(mk_pieces *p)
{
    if (!p)
        return;
    for (;;) {
        pthread_mutex_lock(&p->reg_mu);
        mk_pieces_ws *ws = p->sockets;
        pthread_mutex_unlock(&p->reg_mu);
        if (!ws)
            break;
        mk_pieces_ws_free(ws);  /* unregisters itself */
    }
    mkc_http_free(p->http);
    cJSON_Delete(p->application);
    free(p->app_id);
    free(p->base_url);
    pthread_mutex_destroy(&p->http_mu);
    pthread_mutex_destroy(&p->reg_mu);
    free(p);
}

void mk_pieces_set_timeout(mk_pieces *p, long ms)
{
    if (!p || ms <= 0)
        return;
    pthread_mutex_lock(&p->http_mu);
    p->timeout_ms = ms;
    mkc_http_set_timeout(p->http, ms);
    pthread_mutex_unlock(&p->http_mu);
}

const char *mk_pieces_base_url(const mk_pieces *p)
{
    return p ? p->base_url : NULL;
}

const char *mk_pieces_application_id(const mk_pieces *p)
{
    return p ? p->app_id : NULL;
}

/* ---- plumbing ---------------------------------------------------------------- */

/* The request the core helper sends for p: the application header once
 * connected; any non-2xx is MKC_EHTTP ("METHOD URL: HTTP n: body"). */
static mkc__call request(const char *method, const char *path, const char *app_line,
                         const char *const *extra, const char *json_body)
{
    mkc__call c = {.service = "pieces", .method = method, .path = path,
                   .headers = app_line ? extra : NULL,
                   .content_type = json_body ? "application/json" : NULL, .body = json_body,
                   .body_len = json_body ? strlen(json_body) : 0};
    return c;
}

int mk_pieces__get_json_on(mkc_http *h, const char *base_url, const char *path,
                           const char *app_id, cJSON **out, mkc_error *err)
{
    (void)base_url;  /* h's own: the helper names the URL */
    char app_line[160];
    const char *extra[2] = {app_line, NULL};
    if (app_id)
        snprintf(app_line, sizeof app_line, "application: %s", app_id);
    mkc__call c = request("GET", path, app_id ? app_line : NULL, extra, NULL);
    c.json_type = "application/json";
    return mkc__call_json(h, &c, NULL, out, err);
}

/* A request on p's shared handle; *out the response (the caller frees). */
static int call(mk_pieces *p, const char *method, const char *path, const char *json_body,
                mkc_response **out, mkc_error *err)
{
    pthread_mutex_lock(&p->http_mu);
    char app_line[160];
    const char *extra[2] = {app_line, NULL};
    if (p->app_id)
        snprintf(app_line, sizeof app_line, "application: %s", p->app_id);
    mkc__call c = request(method, path, p->app_id ? app_line : NULL, extra, json_body);
    int rc = mkc__call_json(p->http, &c, out, NULL, err);
    pthread_mutex_unlock(&p->http_mu);
    return rc;
}

/* A JSON request on p's shared handle; *out (optional) the JSON answer. */
static int call_json(mk_pieces *p, const char *method, const char *path, const char *json_body,
                     cJSON **out, mkc_error *err)
{
    pthread_mutex_lock(&p->http_mu);
    char app_line[160];
    const char *extra[2] = {app_line, NULL};
    if (p->app_id)
        snprintf(app_line, sizeof app_line, "application: %s", p->app_id);
    mkc__call c = request(method, path, p->app_id ? app_line : NULL, extra, json_body);
    c.json_type = "application/json";
    cJSON *j = NULL;
    int rc = mkc__call_json(p->http, &c, NULL, &j, err);
    pthread_mutex_unlock(&p->http_mu);
    if (rc == MKC_OK && out)
        *out = j;
    else
        cJSON_Delete(j);
    return rc;
}

/* GET a text/plain body (health, version). */
static int get_text(mk_pieces *p, const char *path, char **text, mkc_error *err)
{
    if (!p || !text)
        return mkc_error_set(err, MKC_EINVAL, NULL, "mk_pieces: NULL argument");
    char url[1024];
    snprintf(url, sizeof url, "%s%s", p->base_url, path);
    mkc_response *r = NULL;
    int rc = call(p, "GET", path, NULL, &r, err);
    if (rc != MKC_OK)
        return rc;
    if (!mkc__content_type_is(r, "text/")) {
        rc = mkc_error_set(err, MKC_ECONTENT_TYPE, url, "%s: expected text/plain, got %s", url,
                             r->content_type ? r->content_type : "no content type");
        mkc_response_free(r);
        return rc;
    }
    *text = malloc(r->body_len + 1);
    if (!*text) {
        mkc_response_free(r);
        return mkc_error_set(err, MKC_ENOMEM, url, "%s: out of memory", url);
    }
    if (r->body_len)
        memcpy(*text, r->body, r->body_len);
    (*text)[r->body_len] = '\0';
    mkc_response_free(r);
    return MKC_OK;
}

/* ---- REST calls ------------------------------------------------------------------ */

int mk_pieces_health(mk_pieces *p, char **text, mkc_error *err)
{
    return get_text(p, "/.well-known/health", text, err);
}

int mk_pieces_health_probe(mk_pieces *p, mkc_error *err)
{
    if (!p)
        return mkc_error_set(err, MKC_EINVAL, NULL, "mk_pieces: NULL argument");
    mkc_response *r = NULL;
    int rc = call(p, "HEAD", "/.well-known/health", NULL, &r, err);
    mkc_response_free(r);
    return rc;
}

int mk_pieces_version(mk_pieces *p, char **version, mkc_error *err)
{
    int rc = get_text(p, "/.well-known/version", version, err);
    if (rc == MKC_OK) {
        /* Trim a trailing newline some servers add. */
        size_t n = strlen(*version);
        while (n > 0 && ((*version)[n - 1] == '\n' || (*version)[n - 1] == '\r'))
            (*version)[--n] = '\0';
    }
    return rc;
}

int mk_pieces_connect(mk_pieces *p, const char *name, const char *platform, const char *version,
                      cJSON **context, mkc_error *err)
{
    if (!p || !name || !platform || !version)
        return mkc_error_set(err, MKC_EINVAL, NULL,
                               "mk_pieces_connect: name, platform and version are required");
    cJSON *body = cJSON_CreateObject();
    cJSON *app = cJSON_AddObjectToObject(body, "application");
    cJSON_AddStringToObject(app, "name", name);
    cJSON_AddStringToObject(app, "platform", platform);
    cJSON_AddStringToObject(app, "version", version);
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    if (!text)
        return mkc_error_set(err, MKC_ENOMEM, NULL, "mk_pieces_connect: out of memory");

    char url[1024];
    snprintf(url, sizeof url, "%s/connect", p->base_url);
    cJSON *ctx = NULL;
    int rc = call_json(p, "POST", "/connect", text, &ctx, err);
    free(text);
    if (rc != MKC_OK)
        return rc;
    cJSON *application = cJSON_GetObjectItemCaseSensitive(ctx, "application");
    cJSON *id = cJSON_GetObjectItemCaseSensitive(application, "id");
    if (!cJSON_IsString(id) || !id->valuestring[0]) {
        cJSON_Delete(ctx);
        return mkc_error_set(err, MKC_EJSON, url, "%s: /application/id: missing in the Context",
                               url);
    }
    char *new_id = mkc__strdup(id->valuestring);
    cJSON *new_app = cJSON_Duplicate(application, 1);
    if (!new_id || !new_app) {
        free(new_id);
        cJSON_Delete(new_app);
        cJSON_Delete(ctx);
        return mkc_error_set(err, MKC_ENOMEM, url, "%s: out of memory", url);
    }
    pthread_mutex_lock(&p->http_mu);
    free(p->app_id);
    cJSON_Delete(p->application);
    p->app_id = new_id;
    p->application = new_app;
    pthread_mutex_unlock(&p->http_mu);
    if (context)
        *context = ctx;
    else
        cJSON_Delete(ctx);
    return MKC_OK;
}

int mk_pieces_get_json(mk_pieces *p, const char *path, cJSON **out, mkc_error *err)
{
    if (!p || !path || !out)
        return mkc_error_set(err, MKC_EINVAL, NULL, "mk_pieces_get_json: NULL argument");
    return call_json(p, "GET", path, NULL, out, err);
}

int mk_pieces_models(mk_pieces *p, cJSON **out, mkc_error *err)
{
    return mk_pieces_get_json(p, "/models", out, err);
}

int mk_pieces_user(mk_pieces *p, cJSON **out, mkc_error *err)
{
    return mk_pieces_get_json(p, "/user", out, err);
}

int mk_pieces_applications(mk_pieces *p, cJSON **out, mkc_error *err)
{
    return mk_pieces_get_json(p, "/applications", out, err);
}

int mk_pieces_assets(mk_pieces *p, cJSON **out, mkc_error *err)
{
    return mk_pieces_get_json(p, "/assets", out, err);
}

int mk_pieces_conversations(mk_pieces *p, cJSON **out, mkc_error *err)
{
    return mk_pieces_get_json(p, "/conversations", out, err);
}

/* Build prefix + id + suffix; ids are UUID-like, so anything else is refused rather than
 * pasted into a path. */
static int get_by_id(mk_pieces *p, const char *prefix, const char *suffix, const char *id,
                     char *path, size_t size, mkc_error *err)
{
    static const char ok[] = "0123456789abcdefghijklmnopqrstuvwxyz"
                             "ABCDEFGHIJKLMNOPQRSTUVWXYZ-_.";
    if (!p || !id || !*id || strlen(id) > 64 || strspn(id, ok) != strlen(id))
        return mkc_error_set(err, MKC_EINVAL, NULL, "mk_pieces: %s: not an id: \"%s\"", prefix,
                               id ? id : "(null)");
    snprintf(path, size, "%s%s%s", prefix, id, suffix);
    return MKC_OK;
}

int mk_pieces_asset(mk_pieces *p, const char *id, cJSON **out, mkc_error *err)
{
    char path[160];
    int rc = get_by_id(p, "/asset/", "", id, path, sizeof path, err);
    return rc ? rc : mk_pieces_get_json(p, path, out, err);
}

int mk_pieces_conversation(mk_pieces *p, const char *id, cJSON **out, mkc_error *err)
{
    char path[160];
    int rc = get_by_id(p, "/conversation/", "", id, path, sizeof path, err);
    return rc ? rc : mk_pieces_get_json(p, path, out, err);
}

int mk_pieces_message(mk_pieces *p, const char *id, cJSON **out, mkc_error *err)
{
    char path[160];
    int rc = get_by_id(p, "/message/", "", id, path, sizeof path, err);
    return rc ? rc : mk_pieces_get_json(p, path, out, err);
}

const cJSON *mk_pieces_models_find(const cJSON *models, const char *key, const char *value)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(models, "iterable");
    const cJSON *m;
    if (!key || !value)
        return NULL;
    cJSON_ArrayForEach(m, it) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);
        if (cJSON_IsString(v) && strcmp(v->valuestring, value) == 0)
            return m;
    }
    return NULL;
}

int mk_pieces_asset_create(mk_pieces *p, const char *raw, const char *ext, cJSON **asset,
                           mkc_error *err)
{
    if (!p || !raw)
        return mkc_error_set(err, MKC_EINVAL, NULL, "mk_pieces_asset_create: NULL argument");
    pthread_mutex_lock(&p->http_mu);
    cJSON *app = p->application ? cJSON_Duplicate(p->application, 1) : NULL;
    pthread_mutex_unlock(&p->http_mu);
    if (!app)
        return mkc_error_set(err, MKC_EINVAL, NULL,
                               "mk_pieces_asset_create: call mk_pieces_connect first "
                               "(a Seed carries the connected Application)");
    /* Seed {asset:{application, format:{fragment:{string:{raw}}, metadata?}}, type} */
    cJSON *seed = cJSON_CreateObject();
    cJSON *sa = cJSON_AddObjectToObject(seed, "asset");
    cJSON_AddItemToObject(sa, "application", app);
    cJSON *format = cJSON_AddObjectToObject(sa, "format");
    cJSON *frag = cJSON_AddObjectToObject(format, "fragment");
    cJSON *str = cJSON_AddObjectToObject(frag, "string");
    cJSON_AddStringToObject(str, "raw", raw);
    if (ext) {
        cJSON *meta = cJSON_AddObjectToObject(format, "metadata");
        cJSON_AddStringToObject(meta, "ext", ext);
    }
    cJSON_AddStringToObject(seed, "type", "SEEDED_ASSET");
    char *text = cJSON_PrintUnformatted(seed);
    cJSON_Delete(seed);
    if (!text)
        return mkc_error_set(err, MKC_ENOMEM, NULL, "mk_pieces_asset_create: out of memory");
    int rc = call_json(p, "POST", "/assets/create", text, asset, err);
    free(text);
    return rc;
}

static int post_no_body(mk_pieces *p, const char *path, mkc_error *err)
{
    mkc_response *r = NULL;
    int rc = call(p, "POST", path, NULL, &r, err);
    mkc_response_free(r);
    return rc;
}

int mk_pieces_asset_delete(mk_pieces *p, const char *id, mkc_error *err)
{
    char path[160];
    int rc = get_by_id(p, "/assets/", "/delete", id, path, sizeof path, err);
    return rc ? rc : post_no_body(p, path, err);
}

int mk_pieces_conversation_create(mk_pieces *p, const char *name, cJSON **conversation,
                                  mkc_error *err)
{
    if (!p)
        return mkc_error_set(err, MKC_EINVAL, NULL, "mk_pieces_conversation_create: NULL p");
    cJSON *body = cJSON_CreateObject();
    if (name)
        cJSON_AddStringToObject(body, "name", name);
    cJSON_AddStringToObject(body, "type", "COPILOT");
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    if (!text)
        return mkc_error_set(err, MKC_ENOMEM, NULL, "out of memory");
    int rc = call_json(p, "POST", "/conversations/create", text, conversation, err);
    free(text);
    return rc;
}

int mk_pieces_conversation_delete(mk_pieces *p, const char *id, mkc_error *err)
{
    char path[160];
    int rc = get_by_id(p, "/conversations/", "/delete", id, path, sizeof path, err);
    return rc ? rc : post_no_body(p, path, err);
}

int mk_pieces_sign_out(mk_pieces *p, mkc_error *err)
{
    if (!p)
        return mkc_error_set(err, MKC_EINVAL, NULL, "mk_pieces_sign_out: NULL p");
    return post_no_body(p, "/os/sign_out", err);
}
