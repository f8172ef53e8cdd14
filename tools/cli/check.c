/* placeholder until the check command lands */
#include <stdio.h>
#include "cli.h"
int mk_cmd_check(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "mockkit check: not built yet\n");
    return 2;
}
