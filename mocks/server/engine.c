/* engine.c: the loaded interactions, sequence state, triggers and the
 * scheduler every timed send goes through. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mock_internal.h"

/* ---- loading ----------------------------------------------------------- */

static void diag_set(mk_diag *d, const char *file, const char *msg)
{
    if (!d) {
        return;
    }
    memset(d, 0, sizeof(*d));
    snprintf(d->file, sizeof(d->file), "%s", file);
    snprintf(d->message, sizeof(d->message), "%s", msg);
}

static int add_cassette(struct mk_mock *m, const char *file, mk_diag *diag)
{
    mk_cassette *c = NULL;
    mk_cassette **grown;
    int rc = mk_cassette_load(file, &c, diag);
    if (rc != MK_CASSETTE_OK) {
        return rc == MK_CASSETTE_ENOMEM ? MK_MOCK_ENOMEM : MK_MOCK_ECASSETTE;
    }
    grown = realloc(m->cassettes, (m->cassette_count + 1) * sizeof(*grown));
    if (!grown) {
        mk_cassette_free(c);
        return MK_MOCK_ENOMEM;
    }
    m->cassettes = grown;
    m->cassettes[m->cassette_count++] = c;
    return MK_MOCK_OK;
}

static int ends_with_json(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".json") == 0 && name[0] != '.';
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_folder(struct mk_mock *m, const char *dir, mk_diag *diag)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0;
    int rc = MK_MOCK_OK;
    if (!d) {
        diag_set(diag, dir, strerror(errno));
        return MK_MOCK_ENOENT;
    }
    while ((e = readdir(d)) != NULL) {
        char **grown;
        if (!ends_with_json(e->d_name)) {
            continue;
        }
        grown = realloc(names, (n + 1) * sizeof(*names));
        if (!grown || !(grown[n] = strdup(e->d_name))) {
            names = grown ? grown : names;
            rc = MK_MOCK_ENOMEM;
            break;
        }
        names = grown;
        n++;
    }
    closedir(d);
    if (rc == MK_MOCK_OK && n == 0) {
        diag_set(diag, dir, "no *.json cassettes in this folder");
        rc = MK_MOCK_ENOENT;
    }
    if (rc == MK_MOCK_OK) {
        qsort(names, n, sizeof(*names), cmp_str);
    }
    for (size_t i = 0; rc == MK_MOCK_OK && i < n; i++) {
        size_t len = strlen(dir) + strlen(names[i]) + 2;
        char *path = malloc(len);
        if (!path) {
            rc = MK_MOCK_ENOMEM;
            break;
        }
        snprintf(path, len, "%s/%s", dir, names[i]);
        rc = add_cassette(m, path, diag);
        free(path);
    }
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
    return rc;
}

static int find_in(const struct mk_mock *m, const mk_cassette *cas, const char *id, size_t *out)
{
    for (size_t i = 0; i < m->ix_count; i++) {
        if (m->ixs[i].cas == cas && strcmp(m->ixs[i].ix->id, id) == 0) {
            *out = i;
            return 1;
        }
    }
    return 0;
}

/* Every `after` must name an interaction of the same cassette. */
static int check_triggers(struct mk_mock *m, mk_diag *diag)
{
    char msg[300];
    size_t where;
    for (size_t i = 0; i < m->ix_count; i++) {
        const mk_interaction *ix = m->ixs[i].ix;
        for (size_t k = 0; k < ix->response.chunk_count; k++) {
            const char *a = ix->response.chunks[k].after;
            if (a && !find_in(m, m->ixs[i].cas, a, &where)) {
                snprintf(msg, sizeof(msg), "after: no interaction \"%s\"", a);
                diag_set(diag, m->ixs[i].cas->path, msg);
                snprintf(diag->pointer, sizeof(diag->pointer),
                         "/interactions/%zu/response/chunks/%zu/after", ix->index, k);
                return MK_MOCK_ECASSETTE;
            }
            if (a) {
                m->ixs[where].is_trigger = 1;
            }
        }
        for (size_t k = 0; k < ix->frame_count; k++) {
            const char *a = ix->frames[k].after;
            if (a && !find_in(m, m->ixs[i].cas, a, &where)) {
                snprintf(msg, sizeof(msg), "after: no interaction \"%s\"", a);
                diag_set(diag, m->ixs[i].cas->path, msg);
                snprintf(diag->pointer, sizeof(diag->pointer),
                         "/interactions/%zu/websocket/frames/%zu/after", ix->index, k);
                return MK_MOCK_ECASSETTE;
            }
            if (a) {
                m->ixs[where].is_trigger = 1;
            }
        }
    }
    return MK_MOCK_OK;
}

int mk__engine_load(struct mk_mock *m, const char *const *paths, size_t n, mk_diag *diag)
{
    size_t total = 0, at = 0;
    int rc;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (!paths[i] || stat(paths[i], &st) != 0) {
            diag_set(diag, paths[i] ? paths[i] : "(null)", "no such file or folder");
            return MK_MOCK_ENOENT;
        }
        rc = S_ISDIR(st.st_mode) ? add_folder(m, paths[i], diag) : add_cassette(m, paths[i], diag);
        if (rc != MK_MOCK_OK) {
            return rc;
        }
    }
    for (size_t i = 0; i < m->cassette_count; i++) {
        total += m->cassettes[i]->count;
    }
    m->ixs = calloc(total ? total : 1, sizeof(*m->ixs));
    if (!m->ixs) {
        return MK_MOCK_ENOMEM;
    }
    for (size_t i = 0; i < m->cassette_count; i++) {
        for (size_t k = 0; k < m->cassettes[i]->count; k++, at++) {
            mk__ix *x = &m->ixs[at];
            x->ix = &m->cassettes[i]->interactions[k];
            x->cas = m->cassettes[i];
            x->group = at;
            atomic_init(&x->arrived, -1);
            for (size_t g = 0; g < at; g++) {
                if (m->ixs[g].group == g && mk__same_request(m->ixs[g].ix, x->ix)) {
                    x->group = g;
                    break;
                }
            }
        }
    }
    m->ix_count = total;
    return check_triggers(m, diag);
}

void mk__engine_free(struct mk_mock *m)
{
    for (size_t i = 0; i < m->cassette_count; i++) {
        mk_cassette_free(m->cassettes[i]);
    }
    free(m->cassettes);
    free(m->ixs);
    m->cassettes = NULL;
    m->ixs = NULL;
    m->cassette_count = m->ix_count = 0;
}

void mk__engine_reset(struct mk_mock *m)
{
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->ix_count; i++) {
        m->ixs[i].used = 0;
        atomic_store(&m->ixs[i].arrived, -1);
    }
    mk__journal_clear(&m->journal);
    pthread_mutex_unlock(&m->mu);
}

/* ---- choosing ---------------------------------------------------------- */

/* Best passing candidate of kind for req (method taken from req). */
static size_t best_match(struct mk_mock *m, mk__req *req, int kind)
{
    size_t best = SIZE_MAX;
    int best_score = -1;
    for (size_t i = 0; i < m->ix_count; i++) {
        int score, passed;
        if ((int)m->ixs[i].ix->kind != kind) {
            continue;
        }
        if (mk__match(m->ixs[i].ix, req, &score, &passed, NULL, 0) && score > best_score) {
            best = i;
            best_score = score;
        }
    }
    return best;
}

static void nearest(struct mk_mock *m, mk__req *req, int kind, mk__pick *out)
{
    int best_passed = -1;
    char fail[400];
    out->nearest = SIZE_MAX;
    out->failed[0] = '\0';
    for (size_t i = 0; i < m->ix_count; i++) {
        int score, passed;
        if ((int)m->ixs[i].ix->kind != kind) {
            continue;
        }
        fail[0] = '\0';
        mk__match(m->ixs[i].ix, req, &score, &passed, fail, sizeof(fail));
        if (passed > best_passed) {
            best_passed = passed;
            out->nearest = i;
            snprintf(out->failed, sizeof(out->failed), "%s", fail);
        }
    }
}

void mk__engine_pick(struct mk_mock *m, mk__req *req, int kind, int64_t now_ms, mk__pick *out)
{
    size_t best;
    memset(out, 0, sizeof(*out));
    out->index = SIZE_MAX;
    out->nearest = SIZE_MAX;
    pthread_mutex_lock(&m->mu);
    best = best_match(m, req, kind);
    if (best == SIZE_MAX && kind == MK_IX_HTTP && strcmp(req->method, "HEAD") == 0) {
        const char *method = req->method;
        req->method = "GET";
        best = best_match(m, req, kind);
        req->method = method;
        out->via_get = best != SIZE_MAX;
    }
    if (best != SIZE_MAX) {
        /* Sequence: the first unused of its group, else the last. */
        size_t group = m->ixs[best].group, last = best, chosen = SIZE_MAX;
        for (size_t i = group; i < m->ix_count; i++) {
            if (m->ixs[i].group != group) {
                continue;
            }
            last = i;
            if (!m->ixs[i].used && chosen == SIZE_MAX) {
                chosen = i;
            }
        }
        if (chosen == SIZE_MAX) {
            chosen = last;
        }
        out->index = chosen;
        /* A HEAD answered from a GET only peeks: it must not advance the
         * GET's sequence (a poll after a HEAD still sees its next state). */
        if (!out->via_get) {
            m->ixs[chosen].used = 1;
            atomic_store(&m->ixs[chosen].arrived, now_ms);
        }
    } else {
        nearest(m, req, kind, out);
    }
    pthread_mutex_unlock(&m->mu);
    if (out->index != SIZE_MAX && !out->via_get && m->ixs[out->index].is_trigger) {
        /* only a trigger can end a trigger wait: 1,000 plain streams
         * starting must not walk every parked waiter 1,000 times */
        mk__clock_wake_triggers(m->clock);
    }
}

/* ---- scheduling -------------------------------------------------------- */

int64_t mk__deadline(double speed, int64_t anchor_now, int64_t anchor_at, int64_t at_ms)
{
    int64_t gap = at_ms - anchor_at;
    if (speed <= 0.0 || gap <= 0) {
        return anchor_now;
    }
    return anchor_now + (int64_t)((double)gap / speed + 0.5);
}

struct sched_wait {
    struct mk_mock *m;
    atomic_int *cancel;
    size_t trigger;      /* SIZE_MAX: only time */
    mk__peer *peer;      /* NULL: nothing to watch */
    int gone;            /* the peer left (set outside the clock's mutex) */
};

static int cancelled(const struct sched_wait *w)
{
    return w->gone || atomic_load(&w->m->stopping) || (w->cancel && atomic_load(w->cancel));
}

static int pred_cancel(void *arg)
{
    return cancelled(arg);
}

static int pred_trigger(void *arg)
{
    struct sched_wait *w = arg;
    return cancelled(w) || atomic_load(&w->m->ixs[w->trigger].arrived) >= 0;
}

/* A clock wait that, when it watches a peer, looks at the socket every
 * MK__PROBE_MS of real time, so an abandoned stream frees its worker.
 * A wait shorter than a second is not cut: the write at its end notices a
 * departed client just as soon, and 1,000 streams with short gaps should
 * not wake four times a second for nothing. */
static void wait_watching(struct sched_wait *w, int64_t deadline, int trigger)
{
    mk__wait_pred pred = trigger ? pred_trigger : pred_cancel;
    int slice = w->peer && (deadline == MK__NO_DEADLINE ||
                            deadline - mk_clock_now_ms(w->m->clock) > 1000)
                    ? MK__PROBE_MS
                    : 0;
    while (mk__clock_wait(w->m->clock, deadline, trigger, pred, w, slice) == 2) {
        if (mk__peer_gone(w->peer)) {
            w->gone = 1;
            return;
        }
    }
}

int mk__schedule_conn(struct mk_mock *m, size_t trigger, double speed, int64_t *anchor_now,
                      int64_t *anchor_at, int64_t at_ms, atomic_int *cancel, mk__peer *peer)
{
    struct sched_wait w = {m, cancel, trigger, peer, 0};
    int64_t deadline;
    if (trigger != SIZE_MAX) {
        if (atomic_load(&m->ixs[trigger].arrived) < 0) {
            wait_watching(&w, MK__NO_DEADLINE, 1);
        }
        if (cancelled(&w)) {
            return -1;
        }
        *anchor_now = atomic_load(&m->ixs[trigger].arrived);
        *anchor_at = m->ixs[trigger].ix->at_ms;
    }
    deadline = mk__deadline(speed, *anchor_now, *anchor_at, at_ms);
    if (deadline > mk_clock_now_ms(m->clock)) {
        wait_watching(&w, deadline, 0);
    }
    return cancelled(&w) ? -1 : 0;
}

int mk__schedule(struct mk_mock *m, size_t trigger, double speed, int64_t *anchor_now,
                 int64_t *anchor_at, int64_t at_ms, atomic_int *cancel)
{
    return mk__schedule_conn(m, trigger, speed, anchor_now, anchor_at, at_ms, cancel, NULL);
}

size_t mk__engine_find(const struct mk_mock *m, const mk_cassette *cas, const char *id)
{
    size_t out;
    return id && find_in(m, cas, id, &out) ? out : SIZE_MAX;
}
