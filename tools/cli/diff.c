/* placeholder until the diff command lands */
#include <stdio.h>
#include "cli.h"
int mk_cmd_diff(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "mockkit diff: not built yet\n");
    return 2;
}
