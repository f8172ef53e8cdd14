/* diff_internal.h: what the diff files share; not public API. Internal
 * non-static names are prefixed mk_diff__. */
#ifndef MOCKKIT_DIFF_INTERNAL_H
#define MOCKKIT_DIFF_INTERNAL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "mockkit/diff.h"

/* ---- JSON shapes (shape.c) ---------------------------------------------- */

enum {
    MK_T_NULL = 1, MK_T_BOOL = 2, MK_T_NUMBER = 4, MK_T_STRING = 8,
    MK_T_OBJECT = 16, MK_T_ARRAY = 32
};

typedef struct mk_shape_entry {
    char *path;        /* "/choices/[]/message/role" */
    unsigned types;    /* MK_T_* seen at this path */
    char *values;      /* enum-like keys: sorted distinct values, "a|b"; else NULL */
} mk_shape_entry;

typedef struct mk_shape {
    mk_shape_entry *items;
    size_t count, cap;
} mk_shape;

void mk_diff__shape_free(mk_shape *s);
/* Merge the shape of v (rooted at prefix) into s. */
int mk_diff__shape_add(mk_shape *s, const cJSON *v, const char *prefix, const mk_diff_options *o);
const mk_shape_entry *mk_diff__shape_get(const mk_shape *s, const char *path);
/* "object", "string|null", ... */
const char *mk_diff__types_name(unsigned types, char *buf, size_t size);
/* 1 when key (or pointer) is left out of comparisons. */
int mk_diff__ignored(const mk_diff_options *o, const char *pointer, const char *key);
/* 1 when a path segment or object key looks like an id. */
int mk_diff__looks_like_id(const char *s);

/* ---- streams (events.c) ------------------------------------------------- */

/* SSE event names of a streamed response, consecutive repeats folded into
 * "name+", joined by ", " (caller frees); the data of JSON events is merged
 * into shape under "event:<name>". NULL on ENOMEM. */
char *mk_diff__sse_events(const mk_response *r, mk_shape *shape, const mk_diff_options *o);
/* Add the kinds of the frames ("server text {a,b}") to a sorted set. */
int mk_diff__ws_kinds(const mk_interaction *ix, char ***set, size_t *count);

#endif
