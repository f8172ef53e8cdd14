/* error.c: status names and texts (from MKC_STATUS_MAP), and mkc_error. */
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
