/* rb_util.h: raw loopback sockets for the robustness suites: requests that
 * no well-behaved client library would send (deep JSON, slow headers,
 * oversized frames, hang-ups), with every wait bounded by a deadline. */
#ifndef MOCKKIT_RB_UTIL_H
#define MOCKKIT_RB_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "mockkit/mock.h"

int64_t rb_now_ms(void);

/* A TCP connection to 127.0.0.1:port, or -1. */
int rb_connect(int port);
int rb_send(int fd, const void *data, size_t len);
/* Read into buf (NUL-terminated) until needle appears, the peer closes or
 * timeout_ms passes. Returns the byte count. */
size_t rb_read_until(int fd, char *buf, size_t cap, const char *needle, int timeout_ms);
/* Did the peer close (EOF or reset) within timeout_ms? Bytes it sends
 * before are discarded. */
int rb_closed_within(int fd, int timeout_ms);
/* The status code of a response head in buf, or -1. */
int rb_status(const char *buf);

/* One request on its own connection (raw ends with the blank line, body
 * follows if body_len > 0), read until the peer closes. Returns the status
 * (-1: none) and copies the response into out. */
int rb_exchange(int port, const char *raw, const char *body, size_t body_len, char *out,
                size_t cap, int timeout_ms);

/* Websocket: handshake on path; returns the HTTP status (101 on success). */
int rb_ws_open(int fd, const char *path, int timeout_ms);
/* Send one masked frame (fin set). */
int rb_ws_send(int fd, int opcode, const void *data, size_t len);
/* Read frames until a close frame: its code (0: none given), -1 when the
 * peer hung up or timeout_ms passed without one. */
int rb_ws_close_code(int fd, int timeout_ms);

/* A mock with options o (service, paths) on an ephemeral port; fails the test if it cannot start. */
mk_mock *rb_mock(const mk_mock_options *o, const char *const *paths, size_t n);

#endif
