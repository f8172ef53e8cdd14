/* record.c: `mockkit record`: run the recording proxy until SIGINT/SIGTERM,
 * then write the cassette (or report why it was refused). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include "cli.h"
#include "mockkit/client.h"
#include "opts.h"
#include "mockkit/record.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: mockkit record --upstream URL --out CASSETTE [--listen ADDR:PORT]\n"
            "                      [--mode none|once|new|all] [--service NAME]\n"
            "                      [--redact-header NAME]... [--redact-field NAME]...\n"
            "                      [--redact-pattern REGEX]...\n"
            "                      [--idle-timeout MS] [--cacert FILE] [--insecure]\n"
            "                      [--fault SPEC]... [--seed N]\n\n"
            "Forwards every request to URL, answers the client as the upstream does, and\n"
            "writes what passed (redacted) to CASSETTE on Ctrl-C / SIGTERM.\n"
            "  --listen   where to listen (default 127.0.0.1:0, the URL is printed)\n"
            "  --mode     once: record if CASSETTE is missing, else replay it (default)\n"
            "             none: replay only; new: replay matches, record the rest and\n"
            "             append it; all: record everything, replacing CASSETTE\n"
            "  --service  meta.service of the cassette (default generic)\n"
            "  --idle-timeout  give up on an upstream silent this long (502 or a cut\n"
            "             stream; default: wait)\n"
            "  --cacert   https/wss upstream: trust the CAs in FILE (PEM) instead of the\n"
            "             system store (default: $MOCKKIT_CACERT)\n"
            "  --insecure https/wss upstream: accept any certificate (or MOCKKIT_INSECURE=1)\n"
            "  --fault    a fault on the answers to the client (status, latency, empty,\n"
            "             garbage, cut, badchunk; docs/faults.md), e.g.\n"
            "             'POST /v1/chat/completions:cut=event:2,rst'; a faulted exchange is\n"
            "             not recorded. --seed N: the faults' PRNG (default 0)\n"
            "  --redact-header, --redact-field  redact more than the defaults\n"
            "             (Authorization, cookies, api-key, x-api-key, X-*-Token headers;\n"
            "             password, token, secret, api_key ... fields, which also name\n"
            "             the query parameters redacted, with key, sig, signature).\n"
            "             A header name may hold '*'.\n"
            "  --redact-pattern  POSIX extended regex: every match in a header, query\n"
            "             value, body or stream chunk becomes <REDACTED:pattern>\n"
            "If the secret scan still finds a secret, CASSETTE is not written and the\n"
            "session is kept in CASSETTE.rejected.json (mode 0600) with the findings.\n");
}

int mk_cmd_record(int argc, char **argv)
{
    if (mk_cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    mk_record_options o;
    mk_record_options_init(&o);
    /* As every client here: MOCKKIT_CACERT / MOCKKIT_INSECURE unless given. */
    mkc_tls env;
    mkc_tls_from_env(&env);
    o.cacert = env.cacert;
    o.insecure = env.insecure;
    const char **headers = calloc((size_t)argc, sizeof *headers);
    const char **fields = calloc((size_t)argc, sizeof *fields);
    const char **patterns = calloc((size_t)argc, sizeof *patterns);
    const char **faults = calloc((size_t)argc, sizeof *faults);
    int status = 2;
    if (!headers || !fields || !patterns || !faults)
        goto out;
    static const mk_opt table[] = {
        {"--upstream", NULL, 1}, {"--out", NULL, 1},           {"--listen", NULL, 1},
        {"--service", NULL, 1},  {"--mode", NULL, 1},          {"--idle-timeout", NULL, 1},
        {"--redact-header", NULL, 1}, {"--redact-field", NULL, 1}, {"--redact-pattern", NULL, 1},
        {"--cacert", NULL, 1},   {"--insecure", NULL, 0},
        {"--fault", NULL, 1},    {"--seed", NULL, 1},
        {NULL, NULL, 0},
    };
    mk_opts p;
    mk_opts_init(&p, "record", argc, argv);
    const char *v;
    int k;
    while ((k = mk_opts_next(&p, table, &v)) != MK_OPTS_END) {
        if (k == MK_OPTS_ERROR)
            goto usage_error;
        if (k == MK_OPTS_ARG) {
            mk_opts_fail(&p, "unexpected argument '%s'", v);
            goto usage_error;
        }
        const char *name = table[k].name;
        if (strcmp(name, "--upstream") == 0) {
            o.upstream = v;
        } else if (strcmp(name, "--out") == 0) {
            o.out = v;
        } else if (strcmp(name, "--cacert") == 0) {
            o.cacert = v;
        } else if (strcmp(name, "--insecure") == 0) {
            o.insecure = 1;
        } else if (strcmp(name, "--listen") == 0) {
            o.listen = v;
        } else if (strcmp(name, "--service") == 0) {
            o.service = v;
        } else if (strcmp(name, "--mode") == 0) {
            int m = mk_record_mode_parse(v);
            if (m < 0) {
                mk_opts_fail(&p, "unknown mode '%s' (none, once, new, all)", v);
                goto out;
            }
            o.mode = (mk_record_mode)m;
        } else if (strcmp(name, "--idle-timeout") == 0) {
            if (mk_opts_long(v, &o.idle_timeout_ms) != 0) {
                mk_opts_fail(&p, "--idle-timeout '%s' is not milliseconds", v);
                goto out;
            }
        } else if (strcmp(name, "--redact-header") == 0) {
            headers[o.redact_header_count++] = v;
        } else if (strcmp(name, "--redact-field") == 0) {
            fields[o.redact_field_count++] = v;
        } else if (strcmp(name, "--redact-pattern") == 0) {
            patterns[o.redact_pattern_count++] = v;
        } else if (strcmp(name, "--fault") == 0) {
            faults[o.fault_count++] = v;
        } else if (strcmp(name, "--seed") == 0) {
            long seed;
            if (mk_opts_long(v, &seed) != 0) {
                mk_opts_fail(&p, "--seed '%s' is not a whole number >= 0", v);
                goto out;
            }
            o.seed = (unsigned long long)seed;
        }
    }
    o.redact_headers = headers;
    o.redact_fields = fields;
    o.redact_patterns = patterns;
    o.faults = faults;
    if (!o.out || (!o.upstream && o.mode != MK_RECORD_MODE_NONE && o.mode != MK_RECORD_MODE_ONCE)) {
        mk_opts_fail(&p, "--out and --upstream are required");
        goto usage_error;
    }
    if (o.upstream && mk_opts_url(&p, o.upstream, "http https") != 0)
        goto out;

    /* Signals are taken by sigwait below, so every server thread must have
     * them blocked: block before starting anything. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    mk_record *r = NULL;
    mk_diag d;
    int rc = mk_record_new(&o, &r, &d);
    if (rc != MK_RECORD_OK) {
        char msg[1200];
        fprintf(stderr, "mockkit record: %s: %s\n", mk_record_strerror(rc),
                mk_diag_format(&d, msg, sizeof msg));
        goto out;
    }
    if (mk_record_replaying(r))
        printf("replaying %s on %s (mode %s; --mode all re-records)\n", o.out, mk_record_url(r),
               mk_record_mode_name(o.mode));
    else
        printf("recording %s -> %s on %s (mode %s); Ctrl-C writes the cassette\n", o.upstream,
               o.out, mk_record_url(r), mk_record_mode_name(o.mode));
    fflush(stdout);

    int sig = 0;
    sigwait(&set, &sig);
    rc = mk_record_stop(r, &d);
    if (rc == MK_RECORD_OK) {
        if (!mk_record_replaying(r))
            printf("wrote %s (%zu interactions recorded)\n", o.out, mk_record_count(r));
        status = 0;
    } else {
        char msg[1200];
        fprintf(stderr, "mockkit record: %s not written: %s\n", o.out,
                mk_diag_format(&d, msg, sizeof msg));
        status = 2;
    }
    mk_record_free(r);
    goto out;
usage_error:
    usage(stderr);
out:
    free(headers);
    free(fields);
    free(patterns);
    free(faults);
    return status;
}
