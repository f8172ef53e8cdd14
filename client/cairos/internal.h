/* internal.h: what the files of the cairos client share (not installed). */
#ifndef MOCKKIT_CAIROS_INTERNAL_H
#define MOCKKIT_CAIROS_INTERNAL_H

#include "kit.h"  /* mkc__strdup, monotonic deadlines */
#include "mockkit/cairos.h"

struct mk_cairos {
    char *base_url;   /* no trailing slash, includes /api */
    mkc_http *http;   /* default headers: Authorization; cookie: token + session */
    char *token;
    char *session;
    char *cookie;     /* the Cookie header value sent on every request */
};


/* Duplicate a string member of obj into *dst. Missing or null: *dst NULL,
 * an error only when required. Not a string: MKC_EJSON naming where.key. */
int mk_cairos__str(const cJSON *obj, const char *key, int required, char **dst,
                   const char *where, mkc_error *err);

/* models.c: typed parses (fill *out; on failure nothing is left to free). */
int mk_cairos__thread_from_json(const cJSON *j, mk_cairos_thread *t, mkc_error *err);
int mk_cairos__avatar_from_json(const cJSON *j, mk_cairos_avatar *a, mkc_error *err);
/* Takes ownership of j, also on failure. */
int mk_cairos__chat_output_from_json(cJSON *j, mk_cairos_chat_output **out, mkc_error *err);

#endif
