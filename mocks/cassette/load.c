/* load.c: a validated cassette document → the structs of cassette.h.
 * Validation (validate.c) runs first, so conversion only has to handle
 * running out of memory: every allocation failure sets c->nomem and the
 * half-built cassette is freed as a whole. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

typedef struct conv {
    int nomem;
} conv;

static char *cdup(conv *c, const char *s)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        c->nomem = 1;
    return d;
}

static const char *str_of(const cJSON *obj, const char *key)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(m) ? m->valuestring : NULL;
}

static int64_t int_of(const cJSON *obj, const char *key, int64_t dflt)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(m) ? (int64_t)m->valuedouble : dflt;
}

static void *calloc_n(conv *c, size_t n, size_t size)
{
    if (n == 0)
        return NULL;
    void *p = calloc(n, size);
    if (!p)
        c->nomem = 1;
    return p;
}

static void body(conv *c, const cJSON *obj, mk_body *out)
{
    if (mk_cas__body_from(obj, out) != MK_CASSETTE_OK)
        c->nomem = 1;
}

/* Array of strings → char**. */
static char **strings(conv *c, const cJSON *arr, size_t *count, int lower)
{
    *count = 0;
    int n = cJSON_GetArraySize(arr);
    char **out = calloc_n(c, (size_t)n, sizeof *out);
    if (!out)
        return NULL;
    for (const cJSON *e = arr->child; e; e = e->next) {
        char *s = cdup(c, cJSON_IsString(e) ? e->valuestring : "");
        if (s && lower)
            for (char *p = s; *p; p++)
                *p = (char)tolower((unsigned char)*p);
        out[(*count)++] = s;
    }
    return out;
}

/* {name: "v" | ["v1","v2"]} → parallel name/value pairs, arrays expanded. */
static size_t multimap_size(const cJSON *map)
{
    size_t n = 0;
    for (const cJSON *m = map ? map->child : NULL; m; m = m->next)
        n += cJSON_IsArray(m) ? (size_t)cJSON_GetArraySize(m) : 1;
    return n;
}

static void headers(conv *c, const cJSON *obj, mk_headers *out)
{
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(obj, "headers");
    out->items = calloc_n(c, multimap_size(map), sizeof *out->items);
    if (!out->items)
        return;
    for (const cJSON *m = map->child; m; m = m->next) {
        const cJSON *one = cJSON_IsArray(m) ? m->child : m;
        for (; one; one = cJSON_IsArray(m) ? one->next : NULL) {
            mk_header *h = &out->items[out->count++];
            h->name = cdup(c, m->string);
            h->value = cdup(c, cJSON_IsString(one) ? one->valuestring : "");
        }
    }
}

static void query(conv *c, const cJSON *obj, mk_request *r)
{
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(obj, "query");
    r->query = calloc_n(c, multimap_size(map), sizeof *r->query);
    if (!r->query)
        return;
    for (const cJSON *m = map->child; m; m = m->next) {
        const cJSON *one = cJSON_IsArray(m) ? m->child : m;
        for (; one; one = cJSON_IsArray(m) ? one->next : NULL) {
            mk_query_param *q = &r->query[r->query_count++];
            q->name = cdup(c, m->string);
            q->value = cdup(c, cJSON_IsString(one) ? one->valuestring : "");
        }
    }
}

static void request(conv *c, const cJSON *obj, mk_request *r)
{
    r->method = cdup(c, str_of(obj, "method"));
    r->path = cdup(c, str_of(obj, "path"));
    query(c, obj, r);
    headers(c, obj, &r->headers);
    body(c, obj, &r->body);
}

static int enum_index(const char *s, const char *const *names, int dflt)
{
    for (int i = 0; s && names[i]; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return dflt;
}

static void match(conv *c, const cJSON *obj, mk_match *m)
{
    static const char *const query_modes[] = {"subset", "exact", "ignore", NULL};
    static const char *const body_modes[] = {"", "equal", "partial", "ignore", NULL};
    if (!obj)
        return;
    m->path = cdup(c, str_of(obj, "path"));
    m->query = (mk_match_query)enum_index(str_of(obj, "query"), query_modes, 0);
    m->body = (mk_match_body)enum_index(str_of(obj, "body"), body_modes, 0);
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(obj, "headers");
    if (h)
        m->headers = strings(c, h, &m->header_count, 1);
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, "json");
    if (j) {
        m->body_json = cJSON_Duplicate(j, 1);
        if (!m->body_json)
            c->nomem = 1;
    }
}

static void response(conv *c, const cJSON *obj, int64_t req_at, mk_response *r)
{
    r->status = (int)int_of(obj, "status", 0);
    r->at_ms = int_of(obj, "at_ms", req_at);
    headers(c, obj, &r->headers);
    body(c, obj, &r->body);
    r->close = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, "close"));
    const cJSON *ka = cJSON_GetObjectItemCaseSensitive(obj, "keepalive");
    if (ka) {
        r->keepalive_ms = int_of(ka, "every_ms", 0);
        r->keepalive_text = cdup(c, str_of(ka, "text"));
    }
    const cJSON *chunks = cJSON_GetObjectItemCaseSensitive(obj, "chunks");
    if (!chunks)
        return;
    r->streamed = 1;
    r->chunks = calloc_n(c, (size_t)cJSON_GetArraySize(chunks), sizeof *r->chunks);
    if (!r->chunks)
        return;
    for (const cJSON *e = chunks->child; e; e = e->next) {
        mk_chunk *k = &r->chunks[r->chunk_count++];
        k->at_ms = int_of(e, "at_ms", 0);
        body(c, e, &k->body);
        k->after = cdup(c, str_of(e, "after"));
        k->fault = cdup(c, str_of(e, "fault"));
    }
}

static void frames(conv *c, const cJSON *ws, mk_interaction *ix)
{
    static const char *const types[] = {"text", "binary", "ping", "pong", "close", NULL};
    static const char *const matches[] = {"", "exact", "partial", "any", NULL};
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(ws, "frames");
    ix->frames = calloc_n(c, (size_t)cJSON_GetArraySize(arr), sizeof *ix->frames);
    if (!ix->frames)
        return;
    for (const cJSON *e = arr->child; e; e = e->next) {
        mk_frame *f = &ix->frames[ix->frame_count++];
        f->at_ms = int_of(e, "at_ms", 0);
        const char *from = str_of(e, "from");
        f->from = from && strcmp(from, "client") == 0 ? MK_FROM_CLIENT : MK_FROM_SERVER;
        f->type = (mk_frame_type)enum_index(str_of(e, "type"), types, 0);
        body(c, e, &f->payload);
        f->close_code = (int)int_of(e, "code", 0);
        f->close_reason = cdup(c, str_of(e, "reason"));
        f->match = (mk_frame_match)enum_index(str_of(e, "match"), matches, 0);
        f->after = cdup(c, str_of(e, "after"));
        f->fault = cdup(c, str_of(e, "fault"));
    }
}

static void interaction(conv *c, const cJSON *obj, size_t index, mk_interaction *ix)
{
    char gen[32];
    const char *id = str_of(obj, "id");
    if (!id) {
        snprintf(gen, sizeof gen, "ix-%zu", index);
        id = gen;
    }
    ix->id = cdup(c, id);
    ix->index = index;
    ix->at_ms = int_of(obj, "at_ms", 0);
    ix->note = cdup(c, str_of(obj, "note"));
    ix->fault = cdup(c, str_of(obj, "fault"));
    request(c, cJSON_GetObjectItemCaseSensitive(obj, "request"), &ix->request);
    match(c, cJSON_GetObjectItemCaseSensitive(obj, "match"), &ix->match);
    const cJSON *ws = cJSON_GetObjectItemCaseSensitive(obj, "websocket");
    if (ws) {
        ix->kind = MK_IX_WEBSOCKET;
        frames(c, ws, ix);
    } else {
        ix->kind = MK_IX_HTTP;
        response(c, cJSON_GetObjectItemCaseSensitive(obj, "response"), ix->at_ms,
                 &ix->response);
    }
}

static void meta(conv *c, const cJSON *obj, mk_meta *m)
{
    m->service = cdup(c, str_of(obj, "service"));
    m->name = cdup(c, str_of(obj, "name"));
    m->description = cdup(c, str_of(obj, "description"));
    m->created = cdup(c, str_of(obj, "created"));
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(obj, "source");
    m->source.kind = cdup(c, str_of(src, "kind"));
    m->source.url = cdup(c, str_of(src, "url"));
    m->source.version = cdup(c, str_of(src, "version"));
    const cJSON *refs = cJSON_GetObjectItemCaseSensitive(src, "refs");
    if (refs)
        m->source.refs = strings(c, refs, &m->source.ref_count, 0);
    const cJSON *red = cJSON_GetObjectItemCaseSensitive(obj, "redactions");
    if (red)
        m->redactions = strings(c, red, &m->redaction_count, 0);
}

int mk_cassette_from_json(const cJSON *root, const char *name, mk_cassette **out,
                          mk_diag *diag)
{
    if (out)
        *out = NULL;
    if (!name)
        name = "<memory>";
    mk_cas__diag_init(diag, name);
    if (!root || !out)
        return mk_cas__diag(diag, MK_CASSETTE_EINVAL, name, "NULL %s",
                            root ? "out" : "document");
    mk_diag first;
    mk_cas__diag_init(&first, name);
    if (mk_cas__validate(root, mk_cas__first_issue, &first) > 0) {
        if (diag)
            *diag = first;
        return MK_CASSETTE_ESCHEMA;
    }

    conv c = {0};
    mk_cassette *cas = calloc(1, sizeof *cas);
    if (!cas)
        return mk_cas__diag(diag, MK_CASSETTE_ENOMEM, name, "out of memory");
    cas->path = cdup(&c, name);
    cas->version = MK_CASSETTE_VERSION;
    meta(&c, cJSON_GetObjectItemCaseSensitive(root, "meta"), &cas->meta);
    const cJSON *ixs = cJSON_GetObjectItemCaseSensitive(root, "interactions");
    cas->interactions = calloc_n(&c, (size_t)cJSON_GetArraySize(ixs), sizeof *cas->interactions);
    if (cas->interactions) {
        size_t i = 0;
        for (const cJSON *e = ixs->child; e; e = e->next, i++) {
            interaction(&c, e, i, &cas->interactions[i]);
            cas->count = i + 1;
        }
    }
    if (c.nomem) {
        mk_cassette_free(cas);
        return mk_cas__diag(diag, MK_CASSETTE_ENOMEM, name, "out of memory");
    }
    *out = cas;
    return MK_CASSETTE_OK;
}

int mk_cassette_parse(const char *text, size_t len, const char *name, mk_cassette **out,
                      mk_diag *diag)
{
    if (out)
        *out = NULL;
    if (!name)
        name = "<memory>";
    if (!text || !out)
        return mk_cas__diag(diag, MK_CASSETTE_EINVAL, name, "NULL %s", text ? "out" : "text");
    int rc = MK_CASSETTE_OK;
    cJSON *root = mk_cas__parse_text(text, len, name, diag, &rc);
    if (!root)
        return rc;
    rc = mk_cassette_from_json(root, name, out, diag);
    cJSON_Delete(root);
    return rc;
}

int mk_cassette_load(const char *path, mk_cassette **out, mk_diag *diag)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return mk_cas__diag(diag, MK_CASSETTE_EINVAL, path ? path : "<null>", "NULL %s",
                            path ? "out" : "path");
    size_t len = 0;
    mk_cas__diag_init(diag, path);
    char *text = NULL;
    int rc = mk_cas__read_file(path, &text, &len, diag);
    if (rc != MK_CASSETTE_OK)
        return rc;
    rc = mk_cassette_parse(text, len, path, out, diag);
    free(text);
    return rc;
}

static void free_headers(mk_headers *h)
{
    for (size_t i = 0; i < h->count; i++) {
        free(h->items[i].name);
        free(h->items[i].value);
    }
    free(h->items);
}

static void free_strings(char **s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

static void free_interaction(mk_interaction *ix)
{
    free(ix->id);
    free(ix->note);
    free(ix->fault);
    free(ix->request.method);
    free(ix->request.path);
    for (size_t i = 0; i < ix->request.query_count; i++) {
        free(ix->request.query[i].name);
        free(ix->request.query[i].value);
    }
    free(ix->request.query);
    free_headers(&ix->request.headers);
    mk_cas__body_free(&ix->request.body);
    free(ix->match.path);
    free_strings(ix->match.headers, ix->match.header_count);
    cJSON_Delete(ix->match.body_json);
    free_headers(&ix->response.headers);
    mk_cas__body_free(&ix->response.body);
    for (size_t i = 0; i < ix->response.chunk_count; i++) {
        mk_cas__body_free(&ix->response.chunks[i].body);
        free(ix->response.chunks[i].after);
        free(ix->response.chunks[i].fault);
    }
    free(ix->response.chunks);
    free(ix->response.keepalive_text);
    for (size_t i = 0; i < ix->frame_count; i++) {
        mk_cas__body_free(&ix->frames[i].payload);
        free(ix->frames[i].close_reason);
        free(ix->frames[i].after);
        free(ix->frames[i].fault);
    }
    free(ix->frames);
}

void mk_cassette_free(mk_cassette *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->count; i++)
        free_interaction(&c->interactions[i]);
    free(c->interactions);
    free(c->meta.service);
    free(c->meta.name);
    free(c->meta.description);
    free(c->meta.created);
    free(c->meta.source.kind);
    free(c->meta.source.url);
    free(c->meta.source.version);
    free_strings(c->meta.source.refs, c->meta.source.ref_count);
    free_strings(c->meta.redactions, c->meta.redaction_count);
    free(c->path);
    free(c);
}

const mk_interaction *mk_cassette_find(const mk_cassette *c, const char *id)
{
    if (!c || !id)
        return NULL;
    for (size_t i = 0; i < c->count; i++)
        if (c->interactions[i].id && strcmp(c->interactions[i].id, id) == 0)
            return &c->interactions[i];
    return NULL;
}

const char *mk_headers_get(const mk_headers *h, const char *name)
{
    if (!h || !name)
        return NULL;
    for (size_t i = 0; i < h->count; i++)
        if (h->items[i].name && strcasecmp(h->items[i].name, name) == 0)
            return h->items[i].value;
    return NULL;
}
