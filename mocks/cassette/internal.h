/* internal.h: what the cassette files share and lint uses; not public API.
 *
 * Internal non-static names are prefixed mk_cas__. The validator and the
 * secret scanner report every problem through a callback, so lint can print
 * all of them while the public functions keep only the first.
 */
#ifndef MOCKKIT_CASSETTE_INTERNAL_H
#define MOCKKIT_CASSETTE_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "mockkit/cassette.h"

/* An RFC 6901 JSON pointer built while walking a document. */
typedef struct mk_cas_ptr {
    char buf[256];
    size_t len;
} mk_cas_ptr;

/* Append "/key" (escaping ~ and /) or "/index"; returns the old length
 * for mk_cas__ptr_pop. Too long pointers are cut, never overflowed. */
size_t mk_cas__ptr_key(mk_cas_ptr *p, const char *key);
size_t mk_cas__ptr_index(mk_cas_ptr *p, size_t index);
void mk_cas__ptr_pop(mk_cas_ptr *p, size_t old_len);

/* Called once per problem: pointer into the document, and what is wrong. */
typedef void (*mk_cas_issue_fn)(void *ctx, const char *pointer, const char *message);

/* Check root against the cassette schema and the rules beyond it; calls fn
 * for every problem. Returns the number of problems. */
size_t mk_cas__validate(const cJSON *root, mk_cas_issue_fn fn, void *ctx);

/* Scan root for secrets; calls fn for every finding. Returns the count. */
size_t mk_cas__scan(const cJSON *root, mk_cas_issue_fn fn, void *ctx);

/* Collects the first issue into a diag (ctx is the mk_diag). */
void mk_cas__first_issue(void *ctx, const char *pointer, const char *message);

/* Fill diag (if not NULL) from a format. Returns status, for tail calls. */
int mk_cas__diag(mk_diag *d, int status, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reset diag and record the file name. */
void mk_cas__diag_init(mk_diag *d, const char *file);

/* Describe a JSON value for messages: "\"200\"", "1.5", "an object", ... */
const char *mk_cas__describe(const cJSON *v, char *buf, size_t size);

/* Parse text as JSON. On failure returns NULL, sets *status (if not NULL)
 * to MK_CASSETTE_ESYNTAX (diag has line, column and byte offset) or
 * MK_CASSETTE_ENOMEM. */
cJSON *mk_cas__parse_text(const char *text, size_t len, const char *name, mk_diag *diag,
                          int *status);

/* Read a whole file into *text (NUL-terminated one past *len; caller
 * frees). Returns MK_CASSETTE_OK, EIO or ENOMEM (diag filled). */
int mk_cas__read_file(const char *path, char **text, size_t *len, mk_diag *diag);

/* Base64 (RFC 4648, standard alphabet, '=' padding optional). The one
 * codec of the kit: CivetWeb 1.15's public header has none.
 * decode: returns 0 and a malloc'd buffer NUL-terminated one past *out_len,
 * or -1 with the offending byte offset in *bad_at (may be NULL). */
int mk_cas__base64_decode(const char *in, size_t in_len, unsigned char **out,
                          size_t *out_len, size_t *bad_at);
/* encode: malloc'd NUL-terminated string, NULL on allocation failure. */
char *mk_cas__base64_encode(const unsigned char *in, size_t len);

/* Fill out from the body keys of obj (already validated): the exact wire
 * bytes, NUL-terminated one past len. Returns MK_CASSETTE_OK or ENOMEM;
 * out is always safe to pass to mk_cas__body_free. */
int mk_cas__body_from(const cJSON *obj, mk_body *out);
void mk_cas__body_free(mk_body *b);

#endif
