/* check.c: `mockkit check`: run the compatibility suites against the mocks
 * (started here, like `serve`) or against live services, and print a table.
 *
 * The suites are the bin/suite-<service>-* executables built beside this
 * binary. They find their target in the environment (suites/common/suite.h),
 * so for the mock target this command starts the mocks on free ports and
 * points those variables at them: the suites then take exactly the path
 * they take against a live deployment. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check_conform.h"
#include "cli.h"
#include "lint_model.h"
#include "mockkit/client.h"
#include "services.h"

extern char **environ;

#define SUITE_TIMEOUT_S 300
#define MAX_SUITES 128
#define MAX_TESTS 512

typedef enum { T_PASS, T_FAIL, T_SKIP } test_result;

typedef struct test_case {
    char name[128];
    test_result result;
} test_case;

typedef struct suite_run {
    char name[256];
    int service;
    int ran;            /* 0: skipped (no live target) */
    int exit_status;    /* process exit code, or 128+signal */
    char log[4096];     /* path of its captured output */
    test_case *tests;
    size_t test_count;
    int passed, failed, skipped;
} suite_run;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: mockkit check [options] [SERVICE...]\n"
            "Runs the compatibility suites (bin/suite-<service>-*) and prints a table per\n"
            "service. Exit status: 0 all passed, 1 a test failed, 2 error.\n\n"
            "  --target mock|live  mock (default): start the mocks from the fixtures on free\n"
            "                      ports and point the suites at them; live: use the services\n"
            "                      the environment names (PIECES_URL, BEE_API + BEE_API_KEY,\n"
            "                      OPENAI_BASE_URL + OPENAI_API_KEY, CAIROS_URL + CAIROS_USER +\n"
            "                      CAIROS_PASSWORD); a service not named is skipped\n"
            "  --fixtures DIR      fixtures for the mock target (default ./fixtures, else the\n"
            "                      shipped ones)\n"
            "  --speed X           replay speed of the mock target (default 0, instant)\n"
            "  --junit FILE        also write the results as JUnit XML\n"
            "  --suites DIR        where the suite executables are (default: beside mockkit,\n"
            "                      else its ../libexec/mockkit)\n"
            "  --reset             live target: POST /__mockkit/reset to the service before each\n"
            "                      suite (for a mockkit instance standing in for the service)\n"
            "  --conform           live target: route each suite through a recording proxy and\n"
            "                      check every payload the service sent and received against\n"
            "                      models/<service>.json (docs/models.md); a payload that breaks\n"
            "                      it fails the suite ($MOCKKIT_MODELS or --models DIR)\n"
            "  --models DIR        where the models are (default: the kit's models/)\n"
            "  --cacert FILE       live target: trust the CAs in FILE (PEM) instead of the\n"
            "                      system store for https:// and wss:// (sets MOCKKIT_CACERT\n"
            "                      for the suites)\n"
            "  --insecure          live target: accept any certificate (MOCKKIT_INSECURE=1)\n"
            "  --verbose           print every suite's output\n");
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The folder this executable is in (for bin/suite-*). */
static int self_dir(char *buf, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", buf, size - 1);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    return 0;
}

static int cmp_runs(const void *a, const void *b)
{
    const suite_run *x = a, *y = b;
    if (x->service != y->service)
        return x->service - y->service;
    return strcmp(x->name, y->name);
}

/* Suites of the selected services, sorted by service then name. */
static size_t find_suites(const char *dir, const int selected[MK_SERVICE_COUNT], suite_run *runs)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < MAX_SUITES) {
        if (!starts_with(e->d_name, "suite-"))
            continue;
        for (int s = 0; s < MK_SERVICE_COUNT; s++) {
            char prefix[64];
            snprintf(prefix, sizeof prefix, "suite-%s-", mk_services[s].name);
            if (selected[s] && starts_with(e->d_name, prefix)) {
                memset(&runs[n], 0, sizeof runs[n]);
                snprintf(runs[n].name, sizeof runs[n].name, "%s", e->d_name);
                runs[n].service = s;
                n++;
            }
        }
    }
    closedir(d);
    qsort(runs, n, sizeof runs[0], cmp_runs);
    return n;
}

/* Points the suites' environment at the started mocks. */
static void export_mock_env(mk_mock *mocks[MK_SERVICE_COUNT], const char *api_key)
{
    char url[1024];
    for (int i = 0; i < MK_SERVICE_COUNT; i++) {
        if (!mocks[i])
            continue;
        const char *name = mk_services[i].name;
        snprintf(url, sizeof url, "%s%s", mk_mock_url(mocks[i]), mk_mock_base_path(mocks[i]));
        if (strcmp(name, "pieces") == 0) {
            setenv("PIECES_URL", url, 1);
        } else if (strcmp(name, "bee") == 0) {
            setenv("BEE_API", mk_mock_url(mocks[i]), 1);
            setenv("BEE_API_KEY", api_key, 1);
        } else if (strcmp(name, "openai") == 0) {
            setenv("OPENAI_BASE_URL", url, 1);
            setenv("OPENAI_API_KEY", api_key, 1);
        } else if (strcmp(name, "cairos") == 0) {
            setenv("CAIROS_URL", url, 1);
            setenv("CAIROS_USER", "bob", 1);
            setenv("CAIROS_PASSWORD", "bobspassword", 1);
        }
    }
}

static const char *live_vars[MK_SERVICE_COUNT] = {"PIECES_URL", "BEE_API", "CAIROS_URL",
                                                  "OPENAI_BASE_URL"};

/* 1 if the environment names a live target for service s. */
static int live_configured(int s)
{
    const char *v = getenv(live_vars[s]);
    return v && *v;
}

/* POST scheme://host:port/__mockkit/reset for the live target of s: a
 * mockkit instance standing in for a live service keeps sequence state
 * between suites, which a real service would not. */
static int reset_live(int s)
{
    const char *url = getenv(live_vars[s]);
    const char *host = strstr(url, "://");
    const char *slash = host ? strchr(host + 3, '/') : NULL;
    char root[1024];
    snprintf(root, sizeof root, "%.*s", slash ? (int)(slash - url) : (int)strlen(url), url);
    mkc_http *h = mkc_http_new(root);
    mkc_response *resp = NULL;
    mkc_error err = {0};
    int rc = h ? mkc_http_request_ok(h, "POST", "/__mockkit/reset", NULL, NULL, NULL, 0, &resp, &err)
               : MKC_ENOMEM;
    if (rc != MKC_OK)
        fprintf(stderr, "mockkit check: --reset: %s\n", err.message[0] ? err.message : mkc_strerror(rc));
    mkc_response_free(resp);
    mkc_error_clear(&err);
    mkc_http_free(h);
    return rc;
}

static void add_test(suite_run *r, const char *name, test_result res)
{
    for (size_t i = 0; i < r->test_count; i++)
        if (strcmp(r->tests[i].name, name) == 0)
            return;  /* cmocka repeats failures in its summary */
    if (r->test_count >= MAX_TESTS)
        return;
    test_case *t = &r->tests[r->test_count++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->result = res;
    if (res == T_PASS)
        r->passed++;
    else if (res == T_FAIL)
        r->failed++;
    else
        r->skipped++;
}

/* Reads cmocka's standard output: "[       OK ] name", "[  FAILED  ] name",
 * "[  SKIPPED ] name" after a "[ RUN      ] name". */
static void parse_log(suite_run *r)
{
    FILE *f = fopen(r->log, "r");
    if (!f)
        return;
    char line[1024];
    char running[128] = "";
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        const char *tag_end = strstr(line, "] ");
        if (line[0] != '[' || !tag_end)
            continue;
        const char *name = tag_end + 2;
        if (starts_with(line, "[ RUN      ]")) {
            snprintf(running, sizeof running, "%s", name);
        } else if (running[0] && strcmp(name, running) == 0) {
            if (starts_with(line, "[       OK ]"))
                add_test(r, name, T_PASS);
            else if (starts_with(line, "[  SKIPPED ]"))
                add_test(r, name, T_SKIP);
            else if (starts_with(line, "[  FAILED  ]") || starts_with(line, "[  ERROR   ]"))
                add_test(r, name, T_FAIL);
            else
                continue;
            running[0] = '\0';
        }
    }
    fclose(f);
    /* A test that started and never reported crashed the suite. */
    if (running[0])
        add_test(r, running, T_FAIL);
}

/* Runs one suite with its output in r->log; bounded by SUITE_TIMEOUT_S. */
static int run_suite(const char *dir, const char *logdir, suite_run *r)
{
    char path[4400];
    snprintf(path, sizeof path, "%.4000s/%.255s", dir, r->name);
    snprintf(r->log, sizeof r->log, "%.3800s/%.255s.log", logdir, r->name);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, r->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    /* Suites must not inherit the blocked stop signals of the parent. */
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    char *args[] = {path, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, path, &fa, &attr, args, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        fprintf(stderr, "mockkit check: cannot run %s: %s\n", path, strerror(rc));
        return -1;
    }
    r->ran = 1;
    struct timespec step = {0, 20 * 1000 * 1000};
    int status = 0;
    for (long waited = 0;; waited += 20) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR)
            return -1;
        if (waited >= SUITE_TIMEOUT_S * 1000L) {
            fprintf(stderr, "mockkit check: %s ran past %d s, killed\n", r->name, SUITE_TIMEOUT_S);
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        nanosleep(&step, NULL);
    }
    r->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    parse_log(r);
    if (r->exit_status != 0 && r->failed == 0) {
        /* Crashed or failed outside any test (e.g. its group setup). */
        add_test(r, "(suite setup or teardown)", T_FAIL);
    }
    return 0;
}

static void print_tail(const char *path, int lines)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char buf[64][512];
    int n = 0;
    while (fgets(buf[n % 64], sizeof buf[0], f))
        n++;
    fclose(f);
    if (lines > 64)
        lines = 64;
    int start = n > lines ? n - lines : 0;
    for (int i = start; i < n; i++)
        fprintf(stdout, "    | %s", buf[i % 64]);
}

static void xml_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static int write_junit(const char *path, const suite_run *runs, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for (size_t i = 0; i < n; i++) {
        const suite_run *r = &runs[i];
        fprintf(f, "  <testsuite name=\"");
        xml_escape(f, r->name);
        fprintf(f, "\" tests=\"%zu\" failures=\"%d\" skipped=\"%d\">\n", r->test_count,
                r->failed, r->skipped);
        for (size_t t = 0; t < r->test_count; t++) {
            fprintf(f, "    <testcase classname=\"%s.", mk_services[r->service].name);
            xml_escape(f, r->name);
            fprintf(f, "\" name=\"");
            xml_escape(f, r->tests[t].name);
            fprintf(f, "\"");
            if (r->tests[t].result == T_PASS) {
                fprintf(f, "/>\n");
            } else if (r->tests[t].result == T_SKIP) {
                fprintf(f, "><skipped/></testcase>\n");
            } else {
                fprintf(f, "><failure message=\"failed; see ");
                xml_escape(f, r->log);
                fprintf(f, "\"/></testcase>\n");
            }
        }
        fprintf(f, "  </testsuite>\n");
    }
    fprintf(f, "</testsuites>\n");
    return fclose(f);
}

int mk_cmd_check(int argc, char **argv)
{
    if (mk_cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    mk_serve_plan plan;
    mk_serve_plan_init(&plan);
    plan.speed = 0;
    plan.quiet = 1;
    int live = 0, verbose = 0, named = 0, reset = 0, conform = 0;
    const char *junit = NULL, *suites_dir = NULL, *models = mk_lint_models_dir();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = (i + 1 < argc) ? argv[i + 1] : NULL;
        if (strcmp(a, "--target") == 0 && v) {
            if (strcmp(v, "live") != 0 && strcmp(v, "mock") != 0) {
                fprintf(stderr, "mockkit check: --target is mock or live, got '%s'\n", v);
                return 2;
            }
            live = strcmp(v, "live") == 0;
            i++;
        } else if (strcmp(a, "--fixtures") == 0 && v) {
            plan.fixtures = v;
            i++;
        } else if (strcmp(a, "--speed") == 0 && v) {
            plan.speed = atof(v);
            i++;
        } else if (strcmp(a, "--junit") == 0 && v) {
            junit = v;
            i++;
        } else if (strcmp(a, "--suites") == 0 && v) {
            suites_dir = v;
            i++;
        } else if (strcmp(a, "--cacert") == 0 && v) {
            /* The suites' clients read it (mkc_tls_from_env). */
            if (access(v, R_OK) != 0) {
                fprintf(stderr, "mockkit check: --cacert %s: %s\n", v, strerror(errno));
                return 2;
            }
            setenv("MOCKKIT_CACERT", v, 1);
            i++;
        } else if (strcmp(a, "--insecure") == 0) {
            setenv("MOCKKIT_INSECURE", "1", 1);
        } else if (strcmp(a, "--reset") == 0) {
            reset = 1;
        } else if (strcmp(a, "--verbose") == 0) {
            verbose = 1;
        } else if (strcmp(a, "--conform") == 0) {
            conform = 1;
        } else if (strcmp(a, "--models") == 0 && v) {
            models = v;
            i++;
        } else if (a[0] != '-' && mk_service_find(a) >= 0) {
            if (!named)
                memset(plan.selected, 0, sizeof plan.selected);
            named = 1;
            plan.selected[mk_service_find(a)] = 1;
        } else {
            fprintf(stderr, "mockkit check: unknown option or service '%s'\n\n", a);
            usage(stderr);
            return 2;
        }
    }

    char dir[4096];
    if (suites_dir)
        snprintf(dir, sizeof dir, "%s", suites_dir);
    else if (self_dir(dir, sizeof dir) != 0) {
        fprintf(stderr, "mockkit check: cannot find the suites (use --suites DIR)\n");
        return 2;
    }
    static suite_run runs[MAX_SUITES];
    size_t n = find_suites(dir, plan.selected, runs);
    if (n == 0 && !suites_dir) {
        /* An installed mockkit: the suites are in libexec, not beside it. */
        size_t len = strlen(dir);
        snprintf(dir + len, sizeof dir - len, "/%s", MOCKKIT_BIN_TO_SUITES);
        n = find_suites(dir, plan.selected, runs);
    }
    if (n == 0) {
        fprintf(stderr, "mockkit check: no suite-<service>-* executables in %s\n", dir);
        return 2;
    }

    mk_mock *mocks[MK_SERVICE_COUNT] = {0};
    if (!live) {
        for (int s = 0; s < MK_SERVICE_COUNT; s++)
            plan.port[s] = 0;
        int rc = mk_serve_start(&plan, named, mocks);
        if (rc != 0)
            return rc;
        export_mock_env(mocks, "sk-proj-testkey");
    }

    char logdir[] = "/tmp/mockkit-check-XXXXXX";
    if (!mkdtemp(logdir)) {
        fprintf(stderr, "mockkit check: cannot create a log folder: %s\n", strerror(errno));
        mk_serve_stop(mocks);
        return 2;
    }

    printf("mockkit check: %s target", live ? "live" : "mock");
    if (!live)
        printf(" (fixtures %s, speed %g)", plan.fixtures, plan.speed);
    printf("\n\n%-7s %-30s %5s %5s %5s %5s  %s\n", "service", "suite", "tests", "pass", "fail",
           "skip", "result");
    int any_failed = 0;
    for (size_t i = 0; i < n; i++) {
        suite_run *r = &runs[i];
        r->tests = calloc(MAX_TESTS, sizeof *r->tests);
        if (!r->tests) {
            mk_serve_stop(mocks);
            return 2;
        }
        const char *svc = mk_services[r->service].name;
        if (live && !live_configured(r->service)) {
            printf("%-7s %-30s %5s %5s %5s %5s  SKIP (no live target in the environment)\n", svc,
                   r->name, "-", "-", "-", "-");
            continue;
        }
        if (mocks[r->service])
            mk_mock_reset(mocks[r->service]);  /* every suite starts from a fresh mock */
        else if (live && reset && reset_live(r->service) != MKC_OK)
            any_failed = 1;
        mk_check_conform *cc = live && conform
                                   ? mk_check_conform_start(svc, live_vars[r->service], models, logdir)
                                   : NULL;
        if (live && conform && !cc)
            any_failed = 1;
        if (run_suite(dir, logdir, r) != 0) {
            mk_check_conform_finish(cc);
            any_failed = 1;
            continue;
        }
        /* The live service broke its model: a failed test of the suite. */
        if (cc && mk_check_conform_finish(cc) != 0)
            add_test(r, "conformance to models (docs/models.md)", T_FAIL);
        int ok = r->failed == 0 && r->exit_status == 0;
        any_failed |= !ok;
        printf("%-7s %-30s %5zu %5d %5d %5d  %s\n", svc, r->name, r->test_count, r->passed,
               r->failed, r->skipped, ok ? "PASS" : "FAIL");
        for (size_t t = 0; t < r->test_count; t++)
            if (r->tests[t].result == T_FAIL)
                printf("        failed: %s\n", r->tests[t].name);
        if (!ok || verbose) {
            printf("    output (%s):\n", r->log);
            print_tail(r->log, verbose ? 64 : 25);
        }
        fflush(stdout);
    }

    printf("\n%-7s %6s %6s %6s  %s\n", "service", "passed", "failed", "skipped", "result");
    int total[3] = {0, 0, 0};
    for (int s = 0; s < MK_SERVICE_COUNT; s++) {
        int p = 0, f = 0, k = 0, ran = 0, present = 0;
        for (size_t i = 0; i < n; i++) {
            if (runs[i].service != s)
                continue;
            present = 1;
            ran |= runs[i].ran;
            p += runs[i].passed;
            f += runs[i].failed;
            k += runs[i].skipped;
        }
        if (!present)
            continue;
        total[0] += p;
        total[1] += f;
        total[2] += k;
        printf("%-7s %6d %6d %7d  %s\n", mk_services[s].name, p, f, k,
               !ran ? "SKIP" : f ? "FAIL" : "PASS");
    }
    printf("\n%d passed, %d failed, %d skipped\n", total[0], total[1], total[2]);

    int rc = any_failed ? 1 : 0;
    int ran_any = 0;
    for (size_t i = 0; i < n; i++)
        ran_any |= runs[i].ran;
    if (!ran_any) {
        /* Nothing ran: a live run whose variables are missing must not
         * look like a green one. */
        fprintf(stderr, "mockkit check: no suite ran; for --target live set PIECES_URL, "
                        "BEE_API + BEE_API_KEY, OPENAI_BASE_URL + OPENAI_API_KEY or CAIROS_URL + "
                        "CAIROS_USER + CAIROS_PASSWORD\n");
        rc = 2;
    }
    if (junit && write_junit(junit, runs, n) != 0) {
        fprintf(stderr, "mockkit check: cannot write %s: %s\n", junit, strerror(errno));
        rc = 2;
    }
    for (size_t i = 0; i < n; i++)
        free(runs[i].tests);
    mk_serve_stop(mocks);
    return rc;
}
