/* placeholder until the sse command lands */
#include <stdio.h>
#include "cli.h"
int mk_cmd_sse(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "mockkit sse: not built yet\n");
    return 2;
}
