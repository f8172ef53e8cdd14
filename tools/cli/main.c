/* main.c: `mockkit <command>` dispatch. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"serve", mk_cmd_serve, "replay the fixtures of every service on its loopback port"},
    {"check", mk_cmd_check, "run the compatibility suites against the mocks or live services"},
    {"lint", mk_cmd_lint, "validate cassettes and scan them for secrets"},
    {"record", mk_cmd_record, "record a live service through a proxy into a cassette"},
    {"diff", mk_cmd_diff, "compare two cassettes structurally (drift report)"},
    {"sse", mk_cmd_sse, "print a server-sent event stream as JSON lines"},
    {"ws", mk_cmd_ws, "open a websocket and print its frames as JSON lines"},
};

int mk_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: mockkit <command> [options]   (mockkit <command> --help)\n\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-7s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "  %-7s %s\n", "version", "print the mockkit version");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    /* `mockkit version` is a command like the others; --version too. */
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("mockkit %s\n", MOCKKIT_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    if (argv[1][0] == '-')
        fprintf(stderr, "mockkit: unknown option %s\n\n", argv[1]);
    else
        fprintf(stderr, "mockkit: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
