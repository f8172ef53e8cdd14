/* conformance-gate: every shipped payload of every service against its
 * model. Usage: conformance-gate SOURCE_DIR [--service NAME] [--emit FILE]
 *
 * For each service of mk_service_table: models/<service>.json, then every
 * fixtures/<service>/
 * *.json. Prints each failure (file, interaction, pointer, keyword, type and
 * its x-source), then what was not checked and why (payloads bound to null,
 * with the binding's note), then a count per service. Exit 1 when any
 * payload breaks its model or no binding covers it, or a model is missing.
 * --emit writes one JSON line per validated payload (service, where, type,
 * value, verdict) for crosscheck.py, which asks python3-jsonschema.
 *
 * suites/conformance/not-modelled.txt lists interactions whose unbound
 * payloads are deliberately outside the models (e.g. an event the client's
 * enum does not know, shipped to test that path), each with a reason:
 *   <service>/<file.json> <interaction id>: <reason>
 * Those are reported as not checked; payloads that are bound still count. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mockkit/conform.h"
#include "mockkit/service.h"

typedef struct listed {
    char key[400];      /* "<service>/<file.json> <interaction id>" */
    char reason[400];
} listed;

typedef struct gate {
    const char *service;
    const listed *list;
    size_t list_count;
    long failures;
    FILE *emit;
    const mk_model *model;
    char skipped[64][1400];  /* distinct not-checked payload kinds */
    size_t skipped_count;
} gate;

/* Payload kind with the binding's path template, so one line per kind. */
static void describe(const mk_model *m, const mk_model_payload *p, char *buf, size_t size)
{
    const char *tpl = NULL, *note = NULL;
    mk_model_binding(m, p, &tpl, &note);
    mk_model_payload q = *p;
    if (tpl)
        q.path = tpl;
    p = &q;
    static const char *const parts[] = {"request", "response", "sse", "ws client", "ws server"};
    if (p->part == MK_MODEL_WS_CLIENT || p->part == MK_MODEL_WS_SERVER)
        snprintf(buf, size, "%s %s", parts[p->part], p->path);
    else if (p->part == MK_MODEL_SSE)
        snprintf(buf, size, "sse %s %s event %s", p->method, p->path, p->event);
    else if (p->part == MK_MODEL_RESPONSE)
        snprintf(buf, size, "response %d %s %s", p->status, p->method, p->path);
    else
        snprintf(buf, size, "request %s %s", p->method, p->path);
    if (note) {
        size_t n = strlen(buf);
        snprintf(buf + n, size - n, " (note: %s)", note);
    }
}

static void on_finding(void *ctx, const mk_conform_finding *f)
{
    gate *g = ctx;
    if (g->emit && f->value && f->type) {
        cJSON *rec = cJSON_CreateObject();
        char where[700];
        snprintf(where, sizeof(where), "%s %s", f->file, f->where);
        cJSON_AddStringToObject(rec, "service", g->service);
        cJSON_AddStringToObject(rec, "where", where);
        cJSON_AddStringToObject(rec, "type", f->type);
        cJSON_AddItemToObject(rec, "value", cJSON_Duplicate(f->value, 1));
        cJSON_AddBoolToObject(rec, "valid", f->status == MK_MODEL_OK);
        char *line = cJSON_PrintUnformatted(rec);
        if (line)
            fprintf(g->emit, "%s\n", line);
        cJSON_free(line);
        cJSON_Delete(rec);
    }
    if (f->status == MK_MODEL_SKIPPED) {
        char kind[1400];
        describe(g->model, &f->payload, kind, sizeof(kind));
        for (size_t i = 0; i < g->skipped_count; i++)
            if (strcmp(g->skipped[i], kind) == 0)
                return;
        if (g->skipped_count < sizeof(g->skipped) / sizeof(g->skipped[0]))
            snprintf(g->skipped[g->skipped_count++], sizeof(g->skipped[0]), "%s", kind);
        return;
    }
    if (f->status == MK_MODEL_OK)
        return;
    if (f->status == MK_MODEL_UNBOUND && f->ix) {
        const char *base = strrchr(f->file, '/');
        char key[400];
        snprintf(key, sizeof(key), "%s/%s %s", g->service, base ? base + 1 : f->file, f->ix->id);
        for (size_t i = 0; i < g->list_count; i++) {
            if (strcmp(g->list[i].key, key) != 0)
                continue;
            char kind[700];
            describe(g->model, &f->payload, kind, sizeof(kind));
            char line[1400];
            snprintf(line, sizeof(line), "%.300s in %.300s (listed: %.300s)", kind, key,
                     g->list[i].reason);
            for (size_t k = 0; k < g->skipped_count; k++)
                if (strcmp(g->skipped[k], line) == 0)
                    return;
            if (g->skipped_count < sizeof(g->skipped) / sizeof(g->skipped[0]))
                snprintf(g->skipped[g->skipped_count++], sizeof(g->skipped[0]), "%s", line);
            return;
        }
    }
    g->failures++;
    char line[1200];
    mk_model_error_format(&f->error, line, sizeof(line));
    printf("FAIL %s (interaction \"%s\") %s\n     %s\n", f->file, f->ix ? f->ix->id : "?",
           f->where, line);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Returns failures for one service, or -1 when its model cannot be used. */
static long gate_service(const char *src, gate *g, mk_conform_counts *counts)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/models/%s.json", src, g->service);
    mk_model *m = NULL;
    mk_model_error e;
    if (mk_model_new(path, &m, &e) != MK_MODEL_OK) {
        char line[1200];
        printf("FAIL %s: %s\n", g->service, mk_model_error_format(&e, line, sizeof(line)));
        return -1;
    }
    g->model = m;
    snprintf(path, sizeof(path), "%s/fixtures/%s", src, g->service);
    DIR *d = opendir(path);
    if (!d) {
        printf("FAIL %s: no fixtures folder %s\n", g->service, path);
        mk_model_free(m);
        return -1;
    }
    char *names[256];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 256) {
        size_t l = strlen(de->d_name);
        if (l > 5 && strcmp(de->d_name + l - 5, ".json") == 0)
            names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), by_name);
    long failures = 0;
    for (size_t i = 0; i < n; i++) {
        char file[1400];
        snprintf(file, sizeof(file), "%s/%s", path, names[i]);
        free(names[i]);
        mk_cassette *c = NULL;
        mk_diag diag;
        if (mk_cassette_load(file, &c, &diag) != MK_CASSETTE_OK) {
            char line[1200];
            printf("FAIL %s\n", mk_diag_format(&diag, line, sizeof(line)));
            failures++;
            continue;
        }
        if (mk_conform_cassette(m, c, on_finding, g, counts) < 0)
            failures++;
        mk_cassette_free(c);
    }
    mk_model_free(m);
    return failures + g->failures;
}

/* Reads not-modelled.txt; a missing file is an empty list. */
static size_t read_list(const char *src, listed *out, size_t max)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/suites/conformance/not-modelled.txt", src);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[1024];
    size_t n = 0;
    while (n < max && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *colon = strstr(line, ": ");
        if (line[0] == '#' || !colon)
            continue;
        *colon = '\0';
        snprintf(out[n].key, sizeof(out[n].key), "%.399s", line);
        snprintf(out[n].reason, sizeof(out[n].reason), "%.399s", colon + 2);
        n++;
    }
    fclose(f);
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: conformance-gate SOURCE_DIR [--service NAME] [--emit FILE]\n");
        return 2;
    }
    const char *only = NULL, *emit = NULL;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--service") == 0)
            only = argv[i + 1];
        else if (strcmp(argv[i], "--emit") == 0)
            emit = argv[i + 1];
    }
    FILE *ef = emit ? fopen(emit, "w") : NULL;
    if (emit && !ef) {
        perror(emit);
        return 2;
    }
    static listed list[128];
    size_t list_count = read_list(argv[1], list, 128);
    int bad = 0;
    char summary[MK_SERVICE_COUNT][200];
    size_t rows = 0;
    for (size_t s = 0; s < MK_SERVICE_COUNT; s++) {
        const char *service = mk_service_table[s].name;
        if (only && strcmp(only, service) != 0)
            continue;
        static gate g;
        memset(&g, 0, sizeof(g));
        g.service = service;
        g.emit = ef;
        g.list = list;
        g.list_count = list_count;
        mk_conform_counts counts = {0};
        long f = gate_service(argv[1], &g, &counts);
        if (f != 0)
            bad = 1;
        for (size_t i = 0; i < g.skipped_count; i++)
            printf("not checked: %s %s\n", service, g.skipped[i]);
        snprintf(summary[rows++], sizeof(summary[0]), "%-7s %7zu %7zu %7zu %7zu  %s",
                 service, counts.checked, counts.invalid, counts.unbound,
                 counts.skipped,
                 f < 0 ? "NO MODEL" : f ? "FAIL" : "PASS");
    }
    printf("\nservice checked invalid unbound skipped  result\n");
    for (size_t i = 0; i < rows; i++)
        printf("%s\n", summary[i]);
    if (ef)
        fclose(ef);
    return bad;
}
