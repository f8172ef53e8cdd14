/* embedded_model.c: a model file compiled into the mock (models/<svc>.json
 * as bytes, see CMakeLists.txt), parsed once per process by the service
 * that validates with it. */
#include <stdio.h>

#include "mock_internal.h"

int mk__embedded_model_load(const char *json, size_t len, const char *name, cJSON **doc,
                            mk_model **model, char *error, size_t size)
{
    mk_model_error err;
    *model = NULL;
    *doc = cJSON_ParseWithLength(json, len);
    if (!*doc) {
        snprintf(error, size, "%s (embedded) is not JSON", name);
        return -1;
    }
    if (mk_model_new_json(*doc, name, model, &err) != MK_MODEL_OK) {
        snprintf(error, size, "%s: %.200s: %.380s", name, err.pointer, err.message);
        *model = NULL;
        return -1;
    }
    return 0;
}
