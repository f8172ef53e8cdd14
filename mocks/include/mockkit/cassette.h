/* cassette.h: the mockkit cassette (fixture) format v1, in memory.
 *
 * A cassette is one JSON file holding one recorded (or synthesized) session:
 * HTTP exchanges, streamed responses as timed byte chunks, and websocket
 * sessions as timed frames, all on one timeline in milliseconds from the
 * session start. docs/cassette.md describes the file; docs/cassette.schema.json
 * is its JSON Schema.
 *
 * Prefix: mk_cassette_ (loading, writing) and mk_diag_ (error reports).
 * Ownership: everything reachable from an mk_cassette is owned by it and
 * freed by mk_cassette_free(); pointers handed out stay valid until then.
 */
#ifndef MOCKKIT_CASSETTE_H
#define MOCKKIT_CASSETTE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MK_CASSETTE_VERSION 1

/* Status codes shared by the cassette functions. Append only. */
typedef enum mk_cassette_status {
    MK_CASSETTE_OK = 0,
    MK_CASSETTE_EIO = -1,      /* file could not be read or written */
    MK_CASSETTE_ESYNTAX = -2,  /* not JSON: diag has line, column, offset */
    MK_CASSETTE_ESCHEMA = -3,  /* JSON, but not a v1 cassette: diag has pointer */
    MK_CASSETTE_ESECRET = -4,  /* a secret was found: diag has pointer */
    MK_CASSETTE_ENOMEM = -5,
    MK_CASSETTE_EINVAL = -6    /* bad argument (NULL where not allowed) */
} mk_cassette_status;

const char *mk_cassette_strerror(int status);

/* Where and what went wrong. Every error names the file and either a
 * line:column (syntax) or a JSON pointer (schema, secrets). */
typedef struct mk_diag {
    char file[512];
    int line;           /* 1-based; 0 when unknown */
    int column;         /* 1-based; 0 when unknown */
    size_t offset;      /* byte offset of a syntax error */
    char pointer[256];  /* RFC 6901 pointer, e.g. /interactions/3/response/status */
    char message[512];
} mk_diag;

/* Formats "file:line:col: message" or "file: /pointer: message" into buf. */
const char *mk_diag_format(const mk_diag *d, char *buf, size_t size);

/* A byte string. Always NUL-terminated one past len, for convenience only:
 * bodies may contain NUL, so use len. */
typedef struct mk_bytes {
    unsigned char *data;
    size_t len;
} mk_bytes;

/* How a body was written in the file; the wire bytes are the same either way. */
typedef enum mk_body_kind {
    MK_BODY_NONE = 0,  /* no body */
    MK_BODY_JSON,      /* "json": value; wire bytes = cJSON_PrintUnformatted */
    MK_BODY_TEXT,      /* "text": "..."  (UTF-8) */
    MK_BODY_BASE64     /* "base64": "..." (any bytes) */
} mk_body_kind;

typedef struct mk_body {
    mk_body_kind kind;
    cJSON *json;       /* parsed value when kind == MK_BODY_JSON, else NULL */
    mk_bytes bytes;    /* the exact bytes on the wire (all kinds) */
} mk_body;

typedef struct mk_header {
    char *name;   /* as recorded; compare case-insensitively */
    char *value;
} mk_header;

typedef struct mk_headers {
    mk_header *items;  /* in recorded order; repeats (Set-Cookie) allowed */
    size_t count;
} mk_headers;

/* First value of a header (case-insensitive name), or NULL. */
const char *mk_headers_get(const mk_headers *h, const char *name);

typedef struct mk_query_param {
    char *name;
    char *value;  /* decoded */
} mk_query_param;

typedef struct mk_request {
    char *method;            /* "GET", ...; websockets are "GET" */
    char *path;              /* absolute, no query, e.g. /v1/threads/thread_1 */
    mk_query_param *query;   /* decoded, in recorded order */
    size_t query_count;
    mk_headers headers;
    mk_body body;
} mk_request;

/* How a live request is compared with a recorded one ("match" object). */
typedef enum mk_match_query {
    MK_MATCH_QUERY_SUBSET = 0,  /* default: every recorded param present and equal */
    MK_MATCH_QUERY_EXACT,       /* same set of params */
    MK_MATCH_QUERY_IGNORE
} mk_match_query;

typedef enum mk_match_body {
    MK_MATCH_BODY_DEFAULT = 0,  /* JSON bodies: partial; others: equal */
    MK_MATCH_BODY_EQUAL,        /* JSON: deep equal ignoring key order; else bytes */
    MK_MATCH_BODY_PARTIAL,      /* JSON: recorded value is a subset of the request */
    MK_MATCH_BODY_IGNORE
} mk_match_body;

typedef struct mk_match {
    char *path;          /* template such as /v1/threads/{thread_id}; NULL = literal request.path */
    mk_match_query query;
    char **headers;      /* names of recorded headers that must match (lowercase) */
    size_t header_count;
    mk_match_body body;
    cJSON *body_json;    /* optional: match against this instead of request.body (partial) */
} mk_match;

/* A timed piece of a streamed response or a trigger-gated event. */
typedef struct mk_chunk {
    int64_t at_ms;       /* on the cassette timeline */
    mk_body body;        /* TEXT or BASE64 (JSON allowed: printed unformatted) */
    char *after;         /* id of an interaction on another connection that must
                            have been received before this chunk is sent, or NULL */
    char *fault;         /* a fault at this chunk (docs/faults.md), or NULL */
} mk_chunk;

typedef struct mk_response {
    int status;
    int64_t at_ms;        /* when the status line and headers went out */
    mk_headers headers;   /* hop-by-hop headers (Content-Length, Transfer-Encoding,
                             Connection) are regenerated by the server */
    mk_body body;         /* for plain responses */
    mk_chunk *chunks;     /* for streamed responses (SSE, chunked); NULL otherwise */
    size_t chunk_count;
    int streamed;         /* 1 when "chunks" was given (even if empty) */
    int close;            /* 1: the server closed the connection after the last chunk
                             without a clean end (models a cut stream) */
    int64_t keepalive_ms; /* > 0: after the last chunk the stream stays open and
                             keepalive_text goes out every keepalive_ms (an SSE
                             server's ping), until the client leaves or the mock stops */
    char *keepalive_text; /* the ping's bytes; "{utc}" becomes the current UTC time */
} mk_response;

typedef enum mk_frame_from {
    MK_FROM_SERVER = 0,
    MK_FROM_CLIENT
} mk_frame_from;

typedef enum mk_frame_type {
    MK_FRAME_TEXT = 0,
    MK_FRAME_BINARY,
    MK_FRAME_PING,
    MK_FRAME_PONG,
    MK_FRAME_CLOSE
} mk_frame_type;

typedef enum mk_frame_match {
    MK_FRAME_MATCH_DEFAULT = 0,  /* client frames: JSON partial if JSON, else exact */
    MK_FRAME_MATCH_EXACT,
    MK_FRAME_MATCH_PARTIAL,
    MK_FRAME_MATCH_ANY           /* any client frame of the same type */
} mk_frame_match;

typedef struct mk_frame {
    int64_t at_ms;
    mk_frame_from from;
    mk_frame_type type;
    mk_body payload;     /* text/json/base64; empty for ping/pong without data */
    int close_code;      /* MK_FRAME_CLOSE: 1000, 1001, ...; 0 = none recorded */
    char *close_reason;  /* may be NULL */
    mk_frame_match match;  /* client frames only */
    char *after;         /* server frames: trigger interaction id, or NULL */
    char *fault;         /* server frames: a fault at this frame, or NULL */
} mk_frame;

typedef enum mk_interaction_kind {
    MK_IX_HTTP = 0,
    MK_IX_WEBSOCKET
} mk_interaction_kind;

typedef struct mk_interaction {
    char *id;             /* unique within the cassette; generated "ix-N" if absent */
    size_t index;         /* position in the file, 0-based */
    int64_t at_ms;        /* when the request arrived */
    mk_interaction_kind kind;
    mk_request request;   /* websockets: the upgrade request */
    mk_match match;
    mk_response response; /* MK_IX_HTTP */
    mk_frame *frames;     /* MK_IX_WEBSOCKET, in timeline order */
    size_t frame_count;
    char *note;           /* free text, may be NULL */
    char *fault;          /* a fault on every answer of this interaction
                             (docs/faults.md), or NULL */
} mk_interaction;

typedef struct mk_source {
    char *kind;           /* "recorded" or "synthesized" */
    char *url;            /* recorded: upstream URL */
    char *version;        /* recorded: upstream version if known */
    char **refs;          /* synthesized: the public sources it was written from */
    size_t ref_count;
} mk_source;

typedef struct mk_meta {
    char *service;        /* a name in mk_service_table (service.h), or another */
    char *name;
    char *description;
    char *created;        /* ISO 8601 */
    mk_source source;
    char **redactions;    /* e.g. "header:authorization", "json:password" */
    size_t redaction_count;
} mk_meta;

typedef struct mk_cassette {
    char *path;           /* file it came from ("<memory>" when parsed from text) */
    int version;
    mk_meta meta;
    mk_interaction *interactions;
    size_t count;
} mk_cassette;

/* Read and validate a cassette file. On failure *out is NULL and diag (if
 * not NULL) says what and where. Returns MK_CASSETTE_OK or a negative status. */
int mk_cassette_load(const char *path, mk_cassette **out, mk_diag *diag);

/* Same, from memory. name is used in diagnostics. */
int mk_cassette_parse(const char *text, size_t len, const char *name,
                      mk_cassette **out, mk_diag *diag);

/* Validate and convert an already parsed JSON document (not consumed). */
int mk_cassette_from_json(const cJSON *root, const char *name,
                          mk_cassette **out, mk_diag *diag);

void mk_cassette_free(mk_cassette *c);

/* Look an interaction up by id; NULL if none. */
const mk_interaction *mk_cassette_find(const mk_cassette *c, const char *id);

/* Redaction placeholders: where a secret was, a cassette holds "<REDACTED>"
 * or "<REDACTED:name>", name being one or more of [A-Za-z0-9._-] (what the
 * recorder writes; "<REDACTED:>" is not one). The replay matcher takes a
 * placeholder for any value, the secret scan accepts it, the redactor
 * leaves it alone: all three through these two functions. */
/* 1 when the len bytes at s are exactly one placeholder, else 0. */
int mk_cassette_is_placeholder(const char *s, size_t len);
/* Length of the placeholder that starts at s (n bytes readable), or 0. */
size_t mk_cassette_placeholder_len(const char *s, size_t n);

/* Scan a cassette document for secrets (API keys, bearer tokens, cookies,
 * passwords that are not redaction placeholders). Returns MK_CASSETTE_OK,
 * or MK_CASSETTE_ESECRET with the first finding in diag. */
int mk_cassette_scan_secrets(const cJSON *root, const char *name, mk_diag *diag);

/* Every problem in a cassette file, not just the first: fn is called once
 * per problem with a filled diag (syntax errors: line and column; schema
 * rules and secrets: a JSON pointer). Returns the number of problems, or
 * -1 when the file cannot be read (fn still gets the read error). */
typedef void (*mk_cassette_issue_fn)(void *ctx, const mk_diag *d);
long mk_cassette_lint(const char *path, mk_cassette_issue_fn fn, void *ctx);

/* RFC 4648 base64 (padded) of len bytes, NUL-terminated; the caller frees.
 * The kit's one codec: cassette bodies and the recorder use it. NULL on ENOMEM. */
char *mk_cassette_base64_encode(const void *data, size_t len);

/* Validate root as a cassette, scan it for secrets, and write it to path
 * pretty-printed, atomically (temporary file in the same folder, then
 * rename). Refuses (MK_CASSETTE_ESCHEMA / MK_CASSETTE_ESECRET) without
 * touching path when validation or the scan fails. */
int mk_cassette_save_json(const cJSON *root, const char *path, mk_diag *diag);

/* Deepest array/object nesting accepted from a client or an upstream
 * (request bodies, websocket frames, recorded responses). cJSON and every
 * walk over a parsed tree recurse once per level on small server worker
 * stacks; real API payloads stay far below this. */
#define MK_JSON_MAX_DEPTH 64

/* Nesting depth of JSON text (brackets inside strings ignored). Stops
 * counting once it passes max, so the cost is one pass at most. */
int mk_json_depth(const char *text, size_t len, int max);

/* Parse JSON from a client or upstream. NULL when it is not JSON, or when
 * it nests deeper than MK_JSON_MAX_DEPTH (then *too_deep, if not NULL, is
 * set to 1; the text is never handed to the recursive parser). The caller
 * frees the result with cJSON_Delete. Every foreign JSON goes through here. */
cJSON *mk_json_parse_bounded(const char *text, size_t len, int *too_deep);

/* mk_json_parse_bounded that also says where parsing stopped: *stop (if not
 * NULL) is the byte offset of the first byte refused (0 when the text was
 * refused for depth or empty), for messages such as "at byte 17". whole: 1
 * refuses anything but whitespace after the value ("{} x" is not JSON). */
cJSON *mk_json_parse_bounded_at(const char *text, size_t len, int whole, int *too_deep,
                                size_t *stop);

#ifdef __cplusplus
}
#endif

#endif /* MOCKKIT_CASSETTE_H */
