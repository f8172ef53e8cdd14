/* sse.h: the mockkit SSE push parser (library mockkit_sse): bytes in,
 * WHATWG events out, no I/O and no dependency but libc, so the client core,
 * the recorder, the diff, the conformance walker and the benchmark share one
 * parser without linking libcurl or CivetWeb.
 *
 * Prefix: mkc_ (the client kit's). It also holds the kit's status codes
 * (mkc_status), which the parser returns and mockkit/client.h, which
 * includes this header, uses for everything else.
 */
#ifndef MOCKKIT_SSE_H
#define MOCKKIT_SSE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- status codes (the whole client kit) ------------------------------ */

/* Append only; never renumber. */
#define MKC_STATUS_MAP(X)                                                     \
    X(OK, 0, "success")                                                       \
    X(ECONNECT, -1, "could not connect (refused, unreachable or DNS)")        \
    X(ETIMEOUT, -2, "timed out")                                              \
    X(EHTTP, -3, "server answered with an HTTP error status")                 \
    X(ECONTENT_TYPE, -4, "unexpected content type")                           \
    X(ETRUNCATED, -5, "stream ended in the middle of an event or message")    \
    X(EPROTOCOL, -6, "malformed response")                                    \
    X(EJSON, -7, "response is not the JSON expected")                         \
    X(EINVAL, -8, "invalid argument")                                         \
    X(ENOMEM, -9, "out of memory")                                            \
    X(ECLOSED, -10, "connection closed")                                      \
    X(EABORTED, -11, "stopped by the caller")                                 \
    X(ETRANSPORT, -12, "transport error")                                     \
    X(ETOOBIG, -13, "line or event exceeds the size limit")                  \
    X(ETLS, -14, "TLS failed (untrusted, mismatched or expired certificate, or handshake)")

typedef enum mkc_status {
#define MKC_ENUM_(name, value, text) MKC_##name = value,
    MKC_STATUS_MAP(MKC_ENUM_)
#undef MKC_ENUM_
} mkc_status;

const char *mkc_strerror(int status);  /* "could not connect ..." */
const char *mkc_errname(int status);   /* "MKC_ECONNECT" */

/* ---- SSE parser (no I/O) -------------------------------------------------
 * Push bytes in any split; events come out through the callback exactly as
 * the WHATWG rules say: LF, CR and CRLF line ends (also across pushes), BOM
 * at stream start only, comments, event/data/id/retry, multi-line data joined
 * with LF, one leading space stripped, id with NUL ignored, dispatch on blank
 * line, partial event dropped at end. NUL bytes in data are kept. */

typedef struct mkc_sse_event {
    const char *type;      /* "message" when no event field */
    size_t type_len;
    const char *data;      /* NUL-terminated, but may contain NUL: use data_len */
    size_t data_len;
    const char *id;        /* last event id (persists across events) */
    size_t id_len;
} mkc_sse_event;

/* Return 0 to go on, nonzero to stop (mkc_sse_parser_feed returns MKC_EABORTED).
 * The event's pointers are valid only during the call. */
typedef int (*mkc_sse_event_cb)(void *user, const mkc_sse_event *ev);
/* Optional: comments (without the colon), e.g. sse-starlette pings. */
typedef void (*mkc_sse_comment_cb)(void *user, const char *text, size_t len);

typedef struct mkc_sse_parser mkc_sse_parser;

mkc_sse_parser *mkc_sse_parser_new(mkc_sse_event_cb on_event,
                                   mkc_sse_comment_cb on_comment, void *user);
void mkc_sse_parser_free(mkc_sse_parser *p);
/* Lines and events longer than this fail with MKC_ETOOBIG (default 16 MiB). */
void mkc_sse_parser_set_limit(mkc_sse_parser *p, size_t max_bytes);
/* Feed bytes. Errors are sticky until mkc_sse_parser_reset. */
int mkc_sse_parser_feed(mkc_sse_parser *p, const void *buf, size_t len);
/* End of stream: drops a partial event. Returns MKC_ETRUNCATED if one was
 * dropped (a line or data had started), else MKC_OK. */
int mkc_sse_parser_finish(mkc_sse_parser *p);
/* New stream (BOM allowed again); keeps the last event id, as a reconnect does. */
void mkc_sse_parser_reset(mkc_sse_parser *p);
const char *mkc_sse_parser_last_id(const mkc_sse_parser *p, size_t *len);
/* Last valid retry: value, or -1 if none seen. */
long mkc_sse_parser_retry(const mkc_sse_parser *p);
/* Bytes consumed so far in this stream (for error positions). */
uint64_t mkc_sse_parser_offset(const mkc_sse_parser *p);

#ifdef __cplusplus
}
#endif

#endif /* MOCKKIT_SSE_H */
