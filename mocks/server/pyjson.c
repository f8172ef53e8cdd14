/* pyjson.c: where and why CPython's json.loads refuses a request body, so
 * the Cairos mock can answer FastAPI's json_invalid entry with the same
 * ctx.error and position. As Python 3.11 and 3.12 do (Debian 12's 3.11
 * agrees on every case in suites/core/test_cairos_body.c): 3.13 names a
 * trailing comma ("Illegal trailing comma before end of object/array", at
 * the comma) where these say "Expecting property name enclosed in double
 * quotes" / "Expecting value" at the bracket; the Cairos server's Python is
 * not public. Read from python/cpython@002d951 Modules/_json.c
 * (scanstring_unicode, _parse_object_unicode, _parse_array_unicode,
 * _match_number_unicode, scan_once_unicode) and Lib/json/decoder.py
 * (JSONDecoder.decode: "Expecting value" from the scanner's StopIteration,
 * "Extra data" after the value) and Lib/json/__init__.py (bytes are decoded
 * with detect_encoding, 'surrogatepass'; a UTF-8 BOM is dropped). Syntax
 * only: the value itself is parsed with cJSON afterwards. */
#include <stdlib.h>
#include <string.h>

#include "cairos_internal.h"

typedef struct scan {
    const unsigned char *s;
    size_t len;
    size_t at;        /* error position, bytes */
    const char *msg;  /* error message; NULL with at = StopIteration */
    int depth;
    int python_only;  /* NaN / Infinity: json.loads takes them, cJSON not */
    mk__pyjson *out;  /* number spans go here */
    int oom;
} scan;

enum { OK = 0, FAIL = -1, DEEP = -2 };

static int err(scan *p, const char *msg, size_t at)
{
    p->msg = msg;
    p->at = at;
    return FAIL;
}

/* The scanner's StopIteration: decode() turns it into "Expecting value". */
static int stop(scan *p, size_t at)
{
    return err(p, "Expecting value", at);
}

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_ws(const scan *p, size_t i)
{
    while (i < p->len && is_ws(p->s[i]))
        i++;
    return i;
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int hex4(const scan *p, size_t at)
{
    int v = 0;
    for (size_t i = at; i < at + 4; i++) {
        unsigned char d = p->s[i];
        int x = is_digit(d) ? d - '0' : d >= 'a' && d <= 'f' ? d - 'a' + 10
                                     : d >= 'A' && d <= 'F' ? d - 'A' + 10 : -1;
        if (x < 0)
            return -1;
        v = v << 4 | x;
    }
    return v;
}

/* end: first byte after the opening quote. */
static int string(scan *p, size_t end, size_t *next_out)
{
    size_t begin = end - 1, next;
    for (;;) {
        unsigned char c = 0;
        for (next = end; next < p->len; next++) {
            c = p->s[next];
            if (c == '"' || c == '\\')
                break;
            if (c <= 0x1f)
                return err(p, "Invalid control character at", next);
        }
        if (next == p->len || (c != '"' && c != '\\'))
            return err(p, "Unterminated string starting at", begin);
        next++;
        if (c == '"') {
            *next_out = next;
            return OK;
        }
        if (next == p->len)
            return err(p, "Unterminated string starting at", begin);
        c = p->s[next];
        if (c != 'u') {
            end = next + 1;
            if (!strchr("\"\\/bfnrt", c) || c == '\0')
                return err(p, "Invalid \\escape", end - 2);
            continue;
        }
        next++;
        end = next + 4;
        if (end >= p->len)
            return err(p, "Invalid \\uXXXX escape", next - 1);
        int u = hex4(p, next);
        if (u < 0)
            return err(p, "Invalid \\uXXXX escape", end - 5);
        /* a high surrogate takes a following \uXXXX along when it is low */
        if (u >= 0xD800 && u <= 0xDBFF && end + 6 < p->len && p->s[end] == '\\' &&
            p->s[end + 1] == 'u') {
            int u2 = hex4(p, end + 2);
            if (u2 < 0)
                return err(p, "Invalid \\uXXXX escape", end + 1);
            if (u2 >= 0xDC00 && u2 <= 0xDFFF)
                end += 6;
        }
    }
}

/* Remember where a number stands, so its Python value can be shown. */
static int span(scan *p, size_t start, size_t len)
{
    mk__pyjson *o = p->out;
    if (o->span_count == o->span_cap) {
        size_t cap = o->span_cap ? o->span_cap * 2 : 16;
        size_t *grown = realloc(o->spans, cap * 2 * sizeof(*grown));
        if (!grown) {
            p->oom = 1;
            return DEEP; /* stop: not judged */
        }
        o->spans = grown;
        o->span_cap = cap;
    }
    o->spans[o->span_count * 2] = start + o->skip;
    o->spans[o->span_count * 2 + 1] = len;
    o->span_count++;
    return OK;
}

static int number(scan *p, size_t start, size_t *next_out)
{
    size_t i = start, last = p->len - 1;
    if (p->s[i] == '-') {
        i++;
        if (i > last)
            return stop(p, start);
    }
    if (p->s[i] >= '1' && p->s[i] <= '9') {
        i++;
        while (i <= last && is_digit(p->s[i]))
            i++;
    } else if (p->s[i] == '0') {
        i++;
    } else {
        return stop(p, start);
    }
    if (i < last && p->s[i] == '.' && is_digit(p->s[i + 1])) {
        i += 2;
        while (i <= last && is_digit(p->s[i]))
            i++;
    }
    if (i < last && (p->s[i] == 'e' || p->s[i] == 'E')) {
        size_t e_start = i++;
        if (i < last && (p->s[i] == '-' || p->s[i] == '+'))
            i++;
        while (i <= last && is_digit(p->s[i]))
            i++;
        if (!is_digit(p->s[i - 1]))
            i = e_start; /* no exponent digits: the number ends before 'e' */
    }
    *next_out = i;
    return span(p, start, i - start);
}

static int value(scan *p, size_t i, size_t *next_out);

static int object(scan *p, size_t i, size_t *next_out)
{
    size_t last = p->len - 1;
    i = skip_ws(p, i);
    if (i > last || p->s[i] != '}') {
        for (;;) {
            if (i > last || p->s[i] != '"')
                return err(p, "Expecting property name enclosed in double quotes", i);
            if (string(p, i + 1, &i) != OK)
                return FAIL;
            i = skip_ws(p, i);
            if (i > last || p->s[i] != ':')
                return err(p, "Expecting ':' delimiter", i);
            i = skip_ws(p, i + 1);
            int rc = value(p, i, &i);
            if (rc != OK)
                return rc;
            i = skip_ws(p, i);
            if (i <= last && p->s[i] == '}')
                break;
            if (i > last || p->s[i] != ',')
                return err(p, "Expecting ',' delimiter", i);
            i = skip_ws(p, i + 1);
        }
    }
    *next_out = i + 1;
    return OK;
}

static int array(scan *p, size_t i, size_t *next_out)
{
    size_t last = p->len - 1;
    i = skip_ws(p, i);
    if (i > last || p->s[i] != ']') {
        for (;;) {
            int rc = value(p, i, &i);
            if (rc != OK)
                return rc;
            i = skip_ws(p, i);
            if (i <= last && p->s[i] == ']')
                break;
            if (i > last || p->s[i] != ',')
                return err(p, "Expecting ',' delimiter", i);
            i = skip_ws(p, i + 1);
        }
    }
    if (i > last || p->s[i] != ']')
        return err(p, "Expecting value", last);
    *next_out = i + 1;
    return OK;
}

static int word(const scan *p, size_t i, const char *w)
{
    size_t n = strlen(w);
    return i + n <= p->len && memcmp(p->s + i, w, n) == 0;
}

static int value(scan *p, size_t i, size_t *next_out)
{
    if (i >= p->len)
        return stop(p, i);
    if (p->depth >= MK__PYJSON_MAX_DEPTH)
        return DEEP; /* where CPython stops depends on its stack: not judged */
    const char *consts[] = {"null", "true", "false", "NaN", "Infinity", "-Infinity"};
    for (size_t k = 0; k < sizeof(consts) / sizeof(consts[0]); k++) {
        if (word(p, i, consts[k])) {
            p->python_only |= k >= 3;
            *next_out = i + strlen(consts[k]);
            return OK;
        }
    }
    int rc;
    switch (p->s[i]) {
    case '"':
        return string(p, i + 1, next_out);
    case '{':
        p->depth++;
        rc = object(p, i + 1, next_out);
        p->depth--;
        return rc;
    case '[':
        p->depth++;
        rc = array(p, i + 1, next_out);
        p->depth--;
        return rc;
    default:
        return number(p, i, next_out);
    }
}

/* Python's strict UTF-8 decoder with 'surrogatepass' (encoded surrogates
 * ED A0..BF xx are taken). Returns 1 when every byte decodes. */
static int utf8_ok(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = s[i];
        size_t n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                                : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        if (n == 0 || i + n > len)
            return 0;
        for (size_t k = 1; k < n; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
        if ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xF0 && s[i + 1] < 0x90) ||
            (c == 0xF4 && s[i + 1] > 0x8F))
            return 0; /* overlong, or above U+10FFFF */
        i += n;
    }
    return 1;
}

int mk__pyjson_check(const unsigned char *body, size_t len, mk__pyjson *out)
{
    memset(out, 0, sizeof(*out));
    if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0) {
        out->skip = 3; /* detect_encoding: 'utf-8-sig' */
    } else if ((len >= 2 && (body[0] == 0 || body[1] == 0)) ||
               (len >= 2 && ((body[0] == 0xFF && body[1] == 0xFE) ||
                             (body[0] == 0xFE && body[1] == 0xFF)))) {
        return MK__PYJSON_OTHER; /* detect_encoding: UTF-16 or UTF-32 */
    }
    const unsigned char *s = body + out->skip;
    len -= out->skip;
    if (!utf8_ok(s, len))
        return MK__PYJSON_UNDECODABLE;
    scan p = {.s = s, .len = len, .out = out};
    size_t end = 0;
    int rc = value(&p, skip_ws(&p, 0), &end);
    if (rc == DEEP)
        return MK__PYJSON_OTHER;
    if (rc == OK) {
        end = skip_ws(&p, end);
        if (end == len)
            return p.python_only ? MK__PYJSON_OTHER : MK__PYJSON_OK;
        err(&p, "Extra data", end);
    }
    out->msg = p.msg;
    /* JSONDecodeError.pos counts characters of the decoded str */
    for (size_t i = 0; i < p.at && i < len; i++)
        out->pos += (s[i] & 0xC0) != 0x80;
    return MK__PYJSON_INVALID;
}

void mk__pyjson_free(mk__pyjson *pj)
{
    free(pj->spans);
    pj->spans = NULL;
    pj->span_count = pj->span_cap = 0;
}
