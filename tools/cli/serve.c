/* serve.c: `mockkit serve`: every service's mock on its loopback port until
 * SIGINT/SIGTERM; SIGHUP (or a change seen by --watch) reloads the fixtures. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "opts.h"
#include "serve_generic.h"
#include "services.h"

static void usage(FILE *out)
{
    /* from the table: "pieces=39300 ...", "pieces/ bee/ ...", "bee, openai" */
    char ports[256] = "", dirs[256] = "", keyed[256] = "";
    const char *key = "";
    for (int i = 0; i < MK_SERVICE_COUNT; i++) {
        const mk_service_info *s = &mk_service_table[i];
        size_t n = strlen(ports), d = strlen(dirs), k = strlen(keyed);
        snprintf(ports + n, sizeof ports - n, "%s%s=%d", i ? " " : "", s->name, s->default_port);
        snprintf(dirs + d, sizeof dirs - d, "%s/ ", s->name);
        if (s->key_var) {
            snprintf(keyed + k, sizeof keyed - k, "%s%s", k ? ", " : "", s->name);
            key = key[0] ? key : s->default_key;
        }
    }
    fprintf(out,
            "usage: mockkit serve [options]\n"
            "Replays the cassettes in FIXTURES/<service>/ for each service on its port\n"
            "and prints one line per service with its URL. Stops on SIGINT/SIGTERM.\n"
            "SIGHUP reloads every service's folder; a bad cassette is refused (the old\n"
            "ones keep serving) and named on stderr. Runtime control: docs/admin.md.\n\n"
            "  --fixtures DIR     folder with %s(default: ./fixtures,\n"
            "                     else the shipped ones)\n"
            "  --bind ADDR        listen address (default 127.0.0.1); off loopback the admin\n"
            "                     API needs --admin-token (or --no-admin)\n"
            "  --admin-token T    /__mockkit/ requests must send X-Mockkit-Admin-Token: T\n"
            "                     (without it only loopback clients may use them)\n"
            "  --watch            reload a service when its folder's *.json files change\n"
            "                     (checked once a second)\n"
            "  --port SERVICE=N   port of a service (0 = any free port); defaults:\n"
            "                     %s\n"
            "  --free-ports       every service on any free port, except those given a\n"
            "                     --port (read the ports back from --ready-file)\n"
            "  --only SERVICE     serve only this service (repeatable)\n"
            "  --service NAME=DIR[:PORT]  also replay DIR's cassettes as recorded, as a\n"
            "                     service of its own (a generic mock: no key, no cookie);\n"
            "                     a folder of --fixtures with another name is served so\n"
            "                     too (any free port) unless --only is given (repeatable)\n"
            "  --speed X          1 = recorded timing (default), 2 = twice as fast, 0 = instant\n"
            "  --api-key KEY      key the %s mocks accept (default %s)\n"
            "  --rate-limit N     bee: answer 429 past N requests per second per key\n"
            "  --max-connections N  requests, streams and websockets each mock serves at\n"
            "                     once (default 1024); past it a 503 in the service's envelope\n"
            "  --max-body BYTES   request bodies past this get 413 (default 64 MiB)\n"
            "  --max-frame BYTES  websocket messages past this get close 1009 (default 16 MiB)\n"
            "  --no-admin         turn off the admin API (/__mockkit/)\n"
            "  --ready-file FILE  once every mock listens, write 'service url' lines to FILE\n"
            "  --env-file FILE    once every mock listens, write the variables that point the\n"
            "                     suites and `check --target live` at them to FILE, as shell\n"
            "                     assignments (NAME='value')\n"
            "  --tls-cert FILE    listen with TLS (https://, wss://) with this PEM certificate\n"
            "                     (chain); plain HTTP without it\n"
            "  --tls-key FILE     the certificate's PEM private key (default: in --tls-cert)\n"
            "  --fault SPEC       inject a fault (repeatable), e.g.\n"
            "                     'bee:POST /v1/threads/{id}/runs:status=429,retry-after=2,times=1'\n"
            "                     or 'openai:/v1/chat/completions:cut=event:2,rst'; without\n"
            "                     SERVICE: every mock; grammar in docs/faults.md\n"
            "  --seed N           seed of each mock's fault PRNG (default 0): same seed,\n"
            "                     same requests in the same order, same faults\n"
            "  --quiet            do not log unmatched requests\n",
            dirs, ports, keyed, key);
}

/* A whole number in [min, max]; names the option when it is not. */
static int parse_count(const mk_opts *p, const char *opt, const char *s, unsigned long long min,
                       unsigned long long max, unsigned long long *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || !end || *end || end == s || s[0] == '-' || v < min || v > max) {
        mk_opts_fail(p, "%s wants a whole number %llu-%llu, got '%s'", opt, min, max, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_double(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || !end || *end || end == s || v < 0)
        return -1;
    *out = v;
    return 0;
}

/* Writes the URL lines atomically (temp + rename) so a script polling for
 * the file never reads half of it. */
static int write_ready_file(const char *path, mk_mock *mocks[MK_SERVICE_COUNT],
                            const mk_generics *gen)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    for (int i = 0; i < MK_SERVICE_COUNT; i++)
        if (mocks[i])
            fprintf(f, "%s %s%s\n", mk_service_table[i].name, mk_mock_url(mocks[i]),
                    mk_mock_base_path(mocks[i]));
    for (size_t i = 0; i < gen->count; i++)
        fprintf(f, "%s %s\n", gen->items[i].name, mk_mock_url(gen->items[i].mock));
    if (fclose(f) != 0)
        return -1;
    return rename(tmp, path);
}

static void write_var(void *ctx, const char *name, const char *value)
{
    FILE *f = ctx;
    fprintf(f, "%s='", name);
    for (const char *c = value; *c; c++) {
        if (*c == '\'')
            fputs("'\\''", f);  /* close, escaped quote, reopen */
        else
            fputc(*c, f);
    }
    fputs("'\n", f);
}

/* The variables that point the suites (and `mockkit check --target live`)
 * at these mocks, as shell assignments (mk_service_env), atomically. */
static int write_env_file(const char *path, mk_mock *mocks[MK_SERVICE_COUNT], const char *api_key)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    for (int i = 0; i < MK_SERVICE_COUNT; i++)
        if (mocks[i])
            mk_service_env(&mk_service_table[i], mk_mock_url(mocks[i]), api_key, NULL, NULL,
                           write_var, f);
    if (fclose(f) != 0)
        return -1;
    return rename(tmp, path);
}

static void reload(mk_mock *m, const char *service)
{
    mk_diag d;
    char msg[1200];
    int rc = mk_mock_reload(m, &d);
    if (rc == MK_MOCK_OK)
        fprintf(stderr, "mockkit serve: %s: reloaded\n", service);
    else
        fprintf(stderr, "mockkit serve: %s: reload refused, still serving the cassettes "
                        "before: %s\n",
                service, mk_diag_format(&d, msg, sizeof msg));
}

int mk_cmd_serve(int argc, char **argv)
{
    if (mk_cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    mk_serve_plan plan;
    mk_serve_plan_init(&plan);
    const char *ready_file = NULL;
    const char *env_file = NULL;
    int only = 0, watch = 0, free_ports = 0;
    int port_given[MK_SERVICE_COUNT] = {0};
    static mk_generics gen; /* large (folder paths): not on the stack */
    const char *faults[64];
    size_t fault_count = 0;
    static const mk_opt table[] = {
        {"--fixtures", NULL, 1}, {"--bind", NULL, 1},       {"--port", NULL, 1},
        {"--only", NULL, 1},     {"--speed", NULL, 1},      {"--api-key", NULL, 1},
        {"--rate-limit", NULL, 1}, {"--ready-file", NULL, 1}, {"--env-file", NULL, 1}, {"--no-admin", NULL, 0},
        {"--quiet", NULL, 0},    {"--tls-cert", NULL, 1},   {"--tls-key", NULL, 1},
        {"--max-connections", NULL, 1}, {"--max-body", NULL, 1}, {"--max-frame", NULL, 1},
        {"--admin-token", NULL, 1}, {"--watch", NULL, 0}, {"--service", NULL, 1},
        {"--fault", NULL, 1},    {"--seed", NULL, 1},       {"--free-ports", NULL, 0},
        {NULL, NULL, 0},
    };
    mk_opts p;
    mk_opts_init(&p, "serve", argc, argv);
    const char *v;
    int k;
    while ((k = mk_opts_next(&p, table, &v)) != MK_OPTS_END) {
        if (k == MK_OPTS_ERROR || k == MK_OPTS_ARG) {
            if (k == MK_OPTS_ARG)
                mk_opts_fail(&p, "unexpected argument '%s'", v);
            usage(stderr);
            return 2;
        }
        const char *a = table[k].name;
        if (strcmp(a, "--fixtures") == 0) {
            plan.fixtures = v;
        } else if (strcmp(a, "--bind") == 0) {
            plan.bind = v;
        } else if (strcmp(a, "--port") == 0) {
            int s = mk_serve_plan_port(&plan, v);
            if (s < 0)
                return 2;
            port_given[s] = 1;
        } else if (strcmp(a, "--free-ports") == 0) {
            free_ports = 1;
        } else if (strcmp(a, "--only") == 0) {
            int s = mk_service_index(v);
            if (s < 0) {
                char names[128];
                mk_opts_fail(&p, "unknown service '%s' (%s)", v,
                             mk_service_names(names, sizeof names));
                return 2;
            }
            if (!only)
                memset(plan.selected, 0, sizeof plan.selected);
            only = 1;
            plan.selected[s] = 1;
        } else if (strcmp(a, "--speed") == 0) {
            if (parse_double(v, &plan.speed) != 0) {
                mk_opts_fail(&p, "--speed wants a number >= 0, got '%s'", v);
                return 2;
            }
        } else if (strcmp(a, "--api-key") == 0) {
            plan.api_key = v;
        } else if (strcmp(a, "--rate-limit") == 0) {
            long n;
            if (mk_opts_long(v, &n) != 0 || n > 1000000) {
                mk_opts_fail(&p, "--rate-limit wants requests per second, got '%s'", v);
                return 2;
            }
            plan.rate_limit = (int)n;
        } else if (strcmp(a, "--max-connections") == 0) {
            unsigned long long n;
            if (parse_count(&p, a, v, 1, 20000, &n) != 0)
                return 2;
            plan.max_connections = (int)n;
        } else if (strcmp(a, "--max-body") == 0 || strcmp(a, "--max-frame") == 0) {
            unsigned long long n;
            if (parse_count(&p, a, v, 1, SIZE_MAX / 2, &n) != 0)
                return 2;
            *(strcmp(a, "--max-body") == 0 ? &plan.max_body : &plan.max_frame) = (size_t)n;
        } else if (strcmp(a, "--fault") == 0) {
            if (fault_count == sizeof faults / sizeof faults[0]) {
                mk_opts_fail(&p, "at most 64 --fault options");
                return 2;
            }
            faults[fault_count++] = v;
        } else if (strcmp(a, "--seed") == 0) {
            unsigned long long n;
            if (parse_count(&p, a, v, 0, UINT64_MAX, &n) != 0)
                return 2;
            plan.seed = n;
        } else if (strcmp(a, "--ready-file") == 0) {
            ready_file = v;
        } else if (strcmp(a, "--env-file") == 0) {
            env_file = v;
        } else if (strcmp(a, "--tls-cert") == 0) {
            plan.tls_cert = v;
        } else if (strcmp(a, "--tls-key") == 0) {
            plan.tls_key = v;
        } else if (strcmp(a, "--admin-token") == 0) {
            if (!v[0]) {
                mk_opts_fail(&p, "--admin-token must not be empty");
                return 2;
            }
            plan.admin_token = v;
        } else if (strcmp(a, "--service") == 0) {
            if (mk_generic_parse(&gen, v) != 0)
                return 2;
        } else if (strcmp(a, "--watch") == 0) {
            watch = 1;
        } else if (strcmp(a, "--no-admin") == 0) {
            plan.disable_admin = 1;
        } else if (strcmp(a, "--quiet") == 0) {
            plan.quiet = 1;
        }
    }

    for (int i = 0; free_ports && i < MK_SERVICE_COUNT; i++)
        if (!port_given[i])
            plan.port[i] = 0;
    if (plan.tls_key && !plan.tls_cert) {
        mk_opts_fail(&p, "--tls-key needs --tls-cert");
        return 2;
    }

    /* Block the stop signals before any server thread exists, so every
     * thread inherits the mask and only sigwait below sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    /* one reset (POST /__mockkit/reset on any port) resets every service */
    plan.group = mk_mock_group_new();
    if (!plan.group) {
        fprintf(stderr, "mockkit serve: out of memory\n");
        return 2;
    }
    mk_mock *mocks[MK_SERVICE_COUNT];
    if (!only && mk_generic_discover(&gen, plan.fixtures) != 0) {
        mk_mock_group_free(plan.group);
        return 2;
    }
    int rc = mk_serve_start(&plan, only, mocks);
    if (rc == 0 && (rc = mk_generic_start(&gen, &plan)) != 0)
        mk_serve_stop(mocks);
    if (rc != 0) {
        mk_mock_group_free(plan.group);
        return rc;
    }
    mk_mock *generic[MK_GENERIC_MAX];
    for (size_t i = 0; i < gen.count; i++)
        generic[i] = gen.items[i].mock;
    if (mk_serve_add_faults(mocks, generic, gen.count, faults, fault_count) != 0) {
        mk_serve_stop(mocks);
        mk_generic_stop(&gen);
        mk_mock_group_free(plan.group);
        return 2;
    }
    int running = 0;
    for (int i = 0; i < MK_SERVICE_COUNT; i++) {
        if (!mocks[i])
            continue;
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", plan.fixtures, mk_service_table[i].name);
        printf("%-7s %s%s  (%d cassettes, speed %g)\n", mk_service_table[i].name, mk_mock_url(mocks[i]),
               mk_mock_base_path(mocks[i]), mk_count_cassettes(dir), plan.speed);
        running++;
    }
    for (size_t i = 0; i < gen.count; i++, running++)
        printf("%-7s %s  (%d cassettes, speed %g, generic: as recorded)\n", gen.items[i].name,
               mk_mock_url(gen.items[i].mock), mk_count_cassettes(gen.items[i].dir), plan.speed);
    if (running == 0) {
        fprintf(stderr, "mockkit serve: no cassettes under %s\n", plan.fixtures);
        mk_mock_group_free(plan.group);
        return 2;
    }
    fflush(stdout);
    /* the env file first: a script that polls for the ready file may read it */
    if (env_file && write_env_file(env_file, mocks, plan.api_key) != 0) {
        fprintf(stderr, "mockkit serve: cannot write %s: %s\n", env_file, strerror(errno));
        mk_serve_stop(mocks);
        mk_generic_stop(&gen);
        mk_mock_group_free(plan.group);
        return 2;
    }
    if (ready_file && write_ready_file(ready_file, mocks, &gen) != 0) {
        fprintf(stderr, "mockkit serve: cannot write %s: %s\n", ready_file, strerror(errno));
        mk_serve_stop(mocks);
        mk_generic_stop(&gen);
        mk_mock_group_free(plan.group);
        return 2;
    }

    unsigned long long seen[MK_SERVICE_COUNT];
    char dirs[MK_SERVICE_COUNT][4096];
    for (int i = 0; i < MK_SERVICE_COUNT; i++) {
        snprintf(dirs[i], sizeof dirs[i], "%s/%s", plan.fixtures, mk_service_table[i].name);
        seen[i] = mocks[i] ? mk_folder_stamp(dirs[i]) : 0;
    }
    int sig = 0;
    for (;;) {
        struct timespec tick = {1, 0};
        sig = watch ? sigtimedwait(&stop, NULL, &tick) : (sigwait(&stop, &sig) == 0 ? sig : -1);
        if (sig == SIGINT || sig == SIGTERM)
            break;
        for (int i = 0; i < MK_SERVICE_COUNT; i++) {
            if (!mocks[i])
                continue;
            unsigned long long now = mk_folder_stamp(dirs[i]);
            if (sig == SIGHUP || now != seen[i])
                reload(mocks[i], mk_service_table[i].name);
            seen[i] = now;
        }
        for (size_t i = 0; i < gen.count; i++) {
            mk_generic *x = &gen.items[i];
            unsigned long long now = mk_folder_stamp(x->dir);
            if (sig == SIGHUP || now != x->seen)
                reload(x->mock, x->name);
            x->seen = now;
        }
    }
    fprintf(stderr, "mockkit serve: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    mk_serve_stop(mocks);
    mk_generic_stop(&gen);
    mk_mock_group_free(plan.group);
    if (ready_file)
        remove(ready_file);
    if (env_file)
        remove(env_file);
    return 0;
}
