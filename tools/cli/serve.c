/* placeholder until the serve command lands */
#include <stdio.h>
#include "cli.h"
int mk_cmd_serve(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "mockkit serve: not built yet\n");
    return 2;
}
