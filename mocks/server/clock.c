/* clock.c: the time source the replay engine schedules on.
 *
 * Every parked scheduler owns a wait node with its own condition variable,
 * linked into its clock. Waking is targeted: advancing a virtual clock
 * signals only the nodes whose deadline has come, a trigger arrival only
 * the nodes waiting for a trigger, and only stop / cancel / reset wake
 * everyone. (One shared condvar made 1,000 streams wake each other
 * 1,000 x 1,000 times at start-up; docs/benchmarks.md.) Real waits sleep
 * until the absolute deadline on CLOCK_MONOTONIC, so they wake on time
 * rather than up to 1 ms late. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "mock_internal.h"

typedef struct wait_node {
    pthread_cond_t cv;
    int64_t deadline;     /* MK__NO_DEADLINE: only the predicate ends it */
    int trigger;          /* waits for a trigger arrival */
    int signalled;
    struct wait_node *prev, *next;
} wait_node;

struct mk_clock {
    int is_virtual;
    pthread_mutex_t mu;
    pthread_mutex_t *mu_ref;    /* &mu, so mk_clock_now (const) locks it without a cast */
    pthread_condattr_t attr;    /* CLOCK_MONOTONIC, for every node's condvar */
    pthread_cond_t parked_cv;   /* mk_clock_wait_for_waiters */
    int64_t now;                /* virtual time */
    int waiters;
    wait_node *nodes;
};

static int64_t real_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static mk_clock *clock_new(int is_virtual)
{
    mk_clock *c = calloc(1, sizeof(*c));
    if (!c) {
        return NULL;
    }
    c->is_virtual = is_virtual;
    pthread_mutex_init(&c->mu, NULL);
    c->mu_ref = &c->mu;
    pthread_condattr_init(&c->attr);
    pthread_condattr_setclock(&c->attr, CLOCK_MONOTONIC);
    pthread_cond_init(&c->parked_cv, &c->attr);
    return c;
}

mk_clock *mk_clock_new_virtual(void) { return clock_new(1); }

mk_clock *mk__clock_new_real(void) { return clock_new(0); }

void mk_clock_free(mk_clock *c)
{
    if (!c) {
        return;
    }
    pthread_cond_destroy(&c->parked_cv);
    pthread_condattr_destroy(&c->attr);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

int64_t mk_clock_now_ms(const mk_clock *c)
{
    int64_t now;
    if (!c || !c->is_virtual) {
        return real_now_ms();
    }
    pthread_mutex_lock(c->mu_ref);
    now = c->now;
    pthread_mutex_unlock(c->mu_ref);
    return now;
}

static void signal_node(wait_node *n)
{
    n->signalled = 1;
    pthread_cond_signal(&n->cv);
}

int mk_clock_advance(mk_clock *c, int64_t ms)
{
    if (!c || !c->is_virtual || ms < 0) {
        return -1;
    }
    pthread_mutex_lock(&c->mu);
    c->now += ms;
    for (wait_node *n = c->nodes; n; n = n->next) {
        if (n->deadline != MK__NO_DEADLINE && n->deadline <= c->now) {
            signal_node(n);
        }
    }
    pthread_mutex_unlock(&c->mu);
    return 0;
}

static struct timespec abs_after_ms(int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec += 1;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

int mk_clock_wait_for_waiters(mk_clock *c, int waiters, int timeout_ms)
{
    struct timespec until;
    int rc = 0;
    if (!c) {
        return -1;
    }
    until = abs_after_ms(timeout_ms < 0 ? 0 : timeout_ms);
    pthread_mutex_lock(&c->mu);
    while (c->waiters < waiters && rc != ETIMEDOUT) {
        rc = pthread_cond_timedwait(&c->parked_cv, &c->mu, &until);
    }
    rc = c->waiters >= waiters ? 0 : -1;
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int mk__clock_wait(mk_clock *c, int64_t deadline, int trigger, mk__wait_pred pred, void *arg,
                   int slice_ms)
{
    wait_node node = {.deadline = deadline, .trigger = trigger};
    int ended = 0;
    struct timespec slice_end = abs_after_ms(slice_ms > 0 ? slice_ms : 0);
    pthread_cond_init(&node.cv, &c->attr);
    pthread_mutex_lock(&c->mu);
    node.next = c->nodes;
    if (c->nodes) {
        c->nodes->prev = &node;
    }
    c->nodes = &node;
    c->waiters++;
    pthread_cond_broadcast(&c->parked_cv);
    for (;;) {
        if (pred && pred(arg)) {
            ended = 1;
            break;
        }
        int64_t now = c->is_virtual ? c->now : real_now_ms();
        if (deadline != MK__NO_DEADLINE && now >= deadline) {
            break;
        }
        node.signalled = 0;
        if (slice_ms > 0) {
            /* real time bounds the wait too, whatever the clock: the caller
             * looks at its socket between slices */
            struct timespec until = slice_end;
            if (!c->is_virtual && deadline != MK__NO_DEADLINE &&
                deadline < (int64_t)until.tv_sec * 1000 + until.tv_nsec / 1000000) {
                until.tv_sec = (time_t)(deadline / 1000);
                until.tv_nsec = (long)(deadline % 1000) * 1000000L;
            }
            if (pthread_cond_timedwait(&node.cv, &c->mu, &until) == ETIMEDOUT &&
                !node.signalled && (c->is_virtual || real_now_ms() < deadline)) {
                if (pred && pred(arg)) {
                    ended = 1;
                } else {
                    ended = 2;
                }
                break;
            }
        } else if (c->is_virtual || deadline == MK__NO_DEADLINE) {
            while (!node.signalled) {
                pthread_cond_wait(&node.cv, &c->mu);
            }
        } else {
            /* the absolute deadline on CLOCK_MONOTONIC: wake at it, not after */
            struct timespec until = {(time_t)(deadline / 1000),
                                     (long)(deadline % 1000) * 1000000L};
            pthread_cond_timedwait(&node.cv, &c->mu, &until);
        }
    }
    if (node.prev) {
        node.prev->next = node.next;
    } else {
        c->nodes = node.next;
    }
    if (node.next) {
        node.next->prev = node.prev;
    }
    c->waiters--;
    pthread_mutex_unlock(&c->mu);
    pthread_cond_destroy(&node.cv);
    return ended;
}

static void wake(mk_clock *c, int triggers_only)
{
    if (!c) {
        return;
    }
    pthread_mutex_lock(&c->mu);
    for (wait_node *n = c->nodes; n; n = n->next) {
        if (!triggers_only || n->trigger) {
            signal_node(n);
        }
    }
    pthread_mutex_unlock(&c->mu);
}

void mk__clock_wake(mk_clock *c) { wake(c, 0); }

void mk__clock_wake_triggers(mk_clock *c) { wake(c, 1); }
