/* clock.c: the time source the replay engine schedules on.
 *
 * Both kinds own a mutex and a condition variable: waiters park on it until
 * their deadline or until someone calls mk__clock_wake() (a trigger arrived,
 * the server stops, a websocket closed). The real clock's condvar uses
 * CLOCK_MONOTONIC so timed waits do not jump with the wall clock. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "mock_internal.h"

struct mk_clock {
    int is_virtual;
    pthread_mutex_t mu;
    pthread_cond_t cv;          /* waiters: time moved or something woke */
    pthread_cond_t parked_cv;   /* mk_clock_wait_for_waiters */
    int64_t now;                /* virtual time */
    int waiters;
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
    pthread_condattr_t attr;
    if (!c) {
        return NULL;
    }
    c->is_virtual = is_virtual;
    pthread_mutex_init(&c->mu, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&c->cv, &attr);
    pthread_cond_init(&c->parked_cv, &attr);
    pthread_condattr_destroy(&attr);
    return c;
}

mk_clock *mk_clock_new_virtual(void) { return clock_new(1); }

mk_clock *mk__clock_new_real(void) { return clock_new(0); }

void mk_clock_free(mk_clock *c)
{
    if (!c) {
        return;
    }
    pthread_cond_destroy(&c->cv);
    pthread_cond_destroy(&c->parked_cv);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

int64_t mk_clock_now_ms(const mk_clock *c)
{
    int64_t now;
    if (!c || !c->is_virtual) {
        return real_now_ms();
    }
    pthread_mutex_lock((pthread_mutex_t *)&c->mu);
    now = c->now;
    pthread_mutex_unlock((pthread_mutex_t *)&c->mu);
    return now;
}

int mk_clock_advance(mk_clock *c, int64_t ms)
{
    if (!c || !c->is_virtual || ms < 0) {
        return -1;
    }
    pthread_mutex_lock(&c->mu);
    c->now += ms;
    pthread_cond_broadcast(&c->cv);
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

static int64_t now_locked(const mk_clock *c)
{
    return c->is_virtual ? c->now : real_now_ms();
}

int mk__clock_wait(mk_clock *c, int64_t deadline, mk__wait_pred pred, void *arg)
{
    int ended = 0;
    pthread_mutex_lock(&c->mu);
    c->waiters++;
    pthread_cond_broadcast(&c->parked_cv);
    for (;;) {
        if (pred && pred(arg)) {
            ended = 1;
            break;
        }
        int64_t now = now_locked(c);
        if (deadline != MK__NO_DEADLINE && now >= deadline) {
            break;
        }
        if (c->is_virtual || deadline == MK__NO_DEADLINE) {
            pthread_cond_wait(&c->cv, &c->mu);
        } else {
            struct timespec until = abs_after_ms(deadline - now);
            pthread_cond_timedwait(&c->cv, &c->mu, &until);
        }
    }
    c->waiters--;
    pthread_mutex_unlock(&c->mu);
    return ended;
}

void mk__clock_wake(mk_clock *c)
{
    if (!c) {
        return;
    }
    pthread_mutex_lock(&c->mu);
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}
