/* peer.c: has the client of a parked stream gone away?
 *
 * CivetWeb 1.15 gives a request handler no way to poll its socket (the
 * connection struct is private and no call returns the descriptor), and a
 * streamed response only learns of a closed peer at its next write. A
 * stream parked on an `after` trigger or a long recorded gap would hold its
 * worker until stop. So a stream that has waited one probe slice looks its
 * own socket up once (the accepted socket whose local port is ours and
 * whose peer is the request's remote address and port: a 4-tuple, unique
 * among open sockets, also when the client lives in this process), then
 * peeks at it every slice: end of file or an error means the client left.
 * A socket reset before the look-up has no peer name any more, so no
 * match at all means the connection is gone too. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mock_internal.h"

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

static int addr_is(const struct sockaddr_storage *ss, const char *text)
{
    char buf[INET6_ADDRSTRLEN];
    const void *a = ss->ss_family == AF_INET
                        ? (const void *)&((const struct sockaddr_in *)ss)->sin_addr
                        : (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
    return inet_ntop(ss->ss_family, a, buf, sizeof(buf)) && strcmp(buf, text) == 0;
}

static int is_peer_socket(int fd, const mk__peer *p)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 || port_of(&ss) != p->local_port) {
        return 0;
    }
    len = sizeof(ss);
    return getpeername(fd, (struct sockaddr *)&ss, &len) == 0 && port_of(&ss) == p->port &&
           addr_is(&ss, p->addr);
}

/* The descriptor of p's connection; -1 when none matches (it is no
 * longer connected: a socket reset by its peer has no peer name), -2 when
 * the descriptors cannot be listed. */
static int find_fd(const mk__peer *p)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int found = -1;
    if (!d) {
        return -2;
    }
    while (found < 0 && (e = readdir(d)) != NULL) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        if (*end == '\0' && fd >= 0 && fd != dirfd(d) && is_peer_socket((int)fd, p)) {
            found = (int)fd;
        }
    }
    closedir(d);
    return found;
}

void mk__peer_init(mk__peer *p, int local_port, const struct mg_request_info *ri)
{
    memset(p, 0, sizeof(*p));
    p->fd = -1;
    p->local_port = local_port;
    p->port = ri ? ri->remote_port : -1;
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
            /* Our worker holds our socket open, so it is listed; only a
             * socket that lost its connection (reset) has no peer name. */
            return 1;
        }
    }
    if (p->fd < 0) {
        return 0; /* no /proc: fall back to noticing at the next write */
    }
    /* Our worker owns this descriptor until the handler returns, so it
     * cannot have been reused; a peek leaves any pipelined bytes in place. */
    n = recv(p->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
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
