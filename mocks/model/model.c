/* model.c: loading, freeing, status names, error formatting, pointers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *mk_model_strerror(int status)
{
    switch ((mk_model_status)status) {
    case MK_MODEL_OK:
        return "conforms";
    case MK_MODEL_SKIPPED:
        return "not checked (bound to null)";
    case MK_MODEL_INVALID:
        return "breaks the model";
    case MK_MODEL_UNBOUND:
        return "no binding covers this payload";
    case MK_MODEL_EMODEL:
        return "invalid model";
    case MK_MODEL_EIO:
        return "model file could not be read";
    case MK_MODEL_ENOMEM:
        return "out of memory";
    case MK_MODEL_EINVAL:
        return "invalid argument";
    case MK_MODEL_ENOTJSON:
        return "payload is not JSON";
    }
    return "unknown model status";
}

const char *mk_model_error_format(const mk_model_error *e, char *buf, size_t size)
{
    if (!buf || size == 0)
        return "";
    if (!e) {
        snprintf(buf, size, "(no error)");
        return buf;
    }
    const char *ptr = e->pointer[0] ? e->pointer : "(root)";
    if (e->type[0] && e->source[0])
        snprintf(buf, size, "%s: %s [%s; %s (%s)]", ptr, e->message, e->keyword, e->type,
                 e->source);
    else if (e->type[0])
        snprintf(buf, size, "%s: %s [%s; %s]", ptr, e->message, e->keyword, e->type);
    else if (e->keyword[0])
        snprintf(buf, size, "%s: %s [%s]", ptr, e->message, e->keyword);
    else
        snprintf(buf, size, "%s: %s", ptr, e->message);
    return buf;
}

int mk_mdl__err(mk_model_error *err, int status, const char *pointer, const char *keyword,
                const char *fmt, ...)
{
    if (!err)
        return status;
    memset(err, 0, sizeof(*err));
    snprintf(err->pointer, sizeof(err->pointer), "%s", pointer ? pointer : "");
    snprintf(err->keyword, sizeof(err->keyword), "%s", keyword ? keyword : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return status;
}

/* Appends raw bytes, cutting (never overflowing) a pointer that is too long. */
static void ptr_put(mk_mdl_ptr *p, const char *s, size_t n)
{
    size_t room = sizeof(p->buf) - 1 - p->len;
    if (n > room)
        n = room;
    memcpy(p->buf + p->len, s, n);
    p->len += n;
    p->buf[p->len] = '\0';
}

size_t mk_mdl__ptr_key(mk_mdl_ptr *p, const char *key)
{
    size_t old = p->len;
    ptr_put(p, "/", 1);
    for (const char *c = key ? key : ""; *c; c++) {
        if (*c == '~')
            ptr_put(p, "~0", 2);
        else if (*c == '/')
            ptr_put(p, "~1", 2);
        else
            ptr_put(p, c, 1);
    }
    return old;
}

size_t mk_mdl__ptr_index(mk_mdl_ptr *p, size_t index)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof(tmp), "/%zu", index);
    size_t old = p->len;
    ptr_put(p, tmp, (size_t)n);
    return old;
}

void mk_mdl__ptr_pop(mk_mdl_ptr *p, size_t old_len)
{
    if (old_len <= p->len) {
        p->len = old_len;
        p->buf[old_len] = '\0';
    }
}

const char *mk_mdl__json_type(const cJSON *v)
{
    if (!v)
        return "nothing";
    if (cJSON_IsNull(v))
        return "null";
    if (cJSON_IsBool(v))
        return "boolean";
    if (cJSON_IsString(v))
        return "string";
    if (cJSON_IsArray(v))
        return "array";
    if (cJSON_IsObject(v))
        return "object";
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == (double)(long long)d && d > -9.0e18 && d < 9.0e18)
            return "integer";
        return "number";
    }
    return "invalid";
}

void mk_model_free(mk_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->pattern_count; i++)
        regfree(&m->patterns[i].re);
    free(m->patterns);
    cJSON_Delete(m->doc);
    free(m->name);
    free(m);
}

int mk_model_new_json(const cJSON *doc, const char *name, mk_model **out, mk_model_error *err)
{
    if (out)
        *out = NULL;
    if (!doc || !out)
        return mk_mdl__err(err, MK_MODEL_EINVAL, "", "", "no model document");
    mk_model *m = calloc(1, sizeof(*m));
    if (!m)
        return mk_mdl__err(err, MK_MODEL_ENOMEM, "", "", "out of memory");
    m->name = strdup(name ? name : "<memory>");
    m->doc = cJSON_Duplicate(doc, 1);
    if (!m->name || !m->doc) {
        mk_model_free(m);
        return mk_mdl__err(err, MK_MODEL_ENOMEM, "", "", "out of memory");
    }
    int rc = mk_mdl__check_model(m, err);
    if (rc != MK_MODEL_OK) {
        if (err && rc == MK_MODEL_EMODEL) {
            char msg[sizeof(err->message)];
            snprintf(msg, sizeof(msg), "%s", err->message);
            snprintf(err->message, sizeof(err->message), "%.80s: %.300s", m->name, msg);
        }
        mk_model_free(m);
        return rc;
    }
    *out = m;
    return MK_MODEL_OK;
}

int mk_model_new(const char *path, mk_model **out, mk_model_error *err)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return mk_mdl__err(err, MK_MODEL_EINVAL, "", "", "no model path");
    FILE *f = fopen(path, "rb");
    if (!f)
        return mk_mdl__err(err, MK_MODEL_EIO, "", "", "%s: %s", path, strerror(errno));
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < 4096) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *n = realloc(text, ncap + 1);
            if (!n) {
                free(text);
                fclose(f);
                return mk_mdl__err(err, MK_MODEL_ENOMEM, "", "", "out of memory");
            }
            text = n;
            cap = ncap;
        }
        size_t got = fread(text + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(text);
        return mk_mdl__err(err, MK_MODEL_EIO, "", "", "%s: read error", path);
    }
    text[len] = '\0';
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
    if (!doc) {
        size_t off = end ? (size_t)(end - text) : 0;
        size_t line = 1;
        for (size_t i = 0; i < off && i < len; i++)
            line += text[i] == '\n';
        free(text);
        return mk_mdl__err(err, MK_MODEL_EMODEL, "", "", "%s:%zu: not JSON (byte offset %zu)",
                           path, line, off);
    }
    free(text);
    int rc = mk_model_new_json(doc, path, out, err);
    cJSON_Delete(doc);
    return rc;
}

const char *mk_model_service(const mk_model *m)
{
    return m ? m->service : NULL;
}
