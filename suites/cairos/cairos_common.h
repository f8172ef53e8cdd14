/* cairos_common.h: what the cairos suites share: the target (embedded mock
 * or CAIROS_URL), a fresh login per test, and an event-log runner on its
 * own thread that hands events to the test through a queue (bounded waits,
 * no sleeps). */
#ifndef MOCKKIT_SUITES_CAIROS_COMMON_H
#define MOCKKIT_SUITES_CAIROS_COMMON_H

#include <pthread.h>

#include "suite.h"
#include "mockkit/cairos.h"

#define CAIROS_PROMPT "Running on all fours"   /* the seed's prompt */
#define CAIROS_WAIT_MS 60000                   /* per event; covers MOCKKIT_SPEED=1 */

extern suite_target cairos_target;

int cairos_group_setup(void **state);
int cairos_group_teardown(void **state);

/* Reset the mock's sequences and triggers (embedded, or a live mockkit). */
void cairos_reset(void);
/* 1 when the target answers mockkit's admin path (embedded, or a live
 * mockkit): scenario switches like X-Mockkit-Scenario work there only. */
int cairos_target_is_mockkit(void);
/* Log in with the target's credentials; fails the test on error. */
mk_cairos *cairos_login(void);

/* Queue item kinds pushed by the event-log runner. */
enum { EV_EVENT = 1, EV_DONE = 2 };

typedef struct cairos_log {
    mk_cairos_sse *sse;
    mkc_queue *q;
    pthread_t thread;
    int started;
    int rc;            /* mk_cairos_sse_run's result, valid after EV_DONE */
    mkc_error err;
    const char *stop_on;  /* event name whose callback stops the handler */
} cairos_log;

/* Prepare a handler on c's session; register events with
 * cairos_log_on(); then cairos_log_start(). */
void cairos_log_init(cairos_log *l, mk_cairos *c);
/* Register an event: its "name\ndata" goes to the queue. */
void cairos_log_on(cairos_log *l, const char *event, int parse_json);
/* Unknown events to the queue too (instead of stopping with an error). */
void cairos_log_on_unknown(cairos_log *l);
/* Start run() on a thread and wait (bounded) until the log is open. */
void cairos_log_start(cairos_log *l);
/* Pop the next event named `event` (others are skipped, EV_DONE fails the
 * test unless `event` is NULL). Returns the data (caller frees). */
char *cairos_log_next(cairos_log *l, const char *event);
/* Wait for run() to return; returns its status. */
int cairos_log_finish(cairos_log *l);
/* Stop, join, free. Safe on a zeroed or finished log. */
void cairos_log_free(cairos_log *l);

/* Per-test resources, released by cairos_test_teardown even when an
 * assertion fails part way. */
typedef struct cairos_ctx {
    mk_cairos *c;
    cairos_log log;
    mk_cairos_thread thread;
    mk_cairos_thread_list threads;
    mk_cairos_chat_output *chat;
    mk_cairos_motions *motions;
    mk_cairos_animation anim;
    mk_cairos_export exp;
    unsigned char *bytes;
    char *data;
    mkc_error err;
} cairos_ctx;

extern cairos_ctx ctx;

int cairos_test_setup(void **state);     /* reset the mock, zero ctx */
int cairos_test_teardown(void **state);  /* free everything in ctx */

#endif
