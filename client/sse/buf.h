/* buf.h: the growable byte buffer of the SSE parser, which the client core
 * uses too (a private header of mockkit_sse, reached by the core through a
 * PRIVATE include directory). */
#ifndef MOCKKIT_SSE_BUF_H
#define MOCKKIT_SSE_BUF_H

#include <stddef.h>

/* Always NUL-terminated once anything was appended; may hold NUL. */
typedef struct mkc__buf {
    char *data;
    size_t len;
    size_t cap;
} mkc__buf;

/* MKC_OK or MKC_ENOMEM (b unchanged). */
int mkc__buf_append(mkc__buf *b, const void *data, size_t len);
void mkc__buf_free(mkc__buf *b);

#endif /* MOCKKIT_SSE_BUF_H */
