/* serve_generic.h: `serve` for services mockkit has no profile for: any
 * folder of cassettes replayed as recorded (a generic mock: no key, no
 * cookie, no envelope of its own), named on the command line
 * (--service NAME=DIR[:PORT]) or found as an unknown folder of --fixtures. */
#ifndef MOCKKIT_CLI_SERVE_GENERIC_H
#define MOCKKIT_CLI_SERVE_GENERIC_H

#include "services.h"

#define MK_GENERIC_MAX 16

typedef struct mk_generic {
    char name[64];
    char dir[4096];
    int port;                 /* 0: any free port */
    mk_mock *mock;
    unsigned long long seen;  /* folder stamp at the last (re)load */
} mk_generic;

typedef struct mk_generics {
    mk_generic items[MK_GENERIC_MAX];
    size_t count;
} mk_generics;

/* NAME=DIR or NAME=DIR:PORT. Returns 0, or -1 with a message on stderr. */
int mk_generic_parse(mk_generics *g, const char *arg);
/* Every folder of fixtures that is not one of the four services and not
 * named already. Returns 0, or -1 when there are more than MK_GENERIC_MAX. */
int mk_generic_discover(mk_generics *g, const char *fixtures);
/* Start them with the plan's bind, speed, admin and limits. 0, or 2 with
 * a message (everything of g stopped). */
int mk_generic_start(mk_generics *g, const mk_serve_plan *p);
void mk_generic_stop(mk_generics *g);

/* What --watch compares: names, sizes and mtimes of dir's *.json files
 * folded into one number (0: unreadable). */
unsigned long long mk_folder_stamp(const char *dir);

#endif
