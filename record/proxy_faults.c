/* proxy_faults.c: faults on the recorder's answers to its client, so a live
 * deployment can be tested under the same faults as the mock (the grammar
 * and hooks are the mock's: mocks/server/faults.h). */
#include <stdio.h>
#include <stdlib.h>

#include "faults.h"
#include "record_internal.h"

int mk_rec__faults_init(mk_record *r, const mk_record_options *o, char *why, size_t size)
{
    if (o->fault_count == 0)
        return 0;
    r->faults = mk__faults_new(o->seed);
    if (!r->faults) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < o->fault_count; i++) {
        char err[300];
        if (mk__faults_add(r->faults, o->faults[i], err, sizeof err) != 0) {
            snprintf(why, size, "--fault '%s': %s", o->faults[i], err);
            return -1;
        }
    }
    return 0;
}

void mk_rec__faults_free(mk_record *r)
{
    mk__faults_free(r->faults);
    r->faults = NULL;
}
