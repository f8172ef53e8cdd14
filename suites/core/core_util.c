/* core_util.c: see core_util.h. */
#include "core_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmocka.h>
#include <curl/curl.h>

int64_t cu_now_ms(void)
{
    return mk_clock_now_ms(NULL);
}

typedef struct grow {
    char *data;
    size_t len;
} grow;

static size_t grow_cb(char *p, size_t size, size_t n, void *arg)
{
    grow *g = arg;
    size_t add = size * n;
    char *next = realloc(g->data, g->len + add + 1);
    if (!next) {
        return 0;
    }
    memcpy(next + g->len, p, add);
    g->len += add;
    next[g->len] = '\0';
    g->data = next;
    return add;
}

static struct curl_slist *slist(const char *const *headers)
{
    struct curl_slist *l = NULL;
    for (size_t i = 0; headers && headers[i]; i++) {
        l = curl_slist_append(l, headers[i]);
    }
    return l;
}

int cu_request(const char *method, const char *url, const char *const *headers, const char *body,
               cu_resp *out)
{
    CURL *c = curl_easy_init();
    grow h = {0}, b = {0};
    struct curl_slist *l = slist(headers);
    CURLcode rc;
    memset(out, 0, sizeof(*out));
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    }
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, l);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, grow_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, grow_cb);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_easy_cleanup(c);
    curl_slist_free_all(l);
    out->headers = h.data ? h.data : strdup("");
    out->body = b.data ? b.data : strdup("");
    out->blen = b.len;
    return rc == CURLE_OK ? 0 : -1;
}

void cu_resp_free(cu_resp *r)
{
    free(r->headers);
    free(r->body);
    memset(r, 0, sizeof(*r));
}

const char *cu_header(const cu_resp *r, const char *name, char *buf, size_t size)
{
    size_t n = strlen(name);
    const char *p = r->headers;
    while (p && *p) {
        const char *eol = strstr(p, "\r\n");
        if (!eol) {
            break;
        }
        if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ') {
                v++;
            }
            snprintf(buf, size, "%.*s", (int)(eol - v), v);
            return buf;
        }
        p = eol + 2;
    }
    return NULL;
}

/* ---- raw chunked stream ------------------------------------------------ */

static void stream_feed(cu_stream *s, const char *p, size_t n)
{
    int64_t now = cu_now_ms();
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        switch (s->state) {
        case 0: /* size line */
            if (ch == '\n') {
                s->line[s->line_len] = '\0';
                s->want = strtoul(s->line, NULL, 16);
                s->line_len = 0;
                if (s->want == 0) {
                    s->saw_end = 1;
                    s->state = 3;
                } else {
                    s->cur = malloc(s->want + 1);
                    s->cur_len = 0;
                    s->state = 1;
                }
            } else if (ch != '\r' && s->line_len + 1 < sizeof(s->line)) {
                s->line[s->line_len++] = ch;
            }
            break;
        case 1: { /* data */
            size_t take = n - i < s->want - s->cur_len ? n - i : s->want - s->cur_len;
            memcpy(s->cur + s->cur_len, p + i, take);
            s->cur_len += take;
            i += take - 1;
            if (s->cur_len == s->want) {
                s->cur[s->cur_len] = '\0';
                if (s->count < sizeof(s->chunks) / sizeof(s->chunks[0])) {
                    s->chunks[s->count].data = s->cur;
                    s->chunks[s->count].len = s->cur_len;
                    s->chunks[s->count].t_ms = now;
                    s->count++;
                } else {
                    free(s->cur);
                }
                s->cur = NULL;
                s->state = 2;
                pthread_cond_broadcast(&s->cv);
            }
            break;
        }
        case 2: /* CRLF after data */
            if (ch == '\n') {
                s->state = 0;
            }
            break;
        default: /* trailers: ignored */
            break;
        }
    }
}

static size_t stream_cb(char *p, size_t size, size_t n, void *arg)
{
    cu_stream *s = arg;
    size_t ret = size * n;
    pthread_mutex_lock(&s->mu);
    if (s->plain) {
        cu_chunk *c = &s->chunks[0];
        char *grown = realloc(c->data, c->len + size * n + 1);
        if (grown) {
            memcpy(grown + c->len, p, size * n);
            c->len += size * n;
            grown[c->len] = '\0';
            c->data = grown;
            c->t_ms = cu_now_ms();
            s->count = 1;
        }
        pthread_cond_broadcast(&s->cv);
    } else {
        stream_feed(s, p, size * n);
        if (s->abort_after && s->count >= s->abort_after) {
            ret = 0; /* the client hangs up mid-stream */
        }
    }
    pthread_mutex_unlock(&s->mu);
    return ret;
}

static void *stream_main(void *arg)
{
    cu_stream *s = arg;
    CURL *c = curl_easy_init();
    struct curl_slist *l = slist(s->headers);
    long status = 0;
    int rc;
    curl_easy_setopt(c, CURLOPT_URL, s->url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, s->method);
    if (s->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, s->body);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, l);
    curl_easy_setopt(c, CURLOPT_HTTP_TRANSFER_DECODING, s->plain ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, stream_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
    rc = (int)curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    curl_slist_free_all(l);
    pthread_mutex_lock(&s->mu);
    s->curl_rc = rc;
    s->status = status;
    s->done = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

void cu_stream_init(cu_stream *s)
{
    memset(s, 0, sizeof(*s));
}

int cu_stream_start(cu_stream *s, const char *method, const char *url, const char *body,
                    const char *const *headers)
{
    cu_stream_init(s);
    return cu_stream_run(s, method, url, body, headers);
}

int cu_stream_run(cu_stream *s, const char *method, const char *url, const char *body,
                  const char *const *headers)
{
    pthread_condattr_t a;
    snprintf(s->method, sizeof(s->method), "%s", method);
    snprintf(s->url, sizeof(s->url), "%s", url);
    s->body = body ? strdup(body) : NULL;
    s->headers = headers;
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cv, &a);
    pthread_condattr_destroy(&a);
    s->t_start = cu_now_ms();
    return pthread_create(&s->thread, NULL, stream_main, s);
}

size_t cu_stream_wait(cu_stream *s, size_t n, int timeout_ms)
{
    struct timespec until;
    size_t count;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->mu);
    while (s->count < n && !s->done) {
        if (pthread_cond_timedwait(&s->cv, &s->mu, &until) != 0) {
            break;
        }
    }
    count = s->count;
    pthread_mutex_unlock(&s->mu);
    return count;
}

size_t cu_stream_count(cu_stream *s)
{
    size_t n;
    pthread_mutex_lock(&s->mu);
    n = s->count;
    pthread_mutex_unlock(&s->mu);
    return n;
}

void cu_stream_finish(cu_stream *s)
{
    pthread_join(s->thread, NULL);
    for (size_t i = 0; i < s->count; i++) {
        free(s->chunks[i].data);
    }
    free(s->cur);
    free(s->body);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
}

mk_mock *cu_mock(const char *service, const char *const *paths, size_t n, double speed,
                 mk_clock *clock)
{
    mk_mock_options o;
    mk_mock *m = NULL;
    mk_diag d;
    char buf[1024];
    int rc;
    mk_mock_options_init(&o);
    o.service = service;
    o.speed = speed;
    o.clock = clock;
    o.quiet = 1;
    rc = mk_mock_new(&o, paths, n, &m, &d);
    if (rc != MK_MOCK_OK) {
        fail_msg("mk_mock_new: %s: %s", mk_mock_strerror(rc), mk_diag_format(&d, buf, sizeof(buf)));
    }
    return m;
}
