/* pieces_ws.c: the Pieces OS websockets (ask, health, auth, identifier
 * streams) on the client core's websocket, with the SDK's lifecycle:
 * start, close, reconnect, and the identifier cache whose first frame is
 * the snapshot. */
#include "pieces_internal.h"
#include "kit.h"  /* mkc__strdup, monotonic deadlines */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "mockkit/cassette.h"

struct mk_pieces_ws {
    mk_pieces *p;
    mk_pieces_ws *next;          /* p's list, guarded by p->reg_mu */
    mk_pieces_ws_kind kind;
    mk_pieces_ws_callbacks cb;
    char *path;
    int fetch;
    int started;                 /* start was called at least once */
    mkc_ws *conn;                /* owned by the caller's thread (start/close/free) */
    mkc_http *fetch_http;        /* used only on the reader thread */

    pthread_mutex_t mu;          /* guards everything below */
    pthread_cond_t cond;
    int initialized;
    int first_shot;
    char **ids;
    size_t n, cap;
};

static const char *const default_paths[] = {
    [MK_PIECES_WS_ASK] = "/qgpt/stream",
    [MK_PIECES_WS_HEALTH] = "/.well-known/stream/health",
    [MK_PIECES_WS_AUTH] = "/user/stream",
    [MK_PIECES_WS_ASSETS] = "/assets/stream/identifiers",
    [MK_PIECES_WS_CONVERSATIONS] = "/conversations/stream/identifiers",
};

const char *mk_pieces_ws_path(mk_pieces_ws_kind kind)
{
    if ((int)kind < 0 || (size_t)kind >= sizeof default_paths / sizeof default_paths[0])
        return NULL;
    return default_paths[kind];
}

/* on_error with "<path>: <what>: <first bytes of data>". */
static void report(mk_pieces_ws *ws, const char *what, const char *data, size_t len)
{
    if (!ws->cb.on_error)
        return;
    char msg[512];
    snprintf(msg, sizeof msg, "%s: %s: %.*s", ws->path, what, (int)(len > 200 ? 200 : len),
             data ? data : "");
    ws->cb.on_error(ws->cb.user, msg);
}

/* ---- id cache (ws->mu held) ------------------------------------------------------ */

static void ids_clear(mk_pieces_ws *ws)
{
    for (size_t i = 0; i < ws->n; i++)
        free(ws->ids[i]);
    ws->n = 0;
}

static long ids_find(const mk_pieces_ws *ws, const char *id)
{
    for (size_t i = 0; i < ws->n; i++)
        if (strcmp(ws->ids[i], id) == 0)
            return (long)i;
    return -1;
}

/* Insert at pos (0 = front, n = back). Returns 0 or -1 on ENOMEM. */
static int ids_insert(mk_pieces_ws *ws, size_t pos, const char *id)
{
    if (ws->n == ws->cap) {
        size_t cap = ws->cap ? ws->cap * 2 : 16;
        char **nids = realloc(ws->ids, cap * sizeof *nids);
        if (!nids)
            return -1;
        ws->ids = nids;
        ws->cap = cap;
    }
    char *copy = mkc__strdup(id);
    if (!copy)
        return -1;
    memmove(ws->ids + pos + 1, ws->ids + pos, (ws->n - pos) * sizeof *ws->ids);
    ws->ids[pos] = copy;
    ws->n++;
    return 0;
}

static void ids_remove(mk_pieces_ws *ws, const char *id)
{
    long i = ids_find(ws, id);
    if (i < 0)
        return;
    free(ws->ids[i]);
    memmove(ws->ids + i, ws->ids + i + 1, (ws->n - (size_t)i - 1) * sizeof *ws->ids);
    ws->n--;
}

/* ---- frame handlers (reader thread) ------------------------------------------------ */

static const char *json_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void handle_answer(mk_pieces_ws *ws, const char *data, size_t len)
{
    cJSON *frame = mk_json_parse_bounded(data, len, NULL);
    if (!cJSON_IsObject(frame)) {
        report(ws, "frame is not a JSON object", data, len);
        cJSON_Delete(frame);
        return;
    }
    mk_pieces_answer a;
    memset(&a, 0, sizeof a);
    a.frame = frame;
    a.status = json_str(frame, "status");
    a.conversation = json_str(frame, "conversation");
    a.request = json_str(frame, "request");
    a.error_message = json_str(frame, "errorMessage");
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(frame, "statusCode");
    if (cJSON_IsNumber(code))
        a.status_code = code->valueint;

    /* question.answers.iterable[].text are deltas; join this frame's. */
    const cJSON *question = cJSON_GetObjectItemCaseSensitive(frame, "question");
    const cJSON *answers = cJSON_GetObjectItemCaseSensitive(question, "answers");
    const cJSON *iterable = cJSON_GetObjectItemCaseSensitive(answers, "iterable");
    size_t total = 0;
    const cJSON *ans;
    cJSON_ArrayForEach(ans, iterable) {
        const char *t = json_str(ans, "text");
        total += t ? strlen(t) : 0;
    }
    char *text = malloc(total + 1);
    if (!text) {
        cJSON_Delete(frame);
        return;
    }
    text[0] = '\0';
    size_t off = 0;
    int first = 1;
    cJSON_ArrayForEach(ans, iterable) {
        const char *t = json_str(ans, "text");
        const cJSON *score = cJSON_GetObjectItemCaseSensitive(ans, "score");
        if (first && cJSON_IsNumber(score))
            a.score = score->valuedouble;
        first = 0;
        if (t) {
            size_t n = strlen(t);
            memcpy(text + off, t, n);
            off += n;
        }
    }
    text[off] = '\0';
    a.text = text;
    a.has_answers = cJSON_IsArray(iterable);
    if (!a.conversation)
        report(ws, "frame without the required `conversation`", data, len);
    if (ws->cb.on_answer)
        ws->cb.on_answer(ws->cb.user, &a);
    free(text);
    cJSON_Delete(frame);
}

static void handle_profile(mk_pieces_ws *ws, const char *data, size_t len)
{
    /* The AuthWS contract: a UserProfile, or anything else (null, not
     * JSON) for "logged out". */
    cJSON *j = mk_json_parse_bounded(data, len, NULL);
    if (ws->cb.on_profile)
        ws->cb.on_profile(ws->cb.user, cJSON_IsObject(j) ? j : NULL);
    cJSON_Delete(j);
}

/* The fetched object of id, or NULL (fetch off or failed). */
static cJSON *fetch_object(mk_pieces_ws *ws, const char *id)
{
    if (!ws->fetch)
        return NULL;
    mk_pieces *p = ws->p;
    if (!ws->fetch_http) {
        ws->fetch_http = mkc_http_new(p->base_url);
        if (!ws->fetch_http)
            return NULL;
    }
    char path[200];
    snprintf(path, sizeof path, "%s%s",
             ws->kind == MK_PIECES_WS_ASSETS ? "/asset/" : "/conversation/", id);
    char app_id[128] = "";
    pthread_mutex_lock(&p->http_mu);
    if (p->app_id)
        snprintf(app_id, sizeof app_id, "%s", p->app_id);
    long timeout_ms = p->timeout_ms;
    pthread_mutex_unlock(&p->http_mu);
    mkc_http_set_timeout(ws->fetch_http, timeout_ms);
    cJSON *obj = NULL;
    mkc_error err;
    memset(&err, 0, sizeof err);
    if (mk_pieces__get_json_on(ws->fetch_http, p->base_url, path, app_id[0] ? app_id : NULL,
                               &obj, &err) != MKC_OK) {
        report(ws, "fetch failed", err.message, strlen(err.message));
        mkc_error_clear(&err);
        return NULL;
    }
    return obj;
}

static void handle_identifiers(mk_pieces_ws *ws, const char *data, size_t len)
{
    cJSON *frame = mk_json_parse_bounded(data, len, NULL);
    const cJSON *iterable = cJSON_GetObjectItemCaseSensitive(frame, "iterable");
    if (!cJSON_IsArray(iterable)) {
        report(ws, "not StreamedIdentifiers (no `iterable`)", data, len);
        cJSON_Delete(frame);
        return;
    }
    const char *key = ws->kind == MK_PIECES_WS_ASSETS ? "asset" : "conversation";
    int count = cJSON_GetArraySize(iterable);
    const char **ids = calloc((size_t)count + 1, sizeof *ids);
    int *deleted = calloc((size_t)count + 1, sizeof *deleted);
    if (!ids || !deleted) {
        free(ids);
        free(deleted);
        cJSON_Delete(frame);
        return;
    }
    size_t n = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, iterable) {
        const char *id = json_str(cJSON_GetObjectItemCaseSensitive(item, key), "id");
        if (!id) {
            report(ws, "item without an id", data, len);
            continue;
        }
        ids[n] = id;
        deleted[n] = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(item, "deleted"));
        n++;
    }

    pthread_mutex_lock(&ws->mu);
    int first = ws->first_shot;
    ws->first_shot = 0;
    for (size_t i = 0; i < n; i++) {
        if (deleted[i])
            ids_remove(ws, ids[i]);
        else if (ids_find(ws, ids[i]) < 0)
            /* Snapshot ids keep their order; later new ids go in front. */
            ids_insert(ws, first ? ws->n : 0, ids[i]);
    }
    pthread_mutex_unlock(&ws->mu);

    if (first && ws->cb.on_snapshot) {
        const char **live = calloc(n + 1, sizeof *live);
        size_t k = 0;
        for (size_t i = 0; live && i < n; i++)
            if (!deleted[i])
                live[k++] = ids[i];
        if (live)
            ws->cb.on_snapshot(ws->cb.user, live, k);
        free(live);
    }
    for (size_t i = 0; i < n; i++) {
        if (deleted[i]) {
            if (ws->cb.on_remove)
                ws->cb.on_remove(ws->cb.user, ids[i]);
            continue;
        }
        cJSON *obj = fetch_object(ws, ids[i]);
        if (ws->cb.on_update)
            ws->cb.on_update(ws->cb.user, ids[i], obj);
        cJSON_Delete(obj);
    }
    if (first) {
        pthread_mutex_lock(&ws->mu);
        ws->initialized = 1;
        pthread_cond_broadcast(&ws->cond);
        pthread_mutex_unlock(&ws->mu);
    }
    free(ids);
    free(deleted);
    cJSON_Delete(frame);
}

static void on_message(void *user, mkc_ws_opcode op, const char *data, size_t len)
{
    mk_pieces_ws *ws = user;
    if (op != MKC_WS_TEXT && op != MKC_WS_BINARY)
        return;
    switch (ws->kind) {
    case MK_PIECES_WS_ASK:
        handle_answer(ws, data, len);
        break;
    case MK_PIECES_WS_HEALTH:
        if (ws->cb.on_health)
            ws->cb.on_health(ws->cb.user, data, len);
        break;
    case MK_PIECES_WS_AUTH:
        handle_profile(ws, data, len);
        break;
    case MK_PIECES_WS_ASSETS:
    case MK_PIECES_WS_CONVERSATIONS:
        handle_identifiers(ws, data, len);
        break;
    }
}

static void on_close(void *user, int code, const char *reason)
{
    mk_pieces_ws *ws = user;
    pthread_mutex_lock(&ws->mu);
    pthread_cond_broadcast(&ws->cond);
    pthread_mutex_unlock(&ws->mu);
    if (ws->cb.on_close)
        ws->cb.on_close(ws->cb.user, code, reason ? reason : "");
}

/* ---- lifecycle ------------------------------------------------------------------- */

mk_pieces_ws *mk_pieces_ws_new(mk_pieces *p, mk_pieces_ws_kind kind,
                               const mk_pieces_ws_callbacks *cb)
{
    if (!p || !mk_pieces_ws_path(kind))
        return NULL;
    mk_pieces_ws *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    ws->path = mkc__strdup(mk_pieces_ws_path(kind));
    if (!ws->path) {
        free(ws);
        return NULL;
    }
    ws->p = p;
    ws->kind = kind;
    if (cb)
        ws->cb = *cb;
    ws->first_shot = 1;
    pthread_mutex_init(&ws->mu, NULL);
    mkc__cond_init_monotonic(&ws->cond);
    pthread_mutex_lock(&p->reg_mu);
    ws->next = p->sockets;
    p->sockets = ws;
    pthread_mutex_unlock(&p->reg_mu);
    return ws;
}

void mk_pieces__unregister(mk_pieces *p, mk_pieces_ws *ws)
{
    pthread_mutex_lock(&p->reg_mu);
    for (mk_pieces_ws **pp = &p->sockets; *pp; pp = &(*pp)->next) {
        if (*pp == ws) {
            *pp = ws->next;
            break;
        }
    }
    pthread_mutex_unlock(&p->reg_mu);
}

void mk_pieces_ws_free(mk_pieces_ws *ws)
{
    if (!ws)
        return;
    mk_pieces__unregister(ws->p, ws);
    mk_pieces_ws_close(ws);
    mkc_http_free(ws->fetch_http);
    ids_clear(ws);
    free(ws->ids);
    free(ws->path);
    pthread_mutex_destroy(&ws->mu);
    pthread_cond_destroy(&ws->cond);
    free(ws);
}

int mk_pieces_ws_set_path(mk_pieces_ws *ws, const char *path)
{
    if (!ws || !path || path[0] != '/')
        return MKC_EINVAL;
    char *copy = mkc__strdup(path);
    if (!copy)
        return MKC_ENOMEM;
    free(ws->path);
    ws->path = copy;
    return MKC_OK;
}

void mk_pieces_ws_set_fetch(mk_pieces_ws *ws, int on)
{
    if (ws)
        ws->fetch = on ? 1 : 0;
}

int mk_pieces_ws_is_running(const mk_pieces_ws *ws)
{
    return ws && ws->conn && mkc_ws_is_open(ws->conn);
}

int mk_pieces_ws_start(mk_pieces_ws *ws, mkc_error *err)
{
    if (!ws)
        return mkc_error_set(err, MKC_EINVAL, NULL, "mk_pieces_ws_start: NULL socket");
    if (mk_pieces_ws_is_running(ws))
        return MKC_OK;
    /* A socket the server ended: drop it (joins its reader) before a new one. */
    mkc_ws_free(ws->conn);
    ws->conn = NULL;

    pthread_mutex_lock(&ws->mu);
    ids_clear(ws);
    ws->first_shot = 1;
    ws->initialized = 0;
    pthread_mutex_unlock(&ws->mu);

    const char *base = ws->p->base_url;
    char url[512];
    if (strncasecmp(base, "http://", 7) == 0) /* a scheme is any case (RFC 3986 3.1) */
        snprintf(url, sizeof url, "ws://%s%s", base + 7, ws->path);
    else if (strncasecmp(base, "https://", 8) == 0)
        snprintf(url, sizeof url, "wss://%s%s", base + 8, ws->path);
    else
        snprintf(url, sizeof url, "%s%s", base, ws->path);

    mkc_ws_callbacks cbs = {on_message, on_close, ws};
    ws->started = 1;
    int rc = mkc_ws_connect(url, &cbs, &ws->conn, err);
    if (rc != MKC_OK) {
        ws->conn = NULL;
        if (err && !err->url[0])
            snprintf(err->url, sizeof err->url, "%s", url);
        return rc;
    }
    if (ws->cb.on_open)
        ws->cb.on_open(ws->cb.user);
    return MKC_OK;
}

void mk_pieces_ws_close(mk_pieces_ws *ws)
{
    if (!ws || !ws->conn)
        return;
    if (mkc_ws_is_open(ws->conn))
        mkc_ws_close(ws->conn, 1000, "");
    mkc_ws_free(ws->conn);
    ws->conn = NULL;
}

int mk_pieces_ws_reconnect(mk_pieces_ws *ws, mkc_error *err)
{
    mk_pieces_ws_close(ws);
    return mk_pieces_ws_start(ws, err);
}

int mk_pieces_ws_wait_closed(mk_pieces_ws *ws, int timeout_ms)
{
    if (!ws || !ws->conn)
        return 0;
    return mkc_ws_wait_closed(ws->conn, timeout_ms);
}

int mk_pieces_ws_wait_initialized(mk_pieces_ws *ws, int timeout_ms)
{
    if (!ws)
        return MKC_EINVAL;
    struct timespec deadline;
    mkc__deadline_in(&deadline, timeout_ms);
    pthread_mutex_lock(&ws->mu);
    int rc = 0;
    while (!ws->initialized && rc == 0)
        rc = pthread_cond_timedwait(&ws->cond, &ws->mu, &deadline);
    int ok = ws->initialized;
    pthread_mutex_unlock(&ws->mu);
    return ok ? MKC_OK : MKC_ETIMEOUT;
}

int mk_pieces_ws_ids(mk_pieces_ws *ws, char ***ids, size_t *count)
{
    if (!ws || !ids || !count)
        return MKC_EINVAL;
    pthread_mutex_lock(&ws->mu);
    char **copy = calloc(ws->n + 1, sizeof *copy);
    size_t n = 0;
    for (; copy && n < ws->n; n++) {
        copy[n] = mkc__strdup(ws->ids[n]);
        if (!copy[n])
            break;
    }
    int ok = copy && n == ws->n;
    pthread_mutex_unlock(&ws->mu);
    if (!ok) {
        mk_pieces_ids_free(copy, n);
        return MKC_ENOMEM;
    }
    *ids = copy;
    *count = n;
    return MKC_OK;
}

void mk_pieces_ids_free(char **ids, size_t count)
{
    if (!ids)
        return;
    for (size_t i = 0; i < count; i++)
        free(ids[i]);
    free(ids);
}

int mk_pieces_reconnect_all(mk_pieces *p, mkc_error *err)
{
    if (!p)
        return MKC_EINVAL;
    int first = MKC_OK;
    pthread_mutex_lock(&p->reg_mu);
    for (mk_pieces_ws *ws = p->sockets; ws; ws = ws->next) {
        if (!ws->started)
            continue;
        int rc = mk_pieces_ws_reconnect(ws, first == MKC_OK ? err : NULL);
        if (rc != MKC_OK && first == MKC_OK)
            first = rc;
    }
    pthread_mutex_unlock(&p->reg_mu);
    return first;
}

void mk_pieces_close_all(mk_pieces *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->reg_mu);
    for (mk_pieces_ws *ws = p->sockets; ws; ws = ws->next)
        mk_pieces_ws_close(ws);
    pthread_mutex_unlock(&p->reg_mu);
}

/* ---- /qgpt/stream input ----------------------------------------------------------- */

static int send_json(mk_pieces_ws *ws, cJSON *msg, mkc_error *err)
{
    char *text = cJSON_PrintUnformatted(msg);
    cJSON_Delete(msg);
    if (!text)
        return mkc_error_set(err, MKC_ENOMEM, NULL, "mk_pieces_ask: out of memory");
    /* Like the SDK's send_message: open the socket first when it is not. */
    int rc = mk_pieces_ws_start(ws, err);
    if (rc == MKC_OK) {
        rc = mkc_ws_send_text(ws->conn, text);
        if (rc != MKC_OK)
            mkc_error_set(err, rc, NULL, "%s%s: send failed: %s", ws->p->base_url, ws->path,
                            mkc_strerror(rc));
    }
    free(text);
    return rc;
}

int mk_pieces_ask(mk_pieces_ws *ws, const mk_pieces_question *q, mkc_error *err)
{
    if (!ws || ws->kind != MK_PIECES_WS_ASK || !q || !q->query)
        return mkc_error_set(err, MKC_EINVAL, NULL,
                               "mk_pieces_ask: needs an MK_PIECES_WS_ASK socket and a query");
    char app_id[128] = "";
    if (q->application) {
        snprintf(app_id, sizeof app_id, "%s", q->application);
    } else {
        pthread_mutex_lock(&ws->p->http_mu);
        if (ws->p->app_id)
            snprintf(app_id, sizeof app_id, "%s", ws->p->app_id);
        pthread_mutex_unlock(&ws->p->http_mu);
    }
    cJSON *msg = cJSON_CreateObject();
    cJSON *in;
    if (q->form == MK_PIECES_INPUT_RELEVANCE) {
        /* QGPTRelevanceInput with options.question: answers come back as
         * question frames, as the SDK 5 / CLI stream_question sends it. */
        in = cJSON_AddObjectToObject(msg, "relevance");
        cJSON_AddStringToObject(in, "query", q->query);
        if (app_id[0])
            cJSON_AddStringToObject(in, "application", app_id);
        if (q->model)
            cJSON_AddStringToObject(in, "model", q->model);
        cJSON *options = cJSON_AddObjectToObject(in, "options");
        cJSON_AddTrueToObject(options, "question");
    } else {
        /* QGPTQuestionInput, as the workshop sends it. */
        in = cJSON_AddObjectToObject(msg, "question");
        cJSON_AddStringToObject(in, "query", q->query);
        cJSON *relevant = cJSON_AddObjectToObject(in, "relevant");
        cJSON_AddArrayToObject(relevant, "iterable");
        if (app_id[0])
            cJSON_AddStringToObject(in, "application", app_id);
        if (q->model)
            cJSON_AddStringToObject(in, "model", q->model);
    }
    if (q->conversation)
        cJSON_AddStringToObject(msg, "conversation", q->conversation);
    return send_json(ws, msg, err);
}

int mk_pieces_ask_stop(mk_pieces_ws *ws, const char *conversation, mkc_error *err)
{
    if (!ws || ws->kind != MK_PIECES_WS_ASK)
        return mkc_error_set(err, MKC_EINVAL, NULL,
                               "mk_pieces_ask_stop: needs an MK_PIECES_WS_ASK socket");
    cJSON *msg = cJSON_CreateObject();
    if (conversation)
        cJSON_AddStringToObject(msg, "conversation", conversation);
    cJSON_AddTrueToObject(msg, "stop");
    return send_json(ws, msg, err);
}
