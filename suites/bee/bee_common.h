/* bee_common.h: what the Bee compatibility suites share: the target (embedded
 * mock or live), a fresh client per test, shape assertions, and the requests
 * of the shipped sessions (the same texts a live run would send). Every id is
 * taken from a response, never from the fixtures. */
#ifndef BEE_COMMON_H
#define BEE_COMMON_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "mockkit/bee.h"
#include "suite.h"

#define BEE_MODEL "meta-llama/llama-3-1-70b-instruct"
#define BEE_QUESTION "What is the unicode character U+1F41D? Create a haiku about it."
#define BEE_FN_QUESTION "Where am I right now? Answer with the city name only."
#define BEE_FN_OUTPUT "Prague, Czech Republic"
#define BEE_FAIL_QUESTION "Summarize the attached quarterly report."
#define BEE_CANCEL_QUESTION "Write a 2000 word essay about the history of beekeeping."
#define BEE_UNKNOWN_HEX "ffffffffffffffffffffffff"

/* Group state: the target; each test makes its own client from it. */
typedef struct bee_env {
    suite_target t;
} bee_env;

int bee_group_setup(void **state);
int bee_group_teardown(void **state);

/* A client for the target with its key (or key_override when not NULL;
 * "" = no key). Asserts on failure. Free with mk_bee_free. */
mk_bee *bee_client(const bee_env *env, const char *key_override);

/* Poll interval that suits the target: tiny for the mock, 500 ms live. */
long bee_poll_interval(const bee_env *env);

/* Fail the test with the client error when rc is not MKC_OK. */
#define BEE_OK(rc, err) bee_assert_ok((rc), &(err), __FILE__, __LINE__)
void bee_assert_ok(int rc, mkc_error *err, const char *file, int line);

/* Shape checks (all fail the test). */
const char *bee_str(const cJSON *obj, const char *key);            /* a string member */
void bee_assert_object(const cJSON *obj, const char *object);      /* "object" == object */
const char *bee_assert_id(const cJSON *obj, const char *prefix);   /* id = prefix_<24 hex> */
int bee_is_id(const char *s, const char *prefix);
/* Bee's list envelope: data[], has_more, total_count, first_id/last_id
 * (null when empty) and no "object". Returns data. */
const cJSON *bee_assert_list(const cJSON *page);

/* The sessions' requests. Each returns a new object (cJSON_Delete). */
cJSON *bee_create_assistant(mk_bee *b);           /* code_interpreter, seed model */
cJSON *bee_create_fn_assistant(mk_bee *b);        /* get_current_location function */
cJSON *bee_create_thread(mk_bee *b, const char *question);
cJSON *bee_run_params(const char *assistant_id);  /* {"assistant_id":…} */

/* Collected stream events (names and a copy of each data). */
typedef struct bee_events {
    char names[256][64];
    cJSON *data[256];
    size_t count;
} bee_events;

int bee_collect(void *user, const char *event, const cJSON *data);  /* an mk_bee_event_cb */
void bee_events_clear(bee_events *ev);
/* Index of the first event with this name at or after from, or -1. */
int bee_events_find(const bee_events *ev, const char *name, size_t from);

#endif
