/* cairos.h: a small Cairos client on the mockkit client core: the
 * high-level API of CairosAI/cairos-python-client (login, threads, chat,
 * avatars, motions) plus an event-log handler like its CairosSSEHandler.
 *
 * Prefix: mk_cairos_. Every function returns MKC_OK or a negative mkc_status
 * and fills err (may be NULL) with what failed and the URL. Typed results
 * are caller-owned: release them with the matching _clear/_free (NULL ok).
 * A mk_cairos is not thread-safe; the event-log handler opens its own
 * connection and may run on another thread.
 */
#ifndef MOCKKIT_CAIROS_H
#define MOCKKIT_CAIROS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "mockkit/client.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The cookie that carries the Outseta access token, and the session cookie. */
#define MK_CAIROS_TOKEN_COOKIE "Outseta.nocode.accessToken"
#define MK_CAIROS_SESSION_COOKIE "cairos_session"

typedef struct mk_cairos mk_cairos;

/* POST {base_url}/login as a form (username, password, scope=""), take the
 * token from Set-Cookie Outseta.nocode.accessToken, then GET /session_id and
 * keep the answer as the cookie cairos_session. Afterwards every request
 * sends "Authorization: Bearer <token>" and both cookies. base_url includes
 * the /api prefix. A refused login is MKC_EHTTP with http_status 401 and the
 * server's {"detail": ...} in err->message. */
int mk_cairos_login(const char *base_url, const char *user, const char *password,
                    mk_cairos **out, mkc_error *err);
void mk_cairos_free(mk_cairos *c);

const char *mk_cairos_base_url(const mk_cairos *c);
const char *mk_cairos_token(const mk_cairos *c);    /* never NULL after login */
const char *mk_cairos_session(const mk_cairos *c);  /* NULL if none */
/* Replace the session id (the event log may hand out a new one). */
int mk_cairos_set_session(mk_cairos *c, const char *session);
/* "Outseta.nocode.accessToken=...; cairos_session=..." (points into c). */
const char *mk_cairos_cookie_header(const mk_cairos *c);
/* The REST connection, for calls this API does not wrap. */
mkc_http *mk_cairos_http(mk_cairos *c);

/* Find one cookie's value in one Set-Cookie header value (several cookies
 * joined with ", " are accepted, as httpx joins them). Writes a
 * NUL-terminated copy into out. Returns MKC_OK, MKC_EPROTOCOL if absent,
 * MKC_ETOOBIG if out is too small. */
int mk_cairos_cookie_from_set_cookie(const char *set_cookie, const char *name, char *out,
                                     size_t size);

/* ---- typed payloads (all strings owned, NULL when absent) ------------------ */

typedef struct mk_cairos_thread {  /* ChatThreadInList / ChatThreadPublic */
    char *id;
    char *user_id;       /* ChatThreadInList only */
    char *created_at;
    char *nice_name;
} mk_cairos_thread;
void mk_cairos_thread_clear(mk_cairos_thread *t);

typedef struct mk_cairos_thread_list {
    mk_cairos_thread *items;
    size_t count;
} mk_cairos_thread_list;
void mk_cairos_thread_list_clear(mk_cairos_thread_list *l);

typedef struct mk_cairos_avatar {  /* AvatarPublic */
    char *id;            /* hyphenated UUID */
    char *user_id;
    char *label;
} mk_cairos_avatar;
void mk_cairos_avatar_clear(mk_cairos_avatar *a);

typedef struct mk_cairos_avatar_list {
    mk_cairos_avatar *items;
    size_t count;
} mk_cairos_avatar_list;
void mk_cairos_avatar_list_clear(mk_cairos_avatar_list *l);

typedef struct mk_cairos_animation {  /* OrmAnimation (animation_success, export 202) */
    char *job_thread;
    char *job_trigger;   /* hyphenated UUID */
    char *user_id;
    char *created_at;
    char *filepath_gltf;
    char *filepath_bgeo;
    char *avatar_id;     /* optional */
} mk_cairos_animation;
void mk_cairos_animation_clear(mk_cairos_animation *a);
int mk_cairos_animation_from_json(const cJSON *j, mk_cairos_animation *out, mkc_error *err);

typedef struct mk_cairos_export {  /* Export (export_success) */
    char *job_thread;
    char *job_trigger;
    char *user_id;
    char *created_at;
    char *filepath;
} mk_cairos_export;
void mk_cairos_export_clear(mk_cairos_export *e);
int mk_cairos_export_from_json(const cJSON *j, mk_cairos_export *out, mkc_error *err);

typedef struct mk_cairos_chat_output {  /* ChatOutput */
    char *trigger_msg;   /* hyphenated UUID */
    char *btl_objs;
    cJSON *json;         /* the whole body (messages, animation, ...) */
} mk_cairos_chat_output;
void mk_cairos_chat_output_free(mk_cairos_chat_output *o);

typedef struct mk_cairos_motion {  /* cairos_types Motion */
    long sg_id;
    char *description;
    char *input;         /* a server path; not checked for existence */
    char *created_at;
    char *shot_description;
} mk_cairos_motion;

typedef struct mk_cairos_motions {  /* cairos_types Motions */
    char *key;
    mk_cairos_motion *entries;
    size_t count;
} mk_cairos_motions;
void mk_cairos_motions_free(mk_cairos_motions *m);

/* UUID "243bafdd-d97d-..." to the 32-hex form used in paths (uuid.hex).
 * Returns MKC_OK or MKC_EINVAL. */
int mk_cairos_uuid_hex(const char *uuid, char out[33]);

/* ---- REST ------------------------------------------------------------------ */

int mk_cairos_list_threads(mk_cairos *c, mk_cairos_thread_list *out, mkc_error *err);
int mk_cairos_create_thread(mk_cairos *c, mk_cairos_thread *out, mkc_error *err);  /* 201 */
int mk_cairos_get_thread_by_id(mk_cairos *c, const char *thread_id, mk_cairos_thread *out,
                               mkc_error *err);
/* POST /thread/{id}: answers and starts a sequencing job whose result comes
 * on the event log (animation_success / animation_error). */
int mk_cairos_send_chat(mk_cairos *c, const char *prompt, const char *thread_id,
                        mk_cairos_chat_output **out, mkc_error *err);
/* POST /thread/{id}/nosequence: the same answer, no job. */
int mk_cairos_request_motions_sequence(mk_cairos *c, const char *prompt, const char *thread_id,
                                       mk_cairos_chat_output **out, mkc_error *err);
int mk_cairos_list_avatars(mk_cairos *c, mk_cairos_avatar_list *out, mkc_error *err);
/* uuid in either form; sent as 32 hex. */
int mk_cairos_get_avatar(mk_cairos *c, const char *uuid, mk_cairos_avatar *out, mkc_error *err);
/* Raw bytes of GET /avatar/{uuid}/file; *data caller frees. */
int mk_cairos_get_avatar_file(mk_cairos *c, const char *uuid, unsigned char **data, size_t *len,
                              mkc_error *err);
/* POST /anim/{thread}/{trigger hex}/export: 202 OrmAnimation (out may be
 * NULL); the result comes on the event log (export_success / export_error). */
int mk_cairos_export_animation(mk_cairos *c, const char *thread_id, const char *trigger,
                               mk_cairos_animation *out, mkc_error *err);
/* GET /anim/{thread}/{trigger hex}/download: the zip; *data caller frees. */
int mk_cairos_download_animation(mk_cairos *c, const char *thread_id, const char *trigger,
                                 unsigned char **data, size_t *len, mkc_error *err);

/* The motions of the first message in out->json.messages that carries an
 * "artifact" (as the Python client at HEAD does). Shape choice: the artifact
 * is looked for at the top level of each message (flat LangChain dict,
 * Python client) and, failing that, in message.data.artifact (StoredMessage,
 * Houdini client). MKC_OK with *out NULL when no message has one;
 * MKC_EJSON when the artifact is not {key: str, entries: [Motion]}. */
int mk_cairos_motions_from_chat_output(const mk_cairos_chat_output *o, mk_cairos_motions **out,
                                       mkc_error *err);

/* ---- event log (GET /event_log) ------------------------------------------- */

typedef struct mk_cairos_sse mk_cairos_sse;

/* One event. json is the parsed data when the registration asked for it
 * (else NULL); data/len are the raw text. Return 0 to go on, nonzero to stop
 * the handler (mk_cairos_sse_run then returns MKC_EABORTED, as every callback
 * of the kit does). Pointers are valid only during the call. */
typedef int (*mk_cairos_sse_cb)(void *user, const char *event, const char *data, size_t len,
                                const cJSON *json);

/* Copies what it needs from c (URL, token, cookies): c may be used on
 * another thread meanwhile, but must not be freed before run starts. */
mk_cairos_sse *mk_cairos_sse_new(const mk_cairos *c);
void mk_cairos_sse_free(mk_cairos_sse *h);

/* Register a callback for one event name (byte-exact, e.g.
 * "animation_success"). parse_json: parse data first; data that is not
 * JSON then fails run with MKC_EJSON. Re-registering replaces. */
int mk_cairos_sse_register(mk_cairos_sse *h, const char *event, int parse_json,
                           mk_cairos_sse_cb cb, void *user);
/* Unregistered events: with cb NULL (the default) they stop run with
 * MKC_EPROTOCOL ("unknown event <name>"); otherwise cb gets them. */
void mk_cairos_sse_set_unknown_handler(mk_cairos_sse *h, mk_cairos_sse_cb cb, void *user);
/* Extra request header lines ("name: value"), e.g. a mock scenario switch. */
int mk_cairos_sse_add_header(mk_cairos_sse *h, const char *header_line);
/* Reconnect with Last-Event-ID after the stream ends, when the server sent
 * ids, at most max times (default 0: end like the Python handler). */
void mk_cairos_sse_set_resume(mk_cairos_sse *h, int max);

/* Connect and dispatch until a callback stops it, mk_cairos_sse_stop is
 * called, or the stream ends. Returns MKC_OK (clean end),
 * MKC_ETRUNCATED (cut inside an event; earlier events were delivered),
 * MKC_ECLOSED (connection dropped between events, not resumed),
 * MKC_EABORTED (a callback returned non-zero, or mk_cairos_sse_stop), MKC_EHTTP / MKC_ECONTENT_TYPE (bad
 * response), MKC_EPROTOCOL (unknown event), MKC_EJSON, or a transport
 * error. Call once per handler. */
int mk_cairos_sse_run(mk_cairos_sse *h, mkc_error *err);
/* Thread-safe; run returns within about a second (libcurl's progress
 * callback cadence while the stream is idle). */
void mk_cairos_sse_stop(mk_cairos_sse *h);
/* 1 once the response headers were accepted (the log is open). */
int mk_cairos_sse_is_open(const mk_cairos_sse *h);
/* Wait (bounded) until the log is open: MKC_OK; MKC_ECLOSED when run
 * returned without opening it (its result says why); MKC_ETIMEOUT;
 * MKC_EINVAL (h NULL). */
int mk_cairos_sse_wait_open(mk_cairos_sse *h, int timeout_ms);
/* Counters: events dispatched and comments (pings) skipped. */
size_t mk_cairos_sse_event_count(const mk_cairos_sse *h);
size_t mk_cairos_sse_comment_count(const mk_cairos_sse *h);
/* cairos_session set by the event-log response, or NULL. Valid until the
 * handler is freed; copy it into the client with mk_cairos_set_session. */
const char *mk_cairos_sse_session(const mk_cairos_sse *h);

#ifdef __cplusplus
}
#endif

#endif /* MOCKKIT_CAIROS_H */
