/* sse.c: the Cairos event-log handler (CairosSSEHandler in C).
 *
 * It drives libcurl itself, feeding the core's push parser, rather than
 * calling mkc_sse_stream: it needs the response's Set-Cookie (the log may
 * hand out cairos_session, which the Python handler adopts) and a stop that
 * works from another thread while the stream is idle (libcurl's progress
 * callback), and mkc_sse_options has neither.
 */
#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#define ERRBODY_MAX 65536
#define DEFAULT_RETRY_MS 3000

typedef struct reg {
    char *event;
    int parse_json;
    mk_cairos_sse_cb cb;
    void *user;
} reg;

struct mk_cairos_sse {
    char *url;
    char *auth;          /* "Authorization: Bearer ..." */
    char *cookie;
    char **extra;        /* extra header lines */
    size_t extra_count;
    reg *regs;
    size_t reg_count;
    mk_cairos_sse_cb unknown_cb;
    void *unknown_user;
    int resume_max;
    atomic_int stop;

    pthread_mutex_t mu;  /* guards the fields below it and signals cv */
    pthread_cond_t cv;
    int open;
    int done;
    size_t events;
    size_t comments;
    char *session;

    /* one connection at a time, only touched by the run thread */
    CURL *curl;
    mkc_sse_parser *parser;
    int headers_ok;      /* 0 not yet, 1 accepted, -1 refused */
    char ctype[128];
    char *errbody;
    size_t errbody_len;
    int result_set;      /* a callback or the dispatcher decided the outcome */
    int result;
    mkc_error *err;
};

mk_cairos_sse *mk_cairos_sse_new(const mk_cairos *c)
{
    if (!c || !c->base_url || !c->token)
        return NULL;
    mk_cairos_sse *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    size_t n = strlen(c->base_url) + 16;
    h->url = malloc(n);
    if (h->url)
        snprintf(h->url, n, "%s/event_log", c->base_url);
    n = strlen(c->token) + 32;
    h->auth = malloc(n);
    if (h->auth)
        snprintf(h->auth, n, "Authorization: Bearer %s", c->token);
    h->cookie = mk_cairos__strdup(c->cookie ? c->cookie : "");
    atomic_init(&h->stop, 0);
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    if (!h->url || !h->auth || !h->cookie) {
        mk_cairos_sse_free(h);
        return NULL;
    }
    return h;
}

void mk_cairos_sse_free(mk_cairos_sse *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->reg_count; i++)
        free(h->regs[i].event);
    free(h->regs);
    for (size_t i = 0; i < h->extra_count; i++)
        free(h->extra[i]);
    free(h->extra);
    free(h->url);
    free(h->auth);
    free(h->cookie);
    free(h->session);
    free(h->errbody);
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cv);
    free(h);
}

int mk_cairos_sse_register(mk_cairos_sse *h, const char *event, int parse_json,
                           mk_cairos_sse_cb cb, void *user)
{
    if (!h || !event || !*event || !cb)
        return MKC_EINVAL;
    for (size_t i = 0; i < h->reg_count; i++) {
        if (strcmp(h->regs[i].event, event) == 0) {
            h->regs[i] = (reg){h->regs[i].event, parse_json, cb, user};
            return MKC_OK;
        }
    }
    reg *r = realloc(h->regs, (h->reg_count + 1) * sizeof *r);
    if (!r)
        return MKC_ENOMEM;
    h->regs = r;
    char *name = mk_cairos__strdup(event);
    if (!name)
        return MKC_ENOMEM;
    h->regs[h->reg_count++] = (reg){name, parse_json, cb, user};
    return MKC_OK;
}

void mk_cairos_sse_set_unknown_handler(mk_cairos_sse *h, mk_cairos_sse_cb cb, void *user)
{
    if (!h)
        return;
    h->unknown_cb = cb;
    h->unknown_user = user;
}

int mk_cairos_sse_add_header(mk_cairos_sse *h, const char *header_line)
{
    if (!h || !header_line || !strchr(header_line, ':'))
        return MKC_EINVAL;
    char **e = realloc(h->extra, (h->extra_count + 1) * sizeof *e);
    if (!e)
        return MKC_ENOMEM;
    h->extra = e;
    if (!(e[h->extra_count] = mk_cairos__strdup(header_line)))
        return MKC_ENOMEM;
    h->extra_count++;
    return MKC_OK;
}

void mk_cairos_sse_set_resume(mk_cairos_sse *h, int max)
{
    if (h)
        h->resume_max = max < 0 ? 0 : max;
}

void mk_cairos_sse_stop(mk_cairos_sse *h)
{
    if (!h)
        return;
    atomic_store(&h->stop, 1);
    pthread_mutex_lock(&h->mu);
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

int mk_cairos_sse_is_open(const mk_cairos_sse *h)
{
    if (!h)
        return 0;
    pthread_mutex_t *mu = (pthread_mutex_t *)&h->mu;
    pthread_mutex_lock(mu);
    int open = h->open;
    pthread_mutex_unlock(mu);
    return open;
}

static void deadline_in(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

int mk_cairos_sse_wait_open(mk_cairos_sse *h, int timeout_ms)
{
    if (!h)
        return -1;
    struct timespec ts;
    deadline_in(&ts, timeout_ms);
    pthread_mutex_lock(&h->mu);
    int rc = 0;
    while (!h->open && !h->done && rc == 0)
        rc = pthread_cond_timedwait(&h->cv, &h->mu, &ts);
    int open = h->open;
    pthread_mutex_unlock(&h->mu);
    return open ? 0 : -1;
}

size_t mk_cairos_sse_event_count(const mk_cairos_sse *h)
{
    if (!h)
        return 0;
    pthread_mutex_lock((pthread_mutex_t *)&h->mu);
    size_t n = h->events;
    pthread_mutex_unlock((pthread_mutex_t *)&h->mu);
    return n;
}

size_t mk_cairos_sse_comment_count(const mk_cairos_sse *h)
{
    if (!h)
        return 0;
    pthread_mutex_lock((pthread_mutex_t *)&h->mu);
    size_t n = h->comments;
    pthread_mutex_unlock((pthread_mutex_t *)&h->mu);
    return n;
}

const char *mk_cairos_sse_session(const mk_cairos_sse *h)
{
    if (!h)
        return NULL;
    pthread_mutex_lock((pthread_mutex_t *)&h->mu);
    const char *s = h->session;
    pthread_mutex_unlock((pthread_mutex_t *)&h->mu);
    return s;
}

/* ---- dispatch -------------------------------------------------------------- */

static int decide(mk_cairos_sse *h, int code)
{
    h->result_set = 1;
    h->result = code;
    return 1; /* stops the parser */
}

static int on_event(void *user, const mkc_sse_event *ev)
{
    mk_cairos_sse *h = user;
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)(ev->type_len < 255 ? ev->type_len : 255), ev->type);
    pthread_mutex_lock(&h->mu);
    h->events++;
    pthread_mutex_unlock(&h->mu);

    const reg *r = NULL;
    for (size_t i = 0; i < h->reg_count && !r; i++)
        if (strlen(h->regs[i].event) == ev->type_len &&
            memcmp(h->regs[i].event, ev->type, ev->type_len) == 0)
            r = &h->regs[i];
    uint64_t at = mkc_sse_parser_offset(h->parser);
    if (!r && !h->unknown_cb) {
        mkc_error_set(h->err, MKC_EPROTOCOL, h->url,
                        "%s: unknown event \"%s\" near byte %llu (data: %.120s)", h->url, name,
                        (unsigned long long)at, ev->data);
        return decide(h, MKC_EPROTOCOL);
    }
    cJSON *j = NULL;
    if (r && r->parse_json) {
        j = cJSON_ParseWithLength(ev->data, ev->data_len);
        if (!j) {
            mkc_error_set(h->err, MKC_EJSON, h->url,
                            "%s: event \"%s\" near byte %llu: data is not JSON: %.120s", h->url,
                            name, (unsigned long long)at, ev->data);
            return decide(h, MKC_EJSON);
        }
    }
    int stop = r ? r->cb(r->user, name, ev->data, ev->data_len, j)
                 : h->unknown_cb(h->unknown_user, name, ev->data, ev->data_len, NULL);
    cJSON_Delete(j);
    return stop ? decide(h, MKC_OK) : 0;
}

static void on_comment(void *user, const char *text, size_t len)
{
    (void)text;
    (void)len;
    mk_cairos_sse *h = user;
    pthread_mutex_lock(&h->mu);
    h->comments++;
    pthread_mutex_unlock(&h->mu);
}

/* ---- libcurl callbacks ----------------------------------------------------- */

static int is_event_stream(const char *ctype)
{
    size_t n = strcspn(ctype, ";");
    while (n > 0 && (ctype[n - 1] == ' ' || ctype[n - 1] == '\t'))
        n--;
    return n == 17 && strncasecmp(ctype, "text/event-stream", 17) == 0;
}

static size_t on_header(char *buf, size_t size, size_t n, void *user)
{
    mk_cairos_sse *h = user;
    size_t len = size * n;
    char line[1024];
    size_t l = len < sizeof line - 1 ? len : sizeof line - 1;
    memcpy(line, buf, l);
    while (l > 0 && (line[l - 1] == '\r' || line[l - 1] == '\n'))
        l--;
    line[l] = '\0';
    if (strncmp(line, "HTTP/", 5) == 0) {
        h->ctype[0] = '\0'; /* a new response (after 1xx or a redirect) */
    } else if (strncasecmp(line, "content-type:", 13) == 0) {
        const char *v = line + 13;
        while (*v == ' ' || *v == '\t')
            v++;
        size_t n = strlen(v); /* a longer value is not text/event-stream anyway */
        if (n >= sizeof h->ctype)
            n = sizeof h->ctype - 1;
        memcpy(h->ctype, v, n);
        h->ctype[n] = '\0';
    } else if (strncasecmp(line, "set-cookie:", 11) == 0) {
        char session[256];
        if (mk_cairos_cookie_from_set_cookie(line + 11, MK_CAIROS_SESSION_COOKIE, session,
                                             sizeof session) == MKC_OK && *session) {
            char *s = mk_cairos__strdup(session);
            pthread_mutex_lock(&h->mu);
            if (s) {
                free(h->session);
                h->session = s;
            }
            pthread_mutex_unlock(&h->mu);
        }
    } else if (l == 0) { /* end of one response's headers */
        long status = 0;
        curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 100 && status < 200)
            return len;
        h->headers_ok = (status == 200 && is_event_stream(h->ctype)) ? 1 : -1;
        if (h->headers_ok == 1) {
            pthread_mutex_lock(&h->mu);
            h->open = 1;
            pthread_cond_broadcast(&h->cv);
            pthread_mutex_unlock(&h->mu);
        }
    }
    return len;
}

static size_t on_body(char *buf, size_t size, size_t n, void *user)
{
    mk_cairos_sse *h = user;
    size_t len = size * n;
    if (h->headers_ok != 1) { /* keep an error body for the report */
        size_t room = ERRBODY_MAX - h->errbody_len;
        size_t take = len < room ? len : room;
        char *b = realloc(h->errbody, h->errbody_len + take + 1);
        if (!b)
            return 0;
        memcpy(b + h->errbody_len, buf, take);
        h->errbody = b;
        h->errbody_len += take;
        b[h->errbody_len] = '\0';
        return len;
    }
    int rc = mkc_sse_parser_feed(h->parser, buf, len);
    if (rc == MKC_OK)
        return len;
    if (!h->result_set) {
        mkc_error_set(h->err, rc, h->url, "%s: event stream: %s near byte %llu", h->url,
                        mkc_strerror(rc), (unsigned long long)mkc_sse_parser_offset(h->parser));
        decide(h, rc);
    }
    return 0; /* aborts the transfer */
}

static int on_progress(void *user, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt;
    (void)dn;
    (void)ut;
    (void)un;
    mk_cairos_sse *h = user;
    return atomic_load(&h->stop) ? 1 : 0;
}

/* ---- run -------------------------------------------------------------------- */

enum { ENDED = 1 }; /* one_connection: the stream ended; resume may follow */

static int one_connection(mk_cairos_sse *h, const char *last_id, int *ended)
{
    *ended = 0;
    h->headers_ok = 0;
    h->ctype[0] = '\0';
    free(h->errbody);
    h->errbody = NULL;
    h->errbody_len = 0;

    struct curl_slist *hdrs = NULL, *t;
    char lid[1200];
    const char *fixed[] = {"Accept: text/event-stream", "Cache-Control: no-store", h->auth};
    int ok = 1;
    for (size_t i = 0; i < 3 && ok; i++)
        ok = (t = curl_slist_append(hdrs, fixed[i])) != NULL && (hdrs = t);
    for (size_t i = 0; i < h->extra_count && ok; i++)
        ok = (t = curl_slist_append(hdrs, h->extra[i])) != NULL && (hdrs = t);
    if (ok && last_id && *last_id) {
        snprintf(lid, sizeof lid, "Last-Event-ID: %s", last_id);
        ok = (t = curl_slist_append(hdrs, lid)) != NULL && (hdrs = t);
    }
    h->curl = ok ? curl_easy_init() : NULL;
    if (!h->curl) {
        curl_slist_free_all(hdrs);
        return mkc_error_set(h->err, MKC_ENOMEM, h->url, "out of memory");
    }
    CURL *c = h->curl;
    curl_easy_setopt(c, CURLOPT_URL, h->url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    if (*h->cookie)
        curl_easy_setopt(c, CURLOPT_COOKIE, h->cookie);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, h);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    /* No CURLOPT_TIMEOUT: it would bound the whole (long-lived) stream. */
    CURLcode res = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    h->curl = NULL;
    curl_slist_free_all(hdrs);

    if (h->result_set)
        return h->result;
    if (atomic_load(&h->stop))
        return mkc_error_set(h->err, MKC_EABORTED, h->url, "%s: stopped", h->url);
    if (h->headers_ok == -1 || (res == CURLE_OK && h->headers_ok != 1)) {
        if (h->err)
            h->err->http_status = status;
        if (status != 200) {
            if (h->err && h->errbody) {
                mkc_error_clear(h->err);
                h->err->http_status = status;
                h->err->body = h->errbody;
                h->err->body_len = h->errbody_len;
                h->errbody = NULL;
                h->errbody_len = 0;
            }
            return mkc_error_set(h->err, MKC_EHTTP, h->url, "GET %s: HTTP %ld: %.200s", h->url,
                                   status, h->err && h->err->body ? h->err->body : "");
        }
        return mkc_error_set(h->err, MKC_ECONTENT_TYPE, h->url,
                               "GET %s: content type \"%s\", expected text/event-stream", h->url,
                               h->ctype);
    }
    if (res == CURLE_OK || res == CURLE_PARTIAL_FILE || res == CURLE_RECV_ERROR ||
        res == CURLE_GOT_NOTHING) {
        *ended = ENDED;
        uint64_t at = mkc_sse_parser_offset(h->parser);
        if (mkc_sse_parser_finish(h->parser) == MKC_ETRUNCATED)
            return mkc_error_set(h->err, MKC_ETRUNCATED, h->url,
                                   "%s: stream ended inside an event at byte %llu", h->url,
                                   (unsigned long long)at);
        if (res != CURLE_OK)
            return mkc_error_set(h->err, MKC_ECLOSED, h->url, "%s: connection closed: %s",
                                   h->url, curl_easy_strerror(res));
        return MKC_OK;
    }
    int code = res == CURLE_COULDNT_CONNECT || res == CURLE_COULDNT_RESOLVE_HOST ? MKC_ECONNECT
               : res == CURLE_OPERATION_TIMEDOUT                               ? MKC_ETIMEOUT
                                                                               : MKC_ETRANSPORT;
    return mkc_error_set(h->err, code, h->url, "GET %s: %s", h->url, curl_easy_strerror(res));
}

/* Wait before a resume; returns 1 if stopped meanwhile. */
static int wait_retry(mk_cairos_sse *h, long ms)
{
    struct timespec ts;
    deadline_in(&ts, ms);
    pthread_mutex_lock(&h->mu);
    int rc = 0;
    while (!atomic_load(&h->stop) && rc == 0)
        rc = pthread_cond_timedwait(&h->cv, &h->mu, &ts);
    pthread_mutex_unlock(&h->mu);
    return atomic_load(&h->stop);
}

int mk_cairos_sse_run(mk_cairos_sse *h, mkc_error *err)
{
    if (!h)
        return mkc_error_set(err, MKC_EINVAL, NULL, "event log: NULL handler");
    h->err = err;
    h->result_set = 0;
    h->parser = mkc_sse_parser_new(on_event, on_comment, h);
    int rc = h->parser ? MKC_OK : mkc_error_set(err, MKC_ENOMEM, h->url, "out of memory");
    char *last_id = NULL;
    for (int attempt = 0; h->parser; attempt++) {
        int ended = 0;
        rc = one_connection(h, last_id, &ended);
        size_t id_len = 0;
        const char *id = mkc_sse_parser_last_id(h->parser, &id_len);
        if (!ended || attempt >= h->resume_max || !id || id_len == 0 || h->result_set)
            break;
        free(last_id);
        last_id = malloc(id_len + 1);
        if (!last_id)
            break;
        memcpy(last_id, id, id_len);
        last_id[id_len] = '\0';
        long retry = mkc_sse_parser_retry(h->parser);
        if (wait_retry(h, retry >= 0 ? retry : DEFAULT_RETRY_MS)) {
            rc = mkc_error_set(err, MKC_EABORTED, h->url, "%s: stopped", h->url);
            break;
        }
        mkc_sse_parser_reset(h->parser);
        if (err)
            mkc_error_clear(err);
        rc = MKC_OK;
    }
    free(last_id);
    mkc_sse_parser_free(h->parser);
    h->parser = NULL;
    h->err = NULL;
    pthread_mutex_lock(&h->mu);
    h->done = 1;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    return rc;
}
