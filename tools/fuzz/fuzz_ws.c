/* fuzz_ws.c: libFuzzer target for websocket frames into the mock.
 *
 * An embedded Pieces mock (every shipped fixture, speed 0) listens on an
 * ephemeral loopback port. Per input: connect, upgrade to one of the
 * recorded websocket paths (byte 0 picks which), send the remaining bytes
 * raw as whatever frames they make, half-close, and read until the server
 * closes (bounded), so the frame handling and replay for this input are
 * done before the next one starts. Raw bytes, not well-formed frames: the
 * mock must survive bad masks, lengths, opcodes and fragments too. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mock_internal.h"
#include "fuzz_entry.h"

#define IO_TIMEOUT_MS 2000
#define MAX_PATHS 16

static mk_mock *mock;
static const char *paths[MAX_PATHS];
static size_t path_count;

static void stop(void) { mk_mock_free(mock); }

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    mk_mock_options o;
    mk_mock_options_init(&o);
    o.service = "pieces";
    o.speed = 0;
    o.quiet = 1;
    const char *dirs[] = {MOCKKIT_FIXTURES_DIR "/pieces"};
    mk_diag d;
    if (mk_mock_new(&o, dirs, 1, &mock, &d) != MK_MOCK_OK) {
        char msg[1200];
        fprintf(stderr, "fuzz_ws: %s\n", mk_diag_format(&d, msg, sizeof msg));
        abort();
    }
    /* the recorded websocket paths, each once */
    for (size_t i = 0; i < mock->set->ix_count && path_count < MAX_PATHS; i++) {
        const mk_interaction *ix = mock->set->ixs[i].ix;
        int seen = 0;
        if (ix->kind != MK_IX_WEBSOCKET)
            continue;
        for (size_t k = 0; k < path_count; k++)
            seen |= strcmp(paths[k], ix->request.path) == 0;
        if (!seen)
            paths[path_count++] = ix->request.path;
    }
    if (path_count == 0) {
        fprintf(stderr, "fuzz_ws: no websocket interactions in the Pieces fixtures\n");
        abort();
    }
    atexit(stop);
    return 0;
}

static int wait_fd(int fd, short events)
{
    struct pollfd p = {fd, events, 0};
    return poll(&p, 1, IO_TIMEOUT_MS) == 1;
}

static int send_all(int fd, const void *buf, size_t len)
{
    const char *b = buf;
    while (len > 0) {
        if (!wait_fd(fd, POLLOUT))
            return -1;
        ssize_t n = send(fd, b, len, MSG_NOSIGNAL);
        if (n <= 0)
            return -1;
        b += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Read the 101 response head; 1 when the upgrade was accepted. */
static int read_upgrade(int fd)
{
    char head[4096];
    size_t len = 0;
    while (len < sizeof head - 1) {
        if (!wait_fd(fd, POLLIN))
            return 0;
        ssize_t n = recv(fd, head + len, 1, 0); /* byte-wise: frames may follow */
        if (n <= 0)
            return 0;
        len++;
        head[len] = '\0';
        if (len >= 4 && memcmp(head + len - 4, "\r\n\r\n", 4) == 0)
            return strncmp(head, "HTTP/1.1 101", 12) == 0;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *path = paths[data[0] % path_count];
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)mk_mock_port(mock));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return 0;
    }
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n",
                     path);
    if (send_all(fd, req, (size_t)n) == 0 && read_upgrade(fd)) {
        send_all(fd, data + 1, size - 1);
        shutdown(fd, SHUT_WR);
        char sink[16384];
        while (wait_fd(fd, POLLIN) && recv(fd, sink, sizeof sink, 0) > 0) {
        }
    }
    close(fd);
    return 0;
}
