/* admin.c: runtime control of a running mock: who may use /__mockkit/,
 * and adding, replacing, removing and reloading cassettes (HTTP and C).
 * The swap itself is engine.c's (reference-counted sets). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mock_internal.h"

/* ---- access ------------------------------------------------------------ */

static int loopback(const char *addr)
{
    return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 ||
           strncmp(addr, "::ffff:127.", 11) == 0;
}

/* Compare without stopping at the first difference, so the time taken does
 * not tell a guesser how much of the token was right. */
static int same_secret(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = (unsigned char)(la != lb);
    for (size_t i = 0; i < la; i++) {
        diff |= (unsigned char)(a[i] ^ (i < lb ? b[i] : 0));
    }
    return diff == 0;
}

static void reply_error(mk__reply *out, int status, const char *msg, const mk_diag *d)
{
    cJSON *o = cJSON_CreateObject();
    out->status = status;
    out->content_type = "application/json";
    if (!o) {
        return;
    }
    cJSON_AddStringToObject(o, "error", msg);
    if (d) {
        char text[1400];
        cJSON_AddStringToObject(o, "message", mk_diag_format(d, text, sizeof(text)));
        cJSON_AddStringToObject(o, "file", d->file);
        if (d->line > 0) {
            cJSON_AddNumberToObject(o, "line", d->line);
            cJSON_AddNumberToObject(o, "column", d->column);
        }
        if (d->pointer[0]) {
            cJSON_AddStringToObject(o, "pointer", d->pointer);
        }
    }
    out->body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
}

int mk__admin_denied(struct mk_mock *m, const mk__req *req, mk__reply *out)
{
    const char *addr = req->ri ? req->ri->remote_addr : "";
    if (m->admin_token) {
        const char *got = mk__req_header(req, "X-Mockkit-Admin-Token");
        if (got && same_secret(got, m->admin_token)) {
            return 0;
        }
        reply_error(out, 401,
                    got ? "mockkit admin: wrong X-Mockkit-Admin-Token"
                        : "mockkit admin: this mock needs the X-Mockkit-Admin-Token header",
                    NULL);
        return 1;
    }
    if (loopback(addr)) {
        return 0;
    }
    reply_error(out, 403,
                "mockkit admin: only loopback clients may use /__mockkit/ unless the mock "
                "has an admin token (--admin-token)",
                NULL);
    return 1;
}

/* ---- C API ------------------------------------------------------------- */

static void diag_text(mk_diag *d, const char *file, const char *pointer, const char *msg)
{
    if (d) {
        memset(d, 0, sizeof(*d));
        snprintf(d->file, sizeof(d->file), "%s", file);
        snprintf(d->pointer, sizeof(d->pointer), "%s", pointer);
        snprintf(d->message, sizeof(d->message), "%s", msg);
    }
}

int mk_mock_add_cassette(mk_mock *m, const char *json, size_t len, const char *name,
                         int *replaced, mk_diag *diag)
{
    mk_cassette *c = NULL;
    cJSON *root;
    mk__service svc;
    int too_deep = 0, rc;
    if (replaced) {
        *replaced = 0;
    }
    if (!m || !json) {
        diag_text(diag, "arguments", "", "mock and json must not be NULL");
        return MK_MOCK_EINVAL;
    }
    name = name ? name : "<admin>";
    /* syntax and schema first (line/column, pointer), then what lint adds */
    rc = mk_cassette_parse(json, len, name, &c, diag);
    if (rc != MK_CASSETTE_OK) {
        return rc == MK_CASSETTE_ENOMEM ? MK_MOCK_ENOMEM : MK_MOCK_ECASSETTE;
    }
    root = mk_json_parse_bounded(json, len, &too_deep);
    if (!root) {
        mk_cassette_free(c);
        diag_text(diag, name, "", too_deep ? "JSON nested too deep" : "out of memory");
        return too_deep ? MK_MOCK_ECASSETTE : MK_MOCK_ENOMEM;
    }
    rc = mk_cassette_scan_secrets(root, name, diag);
    cJSON_Delete(root);
    if (rc != MK_CASSETTE_OK) {
        mk_cassette_free(c);
        return MK_MOCK_ECASSETTE;
    }
    /* served with this mock's profile: a cassette of another service would
     * be answered with the wrong envelope and auth */
    if (m->service != MK__SVC_GENERIC &&
        (mk__service_parse(c->meta.service, &svc) != 0 || svc != m->service)) {
        char msg[200];
        snprintf(msg, sizeof(msg), "meta.service \"%s\" is not this mock's service",
                 c->meta.service ? c->meta.service : "");
        diag_text(diag, name, "/meta/service", msg);
        mk_cassette_free(c);
        return MK_MOCK_ECASSETTE;
    }
    return mk__engine_add(m, c, replaced, diag); /* takes c */
}

int mk_mock_remove_cassette(mk_mock *m, const char *name, mk_diag *diag)
{
    if (!m || !name) {
        diag_text(diag, "arguments", "", "mock and name must not be NULL");
        return MK_MOCK_EINVAL;
    }
    return mk__engine_remove(m, name, diag);
}

int mk_mock_reload(mk_mock *m, mk_diag *diag)
{
    if (!m) {
        diag_text(diag, "arguments", "", "mock must not be NULL");
        return MK_MOCK_EINVAL;
    }
    return mk__engine_reload(m, (const char *const *)m->paths, m->path_count, diag);
}

cJSON *mk_mock_cassettes_json(const mk_mock *m)
{
    cJSON *arr = cJSON_CreateArray();
    mk__set *s;
    if (!m || !arr) {
        return arr;
    }
    s = mk__set_get(m);
    for (size_t i = 0; i < s->held_count; i++) {
        const mk_cassette *c = s->held[i]->c;
        cJSON *o = cJSON_CreateObject();
        if (!o) {
            break;
        }
        cJSON_AddStringToObject(o, "name", c->meta.name ? c->meta.name : "");
        cJSON_AddStringToObject(o, "file", c->path ? c->path : "");
        cJSON_AddStringToObject(o, "service", c->meta.service ? c->meta.service : "");
        cJSON_AddNumberToObject(o, "interactions", (double)c->count);
        cJSON_AddItemToArray(arr, o);
    }
    mk__set_put(s);
    return arr;
}

/* ---- HTTP -------------------------------------------------------------- */

static void reply_json(mk__reply *out, int status, cJSON *j)
{
    out->status = status;
    out->content_type = "application/json";
    out->body = j ? cJSON_PrintUnformatted(j) : NULL;
    cJSON_Delete(j);
}

static int status_of(int rc)
{
    switch (rc) {
    case MK_MOCK_OK:
        return 200;
    case MK_MOCK_ENOENT:
        return 404;
    case MK_MOCK_ENOMEM:
        return 500;
    default:
        return 400;
    }
}

static void reply_change(mk_mock *m, mk__reply *out, int rc, const char *what, const mk_diag *d,
                         int replaced)
{
    cJSON *o;
    if (rc != MK_MOCK_OK) {
        char msg[200];
        snprintf(msg, sizeof(msg), "%s refused: %s; the cassettes served before still are",
                 what, mk_mock_strerror(rc));
        reply_error(out, status_of(rc), msg, d);
        return;
    }
    o = cJSON_CreateObject();
    if (o) {
        cJSON_AddStringToObject(o, "done", what);
        if (replaced >= 0) {
            cJSON_AddNumberToObject(o, "replaced", replaced);
        }
        cJSON_AddItemToObject(o, "cassettes", mk_mock_cassettes_json(m));
    }
    reply_json(out, 200, o);
}

void mk__admin_cassettes(struct mk_mock *m, const mk__req *req, mk__reply *out)
{
    const char *rest = req->path + strlen("/__mockkit/cassettes");
    mk_diag d;
    int rc, replaced = 0;
    memset(&d, 0, sizeof(d));
    if (rest[0] == '\0' && strcmp(req->method, "GET") == 0) {
        reply_json(out, 200, mk_mock_cassettes_json(m));
    } else if (rest[0] == '\0' && strcmp(req->method, "POST") == 0) {
        rc = mk_mock_add_cassette(m, req->body ? (const char *)req->body : "", req->body_len,
                                  "POST /__mockkit/cassettes", &replaced, &d);
        reply_change(m, out, rc, replaced ? "replace" : "add", &d, replaced);
    } else if (rest[0] == '/' && rest[1] && strcmp(req->method, "DELETE") == 0) {
        rc = mk_mock_remove_cassette(m, rest + 1, &d);
        reply_change(m, out, rc, "remove", &d, -1);
    } else {
        reply_error(out, 405,
                    "mockkit admin: GET or POST /__mockkit/cassettes, DELETE "
                    "/__mockkit/cassettes/{name}",
                    NULL);
    }
}

void mk__admin_reload(struct mk_mock *m, const mk__req *req, mk__reply *out)
{
    mk_diag d;
    int rc;
    (void)req;
    memset(&d, 0, sizeof(d));
    rc = mk_mock_reload(m, &d);
    reply_change(m, out, rc, "reload", &d, -1);
}

void mk__admin_requests(struct mk_mock *m, const mk__req *req, mk__reply *out)
{
    const char *path = NULL;
    int unmatched = 0;
    for (size_t i = 0; i < req->query_count; i++) {
        const mk_query_param *q = &req->query[i];
        if (strcmp(q->name, "path") == 0) {
            path = q->value;
        } else if (strcmp(q->name, "unmatched") == 0) {
            unmatched = strcmp(q->value, "0") != 0 && strcmp(q->value, "false") != 0;
        }
    }
    reply_json(out, 200, mk__requests_json(m, path, unmatched));
}

void mk__admin_reset(struct mk_mock *m, mk__reply *out)
{
    char body[64];
    size_t n = 1;
    if (m->opts.group) {
        n = mk_mock_group_reset(m->opts.group);
    } else {
        mk_mock_reset(m);
    }
    snprintf(body, sizeof(body), "{\"reset\":true,\"mocks\":%zu}", n);
    out->status = 200;
    out->content_type = "application/json";
    out->body = strdup(body);
}
