/* faults.c: the mock's fault list, the per-request decision and the send
 * hooks (see faults.h and docs/faults.md).
 *
 * Determinism: one splitmix64 PRNG per mock, seeded from opts.seed, drawn
 * only under the list's mutex in this order for each request: for every
 * fault whose method and path match, in the order they were added, one
 * draw when its p < 1 (and it is due); for the first fault that fires, its
 * latency draws (uniform: one, lognormal: two) and one draw that seeds the
 * request's own stream (garbage bytes, between-chunk latencies). So the
 * same requests in the same order get the same faults. */
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "faults.h"
#include "mockkit/client.h"

struct mk__fault_node {
    mk__fault f;
    char *spec;
    struct mk__fault_node *next;
};

struct mk__faults {
    atomic_int count;        /* how many: 0 skips the lock on every request */
    pthread_mutex_t mu;
    uint64_t rng;
    struct mk__fault_node *head, *tail;
};

static int64_t draw_latency(const mk__fault *f, uint64_t *s);

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in (0, 1): never 0, so log() is safe. */
static double unit(uint64_t *s)
{
    return ((double)(splitmix(s) >> 11) + 0.5) / 9007199254740992.0;
}

struct mk__faults *mk__faults_new(uint64_t seed)
{
    struct mk__faults *fl = calloc(1, sizeof(*fl));
    if (fl) {
        pthread_mutex_init(&fl->mu, NULL);
        fl->rng = seed;
    }
    return fl;
}

static void drop_all(struct mk__faults *fl)
{
    struct mk__fault_node *n = fl->head;
    while (n) {
        struct mk__fault_node *next = n->next;
        free(n->spec);
        free(n);
        n = next;
    }
    fl->head = fl->tail = NULL;
    atomic_store(&fl->count, 0);
}

void mk__faults_free(struct mk__faults *fl)
{
    if (fl) {
        drop_all(fl);
        pthread_mutex_destroy(&fl->mu);
        free(fl);
    }
}

static void append(struct mk__faults *fl, struct mk__fault_node *n)
{
    pthread_mutex_lock(&fl->mu);
    if (fl->tail) {
        fl->tail->next = n;
    } else {
        fl->head = n;
    }
    fl->tail = n;
    atomic_fetch_add(&fl->count, 1);
    pthread_mutex_unlock(&fl->mu);
}

int mk_mock_fault_add(mk_mock *m, const char *spec, char *err, size_t err_size)
{
    char scratch[8];
    struct mk__fault_node *n;
    mk__service named;
    if (!err) {
        err = scratch;
        err_size = sizeof(scratch);
    }
    n = calloc(1, sizeof(*n));
    if (!n || !(n->spec = strdup(spec ? spec : ""))) {
        free(n);
        snprintf(err, err_size, "out of memory");
        return MK_MOCK_ENOMEM;
    }
    if (mk__fault_parse(spec, &n->f, err, err_size) != 0) {
        free(n->spec);
        free(n);
        return MK_MOCK_EINVAL;
    }
    if (n->f.service[0] &&
        (mk__service_parse(n->f.service, &named) != 0 || named != m->service)) {
        snprintf(err, err_size, "fault spec names service '%s', which this mock does not serve",
                 n->f.service);
        free(n->spec);
        free(n);
        return MK_MOCK_EINVAL;
    }
    append(m->faults, n);
    return MK_MOCK_OK;
}

int mk__faults_add(struct mk__faults *fl, const char *spec, char *err, size_t err_size)
{
    struct mk__fault_node *n = calloc(1, sizeof(*n));
    if (!n || !(n->spec = strdup(spec ? spec : ""))) {
        free(n);
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    if (mk__fault_parse(spec, &n->f, err, err_size) != 0) {
        free(n->spec);
        free(n);
        return -1;
    }
    append(fl, n);
    return 0;
}

void mk_mock_fault_clear(mk_mock *m)
{
    pthread_mutex_lock(&m->faults->mu);
    drop_all(m->faults);
    pthread_mutex_unlock(&m->faults->mu);
}

cJSON *mk_mock_faults_json(const mk_mock *m)
{
    cJSON *arr = cJSON_CreateArray();
    pthread_mutex_lock(&m->faults->mu);
    for (struct mk__fault_node *n = m->faults->head; n && arr; n = n->next) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "spec", n->spec);
        cJSON_AddNumberToObject(o, "seen", (double)n->f.seen);
        cJSON_AddNumberToObject(o, "times_left", (double)n->f.times);
        cJSON_AddItemToArray(arr, o);
    }
    pthread_mutex_unlock(&m->faults->mu);
    return arr;
}

int64_t mk__fault_draw(mk__fault_act *a)
{
    return draw_latency(&a->f, &a->rng);
}

static int64_t draw_latency(const mk__fault *f, uint64_t *s)
{
    double ms = f->a;
    if (f->dist == MK__DIST_UNIFORM) {
        ms = f->a + (f->b - f->a) * unit(s);
    } else if (f->dist == MK__DIST_LOGNORMAL) {
        double u1 = unit(s), u2 = unit(s);
        double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
        ms = f->a * exp(f->b * z);
        if (ms > 3.6e6) {
            ms = 3.6e6;
        }
    }
    return (int64_t)(ms + 0.5);
}

void mk__fault_decide(struct mk_mock *m, const char *method, const char *path,
                      mk__fault_act *out)
{
    mk__faults_decide(m->faults, method, path, out);
}

void mk__faults_decide(struct mk__faults *fl, const char *method, const char *path,
                       mk__fault_act *out)
{
    memset(out, 0, sizeof(*out));
    if (!fl || atomic_load(&fl->count) == 0) {
        return; /* the common case: no fault set, no lock taken */
    }
    pthread_mutex_lock(&fl->mu);
    for (struct mk__fault_node *n = fl->head; n; n = n->next) {
        mk__fault *f = &n->f;
        if ((f->method[0] && strcmp(f->method, method) != 0) ||
            (strcmp(f->path, "*") != 0 && !mk__path_match(f->path, path))) {
            continue;
        }
        f->seen++;
        if (f->times == 0 || f->seen % f->every != 0 ||
            (f->p < 1.0 && unit(&fl->rng) >= f->p)) {
            continue;
        }
        if (f->times > 0) {
            f->times--;
        }
        out->on = 1;
        out->f = *f;
        out->delay_ms = f->kind == MK__F_LATENCY ? draw_latency(f, &fl->rng) : 0;
        out->rng = splitmix(&fl->rng);
        break;
    }
    pthread_mutex_unlock(&fl->mu);
}

void mk__fault_act_cassette(struct mk_mock *m, const char *action, int at_part,
                            mk__fault_act *out)
{
    char err[8];
    memset(out, 0, sizeof(*out));
    if (mk__fault_parse_action(action, &out->f, err, sizeof(err)) != 0) {
        return; /* refused at load: cannot happen */
    }
    if (at_part && (out->f.kind == MK__F_LATENCY || out->f.kind == MK__F_STALL)) {
        out->f.at = MK__AT_FIRST;
    }
    out->on = 1;
    pthread_mutex_lock(&m->faults->mu);
    out->delay_ms =
        out->f.kind == MK__F_LATENCY ? draw_latency(&out->f, &m->faults->rng) : 0;
    out->rng = splitmix(&m->faults->rng);
    pthread_mutex_unlock(&m->faults->mu);
}

int mk_mock_fault_check(const char *action, char *err, size_t err_size)
{
    mk__fault f;
    char scratch[8];
    if (!err) {
        err = scratch;
        err_size = sizeof(scratch);
    }
    return mk__fault_parse_action(action, &f, err, err_size) == 0 ? MK_MOCK_OK : MK_MOCK_EINVAL;
}

static int check_one(const mk__ix *x, const char *action, const char *ptr, mk_diag *diag)
{
    mk__fault f;
    char err[300];
    if (!action || mk__fault_parse_action(action, &f, err, sizeof(err)) == 0) {
        return 0;
    }
    if (diag) {
        memset(diag, 0, sizeof(*diag));
        snprintf(diag->file, sizeof(diag->file), "%s", x->cas->path);
        snprintf(diag->pointer, sizeof(diag->pointer), "/interactions/%zu%s", x->ix->index, ptr);
        snprintf(diag->message, sizeof(diag->message), "%s", err);
    }
    return -1;
}

int mk__faults_check_set(const mk__set *s, mk_diag *diag)
{
    char ptr[96];
    for (size_t i = 0; i < s->ix_count; i++) {
        const mk__ix *x = &s->ixs[i];
        if (check_one(x, x->ix->fault, "/fault", diag) != 0) {
            return MK_MOCK_ECASSETTE;
        }
        for (size_t k = 0; k < x->ix->response.chunk_count; k++) {
            snprintf(ptr, sizeof(ptr), "/response/chunks/%zu/fault", k);
            if (check_one(x, x->ix->response.chunks[k].fault, ptr, diag) != 0) {
                return MK_MOCK_ECASSETTE;
            }
        }
        for (size_t k = 0; k < x->ix->frame_count; k++) {
            snprintf(ptr, sizeof(ptr), "/websocket/frames/%zu/fault", k);
            if (check_one(x, x->ix->frames[k].fault, ptr, diag) != 0) {
                return MK_MOCK_ECASSETTE;
            }
        }
    }
    return MK_MOCK_OK;
}

/* ---- hooks -------------------------------------------------------------- */

/* Wait until `from` + ms on the mock's clock, watching the client like a
 * parked stream. */
/* Now on the mock's clock, or without a mock (the recorder's proxy) on
 * the real monotonic one. */
static int64_t now_ms(const struct mk_mock *m)
{
    struct timespec ts;
    if (m) {
        return mk_clock_now_ms(m->clock);
    }
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Without a mock: real time in slices of at most MK__PROBE_MS, ending early
 * (GONE) when the client leaves or the act's stop flag is set. */
static int wait_real(const mk__fault_act *a, mk__peer *peer, int64_t deadline)
{
    for (;;) {
        if (a->stop && __atomic_load_n(a->stop, __ATOMIC_RELAXED)) {
            return MK__FH_GONE;
        }
        if (peer && mk__peer_gone(peer)) {
            return MK__FH_GONE;
        }
        int64_t left = deadline - now_ms(NULL);
        if (left <= 0) {
            return MK__FH_GO;
        }
        if (left > MK__PROBE_MS) {
            left = MK__PROBE_MS;
        }
        struct timespec ts = {(time_t)(left / 1000), (long)(left % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

static int wait_from(struct mk_mock *m, const mk__fault_act *a, mk__peer *peer, int64_t from,
                     int64_t ms)
{
    atomic_int never = 0;
    int64_t at = 0;
    if (!m) {
        return wait_real(a, peer, from + ms);
    }
    return mk__schedule_conn(m, NULL, 1.0, &from, &at, ms, &never, peer) == 0 ? MK__FH_GO
                                                                                  : MK__FH_GONE;
}

static int wait_ms(struct mk_mock *m, const mk__fault_act *a, mk__peer *peer, int64_t ms)
{
    return wait_from(m, a, peer, now_ms(m), ms);
}

int mk__fault_wait(struct mk_mock *m, const mk__fault_act *a, mk__peer *peer, int64_t ms)
{
    return wait_ms(m, a, peer, ms);
}

/* Until the client leaves or the mock (or recorder) stops: hour-long
 * waits, each of which probes the socket every MK__PROBE_MS. */
static int stall(struct mk_mock *m, const mk__fault_act *a, mk__peer *peer)
{
    while (wait_ms(m, a, peer, 3600000) == MK__FH_GO) {
    }
    return MK__FH_GONE;
}

void mk__fault_close(struct mg_connection *conn, const mk__fault_act *a, mk__peer *peer)
{
    int fd = mk__peer_fd(peer);
    mg_disable_connection_keep_alive(conn);
    if (fd < 0) {
        return; /* no /proc: CivetWeb closes it with FIN when we return */
    }
    if (a->f.rst) {
        /* linger 0 and a disconnect: the kernel sends RST now; CivetWeb's own
         * shutdown and close later find a socket that is no longer connected */
        struct linger l = {1, 0};
        struct sockaddr sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_family = AF_UNSPEC;
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
        (void)connect(fd, &sa, sizeof(sa));
    } else {
        shutdown(fd, SHUT_WR); /* FIN now, not when the worker gets round to it */
    }
}

int mk__fault_before_status(struct mk_mock *m, struct mg_connection *conn, mk__fault_act *a,
                            const mk__req *req, mk__peer *peer, mk__reply *out)
{
    const mk__fault *f = &a->f;
    char msg[160];
    (void)req;
    if (!a->on) {
        return MK__FH_GO;
    }
    switch (f->kind) {
    case MK__F_LATENCY:
        return f->at == MK__AT_STATUS ? wait_ms(m, a, peer, a->delay_ms) : MK__FH_GO;
    case MK__F_STALL:
        return f->at == MK__AT_STATUS ? stall(m, a, peer) : MK__FH_GO;
    case MK__F_STATUS:
        snprintf(msg, sizeof(msg), "mockkit fault: status %d", f->status);
        if (mk__profile_fault(m, f->status, msg, out) != 0) {
            return MK__FH_GONE;
        }
        if (f->retry_after >= 0) {
            size_t used = strlen(out->extra);
            snprintf(out->extra + used, sizeof(out->extra) - used, "Retry-After: %d\r\n",
                     f->retry_after);
        }
        return MK__FH_REPLY;
    case MK__F_EMPTY:
        mk__fault_close(conn, a, peer);
        return MK__FH_DONE;
    case MK__F_GARBAGE: {
        unsigned char buf[4096];
        size_t left = f->garbage;
        while (left > 0) {
            size_t n = left < sizeof(buf) ? left : sizeof(buf);
            for (size_t i = 0; i < n; i++) {
                buf[i] = (unsigned char)(splitmix(&a->rng) >> 56);
            }
            if (mg_write(conn, buf, n) != (int)n) {
                break;
            }
            left -= n;
        }
        mk__fault_close(conn, a, peer);
        return MK__FH_DONE;
    }
    default:
        return MK__FH_GO;
    }
}

/* Event counting goes through the kit's own SSE parser, so "event N" is
 * what a WHATWG client dispatches: a `: ping` comment block or a block
 * without data is no event. */
static int on_sse_event(void *user, const mkc_sse_event *ev)
{
    mk__fault_act *a = user;
    (void)ev;
    a->events++;
    return a->sse_stop >= 0 && a->events >= a->sse_stop; /* nonzero: stop right here */
}

void mk__fault_act_end(mk__fault_act *a)
{
    if (a) {
        mkc_sse_parser_free(a->sse);
        a->sse = NULL;
    }
}

/* Feed sent body bytes to the event counter. Stops right after the line end
 * that dispatches event `stop` (when >= 0; a CRLF ends after its LF) and
 * returns its offset; else returns len. Without memory for the parser no
 * event is counted (the stream goes on unfaulted rather than cut wrongly).
 * The parser's user pointer is the act: an act is not moved once a hook
 * has fed it. */
static size_t scan(mk__fault_act *a, const unsigned char *p, size_t len, int stop)
{
    if (!a->sse) {
        a->sse = mkc_sse_parser_new(on_sse_event, NULL, a);
        if (!a->sse) {
            return len;
        }
        mkc_sse_parser_set_limit(a->sse, SIZE_MAX);
    }
    a->sse_stop = stop;
    uint64_t before = mkc_sse_parser_offset(a->sse);
    if (mkc_sse_parser_feed(a->sse, p, len) != MKC_EABORTED) {
        return len;
    }
    size_t i = (size_t)(mkc_sse_parser_offset(a->sse) - before);
    /* the dispatching line end was consumed; a CR's LF belongs to it */
    if (i > 0 && i < len && p[i - 1] == '\r' && p[i] == '\n') {
        i++;
    }
    return i;
}

static int write_framed(struct mg_connection *conn, const void *data, size_t len, int chunked)
{
    char head[24];
    if (len == 0) {
        return 0;
    }
    if (chunked) {
        int n = snprintf(head, sizeof(head), "%zx\r\n", len);
        if (mg_write(conn, head, (size_t)n) != n) {
            return -1;
        }
    }
    if (mg_write(conn, data, len) != (int)len) {
        return -1;
    }
    return chunked && mg_write(conn, "\r\n", 2) != 2 ? -1 : 0;
}

static int drip(struct mk_mock *m, struct mg_connection *conn, mk__fault_act *a,
                const mk_bytes *data, int chunked, mk__peer *peer)
{
    char head[24];
    size_t hlen = chunked ? (size_t)snprintf(head, sizeof(head), "%zx\r\n", data->len) : 0;
    size_t total = hlen + data->len + (chunked ? 2 : 0);
    int64_t start = now_ms(m);
    int64_t piece_no = 0;
    /* pieces on a grid from the first (start + k*T), so a late wake-up
     * does not stretch the rest */
    for (size_t off = 0; off < total;) {
        char piece[4096];
        size_t n = a->f.drip_bytes < sizeof(piece) ? a->f.drip_bytes : sizeof(piece);
        if (n > total - off) {
            n = total - off;
        }
        for (size_t i = 0; i < n; i++) {
            size_t at = off + i;
            piece[i] = at < hlen ? head[at]
                       : at < hlen + data->len ? (char)data->data[at - hlen]
                                               : "\r\n"[at - hlen - data->len];
        }
        if (mg_write(conn, piece, n) != (int)n) {
            return MK__FH_GONE;
        }
        off += n;
        if (off < total && wait_from(m, a, peer, start, ++piece_no * a->f.drip_ms) != MK__FH_GO) {
            return MK__FH_GONE;
        }
    }
    return MK__FH_WROTE;
}

int mk__fault_chunk(struct mk_mock *m, struct mg_connection *conn, mk__fault_act *a, size_t i,
                    const mk_bytes *data, int chunked, mk__peer *peer)
{
    const mk__fault *f = &a->f;
    if (!a->on) {
        return MK__FH_GO;
    }
    switch (f->kind) {
    case MK__F_LATENCY:
        if (f->at == MK__AT_FIRST && i == 0) {
            return wait_ms(m, a, peer, a->delay_ms);
        }
        if (f->at == MK__AT_BETWEEN && i > 0) {
            /* each gap its own draw, from the request's stream */
            return wait_ms(m, a, peer, mk__fault_draw(a));
        }
        return MK__FH_GO;
    case MK__F_STALL:
        if ((f->at == MK__AT_FIRST && i == 0) ||
            (f->at == MK__AT_EVENT && a->events >= f->at_event)) {
            return stall(m, a, peer);
        }
        scan(a, data->data, data->len, -1);
        return MK__FH_GO;
    case MK__F_DRIP:
        return drip(m, conn, a, data, chunked, peer);
    case MK__F_BADCHUNK:
        if (!chunked) {
            return MK__FH_GO; /* a plain body has no chunk to break */
        }
        /* a size line that is not hex, then the data: every decoder stops here */
        if (mg_write(conn, "zz\r\n", 4) == 4) {
            (void)write_framed(conn, data->data, data->len, 0);
        }
        mk__fault_close(conn, a, peer);
        return MK__FH_DONE;
    case MK__F_CUT: {
        size_t k = data->len;
        int cut = 0;
        if (f->cut_byte >= 0 && a->body_sent + data->len >= (unsigned long long)f->cut_byte) {
            k = (size_t)((unsigned long long)f->cut_byte - a->body_sent);
            cut = 1;
        } else if (f->cut_event >= 0) {
            if (a->events >= f->cut_event) {
                k = 0;
                cut = 1;
            } else {
                k = scan(a, data->data, data->len, f->cut_event);
                cut = a->events >= f->cut_event;
            }
        }
        if (!cut) {
            a->body_sent += data->len;
            return MK__FH_GO;
        }
        (void)write_framed(conn, data->data, k, chunked);
        mk__fault_close(conn, a, peer);
        return MK__FH_DONE;
    }
    default:
        return MK__FH_GO;
    }
}
