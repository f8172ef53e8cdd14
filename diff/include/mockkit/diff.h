/* diff.h: structural comparison of two cassettes (drift detection).
 *
 * Two recordings of the same flow differ in ids, timestamps and generated
 * text; what matters is whether the API changed: endpoints, statuses, JSON
 * field shapes, enum-like values (object, type, status, role, ...), the
 * order of SSE event names, websocket message kinds, and timing beyond a
 * threshold. Endpoints are keyed by method and a path template in which
 * segments that look like ids (digits, uuids, hex, prefixed ids such as
 * thread_6740a1...) become {id}; interactions of one endpoint are paired
 * in file order.
 *
 * Prefix: mk_diff_. Ownership: mk_diff_result from mk_diff_* is freed with
 * mk_diff_result_free (NULL ok).
 */
#ifndef MOCKKIT_DIFF_H
#define MOCKKIT_DIFF_H

#include <stddef.h>

#include "mockkit/cassette.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mk_diff_kind {
    MK_DIFF_ENDPOINT_ADDED = 0,  /* in B only */
    MK_DIFF_ENDPOINT_REMOVED,    /* in A only */
    MK_DIFF_STATUS,              /* HTTP status changed */
    MK_DIFF_FIELD_ADDED,         /* JSON field in B only */
    MK_DIFF_FIELD_REMOVED,       /* JSON field in A only */
    MK_DIFF_FIELD_TYPE,          /* JSON field changed type */
    MK_DIFF_VALUE,               /* enum-like value changed (object, status, ...) */
    MK_DIFF_SSE_EVENTS,          /* SSE event names or their order changed */
    MK_DIFF_WS_MESSAGES,         /* websocket message kinds changed */
    MK_DIFF_TIMING,              /* latency or stream duration beyond the threshold */
    MK_DIFF_COUNT,               /* reserved: call counts vary with polling, not reported */
    MK_DIFF_KIND_COUNT_
} mk_diff_kind;

const char *mk_diff_kind_name(mk_diff_kind kind); /* "endpoint-added", ... */

typedef struct mk_diff_finding {
    mk_diff_kind kind;
    char endpoint[300];   /* "POST /v1/threads/{id}/runs" */
    char where[256];      /* JSON path ("/data/[]/status"), event, or "" */
    char message[600];    /* what changed, with both sides */
} mk_diff_finding;

typedef struct mk_diff_result {
    mk_diff_finding *items;
    size_t count;
    size_t endpoints_a, endpoints_b;  /* distinct endpoints compared */
} mk_diff_result;

void mk_diff_result_free(mk_diff_result *r);

typedef struct mk_diff_options {
    /* JSON pointers ("/usage/total_tokens", "[]" for any array element) or
     * bare key names ("system_fingerprint") to leave out of the comparison. */
    const char *const *ignore;
    size_t ignore_count;
    double timing_threshold_pct;  /* 0 = 50 (%) */
    long timing_min_ms;           /* differences below this never count; 0 = 50 */
    int no_default_ignores;       /* 1: compare volatile keys' shapes too */
} mk_diff_options;

void mk_diff_options_init(mk_diff_options *o);

/* Compare two loaded cassettes. Returns MK_CASSETTE_OK or ENOMEM. */
int mk_diff_cassettes(const mk_cassette *a, const mk_cassette *b, const mk_diff_options *o,
                      mk_diff_result **out);

/* Load both files (lint-style diag on failure: MK_CASSETTE_E*) and compare. */
int mk_diff_files(const char *path_a, const char *path_b, const mk_diff_options *o,
                  mk_diff_result **out, mk_diag *diag);

/* One line: "status-changed  GET /v1/x: 200 -> 404". */
const char *mk_diff_format(const mk_diff_finding *f, char *buf, size_t size);

/* The endpoint key of a request path: ids become {id}. */
const char *mk_diff_path_template(const char *path, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* MOCKKIT_DIFF_H */
