/* helpers.c: see helpers.h. */
#include "helpers.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

cJSON *h_json(const char *text)
{
    cJSON *v = cJSON_Parse(text);
    if (!v)
        fail_msg("test JSON does not parse: %s", text);
    return v;
}

/* Unescape one RFC 6901 reference token [b, e) into out. */
static void token(const char *b, const char *e, char *out, size_t size)
{
    size_t n = 0;
    for (; b < e && n + 1 < size; b++) {
        if (*b == '~' && b + 1 < e && (b[1] == '0' || b[1] == '1')) {
            out[n++] = b[1] == '0' ? '~' : '/';
            b++;
        } else {
            out[n++] = *b;
        }
    }
    out[n] = '\0';
}

void h_set(cJSON *doc, const char *pointer, const char *value_json)
{
    cJSON *node = doc;
    const char *p = pointer;
    char tok[128];
    for (;;) {
        assert_true(*p == '/');
        const char *next = strchr(p + 1, '/');
        const char *end = next ? next : p + strlen(p);
        token(p + 1, end, tok, sizeof tok);
        if (!next) {
            cJSON *value = value_json ? h_json(value_json) : NULL;
            if (cJSON_IsArray(node)) {
                int i = atoi(tok);
                if (!value)
                    cJSON_DeleteItemFromArray(node, i);
                else if (i == cJSON_GetArraySize(node))
                    cJSON_AddItemToArray(node, value);
                else
                    cJSON_ReplaceItemInArray(node, i, value);
            } else {
                assert_true(cJSON_IsObject(node));
                if (!value)
                    cJSON_DeleteItemFromObjectCaseSensitive(node, tok);
                else if (cJSON_GetObjectItemCaseSensitive(node, tok))
                    cJSON_ReplaceItemInObjectCaseSensitive(node, tok, value);
                else
                    cJSON_AddItemToObject(node, tok, value);
            }
            return;
        }
        node = cJSON_IsArray(node) ? cJSON_GetArrayItem(node, atoi(tok))
                                   : cJSON_GetObjectItemCaseSensitive(node, tok);
        if (!node)
            fail_msg("no parent for %s at %s", pointer, tok);
        p = next;
    }
}

void h_tmpdir(char *out, size_t size)
{
    const char *base = getenv("TMPDIR");
    snprintf(out, size, "%s/mockkit-cassette-XXXXXX", base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(out));
}

void h_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) != 0)
            h_rmdir(path);
    }
    closedir(d);
    rmdir(dir);
}

const char *h_write(const char *dir, const char *name, const char *text, char *out,
                    size_t size)
{
    snprintf(out, size, "%s/%s", dir, name);
    FILE *f = fopen(out, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
    return out;
}

int h_hidden_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}
