/* service.h: the services mockkit knows, said once: name, default port,
 * base path, the environment variables that point the suites and `mockkit
 * check` at a deployment, and the credentials a mock accepts by default.
 * The mock (names, base paths, credentials), the suites, the CLI (check,
 * preflight, serve) and tools/live-check.sh all read this table; a fifth
 * service is one row here plus its fixtures, and a profile only where it
 * answers unlike a generic mock. Part of mockkit_cassette (the bottom
 * layer), since a cassette's meta.service names one of these. Prefix
 * mk_service_. */
#ifndef MOCKKIT_SERVICE_H
#define MOCKKIT_SERVICE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mk_service_info {
    const char *name;          /* "bee": cassette meta.service, CLI service names */
    int default_port;          /* where `mockkit serve` listens unless told */
    const char *base_path;     /* the API under the root URL: "/v1", "/api" or "" */
    const char *url_var;       /* the variable holding a deployment's URL */
    int url_has_base;          /* 1: url_var includes base_path (OPENAI_BASE_URL);
                                  0: it is the root (BEE_API) */
    const char *key_var;       /* bearer API key variable, or NULL */
    const char *user_var;      /* login variables (Cairos), or NULL */
    const char *password_var;
    const char *default_key;   /* what a mock accepts unless told, or NULL */
    const char *default_user;
    const char *default_password;
    const char *probe_path;    /* under the base, answered by every deployment
                                  (401 or 200, never 404): check's pre-flight */
    const char *example_url;   /* for messages: "e.g. BEE_API=http://127.0.0.1:4000" */
} mk_service_info;

/* The rows by name, in the order `mockkit check` reports in: code that
 * special-cases a service (the mock's profiles, serve's --rate-limit) names
 * its row so, never its string. A fifth service: a constant here, its row
 * in service.c. */
typedef enum mk_service_id {
    MK_SERVICE_PIECES,
    MK_SERVICE_BEE,
    MK_SERVICE_CAIROS,
    MK_SERVICE_OPENAI,
    MK_SERVICE_COUNT
} mk_service_id;

extern const mk_service_info mk_service_table[MK_SERVICE_COUNT];

/* The row of a service by name, or NULL. */
const mk_service_info *mk_service_lookup(const char *name);
/* Its index in mk_service_table, or -1. */
int mk_service_index(const char *name);

/* "pieces, bee, cairos, openai" into buf (for messages); returns buf. */
const char *mk_service_names(char *buf, size_t size);

/* The variables that point a suite at a deployment of s whose root URL
 * (scheme://host:port) is root_url: set(ctx, name, value) once per
 * variable. key, user, password NULL: the defaults of the row. */
void mk_service_env(const mk_service_info *s, const char *root_url, const char *key,
                    const char *user, const char *password,
                    void (*set)(void *ctx, const char *name, const char *value), void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* MOCKKIT_SERVICE_H */
