/* test_server.h: a small CivetWeb server for the client suites, on
 * 127.0.0.1 with an ephemeral port; handlers are set by each test. */
#ifndef SUITES_CLIENT_TEST_SERVER_H
#define SUITES_CLIENT_TEST_SERVER_H

#include <pthread.h>

#include <civetweb.h>

typedef struct ts_server {
    struct mg_context *ctx;
    int port;
    char url[64];      /* "http://127.0.0.1:PORT" */
    char ws_url[64];   /* "ws://127.0.0.1:PORT" */
} ts_server;

/* 0 with the server listening, -1 on failure. */
int ts_start(ts_server *s);
/* Stops the server; waits for running handlers, which must end on their own. */
void ts_stop(ts_server *s);
/* A port nothing listens on: bound to 127.0.0.1:0, read, closed. -1 on error. */
int ts_free_port(void);
/* Milliseconds on the monotonic clock. */
long long ts_now_ms(void);

/* A one-shot flag between a handler thread and the test: set once, waited
 * on with a deadline (no sleeps). */
typedef struct ts_gate {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int set;
} ts_gate;

void ts_gate_init(ts_gate *g);
void ts_gate_destroy(ts_gate *g);
void ts_gate_open(ts_gate *g);
/* 1 once the gate is open, 0 if timeout_ms passed first. */
int ts_gate_wait(ts_gate *g, int timeout_ms);

#endif
