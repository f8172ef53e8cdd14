/* tls.c: certificate verification settings for https:// and wss://, the
 * env defaults, and TLS errors that say why (unknown CA, name mismatch,
 * expired) instead of a generic connect failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

void mkc_tls_from_env(mkc_tls *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    const char *ca = getenv("MOCKKIT_CACERT");
    if (ca && *ca)
        out->cacert = ca;
    const char *in = getenv("MOCKKIT_INSECURE");
    out->insecure = in && (strcmp(in, "1") == 0 || strcasecmp(in, "yes") == 0 ||
                           strcasecmp(in, "true") == 0);
}

/* The texts are OpenSSL's X509 verify strings (as libcurl quotes them) and
 * libcurl's own name-check messages. */
const char *mkc_tls_reason(const char *d)
{
    if (!d)
        return "handshake failed";
    if (strstr(d, "has expired"))
        return "certificate expired";
    if (strstr(d, "not yet valid"))
        return "certificate not yet valid";
    if (strstr(d, "subject name") || strstr(d, "host name") || strstr(d, "hostname"))
        return "host name mismatch";
    if (strstr(d, "local issuer") || strstr(d, "self-signed") || strstr(d, "self signed") ||
        strstr(d, "verify the first certificate") || strstr(d, "unknown ca") ||
        strstr(d, "issuer certificate"))
        return "unknown CA";
    if (strstr(d, "certificate file") || strstr(d, "CA file") || strstr(d, "CAfile"))
        return "CA file unusable";
    if (strstr(d, "revoked"))
        return "certificate revoked";
    return "handshake failed";
}

int mkc__curl_is_tls(CURLcode c)
{
    return c == CURLE_PEER_FAILED_VERIFICATION || c == CURLE_SSL_CONNECT_ERROR ||
           c == CURLE_SSL_CACERT_BADFILE || c == CURLE_SSL_CERTPROBLEM ||
           c == CURLE_SSL_CIPHER || c == CURLE_SSL_ISSUER_ERROR ||
           c == CURLE_SSL_PINNEDPUBKEYNOTMATCH || c == CURLE_SSL_INVALIDCERTSTATUS ||
           c == CURLE_SSL_CRL_BADFILE || c == CURLE_SSL_ENGINE_INITFAILED ||
           c == CURLE_SSL_SHUTDOWN_FAILED || c == CURLE_USE_SSL_FAILED;
}

void mkc__tls_apply(CURL *c, const mkc_tls *t)
{
    if (t->insecure) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    } else if (t->cacert) {
        /* Only these CAs: without clearing CAPATH the system store would
         * still be trusted beside them. */
        curl_easy_setopt(c, CURLOPT_CAINFO, t->cacert);
        curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
    }
}

int mkc__curl_fail(mkc_error *err, CURLcode cc, const char *errbuf, const char *url)
{
    const char *detail = errbuf && *errbuf ? errbuf : curl_easy_strerror(cc);
    if (cc == CURLE_SSL_CACERT_BADFILE)
        return mkc_error_set(err, MKC_ETLS, url, "%s: TLS: CA file unusable (%s)", url, detail);
    if (mkc__curl_is_tls(cc))
        return mkc_error_set(err, MKC_ETLS, url, "%s: TLS: %s (%s)", url, mkc_tls_reason(detail),
                             detail);
    int code = mkc__curl_status(cc);
    return mkc_error_set(err, code, url, "%s: %s (%s)", url, mkc_strerror(code),
                         curl_easy_strerror(cc));
}

int mkc_tls_check(const char *url, const mkc_tls *tls, mkc_error *err)
{
    if (!url)
        return mkc_error_set(err, MKC_EINVAL, NULL, "mkc_tls_check: NULL url");
    const char *rest = strncasecmp(url, "https://", 8) == 0 ? url + 8
                     : strncasecmp(url, "wss://", 6) == 0   ? url + 6
                                                            : NULL;
    if (!rest)
        return MKC_OK;
    mkc_tls env;
    if (!tls) {
        mkc_tls_from_env(&env);
        tls = &env;
    }
    /* Only scheme://host[:port]: the handshake is all we want. */
    size_t hl = strcspn(rest, "/?#");
    char target[600];
    if (hl == 0 || hl > 500)
        return mkc_error_set(err, MKC_EINVAL, url, "%s: no host", url);
    snprintf(target, sizeof target, "https://%.*s/", (int)hl, rest);
    mkc__curl_global_init();
    CURL *c = curl_easy_init();
    if (!c)
        return mkc_error_set(err, MKC_ENOMEM, url, "out of memory for %s", url);
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, target);
    curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    mkc__tls_apply(c, tls);
    CURLcode cc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    return cc == CURLE_OK ? MKC_OK : mkc__curl_fail(err, cc, errbuf, url);
}
