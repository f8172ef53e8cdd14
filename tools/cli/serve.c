/* serve.c: `mockkit serve`: every service's mock on its loopback port until
 * SIGINT/SIGTERM. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "services.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: mockkit serve [options]\n"
            "Replays the cassettes in FIXTURES/<service>/ for each service on its port\n"
            "and prints one line per service with its URL. Stops on SIGINT/SIGTERM.\n\n"
            "  --fixtures DIR     folder with pieces/ bee/ cairos/ openai/ (default: ./fixtures)\n"
            "  --bind ADDR        listen address (default 127.0.0.1)\n"
            "  --port SERVICE=N   port of a service (0 = any free port); defaults:\n"
            "                     pieces=39300 bee=4000 cairos=8000 openai=8080\n"
            "  --only SERVICE     serve only this service (repeatable)\n"
            "  --speed X          1 = recorded timing (default), 2 = twice as fast, 0 = instant\n"
            "  --api-key KEY      key the bee and openai mocks accept (default sk-proj-testkey)\n"
            "  --rate-limit N     bee: answer 429 past N requests per second per key\n"
            "  --max-connections N  requests, streams and websockets each mock serves at\n"
            "                     once (default 1024); past it a 503 in the service's envelope\n"
            "  --max-body BYTES   request bodies past this get 413 (default 64 MiB)\n"
            "  --max-frame BYTES  websocket messages past this get close 1009 (default 16 MiB)\n"
            "  --no-admin         turn off /__mockkit/requests and /__mockkit/reset\n"
            "  --ready-file FILE  once every mock listens, write 'service url' lines to FILE\n"
            "  --quiet            do not log unmatched requests\n");
}

/* A whole number in [min, max] (no sign, no suffix). */
static int parse_count(const char *opt, const char *s, unsigned long long min,
                       unsigned long long max, unsigned long long *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || !end || *end || end == s || s[0] == '-' || v < min || v > max) {
        fprintf(stderr, "mockkit serve: %s wants a whole number %llu-%llu, got '%s'\n", opt, min,
                max, s);
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
static int write_ready_file(const char *path, mk_mock *mocks[MK_SERVICE_COUNT])
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    for (int i = 0; i < MK_SERVICE_COUNT; i++)
        if (mocks[i])
            fprintf(f, "%s %s%s\n", mk_services[i].name, mk_mock_url(mocks[i]),
                    mk_mock_base_path(mocks[i]));
    if (fclose(f) != 0)
        return -1;
    return rename(tmp, path);
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
    int only = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = (i + 1 < argc) ? argv[i + 1] : NULL;
        int takes = 1;
        if (strcmp(a, "--fixtures") == 0 && v) {
            plan.fixtures = v;
        } else if (strcmp(a, "--bind") == 0 && v) {
            plan.bind = v;
        } else if (strcmp(a, "--port") == 0 && v) {
            if (mk_serve_plan_port(&plan, v) != 0)
                return 2;
        } else if (strcmp(a, "--only") == 0 && v) {
            int s = mk_service_find(v);
            if (s < 0) {
                fprintf(stderr, "mockkit serve: unknown service '%s' (pieces, bee, cairos, openai)\n", v);
                return 2;
            }
            if (!only)
                memset(plan.selected, 0, sizeof plan.selected);
            only = 1;
            plan.selected[s] = 1;
        } else if (strcmp(a, "--speed") == 0 && v) {
            if (parse_double(v, &plan.speed) != 0) {
                fprintf(stderr, "mockkit serve: --speed wants a number >= 0, got '%s'\n", v);
                return 2;
            }
        } else if (strcmp(a, "--api-key") == 0 && v) {
            plan.api_key = v;
        } else if (strcmp(a, "--rate-limit") == 0 && v) {
            plan.rate_limit = atoi(v);
        } else if (strcmp(a, "--max-connections") == 0 && v) {
            unsigned long long n;
            if (parse_count(a, v, 1, 20000, &n) != 0)
                return 2;
            plan.max_connections = (int)n;
        } else if ((strcmp(a, "--max-body") == 0 || strcmp(a, "--max-frame") == 0) && v) {
            unsigned long long n;
            if (parse_count(a, v, 1, SIZE_MAX / 2, &n) != 0)
                return 2;
            *(a[6] == 'b' ? &plan.max_body : &plan.max_frame) = (size_t)n;
        } else if (strcmp(a, "--ready-file") == 0 && v) {
            ready_file = v;
        } else {
            takes = 0;
            if (strcmp(a, "--no-admin") == 0) {
                plan.disable_admin = 1;
            } else if (strcmp(a, "--quiet") == 0) {
                plan.quiet = 1;
            } else {
                fprintf(stderr, "mockkit serve: unknown or incomplete option '%s'\n\n", a);
                usage(stderr);
                return 2;
            }
        }
        i += takes;
    }

    /* Block the stop signals before any server thread exists, so every
     * thread inherits the mask and only sigwait below sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    mk_mock *mocks[MK_SERVICE_COUNT];
    int rc = mk_serve_start(&plan, only, mocks);
    if (rc != 0)
        return rc;
    int running = 0;
    for (int i = 0; i < MK_SERVICE_COUNT; i++) {
        if (!mocks[i])
            continue;
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", plan.fixtures, mk_services[i].name);
        printf("%-7s %s%s  (%d cassettes, speed %g)\n", mk_services[i].name, mk_mock_url(mocks[i]),
               mk_mock_base_path(mocks[i]), mk_count_cassettes(dir), plan.speed);
        running++;
    }
    if (running == 0) {
        fprintf(stderr, "mockkit serve: no cassettes under %s\n", plan.fixtures);
        return 2;
    }
    fflush(stdout);
    if (ready_file && write_ready_file(ready_file, mocks) != 0) {
        fprintf(stderr, "mockkit serve: cannot write %s: %s\n", ready_file, strerror(errno));
        mk_serve_stop(mocks);
        return 2;
    }

    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "mockkit serve: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    mk_serve_stop(mocks);
    if (ready_file)
        remove(ready_file);
    return 0;
}
