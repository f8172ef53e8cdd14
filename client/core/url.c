/* url.c: see url.h. */
#include "url.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int scheme_is(const char *url, const char *scheme)
{
    size_t n = strlen(scheme);
    return strncasecmp(url, scheme, n) == 0 && strncmp(url + n, "://", 3) == 0;
}

int mkc__url_split(const char *url, const char *plain, const char *secure, mkc_url *out)
{
    memset(out, 0, sizeof *out);
    if (!url)
        return -1;
    if (scheme_is(url, secure))
        out->tls = 1;
    else if (!scheme_is(url, plain))
        return -1;
    out->scheme_len = strlen(out->tls ? secure : plain);
    const char *h = url + out->scheme_len + 3;
    const char *end = h + strcspn(h, "/?#");
    const char *colon = memchr(h, ':', (size_t)(end - h));
    size_t hl = (size_t)((colon ? colon : end) - h);
    if (hl == 0 || hl >= sizeof out->host)
        return -1;
    memcpy(out->host, h, hl);
    out->host[hl] = '\0';
    out->port = out->tls ? 443 : 80;
    if (colon) {
        char *pe = NULL;
        long p = strtol(colon + 1, &pe, 10);
        if (pe != end || pe == colon + 1 || p <= 0 || p > 65535)
            return -1;
        out->port = (int)p;
    }
    out->path = end;
    return 0;
}
