/* tls_env.c: test certificates and the TLS stand-in service. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "tls_env.h"

#include "kit.h"  /* monotonic deadlines */

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <civetweb.h>

extern char **environ;

const char *tls_cert_file(const tls_certs *c, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", c->dir, name);
    return buf;
}

int tls_certs_make(tls_certs *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->dir, sizeof c->dir, "/tmp/mockkit-tls-XXXXXX");
    if (!mkdtemp(c->dir)) {
        fprintf(stderr, "tls_certs_make: mkdtemp: %s\n", strerror(errno));
        return -1;
    }
    char *argv[] = {"sh", MOCKKIT_SOURCE_DIR "/suites/tls/make-certs.sh", c->dir, NULL};
    pid_t pid;
    int rc = posix_spawnp(&pid, "sh", NULL, NULL, argv, environ);
    int status = 0;
    if (rc != 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        fprintf(stderr, "tls_certs_make: make-certs.sh failed (is openssl installed?)\n");
        tls_certs_remove(c);
        return -1;
    }
    tls_cert_file(c, "ca.pem", c->ca, sizeof c->ca);
    tls_cert_file(c, "other-ca.pem", c->other_ca, sizeof c->other_ca);
    tls_cert_file(c, "server.pem", c->server, sizeof c->server);
    tls_cert_file(c, "server.key", c->server_key, sizeof c->server_key);
    return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void tls_certs_remove(tls_certs *c)
{
    if (c->dir[0])
        nftw(c->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    c->dir[0] = '\0';
}

/* Split mid-line on purpose: the second piece ends inside a data line. */
const char *const tls_sse_pieces[] = {
    "event: thread.run.created\ndata: {\"object\":\"thread.run\",\"status\":\"queued\"}\n\n",
    "event: thread.message.delta\ndata: {\"delta\":{\"content\":[{\"text\":{\"val",
    "ue\":\"Hel\"}}]}}\n\nevent: thread.message.delta\ndata: {\"delta\":\"lo\"}\n\n",
    "event: done\ndata: [DONE]\n\n"};
const size_t tls_sse_piece_count = sizeof tls_sse_pieces / sizeof *tls_sse_pieces;
/* Events complete once piece i has arrived. */
static const int events_after[] = {1, 1, 3, 4};

static int events_now(tls_upstream *u)
{
    pthread_mutex_lock(&u->mu);
    int n = u->client_events;
    pthread_mutex_unlock(&u->mu);
    return n;
}

static void wait_events(tls_upstream *u, int n)
{
    struct timespec until;
    mkc__deadline_in(&until, 5000);
    pthread_mutex_lock(&u->mu);
    while (u->client_events < n)
        if (pthread_cond_timedwait(&u->cv, &u->mu, &until) == ETIMEDOUT) {
            u->gate_timeouts++;
            break;
        }
    pthread_mutex_unlock(&u->mu);
}

static int handler(struct mg_connection *c, void *cbdata)
{
    tls_upstream *u = cbdata;
    const struct mg_request_info *ri = mg_get_request_info(c);
    const char *uri = ri->local_uri;
    if (strcmp(uri, "/v1/items/1") == 0) {
        static const char body[] = "{\"id\":\"item_1\",\"object\":\"item\"}";
        mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Upstream: tls\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                  sizeof body - 1, body);
        return 200;
    }
    if (strcmp(uri, "/v1/echo") == 0) {
        char buf[8192];
        size_t n = 0;
        int got;
        while (n < sizeof buf && (got = mg_read(c, buf + n, sizeof buf - n)) > 0)
            n += (size_t)got;
        const char *ct = mg_get_header(c, "Content-Type");
        mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n",
                  ct ? ct : "application/octet-stream", n);
        mg_write(c, buf, n);
        return 200;
    }
    if (strncmp(uri, "/v1/sse", 7) == 0) {
        int gated = strcmp(uri, "/v1/sse") == 0;
        int base = events_now(u);
        mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                     "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n"
                     "Connection: close\r\n\r\n");
        for (size_t i = 0; i < tls_sse_piece_count; i++) {
            if (gated && i > 0)
                wait_events(u, base + events_after[i - 1]);
            mg_send_chunk(c, tls_sse_pieces[i], (unsigned)strlen(tls_sse_pieces[i]));
        }
        mg_send_chunk(c, "", 0);
        return 200;
    }
    mg_send_http_error(c, 404, "no route %s", uri);
    return 404;
}

static int ws_connect(const struct mg_connection *c, void *cbdata)
{
    (void)c;
    (void)cbdata;
    return 0;
}

static void ws_ready(struct mg_connection *c, void *cbdata)
{
    (void)cbdata;
    static const char hello[] = "{\"hello\":\"wss\"}";
    mg_websocket_write(c, MG_WEBSOCKET_OPCODE_TEXT, hello, sizeof hello - 1);
}

static int ws_data(struct mg_connection *c, int bits, char *data, size_t len, void *cbdata)
{
    (void)cbdata;
    int op = bits & 0x0f;
    if (op == MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE)
        return 0;
    if (op != MG_WEBSOCKET_OPCODE_TEXT)
        return 1;
    if (len == 3 && memcmp(data, "bye", 3) == 0) {
        static const char bye[] = "\x03\xe8" "bye";
        mg_websocket_write(c, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, bye, sizeof bye - 1);
        return 0;
    }
    char out[1024];
    int n = snprintf(out, sizeof out, "{\"echo\":\"%.*s\"}", (int)(len < 900 ? len : 900), data);
    mg_websocket_write(c, MG_WEBSOCKET_OPCODE_TEXT, out, (size_t)n);
    return 1;
}

static void ws_closed(const struct mg_connection *c, void *cbdata)
{
    (void)c;
    (void)cbdata;
}

/* mocks/server/civetweb_ssl.c: without it Debian's CivetWeb TLS server
 * crashes on its first connection. */
int mk_civetweb_ssl_compat(void);

int tls_upstream_start(tls_upstream *u, const char *both_pem)
{
    (void)mk_civetweb_ssl_compat();
    memset(u, 0, sizeof *u);
    pthread_mutex_init(&u->mu, NULL);
    mkc__cond_init_monotonic(&u->cv);
    const char *cfg[] = {"listening_ports", "127.0.0.1:0s", "ssl_certificate", both_pem,
                         "num_threads", "16", "enable_keep_alive", "no",
                         "tcp_nodelay", "1", NULL};
    struct mg_callbacks cb;
    memset(&cb, 0, sizeof cb);
    u->ctx = mg_start(&cb, u, cfg);
    if (!u->ctx) {
        fprintf(stderr, "tls_upstream_start: CivetWeb did not start with %s\n", both_pem);
        return -1;
    }
    struct mg_server_port sp[2];
    if (mg_get_server_ports(u->ctx, 2, sp) < 1)
        return -1;
    u->port = sp[0].port;
    snprintf(u->url, sizeof u->url, "https://127.0.0.1:%d", u->port);
    mg_set_request_handler(u->ctx, "/v1", handler, u);
    mg_set_websocket_handler(u->ctx, "/ws/echo", ws_connect, ws_ready, ws_data, ws_closed, u);
    return 0;
}

/* mg_stop waits for the accept loop's 2 s poll; connecting wakes it (as
 * mk_mock does), so a suite's servers stop in milliseconds. */
typedef struct waker {
    int port;
    atomic_int done;
} waker;

static void *waker_main(void *arg)
{
    waker *w = arg;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)w->port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timespec tick = {0, 10 * 1000000L};
    for (int i = 0; i < 300 && !atomic_load(&w->done); i++) { /* bounded: 3 s */
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd >= 0) {
            (void)connect(fd, (struct sockaddr *)&a, sizeof a);
            close(fd);
        }
        nanosleep(&tick, NULL);
    }
    return NULL;
}

void tls_upstream_stop(tls_upstream *u)
{
    if (!u->url[0] && !u->ctx)
        return; /* never started */
    if (u->ctx) {
        waker w = {.port = u->port};
        atomic_init(&w.done, 0);
        pthread_t t;
        int started = pthread_create(&t, NULL, waker_main, &w) == 0;
        mg_stop(u->ctx);
        if (started) {
            atomic_store(&w.done, 1);
            pthread_join(t, NULL);
        }
    }
    u->ctx = NULL;
    pthread_mutex_destroy(&u->mu);
    pthread_cond_destroy(&u->cv);
}

void tls_upstream_client_event(tls_upstream *u)
{
    pthread_mutex_lock(&u->mu);
    u->client_events++;
    pthread_cond_broadcast(&u->cv);
    pthread_mutex_unlock(&u->mu);
}

int tls_upstream_gate_timeouts(tls_upstream *u)
{
    pthread_mutex_lock(&u->mu);
    int n = u->gate_timeouts;
    pthread_mutex_unlock(&u->mu);
    return n;
}
