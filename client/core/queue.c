/* queue.c: a locked FIFO with bounded waits, so websocket callbacks (on
 * CivetWeb's reader thread) can hand messages to a test without sleeps. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kit.h"
#include "mockkit/client.h"

typedef struct item {
    struct item *next;
    int kind;
    size_t len;
    char data[];
} item;

struct mkc_queue {
    pthread_mutex_t lock;
    pthread_cond_t cond;   /* on CLOCK_MONOTONIC */
    item *head, *tail;
    size_t size;
};

mkc_queue *mkc_queue_new(void)
{
    mkc_queue *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    pthread_mutex_init(&q->lock, NULL);
    mkc__cond_init_monotonic(&q->cond);
    return q;
}

void mkc_queue_free(mkc_queue *q)
{
    if (!q)
        return;
    for (item *it = q->head, *next; it; it = next) {
        next = it->next;
        free(it);
    }
    pthread_cond_destroy(&q->cond);
    pthread_mutex_destroy(&q->lock);
    free(q);
}

int mkc_queue_push(mkc_queue *q, int kind, const char *data, size_t len)
{
    if (!q || (!data && len))
        return MKC_EINVAL;
    item *it = malloc(sizeof *it + len + 1);
    if (!it)
        return MKC_ENOMEM;
    it->next = NULL;
    it->kind = kind;
    it->len = len;
    if (len)
        memcpy(it->data, data, len);
    it->data[len] = '\0';
    pthread_mutex_lock(&q->lock);
    if (q->tail)
        q->tail->next = it;
    else
        q->head = it;
    q->tail = it;
    q->size++;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
    return MKC_OK;
}

int mkc_queue_pop(mkc_queue *q, int timeout_ms, int *kind, char **data, size_t *len)
{
    if (!q)
        return MKC_EINVAL;
    struct timespec deadline;
    mkc__deadline_in(&deadline, timeout_ms);
    pthread_mutex_lock(&q->lock);
    while (!q->head) {
        if (pthread_cond_timedwait(&q->cond, &q->lock, &deadline) == ETIMEDOUT && !q->head) {
            pthread_mutex_unlock(&q->lock);
            return MKC_ETIMEOUT;
        }
    }
    item *it = q->head;
    q->head = it->next;
    if (!q->head)
        q->tail = NULL;
    q->size--;
    pthread_mutex_unlock(&q->lock);
    if (kind)
        *kind = it->kind;
    if (len)
        *len = it->len;
    if (data) {
        /* Hand the bytes over as their own allocation the caller frees. */
        char *copy = malloc(it->len + 1);
        if (!copy) {
            free(it);
            return MKC_ENOMEM;
        }
        memcpy(copy, it->data, it->len + 1);
        *data = copy;
    }
    free(it);
    return MKC_OK;
}

size_t mkc_queue_size(mkc_queue *q)
{
    if (!q)
        return 0;
    pthread_mutex_lock(&q->lock);
    size_t n = q->size;
    pthread_mutex_unlock(&q->lock);
    return n;
}
