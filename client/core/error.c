/* error.c: mkc_error (the status texts are in client/sse/status.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mockkit/client.h"

void mkc_error_clear(mkc_error *e)
{
    if (!e)
        return;
    free(e->body);
    memset(e, 0, sizeof *e);
}

int mkc_error_set(mkc_error *e, int code, const char *url, const char *fmt, ...)
{
    if (!e)
        return code;
    e->code = code;
    if (url)
        snprintf(e->url, sizeof e->url, "%s", url);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return code;
}
