/* admin_faults.c: /__mockkit/faults, faults set while serving.
 *   POST   body {"fault":"SPEC"} or {"faults":["SPEC",...]}: add them (all
 *          or none), 200 {"faults":[...]} or 400 {"error":"...: why"}
 *   GET    the current list
 *   DELETE remove every fault
 * "The next N matching requests" is times=N in the spec. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"

static void list(struct mk_mock *m, mk__reply *r)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "faults", mk_mock_faults_json(m));
    r->status = 200;
    r->body = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
}

static void refuse(mk__reply *r, const char *why)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "error", why);
    r->status = 400;
    r->body = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
}

/* Every spec parses before any is added, so a bad one changes nothing. */
static void add(struct mk_mock *m, const mk__req *req, mk__reply *r)
{
    int deep = 0;
    cJSON *body = req->body ? mk_json_parse_bounded((const char *)req->body, req->body_len, &deep)
                            : NULL;
    cJSON *one = cJSON_GetObjectItem(body, "fault");
    cJSON *many = cJSON_GetObjectItem(body, "faults");
    cJSON *arr = NULL, *it;
    char err[300], why[400];
    mk__fault f;
    if (cJSON_IsString(one)) {
        arr = cJSON_CreateArray();
        cJSON_AddItemToArray(arr, cJSON_CreateString(one->valuestring));
    } else if (cJSON_IsArray(many)) {
        arr = cJSON_Duplicate(many, 1);
    }
    if (!arr) {
        refuse(r, "POST /__mockkit/faults wants {\"fault\":\"SPEC\"} or {\"faults\":[\"SPEC\",...]}");
        cJSON_Delete(body);
        return;
    }
    cJSON_ArrayForEach(it, arr)
    {
        mk__service named;
        err[0] = '\0';
        if (!cJSON_IsString(it)) {
            refuse(r, "/faults: every item must be a SPEC string");
            goto out;
        }
        if (mk__fault_parse(it->valuestring, &f, err, sizeof(err)) != 0 ||
            (f.service[0] && (mk__service_parse(f.service, &named) != 0 ||
                              named != m->service))) {
            snprintf(why, sizeof(why), "%s: %s", it->valuestring,
                     f.service[0] && !err[0] ? "names a service this mock does not serve" : err);
            refuse(r, why);
            goto out;
        }
    }
    cJSON_ArrayForEach(it, arr)
    {
        if (mk_mock_fault_add(m, it->valuestring, err, sizeof(err)) != MK_MOCK_OK) {
            refuse(r, err);
            goto out;
        }
    }
    list(m, r);
out:
    cJSON_Delete(arr);
    cJSON_Delete(body);
}

int mk__admin_faults(struct mk_mock *m, const mk__req *req, mk__reply *r)
{
    if (strcmp(req->method, "POST") == 0) {
        add(m, req, r);
    } else if (strcmp(req->method, "DELETE") == 0) {
        mk_mock_fault_clear(m);
        list(m, r);
    } else if (strcmp(req->method, "GET") == 0) {
        list(m, r);
    } else {
        r->status = 405;
        r->body = strdup("{\"error\":\"/__mockkit/faults takes GET, POST or DELETE\"}");
    }
    return r->status;
}
