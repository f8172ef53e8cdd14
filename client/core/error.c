/* error.c: status names and texts (from MKC_STATUS_MAP), and mkc_error. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mockkit/client.h"

const char *mkc_strerror(int status)
{
    switch (status) {
#define MKC_TEXT_(name, value, text) \
    case value:                      \
        return text;
        MKC_STATUS_MAP(MKC_TEXT_)
#undef MKC_TEXT_
    }
    return "unknown error";
}

const char *mkc_errname(int status)
{
    switch (status) {
#define MKC_NAME_(name, value, text) \
    case value:                      \
        return "MKC_" #name;
        MKC_STATUS_MAP(MKC_NAME_)
#undef MKC_NAME_
    }
    return "MKC_UNKNOWN";
}

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
