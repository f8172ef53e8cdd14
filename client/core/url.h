/* url.h: the one split of "scheme://host[:port][/path]" the client core's
 * websockets and the recorder's upstream share. Not a public header: the
 * recorder includes it through a PRIVATE include directory, as tcp.h. */
#ifndef MOCKKIT_CLIENT_URL_H
#define MOCKKIT_CLIENT_URL_H

#include <stddef.h>

typedef struct mkc_url {
    int tls;            /* the scheme was the secure one (https, wss) */
    char host[256];
    int port;           /* given, else 443 with tls, 80 without */
    const char *path;   /* into the URL: from the first '/', '?' or '#', "" when none */
    size_t scheme_len;  /* the scheme's length, "://" not included */
} mkc_url;

/* Split url whose scheme is plain (e.g. "http") or secure ("https"),
 * compared without regard to case (RFC 3986 section 3.1). A host is
 * required; a port, when given, is 1..65535 and ends the authority.
 * 0, or -1 (nothing else said: callers name the URL in their message). */
int mkc__url_split(const char *url, const char *plain, const char *secure, mkc_url *out);

#endif /* MOCKKIT_CLIENT_URL_H */
