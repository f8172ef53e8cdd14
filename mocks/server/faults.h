/* faults.h: faults injected into replayed answers (not installed).
 *
 * A fault is parsed once from its compact SPEC (fault_spec.c, grammar in
 * docs/faults.md), kept in the mock's list (faults.c), and decided per
 * request under the list's own mutex with the mock's one PRNG. The send
 * path calls the hooks below at explicit points, so any sender (the
 * per-stream worker today, a scheduler thread later) applies a fault the
 * same way: docs/internals/replay.md "Fault hooks". */
#ifndef MOCKKIT_FAULTS_H
#define MOCKKIT_FAULTS_H

#include <stddef.h>
#include <stdint.h>

#include "mock_internal.h"

typedef enum mk__fault_kind {
    MK__F_STATUS = 1, /* answer status N in the service's envelope */
    MK__F_LATENCY,    /* wait before the status line, the first or every chunk */
    MK__F_DRIP,       /* body bytes N at a time, T ms apart */
    MK__F_STALL,      /* park at a point until the client leaves or stop */
    MK__F_CUT,        /* end the connection after event N or body byte K */
    MK__F_GARBAGE,    /* N random bytes instead of an answer, then close */
    MK__F_EMPTY,      /* close without a status line */
    MK__F_BADCHUNK,   /* a chunk whose size line is not hex */
    MK__F_WSCLOSE,    /* websocket: close with a code (1006: drop TCP, no close frame) */
    MK__F_FRAGMENT,   /* websocket: server messages in continuation frames of N bytes */
    MK__F_NOPONG      /* websocket: client pings get no pong */
} mk__fault_kind;

enum { MK__AT_STATUS = 0, MK__AT_FIRST, MK__AT_BETWEEN, MK__AT_EVENT };
enum { MK__DIST_FIXED = 0, MK__DIST_UNIFORM, MK__DIST_LOGNORMAL };

typedef struct mk__fault {
    char service[16];        /* "" = any; only for routing in the CLI */
    char method[16];         /* "" = any */
    char path[256];          /* literal or {name} template; "*" = any */
    mk__fault_kind kind;
    int status, retry_after; /* retry_after < 0: no header */
    int dist;                /* latency */
    double a, b;             /* fixed: a; uniform: a..b; lognormal: median a, sigma b */
    int at, at_event;        /* latency, stall: where */
    long long cut_byte;      /* cut: body byte (-1: by event) */
    int cut_event;           /* cut: after this many SSE events */
    int rst;                 /* end with a reset (SO_LINGER 0) instead of FIN */
    size_t drip_bytes;
    int drip_ms;
    size_t garbage;
    int ws_code;             /* wsclose */
    size_t fragment;         /* fragment: payload bytes per frame */
    long times;              /* fires left; -1 = no limit */
    long every;              /* fire on every Kth match (1 = each) */
    double p;                /* probability of firing once due */
    long seen;               /* matching requests so far (under the list's mutex) */
} mk__fault;

/* Parse SPEC into f. Returns 0, or -1 with err naming the byte offset and
 * what was expected. */
int mk__fault_parse(const char *spec, mk__fault *f, char *err, size_t err_size);

/* A cassette's fault: ACTION[,OPTION...] without METHOD PATH, and without
 * times=, every= or p= (it fires each time its part is sent). */
int mk__fault_parse_action(const char *action, mk__fault *f, char *err, size_t err_size);

/* What one request got: a copy of the fault that fired, with its draws. */
typedef struct mk__fault_act {
    int on;
    mk__fault f;
    int64_t delay_ms;        /* latency drawn for this request */
    uint64_t rng;            /* this request's own stream (garbage bytes, between-chunk draws) */
    /* send state kept by the hooks */
    unsigned long long body_sent;
    int events;              /* SSE events dispatched so far (WHATWG: a blank line
                                after a data field; comments and empty blocks are not) */
    struct mkc_sse_parser *sse; /* counts them (client/core's parser); made on first
                                   use, freed by mk__fault_act_end */
    int sse_stop;            /* the parser's callback stops at this event (-1: never) */
    const int *stop;         /* without a mock (the recorder): waits end when this
                                is set (read atomically); NULL: only the client */
} mk__fault_act;

/* Free what the hooks allocated for this act (its SSE parser). Every
 * sender calls it once the answer is over, however it ended; safe on an
 * act that never fired. */
void mk__fault_act_end(mk__fault_act *a);

/* Another latency draw from the request's own stream (between parts). */
int64_t mk__fault_draw(mk__fault_act *a);

/* The fault list (faults.c). */
struct mk__faults;
struct mk__faults *mk__faults_new(uint64_t seed);
void mk__faults_free(struct mk__faults *fl);

/* A list without a mock (the recorder's proxy): add a spec, decide. */
int mk__faults_add(struct mk__faults *fl, const char *spec, char *err, size_t err_size);
void mk__faults_decide(struct mk__faults *fl, const char *method, const char *path,
                       mk__fault_act *out);

/* Decide for one request (the documented order of draws). Thread-safe. */
void mk__fault_decide(struct mk_mock *m, const char *method, const char *path,
                      mk__fault_act *out);

/* A cassette fault (already checked at load) as this request's act, its
 * draws taken from the mock's PRNG like any other. at_part: a chunk's or
 * frame's fault: latency and stall apply before that part. */
void mk__fault_act_cassette(struct mk_mock *m, const char *action, int at_part,
                            mk__fault_act *out);
/* Check every cassette fault of set s (engine.c, whenever a set is built:
 * at start, on add and on reload, so a runtime cassette is refused as lint
 * refuses it): MK_MOCK_ECASSETTE with diag naming file, pointer and why. */
int mk__faults_check_set(const mk__set *s, mk_diag *diag);

/* ---- hooks (faults.c); each returns MK__FH_GO to send as recorded ---- */
enum { MK__FH_GO = 0, MK__FH_DONE = 1, MK__FH_GONE = -1, MK__FH_WROTE = 2, MK__FH_REPLY = 3 };

/* Before anything of the answer (status faults, empty, garbage, latency or
 * stall at the status line). DONE: the hook closed the connection; REPLY:
 * send *out (a status fault in the service's envelope) instead of the
 * recorded answer; GONE: the client left or the mock stops. */
int mk__fault_before_status(struct mk_mock *m, struct mg_connection *conn, mk__fault_act *a,
                            const mk__req *req, mk__peer *peer, mk__reply *out);
/* Before streamed chunk i (and before the plain body, i = 0, chunked 0):
 * latency, stall, drip, cut, bad chunk. GO: write it as recorded; WROTE:
 * the hook wrote it (drip); DONE: the hook wrote what it meant to and
 * ended the connection; GONE: the client left or the mock stops. */
int mk__fault_chunk(struct mk_mock *m, struct mg_connection *conn, mk__fault_act *a, size_t i,
                    const mk_bytes *data, int chunked, mk__peer *peer);
/* m may be NULL (the recorder's proxy): latency, drip and stall then wait on
 * the real clock, probing the client every MK__PROBE_MS and ending at
 * a->stop. */
/* End the connection as the fault says (FIN or RST) without a clean end. */
void mk__fault_close(struct mg_connection *conn, const mk__fault_act *a, mk__peer *peer);

/* Wait ms for a fault (latency), watching the client: on the mock's clock,
 * or without a mock (the recorder) on the real one, ending at the act's
 * stop flag. GO when the time is up, GONE when the client left first. */
int mk__fault_wait(struct mk_mock *m, const mk__fault_act *a, mk__peer *peer, int64_t ms);

/* faults_ws.c: before the player sends server frame fr, when `sent` data
 * messages have gone out on this connection (fd: its socket, -1 unknown).
 * GO: send it as recorded; WROTE: sent (fragmented); DONE: the connection
 * is closed or dropped, send nothing more; GONE: cancelled. Latency and
 * stall wait on the mock's clock until cancel; without a mock (the
 * recorder's proxy, m NULL) on the real clock until the client (peer)
 * leaves or the act's stop flag is set. */
int mk__fault_ws_frame(struct mk_mock *m, struct mg_connection *conn, mk__fault_act *a,
                       size_t sent, const mk_frame *fr, int fd, atomic_int *cancel,
                       mk__peer *peer);
/* Does this fault keep pongs from client pings? */
int mk__fault_ws_nopong(const mk__fault_act *a);

/* profiles.c: status (429, 5xx, ...) in the service's own error envelope,
 * with the code the real service uses for it. */
int mk__profile_fault(const struct mk_mock *m, int status, const char *message, mk__reply *out);
/* The same for a service by name (the recorder's proxy: no mock). */
int mk__profile_fault_svc(const char *service, int status, const char *message, mk__reply *out);

/* Admin endpoint (admin_faults.c): POST/DELETE /__mockkit/faults. */
int mk__admin_faults(struct mk_mock *m, const mk__req *req, mk__reply *r);

#endif
