/* requests.c: the journal as JSON (GET /__mockkit/requests): each entry
 * with its headers and body, redacted by the kit's own secret rules (the
 * scan `mockkit lint` runs), filtered by path or by unmatched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock_internal.h"

/* After this many findings in one request, its headers and body are
 * dropped whole rather than scanned again (each scan is a full walk). */
#define MAX_FINDINGS 32

/* The node an RFC 6901 pointer names, and its parent and last token. */
static cJSON *resolve(cJSON *root, const char *ptr, char *last, size_t last_size)
{
    cJSON *node = root;
    last[0] = '\0';
    while (node && *ptr == '/') {
        size_t n = 0;
        ptr++;
        while (*ptr && *ptr != '/' && n + 1 < last_size) {
            if (ptr[0] == '~' && (ptr[1] == '0' || ptr[1] == '1')) {
                last[n++] = ptr[1] == '0' ? '~' : '/';
                ptr += 2;
            } else {
                last[n++] = *ptr++;
            }
        }
        last[n] = '\0';
        if (cJSON_IsArray(node)) {
            char *end;
            long i = strtol(last, &end, 10);
            node = *end ? NULL : cJSON_GetArrayItem(node, (int)i);
        } else {
            node = cJSON_GetObjectItemCaseSensitive(node, last);
        }
    }
    return node;
}

/* Replace every value the secret scan finds with a placeholder named after
 * where it was (<REDACTED:authorization>, <REDACTED:password>), the form
 * cassettes use. Returns 0, or -1 when there were too many to go on. */
static int redact(cJSON *doc)
{
    mk_diag d;
    for (int i = 0; i < MAX_FINDINGS; i++) {
        char last[128], ph[160];
        cJSON *node;
        if (mk_cassette_scan_secrets(doc, "request", &d) == MK_CASSETTE_OK) {
            return 0;
        }
        node = resolve(doc, d.pointer, last, sizeof(last));
        if (!node || !cJSON_IsString(node)) {
            return -1; /* a finding we cannot place: drop it all */
        }
        /* a secret inside a text body names the body: the whole text goes */
        snprintf(ph, sizeof(ph), "<REDACTED:%s>", last[0] ? last : "secret");
        if (!cJSON_SetValuestring(node, ph)) {
            return -1;
        }
    }
    return -1;
}

static int is_text(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t')) {
            return 0;
        }
    }
    return 1;
}

/* {"headers":{...},"json"|"text"|"base64":...}: the names the secret scan
 * knows (cassette request shape). */
static cJSON *request_doc(const mk__jdetail *d)
{
    cJSON *doc = cJSON_CreateObject(), *h = cJSON_AddObjectToObject(doc, "headers");
    const char *p, *end, *body;
    if (!doc || !h) {
        cJSON_Delete(doc);
        return NULL;
    }
    for (p = d->data, end = d->data + d->hlen; p < end;) {
        const char *name = p, *value = p + strlen(p) + 1;
        cJSON *had = cJSON_GetObjectItemCaseSensitive(h, name);
        if (had && cJSON_IsString(had)) {
            /* repeated: a list of values, in order */
            cJSON *list = cJSON_CreateArray();
            cJSON_AddItemToArray(list, cJSON_CreateString(had->valuestring));
            cJSON_ReplaceItemInObjectCaseSensitive(h, name, list);
            had = list;
        }
        if (had) {
            cJSON_AddItemToArray(had, cJSON_CreateString(value));
        } else {
            cJSON_AddStringToObject(h, name, value);
        }
        p = value + strlen(value) + 1;
    }
    body = d->data + d->hlen;
    if (d->blen > 0) {
        int deep = 0;
        cJSON *j = d->blen == d->body_total ? mk_json_parse_bounded(body, d->blen, &deep) : NULL;
        if (j) {
            cJSON_AddItemToObject(doc, "json", j);
        } else if (is_text(body, d->blen)) {
            char *t = malloc(d->blen + 1);
            if (t) {
                memcpy(t, body, d->blen);
                t[d->blen] = '\0';
                cJSON_AddStringToObject(doc, "text", t);
                free(t);
            }
        } else {
            char *b64 = mk_cassette_base64_encode(body, d->blen);
            if (b64) {
                cJSON_AddStringToObject(doc, "base64", b64);
                free(b64);
            }
        }
    }
    return doc;
}

/* The path part of a journal path (it carries the query). */
static int path_is(const char *jpath, const char *want)
{
    size_t n = strcspn(jpath, "?"), w = strlen(want);
    if (w > 0 && want[w - 1] == '*') {
        return n >= w - 1 && strncmp(jpath, want, w - 1) == 0;
    }
    return n == w && strncmp(jpath, want, n) == 0;
}

cJSON *mk__requests_json(const struct mk_mock *m, const char *path, int unmatched_only)
{
    cJSON *arr = cJSON_CreateArray();
    mk_journal_entry *es;
    mk__jdetail **ds;
    size_t n;
    if (!m || !arr) {
        return arr;
    }
    es = calloc(m->journal.cap, sizeof(*es));
    ds = calloc(m->journal.cap, sizeof(*ds));
    if (!es || !ds) {
        free(es);
        free(ds);
        cJSON_Delete(arr);
        return NULL;
    }
    n = mk__journal_copy(m, es, ds, m->journal.cap);
    for (size_t i = 0; i < n; i++) {
        cJSON *o;
        if ((unmatched_only && es[i].matched) || (path && !path_is(es[i].path, path))) {
            continue;
        }
        o = cJSON_CreateObject();
        if (!o) {
            break;
        }
        cJSON_AddNumberToObject(o, "seq", (double)es[i].seq);
        cJSON_AddNumberToObject(o, "at_ms", (double)es[i].at_ms);
        cJSON_AddNumberToObject(o, "t_ms", (double)(es[i].at_ms - m->start_ms));
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
        if (ds[i]) {
            cJSON *doc = request_doc(ds[i]);
            if (doc && redact(doc) == 0) {
                cJSON_AddItemToObject(o, "request", doc);
            } else {
                cJSON_Delete(doc);
                cJSON_AddStringToObject(o, "request_redacted", "too many secrets to show");
            }
            cJSON_AddNumberToObject(o, "body_bytes", (double)ds[i]->body_total);
            if (ds[i]->blen < ds[i]->body_total) {
                cJSON_AddBoolToObject(o, "body_truncated", 1);
            }
        }
        cJSON_AddItemToArray(arr, o);
    }
    for (size_t i = 0; i < n; i++) {
        free(ds[i]);
    }
    free(ds);
    free(es);
    return arr;
}

cJSON *mk_mock_journal_json(const mk_mock *m)
{
    return mk__requests_json(m, NULL, 0);
}

cJSON *mk_mock_requests_json(const mk_mock *m, const char *path, int unmatched_only)
{
    return mk__requests_json(m, path, unmatched_only);
}
