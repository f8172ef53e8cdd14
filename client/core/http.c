/* http.c: one reused libcurl easy handle per mkc_http (keep-alive), with
 * default headers and cookies, and responses captured whole. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

struct mkc_http {
    CURL *easy;
    char *base;
    char **defaults;       /* default header lines */
    size_t default_count;
    char *cookie;
    long timeout_ms;
    char *cacert;          /* owned copy of tls.cacert */
    mkc_tls tls;
    char errbuf[CURL_ERROR_SIZE];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

void mkc__curl_global_init(void)
{
    pthread_once(&curl_once, curl_init_once);
}

const char *mkc__http_base(const mkc_http *h)
{
    return h->base;
}

const char *mkc__http_errbuf(mkc_http *h)
{
    return h->errbuf;
}

int mkc__curl_status(CURLcode c)
{
    switch (c) {
    case CURLE_OK: return MKC_OK;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return MKC_ECONNECT;
    case CURLE_OPERATION_TIMEDOUT: return MKC_ETIMEOUT;
    case CURLE_OUT_OF_MEMORY: return MKC_ENOMEM;
    case CURLE_WRITE_ERROR:
    case CURLE_ABORTED_BY_CALLBACK: return MKC_EABORTED;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING: return MKC_ECLOSED;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM: return MKC_ETLS;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL: return MKC_EINVAL;
    default: return MKC_ETRANSPORT;
    }
}

void mkc__join_url(const char *base, const char *path, char *out, size_t size)
{
    if (!path || !*path) {
        snprintf(out, size, "%s", base ? base : "");
        return;
    }
    if (strstr(path, "://") || !base) {
        snprintf(out, size, "%s", path);
        return;
    }
    size_t bl = strlen(base);
    int base_slash = bl > 0 && base[bl - 1] == '/';
    int path_slash = path[0] == '/';
    if (base_slash && path_slash)
        snprintf(out, size, "%.*s%s", (int)(bl - 1), base, path);
    else if (!base_slash && !path_slash && path[0] != '?')
        snprintf(out, size, "%s/%s", base, path);
    else
        snprintf(out, size, "%s%s", base, path);
}

mkc_http *mkc_http_new(const char *base_url)
{
    if (!base_url)
        return NULL;
    pthread_once(&curl_once, curl_init_once);
    mkc_http *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->easy = curl_easy_init();
    h->base = strdup(base_url);
    h->timeout_ms = 30000;
    mkc_tls env;
    mkc_tls_from_env(&env);
    if (!h->easy || !h->base || mkc_http_set_tls(h, &env) != MKC_OK) {
        mkc_http_free(h);
        return NULL;
    }
    return h;
}

void mkc_http_free(mkc_http *h)
{
    if (!h)
        return;
    if (h->easy)
        curl_easy_cleanup(h->easy);
    for (size_t i = 0; i < h->default_count; i++)
        free(h->defaults[i]);
    free(h->defaults);
    free(h->cookie);
    free(h->cacert);
    free(h->base);
    free(h);
}

int mkc_http_add_header(mkc_http *h, const char *header_line)
{
    if (!h || !header_line || !strchr(header_line, ':'))
        return MKC_EINVAL;
    char **nd = realloc(h->defaults, (h->default_count + 1) * sizeof *nd);
    if (!nd)
        return MKC_ENOMEM;
    h->defaults = nd;
    if (!(h->defaults[h->default_count] = strdup(header_line)))
        return MKC_ENOMEM;
    h->default_count++;
    return MKC_OK;
}

int mkc_http_set_cookie(mkc_http *h, const char *cookie)
{
    if (!h)
        return MKC_EINVAL;
    char *c = cookie ? strdup(cookie) : NULL;
    if (cookie && !c)
        return MKC_ENOMEM;
    free(h->cookie);
    h->cookie = c;
    return MKC_OK;
}

int mkc_http_set_tls(mkc_http *h, const mkc_tls *tls)
{
    if (!h)
        return MKC_EINVAL;
    mkc_tls env;
    if (!tls) {
        mkc_tls_from_env(&env);
        tls = &env;
    }
    char *ca = tls->cacert ? strdup(tls->cacert) : NULL;
    if (tls->cacert && !ca)
        return MKC_ENOMEM;
    free(h->cacert);
    h->cacert = ca;
    h->tls.cacert = ca;
    h->tls.insecure = tls->insecure;
    return MKC_OK;
}

void mkc_http_set_timeout(mkc_http *h, long ms)
{
    if (h)
        h->timeout_ms = ms;
}

const char *mkc__header_value(const char *line, const char *name)
{
    size_t n = strlen(name);
    if (strncasecmp(line, name, n) != 0 || line[n] != ':')
        return NULL;
    const char *v = line + n + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    return v;
}

size_t mkc__header_cb(char *data, size_t size, size_t n, void *user)
{
    mkc_response *r = user;
    size_t len = size * n;
    size_t keep = len;
    while (keep > 0 && (data[keep - 1] == '\r' || data[keep - 1] == '\n'))
        keep--;
    if (keep >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        /* A new status line (after 100 Continue or a redirect): start over. */
        for (size_t i = 0; i < r->header_count; i++)
            free(r->headers[i]);
        r->header_count = 0;
        return len;
    }
    if (keep == 0)
        return len;
    char **nh = realloc(r->headers, (r->header_count + 1) * sizeof *nh);
    if (!nh)
        return 0;
    r->headers = nh;
    char *line = malloc(keep + 1);
    if (!line)
        return 0;
    memcpy(line, data, keep);
    line[keep] = '\0';
    r->headers[r->header_count++] = line;
    return len;
}

void mkc_response_free(mkc_response *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->header_count; i++)
        free(r->headers[i]);
    free(r->headers);
    free(r->content_type);
    free(r->body);
    free(r);
}

const char *mkc_response_header(const mkc_response *r, const char *name)
{
    if (!r || !name)
        return NULL;
    for (size_t i = 0; i < r->header_count; i++) {
        const char *v = mkc__header_value(r->headers[i], name);
        if (v)
            return v;
    }
    return NULL;
}

static size_t write_cb(char *data, size_t size, size_t n, void *user)
{
    return mkc__buf_append(user, data, size * n) == MKC_OK ? size * n : 0;
}

CURL *mkc__http_prepare(mkc_http *h, const char *method, const char *path,
                        const char *const *extra_headers, const char *content_type,
                        const void *body, size_t body_len, struct curl_slist **list,
                        char *url_out, size_t url_size)
{
    CURL *c = h->easy;
    /* Reset keeps the connection cache, so keep-alive survives. */
    curl_easy_reset(c);
    mkc__join_url(h->base, path, url_out, url_size);
    curl_easy_setopt(c, CURLOPT_URL, url_out);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    h->errbuf[0] = '\0';
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
    mkc__tls_apply(c, &h->tls);
    const char *m = method ? method : "GET";
    if (strcmp(m, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else if (strcmp(m, "GET") != 0)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
    if (body || strcmp(m, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
        if (strcmp(m, "POST") != 0)
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
    }
    struct curl_slist *l = NULL;
    for (size_t i = 0; i < h->default_count; i++)
        l = curl_slist_append(l, h->defaults[i]);
    for (size_t i = 0; extra_headers && extra_headers[i]; i++)
        l = curl_slist_append(l, extra_headers[i]);
    if (body) {
        char ct[256];
        snprintf(ct, sizeof ct, "Content-Type: %s", content_type ? content_type : "application/json");
        l = curl_slist_append(l, ct);
    }
    l = curl_slist_append(l, "Expect:");  /* no 100-continue round trip */
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, l);
    if (h->cookie)
        curl_easy_setopt(c, CURLOPT_COOKIE, h->cookie);
    *list = l;
    return c;
}

/* Performs the prepared transfer and builds the response. */
static int perform(mkc_http *h, CURL *c, const char *url, mkc_response **out, mkc_error *err)
{
    mkc_response *r = calloc(1, sizeof *r);
    mkc__buf body = {0};
    if (!r)
        return mkc_error_set(err, MKC_ENOMEM, url, "out of memory for %s", url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, mkc__header_cb);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, h->timeout_ms);
    CURLcode cc = curl_easy_perform(c);
    if (cc != CURLE_OK) {
        mkc__buf_free(&body);
        mkc_response_free(r);
        return mkc__curl_fail(err, cc, h->errbuf, url);
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    char *ct = NULL;
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
    if (ct)
        r->content_type = strdup(ct);
    if (!body.data && mkc__buf_append(&body, "", 0) != MKC_OK) {
        mkc_response_free(r);
        return mkc_error_set(err, MKC_ENOMEM, url, "out of memory for %s", url);
    }
    r->body = body.data;
    r->body_len = body.len;
    *out = r;
    return MKC_OK;
}

int mkc_http_request(mkc_http *h, const char *method, const char *path,
                     const char *const *extra_headers, const char *content_type,
                     const void *body, size_t body_len, mkc_response **out, mkc_error *err)
{
    if (out)
        *out = NULL;
    if (!h || !out)
        return mkc_error_set(err, MKC_EINVAL, path, "mkc_http_request: NULL %s", h ? "out" : "handle");
    char url[2048];
    struct curl_slist *list = NULL;
    CURL *c = mkc__http_prepare(h, method, path, extra_headers, content_type, body, body_len,
                                &list, url, sizeof url);
    if (!body && method && strcmp(method, "POST") == 0) {
        /* a POST without body: no Content-Type either. libcurl would claim a
         * form, which a server that parses by media type refuses (Bee's
         * Fastify answers 500 Unsupported Media Type) */
        struct curl_slist *more = curl_slist_append(list, "Content-Type:");
        if (more) {
            list = more;
            curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
        }
    }
    int rc = perform(h, c, url, out, err);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(list);
    return rc;
}

/* A 4xx/5xx becomes MKC_EHTTP carrying status and body. */
static int check_status(const char *method, const char *url, mkc_response *r, mkc_error *err)
{
    if (r->status >= 200 && r->status < 300)
        return MKC_OK;
    mkc_error_set(err, MKC_EHTTP, url, "%s %s: HTTP %ld: %.300s", method ? method : "GET", url,
              r->status, r->body ? r->body : "");
    if (err) {
        err->http_status = r->status;
        free(err->body);
        err->body = malloc(r->body_len + 1);
        if (err->body) {
            memcpy(err->body, r->body, r->body_len);
            err->body[r->body_len] = '\0';
            err->body_len = r->body_len;
        }
    }
    return MKC_EHTTP;
}

int mkc_http_request_ok(mkc_http *h, const char *method, const char *path,
                        const char *const *extra_headers, const char *content_type,
                        const void *body, size_t body_len, mkc_response **out, mkc_error *err)
{
    int rc = mkc_http_request(h, method, path, extra_headers, content_type, body, body_len, out,
                              err);
    if (rc != MKC_OK)
        return rc;
    char url[2048];
    mkc__join_url(h->base, path, url, sizeof url);
    return check_status(method, url, *out, err);
}

int mkc_http_post_multipart(mkc_http *h, const char *path, const mkc_form_field *fields,
                            size_t field_count, mkc_response **out, mkc_error *err)
{
    if (out)
        *out = NULL;
    if (!h || !out || (field_count && !fields))
        return mkc_error_set(err, MKC_EINVAL, path, "mkc_http_post_multipart: bad arguments");
    char url[2048];
    struct curl_slist *list = NULL;
    CURL *c = mkc__http_prepare(h, "POST", path, NULL, NULL, NULL, 0, &list, url, sizeof url);
    curl_mime *mime = curl_mime_init(c);
    for (size_t i = 0; i < field_count && mime; i++) {
        curl_mimepart *part = curl_mime_addpart(mime);
        curl_mime_name(part, fields[i].name);
        if (fields[i].filename) {
            curl_mime_data(part, fields[i].data, fields[i].data_len);
            curl_mime_filename(part, fields[i].filename);
            if (fields[i].content_type)
                curl_mime_type(part, fields[i].content_type);
        } else {
            curl_mime_data(part, fields[i].value ? fields[i].value : "", CURL_ZERO_TERMINATED);
        }
    }
    /* The POST body is the mime, not the empty postfields prepare set. */
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
    curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
    int rc = mime ? perform(h, c, url, out, err)
                  : mkc_error_set(err, MKC_ENOMEM, url, "out of memory for %s", url);
    if (rc == MKC_OK)
        rc = check_status("POST", url, *out, err);
    curl_easy_setopt(c, CURLOPT_MIMEPOST, NULL);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_mime_free(mime);
    curl_slist_free_all(list);
    return rc;
}

