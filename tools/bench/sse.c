/* sse.c: SSE replay: events/s through one stream at speed 0, and many
 * concurrent streams at speed 1.0 with the replay timing error of every
 * event: its lateness against the stream's recorded schedule (see
 * errors()), which leaves out connect time and measures what the engine
 * promises, the recorded gaps, both as sent and as read. Streams are spread over PHASES start offsets
 * so that their events do not all fall on the same millisecond. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <time.h>

#include <arpa/inet.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

enum { PHASES = 50, START_BATCH = 4 };

/* `mockkit serve` (a child process, as users run it) replaying doc as the
 * only service, "sse", from a folder of its own under tmpdir. Default
 * options but the speed, and --max-connections when more than the default
 * 1,024 streams are asked for. Returns the pid and sets *port, or -1. */
static pid_t start_serve(const mkb_opts *o, const char *name, cJSON *doc, const char *speed,
                         int max_connections, int *port)
{
    char root[400], dir[420], path[512], url[256], conns[16];
    snprintf(root, sizeof root, "%s/%s", o->tmpdir, name);
    snprintf(dir, sizeof dir, "%s/sse", root);
    if ((mkdir(root, 0700) != 0 && errno != EEXIST) || (mkdir(dir, 0700) != 0 && errno != EEXIST)) {
        fprintf(stderr, "mockkit-bench: mkdir %s: %s\n", dir, strerror(errno));
        cJSON_Delete(doc);
        return -1;
    }
    if (mkb_save(doc, dir, "timing.json", path, sizeof path) != 0)
        return -1;
    snprintf(conns, sizeof conns, "%d", max_connections);
    const char *args[] = {"--fixtures", root, "--speed", speed,
                          max_connections ? "--max-connections" : NULL, conns, NULL};
    pid_t pid = mkb_serve_start(o, name, args, url, sizeof url);
    const char *colon = pid >= 0 ? strrchr(url, ':') : NULL;
    *port = colon ? atoi(colon + 1) : 0;
    if (pid >= 0 && *port <= 0) {
        mkb_serve_stop(pid);
        return -1;
    }
    return pid;
}

/* One streamed interaction: GET path, chunks "data: k\n\n" at start + k*gap. */
static cJSON *sse_interaction(const char *id, const char *path, int start, int events, int gap)
{
    cJSON *ix = cJSON_CreateObject();
    cJSON_AddStringToObject(ix, "id", id);
    cJSON_AddNumberToObject(ix, "at_ms", 0);
    cJSON *req = cJSON_AddObjectToObject(ix, "request");
    cJSON_AddStringToObject(req, "method", "GET");
    cJSON_AddStringToObject(req, "path", path);
    cJSON *resp = cJSON_AddObjectToObject(ix, "response");
    cJSON_AddNumberToObject(resp, "status", 200);
    cJSON_AddNumberToObject(resp, "at_ms", start);
    cJSON *h = cJSON_AddObjectToObject(resp, "headers");
    cJSON_AddStringToObject(h, "content-type", "text/event-stream");
    cJSON_AddStringToObject(h, "cache-control", "no-cache");
    cJSON *chunks = cJSON_AddArrayToObject(resp, "chunks");
    for (int k = 0; k < events; k++) {
        char text[64];
        snprintf(text, sizeof text, "data: %d\n\n", k);
        cJSON *c = cJSON_CreateObject();
        cJSON_AddNumberToObject(c, "at_ms", start + 1 + (double)k * gap);
        cJSON_AddStringToObject(c, "text", text);
        cJSON_AddItemToArray(chunks, c);
    }
    return ix;
}

/* ---- one client stream ---------------------------------------------------- */

/* The reader is a plain socket, not libcurl: it needs the kernel's receive
 * stamp of every read (SO_TIMESTAMPING, a recvmsg control message), which
 * libcurl's own reads drop. That stamp says when the mock's bytes reached
 * this socket, i.e. when the mock sent them (loopback), whatever delays this
 * process's threads; the stamp taken after recvmsg returns says when this
 * client saw them. Both are kept: the first measures the mock, the second
 * what a client on the same two CPUs observes. The request is one GET and
 * the reader only needs the status and the "data: K" lines (the chunk-size
 * lines of the framing never match), so no HTTP library is needed. */
typedef struct stream {
    int fd;
    int phase;           /* path /bench/sse/<phase> */
    int sent;            /* the request went out */
    int status;          /* from the status line; 0 = not seen */
    char line[64];
    size_t line_len;
    int events;          /* events seen */
    int expected;
    int64_t *wire_ns;    /* [expected]: kernel receive stamp; 0 = not seen */
    int64_t *read_ns;    /* [expected]: after recvmsg returned */
    int done_ok;         /* status 200 and every event */
} stream;

/* Lines end at '\n'; "HTTP/1.1 200" gives the status, "data: K" event K. */
static void on_bytes(stream *s, const char *data, size_t len, int64_t wire, int64_t seen)
{
    for (size_t i = 0; i < len; i++) {
        char ch = data[i];
        if (ch != '\n') {
            if (s->line_len + 1 < sizeof s->line)
                s->line[s->line_len++] = ch;
            continue;
        }
        s->line[s->line_len] = '\0';
        s->line_len = 0;
        int k = -1;
        if (s->status == 0) {
            if (sscanf(s->line, "HTTP/1.%*d %d", &s->status) != 1)
                s->status = -1;
            continue;
        }
        if (sscanf(s->line, "data: %d", &k) != 1 || k < 0 || k >= s->expected ||
            s->wire_ns[k] != 0)
            continue;
        s->wire_ns[k] = wire ? wire : seen;
        s->read_ns[k] = seen;
        s->events++;
    }
}

typedef struct worker {
    stream *streams;
    int count;
    int port;
    int64_t deadline_ns;
    int no_stamp;        /* the kernel gave no receive stamp: wire = read */
    pthread_t thread;
} worker;

static void stream_close(int ep, stream *s)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, s->fd, NULL);
    close(s->fd);
    s->fd = -1;
    s->done_ok = s->status == 200 && s->events == s->expected;
}

static int stream_open(int ep, int port, stream *s)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1, stamp = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0)
        return -1;
    setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(s->fd, SOL_SOCKET, SO_TIMESTAMPING, &stamp, sizeof stamp);
    if (connect(s->fd, (struct sockaddr *)&sa, sizeof sa) != 0 && errno != EINPROGRESS) {
        close(s->fd);
        s->fd = -1;
        return -1;
    }
    struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.ptr = s};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &ev) != 0) {
        close(s->fd);
        s->fd = -1;
        return -1;
    }
    return 0;
}

/* Read what is there, each read with its stamps. 0 = keep going. */
static int stream_read(worker *w, stream *s)
{
    char buf[16384];
    for (;;) {
        union {
            char buf[CMSG_SPACE(sizeof(struct timespec) * 3)];
            struct cmsghdr align;
        } ctl;
        struct iovec iov = {buf, sizeof buf};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                            .msg_controllen = sizeof ctl.buf};
        ssize_t n = recvmsg(s->fd, &mh, MSG_DONTWAIT);
        int64_t seen = mkb_realtime_ns(), wire = 0;
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
        if (n == 0)
            return -1;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPING) {
                struct timespec ts[3];
                memcpy(ts, CMSG_DATA(c), sizeof ts);
                wire = (int64_t)ts[0].tv_sec * 1000000000 + ts[0].tv_nsec;
            }
        }
        if (wire == 0)
            w->no_stamp = 1;
        on_bytes(s, buf, (size_t)n, wire, seen);
        if (s->events == s->expected)
            return -1; /* all there: the stream is done */
    }
}

static void *run_worker(void *arg)
{
    worker *w = arg;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    /* Streams are opened START_BATCH per loop turn, between reads, so no
     * turn is long and bytes do not wait unread behind connection set-up
     * (docs/internals/scheduler.md). */
    int added = 0, open = 0;
    struct epoll_event evs[64];
    while ((open > 0 || added < w->count) && mkb_now_ns() < w->deadline_ns) {
        for (int k = 0; k < START_BATCH && added < w->count; k++) {
            stream *s = &w->streams[added++];
            if (stream_open(ep, w->port, s) == 0)
                open++;
        }
        int n = epoll_wait(ep, evs, 64, added < w->count ? 0 : 50);
        for (int i = 0; i < n; i++) {
            stream *s = evs[i].data.ptr;
            if (s->fd < 0)
                continue;
            if (!s->sent && (evs[i].events & EPOLLOUT)) {
                char req[128];
                int len = snprintf(req, sizeof req,
                                   "GET /bench/sse/%d HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                   "Accept: text/event-stream\r\n\r\n", s->phase);
                struct epoll_event ev = {.events = EPOLLIN, .data.ptr = s};
                s->sent = 1;
                if (send(s->fd, req, (size_t)len, MSG_NOSIGNAL) != len ||
                    epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &ev) != 0) {
                    stream_close(ep, s);
                    open--;
                }
                continue;
            }
            if ((evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && stream_read(w, s) != 0) {
                stream_close(ep, s);
                open--;
            }
        }
    }
    for (int i = 0; i < added; i++)
        if (w->streams[i].fd >= 0) {
            stream_close(ep, &w->streams[i]);
            w->streams[i].done_ok = 0; /* cut by the deadline */
        }
    close(ep);
    return NULL;
}

/* ---- throughput ------------------------------------------------------------ */

static void throughput(const mkb_opts *o, mkb_table *t)
{
    cJSON *ixs;
    cJSON *doc = mkb_cassette("sse-burst", &ixs);
    cJSON_AddItemToArray(ixs, sse_interaction("burst", "/bench/sse/0", 0, o->sse_events, 0));
    int port = 0;
    pid_t pid = start_serve(o, "sse-burst", doc, "0", 0, &port);
    if (pid < 0) {
        mkb_add(t, "SSE replay: events/s, 1 stream", "", "mock did not start", "n/a");
        return;
    }
    int64_t *stamps = calloc(2 * (size_t)o->sse_events, sizeof *stamps);
    stream s = {.fd = -1, .expected = o->sse_events, .wire_ns = stamps,
                .read_ns = stamps + o->sse_events};
    worker w = {.streams = &s, .count = 1, .port = port,
                .deadline_ns = mkb_now_ns() + 60LL * 1000000000};
    int64_t t0 = mkb_now_ns();
    run_worker(&w);
    double secs = (double)(mkb_now_ns() - t0) / 1e9;
    mkb_serve_stop(pid);
    free(stamps);
    char note[200];
    snprintf(note, sizeof note, "speed 0, %d events of ~10 bytes, each its own HTTP chunk; "
                                "%d received%s", o->sse_events, s.events,
             s.done_ok ? "" : ", stream did not end cleanly");
    mkb_add(t, "SSE replay: events/s, 1 stream", "", note, "%.0f", s.events / secs);
}

/* ---- concurrent streams, timing ------------------------------------------- */

/* The error of every event, from one kind of stamp (wire or read), into
 * two rows: all events, and those after every stream had its first one.
 * A stream's schedule origin is estimated as min over k of (stamp k - k *
 * gap): events can be late but never early, so the least-late event is the
 * best anchor. Anchoring on event 0 instead would charge every event of a
 * stream with event 0's delay. */
static void errors(mkb_table *t, const stream *streams, int streams_n, int gap, int wire,
                   const char *target, const mkb_floor *floor)
{
    size_t late = 0, in_stall = 0; /* events over 1 ms late; of them, during a stall */
    size_t per = (size_t)streams[0].expected;
    int64_t all_started = 0;
    for (int i = 0; i < streams_n; i++) {
        const int64_t *a = wire ? streams[i].wire_ns : streams[i].read_ns;
        if (a[0] > all_started)
            all_started = a[0];
    }
    size_t n = 0, ns = 0;
    double *flat = calloc((size_t)streams_n * per, sizeof *flat);
    double *steady = calloc((size_t)streams_n * per, sizeof *steady);
    for (int i = 0; i < streams_n; i++) {
        const int64_t *a = wire ? streams[i].wire_ns : streams[i].read_ns;
        int64_t origin = INT64_MAX;
        for (size_t k = 0; k < per; k++)
            if (a[k] != 0 && a[k] - (int64_t)k * gap * 1000000 < origin)
                origin = a[k] - (int64_t)k * gap * 1000000;
        for (size_t k = 0; k < per; k++) {
            if (a[k] == 0)
                continue;
            double err = (double)(a[k] - (int64_t)k * gap * 1000000 - origin) / 1e6;
            flat[n++] = err;
            if (err > 1.0) {
                late++;
                in_stall += floor && mkb_floor_stalled(floor, a[k] - (int64_t)(err * 1e6), a[k]);
            }
            if (a[k] > all_started)
                steady[ns++] = err;
        }
    }
    const char *how = wire ? "sent (kernel receive stamp)" : "as the client read them";
    char what[96], note[200], stalls[96] = "";
    double p50 = mkb_percentile(flat, n, 50), p99 = mkb_percentile(flat, n, 99);
    if (floor)
        snprintf(stalls, sizeof stalls, "; %zu over 1 ms late, %zu of them in a stall of the "
                                        "floor's", late, in_stall);
    snprintf(what, sizeof what, "SSE timing error p50 / p99, all events, %s", how);
    snprintf(note, sizeof note, "%zu events incl. start-up; max %.2f ms%s%s", n,
             n ? flat[n - 1] : 0.0, stalls, *target ? (p99 <= 1.0 ? "; met" : "; NOT met") : "");
    mkb_add(t, what, target, note, "%.3f / %.3f ms", p50, p99);
    p50 = mkb_percentile(steady, ns, 50);
    p99 = mkb_percentile(steady, ns, 99);
    snprintf(what, sizeof what, "SSE timing error p50 / p99, steady state, %s", how);
    snprintf(note, sizeof note, "%zu events after every stream had started; max %.2f ms%s", ns,
             ns ? steady[ns - 1] : 0.0, *target ? (p99 <= 1.0 ? "; met" : "; NOT met") : "");
    mkb_add(t, what, target, note, "%.3f / %.3f ms", p50, p99);
    free(steady);
    free(flat);
}

static void timing(const mkb_opts *o, int streams_n, int events_n, int gap, mkb_table *t)
{
    cJSON *ixs;
    cJSON *doc = mkb_cassette("sse-timing", &ixs);
    for (int p = 0; p < PHASES; p++) {
        char id[32], path[64];
        snprintf(id, sizeof id, "phase-%d", p);
        snprintf(path, sizeof path, "/bench/sse/%d", p);
        cJSON_AddItemToArray(ixs, sse_interaction(id, path, p, events_n, gap));
    }
    char what[96], name[32];
    snprintf(what, sizeof what, "SSE: %d concurrent streams, %d ms gaps, speed 1.0", streams_n,
             gap);
    snprintf(name, sizeof name, "sse-timing-%d", streams_n);
    int port = 0;
    pid_t pid = start_serve(o, name, doc, "1", streams_n + 16 > 1024 ? streams_n + 16 : 0, &port);
    if (pid < 0) {
        mkb_add(t, what, "", "mock did not start", "n/a");
        return;
    }
    size_t per = (size_t)events_n;
    stream *streams = calloc((size_t)streams_n, sizeof *streams);
    int64_t *stamps = calloc(2 * (size_t)streams_n * per, sizeof *stamps);
    for (int i = 0; i < streams_n; i++) {
        streams[i].fd = -1;
        streams[i].phase = i % PHASES;
        streams[i].expected = events_n;
        streams[i].wire_ns = stamps + 2 * (size_t)i * per;
        streams[i].read_ns = streams[i].wire_ns + per;
    }
    enum { WORKERS = 2 };
    worker ws[WORKERS];
    int64_t deadline = mkb_now_ns() + ((int64_t)events_n * gap + 30000) * 1000000LL;
    int base = 0, no_stamp = 0;
    mkb_floor floor;
    int floor_ok = mkb_floor_start(&floor) == 0; /* the machine's own stalls, same seconds */
    for (int k = 0; k < WORKERS; k++) {
        int n = streams_n / WORKERS + (k < streams_n % WORKERS);
        ws[k] = (worker){.streams = streams + base, .count = n, .port = port,
                         .deadline_ns = deadline};
        base += n;
        pthread_create(&ws[k].thread, NULL, run_worker, &ws[k]);
    }
    for (int k = 0; k < WORKERS; k++) {
        pthread_join(ws[k].thread, NULL);
        no_stamp |= ws[k].no_stamp;
    }
    mkb_floor_stop(&floor);
    mkb_serve_stop(pid);

    int complete = 0;
    for (int i = 0; i < streams_n; i++)
        complete += streams[i].done_ok;
    char note[200];
    snprintf(note, sizeof note, "%d events per stream, %d start phases; %d events/s overall; "
                                "mockkit serve, default options%s", events_n, PHASES, streams_n * 1000 / gap,
             streams_n + 16 > 1024 ? " but --max-connections" : "");
    mkb_add(t, what, streams_n >= 1000 ? "1,000 held" : "", note, "%d/%d streams complete",
            complete, streams_n);
    if (no_stamp)
        fprintf(stderr, "mockkit-bench: the kernel gave no receive stamps: "
                        "the wire rows are the read stamps\n");
    errors(t, streams, streams_n, gap, 1, "p99 <= 1 ms", floor_ok ? &floor : NULL);
    errors(t, streams, streams_n, gap, 0, "", floor_ok ? &floor : NULL);
    if (floor_ok)
        mkb_floor_report(&floor, t);
    mkb_floor_free(&floor);
    free(stamps);
    free(streams);
}

void mkb_sse(const mkb_opts *o, mkb_table *t)
{
    fprintf(stderr, "mockkit-bench: SSE throughput...\n");
    throughput(o, t);
    fprintf(stderr, "mockkit-bench: %d SSE streams at speed 1.0...\n", o->streams);
    timing(o, o->streams, o->stream_events, o->gap_ms, t);
    /* and a denser load: fewer streams, ten times the event rate each */
    int dense = o->streams < 100 ? o->streams : 100;
    fprintf(stderr, "mockkit-bench: %d SSE streams, 50 ms gaps...\n", dense);
    timing(o, dense, 20, 50, t);
}
