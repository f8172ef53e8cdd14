/* internal.h: helpers shared by the client core's files (mkc__ prefix). */
#ifndef MOCKKIT_CLIENT_INTERNAL_H
#define MOCKKIT_CLIENT_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>

#include <curl/curl.h>

#include "buf.h"  /* mkc__buf, from mockkit_sse (client/sse) */
#include "kit.h"  /* mkc__strdup, monotonic deadlines */
#include "mockkit/client.h"

/* Map a CURLcode to an mkc_status. */
int mkc__curl_status(CURLcode c);

/* curl_global_init, once per process. */
void mkc__curl_global_init(void);

/* TLS (tls.c): apply t to an easy handle; 1 if c is a TLS failure; fill err
 * from a failed transfer (TLS reason, or the generic mapping) and return
 * its mkc_status. */
void mkc__tls_apply(CURL *c, const mkc_tls *t);
int mkc__curl_is_tls(CURLcode c);
int mkc__curl_fail(mkc_error *err, CURLcode cc, const char *errbuf, const char *url);

/* The handle's error buffer (CURLOPT_ERRORBUFFER) of the last transfer. */
const char *mkc__http_errbuf(mkc_http *h);

/* The handle's base URL. */
const char *mkc__http_base(const mkc_http *h);

/* The connection's easy handle, prepared for url with default headers,
 * cookies and extra headers applied; *list receives the header list the
 * caller frees with curl_slist_free_all after the transfer. */
CURL *mkc__http_prepare(mkc_http *h, const char *method, const char *path,
                        const char *const *extra_headers, const char *content_type,
                        const void *body, size_t body_len, struct curl_slist **list,
                        char *url_out, size_t url_size);

/* Join base and path ("http://h/v1" + "/x" → "http://h/v1/x"); an absolute
 * path (with "://") is used as is. */
void mkc__join_url(const char *base, const char *path, char *out, size_t size);

/* Collects response header lines into r (header callback). */
size_t mkc__header_cb(char *data, size_t size, size_t n, void *user);

/* Case-insensitive header name check: "Name: value" line starts with name. */
const char *mkc__header_value(const char *line, const char *name);

#endif
