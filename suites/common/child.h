/* child.h: the one way suites run the `mockkit` CLI (or another program) as
 * a user would, as a child process: stdin from /dev/null, stdout and stderr
 * captured to files, every wait bounded, the child killed when a bound runs
 * out. Prefix suite_child_. */
#ifndef MOCKKIT_SUITE_CHILD_H
#define MOCKKIT_SUITE_CHILD_H

#include <stddef.h>
#include <sys/types.h>

/* The build tree's mockkit. */
#define SUITE_MOCKKIT MOCKKIT_BINARY_DIR "/bin/mockkit"

typedef struct suite_child {
    pid_t pid;            /* 0 once reaped */
    int status;           /* after suite_child_wait: exit status, 128+signal, -1 killed */
    char out_path[64];    /* captured stdout */
    char err_path[64];    /* captured stderr */
} suite_child;

/* Start argv: argv[0] an absolute path runs that program, anything else the
 * build tree's mockkit (argv[0] is passed on as given). 0, or -1 (nothing
 * to clean up). */
int suite_child_start(suite_child *c, const char *const argv[]);
/* Wait until stdout or stderr holds needle: 0, or -1 when the child exited
 * without printing it or timeout_ms passed (the child keeps running). */
int suite_child_wait_output(suite_child *c, const char *needle, int timeout_ms);
/* What it printed so far on fd 1 or 2, NUL-terminated, its length in *len
 * (NULL ok; the text may hold NUL). Caller frees; NULL only without memory. */
char *suite_child_output(const suite_child *c, int fd, size_t *len);
/* Wait for the exit: its status (also in c->status), or -1 after timeout_ms
 * (the child is killed and reaped). */
int suite_child_wait(suite_child *c, int timeout_ms);
/* Send sig (e.g. SIGINT, as Ctrl-C) and suite_child_wait. */
int suite_child_signal_wait(suite_child *c, int sig, int timeout_ms);
/* Kill a child still running and remove the captured files. */
void suite_child_cleanup(suite_child *c);

/* Run argv to the end (at most 30 s): stdout into out_text and stderr into
 * err_text (either may be NULL), truncated to their sizes. Returns the exit
 * status, 128+signal, or -1 when it could not start or had to be killed. */
int suite_child_run(const char *const argv[], char *out_text, size_t out_size, char *err_text,
                    size_t err_size);

/* Run a shell command line (/bin/sh -c cmd) to the end, at most timeout_ms:
 * for suites that compose a command with quoting and redirections (append
 * "2>&1" to read both streams in the order written). Its stdout into out
 * (may be NULL); the exit status as suite_child_run's. */
int suite_child_shell(const char *cmd, int timeout_ms, char *out, size_t out_size);

#endif /* MOCKKIT_SUITE_CHILD_H */
