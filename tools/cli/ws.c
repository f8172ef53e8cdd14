/* placeholder until the ws command lands */
#include <stdio.h>
#include "cli.h"
int mk_cmd_ws(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "mockkit ws: not built yet\n");
    return 2;
}
