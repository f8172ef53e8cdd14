/* call.c: see call.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "call.h"
#include "internal.h"
#include "mockkit/cassette.h" /* mk_json_parse_bounded_at */

int mkc__content_type_is(const mkc_response *r, const char *type)
{
    const char *ct = r->content_type ? r->content_type : mkc_response_header(r, "content-type");
    if (!ct)
        return 0;
    while (*ct == ' ')
        ct++;
    if (strncasecmp(ct, type, strlen(type)) == 0)
        return 1;
    /* application/vnd.x+json counts as JSON, as the SDKs' deserializers say. */
    if (strcmp(type, "application/json") == 0) {
        const char *semi = strchr(ct, ';');
        size_t n = semi ? (size_t)(semi - ct) : strlen(ct);
        return n >= 5 && strncasecmp(ct + n - 5, "+json", 5) == 0;
    }
    return 0;
}

/* err for an answer that was not expected: status, URL, the body kept. */
static int http_error(const mkc__call *c, const char *url, const mkc_response *r, mkc_error *err)
{
    if (!err)
        return MKC_EHTTP;
    mkc_error_set(err, MKC_EHTTP, url, "%s %s: HTTP %ld: %.300s", c->method, url, r->status,
                  r->body ? r->body : "");
    err->http_status = r->status;
    free(err->body);
    err->body = malloc(r->body_len + 1);
    err->body_len = 0;
    if (err->body) {
        if (r->body_len)
            memcpy(err->body, r->body, r->body_len);
        err->body[r->body_len] = '\0';
        err->body_len = r->body_len;
    }
    if (c->describe)
        c->describe(c, err);
    return MKC_EHTTP;
}

int mkc__call_json(mkc_http *h, const mkc__call *c, mkc_response **resp, cJSON **json,
                   mkc_error *err)
{
    if (resp)
        *resp = NULL;
    if (json)
        *json = NULL;
    mkc_error_clear(err);
    if (!h || !c || !c->method || !c->path)
        return mkc_error_set(err, MKC_EINVAL, NULL, "%s: request without a handle, method or path",
                             c && c->service ? c->service : "client");
    const char *svc = c->service ? c->service : "client";
    char url[1024];
    mkc__join_url(mkc__http_base(h), c->path, url, sizeof url);
    mkc_response *r = NULL;
    int rc = mkc_http_request(h, c->method, c->path, c->headers, c->content_type, c->body,
                              c->body_len, &r, err);
    if (rc != MKC_OK) {
        mkc_response_free(r);
        if (err && !err->url[0])
            snprintf(err->url, sizeof err->url, "%.*s", (int)sizeof err->url - 1, url);
        return rc;
    }
    int ok = c->expect ? r->status == c->expect : r->status >= 200 && r->status <= 299;
    if (!ok) {
        rc = http_error(c, url, r, err);
    } else if (c->json_type && !mkc__content_type_is(r, c->json_type)) {
        rc = mkc_error_set(err, MKC_ECONTENT_TYPE, url, "%s: %s %s: expected %s, got %s", svc,
                           c->method, url, c->json_type,
                           r->content_type ? r->content_type : "no content type");
    } else if (json) {
        /* Bounded: a hostile answer nested thousands deep must not take the
         * caller's stack with cJSON's recursion (mockkit/cassette.h). */
        int too_deep = 0;
        size_t stop = 0;
        *json = mk_json_parse_bounded_at(r->body, r->body_len, 0, &too_deep, &stop);
        if (!*json && too_deep)
            rc = mkc_error_set(err, MKC_EJSON, url,
                               "%s: %s %s: HTTP %ld body nests deeper than %d levels", svc,
                               c->method, url, r->status, MK_JSON_MAX_DEPTH);
        else if (!*json)
            rc = mkc_error_set(err, MKC_EJSON, url,
                               "%s: %s %s: HTTP %ld body is not JSON (at byte %zu of %zu)", svc,
                               c->method, url, r->status, stop, r->body_len);
        else if (c->json_object && !cJSON_IsObject(*json))
            rc = mkc_error_set(err, MKC_EJSON, url, "%s: %s %s: HTTP %ld body is not a JSON object",
                               svc, c->method, url, r->status);
        if (rc != MKC_OK) {
            cJSON_Delete(*json);
            *json = NULL;
        }
    }
    if (rc == MKC_OK && resp)
        *resp = r;
    else
        mkc_response_free(r);
    return rc;
}
