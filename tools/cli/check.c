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

#include <cjson/cJSON.h>

#include "check_conform.h"
#include "cli.h"
#include "lint_model.h"
#include "opts.h"
#include "mockkit/client.h"
#include "check.h"
#include "services.h"

extern char **environ;

#define SUITE_TIMEOUT_S 300
#define MAX_SUITES 128

/* "PIECES_URL, BEE_API + BEE_API_KEY, ..." from the service table, with
 * sep between services. */
static const char *live_vars(const char *sep, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < MK_SERVICE_COUNT && n < size; i++) {
        const mk_service_info *s = &mk_service_table[i];
        int w = snprintf(buf + n, size - n, "%s%s%s%s%s%s%s%s", i ? sep : "", s->url_var,
                         s->key_var ? " + " : "", s->key_var ? s->key_var : "",
                         s->user_var ? " + " : "", s->user_var ? s->user_var : "",
                         s->password_var ? " + " : "", s->password_var ? s->password_var : "");
        if (w < 0)
            break;
        n += (size_t)w;
    }
    return buf;
}

static void usage(FILE *out)
{
    char vars[512];
    fprintf(out,
            "usage: mockkit check [options] [SERVICE...]\n"
            "Runs the compatibility suites (bin/suite-<service>-*) and prints a table per\n"
            "service. Exit status: 0 all passed, 1 a test failed, 2 error.\n\n"
            "  --target mock|live  mock (default): start the mocks from the fixtures on free\n"
            "                      ports and point the suites at them; live: use the services\n"
            "                      the environment names (%s);\n"
            "                      a service not named is skipped\n"
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
            "  --verbose           print every suite's output\n"
            "  --json              print the results as one JSON object on stdout (the table\n"
            "                      goes to stderr)\n\n"
            "With --target live each service is checked first (reachable, key set and\n"
            "accepted, base path right); a problem names the variable to fix and nothing\n"
            "runs (exit 2). A suite that never reached the live target counts as skipped.\n",
            live_vars(",\n                      ", vars, sizeof vars));
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
            snprintf(prefix, sizeof prefix, "suite-%s-", mk_service_table[s].name);
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

static void set_env(void *ctx, const char *name, const char *value)
{
    (void)ctx;
    setenv(name, value, 1);
}

/* Points the suites' environment at the started mocks (the variables of
 * each service's row, mockkit/service.h). */
static void export_mock_env(mk_mock *mocks[MK_SERVICE_COUNT], const char *api_key)
{
    for (int i = 0; i < MK_SERVICE_COUNT; i++)
        if (mocks[i])
            mk_service_env(&mk_service_table[i], mk_mock_url(mocks[i]), api_key, NULL, NULL,
                           set_env, NULL);
}

/* 1 if the environment names a live target for service s. */
static int live_configured(int s)
{
    const char *v = getenv(mk_check_live_var(s));
    return v && *v;
}

/* POST scheme://host:port/__mockkit/reset for the live target of s: a
 * mockkit instance standing in for a live service keeps sequence state
 * between suites, which a real service would not. */
static int reset_live(int s)
{
    const char *url = getenv(mk_check_live_var(s));
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

static void print_tail(FILE *out, const char *path, int lines)
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
        fprintf(out, "    | %s", buf[i % 64]);
}

static void xml_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            /* XML 1.0 has no place for other control characters */
            fputc((unsigned char)*s < 0x20 && !strchr("\t\n\r", *s) ? '?' : *s, f);
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
        fprintf(f, "\" tests=\"%zu\" failures=\"%d\" skipped=\"%d\" time=\"%.3f\">\n",
                r->test_count, r->failed, r->skipped, r->seconds);
        for (size_t k = 0; k < r->test_count; k++) {
            const test_case *t = &r->tests[k];
            fprintf(f, "    <testcase classname=\"%s.", mk_service_table[r->service].name);
            xml_escape(f, r->name);
            fprintf(f, "\" name=\"");
            xml_escape(f, t->name);
            fprintf(f, "\" time=\"%.3f\"", t->seconds);
            if (t->result == T_PASS) {
                fprintf(f, "/>\n");
            } else if (t->result == T_SKIP) {
                fprintf(f, "><skipped message=\"");
                xml_escape(f, t->reason);
                fprintf(f, "\"/></testcase>\n");
            } else {
                fprintf(f, "><failure message=\"");
                xml_escape(f, t->message[0] ? t->message : "failed (no assertion message)");
                fprintf(f, "\" type=\"assertion\">");
                xml_escape(f, t->message);
                fprintf(f, "\nat ");
                xml_escape(f, t->location[0] ? t->location : "(unknown location)");
                fprintf(f, "</failure></testcase>\n");
            }
        }
        fprintf(f, "  </testsuite>\n");
    }
    fprintf(f, "</testsuites>\n");
    return fclose(f);
}

static const char *result_name(test_result r)
{
    return r == T_PASS ? "pass" : r == T_FAIL ? "fail" : "skip";
}

/* The results as one JSON object on stdout, for tools. */
static int print_json(int live, const suite_run *runs, size_t n)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *suites = cJSON_AddArrayToObject(o, "suites");
    int ok = suites && cJSON_AddStringToObject(o, "target", live ? "live" : "mock");
    int total[3] = {0, 0, 0};
    for (size_t i = 0; ok && i < n; i++) {
        const suite_run *r = &runs[i];
        total[0] += r->passed;
        total[1] += r->failed;
        total[2] += r->skipped;
        cJSON *s = cJSON_CreateObject();
        cJSON *tests = cJSON_AddArrayToObject(s, "tests");
        ok = s && tests && cJSON_AddStringToObject(s, "suite", r->name) &&
             cJSON_AddStringToObject(s, "service", mk_service_table[r->service].name) &&
             cJSON_AddStringToObject(s, "result", !r->ran ? "skip"
                                                  : r->failed || r->exit_status ? "fail"
                                                                                : "pass");
        for (size_t t = 0; ok && t < r->test_count; t++) {
            const test_case *tc = &r->tests[t];
            cJSON *to = cJSON_CreateObject();
            ok = to && cJSON_AddStringToObject(to, "name", tc->name) &&
                 cJSON_AddStringToObject(to, "result", result_name(tc->result)) &&
                 cJSON_AddNumberToObject(to, "time", tc->seconds);
            if (ok && tc->result == T_FAIL)
                ok = cJSON_AddStringToObject(to, "message", tc->message) &&
                     cJSON_AddStringToObject(to, "location", tc->location);
            if (ok && tc->result == T_SKIP)
                ok = cJSON_AddStringToObject(to, "reason", tc->reason) != NULL;
            if (to)
                cJSON_AddItemToArray(tests, to);
        }
        if (s)
            cJSON_AddItemToArray(suites, s);
    }
    ok = ok && cJSON_AddNumberToObject(o, "passed", total[0]) &&
         cJSON_AddNumberToObject(o, "failed", total[1]) &&
         cJSON_AddNumberToObject(o, "skipped", total[2]);
    char *text = ok ? cJSON_PrintUnformatted(o) : NULL;
    if (text)
        printf("%s\n", text);
    cJSON_free(text);
    cJSON_Delete(o);
    return text ? 0 : -1;
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
    int live = 0, verbose = 0, named = 0, reset = 0, json = 0, conform = 0;
    const char *junit = NULL, *suites_dir = NULL, *models = mk_lint_models_dir();
    static const mk_opt table[] = {
        {"--target", NULL, 1}, {"--fixtures", NULL, 1}, {"--speed", NULL, 1},
        {"--junit", NULL, 1},  {"--suites", NULL, 1},   {"--reset", NULL, 0},
        {"--verbose", NULL, 0}, {"--json", NULL, 0},    {"--conform", NULL, 0},
        {"--models", NULL, 1},  {"--cacert", NULL, 1},  {"--insecure", NULL, 0},
        {NULL, NULL, 0},
    };
    mk_opts p;
    mk_opts_init(&p, "check", argc, argv);
    const char *v;
    int k;
    while ((k = mk_opts_next(&p, table, &v)) != MK_OPTS_END) {
        if (k == MK_OPTS_ERROR) {
            usage(stderr);
            return 2;
        }
        if (k == MK_OPTS_ARG) {
            int s = mk_service_index(v);
            if (s < 0) {
                {
                    char names[128];
                    mk_opts_fail(&p, "unknown service '%s' (%s)", v,
                                 mk_service_names(names, sizeof names));
                }
                usage(stderr);
                return 2;
            }
            if (!named)
                memset(plan.selected, 0, sizeof plan.selected);
            named = 1;
            plan.selected[s] = 1;
            continue;
        }
        const char *a = table[k].name;
        if (strcmp(a, "--target") == 0) {
            if (strcmp(v, "live") != 0 && strcmp(v, "mock") != 0) {
                mk_opts_fail(&p, "--target is mock or live, got '%s'", v);
                return 2;
            }
            live = strcmp(v, "live") == 0;
        } else if (strcmp(a, "--fixtures") == 0) {
            plan.fixtures = v;
        } else if (strcmp(a, "--speed") == 0) {
            char *end;
            plan.speed = strtod(v, &end);
            if (end == v || *end || plan.speed < 0) {
                mk_opts_fail(&p, "--speed wants a number >= 0, got '%s'", v);
                return 2;
            }
        } else if (strcmp(a, "--junit") == 0) {
            junit = v;
        } else if (strcmp(a, "--suites") == 0) {
            suites_dir = v;
        } else if (strcmp(a, "--cacert") == 0) {
            /* The suites' clients read it (mkc_tls_from_env). */
            if (access(v, R_OK) != 0) {
                mk_opts_fail(&p, "--cacert %s: %s", v, strerror(errno));
                return 2;
            }
            setenv("MOCKKIT_CACERT", v, 1);
        } else if (strcmp(a, "--insecure") == 0) {
            setenv("MOCKKIT_INSECURE", "1", 1);
        } else if (strcmp(a, "--reset") == 0) {
            reset = 1;
        } else if (strcmp(a, "--verbose") == 0) {
            verbose = 1;
        } else if (strcmp(a, "--conform") == 0) {
            conform = 1;
        } else if (strcmp(a, "--models") == 0) {
            models = v;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        }
    }

    if (live) {
        cJSON *problems = json ? cJSON_CreateArray() : NULL;
        if (mk_check_preflight(plan.selected, named, problems) > 0) {
            fprintf(stderr, "mockkit check: no suite was run; fix the variables above and retry\n");
            if (json) {
                /* tools read why nothing ran: {"target","ran":false,"preflight":[...]} */
                cJSON *o = cJSON_CreateObject();
                char *text = NULL;
                if (o && cJSON_AddStringToObject(o, "target", "live") &&
                    cJSON_AddBoolToObject(o, "ran", 0)) {
                    cJSON_AddItemToObject(o, "preflight", problems);
                    problems = NULL;
                    text = cJSON_PrintUnformatted(o);
                }
                if (text)
                    printf("%s\n", text);
                cJSON_free(text);
                cJSON_Delete(o);
            }
            cJSON_Delete(problems);
            return 2;
        }
        cJSON_Delete(problems);
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
        export_mock_env(mocks, NULL);  /* the mocks' default keys */
    }

    /* Suite logs live only while this command runs. */
    const char *tmp = getenv("TMPDIR");
    char logdir[4096];
    snprintf(logdir, sizeof logdir, "%.4000s/mockkit-check-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(logdir)) {
        fprintf(stderr, "mockkit check: cannot create a log folder: %s\n", strerror(errno));
        mk_serve_stop(mocks);
        return 2;
    }

    /* With --json the table goes to stderr and stdout holds only JSON. */
    FILE *tbl = json ? stderr : stdout;
    fprintf(tbl, "mockkit check: %s target", live ? "live" : "mock");
    if (!live)
        fprintf(tbl, " (fixtures %s, speed %g)", plan.fixtures, plan.speed);
    fprintf(tbl, "\n\n%-7s %-30s %5s %5s %5s %5s  %s\n", "service", "suite", "tests", "pass", "fail",
           "skip", "result");
    int any_failed = 0;
    for (size_t i = 0; i < n; i++) {
        suite_run *r = &runs[i];
        const char *svc = mk_service_table[r->service].name;
        if (live && !live_configured(r->service)) {
            fprintf(tbl, "%-7s %-30s %5s %5s %5s %5s  SKIP (no live target in the environment)\n", svc,
                   r->name, "-", "-", "-", "-");
            continue;
        }
        if (mocks[r->service])
            mk_mock_reset(mocks[r->service]);  /* every suite starts from a fresh mock */
        else if (live && reset && reset_live(r->service) != MKC_OK)
            any_failed = 1;
        mk_check_conform *cc =
            live && conform
                ? mk_check_conform_start(svc, mk_check_live_var(r->service), models, logdir)
                : NULL;
        if (live && conform && !cc)
            any_failed = 1;
        if (mk_check_run_suite(dir, logdir, r, SUITE_TIMEOUT_S) != 0) {
            mk_check_conform_finish(cc, tbl, NULL, 0);
            any_failed = 1;
            continue;
        }
        if (live)
            mk_check_demote_fixture_only(r);
        /* The live service broke its model: a failed test of the suite. */
        char broke[512];
        if (cc && mk_check_conform_finish(cc, tbl, broke, sizeof broke) != 0)
            mk_check_add_failure(r, "conformance to models (docs/models.md)", broke);
        int ok = r->failed == 0 && r->exit_status == 0;
        any_failed |= !ok;
        fprintf(tbl, "%-7s %-30s %5zu %5d %5d %5d  %s\n", svc, r->name, r->test_count, r->passed,
               r->failed, r->skipped, !ok ? "FAIL" : r->passed || !r->skipped ? "PASS" : "SKIP");
        int unexplained = 0;
        /* A suite skipped as a whole for one reason says it once. */
        int one_reason = r->skipped > 1 && r->skipped == (int)r->test_count;
        for (size_t t = 1; one_reason && t < r->test_count; t++)
            one_reason = strcmp(r->tests[t].reason, r->tests[0].reason) == 0;
        if (one_reason)
            fprintf(tbl, "        skipped: all %d tests: %s\n", r->skipped, r->tests[0].reason);
        for (size_t t = 0; t < r->test_count; t++) {
            const test_case *tc = &r->tests[t];
            if (tc->result == T_FAIL) {
                fprintf(tbl, "        failed: %s: %s%s%s%s\n", tc->name,
                        tc->message[0] ? tc->message : "(no assertion message)",
                        tc->location[0] ? " (" : "", tc->location, tc->location[0] ? ")" : "");
                unexplained |= !tc->message[0];
            } else if (tc->result == T_SKIP && !one_reason) {
                fprintf(tbl, "        skipped: %s: %s\n", tc->name, tc->reason);
            }
        }
        if (unexplained || verbose) {
            fprintf(tbl, "    output:\n");
            print_tail(tbl, r->log, verbose ? 64 : 25);
        }
        fflush(tbl);
    }

    fprintf(tbl, "\n%-7s %6s %6s %6s  %s\n", "service", "passed", "failed", "skipped", "result");
    int total[3] = {0, 0, 0};
    for (int s = 0; s < MK_SERVICE_COUNT; s++) {
        int passed = 0, failed = 0, skipped = 0, ran = 0, present = 0;
        for (size_t i = 0; i < n; i++) {
            if (runs[i].service != s)
                continue;
            present = 1;
            ran |= runs[i].ran;
            passed += runs[i].passed;
            failed += runs[i].failed;
            skipped += runs[i].skipped;
        }
        if (!present)
            continue;
        total[0] += passed;
        total[1] += failed;
        total[2] += skipped;
        fprintf(tbl, "%-7s %6d %6d %7d  %s\n", mk_service_table[s].name, passed, failed, skipped,
               !ran ? "SKIP" : failed ? "FAIL" : passed ? "PASS" : "SKIP");
    }
    fprintf(tbl, "\n%d passed, %d failed, %d skipped\n", total[0], total[1], total[2]);

    int rc = any_failed ? 1 : 0;
    int ran_any = 0;
    for (size_t i = 0; i < n; i++)
        ran_any |= runs[i].ran;
    if (!ran_any) {
        /* Nothing ran: a live run whose variables are missing must not
         * look like a green one. */
        char vars[512];
        fprintf(stderr, "mockkit check: no suite ran; for --target live set one of: %s\n",
                live_vars(", ", vars, sizeof vars));
        rc = 2;
    }
    if (ran_any && live && total[0] == 0 && total[1] == 0) {
        /* Everything skipped or read fixtures only: not a green live run. */
        fprintf(stderr, "mockkit check: no test checked a live service\n");
        rc = 2;
    }
    if (json && print_json(live, runs, n) != 0)
        rc = 2;
    if (junit && write_junit(junit, runs, n) != 0) {
        fprintf(stderr, "mockkit check: cannot write %s: %s\n", junit, strerror(errno));
        rc = 2;
    }
    for (size_t i = 0; i < n; i++) {
        if (runs[i].ran)
            remove(runs[i].log);
        free(runs[i].tests);
    }
    if (rmdir(logdir) != 0)
        fprintf(stderr, "mockkit check: could not remove %s: %s\n", logdir, strerror(errno));
    mk_serve_stop(mocks);
    return rc;
}
