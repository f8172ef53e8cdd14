/* diff.c: `mockkit diff A.json B.json`: structural drift between two
 * cassettes. Exit 0 compatible, 1 drift, 2 error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "opts.h"
#include "mockkit/diff.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: mockkit diff A.json B.json [--ignore POINTER_OR_KEY]...\n"
            "                    [--timing-threshold PCT] [--no-default-ignores] [--json]\n\n"
            "Compares two cassettes of the same flow: endpoints (ids in paths become {id}),\n"
            "statuses, JSON response fields (added, removed, type changed; values of\n"
            "object/type/status/role/finish_reason/code), SSE event order, websocket\n"
            "message kinds, and timing beyond PCT (default 50%%, 50 ms at least).\n"
            "Ids, timestamps and generated text are never compared as values.\n"
            "  --ignore   a JSON pointer (/usage, /choices/[]/logprobs) or a key name\n"
            "  --json     one JSON object: {\"compatible\",\"endpoints_a\",\"endpoints_b\",\n"
            "             \"findings\":[{\"kind\",\"endpoint\",\"where\",\"message\"}]}\n"
            "exit: 0 compatible, 1 drift, 2 error\n");
}

/* The findings as one JSON object; 0 compatible, 1 drift, 2 out of memory. */
static int print_json(const mk_diff_result *res)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(o, "findings");
    int ok = o && list && cJSON_AddBoolToObject(o, "compatible", res->count == 0) &&
             cJSON_AddNumberToObject(o, "endpoints_a", (double)res->endpoints_a) &&
             cJSON_AddNumberToObject(o, "endpoints_b", (double)res->endpoints_b);
    for (size_t i = 0; ok && i < res->count; i++) {
        const mk_diff_finding *f = &res->items[i];
        cJSON *item = cJSON_CreateObject();
        ok = item && cJSON_AddStringToObject(item, "kind", mk_diff_kind_name(f->kind)) &&
             cJSON_AddStringToObject(item, "endpoint", f->endpoint) &&
             cJSON_AddStringToObject(item, "where", f->where) &&
             cJSON_AddStringToObject(item, "message", f->message);
        if (item && !ok)
            cJSON_Delete(item);
        else if (item)
            cJSON_AddItemToArray(list, item);
    }
    char *text = ok ? cJSON_PrintUnformatted(o) : NULL;
    if (text)
        printf("%s\n", text);
    else
        fprintf(stderr, "mockkit diff: out of memory\n");
    cJSON_free(text);
    cJSON_Delete(o);
    return !text ? 2 : res->count ? 1 : 0;
}

int mk_cmd_diff(int argc, char **argv)
{
    if (mk_cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    mk_diff_options o;
    mk_diff_options_init(&o);
    const char **ignore = calloc((size_t)argc, sizeof *ignore);
    const char *files[2] = {NULL, NULL};
    int nfiles = 0, status = 2;
    if (!ignore)
        return 2;
    static const mk_opt table[] = {
        {"--ignore", NULL, 1}, {"--timing-threshold", NULL, 1}, {"--no-default-ignores", NULL, 0},
        {"--json", NULL, 0},   {NULL, NULL, 0},
    };
    mk_opts p;
    mk_opts_init(&p, "diff", argc, argv);
    int json = 0, k;
    const char *v;
    while ((k = mk_opts_next(&p, table, &v)) != MK_OPTS_END) {
        if (k == MK_OPTS_ERROR) {
            usage(stderr);
            goto out;
        }
        if (k == MK_OPTS_ARG) {
            if (nfiles == 2) {
                mk_opts_fail(&p, "expected two cassettes, got more ('%s')", v);
                goto out;
            }
            files[nfiles++] = v;
            continue;
        }
        const char *a = table[k].name;
        if (strcmp(a, "--ignore") == 0) {
            ignore[o.ignore_count++] = v;
        } else if (strcmp(a, "--timing-threshold") == 0) {
            char *end;
            o.timing_threshold_pct = strtod(v, &end);
            if (*end == '%')
                end++;
            if (end == v || *end || o.timing_threshold_pct <= 0) {
                mk_opts_fail(&p, "--timing-threshold '%s' is not a percentage", v);
                goto out;
            }
        } else if (strcmp(a, "--no-default-ignores") == 0) {
            o.no_default_ignores = 1;
        } else {
            json = 1;
        }
    }
    if (nfiles != 2) {
        mk_opts_fail(&p, "expected two cassettes, got %d", nfiles);
        usage(stderr);
        goto out;
    }
    o.ignore = ignore;
    mk_diff_result *res = NULL;
    mk_diag d;
    memset(&d, 0, sizeof d);
    int rc = mk_diff_files(files[0], files[1], &o, &res, &d);
    if (rc != MK_CASSETTE_OK) {
        char msg[1200];
        fprintf(stderr, "mockkit diff: %s\n", d.message[0] ? mk_diag_format(&d, msg, sizeof msg)
                                                          : mk_cassette_strerror(rc));
        goto out;
    }
    if (json) {
        status = print_json(res);
        mk_diff_result_free(res);
        goto out;
    }
    size_t per_kind[MK_DIFF_KIND_COUNT_] = {0};
    for (size_t i = 0; i < res->count; i++) {
        char line[1400];
        printf("%s\n", mk_diff_format(&res->items[i], line, sizeof line));
        per_kind[res->items[i].kind]++;
    }
    if (res->count == 0) {
        printf("compatible: %zu endpoints in A, %zu in B, no drift\n", res->endpoints_a,
               res->endpoints_b);
        status = 0;
    } else {
        printf("drift: %zu finding%s (", res->count, res->count == 1 ? "" : "s");
        int first = 1;
        for (int kind = 0; kind < MK_DIFF_KIND_COUNT_; kind++)
            if (per_kind[kind]) {
                printf("%s%zu %s", first ? "" : ", ", per_kind[kind],
                       mk_diff_kind_name((mk_diff_kind)kind));
                first = 0;
            }
        printf(") across %zu endpoints in A, %zu in B\n", res->endpoints_a, res->endpoints_b);
        status = 1;
    }
    mk_diff_result_free(res);
out:
    free(ignore);
    return status;
}
