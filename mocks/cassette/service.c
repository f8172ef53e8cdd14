/* service.c: the service table (mockkit/service.h). Ports: the first port
 * Pieces clients scan (39300-39333), the bee-stack's API (4000), the
 * Cairos backend (8000), a local OpenAI-compatible server (8080). */
#include <stdio.h>
#include <string.h>

#include "mockkit/service.h"

#define TEST_KEY "sk-proj-testkey"  /* the bee-stack's documented local key */

/* Fields in mk_service_info's order: name, port, base path; URL variable and
 * whether it holds the base path; key, user, password variables; their
 * defaults; probe path; example URL. */
const mk_service_info mk_service_table[MK_SERVICE_COUNT] = {
    [MK_SERVICE_PIECES] = {"pieces", 39300, "", "PIECES_URL", 0, NULL, NULL, NULL, NULL, NULL, NULL,
                           "/.well-known/health", "http://127.0.0.1:39300"},
    [MK_SERVICE_BEE] = {"bee", 4000, "/v1", "BEE_API", 0, "BEE_API_KEY", NULL, NULL, TEST_KEY, NULL,
                        NULL, "/assistants", "http://127.0.0.1:4000"},
    [MK_SERVICE_CAIROS] = {"cairos", 8000, "/api", "CAIROS_URL", 1, NULL, "CAIROS_USER",
                           "CAIROS_PASSWORD", NULL, "bob", "bobspassword", "/session_id",
                           "http://127.0.0.1:8000/api"},
    [MK_SERVICE_OPENAI] = {"openai", 8080, "/v1", "OPENAI_BASE_URL", 1, "OPENAI_API_KEY", NULL,
                           NULL, TEST_KEY, NULL, NULL, "/models", "https://api.openai.com/v1"},
};

int mk_service_index(const char *name)
{
    for (int i = 0; name && i < MK_SERVICE_COUNT; i++)
        if (strcmp(mk_service_table[i].name, name) == 0)
            return i;
    return -1;
}

const mk_service_info *mk_service_lookup(const char *name)
{
    int i = mk_service_index(name);
    return i < 0 ? NULL : &mk_service_table[i];
}

const char *mk_service_names(char *buf, size_t size)
{
    size_t n = 0;
    if (size)
        buf[0] = '\0';
    for (int i = 0; i < MK_SERVICE_COUNT && n < size; i++) {
        int w = snprintf(buf + n, size - n, "%s%s", i ? ", " : "", mk_service_table[i].name);
        if (w < 0)
            break;
        n += (size_t)w;
    }
    return buf;
}

void mk_service_env(const mk_service_info *s, const char *root_url, const char *key,
                    const char *user, const char *password,
                    void (*set)(void *ctx, const char *name, const char *value), void *ctx)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", root_url, s->url_has_base ? s->base_path : "");
    set(ctx, s->url_var, url);
    if (s->key_var)
        set(ctx, s->key_var, key ? key : s->default_key ? s->default_key : "");
    if (s->user_var)
        set(ctx, s->user_var, user ? user : s->default_user ? s->default_user : "");
    if (s->password_var)
        set(ctx, s->password_var,
            password ? password : s->default_password ? s->default_password : "");
}
