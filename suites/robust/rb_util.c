/* rb_util.c: raw loopback sockets for the robustness suites. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "rb_util.h"

int64_t rb_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int rb_connect(int port)
{
    struct sockaddr_in a;
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

int rb_send(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Wait for input until the deadline: 1 readable, 0 timed out. */
static int readable(int fd, int64_t deadline)
{
    struct pollfd p = {fd, POLLIN, 0};
    int64_t left = deadline - rb_now_ms();
    if (left < 0) {
        left = 0;
    }
    return poll(&p, 1, (int)left) > 0;
}

size_t rb_read_until(int fd, char *buf, size_t cap, const char *needle, int timeout_ms)
{
    int64_t deadline = rb_now_ms() + timeout_ms;
    size_t len = 0;
    buf[0] = '\0';
    while (len + 1 < cap && (!needle || !strstr(buf, needle)) && readable(fd, deadline)) {
        ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
        if (n <= 0) {
            break;
        }
        len += (size_t)n;
        buf[len] = '\0';
    }
    return len;
}

int rb_closed_within(int fd, int timeout_ms)
{
    int64_t deadline = rb_now_ms() + timeout_ms;
    char b[4096];
    while (readable(fd, deadline)) {
        ssize_t n = recv(fd, b, sizeof(b), 0);
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
            return 1;
        }
    }
    return 0;
}

int rb_status(const char *buf)
{
    int status;
    return sscanf(buf, "HTTP/1.%*d %d", &status) == 1 ? status : -1;
}

int rb_exchange(int port, const char *raw, const char *body, size_t body_len, char *out,
                size_t cap, int timeout_ms)
{
    int fd = rb_connect(port);
    int status = -1;
    out[0] = '\0';
    if (fd < 0) {
        return -1;
    }
    if (rb_send(fd, raw, strlen(raw)) == 0 && (body_len == 0 || rb_send(fd, body, body_len) == 0)) {
        rb_read_until(fd, out, cap, NULL, timeout_ms);
        status = rb_status(out);
    } else {
        /* the server may answer (413) and close before the body is sent */
        rb_read_until(fd, out, cap, NULL, timeout_ms);
        status = rb_status(out);
    }
    close(fd);
    return status;
}

int rb_ws_open(int fd, const char *path, int timeout_ms)
{
    char req[512], resp[2048];
    snprintf(req, sizeof(req),
             "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
             path);
    if (rb_send(fd, req, strlen(req)) != 0) {
        return -1;
    }
    rb_read_until(fd, resp, sizeof(resp), "\r\n\r\n", timeout_ms);
    return rb_status(resp);
}

int rb_ws_send(int fd, int opcode, const void *data, size_t len)
{
    unsigned char head[14];
    static const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
    size_t h = 0;
    unsigned char *copy = malloc(len ? len : 1);
    int rc;
    if (!copy) {
        return -1;
    }
    head[h++] = (unsigned char)(0x80 | (opcode & 0x0f));
    if (len < 126) {
        head[h++] = (unsigned char)(0x80 | len);
    } else if (len < 65536) {
        head[h++] = 0x80 | 126;
        head[h++] = (unsigned char)(len >> 8);
        head[h++] = (unsigned char)len;
    } else {
        head[h++] = 0x80 | 127;
        for (int i = 7; i >= 0; i--) {
            head[h++] = (unsigned char)((uint64_t)len >> (8 * i));
        }
    }
    memcpy(head + h, mask, 4);
    h += 4;
    for (size_t i = 0; i < len; i++) {
        copy[i] = ((const unsigned char *)data)[i] ^ mask[i % 4];
    }
    rc = rb_send(fd, head, h) == 0 && rb_send(fd, copy, len) == 0 ? 0 : -1;
    free(copy);
    return rc;
}

/* Read exactly n bytes before the deadline. */
static int read_n(int fd, unsigned char *buf, size_t n, int64_t deadline)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r;
        if (!readable(fd, deadline)) {
            return -1;
        }
        r = recv(fd, buf + got, n - got, 0);
        if (r <= 0) {
            return -1;
        }
        got += (size_t)r;
    }
    return 0;
}

int rb_ws_close_code(int fd, int timeout_ms)
{
    int64_t deadline = rb_now_ms() + timeout_ms;
    for (int frames = 0; frames < 10000; frames++) {
        unsigned char h[2], ext[8], payload[256];
        uint64_t len;
        int opcode;
        if (read_n(fd, h, 2, deadline) != 0) {
            return -1;
        }
        opcode = h[0] & 0x0f;
        len = h[1] & 0x7f;
        if (len == 126 || len == 127) {
            size_t n = len == 126 ? 2 : 8;
            if (read_n(fd, ext, n, deadline) != 0) {
                return -1;
            }
            len = 0;
            for (size_t i = 0; i < n; i++) {
                len = (len << 8) | ext[i];
            }
        }
        while (len > 0) { /* server frames are not masked */
            size_t n = len > sizeof(payload) ? sizeof(payload) : (size_t)len;
            if (read_n(fd, payload, n, deadline) != 0) {
                return -1;
            }
            if (opcode == 0x8) {
                return n >= 2 ? (payload[0] << 8) | payload[1] : 0;
            }
            len -= n;
        }
        if (opcode == 0x8) {
            return 0;
        }
    }
    return -1;
}

mk_mock *rb_mock(const mk_mock_options *o, const char *const *paths, size_t n)
{
    mk_mock *m = NULL;
    mk_diag d;
    char buf[1024];
    int rc = mk_mock_new(o, paths, n, &m, &d);
    if (rc != MK_MOCK_OK) {
        fail_msg("mk_mock_new: %s: %s", mk_mock_strerror(rc), mk_diag_format(&d, buf, sizeof(buf)));
    }
    return m;
}
