/* lint_model.h: `mockkit lint` against the service models (models/<service>.json),
 * and the models folder the CLI uses. */
#ifndef MOCKKIT_LINT_MODEL_H
#define MOCKKIT_LINT_MODEL_H

#include <stddef.h>

/* The models folder: MOCKKIT_MODELS in the environment, else the source
 * tree's models/ (compiled in). */
const char *mk_lint_models_dir(void);

/* The service a cassette belongs to by its folder (.../<service>/x.json)
 * when models_dir has <service>.json; NULL otherwise. */
const char *mk_lint_service_for(const char *file, const char *models_dir, char *buf,
                                size_t size);

/* Receives each problem: file, pointer ("" when none) and message, so
 * `lint` prints it as "file: pointer: message" or adds it to its --json. */
typedef void (*mk_lint_report)(void *ctx, const char *file, const char *pointer,
                               const char *message);

/* Check every payload of the cassette file against models_dir/<service>.json,
 * reporting each problem as
 *   file, /interactions/N/..., interaction "id": /pointer: message [keyword; Type (x-source)]
 * (a payload no binding covers is a "warning: not checked: ..." and not
 * counted). Returns the number of problems, or -1 when the model or the
 * file cannot be loaded (reported). */
long mk_lint_models(const char *file, const char *service, const char *models_dir,
                    mk_lint_report report, void *ctx);

/* lint_faults.c: every "fault" of the cassette against the fault grammar
 * (docs/faults.md); returns the number of problems. */
long mk_lint_faults(const char *file, mk_lint_report report, void *ctx);

/* Frees the model kept between files. */
void mk_lint_models_done(void);

#endif
