/* netwhy.h: why a connection to a URL fails, in the system's words.
 * The HTTP and websocket clients say only that they could not connect;
 * users need "connection refused" (nothing listens), "no route to host"
 * or "name or service not known" to know what to fix. */
#ifndef MOCKKIT_CLI_NETWHY_H
#define MOCKKIT_CLI_NETWHY_H

#include <stddef.h>

/* Tries one TCP connection to url's host and port (3 s at most) and puts
 * the reason it fails in why, lowercase; "" when it connects. */
void mk_cli_connect_reason(const char *url, char *why, size_t size);

#endif
