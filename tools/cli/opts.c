/* opts.c: see opts.h. */
#include "opts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void mk_opts_init(mk_opts *p, const char *cmd, int argc, char **argv)
{
    memset(p, 0, sizeof *p);
    p->cmd = cmd;
    p->argc = argc;
    p->argv = argv;
    p->next = 1;
}

int mk_opts_fail(const mk_opts *p, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "mockkit %s: ", p->cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return MK_OPTS_ERROR;
}

int mk_opts_next(mk_opts *p, const mk_opt *table, const char **value)
{
    *value = NULL;
    if (p->next >= p->argc)
        return MK_OPTS_END;
    const char *a = p->argv[p->next++];
    if (!p->only_args && strcmp(a, "--") == 0) {
        p->only_args = 1;
        return mk_opts_next(p, table, value);
    }
    /* "-" alone is an argument (stdin by convention), as is anything after "--". */
    if (p->only_args || a[0] != '-' || a[1] == '\0') {
        *value = a;
        return MK_OPTS_ARG;
    }
    const char *eq = a[1] == '-' ? strchr(a, '=') : NULL;
    size_t name_len = eq ? (size_t)(eq - a) : strlen(a);
    for (int i = 0; table[i].name; i++) {
        const mk_opt *o = &table[i];
        int hit = (strlen(o->name) == name_len && strncmp(o->name, a, name_len) == 0) ||
                  (!eq && o->alias && strcmp(o->alias, a) == 0);
        if (!hit)
            continue;
        if (!o->takes_value) {
            if (eq)
                return mk_opts_fail(p, "%s takes no value", o->name);
            return i;
        }
        if (eq) {
            *value = eq + 1;
        } else if (p->next < p->argc) {
            *value = p->argv[p->next++];
        } else {
            return mk_opts_fail(p, "%s needs a value", o->name);
        }
        return i;
    }
    return mk_opts_fail(p, "unknown option %.*s", (int)name_len, a);
}

int mk_opts_long(const char *s, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < 0)
        return -1;
    *out = v;
    return 0;
}

/* "http:// or https://" from "http https". */
static void scheme_list(const char *schemes, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (const char *s = schemes; *s && used < size;) {
        size_t len = strcspn(s, " ");
        int n = snprintf(out + used, size - used, "%s%.*s://", used ? " or " : "", (int)len, s);
        if (n < 0)
            return;
        used += (size_t)n;
        s += len;
        while (*s == ' ')
            s++;
    }
}

int mk_opts_url(const mk_opts *p, const char *url, const char *schemes)
{
    char want[128];
    scheme_list(schemes, want, sizeof want);
    if (!url || !*url) {
        mk_opts_fail(p, "empty URL (expected %s...)", want);
        return -1;
    }
    const char *sep = strstr(url, "://");
    if (!sep || sep == url || strcspn(url, ":/?#") != (size_t)(sep - url)) {
        mk_opts_fail(p, "%s: not a URL (expected %s...)", url, want);
        return -1;
    }
    size_t n = (size_t)(sep - url);
    for (const char *s = schemes; *s;) {
        size_t len = strcspn(s, " ");
        if (len == n && strncasecmp(s, url, n) == 0)
            return 0;
        s += len;
        while (*s == ' ')
            s++;
    }
    mk_opts_fail(p, "%s: unsupported scheme '%.*s' (expected %s)", url, (int)n, url, want);
    return -1;
}
