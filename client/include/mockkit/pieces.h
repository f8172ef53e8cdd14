/* pieces.h: a small Pieces OS client on the mockkit client core.
 *
 * Mirrors what the Pieces Python SDK's wrapper does (the "Build with Pieces"
 * workshop and its websockets guide): connect an application, the
 * well-known health and version, models, assets and conversations over REST,
 * and the websockets (/qgpt/stream, health, user, asset and conversation
 * identifier streams) with start/close/reconnect and callbacks.
 *
 * Prefix: mk_pieces_. Objects come from *_new and go to *_free (NULL ok).
 * Errors: MKC_OK or a negative mkc_status (client.h), with err filled when
 * given: a server that is not running is MKC_ECONNECT naming the URL; a
 * non-2xx answer MKC_EHTTP with the body; JSON where text was expected (or
 * the reverse) MKC_ECONTENT_TYPE; a body that is not the JSON expected
 * MKC_EJSON.
 * Threading: an mk_pieces may be used from several threads (its REST handle
 * is locked). Websocket callbacks run on that socket's reader thread; do not
 * call mk_pieces_ws_close/_reconnect/_free from inside a callback.
 */
#ifndef MOCKKIT_PIECES_H
#define MOCKKIT_PIECES_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "mockkit/client.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mk_pieces mk_pieces;

/* base_url: "http://127.0.0.1:39300" (no trailing path). NULL on a bad
 * argument or out of memory. */
mk_pieces *mk_pieces_new(const char *base_url);
/* Closes and frees every socket the caller has not freed, then p. */
void mk_pieces_free(mk_pieces *p);
/* Timeout for each REST call (default 10000 ms). */
void mk_pieces_set_timeout(mk_pieces *p, long ms);
const char *mk_pieces_base_url(const mk_pieces *p);

/* ---- REST ----------------------------------------------------------------- */

/* GET /.well-known/health: text/plain "ok:<uuid>". *text: caller frees. */
int mk_pieces_health(mk_pieces *p, char **text, mkc_error *err);
/* HEAD /.well-known/health, as the SDK's port scan does: MKC_OK on 200. */
int mk_pieces_health_probe(mk_pieces *p, mkc_error *err);
/* GET /.well-known/version: text/plain "12.x.y". *version: caller frees. */
int mk_pieces_version(mk_pieces *p, char **version, mkc_error *err);

/* POST /connect with a SeededConnectorConnection {application:{name,
 * platform, version}} (e.g. "OPEN_SOURCE", "LINUX", "1.0.0"). Keeps the
 * returned Application; later REST calls carry the header
 * "application: <id>" as the SDK's do. context (optional) receives the whole
 * Context (caller frees with cJSON_Delete). */
int mk_pieces_connect(mk_pieces *p, const char *name, const char *platform,
                      const char *version, cJSON **context, mkc_error *err);
/* The connected application's id, or NULL before a successful connect.
 * Valid until the next connect or mk_pieces_free. */
const char *mk_pieces_application_id(const mk_pieces *p);

/* GET path (relative to the base URL, may hold a query) and parse the
 * application/json body. *out: caller frees with cJSON_Delete. */
int mk_pieces_get_json(mk_pieces *p, const char *path, cJSON **out, mkc_error *err);

int mk_pieces_models(mk_pieces *p, cJSON **out, mkc_error *err);        /* Models */
int mk_pieces_user(mk_pieces *p, cJSON **out, mkc_error *err);          /* ReturnedUserProfile */
int mk_pieces_applications(mk_pieces *p, cJSON **out, mkc_error *err);  /* Applications */
int mk_pieces_assets(mk_pieces *p, cJSON **out, mkc_error *err);        /* Assets */
int mk_pieces_asset(mk_pieces *p, const char *id, cJSON **out, mkc_error *err);
int mk_pieces_conversations(mk_pieces *p, cJSON **out, mkc_error *err); /* Conversations */
int mk_pieces_conversation(mk_pieces *p, const char *id, cJSON **out, mkc_error *err);
int mk_pieces_message(mk_pieces *p, const char *id, cJSON **out, mkc_error *err);

/* The first model in a Models document whose `key` (e.g. "name", "unique")
 * equals value, or NULL. Points into models. */
const cJSON *mk_pieces_models_find(const cJSON *models, const char *key, const char *value);

/* POST /assets/create with a Seed of the connected application holding
 * raw text (ext: "py", "sh", ... or NULL). Needs mk_pieces_connect first
 * (MKC_EINVAL otherwise). *asset: the created Asset, caller frees. */
int mk_pieces_asset_create(mk_pieces *p, const char *raw, const char *ext, cJSON **asset,
                           mkc_error *err);
/* POST /assets/{id}/delete. */
int mk_pieces_asset_delete(mk_pieces *p, const char *id, mkc_error *err);
/* POST /conversations/create {"name":name,"type":"COPILOT"} (name may be
 * NULL). *conversation: caller frees. */
int mk_pieces_conversation_create(mk_pieces *p, const char *name, cJSON **conversation,
                                  mkc_error *err);
/* POST /conversations/{id}/delete. */
int mk_pieces_conversation_delete(mk_pieces *p, const char *id, mkc_error *err);
/* POST /os/sign_out (the user stream then reports a logout). */
int mk_pieces_sign_out(mk_pieces *p, mkc_error *err);

/* ---- websockets ------------------------------------------------------------ */

typedef enum mk_pieces_ws_kind {
    MK_PIECES_WS_ASK = 0,         /* /qgpt/stream */
    MK_PIECES_WS_HEALTH,          /* /.well-known/stream/health */
    MK_PIECES_WS_AUTH,            /* /user/stream */
    MK_PIECES_WS_ASSETS,          /* /assets/stream/identifiers */
    MK_PIECES_WS_CONVERSATIONS    /* /conversations/stream/identifiers */
} mk_pieces_ws_kind;

/* The default path of a kind. */
const char *mk_pieces_ws_path(mk_pieces_ws_kind kind);

/* One QGPTStreamOutput frame, as parsed. Strings are valid only during the
 * callback; absent strings are NULL. */
typedef struct mk_pieces_answer {
    const char *status;         /* "IN-PROGRESS", "COMPLETED", "FAILED", "STOPPED", ... */
    const char *conversation;   /* required by the protocol in every frame */
    const char *request;        /* server correlation id, if any */
    const char *text;           /* the answers' text deltas of this frame joined ("" if none) */
    int has_answers;            /* 1 if the frame carried question.answers */
    double score;               /* the first answer's score (0 if none) */
    const char *error_message;  /* errorMessage (FAILED) */
    int status_code;            /* statusCode, 0 if absent */
    const cJSON *frame;         /* the whole frame */
} mk_pieces_answer;

typedef struct mk_pieces_ws_callbacks {
    void (*on_open)(void *user);
    /* The socket ended (server close, transport failure, or our close):
     * close code (1006 without a close frame) and reason. */
    void (*on_close)(void *user, int code, const char *reason);
    /* MK_PIECES_WS_ASK: every frame, in order. */
    void (*on_answer)(void *user, const mk_pieces_answer *a);
    /* MK_PIECES_WS_HEALTH: each text frame ("OK" when healthy). */
    void (*on_health)(void *user, const char *text, size_t len);
    /* MK_PIECES_WS_AUTH: the UserProfile, or NULL when logged out (a frame
     * that is not a JSON object, such as `null`). */
    void (*on_profile)(void *user, const cJSON *profile);
    /* Identifier streams: the first frame after connect is the snapshot (the
     * full list, in arrival order). */
    void (*on_snapshot)(void *user, const char *const *ids, size_t count);
    /* Identifier streams: an id to (re)load: every snapshot id, then every id
     * a later frame sends without deleted:true. object is the fetched Asset or
     * Conversation when fetching is on (see mk_pieces_ws_set_fetch), else
     * NULL (also NULL when the fetch failed). */
    void (*on_update)(void *user, const char *id, const cJSON *object);
    /* Identifier streams: an id sent with deleted:true. */
    void (*on_remove)(void *user, const char *id);
    /* A frame that could not be understood (not JSON, missing fields). */
    void (*on_error)(void *user, const char *message);
    void *user;
} mk_pieces_ws_callbacks;

typedef struct mk_pieces_ws mk_pieces_ws;

/* A socket of p (not yet connected). cb is copied; NULL means no callbacks.
 * p keeps track of it for mk_pieces_reconnect_all/_close_all. */
mk_pieces_ws *mk_pieces_ws_new(mk_pieces *p, mk_pieces_ws_kind kind,
                               const mk_pieces_ws_callbacks *cb);
/* Close if open, unregister from p, free. NULL ok. */
void mk_pieces_ws_free(mk_pieces_ws *ws);
/* Use another path (may hold a query) for later starts. */
int mk_pieces_ws_set_path(mk_pieces_ws *ws, const char *path);
/* Identifier streams: GET each id's object before on_update (as the SDK's
 * cache does), over the socket's own REST handle. Default off. */
void mk_pieces_ws_set_fetch(mk_pieces_ws *ws, int on);

/* Connect; returns once the handshake is done (no-op when running). The
 * identifier cache and its initialized flag start over. */
int mk_pieces_ws_start(mk_pieces_ws *ws, mkc_error *err);
/* Close (bounded wait) if open. */
void mk_pieces_ws_close(mk_pieces_ws *ws);
/* Close, then start. */
int mk_pieces_ws_reconnect(mk_pieces_ws *ws, mkc_error *err);
/* 1 while connected. A socket the server closed is not running, so start
 * (or reconnect) opens a new one (unlike the Python SDK, whose flag sticks). */
int mk_pieces_ws_is_running(const mk_pieces_ws *ws);
/* Wait until the socket has ended: MKC_OK (also when none was started), or
 * MKC_ETIMEOUT when timeout_ms passed first. */
int mk_pieces_ws_wait_closed(mk_pieces_ws *ws, int timeout_ms);

/* Identifier streams: wait (bounded) until the snapshot frame has been
 * handled: MKC_OK, MKC_ETIMEOUT, or MKC_EINVAL (ws NULL). */
int mk_pieces_ws_wait_initialized(mk_pieces_ws *ws, int timeout_ms);
/* Identifier streams: a copy of the cached ids: snapshot order, newer ids
 * (not seen before) prepended, deleted ones removed. Free with
 * mk_pieces_ids_free. */
int mk_pieces_ws_ids(mk_pieces_ws *ws, char ***ids, size_t *count);
void mk_pieces_ids_free(char **ids, size_t count);

/* Reconnect every socket of p that was started (running or dropped by the
 * server). Returns the first error, after trying all. */
int mk_pieces_reconnect_all(mk_pieces *p, mkc_error *err);
/* Close every open socket of p. */
void mk_pieces_close_all(mk_pieces *p);

/* ---- /qgpt/stream ------------------------------------------------------------ */

typedef enum mk_pieces_input_form {
    MK_PIECES_INPUT_QUESTION = 0,  /* legacy: {"question":{query,...},"conversation"?} */
    MK_PIECES_INPUT_RELEVANCE      /* SDK 5 / CLI: {"relevance":{query,...,
                                      "options":{"question":true}},"conversation"?} */
} mk_pieces_input_form;

typedef struct mk_pieces_question {
    const char *query;         /* required */
    const char *conversation;  /* NULL: the server starts a new conversation */
    const char *model;         /* model id, or NULL to omit */
    const char *application;   /* NULL: the connected application's id if any */
    mk_pieces_input_form form;
} mk_pieces_question;

/* Send a QGPTStreamInput on an MK_PIECES_WS_ASK socket, starting it first if
 * needed. Answers arrive through on_answer. */
int mk_pieces_ask(mk_pieces_ws *ws, const mk_pieces_question *q, mkc_error *err);
/* Send {"conversation":id,"stop":true} (id may be NULL). */
int mk_pieces_ask_stop(mk_pieces_ws *ws, const char *conversation, mkc_error *err);

#ifdef __cplusplus
}
#endif

#endif /* MOCKKIT_PIECES_H */
