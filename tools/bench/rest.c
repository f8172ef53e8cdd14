/* rest.c: REST replay throughput and p99 latency with wrk (keep-alive
 * connections) against the embedded mock, and against nginx serving the
 * same bytes as a static file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "bench.h"
#include "mockkit/mock.h"

static double to_ms(double v, const char *unit)
{
    if (strncmp(unit, "us", 2) == 0)
        return v / 1000.0;
    if (strncmp(unit, "ms", 2) == 0)
        return v;
    if (unit[0] == 's')
        return v * 1000.0;
    return v;
}

/* Runs wrk and reads Requests/sec and the latency distribution. */
mkb_wrk mkb_run_wrk(const mkb_opts *o, const char *url)
{
    mkb_wrk r = {0};
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' -t%d -c%d -d%ds --timeout 5s --latency '%s' 2>&1", o->wrk,
             o->wrk_threads, o->connections, o->duration_s, url);
    FILE *p = popen(cmd, "r");
    if (!p)
        return r;
    char line[512];
    while (fgets(line, sizeof line, p)) {
        double v;
        char unit[16];
        long a, b, c, d;
        if (sscanf(line, "Requests/sec: %lf", &v) == 1) {
            r.rps = v;
            r.ok = 1;
        } else if (sscanf(line, " 50%% %lf%15s", &v, unit) == 2) {
            r.p50_ms = to_ms(v, unit);
        } else if (sscanf(line, " 99%% %lf%15s", &v, unit) == 2) {
            r.p99_ms = to_ms(v, unit);
        } else if (sscanf(line, " Non-2xx or 3xx responses: %ld", &a) == 1) {
            r.non2xx = a;
        } else if (sscanf(line, " Socket errors: connect %ld, read %ld, write %ld, timeout %ld",
                          &a, &b, &c, &d) == 4) {
            r.errors = a + b + c + d;
        }
    }
    if (pclose(p) != 0)
        r.ok = 0;
    return r;
}

typedef struct grab {
    char buf[65536];
    size_t len;
} grab;

static size_t grab_cb(char *data, size_t size, size_t n, void *user)
{
    grab *g = user;
    size_t len = size * n;
    size_t room = sizeof g->buf - 1 - g->len;
    memcpy(g->buf + g->len, data, len < room ? len : room);
    g->len += len < room ? len : room;
    return len;
}

int mkb_same_body(const char *url, const void *body, size_t len)
{
    CURL *c = curl_easy_init();
    grab *g = calloc(1, sizeof *g);
    long status = 0;
    if (!c || !g) {
        curl_easy_cleanup(c);
        free(g);
        return 0;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, grab_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, g);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
    int ok = curl_easy_perform(c) == CURLE_OK;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    ok = ok && status == 200 && g->len == len && memcmp(g->buf, body, len) == 0;
    free(g);
    return ok;
}

static int same_body(const char *url)
{
    return mkb_same_body(url, mkb_rest_body, strlen(mkb_rest_body));
}

static mk_mock *start_rest_mock(const mkb_opts *o)
{
    cJSON *ixs;
    cJSON *doc = mkb_cassette("rest", &ixs);
    cJSON *ix = cJSON_CreateObject();
    cJSON_AddStringToObject(ix, "id", "item");
    cJSON_AddNumberToObject(ix, "at_ms", 0);
    cJSON *req = cJSON_AddObjectToObject(ix, "request");
    cJSON_AddStringToObject(req, "method", "GET");
    cJSON_AddStringToObject(req, "path", "/bench/item");
    cJSON *resp = cJSON_AddObjectToObject(ix, "response");
    cJSON_AddNumberToObject(resp, "status", 200);
    cJSON *h = cJSON_AddObjectToObject(resp, "headers");
    cJSON_AddStringToObject(h, "content-type", "application/json");
    cJSON_AddStringToObject(resp, "text", mkb_rest_body);
    cJSON_AddItemToArray(ixs, ix);
    char path[512];
    if (mkb_save(doc, o->tmpdir, "rest.json", path, sizeof path) != 0)
        return NULL;

    mk_mock_options mo;
    mk_mock_options_init(&mo);
    mo.speed = 0.0;
    mo.quiet = 1;
    mo.threads = o->connections + 16 > 1024 ? 1024 : o->connections + 16;
    const char *paths[] = {path};
    mk_mock *m = NULL;
    mk_diag d;
    int rc = mk_mock_new(&mo, paths, 1, &m, &d);
    if (rc != MK_MOCK_OK) {
        char buf[1200];
        fprintf(stderr, "mockkit-bench: mock: %s: %s\n", mk_mock_strerror(rc),
                mk_diag_format(&d, buf, sizeof buf));
        return NULL;
    }
    return m;
}

void mkb_rest(const mkb_opts *o, mkb_table *t)
{
    char what[96], note[200];
    snprintf(what, sizeof what, "REST replay, %d keep-alive conns (wrk)", o->connections);
    mk_mock *m = start_rest_mock(o);
    if (!m) {
        mkb_add(t, what, ">= 0.8x nginx", "mock did not start", "n/a");
        return;
    }
    char url[256];
    snprintf(url, sizeof url, "%s/bench/item", mk_mock_url(m));
    if (!same_body(url)) {
        mkb_add(t, what, ">= 0.8x nginx", "mock did not answer the body", "n/a");
        mk_mock_free(m);
        return;
    }
    fprintf(stderr, "mockkit-bench: wrk against the mock (%ds)...\n", o->duration_s);
    mkb_wrk mock = mkb_run_wrk(o, url);
    mk_mock_free(m);
    if (!mock.ok) {
        mkb_add(t, what, ">= 0.8x nginx", "wrk failed (is it installed?)", "n/a");
        return;
    }
    snprintf(note, sizeof note, "%zu-byte body, p50 %.2f ms; non-2xx %ld, socket errors %ld",
             strlen(mkb_rest_body), mock.p50_ms, mock.non2xx, mock.errors);
    mkb_add(t, "REST mock: requests/s", "", note, "%.0f", mock.rps);
    mkb_add(t, "REST mock: p99 latency", "", "", "%.2f ms", mock.p99_ms);
    if (!o->nginx_url) {
        mkb_add(t, "REST mock / nginx", ">= 0.8x", "no --nginx-url given", "n/a");
        return;
    }
    if (!same_body(o->nginx_url)) {
        mkb_add(t, "REST mock / nginx", ">= 0.8x", "nginx did not serve the same bytes", "n/a");
        return;
    }
    fprintf(stderr, "mockkit-bench: wrk against nginx (%ds)...\n", o->duration_s);
    mkb_wrk ng = mkb_run_wrk(o, o->nginx_url);
    if (!ng.ok) {
        mkb_add(t, "REST mock / nginx", ">= 0.8x", "wrk against nginx failed", "n/a");
        return;
    }
    snprintf(note, sizeof note, "static file, same bytes; p50 %.2f ms; non-2xx %ld, "
                                "socket errors %ld", ng.p50_ms, ng.non2xx, ng.errors);
    mkb_add(t, "REST nginx: requests/s", "", note, "%.0f", ng.rps);
    mkb_add(t, "REST nginx: p99 latency", "", "", "%.2f ms", ng.p99_ms);
    mkb_add(t, "REST mock / nginx", ">= 0.8x", mock.rps >= 0.8 * ng.rps ? "met" : "NOT met",
            "%.2fx", ng.rps > 0 ? mock.rps / ng.rps : 0.0);
}
