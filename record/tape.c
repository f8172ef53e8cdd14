/* tape.c: the recorded session on one timeline. Interactions land here when
 * they finish (in any order, from any thread); emit sorts them by arrival,
 * names them, and fills "after": an event on a long-lived connection that
 * follows a request which arrived on another connection while it was open
 * is tied to the latest such request, so replay keeps the causality. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "record_internal.h"

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int mk_rec__tape_init(mk_rec_tape *t)
{
    memset(t, 0, sizeof *t);
    pthread_mutex_init(&t->mu, NULL);
    t->mu_ref = &t->mu;
    t->start_us = mono_us();
    return 0;
}

void mk_rec__tape_cleanup(mk_rec_tape *t)
{
    for (size_t i = 0; i < t->count; i++)
        mk_rec__ix_free(t->items[i]);
    free(t->items);
    pthread_mutex_destroy(&t->mu);
    memset(t, 0, sizeof *t);
}

int64_t mk_rec__now_us(const mk_rec_tape *t)
{
    return mono_us() - t->start_us;
}

mk_rec_ix *mk_rec__ix_new(mk_rec_tape *t)
{
    mk_rec_ix *ix = calloc(1, sizeof *ix);
    if (!ix)
        return NULL;
    ix->json = cJSON_CreateObject();
    if (!ix->json) {
        free(ix);
        return NULL;
    }
    pthread_mutex_init(&ix->mu, NULL);
    pthread_mutex_lock(&t->mu);
    ix->at_us = mk_rec__now_us(t);
    ix->seq = ++t->next_seq;
    pthread_mutex_unlock(&t->mu);
    return ix;
}

void mk_rec__ix_free(mk_rec_ix *ix)
{
    if (!ix)
        return;
    cJSON_Delete(ix->json);
    free(ix->events);
    pthread_mutex_destroy(&ix->mu);
    free(ix);
}

void mk_rec__ix_event(mk_rec_ix *ix, cJSON *into, cJSON *obj, int64_t at_us, int may_follow)
{
    pthread_mutex_lock(&ix->mu);
    if (ix->event_count == ix->event_cap) {
        size_t cap = ix->event_cap ? ix->event_cap * 2 : 16;
        mk_rec_event *ne = realloc(ix->events, cap * sizeof *ne);
        if (!ne) {
            pthread_mutex_unlock(&ix->mu);
            if (into)
                cJSON_Delete(obj);
            return;
        }
        ix->events = ne;
        ix->event_cap = cap;
    }
    /* Frames from two threads may be stamped out of order by a hair:
     * keep the array non-decreasing as the format requires. */
    if (ix->event_count > 0 && at_us < ix->events[ix->event_count - 1].at_us)
        at_us = ix->events[ix->event_count - 1].at_us;
    if (at_us < ix->at_us)
        at_us = ix->at_us;
    ix->events[ix->event_count++] = (mk_rec_event){obj, at_us, may_follow};
    if (into)
        cJSON_AddItemToArray(into, obj);
    pthread_mutex_unlock(&ix->mu);
}

void mk_rec__tape_add(mk_rec_tape *t, mk_rec_ix *ix)
{
    pthread_mutex_lock(&t->mu);
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 32;
        mk_rec_ix **ni = realloc(t->items, cap * sizeof *ni);
        if (!ni) {
            pthread_mutex_unlock(&t->mu);
            mk_rec__ix_free(ix);
            return;
        }
        t->items = ni;
        t->cap = cap;
    }
    t->items[t->count++] = ix;
    pthread_mutex_unlock(&t->mu);
}

size_t mk_rec__tape_count(const mk_rec_tape *t)
{
    pthread_mutex_lock(t->mu_ref);
    size_t n = t->count;
    pthread_mutex_unlock(t->mu_ref);
    return n;
}

static int by_arrival(const void *a, const void *b)
{
    const mk_rec_ix *x = *(mk_rec_ix *const *)a, *y = *(mk_rec_ix *const *)b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int id_taken(const cJSON *interactions, const char *id)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, interactions)
    {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "id");
        if (cJSON_IsString(v) && strcmp(v->valuestring, id) == 0)
            return 1;
    }
    return 0;
}

/* Set (or replace) a number member. */
static void set_ms(cJSON *obj, const char *key, int64_t ms)
{
    cJSON *n = cJSON_CreateNumber((double)ms);
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, n);
    else
        cJSON_AddItemToObject(obj, key, n);
}

void mk_rec__tape_emit(mk_rec_tape *t, cJSON *interactions, int64_t offset_ms)
{
    pthread_mutex_lock(&t->mu);
    if (t->count > 1) /* qsort(NULL, 0, ...) is undefined */
        qsort(t->items, t->count, sizeof *t->items, by_arrival);
    char **ids = calloc(t->count ? t->count : 1, sizeof *ids);
    size_t next = (size_t)cJSON_GetArraySize(interactions);
    for (size_t i = 0; ids && i < t->count; i++) {
        char id[32];
        do
            snprintf(id, sizeof id, "ix-%zu", next++);
        while (id_taken(interactions, id));
        ids[i] = strdup(id);
        /* Reserve it now so later names skip it. */
        cJSON_AddStringToObject(t->items[i]->json, "id", id);
    }
    for (size_t i = 0; ids && i < t->count; i++) {
        mk_rec_ix *ix = t->items[i];
        for (size_t e = 0; e < ix->event_count; e++) {
            mk_rec_event *ev = &ix->events[e];
            set_ms(ev->obj, "at_ms", ev->at_us / 1000 + offset_ms);
            if (!ev->may_follow)
                continue;
            /* The latest request on another connection that arrived after
             * this one opened and before this event. */
            const char *after = NULL;
            for (size_t j = i + 1; j < t->count; j++)
                if (t->items[j]->at_us <= ev->at_us)
                    after = ids[j];
            if (after && ids[i] && strcmp(after, ids[i]) != 0)
                cJSON_AddStringToObject(ev->obj, "after", after);
        }
        /* id, at_ms first, then the rest, for readers. */
        cJSON *out = cJSON_CreateObject();
        cJSON_AddStringToObject(out, "id", ids[i] ? ids[i] : "");
        cJSON_AddNumberToObject(out, "at_ms", (double)(ix->at_us / 1000 + offset_ms));
        cJSON *c = ix->json->child;
        while (c) {
            cJSON *nextc = c->next;
            if (strcmp(c->string, "id") != 0) {
                cJSON_DetachItemViaPointer(ix->json, c);
                cJSON_AddItemToObject(out, c->string, c);
            }
            c = nextc;
        }
        cJSON_AddItemToArray(interactions, out);
    }
    for (size_t i = 0; ids && i < t->count; i++)
        free(ids[i]);
    free(ids);
    pthread_mutex_unlock(&t->mu);
}
