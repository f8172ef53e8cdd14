/* placeholder until the record command lands */
#include <stdio.h>
#include "cli.h"
int mk_cmd_record(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "mockkit record: not built yet\n");
    return 2;
}
