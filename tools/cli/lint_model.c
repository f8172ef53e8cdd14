/* lint_model.c: a user's recordings against the service models, so a
 * payload the service's own client could not parse is flagged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lint_model.h"
#include "services.h"
#include "mockkit/conform.h"

static mk_model *cached;
static char cached_path[1024];

/* MOCKKIT_MODELS, else the installed models, else the source tree's. */
const char *mk_lint_models_dir(void)
{
    static char installed[4096];
    const char *env = getenv("MOCKKIT_MODELS");
    if (env && *env)
        return env;
    if (mk_installed_dir(MOCKKIT_BIN_TO_MODELS, installed, sizeof installed))
        return installed;
    return MOCKKIT_MODELS_DIR;
}

const char *mk_lint_service_for(const char *file, const char *models_dir, char *buf, size_t size)
{
    const char *slash = strrchr(file, '/');
    if (!slash || slash == file)
        return NULL;
    const char *start = slash;
    while (start > file && start[-1] != '/')
        start--;
    size_t n = (size_t)(slash - start);
    if (n == 0 || n >= size)
        return NULL;
    memcpy(buf, start, n);
    buf[n] = '\0';
    char model[1200];
    snprintf(model, sizeof(model), "%s/%s.json", models_dir, buf);
    return access(model, R_OK) == 0 ? buf : NULL;
}

typedef struct lint_sink {
    mk_lint_report report;
    void *ctx;
} lint_sink;

static const mk_model *model_for(const char *service, const char *models_dir,
                                 const lint_sink *sink)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s.json", models_dir, service);
    if (cached && strcmp(path, cached_path) == 0)
        return cached;
    mk_lint_models_done();
    mk_model_error e;
    if (mk_model_new(path, &cached, &e) != MK_MODEL_OK) {
        char line[1200];
        sink->report(sink->ctx, path, "", mk_model_error_format(&e, line, sizeof(line)));
        return NULL;
    }
    snprintf(cached_path, sizeof(cached_path), "%s", path);
    return cached;
}

void mk_lint_models_done(void)
{
    mk_model_free(cached);
    cached = NULL;
    cached_path[0] = '\0';
}

static void report_finding(void *ctx, const mk_conform_finding *f)
{
    const lint_sink *sink = ctx;
    if (f->status == MK_MODEL_OK || f->status == MK_MODEL_SKIPPED)
        return;
    char why[1200], message[1400];
    /* A part no model type covers could not be checked: a warning, since a
     * rehearsal cassette may carry an event outside the client's enum on
     * purpose. The conformance gate, not lint, refuses those in fixtures/. */
    snprintf(message, sizeof(message), "%sinteraction \"%s\": %s",
             f->status == MK_MODEL_UNBOUND ? "warning: not checked: " : "",
             f->ix ? f->ix->id : "?", mk_model_error_format(&f->error, why, sizeof(why)));
    sink->report(sink->ctx, f->file, f->where, message);
}

long mk_lint_models(const char *file, const char *service, const char *models_dir,
                    mk_lint_report report, void *ctx)
{
    lint_sink sink = {report, ctx};
    const mk_model *m = model_for(service, models_dir, &sink);
    if (!m)
        return -1;
    mk_cassette *c = NULL;
    mk_diag d;
    if (mk_cassette_load(file, &c, &d) != MK_CASSETTE_OK) {
        report(ctx, d.file[0] ? d.file : file, d.pointer, d.message);
        return -1;
    }
    mk_conform_counts counts = {0};
    long n = mk_conform_cassette(m, c, report_finding, &sink, &counts);
    mk_cassette_free(c);
    if (n < 0) {
        char message[1200];
        snprintf(message, sizeof(message), "out of memory while checking against %s", cached_path);
        report(ctx, file, "", message);
        return n;
    }
    return (long)counts.invalid;
}
