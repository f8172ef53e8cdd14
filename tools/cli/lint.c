/* lint.c: `mockkit lint FILE|DIR...`: validate cassettes and scan them for
 * secrets, printing every problem (not only the first) as
 * "file:line:col: message" (not JSON) or "file: /pointer: message". */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "lint_model.h"
#include "opts.h"
#include "mockkit/cassette.h"
/* The cassette library's internal reporters list every problem; the
 * public API keeps only the first. */

typedef struct path_list {
    char **items;
    size_t count, cap;
} path_list;

static int list_add(path_list *l, const char *path)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        char **bigger = realloc(l->items, cap * sizeof *bigger);
        if (!bigger)
            return -1;
        l->items = bigger;
        l->cap = cap;
    }
    l->items[l->count] = strdup(path);
    if (!l->items[l->count])
        return -1;
    l->count++;
    return 0;
}

static void list_free(path_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Where problems go: printed as lines, or collected into a JSON array
 * (--json) so a tool reads file, line, column and pointer as fields. */
typedef struct lint_out {
    cJSON *problems;  /* NULL: print lines */
    int oom;
} lint_out;

/* One problem as a JSON object in out->problems. */
static void add_problem(lint_out *out, const char *file, int line, int column,
                        const char *pointer, const char *message)
{
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddStringToObject(o, "file", file) ||
        !cJSON_AddNumberToObject(o, "line", line) ||
        !cJSON_AddNumberToObject(o, "column", column) ||
        !cJSON_AddStringToObject(o, "pointer", pointer ? pointer : "") ||
        !cJSON_AddStringToObject(o, "message", message)) {
        cJSON_Delete(o);
        out->oom = 1;
        return;
    }
    cJSON_AddItemToArray(out->problems, o);
}

static void print_issue(void *ctx, const mk_diag *d)
{
    lint_out *out = ctx;
    if (!out->problems) {
        char line[1400];
        printf("%s\n", mk_diag_format(d, line, sizeof line));
        return;
    }
    add_problem(out, d->file, d->line, d->column, d->pointer, d->message);
}

/* A problem found against the service model (mk_lint_report). */
static void print_model_issue(void *ctx, const char *file, const char *pointer,
                              const char *message)
{
    lint_out *out = ctx;
    if (!out->problems) {
        if (pointer && *pointer)
            printf("%s: %s: %s\n", file, pointer, message);
        else
            printf("%s: %s\n", file, message);
        return;
    }
    add_problem(out, file, 0, 0, pointer, message);
}

/* Returns the number of problems, or -1 when the file cannot be read. A
 * valid cassette is then checked against its service's model: the one
 * --service names, else the one its folder is named after. */
static long lint_one(const char *path, const char *service, const char *models, lint_out *out)
{
    long n = mk_cassette_lint(path, print_issue, out);
    char buf[128];
    const char *svc = service ? service : mk_lint_service_for(path, models, buf, sizeof buf);
    if (n == 0)
        n = mk_lint_faults(path, print_model_issue, out);
    if (n != 0 || !svc)
        return n;
    return mk_lint_models(path, svc, models, print_model_issue, out);
}

/* A path that cannot be read, as a line or a JSON problem. */
static void unreadable_path(lint_out *out, const char *path, const char *why)
{
    if (!out->problems) {
        printf("%s: cannot read: %s\n", path, why);
        return;
    }
    mk_diag d;
    memset(&d, 0, sizeof d);
    snprintf(d.file, sizeof d.file, "%s", path);
    snprintf(d.message, sizeof d.message, "cannot read: %s", why);
    print_issue(out, &d);
}

/* Every *.json under dir (hidden entries skipped). Returns -1 when a
 * folder cannot be read (reported). */
static int collect(const char *dir, path_list *out, int depth, lint_out *lo)
{
    if (depth > 32) {
        fprintf(stderr, "%s: folders nested too deep\n", dir);
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d) {
        unreadable_path(lo, dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        int n = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (n < 0 || (size_t)n >= sizeof path)
            continue;
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (collect(path, out, depth + 1, lo) != 0)
                rc = -1;
        } else if (S_ISREG(st.st_mode) && ends_with(e->d_name, ".json")) {
            if (list_add(out, path) != 0)
                rc = -1;
        }
    }
    closedir(d);
    return rc;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: mockkit lint [--json] [--service NAME] [--models DIR] FILE|DIR...\n\n"
            "Validate cassettes (docs/cassette.md) and scan them for secrets. A folder\n"
            "means every *.json below it, in sorted order. A valid cassette is then\n"
            "checked against its service's model (docs/models.md): --service NAME, or\n"
            "the folder it is in (fixtures/bee/x.json: bee) when DIR/<folder>.json exists.\n"
            "DIR: --models, else $MOCKKIT_MODELS, else the kit's models/. Every problem is\n"
            "printed as\n"
            "  file:line:col: message      (not JSON)\n"
            "  file: /json/pointer: message (not a valid cassette, or a secret)\n"
            "  file: /interactions/N/...: interaction \"id\": /pointer: message [keyword; Type]\n"
            "                              (a payload that breaks the model or no binding covers)\n"
            "then a summary line. Exit status: 0 all valid (a folder with no *.json\n"
            "prints \"0 cassettes, 0 errors\"), 1 problems found, 2 usage error or\n"
            "unreadable path.\n"
            "  --json  print one JSON object instead: {\"cassettes\":N,\"errors\":N,\n"
            "          \"problems\":[{\"file\",\"line\",\"column\",\"pointer\",\"message\"}]}\n");
}

int mk_cmd_lint(int argc, char **argv)
{
    if (mk_cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    static const mk_opt table[] = {
        {"--json", NULL, 0}, {"--service", NULL, 1}, {"--models", NULL, 1}, {NULL, NULL, 0},
    };
    mk_opts p;
    mk_opts_init(&p, "lint", argc, argv);
    lint_out out = {0};
    int unreadable = 0, args = 0;
    path_list files = {0};
    const char *service = NULL, *models = mk_lint_models_dir();
    const char *arg;
    int k;
    while ((k = mk_opts_next(&p, table, &arg)) != MK_OPTS_END) {
        if (k == MK_OPTS_ERROR) {
            usage(stderr);
            list_free(&files);
            cJSON_Delete(out.problems);
            return 2;
        }
        if (k == 0) {
            if (!out.problems && !(out.problems = cJSON_CreateArray())) {
                list_free(&files);
                return 2;
            }
            continue;
        }
        if (k == 1 || k == 2) {
            *(k == 1 ? &service : &models) = arg;
            continue;
        }
        args++;
        struct stat st;
        if (stat(arg, &st) != 0) {
            unreadable_path(&out, arg, strerror(errno));
            unreadable = 1;
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            path_list found = {0};
            if (collect(arg, &found, 0, &out) != 0)
                unreadable = 1;
            if (found.count > 1) /* qsort(NULL, 0, ...) is undefined */
                qsort(found.items, found.count, sizeof *found.items, cmp_str);
            for (size_t i = 0; i < found.count; i++)
                if (list_add(&files, found.items[i]) != 0)
                    unreadable = 1;
            list_free(&found);
        } else if (list_add(&files, arg) != 0) {
            unreadable = 1;
        }
    }
    if (args == 0) {
        mk_opts_fail(&p, "no cassette or folder given");
        usage(stderr);
        list_free(&files);
        cJSON_Delete(out.problems);
        return 2;
    }
    if (service) {
        char model[1200];
        snprintf(model, sizeof model, "%s/%s.json", models, service);
        FILE *f = fopen(model, "r");
        if (!f) {
            mk_opts_fail(&p, "no model for service '%s' (%s)", service, model);
            list_free(&files);
            cJSON_Delete(out.problems);
            return 2;
        }
        fclose(f);
    }
    size_t errors = 0;
    for (size_t i = 0; i < files.count; i++) {
        long n = lint_one(files.items[i], service, models, &out);
        if (n < 0)
            unreadable = 1;
        else
            errors += (size_t)n;
    }
    if (out.problems) {
        cJSON *o = cJSON_CreateObject();
        char *text = NULL;
        if (o && cJSON_AddNumberToObject(o, "cassettes", (double)files.count) &&
            cJSON_AddNumberToObject(o, "errors", (double)errors) &&
            cJSON_AddBoolToObject(o, "unreadable", unreadable)) {
            cJSON_AddItemToObject(o, "problems", out.problems);
            out.problems = NULL;
            text = out.oom ? NULL : cJSON_PrintUnformatted(o);
        }
        if (text)
            printf("%s\n", text);
        else
            fprintf(stderr, "mockkit lint: out of memory\n");
        unreadable |= text == NULL;
        cJSON_free(text);
        cJSON_Delete(o);
        cJSON_Delete(out.problems);
    } else {
        printf("%zu cassette%s, %zu error%s\n", files.count, files.count == 1 ? "" : "s", errors,
               errors == 1 ? "" : "s");
    }
    list_free(&files);
    mk_lint_models_done();
    if (unreadable)
        return 2;
    return errors ? 1 : 0;
}
