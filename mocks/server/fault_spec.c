/* fault_spec.c: the compact fault SPEC (docs/faults.md):
 *
 *   [SERVICE:][METHOD ]PATH:ACTION[,OPTION...]
 *
 * PATH starts with '/' (a literal or {name} template) or is '*', and ends
 * at the first ':'. Errors name the byte offset in SPEC. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"

__attribute__((format(printf, 4, 5)))
static int fail(char *err, size_t n, size_t at, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(err, n, "fault spec byte %zu: %s", at, msg);
    return -1;
}

static int num(const char *s, size_t len, double lo, double hi, double *out)
{
    char buf[40];
    char *end = NULL;
    if (len == 0 || len >= sizeof(buf)) {
        return -1;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    *out = strtod(buf, &end);
    return errno || *end || *out < lo || *out > hi ? -1 : 0;
}

static int whole(const char *s, size_t len, double lo, double hi, long long *out)
{
    double d;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i])) {
            return -1;
        }
    }
    if (num(s, len, lo, hi, &d) != 0) {
        return -1;
    }
    *out = (long long)d;
    return 0;
}

/* "event:N" / "byte:K" / "status" / "first" / "between". */
static int point(const char *v, size_t len, int *at, int *event)
{
    long long n;
    if (len == 6 && strncmp(v, "status", 6) == 0) {
        *at = MK__AT_STATUS;
    } else if (len == 5 && strncmp(v, "first", 5) == 0) {
        *at = MK__AT_FIRST;
    } else if (len == 7 && strncmp(v, "between", 7) == 0) {
        *at = MK__AT_BETWEEN;
    } else if (len > 6 && strncmp(v, "event:", 6) == 0 &&
               whole(v + 6, len - 6, 0, 1e9, &n) == 0) {
        *at = MK__AT_EVENT;
        *event = (int)n;
    } else {
        return -1;
    }
    return 0;
}

static int latency(const char *v, size_t len, mk__fault *f)
{
    const char *dots = memchr(v, '.', len);
    if (len > 10 && strncmp(v, "lognormal:", 10) == 0) {
        const char *c = memchr(v + 10, ':', len - 10);
        if (!c) {
            return -1;
        }
        f->dist = MK__DIST_LOGNORMAL;
        return num(v + 10, (size_t)(c - v - 10), 0, 3.6e6, &f->a) != 0 ||
                       num(c + 1, len - (size_t)(c + 1 - v), 0, 10, &f->b) != 0
                   ? -1
                   : 0;
    }
    if (dots && (size_t)(dots - v) + 2 < len && dots[1] == '.') {
        f->dist = MK__DIST_UNIFORM;
        return num(v, (size_t)(dots - v), 0, 3.6e6, &f->a) != 0 ||
                       num(dots + 2, len - (size_t)(dots + 2 - v), f->a, 3.6e6, &f->b) != 0
                   ? -1
                   : 0;
    }
    f->dist = MK__DIST_FIXED;
    return num(v, len, 0, 3.6e6, &f->a);
}

/* One ACTION or OPTION item "key[=value]"; first: it names the fault. */
static int item(const char *s, size_t len, int first, mk__fault *f, size_t at, char *err,
                size_t n)
{
    const char *eq = memchr(s, '=', len);
    size_t klen = eq ? (size_t)(eq - s) : len;
    const char *v = eq ? eq + 1 : NULL;
    size_t vlen = eq ? len - klen - 1 : 0;
    long long w;
    char key[24];
    snprintf(key, sizeof(key), "%.*s", (int)(klen < 23 ? klen : 23), s);
#define IS(k) (strcmp(key, (k)) == 0)
#define BAD(what) fail(err, n, at, what)
    if (first) {
        if (IS("status")) {
            if (!v || whole(v, vlen, 100, 599, &w) != 0) {
                return BAD("status wants an HTTP status 100-599, e.g. status=429");
            }
            f->kind = MK__F_STATUS;
            f->status = (int)w;
        } else if (IS("latency")) {
            if (!v || latency(v, vlen, f) != 0) {
                return BAD("latency wants MS, MIN..MAX or lognormal:MEDIAN:SIGMA (ms)");
            }
            f->kind = MK__F_LATENCY;
        } else if (IS("drip")) {
            const char *sl = v ? memchr(v, '/', vlen) : NULL;
            long long t;
            if (!sl || whole(v, (size_t)(sl - v), 1, 1e9, &w) != 0 ||
                whole(sl + 1, vlen - (size_t)(sl + 1 - v), 0, 3.6e6, &t) != 0) {
                return BAD("drip wants BYTES/MS, e.g. drip=1/50");
            }
            f->kind = MK__F_DRIP;
            f->drip_bytes = (size_t)w;
            f->drip_ms = (int)t;
        } else if (IS("stall") && !v) {
            f->kind = MK__F_STALL;
        } else if (IS("cut")) {
            if (v && vlen > 5 && strncmp(v, "byte:", 5) == 0 &&
                whole(v + 5, vlen - 5, 0, 1e15, &w) == 0) {
                f->cut_byte = w;
            } else if (v && vlen > 6 && strncmp(v, "event:", 6) == 0 &&
                       whole(v + 6, vlen - 6, 0, 1e9, &w) == 0) {
                f->cut_event = (int)w;
            } else {
                return BAD("cut wants event:N or byte:K");
            }
            f->kind = MK__F_CUT;
        } else if (IS("garbage")) {
            if (!v || whole(v, vlen, 1, 1 << 20, &w) != 0) {
                return BAD("garbage wants a byte count 1-1048576");
            }
            f->kind = MK__F_GARBAGE;
            f->garbage = (size_t)w;
        } else if (IS("empty") && !v) {
            f->kind = MK__F_EMPTY;
        } else if (IS("badchunk") && !v) {
            f->kind = MK__F_BADCHUNK;
        } else if (IS("wsclose")) {
            if (!v || whole(v, vlen, 1000, 4999, &w) != 0) {
                return BAD("wsclose wants a close code 1000-4999 (1006: drop the TCP "
                           "connection without a close frame)");
            }
            f->kind = MK__F_WSCLOSE;
            f->ws_code = (int)w;
        } else if (IS("fragment")) {
            if (!v || whole(v, vlen, 1, 1 << 24, &w) != 0) {
                return BAD("fragment wants payload bytes per frame, >= 1");
            }
            f->kind = MK__F_FRAGMENT;
            f->fragment = (size_t)w;
        } else if (IS("nopong") && !v) {
            f->kind = MK__F_NOPONG;
        } else {
            return BAD("expected a fault: status=, latency=, drip=, stall, cut=, garbage=, "
                       "empty, badchunk, wsclose=, fragment= or nopong");
        }
        return 0;
    }
    if (IS("times")) {
        if (!v || whole(v, vlen, 1, 1e12, &w) != 0) {
            return BAD("times wants a count >= 1");
        }
        f->times = (long)w;
    } else if (IS("every")) {
        if (!v || whole(v, vlen, 1, 1e12, &w) != 0) {
            return BAD("every wants a count >= 1");
        }
        f->every = (long)w;
    } else if (IS("p")) {
        if (!v || num(v, vlen, 0, 1, &f->p) != 0) {
            return BAD("p wants a probability 0-1");
        }
    } else if (IS("retry-after")) {
        if (!v || whole(v, vlen, 0, 86400, &w) != 0) {
            return BAD("retry-after wants seconds 0-86400");
        }
        f->retry_after = (int)w;
    } else if (IS("at")) {
        if (!v || point(v, vlen, &f->at, &f->at_event) != 0) {
            return BAD("at wants status, first, between or event:N");
        }
    } else if (IS("rst") && !v) {
        f->rst = 1;
    } else if (IS("fin") && !v) {
        f->rst = 0;
    } else {
        return BAD("unknown option (times=, every=, p=, retry-after=, at=, rst, fin)");
    }
    return 0;
#undef IS
#undef BAD
}

/* Options that make no sense for the fault are refused, not ignored. */
static int coherent(const mk__fault *f, char *err, size_t n, size_t len)
{
    if (f->retry_after >= 0 && f->kind != MK__F_STATUS) {
        return fail(err, n, len, "retry-after goes with status=");
    }
    if (f->at != MK__AT_STATUS && f->kind != MK__F_LATENCY && f->kind != MK__F_STALL &&
        f->kind != MK__F_WSCLOSE) {
        return fail(err, n, len, "at= goes with latency=, stall or wsclose=");
    }
    if (f->kind == MK__F_WSCLOSE && f->at != MK__AT_STATUS && f->at != MK__AT_EVENT) {
        return fail(err, n, len, "wsclose takes at=event:N (after N server messages)");
    }
    if (f->kind == MK__F_LATENCY && f->at == MK__AT_EVENT) {
        return fail(err, n, len, "latency takes at=status, first or between");
    }
    if (f->rst && f->kind != MK__F_CUT && f->kind != MK__F_GARBAGE && f->kind != MK__F_EMPTY &&
        !(f->kind == MK__F_WSCLOSE && f->ws_code == 1006)) {
        return fail(err, n, len, "rst goes with cut=, garbage=, empty or wsclose=1006");
    }
    return 0;
}

static void defaults(mk__fault *f)
{
    memset(f, 0, sizeof(*f));
    f->retry_after = -1;
    f->cut_byte = -1;
    f->cut_event = -1;
    f->times = -1;
    f->every = 1;
    f->p = 1.0;
}

/* ACTION[,OPTION...] from s; offsets in errors are from spec. */
static int items(const char *spec, const char *s, mk__fault *f, char *err, size_t err_size)
{
    for (int first = 1; *s || first; first = 0) {
        size_t len = strcspn(s, ",");
        if (len == 0) {
            return fail(err, err_size, (size_t)(s - spec), "empty item");
        }
        if (item(s, len, first, f, (size_t)(s - spec), err, err_size) != 0) {
            return -1;
        }
        s += len;
        if (*s == ',') {
            s++;
            if (!*s) {
                return fail(err, err_size, (size_t)(s - spec), "empty item");
            }
        }
    }
    return coherent(f, err, err_size, strlen(spec));
}

int mk__fault_parse_action(const char *action, mk__fault *f, char *err, size_t err_size)
{
    defaults(f);
    snprintf(f->path, sizeof(f->path), "*");
    if (!action || items(action, action, f, err, err_size) != 0) {
        return action ? -1 : fail(err, err_size, 0, "no fault");
    }
    if (f->times >= 0 || f->every != 1 || f->p < 1.0) {
        /* sequences already say "the first answer is a 429, then 200" */
        return fail(err, err_size, 0, "times=, every= and p= are for faults set by --fault, the admin API or "
                    "the C API; a cassette fault fires each time its part is sent");
    }
    return 0;
}

int mk__fault_parse(const char *spec, mk__fault *f, char *err, size_t err_size)
{
    const char *s = spec, *colon, *sp;
    defaults(f);
    if (!spec) {
        return fail(err, err_size, 0, "no spec");
    }
    /* SERVICE: a word before the first ':' that is not a method or path */
    colon = strchr(s, ':');
    sp = strchr(s, ' ');
    if (colon && s[0] != '/' && s[0] != '*' && (!sp || colon < sp)) {
        size_t n = (size_t)(colon - s);
        if (n == 0 || n >= sizeof(f->service)) {
            return fail(err, err_size, 0, "expected SERVICE:, METHOD PATH or PATH");
        }
        memcpy(f->service, s, n);
        s = colon + 1;
    }
    sp = strchr(s, ' ');
    if (s[0] != '/' && s[0] != '*') {
        size_t n = sp ? (size_t)(sp - s) : 0;
        if (n == 0 || n >= sizeof(f->method)) {
            return fail(err, err_size, (size_t)(s - spec), "expected a METHOD and a space, or a PATH starting with '/' or '*'");
        }
        for (size_t i = 0; i < n; i++) {
            if (!isupper((unsigned char)s[i])) {
                return fail(err, err_size, (size_t)(s - spec) + i, "a METHOD is upper-case letters (GET, POST, ...)");
            }
        }
        memcpy(f->method, s, n);
        s = sp + 1;
        if (s[0] != '/' && s[0] != '*') {
            return fail(err, err_size, (size_t)(s - spec), "expected a PATH starting with '/' or '*'");
        }
    }
    colon = strchr(s, ':');
    if (!colon || (size_t)(colon - s) >= sizeof(f->path)) {
        return fail(err, err_size, (size_t)(s - spec), colon ? "PATH longer than 255 bytes" : "expected ':' and a fault after PATH");
    }
    memcpy(f->path, s, (size_t)(colon - s));
    return items(spec, colon + 1, f, err, err_size);
}
