/* verify.c: POST /__mockkit/verify and mk_mock_verify: did the client send
 * these requests (a count) or these requests in this order? Checked
 * against the redacted journal (what GET /__mockkit/requests shows). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock_internal.h"

/* Does journal entry e (JSON) look like expected request x? fail gets the
 * first part that differs. */
static int entry_is(const cJSON *e, const cJSON *x, char *fail, size_t size)
{
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(x, "method");
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(x, "path");
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(x, "body");
    const char *got_method = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "method"));
    const char *got_path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "path"));
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(e, "request");
    char bare[512];
    if (!got_method || !got_path) {
        snprintf(fail, size, "entry without method or path");
        return 0;
    }
    if (method && strcmp(method->valuestring, got_method) != 0) {
        snprintf(fail, size, "method: expected %.20s, got %.20s", method->valuestring, got_method);
        return 0;
    }
    snprintf(bare, sizeof(bare), "%.*s", (int)strcspn(got_path, "?"), got_path);
    if (path && !mk__path_match(path->valuestring, bare)) {
        snprintf(fail, size, "path: expected %.200s, got %.200s", path->valuestring, bare);
        return 0;
    }
    if (body && cJSON_IsString(body)) {
        const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req, "text"));
        if (!text || strcmp(text, body->valuestring) != 0) {
            snprintf(fail, size, "body: not the expected text");
            return 0;
        }
    } else if (body) {
        const cJSON *json = cJSON_GetObjectItemCaseSensitive(req, "json");
        int leaves = 0;
        char why[400] = "";
        if (!json) {
            snprintf(fail, size, "body: not JSON (or over 64 KiB)");
            return 0;
        }
        if (!mk__json_match(body, json, 1, &leaves, why, sizeof(why))) {
            snprintf(fail, size, "body: %.400s", why);
            return 0;
        }
    }
    return 1;
}

static void describe(const cJSON *x, char *out, size_t size)
{
    const char *method = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "method"));
    const char *path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "path"));
    snprintf(out, size, "%s %s%s", method ? method : "any method", path ? path : "any path",
             cJSON_GetObjectItemCaseSensitive(x, "body") ? " with that body" : "");
}

/* An expected request: optional string method, string path, body. */
static const char *bad_request_spec(const cJSON *x)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(x, "method");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(x, "path");
    if (!cJSON_IsObject(x)) {
        return "an expected request must be an object {method, path, body}";
    }
    if ((m && !cJSON_IsString(m)) || (p && !cJSON_IsString(p))) {
        return "method and path must be strings";
    }
    return NULL;
}

static void add_seq(cJSON *arr, const cJSON *e)
{
    cJSON_AddItemToArray(arr, cJSON_CreateNumber(
                                  cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "seq"))));
}

/* Up to three entries that got furthest (same method and path, then body),
 * each with what differed. */
static void nearest(const cJSON *log, const cJSON *x, cJSON *report)
{
    cJSON *near = cJSON_AddArrayToObject(report, "nearest");
    const cJSON *e;
    int shown = 0;
    for (int pass = 0; pass < 2 && shown < 3; pass++) {
        cJSON_ArrayForEach(e, log)
        {
            char fail[512];
            int body_only;
            if (shown >= 3) {
                break;
            }
            if (entry_is(e, x, fail, sizeof(fail))) {
                continue;
            }
            body_only = strncmp(fail, "body:", 5) == 0;
            if ((pass == 0) != body_only) {
                continue; /* body differences first: they came closest */
            }
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(
                o, "seq", cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "seq")));
            cJSON_AddStringToObject(
                o, "method", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "method")));
            cJSON_AddStringToObject(
                o, "path", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "path")));
            cJSON_AddStringToObject(o, "differs", fail);
            cJSON_AddItemToArray(near, o);
            shown++;
        }
    }
}

static int verify_count(const cJSON *log, const cJSON *spec, cJSON *report)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(spec, "request");
    const cJSON *count = cJSON_GetObjectItemCaseSensitive(spec, "count");
    const cJSON *least = cJSON_GetObjectItemCaseSensitive(spec, "at_least");
    const cJSON *most = cJSON_GetObjectItemCaseSensitive(spec, "at_most");
    const char *bad = bad_request_spec(x);
    cJSON *seqs;
    const cJSON *e;
    double lo = 1, hi = -1;
    int n = 0, ok;
    char what[600], msg[900];
    if (!bad && ((count && !cJSON_IsNumber(count)) || (least && !cJSON_IsNumber(least)) ||
                 (most && !cJSON_IsNumber(most)) || (count && (least || most)))) {
        bad = "count, or at_least and/or at_most, each a number";
    }
    if (bad) {
        cJSON_AddStringToObject(report, "error", bad);
        return MK_MOCK_EINVAL;
    }
    if (count) {
        lo = hi = count->valuedouble;
    } else if (least || most) {
        lo = least ? least->valuedouble : 0;
        hi = most ? most->valuedouble : -1;
    }
    seqs = cJSON_AddArrayToObject(report, "seqs");
    cJSON_ArrayForEach(e, log)
    {
        char fail[512];
        if (entry_is(e, x, fail, sizeof(fail))) {
            n++;
            add_seq(seqs, e);
        }
    }
    ok = n >= lo && (hi < 0 || n <= hi);
    cJSON_AddNumberToObject(report, "count", n);
    cJSON_AddBoolToObject(report, "ok", ok);
    if (!ok) {
        describe(x, what, sizeof(what));
        if (count) {
            snprintf(msg, sizeof(msg), "expected %g request(s) %s, got %d", lo, what, n);
        } else if (hi < 0) {
            snprintf(msg, sizeof(msg), "expected at least %g request(s) %s, got %d", lo, what, n);
        } else {
            snprintf(msg, sizeof(msg), "expected %g to %g request(s) %s, got %d", lo, hi, what, n);
        }
        cJSON_AddStringToObject(report, "differed", msg);
        if (n < lo) {
            nearest(log, x, report);
        }
    }
    return ok;
}

/* Each expected request after the previous one's match; other requests
 * may come between (a client's health checks and polls must not break an
 * order a test cares about). */
static int verify_order(const cJSON *log, const cJSON *order, cJSON *report)
{
    const cJSON *x, *e = log->child;
    cJSON *seqs;
    int step = 0;
    cJSON_ArrayForEach(x, order)
    {
        const char *bad = bad_request_spec(x);
        if (bad) {
            cJSON_AddStringToObject(report, "error", bad);
            return MK_MOCK_EINVAL;
        }
    }
    seqs = cJSON_AddArrayToObject(report, "seqs");
    cJSON_ArrayForEach(x, order)
    {
        char fail[512], what[600], msg[900];
        step++;
        for (; e && !entry_is(e, x, fail, sizeof(fail)); e = e->next) {
        }
        if (!e) {
            describe(x, what, sizeof(what));
            snprintf(msg, sizeof(msg), "step %d of %d (%s): no such request %s", step,
                     cJSON_GetArraySize(order), what,
                     step > 1 ? "after the previous step's" : "in the journal");
            cJSON_AddStringToObject(report, "differed", msg);
            cJSON_AddBoolToObject(report, "ok", 0);
            nearest(log, x, report);
            return 0;
        }
        add_seq(seqs, e);
        e = e->next;
    }
    cJSON_AddBoolToObject(report, "ok", 1);
    return 1;
}

int mk_mock_verify(const mk_mock *m, const cJSON *expect, cJSON **report)
{
    cJSON *r = cJSON_CreateObject(), *log;
    const cJSON *order = cJSON_GetObjectItemCaseSensitive(expect, "order");
    int rc;
    if (report) {
        *report = NULL;
    }
    if (!r || !m) {
        cJSON_Delete(r);
        return m ? MK_MOCK_ENOMEM : MK_MOCK_EINVAL;
    }
    log = mk__requests_json(m, NULL, 0);
    if (!log) {
        cJSON_Delete(r);
        return MK_MOCK_ENOMEM;
    }
    if (cJSON_IsArray(order) && cJSON_GetArraySize(order) > 0) {
        rc = verify_order(log, order, r);
    } else if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(expect, "request"))) {
        rc = verify_count(log, expect, r);
    } else {
        cJSON_AddStringToObject(r, "error",
                                "expected {\"request\":{...}, \"count\"|\"at_least\"|\"at_most\":N} "
                                "or {\"order\":[{...}, ...]}");
        rc = MK_MOCK_EINVAL;
    }
    cJSON_Delete(log);
    if (report) {
        *report = r;
    } else {
        cJSON_Delete(r);
    }
    return rc;
}

void mk__admin_verify(struct mk_mock *m, const mk__req *req, mk__reply *out)
{
    int deep = 0;
    cJSON *expect = req->body_len ? mk_json_parse_bounded((const char *)req->body, req->body_len,
                                                          &deep)
                                  : NULL;
    cJSON *report = NULL;
    int rc = expect ? mk_mock_verify(m, expect, &report) : MK_MOCK_EINVAL;
    cJSON_Delete(expect);
    out->content_type = "application/json";
    out->status = rc == 1 ? 200 : rc == 0 ? 409 : rc == MK_MOCK_ENOMEM ? 500 : 400;
    if (!report) {
        out->body = strdup("{\"error\":\"the body must be a JSON expectation: see "
                           "docs/admin.md\"}");
        return;
    }
    out->body = cJSON_PrintUnformatted(report);
    cJSON_Delete(report);
}
