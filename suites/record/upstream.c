/* upstream.c: the stand-in live service and client of the record suites. */
#include "upstream.h"

#include "kit.h"  /* monotonic deadlines */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <civetweb.h>
#include <curl/curl.h>

/* Split mid-line on purpose: the second piece ends inside a data line. */
const char *const up_sse_pieces[] = {
    "event: thread.run.created\ndata: {\"object\":\"thread.run\",\"status\":\"queued\"}\n\n",
    "event: thread.message.delta\ndata: {\"delta\":{\"content\":[{\"text\":{\"val",
    "ue\":\"Hel\"}}]}}\n\nevent: thread.message.delta\ndata: {\"delta\":{\"content\":[{\"text\":{\"value\":\"lo\"}}]}}\n\n",
    "event: done\ndata: [DONE]\n\n"};
const size_t up_sse_piece_count = sizeof up_sse_pieces / sizeof *up_sse_pieces;

static void reply_json(struct mg_connection *c, int status, const char *extra, const char *body)
{
    mg_printf(c,
              "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n%sContent-Length: %zu\r\n"
              "Connection: close\r\n\r\n%s",
              status, status == 200 ? "OK" : "Error", extra ? extra : "", strlen(body), body);
}

static void sse_head(struct mg_connection *c)
{
    mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                 "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
}

/* Wait until the client has received `total` bytes (bounded). */
static void wait_client(upstream *u, size_t total)
{
    struct timespec until;
    mkc__deadline_in(&until, 5000);
    pthread_mutex_lock(&u->mu);
    while (u->client_bytes < total)
        if (pthread_cond_timedwait(&u->cv, &u->mu, &until) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&u->mu);
}

static char *read_all(struct mg_connection *c, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *b = malloc(cap + 1);
    int got;
    while (b && n < cap && (got = mg_read(c, b + n, cap - n)) > 0)
        n += (size_t)got;
    if (b)
        b[n] = '\0';
    *len = n;
    return b;
}

const char up_pretty_body[] = "{\n    \"user\": \"bob\",\n    \"password\": \"hunter2-PLANTED\",\n"
                              "    \"ratio\": 1.50,\n    \"nested\": { \"token\" : \"t-PLANTED\" }\n}";

static int handler(struct mg_connection *c, void *cbdata)
{
    upstream *u = cbdata;
    const struct mg_request_info *ri = mg_get_request_info(c);
    const char *uri = ri->local_uri;
    size_t blen = 0;
    char *body = read_all(c, &blen);
    pthread_mutex_lock(&u->mu);
    u->hits++;
    pthread_mutex_unlock(&u->mu);

    if (strncmp(uri, "/v1/items/", 10) == 0) {
        char json[256];
        snprintf(json, sizeof json, "{\"id\":\"%s\",\"object\":\"item\",\"name\":\"widget\"}",
                 uri + 10);
        reply_json(c, 200, "Set-Cookie: sid=PLANTEDSETCOOKIE0042; Path=/; HttpOnly\r\n", json);
    } else if (strncmp(uri, "/v1/files/", 10) == 0) {
        /* The decoded name, to show what the upstream saw (tests use no '"'). */
        char json[256];
        snprintf(json, sizeof json, "{\"object\":\"file\",\"name\":\"%s\"}", uri + 10);
        reply_json(c, 200, NULL, json);
    } else if (strcmp(uri, "/v1/login") == 0) {
        reply_json(c, 200, NULL,
                   "{\"ok\":true,\"access_token\":\"PLANTEDACCESSTOKEN77\",\"user\":{\"name\":\"bob\"}}");
    } else if (strcmp(uri, "/v1/echo") == 0) {
        const char *ct = mg_get_header(c, "Content-Type");
        mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n",
                  ct ? ct : "text/plain", blen);
        mg_write(c, body, blen);
    } else if (strcmp(uri, "/v1/leak") == 0) {
        reply_json(c, 200, NULL,
                   "{\"note\":\"use sk-proj-LEAKEDKEYabcdefghijklmnopqrstuvwxyz0123\"}");
    } else if (strcmp(uri, "/v1/sse/gaps") == 0 || strcmp(uri, "/v1/sse/burst") == 0) {
        int gaps = strcmp(uri, "/v1/sse/gaps") == 0;
        sse_head(c);
        size_t total = 0;
        for (size_t i = 0; i < up_sse_piece_count; i++) {
            size_t n = strlen(up_sse_pieces[i]);
            mg_send_chunk(c, up_sse_pieces[i], (unsigned)n);
            total += n;
            if (gaps)
                wait_client(u, total);
        }
        mg_write(c, "0\r\n\r\n", 5);
    } else if (strcmp(uri, "/v1/sse/cut") == 0) {
        sse_head(c);
        mg_send_chunk(c, up_sse_pieces[0], (unsigned)strlen(up_sse_pieces[0]));
        wait_client(u, strlen(up_sse_pieces[0]));
        /* No terminating chunk: the connection just ends. */
    } else if (strcmp(uri, "/v1/sse/hold") == 0) {
        /* The second event waits for POST /v1/trigger on another connection. */
        sse_head(c);
        mg_send_chunk(c, up_sse_pieces[0], (unsigned)strlen(up_sse_pieces[0]));
        struct timespec until;
        mkc__deadline_in(&until, 5000);
        pthread_mutex_lock(&u->mu);
        while (!u->triggered)
            if (pthread_cond_timedwait(&u->cv, &u->mu, &until) == ETIMEDOUT)
                break;
        pthread_mutex_unlock(&u->mu);
        mg_send_chunk(c, up_sse_pieces[3], (unsigned)strlen(up_sse_pieces[3]));
        mg_write(c, "0\r\n\r\n", 5);
    } else if (strcmp(uri, "/v1/hang") == 0) {
        /* Say nothing until released (bounded), like a stuck service. */
        struct timespec until;
        mkc__deadline_in(&until, 8000);
        pthread_mutex_lock(&u->mu);
        while (!u->release)
            if (pthread_cond_timedwait(&u->cv, &u->mu, &until) == ETIMEDOUT)
                break;
        pthread_mutex_unlock(&u->mu);
        reply_json(c, 200, NULL, "{\"late\":true}");
    } else if (strcmp(uri, "/v1/trigger") == 0) {
        pthread_mutex_lock(&u->mu);
        u->triggered = 1;
        pthread_cond_broadcast(&u->cv);
        pthread_mutex_unlock(&u->mu);
        reply_json(c, 200, NULL, "{\"ok\":true}");
    } else if (strcmp(uri, "/v1/private") == 0) {
        /* 200 to an authorised request, 401 to one without credentials. */
        if (mg_get_header(c, "Authorization"))
            reply_json(c, 200, NULL, "{\"object\":\"private\",\"ok\":true}");
        else
            reply_json(c, 401, NULL, "{\"error\":{\"code\":\"unauthorized\"}}");
    } else if (strcmp(uri, "/v1/list") == 0) {
        /* Echoes the raw query, so each variant answers differently. */
        char json[512];
        snprintf(json, sizeof json, "{\"object\":\"list\",\"query\":\"%.400s\"}",
                 ri->query_string ? ri->query_string : "");
        reply_json(c, 200, NULL, json);
    } else if (strcmp(uri, "/v1/typed") == 0) {
        /* Answers by the request's content type. */
        const char *ct = mg_get_header(c, "Content-Type");
        int form = ct && strncmp(ct, "application/x-www-form-urlencoded", 33) == 0;
        reply_json(c, 200, NULL, form ? "{\"kind\":\"form\"}" : "{\"kind\":\"json\"}");
    } else if (strcmp(uri, "/v1/pretty") == 0) {
        /* Pretty-printed JSON with a credential field and a number spelled
         * in a way cJSON would print differently. */
        reply_json(c, 200, NULL, up_pretty_body);
    } else if (strcmp(uri, "/v1/bin") == 0) {
        mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                     "Content-Length: 4\r\nConnection: close\r\n\r\n");
        mg_write(c, "\xff\x00\xfe\x01", 4);
    } else {
        reply_json(c, 404, NULL, "{\"error\":{\"code\":\"not_found\"}}");
    }
    free(body);
    return 200;
}

static int ws_connect(const struct mg_connection *c, void *cbdata)
{
    (void)c;
    upstream *u = cbdata;
    pthread_mutex_lock(&u->mu);
    u->ws_hits++;
    pthread_mutex_unlock(&u->mu);
    return 0;
}

static void ws_ready(struct mg_connection *c, void *cbdata)
{
    (void)cbdata;
    static const char hello[] = "{\"hello\":\"ws\"}";
    mg_websocket_write(c, MG_WEBSOCKET_OPCODE_TEXT, hello, sizeof hello - 1);
}

static int ws_data(struct mg_connection *c, int bits, char *data, size_t len, void *cbdata)
{
    (void)cbdata;
    int op = bits & 0x0f;
    if (op == MG_WEBSOCKET_OPCODE_TEXT) {
        if (len == 3 && memcmp(data, "bye", 3) == 0) {
            static const char bye[] = "\x03\xe8" "bye";
            mg_websocket_write(c, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, bye, sizeof bye - 1);
            return 0;
        }
        char out[1024];
        int n = snprintf(out, sizeof out, "{\"echo\":%.*s}", (int)len, data);
        mg_websocket_write(c, MG_WEBSOCKET_OPCODE_TEXT, out, (size_t)n);
    } else if (op == MG_WEBSOCKET_OPCODE_BINARY) {
        mg_websocket_write(c, MG_WEBSOCKET_OPCODE_BINARY, data, len);
    } else if (op == MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE) {
        return 0;
    }
    return 1;
}

static void ws_closed(const struct mg_connection *c, void *cbdata)
{
    (void)c;
    (void)cbdata;
}

int upstream_start(upstream *u)
{
    memset(u, 0, sizeof *u);
    pthread_mutex_init(&u->mu, NULL);
    mkc__cond_init_monotonic(&u->cv);
    const char *cfg[] = {"listening_ports", "127.0.0.1:0", "num_threads", "16",
                         "tcp_nodelay", "1", "enable_keep_alive", "no", NULL};
    struct mg_callbacks cb;
    memset(&cb, 0, sizeof cb);
    u->ctx = mg_start(&cb, u, cfg);
    if (!u->ctx)
        return -1;
    struct mg_server_port sp[2];
    if (mg_get_server_ports(u->ctx, 2, sp) < 1)
        return -1;
    u->port = sp[0].port;
    snprintf(u->url, sizeof u->url, "http://127.0.0.1:%d", u->port);
    mg_set_request_handler(u->ctx, "/v1", handler, u);
    mg_set_websocket_handler(u->ctx, "/ws/echo", ws_connect, ws_ready, ws_data, ws_closed, u);
    return 0;
}

void upstream_stop(upstream *u)
{
    if (u->ctx)
        mg_stop(u->ctx);
    u->ctx = NULL;
    pthread_mutex_destroy(&u->mu);
    pthread_cond_destroy(&u->cv);
}

int upstream_hits(upstream *u)
{
    pthread_mutex_lock(&u->mu);
    int n = u->hits;
    pthread_mutex_unlock(&u->mu);
    return n;
}

void upstream_release(upstream *u)
{
    pthread_mutex_lock(&u->mu);
    u->release = 1;
    pthread_cond_broadcast(&u->cv);
    pthread_mutex_unlock(&u->mu);
}

void upstream_client_got(upstream *u, size_t n)
{
    pthread_mutex_lock(&u->mu);
    u->client_bytes += n;
    pthread_cond_broadcast(&u->cv);
    pthread_mutex_unlock(&u->mu);
}

int dead_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t l = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) || getsockname(fd, (struct sockaddr *)&a, &l)) {
        if (fd >= 0)
            close(fd);
        return 1;
    }
    close(fd);
    return ntohs(a.sin_port);
}

/* ---- client ------------------------------------------------------------ */

void reply_free(reply *r)
{
    free(r->body);
    free(r->headers);
    memset(r, 0, sizeof *r);
}

typedef struct sink {
    char *buf;
    size_t len, cap;
    upstream *u;
} sink;

static size_t on_bytes(char *data, size_t size, size_t nmemb, void *ud)
{
    sink *s = ud;
    size_t n = size * nmemb;
    if (s->len + n + 1 > s->cap) {
        size_t cap = (s->len + n + 1) * 2;
        char *nb = realloc(s->buf, cap);
        if (!nb)
            return 0;
        s->buf = nb;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    s->buf[s->len] = '\0';
    if (s->u)
        upstream_client_got(s->u, n);
    return n;
}

int client_request(upstream *u, const char *method, const char *url, const char *const *headers,
                   const char *body, reply *out)
{
    memset(out, 0, sizeof *out);
    CURL *c = curl_easy_init();
    if (!c)
        return -1;
    sink b = {NULL, 0, 0, u}, h = {NULL, 0, 0, NULL};
    struct curl_slist *list = NULL;
    for (size_t i = 0; headers && headers[i]; i++)
        list = curl_slist_append(list, headers[i]);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_bytes);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_bytes);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    out->curl_rc = (int)curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    out->body = b.buf ? b.buf : calloc(1, 1);
    out->len = b.len;
    out->headers = h.buf ? h.buf : calloc(1, 1);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    return 0;
}

static int ws_on_data(struct mg_connection *conn, int bits, char *data, size_t len, void *user)
{
    (void)conn;
    ws_client *c = user;
    pthread_mutex_lock(&c->mu);
    if (c->count < 64) {
        ws_msg *m = &c->msgs[c->count++];
        m->opcode = bits & 0x0f;
        m->data = malloc(len + 1);
        if (m->data) {
            memcpy(m->data, data, len);
            m->data[len] = '\0';
        }
        m->len = len;
    }
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    return 1;
}

static void ws_on_close(const struct mg_connection *conn, void *user)
{
    (void)conn;
    ws_client *c = user;
    pthread_mutex_lock(&c->mu);
    c->closed = 1;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

int ws_open(ws_client *c, int port, const char *path, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->mu, NULL);
    mkc__cond_init_monotonic(&c->cv);
    c->conn = mg_connect_websocket_client("127.0.0.1", port, 0, err, errlen, path, NULL,
                                          ws_on_data, ws_on_close, c);
    return c->conn ? 0 : -1;
}

int ws_send(ws_client *c, int opcode, const char *data, size_t len)
{
    return mg_websocket_client_write(c->conn, opcode, data, len);
}

static int wait_for(ws_client *c, size_t n, int closed, int timeout_ms)
{
    struct timespec until;
    mkc__deadline_in(&until, timeout_ms);
    pthread_mutex_lock(&c->mu);
    while (closed ? !c->closed : c->count < n)
        if (pthread_cond_timedwait(&c->cv, &c->mu, &until) == ETIMEDOUT)
            break;
    int ok = closed ? c->closed : c->count >= n;
    pthread_mutex_unlock(&c->mu);
    return ok ? 0 : -1;
}

int ws_wait(ws_client *c, size_t n, int timeout_ms)
{
    return wait_for(c, n, 0, timeout_ms);
}

int ws_wait_closed(ws_client *c, int timeout_ms)
{
    return wait_for(c, 0, 1, timeout_ms);
}

void ws_close(ws_client *c)
{
    if (c->conn)
        mg_close_connection(c->conn);
    c->conn = NULL;
    for (size_t i = 0; i < c->count; i++)
        free(c->msgs[i].data);
    c->count = 0;
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
}

void tmp_path(char *buf, size_t size, const char *name)
{
    static char dir[64];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/mk-record-XXXXXX");
        if (!mkdtemp(dir))
            snprintf(dir, sizeof dir, "/tmp");
    }
    snprintf(buf, size, "%s/%s", dir, name);
    unlink(buf);
}

int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}
