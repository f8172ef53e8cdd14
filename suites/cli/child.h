/* child.h: run bin/mockkit as a user would (a child process) and read back
 * its exit status and what it printed. */
#ifndef MOCKKIT_CLI_CHILD_H
#define MOCKKIT_CLI_CHILD_H

#include <stddef.h>

#define MOCKKIT MOCKKIT_BINARY_DIR "/bin/mockkit"

/* Runs argv (bin/mockkit, or argv[0] when it is an absolute path) with stdout in out_text and stderr in
 * err_text (either may be NULL); waits at most 30 s. Returns the exit
 * status, 128+signal, or -1 when it had to be killed. */
int child_run(char *const argv[], char *out_text, size_t out_size, char *err_text,
              size_t err_size);

#endif
