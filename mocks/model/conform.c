/* conform.c: walk a cassette (or live bytes) and check each payload
 * against a service model. Failures are invalid, non-JSON and unbound
 * payloads; payloads bound to null are counted as skipped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mockkit/sse.h"
#include "mockkit/conform.h"

typedef struct walk {
    const mk_model *m;
    const char *file;
    const mk_interaction *ix;
    mk_conform_fn fn;
    void *ctx;
    mk_conform_counts *counts;
    long failures;
    int oom;
} walk;

static void report(walk *w, mk_conform_finding *f)
{
    switch (f->status) {
    case MK_MODEL_OK:
        w->counts->checked++;
        break;
    case MK_MODEL_SKIPPED:
        w->counts->skipped++;
        break;
    case MK_MODEL_UNBOUND:
        w->counts->unbound++;
        w->failures++;
        break;
    case MK_MODEL_ENOMEM:
        w->oom = 1;
        break;
    default:
        w->counts->invalid++;
        w->failures++;
        break;
    }
    if (w->fn)
        w->fn(w->ctx, f);
}

static void check_one(walk *w, const mk_model_payload *p, const char *text, size_t len,
                      const char *where)
{
    mk_conform_finding f;
    memset(&f, 0, sizeof(f));
    f.file = w->file;
    f.ix = w->ix;
    f.payload = *p;
    snprintf(f.where, sizeof(f.where), "%s", where);
    f.status = mk_model_lookup(w->m, p, &f.type, &f.error);
    if (f.status != MK_MODEL_OK) {
        report(w, &f);
        return;
    }
    if (p->part == MK_MODEL_SSE && len == 6 && memcmp(text, "[DONE]", 6) == 0) {
        f.status = mk_model_check(w->m, p, text, len, &f.error);
        report(w, &f);
        return;
    }
    /* A live reply is foreign: bounded, so a hostile nesting cannot take
     * the stack (mockkit/cassette.h); a NUL or trailing bytes are not JSON. */
    int too_deep = 0;
    size_t stop = 0;
    cJSON *v = len && memchr(text, '\0', len) ? NULL
                                        : mk_json_parse_bounded_at(text, len, 1, &too_deep, &stop);
    if (!v) {
        f.status = MK_MODEL_ENOTJSON;
        if (too_deep)
            snprintf(f.error.message, sizeof(f.error.message),
                     "nests deeper than %d levels, but bound to %s", MK_JSON_MAX_DEPTH, f.type);
        else
            snprintf(f.error.message, sizeof(f.error.message),
                     "not JSON (byte %zu of %zu), but bound to %s", stop, len, f.type);
    } else {
        f.value = v;
        f.status = mk_model_validate_type(w->m, f.type, v, &f.error);
    }
    report(w, &f);
    cJSON_Delete(v);
}

typedef struct sse_walk {
    walk *w;
    const char *method;
    const char *path;
    int status;
    const char *where;
    size_t n;
} sse_walk;

static int on_event(void *user, const mkc_sse_event *ev)
{
    sse_walk *s = user;
    char name[128];
    snprintf(name, sizeof(name), "%.*s", (int)(ev->type_len < 127 ? ev->type_len : 127), ev->type);
    mk_model_payload p = {MK_MODEL_SSE, s->method, s->path, s->status, name};
    char where[320];
    snprintf(where, sizeof(where), "%.200s: SSE event %zu \"%.80s\"", s->where, s->n++, name);
    check_one(s->w, &p, ev->data, ev->data_len, where);
    return s->w->oom;
}

static long sse_stream(walk *w, const char *method, const char *path, int status,
                       const void *bytes, size_t len, const char *where)
{
    sse_walk s = {w, method, path, status, where, 0};
    mkc_sse_parser *parser = mkc_sse_parser_new(on_event, NULL, &s);
    if (!parser)
        return -1;
    mkc_sse_parser_feed(parser, bytes, len);
    mkc_sse_parser_finish(parser);
    mkc_sse_parser_free(parser);
    return w->oom ? -1 : 0;
}

static int is_sse(const mk_response *r)
{
    const char *ct = mk_headers_get(&r->headers, "content-type");
    return ct && strncasecmp(ct, "text/event-stream", 17) == 0;
}

static int check_http(walk *w, const mk_interaction *ix, char *where, size_t wsize)
{
    const mk_request *rq = &ix->request;
    const mk_response *rs = &ix->response;
    if (rq->body.bytes.len) {
        mk_model_payload p = {MK_MODEL_REQUEST, rq->method, rq->path, 0, NULL};
        snprintf(where, wsize, "/interactions/%zu/request", ix->index);
        check_one(w, &p, (const char *)rq->body.bytes.data, rq->body.bytes.len, where);
    }
    /* A HEAD response has no body whatever the headers say. */
    if (strcasecmp(rq->method, "HEAD") == 0)
        return w->oom ? -1 : 0;
    if (rs->streamed) {
        size_t total = 0;
        for (size_t i = 0; i < rs->chunk_count; i++)
            total += rs->chunks[i].body.bytes.len;
        char *all = malloc(total + 1);
        if (!all)
            return -1;
        size_t at = 0;
        for (size_t i = 0; i < rs->chunk_count; i++) {
            if (rs->chunks[i].body.bytes.len)
                memcpy(all + at, rs->chunks[i].body.bytes.data, rs->chunks[i].body.bytes.len);
            at += rs->chunks[i].body.bytes.len;
        }
        all[total] = '\0';
        snprintf(where, wsize, "/interactions/%zu/response/chunks", ix->index);
        long rc = 0;
        if (is_sse(rs)) {
            rc = sse_stream(w, rq->method, rq->path, rs->status, all, total, where);
        } else if (total) {
            mk_model_payload p = {MK_MODEL_RESPONSE, rq->method, rq->path, rs->status, NULL};
            check_one(w, &p, all, total, where);
        }
        free(all);
        return rc < 0 || w->oom ? -1 : 0;
    }
    if (rs->body.bytes.len) {
        mk_model_payload p = {MK_MODEL_RESPONSE, rq->method, rq->path, rs->status, NULL};
        snprintf(where, wsize, "/interactions/%zu/response", ix->index);
        check_one(w, &p, (const char *)rs->body.bytes.data, rs->body.bytes.len, where);
    }
    return w->oom ? -1 : 0;
}

static void check_ws(walk *w, const mk_interaction *ix, char *where, size_t wsize)
{
    for (size_t i = 0; i < ix->frame_count; i++) {
        const mk_frame *fr = &ix->frames[i];
        if (fr->type != MK_FRAME_TEXT && fr->type != MK_FRAME_BINARY)
            continue;
        mk_model_payload p = {fr->from == MK_FROM_CLIENT ? MK_MODEL_WS_CLIENT : MK_MODEL_WS_SERVER,
                              NULL, ix->request.path, 0, NULL};
        snprintf(where, wsize, "/interactions/%zu/websocket/frames/%zu", ix->index, i);
        check_one(w, &p, (const char *)fr->payload.bytes.data, fr->payload.bytes.len, where);
    }
}

long mk_conform_cassette(const mk_model *m, const mk_cassette *c, mk_conform_fn fn, void *ctx,
                         mk_conform_counts *counts)
{
    mk_conform_counts local = {0};
    walk w = {m, c ? c->path : NULL, NULL, fn, ctx, counts ? counts : &local, 0, 0};
    if (!m || !c)
        return -1;
    char where[160];
    for (size_t i = 0; i < c->count && !w.oom; i++) {
        w.ix = &c->interactions[i];
        if (w.ix->kind == MK_IX_WEBSOCKET)
            check_ws(&w, w.ix, where, sizeof(where));
        else if (check_http(&w, w.ix, where, sizeof(where)) < 0)
            w.oom = 1;
    }
    return w.oom ? -1 : w.failures;
}

int mk_conform_bytes(const mk_model *m, const mk_model_payload *p, const char *text, size_t len,
                     mk_conform_fn fn, void *ctx, mk_conform_counts *counts)
{
    mk_conform_counts local = {0};
    walk w = {m, "<live>", NULL, fn, ctx, counts ? counts : &local, 0, 0};
    if (!m || !p)
        return -1;
    check_one(&w, p, text ? text : "", text ? len : 0, "<live>");
    return w.oom ? -1 : (int)w.failures;
}

long mk_conform_sse(const mk_model *m, const char *method, const char *path, int status,
                    const void *stream, size_t len, mk_conform_fn fn, void *ctx,
                    mk_conform_counts *counts)
{
    mk_conform_counts local = {0};
    walk w = {m, "<live>", NULL, fn, ctx, counts ? counts : &local, 0, 0};
    if (!m || !method || !path)
        return -1;
    if (sse_stream(&w, method, path, status, stream ? stream : "", stream ? len : 0, "<live>") < 0)
        return -1;
    return w.failures;
}
