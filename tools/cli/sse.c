/* sse.c: `mockkit sse URL`: read an event stream and print each event as a
 * JSON line, for scripts and for eyeballing a mock or a live service. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "jsonout.h"
#include "netwhy.h"
#include "opts.h"
#include "mockkit/client.h"

#define MAX_HEADERS 32

static void usage(FILE *out)
{
    fprintf(out,
            "usage: mockkit sse URL [-H 'Name: value']... [--method M] [--data BODY]\n"
            "                       [--max-events N] [--timeout MS] [--cacert FILE] [--insecure]\n\n"
            "Prints each event as one JSON line {\"event\":...,\"data\":...,\"id\":...}.\n"
            "  -H, --header  extra request header (repeatable)\n"
            "  --method      HTTP method (default GET, POST with --data)\n"
            "  --data        request body (sent as application/json)\n"
            "  --max-events  stop after N events (exit 0)\n"
            "  --timeout     give up after MS ms without a byte (default: none)\n"
            "  --cacert FILE trust the CAs in FILE (PEM) instead of the system store\n"
            "                (default: $MOCKKIT_CACERT)\n"
            "  --insecure    accept any certificate (self-signed test deployments; or\n"
            "                MOCKKIT_INSECURE=1)\n\n"
            "Exit: 0 at the end of the stream or after N events; 1 on errors (message on\n"
            "stderr); 2 on usage errors.\n");
}

typedef struct sse_run {
    long max_events;  /* 0 = all */
    long count;
    int print_failed;
} sse_run;

/* One JSON line per event. Written by hand rather than with cJSON: event
 * data may hold NUL bytes (the parser keeps them), and cJSON strings end at
 * the first one. */
static int on_event(void *user, const mkc_sse_event *ev)
{
    sse_run *r = user;
    fputs("{\"event\":", stdout);
    mk_json_put_string(stdout, ev->type, ev->type_len);
    fputs(",\"data\":", stdout);
    mk_json_put_string(stdout, ev->data, ev->data_len);
    fputs(",\"id\":", stdout);
    mk_json_put_string(stdout, ev->id ? ev->id : "", ev->id ? ev->id_len : 0);
    fputs("}\n", stdout);
    if (fflush(stdout) != 0 || ferror(stdout))
        r->print_failed = 1;
    r->count++;
    return r->print_failed || (r->max_events > 0 && r->count >= r->max_events);
}

int mk_cmd_sse(int argc, char **argv)
{
    if (mk_cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    const char *url = NULL, *method = NULL, *data = NULL;
    const char *headers[MAX_HEADERS + 1];
    size_t nh = 0;
    long max_events = 0, timeout = 0;
    mkc_tls tls;
    mkc_tls_from_env(&tls);  /* MOCKKIT_CACERT / MOCKKIT_INSECURE unless given */
    static const mk_opt table[] = {
        {"--header", "-H", 1},   {"--method", NULL, 1},  {"--data", NULL, 1},
        {"--max-events", NULL, 1}, {"--timeout", NULL, 1}, {"--cacert", NULL, 1},
        {"--insecure", NULL, 0}, {NULL, NULL, 0},
    };
    mk_opts p;
    mk_opts_init(&p, "sse", argc, argv);
    const char *v;
    int k, have_url = 0;
    while ((k = mk_opts_next(&p, table, &v)) != MK_OPTS_END) {
        if (k == MK_OPTS_ERROR) {
            usage(stderr);
            return 2;
        }
        if (k == MK_OPTS_ARG) {
            if (have_url) {
                mk_opts_fail(&p, "unexpected argument '%s' (one URL)", v);
                usage(stderr);
                return 2;
            }
            url = v;
            have_url = 1;
            continue;
        }
        const char *a = table[k].name;
        if (!strcmp(a, "--header")) {
            if (nh == MAX_HEADERS) {
                mk_opts_fail(&p, "more than %d headers", MAX_HEADERS);
                return 2;
            }
            headers[nh++] = v;
        } else if (!strcmp(a, "--method")) {
            method = v;
        } else if (!strcmp(a, "--data")) {
            data = v;
        } else if (!strcmp(a, "--cacert")) {
            tls.cacert = v;
        } else if (!strcmp(a, "--insecure")) {
            tls.insecure = 1;
        } else if (!strcmp(a, "--max-events")) {
            if (mk_opts_long(v, &max_events) != 0) {
                mk_opts_fail(&p, "--max-events wants a number, not '%s'", v);
                return 2;
            }
        } else if (!strcmp(a, "--timeout")) {
            if (mk_opts_long(v, &timeout) != 0) {
                mk_opts_fail(&p, "--timeout wants milliseconds, not '%s'", v);
                return 2;
            }
        }
    }
    headers[nh] = NULL;
    if (!have_url) {
        mk_opts_fail(&p, "no URL given");
        usage(stderr);
        return 2;
    }
    if (mk_opts_url(&p, url, "http https") != 0)
        return 2;
    for (size_t i = 0; i < nh; i++) {
        if (!strchr(headers[i], ':')) {
            mk_opts_fail(&p, "header '%s' is not 'Name: value'", headers[i]);
            return 2;
        }
    }

    mkc_http *h = mkc_http_new(url);
    if (!h || mkc_http_set_tls(h, &tls) != MKC_OK) {
        mkc_http_free(h);
        fprintf(stderr, "mockkit sse: out of memory\n");
        return 1;
    }
    mkc_sse_options o = {
        .method = method,
        .headers = headers,
        .content_type = data ? "application/json" : NULL,
        .body = data,
        .body_len = data ? strlen(data) : 0,
        .connect_timeout_ms = timeout,
        .idle_timeout_ms = timeout,
    };
    sse_run run = {.max_events = max_events};
    mkc_error err = {0};
    int rc = mkc_sse_stream(h, url, &o, on_event, &run, NULL, &err);
    int status = 0;
    if (rc == MKC_EABORTED && !run.print_failed) {
        status = 0;  /* --max-events reached */
    } else if (run.print_failed) {
        fprintf(stderr, "mockkit sse: %s: could not write an event to stdout\n", url);
        status = 1;
    } else if (rc != MKC_OK) {
        char why[256] = "";
        if (rc == MKC_ECONNECT)
            mk_cli_connect_reason(url, why, sizeof why);
        if (why[0])
            fprintf(stderr, "mockkit sse: could not connect to %s: %s\n", url, why);
        else
            fprintf(stderr, "mockkit sse: %s\n", err.message);
        if (err.body && *err.body)
            fprintf(stderr, "%s\n", err.body);
        status = 1;
    }
    mkc_error_clear(&err);
    mkc_http_free(h);
    return status;
}
