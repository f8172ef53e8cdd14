/* core_util.h: libcurl test clients for the core suites (no mockkit_client:
 * these suites test the engine with independent clients). */
#ifndef MOCKKIT_CORE_UTIL_H
#define MOCKKIT_CORE_UTIL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "mockkit/mock.h"

#define CORE_CASSETTES MOCKKIT_SOURCE_DIR "/suites/core/cassettes"

typedef struct cu_resp {
    long status;
    char *headers;   /* raw header block */
    char *body;
    size_t blen;
} cu_resp;

/* One request; headers is a NULL-terminated list of "Name: value" lines
 * (may be NULL); body may be NULL. Returns 0, or -1 on transport error. */
int cu_request(const char *method, const char *url, const char *const *headers, const char *body,
               cu_resp *out);
void cu_resp_free(cu_resp *r);
/* Value of a response header (case-insensitive), copied into buf, or NULL. */
const char *cu_header(const cu_resp *r, const char *name, char *buf, size_t size);

/* A raw chunked response read on its own thread, with transfer decoding
 * off, so every HTTP chunk is seen as sent, stamped on arrival. */
typedef struct cu_chunk {
    char *data;
    size_t len;
    int64_t t_ms;   /* real monotonic ms at arrival */
} cu_chunk;

typedef struct cu_stream {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char method[16];
    char url[512];
    char *body;
    const char *const *headers;
    int64_t t_start;
    cu_chunk chunks[64];
    size_t count;
    int saw_end;     /* the terminating 0-chunk arrived */
    int done;        /* the transfer finished (ok or not) */
    int curl_rc;
    long status;
    /* parser state */
    int plain;       /* 1: not chunked: the whole body collects in chunks[0] */
    size_t abort_after;  /* >0: hang up after this many chunks */
    int state;       /* 0 size line, 1 data, 2 CRLF after data, 3 trailer */
    char line[32];
    size_t line_len;
    size_t want;
    char *cur;
    size_t cur_len;
} cu_stream;

int cu_stream_start(cu_stream *s, const char *method, const char *url, const char *body,
                    const char *const *headers);
/* Same, with options set on s before: call cu_stream_init first. */
void cu_stream_init(cu_stream *s);
int cu_stream_run(cu_stream *s, const char *method, const char *url, const char *body,
                  const char *const *headers);
/* Wait until at least n chunks arrived or the transfer ended (timeout_ms of
 * real time at most). Returns the chunk count. */
size_t cu_stream_wait(cu_stream *s, size_t n, int timeout_ms);
size_t cu_stream_count(cu_stream *s);
/* Join the thread and free. */
void cu_stream_finish(cu_stream *s);

int64_t cu_now_ms(void);

/* Start a mock on an ephemeral port (asserts on failure). */
mk_mock *cu_mock(const char *service, const char *const *paths, size_t n, double speed,
                 mk_clock *clock);

#endif
