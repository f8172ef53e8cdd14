/* test_server.c: see test_server.h. */
#include "test_server.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>

int ts_start(ts_server *s)
{
    memset(s, 0, sizeof *s);
    const char *opts[] = {"listening_ports", "127.0.0.1:0", "tcp_nodelay", "1",
                          "num_threads", "8", NULL};
    s->ctx = mg_start(NULL, NULL, opts);
    if (!s->ctx)
        return -1;
    struct mg_server_port ports[2];
    if (mg_get_server_ports(s->ctx, 2, ports) < 1) {
        mg_stop(s->ctx);
        s->ctx = NULL;
        return -1;
    }
    s->port = ports[0].port;
    snprintf(s->url, sizeof s->url, "http://127.0.0.1:%d", s->port);
    snprintf(s->ws_url, sizeof s->ws_url, "ws://127.0.0.1:%d", s->port);
    return 0;
}

void ts_stop(ts_server *s)
{
    if (s->ctx)
        mg_stop(s->ctx);
    s->ctx = NULL;
}

int ts_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

long long ts_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void ts_gate_init(ts_gate *g)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->cond, &a);
    pthread_condattr_destroy(&a);
    g->set = 0;
}

void ts_gate_destroy(ts_gate *g)
{
    pthread_cond_destroy(&g->cond);
    pthread_mutex_destroy(&g->lock);
}

void ts_gate_open(ts_gate *g)
{
    pthread_mutex_lock(&g->lock);
    g->set = 1;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
}

int ts_gate_wait(ts_gate *g, int timeout_ms)
{
    struct timespec d;
    clock_gettime(CLOCK_MONOTONIC, &d);
    d.tv_sec += timeout_ms / 1000;
    d.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (d.tv_nsec >= 1000000000L) {
        d.tv_sec++;
        d.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&g->lock);
    while (!g->set)
        if (pthread_cond_timedwait(&g->cond, &g->lock, &d) != 0)
            break;
    int set = g->set;
    pthread_mutex_unlock(&g->lock);
    return set;
}
