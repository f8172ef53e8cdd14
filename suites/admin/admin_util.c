/* admin_util.c: see admin_util.h. */
#include "admin_util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suite.h"

char *au_cassette(const char *name, const char *path, const char *text)
{
    static const char fmt[] =
        "{\"mockkit_cassette\":1,\"meta\":{\"service\":\"generic\",\"name\":\"%s\","
        "\"description\":\"admin suite: one GET answered with a fixed text\","
        "\"created\":\"2026-11-30T10:00:00Z\",\"source\":{\"kind\":\"synthesized\","
        "\"refs\":[\"mockkit docs/cassette.md (the format itself)\"]}},"
        "\"interactions\":[{\"id\":\"get\",\"at_ms\":0,\"request\":{\"method\":\"GET\","
        "\"path\":\"%s\"},\"response\":{\"status\":200,\"headers\":{\"content-type\":"
        "\"text/plain\"},\"text\":\"%s\"}}]}";
    size_t n = sizeof(fmt) + strlen(name) + strlen(path) + strlen(text);
    char *s = malloc(n);
    assert_non_null(s);
    snprintf(s, n, fmt, name, path, text);
    return s;
}

void au_tmpdir(char *buf, size_t size)
{
    snprintf(buf, size, "/tmp/mockkit-admin-XXXXXX");
    assert_non_null(mkdtemp(buf));
}

void au_write(const char *dir, const char *file, const char *text)
{
    char path[512], tmp[520];
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    /* atomically, as an editor saving would: a reload never reads half a file */
    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, file);
    f = fopen(tmp, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(rename(tmp, path), 0);
}

void au_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];
    if (!d) {
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            unlink(path);
        }
    }
    closedir(d);
    rmdir(dir);
}

void au_admin(mk_mock *m, const char *method, const char *path, const char *body,
              const char *token, cu_resp *out)
{
    char url[512], tok[256];
    const char *headers[] = {"Content-Type: application/json", tok, NULL};
    snprintf(url, sizeof(url), "%s%s", mk_mock_url(m), path);
    snprintf(tok, sizeof(tok), "X-Mockkit-Admin-Token: %s", token ? token : "");
    if (!token) {
        headers[1] = NULL;
    }
    assert_int_equal(cu_request(method, url, headers, body, out), 0);
}

char *au_get(mk_mock *m, const char *path, long *status)
{
    char url[512];
    cu_resp r;
    char *body = NULL;
    snprintf(url, sizeof(url), "%s%s", mk_mock_url(m), path);
    assert_int_equal(cu_request("GET", url, NULL, NULL, &r), 0);
    *status = r.status;
    if (r.status == 200) {
        body = r.body;
        r.body = NULL;
    }
    cu_resp_free(&r);
    return body;
}
