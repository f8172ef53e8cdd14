/* ws.c: websocket replay.
 *
 * CivetWeb calls connect (choose the interaction), ready (start the player),
 * data (match a client frame, queue what follows it) and close (cancel and
 * join the player) on its worker thread. The player thread sends server
 * frames when due; mg_websocket_write locks the connection itself, so its
 * writes never interleave with CivetWeb's or ours from the data callback. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "faults.h"
#include "mock_internal.h"
#include "mockkit/cassette.h"

#define MAX_RUNS 64

/* A stretch of server frames to play: from frame `frame` of interaction
 * `ix` up to its next client frame, timed from the anchor. */
typedef struct run {
    size_t ix, frame;
    int64_t anchor_now, anchor_at;
} run;

/* An interaction whose client frames this socket may match. */
typedef struct cand {
    size_t ix;
    unsigned char *played;   /* per frame */
    int arrived;             /* recorded as received (trigger) */
} cand;

typedef struct mk__ws {
    struct mk_mock *m;
    mk__set *set;            /* referenced: the set this connection started with */
    struct mg_connection *conn;
    pthread_t thread;
    int started;
    pthread_mutex_t mu;      /* the run queue */
    pthread_cond_t cv;
    run q[MAX_RUNS];
    size_t qhead, qcount;
    atomic_int cancel;
    atomic_int closed;       /* a recorded server close went out */
    double speed;
    cand *cands;
    size_t cand_count;
    char path[512];
    struct mk__ws *next;
    mk__fault_act fault;     /* faults_ws.c */
    int fd;                  /* the socket (under TLS for wss), -1 unknown */
    size_t sent;             /* server data messages sent (player only) */
} mk__ws;

/* ---- frames ------------------------------------------------------------ */

static int opcode_of(mk_frame_type t)
{
    switch (t) {
    case MK_FRAME_TEXT:
        return MG_WEBSOCKET_OPCODE_TEXT;
    case MK_FRAME_BINARY:
        return MG_WEBSOCKET_OPCODE_BINARY;
    case MK_FRAME_PING:
        return MG_WEBSOCKET_OPCODE_PING;
    case MK_FRAME_PONG:
        return MG_WEBSOCKET_OPCODE_PONG;
    case MK_FRAME_CLOSE:
        return MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE;
    }
    return MG_WEBSOCKET_OPCODE_TEXT;
}

static int type_of(int opcode, mk_frame_type *out)
{
    switch (opcode & 0xf) {
    case MG_WEBSOCKET_OPCODE_TEXT:
        *out = MK_FRAME_TEXT;
        return 0;
    case MG_WEBSOCKET_OPCODE_BINARY:
        *out = MK_FRAME_BINARY;
        return 0;
    case MG_WEBSOCKET_OPCODE_PING:
        *out = MK_FRAME_PING;
        return 0;
    case MG_WEBSOCKET_OPCODE_PONG:
        *out = MK_FRAME_PONG;
        return 0;
    case MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE:
        *out = MK_FRAME_CLOSE;
        return 0;
    }
    return -1; /* continuation: fragmented messages are not replayed */
}

static int send_frame(struct mg_connection *conn, const mk_frame *f)
{
    if (f->type == MK_FRAME_CLOSE) {
        unsigned char buf[128];
        size_t len = 0;
        if (f->close_code > 0) {
            size_t rlen = f->close_reason ? strlen(f->close_reason) : 0;
            if (rlen > sizeof(buf) - 2) {
                rlen = sizeof(buf) - 2; /* a control frame carries at most 125 bytes */
            }
            buf[0] = (unsigned char)((f->close_code >> 8) & 0xff);
            buf[1] = (unsigned char)(f->close_code & 0xff);
            memcpy(buf + 2, f->close_reason ? f->close_reason : "", rlen);
            len = 2 + rlen;
        }
        return mg_websocket_write(conn, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, (const char *)buf,
                                  len) < 0 ? -1 : 0;
    }
    return mg_websocket_write(conn, opcode_of(f->type), (const char *)f->payload.bytes.data,
                              f->payload.bytes.len) < 0 ? -1 : 0;
}

/* Does a live client frame match a recorded one? fail explains a miss. */
static int frame_match(const mk_frame *f, mk_frame_type type, const char *data, size_t len,
                       char *fail, size_t fs)
{
    mk_frame_match mode = f->match;
    if (f->type != type) {
        snprintf(fail, fs, "frame: type differs");
        return 0;
    }
    if (mode == MK_FRAME_MATCH_ANY || type == MK_FRAME_CLOSE) {
        return 1;
    }
    if (f->payload.json && mode != MK_FRAME_MATCH_EXACT) {
        mode = MK_FRAME_MATCH_PARTIAL;
    }
    if (f->payload.json) {
        cJSON *got = mk_json_parse_bounded(data, len, NULL);
        char sub[300];
        int ok;
        if (!got) {
            snprintf(fail, fs, "frame: expected JSON, got %zu bytes that are not JSON", len);
            return 0;
        }
        ok = mk__json_match(f->payload.json, got, mode == MK_FRAME_MATCH_PARTIAL, NULL, sub,
                            sizeof(sub));
        cJSON_Delete(got);
        if (!ok) {
            snprintf(fail, fs, "frame: %s", sub);
        }
        return ok;
    }
    if (f->payload.bytes.len != len ||
        (len && memcmp(f->payload.bytes.data, data, len) != 0)) {
        snprintf(fail, fs, "frame: payload differs (expected %zu bytes, got %zu)",
                 f->payload.bytes.len, len);
        return 0;
    }
    return 1;
}

/* ---- the player -------------------------------------------------------- */

static void push_run(mk__ws *ws, run r)
{
    pthread_mutex_lock(&ws->mu);
    if (ws->qcount < MAX_RUNS) {
        ws->q[(ws->qhead + ws->qcount) % MAX_RUNS] = r;
        ws->qcount++;
        pthread_cond_signal(&ws->cv);
    }
    pthread_mutex_unlock(&ws->mu);
}

static void play(mk__ws *ws, run *r)
{
    const mk__ix *x = &ws->set->ixs[r->ix];
    for (size_t f = r->frame; f < x->ix->frame_count; f++) {
        const mk_frame *fr = &x->ix->frames[f];
        mk__ix *trigger;
        if (fr->from == MK_FROM_CLIENT || atomic_load(&ws->closed)) {
            return; /* a wait point: the next run starts after a matching client frame */
        }
        trigger = mk__engine_find(ws->set, x->cas, fr->after);
        if (mk__schedule(ws->m, trigger, ws->speed, &r->anchor_now, &r->anchor_at, fr->at_ms,
                         &ws->cancel) != 0) {
            return;
        }
        /* fault hook point: before each server frame (its own, then the
         * connection's) */
        mk__fault_act fa = {0};
        if (fr->fault) {
            mk__fault_act_cassette(ws->m, fr->fault, 1, &fa);
            fa.f.at = fa.f.at == MK__AT_FIRST ? MK__AT_EVENT : fa.f.at;
        }
        int h = mk__fault_ws_frame(ws->m, ws->conn, &fa, 0, fr, ws->fd, &ws->cancel, NULL);
        if (h == MK__FH_GO) {
            h = mk__fault_ws_frame(ws->m, ws->conn, &ws->fault, ws->sent, fr, ws->fd,
                                   &ws->cancel, NULL);
        }
        if (h == MK__FH_DONE || h == MK__FH_GONE) {
            atomic_store(&ws->closed, 1);
            return;
        }
        if (h == MK__FH_GO && send_frame(ws->conn, fr) != 0) {
            return;
        }
        ws->sent += fr->type == MK_FRAME_TEXT || fr->type == MK_FRAME_BINARY;
        if (fr->type == MK_FRAME_CLOSE) {
            atomic_store(&ws->closed, 1);
            return;
        }
    }
}

static void *player_main(void *arg)
{
    mk__ws *ws = arg;
    for (;;) {
        run r;
        pthread_mutex_lock(&ws->mu);
        while (ws->qcount == 0 && !atomic_load(&ws->cancel) && !atomic_load(&ws->m->stopping)) {
            pthread_cond_wait(&ws->cv, &ws->mu);
        }
        if (atomic_load(&ws->cancel) || atomic_load(&ws->m->stopping)) {
            pthread_mutex_unlock(&ws->mu);
            break;
        }
        r = ws->q[ws->qhead];
        ws->qhead = (ws->qhead + 1) % MAX_RUNS;
        ws->qcount--;
        pthread_mutex_unlock(&ws->mu);
        play(ws, &r);
    }
    return NULL;
}

/* ---- CivetWeb callbacks ------------------------------------------------ */

static void ws_free(mk__ws *ws)
{
    for (size_t i = 0; i < ws->cand_count; i++) {
        free(ws->cands[i].played);
    }
    free(ws->cands);
    mk__set_put(ws->set);
    pthread_cond_destroy(&ws->cv);
    pthread_mutex_destroy(&ws->mu);
    free(ws);
}

/* The chosen interaction first, then the other websocket interactions
 * recorded on a path that matches this one, in order. */
static int build_cands(mk__ws *ws, size_t chosen, const char *path)
{
    mk__set *s = ws->set;
    ws->cands = calloc(s->ix_count ? s->ix_count : 1, sizeof(*ws->cands));
    if (!ws->cands) {
        return -1;
    }
    for (size_t pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < s->ix_count; i++) {
            const mk_interaction *ix = s->ixs[i].ix;
            const char *pattern = ix->match.path ? ix->match.path : ix->request.path;
            if ((pass == 0) != (i == chosen) || ix->kind != MK_IX_WEBSOCKET ||
                !mk__path_match(pattern, path)) {
                continue;
            }
            cand *c = &ws->cands[ws->cand_count++];
            c->ix = i;
            c->arrived = i == chosen;
            c->played = calloc(ix->frame_count ? ix->frame_count : 1, 1);
            if (!c->played) {
                return -1;
            }
        }
    }
    return 0;
}

/* The upgrade request as the matcher, the faults and the journal see it. */
static void upgrade_req(const struct mg_request_info *ri, mk__req *req)
{
    memset(req, 0, sizeof(*req));
    req->method = ri->request_method;
    req->path = ri->local_uri ? ri->local_uri : "/";
    req->query_string = ri->query_string;
    req->ri = ri;
}

/* Answer an upgrade with an HTTP error in the service's envelope (before
 * any handshake) and journal it. extra: header lines, may be "". */
static int refuse_upgrade(struct mk_mock *m, struct mg_connection *conn, const mk__req *req,
                          int64_t arrival, int status, const char *msg, const char *extra)
{
    mk__reply r = {0};
    char head[700];
    const char *text = mg_get_response_code_text(conn, status);
    if (mk__profile_refuse(m, status, msg, &r) != 0) {
        mk__reply_clear(&r);
        return status;
    }
    mk__journal_note(m, req, arrival, status, 0, NULL, msg);
    snprintf(head, sizeof(head),
             "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n%sContent-Length: %zu\r\n"
             "Connection: close\r\n\r\n",
             status, text ? text : "", r.content_type, extra, strlen(r.body));
    mg_write(conn, head, strlen(head));
    mg_write(conn, r.body, strlen(r.body));
    mg_disable_connection_keep_alive(conn);
    mk__reply_clear(&r);
    return status;
}

/* Choose the interaction for an upgrade; NULL when refused (answered and
 * journaled, *status says how). */
static mk__ws *accept_upgrade(struct mk_mock *m, struct mg_connection *conn, int64_t arrival,
                              int *status)
{
    const struct mg_request_info *ri = mg_get_request_info(conn);
    mk__req req;
    mk__pick pick;
    mk__ws *ws;

    upgrade_req(ri, &req);
    if (!mk__slot_take(m)) {
        char msg[160];
        snprintf(msg, sizeof(msg),
                 "mockkit: %d connections already being served (max_connections); try again",
                 m->max_conn);
        *status = refuse_upgrade(m, conn, &req, arrival, 503, msg, "");
        return NULL;
    }
    *status = 500;
    if (mk__query_parse(ri->query_string, &req.query, &req.query_count) != 0) {
        mk__slot_give(m);
        return NULL;
    }
    mk__engine_pick(m, &req, MK_IX_WEBSOCKET, arrival, &pick);
    if (pick.index == SIZE_MAX) {
        mk__slot_give(m);
        const mk__ix *near = pick.nearest != SIZE_MAX ? &pick.set->ixs[pick.nearest] : NULL;
        mk__reply r = {0};
        char line[1200], head[700];
        mk__profile_unmatched(m, &req, &pick, &r);
        mk__journal_note(m, &req, arrival, 404, 0, near, pick.failed);
        snprintf(head, sizeof(head),
                 "HTTP/1.1 404 Not Found\r\nContent-Type: %s\r\n%sContent-Length: %zu\r\n"
                 "Connection: close\r\n\r\n",
                 r.content_type ? r.content_type : "text/plain", r.extra,
                 r.body ? strlen(r.body) : 0);
        mg_write(conn, head, strlen(head));
        if (r.body) {
            mg_write(conn, r.body, strlen(r.body));
        }
        mg_disable_connection_keep_alive(conn);
        snprintf(line, sizeof(line), "websocket %s: nearest %s%s%s: %s", req.path,
                 near ? near->cas->path : "(none)", near ? "#" : "", near ? near->ix->id : "",
                 pick.failed[0] ? pick.failed : "no websocket interactions");
        mk__log_unmatched(m, line);
        mk__reply_clear(&r);
        mk__set_put(pick.set);
        mk__query_free(req.query, req.query_count);
        *status = 404;
        return NULL;
    }
    ws = calloc(1, sizeof(*ws));
    if (!ws) {
        mk__set_put(pick.set);
        mk__slot_give(m);
        mk__query_free(req.query, req.query_count);
        return NULL;
    }
    ws->m = m;
    ws->set = pick.set; /* ws_free gives it back */
    ws->conn = conn;
    ws->fd = -1;
    ws->speed = mk__speed(m);
    pthread_mutex_init(&ws->mu, NULL);
    pthread_cond_init(&ws->cv, NULL);
    atomic_init(&ws->cancel, 0);
    atomic_init(&ws->closed, 0);
    snprintf(ws->path, sizeof(ws->path), "%s", req.path);
    mk__query_free(req.query, req.query_count);
    if (build_cands(ws, pick.index, ws->path) != 0) {
        ws_free(ws);
        mk__slot_give(m);
        return NULL;
    }
    /* journal first: a client that has its 101 must find the entry */
    mk__journal_note(m, &req, arrival, 101, 1, &ws->set->ixs[pick.index], NULL);
    push_run(ws, (run){pick.index, 0, arrival, ws->set->ixs[pick.index].ix->at_ms});
    *status = 101;
    return ws;
}

/* Fault hook point before the 101, on ws and wss alike: 0 to go on with
 * the upgrade; 1 when the fault answered it (a status fault refuses it with
 * that status; empty, garbage and stall act on the connection), *status
 * then being what to journal. */
static int upgrade_faults(struct mk_mock *m, struct mg_connection *conn, const mk__req *req,
                          int64_t arrival, mk__peer *peer, mk__fault_act *fa, int *status)
{
    mk__reply fr = {0};
    mk__fault_decide(m, req->method, req->path, fa);
    switch (mk__fault_before_status(m, conn, fa, req, peer, &fr)) {
    case MK__FH_REPLY:
        *status = refuse_upgrade(m, conn, req, arrival, fr.status, "mockkit fault", fr.extra);
        mk__reply_clear(&fr);
        return 1;
    case MK__FH_GO:
        return 0;
    default:
        mk__journal_note(m, req, arrival, 0, 0, NULL, "fault");
        *status = 499;
        return 1;
    }
}

/* The connection's faults for the player: the mock's (fa), else the chosen
 * interaction's own; fd, the socket a drop (cut, wsclose=1006) acts on. */
static void arm_faults(mk__ws *ws, const mk__fault_act *fa, int fd)
{
    ws->fault = *fa;
    if (!fa->on && ws->set->ixs[ws->cands[0].ix].ix->fault) {
        mk__fault_act_cassette(ws->m, ws->set->ixs[ws->cands[0].ix].ix->fault, 0, &ws->fault);
    }
    ws->fd = fd;
}

static void start_player(mk__ws *ws)
{
    pthread_attr_t attr;
    /* a player only schedules and writes (JSON depth is bounded): a small
     * stack keeps 1,000 websockets from reserving 8 MB each */
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    if (pthread_create(&ws->thread, &attr, player_main, ws) == 0) {
        ws->started = 1;
    }
    pthread_attr_destroy(&attr);
}

static void note_unmatched_frame(mk__ws *ws, const char *what, const char *failed, size_t near)
{
    mk__req req;
    char line[1000];
    memset(&req, 0, sizeof(req));
    req.method = what;
    req.path = ws->path;
    const mk__ix *x = near != SIZE_MAX ? &ws->set->ixs[near] : NULL;
    mk__journal_note(ws->m, &req, mk_clock_now_ms(ws->m->clock), 0, 0, x, failed);
    snprintf(line, sizeof(line), "websocket frame on %s: nearest %s#%s: %s", ws->path,
             x ? x->cas->path : "(none)", x ? x->ix->id : "", failed);
    mk__log_unmatched(ws->m, line);
}

/* Close the connection ourselves (code, reason) and journal why. */
static void close_with(mk__ws *ws, struct mg_connection *conn, int code, const char *reason)
{
    unsigned char buf[125];
    size_t rlen = strlen(reason) > sizeof(buf) - 2 ? sizeof(buf) - 2 : strlen(reason);
    buf[0] = (unsigned char)((code >> 8) & 0xff);
    buf[1] = (unsigned char)(code & 0xff);
    memcpy(buf + 2, reason, rlen);
    note_unmatched_frame(ws, "WS", reason, SIZE_MAX);
    atomic_store(&ws->closed, 1);
    mg_websocket_write(conn, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, (const char *)buf, rlen + 2);
}

/* A text frame that looks like JSON nested deeper than we parse. */
static int json_too_deep(const char *data, size_t len)
{
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n')) {
        i++;
    }
    return i < len && (data[i] == '[' || data[i] == '{') &&
           mk_json_depth(data, len, MK_JSON_MAX_DEPTH) > MK_JSON_MAX_DEPTH;
}

/* One client frame (flags: its first header byte). Returns 0 when the
 * connection is to close. */
static int on_frame(mk__ws *ws, int opcode, char *data, size_t len)
{
    struct mg_connection *conn = ws->conn;
    int64_t arrival;
    mk_frame_type type;
    char fail[400] = "", first_fail[400] = "";
    size_t near = SIZE_MAX;
    if (type_of(opcode, &type) != 0) {
        return 1;
    }
    if (type == MK_FRAME_TEXT && json_too_deep(data, len)) {
        close_with(ws, conn, 1007, "mockkit: JSON nested too deep");
        return 0;
    }
    arrival = mk_clock_now_ms(ws->m->clock);
    for (size_t c = 0; c < ws->cand_count; c++) {
        const mk__ix *x = &ws->set->ixs[ws->cands[c].ix];
        for (size_t f = 0; f < x->ix->frame_count; f++) {
            const mk_frame *fr = &x->ix->frames[f];
            if (fr->from != MK_FROM_CLIENT || ws->cands[c].played[f]) {
                continue;
            }
            if (!frame_match(fr, type, data, len, fail, sizeof(fail))) {
                if (near == SIZE_MAX && fr->type == type) {
                    near = ws->cands[c].ix;
                    snprintf(first_fail, sizeof(first_fail), "%s", fail);
                }
                continue;
            }
            ws->cands[c].played[f] = 1;
            if (!ws->cands[c].arrived) {
                ws->cands[c].arrived = 1;
                atomic_store(ws->set->ixs[ws->cands[c].ix].arrived, arrival);
                if (ws->set->ixs[ws->cands[c].ix].is_trigger) {
                    mk__clock_wake_triggers(ws->m->clock);
                }
            }
            if (type == MK_FRAME_CLOSE) {
                /* CivetWeb ends the connection after this callback: answer
                 * with the recorded server close, if that comes next, now. */
                if (f + 1 < x->ix->frame_count && x->ix->frames[f + 1].from == MK_FROM_SERVER &&
                    x->ix->frames[f + 1].type == MK_FRAME_CLOSE) {
                    send_frame(conn, &x->ix->frames[f + 1]);
                } else {
                    mg_websocket_write(conn, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, data,
                                       len > 125 ? 125 : len);
                }
                return 0;
            }
            push_run(ws, (run){ws->cands[c].ix, f + 1, arrival, fr->at_ms});
            return 1;
        }
    }
    if (type == MK_FRAME_CLOSE) {
        /* not recorded: answer the close as a server would (once: not
         * after a close of ours, e.g. a fault's) */
        if (!atomic_load(&ws->closed)) {
            mg_websocket_write(conn, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, data,
                               len > 125 ? 125 : len);
        }
        return 0;
    }
    if (type == MK_FRAME_PING && mk__fault_ws_nopong(&ws->fault)) {
        return 1; /* fault: the ping goes unanswered */
    }
    if (type == MK_FRAME_PING) {
        mg_websocket_write(conn, MG_WEBSOCKET_OPCODE_PONG, data, len);
        return 1;
    }
    if (type == MK_FRAME_PONG) {
        return 1;
    }
    note_unmatched_frame(ws, "WS", first_fail[0] ? first_fail : "frame: no unplayed client frame "
                         "of this type recorded on this path", near);
    return 1; /* the connection stays open */
}

/* Cancel and join the player, unlink and free: nothing outlives the
 * connection. */
static void finish(mk__ws *ws)
{
    struct mk_mock *m = ws->m;
    atomic_store(&ws->cancel, 1);
    pthread_mutex_lock(&ws->mu);
    pthread_cond_signal(&ws->cv);
    pthread_mutex_unlock(&ws->mu);
    mk__clock_wake(m->clock);
    if (ws->started) {
        pthread_join(ws->thread, NULL);
    }
    pthread_mutex_lock(&m->mu);
    for (mk__ws **p = &m->ws_list; *p; p = &(*p)->next) {
        if (*p == ws) {
            *p = ws->next;
            break;
        }
    }
    pthread_mutex_unlock(&m->mu);
    ws_free(ws);
    mk__slot_give(m);
}

static int has_token(const char *header, const char *token)
{
    size_t n = strlen(token);
    for (const char *p = header; p && *p; p++) {
        if (strncasecmp(p, token, n) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Serve one websocket connection on this worker: handshake, then our own
 * frame reader (ws_frame.c) until the socket closes or the mock stops. */
static int serve_ws(struct mk_mock *m, struct mg_connection *conn)
{
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    const struct mg_request_info *ri = mg_get_request_info(conn);
    int64_t arrival = mk_clock_now_ms(m->clock);
    const char *key = mg_get_header(conn, "Sec-WebSocket-Key");
    const char *version = mg_get_header(conn, "Sec-WebSocket-Version");
    char keyed[128], head[256], *accept;
    unsigned char digest[20];
    mk__ws_reader rd;
    mk__peer peer;
    mk__fault_act fa;
    mk__req req;
    mk__ws *ws;
    int status = 101;

    upgrade_req(ri, &req);
    /* a key is 24 base64 characters (RFC 6455 4.1) */
    if (!key || strlen(key) == 0 || strlen(key) > 60) {
        return refuse_upgrade(m, conn, &req, arrival, 400,
                              "mockkit: bad or missing Sec-WebSocket-Key header", "");
    }
    if (!version || strcmp(version, "13") != 0) {
        return refuse_upgrade(m, conn, &req, arrival, 426,
                              "mockkit: Sec-WebSocket-Version must be 13",
                              "Sec-WebSocket-Version: 13\r\n");
    }
    mk__peer_init(&peer, m->port, ri);
    rd.fd = mk__peer_fd(&peer);
    if (rd.fd < 0) {
        return refuse_upgrade(m, conn, &req, arrival, 500,
                              "mockkit: cannot find this connection's socket", "");
    }
    if (upgrade_faults(m, conn, &req, arrival, &peer, &fa, &status)) {
        return status;
    }
    ws = accept_upgrade(m, conn, arrival, &status);
    if (!ws) {
        return status;
    }
    arm_faults(ws, &fa, rd.fd);
    snprintf(keyed, sizeof(keyed), "%s%s", key, guid);
    mk__sha1(keyed, strlen(keyed), digest);
    accept = mk_cassette_base64_encode(digest, sizeof(digest));
    snprintf(head, sizeof(head),
             "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Accept: %s\r\n\r\n",
             accept ? accept : "");
    free(accept);
    mg_disable_connection_keep_alive(conn); /* never back to HTTP on this socket */
    if (mg_write(conn, head, strlen(head)) != (int)strlen(head)) {
        finish(ws);
        return 101;
    }
    pthread_mutex_lock(&m->mu);
    ws->next = m->ws_list;
    m->ws_list = ws;
    pthread_mutex_unlock(&m->mu);
    start_player(ws);

    rd.m = m;
    rd.max = m->max_frame;
    rd.timeout_ms = m->opts.request_timeout_ms > 0 ? m->opts.request_timeout_ms : 10000;
    rd.cancel = &ws->cancel;
    for (;;) {
        mk__ws_frame f;
        int rc = mk__ws_read_frame(&rd, &f);
        if (rc == MK__WS_REFUSE) {
            close_with(ws, conn, f.close_code, f.reason);
            break;
        }
        if (rc != MK__WS_OK) {
            break;
        }
        rc = on_frame(ws, f.flags, f.data, f.len);
        free(f.data);
        if (rc == 0) {
            break;
        }
    }
    finish(ws);
    return 101;
}

int mk__begin_request(struct mg_connection *conn)
{
    struct mk_mock *m = mg_get_user_data(mg_get_context(conn));
    const char *upgrade = mg_get_header(conn, "Upgrade");
    if (!m || !upgrade || !has_token(upgrade, "websocket") ||
        !has_token(mg_get_header(conn, "Connection"), "upgrade")) {
        return 0; /* plain HTTP: the request handler */
    }
    if (mg_get_request_info(conn)->is_ssl) {
        return 0; /* wss: CivetWeb's own reader (below); ours reads the raw socket */
    }
    return serve_ws(m, conn);
}

/* ---- wss: CivetWeb's websocket callbacks --------------------------------
 *
 * Our reader (ws_frame.c) reads the socket itself, which under TLS holds
 * ciphertext, and CivetWeb 1.15 offers no TLS-aware read past the request
 * (mg_read stops at the upgrade's Content-Length, 0; the SSL object is not
 * exposed). So a TLS upgrade goes to CivetWeb's handshake and frame reader,
 * and these callbacks drive the same matcher and player as serve_ws. What
 * wss loses (docs/internals/replay.md): the message size is checked only
 * once CivetWeb has read the whole message (it reserves what a header
 * claims, up to 2 GB), unmasked frames are not refused, and a bad key or
 * version gets CivetWeb's answer. */

int mk__wss_connect(const struct mg_connection *cconn, void *cbdata)
{
    struct mk_mock *m = cbdata;
    /* nothing is sent yet, so a refusal can still be an HTTP answer: the
     * const only says "do not write after accepting" */
    struct mg_connection *conn = (struct mg_connection *)(uintptr_t)cconn;
    const struct mg_request_info *ri = mg_get_request_info(conn);
    int64_t arrival = mk_clock_now_ms(m->clock);
    int status = 101;
    const char *key = mg_get_header(conn, "Sec-WebSocket-Key");
    mk__fault_act fa;
    mk__peer peer;
    mk__req req;
    mk__ws *ws;
    upgrade_req(ri, &req);
    /* CivetWeb fails the handshake on a long key after this callback and
     * then calls neither ready nor close: refuse it here, as serve_ws does */
    if (!key || strlen(key) == 0 || strlen(key) > 60) {
        refuse_upgrade(m, conn, &req, arrival, 400,
                       "mockkit: bad or missing Sec-WebSocket-Key header", "");
        return 1;
    }
    /* the socket under the TLS session: a drop fault acts on it (-1 without
     * /proc: then a drop only stops the frames) */
    mk__peer_init(&peer, m->port, ri);
    if (upgrade_faults(m, conn, &req, arrival, &peer, &fa, &status)) {
        return 1;
    }
    ws = accept_upgrade(m, conn, arrival, &status);
    if (!ws) {
        return 1;
    }
    arm_faults(ws, &fa, mk__peer_fd(&peer));
    /* accepted: CivetWeb calls close (which unlinks and frees) from now on */
    pthread_mutex_lock(&m->mu);
    ws->next = m->ws_list;
    m->ws_list = ws;
    pthread_mutex_unlock(&m->mu);
    mg_set_user_connection_data(conn, ws);
    return 0;
}

void mk__wss_ready(struct mg_connection *conn, void *cbdata)
{
    mk__ws *ws = mg_get_user_connection_data(conn);
    (void)cbdata;
    if (ws) {
        start_player(ws);
    }
}

int mk__wss_data(struct mg_connection *conn, int flags, char *data, size_t len, void *cbdata)
{
    mk__ws *ws = mg_get_user_connection_data(conn);
    (void)cbdata;
    if (!ws) {
        return 0;
    }
    if (len > ws->m->max_frame) {
        close_with(ws, conn, 1009, "mockkit: message larger than max_frame");
        return 0;
    }
    return on_frame(ws, flags, data, len);
}

void mk__wss_close(const struct mg_connection *conn, void *cbdata)
{
    mk__ws *ws = mg_get_user_connection_data(conn);
    (void)cbdata;
    if (ws) {
        finish(ws);
    }
}

void mk__ws_stop_all(struct mk_mock *m)
{
    /* 1001 "going away": the client answers or hangs up, which ends
     * CivetWeb's read loop at once instead of at its next 2 s poll. The
     * connection stays valid while we hold mu: its close callback must
     * take mu to unlink it before CivetWeb frees it. */
    static const char going_away[] = "\x03\xe9mockkit: server stopping";
    pthread_mutex_lock(&m->mu);
    for (mk__ws *ws = m->ws_list; ws; ws = ws->next) {
        atomic_store(&ws->cancel, 1);
        pthread_mutex_lock(&ws->mu);
        pthread_cond_signal(&ws->cv);
        pthread_mutex_unlock(&ws->mu);
        if (!atomic_load(&ws->closed)) {
            atomic_store(&ws->closed, 1);
            mg_websocket_write(ws->conn, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, going_away,
                               sizeof(going_away) - 1);
        }
    }
    pthread_mutex_unlock(&m->mu);
    mk__clock_wake(m->clock);
}
