/* call.h: "send the request, check the status, parse the JSON, build the
 * service's error", said once for the four service clients (private to the
 * client; reached through a PRIVATE include directory). Prefix mkc__. */
#ifndef MOCKKIT_CLIENT_CALL_H
#define MOCKKIT_CLIENT_CALL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "mockkit/client.h"

typedef struct mkc__call mkc__call;

/* Fills err->message for an answer the call did not expect; err already has
 * code MKC_EHTTP, http_status, url and the body. */
typedef void (*mkc__describe_fn)(const mkc__call *call, mkc_error *err);

struct mkc__call {
    const char *service;           /* "bee": starts the messages the helper writes */
    const char *method;
    const char *path;              /* appended to the handle's base URL */
    const char *const *headers;    /* extra "name: value" lines, NULL-terminated, or NULL */
    const char *content_type;      /* of body */
    const void *body;
    size_t body_len;
    long expect;                   /* 0: any 2xx; else exactly this status */
    const char *json_type;         /* the answer must have this media type ("application/json",
                                      which +json types satisfy), or NULL: any */
    int json_object;               /* 1: the JSON must be an object */
    mkc__describe_fn describe;     /* NULL: "METHOD URL: HTTP n: body" */
};

/* Run c on h. err is cleared first. resp (optional) receives the response
 * on success (caller frees: headers, cookies); json (optional) the parsed
 * body (caller frees). Returns MKC_OK; the transport's status (err names
 * the URL); MKC_EHTTP (described); MKC_ECONTENT_TYPE; MKC_EJSON, with the
 * byte where parsing stopped; MKC_EINVAL. */
int mkc__call_json(mkc_http *h, const mkc__call *c, mkc_response **resp, cJSON **json,
                   mkc_error *err);

/* 1 when r's media type is type (case-insensitive, parameters ignored;
 * "application/json" also accepts application/<x>+json). */
int mkc__content_type_is(const mkc_response *r, const char *type);

#endif /* MOCKKIT_CLIENT_CALL_H */
