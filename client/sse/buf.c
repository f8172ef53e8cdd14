/* buf.c: the growable byte buffer (buf.h). */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mockkit/sse.h"

int mkc__buf_append(mkc__buf *b, const void *data, size_t len)
{
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + len + 1)
            cap *= 2;
        char *nd = realloc(b->data, cap);
        if (!nd)
            return MKC_ENOMEM;
        b->data = nd;
        b->cap = cap;
    }
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return MKC_OK;
}

void mkc__buf_free(mkc__buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}
