/* redact.c: what the recorder replaces before anything reaches a cassette.
 * Placeholders are stable (<REDACTED:name>) so a replayed request that
 * carries the same placeholder still matches, and the shape of each value
 * (auth scheme, cookie names and attributes) is kept for readers. */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "record_internal.h"

/* Headers whose whole value is a credential; '*' is any run ("x-*-token"
 * covers x-auth-token, x-access-token, x-csrf-token, x-goog-token ...). */
static const char *const secret_headers[] = {
    "x-api-key", "api-key", "apikey", "openai-organization", "openai-project",
    "x-*-token", "x-token", "x-*-api-key", "x-*-secret",
    "proxy-authorization", "x-organization", "x-project"};

/* Query parameters that carry credentials besides the field names
 * (?key= is Google's API key, ?sig= / ?signature= signed URLs). */
static const char *const secret_query[] = {"key", "sig", "signature", "auth", "x-amz-signature",
                                           "x-amz-credential", "x-amz-security-token"};

/* Body fields whose value is a credential, compared case-insensitively
 * with '-' and '_' alike. */
static const char *const secret_fields[] = {
    "password", "passwd", "pass", "api_key", "apikey", "token", "secret",
    "access_token", "refresh_token", "id_token", "auth_token", "session_token",
    "client_secret", "secret_key", "private_key", "new_password", "old_password",
    "current_password"};

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static int add_names(char ***dst, size_t *count, const char *const *src, size_t n)
{
    if (n == 0)
        return 0;
    *dst = calloc(n, sizeof **dst);
    if (!*dst)
        return -1;
    for (size_t i = 0; i < n; i++) {
        (*dst)[i] = mk_rec__lower(src[i] ? src[i] : "");
        if (!(*dst)[i])
            return -1;
        (*count)++;
    }
    return 0;
}

int mk_rec__redactor_init(mk_rec_redactor *r, const mk_record_options *o, char *err,
                          size_t err_size)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    if (err_size)
        err[0] = '\0';
    if (add_names(&r->headers, &r->header_count, o->redact_headers, o->redact_header_count) ||
        add_names(&r->fields, &r->field_count, o->redact_fields, o->redact_field_count))
        return -1;
    if (o->redact_pattern_count) {
        r->patterns = calloc(o->redact_pattern_count, sizeof *r->patterns);
        if (!r->patterns)
            return -1;
        for (size_t i = 0; i < o->redact_pattern_count; i++) {
            const char *p = o->redact_patterns[i] ? o->redact_patterns[i] : "";
            int rc = *p ? regcomp(&r->patterns[i], p, REG_EXTENDED) : REG_BADPAT;
            if (rc != 0) {
                char why[256] = "empty pattern";
                if (*p)
                    regerror(rc, &r->patterns[i], why, sizeof why);
                snprintf(err, err_size, "--redact-pattern '%s': %s", p, why);
                return -1;
            }
            r->pattern_count++;
        }
    }
    return 0;
}

void mk_rec__redactor_cleanup(mk_rec_redactor *r)
{
    for (size_t i = 0; i < r->header_count; i++)
        free(r->headers[i]);
    for (size_t i = 0; i < r->field_count; i++)
        free(r->fields[i]);
    for (size_t i = 0; i < r->applied_count; i++)
        free(r->applied[i]);
    for (size_t i = 0; i < r->pattern_count; i++)
        regfree(&r->patterns[i]);
    free(r->patterns);
    free(r->headers);
    free(r->fields);
    free(r->applied);
    pthread_mutex_destroy(&r->mu);
    memset(r, 0, sizeof *r);
}

/* Remember "kind:name" once, for meta.redactions. */
static void applied(mk_rec_redactor *r, const char *kind, const char *name)
{
    char key[256];
    snprintf(key, sizeof key, "%s:%s", kind, name);
    for (char *p = key; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    pthread_mutex_lock(&r->mu);
    for (size_t i = 0; i < r->applied_count; i++)
        if (strcmp(r->applied[i], key) == 0)
            goto out;
    char **na = realloc(r->applied, (r->applied_count + 1) * sizeof *na);
    if (na) {
        r->applied = na;
        na[r->applied_count] = dupstr(key);
        if (na[r->applied_count])
            r->applied_count++;
    }
out:
    pthread_mutex_unlock(&r->mu);
}

cJSON *mk_rec__redactions_json(mk_rec_redactor *r)
{
    cJSON *a = cJSON_CreateArray();
    pthread_mutex_lock(&r->mu);
    for (size_t i = 0; a && i < r->applied_count; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(r->applied[i]));
    pthread_mutex_unlock(&r->mu);
    return a;
}

/* name (any case) against lowercase names that may hold '*'. */
static int in_list(const char *name, const char *const *list, size_t n)
{
    char lower[256];
    size_t k = 0;
    for (; name[k] && k + 1 < sizeof lower; k++)
        lower[k] = (char)tolower((unsigned char)name[k]);
    lower[k] = '\0';
    for (size_t i = 0; i < n; i++)
        if (strchr(list[i], '*') ? fnmatch(list[i], lower, 0) == 0 : strcmp(lower, list[i]) == 0)
            return 1;
    return 0;
}

/* Field names compare case-insensitively with '-' == '_'. */
static int field_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        int ca = tolower((unsigned char)*a), cb = tolower((unsigned char)*b);
        if (ca == '-')
            ca = '_';
        if (cb == '-')
            cb = '_';
        if (ca != cb)
            return 0;
    }
    return *a == *b;
}

static int secret_field(const mk_rec_redactor *r, const char *name)
{
    for (size_t i = 0; i < sizeof secret_fields / sizeof *secret_fields; i++)
        if (field_eq(name, secret_fields[i]))
            return 1;
    for (size_t i = 0; i < r->field_count; i++)
        if (field_eq(name, r->fields[i]))
            return 1;
    return 0;
}

/* "<REDACTED:name>" with name reduced to characters a placeholder may hold
 * ("<REDACTED>" when nothing is left), so the secret scan accepts it. */
static char *placeholder(const char *name)
{
    size_t n = strlen(name) + 13;
    char *s = malloc(n);
    if (!s)
        return NULL;
    size_t k = 0;
    char clean[128];
    for (const char *p = name; *p && k + 1 < sizeof clean; p++)
        clean[k++] = (isalnum((unsigned char)*p) || strchr("-_.", *p)) ? *p : '_';
    clean[k] = '\0';
    if (k)
        snprintf(s, n, "<REDACTED:%s>", clean);
    else
        snprintf(s, n, "<REDACTED>");
    return s;
}

/* A value that is already a placeholder (a replayed cassette). */
static int is_placeholder_value(const char *v)
{
    return mk_cassette_is_placeholder(v, strlen(v));
}

/* "name=value; name2=value2" (Cookie) or "name=value; Attr=x; Flag"
 * (Set-Cookie: only the first pair is the cookie). */
static char *redact_cookies(mk_rec_redactor *r, const char *value, int set_cookie,
                            const char *header)
{
    size_t cap = strlen(value) * 2 + 64, n = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    const char *p = value;
    int first = 1;
    while (*p) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if ((first || !set_cookie) && eq) {
            const char *ns = p;
            while (ns < eq && *ns == ' ')
                ns++;
            char name[128];
            size_t nl = (size_t)(eq - ns) < sizeof name - 1 ? (size_t)(eq - ns) : sizeof name - 1;
            memcpy(name, ns, nl);
            name[nl] = '\0';
            size_t need = (size_t)(ns - p) + nl * 2 + 16;
            if (n + need + 2 >= cap) {
                cap = (n + need) * 2 + 64;
                char *no = realloc(out, cap);
                if (!no) {
                    free(out);
                    return NULL;
                }
                out = no;
            }
            char *ph = placeholder(name);
            n += (size_t)snprintf(out + n, cap - n, "%.*s%s=%s", (int)(ns - p), p, name,
                                  ph ? ph : "<REDACTED>");
            free(ph);
            if (name[0])
                applied(r, "cookie", name);
        } else {
            if (n + len + 2 >= cap) {
                cap = (n + len) * 2 + 64;
                char *no = realloc(out, cap);
                if (!no) {
                    free(out);
                    return NULL;
                }
                out = no;
            }
            memcpy(out + n, p, len);
            n += len;
        }
        first = 0;
        if (!end)
            break;
        out[n++] = ';';
        p = end + 1;
    }
    out[n] = '\0';
    applied(r, "header", header);
    return out;
}

char *mk_rec__redact_header(mk_rec_redactor *r, const char *name, const char *value)
{
    if (strcasecmp(name, "authorization") == 0 || strcasecmp(name, "proxy-authorization") == 0) {
        /* Keep the scheme: "Bearer <REDACTED:authorization>". */
        char *lname = mk_rec__lower(name);
        if (!lname)
            return NULL;
        const char *sp = strchr(value, ' ');
        size_t n = strlen(value) + strlen(lname) + 16;
        char *out = malloc(n);
        if (out) {
            if (sp)
                snprintf(out, n, "%.*s <REDACTED:%s>", (int)(sp - value), value, lname);
            else
                snprintf(out, n, "<REDACTED:%s>", lname);
        }
        applied(r, "header", lname);
        free(lname);
        return out;
    }
    if (strcasecmp(name, "cookie") == 0)
        return redact_cookies(r, value, 0, "cookie");
    if (strcasecmp(name, "set-cookie") == 0)
        return redact_cookies(r, value, 1, "set-cookie");
    if (in_list(name, secret_headers, sizeof secret_headers / sizeof *secret_headers) ||
        in_list(name, (const char *const *)r->headers, r->header_count)) {
        char *lname = mk_rec__lower(name);
        char *out = lname ? placeholder(lname) : NULL;
        if (lname)
            applied(r, "header", lname);
        free(lname);
        return out;
    }
    return mk_rec__redact_patterns(r, value);
}

int mk_rec__redact_json(mk_rec_redactor *r, cJSON *v)
{
    int n = 0;
    if (!v)
        return 0;
    for (cJSON *c = v->child; c; c = c->next) {
        if (cJSON_IsObject(v) && c->string && secret_field(r, c->string) &&
            !cJSON_IsObject(c) && !cJSON_IsArray(c) && !cJSON_IsNull(c)) {
            char *ph = placeholder(c->string);
            if (ph && !(cJSON_IsString(c) && strcmp(c->valuestring, ph) == 0)) {
                cJSON *s = cJSON_CreateString(ph);
                /* ReplaceItemViaPointer keeps the position but not the key. */
                size_t klen = strlen(c->string) + 1;
                char *key = s ? cJSON_malloc(klen) : NULL;
                if (key) {
                    memcpy(key, c->string, klen);
                    s->string = key;
                    applied(r, "json", c->string);
                    cJSON_ReplaceItemViaPointer(v, c, s);
                    c = s;
                    n++;
                } else {
                    cJSON_Delete(s);
                }
            }
            free(ph);
            continue;
        }
        if (cJSON_IsString(c) && r->pattern_count) {
            char *red = mk_rec__redact_patterns(r, c->valuestring);
            size_t len = red ? strlen(red) + 1 : 0;
            char *copy = red ? cJSON_malloc(len) : NULL;
            if (copy) {
                memcpy(copy, red, len);
                cJSON_free(c->valuestring);
                c->valuestring = copy;
                n++;
            }
            free(red);
            continue;
        }
        n += mk_rec__redact_json(r, c);
    }
    return n;
}

/* Decode %XX and '+' of a form name into buf. */
static void form_decode(const char *s, size_t len, char *buf, size_t size)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < size; i++) {
        if (s[i] == '+') {
            buf[n++] = ' ';
        } else if (s[i] == '%' && i + 2 < len && isxdigit((unsigned char)s[i + 1]) &&
                   isxdigit((unsigned char)s[i + 2])) {
            char hex[3] = {s[i + 1], s[i + 2], 0};
            buf[n++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            buf[n++] = s[i];
        }
    }
    buf[n] = '\0';
}

char *mk_rec__redact_form(mk_rec_redactor *r, const char *body, size_t len, size_t *out_len)
{
    size_t cap = len * 2 + 64, n = 0;
    char *out = malloc(cap);
    int changed = 0;
    if (!out)
        return NULL;
    size_t i = 0;
    while (i <= len) {
        size_t j = i;
        while (j < len && body[j] != '&')
            j++;
        const char *pair = body + i;
        size_t plen = j - i;
        const char *eq = memchr(pair, '=', plen);
        char name[128];
        form_decode(pair, eq ? (size_t)(eq - pair) : plen, name, sizeof name);
        if (eq && secret_field(r, name)) {
            size_t nl = (size_t)(eq - pair);
            if (n + nl + strlen(name) + 16 >= cap) {
                cap = (n + nl + strlen(name) + 16) * 2;
                char *no = realloc(out, cap);
                if (!no) {
                    free(out);
                    return NULL;
                }
                out = no;
            }
            memcpy(out + n, pair, nl);
            n += nl;
            char *ph = placeholder(name);
            n += (size_t)snprintf(out + n, cap - n, "=%s", ph ? ph : "<REDACTED>");
            free(ph);
            applied(r, "form", name);
            changed = 1;
        } else {
            if (n + plen + 2 >= cap) {
                cap = (n + plen) * 2 + 16;
                char *no = realloc(out, cap);
                if (!no) {
                    free(out);
                    return NULL;
                }
                out = no;
            }
            memcpy(out + n, pair, plen);
            n += plen;
        }
        if (j >= len)
            break;
        out[n++] = '&';
        i = j + 1;
    }
    out[n] = '\0';
    if (!changed) {
        free(out);
        return NULL;
    }
    *out_len = n;
    return out;
}

char *mk_rec__redact_patterns(mk_rec_redactor *r, const char *s)
{
    if (r->pattern_count == 0 || !s)
        return NULL;
    static const char ph[] = "<REDACTED:pattern>";
    char *cur = NULL;
    for (size_t p = 0; p < r->pattern_count; p++) {
        const char *in = cur ? cur : s;
        size_t cap = strlen(in) + 64, n = 0;
        char *out = malloc(cap);
        if (!out)
            break;
        int hit = 0, flags = 0;
        regmatch_t m;
        const char *at = in;
        /* An empty match would never advance: such a pattern redacts nothing. */
        while (*at && regexec(&r->patterns[p], at, 1, &m, flags) == 0 && m.rm_eo > m.rm_so) {
            size_t need = n + (size_t)m.rm_so + sizeof ph + strlen(at + m.rm_eo) + 1;
            if (need > cap) {
                char *bigger = realloc(out, need * 2);
                if (!bigger)
                    break;
                out = bigger;
                cap = need * 2;
            }
            memcpy(out + n, at, (size_t)m.rm_so);
            n += (size_t)m.rm_so;
            memcpy(out + n, ph, sizeof ph - 1);
            n += sizeof ph - 1;
            at += m.rm_eo;
            flags = REG_NOTBOL;
            hit = 1;
        }
        size_t rest = strlen(at);
        if (n + rest + 1 > cap) {
            char *bigger = realloc(out, n + rest + 1);
            if (!bigger) {
                free(out);
                break;
            }
            out = bigger;
        }
        memcpy(out + n, at, rest + 1);
        if (hit) {
            free(cur);
            cur = out;
            applied(r, "pattern", "pattern");
        } else {
            free(out);
        }
    }
    return cur;
}

char *mk_rec__redact_query(mk_rec_redactor *r, const char *name, const char *value)
{
    if (secret_field(r, name) || in_list(name, secret_query, sizeof secret_query / sizeof *secret_query)) {
        if (is_placeholder_value(value))
            return NULL;
        applied(r, "query", name);
        return placeholder(name);
    }
    return mk_rec__redact_patterns(r, value);
}

/* End of the JSON string starting at text[i] == '"' (index after the
 * closing quote), or len when it never closes. */
static size_t string_end(const char *text, size_t i, size_t len)
{
    for (i++; i < len; i++) {
        if (text[i] == '\\')
            i++;
        else if (text[i] == '"')
            return i + 1;
    }
    return len;
}

static size_t skip_ws(const char *text, size_t i, size_t len)
{
    while (i < len && strchr(" \t\r\n", text[i]) && text[i])
        i++;
    return i;
}

char *mk_rec__redact_json_text(mk_rec_redactor *r, const char *text, size_t len)
{
    size_t cap = len + 64, n = 0;
    char *out = malloc(cap);
    int changed = 0;
    if (!out)
        return NULL;
    size_t i = 0;
    while (i < len) {
        size_t from = i, to = i + 1;
        const char *repl = NULL;
        char *ph = NULL;
        if (text[i] == '"') {
            size_t end = string_end(text, i, len);
            size_t colon = skip_ws(text, end, len);
            to = end;
            if (colon < len && text[colon] == ':') {
                cJSON *key = mk_json_parse_bounded(text + i, end - i, NULL);
                size_t v = skip_ws(text, colon + 1, len);
                if (cJSON_IsString(key) && v < len && secret_field(r, key->valuestring)) {
                    size_t vend = v;
                    if (text[v] == '"')
                        vend = string_end(text, v, len);
                    else if (text[v] == '-' || isdigit((unsigned char)text[v]) ||
                             text[v] == 't' || text[v] == 'f')
                        while (vend < len && !strchr(",}] \t\r\n", text[vend]))
                            vend++;
                    ph = vend > v ? placeholder(key->valuestring) : NULL;
                    size_t pl = ph ? strlen(ph) : 0;
                    /* Already a placeholder: nothing to do. */
                    if (ph && !(vend - v == pl + 2 && memcmp(text + v + 1, ph, pl) == 0)) {
                        to = vend;  /* key, colon, spacing kept; value replaced */
                        repl = ph;
                        applied(r, "json", key->valuestring);
                        from = v;
                    }
                }
                cJSON_Delete(key);
            }
        }
        size_t keep = repl ? from - i : to - i;
        size_t need = n + keep + (repl ? strlen(repl) + 2 : 0) + 1;
        if (need > cap) {
            char *bigger = realloc(out, need * 2);
            if (!bigger) {
                free(out);
                free(ph);
                return NULL;
            }
            out = bigger;
            cap = need * 2;
        }
        memcpy(out + n, text + i, keep);
        n += keep;
        if (repl) {
            n += (size_t)snprintf(out + n, cap - n, "\"%s\"", repl);
            changed = 1;
        }
        free(ph);
        i = to;
    }
    out[n] = '\0';
    if (!changed) {
        free(out);
        return NULL;
    }
    return out;
}
