/* fuzz_cassette.c: libFuzzer target for the cassette loader: parse,
 * validate and convert arbitrary bytes, then walk what was loaded, and run
 * the secret scan on anything that parses as JSON. Bad input must come back
 * as an error with a diag, never a crash or a leak. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "mockkit/cassette.h"
#include "fuzz_entry.h"

static size_t walk(const mk_cassette *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->count; i++) {
        const mk_interaction *ix = &c->interactions[i];
        n += strlen(ix->id) + ix->request.body.bytes.len + ix->response.body.bytes.len;
        for (size_t k = 0; k < ix->response.chunk_count; k++)
            n += ix->response.chunks[k].body.bytes.len;
        for (size_t k = 0; k < ix->frame_count; k++)
            n += ix->frames[k].payload.bytes.len;
        (void)mk_cassette_find(c, ix->id);
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mk_cassette *c = NULL;
    mk_diag d;
    char line[1200];
    if (mk_cassette_parse((const char *)data, size, "fuzz.json", &c, &d) == MK_CASSETTE_OK) {
        (void)walk(c);
        mk_cassette_free(c);
    } else {
        (void)mk_diag_format(&d, line, sizeof line);
    }
    cJSON *root = cJSON_ParseWithLength((const char *)data, size);
    if (root) {
        if (mk_cassette_scan_secrets(root, "fuzz.json", &d) != MK_CASSETTE_OK)
            (void)mk_diag_format(&d, line, sizeof line);
        cJSON_Delete(root);
    }
    return 0;
}
