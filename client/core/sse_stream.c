/* sse_stream.c: an SSE stream over libcurl, fed to the push parser as each
 * chunk arrives. Status and content type are checked before any byte is
 * parsed, so an error page is never mistaken for events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "internal.h"

typedef struct stream_ctx {
    CURL *curl;
    const char *url;
    mkc_sse_parser *parser;
    int checked;        /* status and content type looked at */
    int status_error;   /* non-200: collecting the body for the error */
    int type_error;     /* 200 with a content type that is not SSE */
    int parse_status;   /* parser's error, or MKC_EABORTED from the callback */
    const mkc_sse_options *opts;
    void *user;
    int opened;         /* on_open called */
    int stopped;        /* opts->stop was seen set */
    long idle_ms;       /* 0 = no idle timeout */
    long long last_byte_ms;  /* monotonic time of the last body byte */
    int idle_expired;
    char content_type[256];
    mkc__buf error_body;
    mkc_response headers;  /* for the header callback */
} stream_ctx;

/* Essence "text/event-stream", case-insensitive, parameters ignored. */
static int is_event_stream(const char *ct)
{
    if (!ct)
        return 0;
    while (*ct == ' ')
        ct++;
    size_t n = strlen("text/event-stream");
    if (strncasecmp(ct, "text/event-stream", n) != 0)
        return 0;
    const char *rest = ct + n;
    while (*rest == ' ')
        rest++;
    return *rest == '\0' || *rest == ';';
}

static void check_response(stream_ctx *s)
{
    if (s->checked)
        return;
    s->checked = 1;
    long status = 0;
    char *ct = NULL;
    curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(s->curl, CURLINFO_CONTENT_TYPE, &ct);
    snprintf(s->content_type, sizeof s->content_type, "%s", ct ? ct : "");
    if (status != 200)
        s->status_error = 1;
    else if (!is_event_stream(ct))
        s->type_error = 1;
}

/* Idle timeout. CURLOPT_LOW_SPEED_TIME averages over curl's ~5 s speed
 * window, so after a burst of events it fired 6-8 s into a silence instead
 * of after idle_timeout_ms; this looks at the time since the last byte.
 * libcurl calls it at least once a second, so it fires within about 1 s
 * past the deadline. */
static int progress_cb(void *user, curl_off_t dlt, curl_off_t dln, curl_off_t ult, curl_off_t uln)
{
    (void)dlt;
    (void)dln;
    (void)ult;
    (void)uln;
    stream_ctx *s = user;
    if (s->opts->stop && atomic_load(s->opts->stop)) {
        s->stopped = 1;
        return 1;
    }
    if (s->idle_ms > 0 && mkc__now_ms() - s->last_byte_ms >= s->idle_ms) {
        s->idle_expired = 1;
        return 1;  /* aborts the transfer */
    }
    return 0;
}

/* Collects the headers, hands each to on_header, and at the end of the
 * final header block decides whether this is an event stream (on_open). */
static size_t header_cb(char *data, size_t size, size_t n, void *user)
{
    stream_ctx *s = user;
    size_t len = size * n;
    if (mkc__header_cb(data, size, n, &s->headers) != len)
        return 0;
    size_t keep = len;
    while (keep > 0 && (data[keep - 1] == '\r' || data[keep - 1] == '\n'))
        keep--;
    if (keep == 0) {
        long status = 0;
        curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 200) {  /* not a 1xx interim answer */
            check_response(s);
            if (!s->status_error && !s->type_error && !s->opened && s->opts->on_open) {
                s->opened = 1;
                s->opts->on_open(s->user);
            }
        }
    } else if (s->opts->on_header && !(keep >= 5 && strncmp(data, "HTTP/", 5) == 0)) {
        char *line = strndup(data, keep);
        if (!line)
            return 0;
        s->opts->on_header(s->user, line);
        free(line);
    }
    return len;
}

static size_t write_cb(char *data, size_t size, size_t n, void *user)
{
    stream_ctx *s = user;
    size_t len = size * n;
    if (s->opts->stop && atomic_load(s->opts->stop)) {
        s->stopped = 1;
        return 0;
    }
    s->last_byte_ms = mkc__now_ms();
    check_response(s);
    if (s->status_error) {
        /* Keep up to 64 KiB of the error body for the caller. */
        if (s->error_body.len < 65536)
            mkc__buf_append(&s->error_body, data, len);
        return len;
    }
    if (s->type_error)
        return 0;
    int rc = mkc_sse_parser_feed(s->parser, data, len);
    if (rc != MKC_OK) {
        s->parse_status = rc;
        return 0;  /* aborts the transfer */
    }
    return len;
}

int mkc_sse_stream(mkc_http *h, const char *url, const mkc_sse_options *opts,
                   mkc_sse_event_cb on_event, void *user, char **last_id, mkc_error *err)
{
    if (last_id)
        *last_id = NULL;
    if (!h || !on_event)
        return mkc_error_set(err, MKC_EINVAL, url, "mkc_sse_stream: NULL %s", h ? "callback" : "handle");
    mkc_sse_options none = {0};
    if (!opts)
        opts = &none;

    /* Extra headers: the caller's, then what an EventSource sends. */
    const char *headers[64];
    size_t nh = 0;
    for (size_t i = 0; opts->headers && opts->headers[i] && nh < 60; i++)
        headers[nh++] = opts->headers[i];
    headers[nh++] = "Accept: text/event-stream";
    headers[nh++] = "Cache-Control: no-cache";
    char last_event_header[1024];
    if (opts->last_event_id && *opts->last_event_id) {
        snprintf(last_event_header, sizeof last_event_header, "Last-Event-ID: %s",
                 opts->last_event_id);
        headers[nh++] = last_event_header;
    }
    headers[nh] = NULL;

    char full_url[2048];
    struct curl_slist *list = NULL;
    CURL *c = mkc__http_prepare(h, opts->method ? opts->method : (opts->body ? "POST" : "GET"), url,
                                headers, opts->content_type, opts->body, opts->body_len, &list,
                                full_url, sizeof full_url);
    stream_ctx s = {.curl = c, .url = full_url, .opts = opts, .user = user};
    s.parser = mkc_sse_parser_new(on_event, opts->on_comment, user);
    if (!s.parser) {
        curl_slist_free_all(list);
        return mkc_error_set(err, MKC_ENOMEM, full_url, "out of memory for %s", full_url);
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &s);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : 10000L);
    if (opts->idle_timeout_ms > 0 || opts->stop) {
        /* A whole-transfer timeout would cut healthy long streams; this
         * fires only when no byte arrives for the idle time, or on stop. */
        s.idle_ms = opts->idle_timeout_ms;
        s.last_byte_ms = mkc__now_ms();
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, &s);
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    }
    CURLcode cc = curl_easy_perform(c);
    check_response(&s);  /* a response without a body never reached write_cb */

    int rc = MKC_OK;
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (s.stopped) {
        rc = mkc_error_set(err, MKC_EABORTED, full_url, "%s: stopped", full_url);
    } else if (s.parse_status == MKC_EABORTED) {
        rc = mkc_error_set(err, MKC_EABORTED, full_url, "%s: stopped by the event callback", full_url);
    } else if (s.parse_status != MKC_OK) {
        rc = mkc_error_set(err, s.parse_status, full_url, "%s: %s at byte %llu", full_url,
                       mkc_strerror(s.parse_status),
                       (unsigned long long)mkc_sse_parser_offset(s.parser));
    } else if (s.idle_expired && status == 0) {
        rc = mkc_error_set(err, MKC_ETIMEOUT, full_url, "%s: no response within the idle timeout (%ld ms)",
                       full_url, s.idle_ms);
    } else if (status == 0 && cc != CURLE_OK) {
        rc = mkc__curl_fail(err, cc, mkc__http_errbuf(h), full_url);
    } else if (s.status_error) {
        rc = mkc_error_set(err, MKC_EHTTP, full_url, "%s: HTTP %ld, not an event stream: %.300s",
                       full_url, status, s.error_body.data ? s.error_body.data : "");
        if (err) {
            err->http_status = status;
            free(err->body);
            err->body = s.error_body.data;
            err->body_len = s.error_body.len;
            s.error_body.data = NULL;
            if (!err->body && (err->body = malloc(1)) != NULL)
                err->body[0] = '\0';
        }
    } else if (s.type_error) {
        rc = mkc_error_set(err, MKC_ECONTENT_TYPE, full_url,
                       "%s: content type '%s' is not text/event-stream", full_url, s.content_type);
        if (err)
            err->http_status = status;
    } else if (s.idle_expired) {
        /* The server is still there but silent: a timeout, wherever in the
         * stream it happened, not a truncation. */
        uint64_t at = mkc_sse_parser_offset(s.parser);
        int inside = mkc_sse_parser_finish(s.parser) == MKC_ETRUNCATED;
        rc = mkc_error_set(err, MKC_ETIMEOUT, full_url, "%s: no data for %ld ms after byte %llu (%s)",
                           full_url, s.idle_ms, (unsigned long long)at,
                           inside ? "inside an event" : "between events");
        if (err)
            err->http_status = status;
    } else {
        int fin = mkc_sse_parser_finish(s.parser);
        uint64_t at = mkc_sse_parser_offset(s.parser);
        if (fin == MKC_ETRUNCATED)
            rc = mkc_error_set(err, MKC_ETRUNCATED, full_url,
                           "%s: stream ended in the middle of an event at byte %llu", full_url,
                           (unsigned long long)at);
        else if (cc != CURLE_OK) {
            int code = cc == CURLE_OPERATION_TIMEDOUT ? MKC_ETIMEOUT : MKC_ECLOSED;
            rc = mkc_error_set(err, code, full_url, "%s: %s after byte %llu, between events (%s)",
                           full_url, code == MKC_ETIMEOUT ? "no data within the idle timeout"
                                                          : "connection closed before the response ended",
                           (unsigned long long)at, curl_easy_strerror(cc));
        }
        if (err && rc != MKC_OK)
            err->http_status = status;
    }
    if (opts->retry_out)
        *opts->retry_out = mkc_sse_parser_retry(s.parser);
    if (last_id) {
        size_t n = 0;
        const char *id = mkc_sse_parser_last_id(s.parser, &n);
        *last_id = strndup(id ? id : "", n);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(list);
    for (size_t i = 0; i < s.headers.header_count; i++)
        free(s.headers.headers[i]);
    free(s.headers.headers);
    mkc__buf_free(&s.error_body);
    mkc_sse_parser_free(s.parser);
    return rc;
}
