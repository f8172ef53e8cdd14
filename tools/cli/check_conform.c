/* check_conform.c: live responses against the service models. The suites
 * stay unaware: the environment variable naming the live service points at
 * a recording proxy for the run, and the session it recorded is walked with
 * the same checks as the conformance gate. The kit's own admin routes
 * (/__mockkit/..., used by --reset) are not the service's and are skipped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mockkit/record.h"
#include "check_conform.h"
#include "mockkit/client.h"
#include "mockkit/conform.h"

struct mk_check_conform {
    char service[32];
    char var[64];
    char *saved;          /* the live URL the variable held */
    char models[1024];
    char cassette[1200];
    mk_record *rec;
};

mk_check_conform *mk_check_conform_start(const char *service, const char *var,
                                         const char *models_dir, const char *workdir)
{
    const char *url = getenv(var);
    if (!url || !*url)
        return NULL;
    mk_check_conform *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    snprintf(c->service, sizeof(c->service), "%s", service);
    snprintf(c->var, sizeof(c->var), "%s", var);
    snprintf(c->models, sizeof(c->models), "%s", models_dir);
    snprintf(c->cassette, sizeof(c->cassette), "%s/live-%s.json", workdir, service);
    c->saved = strdup(url);
    /* Proxy the root; the client keeps the path (/v1, /api) in its URL. */
    const char *host = strstr(url, "://");
    const char *path = host ? strchr(host + 3, '/') : NULL;
    char root[1024];
    snprintf(root, sizeof(root), "%.*s", path ? (int)(path - url) : (int)strlen(url), url);
    mk_record_options o;
    mk_record_options_init(&o);
    o.upstream = root;
    o.out = c->cassette;
    o.mode = MK_RECORD_MODE_ALL;
    o.service = service;
    o.quiet = 1;
    /* An https service is verified as the suites' clients verify it
     * (`check --cacert/--insecure` set these). */
    mkc_tls tls;
    mkc_tls_from_env(&tls);
    o.cacert = tls.cacert;
    o.insecure = tls.insecure;
    mk_diag d;
    if (!c->saved || mk_record_new(&o, &c->rec, &d) != MK_RECORD_OK) {
        char line[1400];
        fprintf(stderr, "mockkit check: --conform: no proxy for %s: %s\n", service,
                c->saved ? mk_diag_format(&d, line, sizeof(line)) : "out of memory");
        free(c->saved);
        free(c);
        return NULL;
    }
    char proxied[1400];
    snprintf(proxied, sizeof(proxied), "%s%s", mk_record_url(c->rec), path ? path : "");
    setenv(var, proxied, 1);
    return c;
}

typedef struct report {
    const char *service;
    FILE *out;
    long problems;
    long refused;
} report;

/* A request body the model refuses, which the service refused too (4xx):
 * the two agree. The error suites send such bodies on purpose; what the
 * service answered is still checked (its error envelope). Accepted, or a
 * 5xx, it is the model and the service disagreeing: a problem. */
static int refused_as_modelled(const mk_conform_finding *f)
{
    return f->ix && f->payload.part == MK_MODEL_REQUEST &&
           (f->status == MK_MODEL_INVALID || f->status == MK_MODEL_ENOTJSON) &&
           f->ix->response.status >= 400 && f->ix->response.status < 500;
}

static void on_finding(void *ctx, const mk_conform_finding *f)
{
    report *r = ctx;
    if (f->status == MK_MODEL_OK || f->status == MK_MODEL_SKIPPED)
        return;
    if (f->ix && strncmp(f->ix->request.path, "/__mockkit/", 11) == 0)
        return;
    if (refused_as_modelled(f)) {
        r->refused++;
        return;
    }
    char line[1200], what[600];
    const mk_model_payload *p = &f->payload;
    if (p->part == MK_MODEL_WS_CLIENT || p->part == MK_MODEL_WS_SERVER)
        snprintf(what, sizeof(what), "websocket %s", p->path);
    else
        snprintf(what, sizeof(what), "%s %s", p->method, p->path);
    fprintf(r->out, "    %s live %s (%s): %s\n", r->service, what, f->where,
            mk_model_error_format(&f->error, line, sizeof(line)));
    r->problems++;
}

long mk_check_conform_finish(mk_check_conform *c, FILE *out, char *summary, size_t size)
{
    char ignored[8];
    if (!summary || size == 0) {
        summary = ignored;
        size = sizeof(ignored);
    }
    snprintf(summary, size, "the conformance check could not run");
    if (!c)
        return -1;
    mk_diag d;
    int rc = mk_record_stop(c->rec, &d);
    /* A session the secret scan refused is kept beside the cassette; here
     * it is only a temporary copy, so it goes with the log folder. */
    if (mk_record_rejected_path(c->rec))
        remove(mk_record_rejected_path(c->rec));
    mk_record_free(c->rec);
    setenv(c->var, c->saved, 1);
    long problems = -1;
    char line[1400];
    if (rc != MK_RECORD_OK) {
        mk_diag_format(&d, line, sizeof(line));
        fprintf(out, "    %s live: --conform: session not recorded: %s\n", c->service, line);
        snprintf(summary, size, "--conform: session not recorded: %s", line);
    } else {
        char path[1200];
        snprintf(path, sizeof(path), "%s/%s.json", c->models, c->service);
        mk_model *m = NULL;
        mk_model_error e;
        mk_cassette *cas = NULL;
        if (mk_model_new(path, &m, &e) != MK_MODEL_OK) {
            mk_model_error_format(&e, line, sizeof(line));
            fprintf(out, "    %s live: --conform: %s\n", c->service, line);
            snprintf(summary, size, "--conform: %s", line);
        } else if (mk_cassette_load(c->cassette, &cas, &d) != MK_CASSETTE_OK) {
            mk_diag_format(&d, line, sizeof(line));
            fprintf(out, "    %s live: --conform: %s\n", c->service, line);
            snprintf(summary, size, "--conform: %s", line);
        } else {
            report r = {c->service, out, 0, 0};
            mk_conform_counts counts = {0};
            if (mk_conform_cassette(m, cas, on_finding, &r, &counts) >= 0) {
                problems = r.problems;
                fprintf(out,
                        "    %s live: %zu payloads conform to models/%s.json, %ld break it, "
                        "%ld off-model requests refused (4xx) as the model says, "
                        "%zu not checked (bound to null)\n",
                        c->service, counts.checked, c->service, r.problems, r.refused,
                        counts.skipped);
                snprintf(summary, size, "%ld live payload%s break%s models/%s.json", r.problems,
                         r.problems == 1 ? "" : "s", r.problems == 1 ? "s" : "", c->service);
            }
        }
        mk_cassette_free(cas);
        mk_model_free(m);
    }
    remove(c->cassette);
    free(c->saved);
    free(c);
    return problems;
}
