/* record_internal.h: what the recorder's files share; not public API.
 * Internal non-static names are prefixed mk_rec__. */
#ifndef MOCKKIT_RECORD_INTERNAL_H
#define MOCKKIT_RECORD_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <regex.h>

#include <cjson/cJSON.h>

#include "mockkit/record.h"

struct mg_connection;
struct mg_context;
struct mg_request_info;

/* ---- redaction (redact.c) ---------------------------------------------- */

typedef struct mk_rec_redactor {
    char **headers;          /* extra header names, lowercase */
    size_t header_count;
    char **fields;           /* extra field names, lowercase */
    size_t field_count;
    regex_t *patterns;       /* --redact-pattern */
    size_t pattern_count;
    pthread_mutex_t mu;      /* guards applied */
    char **applied;          /* "header:authorization", "json:password", ... */
    size_t applied_count;
} mk_rec_redactor;

/* Returns 0, or -1 (out of memory, or a pattern that does not compile:
 * then err says which). */
int mk_rec__redactor_init(mk_rec_redactor *r, const mk_record_options *o, char *err,
                          size_t err_size);
void mk_rec__redactor_cleanup(mk_rec_redactor *r);
/* Redacted copy of a header value for the cassette (caller frees), or NULL
 * when the header is not sensitive. name is compared case-insensitively;
 * set_cookie: the value is a Set-Cookie line (attributes are kept). */
char *mk_rec__redact_header(mk_rec_redactor *r, const char *name, const char *value);
/* Redacted copy of a query value (caller frees), or NULL when the
 * parameter is not sensitive and no pattern matched. */
char *mk_rec__redact_query(mk_rec_redactor *r, const char *name, const char *value);
/* Copy of s with every pattern match replaced (caller frees), or NULL when
 * nothing matched. */
char *mk_rec__redact_patterns(mk_rec_redactor *r, const char *s);
/* JSON text with the values of sensitive fields replaced and every other
 * byte kept (formatting, key order, number spelling); NULL when nothing
 * changed. */
char *mk_rec__redact_json_text(mk_rec_redactor *r, const char *text, size_t len);
/* Replace sensitive fields anywhere in a JSON value; returns how many. */
int mk_rec__redact_json(mk_rec_redactor *r, cJSON *v);
/* Redacted copy of an application/x-www-form-urlencoded body, or NULL when
 * nothing was sensitive. */
char *mk_rec__redact_form(mk_rec_redactor *r, const char *body, size_t len, size_t *out_len);
/* The applied redactions as a JSON array of strings (caller owns). */
cJSON *mk_rec__redactions_json(mk_rec_redactor *r);

/* ---- bodies (body.c) --------------------------------------------------- */

/* Add "json", "text" or "base64" to obj for these bytes (nothing when len
 * is 0). json when cJSON_PrintUnformatted(parse(bytes)) == bytes; else text
 * when valid UTF-8; else base64. With a redactor, JSON and form bodies have
 * their sensitive fields replaced first (content_type may be NULL). */
int mk_rec__body_add(cJSON *obj, const void *data, size_t len, const char *content_type,
                     mk_rec_redactor *red);
/* A stream chunk or websocket text: only the patterns apply (a chunk is
 * not a whole document). */
int mk_rec__body_add_chunk(cJSON *obj, const void *data, size_t len, mk_rec_redactor *red);
/* Always base64 (binary websocket frames). */
int mk_rec__body_add_base64(cJSON *obj, const void *data, size_t len);
int mk_rec__utf8_valid(const unsigned char *s, size_t len);
/* Lowercase copy (caller frees). */
char *mk_rec__lower(const char *s);
/* Add name: value to a headers object; a repeated name becomes an array. */
void mk_rec__headers_add(cJSON *headers, const char *name, const char *value);

/* ---- the recorded session (tape.c) ------------------------------------- */

typedef struct mk_rec_event {
    cJSON *obj;              /* chunk or frame inside the interaction (borrowed) */
    int64_t at_us;
    int may_follow;          /* 1: gets "after" (server chunks and frames) */
} mk_rec_event;

typedef struct mk_rec_ix {
    int64_t at_us;           /* request arrival */
    uint64_t seq;
    cJSON *json;             /* the interaction, without id/at_ms */
    mk_rec_event *events;
    size_t event_count, event_cap;
    pthread_mutex_t mu;      /* websocket frames come from two threads */
} mk_rec_ix;

typedef struct mk_rec_tape {
    pthread_mutex_t mu;
    pthread_mutex_t *mu_ref; /* &mu, so mk_rec__tape_count (const) locks it without a
                                cast (C has no mutable) */
    int64_t start_us;        /* monotonic */
    uint64_t next_seq;
    mk_rec_ix **items;
    size_t count, cap;
} mk_rec_tape;

int mk_rec__tape_init(mk_rec_tape *t);
void mk_rec__tape_cleanup(mk_rec_tape *t);
int64_t mk_rec__now_us(const mk_rec_tape *t);
/* A new interaction arriving now (not yet on the tape). NULL on ENOMEM. */
mk_rec_ix *mk_rec__ix_new(mk_rec_tape *t);
void mk_rec__ix_free(mk_rec_ix *ix);
/* Add a timed event object (ownership passes to the array `into`; with
 * into NULL, obj is already in the interaction and only gets its at_ms). */
void mk_rec__ix_event(mk_rec_ix *ix, cJSON *into, cJSON *obj, int64_t at_us, int may_follow);
/* Put a finished interaction on the tape (ownership passes). */
void mk_rec__tape_add(mk_rec_tape *t, mk_rec_ix *ix);
size_t mk_rec__tape_count(const mk_rec_tape *t);
/* Append the tape's interactions to `interactions` in timeline order, with
 * ids (unique against what is already there), at_ms shifted by offset_ms,
 * and "after" filled. */
void mk_rec__tape_emit(mk_rec_tape *t, cJSON *interactions, int64_t offset_ms);

/* ---- the recorder ------------------------------------------------------ */

typedef struct mk_rec_upstream {
    char url[1024];          /* without trailing slash */
    int tls;                 /* https:// (websockets then go to wss://) */
    char host[256];
    int port;
    char prefix[512];        /* path prefix, "" or "/v1" */
} mk_rec_upstream;

struct mk_record {
    mk_record_options opts;  /* strings below are copies */
    char *out;
    char *service;
    char *name;
    mk_record_mode mode;
    int replaying;
    mk_rec_upstream up;
    char *mock_url;          /* NEW: the embedded replay server to try first */
    struct mk_mock *mock;
    struct mg_context *ctx;
    int port;
    char url[300];
    mk_rec_redactor red;
    mk_rec_tape tape;
    int stopping;            /* atomic: read by curl callbacks */
    pthread_mutex_t ws_mu;   /* open websocket sessions, closed on stop */
    struct mk_rec_ws **ws;
    size_t ws_count, ws_cap;
    int stopped;
    int stop_status;
    char *rejected;          /* <out>.rejected.json once written */
    mk_cassette *known;      /* NEW: the cassette being extended (query variants) */
    long connect_timeout_ms;
    long idle_timeout_ms;
    int quiet;
    char *cacert;            /* upstream TLS: see mk_record_options */
    int insecure;
    struct mk__faults *faults; /* proxy_faults.c; NULL: none */
};

/* proxy.c: the HTTP request handler (cbdata is the mk_record). */
int mk_rec__http_handler(struct mg_connection *conn, void *cbdata);
/* Record the client request part of an interaction (path, query, headers,
 * body) from a CivetWeb request. */
cJSON *mk_rec__request_json(mk_record *r, const struct mg_request_info *ri,
                            const char *body, size_t body_len);

/* proxy_faults.c: the fault list (NULL when none; an error names the
 * spec), and the hooks proxy.c calls (see mocks/server/faults.h). */
int mk_rec__faults_init(mk_record *r, const mk_record_options *o, char *why, size_t size);
void mk_rec__faults_free(mk_record *r);

/* wsproxy.c: installs the websocket handlers; closes sessions on stop. */
void mk_rec__ws_install(mk_record *r);
void mk_rec__ws_close_all(mk_record *r);

/* record.c: NEW mode: 1 when the cassette holds this method and path but
 * never with exactly this query, so the request is new although the replay
 * server's subset matching would answer it. */
int mk_rec__new_query_variant(mk_record *r, const struct mg_request_info *ri);

/* stderr report unless quiet. */
void mk_rec__report(mk_record *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
