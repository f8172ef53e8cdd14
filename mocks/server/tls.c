/* tls.c: the mock's TLS listener setup. CivetWeb's own ssl_certificate
 * option wants key and certificate in one PEM file; mockkit takes them as
 * two (like most servers), so CivetWeb's init_ssl callback loads them into
 * its SSL_CTX here. CivetWeb dlopens libssl.so, which is the libssl.so.3
 * this file links, so both work on the same SSL_CTX. */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "mock_internal.h"

/* mg_start2 calls init_ssl on the thread that called it. */
static _Thread_local char tls_error[512];

const char *mk__tls_error(void)
{
    return tls_error;
}

static int fail(const char *what, const char *file)
{
    char reason[256] = "";
    unsigned long e = ERR_peek_last_error();
    if (e)
        ERR_error_string_n(e, reason, sizeof reason);
    ERR_clear_error();
    snprintf(tls_error, sizeof tls_error, "%s %s: %s", what, file, reason[0] ? reason : "unknown");
    return -1;
}

/* civetweb_ssl.c: must be loaded before CivetWeb's TLS starts. */
int mk_civetweb_ssl_compat(void);

int mk__tls_init_ssl(void *ssl_ctx, void *user)
{
    (void)mk_civetweb_ssl_compat();
    const mk_mock *m = user;
    SSL_CTX *ctx = ssl_ctx;
    const char *cert = m->opts.tls_cert;
    const char *key = m->opts.tls_key ? m->opts.tls_key : cert;
    tls_error[0] = '\0';
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
        return fail("cannot load TLS certificate", cert);
    if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
        if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
            ERR_clear_error();
            snprintf(tls_error, sizeof tls_error, "TLS key %s does not match the certificate %s",
                     key, cert);
            return -1;
        }
        return fail("cannot load TLS key", key);
    }
    if (SSL_CTX_check_private_key(ctx) != 1)
        return fail("TLS key does not match the certificate in", cert);
    return 1; /* done: CivetWeb must not look for ssl_certificate */
}
