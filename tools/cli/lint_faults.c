/* lint_faults.c: `mockkit lint` checks each "fault" of a valid cassette
 * with the grammar the mock applies when it loads (mk_mock_fault_check),
 * so a typo is reported with its pointer before any serve. */
#include <stdio.h>

#include "lint_model.h"
#include "mockkit/mock.h"

static long one(const char *file, size_t ix, const char *where, const char *action,
                mk_lint_report report, void *ctx)
{
    char err[300], ptr[128];
    if (!action || mk_mock_fault_check(action, err, sizeof err) == MK_MOCK_OK)
        return 0;
    snprintf(ptr, sizeof ptr, "/interactions/%zu%s", ix, where);
    report(ctx, file, ptr, err);
    return 1;
}

long mk_lint_faults(const char *file, mk_lint_report report, void *ctx)
{
    mk_cassette *c = NULL;
    mk_diag d;
    char where[64];
    long n = 0;
    if (mk_cassette_load(file, &c, &d) != 0)
        return 0; /* the cassette checks have reported it */
    for (size_t i = 0; i < c->count; i++) {
        const mk_interaction *ix = &c->interactions[i];
        n += one(file, i, "/fault", ix->fault, report, ctx);
        for (size_t k = 0; k < ix->response.chunk_count; k++) {
            snprintf(where, sizeof where, "/response/chunks/%zu/fault", k);
            n += one(file, i, where, ix->response.chunks[k].fault, report, ctx);
        }
        for (size_t k = 0; k < ix->frame_count; k++) {
            snprintf(where, sizeof where, "/websocket/frames/%zu/fault", k);
            n += one(file, i, where, ix->frames[k].fault, report, ctx);
        }
    }
    mk_cassette_free(c);
    return n;
}
