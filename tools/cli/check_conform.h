/* check_conform.h: `mockkit check --target live --conform`: the suites talk
 * to the live service through a recording proxy, and every payload the
 * session carried is then checked against models/<service>.json. */
#ifndef MOCKKIT_CHECK_CONFORM_H
#define MOCKKIT_CHECK_CONFORM_H

typedef struct mk_check_conform mk_check_conform;

/* Put a recording proxy in front of the live URL in environment variable
 * var and point var at it (keeping the URL's path, e.g. /v1). Returns NULL
 * with a message on stderr when the proxy cannot start. */
mk_check_conform *mk_check_conform_start(const char *service, const char *var,
                                         const char *models_dir, const char *workdir);

/* Stop the proxy, restore var, and check the recorded session against the
 * model, printing each payload that breaks it (or that no binding covers).
 * Returns the number of problems, or -1 (printed) when the check could not
 * run. Frees c. */
long mk_check_conform_finish(mk_check_conform *c);

#endif
