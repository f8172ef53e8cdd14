/* bee_ajv.c: the text of Bee's 400 for a value the model validator has
 * refused, as AJV 8 (allErrors off) and Fastify 4's default
 * schemaErrorFormatter produce it: "<var><instancePath> <message>", and for
 * a failed oneOf/anyOf every branch's first error before the oneOf's own,
 * joined by ", " (Fastify prints all of validate.errors).
 *
 * AJV's order at one value: type; then const, enum, anyOf, oneOf, allOf;
 * maximum, minimum, multipleOf; maxLength, minLength, pattern; maxItems,
 * minItems, uniqueItems, items (in order); maxProperties, minProperties,
 * required (in order), propertyNames, additionalProperties (instance order),
 * properties (schema order). Only the keywords models/bee.json uses are
 * known here; anything else makes the walk give up (the caller then words
 * the validator's own error). Validity is the validator's decision, not
 * this file's. */
#include <ctype.h>
#include <locale.h>
#include <regex.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bee_internal.h"

typedef struct walk {
    const cJSON *defs;
    char text[700];  /* the joined messages so far */
    int unknown;     /* met a keyword this walk does not know */
} walk;

__attribute__((format(printf, 4, 5)))
static void add(walk *w, const char *var, const char *path, const char *fmt, ...)
{
    size_t n = strlen(w->text);
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(w->text + n, sizeof(w->text) - n, "%s%s%s %s", n ? ", " : "", var, path, msg);
}

static const cJSON *deref(const walk *w, const cJSON *s)
{
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(s, "$ref");
    if (cJSON_IsString(r) && strncmp(r->valuestring, "#/$defs/", 8) == 0)
        return cJSON_GetObjectItemCaseSensitive(w->defs, r->valuestring + 8);
    return s;
}

static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The schema's number as JavaScript prints it (shortest text that reads
 * back the same: 0.01, not 0.01000000000000000021). */
static int number_arg(const cJSON *k, char *buf, size_t size)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, k->valuedouble);
        if (strtod(buf, NULL) == k->valuedouble)
            break;
    }
    return 1;
}

/* uniqueItems as AJV 8 words it: "items ## j and i are identical". AJV scans
 * i from the end; when the items schema declares only scalar types it keys
 * the items it has seen (skipping items of other types), so j > i is the
 * nearest later duplicate; otherwise it compares each item with the earlier
 * ones, so j < i is the nearest earlier one. 0 when all items differ. */
static int duplicate(const walk *w, const cJSON *items, const cJSON *v, char *buf, size_t size)
{
    const cJSON *is = items ? deref(w, items) : NULL;
    const cJSON *ty = cJSON_GetObjectItemCaseSensitive(is, "type"), *t;
    int n = cJSON_GetArraySize(v), scalar = ty != NULL;
    for (t = cJSON_IsString(ty) ? ty : ty ? ty->child : NULL; t;
         t = cJSON_IsString(ty) ? NULL : t->next)
        scalar &= cJSON_IsString(t) && strcmp(t->valuestring, "object") != 0 &&
                  strcmp(t->valuestring, "array") != 0;
    for (int i = n - 1; i > 0 || (scalar && i >= 0); i--) {
        const cJSON *a = cJSON_GetArrayItem(v, i);
        if (scalar) {
            int typed = 0;
            for (t = cJSON_IsString(ty) ? ty : ty->child; t; t = cJSON_IsString(ty) ? NULL : t->next)
                typed |= mk__bee_is_type(t->valuestring, a);
            if (!typed)
                continue;
        }
        for (int j = scalar ? i + 1 : i - 1; scalar ? j < n : j >= 0; j += scalar ? 1 : -1) {
            if (cJSON_Compare(a, cJSON_GetArrayItem(v, j), 1)) {
                snprintf(buf, size, "must NOT have duplicate items (items ## %d and %d are identical)",
                         j, i);
                return 1;
            }
        }
    }
    return 0;
}

/* A POSIX ERE match, compiled for this one call for UTF-8 as the model's
 * patterns are (mocks/model/check.c). -1: not compilable. */
static int matches(const char *pattern, const char *text)
{
    regex_t re;
    int rc;
    locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    locale_t old = utf8 ? uselocale(utf8) : (locale_t)0;
    rc = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
    if (utf8) {
        uselocale(old);
        freelocale(utf8);
    }
    if (rc != 0)
        return -1;
    rc = regexec(&re, text, 0, NULL, 0) == 0;
    regfree(&re);
    return rc;
}

static int check(walk *w, const char *var, const cJSON *schema, const cJSON *v, char *path,
                 size_t cap, int depth);

/* oneOf/anyOf: each failing branch leaves its first error, then the
 * keyword's own. Returns 1 when the keyword failed. */
static int branches(walk *w, const char *var, const cJSON *arr, int one, const cJSON *v,
                    char *path, size_t cap, int depth)
{
    char saved[sizeof(w->text)];
    int passing = 0;
    const cJSON *b;
    snprintf(saved, sizeof(saved), "%s", w->text);
    cJSON_ArrayForEach(b, arr) {
        if (check(w, var, b, v, path, cap, depth + 1) == 0)
            passing++;
    }
    if (w->unknown)
        return 1;
    if (one ? passing == 1 : passing > 0) {
        snprintf(w->text, sizeof(w->text), "%s", saved);  /* AJV resets on success */
        return 0;
    }
    add(w, var, path, "%s", one ? "must match exactly one schema in oneOf" : "must match a schema in anyOf");
    return 1;
}

/* 0: v passes what this walk checks; 1: an error was added. */
static int check(walk *w, const char *var, const cJSON *schema, const cJSON *v, char *path,
                 size_t cap, int depth)
{
    const cJSON *s = deref(w, schema), *k, *t;
    char num[64];
    size_t plen = strlen(path);
    if (!s || depth > MK_MODEL_MAX_DEPTH) {
        w->unknown = 1;
        return 1;
    }
    if (cJSON_IsTrue(s))
        return 0;
    for (k = s->child; k; k = k->next) {
        static const char *const known[] = {
            "type",      "const",     "enum",      "anyOf",     "oneOf",
            "maximum",   "minimum",   "maxLength", "minLength", "maxItems",
            "minItems",  "items",     "required",  "properties", "additionalProperties",
            "$ref",      "x-source",  "description", "title",     "multipleOf",
            "uniqueItems", "maxProperties", "minProperties", "propertyNames", "pattern"};
        int ok = 0;
        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
            ok |= strcmp(k->string, known[i]) == 0;
        if (!ok) {
            w->unknown = 1;  /* e.g. pattern, allOf: leave it to the validator's words */
            return 1;
        }
    }
    if ((k = cJSON_GetObjectItemCaseSensitive(s, "type"))) {
        int ok = 0;
        char types[96] = "";
        for (t = cJSON_IsString(k) ? k : k->child; t; t = cJSON_IsString(k) ? NULL : t->next) {
            ok |= mk__bee_is_type(t->valuestring, v);
            if (strcmp(t->valuestring, "null") != 0) {
                /* Bee writes `nullable: true`: AJV names the declared type only */
                size_t n = strlen(types);
                snprintf(types + n, sizeof(types) - n, "%s%s", n ? "," : "", t->valuestring);
            }
        }
        if (!ok) {
            add(w, var, path, "must be %s", types[0] ? types : "null");
            return 1;
        }
    }
    if ((k = cJSON_GetObjectItemCaseSensitive(s, "const")) && !cJSON_Compare(k, v, 1)) {
        add(w, var, path, "must be equal to constant");
        return 1;
    }
    if ((k = cJSON_GetObjectItemCaseSensitive(s, "enum"))) {
        int ok = 0;
        cJSON_ArrayForEach(t, k) ok |= cJSON_Compare(t, v, 1);
        if (!ok) {
            add(w, var, path, "must be equal to one of the allowed values");
            return 1;
        }
    }
    if ((k = cJSON_GetObjectItemCaseSensitive(s, "anyOf")) &&
        branches(w, var, k, 0, v, path, cap, depth))
        return 1;
    if ((k = cJSON_GetObjectItemCaseSensitive(s, "oneOf")) &&
        branches(w, var, k, 1, v, path, cap, depth))
        return 1;
    if (cJSON_IsNumber(v)) {
        if ((k = cJSON_GetObjectItemCaseSensitive(s, "maximum")) && v->valuedouble > k->valuedouble &&
            number_arg(k, num, sizeof(num))) {
            add(w, var, path, "must be <= %s", num);
            return 1;
        }
        if ((k = cJSON_GetObjectItemCaseSensitive(s, "minimum")) && v->valuedouble < k->valuedouble &&
            number_arg(k, num, sizeof(num))) {
            add(w, var, path, "must be >= %s", num);
            return 1;
        }
        if ((k = cJSON_GetObjectItemCaseSensitive(s, "multipleOf")) &&
            !mk_model_multiple_of(v->valuedouble, k->valuedouble) &&
            number_arg(k, num, sizeof(num))) {
            add(w, var, path, "must be multiple of %s", num);
            return 1;
        }
    }
    if (cJSON_IsString(v)) {
        double n = (double)utf8_len(v->valuestring);
        if ((k = cJSON_GetObjectItemCaseSensitive(s, "maxLength")) && n > k->valuedouble &&
            number_arg(k, num, sizeof(num))) {
            add(w, var, path, "must NOT have more than %s characters", num);
            return 1;
        }
        if ((k = cJSON_GetObjectItemCaseSensitive(s, "minLength")) && n < k->valuedouble &&
            number_arg(k, num, sizeof(num))) {
            add(w, var, path, "must NOT have fewer than %s characters", num);
            return 1;
        }
        if ((k = cJSON_GetObjectItemCaseSensitive(s, "pattern"))) {
            int rc = cJSON_IsString(k) ? matches(k->valuestring, v->valuestring) : -1;
            if (rc < 0) {
                w->unknown = 1;
                return 1;
            }
            if (rc == 0) {
                add(w, var, path, "must match pattern \"%s\"", k->valuestring);
                return 1;
            }
        }
    }
    if (cJSON_IsArray(v)) {
        double n = (double)cJSON_GetArraySize(v);
        size_t i = 0;
        if ((k = cJSON_GetObjectItemCaseSensitive(s, "maxItems")) && n > k->valuedouble &&
            number_arg(k, num, sizeof(num))) {
            add(w, var, path, "must NOT have more than %s items", num);
            return 1;
        }
        if ((k = cJSON_GetObjectItemCaseSensitive(s, "minItems")) && n < k->valuedouble &&
            number_arg(k, num, sizeof(num))) {
            add(w, var, path, "must NOT have fewer than %s items", num);
            return 1;
        }
        char dup[128];
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "uniqueItems")) &&
            duplicate(w, cJSON_GetObjectItemCaseSensitive(s, "items"), v, dup, sizeof(dup))) {
            add(w, var, path, "%s", dup);
            return 1;
        }
        if ((k = cJSON_GetObjectItemCaseSensitive(s, "items"))) {
            cJSON_ArrayForEach(t, v) {
                snprintf(path + plen, cap - plen, "/%zu", i++);
                int rc = check(w, var, k, t, path, cap, depth + 1);
                path[plen] = '\0';
                if (rc)
                    return 1;
            }
        }
    }
    if (cJSON_IsObject(v)) {
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
        const cJSON *addl = cJSON_GetObjectItemCaseSensitive(s, "additionalProperties");
        const cJSON *names = cJSON_GetObjectItemCaseSensitive(s, "propertyNames");
        double count = (double)cJSON_GetArraySize(v);
        if ((k = cJSON_GetObjectItemCaseSensitive(s, "maxProperties")) && count > k->valuedouble &&
            number_arg(k, num, sizeof(num))) {
            add(w, var, path, "must NOT have more than %s properties", num);
            return 1;
        }
        if ((k = cJSON_GetObjectItemCaseSensitive(s, "minProperties")) && count < k->valuedouble &&
            number_arg(k, num, sizeof(num))) {
            add(w, var, path, "must NOT have fewer than %s properties", num);
            return 1;
        }
        cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(s, "required")) {
            if (cJSON_IsString(k) && !cJSON_GetObjectItemCaseSensitive(v, k->valuestring)) {
                add(w, var, path, "must have required property '%s'", k->valuestring);
                return 1;
            }
        }
        /* AJV checks each name as a string at the object's own path: the
         * name's error, then its own */
        for (t = names ? v->child : NULL; t; t = t->next) {
            cJSON key;
            memset(&key, 0, sizeof(key));
            key.type = cJSON_String;
            key.valuestring = t->string;
            if (check(w, var, names, &key, path, cap, depth + 1)) {
                if (!w->unknown)
                    add(w, var, path, "property name must be valid%s", "");
                return 1;
            }
        }
        cJSON_ArrayForEach(t, v) {
            const cJSON *ps = cJSON_GetObjectItemCaseSensitive(props, t->string);
            int rc = 0;
            if (ps)
                continue;
            if (cJSON_IsFalse(addl)) {
                add(w, var, path, "must NOT have additional properties");
                return 1;
            }
            if (cJSON_IsObject(addl)) {
                /* AJV's instancePath of a member: "/" + key, ~ and / escaped */
                snprintf(path + plen, cap - plen, "/%s", t->string);
                rc = check(w, var, addl, t, path, cap, depth + 1);
                path[plen] = '\0';
            }
            if (rc)
                return 1;
        }
        cJSON_ArrayForEach(k, props) {
            const cJSON *member = cJSON_GetObjectItemCaseSensitive(v, k->string);
            int rc;
            if (!member)
                continue;
            snprintf(path + plen, cap - plen, "/%s", k->string);
            rc = check(w, var, k, member, path, cap, depth + 1);
            path[plen] = '\0';
            if (rc)
                return 1;
        }
    }
    return 0;
}

int mk__bee_ajv_text(const cJSON *defs, const char *type_name, const char *var, const cJSON *v,
                     char *out, size_t size)
{
    walk w;
    char path[400] = "";
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(defs, type_name);
    memset(&w, 0, sizeof(w));
    w.defs = defs;
    if (!s || check(&w, var, s, v, path, sizeof(path), 0) == 0 || w.unknown || !w.text[0])
        return -1;
    snprintf(out, size, "%s", w.text);
    return 0;
}

int mk__bee_ajv_passes(const cJSON *defs, const cJSON *schema, const cJSON *v)
{
    walk w;
    char path[400] = "";
    memset(&w, 0, sizeof(w));
    w.defs = defs;
    int rc = check(&w, "", schema, v, path, sizeof(path), 0);
    return w.unknown ? -1 : rc == 0;
}

/* ---- when the walk cannot tell: the validator's first error in AJV's
 * words ------------------------------------------------------------------ */

/* The number at the end of a validator message ("at least 1 required"). */
static const char *last_number(const char *msg, char *buf, size_t size)
{
    const char *end = msg + strlen(msg), *p;
    while (end > msg && !isdigit((unsigned char)end[-1]))
        end--;
    p = end;
    while (p > msg && (isdigit((unsigned char)p[-1]) || p[-1] == '.' || p[-1] == '-'))
        p--;
    snprintf(buf, size, "%.*s", (int)(end - p), p);
    return buf;
}

/* The text between the first pair of double quotes of msg. */
static const char *quoted(const char *msg, char *buf, size_t size)
{
    const char *a = strchr(msg, '"');
    const char *b = a ? strchr(a + 1, '"') : NULL;
    snprintf(buf, size, "%.*s", a && b ? (int)(b - a - 1) : 0, a ? a + 1 : "");
    return buf;
}

/* AJV's message for the validator's first error, as Fastify 4's default
 * schemaErrorFormatter prints it: "body" + instancePath + " " + message.
 * AJV's instancePath of required/additionalProperties is the object, and a
 * nullable type's message names the non-null type ("must be string"). */
static void ajv_message(const char *var, const mk_model_error *e, char *out, size_t size)
{
    char path[300], arg[128], msg[200];
    snprintf(path, sizeof(path), "%s", e->pointer);
    if (strcmp(e->keyword, "additionalProperties") == 0) {
        char *slash = strrchr(path, '/');
        if (slash)
            *slash = '\0';
        snprintf(msg, sizeof(msg), "must NOT have additional properties");
    } else if (strcmp(e->keyword, "required") == 0) {
        snprintf(msg, sizeof(msg), "must have required property '%s'",
                 quoted(e->message, arg, sizeof(arg)));
    } else if (strcmp(e->keyword, "type") == 0) {
        /* "expected string or null, found integer" */
        char types[128] = "";
        const char *p = strncmp(e->message, "expected ", 9) == 0 ? e->message + 9 : "";
        const char *stop = strstr(p, ", found");
        size_t n = stop ? (size_t)(stop - p) : strlen(p);
        while (n > 0) {
            const char *sep = strstr(p, " or ");
            size_t len = sep && (size_t)(sep - p) < n ? (size_t)(sep - p) : n;
            if (!(len == 4 && strncmp(p, "null", 4) == 0)) {
                size_t t = strlen(types);
                snprintf(types + t, sizeof(types) - t, "%s%.*s", t ? "," : "", (int)len, p);
            }
            if (len == n)
                break;
            n -= len + 4;
            p += len + 4;
        }
        snprintf(msg, sizeof(msg), "must be %s", types[0] ? types : "null");
    } else if (strcmp(e->keyword, "enum") == 0) {
        snprintf(msg, sizeof(msg), "must be equal to one of the allowed values");
    } else if (strcmp(e->keyword, "const") == 0) {
        snprintf(msg, sizeof(msg), "must be equal to constant");
    } else if (strcmp(e->keyword, "minimum") == 0 || strcmp(e->keyword, "maximum") == 0) {
        snprintf(msg, sizeof(msg), "must be %s %s", e->keyword[1] == 'i' ? ">=" : "<=",
                 last_number(e->message, arg, sizeof(arg)));
    } else if (strcmp(e->keyword, "minLength") == 0 || strcmp(e->keyword, "maxLength") == 0 ||
               strcmp(e->keyword, "minItems") == 0 || strcmp(e->keyword, "maxItems") == 0) {
        snprintf(msg, sizeof(msg), "must NOT have %s than %s %s",
                 e->keyword[1] == 'i' ? "fewer" : "more", last_number(e->message, arg, sizeof(arg)),
                 strstr(e->keyword, "Items") ? "items" : "characters");
    } else if (strcmp(e->keyword, "multipleOf") == 0) {
        snprintf(msg, sizeof(msg), "must be multiple of %s", last_number(e->message, arg, sizeof(arg)));
    } else if (strcmp(e->keyword, "minProperties") == 0 ||
               strcmp(e->keyword, "maxProperties") == 0) {
        snprintf(msg, sizeof(msg), "must NOT have %s than %s properties",
                 e->keyword[1] == 'i' ? "fewer" : "more", last_number(e->message, arg, sizeof(arg)));
    } else if (strcmp(e->keyword, "propertyNames") == 0) {
        snprintf(msg, sizeof(msg), "property name must be valid");
    } else if (strcmp(e->keyword, "uniqueItems") == 0) {
        /* "items 0 and 2 are identical": AJV names the later item first */
        unsigned a = 0, b = 0;
        if (sscanf(e->message, "items %u and %u", &a, &b) == 2)
            snprintf(msg, sizeof(msg),
                     "must NOT have duplicate items (items ## %u and %u are identical)", b, a);
        else
            snprintf(msg, sizeof(msg), "must NOT have duplicate items");
    } else if (strcmp(e->keyword, "oneOf") == 0) {
        snprintf(msg, sizeof(msg), "must match exactly one schema in oneOf");
    } else if (strcmp(e->keyword, "anyOf") == 0) {
        snprintf(msg, sizeof(msg), "must match a schema in anyOf");
    } else {
        snprintf(msg, sizeof(msg), "%.190s", e->message);
    }
    snprintf(out, size, "%s%s %s", var, path, msg);
}

/* The validator names the failing branch of a oneOf/anyOf in its message
 * ("no oneOf alternative matches ..."); AJV's last error is the oneOf. */
static void branch_keyword(mk_model_error *e)
{
    if (strncmp(e->message, "no oneOf alternative", 20) == 0 ||
        strncmp(e->message, "no anyOf alternative", 20) == 0) {
        const char *at = strstr(e->message, "at \"");
        char where[256];
        snprintf(e->keyword, sizeof(e->keyword), "%.5s", e->message + 3);
        quoted(at ? at : "", where, sizeof(where));
        snprintf(e->pointer, sizeof(e->pointer), "%s", where);
    }
}

void mk__bee_ajv_from_error(const char *var, mk_model_error *e, char *out, size_t size)
{
    branch_keyword(e);
    ajv_message(var, e, out, size);
}
