/* engine.c: the loaded interactions, sequence state, triggers and the
 * scheduler every timed send goes through. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "faults.h"
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

/* A list of held cassettes being gathered for a new set. */
typedef struct held_list {
    mk__held **items;
    size_t count;
} held_list;

static int held_push(held_list *l, mk__held *h)
{
    mk__held **grown = realloc(l->items, (l->count + 1) * sizeof(*grown));
    if (!grown) {
        return -1;
    }
    l->items = grown;
    l->items[l->count++] = h;
    return 0;
}

static void held_put(mk__held *h)
{
    if (h && atomic_fetch_sub(&h->refs, 1) == 1) {
        mk_cassette_free(h->c);
        free(h->arrived);
        free(h);
    }
}

/* Give back the list's own reference on each item. */
static void held_list_drop(held_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        held_put(l->items[i]);
    }
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

static int add_held(held_list *l, mk_cassette *c)
{
    mk__held *h = calloc(1, sizeof(*h));
    _Atomic int64_t *arrived = calloc(c->count ? c->count : 1, sizeof(*arrived));
    if (!h || !arrived || held_push(l, h) != 0) {
        free(arrived);
        free(h);
        return MK_MOCK_ENOMEM;
    }
    for (size_t k = 0; k < c->count; k++) {
        atomic_init(&arrived[k], -1);
    }
    atomic_init(&h->refs, 1); /* the list's reference */
    h->c = c;
    h->arrived = arrived;
    return MK_MOCK_OK;
}

static int add_cassette(held_list *l, const char *file, mk_diag *diag)
{
    mk_cassette *c = NULL;
    int rc = mk_cassette_load(file, &c, diag);
    if (rc != MK_CASSETTE_OK) {
        return rc == MK_CASSETTE_ENOMEM ? MK_MOCK_ENOMEM : MK_MOCK_ECASSETTE;
    }
    rc = add_held(l, c);
    if (rc != MK_MOCK_OK) {
        mk_cassette_free(c);
    }
    return rc;
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

static int add_folder(held_list *l, const char *dir, mk_diag *diag)
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
        rc = add_cassette(l, path, diag);
        free(path);
    }
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
    return rc;
}

static int load_paths(held_list *l, const char *const *paths, size_t n, mk_diag *diag)
{
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        int rc;
        if (!paths[i] || stat(paths[i], &st) != 0) {
            diag_set(diag, paths[i] ? paths[i] : "(null)", "no such file or folder");
            return MK_MOCK_ENOENT;
        }
        rc = S_ISDIR(st.st_mode) ? add_folder(l, paths[i], diag) : add_cassette(l, paths[i], diag);
        if (rc != MK_MOCK_OK) {
            return rc;
        }
    }
    return MK_MOCK_OK;
}

static size_t find_in(const mk__set *s, const mk_cassette *cas, const char *id)
{
    for (size_t i = 0; i < s->ix_count; i++) {
        if (s->ixs[i].cas == cas && strcmp(s->ixs[i].ix->id, id) == 0) {
            return i;
        }
    }
    return SIZE_MAX;
}

static int bad_after(const mk_cassette *cas, const char *a, const char *where, size_t ix, size_t k,
                     mk_diag *diag)
{
    char msg[300];
    snprintf(msg, sizeof(msg), "after: no interaction \"%s\"", a);
    diag_set(diag, cas->path, msg);
    if (diag) {
        snprintf(diag->pointer, sizeof(diag->pointer), "/interactions/%zu/%s/%zu/after", ix,
                 where, k);
    }
    return MK_MOCK_ECASSETTE;
}

/* Every `after` must name an interaction of the same cassette. */
static int check_triggers(mk__set *s, mk_diag *diag)
{
    for (size_t i = 0; i < s->ix_count; i++) {
        const mk_interaction *ix = s->ixs[i].ix;
        for (size_t k = 0; k < ix->response.chunk_count; k++) {
            const char *a = ix->response.chunks[k].after;
            size_t where = a ? find_in(s, s->ixs[i].cas, a) : SIZE_MAX;
            if (a && where == SIZE_MAX) {
                return bad_after(s->ixs[i].cas, a, "response/chunks", ix->index, k, diag);
            }
            if (a) {
                s->ixs[where].is_trigger = 1;
            }
        }
        for (size_t k = 0; k < ix->frame_count; k++) {
            const char *a = ix->frames[k].after;
            size_t where = a ? find_in(s, s->ixs[i].cas, a) : SIZE_MAX;
            if (a && where == SIZE_MAX) {
                return bad_after(s->ixs[i].cas, a, "websocket/frames", ix->index, k, diag);
            }
            if (a) {
                s->ixs[where].is_trigger = 1;
            }
        }
    }
    return MK_MOCK_OK;
}

static void set_free(mk__set *s)
{
    for (size_t i = 0; i < s->held_count; i++) {
        held_put(s->held[i]);
    }
    free(s->held);
    free(s->ixs);
    free(s);
}

void mk__set_put(mk__set *s)
{
    if (s && atomic_fetch_sub(&s->refs, 1) == 1) {
        set_free(s);
    }
}

mk__set *mk__set_get(const struct mk_mock *m)
{
    mk__set *s;
    pthread_mutex_lock(m->mu_ref);
    s = m->set;
    atomic_fetch_add(&s->refs, 1);
    pthread_mutex_unlock(m->mu_ref);
    return s;
}

/* A set (one reference) over the cassettes of l, each taking a reference. */
static int set_build(const held_list *l, mk__set **out, mk_diag *diag)
{
    size_t total = 0, at = 0;
    int rc;
    mk__set *s = calloc(1, sizeof(*s));
    *out = NULL;
    if (!s) {
        return MK_MOCK_ENOMEM;
    }
    atomic_init(&s->refs, 1);
    for (size_t i = 0; i < l->count; i++) {
        total += l->items[i]->c->count;
    }
    s->held = calloc(l->count ? l->count : 1, sizeof(*s->held));
    s->ixs = calloc(total ? total : 1, sizeof(*s->ixs));
    if (!s->held || !s->ixs) {
        set_free(s);
        return MK_MOCK_ENOMEM;
    }
    for (size_t i = 0; i < l->count; i++) {
        atomic_fetch_add(&l->items[i]->refs, 1);
        s->held[s->held_count++] = l->items[i];
    }
    for (size_t i = 0; i < l->count; i++) {
        const mk_cassette *c = l->items[i]->c;
        for (size_t k = 0; k < c->count; k++, at++) {
            mk__ix *x = &s->ixs[at];
            x->ix = &c->interactions[k];
            x->cas = c;
            x->group = at;
            x->arrived = &l->items[i]->arrived[k];
            for (size_t g = 0; g < at; g++) {
                if (s->ixs[g].group == g && mk__same_request(s->ixs[g].ix, x->ix)) {
                    x->group = g;
                    break;
                }
            }
        }
    }
    s->ix_count = total;
    rc = check_triggers(s, diag);
    if (rc == MK_MOCK_OK) {
        rc = mk__faults_check_set(s, diag);
    }
    if (rc != MK_MOCK_OK) {
        set_free(s);
        return rc;
    }
    *out = s;
    return MK_MOCK_OK;
}

int mk__engine_load(struct mk_mock *m, const char *const *paths, size_t n, mk_diag *diag)
{
    held_list l = {0};
    int rc = load_paths(&l, paths, n, diag);
    if (rc == MK_MOCK_OK) {
        rc = set_build(&l, &m->set, diag);
    }
    held_list_drop(&l);
    return rc;
}

void mk__engine_free(struct mk_mock *m)
{
    mk__set_put(m->set);
    m->set = NULL;
}

void mk__engine_reset(struct mk_mock *m)
{
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->set->ix_count; i++) {
        m->set->ixs[i].used = 0;
        atomic_store(m->set->ixs[i].arrived, -1);
    }
    mk__journal_clear(&m->journal);
    pthread_mutex_unlock(&m->mu);
}

/* ---- swapping ---------------------------------------------------------- */

/* Make s current (under mu), carrying over the sequence state of every
 * cassette the old set served too (arrivals are the held cassette's, shared
 * already); the old set is given back, and lives on while requests that
 * started on it still run. */
static void swap_in(struct mk_mock *m, mk__set *s)
{
    mk__set *old;
    pthread_mutex_lock(&m->mu);
    old = m->set;
    for (size_t i = 0, j = 0; i < s->ix_count; i++) {
        /* both index a cassette's interactions contiguously, in order */
        if (j >= old->ix_count || old->ixs[j].cas != s->ixs[i].cas) {
            for (j = 0; j < old->ix_count && old->ixs[j].cas != s->ixs[i].cas; j++) {
            }
            if (j == old->ix_count) {
                continue;
            }
        }
        s->ixs[i].used = old->ixs[j].used;
        j++;
    }
    m->set = s;
    pthread_mutex_unlock(&m->mu);
    mk__set_put(old);
}

/* The held cassettes of the current set, minus those named name (NULL:
 * none); each pushed with a reference of the list's own. */
static int keep_from(struct mk_mock *m, mk__set *cur, const char *name, held_list *l, int *dropped)
{
    (void)m;
    *dropped = 0;
    for (size_t i = 0; i < cur->held_count; i++) {
        const char *n = cur->held[i]->c->meta.name;
        if (name && n && strcmp(n, name) == 0) {
            (*dropped)++;
            continue;
        }
        if (held_push(l, cur->held[i]) != 0) {
            return MK_MOCK_ENOMEM;
        }
        atomic_fetch_add(&cur->held[i]->refs, 1);
    }
    return MK_MOCK_OK;
}

int mk__engine_add(struct mk_mock *m, mk_cassette *c, int *replaced, mk_diag *diag)
{
    held_list l = {0};
    mk__set *cur, *s = NULL;
    int dropped = 0, rc;
    pthread_mutex_lock(&m->swap_mu);
    cur = mk__set_get(m);
    rc = keep_from(m, cur, c->meta.name, &l, &dropped);
    if (rc == MK_MOCK_OK) {
        rc = add_held(&l, c);
    }
    if (rc != MK_MOCK_OK) {
        mk_cassette_free(c); /* taken whatever happens */
    } else {
        rc = set_build(&l, &s, diag);
    }
    if (rc == MK_MOCK_OK) {
        swap_in(m, s);
    }
    held_list_drop(&l);
    mk__set_put(cur);
    pthread_mutex_unlock(&m->swap_mu);
    if (replaced) {
        *replaced = dropped;
    }
    return rc;
}

int mk__engine_remove(struct mk_mock *m, const char *name, mk_diag *diag)
{
    held_list l = {0};
    mk__set *cur, *s = NULL;
    int dropped = 0, rc;
    pthread_mutex_lock(&m->swap_mu);
    cur = mk__set_get(m);
    rc = keep_from(m, cur, name, &l, &dropped);
    if (rc == MK_MOCK_OK && dropped == 0) {
        diag_set(diag, name, "no cassette with this meta.name is being served");
        rc = MK_MOCK_ENOENT;
    }
    if (rc == MK_MOCK_OK) {
        rc = set_build(&l, &s, diag);
    }
    if (rc == MK_MOCK_OK) {
        swap_in(m, s);
    }
    held_list_drop(&l);
    mk__set_put(cur);
    pthread_mutex_unlock(&m->swap_mu);
    return rc;
}

int mk__engine_reload(struct mk_mock *m, const char *const *paths, size_t n, mk_diag *diag)
{
    held_list l = {0};
    mk__set *s = NULL;
    int rc;
    pthread_mutex_lock(&m->swap_mu);
    rc = load_paths(&l, paths, n, diag);
    if (rc == MK_MOCK_OK) {
        rc = set_build(&l, &s, diag);
    }
    held_list_drop(&l);
    if (rc == MK_MOCK_OK) {
        swap_in(m, s);
    }
    pthread_mutex_unlock(&m->swap_mu);
    return rc;
}

/* ---- choosing ---------------------------------------------------------- */

/* Best passing candidate of kind for req (method taken from req). */
static size_t best_match(mk__set *s, mk__req *req, int kind)
{
    size_t best = SIZE_MAX;
    int best_score = -1;
    for (size_t i = 0; i < s->ix_count; i++) {
        int score, passed;
        if ((int)s->ixs[i].ix->kind != kind) {
            continue;
        }
        if (mk__match(s->ixs[i].ix, req, &score, &passed, NULL, 0) && score > best_score) {
            best = i;
            best_score = score;
        }
    }
    return best;
}

/* The closest candidates of kind (only for an unmatched request, so the
 * matched path stays as fast as it was). */
static void nearest(mk__set *s, mk__req *req, int kind, mk__pick *out)
{
    int rank[MK__NEAR];
    char fail[400];
    out->nearest = SIZE_MAX;
    out->failed[0] = '\0';
    out->near_count = 0;
    for (size_t i = 0; i < s->ix_count; i++) {
        int score, passed, r;
        size_t at;
        if ((int)s->ixs[i].ix->kind != kind) {
            continue;
        }
        fail[0] = '\0';
        mk__match(s->ixs[i].ix, req, &score, &passed, fail, sizeof(fail));
        /* matchers passed first; among those failing on the body, the
         * most alike body */
        r = passed * 1001 + (passed == 4 ? mk__body_similarity(s->ixs[i].ix, req) : 0);
        for (at = out->near_count; at > 0 && rank[at - 1] < r; at--) {
        }
        if (at >= MK__NEAR) {
            continue;
        }
        for (size_t k = (out->near_count < MK__NEAR ? out->near_count : MK__NEAR - 1); k > at;
             k--) {
            rank[k] = rank[k - 1];
            out->near[k] = out->near[k - 1];
            memcpy(out->near_failed[k], out->near_failed[k - 1], sizeof(out->near_failed[k]));
        }
        rank[at] = r;
        out->near[at] = i;
        snprintf(out->near_failed[at], sizeof(out->near_failed[at]), "%s", fail);
        if (out->near_count < MK__NEAR) {
            out->near_count++;
        }
    }
    if (out->near_count > 0) {
        out->nearest = out->near[0];
        memcpy(out->failed, out->near_failed[0], sizeof(out->failed));
    }
}

void mk__engine_pick(struct mk_mock *m, mk__req *req, int kind, int64_t now_ms, mk__pick *out)
{
    size_t best;
    mk__set *s;
    /* not memset: the near-miss buffers are only written when unmatched */
    out->via_get = 0;
    out->index = SIZE_MAX;
    out->nearest = SIZE_MAX;
    out->failed[0] = '\0';
    out->near_count = 0;
    pthread_mutex_lock(&m->mu);
    /* the reference is taken with the choice: a swap cannot come between */
    s = out->set = m->set;
    atomic_fetch_add(&s->refs, 1);
    best = best_match(s, req, kind);
    if (best == SIZE_MAX && kind == MK_IX_HTTP && strcmp(req->method, "HEAD") == 0) {
        const char *method = req->method;
        req->method = "GET";
        best = best_match(s, req, kind);
        req->method = method;
        out->via_get = best != SIZE_MAX;
    }
    if (best != SIZE_MAX) {
        /* Sequence: the first unused of its group, else the last. */
        size_t group = s->ixs[best].group, last = best, chosen = SIZE_MAX;
        for (size_t i = group; i < s->ix_count; i++) {
            if (s->ixs[i].group != group) {
                continue;
            }
            last = i;
            if (!s->ixs[i].used && chosen == SIZE_MAX) {
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
            s->ixs[chosen].used = 1;
            atomic_store(s->ixs[chosen].arrived, now_ms);
        }
    } else {
        nearest(s, req, kind, out);
    }
    pthread_mutex_unlock(&m->mu);
    if (out->index != SIZE_MAX && !out->via_get && s->ixs[out->index].is_trigger) {
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
    mk__ix *trigger;     /* NULL: only time */
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
    return cancelled(w) || atomic_load(w->trigger->arrived) >= 0;
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

int mk__schedule_conn(struct mk_mock *m, mk__ix *trigger, double speed, int64_t *anchor_now,
                      int64_t *anchor_at, int64_t at_ms, atomic_int *cancel, mk__peer *peer)
{
    struct sched_wait w = {m, cancel, trigger, peer, 0};
    int64_t deadline;
    if (trigger) {
        if (atomic_load(trigger->arrived) < 0) {
            wait_watching(&w, MK__NO_DEADLINE, 1);
        }
        if (cancelled(&w)) {
            return -1;
        }
        *anchor_now = atomic_load(trigger->arrived);
        *anchor_at = trigger->ix->at_ms;
    }
    deadline = mk__deadline(speed, *anchor_now, *anchor_at, at_ms);
    if (deadline > mk_clock_now_ms(m->clock)) {
        wait_watching(&w, deadline, 0);
    }
    return cancelled(&w) ? -1 : 0;
}

int mk__schedule(struct mk_mock *m, mk__ix *trigger, double speed, int64_t *anchor_now,
                 int64_t *anchor_at, int64_t at_ms, atomic_int *cancel)
{
    return mk__schedule_conn(m, trigger, speed, anchor_now, anchor_at, at_ms, cancel, NULL);
}

mk__ix *mk__engine_find(mk__set *s, const mk_cassette *cas, const char *id)
{
    size_t i = id ? find_in(s, cas, id) : SIZE_MAX;
    return i == SIZE_MAX ? NULL : &s->ixs[i];
}
