/* diag.c: error reports: status names, diag formatting, JSON pointers. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

const char *mk_cassette_strerror(int status)
{
    switch ((mk_cassette_status)status) {
    case MK_CASSETTE_OK:
        return "ok";
    case MK_CASSETTE_EIO:
        return "file could not be read or written";
    case MK_CASSETTE_ESYNTAX:
        return "not valid JSON";
    case MK_CASSETTE_ESCHEMA:
        return "not a valid v1 cassette";
    case MK_CASSETTE_ESECRET:
        return "contains a secret";
    case MK_CASSETTE_ENOMEM:
        return "out of memory";
    case MK_CASSETTE_EINVAL:
        return "invalid argument";
    }
    return "unknown cassette status";
}

const char *mk_diag_format(const mk_diag *d, char *buf, size_t size)
{
    if (!buf || size == 0)
        return "";
    if (!d) {
        snprintf(buf, size, "(no diagnostic)");
        return buf;
    }
    const char *file = d->file[0] ? d->file : "<memory>";
    if (d->line > 0)
        snprintf(buf, size, "%s:%d:%d: %s", file, d->line, d->column, d->message);
    else if (d->pointer[0])
        snprintf(buf, size, "%s: %s: %s", file, d->pointer, d->message);
    else
        snprintf(buf, size, "%s: %s", file, d->message);
    return buf;
}

void mk_cas__diag_init(mk_diag *d, const char *file)
{
    if (!d)
        return;
    memset(d, 0, sizeof *d);
    snprintf(d->file, sizeof d->file, "%s", file ? file : "<memory>");
}

int mk_cas__diag(mk_diag *d, int status, const char *file, const char *fmt, ...)
{
    if (!d)
        return status;
    mk_cas__diag_init(d, file);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->message, sizeof d->message, fmt, ap);
    va_end(ap);
    return status;
}

void mk_cas__first_issue(void *ctx, const char *pointer, const char *message)
{
    mk_diag *d = ctx;
    if (!d || d->message[0])
        return;
    snprintf(d->pointer, sizeof d->pointer, "%s", pointer);
    snprintf(d->message, sizeof d->message, "%s", message);
}

/* Appends s to the pointer, cutting (never overflowing) when full. */
static void ptr_append(mk_cas_ptr *p, const char *s, size_t n)
{
    size_t room = sizeof p->buf - 1 - p->len;
    if (n > room)
        n = room;
    memcpy(p->buf + p->len, s, n);
    p->len += n;
    p->buf[p->len] = '\0';
}

size_t mk_cas__ptr_key(mk_cas_ptr *p, const char *key)
{
    size_t old = p->len;
    ptr_append(p, "/", 1);
    for (const char *k = key; *k; k++) {
        if (*k == '~')
            ptr_append(p, "~0", 2);
        else if (*k == '/')
            ptr_append(p, "~1", 2);
        else
            ptr_append(p, k, 1);
    }
    return old;
}

size_t mk_cas__ptr_index(mk_cas_ptr *p, size_t index)
{
    char tmp[32];
    size_t old = p->len;
    int n = snprintf(tmp, sizeof tmp, "/%zu", index);
    ptr_append(p, tmp, (size_t)n);
    return old;
}

void mk_cas__ptr_pop(mk_cas_ptr *p, size_t old_len)
{
    if (old_len <= p->len) {
        p->len = old_len;
        p->buf[old_len] = '\0';
    }
}

const char *mk_cas__describe(const cJSON *v, char *buf, size_t size)
{
    if (!v)
        snprintf(buf, size, "nothing");
    else if (cJSON_IsString(v)) {
        const char *s = v->valuestring;
        if (strlen(s) > 40)
            snprintf(buf, size, "\"%.37s...\"", s);
        else
            snprintf(buf, size, "\"%s\"", s);
    } else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (isfinite(d) && d == floor(d) && fabs(d) < 1e15)
            snprintf(buf, size, "%.0f", d);
        else
            snprintf(buf, size, "%g", d);
    } else if (cJSON_IsBool(v))
        snprintf(buf, size, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsNull(v))
        snprintf(buf, size, "null");
    else if (cJSON_IsArray(v))
        snprintf(buf, size, "an array");
    else if (cJSON_IsObject(v))
        snprintf(buf, size, "an object");
    else
        snprintf(buf, size, "an invalid value");
    return buf;
}
