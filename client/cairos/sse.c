/* sse.c: the Cairos event-log handler (CairosSSEHandler in C), on the
 * core's mkc_sse_stream: per-event callbacks, the unknown-event policy, the
 * cairos_session cookie the log may hand out (adopted, as the Python
 * handler does), a stop from another thread, and resume with
 * Last-Event-ID when the server sent ids.
 */
#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "mockkit/cassette.h"

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
    pthread_mutex_t *mu_ref; /* &mu, so the const getters lock it without a cast
                                (C has no mutable) */
    pthread_cond_t cv;
    int open;
    int done;
    size_t events;
    size_t comments;
    char *session;

    /* only touched by the run thread */
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
    h->cookie = mkc__strdup(c->cookie ? c->cookie : "");
    atomic_init(&h->stop, 0);
    pthread_mutex_init(&h->mu, NULL);
    h->mu_ref = &h->mu;
    mkc__cond_init_monotonic(&h->cv);  /* waits have monotonic deadlines */
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
    char *name = mkc__strdup(event);
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
    if (!(e[h->extra_count] = mkc__strdup(header_line)))
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
    pthread_mutex_lock(h->mu_ref);
    int open = h->open;
    pthread_mutex_unlock(h->mu_ref);
    return open;
}

int mk_cairos_sse_wait_open(mk_cairos_sse *h, int timeout_ms)
{
    if (!h)
        return MKC_EINVAL;
    struct timespec ts;
    mkc__deadline_in(&ts, timeout_ms);
    pthread_mutex_lock(&h->mu);
    int rc = 0;
    while (!h->open && !h->done && rc == 0)
        rc = pthread_cond_timedwait(&h->cv, &h->mu, &ts);
    int open = h->open, done = h->done;
    pthread_mutex_unlock(&h->mu);
    return open ? MKC_OK : done ? MKC_ECLOSED : MKC_ETIMEOUT;
}

size_t mk_cairos_sse_event_count(const mk_cairos_sse *h)
{
    if (!h)
        return 0;
    pthread_mutex_lock(h->mu_ref);
    size_t n = h->events;
    pthread_mutex_unlock(h->mu_ref);
    return n;
}

size_t mk_cairos_sse_comment_count(const mk_cairos_sse *h)
{
    if (!h)
        return 0;
    pthread_mutex_lock(h->mu_ref);
    size_t n = h->comments;
    pthread_mutex_unlock(h->mu_ref);
    return n;
}

const char *mk_cairos_sse_session(const mk_cairos_sse *h)
{
    if (!h)
        return NULL;
    pthread_mutex_lock(h->mu_ref);
    const char *s = h->session;
    pthread_mutex_unlock(h->mu_ref);
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
    size_t at = h->events;  /* 1-based index of this event on the connection */
    if (!r && !h->unknown_cb) {
        mkc_error_set(h->err, MKC_EPROTOCOL, h->url,
                        "%s: unknown event \"%s\" (event %zu; data: %.120s)", h->url, name,
                        at, ev->data);
        return decide(h, MKC_EPROTOCOL);
    }
    cJSON *j = NULL;
    if (r && r->parse_json) {
        j = mk_json_parse_bounded(ev->data, ev->data_len, NULL);
        if (!j) {
            mkc_error_set(h->err, MKC_EJSON, h->url,
                            "%s: event \"%s\" (event %zu): data is not JSON: %.120s", h->url,
                            name, at, ev->data);
            return decide(h, MKC_EJSON);
        }
    }
    int stop = r ? r->cb(r->user, name, ev->data, ev->data_len, j)
                 : h->unknown_cb(h->unknown_user, name, ev->data, ev->data_len, NULL);
    cJSON_Delete(j);
    if (!stop)
        return 0;
    /* The kit's callback contract: a non-zero return aborts (MKC_EABORTED). */
    mkc_error_set(h->err, MKC_EABORTED, h->url, "%s: stopped by the callback of event \"%s\" (event %zu)",
                  h->url, name, at);
    return decide(h, MKC_EABORTED);
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

/* ---- stream hooks ------------------------------------------------------------ */

/* The event log may set a cairos_session cookie; the handler adopts it. */
static void on_header(void *user, const char *line)
{
    mk_cairos_sse *h = user;
    if (strncasecmp(line, "set-cookie:", 11) != 0)
        return;
    char session[256];
    if (mk_cairos_cookie_from_set_cookie(line + 11, MK_CAIROS_SESSION_COOKIE, session,
                                         sizeof session) != MKC_OK || !*session)
        return;
    char *copy = mkc__strdup(session);
    pthread_mutex_lock(&h->mu);
    if (copy) {
        free(h->session);
        h->session = copy;
    }
    pthread_mutex_unlock(&h->mu);
}

static void on_open(void *user)
{
    mk_cairos_sse *h = user;
    pthread_mutex_lock(&h->mu);
    h->open = 1;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

/* ---- run -------------------------------------------------------------------- */

/* One GET of the event log through the core's SSE stream. *last_id and
 * *retry receive what the stream set, for a resume. */
static int one_connection(mk_cairos_sse *h, const char *resume_id, char **last_id, long *retry)
{
    mkc_http *http = mkc_http_new(h->url);
    int ok = http && mkc_http_add_header(http, h->auth) == MKC_OK &&
             (!*h->cookie || mkc_http_set_cookie(http, h->cookie) == MKC_OK);
    for (size_t i = 0; ok && i < h->extra_count; i++)
        ok = mkc_http_add_header(http, h->extra[i]) == MKC_OK;
    if (!ok) {
        mkc_http_free(http);
        return mkc_error_set(h->err, MKC_ENOMEM, h->url, "out of memory");
    }
    mkc_sse_options o = {
        .last_event_id = resume_id,
        .on_comment = on_comment,
        .on_header = on_header,
        .on_open = on_open,
        .stop = &h->stop,
        .retry_out = retry,
    };
    /* The stream's own error report is kept apart, so that an outcome a
     * callback decided (unknown event, bad JSON) is not overwritten by
     * "stopped by the event callback". */
    mkc_error local = {0};
    int rc = mkc_sse_stream(http, "", &o, on_event, h, last_id, &local);
    mkc_http_free(http);
    if (h->result_set) {
        mkc_error_clear(&local);
        return h->result;
    }
    if (h->err) {
        mkc_error_clear(h->err);
        *h->err = local;  /* hands the body over */
    } else {
        mkc_error_clear(&local);
    }
    return rc;
}

/* Wait before a resume; returns 1 if stopped meanwhile. */
static int wait_retry(mk_cairos_sse *h, long ms)
{
    struct timespec ts;
    mkc__deadline_in(&ts, ms);
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
    char *resume_id = NULL;
    int rc = MKC_OK;
    for (int attempt = 0;; attempt++) {
        char *last_id = NULL;
        long retry = -1;
        rc = one_connection(h, resume_id, &last_id, &retry);
        free(resume_id);
        resume_id = last_id;
        /* Resume only a stream that ended (cleanly, mid-event or cut
         * between events) and that sent an id to resume from. */
        int ended = rc == MKC_OK || rc == MKC_ETRUNCATED || rc == MKC_ECLOSED;
        if (!ended || h->result_set || attempt >= h->resume_max || !resume_id || !*resume_id)
            break;
        if (wait_retry(h, retry >= 0 ? retry : DEFAULT_RETRY_MS)) {
            rc = mkc_error_set(err, MKC_EABORTED, h->url, "%s: stopped", h->url);
            break;
        }
        if (err)
            mkc_error_clear(err);
    }
    free(resume_id);
    h->err = NULL;
    pthread_mutex_lock(&h->mu);
    h->done = 1;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    return rc;
}
