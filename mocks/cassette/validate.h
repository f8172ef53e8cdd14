/* validate.h: helpers shared by validate.c (document, meta, references) and
 * validate_ix.c (interactions). Each check reports at the current pointer
 * and keeps going, so lint sees every problem in one run. */
#ifndef MOCKKIT_CASSETTE_VALIDATE_H
#define MOCKKIT_CASSETTE_VALIDATE_H

#include <stdint.h>

#include "internal.h"

typedef struct mk_cas_vctx {
    mk_cas_ptr ptr;
    mk_cas_issue_fn fn;
    void *ctx;
    size_t count;
} mk_cas_vctx;

#define MK_CAS_AT_MS_MAX 9007199254740992.0 /* 2^53: exact in a double */

/* Report a problem at the current pointer. */
void mk_cas__issue(mk_cas_vctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Report a problem at pointer + "/key". */
void mk_cas__issue_at(mk_cas_vctx *v, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reject members of obj not in allowed (NULL-terminated) and duplicates. */
void mk_cas__check_keys(mk_cas_vctx *v, const cJSON *obj, const char *const *allowed);

/* The member named key, or NULL (reported when required). */
const cJSON *mk_cas__member(mk_cas_vctx *v, const cJSON *obj, const char *key, int required);

/* Integer member in [lo, hi]: returns 1 and sets *out when valid. what
 * names the range in messages ("an integer 100-599"). */
int mk_cas__want_int(mk_cas_vctx *v, const cJSON *obj, const char *key, int required,
                     double lo, double hi, const char *what, int64_t *out);

/* String member (non-empty when nonempty): returns it or NULL. */
const char *mk_cas__want_string(mk_cas_vctx *v, const cJSON *obj, const char *key,
                                int required, int nonempty);

/* String member that is one of values (NULL-terminated). */
const char *mk_cas__want_enum(mk_cas_vctx *v, const cJSON *obj, const char *key,
                              int required, const char *const *values);

/* Body keys json/text/base64 of obj: at most one, text a string, base64
 * decodable. */
void mk_cas__check_body(mk_cas_vctx *v, const cJSON *obj);

/* 1 when obj has any of json/text/base64. */
int mk_cas__has_body(const cJSON *obj);

/* One interaction (pointer at /interactions/i); *prev_at is the previous
 * interaction's at_ms, updated when this one's is valid. */
void mk_cas__check_interaction(mk_cas_vctx *v, const cJSON *ix, int64_t *prev_at);

#endif
