/* faults_ws.c: faults on a replayed websocket, applied by the player
 * before each server frame (see faults.h). Raw frames are written under
 * CivetWeb's connection lock, so they never interleave with the reader's
 * pongs and closes (mg_websocket_write takes the same lock). */
#include <string.h>
#include <sys/socket.h>

#include "faults.h"

/* Drop the TCP connection: no close frame, the client sees 1006. */
static void drop(const mk__fault_act *a, int fd)
{
    if (fd < 0) {
        return;
    }
    if (a->f.rst) {
        struct linger l = {1, 0};
        struct sockaddr sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_family = AF_UNSPEC;
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
        (void)connect(fd, &sa, sizeof(sa));
    } else {
        shutdown(fd, SHUT_RDWR); /* FIN; our reader sees the end too */
    }
}

/* One unmasked server frame header + payload, FIN as given. */
static int raw_frame(struct mg_connection *conn, int fin, int opcode, const unsigned char *p,
                     size_t len)
{
    unsigned char h[10];
    size_t hl = 2;
    h[0] = (unsigned char)((fin ? 0x80 : 0) | (opcode & 0x0f));
    if (len < 126) {
        h[1] = (unsigned char)len;
    } else if (len < 65536) {
        h[1] = 126;
        h[2] = (unsigned char)(len >> 8);
        h[3] = (unsigned char)len;
        hl = 4;
    } else {
        h[1] = 127;
        for (int i = 0; i < 8; i++) {
            h[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
        }
        hl = 10;
    }
    if (mg_write(conn, h, hl) != (int)hl) {
        return -1;
    }
    return len == 0 || mg_write(conn, p, len) == (int)len ? 0 : -1;
}

static int fragmented(struct mg_connection *conn, const mk_frame *fr, size_t piece)
{
    const unsigned char *p = fr->payload.bytes.data;
    size_t len = fr->payload.bytes.len, off = 0;
    int rc = 0;
    int opcode = fr->type == MK_FRAME_BINARY ? MG_WEBSOCKET_OPCODE_BINARY
                                             : MG_WEBSOCKET_OPCODE_TEXT;
    mg_lock_connection(conn);
    do {
        size_t n = len - off < piece ? len - off : piece;
        rc = raw_frame(conn, off + n >= len, off == 0 ? opcode : MG_WEBSOCKET_OPCODE_CONTINUATION,
                       p + off, n);
        off += n;
    } while (rc == 0 && off < len);
    mg_unlock_connection(conn);
    return rc;
}

int mk__fault_ws_nopong(const mk__fault_act *a)
{
    return a->on && a->f.kind == MK__F_NOPONG;
}

/* ms on the mock's clock until cancel, or (no mock) on the real clock
 * until the client leaves or the recorder stops. */
static int wait_for(struct mk_mock *m, const mk__fault_act *a, int64_t ms, atomic_int *cancel,
                    mk__peer *peer)
{
    int64_t now, at = 0;
    if (!m) {
        return mk__fault_wait(NULL, a, peer, ms);
    }
    now = mk_clock_now_ms(m->clock);
    return mk__schedule(m, NULL, 1.0, &now, &at, ms, cancel) == 0 ? MK__FH_GO : MK__FH_GONE;
}

int mk__fault_ws_frame(struct mk_mock *m, struct mg_connection *conn, mk__fault_act *a,
                       size_t sent, const mk_frame *fr, int fd, atomic_int *cancel,
                       mk__peer *peer)
{
    const mk__fault *f = &a->f;
    int data = fr->type == MK_FRAME_TEXT || fr->type == MK_FRAME_BINARY;
    if (!a->on) {
        return MK__FH_GO;
    }
    switch (f->kind) {
    case MK__F_WSCLOSE:
        if ((int)sent < (f->at == MK__AT_EVENT ? f->at_event : 0)) {
            return MK__FH_GO;
        }
        if (f->ws_code == 1006) {
            drop(a, fd);
        } else {
            unsigned char buf[40];
            static const char reason[] = "mockkit fault";
            buf[0] = (unsigned char)(f->ws_code >> 8);
            buf[1] = (unsigned char)f->ws_code;
            memcpy(buf + 2, reason, sizeof(reason) - 1);
            mg_websocket_write(conn, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, (const char *)buf,
                               sizeof(reason) + 1);
        }
        return MK__FH_DONE;
    case MK__F_CUT:
        if (f->cut_event >= 0 && (int)sent >= f->cut_event) {
            drop(a, fd);
            return MK__FH_DONE;
        }
        return MK__FH_GO;
    case MK__F_LATENCY:
        if ((f->at == MK__AT_FIRST && sent == 0) || (f->at == MK__AT_BETWEEN && sent > 0) ||
            f->at == MK__AT_EVENT) {
            int64_t ms = f->at == MK__AT_BETWEEN && sent > 1 ? mk__fault_draw(a) : a->delay_ms;
            return wait_for(m, a, ms, cancel, peer);
        }
        return MK__FH_GO;
    case MK__F_STALL:
        if ((f->at == MK__AT_EVENT && (int)sent >= f->at_event) ||
            (f->at == MK__AT_FIRST && sent == 0)) {
            /* until the connection ends or the mock (recorder) stops */
            while (wait_for(m, a, 3600000, cancel, peer) == MK__FH_GO) {
            }
            return MK__FH_GONE;
        }
        return MK__FH_GO;
    case MK__F_FRAGMENT:
        if (!data || fr->payload.bytes.len <= f->fragment) {
            return MK__FH_GO;
        }
        return fragmented(conn, fr, f->fragment) == 0 ? MK__FH_WROTE : MK__FH_GONE;
    default:
        return MK__FH_GO;
    }
}
