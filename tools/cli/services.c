/* services.c: one mock per service from a fixtures folder. */
#include "services.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void mk_serve_plan_init(mk_serve_plan *p)
{
    memset(p, 0, sizeof *p);
    p->fixtures = mk_default_fixtures();
    p->bind = "127.0.0.1";
    p->speed = 1.0;
    for (int i = 0; i < MK_SERVICE_COUNT; i++) {
        p->selected[i] = 1;
        p->port[i] = mk_service_table[i].default_port;
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
    int i = mk_service_index(name);
    char *end = NULL;
    long port = strtol(eq + 1, &end, 10);
    if (i < 0) {
        char names[128];
        fprintf(stderr, "mockkit: unknown service '%s' (%s)\n", name,
                mk_service_names(names, sizeof names));
        return -1;
    }
    if (!end || *end || end == eq + 1 || port < 0 || port > 65535) {
        fprintf(stderr, "mockkit: --port %s: '%s' is not a port number (0-65535)\n", name, eq + 1);
        return -1;
    }
    p->port[i] = (int)port;
    return i;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *mk_installed_dir(const char *rel, char *buf, size_t size)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    int w = snprintf(buf, size, "%s/%s", exe, rel);
    if (w < 0 || (size_t)w >= size || !is_dir(buf))
        return NULL;
    return buf;
}

/* ./fixtures, else the installed ones, else the source tree's (a build-tree
 * binary). */
const char *mk_default_fixtures(void)
{
    static char installed[4096];
    if (is_dir("fixtures"))
        return "fixtures";
    if (mk_installed_dir(MOCKKIT_BIN_TO_FIXTURES, installed, sizeof installed))
        return installed;
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

/* CivetWeb reports any listen failure as "Failed to setup server ports";
 * binding the same address again tells whether it is taken. */
static int address_in_use(const char *bind_addr, int port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    if (port <= 0 || inet_pton(AF_INET, bind_addr, &a.sin_addr) != 1)
        return 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    int in_use = bind(fd, (struct sockaddr *)&a, sizeof a) != 0 && errno == EADDRINUSE;
    close(fd);
    return in_use;
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
        snprintf(dir, sizeof dir, "%s/%s", p->fixtures, mk_service_table[i].name);
        int n = mk_count_cassettes(dir);
        if (n <= 0) {
            if (required) {
                fprintf(stderr, "mockkit: %s: no cassettes in %s\n", mk_service_table[i].name, dir);
                mk_serve_stop(mocks);
                return 2;
            }
            fprintf(stderr, "mockkit: %s: skipped, no cassettes in %s\n", mk_service_table[i].name, dir);
            continue;
        }
        mk_mock_options o;
        mk_mock_options_init(&o);
        o.service = mk_service_table[i].name;
        o.bind = p->bind;
        o.port = p->port[i];
        o.speed = p->speed;
        o.api_key = p->api_key;
        o.rate_limit = i == MK_SERVICE_BEE ? p->rate_limit : 0; /* only Bee limits */
        o.disable_admin = p->disable_admin;
        o.admin_token = p->admin_token;
        o.group = p->group;
        o.quiet = p->quiet;
        o.tls_cert = p->tls_cert;
        o.tls_key = p->tls_key;
        o.max_connections = p->max_connections;
        o.max_body = p->max_body;
        o.max_frame = p->max_frame;
        o.seed = p->seed;
        const char *paths[] = {dir};
        mk_diag d;
        memset(&d, 0, sizeof d);
        int rc = mk_mock_new(&o, paths, 1, &mocks[i], &d);
        if (rc == MK_MOCK_EBIND && address_in_use(p->bind, p->port[i])) {
            /* The commonest start failure gets its own plain message. */
            fprintf(stderr, "mockkit: %s did not start: %s:%d: address already in use "
                            "(choose another with --port %s=N)\n",
                    mk_service_table[i].name, p->bind, p->port[i], mk_service_table[i].name);
            mk_serve_stop(mocks);
            return 2;
        }
        if (rc != MK_MOCK_OK) {
            char msg[1200];
            fprintf(stderr, "mockkit: %s did not start: %s: %s\n", mk_service_table[i].name,
                    mk_mock_strerror(rc), mk_diag_format(&d, msg, sizeof msg));
            mk_serve_stop(mocks);
            return 2;
        }
    }
    return 0;
}
