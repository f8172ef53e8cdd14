/* netwhy.c: see netwhy.h. */
#include "netwhy.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

void mk_cli_connect_reason(const char *url, char *why, size_t size)
{
    why[0] = '\0';
    const char *host = strstr(url, "://");
    if (!host)
        return;
    int tls = strncasecmp(url, "https", 5) == 0 || strncasecmp(url, "wss", 3) == 0;
    host += 3;
    char name[256], port[8];
    size_t hl = strcspn(host, ":/?#");
    if (host[0] == '[') /* [::1]:port */
        hl = strcspn(host, "]") + 1;
    snprintf(name, sizeof name, "%.*s", (int)hl, host);
    if (name[0] == '[') {
        memmove(name, name + 1, strlen(name));
        name[strcspn(name, "]")] = '\0';
    }
    const char *p = host + hl;
    snprintf(port, sizeof port, "%.*s", *p == ':' ? (int)strcspn(p + 1, "/?#") : 0,
             *p == ':' ? p + 1 : "");
    if (!port[0])
        snprintf(port, sizeof port, "%s", tls ? "443" : "80");
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    int gai = getaddrinfo(name, port, &hints, &ai);
    if (gai != 0) {
        snprintf(why, size, "%s", gai_strerror(gai));
        why[0] = (char)tolower((unsigned char)why[0]);
        return;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int e = fd < 0 ? errno : 0;
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        e = errno;
        if (e == EINPROGRESS) {
            struct pollfd pf = {.fd = fd, .events = POLLOUT};
            e = poll(&pf, 1, 3000) == 1 ? 0 : ETIMEDOUT;
            socklen_t len = sizeof e;
            if (e == 0)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len);
        }
    }
    if (e)
        snprintf(why, size, "%s", strerror(e));
    if (why[0])
        why[0] = (char)tolower((unsigned char)why[0]);  /* "connection refused" */
    if (fd >= 0)
        close(fd);
    freeaddrinfo(ai);
}
