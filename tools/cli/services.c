/* services.c: one mock per service from a fixtures folder. */
#include "services.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const mk_service mk_services[MK_SERVICE_COUNT] = {
    {"pieces", 39300},  /* the first port Pieces clients scan (39300-39333) */
    {"bee", 4000},
    {"cairos", 8000},
    {"openai", 8080},
};

int mk_service_find(const char *name)
{
    for (int i = 0; i < MK_SERVICE_COUNT; i++)
        if (strcmp(mk_services[i].name, name) == 0)
            return i;
    return -1;
}

void mk_serve_plan_init(mk_serve_plan *p)
{
    memset(p, 0, sizeof *p);
    p->fixtures = mk_default_fixtures();
    p->bind = "127.0.0.1";
    p->speed = 1.0;
    for (int i = 0; i < MK_SERVICE_COUNT; i++) {
        p->selected[i] = 1;
        p->port[i] = mk_services[i].default_port;
    }
}

int mk_serve_plan_port(mk_serve_plan *p, const char *arg)
{
    const char *eq = strchr(arg, '=');
    char name[32];
    if (!eq || (size_t)(eq - arg) >= sizeof name) {
        fprintf(stderr, "mockkit: --port wants SERVICE=N, got '%s'\n", arg);
        return -1;
    }
    memcpy(name, arg, (size_t)(eq - arg));
    name[eq - arg] = '\0';
    int i = mk_service_find(name);
    char *end = NULL;
    long port = strtol(eq + 1, &end, 10);
    if (i < 0) {
        fprintf(stderr, "mockkit: unknown service '%s' (pieces, bee, cairos, openai)\n", name);
        return -1;
    }
    if (!end || *end || end == eq + 1 || port < 0 || port > 65535) {
        fprintf(stderr, "mockkit: --port %s: '%s' is not a port number (0-65535)\n", name, eq + 1);
        return -1;
    }
    p->port[i] = (int)port;
    return 0;
}

const char *mk_default_fixtures(void)
{
    struct stat st;
    if (stat("fixtures", &st) == 0 && S_ISDIR(st.st_mode))
        return "fixtures";
    return MOCKKIT_FIXTURES_DIR;
}

int mk_count_cassettes(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0)
            n++;
    }
    closedir(d);
    return n;
}

void mk_serve_stop(mk_mock *mocks[MK_SERVICE_COUNT])
{
    for (int i = 0; i < MK_SERVICE_COUNT; i++) {
        mk_mock_free(mocks[i]);
        mocks[i] = NULL;
    }
}

int mk_serve_start(const mk_serve_plan *p, int required, mk_mock *mocks[MK_SERVICE_COUNT])
{
    for (int i = 0; i < MK_SERVICE_COUNT; i++)
        mocks[i] = NULL;
    for (int i = 0; i < MK_SERVICE_COUNT; i++) {
        if (!p->selected[i])
            continue;
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", p->fixtures, mk_services[i].name);
        int n = mk_count_cassettes(dir);
        if (n <= 0) {
            if (required) {
                fprintf(stderr, "mockkit: %s: no cassettes in %s\n", mk_services[i].name, dir);
                mk_serve_stop(mocks);
                return 2;
            }
            fprintf(stderr, "mockkit: %s: skipped, no cassettes in %s\n", mk_services[i].name, dir);
            continue;
        }
        mk_mock_options o;
        mk_mock_options_init(&o);
        o.service = mk_services[i].name;
        o.bind = p->bind;
        o.port = p->port[i];
        o.speed = p->speed;
        o.api_key = p->api_key;
        o.rate_limit = (strcmp(mk_services[i].name, "bee") == 0) ? p->rate_limit : 0;
        o.disable_admin = p->disable_admin;
        o.quiet = p->quiet;
        o.max_connections = p->max_connections;
        o.max_body = p->max_body;
        o.max_frame = p->max_frame;
        const char *paths[] = {dir};
        mk_diag d;
        memset(&d, 0, sizeof d);
        int rc = mk_mock_new(&o, paths, 1, &mocks[i], &d);
        if (rc != MK_MOCK_OK) {
            char msg[1200];
            fprintf(stderr, "mockkit: %s did not start: %s: %s\n", mk_services[i].name,
                    mk_mock_strerror(rc), mk_diag_format(&d, msg, sizeof msg));
            mk_serve_stop(mocks);
            return 2;
        }
    }
    return 0;
}
