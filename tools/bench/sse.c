/* sse.c: SSE replay: events/s through one stream at speed 0, and many
 * concurrent streams at speed 1.0 with the replay timing error of every
 * event: its lateness against the stream's recorded schedule (see
 * timing()), which leaves out connect time and measures what the engine
 * promises, the recorded gaps. Streams are spread over PHASES start offsets
 * so that their events do not all fall on the same millisecond. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/epoll.h>
#include <unistd.h>

#include <curl/curl.h>

#include "bench.h"
#include "mockkit/mock.h"

enum { PHASES = 50, START_BATCH = 4 };

static mk_mock *start_mock(const char *path, double speed, int threads)
{
    mk_mock_options mo;
    mk_mock_options_init(&mo);
    mo.speed = speed;
    mo.quiet = 1;
    mo.threads = threads;
    const char *paths[] = {path};
    mk_mock *m = NULL;
    mk_diag d;
    int rc = mk_mock_new(&mo, paths, 1, &m, &d);
    if (rc != MK_MOCK_OK) {
        char buf[1200];
        fprintf(stderr, "mockkit-bench: mock: %s: %s\n", mk_mock_strerror(rc),
                mk_diag_format(&d, buf, sizeof buf));
        return NULL;
    }
    return m;
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

typedef struct stream {
    CURL *easy;
    char line[64];
    size_t line_len;
    int events;          /* events seen */
    int64_t *arrival_ns; /* [events expected]; 0 = not seen */
    int expected;
    int gap_ms;
    long status;
    int done_ok;
} stream;

/* Events are "data: K" + blank line; K says which recorded event it is. */
static size_t on_bytes(char *data, size_t size, size_t n, void *user)
{
    stream *s = user;
    size_t len = size * n;
    int64_t now = mkb_now_ns();
    for (size_t i = 0; i < len; i++) {
        char ch = data[i];
        if (ch != '\n') {
            if (s->line_len + 1 < sizeof s->line)
                s->line[s->line_len++] = ch;
            continue;
        }
        if (s->line_len == 0)
            continue; /* the blank line after an event */
        s->line[s->line_len] = '\0';
        s->line_len = 0;
        int k = -1;
        if (sscanf(s->line, "data: %d", &k) != 1 || k < 0 || k >= s->expected)
            continue;
        if (s->arrival_ns)
            s->arrival_ns[k] = now;
        s->events++;
    }
    return len;
}

typedef struct worker {
    stream *streams;
    int count;
    const char *base_url;
    int64_t deadline_ns;
    pthread_t thread;
    /* event loop: curl_multi_socket_action over epoll, so each wake costs
     * O(ready sockets), not O(streams) as curl_multi_perform would */
    int ep;
    CURLM *multi;
    int64_t timer_ns;    /* when curl wants CURL_SOCKET_TIMEOUT; -1 none */
} worker;

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *user, void *sockp)
{
    (void)easy;
    (void)sockp;
    worker *w = user;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(w->ep, EPOLL_CTL_DEL, fd, NULL);
        return 0;
    }
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.data.fd = fd;
    ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
    if (epoll_ctl(w->ep, EPOLL_CTL_MOD, fd, &ev) != 0)
        epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev);
    return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *user)
{
    (void)multi;
    worker *w = user;
    w->timer_ns = timeout_ms < 0 ? -1 : mkb_now_ns() + (int64_t)timeout_ms * 1000000;
    return 0;
}

static void *run_worker(void *arg)
{
    worker *w = arg;
    w->ep = epoll_create1(EPOLL_CLOEXEC);
    w->multi = curl_multi_init();
    w->timer_ns = -1;
    curl_multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w);
    curl_multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(w->multi, CURLMOPT_TIMERDATA, w);
    for (int i = 0; i < w->count; i++) {
        stream *s = &w->streams[i];
        char url[256];
        snprintf(url, sizeof url, "%s/bench/sse/%d", w->base_url, (int)(i % PHASES));
        s->easy = curl_easy_init();
        curl_easy_setopt(s->easy, CURLOPT_URL, url);
        curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_bytes);
        curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
        curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
        curl_easy_setopt(s->easy, CURLOPT_TCP_NODELAY, 1L);
    }
    /* Streams are started START_BATCH per loop turn, between reads. Added
     * all at once, libcurl opens every connection in one call (about 120 ms
     * for 500 on this VM) while the streams it already started are not
     * read: their first events were stamped up to 120 ms late, an error of
     * this client, not of the server (docs/benchmarks.md). */
    int added = 0;
    int running = w->count;
    struct epoll_event evs[64];
    while ((running > 0 || added < w->count) && mkb_now_ns() < w->deadline_ns) {
        int64_t now = mkb_now_ns();
        int wait_ms = 50;
        for (int k = 0; k < START_BATCH && added < w->count; k++)
            curl_multi_add_handle(w->multi, w->streams[added++].easy);
        if (added < w->count)
            wait_ms = 0;
        else if (w->timer_ns >= 0)
            wait_ms = w->timer_ns <= now ? 0 : (int)((w->timer_ns - now) / 1000000 + 1);
        if (wait_ms > 50)
            wait_ms = 50;
        static __thread int64_t (*lg)[4]; static __thread int nl; if (!lg) lg = calloc(200000, sizeof *lg);
        int64_t tb = mkb_now_ns();
        int n = epoll_wait(w->ep, evs, 64, wait_ms);
        int64_t ta = mkb_now_ns();
        for (int i = 0; i < n; i++) {
            int flags = (evs[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                        (evs[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                        (evs[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
            curl_multi_socket_action(w->multi, evs[i].data.fd, flags, &running);
        }
        if (w->timer_ns >= 0 && mkb_now_ns() >= w->timer_ns) {
            w->timer_ns = -1;
            curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        }
        if (nl < 200000) { lg[nl][0]=tb; lg[nl][1]=ta; lg[nl][2]=n; lg[nl][3]=mkb_now_ns(); nl++; }
        if (!(running > 0 && mkb_now_ns() < w->deadline_ns) && getenv("MKB_LOOP") && w->count > 100) { char fn[64]; snprintf(fn, sizeof fn, "%s.%p", getenv("MKB_LOOP"), (void*)w); FILE *o=fopen(fn,"w"); for (int i=0;i<nl;i++) fprintf(o,"%lld %lld %lld %lld\n",(long long)lg[i][0],(long long)lg[i][1],(long long)lg[i][2],(long long)lg[i][3]); fclose(o); }
    }
    { const char *f = getenv("MKB_DBG"); if (f && w->count > 100) { static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER; pthread_mutex_lock(&mu); FILE *o = fopen(f, "a"); for (int i = 0; i < w->count; i++) { long lp = 0; curl_easy_getinfo(w->streams[i].easy, CURLINFO_LOCAL_PORT, &lp); fprintf(o, "%ld %d", lp, (int)(i % PHASES)); for (int k = 0; k < w->streams[i].expected; k++) fprintf(o, " %lld", (long long)w->streams[i].arrival_ns[k]); fprintf(o, "\n"); } fclose(o); pthread_mutex_unlock(&mu); } }
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(w->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        stream *s = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
        curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &s->status);
        s->done_ok = msg->data.result == CURLE_OK && s->status == 200;
    }
    for (int i = 0; i < w->count; i++) {
        curl_multi_remove_handle(w->multi, w->streams[i].easy);
        curl_easy_cleanup(w->streams[i].easy);
    }
    curl_multi_cleanup(w->multi);
    close(w->ep);
    return NULL;
}

/* ---- throughput ------------------------------------------------------------ */

static void throughput(const mkb_opts *o, mkb_table *t)
{
    cJSON *ixs;
    cJSON *doc = mkb_cassette("sse-burst", &ixs);
    cJSON_AddItemToArray(ixs, sse_interaction("burst", "/bench/sse/0", 0, o->sse_events, 0));
    char path[512];
    if (mkb_save(doc, o->tmpdir, "sse-burst.json", path, sizeof path) != 0)
        return;
    mk_mock *m = start_mock(path, 0.0, 8);
    if (!m) {
        mkb_add(t, "SSE replay: events/s, 1 stream", "", "mock did not start", "n/a");
        return;
    }
    stream s = {.expected = o->sse_events, .gap_ms = 0};
    worker w = {.streams = &s, .count = 1, .base_url = mk_mock_url(m),
                .deadline_ns = mkb_now_ns() + 60LL * 1000000000};
    int64_t t0 = mkb_now_ns();
    run_worker(&w);
    double secs = (double)(mkb_now_ns() - t0) / 1e9;
    mk_mock_free(m);
    char note[200];
    snprintf(note, sizeof note, "speed 0, %d events of ~10 bytes, each its own HTTP chunk; "
                                "%d received%s", o->sse_events, s.events,
             s.done_ok ? "" : ", stream did not end cleanly");
    mkb_add(t, "SSE replay: events/s, 1 stream", "", note, "%.0f", s.events / secs);
}

/* ---- concurrent streams, timing ------------------------------------------- */

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
    char path[512], what[96];
    snprintf(what, sizeof what, "SSE: %d concurrent streams, %d ms gaps, speed 1.0", streams_n,
             gap);
    if (mkb_save(doc, o->tmpdir, "sse-timing.json", path, sizeof path) != 0)
        return;
    mk_mock *m = start_mock(path, 1.0, streams_n + 16 > 1024 ? 1024 : streams_n + 16);
    if (!m) {
        mkb_add(t, what, "", "mock did not start", "n/a");
        return;
    }
    size_t per = (size_t)events_n;
    stream *streams = calloc((size_t)streams_n, sizeof *streams);
    int64_t *arrivals = calloc((size_t)streams_n * per, sizeof *arrivals);
    for (int i = 0; i < streams_n; i++) {
        streams[i].expected = events_n;
        streams[i].gap_ms = gap;
        streams[i].arrival_ns = arrivals + (size_t)i * per;
    }
    enum { WORKERS = 2 };
    worker ws[WORKERS];
    int64_t deadline = mkb_now_ns() +
                       ((int64_t)events_n * gap + 30000) * 1000000LL;
    int base = 0;
    for (int k = 0; k < WORKERS; k++) {
        int n = streams_n / WORKERS + (k < streams_n % WORKERS);
        ws[k] = (worker){.streams = streams + base, .count = n, .base_url = mk_mock_url(m),
                         .deadline_ns = deadline};
        base += n;
        pthread_create(&ws[k].thread, NULL, run_worker, &ws[k]);
    }
    for (int k = 0; k < WORKERS; k++)
        pthread_join(ws[k].thread, NULL);
    mk_mock_free(m);

    /* A stream's schedule origin is estimated as min over k of
     * (arrival k - k * gap): events can be late but never early, so the
     * least-late event is the best anchor. The error of event k is its
     * lateness against that origin. Anchoring on event 0 instead would
     * charge every event of a stream with event 0's delay. "Steady" keeps
     * the events that arrived once every stream had its first event, i.e.
     * without the connection storm of the start. */
    int complete = 0;
    int64_t all_started = 0;
    for (int i = 0; i < streams_n; i++) {
        if (streams[i].done_ok && streams[i].events == events_n)
            complete++;
        if (streams[i].arrival_ns[0] > all_started)
            all_started = streams[i].arrival_ns[0];
    }
    size_t n = 0, ns = 0;
    double *flat = calloc((size_t)streams_n * per, sizeof *flat);
    double *steady = calloc((size_t)streams_n * per, sizeof *steady);
    for (int i = 0; i < streams_n; i++) {
        const int64_t *a = streams[i].arrival_ns;
        int64_t origin = INT64_MAX;
        for (size_t k = 0; k < per; k++)
            if (a[k] != 0 && a[k] - (int64_t)k * gap * 1000000 < origin)
                origin = a[k] - (int64_t)k * gap * 1000000;
        for (size_t k = 0; k < per; k++) {
            if (a[k] == 0)
                continue;
            double err = (double)(a[k] - (int64_t)k * gap * 1000000 - origin) / 1e6;
            flat[n++] = err;
            if (a[k] > all_started)
                steady[ns++] = err;
        }
    }
    char note[200];
    snprintf(note, sizeof note, "%d events per stream, %d start phases; %d events/s overall",
             events_n, PHASES, streams_n * 1000 / gap);
    mkb_add(t, what, streams_n >= 1000 ? "1,000 held" : "", note, "%d/%d streams complete", complete, streams_n);
    double p50 = mkb_percentile(flat, n, 50), p99 = mkb_percentile(flat, n, 99);
    snprintf(note, sizeof note, "%zu gaps; max %.2f ms; %s", n, n ? flat[n - 1] : 0.0,
             p99 <= 1.0 ? "met" : "NOT met");
    mkb_add(t, "SSE timing error p50 / p99, all events", "p99 <= 1 ms", note,
            "%.3f / %.3f ms", p50, p99);
    p50 = mkb_percentile(steady, ns, 50);
    p99 = mkb_percentile(steady, ns, 99);
    snprintf(note, sizeof note, "%zu gaps after every stream had started; max %.2f ms; %s", ns,
             ns ? steady[ns - 1] : 0.0, p99 <= 1.0 ? "met" : "NOT met");
    mkb_add(t, "SSE timing error p50 / p99, steady state", "p99 <= 1 ms", note,
            "%.3f / %.3f ms", p50, p99);
    free(steady);
    free(flat);
    free(arrivals);
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
