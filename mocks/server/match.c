/* match.c: compare a live request with a recorded one (docs/cassette.md
 * "match").
 *
 * Matchers run in a fixed order (method, path, query, headers, body) so a
 * near-miss report can say how far a candidate got and name the first
 * failing matcher. JSON "partial" means the recorded value is a subset of
 * the request's: objects by key, arrays element-wise with the same length
 * (a longer conversation is a different request), scalars equal. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mock_internal.h"
#include "mockkit/cassette.h"

const char *mk__req_header(const mk__req *r, const char *name)
{
    if (!r->ri) {
        return NULL;
    }
    for (int i = 0; i < r->ri->num_headers; i++) {
        if (strcasecmp(r->ri->http_headers[i].name, name) == 0) {
            return r->ri->http_headers[i].value;
        }
    }
    return NULL;
}

/* ---- redaction placeholders ---------------------------------------------
 * The recorder writes a placeholder (mk_cassette_is_placeholder: <REDACTED>
 * or <REDACTED:name>) where a secret was; a
 * live client sends the real value. So a placeholder in a recorded value
 * matches anything: as a whole JSON string, any present value; inside text
 * (a form body, a header), any run of bytes. */

static int is_placeholder(const char *s)
{
    return mk_cassette_is_placeholder(s, strlen(s));
}

/* ---- query ------------------------------------------------------------- */

static char *decode_part(const char *s, size_t len)
{
    char *out = malloc(len + 1);
    size_t o = 0;
    if (!out) {
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%' && i + 2 < len && isxdigit((unsigned char)s[i + 1]) &&
                   isxdigit((unsigned char)s[i + 2])) {
            char hex[3] = {s[i + 1], s[i + 2], 0};
            out[o++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

void mk__query_free(mk_query_param *q, size_t count)
{
    for (size_t i = 0; q && i < count; i++) {
        free(q[i].name);
        free(q[i].value);
    }
    free(q);
}

int mk__query_parse(const char *qs, mk_query_param **out, size_t *count)
{
    size_t n = 0, cap = 0;
    mk_query_param *q = NULL;
    *out = NULL;
    *count = 0;
    while (qs && *qs) {
        const char *amp = strchr(qs, '&');
        size_t len = amp ? (size_t)(amp - qs) : strlen(qs);
        if (len > 0) {
            const char *eq = memchr(qs, '=', len);
            size_t nlen = eq ? (size_t)(eq - qs) : len;
            if (n == cap) {
                cap = cap ? cap * 2 : 8;
                mk_query_param *grown = realloc(q, cap * sizeof(*q));
                if (!grown) {
                    mk__query_free(q, n);
                    return -1;
                }
                q = grown;
            }
            q[n].name = decode_part(qs, nlen);
            q[n].value = eq ? decode_part(eq + 1, len - nlen - 1) : decode_part("", 0);
            n++;
            if (!q[n - 1].name || !q[n - 1].value) {
                mk__query_free(q, n);
                return -1;
            }
        }
        qs += len + (amp ? 1 : 0);
    }
    *out = q;
    *count = n;
    return 0;
}

/* The i-th value of name in a param list, or NULL. */
static const char *param_nth(const mk_query_param *q, size_t n, const char *name, size_t nth)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(q[i].name, name) == 0 && nth-- == 0) {
            return q[i].value;
        }
    }
    return NULL;
}

static size_t param_count(const mk_query_param *q, size_t n, const char *name)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) {
        c += strcmp(q[i].name, name) == 0;
    }
    return c;
}

/* Returns 1 when it passes; *score += recorded names matched. */
static int query_match(const mk_interaction *ix, const mk__req *req, int *score, char *fail,
                       size_t fs)
{
    const mk_request *rec = &ix->request;
    if (ix->match.query == MK_MATCH_QUERY_IGNORE) {
        return 1;
    }
    for (size_t i = 0; i < rec->query_count; i++) {
        const char *name = rec->query[i].name;
        if (param_nth(rec->query, i, name, 0) != NULL) {
            continue; /* name already checked (repeated parameter) */
        }
        size_t want_n = param_count(rec->query, rec->query_count, name);
        size_t got_n = param_count(req->query, req->query_count, name);
        for (size_t k = 0; k < want_n; k++) {
            const char *want = param_nth(rec->query, rec->query_count, name, k);
            const char *got = param_nth(req->query, req->query_count, name, k);
            if (!got || (strcmp(want, got) != 0 && !is_placeholder(want))) {
                if (got) {
                    snprintf(fail, fs, "query: %s: expected \"%s\", got \"%s\"", name, want, got);
                } else {
                    snprintf(fail, fs, "query: %s: expected \"%s\", got absent", name, want);
                }
                return 0;
            }
        }
        if (got_n != want_n) {
            snprintf(fail, fs, "query: %s: expected %zu value(s), got %zu", name, want_n, got_n);
            return 0;
        }
        (*score)++;
    }
    if (ix->match.query == MK_MATCH_QUERY_EXACT) {
        for (size_t i = 0; i < req->query_count; i++) {
            if (param_count(rec->query, rec->query_count, req->query[i].name) == 0) {
                snprintf(fail, fs, "query: %s: not recorded (exact)", req->query[i].name);
                return 0;
            }
        }
    }
    return 1;
}

/* ---- path -------------------------------------------------------------- */

int mk__path_match(const char *pattern, const char *path)
{
    while (*pattern && *path) {
        if (*pattern == '{') {
            const char *close = strchr(pattern, '}');
            const char *seg_end = strchr(path, '/');
            if (!close) {
                return 0;
            }
            if (!seg_end) {
                seg_end = path + strlen(path);
            }
            if (seg_end == path) {
                return 0; /* a template segment matches a non-empty segment */
            }
            pattern = close + 1;
            path = seg_end;
            continue;
        }
        if (*pattern != *path) {
            return 0;
        }
        pattern++;
        path++;
    }
    return *pattern == '\0' && *path == '\0';
}

/* ---- JSON -------------------------------------------------------------- */

static void print_value(const cJSON *v, char *buf, size_t size)
{
    char *s;
    if (!v) {
        snprintf(buf, size, "absent");
        return;
    }
    s = cJSON_PrintUnformatted(v);
    if (!s) {
        snprintf(buf, size, "?");
        return;
    }
    if (strlen(s) > 60) {
        snprintf(buf, size, "%.57s...", s);
    } else {
        snprintf(buf, size, "%s", s);
    }
    cJSON_free(s);
}

static void json_fail(const char *ptr, const cJSON *want, const cJSON *got, char *fail, size_t fs)
{
    char w[80], g[80];
    if (fs == 0) {
        return; /* the choosing pass: printing both values costs mallocs */
    }
    print_value(want, w, sizeof(w));
    print_value(got, g, sizeof(g));
    snprintf(fail, fs, "%s: expected %s, got %s", ptr[0] ? ptr : "/", w, g);
}

/* Recorded text pat (placeholders = any run) against got, anchored at both
 * ends. Recursion depth is bounded by the number of placeholders. */
static int text_match(const char *pat, size_t pn, const char *got, size_t gn)
{
    size_t i = 0, j = 0;
    while (i < pn) {
        size_t ph = mk_cassette_placeholder_len(pat + i, pn - i);
        if (ph) {
            for (size_t k = j; k <= gn; k++)
                if (text_match(pat + i + ph, pn - i - ph, got + k, gn - k))
                    return 1;
            return 0;
        }
        if (j >= gn || pat[i] != got[j])
            return 0;
        i++;
        j++;
    }
    return j == gn;
}

static int has_placeholder(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '<' && mk_cassette_placeholder_len(s + i, n - i))
            return 1;
    return 0;
}

static int json_rec(const cJSON *want, const cJSON *got, int partial, int *leaves, char *ptr,
                    size_t plen, size_t psize, char *fail, size_t fs)
{
    if (!got) {
        json_fail(ptr, want, got, fail, fs);
        return 0;
    }
    if (cJSON_IsString(want) && is_placeholder(want->valuestring)) {
        (*leaves)++;  /* a redacted value: any value the client sends */
        return 1;
    }
    if (cJSON_IsObject(want)) {
        if (!cJSON_IsObject(got)) {
            json_fail(ptr, want, got, fail, fs);
            return 0;
        }
        for (const cJSON *w = want->child; w; w = w->next) {
            snprintf(ptr + plen, psize - plen, "/%s", w->string);
            size_t nlen = strlen(ptr);
            if (!json_rec(w, cJSON_GetObjectItemCaseSensitive(got, w->string), partial, leaves,
                          ptr, nlen, psize, fail, fs)) {
                return 0;
            }
            ptr[plen] = '\0';
        }
        if (!partial && cJSON_GetArraySize(want) != cJSON_GetArraySize(got)) {
            for (const cJSON *g = got->child; g; g = g->next) {
                if (!cJSON_GetObjectItemCaseSensitive(want, g->string)) {
                    snprintf(ptr + plen, psize - plen, "/%s", g->string);
                    json_fail(ptr, NULL, g, fail, fs);
                    return 0;
                }
            }
        }
        if (!want->child) {
            (*leaves)++; /* {} is a leaf: "an object here" */
        }
        return 1;
    }
    if (cJSON_IsArray(want)) {
        int wn = cJSON_GetArraySize(want);
        if (!cJSON_IsArray(got) || cJSON_GetArraySize(got) != wn) {
            if (cJSON_IsArray(got)) {
                char w[32], g[32];
                snprintf(w, sizeof(w), "%d", wn);
                snprintf(g, sizeof(g), "%d", cJSON_GetArraySize(got));
                snprintf(fail, fs, "%s: expected an array of %s, got %s", ptr[0] ? ptr : "/", w,
                         g);
            } else {
                json_fail(ptr, want, got, fail, fs);
            }
            return 0;
        }
        const cJSON *g = got->child;
        int i = 0;
        for (const cJSON *w = want->child; w; w = w->next, g = g->next, i++) {
            snprintf(ptr + plen, psize - plen, "/%d", i);
            size_t nlen = strlen(ptr);
            if (!json_rec(w, g, partial, leaves, ptr, nlen, psize, fail, fs)) {
                return 0;
            }
            ptr[plen] = '\0';
        }
        if (wn == 0) {
            (*leaves)++;
        }
        return 1;
    }
    if (!cJSON_Compare(want, got, 1)) {
        json_fail(ptr, want, got, fail, fs);
        return 0;
    }
    (*leaves)++;
    return 1;
}

int mk__json_match(const cJSON *want, const cJSON *got, int partial, int *leaves, char *fail,
                   size_t fail_size)
{
    char ptr[256] = "";
    int dummy = 0;
    char dfail[8];
    if (!fail) {
        fail = dfail;
        fail_size = sizeof(dfail);
    }
    return json_rec(want, got, partial, leaves ? leaves : &dummy, ptr, 0, sizeof(ptr), fail,
                    fail_size);
}

/* ---- body -------------------------------------------------------------- */

static int body_match(const mk_interaction *ix, mk__req *req, int *score, char *fail, size_t fs)
{
    const mk_body *rec = &ix->request.body;
    mk_match_body mode = ix->match.body;
    const cJSON *want = ix->match.body_json ? ix->match.body_json : rec->json;
    char sub[300] = ""; /* stays empty when no text is wanted (fs == 0) */

    if (mode == MK_MATCH_BODY_IGNORE) {
        return 1;
    }
    if (mode == MK_MATCH_BODY_DEFAULT && !ix->match.body_json && rec->kind == MK_BODY_NONE) {
        return 1; /* nothing recorded: no constraint (a client may send {} or nothing) */
    }
    if (ix->match.body_json) {
        mode = MK_MATCH_BODY_PARTIAL;
    } else if (mode == MK_MATCH_BODY_DEFAULT) {
        mode = want ? MK_MATCH_BODY_PARTIAL : MK_MATCH_BODY_EQUAL;
    }
    if (want) {
        if (!req->json_tried) {
            req->json_tried = 1;
            if (req->body_len > 0) {
                req->json = mk_json_parse_bounded((const char *)req->body, req->body_len, NULL);
            }
        }
        if (!req->json) {
            snprintf(fail, fs, "body: expected JSON, got %s",
                     req->body_len ? "a body that is not JSON" : "no body");
            return 0;
        }
        if (!mk__json_match(want, req->json, mode == MK_MATCH_BODY_PARTIAL, score, sub,
                            fs ? sizeof(sub) : 0)) {
            snprintf(fail, fs, "body: %s", sub);
            return 0;
        }
        return 1;
    }
    if (has_placeholder((const char *)rec->bytes.data, rec->bytes.len)) {
        if (text_match((const char *)rec->bytes.data, rec->bytes.len, (const char *)req->body,
                       req->body_len)) {
            (*score)++;
            return 1;
        }
        snprintf(fail, fs, "body: does not match the recorded body (with redacted parts)");
        return 0;
    }
    if (rec->bytes.len != req->body_len ||
        (req->body_len && memcmp(rec->bytes.data, req->body, req->body_len) != 0)) {
        size_t at = 0;
        while (at < rec->bytes.len && at < req->body_len && rec->bytes.data[at] == req->body[at]) {
            at++;
        }
        snprintf(fail, fs, "body: bytes differ at offset %zu (expected %zu bytes, got %zu)", at,
                 rec->bytes.len, req->body_len);
        return 0;
    }
    (*score)++;
    return 1;
}

/* ---- distinguishing parts ---------------------------------------------
 * Two recordings can be equal in everything the matchers compare and still
 * differ in what the service answered on: credentials sent or not, the
 * body's content type, extra query parameters. Among candidates that pass,
 * the one whose parts agree with the live request wins (after the matchers'
 * own score, before sequence order), and recordings that differ in them are
 * not one sequence. A recording without headers says nothing about
 * credentials or content type (synthesized fixtures often keep none). */

static const char *const credential_headers[] = {"authorization", "proxy-authorization",
                                                 "x-api-key", "api-key"};

/* -1 unknown (no headers recorded), 0 no credential header, 1 one present. */
static int rec_auth(const mk_headers *h)
{
    if (h->count == 0)
        return -1;
    for (size_t i = 0; i < sizeof credential_headers / sizeof *credential_headers; i++)
        if (mk_headers_get(h, credential_headers[i]))
            return 1;
    return 0;
}

static int req_auth(const mk__req *r)
{
    for (size_t i = 0; i < sizeof credential_headers / sizeof *credential_headers; i++)
        if (mk__req_header(r, credential_headers[i]))
            return 1;
    return 0;
}

/* Media types equal (parameters such as charset ignored); NULL is none. */
static int media_eq(const char *a, const char *b)
{
    size_t la = a ? strcspn(a, "; \t") : 0, lb = b ? strcspn(b, "; \t") : 0;
    return la == lb && (la == 0 || strncasecmp(a, b, la) == 0);
}

/* The live request carries exactly the recorded query parameters. */
static int query_exact(const mk_request *rec, const mk__req *req)
{
    if (rec->query_count != req->query_count)
        return 0;
    for (size_t i = 0; i < req->query_count; i++)
        if (param_count(rec->query, rec->query_count, req->query[i].name) !=
            param_count(req->query, req->query_count, req->query[i].name))
            return 0;
    return 1;
}

/* How many distinguishing parts agree (0-3). */
static int agreement(const mk_interaction *ix, const mk__req *req)
{
    const mk_request *rec = &ix->request;
    int n = 0;
    int auth = rec_auth(&rec->headers);
    if (auth >= 0 && auth == req_auth(req))
        n++;
    if (rec->headers.count > 0 &&
        media_eq(mk_headers_get(&rec->headers, "content-type"), mk__req_header(req, "content-type")))
        n++;
    if (query_exact(rec, req))
        n++;
    return n;
}

/* 0 when two recordings differ in a distinguishing part both recorded. */
static int same_parts(const mk_request *a, const mk_request *b)
{
    int aa = rec_auth(&a->headers), ab = rec_auth(&b->headers);
    if (aa >= 0 && ab >= 0 && aa != ab)
        return 0;
    if (a->headers.count > 0 && b->headers.count > 0 &&
        !media_eq(mk_headers_get(&a->headers, "content-type"),
                  mk_headers_get(&b->headers, "content-type")))
        return 0;
    return 1;
}

/* ---- the whole request ------------------------------------------------- */

int mk__match(const mk_interaction *ix, mk__req *req, int *score, int *passed, char *fail,
              size_t fs)
{
    const mk_request *rec = &ix->request;
    const char *pattern = ix->match.path ? ix->match.path : rec->path;
    char dfail[8];
    int dpassed;
    /* The choosing pass (fail == NULL) runs over every loaded interaction
     * per request and most differ in method or path: reject those without
     * formatting a failure text nobody reads (snprintf was a fifth of a
     * default-path REST request's CPU; docs/benchmarks.md). */
    if (!fail && (strcmp(rec->method, req->method) != 0 || !mk__path_match(pattern, req->path))) {
        *score = 0;
        if (passed) {
            *passed = strcmp(rec->method, req->method) == 0;
        }
        return 0;
    }
    if (!fail) {
        fail = dfail;
        fs = 0; /* no text wanted: the matchers skip what only builds it */
    }
    if (!passed) {
        passed = &dpassed;
    }
    *score = 0;
    *passed = 0;
    if (strcmp(rec->method, req->method) != 0) {
        snprintf(fail, fs, "method: expected %s, got %s", rec->method, req->method);
        return 0;
    }
    (*passed)++;
    if (!mk__path_match(pattern, req->path)) {
        snprintf(fail, fs, "path: expected \"%s\", got \"%s\"", pattern, req->path);
        return 0;
    }
    (*passed)++;
    if (!query_match(ix, req, score, fail, fs)) {
        return 0;
    }
    (*passed)++;
    for (size_t i = 0; i < ix->match.header_count; i++) {
        const char *name = ix->match.headers[i];
        const char *want = mk_headers_get(&rec->headers, name);
        const char *got = mk__req_header(req, name);
        if ((want == NULL) != (got == NULL) ||
            (want && !text_match(want, strlen(want), got, strlen(got)))) {
            snprintf(fail, fs, "header: %s: expected %s%s%s, got %s%s%s", name, want ? "\"" : "",
                     want ? want : "absent", want ? "\"" : "", got ? "\"" : "",
                     got ? got : "absent", got ? "\"" : "");
            return 0;
        }
        (*score)++;
    }
    (*passed)++;
    if (!body_match(ix, req, score, fail, fs)) {
        return 0;
    }
    (*passed)++;
    /* Agreement ranks below every matcher point: (score, agreement). */
    *score = *score * 4 + agreement(ix, req);
    return 1;
}

/* ---- near misses ------------------------------------------------------- */

/* Leaves of want, and how many of them got has, equal, at the same place
 * (objects by key, arrays by index): how close a body that failed came. */
static void leaves_alike(const cJSON *want, const cJSON *got, int depth, int *total, int *same)
{
    if (depth > MK_JSON_MAX_DEPTH) {
        return;
    }
    if ((cJSON_IsObject(want) || cJSON_IsArray(want)) && want->child) {
        for (const cJSON *w = want->child; w; w = w->next) {
            const cJSON *g = NULL;
            if (cJSON_IsObject(want) && cJSON_IsObject(got)) {
                g = cJSON_GetObjectItemCaseSensitive(got, w->string);
            } else if (cJSON_IsArray(want) && cJSON_IsArray(got)) {
                int i = 0;
                for (const cJSON *x = want->child; x != w; x = x->next) {
                    i++;
                }
                g = cJSON_GetArrayItem(got, i);
            }
            leaves_alike(w, g, depth + 1, total, same);
        }
        return;
    }
    (*total)++;
    if (got && cJSON_Compare(want, got, 1)) {
        (*same)++;
    }
}

int mk__body_similarity(const mk_interaction *ix, mk__req *req)
{
    const mk_body *rec = &ix->request.body;
    const cJSON *want = ix->match.body_json ? ix->match.body_json : rec->json;
    if (want) {
        int total = 0, same = 0;
        if (!req->json_tried) {
            req->json_tried = 1;
            if (req->body_len > 0) {
                req->json = mk_json_parse_bounded((const char *)req->body, req->body_len, NULL);
            }
        }
        leaves_alike(want, req->json, 0, &total, &same);
        return total ? same * 1000 / total : 0;
    }
    size_t at = 0, most = rec->bytes.len > req->body_len ? rec->bytes.len : req->body_len;
    while (at < rec->bytes.len && at < req->body_len && rec->bytes.data[at] == req->body[at]) {
        at++;
    }
    return most ? (int)(at * 1000 / most) : 1000;
}

/* ---- sequences --------------------------------------------------------- */

static int str_eq(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

int mk__same_request(const mk_interaction *a, const mk_interaction *b)
{
    const mk_request *ra = &a->request, *rb = &b->request;
    const cJSON *ja, *jb;
    if (a->kind != b->kind || strcmp(ra->method, rb->method) != 0 ||
        !str_eq(a->match.path ? a->match.path : ra->path,
                b->match.path ? b->match.path : rb->path)) {
        return 0;
    }
    if (a->match.query != b->match.query || a->match.body != b->match.body ||
        a->match.header_count != b->match.header_count || !same_parts(ra, rb)) {
        return 0;
    }
    if (a->match.query != MK_MATCH_QUERY_IGNORE) {
        if (ra->query_count != rb->query_count) {
            return 0;
        }
        for (size_t i = 0; i < ra->query_count; i++) {
            if (strcmp(ra->query[i].name, rb->query[i].name) != 0 ||
                strcmp(ra->query[i].value, rb->query[i].value) != 0) {
                return 0;
            }
        }
    }
    for (size_t i = 0; i < a->match.header_count; i++) {
        if (strcasecmp(a->match.headers[i], b->match.headers[i]) != 0 ||
            !str_eq(mk_headers_get(&ra->headers, a->match.headers[i]),
                    mk_headers_get(&rb->headers, b->match.headers[i]))) {
            return 0;
        }
    }
    if (a->match.body == MK_MATCH_BODY_IGNORE) {
        return 1;
    }
    ja = a->match.body_json ? a->match.body_json : ra->body.json;
    jb = b->match.body_json ? b->match.body_json : rb->body.json;
    if (ja || jb) {
        return ja && jb && cJSON_Compare(ja, jb, 1);
    }
    return ra->body.bytes.len == rb->body.bytes.len &&
           (ra->body.bytes.len == 0 ||
            memcmp(ra->body.bytes.data, rb->body.bytes.data, ra->body.bytes.len) == 0);
}
