/* opts.h: the one option parser every `mockkit` subcommand uses, so they
 * all accept `--opt value` and `--opt=value`, stop at `--`, and word their
 * usage errors the same way (`unknown option --x`, `--out needs a value`).
 * Usage errors are exit status 2 in every command. */
#ifndef MOCKKIT_CLI_OPTS_H
#define MOCKKIT_CLI_OPTS_H

typedef struct mk_opt {
    const char *name;   /* "--out" */
    const char *alias;  /* short form such as "-H", or NULL */
    int takes_value;
} mk_opt;

typedef struct mk_opts {
    const char *cmd;    /* command name for messages ("record") */
    int argc;
    char **argv;
    int next;           /* index of the next argument */
    int only_args;      /* after "--" */
} mk_opts;

enum {
    MK_OPTS_END = -1,   /* no arguments left */
    MK_OPTS_ARG = -2,   /* a positional argument, in *value */
    MK_OPTS_ERROR = -3, /* a usage error, already printed on stderr */
};

/* argv[0] is the command name; parsing starts at argv[1]. */
void mk_opts_init(mk_opts *p, const char *cmd, int argc, char **argv);

/* The index in table (terminated by a NULL name) of the next option, with
 * its value in *value when it takes one; or one of MK_OPTS_*. */
int mk_opts_next(mk_opts *p, const mk_opt *table, const char **value);

/* Prints "mockkit CMD: <message>" on stderr and returns MK_OPTS_ERROR. */
int mk_opts_fail(const mk_opts *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A whole, non-negative decimal number. 0, or -1 (not printed). */
int mk_opts_long(const char *s, long *out);

/* A URL check shared by the network commands: empty, no scheme, or a scheme
 * not in `schemes` (space-separated, e.g. "http https") each get their own
 * message. Returns 0, or -1 after printing it. */
int mk_opts_url(const mk_opts *p, const char *url, const char *schemes);

#endif
