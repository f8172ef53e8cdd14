/* bee_internal.h: what the Bee profile's files share (mocks/server/bee*.c).
 * bee.c runs Bee's checks; bee_coerce.c is AJV's type coercion; bee_ajv.c
 * words a refusal as AJV and Fastify do. */
#ifndef MOCKKIT_BEE_INTERNAL_H
#define MOCKKIT_BEE_INTERNAL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "mock_internal.h"
#include "mockkit/model.h"

/* Is v of JSON Schema type t ("integer": a whole number)? */
int mk__bee_is_type(const char *t, const cJSON *v);

/* Takes v and returns what AJV (coerceTypes "array") validates in its place
 * against $defs/type_name (maybe v itself). */
cJSON *mk__bee_coerce(const cJSON *defs, const char *type_name, cJSON *v);

/* The 400 text (var: "body" or "querystring") for v, which the validator
 * refused as $defs/type_name: 0, or -1 when this walk cannot tell. */
int mk__bee_ajv_text(const cJSON *defs, const char *type_name, const char *var, const cJSON *v,
                     char *out, size_t size);
/* Does v pass schema as far as this walk knows AJV's keywords: 1, 0, or -1
 * when the schema holds a keyword it does not know. */
int mk__bee_ajv_passes(const cJSON *defs, const cJSON *schema, const cJSON *v);
/* The validator's own first error in AJV's words (the fallback). */
void mk__bee_ajv_from_error(const char *var, mk_model_error *e, char *out, size_t size);

#endif
