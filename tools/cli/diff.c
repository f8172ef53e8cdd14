/* diff.c: `mockkit diff A.json B.json`: structural drift between two
 * cassettes. Exit 0 compatible, 1 drift, 2 error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diff.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: mockkit diff A.json B.json [--ignore POINTER_OR_KEY]...\n"
            "                    [--timing-threshold PCT] [--no-default-ignores]\n\n"
            "Compares two cassettes of the same flow: endpoints (ids in paths become {id}),\n"
            "statuses, JSON response fields (added, removed, type changed; values of\n"
            "object/type/status/role/finish_reason/code), SSE event order, websocket\n"
            "message kinds, and timing beyond PCT (default 50%%, 50 ms at least).\n"
            "Ids, timestamps and generated text are never compared as values.\n"
            "  --ignore   a JSON pointer (/usage, /choices/[]/logprobs) or a key name\n"
            "exit: 0 compatible, 1 drift, 2 error\n");
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
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--ignore") == 0 || strcmp(a, "--timing-threshold") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "mockkit diff: %s needs a value\n", a);
                goto out;
            }
            const char *v = argv[++i];
            if (a[2] == 'i') {
                ignore[o.ignore_count++] = v;
            } else {
                char *end;
                o.timing_threshold_pct = strtod(v, &end);
                if (*end == '%')
                    end++;
                if (*end || o.timing_threshold_pct <= 0) {
                    fprintf(stderr, "mockkit diff: --timing-threshold '%s' is not a percentage\n", v);
                    goto out;
                }
            }
        } else if (strcmp(a, "--no-default-ignores") == 0) {
            o.no_default_ignores = 1;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "mockkit diff: unknown option '%s'\n", a);
            usage(stderr);
            goto out;
        } else if (nfiles < 2) {
            files[nfiles++] = a;
        } else {
            fprintf(stderr, "mockkit diff: expected two cassettes, got more\n");
            goto out;
        }
    }
    if (nfiles != 2) {
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
        for (int k = 0; k < MK_DIFF_KIND_COUNT_; k++)
            if (per_kind[k]) {
                printf("%s%zu %s", first ? "" : ", ", per_kind[k],
                       mk_diff_kind_name((mk_diff_kind)k));
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
