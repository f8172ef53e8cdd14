/* helpers.h: small helpers shared by the cassette suites. */
#ifndef MOCKKIT_CASSETTE_SUITE_HELPERS_H
#define MOCKKIT_CASSETTE_SUITE_HELPERS_H

#include <cjson/cJSON.h>

/* Parse text; fails the test when it is not JSON. Caller deletes. */
cJSON *h_json(const char *text);

/* Set (value_json != NULL) or delete (NULL) the member at RFC 6901 pointer
 * in doc. An array index equal to the size appends. Fails the test when
 * the parent does not exist. */
void h_set(cJSON *doc, const char *pointer, const char *value_json);

/* A fresh folder under TMPDIR (or /tmp); h_rmdir removes it and its files. */
void h_tmpdir(char *out, size_t size);
void h_rmdir(const char *dir);

/* Write text to dir/name; returns the path in out. */
const char *h_write(const char *dir, const char *name, const char *text, char *out,
                    size_t size);

/* Number of entries in dir whose name starts with '.' (temporary files). */
int h_hidden_entries(const char *dir);

#endif
