/* kit.h: small helpers said once for the whole kit: the client core and the
 * service clients, the recorder, the benchmark and the suites (not
 * installed; reached through a PRIVATE include directory). Static inline,
 * so a user needs no library for them. Prefix mkc__.
 *
 * Deadlines are on CLOCK_MONOTONIC everywhere: a wall-clock step (NTP, a
 * suspended VM) must neither cut a wait short nor stretch it. A condition
 * variable waited on with mkc__deadline_in must come from
 * mkc__cond_init_monotonic. */
#ifndef MOCKKIT_CLIENT_KIT_H
#define MOCKKIT_CLIENT_KIT_H

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A copy of s (caller frees); NULL for NULL or without memory. */
static inline char *mkc__strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Milliseconds on the monotonic clock (only differences mean anything). */
static inline int64_t mkc__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The absolute monotonic time ms from now, for pthread_cond_timedwait on a
 * condition variable made by mkc__cond_init_monotonic. ms < 0 is now. */
static inline void mkc__deadline_in(struct timespec *ts, long ms)
{
    if (ms < 0)
        ms = 0;
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* pthread_cond_init on CLOCK_MONOTONIC: 0 or the pthread error. */
static inline int mkc__cond_init_monotonic(pthread_cond_t *cv)
{
    pthread_condattr_t attr;
    int rc = pthread_condattr_init(&attr);
    if (rc == 0)
        rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_cond_init(cv, &attr);
    pthread_condattr_destroy(&attr);
    return rc;
}

#endif /* MOCKKIT_CLIENT_KIT_H */
