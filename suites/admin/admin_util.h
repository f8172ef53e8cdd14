/* admin_util.h: cassettes made up for the admin suites, written to a
 * temporary folder, and admin requests. */
#ifndef MOCKKIT_ADMIN_UTIL_H
#define MOCKKIT_ADMIN_UTIL_H

#include "core_util.h"

/* A generic cassette named name answering GET path with 200 and text.
 * Returned string is malloc'd. */
char *au_cassette(const char *name, const char *path, const char *text);

/* A temporary folder (mkdtemp), and writing/removing files in it. */
void au_tmpdir(char *buf, size_t size);
void au_write(const char *dir, const char *file, const char *text);
void au_rmdir(const char *dir);

/* An admin request to mock m (path under the mock's URL); token may be
 * NULL. Asserts on transport failure. */
void au_admin(mk_mock *m, const char *method, const char *path, const char *body,
              const char *token, cu_resp *out);

/* GET url+path: the body of a 200, or NULL (status in *status). Caller frees. */
char *au_get(mk_mock *m, const char *path, long *status);

#endif
