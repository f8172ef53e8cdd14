/* floor.c: what the machine itself allows while a timing run goes on. A
 * bare thread sleeps to successive 1 ms deadlines and records how late it
 * wakes, and /proc/stat says how much CPU time the hypervisor took from
 * this VM (steal). On a shared VM both show multi-millisecond stalls that
 * no server design can hide; a timing error that coincides with them is
 * the platform's, not the engine's. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* Steal time of all CPUs so far, in ms; -1 when /proc/stat says nothing. */
static int64_t steal_ms(void)
{
    unsigned long long v[8] = {0};
    FILE *f = fopen("/proc/stat", "r");
    int got = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                         &v[3], &v[4], &v[5], &v[6], &v[7])
                : 0;
    if (f)
        fclose(f);
    long hz = sysconf(_SC_CLK_TCK);
    return got == 8 && hz > 0 ? (int64_t)(v[7] * 1000ULL / (unsigned long long)hz) : -1;
}

static void *sleeper(void *arg)
{
    mkb_floor *f = arg;
    struct timespec due;
    clock_gettime(CLOCK_MONOTONIC, &due);
    while (!atomic_load(&f->stop) && f->count < f->cap) {
        due.tv_nsec += 1000000;
        if (due.tv_nsec >= 1000000000) {
            due.tv_sec++;
            due.tv_nsec -= 1000000000;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL);
        int64_t late = mkb_now_ns() - ((int64_t)due.tv_sec * 1000000000 + due.tv_nsec);
        f->late_ms[f->count++] = (double)late / 1e6;
        if (late > 1000000) /* overslept: the next deadline is from now */
            clock_gettime(CLOCK_MONOTONIC, &due);
    }
    return NULL;
}

int mkb_floor_start(mkb_floor *f)
{
    f->cap = 120000; /* two minutes of 1 ms sleeps */
    f->count = 0;
    atomic_init(&f->stop, 0);
    f->late_ms = malloc((size_t)f->cap * sizeof(*f->late_ms));
    f->steal_before = steal_ms();
    if (!f->late_ms || pthread_create(&f->thread, NULL, sleeper, f) != 0) {
        free(f->late_ms);
        f->late_ms = NULL;
        return -1;
    }
    return 0;
}

void mkb_floor_stop(mkb_floor *f, mkb_table *t)
{
    if (!f->late_ms)
        return;
    atomic_store(&f->stop, 1);
    pthread_join(f->thread, NULL);
    int64_t after = steal_ms();
    size_t over = 0;
    for (size_t i = 0; i < f->count; i++)
        over += f->late_ms[i] > 1.0;
    double p99 = mkb_percentile(f->late_ms, f->count, 99);
    double max = f->count ? f->late_ms[f->count - 1] : 0.0; /* sorted by the percentile */
    char note[200], steal[48] = "steal unknown";
    if (f->steal_before >= 0 && after >= 0)
        snprintf(steal, sizeof steal, "hypervisor steal %lld ms",
                 (long long)(after - f->steal_before));
    snprintf(note, sizeof note, "a bare thread sleeping to 1 ms deadlines during the run: %zu of "
                                "%zu wake-ups over 1 ms late, max %.2f ms; %s",
             over, f->count, max, steal);
    mkb_add(t, "Platform floor during that run: wake-up lateness p99", "", note, "%.3f ms", p99);
    free(f->late_ms);
    f->late_ms = NULL;
}
