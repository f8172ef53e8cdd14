/* pieces_common.h: what the Pieces suites share: the target (embedded mock
 * or PIECES_URL), a reset between tests, and websocket callbacks that push
 * every event onto an mkc_queue so a test pops them in order with bounded
 * waits. */
#ifndef MOCKKIT_PIECES_COMMON_H
#define MOCKKIT_PIECES_COMMON_H

#include "suite.h"

#include "mockkit/client.h"
#include "mockkit/pieces.h"

#define PT_WAIT_MS 5000  /* bound on every wait for a frame */

/* Queue item kinds. */
enum {
    PT_EV_CLOSE = 1,  /* data: "<code> <reason>" */
    PT_EV_ANSWER,     /* data: the QGPTStreamOutput frame, compact JSON */
    PT_EV_HEALTH,     /* data: the text frame */
    PT_EV_PROFILE,    /* data: the UserProfile, compact JSON */
    PT_EV_LOGOUT,     /* data: "" */
    PT_EV_SNAPSHOT,   /* data: the snapshot ids joined with '\n' */
    PT_EV_UPDATE,     /* data: "<id>" or "<id> fetched" when the object came back */
    PT_EV_REMOVE,     /* data: "<id>" */
    PT_EV_ERROR       /* data: the message */
};

typedef struct pt_state {
    suite_target t;
    int is_mock;      /* embedded, or a served mock that answers /__mockkit/reset */
} pt_state;

/* Group setup/teardown: start the target. */
int pt_group_setup(void **state);
int pt_group_teardown(void **state);
/* Start sequences and triggers over (embedded: mk_mock_reset; a served
 * mock: POST /__mockkit/reset). Sets st->is_mock. */
void pt_reset(pt_state *st);

/* Callbacks pushing onto q. */
mk_pieces_ws_callbacks pt_callbacks(mkc_queue *q);

/* Pop the next event, asserting its kind; *data (may be NULL) gets the
 * payload, caller frees. Fails the test on timeout. */
void pt_expect(mkc_queue *q, int kind, char **data);
/* Pop one event within timeout_ms: 1 with kind/data, 0 on timeout. */
int pt_pop(mkc_queue *q, int timeout_ms, int *kind, char **data);

/* 1 when s is a 36-char UUID (8-4-4-4-12 hex). */
int pt_is_uuid(const char *s);
/* A loopback port nothing listens on (bound, read back, closed). */
int pt_closed_port(void);
/* Milliseconds of monotonic time. */
long long pt_now_ms(void);

/* Assert a string member exists and return it. */
const char *pt_str(const cJSON *o, const char *key);

#endif
