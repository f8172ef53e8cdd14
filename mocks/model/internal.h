/* internal.h: what the model files share; not public API.
 * Internal non-static names are prefixed mk_mdl__. */
#ifndef MOCKKIT_MODEL_INTERNAL_H
#define MOCKKIT_MODEL_INTERNAL_H

#include <regex.h>
#include <stdarg.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "mockkit/model.h"

/* A compiled "pattern", found by the schema node that holds it. */
typedef struct mk_mdl_pattern {
    const cJSON *node;
    regex_t re;
} mk_mdl_pattern;

struct mk_model {
    char *name;              /* file name, for messages */
    cJSON *doc;              /* owned copy of the model document */
    const char *service;
    const cJSON *defs;       /* "$defs" */
    const cJSON *bindings;   /* "bindings" (array) */
    mk_mdl_pattern *patterns;
    size_t pattern_count;
    size_t pattern_cap;
};

/* An RFC 6901 pointer built while walking; too long pointers are cut. */
typedef struct mk_mdl_ptr {
    char buf[256];
    size_t len;
} mk_mdl_ptr;

size_t mk_mdl__ptr_key(mk_mdl_ptr *p, const char *key);
size_t mk_mdl__ptr_index(mk_mdl_ptr *p, size_t index);
void mk_mdl__ptr_pop(mk_mdl_ptr *p, size_t old_len);

/* Fill err (if not NULL). Returns status, for tail calls. */
int mk_mdl__err(mk_model_error *err, int status, const char *pointer, const char *keyword,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Check every schema and binding of m->doc; compiles patterns into m.
 * Returns MK_MODEL_OK, MK_MODEL_EMODEL or MK_MODEL_ENOMEM. */
int mk_mdl__check_model(mk_model *m, mk_model_error *err);

/* The $defs entry a local "#/$defs/Name" reference names, or NULL. */
const cJSON *mk_mdl__resolve(const mk_model *m, const char *ref, const char **name);

/* Validate instance against schema (a $defs entry named type_name). */
int mk_mdl__validate(const mk_model *m, const cJSON *schema, const char *type_name,
                     const cJSON *instance, mk_model_error *err);

/* Describe a JSON value's type for messages: "string", "integer", ... */
const char *mk_mdl__json_type(const cJSON *v);

#endif /* MOCKKIT_MODEL_INTERNAL_H */
