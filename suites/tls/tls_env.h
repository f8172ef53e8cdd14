/* tls_env.h: what the TLS suites share: certificates made at test time
 * with Debian's openssl (make-certs.sh, into a mkdtemp folder removed
 * afterwards), and a small independent TLS server (CivetWeb with SSL, not
 * mockkit's replay engine) standing in for a hosted service. */
#ifndef MOCKKIT_TLS_ENV_H
#define MOCKKIT_TLS_ENV_H

#include <pthread.h>
#include <stddef.h>

struct mg_context;

typedef struct tls_certs {
    char dir[256];
    char ca[320];          /* the test CA: what --cacert trusts */
    char other_ca[320];
    char server[320];      /* 127.0.0.1 + localhost, by ca (cert; .key beside) */
    char server_key[320];
} tls_certs;

/* Make the certificates (see make-certs.sh). 0, or -1 with a message. */
int tls_certs_make(tls_certs *c);
/* Remove the folder and everything in it. */
void tls_certs_remove(tls_certs *c);
/* "<dir>/<name>" into buf. */
const char *tls_cert_file(const tls_certs *c, const char *name, char *buf, size_t size);

/* The SSE pieces /v1/sse writes (one mg_send_chunk each). */
extern const char *const tls_sse_pieces[];
extern const size_t tls_sse_piece_count;

typedef struct tls_upstream {
    struct mg_context *ctx;
    int port;
    char url[64];          /* https://127.0.0.1:PORT */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int client_events;     /* SSE events the test client has seen */
    int gate_timeouts;     /* pieces sent without the client having the previous one */
} tls_upstream;

/* Routes:
 *   GET  /v1/items/1   {"id":"item_1","object":"item"} with a Content-Length
 *   POST /v1/echo      the request body back, same content type
 *   GET  /v1/sse       tls_sse_pieces, piece i only once the client has seen
 *                      i events (tls_upstream_client_event), waiting <= 5 s
 *   GET  /v1/sse/burst the same pieces back to back
 *   WS   /ws/echo      says {"hello":"wss"}, echoes text as {"echo":<text>},
 *                      "bye" -> close 1000
 * both_pem: key and certificate in one PEM file ("server-both.pem"). */
int tls_upstream_start(tls_upstream *u, const char *both_pem);
/* Stop; a no-op for a zeroed one that never started. */
void tls_upstream_stop(tls_upstream *u);
void tls_upstream_client_event(tls_upstream *u);
int tls_upstream_gate_timeouts(tls_upstream *u);

#endif
