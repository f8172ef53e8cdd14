/* openai.h: a small OpenAI Chat Completions client on the mockkit client
 * core, plus the stream "concat" helper that folds chunks into one message.
 *
 * Prefix: mk_openai_. Objects come from mk_openai_*_new and go to
 * mk_openai_*_free (NULL ok). Calls return MKC_OK or a negative mkc_status
 * and fill an mkc_error when one is passed. For an API error the message
 * reads "POST <url>: HTTP 401 invalid_request_error (invalid_api_key):
 * Incorrect API key provided: ..." and err->body keeps the raw body;
 * mk_openai_error_parse() gives the envelope's fields.
 */
#ifndef MOCKKIT_OPENAI_H
#define MOCKKIT_OPENAI_H

#include <cjson/cJSON.h>

#include "mockkit/client.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mk_openai mk_openai;

/* base_url includes the version prefix, e.g. "http://127.0.0.1:8080/v1"
 * (the SDKs' base_url). api_key is sent as "Authorization: Bearer <key>";
 * NULL or "" sends no Authorization header. NULL on bad input or ENOMEM. */
mk_openai *mk_openai_new(const char *base_url, const char *api_key);
void mk_openai_free(mk_openai *c);

/* The underlying connection, e.g. to change timeouts. Owned by c. */
mkc_http *mk_openai_http(mk_openai *c);

/* POST /chat/completions without streaming. request is the body (not
 * modified; "stream" is sent as the caller set it). On MKC_OK *out is the
 * parsed chat.completion (caller frees with cJSON_Delete). A non-2xx status
 * is MKC_EHTTP; a body that is not a JSON object is MKC_EJSON. */
int mk_openai_chat(mk_openai *c, const cJSON *request, cJSON **out, mkc_error *err);
/* The same with the body as a JSON string (it must parse). */
int mk_openai_chat_str(mk_openai *c, const char *request_json, cJSON **out, mkc_error *err);

/* Called once per chat.completion.chunk, in arrival order, as soon as its
 * event arrives. chunk is valid only during the call. Return 0 to go on,
 * nonzero to stop (the call then returns MKC_EABORTED). */
typedef int (*mk_openai_chunk_cb)(void *user, const cJSON *chunk);

/* POST /chat/completions with "stream": true (added or forced to true on a
 * copy of request) and deliver each chunk to on_chunk. Returns:
 *   MKC_OK          `data: [DONE]` arrived and the stream ended;
 *   MKC_ETRUNCATED  the stream ended without `data: [DONE]`;
 *   MKC_EHTTP       a non-200 status (err->http_status, err->body), or an
 *                   error event inside the stream: a data-only
 *                   {"error":{...}} event, or `event: error`, as the SDKs
 *                   raise them; err->message carries the error's message,
 *                   err->body the event's data, err->http_status 200;
 *   MKC_EJSON       an event whose data is not a JSON object (message names
 *                   the byte offset);
 *   MKC_EABORTED    on_chunk asked to stop;
 *   or a transport error from the core. */
int mk_openai_chat_stream(mk_openai *c, const cJSON *request, mk_openai_chunk_cb on_chunk,
                          void *user, mkc_error *err);
int mk_openai_chat_stream_str(mk_openai *c, const char *request_json,
                              mk_openai_chunk_cb on_chunk, void *user, mkc_error *err);

/* The fields of an OpenAI error envelope {"error":{message,type,param,code}}
 * found in err->body (HTTP errors and stream error events). Absent or null
 * fields are "". Returns MKC_OK, or MKC_EJSON if the body holds none. */
typedef struct mk_openai_api_error {
    char type[64];
    char code[64];
    char param[128];
    char message[512];
} mk_openai_api_error;

int mk_openai_error_parse(const mkc_error *err, mk_openai_api_error *out);

/* ---- concat: fold stream chunks into one chat.completion ---------------
 * Follows openai-node v4 ChatCompletionStream (#accumulateChatCompletion and
 * finalizeChatCompletion):
 *   - top-level keys of every chunk except choices overwrite the snapshot
 *     (id, created, model, system_fingerprint, usage, ...);
 *   - choices are keyed by index; finish_reason is set when non-null;
 *   - content and refusal are appended (empty strings change nothing);
 *     role is set when present;
 *   - tool_calls are keyed by their index: id and type set when present,
 *     function created as {name: name or "", arguments: ""}, name
 *     overwritten when present, arguments appended;
 *   - function_call: the first fragment is kept, then name overwritten when
 *     present and arguments appended;
 *   - logprobs content/refusal arrays are appended.
 * Unlike the SDK, unknown delta keys are copied onto the message instead of
 * throwing, so newer server fields do not break a test.
 * The result is {"id","object":"chat.completion","created","model",
 * "choices":[{"index","message":{"role","content","refusal",
 * "tool_calls"? | "function_call"?},"logprobs","finish_reason"}],
 * "usage"?, "system_fingerprint"? (only when non-empty), ...}, choices in
 * index order, tool_calls in index order; function_call wins over
 * tool_calls as in the SDK. Chunks with "choices": [] (the usage chunk) only
 * update the top-level keys. */
typedef struct mk_openai_concat mk_openai_concat;

mk_openai_concat *mk_openai_concat_new(void);
void mk_openai_concat_free(mk_openai_concat *cc);
/* Fold one parsed chunk. MKC_EINVAL if chunk is not an object, MKC_EJSON
 * if choices/delta/tool_calls have the wrong types (nothing is folded
 * then), MKC_ENOMEM. */
int mk_openai_concat_add_chunk(mk_openai_concat *cc, const cJSON *chunk);
/* The same for a chunk given as JSON text (a `data:` payload). */
int mk_openai_concat_add_json(mk_openai_concat *cc, const char *chunk_json);
/* Number of chunks folded so far. */
size_t mk_openai_concat_count(const mk_openai_concat *cc);
/* A new chat.completion object (caller frees), or NULL on ENOMEM or if no
 * chunk was added. Can be called at any time (a snapshot so far). */
cJSON *mk_openai_concat_result(const mk_openai_concat *cc);

#ifdef __cplusplus
}
#endif

#endif /* MOCKKIT_OPENAI_H */
