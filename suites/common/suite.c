/* suite.c: target selection and the shared runner for mockkit suites. */
#include "suite.h"
#include "netwhy.h" /* the CLI's connect-reason probe: one copy for CLI and suites */

#include "mockkit/service.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return (v && *v) ? v : NULL;
}

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

/* Strip one trailing slash so paths can be appended. */
static void trim_slash(char *s)
{
    size_t n = strlen(s);
    if (n > 0 && s[n - 1] == '/')
        s[n - 1] = '\0';
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Installed first: a suite under libexec/mockkit has share/mockkit beside
 * it; a build-tree suite has not and falls back to the source tree. */
const char *suite_shipped_fixtures(void)
{
    static char installed[4096];
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return MOCKKIT_FIXTURES_DIR;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return MOCKKIT_FIXTURES_DIR;
    *slash = '\0';
    int w = snprintf(installed, sizeof installed, "%s/%s", exe, MOCKKIT_SUITE_TO_FIXTURES);
    if (w > 0 && (size_t)w < sizeof installed && is_dir(installed))
        return installed;
    return MOCKKIT_FIXTURES_DIR;
}

const char *suite_fixtures_dir(const char *service, char *buf, size_t size)
{
    const char *root = env("MOCKKIT_FIXTURES");
    snprintf(buf, size, "%s/%s", root ? root : suite_shipped_fixtures(), service);
    return buf;
}

/* Fills t from the environment (the variables of the service's row in
 * mockkit/service.h); returns 1 when the service is live. */
static int live_target(const char *service, suite_target *t)
{
    const mk_service_info *row = mk_service_lookup(service);
    if (!row || !env(row->url_var))
        return 0;
    char url[512];
    copy(url, sizeof url, env(row->url_var));
    trim_slash(url);
    if (row->url_has_base) {
        /* the root is the URL without its base path, when it ends in it */
        size_t n = strlen(url), b = strlen(row->base_path);
        copy(t->base_url, sizeof t->base_url, url);
        copy(t->root_url, sizeof t->root_url, url);
        if (b && n >= b && strcmp(url + n - b, row->base_path) == 0)
            t->root_url[n - b] = '\0';
    } else {
        copy(t->root_url, sizeof t->root_url, url);
        snprintf(t->base_url, sizeof t->base_url, "%.500s%s", url, row->base_path);
    }
    if (row->key_var && env(row->key_var))
        copy(t->api_key, sizeof t->api_key, env(row->key_var));
    if (row->user_var && env(row->user_var))
        copy(t->username, sizeof t->username, env(row->user_var));
    if (row->password_var && env(row->password_var))
        copy(t->password, sizeof t->password, env(row->password_var));
    return 1;
}

int suite_target_start(const char *service, suite_target *t)
{
    memset(t, 0, sizeof *t);
    if (live_target(service, t)) {
        t->live = 1;
        fprintf(stderr, "[suite] %s: live target %s\n", service, t->base_url);
        return 0;
    }

    char dir[1024];
    suite_fixtures_dir(service, dir, sizeof dir);
    mk_mock_options o;
    mk_mock_options_init(&o);
    o.service = service;
    o.port = 0;
    o.speed = env("MOCKKIT_SPEED") ? atof(env("MOCKKIT_SPEED")) : 0.0;
    o.quiet = 1;
    const char *paths[] = {dir};
    mk_diag d;
    memset(&d, 0, sizeof d);
    int rc = mk_mock_new(&o, paths, 1, &t->mock, &d);
    if (rc != MK_MOCK_OK) {
        char msg[1200];
        fprintf(stderr, "[suite] %s: mock did not start: %s: %s\n", service,
                mk_mock_strerror(rc), mk_diag_format(&d, msg, sizeof msg));
        return -1;
    }
    copy(t->root_url, sizeof t->root_url, mk_mock_url(t->mock));
    snprintf(t->base_url, sizeof t->base_url, "%.500s%.8s", t->root_url, mk_mock_base_path(t->mock));
    /* the credentials the mock accepts by default: the service's row */
    const mk_service_info *row = mk_service_lookup(service);
    if (row && row->default_key)
        copy(t->api_key, sizeof t->api_key, row->default_key);
    if (row && row->default_user)
        copy(t->username, sizeof t->username, row->default_user);
    if (row && row->default_password)
        copy(t->password, sizeof t->password, row->default_password);
    return 0;
}

void suite_target_stop(suite_target *t)
{
    mk_mock_free(t->mock);
    t->mock = NULL;
}

void suite__assert_status(long got, long want, const char *file, int line)
{
    if (got == want)
        return;
    print_error("HTTP %ld, expected %ld\n", got, want);
    _fail(file, line);
}

void suite__assert_call(int rc, const char *url, const char *message, const char *file, int line)
{
    if (rc == 0)
        return;
    /* The client says "URL: could not connect (...)"; lead with the URL. */
    const char *what = message && *message ? message : "failed";
    size_t ul = url ? strlen(url) : 0;
    if (ul && strncmp(what, url, ul) == 0 && strncmp(what + ul, ": ", 2) == 0)
        what += ul + 2;
    if (strncmp(what, "could not connect", 17) == 0) {
        char why[256] = "";
        if (url && *url)
            mk_cli_connect_reason(url, why, sizeof why);
        print_error("could not connect to %s: %s\n", url && *url ? url : "?",
                    why[0] ? why : what + (what[17] == ' ' ? 18 : 17));
    }
    else
        print_error("%s%s%s\n", url && *url ? url : "", url && *url ? ": " : "", what);
    _fail(file, line);
}

void suite__skip_reason(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("skipped: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
}

int suite_run(int argc, char **argv, const char *name, const struct CMUnitTest *tests,
              size_t count, CMFixtureFunction setup, CMFixtureFunction teardown)
{
    /* cmocka writes progress to stdout and failures to stderr: unbuffered,
     * a reader of both (mockkit check) sees them in the order they happen. */
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    const char *base = strrchr(name, '/');
    return _cmocka_run_group_tests(base ? base + 1 : name, tests, count, setup, teardown);
}

char *suite_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf)
        return NULL;
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}
