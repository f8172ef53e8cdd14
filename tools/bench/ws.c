/* ws.c: websocket replay round trips: a client frame, then the recorded
 * server frame that answers it, on one connection at speed 0. The client
 * is CivetWeb's (the same one mkc_ws wraps), so this measures the engine. */
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <civetweb.h>

#include "bench.h"
#include "kit.h"
#include "mockkit/client.h"
#include "mockkit/mock.h"

typedef struct ws_state {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    long replies;
    int closed;
} ws_state;

/* A message arrived (either client): a text one is a reply. */
static void count_reply(ws_state *s, int opcode)
{
    if ((opcode & 0xf) == MG_WEBSOCKET_OPCODE_TEXT) {
        pthread_mutex_lock(&s->mu);
        s->replies++;
        pthread_cond_signal(&s->cv);
        pthread_mutex_unlock(&s->mu);
    }
}

static int on_data(struct mg_connection *conn, int flags, char *data, size_t len, void *user)
{
    (void)conn;
    (void)data;
    (void)len;
    count_reply(user, flags);
    return 1;
}

static void on_close(const struct mg_connection *conn, void *user)
{
    (void)conn;
    ws_state *s = user;
    pthread_mutex_lock(&s->mu);
    s->closed = 1;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* Wait until `want` replies arrived; 0, or -1 on timeout or close. */
static int wait_replies(ws_state *s, long want, int timeout_ms)
{
    struct timespec until;
    mkc__deadline_in(&until, timeout_ms);
    int rc = 0;
    pthread_mutex_lock(&s->mu);
    while (s->replies < want && !s->closed && rc == 0)
        rc = pthread_cond_timedwait(&s->cv, &s->mu, &until);
    int ok = s->replies >= want;
    pthread_mutex_unlock(&s->mu);
    return ok ? 0 : -1;
}

/* CivetWeb's client does not set TCP_NODELAY and writes a frame's header
 * and payload separately, so Nagle holds the payload until the server's
 * delayed ACK (~40 ms). Its socket is not exposed: find our descriptor
 * whose peer is the mock's port. Returns 1 when set. */
static int client_nodelay(int port)
{
    DIR *d = opendir("/proc/self/fd");
    int done = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        int fd = atoi(e->d_name);
        struct sockaddr_in peer;
        socklen_t len = sizeof peer;
        if (fd <= 2 || getpeername(fd, (struct sockaddr *)&peer, &len) != 0 ||
            peer.sin_family != AF_INET || ntohs(peer.sin_port) != port)
            continue;
        int one = 1;
        done |= setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0;
    }
    if (d)
        closedir(d);
    return done;
}

/* Round trips k in [from, to); RTTs go to rtt[k]. Returns how many. */
static int trips(struct mg_connection *conn, ws_state *s, int from, int to, double *rtt)
{
    for (int k = from; k < to; k++) {
        int64_t t0 = mkb_now_ns();
        if (mg_websocket_client_write(conn, MG_WEBSOCKET_OPCODE_TEXT, "ping", 4) <= 0 ||
            wait_replies(s, k + 1, 2000) != 0)
            return k - from;
        rtt[k] = (double)(mkb_now_ns() - t0) / 1e6;
    }
    return to - from;
}

static void report(mkb_table *t, const char *what, const char *how, double *rtt, int done,
                   int wanted, double secs)
{
    char note[200];
    if (done == 0) {
        snprintf(note, sizeof note, "%s: no recorded reply arrived within 2 s", how);
        mkb_add(t, what, "", note, "n/a");
        return;
    }
    snprintf(note, sizeof note, "%s; speed 0; %d of %d trips; RTT p50 %.3f ms, p99 %.3f ms",
             how, done, wanted, mkb_percentile(rtt, (size_t)done, 50),
             mkb_percentile(rtt, (size_t)done, 99));
    mkb_add(t, what, "", note, "%.0f", done / secs);
}

static void on_mkc_message(void *user, mkc_ws_opcode op, const char *data, size_t len)
{
    (void)data;
    (void)len;
    count_reply(user, (int)op);
}

static void on_mkc_close(void *user, int code, const char *reason)
{
    (void)code;
    (void)reason;
    on_close(NULL, user);
}

/* The same exchange through the kit's own client (mkc_ws), bounded to a
 * few trips because each may cost a delayed ACK. */
static void kit_client(const mkb_opts *o, const char *path, mkb_table *t)
{
    const char *what = "WS replay: round trips/s, mkc_ws client";
    mk_mock_options mo;
    mk_mock_options_init(&mo);
    mo.speed = 0.0;
    mo.quiet = 1;
    mo.threads = 8;
    const char *paths[] = {path};
    mk_mock *m = NULL;
    mk_diag d;
    if (mk_mock_new(&mo, paths, 1, &m, &d) != MK_MOCK_OK)
        return;
    ws_state s = {.mu = PTHREAD_MUTEX_INITIALIZER};
    mkc__cond_init_monotonic(&s.cv);  /* wait_replies: a monotonic deadline */
    mkc_ws_callbacks cb = {on_mkc_message, on_mkc_close, &s};
    char url[256];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/bench/ws", mk_mock_port(m));
    mkc_ws *ws = NULL;
    mkc_error err;
    memset(&err, 0, sizeof err);
    if (mkc_ws_connect(url, &cb, &ws, &err) != MKC_OK) {
        char note[200];
        snprintf(note, sizeof note, "connect failed: %.150s", err.message);
        mkb_add(t, what, "", note, "n/a");
        mkc_error_clear(&err);
        mk_mock_free(m);
        return;
    }
    int want = o->ws_trips < 50 ? o->ws_trips : 50;
    double *rtt = calloc((size_t)want, sizeof *rtt);
    int done = 0;
    int64_t t0 = mkb_now_ns();
    for (int k = 0; k < want; k++) {
        int64_t start = mkb_now_ns();
        if (mkc_ws_send_text(ws, "ping") != MKC_OK || wait_replies(&s, k + 1, 2000) != 0)
            break;
        rtt[done++] = (double)(mkb_now_ns() - start) / 1e6;
    }
    double secs = (double)(mkb_now_ns() - t0) / 1e9;
    mkc_ws_free(ws);
    mk_mock_free(m);
    report(t, what, "client/core mkc_ws", rtt, done, want, secs);
    free(rtt);
}

static int write_cassette(const mkb_opts *o, char *path, size_t size)
{
    cJSON *ixs;
    cJSON *doc = mkb_cassette("ws", &ixs);
    cJSON *ix = cJSON_CreateObject();
    cJSON_AddStringToObject(ix, "id", "echo");
    cJSON_AddNumberToObject(ix, "at_ms", 0);
    cJSON *req = cJSON_AddObjectToObject(ix, "request");
    cJSON_AddStringToObject(req, "method", "GET");
    cJSON_AddStringToObject(req, "path", "/bench/ws");
    cJSON *frames = cJSON_AddArrayToObject(cJSON_AddObjectToObject(ix, "websocket"), "frames");
    for (int k = 0; k < o->ws_trips; k++) {
        char text[32];
        cJSON *c = cJSON_CreateObject();
        cJSON_AddNumberToObject(c, "at_ms", 1 + 2.0 * k);
        cJSON_AddStringToObject(c, "from", "client");
        cJSON_AddStringToObject(c, "type", "text");
        cJSON_AddStringToObject(c, "text", "ping");
        cJSON_AddStringToObject(c, "match", "any");
        cJSON_AddItemToArray(frames, c);
        cJSON *s = cJSON_CreateObject();
        snprintf(text, sizeof text, "pong %d", k);
        cJSON_AddNumberToObject(s, "at_ms", 2 + 2.0 * k);
        cJSON_AddStringToObject(s, "from", "server");
        cJSON_AddStringToObject(s, "type", "text");
        cJSON_AddStringToObject(s, "text", text);
        cJSON_AddItemToArray(frames, s);
    }
    cJSON_AddItemToArray(ixs, ix);
    return mkb_save(doc, o->tmpdir, "ws.json", path, size);
}

void mkb_ws(const mkb_opts *o, mkb_table *t)
{
    const char *what = "WS replay: round trips/s, 1 connection";
    char path[512], err[256] = "", note[200];
    if (write_cassette(o, path, sizeof path) != 0)
        return;
    mk_mock_options mo;
    mk_mock_options_init(&mo);
    mo.speed = 0.0;
    mo.quiet = 1;
    mo.threads = 8;
    const char *paths[] = {path};
    mk_mock *m = NULL;
    mk_diag d;
    if (mk_mock_new(&mo, paths, 1, &m, &d) != MK_MOCK_OK) {
        mkb_add(t, what, "", "mock did not start", "n/a");
        return;
    }
    fprintf(stderr, "mockkit-bench: %d websocket round trips...\n", o->ws_trips);
    ws_state s = {.mu = PTHREAD_MUTEX_INITIALIZER};
    mkc__cond_init_monotonic(&s.cv);  /* wait_replies: a monotonic deadline */
    struct mg_connection *conn =
        mg_connect_websocket_client("127.0.0.1", mk_mock_port(m), 0, err, sizeof err,
                                    "/bench/ws", NULL, on_data, on_close, &s);
    if (!conn) {
        snprintf(note, sizeof note, "upgrade refused: %.150s", err[0] ? err : "no reason given");
        mkb_add(t, what, "", note, "n/a");
        mk_mock_free(m);
        return;
    }
    double *rtt = calloc((size_t)o->ws_trips, sizeof *rtt);
    /* First as CivetWeb's client comes (bounded: ~40 ms a trip), then with
     * TCP_NODELAY on the client socket. */
    int plain = o->ws_trips / 2 < 50 ? o->ws_trips / 2 : 50;
    int64_t t0 = mkb_now_ns();
    int done = trips(conn, &s, 0, plain, rtt);
    double secs = (double)(mkb_now_ns() - t0) / 1e9;
    report(t, "WS replay: round trips/s, CivetWeb client as is", "client without TCP_NODELAY",
           rtt, done, plain, secs);
    if (done == plain) {
        int nodelay = client_nodelay(mk_mock_port(m));
        t0 = mkb_now_ns();
        done = trips(conn, &s, plain, o->ws_trips, rtt);
        secs = (double)(mkb_now_ns() - t0) / 1e9;
        report(t, what, nodelay ? "client with TCP_NODELAY" : "TCP_NODELAY could not be set",
               rtt + plain, done, o->ws_trips - plain, secs);
    }
    mg_close_connection(conn);
    mk_mock_free(m);
    kit_client(o, path, t);
    free(rtt);
}
