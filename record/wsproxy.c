/* wsproxy.c: websocket sessions through the recorder. The client's upgrade
 * is answered by CivetWeb's server; before it completes, a CivetWeb client
 * connection to the upstream is opened on the same path, so a refused
 * upstream becomes a 502 instead of a socket that opens and dies. Frames
 * are forwarded both ways and recorded with their arrival times. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <civetweb.h>

#include "faults.h"
#include "mockkit/client.h"
#include "record_internal.h"
#include "kit.h"
#include "tcp.h"

typedef struct mk_rec_ws {
    mk_record *r;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct mg_connection *client;   /* server side, set once the handshake is done */
    struct mg_connection *upstream; /* our client connection to the upstream */
    int ready;
    int client_closed;
    int upstream_closed;
    int close_sent;                 /* a close frame already went to the client */
    mk_rec_ix *ix;
    cJSON *frames;
    /* a fault on this session toward the client (the mock's hooks) */
    mk__fault_act fa;
    mk__peer peer;                  /* finds the client's socket, for 1006 */
    size_t sent;                    /* data messages forwarded to the client */
    int faulted;                    /* a fault fired: the session is not recorded */
    /* the client left or the recorder stops: ends a message fault's wait
     * (fa.stop once the session is tracked; atomic) */
    int leaving;
} mk_rec_ws;

static const char *type_name(int op)
{
    switch (op) {
    case MG_WEBSOCKET_OPCODE_BINARY:
        return "binary";
    case MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE:
        return "close";
    case MG_WEBSOCKET_OPCODE_PING:
        return "ping";
    case MG_WEBSOCKET_OPCODE_PONG:
        return "pong";
    default:
        return "text";
    }
}

static void record_frame(mk_rec_ws *s, int from_client, int op, const char *data, size_t len)
{
    cJSON *f = cJSON_CreateObject();
    if (!f)
        return;
    int64_t at = mk_rec__now_us(&s->r->tape);
    cJSON_AddStringToObject(f, "from", from_client ? "client" : "server");
    cJSON_AddStringToObject(f, "type", type_name(op));
    if (op == MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE) {
        if (len >= 2) {
            cJSON_AddNumberToObject(f, "code", ((unsigned char)data[0] << 8) | (unsigned char)data[1]);
            if (len > 2) {
                char *reason = strndup(data + 2, len - 2);
                if (reason)
                    cJSON_AddStringToObject(f, "reason", reason);
                free(reason);
            }
        }
    } else if (op == MG_WEBSOCKET_OPCODE_BINARY) {
        mk_rec__body_add_base64(f, data, len);
    } else {
        mk_rec__body_add(f, data, len, NULL, &s->r->red);
    }
    mk_rec__ix_event(s->ix, s->frames, f, at, !from_client);
}

/* Wait (bounded) until the client's handshake is done or it went away. */
static int wait_ready(mk_rec_ws *s)
{
    struct timespec until;
    mkc__deadline_in(&until, 10000);
    pthread_mutex_lock(&s->mu);
    while (!s->ready && !s->client_closed)
        if (pthread_cond_timedwait(&s->cv, &s->mu, &until) == ETIMEDOUT)
            break;
    int ok = s->ready && !s->client_closed;
    pthread_mutex_unlock(&s->mu);
    return ok;
}

/* The mock's own hook on upstream data message (op, data, len), as if it
 * were a recorded server frame, `sent` messages into the session. */
static int ws_hook(mk_rec_ws *s, int op, char *data, size_t len, size_t sent)
{
    mk_frame fr;
    memset(&fr, 0, sizeof fr);
    fr.from = MK_FROM_SERVER;
    fr.type = op == MG_WEBSOCKET_OPCODE_BINARY ? MK_FRAME_BINARY : MK_FRAME_TEXT;
    fr.payload.bytes.data = (unsigned char *)data;
    fr.payload.bytes.len = len;
    return mk__fault_ws_frame(NULL, s->client, &s->fa, sent, &fr, mk__peer_fd(&s->peer), NULL,
                              &s->peer);
}

/* A message fault before forwarding an upstream frame to the client
 * (under s->mu): the mock's own hook, as if the frame were recorded.
 * Returns MK__FH_GO to forward it as it came, WROTE (fragmented), DONE
 * (closed or dropped: forward nothing more), or -2 for "drop this frame"
 * (a pong kept from the client by nopong). Latency and stall: ws_delay. */
static int ws_fault(mk_rec_ws *s, int op, char *data, size_t len)
{
    if (!s->fa.on)
        return MK__FH_GO;
    if (op == MG_WEBSOCKET_OPCODE_PONG && mk__fault_ws_nopong(&s->fa)) {
        s->faulted = 1;
        return -2;
    }
    if (op != MG_WEBSOCKET_OPCODE_TEXT && op != MG_WEBSOCKET_OPCODE_BINARY)
        return MK__FH_GO;
    switch (s->fa.f.kind) {
    case MK__F_WSCLOSE:
    case MK__F_CUT:
    case MK__F_FRAGMENT:
        break;
    default:
        return MK__FH_GO;
    }
    int h = ws_hook(s, op, data, len, s->sent);
    if (h != MK__FH_GO)
        s->faulted = 1;
    return h;
}

/* A latency or stall before forwarding an upstream data message, on the
 * real clock, with s->mu NOT held: the client's frames still reach the
 * upstream meanwhile, and the upstream's wait in the socket, as a slow
 * service's would. Only this thread (the upstream's reader) uses the act.
 * GO: forward it now; GONE: the client left or the recorder is stopping. */
static int ws_delay(mk_rec_ws *s, int op, char *data, size_t len, size_t sent)
{
    if (!s->fa.on || (s->fa.f.kind != MK__F_LATENCY && s->fa.f.kind != MK__F_STALL) ||
        (op != MG_WEBSOCKET_OPCODE_TEXT && op != MG_WEBSOCKET_OPCODE_BINARY))
        return MK__FH_GO;
    int h = ws_hook(s, op, data, len, sent);
    pthread_mutex_lock(&s->mu);
    s->faulted = 1; /* a session the fault slowed is not recorded */
    pthread_mutex_unlock(&s->mu);
    return h == MK__FH_GO ? MK__FH_GO : MK__FH_GONE;
}

/* Upstream -> client. */
static int up_data(struct mg_connection *conn, int bits, char *data, size_t len, void *user)
{
    (void)conn;
    mk_rec_ws *s = user;
    int op = bits & 0x0f;
    if (!wait_ready(s))
        return 0;
    record_frame(s, 0, op, data, len);
    pthread_mutex_lock(&s->mu);
    int live = !s->client_closed && !s->close_sent;
    size_t sent = s->sent;
    pthread_mutex_unlock(&s->mu);
    if (live && ws_delay(s, op, data, len, sent) == MK__FH_GONE)
        return 0; /* ends the upstream session too */
    pthread_mutex_lock(&s->mu);
    if (!s->client_closed && !s->close_sent) {
        int h = ws_fault(s, op, data, len);
        if (h == MK__FH_GO)
            mg_websocket_write(s->client, op, data, len);
        if (h == MK__FH_DONE || op == MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE)
            s->close_sent = 1; /* after a fault's close or drop, nothing more */
        else if (h == MK__FH_GO || h == MK__FH_WROTE)
            s->sent += op == MG_WEBSOCKET_OPCODE_TEXT || op == MG_WEBSOCKET_OPCODE_BINARY;
    }
    pthread_mutex_unlock(&s->mu);
    return op == MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE ? 0 : 1;
}

static void up_close(const struct mg_connection *conn, void *user)
{
    (void)conn;
    mk_rec_ws *s = user;
    pthread_mutex_lock(&s->mu);
    s->upstream_closed = 1;
    if (s->ready && !s->client_closed && !s->close_sent) {
        /* The upstream vanished without a close frame: tell the client. */
        static const char going[] = "\x03\xe9upstream closed";
        mg_websocket_write(s->client, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, going,
                           sizeof going - 1);
        s->close_sent = 1;
    }
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

static void track(mk_record *r, mk_rec_ws *s, int add)
{
    pthread_mutex_lock(&r->ws_mu);
    if (add) {
        if (r->ws_count == r->ws_cap) {
            size_t cap = r->ws_cap ? r->ws_cap * 2 : 8;
            mk_rec_ws **n = realloc(r->ws, cap * sizeof *n);
            if (n) {
                r->ws = n;
                r->ws_cap = cap;
            }
        }
        if (r->ws_count < r->ws_cap)
            r->ws[r->ws_count++] = s;
        if (__atomic_load_n(&r->stopping, __ATOMIC_SEQ_CST))
            __atomic_store_n(&s->leaving, 1, __ATOMIC_SEQ_CST); /* close_all has run */
    } else {
        for (size_t i = 0; i < r->ws_count; i++)
            if (r->ws[i] == s) {
                r->ws[i] = r->ws[--r->ws_count];
                break;
            }
    }
    pthread_mutex_unlock(&r->ws_mu);
}

static void session_free(mk_rec_ws *s)
{
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    mk_rec__ix_free(s->ix);
    free(s);
}

/* Faults at the upgrade, before the upstream is asked: a status refuses
 * it in the service's envelope (the handshake's answer instead of 101),
 * empty and garbage end the connection, latency waits. Returns 1 when the
 * fault answered. */
static int upgrade_fault(mk_record *r, struct mg_connection *c, mk_rec_ws *s)
{
    mk__reply rep = {0};
    char msg[64];
    if (s->fa.f.kind == MK__F_STATUS) {
        snprintf(msg, sizeof msg, "mockkit fault: status %d", s->fa.f.status);
        if (mk__profile_fault_svc(r->service, s->fa.f.status, msg, &rep) != 0)
            return 0;
        mg_printf(c, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n%s", rep.status,
                  mg_get_response_code_text(c, rep.status), rep.content_type, rep.extra);
        if (s->fa.f.retry_after >= 0)
            mg_printf(c, "Retry-After: %d\r\n", s->fa.f.retry_after);
        mg_printf(c, "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", strlen(rep.body),
                  rep.body);
        mk__reply_clear(&rep);
        return 1;
    }
    if (s->fa.f.kind != MK__F_EMPTY && s->fa.f.kind != MK__F_GARBAGE &&
        !(s->fa.f.kind == MK__F_LATENCY && s->fa.f.at == MK__AT_STATUS))
        return 0;
    /* these kinds of the mock's hook run without a mock */
    int h = mk__fault_before_status(NULL, c, &s->fa, NULL, &s->peer, &rep);
    mk__reply_clear(&rep);
    return h != MK__FH_GO;
}

static int on_connect(const struct mg_connection *conn, void *cbdata)
{
    mk_record *r = cbdata;
    const struct mg_request_info *ri = mg_get_request_info(conn);
    mk_rec_ws *s = calloc(1, sizeof *s);
    if (!s)
        return 1;
    s->r = r;
    pthread_mutex_init(&s->mu, NULL);
    mkc__cond_init_monotonic(&s->cv);
    s->ix = mk_rec__ix_new(&r->tape);
    cJSON *req = s->ix ? mk_rec__request_json(r, ri, NULL, 0) : NULL;
    if (!req) {
        session_free(s);
        return 1;
    }
    cJSON_AddItemToObject(s->ix->json, "request", req);
    s->frames = cJSON_AddArrayToObject(cJSON_AddObjectToObject(s->ix->json, "websocket"), "frames");

    mk__peer_init(&s->peer, r->port, ri);
    mk__faults_decide(r->faults, ri->request_method, ri->local_uri, &s->fa);
    s->fa.stop = &r->stopping;
    if (s->fa.on && upgrade_fault(r, (struct mg_connection *)(uintptr_t)conn, s)) {
        session_free(s);
        mg_set_user_connection_data(conn, NULL);
        return 1;
    }

    char path[4096], err[512] = "";
    snprintf(path, sizeof path, "%s%s%s%s", r->up.prefix,
             ri->local_uri_raw ? ri->local_uri_raw : ri->local_uri,
             ri->query_string && *ri->query_string ? "?" : "",
             ri->query_string ? ri->query_string : "");
    /* wss:// for an https:// upstream, verified as the client core does
     * (CivetWeb's client alone would not check the host name). */
    char url[4096 + 600];
    snprintf(url, sizeof url, "%s://%s:%d%s", r->up.tls ? "wss" : "ws", r->up.host, r->up.port,
             path);
    mkc_tls tls = {.cacert = r->cacert, .insecure = r->insecure};
    mkc_error e = {0};
    mkc_ws_civetweb_connect(url, path, &tls, up_data, up_close, s, &s->upstream, &e);
    snprintf(err, sizeof err, "%s", e.message);
    mkc_error_clear(&e);
    if (!s->upstream) {
        char msg[4096 + 1024];
        /* err names the URL already. */
        snprintf(msg, sizeof msg, "mockkit record: upstream %s\n",
                 err[0] ? err : "websocket handshake failed");
        mk_rec__report(r, "%s", msg);
        /* CivetWeb gives up the connection without an answer; give one.
         * CivetWeb 1.15 hands the connect handler a const connection
         * (mg_websocket_connect_handler) yet has no other way to answer
         * than mg_printf on it: the one cast-qual the API forces. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-qual"
        mg_printf((struct mg_connection *)conn,
                  "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\n"
                  "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                  strlen(msg), msg);
#pragma GCC diagnostic pop
        session_free(s);
        mg_set_user_connection_data(conn, NULL);
        return 1;
    }
    /* mkc_ws_civetweb_connect turned Nagle off: else every client frame
     * forwarded upstream waits ~40 ms for a delayed ACK, and its recorded
     * time with it. */
    mg_set_user_connection_data(conn, s);
    track(r, s, 1);
    /* From here a message fault's wait (ws_delay, on the upstream reader
     * once on_ready has run) also ends when the client leaves: one that sent
     * its close may keep its socket open while it waits for our answer, so
     * on_close sets leaving, as close_all does when the recorder stops. */
    s->fa.stop = &s->leaving;
    return 0;
}

static void on_ready(struct mg_connection *conn, void *cbdata)
{
    (void)cbdata;
    mk_rec_ws *s = mg_get_user_connection_data(conn);
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->client = conn;
    s->ready = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* Client -> upstream. */
static int on_data(struct mg_connection *conn, int bits, char *data, size_t len, void *cbdata)
{
    (void)cbdata;
    mk_rec_ws *s = mg_get_user_connection_data(conn);
    if (!s)
        return 0;
    int op = bits & 0x0f;
    record_frame(s, 1, op, data, len);
    pthread_mutex_lock(&s->mu);
    int up_open = !s->upstream_closed;
    pthread_mutex_unlock(&s->mu);
    if (up_open)
        mg_websocket_client_write(s->upstream, op, data, len);
    return op == MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE ? 0 : 1;
}

static void on_close(const struct mg_connection *conn, void *cbdata)
{
    mk_record *r = cbdata;
    mk_rec_ws *s = mg_get_user_connection_data(conn);
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->client_closed = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    __atomic_store_n(&s->leaving, 1, __ATOMIC_SEQ_CST); /* ends a fault's wait in up_data */
    /* Joins the upstream reader; no lock held, it may be in up_data. */
    mg_close_connection(s->upstream);
    track(r, s, 0);
    if (!s->faulted) {
        mk_rec__tape_add(&r->tape, s->ix);
        s->ix = NULL; /* else session_free drops it: a faulted session is not recorded */
    }
    session_free(s);
}

void mk_rec__ws_install(mk_record *r)
{
    mg_set_websocket_handler(r->ctx, "**", on_connect, on_ready, on_data, on_close, r);
}

void mk_rec__ws_close_all(mk_record *r)
{
    /* Going away (1001) to every open client; mg_stop then ends them. */
    static const char going[] = "\x03\xe9recorder stopped";
    pthread_mutex_lock(&r->ws_mu);
    for (size_t i = 0; i < r->ws_count; i++) {
        mk_rec_ws *s = r->ws[i];
        __atomic_store_n(&s->leaving, 1, __ATOMIC_SEQ_CST);
        pthread_mutex_lock(&s->mu);
        if (s->ready && !s->client_closed && !s->close_sent) {
            mg_websocket_write(s->client, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, going,
                               sizeof going - 1);
            s->close_sent = 1;
        }
        pthread_mutex_unlock(&s->mu);
    }
    pthread_mutex_unlock(&r->ws_mu);
}
