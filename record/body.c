/* body.c: how recorded bytes are written into a cassette (json, text or
 * base64; docs/cassette.md "Bodies"), and small helpers for headers. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "record_internal.h"
#include "mockkit/cassette.h"

char *mk_rec__lower(const char *s)
{
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (!d)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        d[i] = (char)tolower((unsigned char)s[i]);
    return d;
}

int mk_rec__utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t extra;
        uint32_t cp;
        if (c < 0x80) {
            if (c == 0)
                return 0; /* NUL cannot travel in a JSON string safely for readers */
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            extra = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        for (size_t k = 1; k <= extra; k++) {
            if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
            (extra == 3 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += extra + 1;
    }
    return 1;
}

void mk_rec__headers_add(cJSON *headers, const char *name, const char *value)
{
    cJSON *old = cJSON_GetObjectItemCaseSensitive(headers, name);
    cJSON *v = cJSON_CreateString(value);
    if (!v)
        return;
    if (!old) {
        cJSON_AddItemToObject(headers, name, v);
    } else if (cJSON_IsArray(old)) {
        cJSON_AddItemToArray(old, v);
    } else {
        cJSON *arr = cJSON_CreateArray();
        if (!arr) {
            cJSON_Delete(v);
            return;
        }
        cJSON_AddItemToArray(arr, cJSON_Duplicate(old, 1));
        cJSON_AddItemToArray(arr, v);
        cJSON_ReplaceItemInObjectCaseSensitive(headers, name, arr);
    }
}

/* The parsed value when bytes are exactly its compact print, else NULL. */
static cJSON *exact_json(const char *data, size_t len)
{
    cJSON *v = mk_json_parse_bounded(data, len, NULL);
    if (!v)
        return NULL;
    char *p = cJSON_PrintUnformatted(v);
    int same = p && strlen(p) == len && memcmp(p, data, len) == 0;
    free(p);
    if (!same) {
        cJSON_Delete(v);
        return NULL;
    }
    return v;
}

static int is_form(const char *ct)
{
    return ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0;
}

static int add_text(cJSON *obj, const char *bytes, size_t len)
{
    char *s = malloc(len + 1);
    if (!s)
        return -1;
    memcpy(s, bytes, len);
    s[len] = '\0';
    cJSON *v = cJSON_CreateString(s);
    free(s);
    if (!v)
        return -1;
    cJSON_AddItemToObject(obj, "text", v);
    return 0;
}

static int add_base64(cJSON *obj, const void *data, size_t len)
{
    char *b64 = mk_cassette_base64_encode(data, len);
    if (!b64)
        return -1;
    cJSON_AddItemToObject(obj, "base64", cJSON_CreateString(b64));
    free(b64);
    return 0;
}

/* Redaction keeps every byte it does not have to change: compact JSON is
 * stored parsed (printing it again gives the same bytes), any other JSON
 * text is stored as text with only the redacted values replaced, so a
 * pretty-printed body keeps its layout, key order and number spelling. */
int mk_rec__body_add(cJSON *obj, const void *data, size_t len, const char *content_type,
                     mk_rec_redactor *red)
{
    const char *bytes = data;
    if (len == 0)
        return 0;
    if (!mk_rec__utf8_valid(data, len))
        return add_base64(obj, data, len);
    char *patterned = NULL;
    if (red && red->pattern_count && !memchr(bytes, '\0', len)) {
        char *s = strndup(bytes, len);
        patterned = s ? mk_rec__redact_patterns(red, s) : NULL;
        free(s);
    }
    int rc;
    if (patterned) {
        /* A pattern may have spanned JSON syntax: then the value is
         * redacted string by string below instead. */
        cJSON *before = mk_json_parse_bounded(bytes, len, NULL);
        cJSON *after = mk_json_parse_bounded(patterned, strlen(patterned), NULL);
        int broke = before && !after;
        cJSON_Delete(before);
        cJSON_Delete(after);
        if (!broke) {
            bytes = patterned;
            len = strlen(patterned);
        }
    }
    cJSON *v = exact_json(bytes, len);
    if (v) {
        if (red)
            mk_rec__redact_json(red, v);
        cJSON_AddItemToObject(obj, "json", v);
        free(patterned);
        return 0;
    }
    if (red) {
        cJSON *pv = mk_json_parse_bounded(bytes, len, NULL);
        int is_json = pv && (cJSON_IsObject(pv) || cJSON_IsArray(pv));
        cJSON_Delete(pv);
        if (is_json) {
            char *text = mk_rec__redact_json_text(red, bytes, len);
            rc = add_text(obj, text ? text : bytes, text ? strlen(text) : len);
            free(text);
            free(patterned);
            return rc;
        }
        if (is_form(content_type)) {
            size_t fl = 0;
            char *form = mk_rec__redact_form(red, bytes, len, &fl);
            if (form) {
                rc = add_text(obj, form, fl);
                free(form);
                free(patterned);
                return rc;
            }
        }
    }
    rc = add_text(obj, bytes, len);
    free(patterned);
    return rc;
}

int mk_rec__body_add_chunk(cJSON *obj, const void *data, size_t len, mk_rec_redactor *red)
{
    if (!red || red->pattern_count == 0 || !mk_rec__utf8_valid(data, len))
        return mk_rec__body_add(obj, data, len, NULL, NULL);  /* stored as they came */
    char *s = malloc(len + 1);
    if (!s)
        return -1;
    memcpy(s, data, len);
    s[len] = '\0';
    char *redacted = red ? mk_rec__redact_patterns(red, s) : NULL;
    int rc = add_text(obj, redacted ? redacted : s, redacted ? strlen(redacted) : len);
    free(redacted);
    free(s);
    return rc;
}

int mk_rec__body_add_base64(cJSON *obj, const void *data, size_t len)
{
    if (len == 0)
        return 0;
    char *b64 = mk_cassette_base64_encode(data, len);
    if (!b64)
        return -1;
    cJSON_AddItemToObject(obj, "base64", cJSON_CreateString(b64));
    free(b64);
    return 0;
}
