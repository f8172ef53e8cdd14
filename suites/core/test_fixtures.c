/* test_fixtures.c: the shipped fixtures and the engine agree: every
 * service's folder starts a mock, and every recorded HTTP request, sent as
 * recorded, is answered by a recorded interaction (not the unmatched 404).
 * Catches a fixture the matcher cannot serve before a service suite does. */
#include <dirent.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "core_util.h"
#include "suite.h"

/* Stop reading at the end of the headers: streams may wait on triggers. */
static size_t header_cb(char *p, size_t size, size_t n, void *arg)
{
    int *unmatched = arg;
    if (size * n >= 19 && strncasecmp(p, "X-Mockkit-Unmatched", 19) == 0) {
        *unmatched = 1;
    }
    return (size * n == 2 && p[0] == '\r') ? 0 : size * n;
}

static size_t drop_cb(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

static void append_query(CURL *c, char *url, size_t size, const mk_request *r)
{
    for (size_t i = 0; i < r->query_count; i++) {
        char *k = curl_easy_escape(c, r->query[i].name, 0);
        char *v = curl_easy_escape(c, r->query[i].value, 0);
        size_t len = strlen(url);
        snprintf(url + len, size - len, "%c%s=%s", i == 0 ? '?' : '&', k, v);
        curl_free(k);
        curl_free(v);
    }
}

static int send_recorded(mk_mock *m, const char *service, const mk_interaction *ix)
{
    const mk_request *r = &ix->request;
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    char url[2048];
    int unmatched = 0;
    snprintf(url, sizeof(url), "%s%s", mk_mock_url(m), r->path);
    append_query(c, url, sizeof(url), r);
    h = curl_slist_append(h, "Authorization: Bearer sk-proj-testkey");
    h = curl_slist_append(h, "Cookie: Outseta.nocode.accessToken=test");
    h = curl_slist_append(h, "Expect:");
    for (size_t i = 0; i < r->headers.count; i++) {
        char line[1024];
        if (strstr(r->headers.items[i].value, "<REDACTED") ||
            strcasecmp(r->headers.items[i].name, "authorization") == 0 ||
            strcasecmp(r->headers.items[i].name, "cookie") == 0 ||
            strcasecmp(r->headers.items[i].name, "content-length") == 0) {
            continue;
        }
        snprintf(line, sizeof(line), "%s: %s", r->headers.items[i].name,
                 r->headers.items[i].value);
        h = curl_slist_append(h, line);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
    if (strcmp(service, "cairos") == 0 && strcmp(r->path, "/api/login") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "username=bob&password=bobspassword");
    } else if (r->body.bytes.len > 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)r->body.bytes.len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)r->body.bytes.data);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &unmatched);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, drop_cb);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    (void)curl_easy_perform(c); /* aborted after the headers on purpose */
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    return unmatched;
}

static int is_json(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return n > 5 && strcmp(e->d_name + n - 5, ".json") == 0;
}

static void service_fixtures(const char *service)
{
    char dir[1024], buf[1024];
    const char *paths[1];
    mk_mock_options o;
    mk_mock *m = NULL;
    mk_diag d;
    int rc, failures = 0;
    suite_fixtures_dir(service, dir, sizeof(dir));
    paths[0] = dir;
    mk_mock_options_init(&o);
    o.service = service;
    o.speed = 0;
    o.quiet = 1;
    rc = mk_mock_new(&o, paths, 1, &m, &d);
    if (rc != MK_MOCK_OK) {
        fail_msg("%s fixtures: %s: %s", service, mk_mock_strerror(rc),
                 mk_diag_format(&d, buf, sizeof(buf)));
    }
    /* each cassette from a fresh state, as a suite would use it */
    struct dirent **names = NULL;
    int count = scandir(dir, &names, is_json, alphasort);
    assert_true(count > 0);
    for (int k = 0; k < count; k++) {
        mk_cassette *cas = NULL;
        char file[1400];
        snprintf(file, sizeof(file), "%s/%s", dir, names[k]->d_name);
        free(names[k]);
        assert_int_equal(mk_cassette_load(file, &cas, &d), MK_CASSETTE_OK);
        mk_mock_reset(m);
        for (size_t i = 0; i < cas->count; i++) {
            const mk_interaction *ix = &cas->interactions[i];
            if (ix->kind != MK_IX_HTTP) {
                continue;
            }
            if (send_recorded(m, service, ix)) {
                mk_journal_entry e[1];
                size_t n = mk_mock_journal(m, e, 1);
                fprintf(stderr, "  %s#%s: %s %s unmatched: %s\n", file, ix->id,
                        ix->request.method, ix->request.path, n ? e[0].near_miss : "?");
                failures++;
            }
        }
        mk_cassette_free(cas);
    }
    free(names);
    mk_mock_free(m);
    if (failures) {
        fail_msg("%s: %d recorded request(s) not served by their own fixtures", service,
                 failures);
    }
}

static void bee_fixtures_serve_themselves(void **state)
{
    (void)state;
    service_fixtures("bee");
}

static void openai_fixtures_serve_themselves(void **state)
{
    (void)state;
    service_fixtures("openai");
}

static void cairos_fixtures_serve_themselves(void **state)
{
    (void)state;
    service_fixtures("cairos");
}

static void pieces_fixtures_serve_themselves(void **state)
{
    (void)state;
    service_fixtures("pieces");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bee_fixtures_serve_themselves),
        cmocka_unit_test(openai_fixtures_serve_themselves),
        cmocka_unit_test(cairos_fixtures_serve_themselves),
        cmocka_unit_test(pieces_fixtures_serve_themselves),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
