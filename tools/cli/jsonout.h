/* jsonout.h: JSON strings written from (pointer, length), for output whose
 * text may hold NUL bytes (SSE data, websocket text): cJSON strings stop at
 * the first NUL, these are written whole (a NUL becomes \u0000). */
#ifndef MOCKKIT_CLI_JSONOUT_H
#define MOCKKIT_CLI_JSONOUT_H

#include <stddef.h>
#include <stdio.h>

/* Writes "s" quoted and escaped to f. Bytes >= 0x80 are copied as they are
 * (UTF-8 passes through). */
void mk_json_put_string(FILE *f, const char *s, size_t len);

#endif
