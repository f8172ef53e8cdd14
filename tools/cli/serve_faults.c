/* serve_faults.c: `serve --fault SPEC` routed to the mock of its service. */
#include <stdio.h>
#include <string.h>

#include "services.h"

int mk_serve_add_faults(mk_mock *mocks[MK_SERVICE_COUNT], mk_mock *const *generic,
                        size_t generic_count, const char *const *specs, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        const char *spec = specs[k];
        size_t word = strcspn(spec, ": /");
        int svc = -1, added = 0;
        char err[300];
        if (spec[word] == ':') {
            char name[16];
            snprintf(name, sizeof name, "%.*s", (int)(word < 15 ? word : 15), spec);
            svc = mk_service_index(name);
            if (svc < 0) {
                char names[128];
                fprintf(stderr, "mockkit serve: --fault '%s': unknown service '%s' (%s)\n", spec,
                        name, mk_service_names(names, sizeof names));
                return 2;
            }
        }
        for (int i = 0; i < MK_SERVICE_COUNT; i++) {
            if (!mocks[i] || (svc >= 0 && i != svc))
                continue;
            if (mk_mock_fault_add(mocks[i], spec, err, sizeof err) != MK_MOCK_OK) {
                fprintf(stderr, "mockkit serve: --fault '%s': %s\n", spec, err);
                return 2;
            }
            added++;
        }
        for (size_t i = 0; svc < 0 && i < generic_count; i++) {
            if (mk_mock_fault_add(generic[i], spec, err, sizeof err) != MK_MOCK_OK) {
                fprintf(stderr, "mockkit serve: --fault '%s': %s\n", spec, err);
                return 2;
            }
            added++;
        }
        if (!added) {
            fprintf(stderr, "mockkit serve: --fault '%s': its service is not being served\n",
                    spec);
            return 2;
        }
    }
    return 0;
}
