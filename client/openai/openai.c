/* openai.c: POST /chat/completions, plain and streamed, on the client core.
 * Stream handling follows the SDKs (openai-python _streaming.py, openai-node
 * streaming.ts): data-only events, `[DONE]` ends, an {"error":...} event or
 * `event: error` is raised as an API error. */
#include "mockkit/openai.h"
#include "call.h"  /* mkc__call_json */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mockkit/cassette.h"

#define CHAT_PATH "/chat/completions"

struct mk_openai {
    mkc_http *http;
    char base_url[512];
};

mk_openai *mk_openai_new(const char *base_url, const char *api_key)
{
    if (!base_url || !*base_url || strlen(base_url) >= sizeof(((mk_openai *)0)->base_url))
        return NULL;
    mk_openai *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    snprintf(c->base_url, sizeof c->base_url, "%s", base_url);
    size_t n = strlen(c->base_url);
    if (n > 0 && c->base_url[n - 1] == '/')
        c->base_url[n - 1] = '\0';
    c->http = mkc_http_new(c->base_url);
    if (!c->http) {
        free(c);
        return NULL;
    }
    if (api_key && *api_key) {
        size_t len = strlen(api_key) + sizeof "Authorization: Bearer ";
        char *line = malloc(len);
        int rc = line ? MKC_OK : MKC_ENOMEM;
        if (line) {
            snprintf(line, len, "Authorization: Bearer %s", api_key);
            rc = mkc_http_add_header(c->http, line);
            free(line);
        }
        if (rc != MKC_OK) {
            mk_openai_free(c);
            return NULL;
        }
    }
    return c;
}

void mk_openai_free(mk_openai *c)
{
    if (!c)
        return;
    mkc_http_free(c->http);
    free(c);
}

mkc_http *mk_openai_http(mk_openai *c)
{
    return c ? c->http : NULL;
}

/* ---- errors -------------------------------------------------------------- */

/* snprintf that truncates quietly: messages may cut a long URL or body. */
static void put(char *dst, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, size, fmt, ap);
    va_end(ap);
}

static void fail(mkc_error *err, int code, long http_status, const char *url, const char *fmt,
                 const char *detail)
{
    if (!err)
        return;
    mkc_error_clear(err);
    err->code = code;
    err->http_status = http_status;
    put(err->url, sizeof err->url, "%s", url);
    char what[400];
    put(what, sizeof what, fmt, detail ? detail : "");
    put(err->message, sizeof err->message, "POST %s: %s", url, what);
}

static void field(const cJSON *obj, const char *key, char *dst, size_t size)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (cJSON_IsString(v) && v->valuestring)
        snprintf(dst, size, "%s", v->valuestring);
    else if (cJSON_IsNumber(v))
        snprintf(dst, size, "%g", v->valuedouble);
    else
        dst[0] = '\0';
}

/* The {"error":{...}} envelope's fields from a parsed body. */
static int parse_api_error(const cJSON *body, mk_openai_api_error *out)
{
    memset(out, 0, sizeof *out);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(body, "error");
    if (!cJSON_IsObject(e))
        return MKC_EJSON;
    field(e, "type", out->type, sizeof out->type);
    field(e, "code", out->code, sizeof out->code);
    field(e, "param", out->param, sizeof out->param);
    field(e, "message", out->message, sizeof out->message);
    return MKC_OK;
}

int mk_openai_error_parse(const mkc_error *err, mk_openai_api_error *out)
{
    if (!err || !out)
        return MKC_EINVAL;
    memset(out, 0, sizeof *out);
    if (!err->body)
        return MKC_EJSON;
    cJSON *body = mk_json_parse_bounded(err->body, err->body_len, NULL);
    int rc = parse_api_error(body, out);
    cJSON_Delete(body);
    return rc;
}

/* Rewrites err->message of an MKC_EHTTP error with the API's own words:
 * "POST <url>: HTTP 401 invalid_request_error (invalid_api_key): ...". */
static void describe_http_error(mkc_error *err)
{
    if (!err || err->code != MKC_EHTTP)
        return;
    mk_openai_api_error ae;
    char url[sizeof err->url];
    snprintf(url, sizeof url, "%s", err->url);
    if (mk_openai_error_parse(err, &ae) != MKC_OK) {
        put(err->message, sizeof err->message, "POST %s: HTTP %ld (no OpenAI error body)",
                 url, err->http_status);
        return;
    }
    put(err->message, sizeof err->message, "POST %s: HTTP %ld %s (%s): %s", url,
             err->http_status, ae.type[0] ? ae.type : "error", ae.code[0] ? ae.code : "no code",
             ae.message);
}

/* ---- plain --------------------------------------------------------------- */

static void describe_call(const mkc__call *call, mkc_error *err)
{
    (void)call;
    describe_http_error(err);
}

static int post(mk_openai *c, const char *body, cJSON **out, mkc_error *err)
{
    static const char *const headers[] = {"Accept: application/json", NULL};
    mkc__call call = {.service = "openai", .method = "POST", .path = CHAT_PATH,
                      .headers = headers, .content_type = "application/json", .body = body,
                      .body_len = strlen(body), .json_object = 1, .describe = describe_call};
    return mkc__call_json(c->http, &call, NULL, out, err);
}

int mk_openai_chat(mk_openai *c, const cJSON *request, cJSON **out, mkc_error *err)
{
    if (out)
        *out = NULL;
    if (!c || !cJSON_IsObject(request) || !out) {
        fail(err, MKC_EINVAL, 0, c ? c->base_url : "", "request must be a JSON object%s", NULL);
        return MKC_EINVAL;
    }
    char *body = cJSON_PrintUnformatted(request);
    if (!body)
        return MKC_ENOMEM;
    int rc = post(c, body, out, err);
    cJSON_free(body);
    return rc;
}

int mk_openai_chat_str(mk_openai *c, const char *request_json, cJSON **out, mkc_error *err)
{
    /* bounded too: the text may come from a file or a user the caller relays */
    int too_deep = 0;
    cJSON *req = request_json ? mk_json_parse_bounded(request_json, strlen(request_json), &too_deep)
                              : NULL;
    if (!req) {
        if (out)
            *out = NULL;
        fail(err, MKC_EINVAL, 0, c ? c->base_url : "", "request is not valid JSON%s",
             too_deep ? " (nests deeper than MK_JSON_MAX_DEPTH)" : NULL);
        return MKC_EINVAL;
    }
    int rc = mk_openai_chat(c, req, out, err);
    cJSON_Delete(req);
    return rc;
}

/* ---- streaming ----------------------------------------------------------- */

typedef struct stream_state {
    mk_openai_chunk_cb on_chunk;
    void *user;
    int done;            /* [DONE] seen */
    int failed;          /* an error event or bad JSON stopped the stream */
    int stopped;         /* the callback asked to stop */
    const char *url;
    uint64_t events;
    mkc_error own;       /* the failure, kept apart until the core returns */
} stream_state;

/* An SDK raises an error for a data-only event whose JSON has a truthy
 * "error", and for any `event: error`. */
static void stream_error(stream_state *st, const cJSON *data, const char *raw, size_t raw_len)
{
    st->failed = MKC_EHTTP;
    mk_openai_api_error ae;
    memset(&ae, 0, sizeof ae);
    const char *msg = "An error occurred during streaming";
    if (parse_api_error(data, &ae) == MKC_OK && ae.message[0])
        msg = ae.message;
    else if (cJSON_IsObject(data) && cJSON_IsString(cJSON_GetObjectItem(data, "message")))
        msg = cJSON_GetObjectItem(data, "message")->valuestring;
    fail(&st->own, MKC_EHTTP, 200, st->url, "error event in stream: %s", msg);
    char *copy = malloc(raw_len + 1);
    if (copy) {
        memcpy(copy, raw, raw_len);
        copy[raw_len] = '\0';
        st->own.body = copy;
        st->own.body_len = raw_len;
    }
}

/* Python truthiness, as openai-python tests `data.get("error")`. */
static int truthy(const cJSON *v)
{
    if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v))
        return 0;
    if (cJSON_IsString(v))
        return v->valuestring && v->valuestring[0] != '\0';
    if (cJSON_IsNumber(v))
        return v->valuedouble != 0;
    if (cJSON_IsArray(v) || cJSON_IsObject(v))
        return v->child != NULL;
    return 1;
}

static int on_event(void *user, const mkc_sse_event *ev)
{
    stream_state *st = user;
    st->events++;
    if (st->done)
        return 0;   /* the SDKs ignore whatever follows [DONE] */
    int named_error = ev->type_len == 5 && memcmp(ev->type, "error", 5) == 0;
    if (!named_error && ev->data_len >= 6 && memcmp(ev->data, "[DONE]", 6) == 0) {
        st->done = 1;
        return 0;
    }
    cJSON *data = mk_json_parse_bounded(ev->data, ev->data_len, NULL);
    if (named_error || (cJSON_IsObject(data) && truthy(cJSON_GetObjectItem(data, "error")))) {
        stream_error(st, data, ev->data, ev->data_len);
        cJSON_Delete(data);
        return 1;
    }
    if (!cJSON_IsObject(data)) {
        cJSON_Delete(data);
        st->failed = MKC_EJSON;
        char where[96];
        snprintf(where, sizeof where, "event %llu is not a JSON object",
                 (unsigned long long)st->events);
        fail(&st->own, MKC_EJSON, 200, st->url, "%s", where);
        return 1;
    }
    int stop = st->on_chunk ? st->on_chunk(st->user, data) : 0;
    cJSON_Delete(data);
    if (stop) {
        st->stopped = 1;
        return 1;
    }
    return 0;
}

int mk_openai_chat_stream(mk_openai *c, const cJSON *request, mk_openai_chunk_cb on_chunk,
                          void *user, mkc_error *err)
{
    if (!c || !cJSON_IsObject(request)) {
        fail(err, MKC_EINVAL, 0, c ? c->base_url : "", "request must be a JSON object%s", NULL);
        return MKC_EINVAL;
    }
    cJSON *req = cJSON_Duplicate(request, 1);
    if (!req)
        return MKC_ENOMEM;
    cJSON_DeleteItemFromObjectCaseSensitive(req, "stream");
    cJSON_AddTrueToObject(req, "stream");
    char *body = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    if (!body)
        return MKC_ENOMEM;

    char url[600];
    snprintf(url, sizeof url, "%s%s", c->base_url, CHAT_PATH);
    stream_state st = {.on_chunk = on_chunk, .user = user, .url = url};
    mkc_sse_options o;
    memset(&o, 0, sizeof o);
    o.method = "POST";
    o.content_type = "application/json";
    o.body = body;
    o.body_len = strlen(body);
    int rc = mkc_sse_stream(c->http, CHAT_PATH, &o, on_event, &st, NULL, err);
    cJSON_free(body);

    if (st.failed) {
        /* The core reported MKC_EABORTED; the event's own error is the news. */
        if (err) {
            mkc_error_clear(err);
            *err = st.own;
        } else {
            mkc_error_clear(&st.own);
        }
        return st.failed;
    }
    if (rc == MKC_EHTTP) {
        describe_http_error(err);
        return rc;
    }
    if (rc == MKC_EABORTED && st.stopped)
        return MKC_EABORTED;
    if (rc != MKC_OK && rc != MKC_ETRUNCATED)
        return rc;
    if (!st.done) {
        fail(err, MKC_ETRUNCATED, 200, url, "stream ended without data: [DONE]%s", NULL);
        return MKC_ETRUNCATED;
    }
    if (err)
        mkc_error_clear(err);
    return MKC_OK;
}

int mk_openai_chat_stream_str(mk_openai *c, const char *request_json,
                              mk_openai_chunk_cb on_chunk, void *user, mkc_error *err)
{
    /* bounded too: the text may come from a file or a user the caller relays */
    int too_deep = 0;
    cJSON *req = request_json ? mk_json_parse_bounded(request_json, strlen(request_json), &too_deep)
                              : NULL;
    if (!req) {
        fail(err, MKC_EINVAL, 0, c ? c->base_url : "", "request is not valid JSON%s",
             too_deep ? " (nests deeper than MK_JSON_MAX_DEPTH)" : NULL);
        return MKC_EINVAL;
    }
    int rc = mk_openai_chat_stream(c, req, on_chunk, user, err);
    cJSON_Delete(req);
    return rc;
}
