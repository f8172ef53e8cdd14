/* peer.c: has the client of a parked stream gone away?
 *
 * CivetWeb 1.15 gives a request handler no way to poll its socket (the
 * connection struct is private and no call returns the descriptor), and a
 * streamed response only learns of a closed peer at its next write. A
 * stream parked on an `after` trigger or a long recorded gap would hold its
 * worker until stop. So such a stream looks its own socket up once (the
 * accepted socket whose local port is the mock's and whose peer is the
 * request's remote address and port: a 4-tuple, unique among open sockets,
 * also when the client lives in this process), then peeks at it every
 * slice: end of file or an error means the client left.
 *
 * One pass over /proc/self/fd indexes every connected socket of the
 * process, and streams that arrived before that pass share it: 1,000
 * gated streams cost a few passes, not 1,000 (each would read every
 * descriptor). A socket reset before the pass has no peer name any more,
 * so a stream missing from a pass that came after its arrival is gone.
 *
 * Under TLS a leaving client sends close_notify before its FIN, and those
 * bytes stay unread (we only peek), so end of file never shows: POLLRDHUP
 * reports the FIN behind them. */
#define _GNU_SOURCE /* POLLRDHUP */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mock_internal.h"

typedef struct conn_entry {
    int local_port, peer_port, fd;
    char peer[INET6_ADDRSTRLEN];
} conn_entry;

static struct {
    pthread_mutex_t mu;
    conn_entry *items;
    size_t count, cap;
    int64_t scanned_at;    /* real ms; 0 = never */
} g_index = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, 0};

static int port_of(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET) {
        return ntohs(((const struct sockaddr_in *)ss)->sin_port);
    }
    if (ss->ss_family == AF_INET6) {
        return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
    }
    return -1;
}

static int addr_text(const struct sockaddr_storage *ss, char *buf, size_t size)
{
    const void *a = ss->ss_family == AF_INET
                        ? (const void *)&((const struct sockaddr_in *)ss)->sin_addr
                        : (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
    return inet_ntop(ss->ss_family, a, buf, (socklen_t)size) ? 0 : -1;
}

/* Rebuild the index (caller holds g_index.mu). -1 when /proc cannot be read. */
static int scan(int64_t now)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    if (!d) {
        return -1;
    }
    g_index.count = 0;
    while ((e = readdir(d)) != NULL) {
        struct sockaddr_storage local, peer;
        socklen_t ll = sizeof(local), pl = sizeof(peer);
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        conn_entry *c;
        if (*end != '\0' || fd < 0 || fd == dirfd(d) ||
            getsockname((int)fd, (struct sockaddr *)&local, &ll) != 0 ||
            (local.ss_family != AF_INET && local.ss_family != AF_INET6) ||
            getpeername((int)fd, (struct sockaddr *)&peer, &pl) != 0) {
            continue;
        }
        if (g_index.count == g_index.cap) {
            size_t ncap = g_index.cap ? g_index.cap * 2 : 256;
            conn_entry *grown = realloc(g_index.items, ncap * sizeof(*grown));
            if (!grown) {
                break;
            }
            g_index.items = grown;
            g_index.cap = ncap;
        }
        c = &g_index.items[g_index.count];
        c->local_port = port_of(&local);
        c->peer_port = port_of(&peer);
        c->fd = (int)fd;
        if (addr_text(&peer, c->peer, sizeof(c->peer)) == 0) {
            g_index.count++;
        }
    }
    closedir(d);
    g_index.scanned_at = now;
    return 0;
}

/* Is fd, right now, the socket of p's connection? */
static int is_peer_socket(int fd, const mk__peer *p)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char text[INET6_ADDRSTRLEN];
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 || port_of(&ss) != p->local_port) {
        return 0;
    }
    len = sizeof(ss);
    return getpeername(fd, (struct sockaddr *)&ss, &len) == 0 && port_of(&ss) == p->port &&
           addr_text(&ss, text, sizeof(text)) == 0 && strcmp(text, p->addr) == 0;
}

static int lookup(const mk__peer *p)
{
    for (size_t i = 0; i < g_index.count; i++) {
        const conn_entry *c = &g_index.items[i];
        if (c->local_port == p->local_port && c->peer_port == p->port &&
            strcmp(c->peer, p->addr) == 0) {
            return c->fd;
        }
    }
    return -1;
}

/* The descriptor of p's connection; -1 when it is not connected any more,
 * -2 when the descriptors cannot be listed. */
static int find_fd(const mk__peer *p)
{
    int fd;
    pthread_mutex_lock(&g_index.mu);
    fd = lookup(p);
    /* an entry from an older pass may name a descriptor since reused:
     * only the socket itself can confirm it is still ours */
    if (fd >= 0 && !is_peer_socket(fd, p)) {
        fd = -1;
    }
    if (fd < 0 && g_index.scanned_at <= p->since) {
        /* a pass from before this request came cannot know its socket */
        if (scan(mk_clock_now_ms(NULL)) != 0) {
            pthread_mutex_unlock(&g_index.mu);
            return -2;
        }
        fd = lookup(p);
    }
    pthread_mutex_unlock(&g_index.mu);
    return fd;
}

void mk__peer_init(mk__peer *p, int local_port, const struct mg_request_info *ri)
{
    memset(p, 0, sizeof(*p));
    p->fd = -1;
    p->local_port = local_port;
    p->port = ri ? ri->remote_port : -1;
    p->since = mk_clock_now_ms(NULL);
    snprintf(p->addr, sizeof(p->addr), "%s", ri ? ri->remote_addr : "");
}

int mk__peer_gone(mk__peer *p)
{
    char b;
    ssize_t n;
    if (!p->looked) {
        p->looked = 1;
        p->fd = find_fd(p);
        if (p->fd == -1) {
            /* Our worker holds our socket open, so a pass after our arrival
             * lists it; only a socket that lost its connection has no peer. */
            return 1;
        }
    }
    if (p->fd < 0) {
        return 0; /* no /proc: fall back to noticing at the next write */
    }
    /* Our worker owns this descriptor until the handler returns, so it
     * cannot have been reused; a peek leaves any pipelined bytes in place. */
    n = recv(p->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) {
        struct pollfd pf = {p->fd, POLLRDHUP, 0};
        return poll(&pf, 1, 0) > 0 && (pf.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
    }
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

int mk__peer_fd(mk__peer *p)
{
    if (!p->looked) {
        p->looked = 1;
        p->fd = find_fd(p);
    }
    return p->fd >= 0 ? p->fd : -1;
}
