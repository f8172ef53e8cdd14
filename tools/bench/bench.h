/* bench.h: mockkit-bench, the replay engine and client benchmarks.
 * Not a test: run through tools/bench/run.sh, which also runs nginx for the
 * REST comparison. Everything binds 127.0.0.1 and every loop is bounded. */
#ifndef MOCKKIT_BENCH_H
#define MOCKKIT_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

typedef struct mkb_opts {
    const char *wrk;          /* path of wrk */
    const char *nginx_url;    /* nginx serving the same body, or NULL */
    const char *nginx_default_url; /* nginx serving the default-path body, or NULL */
    const char *mockkit;      /* the mockkit CLI (default: next to mockkit-bench) */
    int rest_runs;            /* default path: alternating mock/nginx wrk runs */
    int duration_s;           /* wrk run length */
    int connections;          /* wrk keep-alive connections */
    int wrk_threads;
    int streams;              /* concurrent SSE streams for the timing run */
    int stream_events;        /* events per stream */
    int gap_ms;               /* recorded gap between events */
    int sse_events;           /* events in the throughput stream */
    int ws_trips;             /* websocket round trips */
    int parser_mb;            /* MiB fed to the SSE parser */
    const char *only;         /* comma list of rest,default,sse,ws,parser, or NULL = all */
    char tmpdir[256];         /* cassettes written here */
} mkb_opts;

/* One row of the result table. */
typedef struct mkb_row {
    char what[96];
    char value[96];
    char target[64];
    char note[200];
} mkb_row;

typedef struct mkb_table {
    mkb_row rows[48];
    int count;
} mkb_table;

void mkb_add(mkb_table *t, const char *what, const char *target, const char *note,
             const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Monotonic time in nanoseconds. */
int64_t mkb_now_ns(void);
/* CLOCK_REALTIME in nanoseconds: the clock of the kernel's receive stamps. */
int64_t mkb_realtime_ns(void);
/* The p-th percentile (0-100) of v (sorted in place). */
double mkb_percentile(double *v, size_t n, double p);

/* Start `mockkit serve ARGS... --ready-file F` (args NULL-terminated) as a
 * user runs it, in a child process whose output goes to a log in tmpdir
 * (printed if it fails); url gets the first service's URL. name keeps the
 * files of concurrent runs apart. Returns the pid, or -1. */
pid_t mkb_serve_start(const mkb_opts *o, const char *name, const char *const *args, char *url,
                      size_t size);
/* SIGTERM, then SIGKILL after 5 s. */
void mkb_serve_stop(pid_t pid);

/* The machine's own timing floor while a run goes on (floor.c): start
 * before the run, stop after it, then ask whether a late event fell in a
 * stall the machine had, and report the floor as a row. */
#define MKB_FLOOR_MAX_CPUS 64
typedef struct mkb_floor {
    int threads, started;
    pthread_t thread[MKB_FLOOR_MAX_CPUS];
    struct sleeper_arg {
        struct mkb_floor *f;
        int cpu;
    } args[MKB_FLOOR_MAX_CPUS];
    atomic_int stop;
    pthread_mutex_t mu;
    double *late_ms;             /* every wake-up's lateness */
    size_t count, cap;
    int64_t (*stall)[2];         /* [due, woke] of late wake-ups, CLOCK_REALTIME ns */
    size_t stalls, stall_cap;
    int64_t steal_before, steal_after; /* ms; -1 unknown */
} mkb_floor;
/* 0, or -1 (no floor row then); call mkb_floor_free either way. */
int mkb_floor_start(mkb_floor *f);
void mkb_floor_stop(mkb_floor *f);
/* Did a stall of the machine overlap [from, to] (CLOCK_REALTIME ns)? */
int mkb_floor_stalled(const mkb_floor *f, int64_t from_ns, int64_t to_ns);
void mkb_floor_report(mkb_floor *f, mkb_table *t);
void mkb_floor_free(mkb_floor *f);

/* The REST body both servers send (the same bytes). */
extern const char mkb_rest_body[];

/* A cassette document with the standard meta; add interactions to the
 * returned array. mkb_save writes it to dir/name with mk_cassette_save_json. */
cJSON *mkb_cassette(const char *name, cJSON **interactions);
int mkb_save(cJSON *doc, const char *dir, const char *name, char *path, size_t size);

/* wrk's summary of one run. */
typedef struct mkb_wrk {
    double rps;
    double p50_ms, p99_ms;
    long non2xx, errors;
    int ok;
} mkb_wrk;

mkb_wrk mkb_run_wrk(const mkb_opts *o, const char *url);
/* 1 when url answers 200 with exactly these bytes. */
int mkb_same_body(const char *url, const void *body, size_t len);

/* The default path: `mockkit serve` as it runs by default, answering a
 * shipped fixture's REST interaction (service, path and recorded body). */
#define MKB_DEFAULT_SERVICE "pieces"
#define MKB_DEFAULT_PATH "/assets"
/* The recorded response body of GET MKB_DEFAULT_PATH in the shipped
 * fixtures (owned by the caller) and its recorded server time, or NULL
 * with a message on stderr. */
char *mkb_default_body(size_t *len, int64_t *delay_ms);

void mkb_rest(const mkb_opts *o, mkb_table *t);
void mkb_rest_default(const mkb_opts *o, mkb_table *t);
void mkb_sse(const mkb_opts *o, mkb_table *t);
void mkb_ws(const mkb_opts *o, mkb_table *t);
void mkb_parser(const mkb_opts *o, mkb_table *t);

#endif
