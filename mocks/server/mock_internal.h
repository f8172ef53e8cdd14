/* mock_internal.h: what the files of mockkit_mock share (not installed).
 *
 * Threading: CivetWeb worker threads run the HTTP handler and websocket
 * callbacks; each websocket gets one player thread. Engine state (sequence
 * use, journal) is guarded by mk_mock.mu. Trigger arrival times and stop /
 * cancel flags are atomics so that clock waits can test them under the
 * clock's own mutex without nesting locks; whoever sets one calls
 * mk__clock_wake() afterwards so no wakeup is lost.
 */
#ifndef MOCKKIT_MOCK_INTERNAL_H
#define MOCKKIT_MOCK_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <civetweb.h>

#include "mockkit/mock.h"
#include "mockkit/model.h"
#include "mockkit/service.h"

#define MK__NO_DEADLINE INT64_MAX

/* ---- clock.c ----------------------------------------------------------- */

/* A real clock (owned by a mock when opts.clock is NULL) or a virtual one. */
mk_clock *mk__clock_new_real(void);

/* Returns nonzero when the wait should end early (stop, disconnect,
 * trigger arrived). Called with the clock's mutex held: must not block. */
typedef int (*mk__wait_pred)(void *arg);

/* Park until the clock reaches deadline (MK__NO_DEADLINE: none) or pred
 * returns nonzero. trigger: this wait ends on a trigger arrival (woken by
 * mk__clock_wake_triggers). slice_ms > 0: also return after that much real
 * time (virtual clock included), so the caller can look at its socket.
 * Returns 0 when the deadline was reached, 1 when pred ended the wait, 2
 * when the slice ran out first. */
int mk__clock_wait(mk_clock *c, int64_t deadline, int trigger, mk__wait_pred pred, void *arg,
                   int slice_ms);

/* Wake every waiter so it re-checks its predicate (stop, cancel, reset). */
void mk__clock_wake(mk_clock *c);
/* Wake only the waiters parked on a trigger (an interaction arrived). */
void mk__clock_wake_triggers(mk_clock *c);

/* ---- peer.c ------------------------------------------------------------ */

/* How often a parked HTTP stream looks at its socket (real time). */
#define MK__PROBE_MS 250

/* The client of one HTTP request, found by its socket's 4-tuple. */
typedef struct mk__peer {
    int local_port;
    char addr[48];
    int port;
    int fd;       /* -1: not looked up yet; -2: cannot be looked up */
    int looked;
    int64_t since; /* real ms when the request was read */
} mk__peer;

void mk__peer_init(mk__peer *p, int local_port, const struct mg_request_info *ri);
/* Has the client closed its side (or reset)? Looks the socket up on first
 * use (one pass over /proc/self/fd). Not thread-safe: one owner. */
int mk__peer_gone(mk__peer *p);

/* ---- profiles.c -------------------------------------------------------- */

/* A mock's service: its row of mk_service_table plus one, or 0 for a
 * generic mock (no row: replayed as recorded, no auth). The profiles
 * special-case the rows named here; any other row gets the generic
 * envelopes under its own base path. */
typedef enum mk__service {
    MK__SVC_GENERIC = 0,
    MK__SVC_PIECES = 1 + MK_SERVICE_PIECES,
    MK__SVC_BEE = 1 + MK_SERVICE_BEE,
    MK__SVC_OPENAI = 1 + MK_SERVICE_OPENAI,
    MK__SVC_CAIROS = 1 + MK_SERVICE_CAIROS
} mk__service;

/* A response the mock makes up itself (auth errors, unmatched, admin). */
typedef struct mk__reply {
    int status;
    const char *content_type;
    char *body;            /* owned, NUL-terminated */
    char extra[512];       /* extra header lines, each ending in \r\n */
} mk__reply;

void mk__reply_clear(mk__reply *r);

/* The incoming request as the matcher and profiles see it. */
typedef struct mk__req {
    const char *method;
    const char *path;          /* decoded, no query */
    const char *query_string;  /* raw, may be NULL */
    mk_query_param *query;     /* decoded */
    size_t query_count;
    const struct mg_request_info *ri;  /* headers; NULL in unit use */
    unsigned char *body;
    size_t body_len;
    cJSON *json;               /* parsed body if it is JSON, else NULL */
    int json_tried;
} mk__req;

const char *mk__req_header(const mk__req *r, const char *name);

/* A table name or "generic" (NULL: generic). 0, or -1 for another name. */
int mk__service_parse(const char *name, mk__service *out);
/* The service's row, or NULL for a generic mock. */
const mk_service_info *mk__service_row(mk__service s);
/* The row's base path; "" for a generic mock. */
const char *mk__service_base_path(mk__service s);

struct mk_mock;

/* Auth and rate limit, checked before matching. Returns 1 with *out filled
 * when the request is refused, 0 when it may go on. */
int mk__profile_check(struct mk_mock *m, const mk__req *req, int64_t now_ms, mk__reply *out);

/* bee.c: Bee's own order of checks (healthcheck, routing, rate limit, body
 * validation against models/bee.json, auth). Same contract as
 * mk__profile_check. */
#define MK__BEE_JSON "application/json; charset=utf-8"
int mk__bee_check(struct mk_mock *m, const mk__req *req, int64_t now_ms, mk__reply *out);
/* NULL, or why the embedded models/bee.json did not load. */
const char *mk__bee_model_error(void);
/* Parse a model compiled into the mock (embedded_model.c): 0, or -1 with
 * error set (naming `name`) and *model NULL. */
int mk__embedded_model_load(const char *json, size_t len, const char *name, cJSON **doc,
                            mk_model **model, char *error, size_t size);
/* profiles.c: Bee's rate limit (1 with a 429 in *out when over it; else
 * the ratelimit-* headers in out->extra). run_route: the route template of
 * a run-creating route (its own limit of 26), or NULL. */
int mk__bee_rate_limited(struct mk_mock *m, const mk__req *req, const char *run_route,
                         int64_t now_ms, mk__reply *out);

/* The service's envelope for an unmatched request, with the near misses of
 * pick (may be NULL) in the body where the envelope has room for them. */
struct mk__pick;
int mk__profile_unmatched(const struct mk_mock *m, const mk__req *req,
                          const struct mk__pick *pick, mk__reply *out);

/* The service's envelope for a request the mock refuses on its own
 * (400 nested too deep, 413 too large, 503 over capacity). */
int mk__profile_refuse(const struct mk_mock *m, int status, const char *message, mk__reply *out);

/* ---- match.c ----------------------------------------------------------- */

/* Compare req with a recorded interaction. Returns 1 when every matcher
 * passes, with *score = (matched query params + headers + JSON leaves) * 4
 * + how many distinguishing parts agree (credentials present, content
 * type, exact query: see match.c), so agreement only breaks ties.
 * Returns 0 otherwise: *passed = how many matchers passed (method, path,
 * query, headers, body, in that order) and fail (if not NULL) names the
 * first failing one with a pointer. */
int mk__match(const mk_interaction *ix, mk__req *req, int *score, int *passed, char *fail,
              size_t fail_size);

/* How alike req's body is to ix's recorded one, 0-1000: the share of
 * recorded JSON leaves the request has equal at the same place, or of a
 * byte body the common prefix. Ranks near misses that fail on the body. */
int mk__body_similarity(const mk_interaction *ix, mk__req *req);

/* Path template check: literal, or {name} segments matching one segment. */
int mk__path_match(const char *pattern, const char *path);

/* JSON partial (recorded ⊆ got) or equal. Returns 1/0; leaves counts
 * matched leaves of want; on failure, fail gets "/ptr: expected X, got Y". */
int mk__json_match(const cJSON *want, const cJSON *got, int partial, int *leaves, char *fail,
                   size_t fail_size);

/* Decode a raw query string into params (owned, free with mk__query_free). */
int mk__query_parse(const char *qs, mk_query_param **out, size_t *count);
void mk__query_free(mk_query_param *q, size_t count);

/* Do two interactions record the same request (same sequence)? */
int mk__same_request(const mk_interaction *a, const mk_interaction *b);

/* ---- engine.c ---------------------------------------------------------- */

typedef struct mk__ix {
    const mk_interaction *ix;
    const mk_cassette *cas;
    size_t group;             /* index of the first interaction with the same request */
    int used;                 /* sequence: served since start/reset (under mu) */
    /* clock ms of the last arrival, -1 = never: the held cassette's, so a
     * stream parked on a trigger in an older set is released by an arrival
     * matched in the set that replaced it */
    _Atomic int64_t *arrived;
    int is_trigger;           /* some `after` names it: its arrival wakes waiters */
} mk__ix;

/* One loaded cassette, shared by every set that serves it, with the
 * arrival of each of its interactions. */
typedef struct mk__held {
    atomic_int refs;
    mk_cassette *c;
    _Atomic int64_t *arrived; /* c->count */
} mk__held;

/* An immutable snapshot of what a mock serves (cassettes and their index).
 * A request or websocket takes a reference when it is matched and keeps
 * the set it started with until it ends, so adding, replacing or removing
 * cassettes (a new set swapped in under mu) never frees what is in use.
 * Only `used` (under mu) and the held arrivals (atomic) change. */
typedef struct mk__set {
    atomic_int refs;
    mk__held **held;
    size_t held_count;
    mk__ix *ixs;
    size_t ix_count;
} mk__set;

/* The current set with a reference taken (mu taken inside), and giving it
 * back (the last reference frees it). NULL ok for put. */
mk__set *mk__set_get(const struct mk_mock *m);
void mk__set_put(mk__set *s);

#define MK__NEAR 3
typedef struct mk__pick {
    mk__set *set;              /* referenced: the caller gives it back with mk__set_put */
    size_t index;              /* SIZE_MAX: unmatched */
    int via_get;               /* HEAD answered from GET */
    /* Unmatched only (the matched path never fills them): the closest
     * candidates, best first: most matchers passed in the order method,
     * path, query, headers, body, then the most alike body. nearest and
     * failed are near[0]. */
    size_t nearest;            /* SIZE_MAX: none */
    char failed[400];
    size_t near_count;
    size_t near[MK__NEAR];     /* indexes into set->ixs */
    char near_failed[MK__NEAR][400];
} mk__pick;

/* Choose the interaction answering req (kind: MK_IX_HTTP or MK_IX_WEBSOCKET)
 * in the current set, advance its sequence and record its arrival.
 * out->set is always filled (one reference). Thread-safe. */
void mk__engine_pick(struct mk_mock *m, mk__req *req, int kind, int64_t now_ms, mk__pick *out);

/* Load and index every cassette (at start). */
int mk__engine_load(struct mk_mock *m, const char *const *paths, size_t n, mk_diag *diag);
void mk__engine_free(struct mk_mock *m);
void mk__engine_reset(struct mk_mock *m);

/* admin.c / engine.c: swap in a new set made of the current one with
 * cassette c added (replacing any of the same meta.name; c is always
 * taken), or with the cassettes named name removed, or loaded afresh
 * from paths. Sequence state of cassettes kept is carried over. On error
 * the current set keeps serving and diag says why. */
int mk__engine_add(struct mk_mock *m, mk_cassette *c, int *replaced, mk_diag *diag);
int mk__engine_remove(struct mk_mock *m, const char *name, mk_diag *diag);
int mk__engine_reload(struct mk_mock *m, const char *const *paths, size_t n, mk_diag *diag);

/* The interaction id of cassette cas in set s, or NULL (id NULL ok). */
mk__ix *mk__engine_find(mk__set *s, const mk_cassette *cas, const char *id);

/* Deadline on the clock for something recorded at at_ms, anchored at
 * anchor_at (recorded) which happened at anchor_now (clock). */
int64_t mk__deadline(double speed, int64_t anchor_now, int64_t anchor_at, int64_t at_ms);

/* Wait for an `after` trigger (if any: NULL for none) and then the recorded
 * time. anchor_* are updated when a trigger becomes the anchor. Returns 0
 * when it is time to send, -1 when cancelled (stop or *cancel). */
int mk__schedule(struct mk_mock *m, mk__ix *trigger, double speed, int64_t *anchor_now,
                 int64_t *anchor_at, int64_t at_ms, atomic_int *cancel);

/* Same, for an HTTP stream: also ends (-1) within MK__PROBE_MS of real
 * time once peer's client has gone away (peer may be NULL). */
int mk__schedule_conn(struct mk_mock *m, mk__ix *trigger, double speed, int64_t *anchor_now,
                      int64_t *anchor_at, int64_t at_ms, atomic_int *cancel, struct mk__peer *peer);

/* ---- journal.c --------------------------------------------------------- */

/* What the journal keeps of a request besides its entry: its headers
 * ("name\0value\0" pairs) and up to MK__JOURNAL_BODY bytes of its body, in
 * one allocation. Raw: redacted when shown (requests.c). */
#define MK__JOURNAL_BODY ((size_t)64 << 10)
typedef struct mk__jdetail {
    size_t hlen;              /* bytes of header pairs */
    size_t blen;              /* body bytes kept */
    size_t body_total;        /* body bytes received */
    char data[];              /* hlen header bytes, then blen body bytes */
} mk__jdetail;

typedef struct mk__journal {
    mk_journal_entry *ring;
    mk__jdetail **detail;     /* parallel to ring, owned (NULL: none) */
    size_t cap, head, count;
    uint64_t seq;
} mk__journal;

int mk__journal_init(mk__journal *j, size_t cap);
void mk__journal_free(mk__journal *j);
/* Appends (fills seq; takes d); caller holds m->mu. Returns the detail of
 * the entry it dropped, for the caller to free after unlocking. */
mk__jdetail *mk__journal_add(mk__journal *j, const mk_journal_entry *e, mk__jdetail *d);
void mk__journal_clear(mk__journal *j);
/* x: the matching or nearest interaction, or NULL. */
void mk__journal_note(struct mk_mock *m, const mk__req *req, int64_t at, int status, int matched,
                      const mk__ix *x, const char *near_miss);
/* Copies of up to max most recent entries and their details (owned by the
 * caller: free each detail), oldest first. */
size_t mk__journal_copy(const struct mk_mock *m, mk_journal_entry *out, mk__jdetail **details,
                        size_t max);

/* ---- http.c / ws.c ----------------------------------------------------- */

int mk__http_handler(struct mg_connection *conn, void *cbdata);
/* keepalive.c: after the last chunk of resp (resp->keepalive_ms > 0), send
 * its keepalive text every keepalive_ms, timed like the chunks from the
 * latest anchor, until the client leaves or the mock stops. Returns then;
 * the stream never ends cleanly. */
void mk__keepalive(struct mk_mock *m, struct mg_connection *conn, const mk_response *resp,
                   double speed, int64_t anchor_now, int64_t anchor_at);
/* CivetWeb's http_error callback: its own errors in our envelope. */
int mk__http_error(struct mg_connection *conn, int status, const char *msg);
/* CivetWeb's begin_request callback: a websocket upgrade is answered and
 * served here, on the worker, until the socket closes (returns the status
 * for CivetWeb's log); anything else returns 0 and goes on to the handler. */
int mk__begin_request(struct mg_connection *conn);
/* wss upgrades (begin_request leaves them to CivetWeb): its websocket
 * callbacks over the same matcher and player (ws.c). */
int mk__wss_connect(const struct mg_connection *conn, void *cbdata);
void mk__wss_ready(struct mg_connection *conn, void *cbdata);
int mk__wss_data(struct mg_connection *conn, int flags, char *data, size_t len, void *cbdata);
void mk__wss_close(const struct mg_connection *conn, void *cbdata);

/* ---- ws_frame.c / sha1.c ------------------------------------------------ */

typedef struct mk__ws_reader {
    struct mk_mock *m;
    int fd;
    size_t max;               /* max_frame */
    int timeout_ms;           /* a started frame must complete in this */
    atomic_int *cancel;
} mk__ws_reader;

typedef struct mk__ws_frame {
    int flags;                /* first header byte: FIN, RSV, opcode */
    char *data;               /* owned, NUL-terminated, unmasked */
    size_t len;
    int close_code;           /* MK__WS_REFUSE: why */
    const char *reason;
} mk__ws_frame;

enum { MK__WS_OK = 0, MK__WS_GONE = -1, MK__WS_REFUSE = -2 };

/* Read one client frame; the claimed length is checked before anything is
 * allocated. MK__WS_GONE: closed, stopped, cancelled or timed out. */
int mk__ws_read_frame(mk__ws_reader *r, mk__ws_frame *f);

void mk__sha1(const void *data, size_t len, unsigned char out[20]);

/* The descriptor of the peer's connection (see peer.c), or -1. */
int mk__peer_fd(mk__peer *p);
/* Tell every player to stop and wait for them to be joined. */
void mk__ws_stop_all(struct mk_mock *m);

/* ---- admin.c ----------------------------------------------------------- */

/* 1 with a 401/403 in *out when req may not use /__mockkit/. */
int mk__admin_denied(struct mk_mock *m, const mk__req *req, mk__reply *out);
/* GET/POST /__mockkit/cassettes, DELETE /__mockkit/cassettes/{name}. */
void mk__admin_cassettes(struct mk_mock *m, const mk__req *req, mk__reply *out);
/* GET /__mockkit/requests[?path=P][&unmatched=1]. */
void mk__admin_requests(struct mk_mock *m, const mk__req *req, mk__reply *out);
/* POST /__mockkit/verify (verify.c). */
void mk__admin_verify(struct mk_mock *m, const mk__req *req, mk__reply *out);
/* requests.c: the journal as JSON, redacted; path: only this path (a
 * trailing '*': prefix), NULL for all. */
cJSON *mk__requests_json(const struct mk_mock *m, const char *path, int unmatched_only);

/* POST /__mockkit/reset: this mock, or every mock of its group. */
void mk__admin_reset(struct mk_mock *m, mk__reply *out);
/* POST /__mockkit/reload. */
void mk__admin_reload(struct mk_mock *m, const mk__req *req, mk__reply *out);

/* ---- group.c ----------------------------------------------------------- */

int mk__group_join(mk_mock_group *g, struct mk_mock *m);
void mk__group_leave(mk_mock_group *g, struct mk_mock *m);

/* ---- mock.c ------------------------------------------------------------ */

struct mk_mock {
    mk_mock_options opts;
    mk__service service;
    char bind[64];
    char url[96];
    int port;
    char *api_key, *username, *password;
    char *admin_token;        /* NULL: loopback peers only */

    mk_clock *clock;          /* opts.clock or own_clock */
    mk_clock *own_clock;
    struct mg_context *ctx;

    pthread_mutex_t mu;       /* engine state, journal, speed, ws list, rate limit */
    pthread_mutex_t *mu_ref;  /* &mu, so readers given a const mock lock it without a cast */
    double speed;
    atomic_int stopping;

    mk__set *set;             /* what is served now (swapped under mu) */
    char **paths;             /* what mk_mock_new loaded: mk_mock_reload reads them again */
    size_t path_count;
    pthread_mutex_t swap_mu;  /* one add/remove/reload at a time (never under mu) */

    mk__journal journal;
    int64_t start_ms;         /* clock time at start: journal times are relative to it */
    struct mk__faults *faults; /* faults.c: own mutex */

    /* websocket players (ws.c) */
    struct mk__ws *ws_list;
    pthread_cond_t ws_cv;     /* signalled when a player ends */

    /* rate limit (profiles.c): one fixed window per key, at most
     * MK__RATE_KEYS keys (windows over a second old are reused first) */
    struct mk__rate *rates;
    uint32_t *rate_hashes; /* rates[i].hash, packed: the lookup scans 16 KiB, not the table */
    size_t rate_count;
    size_t rate_next; /* when full, the slot a new key replaces (round robin) */

    /* limits (mock.c fills the defaults) */
    int max_conn;             /* requests and websockets served at once */
    atomic_int active;        /* ... now (admin paths not counted) */
    size_t max_body;          /* request body bytes */
    size_t max_frame;         /* websocket message bytes */
};

#define MK__RATE_KEYS 4096
/* Workers beyond max_conn: they answer the 503s and the admin paths. */
#define MK__SPARE_WORKERS 16
/* Claim a connection slot (1) or learn the mock is full (0). */
int mk__slot_take(struct mk_mock *m);
void mk__slot_give(struct mk_mock *m);

double mk__speed(struct mk_mock *m);
void mk__log_unmatched(const struct mk_mock *m, const char *line);

/* tls.c: CivetWeb's init_ssl callback for the tls_cert/tls_key options, and
 * why it failed (on the thread that started the server). */
int mk__tls_init_ssl(void *ssl_ctx, void *user);
const char *mk__tls_error(void);

#endif
