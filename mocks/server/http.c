/* http.c: the CivetWeb request handler: read the request, admin paths,
 * service checks, matching, then the recorded response, timed.
 *
 * Responses are written raw (status line and headers in one write, each
 * chunk "len CRLF data CRLF" in one write) so that, with tcp_nodelay, every
 * recorded chunk leaves as its own HTTP chunk when its time comes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "faults.h"
#include "mock_internal.h"

/* Returns 0, -1 out of memory, -2 when the body is larger than max. */
static int read_body(struct mg_connection *conn, mk__req *req, size_t max)
{
    const struct mg_request_info *ri = mg_get_request_info(conn);
    size_t cap = 0;
    if (ri->content_length > 0 && (unsigned long long)ri->content_length > max) {
        return -2; /* refused before a byte is read or reserved */
    }
    for (;;) {
        int n;
        if (cap - req->body_len < 4096) {
            size_t ncap = cap ? cap * 2 : 8192;
            unsigned char *grown;
            if (ncap > max + 4096) {
                ncap = max + 4096; /* room to see one byte past max */
            }
            if (ncap <= cap) {
                return -2;
            }
            grown = realloc(req->body, ncap + 1);
            if (!grown) {
                return -1;
            }
            req->body = grown;
            cap = ncap;
        }
        n = mg_read(conn, req->body + req->body_len, cap - req->body_len);
        if (n <= 0) {
            break;
        }
        req->body_len += (size_t)n;
        if (req->body_len > max) {
            return -2;
        }
    }
    if (req->body) {
        req->body[req->body_len] = '\0';
    }
    return 0;
}

/* Does the body look like JSON nested deeper than we parse? */
static int too_deep(const mk__req *req)
{
    size_t i = 0;
    while (i < req->body_len && (req->body[i] == ' ' || req->body[i] == '\t' ||
                                 req->body[i] == '\r' || req->body[i] == '\n')) {
        i++;
    }
    return i < req->body_len && (req->body[i] == '[' || req->body[i] == '{') &&
           mk_json_depth((const char *)req->body, req->body_len, MK_JSON_MAX_DEPTH) >
               MK_JSON_MAX_DEPTH;
}

static int write_all(struct mg_connection *conn, const void *buf, size_t len)
{
    return len == 0 || mg_write(conn, buf, len) == (int)len ? 0 : -1;
}

/* A growing string for the response head. */
typedef struct sbuf {
    char *data;
    size_t len, cap;
    int failed;
} sbuf;

static void sb_add(sbuf *b, const void *s, size_t n)
{
    if (b->failed) {
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t ncap = (b->len + n + 1) * 2;
        char *grown = realloc(b->data, ncap);
        if (!grown) {
            b->failed = 1;
            return;
        }
        b->data = grown;
        b->cap = ncap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0) {
        sb_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
    }
}

static void status_line(sbuf *b, struct mg_connection *conn, int status)
{
    const char *text = mg_get_response_code_text(conn, status);
    sb_printf(b, "HTTP/1.1 %d %s\r\n", status, text ? text : "");
}

static int send_reply(struct mg_connection *conn, const mk__reply *r, int head_only)
{
    sbuf b = {0};
    size_t blen = r->body ? strlen(r->body) : 0;
    int rc;
    status_line(&b, conn, r->status);
    if (r->content_type) {
        sb_printf(&b, "Content-Type: %s\r\n", r->content_type);
    }
    sb_str(&b, r->extra);
    sb_printf(&b, "Content-Length: %zu\r\n\r\n", blen);
    if (!head_only && blen) {
        sb_add(&b, r->body, blen);
    }
    rc = b.failed ? -1 : write_all(conn, b.data, b.len);
    free(b.data);
    return rc;
}

static int regenerated(const char *name)
{
    return strcasecmp(name, "content-length") == 0 ||
           strcasecmp(name, "transfer-encoding") == 0 || strcasecmp(name, "connection") == 0;
}

/* Write one recorded chunk as exactly one HTTP chunk. */
static int send_chunk(struct mg_connection *conn, const mk_bytes *data)
{
    char head[24];
    sbuf b = {0};
    int rc;
    if (data->len == 0) {
        return 0; /* a zero-size chunk would end the stream */
    }
    snprintf(head, sizeof(head), "%zx\r\n", data->len);
    sb_str(&b, head);
    sb_add(&b, data->data, data->len);
    sb_add(&b, "\r\n", 2);
    rc = b.failed ? -1 : write_all(conn, b.data, b.len);
    free(b.data);
    return rc;
}

/* Replay the recorded response of x (of set s). Returns the status sent. */
static int replay(struct mk_mock *m, struct mg_connection *conn, mk__set *s, const mk__ix *x,
                  int64_t arrival, int head_only, mk__fault_act *fa, mk__peer *pp)
{
    mk__peer peer = *pp;
    const mk_response *resp = &x->ix->response;
    double speed = mk__speed(m);
    int64_t anchor_now = arrival, anchor_at = x->ix->at_ms;
    atomic_int never = 0;
    sbuf b = {0};

    if (!fa->on && x->ix->fault) {
        /* the interaction's own fault (cassette), when no other fired */
        mk__reply r = {0};
        int h;
        mk__fault_act_cassette(m, x->ix->fault, 0, fa);
        h = mk__fault_before_status(m, conn, fa, NULL, &peer, &r);
        if (h == MK__FH_REPLY) {
            send_reply(conn, &r, head_only);
        } else if (h != MK__FH_GO) {
            mg_disable_connection_keep_alive(conn);
        }
        mk__reply_clear(&r);
        if (h != MK__FH_GO) {
            return r.status ? r.status : resp->status;
        }
    }
    if (mk__schedule_conn(m, NULL, speed, &anchor_now, &anchor_at,
                          resp->at_ms > 0 ? resp->at_ms : x->ix->at_ms, &never, &peer) != 0) {
        mg_disable_connection_keep_alive(conn);
        return resp->status;
    }
    status_line(&b, conn, resp->status);
    for (size_t i = 0; i < resp->headers.count; i++) {
        const mk_header *h = &resp->headers.items[i];
        if (!regenerated(h->name)) {
            sb_str(&b, h->name);
            sb_str(&b, ": ");
            sb_str(&b, h->value);
            sb_str(&b, "\r\n");
        }
    }
    if (resp->streamed) {
        sb_str(&b, "Transfer-Encoding: chunked\r\n\r\n");
    } else {
        sb_printf(&b, "Content-Length: %zu\r\n\r\n", resp->body.bytes.len);
        if (!head_only && !fa->on) {
            sb_add(&b, resp->body.bytes.data, resp->body.bytes.len);
        }
    }
    if (b.failed || write_all(conn, b.data, b.len) != 0) {
        free(b.data);
        mg_disable_connection_keep_alive(conn);
        return resp->status;
    }
    free(b.data);
    if (!resp->streamed && !head_only && fa->on) {
        /* fault hook point: before the plain body (as chunk 0, unframed) */
        int h = mk__fault_chunk(m, conn, fa, 0, &resp->body.bytes, 0, &peer);
        if (h == MK__FH_GONE || (h == MK__FH_GO && write_all(conn, resp->body.bytes.data,
                                                             resp->body.bytes.len) != 0)) {
            mg_disable_connection_keep_alive(conn);
        }
        return resp->status;
    }
    if (!resp->streamed || head_only) {
        return resp->status;
    }
    for (size_t i = 0; i < resp->chunk_count; i++) {
        const mk_chunk *c = &resp->chunks[i];
        mk__ix *trigger = mk__engine_find(s, x->cas, c->after);
        int h = MK__FH_GO;
        mk__fault_act ca = {0};
        if (c->fault) {
            mk__fault_act_cassette(m, c->fault, 1, &ca); /* this chunk's own fault */
        }
        int gone = mk__schedule_conn(m, trigger, speed, &anchor_now, &anchor_at, c->at_ms,
                                     &never, &peer) != 0 ||
                   (h = mk__fault_chunk(m, conn, &ca, 0, &c->body.bytes, 1, &peer)) ==
                       MK__FH_GONE ||
                   (h == MK__FH_GO && (h = mk__fault_chunk(m, conn, fa, i, &c->body.bytes, 1,
                                                           &peer)) == MK__FH_GONE) ||
                   (h == MK__FH_GO && send_chunk(conn, &c->body.bytes) != 0);
        mk__fault_act_end(&ca);
        if (gone) {
            /* stopping, or the client went away: no clean end */
            mg_disable_connection_keep_alive(conn);
            return resp->status;
        }
        if (h == MK__FH_DONE) {
            return resp->status; /* a fault ended the connection */
        }
    }
    if (resp->keepalive_ms > 0 && !resp->close) {
        mk__keepalive(m, conn, resp, speed, anchor_now, anchor_at); /* until the client leaves */
        mg_disable_connection_keep_alive(conn);
    } else if (resp->close) {
        mg_disable_connection_keep_alive(conn); /* a cut stream: no 0-chunk */
    } else if (write_all(conn, "0\r\n\r\n", 5) != 0) {
        mg_disable_connection_keep_alive(conn);
    }
    return resp->status;
}

static int admin(struct mk_mock *m, struct mg_connection *conn, const mk__req *req)
{
    mk__reply r = {0};
    r.content_type = "application/json";
    if (mk__admin_denied(m, req, &r)) {
        /* 401 / 403 in r */
    } else if (strcmp(req->path, "/__mockkit/requests") == 0 && strcmp(req->method, "GET") == 0) {
        mk__admin_requests(m, req, &r);
    } else if (strcmp(req->path, "/__mockkit/faults") == 0) {
        mk__admin_faults(m, req, &r);
    } else if (strcmp(req->path, "/__mockkit/reset") == 0 && strcmp(req->method, "POST") == 0) {
        mk__admin_reset(m, &r);
    } else if (strncmp(req->path, "/__mockkit/cassettes", 20) == 0 &&
               (req->path[20] == '\0' || req->path[20] == '/')) {
        mk__admin_cassettes(m, req, &r);
    } else if (strcmp(req->path, "/__mockkit/reload") == 0 && strcmp(req->method, "POST") == 0) {
        mk__admin_reload(m, req, &r);
    } else if (strcmp(req->path, "/__mockkit/verify") == 0 && strcmp(req->method, "POST") == 0) {
        mk__admin_verify(m, req, &r);
    } else {
        r.status = 404;
        r.body = strdup("{\"error\":\"unknown admin path: GET /__mockkit/requests, POST "
                        "/__mockkit/reset, GET|POST /__mockkit/cassettes, DELETE "
                        "/__mockkit/cassettes/NAME, POST /__mockkit/reload, POST "
                        "/__mockkit/verify, GET|POST|DELETE /__mockkit/faults; see "
                        "docs/admin.md\"}");
    }
    send_reply(conn, &r, 0);
    mk__reply_clear(&r);
    return r.status ? r.status : 200;
}

/* Refuse a request with the service's envelope and close the connection
 * (its body may be unread). */
static int refuse(struct mk_mock *m, struct mg_connection *conn, const mk__req *req, int64_t at,
                  int status, const char *message)
{
    mk__reply r = {0};
    if (mk__profile_refuse(m, status, message, &r) == 0) {
        snprintf(r.extra, sizeof(r.extra), "Connection: close\r\n");
        mk__journal_note(m, req, at, status, 0, NULL, message);
        mg_disable_connection_keep_alive(conn);
        send_reply(conn, &r, strcmp(req->method, "HEAD") == 0);
    }
    mk__reply_clear(&r);
    return status;
}

static int serve(struct mk_mock *m, struct mg_connection *conn, mk__req *req, int64_t arrival);

/* CivetWeb's own error answers (malformed request line, headers too large,
 * a bad websocket upgrade) come here instead. Left to CivetWeb 1.15, a bad
 * HTTP version is echoed into the status line ("HTTP/1.1x 505") and an
 * upgrade without a Sec-WebSocket-Key gets a body with no status line at
 * all. We answer with our own status line and the service's envelope. */
int mk__http_error(struct mg_connection *conn, int status, const char *msg)
{
    struct mk_mock *m = mg_get_user_data(mg_get_context(conn));
    const struct mg_request_info *ri = mg_get_request_info(conn);
    const char *v = ri ? ri->http_version : NULL;
    mk__reply r = {0};
    char text[300];
    if (!m) {
        return 1; /* not ours: CivetWeb's default */
    }
    /* 505 only for a well-formed version we do not speak (HTTP/2, 1.2) */
    if (status == 505 && !(v && strlen(v) <= 3 && v[0] >= '0' && v[0] <= '9' &&
                           (v[1] == '\0' || (v[1] == '.' && v[2] >= '0' && v[2] <= '9')))) {
        status = 400;
        msg = "malformed HTTP version";
    }
    snprintf(text, sizeof(text), "mockkit: %s", msg && msg[0] ? msg : "bad request");
    /* the message may echo client bytes: keep it printable */
    for (char *p = text; *p; p++) {
        if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f) {
            *p = ' ';
        }
    }
    if (mk__profile_refuse(m, status, text, &r) != 0) {
        mk__reply_clear(&r);
        return 1;
    }
    snprintf(r.extra, sizeof(r.extra), "Connection: close\r\n");
    mg_disable_connection_keep_alive(conn);
    send_reply(conn, &r, 0);
    mk__reply_clear(&r);
    return 0;
}

int mk__http_handler(struct mg_connection *conn, void *cbdata)
{
    struct mk_mock *m = cbdata;
    const struct mg_request_info *ri = mg_get_request_info(conn);
    int64_t arrival = mk_clock_now_ms(m->clock);
    int is_admin, status, rc;
    mk__req req;
    char msg[160];

    memset(&req, 0, sizeof(req));
    req.method = ri->request_method;
    req.path = ri->local_uri ? ri->local_uri : "/";
    req.query_string = ri->query_string;
    req.ri = ri;
    /* admin paths take no slot: a full mock still answers reset */
    is_admin = !m->opts.disable_admin && strncmp(req.path, "/__mockkit/", 11) == 0;
    if (!is_admin && !mk__slot_take(m)) {
        snprintf(msg, sizeof(msg),
                 "mockkit: %d connections already being served (max_connections); try again",
                 m->max_conn);
        return refuse(m, conn, &req, arrival, 503, msg);
    }
    rc = read_body(conn, &req, m->max_body);
    if (rc == 0 && mk__query_parse(ri->query_string, &req.query, &req.query_count) != 0) {
        rc = -1;
    }
    if (rc == -2) {
        snprintf(msg, sizeof(msg), "mockkit: request body larger than %zu bytes (max_body)",
                 m->max_body);
        status = refuse(m, conn, &req, arrival, 413, msg);
    } else if (rc != 0) {
        status = refuse(m, conn, &req, arrival, 500, "mockkit: out of memory reading the request");
    } else if (too_deep(&req)) {
        snprintf(msg, sizeof(msg), "mockkit: request body nests JSON deeper than %d levels",
                 MK_JSON_MAX_DEPTH);
        status = refuse(m, conn, &req, arrival, 400, msg);
    } else {
        status = is_admin ? admin(m, conn, &req) : serve(m, conn, &req, arrival);
    }
    if (!is_admin) {
        mk__slot_give(m);
    }
    mk__query_free(req.query, req.query_count);
    cJSON_Delete(req.json);
    free(req.body);
    return status > 0 ? status : 500;
}

static int serve(struct mk_mock *m, struct mg_connection *conn, mk__req *req, int64_t arrival)
{
    mk__reply r = {0};
    mk__pick pick;
    mk__peer peer;
    mk__fault_act fa;
    int status, h;
    int head = strcmp(req->method, "HEAD") == 0;

    /* fault hook point: before the status line, before any check, as a
     * proxy or load balancer in front of the service would answer */
    mk__peer_init(&peer, m->port, mg_get_request_info(conn));
    mk__fault_decide(m, req->method, req->path, &fa);
    h = mk__fault_before_status(m, conn, &fa, req, &peer, &r);
    if (h != MK__FH_GO) {
        status = h == MK__FH_REPLY ? r.status : 0;
        mk__journal_note(m, req, arrival, status, 0, NULL, "fault");
        if (h == MK__FH_REPLY) {
            send_reply(conn, &r, head);
        } else {
            mg_disable_connection_keep_alive(conn);
        }
        mk__reply_clear(&r);
        return status > 0 ? status : 499;
    }
    if (fa.on && fa.f.kind == MK__F_LATENCY && fa.f.at == MK__AT_STATUS) {
        arrival = mk_clock_now_ms(m->clock); /* recorded gaps come after the latency */
    }

    if (mk__profile_check(m, req, arrival, &r)) {
        /* journal first: a client that saw the answer must find the entry */
        status = r.status;
        mk__journal_note(m, req, arrival, status, 0, NULL, NULL);
        send_reply(conn, &r, head);
        mk__reply_clear(&r);
        return status;
    }
    mk__engine_pick(m, req, MK_IX_HTTP, arrival, &pick);
    if (pick.index != SIZE_MAX) {
        const mk__ix *x = &pick.set->ixs[pick.index];
        mk__journal_note(m, req, arrival, x->ix->response.status, 1, x, NULL);
        status = replay(m, conn, pick.set, x, arrival, head, &fa, &peer);
        mk__fault_act_end(&fa);
        mk__set_put(pick.set); /* the set this request started with lived until now */
        return status;
    }
    const mk__ix *near = pick.nearest != SIZE_MAX ? &pick.set->ixs[pick.nearest] : NULL;
    char line[1200];
    mk__profile_unmatched(m, req, &pick, &r);
    status = r.status;
    mk__journal_note(m, req, arrival, status, 0, near, pick.failed);
    send_reply(conn, &r, head);
    snprintf(line, sizeof(line), "%s %s%s%s: nearest %s%s%s: %s", req->method, req->path,
             req->query_string ? "?" : "", req->query_string ? req->query_string : "",
             near ? near->cas->path : "(none)", near ? "#" : "", near ? near->ix->id : "",
             pick.failed[0] ? pick.failed : "no interactions loaded");
    mk__log_unmatched(m, line);
    mk__reply_clear(&r);
    mk__set_put(pick.set);
    return status;
}
