/* journal.c: the bounded ring of requests the mock received. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock_internal.h"

int mk__journal_init(mk__journal *j, size_t cap)
{
    memset(j, 0, sizeof(*j));
    j->ring = calloc(cap, sizeof(*j->ring));
    j->cap = cap;
    return j->ring ? 0 : -1;
}

void mk__journal_free(mk__journal *j)
{
    free(j->ring);
    j->ring = NULL;
}

void mk__journal_add(mk__journal *j, const mk_journal_entry *e)
{
    size_t slot = (j->head + j->count) % j->cap;
    if (j->count == j->cap) {
        j->head = (j->head + 1) % j->cap; /* drop the oldest */
    } else {
        j->count++;
    }
    j->ring[slot] = *e;
    j->ring[slot].seq = ++j->seq;
}

void mk__journal_clear(mk__journal *j)
{
    j->head = j->count = 0;
    j->seq = 0;
}

/* Copy src after the len bytes already in dst (size bytes), cut to fit,
 * NUL-terminated; returns the new length. Every request writes an entry,
 * so plain copies, not snprintf("%s") (docs/benchmarks.md). */
static size_t put(char *dst, size_t size, size_t len, const char *src)
{
    size_t n = strnlen(src, size - 1 - len);
    memcpy(dst + len, src, n);
    dst[len + n] = '\0';
    return len + n;
}

void mk__journal_note(struct mk_mock *m, const mk__req *req, int64_t at, int status, int matched,
                      const mk__ix *x, const char *near_miss)
{
    mk_journal_entry e;
    size_t len;
    e.seq = 0;
    e.at_ms = at;
    put(e.method, sizeof(e.method), 0, req->method);
    len = put(e.path, sizeof(e.path), 0, req->path);
    if (req->query_string && req->query_string[0]) {
        len = put(e.path, sizeof(e.path), len, "?");
        put(e.path, sizeof(e.path), len, req->query_string);
    }
    e.status = status;
    e.matched = matched;
    e.cassette[0] = e.interaction[0] = '\0';
    if (x) {
        put(e.cassette, sizeof(e.cassette), 0, x->cas->path);
        put(e.interaction, sizeof(e.interaction), 0, x->ix->id);
    }
    put(e.near_miss, sizeof(e.near_miss), 0, near_miss ? near_miss : "");
    pthread_mutex_lock(&m->mu);
    mk__journal_add(&m->journal, &e);
    pthread_mutex_unlock(&m->mu);
}

size_t mk_mock_journal(const mk_mock *m, mk_journal_entry *out, size_t max)
{
    size_t n, skip;
    if (!m || !out) {
        return 0;
    }
    pthread_mutex_lock((pthread_mutex_t *)&m->mu);
    n = m->journal.count < max ? m->journal.count : max;
    skip = m->journal.count - n; /* keep the most recent */
    for (size_t i = 0; i < n; i++) {
        out[i] = m->journal.ring[(m->journal.head + skip + i) % m->journal.cap];
    }
    pthread_mutex_unlock((pthread_mutex_t *)&m->mu);
    return n;
}

cJSON *mk_mock_journal_json(const mk_mock *m)
{
    cJSON *arr = cJSON_CreateArray();
    mk_journal_entry *es;
    size_t n;
    if (!m || !arr) {
        return arr;
    }
    es = calloc(m->journal.cap, sizeof(*es));
    if (!es) {
        cJSON_Delete(arr);
        return NULL;
    }
    n = mk_mock_journal(m, es, m->journal.cap);
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        if (!o) {
            break;
        }
        cJSON_AddNumberToObject(o, "seq", (double)es[i].seq);
        cJSON_AddNumberToObject(o, "at_ms", (double)es[i].at_ms);
        cJSON_AddStringToObject(o, "method", es[i].method);
        cJSON_AddStringToObject(o, "path", es[i].path);
        cJSON_AddNumberToObject(o, "status", es[i].status);
        cJSON_AddBoolToObject(o, "matched", es[i].matched);
        if (es[i].cassette[0]) {
            cJSON_AddStringToObject(o, "cassette", es[i].cassette);
            cJSON_AddStringToObject(o, "interaction", es[i].interaction);
        }
        if (es[i].near_miss[0]) {
            cJSON_AddStringToObject(o, "near_miss", es[i].near_miss);
        }
        cJSON_AddItemToArray(arr, o);
    }
    free(es);
    return arr;
}
