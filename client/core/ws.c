/* ws.c: a websocket client on CivetWeb's mg_connect_websocket_client
 * (Debian's libcurl has no websocket support). CivetWeb runs a reader
 * thread per connection and calls data_cb/close_cb on it; the state those
 * share with the caller's thread is under `lock`. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <civetweb.h>

#include "internal.h"
#include "kit.h"
#include "tcp.h"
#include "url.h"

struct mkc_ws {
    struct mg_connection *conn;
    mkc_ws_callbacks cb;
    char url[512];
    pthread_mutex_t lock;
    pthread_mutex_t *lock_ref; /* &lock, so mkc_ws_is_open (const) locks it without a
                                  cast (C has no mutable) */
    pthread_cond_t cond;   /* on CLOCK_MONOTONIC; signalled when closed */
    int open;
    int sending;           /* mkc_ws_send calls inside CivetWeb's write */
    int close_code;        /* from the peer's close frame; 1006 if none */
    char close_reason[128];
    /* A fragmented message being joined (reader thread only). */
    mkc__buf frag;
    int frag_op;
};

/* mocks/server/civetweb_ssl.c: lets Debian 12's CivetWeb load OpenSSL 3. */
int mk_civetweb_ssl_compat(void);

static pthread_once_t mg_once = PTHREAD_ONCE_INIT;
static unsigned mg_features;  /* what CivetWeb could set up */
/* TLS too: CivetWeb dlopens libssl.so/libcrypto.so here, for wss. */
static void mg_init_once(void)
{
    (void)mk_civetweb_ssl_compat();
    mg_features = mg_init_library(MG_FEATURES_TLS);
}

static void deliver(mkc_ws *ws, int op, const char *data, size_t len)
{
    if (ws->cb.on_message)
        ws->cb.on_message(ws->cb.user, (mkc_ws_opcode)op, data, len);
}

static int data_cb(struct mg_connection *conn, int flags, char *data, size_t len, void *user)
{
    (void)conn;
    mkc_ws *ws = user;
    int fin = flags & 0x80;
    int op = flags & 0x0f;
    if (op == MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE) {
        pthread_mutex_lock(&ws->lock);
        ws->close_code = len >= 2 ? ((unsigned char)data[0] << 8) | (unsigned char)data[1] : 1005;
        snprintf(ws->close_reason, sizeof ws->close_reason, "%.*s",
                 len > 2 ? (int)(len - 2) : 0, len > 2 ? data + 2 : "");
        pthread_mutex_unlock(&ws->lock);
        return 0;
    }
    if (op == MG_WEBSOCKET_OPCODE_PING || op == MG_WEBSOCKET_OPCODE_PONG) {
        deliver(ws, op, data, len);
        return 1;
    }
    if (op != MG_WEBSOCKET_OPCODE_CONTINUATION) {
        ws->frag.len = 0;
        ws->frag_op = op;
    }
    if (fin && op != MG_WEBSOCKET_OPCODE_CONTINUATION) {
        deliver(ws, op, data, len);  /* the common case: one frame, no copy */
        return 1;
    }
    if (mkc__buf_append(&ws->frag, data, len) != MKC_OK)
        return 0;
    if (fin) {
        deliver(ws, ws->frag_op, ws->frag.data, ws->frag.len);
        ws->frag.len = 0;
    }
    return 1;
}

/* CivetWeb's client waits this long (its request_timeout default, 30 s)
 * for an answer to the upgrade; "No data received" well before it means
 * the server closed the connection. */
#define UPGRADE_WAIT_MS 25000

/* How long close_cb waits for sends already under way (see below). */
#define SEND_DRAIN_MS 2000

/* CivetWeb sets the client context's stop flag right after this returns,
 * and 1.15's push_inner checks that flag after each successful write: a
 * send that raced the server's close would report failure for a frame that
 * went out. So sends already under way finish first (bounded: a write stuck
 * on a peer that stopped reading is ended by the stop flag after it). */
static void close_cb(const struct mg_connection *conn, void *user)
{
    (void)conn;
    mkc_ws *ws = user;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += SEND_DRAIN_MS / 1000;
    pthread_mutex_lock(&ws->lock);
    int was_open = ws->open;
    ws->open = 0;
    while (ws->sending > 0)
        if (pthread_cond_timedwait(&ws->cond, &ws->lock, &deadline) == ETIMEDOUT)
            break;
    int code = ws->close_code ? ws->close_code : 1006;
    char reason[128];
    snprintf(reason, sizeof reason, "%s", ws->close_reason);
    pthread_cond_broadcast(&ws->cond);
    pthread_mutex_unlock(&ws->lock);
    if (was_open && ws->cb.on_close)
        ws->cb.on_close(ws->cb.user, code, reason);
}

/* ws[s]://host[:port][/path] into its parts; *tls says which. */
static int parse_url(const char *url, char *host, size_t hsize, int *port, const char **path,
                     int *tls)
{
    mkc_url u;
    if (mkc__url_split(url, "ws", "wss", &u) != 0 || strlen(u.host) >= hsize)
        return -1;
    snprintf(host, hsize, "%s", u.host);
    *port = u.port;
    *tls = u.tls;
    *path = *u.path == '/' ? u.path : "/";
    return 0;
}

/* The socket is found through /proc/self/fd by its peer port; a false
 * match (another of our connections to the same port) only loses Nagle
 * too, which is harmless. Whether an entry is a socket is read from its
 * link ("socket:[inode]"), not by fstat: descriptors other threads own
 * (and may be closing) are left untouched unless they are sockets. */
void mkc_tcp_nodelay_to_port(int port)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char *end = NULL;
        long fd = strtol(e->d_name, &end, 10);
        if (!end || *end || fd < 0 || fd == dirfd(d))
            continue;
        char link[64], target[32];
        snprintf(link, sizeof link, "/proc/self/fd/%ld", fd);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n < 8 || memcmp(target, "socket:[", 8) != 0)
            continue;
        struct sockaddr_storage peer;
        socklen_t len = sizeof peer;
        if (getpeername((int)fd, (struct sockaddr *)&peer, &len) != 0)
            continue;
        int peer_port = peer.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&peer)->sin_port)
                      : peer.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&peer)->sin6_port)
                                                   : -1;
        if (peer_port == port) {
            int one = 1;
            setsockopt((int)fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
    }
    closedir(d);
}

/* CivetWeb's client reads this when no --cacert is given: it takes one CA
 * file, not libcurl's compiled-in store. Debian's system bundle. */
#define MKC_SYSTEM_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

/* A literal address is no SNI name. */
static int is_ip_literal(const char *host)
{
    return strspn(host, "0123456789.") == strlen(host) || strchr(host, ':') != NULL;
}

int mkc_ws_civetweb_connect(const char *url, const char *path_override, const mkc_tls *tls,
                            int (*on_data)(struct mg_connection *, int, char *, size_t, void *),
                            void (*on_close)(const struct mg_connection *, void *), void *user,
                            struct mg_connection **out, mkc_error *err)
{
    if (out)
        *out = NULL;
    if (!url || !out)
        return mkc_error_set(err, MKC_EINVAL, url, "mkc_ws_civetweb_connect: NULL %s",
                             url ? "out" : "url");
    char host[256];
    int port, use_tls;
    const char *path;
    if (parse_url(url, host, sizeof host, &port, &path, &use_tls) != 0)
        return mkc_error_set(err, MKC_EINVAL, url, "%s: not a ws:// or wss://host[:port]/path URL",
                             url);
    if (path_override)
        path = path_override;
    pthread_once(&mg_once, mg_init_once);
    mkc_tls env;
    if (!tls) {
        mkc_tls_from_env(&env);
        tls = &env;
    }
    if (use_tls && !(mg_features & MG_FEATURES_TLS))
        return mkc_error_set(err, MKC_ETLS, url,
                             "%s: TLS unavailable: CivetWeb could not load libssl.so and "
                             "libcrypto.so", url);
    if (use_tls) {
        /* CivetWeb 1.15 never checks the certificate's host name (its client
         * only loads a CA file and sets SSL_VERIFY_PEER), so libcurl checks
         * chain, dates and name on a handshake of its own first. */
        if (!tls->insecure) {
            int rc = mkc_tls_check(url, tls, err);
            if (rc != MKC_OK)
                return rc;
        }
    }
    char ebuf[256] = "";
    struct mg_connection *conn;
    int64_t started = mkc__now_ms();
    if (use_tls) {
        struct mg_client_options co;
        memset(&co, 0, sizeof co);
        co.host = host;
        co.port = port;
        co.server_cert = tls->insecure ? NULL : tls->cacert ? tls->cacert : MKC_SYSTEM_CA_BUNDLE;
        if (co.server_cert && access(co.server_cert, R_OK) != 0)
            return mkc_error_set(err, MKC_ETLS, url, "%s: TLS: CA file unusable (%s: %s)", url,
                                 co.server_cert, strerror(errno));
        co.host_name = is_ip_literal(host) ? NULL : host;
        conn = mg_connect_websocket_client_secure(&co, ebuf, sizeof ebuf, path, NULL, on_data,
                                                  on_close, user);
    } else {
        conn = mg_connect_websocket_client(host, port, 0, ebuf, sizeof ebuf, path, NULL, on_data,
                                           on_close, user);
    }
    if (!conn) {
        /* CivetWeb reports socket failures as "connect(...)" or "Cannot
         * connect", TLS as "SSL connection error" (no reason: the libcurl
         * check above has the reasons), an upgrade answered with nothing as
         * "No data received" (after its own ~30 s wait, which its API cannot
         * shorten, or at once when the server closed), bytes that end before
         * an HTTP header does as "Malformed message" (or "Message too large",
         * "Invalid message size"; CivetWeb's own server answers an upgrade to
         * a path with no websocket handler so: "Error 404: Not Found", no
         * status line); anything else is the server refusing the upgrade. */
        int code = strstr(ebuf, "SSL")                                   ? MKC_ETLS
                 : (strstr(ebuf, "onnect") || strstr(ebuf, "refused") || strstr(ebuf, "resolve"))
                     ? MKC_ECONNECT
                 : strstr(ebuf, "No data")
                     ? (mkc__now_ms() - started < UPGRADE_WAIT_MS ? MKC_ECLOSED : MKC_ETIMEOUT)
                 : (strstr(ebuf, "imeout") || strstr(ebuf, "imed out")) ? MKC_ETIMEOUT
                 : (strstr(ebuf, "Malformed") || strstr(ebuf, "too large") ||
                    strstr(ebuf, "message size"))
                     ? MKC_EPROTOCOL
                     : MKC_EHTTP;
        return mkc_error_set(err, code, url, "%s: %s (%s)", url,
                             code == MKC_ETLS       ? "TLS: handshake failed"
                             : code == MKC_ECONNECT ? "could not connect"
                             : code == MKC_ECLOSED
                                 ? "the server closed the connection without answering the "
                                   "websocket upgrade"
                             : code == MKC_ETIMEOUT  ? "no answer to the websocket upgrade"
                             : code == MKC_EPROTOCOL ? "no complete HTTP answer to the "
                                                       "websocket upgrade"
                                                     : "websocket upgrade refused",
                             ebuf[0] ? ebuf : "no details");
    }
    /* Else every frame waits ~40 ms for a delayed ACK (see client.h). */
    mkc_tcp_nodelay_to_port(port);
    *out = conn;
    return MKC_OK;
}

int mkc_ws_connect(const char *url, const mkc_ws_callbacks *cb, mkc_ws **out, mkc_error *err)
{
    return mkc_ws_connect_tls(url, cb, NULL, out, err);
}

int mkc_ws_connect_tls(const char *url, const mkc_ws_callbacks *cb, const mkc_tls *tls,
                       mkc_ws **out, mkc_error *err)
{
    if (out)
        *out = NULL;
    if (!url || !out)
        return mkc_error_set(err, MKC_EINVAL, url, "mkc_ws_connect: NULL %s", url ? "out" : "url");
    mkc_ws *ws = calloc(1, sizeof *ws);
    if (!ws)
        return mkc_error_set(err, MKC_ENOMEM, url, "out of memory for %s", url);
    if (cb)
        ws->cb = *cb;
    snprintf(ws->url, sizeof ws->url, "%s", url);
    pthread_mutex_init(&ws->lock, NULL);
    ws->lock_ref = &ws->lock;
    mkc__cond_init_monotonic(&ws->cond);
    /* Open before connecting: the reader may deliver frames (and even the
     * close) before the connect call returns. */
    ws->open = 1;
    int rc = mkc_ws_civetweb_connect(url, NULL, tls, data_cb, close_cb, ws, &ws->conn, err);
    if (rc != MKC_OK) {
        ws->open = 0;
        mkc_ws_free(ws);
        return rc;
    }
    *out = ws;
    return MKC_OK;
}

int mkc_ws_send(mkc_ws *ws, mkc_ws_opcode op, const void *data, size_t len)
{
    if (!ws || (!data && len))
        return MKC_EINVAL;
    pthread_mutex_lock(&ws->lock);
    int open = ws->open;
    ws->sending += open;  /* close_cb lets this write finish (see there) */
    pthread_mutex_unlock(&ws->lock);
    if (!open)
        return MKC_ECLOSED;
    int n = mg_websocket_client_write(ws->conn, (int)op, data, len);
    pthread_mutex_lock(&ws->lock);
    if (--ws->sending == 0)
        pthread_cond_broadcast(&ws->cond);
    pthread_mutex_unlock(&ws->lock);
    return n > 0 || (n == 0 && len == 0) ? MKC_OK : MKC_ECLOSED;
}

int mkc_ws_send_text(mkc_ws *ws, const char *text)
{
    return mkc_ws_send(ws, MKC_WS_TEXT, text, text ? strlen(text) : 0);
}

int mkc_ws_is_open(const mkc_ws *ws)
{
    if (!ws)
        return 0;
    pthread_mutex_lock(ws->lock_ref);
    int open = ws->open;
    pthread_mutex_unlock(ws->lock_ref);
    return open;
}

int mkc_ws_wait_closed(mkc_ws *ws, int timeout_ms)
{
    if (!ws)
        return 0;
    struct timespec deadline;
    mkc__deadline_in(&deadline, timeout_ms);
    pthread_mutex_lock(&ws->lock);
    while (ws->open)
        if (pthread_cond_timedwait(&ws->cond, &ws->lock, &deadline) == ETIMEDOUT)
            break;
    int closed = !ws->open;
    pthread_mutex_unlock(&ws->lock);
    return closed ? MKC_OK : MKC_ETIMEOUT;
}

int mkc_ws_close(mkc_ws *ws, int code, const char *reason)
{
    if (!ws)
        return MKC_EINVAL;
    if (!mkc_ws_is_open(ws))
        return MKC_OK;
    char payload[125];
    size_t rl = reason ? strlen(reason) : 0;
    if (rl > sizeof payload - 2)
        rl = sizeof payload - 2;
    payload[0] = (char)((code >> 8) & 0xff);
    payload[1] = (char)(code & 0xff);
    if (rl)
        memcpy(payload + 2, reason, rl);
    mg_websocket_client_write(ws->conn, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, payload, rl + 2);
    /* Bounded: a server that never answers the close does not hang us. */
    return mkc_ws_wait_closed(ws, 2000);
}

void mkc_ws_free(mkc_ws *ws)
{
    if (!ws)
        return;
    if (ws->conn) {
        if (mkc_ws_is_open(ws))
            mkc_ws_close(ws, 1000, "");
        /* Stops and joins CivetWeb's reader thread. */
        mg_close_connection(ws->conn);
    }
    mkc__buf_free(&ws->frag);
    pthread_cond_destroy(&ws->cond);
    pthread_mutex_destroy(&ws->lock);
    free(ws);
}
