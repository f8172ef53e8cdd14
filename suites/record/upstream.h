/* upstream.h: what the record suites talk to. A small independent CivetWeb
 * server (not mockkit's replay engine) standing in for a live service, and
 * a plain libcurl / CivetWeb client standing in for an integration. */
#ifndef MOCKKIT_RECORD_UPSTREAM_H
#define MOCKKIT_RECORD_UPSTREAM_H

#include <pthread.h>
#include <stddef.h>

struct mg_context;

/* Pieces of the SSE bodies the upstream writes, one mg_send_chunk each. */
extern const char *const up_sse_pieces[];
extern const size_t up_sse_piece_count;
extern const char up_pretty_body[];

typedef struct upstream {
    struct mg_context *ctx;
    int port;
    char url[64];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int hits;              /* HTTP requests served */
    size_t client_bytes;   /* bytes the test client has received (gap handshake) */
    int ws_hits;
    int triggered;         /* POST /v1/trigger arrived */
    int release;           /* lets GET /v1/hang answer */
} upstream;

/* Routes:
 *   GET  /v1/items/{n}        JSON item, Set-Cookie with a planted value
 *   GET  /v1/files/{name}     {"object":"file","name":<decoded name>}
 *   POST /v1/login            JSON with a planted access_token
 *   POST /v1/echo             echoes the request body (same content type)
 *   GET  /v1/leak             JSON holding an API key in a free-text field
 *   GET  /v1/sse/gaps         SSE pieces, each written only once the client
 *                             has received everything before it
 *   GET  /v1/sse/burst        the same pieces back to back
 *   GET  /v1/sse/cut          one piece, then the connection is dropped
 *   GET  /v1/sse/hold         piece 0, then the last piece once
 *                             POST /v1/trigger arrived (another connection)
 *   POST /v1/trigger          releases /v1/sse/hold
 *   GET  /v1/hang             answers only after upstream_release (or 8 s)
 *   GET  /v1/bin              4 bytes that are not UTF-8
 *   GET  /v1/private          200 with an Authorization header, else 401
 *   GET  /v1/list             {"object":"list","query":<the raw query>}
 *   POST /v1/typed            {"kind":"form"} for a form body, else {"kind":"json"}
 *   GET  /v1/pretty           up_pretty_body (pretty JSON with password and token)
 *   WS   /ws/echo             says {"hello":"ws"}, echoes text as
 *                             {"echo":<text>}, binary as is; "bye" -> close 1000 */
int upstream_start(upstream *u);
void upstream_stop(upstream *u);
int upstream_hits(upstream *u);
/* The test client reports received bytes here (see client_get). */
void upstream_client_got(upstream *u, size_t n);
/* Let /v1/hang answer. */
void upstream_release(upstream *u);

/* A port on 127.0.0.1 where nothing listens (bound, then closed). */
int dead_port(void);

/* ---- client ------------------------------------------------------------ */

typedef struct reply {
    long status;
    char *body;            /* NUL-terminated */
    size_t len;
    char *headers;         /* raw header block */
    int curl_rc;
} reply;

void reply_free(reply *r);

/* method url with NULL-terminated header lines and an optional body.
 * Received body bytes are reported to `u` (may be NULL) as they arrive. */
int client_request(upstream *u, const char *method, const char *url, const char *const *headers,
                   const char *body, reply *out);

/* Websocket client: collects messages into a list under a lock. */
typedef struct ws_msg {
    int opcode;
    char *data;
    size_t len;
} ws_msg;

typedef struct ws_client {
    struct mg_connection *conn;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    ws_msg msgs[64];
    size_t count;
    int closed;
} ws_client;

int ws_open(ws_client *c, int port, const char *path, char *err, size_t errlen);
int ws_send(ws_client *c, int opcode, const char *data, size_t len);
/* Wait (bounded) for at least n messages; 0 ok, -1 timeout. */
int ws_wait(ws_client *c, size_t n, int timeout_ms);
int ws_wait_closed(ws_client *c, int timeout_ms);
void ws_close(ws_client *c);

/* Path of a fresh file name in a temporary folder (removed first). */
void tmp_path(char *buf, size_t size, const char *name);
int file_exists(const char *path);

#endif
