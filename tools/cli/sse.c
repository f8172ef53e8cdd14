/* sse.c: `mockkit sse URL`: read an event stream and print each event as a
 * JSON line, for scripts and for eyeballing a mock or a live service. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
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

static int on_event(void *user, const mkc_sse_event *ev)
{
    sse_run *r = user;
    cJSON *o = cJSON_CreateObject();
    char *type = strndup(ev->type, ev->type_len);
    char *id = strndup(ev->id ? ev->id : "", ev->id_len);
    /* Data may hold NUL (the parser keeps it); cJSON strings stop there. */
    char *line = NULL;
    if (o && type && id && cJSON_AddStringToObject(o, "event", type) &&
        cJSON_AddStringToObject(o, "data", ev->data) && cJSON_AddStringToObject(o, "id", id))
        line = cJSON_PrintUnformatted(o);
    if (line) {
        fputs(line, stdout);
        fputc('\n', stdout);
        fflush(stdout);
    } else {
        r->print_failed = 1;
    }
    cJSON_free(line);
    cJSON_Delete(o);
    free(type);
    free(id);
    r->count++;
    return r->print_failed || (r->max_events > 0 && r->count >= r->max_events);
}

/* A non-negative number, all of arg. */
static int parse_long(const char *arg, long *out)
{
    char *end = NULL;
    long v = strtol(arg, &end, 10);
    if (!*arg || *end || v < 0)
        return -1;
    *out = v;
    return 0;
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
    mkc_tls_from_env(&tls);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if ((!strcmp(a, "-H") || !strcmp(a, "--header")) && has_value) {
            if (nh == MAX_HEADERS) {
                fprintf(stderr, "mockkit sse: more than %d headers\n", MAX_HEADERS);
                return 2;
            }
            headers[nh++] = argv[++i];
        } else if (!strcmp(a, "--method") && has_value) {
            method = argv[++i];
        } else if (!strcmp(a, "--data") && has_value) {
            data = argv[++i];
        } else if (!strcmp(a, "--cacert") && has_value) {
            tls.cacert = argv[++i];
        } else if (!strcmp(a, "--insecure")) {
            tls.insecure = 1;
        } else if (!strcmp(a, "--max-events") && has_value) {
            if (parse_long(argv[++i], &max_events) != 0) {
                fprintf(stderr, "mockkit sse: --max-events wants a number, not '%s'\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--timeout") && has_value) {
            if (parse_long(argv[++i], &timeout) != 0) {
                fprintf(stderr, "mockkit sse: --timeout wants milliseconds, not '%s'\n", argv[i]);
                return 2;
            }
        } else if (a[0] == '-' || url) {
            fprintf(stderr, "mockkit sse: unexpected argument '%s'\n", a);
            usage(stderr);
            return 2;
        } else {
            url = a;
        }
    }
    headers[nh] = NULL;
    if (!url) {
        usage(stderr);
        return 2;
    }
    for (size_t i = 0; i < nh; i++) {
        if (!strchr(headers[i], ':')) {
            fprintf(stderr, "mockkit sse: header '%s' is not 'Name: value'\n", headers[i]);
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
        fprintf(stderr, "mockkit sse: %s: could not print an event (out of memory)\n", url);
        status = 1;
    } else if (rc != MKC_OK) {
        fprintf(stderr, "mockkit sse: %s\n", err.message);
        if (err.body && *err.body)
            fprintf(stderr, "%s\n", err.body);
        status = 1;
    }
    mkc_error_clear(&err);
    mkc_http_free(h);
    return status;
}
