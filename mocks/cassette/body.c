/* body.c: the three ways a cassette writes bytes (json, text, base64), and
 * the exact wire bytes each stands for. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int copy_bytes(mk_bytes *b, const void *data, size_t len)
{
    b->data = malloc(len + 1);
    if (!b->data)
        return MK_CASSETTE_ENOMEM;
    if (len)
        memcpy(b->data, data, len);
    b->data[len] = '\0';
    b->len = len;
    return MK_CASSETTE_OK;
}

int mk_cas__body_from(const cJSON *obj, mk_body *out)
{
    memset(out, 0, sizeof *out);
    const cJSON *json = cJSON_GetObjectItemCaseSensitive(obj, "json");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(obj, "text");
    const cJSON *b64 = cJSON_GetObjectItemCaseSensitive(obj, "base64");
    if (json) {
        out->kind = MK_BODY_JSON;
        out->json = cJSON_Duplicate(json, 1);
        if (!out->json)
            return MK_CASSETTE_ENOMEM;
        /* The documented wire form: cJSON's compact print. */
        char *printed = cJSON_PrintUnformatted(json);
        if (!printed)
            return MK_CASSETTE_ENOMEM;
        int rc = copy_bytes(&out->bytes, printed, strlen(printed));
        cJSON_free(printed);
        return rc;
    }
    if (cJSON_IsString(text)) {
        out->kind = MK_BODY_TEXT;
        return copy_bytes(&out->bytes, text->valuestring, strlen(text->valuestring));
    }
    if (cJSON_IsString(b64)) {
        out->kind = MK_BODY_BASE64;
        size_t bad = 0;
        if (mk_cas__base64_decode(b64->valuestring, strlen(b64->valuestring), &out->bytes.data,
                                  &out->bytes.len, &bad) != 0)
            return MK_CASSETTE_ENOMEM; /* validated already, so only allocation fails */
        return MK_CASSETTE_OK;
    }
    out->kind = MK_BODY_NONE;
    return copy_bytes(&out->bytes, "", 0);
}

void mk_cas__body_free(mk_body *b)
{
    if (!b)
        return;
    cJSON_Delete(b->json);
    free(b->bytes.data);
    memset(b, 0, sizeof *b);
}
