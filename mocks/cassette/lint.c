/* lint.c: every problem of a cassette file (what `mockkit lint` prints), and
 * the public face of the kit's base64 encoder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct lint_ctx {
    const char *file;
    mk_cassette_issue_fn fn;
    void *user;
    size_t count;
} lint_ctx;

static void report(const lint_ctx *lc, const mk_diag *d)
{
    if (lc->fn)
        lc->fn(lc->user, d);
}

static void on_issue(void *ctx, const char *pointer, const char *message)
{
    lint_ctx *lc = ctx;
    mk_diag d;
    mk_cas__diag_init(&d, lc->file);
    snprintf(d.pointer, sizeof d.pointer, "%s", pointer);
    snprintf(d.message, sizeof d.message, "%s", message);
    report(lc, &d);
    lc->count++;
}

long mk_cassette_lint(const char *path, mk_cassette_issue_fn fn, void *ctx)
{
    lint_ctx lc = {path, fn, ctx, 0};
    mk_diag d;
    char *text = NULL;
    size_t len = 0;
    if (!path) {
        mk_cas__diag(&d, MK_CASSETTE_EINVAL, "", "no path given");
        report(&lc, &d);
        return -1;
    }
    if (mk_cas__read_file(path, &text, &len, &d) != MK_CASSETTE_OK) {
        report(&lc, &d);
        return -1;
    }
    cJSON *root = mk_cas__parse_text(text, len, path, &d, NULL);
    free(text);
    if (!root) {
        report(&lc, &d);
        return 1;
    }
    mk_cas__validate(root, on_issue, &lc);
    mk_cas__scan(root, on_issue, &lc);
    cJSON_Delete(root);
    return (long)lc.count;
}

char *mk_cassette_base64_encode(const void *data, size_t len)
{
    return mk_cas__base64_encode(data, len);
}
