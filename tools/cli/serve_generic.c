/* serve_generic.c: see serve_generic.h. */
#include "serve_generic.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int known(const mk_generics *g, const char *name)
{
    if (mk_service_index(name) >= 0)
        return 1;
    for (size_t i = 0; i < g->count; i++)
        if (strcmp(g->items[i].name, name) == 0)
            return 1;
    return 0;
}

static int valid_name(const char *s, size_t n)
{
    if (n == 0 || n >= sizeof(((mk_generic *)0)->name))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' || s[i] == '.'))
            return 0;
    return 1;
}

int mk_generic_parse(mk_generics *g, const char *arg)
{
    const char *eq = strchr(arg, '=');
    mk_generic *x;
    if (!eq || !valid_name(arg, (size_t)(eq - arg)) || !eq[1]) {
        fprintf(stderr, "mockkit serve: --service wants NAME=DIR[:PORT] (NAME of letters, "
                        "digits, '-', '_', '.'), got '%s'\n", arg);
        return -1;
    }
    if (g->count == MK_GENERIC_MAX) {
        fprintf(stderr, "mockkit serve: at most %d --service\n", MK_GENERIC_MAX);
        return -1;
    }
    x = &g->items[g->count];
    memset(x, 0, sizeof(*x));
    snprintf(x->name, sizeof x->name, "%.*s", (int)(eq - arg), arg);
    if (known(g, x->name)) {
        fprintf(stderr, "mockkit serve: --service %s: %s\n", x->name,
                mk_service_index(x->name) >= 0 ? "a known service: use --fixtures and --port"
                                              : "named twice");
        return -1;
    }
    /* a trailing :digits is the port; a folder may contain ':' itself */
    const char *dir = eq + 1, *colon = strrchr(dir, ':');
    size_t dlen = strlen(dir);
    if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
        long port = strtol(colon + 1, NULL, 10);
        if (port > 65535 || strlen(colon + 1) > 5) {
            fprintf(stderr, "mockkit serve: --service %s: '%s' is not a port number\n", x->name,
                    colon + 1);
            return -1;
        }
        x->port = (int)port;
        dlen = (size_t)(colon - dir);
    }
    if (dlen == 0 || dlen >= sizeof x->dir) {
        fprintf(stderr, "mockkit serve: --service %s: no folder\n", x->name);
        return -1;
    }
    snprintf(x->dir, sizeof x->dir, "%.*s", (int)dlen, dir);
    g->count++;
    return 0;
}

int mk_generic_discover(mk_generics *g, const char *fixtures)
{
    DIR *d = opendir(fixtures);
    struct dirent *e;
    int rc = 0;
    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;
        size_t n = strlen(e->d_name);
        if (e->d_name[0] == '.' || !valid_name(e->d_name, n) || known(g, e->d_name))
            continue;
        snprintf(path, sizeof path, "%s/%s", fixtures, e->d_name);
        if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode) || mk_count_cassettes(path) <= 0)
            continue;
        if (g->count == MK_GENERIC_MAX) {
            fprintf(stderr, "mockkit serve: more than %d unknown folders in %s\n",
                    MK_GENERIC_MAX, fixtures);
            rc = -1;
            break;
        }
        mk_generic *x = &g->items[g->count++];
        memset(x, 0, sizeof(*x));
        memcpy(x->name, e->d_name, n + 1); /* valid_name: n < sizeof x->name */
        snprintf(x->dir, sizeof x->dir, "%s", path);
    }
    closedir(d);
    return rc;
}

int mk_generic_start(mk_generics *g, const mk_serve_plan *p)
{
    for (size_t i = 0; i < g->count; i++) {
        mk_generic *x = &g->items[i];
        mk_mock_options o;
        mk_diag d;
        char msg[1200];
        const char *paths[] = {x->dir};
        mk_mock_options_init(&o);
        o.service = "generic"; /* no profile: replayed as recorded */
        o.bind = p->bind;
        o.port = x->port;
        o.speed = p->speed;
        o.disable_admin = p->disable_admin;
        o.admin_token = p->admin_token;
        o.group = p->group;
        o.seed = p->seed;
        o.quiet = p->quiet;
        o.tls_cert = p->tls_cert;
        o.tls_key = p->tls_key;
        o.max_connections = p->max_connections;
        o.max_body = p->max_body;
        o.max_frame = p->max_frame;
        x->seen = mk_folder_stamp(x->dir);
        int rc = mk_mock_new(&o, paths, 1, &x->mock, &d);
        if (rc != MK_MOCK_OK) {
            fprintf(stderr, "mockkit: %s did not start: %s: %s\n", x->name, mk_mock_strerror(rc),
                    mk_diag_format(&d, msg, sizeof msg));
            mk_generic_stop(g);
            return 2;
        }
    }
    return 0;
}

void mk_generic_stop(mk_generics *g)
{
    for (size_t i = 0; i < g->count; i++) {
        mk_mock_free(g->items[i].mock);
        g->items[i].mock = NULL;
    }
}

unsigned long long mk_folder_stamp(const char *dir)
{
    char path[8192];
    unsigned long long h = 1469598103934665603ULL;
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        struct stat st;
        if (n <= 5 || strcmp(e->d_name + n - 5, ".json") != 0 || e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0)
            continue;
        /* summed: readdir's order is not stable */
        unsigned long long x = (unsigned long long)st.st_size * 1000003ULL ^
                               (unsigned long long)st.st_mtim.tv_sec * 1000000007ULL ^
                               (unsigned long long)st.st_mtim.tv_nsec;
        for (const char *c = e->d_name; *c; c++)
            x = (x ^ (unsigned char)*c) * 1099511628211ULL;
        h += x;
    }
    closedir(d);
    return h;
}
