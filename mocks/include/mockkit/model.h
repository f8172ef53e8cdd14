/* model.h: service models: the upstream types of a service, and which
 * payload (request body, response body, SSE event data, websocket frame) is
 * which type. docs/models.md describes the file format (models/<service>.json,
 * a JSON Schema subset plus bindings).
 *
 * Prefix: mk_model_. Ownership: an mk_model owns everything it hands out
 * (type names, sources); those pointers stay valid until mk_model_free.
 * Built on cJSON only; never aborts; recursion is bounded (MK_MODEL_MAX_DEPTH)
 * for both hostile models and hostile instances.
 */
#ifndef MOCKKIT_MODEL_H
#define MOCKKIT_MODEL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Nesting bound: schema nesting plus $ref hops while validating, and
 * instance nesting. Deeper is reported (keyword "depth"), never recursed. */
#define MK_MODEL_MAX_DEPTH 128

/* Results. Append only. */
typedef enum mk_model_status {
    MK_MODEL_OK = 0,          /* the value conforms */
    MK_MODEL_SKIPPED = 1,     /* the binding maps this payload to null: not checked */
    MK_MODEL_INVALID = -1,    /* the value breaks the model: error says where */
    MK_MODEL_UNBOUND = -2,    /* no binding covers this payload */
    MK_MODEL_EMODEL = -3,     /* the model itself is broken (load or unknown type) */
    MK_MODEL_EIO = -4,        /* model file unreadable */
    MK_MODEL_ENOMEM = -5,
    MK_MODEL_EINVAL = -6,     /* bad argument */
    MK_MODEL_ENOTJSON = -7    /* the payload should be JSON and is not */
} mk_model_status;

const char *mk_model_strerror(int status);

/* What went wrong and where. For an instance error: pointer into the
 * instance, the failing keyword, the model type being checked and its
 * x-source. For a model error: pointer into the model file. */
typedef struct mk_model_error {
    char pointer[256];   /* RFC 6901, "" = the whole value */
    char keyword[24];    /* "type", "required", "additionalProperties", "depth", ... */
    char type[96];       /* nearest $defs name, e.g. "Format"; "" when none */
    char source[256];    /* that type's x-source; "" when none */
    char message[384];
} mk_model_error;

/* One line: "<pointer>: <message> [keyword; Type (x-source)]". */
const char *mk_model_error_format(const mk_model_error *e, char *buf, size_t size);

typedef struct mk_model mk_model;

/* Load and check a model file (unknown keywords, dangling $ref, bad
 * patterns and bindings are model errors). *out is NULL on failure. */
int mk_model_new(const char *path, mk_model **out, mk_model_error *err);
/* Same from a parsed document (copied; doc stays the caller's). name is
 * used in messages. */
int mk_model_new_json(const cJSON *doc, const char *name, mk_model **out, mk_model_error *err);
void mk_model_free(mk_model *m);

const char *mk_model_service(const mk_model *m);

/* Validate instance against "#/$defs/<type>" (type may be given with or
 * without the "#/$defs/" prefix). */
int mk_model_validate_type(const mk_model *m, const char *type, const cJSON *instance,
                           mk_model_error *err);

/* The validator's multipleOf: 1 when x / m is whole in double precision, as
 * AJV 8 tests it (no tolerance: 0.57 is not a multiple of 0.01), else 0. */
int mk_model_multiple_of(double x, double m);

/* Which payload of a session. */
typedef enum mk_model_part {
    MK_MODEL_REQUEST = 0,    /* request body of method+path */
    MK_MODEL_RESPONSE,       /* response body of method+path with status */
    MK_MODEL_SSE,            /* data of SSE event `event` on method+path */
    MK_MODEL_WS_CLIENT,      /* websocket text frame from the client on path */
    MK_MODEL_WS_SERVER       /* websocket text frame from the server on path */
} mk_model_part;

typedef struct mk_model_payload {
    mk_model_part part;
    const char *method;      /* ignored for websockets */
    const char *path;        /* wire path without query */
    int status;              /* MK_MODEL_RESPONSE and MK_MODEL_SSE */
    const char *event;       /* MK_MODEL_SSE: event name; NULL = "message" */
} mk_model_payload;

/* The type bound to a payload: MK_MODEL_OK with *type set (a "#/$defs/X"
 * string owned by m), MK_MODEL_SKIPPED (bound to null), or MK_MODEL_UNBOUND
 * (err says which binding part is missing). */
int mk_model_lookup(const mk_model *m, const mk_model_payload *p, const char **type,
                    mk_model_error *err);

/* The binding that covers p (whatever it maps p to): its path template
 * (e.g. "/asset/{asset}") and its "note" (NULL when none), owned by m.
 * Returns MK_MODEL_OK or MK_MODEL_UNBOUND. */
int mk_model_binding(const mk_model *m, const mk_model_payload *p, const char **path_template,
                     const char **note);

/* Look the payload up and validate it. text/len are the payload bytes; they
 * are parsed as JSON unless the binding maps them to null. For SSE, the data
 * `[DONE]` is accepted where the binding's sse map has the key "[DONE]". */
int mk_model_check(const mk_model *m, const mk_model_payload *p, const char *text, size_t len,
                   mk_model_error *err);

/* Same with an already parsed value (no "[DONE]" handling). */
int mk_model_check_json(const mk_model *m, const mk_model_payload *p, const cJSON *value,
                        mk_model_error *err);

#ifdef __cplusplus
}
#endif

#endif /* MOCKKIT_MODEL_H */
