/* json_bound.c: parse JSON that came from a client or an upstream with its
 * nesting bounded first.
 *
 * cJSON parses, prints and frees recursively (one stack frame or more per
 * level, its own limit is 1,000 levels), and so do our matchers. CivetWeb
 * runs handlers on small worker stacks, so 800 '[' from a client used to
 * overflow one and take the whole process down. A linear scan that counts
 * brackets outside strings refuses such input before any recursion. */
#include "mockkit/cassette.h"

int mk_json_depth(const char *text, size_t len, int max)
{
    int depth = 0, deepest = 0, in_string = 0, escaped = 0;
    for (size_t i = 0; text && i < len; i++) {
        char c = text[i];
        if (in_string) {
            if (escaped) {
                escaped = 0;
            } else if (c == '\\') {
                escaped = 1;
            } else if (c == '"') {
                in_string = 0;
            }
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > deepest) {
                deepest = depth;
                if (deepest > max) {
                    return deepest; /* no need to look further */
                }
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return deepest;
}

cJSON *mk_json_parse_bounded_at(const char *text, size_t len, int whole, int *too_deep,
                                size_t *stop)
{
    if (too_deep) {
        *too_deep = 0;
    }
    if (stop) {
        *stop = 0;
    }
    if (!text || len == 0) {
        return NULL;
    }
    if (mk_json_depth(text, len, MK_JSON_MAX_DEPTH) > MK_JSON_MAX_DEPTH) {
        if (too_deep) {
            *too_deep = 1;
        }
        return NULL;
    }
    const char *end = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    size_t at = end && end >= text ? (size_t)(end - text) : 0;
    if (v && whole) {
        /* cJSON checks the tail only in a NUL-terminated buffer: do it here. */
        while (at < len && (text[at] == ' ' || text[at] == '\t' || text[at] == '\n' ||
                            text[at] == '\r')) {
            at++;
        }
        if (at < len) {
            cJSON_Delete(v);
            v = NULL;
        }
    }
    if (!v && stop) {
        *stop = at;
    }
    return v;
}

cJSON *mk_json_parse_bounded(const char *text, size_t len, int *too_deep)
{
    return mk_json_parse_bounded_at(text, len, 0, too_deep, NULL);
}
