/* rest_default.c: REST replay on the default path: the `mockkit serve`
 * binary, started as a user starts it (every shipped fixture of the
 * service, journal, admin paths, logging, default threads), answering a
 * recorded GET, against nginx (one worker) serving the same bytes.
 *
 * Only --speed 0 differs from the defaults: at speed 1 every answer waits
 * its recorded server time (2 ms for this one), which caps 32 connections
 * at 16,000 requests/s by design; that run is reported too, for what it is. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "mockkit/cassette.h"

/* GET MKB_DEFAULT_PATH's recorded body, searched the way serve loads the
 * folder (every *.json, first match wins). */
char *mkb_default_body(size_t *len, int64_t *delay_ms)
{
    const char *dir = MOCKKIT_FIXTURES_DIR "/" MKB_DEFAULT_SERVICE;
    DIR *d = opendir(dir);
    struct dirent *e;
    char *out = NULL;
    if (!d) {
        fprintf(stderr, "mockkit-bench: %s: %s\n", dir, strerror(errno));
        return NULL;
    }
    while (!out && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        mk_cassette *c = NULL;
        mk_diag diag;
        if (mk_cassette_load(path, &c, &diag) != MK_CASSETTE_OK)
            continue;
        for (size_t i = 0; i < c->count && !out; i++) {
            const mk_interaction *ix = &c->interactions[i];
            if (ix->kind == MK_IX_HTTP && strcmp(ix->request.method, "GET") == 0 &&
                strcmp(ix->request.path, MKB_DEFAULT_PATH) == 0 && !ix->response.streamed &&
                (out = malloc(ix->response.body.bytes.len + 1)) != NULL) {
                memcpy(out, ix->response.body.bytes.data, ix->response.body.bytes.len);
                *len = ix->response.body.bytes.len;
                *delay_ms = (ix->response.at_ms > 0 ? ix->response.at_ms : ix->at_ms) - ix->at_ms;
            }
        }
        mk_cassette_free(c);
    }
    closedir(d);
    if (!out)
        fprintf(stderr, "mockkit-bench: no GET %s in %s\n", MKB_DEFAULT_PATH, dir);
    return out;
}

/* `mockkit serve --only SERVICE --port SERVICE=0 --speed S` on the shipped
 * fixtures; url gets the default path's URL. Returns the pid, or -1. */
static pid_t start_serve(const mkb_opts *o, const char *speed, char *url, size_t size)
{
    char port[64], base[256];
    snprintf(port, sizeof port, "%s=0", MKB_DEFAULT_SERVICE);
    const char *args[] = {"--fixtures", MOCKKIT_FIXTURES_DIR, "--only", MKB_DEFAULT_SERVICE,
                          "--port", port, "--speed", speed, NULL};
    char name[32];
    snprintf(name, sizeof name, "default-%s", speed);
    pid_t pid = mkb_serve_start(o, name, args, base, sizeof base);
    if (pid >= 0)
        snprintf(url, size, "%s%s", base, MKB_DEFAULT_PATH);
    return pid;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void mkb_rest_default(const mkb_opts *o, mkb_table *t)
{
    const char *what = "REST default path / nginx (median of runs)";
    char url[512], note[200], runs[160] = "";
    size_t len = 0;
    int64_t delay = 0;
    char *body = mkb_default_body(&len, &delay);
    if (!body) {
        mkb_add(t, what, ">= 0.8x", "no default-path body in the fixtures", "n/a");
        return;
    }
    pid_t pid = start_serve(o, "0", url, sizeof url);
    if (pid < 0) {
        mkb_add(t, what, ">= 0.8x", "mockkit serve did not start", "n/a");
        free(body);
        return;
    }
    if (!mkb_same_body(url, body, len)) {
        mkb_add(t, what, ">= 0.8x", "serve did not answer the recorded body", "n/a");
    } else if (!o->nginx_default_url || !mkb_same_body(o->nginx_default_url, body, len)) {
        mkb_add(t, what, ">= 0.8x", "no nginx serving the same bytes (--nginx-default-url)",
                "n/a");
    } else {
        /* Alternate the servers so a burst of other load hits both. */
        double mock_rps[16], ng_rps[16], ratio[16];
        mkb_wrk m = {0}, n = {0};
        int count = 0;
        for (int i = 0; i < o->rest_runs && i < 16; i++) {
            fprintf(stderr, "mockkit-bench: default path run %d/%d (%ds each)...\n", i + 1,
                    o->rest_runs, o->duration_s);
            m = mkb_run_wrk(o, url);
            n = mkb_run_wrk(o, o->nginx_default_url);
            if (!m.ok || !n.ok || n.rps <= 0)
                break;
            mock_rps[count] = m.rps;
            ng_rps[count] = n.rps;
            ratio[count] = m.rps / n.rps;
            size_t used = strlen(runs);
            snprintf(runs + used, sizeof runs - used, "%s%.2f", count ? ", " : "", ratio[count]);
            count++;
        }
        if (count == 0) {
            mkb_add(t, what, ">= 0.8x", "wrk failed", "n/a");
        } else {
            qsort(mock_rps, (size_t)count, sizeof(double), cmp_double);
            qsort(ng_rps, (size_t)count, sizeof(double), cmp_double);
            qsort(ratio, (size_t)count, sizeof(double), cmp_double);
            snprintf(note, sizeof note,
                     "GET %s%s, %zu-byte recorded body, speed 0; last run p99 %.2f ms; non-2xx "
                     "%ld, socket errors %ld", MKB_DEFAULT_SERVICE, MKB_DEFAULT_PATH, len,
                     m.p99_ms, m.non2xx, m.errors);
            mkb_add(t, "REST default path (mockkit serve): requests/s", "", note, "%.0f",
                    mock_rps[count / 2]);
            snprintf(note, sizeof note, "one worker, static file, same bytes; last run p99 "
                     "%.2f ms", n.p99_ms);
            mkb_add(t, "REST default path, nginx: requests/s", "", note, "%.0f",
                    ng_rps[count / 2]);
            snprintf(note, sizeof note, "runs: %s", runs);
            mkb_add(t, what, ">= 0.8x", note, "%.2fx%s", ratio[count / 2],
                    ratio[count / 2] >= 0.8 ? " (met)" : " (NOT met)");
        }
    }
    mkb_serve_stop(pid);

    /* At the recorded timing: what a client sees by default. */
    pid = start_serve(o, "1", url, sizeof url);
    if (pid >= 0) {
        mkb_wrk s1 = mkb_run_wrk(o, url);
        snprintf(note, sizeof note, "recorded %lld ms server time per answer: at most %d "
                 "conns / %lld ms = %.0f/s; p50 %.2f ms", (long long)delay, o->connections,
                 (long long)delay, delay > 0 ? o->connections * 1000.0 / (double)delay : 0.0,
                 s1.p50_ms);
        if (s1.ok)
            mkb_add(t, "REST default path at speed 1: requests/s", "", note, "%.0f", s1.rps);
        mkb_serve_stop(pid);
    }
    free(body);
}
