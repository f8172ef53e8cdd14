/* cairos_body.c: the Cairos request bodies as FastAPI with pydantic v2
 * judges them, on the types of models/cairos.json (embedded at build time,
 * like models/bee.json for Bee). Sources, read with the search tool:
 *   fastapi/fastapi@0.118.0 (2025-09, the release before the client's
 *     newest commit) fastapi/routing.py get_request_handler: a body is read
 *     only for routes with a body field; an empty body is None; it is
 *     json.loads'ed when there is no Content-Type or an application/json or
 *     application/<x>+json one, else kept as bytes; a JSONDecodeError is a 422
 *     {type json_invalid, loc [body, e.pos], msg "JSON decode error",
 *     input {}, ctx {error: e.msg}} raised before any other validation;
 *     any other exception there is 400 "There was an error parsing the body".
 *     (0.132, 2026-02, added strict_content_type: no Content-Type is then
 *     not JSON. The Cairos server predates it.)
 *   fastapi/dependencies/utils.py solve_dependencies: sub-dependency errors,
 *     then path, query, header and cookie errors, then body errors, in one
 *     list; request_body_to_args: a single body model is validated at loc
 *     ("body",), None is get_missing_field_error (input null); form fields
 *     (several body params, so embedded) each at ("body", alias), a field
 *     absent from the form is missing (_extract_form_body puts an empty
 *     value back, so "" is present).
 *   fastapi/_compat.py ModelField.validate: TypeAdapter.validate_python(
 *     value, from_attributes=True), errors(include_url=False).
 *   pydantic/pydantic-core@383eb95 src/errors/types.rs (messages),
 *     src/input/input_python.rs validate_model_fields (a non-dict with
 *     from_attributes: model_attributes_type, no ctx),
 *     src/validators/model_fields.rs (fields in declaration order; a missing
 *     field's input is the whole object; extra keys ignored by default),
 *     src/validators/union.rs (smart mode: each member's errors under its
 *     validator's name); pydantic 2.13.4 agrees on suites/core's cases.
 *   CairosAI/cairos-python-client@5ebd629 models/chat_input.py (fields and
 *     order; additional_properties kept, so the server does not forbid
 *     extras), models/body_login_outseta_login_post.py (username and
 *     password required). */
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cairos_internal.h"
#include "mockkit/model.h"

extern const char mk__cairos_model_json[];
extern const size_t mk__cairos_model_len;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static cJSON *model_doc;   /* parsed models/cairos.json: the types */
static mk_model *model;    /* the same file's bindings */
static char model_error[700];

static void load_model(void)
{
    mk__embedded_model_load(mk__cairos_model_json, mk__cairos_model_len, "models/cairos.json",
                            &model_doc, &model, model_error, sizeof(model_error));
}

const char *mk__cairos_model_error(void)
{
    pthread_once(&once, load_model);
    return model ? NULL : model_error;
}

/* ---- pydantic's error entries ------------------------------------------ */

#define MAX_LOC 64

typedef struct walk {
    cJSON *detail;          /* where entries go */
    const cJSON *defs;
    const unsigned char *text;  /* the body, for numbers as Python shows them */
    const mk__pyjson *pj;       /* their spans; NULL: cJSON's rendering */
    struct {
        const char *key;    /* NULL: an array index */
        int index;
    } loc[MAX_LOC];
    int depth;
} walk;

/* Python's dict keeps the last of duplicate keys. */
static const cJSON *last_item(const cJSON *obj, const char *key)
{
    const cJSON *found = NULL;
    for (const cJSON *c = obj->child; c; c = c->next)
        if (c->string && strcmp(c->string, key) == 0)
            found = c;
    return found;
}

/* repr(float): the shortest digits that read back, fixed notation for
 * decimal exponents -4 to 15 (with ".0" when whole), else d.ddde+XX.
 * size: at least 40. */
static void py_float(double d, char *buf, size_t size)
{
    char tmp[40], digits[24];
    int p, exp, n = 0;
    for (p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof(tmp), "%.*e", p - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    const char *c = tmp + (tmp[0] == '-');
    for (; *c && *c != 'e' && n < 20; c++)
        if (*c != '.')
            digits[n++] = *c;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    exp = *c == 'e' ? atoi(c + 1) : 0;
    const char *sign = tmp[0] == '-' ? "-" : "";
    if (exp < -4 || exp >= 16)
        snprintf(buf, size, "%s%c%s%se%c%02d", sign, digits[0], n > 1 ? "." : "", digits + 1,
                 exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    else if (exp < 0)
        snprintf(buf, size, "%s0.%.*s%s", sign, -exp - 1, "000", digits);
    else if (n > exp + 1)
        snprintf(buf, size, "%s%.*s.%s", sign, exp + 1, digits, digits + exp + 1);
    else
        snprintf(buf, size, "%s%s%.*s.0", sign, digits, exp + 1 - n, "000000000000000");
}

/* A number as FastAPI's JSONResponse (json.dumps) shows it: an int
 * literal as written ("-0" is 0), a float literal as repr(float). */
static cJSON *py_number(const walk *w, const cJSON *v)
{
    char text[64];
    size_t i = (size_t)v->valueint, off, len;
    if (!w->pj || v->valueint < 0 || i >= w->pj->span_count)
        return cJSON_CreateNumber(v->valuedouble);
    off = w->pj->spans[i * 2];
    len = w->pj->spans[i * 2 + 1];
    const char *lex = (const char *)w->text + off;
    if (!memchr(lex, '.', len) && !memchr(lex, 'e', len) && !memchr(lex, 'E', len)) {
        char *raw = malloc(len + 1);
        cJSON *r;
        if (!raw)
            return NULL;
        if (len == 2 && memcmp(lex, "-0", 2) == 0)
            snprintf(raw, len + 1, "0");
        else
            snprintf(raw, len + 1, "%.*s", (int)len, lex);
        r = cJSON_CreateRaw(raw);
        free(raw);
        return r;
    }
    py_float(v->valuedouble, text, sizeof(text));
    return cJSON_CreateRaw(text);
}

/* The input as Python shows it: numbers as above, and of repeated keys
 * one, where it first stood, with the last value (a dict). Objects past
 * 256 members keep their repeats (the search is quadratic). */
static cJSON *py_echo(const walk *w, const cJSON *v, int depth)
{
    cJSON *out;
    if (depth > MK__PYJSON_MAX_DEPTH)
        return cJSON_CreateNull();
    if (cJSON_IsNumber(v))
        return py_number(w, v);
    if (cJSON_IsArray(v)) {
        out = cJSON_CreateArray();
        for (const cJSON *e = v->child; e && out; e = e->next)
            cJSON_AddItemToArray(out, py_echo(w, e, depth + 1));
        return out;
    }
    if (!cJSON_IsObject(v))
        return cJSON_Duplicate(v, 1);
    out = cJSON_CreateObject();
    int small = cJSON_GetArraySize(v) <= 256;
    for (const cJSON *e = v->child; e && out; e = e->next) {
        const cJSON *seen = v->child, *value = e;
        for (; small && seen != e; seen = seen->next)
            if (strcmp(seen->string, e->string) == 0)
                break;
        if (small && seen != e)
            continue; /* shown at its first place */
        if (small)
            value = last_item(v, e->string);
        cJSON_AddItemToObject(out, e->string, py_echo(w, value, depth + 1));
    }
    return out;
}

/* One entry, in pydantic's key order: type, loc, msg, input[, ctx]. */
static void entry(walk *w, const char *type, const char *msg, const cJSON *input, cJSON *ctx)
{
    cJSON *e = cJSON_CreateObject();
    cJSON *loc;
    cJSON_AddStringToObject(e, "type", type);
    loc = cJSON_AddArrayToObject(e, "loc");
    for (int i = 0; i < w->depth && i < MAX_LOC; i++)
        cJSON_AddItemToArray(loc, w->loc[i].key ? cJSON_CreateString(w->loc[i].key)
                                                : cJSON_CreateNumber(w->loc[i].index));
    cJSON_AddStringToObject(e, "msg", msg);
    cJSON_AddItemToObject(e, "input", input ? py_echo(w, input, 0) : cJSON_CreateNull());
    if (ctx)
        cJSON_AddItemToObject(e, "ctx", ctx);
    cJSON_AddItemToArray(w->detail, e);
}

static int push_key(walk *w, const char *key)
{
    if (w->depth >= MAX_LOC)
        return 0;
    w->loc[w->depth].key = key;
    w->depth++;
    return 1;
}

static int push_index(walk *w, int index)
{
    if (w->depth >= MAX_LOC)
        return 0;
    w->loc[w->depth].key = NULL;
    w->loc[w->depth].index = index;
    w->depth++;
    return 1;
}

static int walk_value(walk *w, const cJSON *s, const cJSON *v);

/* Lax mode (validate_python; pydantic-core src/input/input_python.rs
 * validate_bool, src/input/shared.rs str_as_bool): bool from 0 and 1, from
 * pydantic's words (any case), from a whole float 0.0 or 1.0. */
static void check_bool(walk *w, const cJSON *v)
{
    static const char *const words[] = {"0", "off", "f", "false", "n", "no",
                                        "1", "on",  "t", "true",  "y", "yes"};
    const char *parsing = "Input should be a valid boolean, unable to interpret input";
    if (cJSON_IsBool(v))
        return;
    if (cJSON_IsString(v)) {
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
            if (strcasecmp(v->valuestring, words[i]) == 0)
                return;
        entry(w, "bool_parsing", parsing, v, NULL);
    } else if (cJSON_IsNumber(v) && trunc(v->valuedouble) == v->valuedouble) {
        if (v->valuedouble != 0 && v->valuedouble != 1)
            entry(w, "bool_parsing", parsing, v, NULL);
    } else {
        entry(w, "bool_type", "Input should be a valid boolean", v, NULL);
    }
}

/* shared.rs clean_int_str: trimmed, one sign, digits with single inner
 * underscores, and a fraction of zeros only ("1.0", "+1_000", " 7 "). */
static int int_text(const char *p)
{
    const char *end;
    while (isspace((unsigned char)*p))
        p++;
    end = p + strlen(p);
    while (end > p && isspace((unsigned char)end[-1]))
        end--;
    if (p < end && (*p == '+' || *p == '-'))
        p++;
    if (p == end || !isdigit((unsigned char)*p))
        return 0;
    for (; p < end && (isdigit((unsigned char)*p) || *p == '_'); p++)
        if (*p == '_' && (p + 1 == end || !isdigit((unsigned char)p[1])))
            return 0;
    if (p < end && *p == '.') {
        if (++p == end)
            return 0;
        while (p < end && *p == '0')
            p++;
    }
    return p == end;
}

/* Lax mode: int from a bool, a whole float, or int_text. */
static void check_int(walk *w, const cJSON *v)
{
    if (cJSON_IsBool(v))
        return;
    if (cJSON_IsNumber(v)) {
        if (trunc(v->valuedouble) != v->valuedouble)
            entry(w, "int_from_float",
                  "Input should be a valid integer, got a number with a fractional part", v,
                  NULL);
    } else if (cJSON_IsString(v)) {
        if (!int_text(v->valuestring))
            entry(w, "int_parsing",
                  "Input should be a valid integer, unable to parse string as an integer", v,
                  NULL);
    } else {
        entry(w, "int_type", "Input should be a valid integer", v, NULL);
    }
}

/* Literal["a", "b"]: "Input should be 'a' or 'b'", ctx.expected the same. */
static void check_enum(walk *w, const cJSON *en, const cJSON *v)
{
    char expected[256] = "", msg[300];
    int n = cJSON_GetArraySize(en), i = 0;
    for (const cJSON *e = en->child; e; e = e->next, i++)
        if (cJSON_Compare(e, v, 1))
            return;
    i = 0;
    for (const cJSON *e = en->child; e; e = e->next, i++) {
        size_t len = strlen(expected);
        const char *sep = i == 0 ? "" : i == n - 1 ? " or " : ", ";
        if (cJSON_IsString(e))
            snprintf(expected + len, sizeof(expected) - len, "%s'%s'", sep, e->valuestring);
    }
    snprintf(msg, sizeof(msg), "Input should be %s", expected);
    cJSON *ctx = cJSON_CreateObject();
    cJSON_AddStringToObject(ctx, "expected", expected);
    entry(w, "literal_error", msg, v, ctx);
}

/* A model (an object type with properties): fields in declaration order;
 * absent required ones are "missing" with the whole object as input. */
static void check_model(walk *w, const cJSON *s, const cJSON *v)
{
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(s, "required");
    const cJSON *addl = cJSON_GetObjectItemCaseSensitive(s, "additionalProperties");
    if (!cJSON_IsObject(v)) {
        entry(w, "model_attributes_type",
              "Input should be a valid dictionary or object to extract fields from", v, NULL);
        return;
    }
    for (const cJSON *p = props->child; p; p = p->next) {
        const cJSON *fv = last_item(v, p->string);
        int required = 0;
        for (const cJSON *r = req ? req->child : NULL; r; r = r->next)
            required |= cJSON_IsString(r) && strcmp(r->valuestring, p->string) == 0;
        if (!fv && !required)
            continue;
        if (!push_key(w, p->string))
            return;
        if (!fv)
            entry(w, "missing", "Field required", v, NULL);
        else
            walk_value(w, p, fv);
        w->depth--;
    }
    if (!cJSON_IsFalse(addl))
        return; /* pydantic's default, extra="ignore" */
    for (const cJSON *k = v->child; k; k = k->next) {
        if (cJSON_GetObjectItemCaseSensitive(props, k->string) || !push_key(w, k->string))
            continue;
        entry(w, "extra_forbidden", "Extra inputs are not permitted", k, NULL);
        w->depth--;
    }
}

static int is_null_type(const cJSON *s)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "type");
    return cJSON_IsString(t) && strcmp(t->valuestring, "null") == 0;
}

/* pydantic-core's validator names, the tags of union members: str,
 * dict[any,any], list[<item>], union[<a>,<b>], a model's class name. */
static void label(const walk *w, const cJSON *s, char *buf, size_t size, int depth)
{
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(s, "$ref");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "type");
    const char *name = "any";
    size_t n;
    buf[0] = '\0';
    if (depth > 8 || size < 2) {
        return;
    } else if (cJSON_IsString(k) && strncmp(k->valuestring, "#/$defs/", 8) == 0) {
        const cJSON *target = cJSON_GetObjectItemCaseSensitive(w->defs, k->valuestring + 8);
        if (cJSON_GetObjectItemCaseSensitive(target, "properties"))
            snprintf(buf, size, "%s", k->valuestring + 8); /* a model: its class */
        else
            label(w, target, buf, size, depth + 1);
        return;
    } else if ((k = cJSON_GetObjectItemCaseSensitive(s, "anyOf")) || cJSON_IsArray(t)) {
        int members = 0;
        snprintf(buf, size, "union[");
        for (const cJSON *m = k ? k->child : t->child; m; m = m->next) {
            cJSON *one = NULL;
            if (!k) {
                one = cJSON_CreateObject();
                cJSON_AddStringToObject(one, "type", m->valuestring);
            }
            if (!is_null_type(one ? one : m)) {
                n = strlen(buf);
                snprintf(buf + n, size - n, "%s", members++ ? "," : "");
                n = strlen(buf);
                label(w, one ? one : m, buf + n, size - n, depth + 1);
            }
            cJSON_Delete(one);
        }
        n = strlen(buf);
        snprintf(buf + n, size - n, "]");
        return;
    } else if (cJSON_IsString(t)) {
        name = t->valuestring;
    }
    if (strcmp(name, "array") == 0) {
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(s, "items");
        snprintf(buf, size, "list[");
        n = strlen(buf);
        if (items)
            label(w, items, buf + n, size - n, depth + 1);
        else
            snprintf(buf + n, size - n, "any");
        n = strlen(buf);
        snprintf(buf + n, size - n, "]");
        return;
    }
    snprintf(buf, size, "%s",
             strcmp(name, "string") == 0    ? "str"
             : strcmp(name, "object") == 0  ? "dict[any,any]"
             : strcmp(name, "integer") == 0 ? "int"
             : strcmp(name, "boolean") == 0 ? "bool"
                                            : "any");
}

/* A union: valid when one member is. Optional[X] (anyOf [X, null]) is X's
 * errors untagged (pydantic's nullable); otherwise every member's errors,
 * each under its tag (smart mode, src/validators/union.rs). For `history`
 * items this assumes a plain Union of the four message classes; a
 * discriminated one (langchain's AnyMessage) would be tagged otherwise. */
static void check_union(walk *w, const cJSON *members, const cJSON *v)
{
    cJSON *all = cJSON_CreateArray(), *saved = w->detail;
    int real = 0;
    for (const cJSON *m = members->child; m; m = m->next)
        real += !is_null_type(m);
    for (const cJSON *m = members->child; m; m = m->next) {
        char tag[256];
        int pushed = 0;
        if (is_null_type(m)) {
            if (cJSON_IsNull(v))
                goto valid;
            continue;
        }
        cJSON *errs = cJSON_CreateArray();
        w->detail = errs;
        if (real > 1) {
            label(w, m, tag, sizeof(tag), 0);
            pushed = push_key(w, tag);
        }
        walk_value(w, m, v);
        w->depth -= pushed;
        w->detail = saved;
        if (cJSON_GetArraySize(errs) == 0) {
            cJSON_Delete(errs);
            goto valid;
        }
        while (errs->child)
            cJSON_AddItemToArray(all, cJSON_DetachItemViaPointer(errs, errs->child));
        cJSON_Delete(errs);
    }
    while (all->child)
        cJSON_AddItemToArray(w->detail, cJSON_DetachItemViaPointer(all, all->child));
valid:
    cJSON_Delete(all);
}

static void check_type(walk *w, const char *t, const cJSON *s, const cJSON *v)
{
    if (strcmp(t, "object") == 0) {
        if (cJSON_GetObjectItemCaseSensitive(s, "properties"))
            check_model(w, s, v);
        else if (!cJSON_IsObject(v))
            entry(w, "dict_type", "Input should be a valid dictionary", v, NULL);
    } else if (strcmp(t, "array") == 0) {
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(s, "items");
        int i = 0;
        if (!cJSON_IsArray(v)) {
            entry(w, "list_type", "Input should be a valid list", v, NULL);
            return;
        }
        for (const cJSON *e = items ? v->child : NULL; e; e = e->next, i++) {
            if (!push_index(w, i))
                return;
            walk_value(w, items, e);
            w->depth--;
        }
    } else if (strcmp(t, "string") == 0) {
        /* str is strict even in lax mode; pattern and lengths are the
         * client's parsing, not known server constraints: not checked */
        if (!cJSON_IsString(v))
            entry(w, "string_type", "Input should be a valid string", v, NULL);
    } else if (strcmp(t, "boolean") == 0) {
        check_bool(w, v);
    } else if (strcmp(t, "integer") == 0) {
        check_int(w, v);
    } else if (strcmp(t, "null") == 0) {
        if (!cJSON_IsNull(v))
            entry(w, "none_required", "Input should be None", v, NULL);
    }
    /* "number" does not occur in the Cairos request types */
}

static int walk_value(walk *w, const cJSON *s, const cJSON *v)
{
    const cJSON *k;
    if (w->depth >= MAX_LOC || !cJSON_IsObject(s))
        return 0;
    if ((k = cJSON_GetObjectItemCaseSensitive(s, "$ref")) && cJSON_IsString(k)) {
        const char *name = strncmp(k->valuestring, "#/$defs/", 8) == 0 ? k->valuestring + 8 : "";
        return walk_value(w, cJSON_GetObjectItemCaseSensitive(w->defs, name), v);
    }
    if ((k = cJSON_GetObjectItemCaseSensitive(s, "anyOf"))) {
        check_union(w, k, v);
        return 0;
    }
    if ((k = cJSON_GetObjectItemCaseSensitive(s, "enum"))) {
        check_enum(w, k, v);
        return 0;
    }
    k = cJSON_GetObjectItemCaseSensitive(s, "type");
    if (cJSON_IsString(k)) {
        check_type(w, k->valuestring, s, v);
    } else if (cJSON_IsArray(k)) {
        /* ["string", "object"]: a union of the plain types */
        cJSON *members = cJSON_CreateArray();
        for (const cJSON *t = k->child; t; t = t->next) {
            cJSON *one = cJSON_CreateObject();
            cJSON_AddStringToObject(one, "type", t->valuestring);
            cJSON_AddItemToArray(members, one);
        }
        check_union(w, members, v);
        cJSON_Delete(members);
    }
    return 0;
}

/* ---- FastAPI's body handling ------------------------------------------- */

/* routing.py: JSON when there is no Content-Type, or application/json or
 * application/<x>+json (email.message: case-insensitive, parameters off). */
static int json_content_type(const char *ct)
{
    char mt[128];
    size_t n = 0;
    if (!ct)
        return 1;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    while (ct[n] && ct[n] != ';' && ct[n] != ' ' && n + 1 < sizeof(mt)) {
        mt[n] = (char)tolower((unsigned char)ct[n]);
        n++;
    }
    mt[n] = '\0';
    if (strncmp(mt, "application/", 12) != 0)
        return 0;
    return strcmp(mt + 12, "json") == 0 || (n > 17 && strcmp(mt + n - 5, "+json") == 0);
}

static void reply_json(mk__reply *out, int status, cJSON *body)
{
    out->status = status;
    out->content_type = "application/json";
    out->body = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
}

/* 400 for bytes that do not decode; 422 json_invalid for JSONDecodeError,
 * raised while reading the body, so alone in its list. */
static void json_refused(int rc, const mk__pyjson *pj, mk__reply *out)
{
    cJSON *root = cJSON_CreateObject(), *ctx, *input;
    walk jw = {0};
    if (rc == MK__PYJSON_UNDECODABLE) {
        cJSON_AddStringToObject(root, "detail", "There was an error parsing the body");
        reply_json(out, 400, root);
        return;
    }
    jw.detail = cJSON_AddArrayToObject(root, "detail");
    ctx = cJSON_CreateObject();
    input = cJSON_CreateObject();
    push_key(&jw, "body");
    push_index(&jw, (int)pj->pos);
    cJSON_AddStringToObject(ctx, "error", pj->msg);
    entry(&jw, "json_invalid", "JSON decode error", input, ctx);
    cJSON_Delete(input);
    reply_json(out, 422, root);
}

/* Numbers in document order, as the scanner met them: each number's
 * index goes in valueint (which cJSON itself does not read back), so
 * py_number finds its text. Returns the count. */
static size_t number_order(cJSON *v, size_t next)
{
    if (cJSON_IsNumber(v)) {
        v->valueint = next <= (size_t)0x7fffffff ? (int)next : -1;
        return next + 1;
    }
    for (cJSON *c = v->child; c; c = c->next)
        next = number_order(c, next);
    return next;
}

int mk__cairos_body(const mk__req *req, cJSON *detail, mk__reply *out)
{
    const char *type = NULL;
    mk_model_payload p = {MK_MODEL_REQUEST, req->method, req->path, 0, NULL};
    walk w = {.detail = detail};
    cJSON *body = NULL;
    if (mk__cairos_model_error() || mk_model_lookup(model, &p, &type, NULL) != MK_MODEL_OK)
        return 0; /* no bound body type: FastAPI reads no body */
    w.defs = cJSON_GetObjectItemCaseSensitive(model_doc, "$defs");
    if (!push_key(&w, "body"))
        return 0;
    if (req->body_len == 0) {
        entry(&w, "missing", "Field required", NULL, NULL);
        return 0;
    }
    if (json_content_type(mk__req_header(req, "Content-Type"))) {
        mk__pyjson pj;
        int rc = mk__pyjson_check(req->body, req->body_len, &pj);
        if (rc == MK__PYJSON_UNDECODABLE || rc == MK__PYJSON_INVALID) {
            json_refused(rc, &pj, out);
            mk__pyjson_free(&pj);
            return 1;
        }
        if (rc == MK__PYJSON_OK) /* else not judged (cairos_internal.h) */
            body = cJSON_ParseWithLength((const char *)req->body + pj.skip,
                                         req->body_len - pj.skip);
        if (body && number_order(body, 0) == pj.span_count) {
            w.text = req->body;
            w.pj = &pj;
        }
        if (cJSON_IsNull(body)) /* json null is None: a missing body */
            entry(&w, "missing", "Field required", NULL, NULL);
        else if (body)
            walk_value(&w, cJSON_GetObjectItemCaseSensitive(w.defs, type + 8), body);
        cJSON_Delete(body);
        mk__pyjson_free(&pj);
        return 0;
    } else {
        /* bytes: not a dict, not an object with attributes; jsonable_encoder
         * shows them decoded */
        body = cJSON_CreateString("");
        if (body) {
            char *text = malloc(req->body_len + 1);
            if (text) {
                memcpy(text, req->body, req->body_len);
                text[req->body_len] = '\0';
                cJSON_SetValuestring(body, text);
                free(text);
            }
        }
        entry(&w, "model_attributes_type",
              "Input should be a valid dictionary or object to extract fields from", body, NULL);
    }
    cJSON_Delete(body);
    return 0;
}

/* ---- POST /api/login ----------------------------------------------------- */

/* Starlette's request.form(): only urlencoded and multipart bodies are
 * forms; any other body is an empty form. Multipart is not parsed here:
 * such a login is left to the credential check. */
void mk__cairos_login_form(const mk__req *req, cJSON *detail)
{
    static const char *const required[] = {"username", "password"};
    const char *ct = mk__req_header(req, "Content-Type");
    mk_query_param *form = NULL;
    size_t count = 0;
    walk w = {.detail = detail};
    if (ct && strncasecmp(ct, "multipart/form-data", 19) == 0)
        return;
    if (ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0) {
        char *text = malloc(req->body_len + 1);
        if (!text)
            return;
        memcpy(text, req->body, req->body_len);
        text[req->body_len] = '\0';
        if (mk__query_parse(text, &form, &count) != 0)
            count = 0;
        free(text);
    }
    for (size_t f = 0; f < sizeof(required) / sizeof(required[0]); f++) {
        int present = 0;
        for (size_t i = 0; i < count; i++)
            present |= strcmp(form[i].name, required[f]) == 0;
        if (present)
            continue;
        w.depth = 0;
        push_key(&w, "body");
        push_key(&w, required[f]);
        entry(&w, "missing", "Field required", NULL, NULL);
    }
    mk__query_free(form, count);
}
