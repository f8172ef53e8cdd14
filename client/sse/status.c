/* status.c: names and texts of the client kit's status codes, from
 * MKC_STATUS_MAP (mockkit/sse.h), so a status is described once. */
#include "mockkit/sse.h"

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
