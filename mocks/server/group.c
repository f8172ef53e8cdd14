/* group.c: mocks that reset together (every service of one `serve`): a
 * reset on any member's port, or mk_mock_group_reset, resets them all. */
#include <pthread.h>
#include <stdlib.h>

#include "mock_internal.h"

struct mk_mock_group {
    pthread_mutex_t mu;       /* taken before any member's mu, never inside one */
    mk_mock **members;
    size_t count, cap;
};

mk_mock_group *mk_mock_group_new(void)
{
    mk_mock_group *g = calloc(1, sizeof(*g));
    if (g) {
        pthread_mutex_init(&g->mu, NULL);
    }
    return g;
}

void mk_mock_group_free(mk_mock_group *g)
{
    if (g) {
        pthread_mutex_destroy(&g->mu);
        free(g->members);
        free(g);
    }
}

int mk__group_join(mk_mock_group *g, mk_mock *m)
{
    int rc = 0;
    pthread_mutex_lock(&g->mu);
    if (g->count == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 4;
        mk_mock **grown = realloc(g->members, cap * sizeof(*grown));
        if (!grown) {
            rc = -1;
        } else {
            g->members = grown;
            g->cap = cap;
        }
    }
    if (rc == 0) {
        g->members[g->count++] = m;
    }
    pthread_mutex_unlock(&g->mu);
    return rc;
}

void mk__group_leave(mk_mock_group *g, mk_mock *m)
{
    pthread_mutex_lock(&g->mu);
    for (size_t i = 0; i < g->count; i++) {
        if (g->members[i] == m) {
            g->members[i] = g->members[--g->count];
            break;
        }
    }
    pthread_mutex_unlock(&g->mu);
}

size_t mk_mock_group_reset(mk_mock_group *g)
{
    size_t n;
    if (!g) {
        return 0;
    }
    /* a member being freed waits in mk__group_leave until this is done */
    pthread_mutex_lock(&g->mu);
    for (size_t i = 0; i < g->count; i++) {
        mk_mock_reset(g->members[i]);
    }
    n = g->count;
    pthread_mutex_unlock(&g->mu);
    return n;
}
