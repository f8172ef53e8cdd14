/* civetweb_ssl.c: a shared library whose SONAME is "libssl.so", so that
 * Debian 12's CivetWeb TLS server works at all.
 *
 * Debian's libcivetweb1 (1.15+dfsg-4) is built for the OpenSSL 1.1 API and
 * dlopens "libssl.so" at run time, which is OpenSSL 3.0. There the symbol
 * SSL_get_peer_certificate no longer exists (it is a macro for
 * SSL_get1_peer_certificate), so CivetWeb's library load fails half way:
 * every other pointer is filled, that one stays NULL, and the first TLS
 * connection a CivetWeb server accepts calls it (ssl_get_client_cert_info)
 * and crashes. CivetWeb's client side never calls it, and works only because
 * the pointers filled before the failed load stay valid (libcurl keeps
 * libssl.so.3 loaded); mg_init_library then reports TLS as unavailable.
 *
 * When this library is loaded first (it is a DT_NEEDED of anything linking
 * mockkit_mock or mockkit_client), glibc's dlopen("libssl.so") matches it by SONAME and
 * returns it; CivetWeb's dlsym then finds the one missing function here
 * and every other one in its dependency, the real libssl.so.3. */
#include <openssl/ssl.h>

#undef SSL_get_peer_certificate

X509 *SSL_get_peer_certificate(const SSL *s);

/* Same contract as 1.1's: a new reference the caller frees (CivetWeb does). */
X509 *SSL_get_peer_certificate(const SSL *s)
{
    return SSL_get1_peer_certificate(s);
}

/* Referenced by the mock (mocks/server/tls.c) and the websocket client
 * (client/core/ws.c) so the link keeps this library even with --as-needed. */
int mk_civetweb_ssl_compat(void);
int mk_civetweb_ssl_compat(void)
{
    return 1;
}
