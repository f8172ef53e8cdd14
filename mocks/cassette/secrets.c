/* secrets.c: the secret scan. Walks the whole document and reports API
 * keys (sk-...), bearer tokens, JWTs, credential headers (Authorization,
 * Cookie, Set-Cookie, X-Api-Key, ...) and credential fields (password,
 * token, api_key, ...) whose value is not a redaction placeholder
 * (<REDACTED> or <REDACTED:name>). Text bodies are also read as JSON, as
 * SSE `data:` lines and as form-urlencoded pairs, since that is where
 * recorded credentials hide. A finding never repeats the secret. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

typedef struct sctx {
    mk_cas_ptr ptr;
    mk_cas_issue_fn fn;
    void *ctx;
    size_t count;
    const char *inside; /* non-NULL while scanning text embedded in a string */
} sctx;

enum { MIN_KEY_LEN = 16 }; /* shorter sk-... / bearer values are test keys */

static void finding(sctx *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void finding(sctx *s, const char *fmt, ...)
{
    char msg[400], full[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(full, sizeof full, "secret: %s%s%s", s->inside ? s->inside : "",
             s->inside ? ": " : "", msg);
    s->count++;
    if (s->fn)
        s->fn(s->ctx, s->ptr.buf, full);
}

/* Lowercase with '-' and '_' removed, so api_key, Api-Key, APIKEY agree. */
static void normalize(const char *name, char *out, size_t size)
{
    size_t n = 0;
    for (; *name && n + 1 < size; name++)
        if (*name != '-' && *name != '_')
            out[n++] = (char)tolower((unsigned char)*name);
    out[n] = '\0';
}

static int is_credential_field(const char *name)
{
    static const char *const fields[] = {
        "password",     "passwd",  "secret",  "apikey",     "xapikey",    "accesstoken",
        "refreshtoken", "idtoken", "token",   "sessiontoken", "clientsecret", "privatekey",
        NULL};
    char norm[64];
    if (!name || strlen(name) >= sizeof norm)
        return 0;
    normalize(name, norm, sizeof norm);
    for (const char *const *f = fields; *f; f++)
        if (strcmp(norm, *f) == 0)
            return 1;
    return 0;
}

/* What a message may say about a secret: its length, never its bytes
 * (lint output ends up in CI logs). */
static const char *preview(const char *v, size_t len, char *buf, size_t size)
{
    (void)v;
    snprintf(buf, size, "%zu chars", len);
    return buf;
}

static int key_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '_';
}

static size_t run_of(const char *p, int (*ok)(char))
{
    size_t n = 0;
    while (p[n] && ok(p[n]))
        n++;
    return n;
}

static int token_char(char c)
{
    return isalnum((unsigned char)c) || strchr("-._~+/=", c) != NULL;
}

/* Patterns that are secrets wherever they appear; the most specific kind
 * (API key, then JWT, then any bearer token) names the finding. Returns 1
 * on a finding. */
static int scan_patterns(sctx *s, const char *v)
{
    char pv[64];
    for (int pass = 0; pass < 3; pass++) {
        for (const char *p = v; *p; p++) {
            if (p != v && key_char(p[-1]))
                continue; /* only at a word boundary: "task-..." is no key */
            if (pass == 0 && strncmp(p, "sk-", 3) == 0) {
                size_t n = run_of(p + 3, key_char);
                if (n >= MIN_KEY_LEN) {
                    finding(s, "looks like an API key (%s); use a placeholder such as "
                               "<REDACTED:api-key>", preview(p, n + 3, pv, sizeof pv));
                    return 1;
                }
            }
            if (pass == 1 && strncmp(p, "eyJ", 3) == 0) {
                size_t n = run_of(p, key_char);
                if (p[n] == '.' && strncmp(p + n + 1, "eyJ", 3) == 0) {
                    finding(s, "looks like a JWT (%s); use a placeholder such as "
                               "<REDACTED:jwt>", preview(p, n, pv, sizeof pv));
                    return 1;
                }
            }
            if (pass == 2 && strncasecmp(p, "bearer", 6) == 0 &&
                isspace((unsigned char)p[6])) {
                const char *t = p + 6;
                while (*t == ' ' || *t == '\t')
                    t++;
                size_t n = run_of(t, token_char);
                if (*t != '<' && n >= MIN_KEY_LEN) {
                    finding(s, "looks like a bearer token (%s); use \"Bearer <REDACTED>\"",
                            preview(t, n, pv, sizeof pv));
                    return 1;
                }
            }
        }
    }
    return 0;
}

static void trim(const char **b, const char **e)
{
    while (*b < *e && isspace((unsigned char)**b))
        (*b)++;
    while (*e > *b && isspace((unsigned char)(*e)[-1]))
        (*e)--;
}

/* A value is fine when empty or a placeholder, optionally after an auth
 * scheme ("Bearer <REDACTED>"). */
static int value_ok(const char *b, const char *e, int allow_scheme)
{
    trim(&b, &e);
    if (b == e || mk_cassette_is_placeholder(b, (size_t)(e - b)))
        return 1;
    if (!allow_scheme)
        return 0;
    const char *sp = b;
    while (sp < e && !isspace((unsigned char)*sp))
        sp++;
    if (sp == e)
        return 0;
    while (sp < e && isspace((unsigned char)*sp))
        sp++;
    return mk_cassette_is_placeholder(sp, (size_t)(e - sp));
}

/* Cookie: every cookie value; Set-Cookie: the first pair only (the rest
 * are attributes such as Path or Max-Age). */
static void scan_cookies(sctx *s, const char *name, const char *v, int set_cookie)
{
    const char *p = v;
    while (*p) {
        const char *end = strchr(p, ';');
        if (!end)
            end = p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));
        const char *val = eq ? eq + 1 : p;
        if (!value_ok(val, end, 0)) {
            const char *nb = p, *ne = eq ? eq : p;
            trim(&nb, &ne);
            finding(s, "%s header: the value of cookie \"%.*s\" must be a placeholder such as "
                       "<REDACTED:%.*s>", name, (int)(ne - nb), nb, (int)(ne - nb), nb);
            return;
        }
        if (set_cookie || !*end)
            return;
        p = end + 1;
    }
}

static void scan_header(sctx *s, const char *name, const char *v)
{
    if (strcasecmp(name, "cookie") == 0)
        scan_cookies(s, name, v, 0);
    else if (strcasecmp(name, "set-cookie") == 0)
        scan_cookies(s, name, v, 1);
    else if (strcasecmp(name, "authorization") == 0 ||
             strcasecmp(name, "proxy-authorization") == 0 || strcasecmp(name, "api-key") == 0 ||
             strcasecmp(name, "x-api-key") == 0 || is_credential_field(name)) {
        if (!value_ok(v, v + strlen(v), 1))
            finding(s, "%s header must be a placeholder such as \"<REDACTED>\" or "
                       "\"Bearer <REDACTED>\"", name);
    }
}

static void walk(sctx *s, const cJSON *node, const char *key, int in_headers);

/* JSON embedded in a string (a text body, an SSE data line). Recorded text
 * is foreign: bounded, and text too deep to walk is a finding of its own
 * (a credential field inside it could not be seen; the scan fails closed). */
static void scan_embedded_json(sctx *s, const char *text, size_t len, const char *what)
{
    int too_deep = 0;
    cJSON *doc = mk_json_parse_bounded(text, len, &too_deep);
    if (!doc && !too_deep)
        return;
    const char *saved = s->inside;
    s->inside = what;
    if (doc)
        walk(s, doc, NULL, 0);
    else
        finding(s, "nests deeper than %d levels, too deep to scan for credential fields",
                MK_JSON_MAX_DEPTH);
    s->inside = saved;
    cJSON_Delete(doc);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decode [b, e) into out (size > 0). */
static void url_decode(const char *b, const char *e, char *out, size_t size)
{
    size_t n = 0;
    while (b < e && n + 1 < size) {
        if (*b == '%' && e - b >= 3 && hexval(b[1]) >= 0 && hexval(b[2]) >= 0) {
            out[n++] = (char)(hexval(b[1]) * 16 + hexval(b[2]));
            b += 3;
        } else {
            out[n++] = *b == '+' ? ' ' : *b;
            b++;
        }
    }
    out[n] = '\0';
}

/* a=b&password=x */
static void scan_form(sctx *s, const char *v)
{
    if (!strchr(v, '=') || strpbrk(v, " \t\r\n{}\"") != NULL)
        return; /* not form-urlencoded */
    const char *p = v;
    while (*p) {
        const char *end = strchr(p, '&');
        if (!end)
            end = p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));
        if (eq) {
            char name[64], val[256];
            url_decode(p, eq, name, sizeof name);
            url_decode(eq + 1, end, val, sizeof val);
            if (is_credential_field(name) && !value_ok(val, val + strlen(val), 0))
                finding(s, "form field \"%s\" must be a placeholder such as <REDACTED:%s>",
                        name, name);
        }
        if (!*end)
            break;
        p = end + 1;
    }
}

static void scan_text_body(sctx *s, const char *v, size_t len)
{
    const char *b = v;
    while (isspace((unsigned char)*b))
        b++;
    if (*b == '{' || *b == '[') {
        scan_embedded_json(s, v, len, "in the JSON text");
        return;
    }
    for (const char *line = v; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        if (n > 5 && strncmp(line, "data:", 5) == 0) {
            const char *d = line + 5;
            while (*d == ' ')
                d++;
            if (*d == '{' || *d == '[')
                scan_embedded_json(s, d, n - (size_t)(d - line), "in an SSE data line");
        }
        line = nl ? nl + 1 : NULL;
    }
    scan_form(s, v);
}

static void scan_string(sctx *s, const char *key, const char *v, int in_headers)
{
    if (scan_patterns(s, v))
        return;
    if (in_headers && key) {
        scan_header(s, key, v);
        return;
    }
    if (key && is_credential_field(key) && !value_ok(v, v + strlen(v), 0)) {
        finding(s, "field \"%s\" must be a placeholder such as <REDACTED:%s>", key, key);
        return;
    }
    if (!s->inside && key && strcmp(key, "text") == 0)
        scan_text_body(s, v, strlen(v));
    if (!s->inside && key && strcmp(key, "base64") == 0) {
        unsigned char *bytes = NULL;
        size_t n = 0;
        if (mk_cas__base64_decode(v, strlen(v), &bytes, &n, NULL) == 0) {
            if (memchr(bytes, '\0', n) == NULL) {
                const char *saved = s->inside;
                s->inside = "in the decoded base64";
                if (!scan_patterns(s, (const char *)bytes))
                    scan_text_body(s, (const char *)bytes, n);
                s->inside = saved;
            }
            free(bytes);
        }
    }
}

static size_t push_key(sctx *s, const char *key)
{
    return s->inside ? s->ptr.len : mk_cas__ptr_key(&s->ptr, key);
}

static size_t push_index(sctx *s, size_t i)
{
    return s->inside ? s->ptr.len : mk_cas__ptr_index(&s->ptr, i);
}

static void walk(sctx *s, const cJSON *node, const char *key, int in_headers)
{
    if (cJSON_IsString(node)) {
        scan_string(s, key, node->valuestring, in_headers);
    } else if (cJSON_IsArray(node)) {
        size_t i = 0;
        for (const cJSON *e = node->child; e; e = e->next, i++) {
            size_t old = push_index(s, i);
            walk(s, e, key, in_headers); /* repeated headers keep their name */
            mk_cas__ptr_pop(&s->ptr, old);
        }
    } else if (cJSON_IsObject(node)) {
        for (const cJSON *m = node->child; m; m = m->next) {
            const char *name = m->string ? m->string : "";
            size_t old = push_key(s, name);
            if (strcmp(name, "headers") == 0 && cJSON_IsObject(m)) {
                for (const cJSON *h = m->child; h; h = h->next) {
                    size_t o = push_key(s, h->string ? h->string : "");
                    walk(s, h, h->string, 1);
                    mk_cas__ptr_pop(&s->ptr, o);
                }
            } else {
                walk(s, m, name, 0);
            }
            mk_cas__ptr_pop(&s->ptr, old);
        }
    }
}

size_t mk_cas__scan(const cJSON *root, mk_cas_issue_fn fn, void *ctx)
{
    sctx s;
    memset(&s, 0, sizeof s);
    s.fn = fn;
    s.ctx = ctx;
    walk(&s, root, NULL, 0);
    return s.count;
}

int mk_cassette_scan_secrets(const cJSON *root, const char *name, mk_diag *diag)
{
    if (!name)
        name = "<memory>";
    mk_cas__diag_init(diag, name);
    if (!root)
        return mk_cas__diag(diag, MK_CASSETTE_EINVAL, name, "NULL document");
    mk_diag first;
    mk_cas__diag_init(&first, name);
    if (mk_cas__scan(root, mk_cas__first_issue, &first) == 0)
        return MK_CASSETTE_OK;
    if (diag)
        *diag = first;
    return MK_CASSETTE_ESECRET;
}
