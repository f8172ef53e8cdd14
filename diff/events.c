/* events.c: what a stream says, independent of how it was cut into chunks:
 * SSE event names in order (the chunks' bytes joined and parsed with the
 * client's WHATWG parser) and websocket message kinds; plus the path
 * templates that name endpoints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff_internal.h"
#include "mockkit/sse.h"

const char *mk_diff_path_template(const char *path, char *buf, size_t size)
{
    size_t n = 0;
    const char *p = path ? path : "";
    buf[0] = '\0';
    while (*p) {
        if (*p == '/') {
            if (n + 1 < size)
                buf[n++] = '/';
            p++;
            continue;
        }
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char seg[256];
        snprintf(seg, sizeof seg, "%.*s", (int)len, p);
        const char *out = mk_diff__looks_like_id(seg) ? "{id}" : seg;
        n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s", out);
        if (n >= size)
            n = size - 1;
        p += len;
    }
    buf[n < size ? n : size - 1] = '\0';
    return buf;
}

typedef struct sse_ctx {
    char *names;        /* "a, b+, c" */
    size_t len, cap;
    char last[128];
    int repeated;
    mk_shape *shape;
    const mk_diff_options *o;
    int oom;
} sse_ctx;

static void append(sse_ctx *c, const char *s)
{
    size_t n = strlen(s);
    if (c->len + n + 1 > c->cap) {
        size_t cap = (c->len + n + 1) * 2;
        char *nb = realloc(c->names, cap);
        if (!nb) {
            c->oom = 1;
            return;
        }
        c->names = nb;
        c->cap = cap;
    }
    memcpy(c->names + c->len, s, n + 1);
    c->len += n;
}

static int on_event(void *user, const mkc_sse_event *ev)
{
    sse_ctx *c = user;
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(ev->type_len < 120 ? ev->type_len : 120), ev->type);
    if (strcmp(name, c->last) == 0) {
        if (!c->repeated)
            append(c, "+");
        c->repeated = 1;
    } else {
        if (c->len)
            append(c, ", ");
        append(c, name);
        snprintf(c->last, sizeof c->last, "%s", name);
        c->repeated = 0;
    }
    cJSON *data = mk_json_parse_bounded(ev->data, ev->data_len, NULL); /* recorded, foreign */
    if (data) {
        char prefix[160];
        snprintf(prefix, sizeof prefix, "event:%s", name);
        if (mk_diff__shape_add(c->shape, data, prefix, c->o))
            c->oom = 1;
        cJSON_Delete(data);
    }
    return 0;
}

char *mk_diff__sse_events(const mk_response *r, mk_shape *shape, const mk_diff_options *o)
{
    sse_ctx c;
    memset(&c, 0, sizeof c);
    c.shape = shape;
    c.o = o;
    append(&c, "");
    mkc_sse_parser *p = mkc_sse_parser_new(on_event, NULL, &c);
    if (!p) {
        free(c.names);
        return NULL;
    }
    for (size_t i = 0; i < r->chunk_count; i++)
        mkc_sse_parser_feed(p, r->chunks[i].body.bytes.data, r->chunks[i].body.bytes.len);
    if (r->chunk_count == 0 && r->body.bytes.len)
        mkc_sse_parser_feed(p, r->body.bytes.data, r->body.bytes.len);
    int rc = mkc_sse_parser_finish(p);
    mkc_sse_parser_free(p);
    if (rc == MKC_ETRUNCATED)
        append(&c, c.len ? ", (cut)" : "(cut)");
    if (r->close)
        append(&c, c.len ? ", (closed)" : "(closed)");
    if (c.oom) {
        free(c.names);
        return NULL;
    }
    return c.names;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *frame_type(mk_frame_type t)
{
    static const char *const names[] = {"text", "binary", "ping", "pong", "close"};
    return (unsigned)t < 5 ? names[t] : "?";
}

int mk_diff__ws_kinds(const mk_interaction *ix, char ***set, size_t *count)
{
    for (size_t i = 0; i < ix->frame_count; i++) {
        const mk_frame *f = &ix->frames[i];
        char kind[512];
        size_t n = (size_t)snprintf(kind, sizeof kind, "%s %s",
                                    f->from == MK_FROM_CLIENT ? "client" : "server",
                                    frame_type(f->type));
        cJSON *j = f->payload.kind == MK_BODY_JSON
                       ? cJSON_Duplicate(f->payload.json, 1)
                       : mk_json_parse_bounded((const char *)f->payload.bytes.data,
                                               f->payload.bytes.len, NULL);
        if (cJSON_IsObject(j)) {
            /* Sorted key set. */
            char *keys[64];
            size_t k = 0;
            cJSON *c;
            cJSON_ArrayForEach(c, j)
            {
                if (k < 64)
                    keys[k++] = mk_diff__looks_like_id(c->string) ? "{id}" : c->string;
            }
            qsort(keys, k, sizeof *keys, cmp_str);
            n += (size_t)snprintf(kind + n, n < sizeof kind ? sizeof kind - n : 0, " {");
            for (size_t q = 0; q < k; q++)
                n += (size_t)snprintf(kind + n, n < sizeof kind ? sizeof kind - n : 0, "%s%s",
                                      q ? "," : "", keys[q]);
            snprintf(kind + (n < sizeof kind ? n : sizeof kind - 1),
                     n < sizeof kind ? sizeof kind - n : 1, "}");
        }
        cJSON_Delete(j);
        int have = 0;
        for (size_t s = 0; s < *count; s++)
            if (strcmp((*set)[s], kind) == 0)
                have = 1;
        if (have)
            continue;
        char **ns = realloc(*set, (*count + 1) * sizeof *ns);
        if (!ns)
            return -1;
        *set = ns;
        ns[*count] = strdup(kind);
        if (!ns[*count])
            return -1;
        (*count)++;
        qsort(*set, *count, sizeof **set, cmp_str);
    }
    return 0;
}
