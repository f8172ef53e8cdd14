/* cairos_internal.h: the Cairos profile's request-body validation (what
 * FastAPI with pydantic v2 answers), shared by profiles.c, cairos_body.c
 * and pyjson.c. Not public API. */
#ifndef MOCKKIT_CAIROS_INTERNAL_H
#define MOCKKIT_CAIROS_INTERNAL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "mock_internal.h"

/* ---- pyjson.c: CPython json.loads on a request body ------------------- */

#define MK__PYJSON_MAX_DEPTH 512

enum {
    MK__PYJSON_OK = 0,          /* json.loads takes it, and so does cJSON */
    MK__PYJSON_INVALID,         /* JSONDecodeError: msg and pos are set */
    MK__PYJSON_UNDECODABLE,     /* not UTF-8: UnicodeDecodeError */
    MK__PYJSON_OTHER            /* UTF-16/32, NaN/Infinity, very deep: not judged */
};

typedef struct mk__pyjson {
    const char *msg;  /* JSONDecodeError.msg, static */
    size_t pos;       /* JSONDecodeError.pos: characters, not bytes */
    size_t skip;      /* bytes of a leading UTF-8 BOM */
    size_t *spans;    /* owned: (byte offset, length) of each number, in order */
    size_t span_count, span_cap;
} mk__pyjson;

/* Free out->spans afterwards with mk__pyjson_free, whatever it returns. */
int mk__pyjson_check(const unsigned char *body, size_t len, mk__pyjson *out);
void mk__pyjson_free(mk__pyjson *pj);

/* ---- cairos_body.c ----------------------------------------------------- */

/* The body of a Cairos route whose models/cairos.json binding names a
 * request type. Returns 1 when FastAPI answers before validation (*out
 * filled: 422 json_invalid, or 400 for undecodable bytes); else 0, with the
 * body's validation errors appended to detail (none when valid or when the
 * route takes no bound body). -1: out of memory. */
int mk__cairos_body(const mk__req *req, cJSON *detail, mk__reply *out);

/* POST /api/login: the form's missing required fields appended to detail. */
void mk__cairos_login_form(const mk__req *req, cJSON *detail);

/* NULL, or why the embedded models/cairos.json did not load. */
const char *mk__cairos_model_error(void);

#endif /* MOCKKIT_CAIROS_INTERNAL_H */
