/* ws_frame.c: reading client websocket frames straight from the socket.
 *
 * CivetWeb 1.15's reader allocates whatever length a frame header claims
 * (up to 2 GB) before any callback runs and has no maximum setting. The
 * mock therefore answers upgrades itself (ws.c) and reads frames here: the
 * header first, the length checked against max_frame before a byte of
 * payload is reserved. Every wait is a poll slice, so stop and cancel are
 * seen within MK__WS_SLICE_MS. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "mock_internal.h"

#define MK__WS_SLICE_MS 200

/* Read exactly n bytes. deadline (real ms, 0 = none) bounds a frame that
 * has started. Returns 0, or -1 on close, error, stop, cancel or timeout. */
static int read_exact(mk__ws_reader *r, unsigned char *buf, size_t n, int64_t deadline)
{
    size_t got = 0;
    while (got < n) {
        struct pollfd p = {r->fd, POLLIN, 0};
        ssize_t k;
        if (atomic_load(&r->m->stopping) || (r->cancel && atomic_load(r->cancel))) {
            return -1;
        }
        if (deadline && mk_clock_now_ms(NULL) > deadline) {
            return -1;
        }
        if (poll(&p, 1, MK__WS_SLICE_MS) <= 0) {
            continue; /* slice over (or EINTR): look at the flags again */
        }
        k = recv(r->fd, buf + got, n - got, 0);
        if (k == 0 || (k < 0 && errno != EINTR && errno != EAGAIN)) {
            return -1;
        }
        if (k > 0) {
            got += (size_t)k;
        }
    }
    return 0;
}

int mk__ws_read_frame(mk__ws_reader *r, mk__ws_frame *f)
{
    unsigned char h[14];
    uint64_t len;
    size_t ext = 0;
    int64_t deadline;
    memset(f, 0, sizeof(*f));
    if (read_exact(r, h, 2, 0) != 0) {
        return MK__WS_GONE;
    }
    /* the rest of a started frame must come in time, or a trickling
     * client would hold its worker forever */
    deadline = mk_clock_now_ms(NULL) + r->timeout_ms;
    f->flags = h[0];
    len = h[1] & 0x7f;
    if (len == 126) {
        ext = 2;
    } else if (len == 127) {
        ext = 8;
    }
    if (read_exact(r, h + 2, ext + ((h[1] & 0x80) ? 4 : 0), deadline) != 0) {
        return MK__WS_GONE;
    }
    if (ext) {
        len = 0;
        for (size_t i = 0; i < ext; i++) {
            len = len << 8 | h[2 + i];
        }
    }
    if ((h[0] & 0x70) != 0 || !(h[1] & 0x80)) {
        f->close_code = 1002; /* reserved bits, or an unmasked client frame */
        f->reason = !(h[1] & 0x80) ? "mockkit: client frames must be masked"
                                   : "mockkit: reserved bits set";
        return MK__WS_REFUSE;
    }
    if ((h[0] & 0x08) && (len > 125 || !(h[0] & 0x80))) {
        f->close_code = 1002;
        f->reason = "mockkit: control frame too long or fragmented";
        return MK__WS_REFUSE;
    }
    if (len > r->max) {
        f->close_code = 1009; /* before a byte of it is read or reserved */
        f->reason = "mockkit: message larger than max_frame";
        return MK__WS_REFUSE;
    }
    f->data = malloc((size_t)len + 1);
    if (!f->data) {
        f->close_code = 1011;
        f->reason = "mockkit: out of memory";
        return MK__WS_REFUSE;
    }
    if (read_exact(r, (unsigned char *)f->data, (size_t)len, deadline) != 0) {
        free(f->data);
        f->data = NULL;
        return MK__WS_GONE;
    }
    for (size_t i = 0; i < len; i++) {
        f->data[i] = (char)(f->data[i] ^ h[2 + ext + i % 4]);
    }
    f->data[len] = '\0';
    f->len = (size_t)len;
    return MK__WS_OK;
}
