/* floor.c: what the machine itself allows while a timing run goes on. One
 * bare thread per CPU, pinned, sleeps to successive 1 ms deadlines and
 * records how late it wakes; /proc/stat says how much CPU time the
 * hypervisor took from this VM (steal). On a shared VM both show
 * multi-millisecond stalls that no server design can hide. The stalls are
 * kept (on CLOCK_REALTIME, the clock of the kernel's receive stamps) so a
 * late event can be told apart: during a stall the machine had, or not. */
#define _GNU_SOURCE /* pthread_setaffinity_np */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define STALL_NS 500000 /* a wake-up this late is a stall */

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
    struct sleeper_arg *sa = arg;
    mkb_floor *f = sa->f;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET((size_t)sa->cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set); /* best effort */
    struct timespec due;
    clock_gettime(CLOCK_MONOTONIC, &due);
    while (!atomic_load(&f->stop)) {
        due.tv_nsec += 1000000;
        if (due.tv_nsec >= 1000000000) {
            due.tv_sec++;
            due.tv_nsec -= 1000000000;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL);
        int64_t late = mkb_now_ns() - ((int64_t)due.tv_sec * 1000000000 + due.tv_nsec);
        pthread_mutex_lock(&f->mu);
        if (f->count < f->cap)
            f->late_ms[f->count++] = (double)late / 1e6;
        if (late > STALL_NS && f->stalls < f->stall_cap) {
            int64_t woke = mkb_realtime_ns();
            f->stall[f->stalls][0] = woke - late;
            f->stall[f->stalls][1] = woke;
            f->stalls++;
        }
        pthread_mutex_unlock(&f->mu);
        if (late > 1000000) /* overslept: the next deadline is from now */
            clock_gettime(CLOCK_MONOTONIC, &due);
    }
    return NULL;
}

int mkb_floor_start(mkb_floor *f)
{
    memset(f, 0, sizeof(*f));
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    f->threads = cpus < 1 ? 1 : cpus > MKB_FLOOR_MAX_CPUS ? MKB_FLOOR_MAX_CPUS : (int)cpus;
    f->cap = (size_t)f->threads * 120000; /* two minutes of 1 ms sleeps each */
    f->stall_cap = 100000;
    atomic_init(&f->stop, 0);
    pthread_mutex_init(&f->mu, NULL);
    f->late_ms = malloc(f->cap * sizeof(*f->late_ms));
    f->stall = malloc(f->stall_cap * sizeof(*f->stall));
    f->steal_before = steal_ms();
    if (!f->late_ms || !f->stall)
        return -1; /* the caller's mkb_floor_free releases what there is */
    for (int i = 0; i < f->threads; i++) {
        f->args[i].f = f;
        f->args[i].cpu = i;
        if (pthread_create(&f->thread[i], NULL, sleeper, &f->args[i]) != 0) {
            f->threads = i;
            break;
        }
    }
    f->started = f->threads > 0;
    return f->started ? 0 : -1;
}

void mkb_floor_stop(mkb_floor *f)
{
    if (!f->started)
        return;
    atomic_store(&f->stop, 1);
    for (int i = 0; i < f->threads; i++)
        pthread_join(f->thread[i], NULL);
    f->started = 0;
    f->steal_after = steal_ms();
}

int mkb_floor_stalled(const mkb_floor *f, int64_t from_ns, int64_t to_ns)
{
    for (size_t i = 0; i < f->stalls; i++)
        if (f->stall[i][0] <= to_ns && f->stall[i][1] >= from_ns)
            return 1;
    return 0;
}

void mkb_floor_report(mkb_floor *f, mkb_table *t)
{
    if (!f->late_ms)
        return;
    size_t over = 0;
    for (size_t i = 0; i < f->count; i++)
        over += f->late_ms[i] > 1.0;
    double p99 = mkb_percentile(f->late_ms, f->count, 99);
    double max = f->count ? f->late_ms[f->count - 1] : 0.0; /* sorted by the percentile */
    char note[200], steal[48] = "steal unknown";
    if (f->steal_before >= 0 && f->steal_after >= 0)
        snprintf(steal, sizeof steal, "hypervisor steal %lld ms",
                 (long long)(f->steal_after - f->steal_before));
    snprintf(note, sizeof note, "a bare thread per CPU sleeping to 1 ms deadlines: %zu of %zu "
                                "wake-ups over 1 ms late, max %.2f ms; %s",
             over, f->count, max, steal);
    mkb_add(t, "Platform floor during that run: wake-up lateness p99", "", note, "%.3f ms", p99);
}

void mkb_floor_free(mkb_floor *f)
{
    mkb_floor_stop(f);
    free(f->late_ms);
    free(f->stall);
    f->late_ms = NULL;
    f->stall = NULL;
    pthread_mutex_destroy(&f->mu);
}
