/* conform.h: check every payload of a cassette against a service model.
 *
 * Payloads: request bodies, response bodies, each SSE event's data (a
 * text/event-stream response is parsed the WHATWG way), and websocket text
 * and binary frames in both directions. An empty body is not a payload.
 * Used by the conformance gate (suites/conformance), `mockkit lint --service`
 * and `mockkit check --target live`.
 *
 * Prefix: mk_conform_. Links mockkit_model, mockkit_cassette and the client
 * core's SSE parser.
 */
#ifndef MOCKKIT_CONFORM_H
#define MOCKKIT_CONFORM_H

#include <stddef.h>

#include "mockkit/cassette.h"
#include "mockkit/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One payload and its verdict. Pointers are valid during the callback. */
typedef struct mk_conform_finding {
    const char *file;          /* cassette path */
    const mk_interaction *ix;  /* the interaction */
    char where[320];           /* JSON pointer into the cassette, plus the SSE event
                                  number and name for stream events */
    mk_model_payload payload;  /* what it is (method, path, status, event) */
    int status;                /* mk_model_status: OK, SKIPPED, INVALID, UNBOUND, ENOTJSON */
    const char *type;          /* bound "#/$defs/X", NULL when unbound or skipped */
    const cJSON *value;        /* the parsed payload when it was validated */
    mk_model_error error;      /* for INVALID, UNBOUND, ENOTJSON */
} mk_conform_finding;

typedef void (*mk_conform_fn)(void *ctx, const mk_conform_finding *f);

typedef struct mk_conform_counts {
    size_t checked;   /* validated and conforming */
    size_t invalid;   /* validated and breaking the model, or not JSON */
    size_t unbound;   /* no binding: not checked, and that is a failure */
    size_t skipped;   /* bound to null: not checked on purpose */
} mk_conform_counts;

/* Check every payload of c; fn (may be NULL) sees each one. counts are
 * added to (not reset). Returns the number of failures (invalid + unbound)
 * found in c, or -1 on out of memory. */
long mk_conform_cassette(const mk_model *m, const mk_cassette *c, mk_conform_fn fn, void *ctx,
                         mk_conform_counts *counts);

/* One payload given as bytes (a live response, an SSE stream): the same
 * rules. For MK_MODEL_RESPONSE with an SSE stream use mk_conform_sse. */
int mk_conform_bytes(const mk_model *m, const mk_model_payload *p, const char *text, size_t len,
                     mk_conform_fn fn, void *ctx, mk_conform_counts *counts);

/* Every event of a whole text/event-stream body. Returns failures, or -1. */
long mk_conform_sse(const mk_model *m, const char *method, const char *path, int status,
                    const void *stream, size_t len, mk_conform_fn fn, void *ctx,
                    mk_conform_counts *counts);

#ifdef __cplusplus
}
#endif

#endif /* MOCKKIT_CONFORM_H */
