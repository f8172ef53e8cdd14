/* services.h: starting one mock per service (mockkit/service.h has the
 * table) from a fixtures folder, shared by `serve` and `check`. */
#ifndef MOCKKIT_CLI_SERVICES_H
#define MOCKKIT_CLI_SERVICES_H

#include <stddef.h>

#include "mockkit/mock.h"
#include "mockkit/service.h"

/* The services, their ports and variables: mk_service_table (service.h). */

/* What to start: per service whether it is selected and on which port. */
typedef struct mk_serve_plan {
    const char *fixtures;          /* folder holding <service>/ folders */
    const char *bind;
    double speed;
    const char *api_key;           /* NULL = default */
    int rate_limit;
    int disable_admin;
    const char *admin_token;       /* NULL: admin answers loopback peers only */
    mk_mock_group *group;          /* reset together (serve); NULL: each alone */
    int quiet;
    const char *tls_cert;          /* listen with TLS (mk_mock_options); NULL = plain */
    const char *tls_key;
    int max_connections;           /* per service; 0 = the mock's default (1024) */
    size_t max_body, max_frame;    /* bytes; 0 = the mock's defaults */
    unsigned long long seed;       /* each mock's fault PRNG (--seed) */
    int selected[MK_SERVICE_COUNT];  /* 1 = start it */
    int port[MK_SERVICE_COUNT];
} mk_serve_plan;

/* Defaults: every service, default ports, loopback, speed 1.0. */
void mk_serve_plan_init(mk_serve_plan *p);

/* Parse "SERVICE=N" into the plan. Returns the service's row in
 * mk_service_table, or -1 with a message on stderr. */
int mk_serve_plan_port(mk_serve_plan *p, const char *arg);

/* The default fixtures folder: ./fixtures if it exists, else the source
 * tree's. */
/* rel (a path from the bin folder, e.g. "../share/mockkit/fixtures") resolved
 * against this binary's folder (/proc/self/exe), so an install moved to
 * another prefix still finds its files. Returns buf, or NULL if it is not a
 * folder. */
const char *mk_installed_dir(const char *rel, char *buf, size_t size);
const char *mk_default_fixtures(void);

/* Count *.json files in dir (non-recursive); -1 if dir is unreadable. */
int mk_count_cassettes(const char *dir);

/* Start the selected services. A selected service whose folder is missing
 * or empty is skipped with a note when `required` is 0 and is an error when
 * it is 1. On error, everything started is stopped and 2 is returned. */
int mk_serve_start(const mk_serve_plan *p, int required, mk_mock *mocks[MK_SERVICE_COUNT]);
void mk_serve_stop(mk_mock *mocks[MK_SERVICE_COUNT]);

/* serve_faults.c: add each --fault SPEC to the mock of the service it
 * names ("bee:POST /v1/...:status=429"), or to every running mock, the
 * generic ones (--service) too, when it names none. Returns 0, or 2 with
 * the spec and why on stderr. */
int mk_serve_add_faults(mk_mock *mocks[MK_SERVICE_COUNT], mk_mock *const *generic,
                        size_t generic_count, const char *const *specs, size_t n);

#endif
