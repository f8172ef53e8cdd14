/* bee.h: a small client for the Bee API (i-am-bee/bee-api), the
 * OpenAI-Assistants-compatible REST + SSE service, on the mockkit client core.
 *
 * Prefix: mk_bee_.
 * Ownership: every cJSON **out is a new object the caller frees with
 * cJSON_Delete (NULL on failure). const cJSON * parameters are borrowed and
 * not kept. Strings passed in are copied where kept.
 * Errors: functions return MKC_OK (0) or a negative mkc_status and, when err
 * is not NULL, fill it. For an HTTP error (MKC_EHTTP) err->http_status is the
 * status, err->body the raw body, and err->message reads
 *   "bee: 404 not_found: Thread not found ({ id: '…' }) [GET http://…/v1/threads/…]"
 * mk_bee_error_code() gives the Bee error.code ("not_found", "auth_error", …).
 * Threading: one mk_bee per thread (it owns one reused connection).
 */
#ifndef MOCKKIT_BEE_H
#define MOCKKIT_BEE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "mockkit/client.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mk_bee mk_bee;

/* base_url is the API base including /v1, e.g. "http://127.0.0.1:4000/v1"
 * (what the OpenAI SDKs take as baseURL). api_key NULL or "" sends no
 * Authorization header. Returns NULL on bad arguments or ENOMEM. */
mk_bee *mk_bee_new(const char *base_url, const char *api_key);
void mk_bee_free(mk_bee *b);

/* Timeout of non-streaming calls (default 30000 ms). */
void mk_bee_set_timeout(mk_bee *b, long ms);

/* Bee's error.code of an MKC_EHTTP error, copied into buf ("" if the body
 * is not a Bee error envelope). Returns buf. */
const char *mk_bee_error_code(const mkc_error *err, char *buf, size_t size);

/* Any JSON route (Bee extensions, retrieves this header does not wrap).
 * path is relative to base_url and may hold a query; body may be NULL. */
int mk_bee_request(mk_bee *b, const char *method, const char *path, const cJSON *body,
                   cJSON **out, mkc_error *err);

/* ---- lists ------------------------------------------------------------- */

/* Pagination query (all optional: 0 / NULL leave a parameter out). Bee's
 * list envelope is {"data":[…],"first_id","last_id","has_more","total_count"}. */
typedef struct mk_bee_page {
    int limit;            /* 1..100 */
    const char *after;    /* object id */
    const char *before;   /* object id */
    const char *order;    /* "asc" | "desc" (Bee's default: desc) */
} mk_bee_page;

/* ---- assistants, threads, messages ------------------------------------- */

/* params: {"model":…, "tools":[…], …} as Bee takes it. */
int mk_bee_assistant_create(mk_bee *b, const cJSON *params, cJSON **out, mkc_error *err);
int mk_bee_assistant_retrieve(mk_bee *b, const char *assistant_id, cJSON **out, mkc_error *err);
int mk_bee_assistant_list(mk_bee *b, const mk_bee_page *page, cJSON **out, mkc_error *err);

/* params may be NULL (an empty thread) or {"messages":[{"role","content"}], …}. */
int mk_bee_thread_create(mk_bee *b, const cJSON *params, cJSON **out, mkc_error *err);
int mk_bee_thread_retrieve(mk_bee *b, const char *thread_id, cJSON **out, mkc_error *err);

/* role "user" or "assistant"; content is plain text. */
int mk_bee_message_create(mk_bee *b, const char *thread_id, const char *role,
                          const char *content, cJSON **out, mkc_error *err);
int mk_bee_message_list(mk_bee *b, const char *thread_id, const mk_bee_page *page, cJSON **out,
                        mkc_error *err);

/* ---- runs -------------------------------------------------------------- */

/* params: {"assistant_id":…, …}. A "stream" key in params is refused
 * (MKC_EINVAL): use mk_bee_run_stream. */
int mk_bee_run_create(mk_bee *b, const char *thread_id, const cJSON *params, cJSON **out,
                      mkc_error *err);
int mk_bee_run_retrieve(mk_bee *b, const char *thread_id, const char *run_id, cJSON **out,
                        mkc_error *err);
/* Returns the run, whose status is then "cancelling" (Bee answers 400
 * invalid_input unless the run is in_progress or requires_action). */
int mk_bee_run_cancel(mk_bee *b, const char *thread_id, const char *run_id, cJSON **out,
                      mkc_error *err);

/* 1 for requires_action, cancelled, completed, failed, expired, incomplete. */
int mk_bee_run_status_is_terminal(const char *status);

typedef struct mk_bee_poll_options {
    long interval_ms;      /* between retrieves; 0 = 1000 */
    long timeout_ms;       /* give up (MKC_ETIMEOUT) after this; 0 = 120000 */
    const char *stop_at;   /* also stop at this status (e.g. "in_progress"), or NULL */
    /* Called with every retrieved run (borrowed, valid during the call). */
    void (*on_run)(void *user, const cJSON *run);
    void *user;
} mk_bee_poll_options;

/* Retrieve the run until its status is terminal (or stop_at), like the
 * SDKs' runs.poll. opts may be NULL. *out is the last run retrieved. */
int mk_bee_run_poll(mk_bee *b, const char *thread_id, const char *run_id,
                    const mk_bee_poll_options *opts, cJSON **out, mkc_error *err);

/* One streamed event: name ("thread.run.created", …, "done", "error") and
 * its data parsed as JSON (done's data is the JSON string "[DONE]"). Both
 * are borrowed, valid only during the call. Return 0 to go on, nonzero to
 * stop (the call then returns MKC_EABORTED). */
typedef int (*mk_bee_event_cb)(void *user, const char *event, const cJSON *data);

/* Stream options; NULL = defaults. */
typedef struct mk_bee_stream_options {
    long idle_timeout_ms;  /* no bytes for this long: MKC_ETIMEOUT; 0 = 120000 */
} mk_bee_stream_options;

/* POST …/runs with params + "stream":true and deliver events as they arrive.
 * Returns MKC_OK after the `done` event, MKC_ETRUNCATED if the stream ended
 * without `done`, MKC_EJSON if an event's data is not JSON, MKC_EABORTED if
 * cb stopped it, or the HTTP/transport error. */
int mk_bee_run_stream(mk_bee *b, const char *thread_id, const cJSON *params,
                      const mk_bee_stream_options *opts, mk_bee_event_cb cb, void *user,
                      mkc_error *err);

/* tool_outputs: [{"tool_call_id":…, "output":"…"}]. Returns the run. */
int mk_bee_run_submit_tool_outputs(mk_bee *b, const char *thread_id, const char *run_id,
                                   const cJSON *tool_outputs, cJSON **out, mkc_error *err);
/* Same with "stream":true: a new stream that continues the run. */
int mk_bee_run_submit_tool_outputs_stream(mk_bee *b, const char *thread_id, const char *run_id,
                                          const cJSON *tool_outputs,
                                          const mk_bee_stream_options *opts, mk_bee_event_cb cb,
                                          void *user, mkc_error *err);

int mk_bee_run_steps_list(mk_bee *b, const char *thread_id, const char *run_id,
                          const mk_bee_page *page, cJSON **out, mkc_error *err);

/* GET …/runs/:run_id/trace → {"id":"<trace id>","iterations":[…]}. */
int mk_bee_run_trace(mk_bee *b, const char *thread_id, const char *run_id, cJSON **out,
                     mkc_error *err);
/* GET /observe/v1/traces/:id?include_tree=… on the same host (the observe
 * proxy sits beside /v1, not under it). */
int mk_bee_observe_trace(mk_bee *b, const char *trace_id, int include_tree, cJSON **out,
                         mkc_error *err);

/* ---- files, vector stores, tools --------------------------------------- */

/* POST /files as multipart (purpose, file). purpose NULL = "assistants";
 * content_type NULL = "application/octet-stream". Returns the file object. */
int mk_bee_file_upload(mk_bee *b, const char *filename, const void *data, size_t len,
                       const char *content_type, const char *purpose, cJSON **out,
                       mkc_error *err);
/* GET /files/:id/content: the raw bytes in *data (caller frees; NUL-terminated
 * one past *len for convenience). */
int mk_bee_file_content(mk_bee *b, const char *file_id, char **data, size_t *len,
                        mkc_error *err);

/* params: {"name":…, "file_ids"?:[…], …}. */
int mk_bee_vector_store_create(mk_bee *b, const cJSON *params, cJSON **out, mkc_error *err);
int mk_bee_vector_store_file_add(mk_bee *b, const char *vector_store_id, const char *file_id,
                                 cJSON **out, mkc_error *err);

int mk_bee_tool_list(mk_bee *b, const mk_bee_page *page, cJSON **out, mkc_error *err);
/* params: {"source_code":…} | {"open_api_schema":…} | {"name","description","parameters"}. */
int mk_bee_tool_create(mk_bee *b, const cJSON *params, cJSON **out, mkc_error *err);

#ifdef __cplusplus
}
#endif

#endif /* MOCKKIT_BEE_H */
