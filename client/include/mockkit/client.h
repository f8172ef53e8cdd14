/* client.h: the mockkit client core: HTTP (libcurl), SSE streams over HTTP
 * (on the I/O-free parser of mockkit/sse.h, included here), and websockets (CivetWeb's client, since
 * Debian's libcurl has no websocket support).
 *
 * Prefix: mkc_. Objects come from mkc_*_new and go to mkc_*_free (NULL ok).
 * Errors: functions return MKC_OK (0) or a negative mkc_status, and fill an
 * mkc_error when one is passed: code, HTTP status, URL, message, and for
 * HTTP errors the response body.
 */
#ifndef MOCKKIT_CLIENT_H
#define MOCKKIT_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "mockkit/sse.h"

/* The stop flag of mkc_sse_options. C++ has no <stdatomic.h> before C++23
 * (and no header may be included inside extern "C"): there it is
 * std::atomic<int>, which has the same size and representation. */
#ifdef __cplusplus
#include <atomic>
typedef std::atomic<int> mkc_atomic_int;
#else
#include <stdatomic.h>
typedef atomic_int mkc_atomic_int;
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ------------------------------------------------------------ *
 * The status codes (MKC_STATUS_MAP, mkc_strerror) are in mockkit/sse.h,
 * which the parser shares with the core. */

typedef struct mkc_error {
    int code;              /* mkc_status */
    long http_status;      /* 0 when no response */
    char url[512];
    char message[512];     /* human readable, names the URL */
    char *body;            /* MKC_EHTTP: response body (NUL-terminated), owned */
    size_t body_len;
} mkc_error;

/* Frees body and zeroes the struct. */
void mkc_error_clear(mkc_error *e);

/* Fill e (NULL ok) with code and a printf-style message; url (NULL keeps
 * the one set) names where. A body already in e is kept. Returns code, so
 * service clients can `return mkc_error_set(err, MKC_EJSON, url, ...)`. */
int mkc_error_set(mkc_error *e, int code, const char *url, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- TLS -------------------------------------------------------------- *
 * https:// and wss:// verify the server's certificate (chain, validity dates
 * and host name) against the system store unless told otherwise. A failure
 * is MKC_ETLS with a message naming the URL and the reason: "unknown CA",
 * "host name mismatch", "certificate expired", ... */

typedef struct mkc_tls {
    const char *cacert;   /* PEM file of CAs to trust instead of the system store */
    int insecure;         /* 1: accept any certificate (self-signed test setups) */
} mkc_tls;

/* The defaults every mkc_http and mkc_ws_connect start from: env
 * MOCKKIT_CACERT=FILE and MOCKKIT_INSECURE=1 (how `mockkit check --cacert /
 * --insecure` reach the suites). Strings point into the environment. */
void mkc_tls_from_env(mkc_tls *out);

/* Short reason for a TLS error text from libcurl/OpenSSL ("unknown CA",
 * "host name mismatch", "certificate expired", "certificate not yet valid",
 * "CA file unusable", else "handshake failed"). */
const char *mkc_tls_reason(const char *detail);

/* A verified TLS handshake (libcurl) with host:port of an https:// or wss://
 * url and nothing else: MKC_OK, MKC_ETLS (reason in err), MKC_ECONNECT...
 * tls NULL: the env defaults. A ws:// or http:// url is MKC_OK at once. */
int mkc_tls_check(const char *url, const mkc_tls *tls, mkc_error *err);

/* ---- HTTP ------------------------------------------------------------- */

typedef struct mkc_http mkc_http;

/* One connection (a reused curl easy handle) to base_url, e.g.
 * "http://127.0.0.1:4000/v1". Not thread-safe: one per thread. */
mkc_http *mkc_http_new(const char *base_url);
void mkc_http_free(mkc_http *h);

/* Default headers sent on every request ("Authorization: Bearer ..."). */
int mkc_http_add_header(mkc_http *h, const char *header_line);
/* Cookies, as "name=value; name2=value2" (CURLOPT_COOKIE). */
int mkc_http_set_cookie(mkc_http *h, const char *cookie);
/* TLS settings for this connection (copied; NULL: the env defaults, which
 * mkc_http_new already applied). */
int mkc_http_set_tls(mkc_http *h, const mkc_tls *tls);
/* Whole-request timeout for non-streaming calls (default 30000 ms). */
void mkc_http_set_timeout(mkc_http *h, long ms);

typedef struct mkc_response {
    long status;
    char *content_type;    /* may be NULL */
    char **headers;        /* "name: value" lines, in order */
    size_t header_count;
    char *body;            /* NUL-terminated for convenience; may hold NUL */
    size_t body_len;
} mkc_response;

void mkc_response_free(mkc_response *r);
/* First header value by case-insensitive name (points into r), or NULL. */
const char *mkc_response_header(const mkc_response *r, const char *name);

/* Send a request. path is appended to base_url (may hold a query).
 * body may be NULL; content_type defaults to application/json with a body.
 * extra_headers: NULL-terminated list of "name: value" lines, or NULL.
 * Any HTTP status is a successful call here: check (*out)->status.
 * Transport failures return the error and leave *out NULL. */
int mkc_http_request(mkc_http *h, const char *method, const char *path,
                     const char *const *extra_headers, const char *content_type,
                     const void *body, size_t body_len, mkc_response **out,
                     mkc_error *err);

/* As mkc_http_request, but a status outside 200-299 is MKC_EHTTP with the
 * body in err (and *out still set, for callers that want it). */
int mkc_http_request_ok(mkc_http *h, const char *method, const char *path,
                        const char *const *extra_headers, const char *content_type,
                        const void *body, size_t body_len, mkc_response **out,
                        mkc_error *err);

/* multipart/form-data POST with one file part and text fields. */
typedef struct mkc_form_field {
    const char *name;
    const char *value;      /* text fields */
    const void *data;       /* file part when filename != NULL */
    size_t data_len;
    const char *filename;
    const char *content_type;
} mkc_form_field;

int mkc_http_post_multipart(mkc_http *h, const char *path, const mkc_form_field *fields,
                            size_t field_count, mkc_response **out, mkc_error *err);

/* The SSE push parser (mkc_sse_parser) is in mockkit/sse.h. */

/* ---- SSE over HTTP ----------------------------------------------------- */

typedef struct mkc_sse_options {
    const char *method;           /* default GET */
    const char *const *headers;   /* NULL-terminated "name: value" lines */
    const char *content_type;     /* for a body */
    const void *body;             /* e.g. a run create with stream:true */
    size_t body_len;
    const char *last_event_id;    /* sent as Last-Event-ID when not empty */
    long connect_timeout_ms;      /* default 10000 */
    long idle_timeout_ms;         /* no bytes for this long: MKC_ETIMEOUT; 0 = none */
    mkc_sse_comment_cb on_comment;
    /* Optional; each gets the `user` given to mkc_sse_stream. */
    void (*on_header)(void *user, const char *line);  /* each response header, "Name: value" */
    void (*on_open)(void *user);  /* once the answer is a 200 event stream, before any event */
    const mkc_atomic_int *stop;   /* set nonzero from any thread: the stream ends with
                                     MKC_EABORTED within about a second */
    long *retry_out;              /* receives the stream's last valid retry: value, or -1 */
} mkc_sse_options;

/* GET (or POST) url with Accept: text/event-stream and feed the body to
 * on_event as it arrives (no buffering). Returns when the stream ends
 * (MKC_OK, or MKC_ETRUNCATED if it ended inside an event), the callback
 * stops it (MKC_EABORTED), the status is not 200 (MKC_EHTTP, body in err),
 * the content type is not text/event-stream (MKC_ECONTENT_TYPE), or the
 * transport fails. h supplies base URL, default headers and cookies; url may
 * be a path relative to it. last_id (optional) receives the final
 * Last-Event-ID (caller frees). */
int mkc_sse_stream(mkc_http *h, const char *url, const mkc_sse_options *opts,
                   mkc_sse_event_cb on_event, void *user, char **last_id,
                   mkc_error *err);

/* ---- websocket -------------------------------------------------------- */

typedef struct mkc_ws mkc_ws;

typedef enum mkc_ws_opcode {
    MKC_WS_TEXT = 1,
    MKC_WS_BINARY = 2,
    MKC_WS_CLOSE = 8,
    MKC_WS_PING = 9,
    MKC_WS_PONG = 10
} mkc_ws_opcode;

typedef struct mkc_ws_callbacks {
    /* A whole message (fragments joined). Runs on the connection's reader
     * thread; data is valid only during the call. */
    void (*on_message)(void *user, mkc_ws_opcode op, const char *data, size_t len);
    /* The connection ended: close code (1006 if no close frame) and reason. */
    void (*on_close)(void *user, int code, const char *reason);
    void *user;
} mkc_ws_callbacks;

/* Connect to ws://host:port/path or wss://... Returns once the handshake is
 * done. Refused: MKC_ECONNECT; upgrade refused: MKC_EHTTP; certificate or
 * TLS handshake: MKC_ETLS; a server that accepts but never answers the
 * upgrade: MKC_ETIMEOUT after CivetWeb's own handshake wait (~30 s, not
 * settable through its API); one that closes without an answer:
 * MKC_ECLOSED; bytes that end before an HTTP header does: MKC_EPROTOCOL.
 * Messages name the URL. TLS settings: the env
 * defaults (mkc_tls_from_env).
 * wss: CivetWeb 1.15's client checks the chain and dates against a CA file
 * but never the host name, so a verified libcurl handshake with the same
 * host:port (mkc_tls_check) comes first; both must pass. (They are two
 * connections: the name is checked on the first, chain and dates on both.) */
int mkc_ws_connect(const char *url, const mkc_ws_callbacks *cb, mkc_ws **out,
                   mkc_error *err);
/* As mkc_ws_connect with explicit TLS settings (NULL: env defaults). */
int mkc_ws_connect_tls(const char *url, const mkc_ws_callbacks *cb, const mkc_tls *tls,
                       mkc_ws **out, mkc_error *err);

/* For callers that drive CivetWeb's websocket client themselves (the
 * recorder's upstream hop): open a ws:// or wss:// connection the way
 * mkc_ws_connect does (same checks and errors), with CivetWeb callbacks
 * (mg_websocket_data_handler / mg_websocket_close_handler). path, when not
 * NULL, replaces the url's path (it may carry a query). */
struct mg_connection;
int mkc_ws_civetweb_connect(const char *url, const char *path, const mkc_tls *tls,
                            int (*on_data)(struct mg_connection *, int, char *, size_t, void *),
                            void (*on_close)(const struct mg_connection *, void *), void *user,
                            struct mg_connection **out, mkc_error *err);
/* MKC_OK once the frame is written, even when the server's close is back
 * before this returns; MKC_ECLOSED when the connection had ended or the
 * write failed. (A raw mg_websocket_client_write on a connection from
 * mkc_ws_civetweb_connect can report -1 in that race: CivetWeb 1.15.) */
int mkc_ws_send(mkc_ws *ws, mkc_ws_opcode op, const void *data, size_t len);
int mkc_ws_send_text(mkc_ws *ws, const char *text);
/* Send a close frame and wait (bounded) for the connection to end. */
int mkc_ws_close(mkc_ws *ws, int code, const char *reason);
/* 1 while open. */
int mkc_ws_is_open(const mkc_ws *ws);
/* Wait until the connection has ended: MKC_OK (also for NULL), or
 * MKC_ETIMEOUT when timeout_ms passed first. */
int mkc_ws_wait_closed(mkc_ws *ws, int timeout_ms);
/* Close if open, join the reader, free. NULL ok. */
void mkc_ws_free(mkc_ws *ws);

/* ---- helpers ---------------------------------------------------------- */

/* A thread-safe message queue that the websocket callbacks can push to and
 * a test can pop from with a bounded wait (no sleeps). */
typedef struct mkc_queue mkc_queue;

mkc_queue *mkc_queue_new(void);
void mkc_queue_free(mkc_queue *q);
/* Copies data. Returns MKC_OK or MKC_ENOMEM. */
int mkc_queue_push(mkc_queue *q, int kind, const char *data, size_t len);
/* Pops the oldest item, waiting up to timeout_ms. Returns MKC_OK with
 * *data (caller frees) or MKC_ETIMEOUT. */
int mkc_queue_pop(mkc_queue *q, int timeout_ms, int *kind, char **data, size_t *len);
size_t mkc_queue_size(mkc_queue *q);

#ifdef __cplusplus
}
#endif

#endif /* MOCKKIT_CLIENT_H */
