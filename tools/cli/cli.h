/* cli.h: the `mockkit` commands. Each takes the arguments after its name
 * (argv[0] is the command name) and returns the process exit status:
 * 0 success, 1 a failed check (lint errors, drift, failing suites),
 * 2 a usage or runtime error. `--help` on each prints its usage. */
#ifndef MOCKKIT_CLI_H
#define MOCKKIT_CLI_H

int mk_cmd_serve(int argc, char **argv);
int mk_cmd_lint(int argc, char **argv);
int mk_cmd_sse(int argc, char **argv);
int mk_cmd_ws(int argc, char **argv);
int mk_cmd_record(int argc, char **argv);
int mk_cmd_diff(int argc, char **argv);
int mk_cmd_check(int argc, char **argv);

/* 1 if argv holds -h or --help. */
int mk_cli_wants_help(int argc, char **argv);

#endif
