/* placeholder until the lint command lands */
#include <stdio.h>
#include "cli.h"
int mk_cmd_lint(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "mockkit lint: not built yet\n");
    return 2;
}
