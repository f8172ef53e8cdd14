/* diff.c: pair the endpoints of two cassettes and report what changed. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff_internal.h"

static const char *const kind_names[] = {
    "endpoint-added", "endpoint-removed", "status-changed", "field-added", "field-removed",
    "field-type",     "value-changed",    "sse-events",     "ws-messages", "timing",
    "count"};

const char *mk_diff_kind_name(mk_diff_kind kind)
{
    return (unsigned)kind < MK_DIFF_KIND_COUNT_ ? kind_names[kind] : "?";
}

void mk_diff_options_init(mk_diff_options *o)
{
    memset(o, 0, sizeof *o);
    o->timing_threshold_pct = 50.0;
    o->timing_min_ms = 50;
}

void mk_diff_result_free(mk_diff_result *r)
{
    if (!r)
        return;
    free(r->items);
    free(r);
}

const char *mk_diff_format(const mk_diff_finding *f, char *buf, size_t size)
{
    snprintf(buf, size, "%-16s %s%s%s: %s", mk_diff_kind_name(f->kind), f->endpoint,
             f->where[0] ? " " : "", f->where, f->message);
    return buf;
}

typedef struct endpoint {
    char key[300];
    const mk_interaction **ixs;
    size_t n;
} endpoint;

typedef struct side {
    endpoint *eps;
    size_t n;
} side;

static void side_free(side *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->eps[i].ixs);
    free(s->eps);
}

static endpoint *find(side *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->eps[i].key, key) == 0)
            return &s->eps[i];
    return NULL;
}

static void ix_key(const mk_interaction *ix, char *buf, size_t size)
{
    char tpl[256];
    mk_diff_path_template(ix->match.path ? ix->match.path : ix->request.path, tpl, sizeof tpl);
    snprintf(buf, size, "%s %s", ix->kind == MK_IX_WEBSOCKET ? "WS" : ix->request.method, tpl);
}

static int build(side *s, const mk_cassette *c)
{
    memset(s, 0, sizeof *s);
    s->eps = calloc(c->count ? c->count : 1, sizeof *s->eps);
    if (!s->eps)
        return -1;
    for (size_t i = 0; i < c->count; i++) {
        char key[300];
        ix_key(&c->interactions[i], key, sizeof key);
        endpoint *e = find(s, key);
        if (!e) {
            e = &s->eps[s->n++];
            snprintf(e->key, sizeof e->key, "%s", key);
        }
        const mk_interaction **n = realloc(e->ixs, (e->n + 1) * sizeof *n);
        if (!n)
            return -1;
        e->ixs = n;
        e->ixs[e->n++] = &c->interactions[i];
    }
    return 0;
}

typedef struct ctx {
    mk_diff_result *res;
    size_t cap;
    const mk_diff_options *o;
    int oom;
} ctx;

static void add(ctx *c, mk_diff_kind kind, const char *ep, const char *where,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void add(ctx *c, mk_diff_kind kind, const char *ep, const char *where,
                const char *fmt, ...)
{
    if (c->res->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        mk_diff_finding *n = realloc(c->res->items, cap * sizeof *n);
        if (!n) {
            c->oom = 1;
            return;
        }
        c->res->items = n;
        c->cap = cap;
    }
    mk_diff_finding *f = &c->res->items[c->res->count++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    snprintf(f->endpoint, sizeof f->endpoint, "%s", ep);
    snprintf(f->where, sizeof f->where, "%s", where ? where : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
}

/* Statuses of an endpoint as "200,404" (sorted, distinct). */
static void statuses(const endpoint *e, char *buf, size_t size)
{
    int seen[600] = {0};
    for (size_t i = 0; i < e->n; i++)
        if (e->ixs[i]->kind == MK_IX_HTTP && e->ixs[i]->response.status < 600)
            seen[e->ixs[i]->response.status] = 1;
    size_t n = 0;
    buf[0] = '\0';
    for (int s = 0; s < 600; s++)
        if (seen[s])
            n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%d", n ? "," : "", s);
}

/* The JSON of a body: parsed value, or text that is JSON. Caller deletes. */
static cJSON *body_json(const mk_body *b)
{
    if (b->kind == MK_BODY_JSON && b->json)
        return cJSON_Duplicate(b->json, 1);
    /* bounded: recorded bodies came from a live service */
    return mk_json_parse_bounded((const char *)b->bytes.data, b->bytes.len, NULL);
}

/* Shape of every response of status `status`; SSE event sequences go to seqs. */
static void shape_of(ctx *c, const endpoint *e, int status, mk_shape *shape)
{
    for (size_t i = 0; i < e->n; i++) {
        const mk_interaction *ix = e->ixs[i];
        if (ix->kind != MK_IX_HTTP || ix->response.status != status)
            continue;
        if (ix->response.streamed) {
            char *seq = mk_diff__sse_events(&ix->response, shape, c->o);
            free(seq);
            continue;
        }
        cJSON *j = body_json(&ix->response.body);
        if (j && mk_diff__shape_add(shape, j, "", c->o))
            c->oom = 1;
        cJSON_Delete(j);
    }
}

/* 1 when the parent of path is itself missing from other (report only the
 * top). A whole SSE event ("event:name") is the event order's business. */
static int parent_missing(const char *path, const mk_shape *other)
{
    if (strncmp(path, "event:", 6) == 0 && !strchr(path, '/'))
        return 1;
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return 0;
    char parent[1024];
    snprintf(parent, sizeof parent, "%.*s", (int)(slash - path), path);
    return mk_diff__shape_get(other, parent) == NULL;
}

static void compare_shapes(ctx *c, const char *key, int status, const mk_shape *a,
                           const mk_shape *b)
{
    char ta[64], tb[64];
    for (size_t i = 0; i < a->count; i++) {
        const mk_shape_entry *ea = &a->items[i];
        const mk_shape_entry *eb = mk_diff__shape_get(b, ea->path);
        if (!eb) {
            if (!parent_missing(ea->path, b))
                add(c, MK_DIFF_FIELD_REMOVED, key, ea->path, "%d response: %s field only in A",
                    status, mk_diff__types_name(ea->types, ta, sizeof ta));
            continue;
        }
        unsigned xa = ea->types & ~(unsigned)MK_T_NULL, xb = eb->types & ~(unsigned)MK_T_NULL;
        if (xa && xb && xa != xb)
            add(c, MK_DIFF_FIELD_TYPE, key, ea->path, "%d response: %s -> %s", status,
                mk_diff__types_name(ea->types, ta, sizeof ta),
                mk_diff__types_name(eb->types, tb, sizeof tb));
        if (ea->values && eb->values && strcmp(ea->values, eb->values) != 0)
            add(c, MK_DIFF_VALUE, key, ea->path, "%d response: \"%s\" -> \"%s\"", status,
                ea->values, eb->values);
    }
    for (size_t i = 0; i < b->count; i++) {
        const mk_shape_entry *eb = &b->items[i];
        if (!mk_diff__shape_get(a, eb->path) && !parent_missing(eb->path, a))
            add(c, MK_DIFF_FIELD_ADDED, key, eb->path, "%d response: %s field only in B", status,
                mk_diff__types_name(eb->types, tb, sizeof tb));
    }
}

/* i-th streamed interaction of an endpoint, or NULL. */
static const mk_interaction *nth_streamed(const endpoint *e, size_t nth)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->ixs[i]->kind == MK_IX_HTTP && e->ixs[i]->response.streamed && nth-- == 0)
            return e->ixs[i];
    return NULL;
}

static void compare_sse(ctx *c, const endpoint *ea, const endpoint *eb)
{
    for (size_t i = 0;; i++) {
        const mk_interaction *a = nth_streamed(ea, i), *b = nth_streamed(eb, i);
        if (!a || !b)
            return;
        mk_shape sa = {0}, sb = {0};
        char *qa = mk_diff__sse_events(&a->response, &sa, c->o);
        char *qb = mk_diff__sse_events(&b->response, &sb, c->o);
        int differ = qa && qb && strcmp(qa, qb) != 0;
        if (differ)
            add(c, MK_DIFF_SSE_EVENTS, ea->key, "", "stream %zu: [%s] -> [%s]", i + 1, qa, qb);
        if (!qa || !qb)
            c->oom = 1;
        free(qa);
        free(qb);
        mk_diff__shape_free(&sa);
        mk_diff__shape_free(&sb);
        if (differ)
            return; /* one report per endpoint is enough to act on */
    }
}

static void compare_ws(ctx *c, const endpoint *ea, const endpoint *eb)
{
    char **ka = NULL, **kb = NULL;
    size_t na = 0, nb = 0;
    for (size_t i = 0; i < ea->n; i++)
        if (mk_diff__ws_kinds(ea->ixs[i], &ka, &na))
            c->oom = 1;
    for (size_t i = 0; i < eb->n; i++)
        if (mk_diff__ws_kinds(eb->ixs[i], &kb, &nb))
            c->oom = 1;
    for (size_t i = 0; i < na; i++) {
        int have = 0;
        for (size_t j = 0; j < nb; j++)
            have |= strcmp(ka[i], kb[j]) == 0;
        if (!have)
            add(c, MK_DIFF_WS_MESSAGES, ea->key, "", "message kind only in A: %s", ka[i]);
    }
    for (size_t j = 0; j < nb; j++) {
        int have = 0;
        for (size_t i = 0; i < na; i++)
            have |= strcmp(ka[i], kb[j]) == 0;
        if (!have)
            add(c, MK_DIFF_WS_MESSAGES, ea->key, "", "message kind only in B: %s", kb[j]);
    }
    for (size_t i = 0; i < na; i++)
        free(ka[i]);
    for (size_t j = 0; j < nb; j++)
        free(kb[j]);
    free(ka);
    free(kb);
}

/* Latency (plain), first-chunk latency and duration (streams, sockets). */
static void timings(const mk_interaction *ix, long t[3])
{
    t[0] = t[1] = t[2] = -1;
    if (ix->kind == MK_IX_WEBSOCKET) {
        if (ix->frame_count)
            t[2] = (long)(ix->frames[ix->frame_count - 1].at_ms - ix->at_ms);
    } else if (ix->response.streamed) {
        if (ix->response.chunk_count) {
            t[1] = (long)(ix->response.chunks[0].at_ms - ix->at_ms);
            t[2] = (long)(ix->response.chunks[ix->response.chunk_count - 1].at_ms - ix->at_ms);
        }
    } else {
        t[0] = (long)(ix->response.at_ms - ix->at_ms);
    }
}

static void compare_timing(ctx *c, const endpoint *ea, const endpoint *eb)
{
    static const char *const names[] = {"latency", "first-chunk", "duration"};
    double pct = c->o->timing_threshold_pct > 0 ? c->o->timing_threshold_pct : 50.0;
    long min = c->o->timing_min_ms > 0 ? c->o->timing_min_ms : 50;
    int reported[3] = {0};
    size_t n = ea->n < eb->n ? ea->n : eb->n;
    for (size_t i = 0; i < n; i++) {
        long ta[3], tb[3];
        timings(ea->ixs[i], ta);
        timings(eb->ixs[i], tb);
        for (int m = 0; m < 3; m++) {
            if (reported[m] || ta[m] < 0 || tb[m] < 0)
                continue;
            long d = tb[m] > ta[m] ? tb[m] - ta[m] : ta[m] - tb[m];
            double base = ta[m] > 0 ? (double)ta[m] : 1.0;
            if (d >= min && (double)d * 100.0 > pct * base) {
                add(c, MK_DIFF_TIMING, ea->key, names[m], "%ld ms -> %ld ms (%+.0f%%, threshold %.0f%%)",
                    ta[m], tb[m], ((double)tb[m] - (double)ta[m]) * 100.0 / base, pct);
                reported[m] = 1;
            }
        }
    }
}

static void compare_endpoint(ctx *c, const endpoint *ea, const endpoint *eb)
{
    char sa[256], sb[256];
    statuses(ea, sa, sizeof sa);
    statuses(eb, sb, sizeof sb);
    if (strcmp(sa, sb) != 0)
        add(c, MK_DIFF_STATUS, ea->key, "", "%s -> %s", sa[0] ? sa : "-", sb[0] ? sb : "-");
    /* Shapes per status both sides answered with. */
    int done[600] = {0};
    for (size_t i = 0; i < ea->n; i++) {
        const mk_interaction *ix = ea->ixs[i];
        int st = ix->response.status;
        if (ix->kind != MK_IX_HTTP || st < 100 || st >= 600 || done[st])
            continue;
        done[st] = 1;
        int in_b = 0;
        for (size_t j = 0; j < eb->n; j++)
            in_b |= eb->ixs[j]->kind == MK_IX_HTTP && eb->ixs[j]->response.status == st;
        if (!in_b)
            continue;
        mk_shape xa = {0}, xb = {0};
        shape_of(c, ea, st, &xa);
        shape_of(c, eb, st, &xb);
        compare_shapes(c, ea->key, st, &xa, &xb);
        mk_diff__shape_free(&xa);
        mk_diff__shape_free(&xb);
    }
    compare_sse(c, ea, eb);
    compare_ws(c, ea, eb);
    compare_timing(c, ea, eb);
}

int mk_diff_cassettes(const mk_cassette *a, const mk_cassette *b, const mk_diff_options *o,
                      mk_diff_result **out)
{
    if (!a || !b || !out)
        return MK_CASSETTE_EINVAL;
    *out = NULL;
    mk_diff_options dflt;
    mk_diff_options_init(&dflt);
    ctx c;
    memset(&c, 0, sizeof c);
    c.o = o ? o : &dflt;
    c.res = calloc(1, sizeof *c.res);
    side sa, sb;
    int brc = build(&sa, a);
    brc |= build(&sb, b);
    if (!c.res || brc) {
        side_free(&sa);
        side_free(&sb);
        mk_diff_result_free(c.res);
        return MK_CASSETTE_ENOMEM;
    }
    c.res->endpoints_a = sa.n;
    c.res->endpoints_b = sb.n;
    for (size_t i = 0; i < sa.n; i++) {
        endpoint *eb = find(&sb, sa.eps[i].key);
        if (!eb)
            add(&c, MK_DIFF_ENDPOINT_REMOVED, sa.eps[i].key, "", "only in A (%zu interactions)",
                sa.eps[i].n);
        else
            compare_endpoint(&c, &sa.eps[i], eb);
    }
    for (size_t i = 0; i < sb.n; i++)
        if (!find(&sa, sb.eps[i].key))
            add(&c, MK_DIFF_ENDPOINT_ADDED, sb.eps[i].key, "", "only in B (%zu interactions)",
                sb.eps[i].n);
    side_free(&sa);
    side_free(&sb);
    if (c.oom) {
        mk_diff_result_free(c.res);
        return MK_CASSETTE_ENOMEM;
    }
    *out = c.res;
    return MK_CASSETTE_OK;
}

int mk_diff_files(const char *path_a, const char *path_b, const mk_diff_options *o,
                  mk_diff_result **out, mk_diag *diag)
{
    mk_cassette *a = NULL, *b = NULL;
    if (out)
        *out = NULL;
    int rc = mk_cassette_load(path_a, &a, diag);
    if (rc == MK_CASSETTE_OK)
        rc = mk_cassette_load(path_b, &b, diag);
    if (rc == MK_CASSETTE_OK)
        rc = mk_diff_cassettes(a, b, o, out);
    mk_cassette_free(a);
    mk_cassette_free(b);
    return rc;
}
