/* mock.h: an embeddable replay server for mockkit cassettes.
 *
 * One mk_mock is one CivetWeb server on one port that replays the
 * interactions of one or more cassettes (usually every cassette of one
 * service). mk_mock_new() returns only once the server accepts connections,
 * so a test can talk to it at once. The CLI (`mockkit serve`) uses this API.
 *
 * Prefix: mk_mock_ (server), mk_clock_ (time source).
 * Threading: every function except mk_mock_free may be called from any
 * thread while the server runs.
 */
#ifndef MOCKKIT_MOCK_H
#define MOCKKIT_MOCK_H

#include <stddef.h>
#include <stdint.h>

#include "mockkit/cassette.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- time source ------------------------------------------------------ */

/* A clock the replay engine schedules on. The real clock is monotonic time;
 * a virtual clock only moves when mk_clock_advance() is called, so a suite
 * can check ordering and gaps without sleeping. */
typedef struct mk_clock mk_clock;

mk_clock *mk_clock_new_virtual(void);   /* starts at 0 ms; NULL on ENOMEM */
void mk_clock_free(mk_clock *c);        /* NULL ok; not while a server uses it */
int64_t mk_clock_now_ms(const mk_clock *c);   /* NULL = real monotonic clock */
/* Move a virtual clock forward and wake everything whose time has come.
 * Returns 0, or -1 if c is not virtual. */
int mk_clock_advance(mk_clock *c, int64_t ms);
/* Block until `waiters` schedulers are waiting on c (or timeout_ms of real
 * time passed): lets a suite advance only once the server is parked.
 * Returns 0 when reached, -1 on timeout. */
int mk_clock_wait_for_waiters(mk_clock *c, int waiters, int timeout_ms);

/* ---- server ----------------------------------------------------------- */

typedef enum mk_mock_status {
    MK_MOCK_OK = 0,
    MK_MOCK_ECASSETTE = -1,  /* a cassette failed to load: see diag */
    MK_MOCK_EBIND = -2,      /* could not listen on bind:port */
    MK_MOCK_EINVAL = -3,     /* bad option */
    MK_MOCK_ENOMEM = -4,
    MK_MOCK_ENOENT = -5      /* no such file, folder, or service */
} mk_mock_status;

const char *mk_mock_strerror(int status);

/* Mocks that reset together: give the same group to several mocks (one
 * per service, as `mockkit serve` does) and POST /__mockkit/reset on any of
 * their ports, or mk_mock_group_reset, resets every one. */
typedef struct mk_mock_group mk_mock_group;
mk_mock_group *mk_mock_group_new(void);          /* NULL on ENOMEM */
/* Free once no mock of the group is running any more. NULL ok. */
void mk_mock_group_free(mk_mock_group *g);

typedef struct mk_mock_options {
    const char *service;    /* a name in mk_service_table (mockkit/service.h):
                               its error envelope, auth rules and base path;
                               NULL or "generic" for none */
    const char *bind;       /* default "127.0.0.1" */
    int port;               /* 0 = ephemeral (read back with mk_mock_port) */
    double speed;           /* 1.0 recorded timing, 2.0 twice as fast, 0 instant;
                               negative = default 1.0 */
    const char *api_key;    /* bee/openai: the key the mock accepts (default: the
                               service's default_key in mockkit/service.h) */
    const char *username;   /* cairos: accepted login (default: default_user) */
    const char *password;   /* cairos: accepted password (default: default_password) */
    int disable_admin;      /* 1: no /__mockkit/ paths */
    size_t journal_size;    /* entries kept; 0 = 256 */
    mk_clock *clock;        /* NULL = real time; borrowed, must outlive the mock */
    int threads;            /* old name of max_connections (used when that is 0) */
    int quiet;              /* 1: do not log unmatched requests to stderr */
    int rate_limit;         /* bee: requests per second per key before 429, as
                               Bee enforces it (Bee's default is 25); 0 = off */
    const char *tls_cert;   /* PEM certificate (chain): listen with TLS, the URL is
                               https:// (wss:// for websockets); NULL = plain HTTP */
    const char *tls_key;    /* PEM private key; NULL = in tls_cert's file */
    int max_connections;    /* requests, streams and websockets served at once;
                               past it a 503 in the service's envelope (admin
                               paths are always answered); 0 = 1024 */
    size_t max_body;        /* request body bytes before 413; 0 = 64 MiB */
    size_t max_frame;       /* websocket message bytes before close 1009;
                               0 = 16 MiB */
    int request_timeout_ms; /* a request's headers must arrive within this;
                               0 = 10000 */
    const char *admin_token; /* NULL: /__mockkit/ answers loopback peers only
                               (403 to others), and a bind other than loopback
                               is refused unless disable_admin; set: every admin
                               request (loopback too) must send it in
                               X-Mockkit-Admin-Token, else 401 */
    mk_mock_group *group;   /* NULL: resets alone; borrowed, must outlive the mock */
    uint64_t seed;          /* the faults' PRNG (docs/faults.md: order of draws) */
} mk_mock_options;

/* Fills defaults (everything 0/NULL, speed 1.0). */
void mk_mock_options_init(mk_mock_options *o);

typedef struct mk_mock mk_mock;

/* Unmatched requests are answered with the service's error envelope, a
 * near-miss report, and the header "X-Mockkit-Unmatched: 1" (the recorder's
 * `new` mode uses it to tell replayed from missing interactions). */

/* Start a server replaying the given cassette files and/or folders (every
 * *.json inside, sorted by name). Returns MK_MOCK_OK with *out ready to
 * serve, or an error with diag filled (which file, where, what); nothing is
 * left running on error. */
int mk_mock_new(const mk_mock_options *opts, const char *const *paths,
                size_t path_count, mk_mock **out, mk_diag *diag);

/* Stop the server (closing open streams) and free everything. NULL ok. */
void mk_mock_free(mk_mock *m);

int mk_mock_port(const mk_mock *m);
/* "http://127.0.0.1:PORT" ("https://" with tls_cert; no trailing slash, no
 * service prefix). */
const char *mk_mock_url(const mk_mock *m);
/* The base path of the service's row in mk_service_table ("" if generic). */
const char *mk_mock_base_path(const mk_mock *m);

/* Start every sequence over, forget triggers, and clear the journal. */
void mk_mock_reset(mk_mock *m);
/* mk_mock_reset every mock of the group; returns how many. */
size_t mk_mock_group_reset(mk_mock_group *g);

/* Change replay speed for connections that start afterwards. */
void mk_mock_set_speed(mk_mock *m, double speed);

/* ---- runtime control ------------------------------------------------- */
/* Requests already being answered keep the cassettes they started with;
 * requests that arrive after one of these returns see the new set. A
 * cassette is named by its meta.name. Sequence state of the cassettes
 * that stay is kept. On error nothing changes and diag says why (for a bad
 * cassette: lint's message, with line/column or JSON pointer). */

/* Add the cassette in json (len bytes; name is used in diagnostics, NULL =
 * "<admin>"), replacing every served cassette with the same meta.name
 * (*replaced, if not NULL: how many). Refused like `mockkit lint` refuses:
 * syntax, schema, secrets, `after` naming no interaction, and a `fault`
 * that does not parse. Returns MK_MOCK_OK, MK_MOCK_ECASSETTE, MK_MOCK_EINVAL
 * or MK_MOCK_ENOMEM. */
int mk_mock_add_cassette(mk_mock *m, const char *json, size_t len, const char *name,
                         int *replaced, mk_diag *diag);

/* Stop serving every cassette whose meta.name is name. MK_MOCK_ENOENT when
 * there is none. */
int mk_mock_remove_cassette(mk_mock *m, const char *name, mk_diag *diag);

/* Read the files and folders given to mk_mock_new again and serve them
 * (what `mockkit serve` does on SIGHUP). A bad cassette refuses the whole
 * reload: the old set keeps serving. */
int mk_mock_reload(mk_mock *m, mk_diag *diag);

/* The served cassettes as a JSON array of {"name","file","service",
 * "interactions"} (what GET /__mockkit/cassettes returns). Caller frees. */
cJSON *mk_mock_cassettes_json(const mk_mock *m);
/* ---- faults (docs/faults.md) ----------------------------------------- */

/* Add a fault from its compact spec, e.g. "POST /v1/chat/completions:
 * status=429,retry-after=2,times=1"; faults fire in the order added, one
 * per request. Returns MK_MOCK_OK, or MK_MOCK_EINVAL with err (may be NULL)
 * naming the byte offset and what was expected. */
int mk_mock_fault_add(mk_mock *m, const char *spec, char *err, size_t err_size);
/* Check a cassette's "fault" value (ACTION[,OPTION...], no METHOD PATH, no
 * times=/every=/p=): MK_MOCK_OK, or MK_MOCK_EINVAL with err saying why. */
int mk_mock_fault_check(const char *action, char *err, size_t err_size);
/* Remove every fault (the PRNG goes on where it was). */
void mk_mock_fault_clear(mk_mock *m);
/* The faults as [{"spec","seen","times_left"}] (GET /__mockkit/faults).
 * Caller frees with cJSON_Delete. */
cJSON *mk_mock_faults_json(const mk_mock *m);

/* ---- request journal ------------------------------------------------- */

typedef struct mk_journal_entry {
    uint64_t seq;            /* 1, 2, ... since start or reset */
    int64_t at_ms;           /* mock clock time of arrival */
    char method[16];
    char path[512];          /* with query string */
    int status;              /* status sent; 101 for websockets */
    int matched;             /* 1 if an interaction answered */
    char cassette[256];      /* file of the matching (or nearest) interaction */
    char interaction[128];   /* its id */
    char near_miss[512];     /* unmatched: which matcher failed on the nearest */
} mk_journal_entry;

/* Copy up to max most recent entries, oldest first. Returns how many. */
size_t mk_mock_journal(const mk_mock *m, mk_journal_entry *out, size_t max);

/* The journal as a JSON array (what GET /__mockkit/requests returns).
 * Besides the fields above each entry has "t_ms" (ms since the mock
 * started), "request" ({"headers":{...}} and "json", "text" or "base64":
 * the first 64 KiB of the body) with every secret the cassette secret scan
 * finds replaced by <REDACTED:name>, "body_bytes" and, when cut,
 * "body_truncated". Caller frees with cJSON_Delete. */
cJSON *mk_mock_journal_json(const mk_mock *m);

/* Same, only requests whose path (without query) is path (a trailing '*'
 * makes it a prefix; NULL: any) and, with unmatched_only, only those no
 * interaction answered (GET /__mockkit/requests?path=P&unmatched=1). */
cJSON *mk_mock_requests_json(const mk_mock *m, const char *path, int unmatched_only);

/* ---- verification ---------------------------------------------------- */

/* Check the journal against an expectation (POST /__mockkit/verify):
 *   {"request":{"method":M,"path":P,"body":B}, "count":N}
 *     (or "at_least" and/or "at_most"; none: at least 1), or
 *   {"order":[{"method":..,"path":..,"body":..}, ...]}
 *     (each after the previous one's match; others may come between).
 * method and path are optional (path: literal or {name} template, matched
 * without the query); body: a JSON value matched partially (recorded-style,
 * against the redacted body) or a string equal to a text body.
 * Returns 1 when it holds, 0 when not, MK_MOCK_EINVAL for a malformed
 * expectation; *report (caller frees) says "ok", the matching "seqs", and
 * when it does not hold "differed" and up to three "nearest" entries with
 * what differs in each. */
int mk_mock_verify(const mk_mock *m, const cJSON *expect, cJSON **report);

#ifdef __cplusplus
}
#endif

#endif /* MOCKKIT_MOCK_H */
