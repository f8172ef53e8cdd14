/* bee.c: the Bee API client (see mockkit/bee.h). REST calls go through one
 * reused mkc_http; run streams through mkc_sse_stream, parsing each event's
 * data as JSON before handing it to the caller. */
#include "mockkit/bee.h"
#include "call.h"  /* mkc__call_json */
#include "kit.h"  /* mkc__strdup, monotonic deadlines */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include "mockkit/cassette.h"

struct mk_bee {
    mkc_http *http;
    mkc_http *observe;   /* created on first use: /observe/v1 beside /v1 */
    char *base_url;      /* without trailing slash */
    char *auth_line;     /* "Authorization: Bearer …" or NULL */
    long timeout_ms;
};

/* ---- small helpers ------------------------------------------------------- */

/* Bounded copy that always terminates (truncation is fine for messages). */
static void copy_str(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Moves a local error into the caller's (which is zeroed or was filled by
 * mockkit before), or drops it when the caller passed NULL. */
static int hand_over(mkc_error *dst, mkc_error *src, int rc)
{
    if (dst) {
        mkc_error_clear(dst);
        *dst = *src;
    } else {
        mkc_error_clear(src);
    }
    return rc;
}

/* vsnprintf into buf; 0 when it fit, -1 when truncated (paths must fit). */
__attribute__((format(printf, 3, 4))) static int fmt(char *buf, size_t size,
                                                     const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(buf, size, format, ap);
    va_end(ap);
    return (n < 0 || (size_t)n >= size) ? -1 : 0;
}

const char *mk_bee_error_code(const mkc_error *err, char *buf, size_t size)
{
    if (!buf || size == 0)
        return buf;
    buf[0] = '\0';
    if (!err || !err->body)
        return buf;
    cJSON *root = mk_json_parse_bounded(err->body, err->body_len, NULL);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
    if (cJSON_IsString(code))
        copy_str(buf, size, code->valuestring);
    cJSON_Delete(root);
    return buf;
}

/* The message of a non-2xx answer (e has status, URL and body), from
 * Bee's {"error":{"code","message"}} envelope. */
static void describe(const char *method, mkc_error *e)
{
    char code[64];
    const char *msg = NULL;
    cJSON *root = e->body ? mk_json_parse_bounded(e->body, e->body_len, NULL) : NULL;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(root, "error"), "message");
    if (cJSON_IsString(m))
        msg = m->valuestring;
    mk_bee_error_code(e, code, sizeof code);
    char url[sizeof e->url];
    copy_str(url, sizeof url, e->url);
    snprintf(e->message, sizeof e->message, "bee: %ld %s: %s [%s %.200s]", e->http_status,
             code[0] ? code : "unknown_error", msg ? msg : "(no Bee error envelope)", method, url);
    cJSON_Delete(root);
}

static void describe_call(const mkc__call *c, mkc_error *e)
{
    describe(c->method, e);
}

/* Fills e for a non-2xx answer the core helper did not see (streams,
 * uploads): status, body, and describe's message. */
static int http_error(mkc_error *e, long status, const char *method, const char *url,
                      const char *body, size_t body_len)
{
    e->code = MKC_EHTTP;
    e->http_status = status;
    copy_str(e->url, sizeof e->url, url);
    if (body != e->body) {
        free(e->body);
        e->body = NULL;
        e->body_len = 0;
        if (body) {
            e->body = malloc(body_len + 1);
            if (e->body) {
                memcpy(e->body, body, body_len);
                e->body[body_len] = '\0';
                e->body_len = body_len;
            }
        }
    }
    describe(method, e);
    return MKC_EHTTP;
}

/* Parses a 2xx response or turns it into an error. Consumes resp. */
static int finish(mkc_response *resp, const char *method, const char *url, cJSON **out,
                  mkc_error *e)
{
    int rc = MKC_OK;
    if (resp->status < 200 || resp->status > 299) {
        rc = http_error(e, resp->status, method, url, resp->body, resp->body_len);
    } else if (out) {
        *out = mk_json_parse_bounded(resp->body ? resp->body : "", resp->body_len, NULL);
        if (!*out)
            rc = mkc_error_set(e, MKC_EJSON, url, "bee: %ld response is not JSON (%zu bytes) [%s %s]",
                      resp->status, resp->body_len, method, url);
    }
    mkc_response_free(resp);
    return rc;
}

static void full_url(const char *base, const char *path, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", base, path);
}

/* One JSON call on h (the API's handle, or the observe one) through the
 * core's helper, with Bee's error envelope in the message. */
static int call_on(mk_bee *b, mkc_http *h, const char *base, const char *method,
                   const char *path, const cJSON *body, cJSON **out, mkc_error *err)
{
    if (out)
        *out = NULL;
    char *text = NULL;
    if (body && !(text = cJSON_PrintUnformatted(body))) {
        char url[1024];
        full_url(base, path, url, sizeof url);
        mkc_error_clear(err);
        return mkc_error_set(err, MKC_ENOMEM, url, "bee: out of memory");
    }
    mkc_http_set_timeout(h, b->timeout_ms);
    mkc__call c = {.service = "bee", .method = method, .path = path,
                   .content_type = text ? "application/json" : NULL, .body = text,
                   .body_len = text ? strlen(text) : 0, .describe = describe_call};
    int rc = mkc__call_json(h, &c, NULL, out, err);
    free(text);
    return rc;
}

static int call(mk_bee *b, const char *method, const char *path, const cJSON *body, cJSON **out,
                mkc_error *err)
{
    if (!b || !method || !path)
        return MKC_EINVAL;
    return call_on(b, b->http, b->base_url, method, path, body, out, err);
}

/* Appends "name=escaped" to a query string being built in buf. */
static void add_param(char *buf, size_t size, const char *name, const char *value)
{
    char *esc = curl_easy_escape(NULL, value, 0);
    size_t n = strlen(buf);
    snprintf(buf + n, size - n, "%c%s=%s", strchr(buf, '?') ? '&' : '?', name,
             esc ? esc : value);
    curl_free(esc);
}

/* path + the page's query parameters. */
static void paged(char *buf, size_t size, const char *path, const mk_bee_page *page)
{
    copy_str(buf, size, path);
    if (!page)
        return;
    if (page->limit > 0) {
        char n[16];
        fmt(n, sizeof n, "%d", page->limit);
        add_param(buf, size, "limit", n);
    }
    if (page->after)
        add_param(buf, size, "after", page->after);
    if (page->before)
        add_param(buf, size, "before", page->before);
    if (page->order)
        add_param(buf, size, "order", page->order);
}

/* Ids go into paths: refuse anything that could change the path. */
static int bad_id(const char *id)
{
    return !id || !*id || strpbrk(id, "/?#% ") != NULL || strlen(id) > 200;
}

/* ---- lifecycle ------------------------------------------------------------ */

mk_bee *mk_bee_new(const char *base_url, const char *api_key)
{
    if (!base_url || !*base_url)
        return NULL;
    mk_bee *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->timeout_ms = 30000;
    b->base_url = mkc__strdup(base_url);
    if (!b->base_url)
        goto oom;
    size_t n = strlen(b->base_url);
    if (n > 0 && b->base_url[n - 1] == '/')
        b->base_url[n - 1] = '\0';
    b->http = mkc_http_new(b->base_url);
    if (!b->http)
        goto oom;
    if (api_key && *api_key) {
        size_t len = strlen(api_key) + 32;
        b->auth_line = malloc(len);
        if (!b->auth_line)
            goto oom;
        snprintf(b->auth_line, len, "Authorization: Bearer %s", api_key);
        if (mkc_http_add_header(b->http, b->auth_line) != MKC_OK)
            goto oom;
    }
    return b;
oom:
    mk_bee_free(b);
    return NULL;
}

void mk_bee_free(mk_bee *b)
{
    if (!b)
        return;
    mkc_http_free(b->http);
    mkc_http_free(b->observe);
    free(b->base_url);
    free(b->auth_line);
    free(b);
}

void mk_bee_set_timeout(mk_bee *b, long ms)
{
    if (b && ms > 0)
        b->timeout_ms = ms;
}

int mk_bee_request(mk_bee *b, const char *method, const char *path, const cJSON *body,
                   cJSON **out, mkc_error *err)
{
    return call(b, method, path, body, out, err);
}

/* ---- assistants, threads, messages ----------------------------------------- */

int mk_bee_assistant_create(mk_bee *b, const cJSON *params, cJSON **out, mkc_error *err)
{
    return call(b, "POST", "/assistants", params, out, err);
}

int mk_bee_assistant_retrieve(mk_bee *b, const char *assistant_id, cJSON **out, mkc_error *err)
{
    if (bad_id(assistant_id))
        return MKC_EINVAL;
    char path[256];
    fmt(path, sizeof path, "/assistants/%s", assistant_id);
    return call(b, "GET", path, NULL, out, err);
}

int mk_bee_assistant_list(mk_bee *b, const mk_bee_page *page, cJSON **out, mkc_error *err)
{
    char path[1024];
    paged(path, sizeof path, "/assistants", page);
    return call(b, "GET", path, NULL, out, err);
}

int mk_bee_thread_create(mk_bee *b, const cJSON *params, cJSON **out, mkc_error *err)
{
    cJSON *empty = NULL;
    if (!params) {
        empty = cJSON_CreateObject();
        if (!empty)
            return MKC_ENOMEM;
    }
    int rc = call(b, "POST", "/threads", params ? params : empty, out, err);
    cJSON_Delete(empty);
    return rc;
}

int mk_bee_thread_retrieve(mk_bee *b, const char *thread_id, cJSON **out, mkc_error *err)
{
    if (bad_id(thread_id))
        return MKC_EINVAL;
    char path[256];
    fmt(path, sizeof path, "/threads/%s", thread_id);
    return call(b, "GET", path, NULL, out, err);
}

int mk_bee_message_create(mk_bee *b, const char *thread_id, const char *role,
                          const char *content, cJSON **out, mkc_error *err)
{
    if (bad_id(thread_id) || !role || !content)
        return MKC_EINVAL;
    cJSON *body = cJSON_CreateObject();
    if (!body || !cJSON_AddStringToObject(body, "role", role) ||
        !cJSON_AddStringToObject(body, "content", content)) {
        cJSON_Delete(body);
        return MKC_ENOMEM;
    }
    char path[256];
    fmt(path, sizeof path, "/threads/%s/messages", thread_id);
    int rc = call(b, "POST", path, body, out, err);
    cJSON_Delete(body);
    return rc;
}

int mk_bee_message_list(mk_bee *b, const char *thread_id, const mk_bee_page *page, cJSON **out,
                        mkc_error *err)
{
    if (bad_id(thread_id))
        return MKC_EINVAL;
    char base[256], path[1024];
    fmt(base, sizeof base, "/threads/%s/messages", thread_id);
    paged(path, sizeof path, base, page);
    return call(b, "GET", path, NULL, out, err);
}

/* ---- runs ---------------------------------------------------------------- */

static int run_path(char *buf, size_t size, const char *thread_id, const char *run_id,
                    const char *tail)
{
    if (bad_id(thread_id) || (run_id && bad_id(run_id)))
        return MKC_EINVAL;
    int rc = run_id ? fmt(buf, size, "/threads/%s/runs/%s%s", thread_id, run_id, tail ? tail : "")
                    : fmt(buf, size, "/threads/%s/runs", thread_id);
    return rc == 0 ? MKC_OK : MKC_EINVAL;
}

int mk_bee_run_create(mk_bee *b, const char *thread_id, const cJSON *params, cJSON **out,
                      mkc_error *err)
{
    char path[256];
    if (!params || cJSON_HasObjectItem(params, "stream") ||
        run_path(path, sizeof path, thread_id, NULL, NULL) != MKC_OK)
        return MKC_EINVAL;
    return call(b, "POST", path, params, out, err);
}

int mk_bee_run_retrieve(mk_bee *b, const char *thread_id, const char *run_id, cJSON **out,
                        mkc_error *err)
{
    char path[256];
    if (run_path(path, sizeof path, thread_id, run_id, NULL) != MKC_OK)
        return MKC_EINVAL;
    return call(b, "GET", path, NULL, out, err);
}

int mk_bee_run_cancel(mk_bee *b, const char *thread_id, const char *run_id, cJSON **out,
                      mkc_error *err)
{
    char path[256];
    if (run_path(path, sizeof path, thread_id, run_id, "/cancel") != MKC_OK)
        return MKC_EINVAL;
    return call(b, "POST", path, NULL, out, err);
}

int mk_bee_run_status_is_terminal(const char *status)
{
    static const char *const terminal[] = {"requires_action", "cancelled", "completed",
                                           "failed", "expired", "incomplete"};
    if (!status)
        return 0;
    for (size_t i = 0; i < sizeof terminal / sizeof terminal[0]; i++)
        if (strcmp(status, terminal[i]) == 0)
            return 1;
    return 0;
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

int mk_bee_run_poll(mk_bee *b, const char *thread_id, const char *run_id,
                    const mk_bee_poll_options *opts, cJSON **out, mkc_error *err)
{
    if (!b || !out)
        return MKC_EINVAL;
    *out = NULL;
    long interval = opts && opts->interval_ms > 0 ? opts->interval_ms : 1000;
    long timeout = opts && opts->timeout_ms > 0 ? opts->timeout_ms : 120000;
    int64_t deadline = mkc__now_ms() + timeout;
    for (;;) {
        cJSON *run = NULL;
        int rc = mk_bee_run_retrieve(b, thread_id, run_id, &run, err);
        if (rc != MKC_OK)
            return rc;
        if (opts && opts->on_run)
            opts->on_run(opts->user, run);
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(run, "status");
        const char *status = cJSON_IsString(st) ? st->valuestring : NULL;
        if (!status) {
            cJSON_Delete(run);
            mkc_error e;
            memset(&e, 0, sizeof e);
            mkc_error_set(&e, MKC_EJSON, b->base_url, "bee: run %s has no status", run_id);
            return hand_over(err, &e, MKC_EJSON);
        }
        if (mk_bee_run_status_is_terminal(status) ||
            (opts && opts->stop_at && strcmp(status, opts->stop_at) == 0)) {
            *out = run;
            return MKC_OK;
        }
        cJSON_Delete(run);
        int64_t left = deadline - mkc__now_ms();
        if (left <= 0) {
            mkc_error e;
            memset(&e, 0, sizeof e);
            mkc_error_set(&e, MKC_ETIMEOUT, b->base_url, "bee: run %s still not terminal when the poll "
                 "deadline passed", run_id);
            return hand_over(err, &e, MKC_ETIMEOUT);
        }
        pause_ms(interval < left ? interval : left);
    }
}

/* ---- streams ------------------------------------------------------------- */

typedef struct stream_ctx {
    mk_bee_event_cb cb;
    void *user;
    int done;          /* saw `done` */
    int stopped;       /* the caller's callback asked to stop */
    int json_error;    /* an event's data was not JSON */
    char bad_event[128];
} stream_ctx;

static int on_sse(void *user, const mkc_sse_event *ev)
{
    stream_ctx *c = user;
    char name[128];
    size_t n = ev->type_len < sizeof name - 1 ? ev->type_len : sizeof name - 1;
    memcpy(name, ev->type, n);
    name[n] = '\0';
    cJSON *data = mk_json_parse_bounded(ev->data, ev->data_len, NULL);
    if (!data) {
        c->json_error = 1;
        copy_str(c->bad_event, sizeof c->bad_event, name);
        return 1;
    }
    int stop = c->cb ? c->cb(c->user, name, data) : 0;
    cJSON_Delete(data);
    if (stop) {
        c->stopped = 1;
        return 1;
    }
    if (strcmp(name, "done") == 0) {
        c->done = 1;  /* Bee closes after done; stop reading at once */
        return 1;
    }
    return 0;
}

static int stream_post(mk_bee *b, const char *path, const cJSON *body,
                       const mk_bee_stream_options *opts, mk_bee_event_cb cb, void *user,
                       mkc_error *err)
{
    mkc_error e;
    memset(&e, 0, sizeof e);
    char url[1024];
    full_url(b->base_url, path, url, sizeof url);
    char *text = cJSON_PrintUnformatted(body);
    if (!text)
        return hand_over(err, &e, mkc_error_set(&e, MKC_ENOMEM, url, "bee: out of memory"));
    mkc_sse_options o;
    memset(&o, 0, sizeof o);
    o.method = "POST";
    o.content_type = "application/json";
    o.body = text;
    o.body_len = strlen(text);
    o.idle_timeout_ms = opts && opts->idle_timeout_ms > 0 ? opts->idle_timeout_ms : 120000;
    stream_ctx c;
    memset(&c, 0, sizeof c);
    c.cb = cb;
    c.user = user;
    int rc = mkc_sse_stream(b->http, path, &o, on_sse, &c, NULL, &e);
    free(text);
    if (c.done) {
        mkc_error_clear(&e);
        return hand_over(err, &e, MKC_OK);
    }
    if (c.stopped) {
        mkc_error_clear(&e);
        return hand_over(err, &e, mkc_error_set(&e, MKC_EABORTED, url, "bee: stream stopped by the caller"));
    }
    if (c.json_error) {
        mkc_error_clear(&e);
        mkc_error_set(&e, MKC_EJSON, url, "bee: event %s: data is not JSON", c.bad_event);
        size_t m = strlen(e.message);
        snprintf(e.message + m, sizeof e.message - m, " [POST %s]", url);
        return hand_over(err, &e, MKC_EJSON);
    }
    if (rc == MKC_EHTTP)
        rc = http_error(&e, e.http_status, "POST", url, e.body, e.body_len);
    else if (rc == MKC_OK || rc == MKC_ETRUNCATED) {
        mkc_error_clear(&e);
        rc = mkc_error_set(&e, MKC_ETRUNCATED, url, "bee: stream ended without a done event [POST %s]",
                  url);
    }
    return hand_over(err, &e, rc);
}

/* params + "stream":true, as a new object. */
static cJSON *with_stream(const cJSON *params)
{
    cJSON *body = params ? cJSON_Duplicate(params, 1) : cJSON_CreateObject();
    if (!body)
        return NULL;
    cJSON_DeleteItemFromObjectCaseSensitive(body, "stream");
    if (!cJSON_AddTrueToObject(body, "stream")) {
        cJSON_Delete(body);
        return NULL;
    }
    return body;
}

int mk_bee_run_stream(mk_bee *b, const char *thread_id, const cJSON *params,
                      const mk_bee_stream_options *opts, mk_bee_event_cb cb, void *user,
                      mkc_error *err)
{
    char path[256];
    if (!b || !params || run_path(path, sizeof path, thread_id, NULL, NULL) != MKC_OK)
        return MKC_EINVAL;
    cJSON *body = with_stream(params);
    if (!body)
        return MKC_ENOMEM;
    int rc = stream_post(b, path, body, opts, cb, user, err);
    cJSON_Delete(body);
    return rc;
}

static cJSON *outputs_body(const cJSON *tool_outputs, int stream)
{
    cJSON *body = cJSON_CreateObject();
    cJSON *copy = cJSON_Duplicate(tool_outputs, 1);
    if (!body || !copy) {
        cJSON_Delete(body);
        cJSON_Delete(copy);
        return NULL;
    }
    cJSON_AddItemToObject(body, "tool_outputs", copy);
    if (stream && !cJSON_AddTrueToObject(body, "stream")) {
        cJSON_Delete(body);
        return NULL;
    }
    return body;
}

int mk_bee_run_submit_tool_outputs(mk_bee *b, const char *thread_id, const char *run_id,
                                   const cJSON *tool_outputs, cJSON **out, mkc_error *err)
{
    char path[256];
    if (!cJSON_IsArray(tool_outputs) ||
        run_path(path, sizeof path, thread_id, run_id, "/submit_tool_outputs") != MKC_OK)
        return MKC_EINVAL;
    cJSON *body = outputs_body(tool_outputs, 0);
    if (!body)
        return MKC_ENOMEM;
    int rc = call(b, "POST", path, body, out, err);
    cJSON_Delete(body);
    return rc;
}

int mk_bee_run_submit_tool_outputs_stream(mk_bee *b, const char *thread_id, const char *run_id,
                                          const cJSON *tool_outputs,
                                          const mk_bee_stream_options *opts, mk_bee_event_cb cb,
                                          void *user, mkc_error *err)
{
    char path[256];
    if (!b || !cJSON_IsArray(tool_outputs) ||
        run_path(path, sizeof path, thread_id, run_id, "/submit_tool_outputs") != MKC_OK)
        return MKC_EINVAL;
    cJSON *body = outputs_body(tool_outputs, 1);
    if (!body)
        return MKC_ENOMEM;
    int rc = stream_post(b, path, body, opts, cb, user, err);
    cJSON_Delete(body);
    return rc;
}

int mk_bee_run_steps_list(mk_bee *b, const char *thread_id, const char *run_id,
                          const mk_bee_page *page, cJSON **out, mkc_error *err)
{
    char base[256], path[1024];
    if (run_path(base, sizeof base, thread_id, run_id, "/steps") != MKC_OK)
        return MKC_EINVAL;
    paged(path, sizeof path, base, page);
    return call(b, "GET", path, NULL, out, err);
}

int mk_bee_run_trace(mk_bee *b, const char *thread_id, const char *run_id, cJSON **out,
                     mkc_error *err)
{
    char path[256];
    if (run_path(path, sizeof path, thread_id, run_id, "/trace") != MKC_OK)
        return MKC_EINVAL;
    return call(b, "GET", path, NULL, out, err);
}

int mk_bee_observe_trace(mk_bee *b, const char *trace_id, int include_tree, cJSON **out,
                         mkc_error *err)
{
    if (!b || bad_id(trace_id))
        return MKC_EINVAL;
    /* The observe proxy is /observe/v1 on the same host: replace a trailing /v1. */
    char root[600];
    copy_str(root, sizeof root, b->base_url);
    size_t n = strlen(root);
    if (n >= 3 && strcmp(root + n - 3, "/v1") == 0)
        root[n - 3] = '\0';
    char base[700];
    fmt(base, sizeof base, "%s/observe/v1", root);
    if (!b->observe) {
        b->observe = mkc_http_new(base);
        if (!b->observe || (b->auth_line && mkc_http_add_header(b->observe, b->auth_line))) {
            mkc_http_free(b->observe);
            b->observe = NULL;
            return MKC_ENOMEM;
        }
    }
    char path[300];
    fmt(path, sizeof path, "/traces/%s?include_tree=%s", trace_id,
             include_tree ? "true" : "false");
    return call_on(b, b->observe, base, "GET", path, NULL, out, err);
}

/* ---- files, vector stores, tools -------------------------------------------- */

int mk_bee_file_upload(mk_bee *b, const char *filename, const void *data, size_t len,
                       const char *content_type, const char *purpose, cJSON **out,
                       mkc_error *err)
{
    if (!b || !filename || (!data && len) || !out)
        return MKC_EINVAL;
    *out = NULL;
    mkc_form_field fields[2];
    memset(fields, 0, sizeof fields);
    fields[0].name = "purpose";
    fields[0].value = purpose ? purpose : "assistants";
    fields[1].name = "file";
    fields[1].data = data ? data : "";
    fields[1].data_len = len;
    fields[1].filename = filename;
    fields[1].content_type = content_type ? content_type : "application/octet-stream";
    mkc_error e;
    memset(&e, 0, sizeof e);
    char url[1024];
    full_url(b->base_url, "/files", url, sizeof url);
    mkc_http_set_timeout(b->http, b->timeout_ms);
    mkc_response *resp = NULL;
    int rc = mkc_http_post_multipart(b->http, "/files", fields, 2, &resp, &e);
    if (rc != MKC_OK)
        return hand_over(err, &e, rc);
    return hand_over(err, &e, finish(resp, "POST", url, out, &e));
}

int mk_bee_file_content(mk_bee *b, const char *file_id, char **data, size_t *len,
                        mkc_error *err)
{
    if (!b || bad_id(file_id) || !data || !len)
        return MKC_EINVAL;
    *data = NULL;
    *len = 0;
    char path[256];
    fmt(path, sizeof path, "/files/%s/content", file_id);
    mkc_http_set_timeout(b->http, b->timeout_ms);
    mkc__call c = {.service = "bee", .method = "GET", .path = path, .describe = describe_call};
    mkc_response *resp = NULL;
    int rc = mkc__call_json(b->http, &c, &resp, NULL, err);  /* the bytes, not JSON */
    if (rc != MKC_OK)
        return rc;
    *data = malloc(resp->body_len + 1);
    if (*data) {
        if (resp->body_len)
            memcpy(*data, resp->body, resp->body_len);
        (*data)[resp->body_len] = '\0';
        *len = resp->body_len;
    } else {
        char url[1024];
        full_url(b->base_url, path, url, sizeof url);
        rc = mkc_error_set(err, MKC_ENOMEM, url, "bee: out of memory");
    }
    mkc_response_free(resp);
    return rc;
}

int mk_bee_vector_store_create(mk_bee *b, const cJSON *params, cJSON **out, mkc_error *err)
{
    return call(b, "POST", "/vector_stores", params, out, err);
}

int mk_bee_vector_store_file_add(mk_bee *b, const char *vector_store_id, const char *file_id,
                                 cJSON **out, mkc_error *err)
{
    if (bad_id(vector_store_id) || bad_id(file_id))
        return MKC_EINVAL;
    cJSON *body = cJSON_CreateObject();
    if (!body || !cJSON_AddStringToObject(body, "file_id", file_id)) {
        cJSON_Delete(body);
        return MKC_ENOMEM;
    }
    char path[256];
    fmt(path, sizeof path, "/vector_stores/%s/files", vector_store_id);
    int rc = call(b, "POST", path, body, out, err);
    cJSON_Delete(body);
    return rc;
}

int mk_bee_tool_list(mk_bee *b, const mk_bee_page *page, cJSON **out, mkc_error *err)
{
    char path[1024];
    paged(path, sizeof path, "/tools", page);
    return call(b, "GET", path, NULL, out, err);
}

int mk_bee_tool_create(mk_bee *b, const cJSON *params, cJSON **out, mkc_error *err)
{
    if (!params)
        return MKC_EINVAL;
    return call(b, "POST", "/tools", params, out, err);
}
