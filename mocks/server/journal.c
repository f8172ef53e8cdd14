/* journal.c: the bounded ring of requests the mock received. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock_internal.h"

int mk__journal_init(mk__journal *j, size_t cap)
{
    memset(j, 0, sizeof(*j));
    j->ring = calloc(cap, sizeof(*j->ring));
    j->detail = calloc(cap, sizeof(*j->detail));
    j->cap = cap;
    return j->ring && j->detail ? 0 : -1;
}

void mk__journal_free(mk__journal *j)
{
    mk__journal_clear(j);
    free(j->ring);
    free(j->detail);
    j->ring = NULL;
    j->detail = NULL;
}

mk__jdetail *mk__journal_add(mk__journal *j, const mk_journal_entry *e, mk__jdetail *d)
{
    size_t slot = (j->head + j->count) % j->cap;
    mk__jdetail *dropped = NULL;
    if (j->count == j->cap) {
        j->head = (j->head + 1) % j->cap; /* drop the oldest */
        dropped = j->detail[slot];
    } else {
        j->count++;
    }
    j->ring[slot] = *e;
    j->ring[slot].seq = ++j->seq;
    j->detail[slot] = d;
    return dropped;
}

void mk__journal_clear(mk__journal *j)
{
    for (size_t i = 0; j->detail && i < j->cap; i++) {
        free(j->detail[i]);
        j->detail[i] = NULL;
    }
    j->head = j->count = 0;
    j->seq = 0;
}

/* Headers and the first MK__JOURNAL_BODY body bytes, in one block (the
 * only allocation a request adds to the journal). NULL on ENOMEM. */
static mk__jdetail *capture(const mk__req *req)
{
    size_t hlen = 0, blen = req->body_len < MK__JOURNAL_BODY ? req->body_len : MK__JOURNAL_BODY;
    int n = req->ri ? req->ri->num_headers : 0;
    mk__jdetail *d;
    char *p;
    for (int i = 0; i < n; i++) {
        hlen += strlen(req->ri->http_headers[i].name) + strlen(req->ri->http_headers[i].value) + 2;
    }
    d = malloc(sizeof(*d) + hlen + blen);
    if (!d) {
        return NULL;
    }
    d->hlen = hlen;
    d->blen = blen;
    d->body_total = req->body_len;
    p = d->data;
    for (int i = 0; i < n; i++) {
        size_t a = strlen(req->ri->http_headers[i].name) + 1;
        size_t b = strlen(req->ri->http_headers[i].value) + 1;
        memcpy(p, req->ri->http_headers[i].name, a);
        memcpy(p + a, req->ri->http_headers[i].value, b);
        p += a + b;
    }
    if (blen) {
        memcpy(p, req->body, blen);
    }
    return d;
}

size_t mk__journal_copy(const struct mk_mock *m, mk_journal_entry *out, mk__jdetail **details,
                        size_t max)
{
    size_t n, skip;
    pthread_mutex_lock(m->mu_ref);
    n = m->journal.count < max ? m->journal.count : max;
    skip = m->journal.count - n; /* keep the most recent */
    for (size_t i = 0; i < n; i++) {
        size_t slot = (m->journal.head + skip + i) % m->journal.cap;
        const mk__jdetail *d = m->journal.detail[slot];
        out[i] = m->journal.ring[slot];
        details[i] = NULL;
        if (d && (details[i] = malloc(sizeof(*d) + d->hlen + d->blen)) != NULL) {
            memcpy(details[i], d, sizeof(*d) + d->hlen + d->blen);
        }
    }
    pthread_mutex_unlock(m->mu_ref);
    return n;
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
    mk__jdetail *d;
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
    d = capture(req); /* NULL (out of memory): the entry without detail */
    pthread_mutex_lock(&m->mu);
    d = mk__journal_add(&m->journal, &e, d);
    pthread_mutex_unlock(&m->mu);
    free(d);
}

size_t mk_mock_journal(const mk_mock *m, mk_journal_entry *out, size_t max)
{
    size_t n, skip;
    if (!m || !out) {
        return 0;
    }
    pthread_mutex_lock(m->mu_ref);
    n = m->journal.count < max ? m->journal.count : max;
    skip = m->journal.count - n; /* keep the most recent */
    for (size_t i = 0; i < n; i++) {
        out[i] = m->journal.ring[(m->journal.head + skip + i) % m->journal.cap];
    }
    pthread_mutex_unlock(m->mu_ref);
    return n;
}
