/* suite-pieces-streams: the server-to-client sockets (protocol note §3,
 * §3.1): identifier streams send the full list first, then deltas that
 * follow the REST change on another connection; health sends `OK`; the
 * user stream sends the profile, then a logout; a socket the server drops
 * can be reconnected. */
#include "pieces_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUIET_MS 150  /* a bounded look for frames that must not have come */

typedef struct sock {
    mkc_queue *q;
    mk_pieces *p;
    mk_pieces_ws *ws;
} sock;

static void open_sock_at(void **state, sock *s, mk_pieces_ws_kind kind, const char *path,
                         int fetch, const char *base_url)
{
    pt_state *st = *state;
    pt_reset(st);
    s->q = mkc_queue_new();
    s->p = mk_pieces_new(base_url ? base_url : st->t.base_url);
    assert_non_null(s->q);
    assert_non_null(s->p);
    mk_pieces_ws_callbacks cb = pt_callbacks(s->q);
    s->ws = mk_pieces_ws_new(s->p, kind, &cb);
    assert_non_null(s->ws);
    if (path)
        assert_int_equal(mk_pieces_ws_set_path(s->ws, path), MKC_OK);
    mk_pieces_ws_set_fetch(s->ws, fetch);
    mkc_error err = {0};
    int rc = mk_pieces_ws_start(s->ws, &err);
    if (rc != MKC_OK)
        fail_msg("start %s: %s: %s", mk_pieces_ws_path(kind), mkc_errname(rc), err.message);
}

static void open_sock(void **state, sock *s, mk_pieces_ws_kind kind, const char *path,
                      int fetch)
{
    open_sock_at(state, s, kind, path, fetch, NULL);
}

static void close_sock(sock *s)
{
    mk_pieces_free(s->p);
    mkc_queue_free(s->q);
}

static size_t split_ids(char *joined, char **ids, size_t max)
{
    size_t n = 0;
    for (char *tok = strtok(joined, "\n"); tok && n < max; tok = strtok(NULL, "\n"))
        ids[n++] = tok;
    return n;
}

/* Ask `query` on a fresh /qgpt/stream socket until the answer ends; returns
 * the conversation id the frames name (malloc'd). */
static char *chat(mk_pieces *p, const char *query, mk_pieces_input_form form)
{
    mkc_queue *q = mkc_queue_new();
    assert_non_null(q);
    mk_pieces_ws_callbacks cb = pt_callbacks(q);
    mk_pieces_ws *ws = mk_pieces_ws_new(p, MK_PIECES_WS_ASK, &cb);
    assert_non_null(ws);
    mk_pieces_question in = {query, NULL, NULL, NULL, form};
    mkc_error err = {0};
    if (mk_pieces_ask(ws, &in, &err) != MKC_OK)
        fail_msg("ask \"%s\": %s", query, err.message);
    char *conv = NULL;
    for (int i = 0; i < 100; i++) {
        char *data = NULL;
        pt_expect(q, PT_EV_ANSWER, &data);
        cJSON *f = cJSON_Parse(data);
        free(data);
        assert_non_null(f);
        int done = strcmp(pt_str(f, "status"), "IN-PROGRESS") != 0;
        if (done) {
            conv = strdup(pt_str(f, "conversation"));
            assert_string_equal(pt_str(f, "status"), "COMPLETED");
        }
        cJSON_Delete(f);
        if (done)
            break;
    }
    assert_non_null(conv);
    mk_pieces_ws_close(ws);
    mkc_queue_free(q);
    return conv;
}

/* A conversation a chat creates is not listed before the chat (neither in
 * the snapshot nor by GET /conversations) and arrives as a delta once the
 * chat made it; the cache puts it first. */
static void chat_creates_conversation(mk_pieces *p, mkc_queue *events, mk_pieces_ws *ws,
                                      char **snapshot, size_t n, mk_pieces_input_form form)
{
    char *conv = chat(p, "Hi how are you", form);
    for (size_t i = 0; i < n; i++)
        assert_string_not_equal(snapshot[i], conv);
    char *upd = NULL;
    pt_expect(events, PT_EV_UPDATE, &upd);
    char want[128];
    snprintf(want, sizeof want, "%s fetched", conv);
    assert_string_equal(upd, want);
    free(upd);
    char **cached = NULL;
    size_t count = 0;
    assert_int_equal(mk_pieces_ws_ids(ws, &cached, &count), MKC_OK);
    assert_string_equal(cached[0], conv);
    mk_pieces_ids_free(cached, count);
    free(conv);
}

/* Shared by assets and conversations: snapshot, its fetches, silence, then
 * (conversations) the chats that create conversations, then the create's
 * update and the delete's removal, in that order. */
static void identifiers_flow(void **state, mk_pieces_ws_kind kind)
{
    pt_state *st = *state;
    sock s;
    open_sock(state, &s, kind, NULL, 1);
    assert_int_equal(mk_pieces_ws_wait_initialized(s.ws, PT_WAIT_MS), 0);

    /* 1. the first frame is the full list */
    char *joined = NULL;
    pt_expect(s.q, PT_EV_SNAPSHOT, &joined);
    char *ids[256];
    size_t n = split_ids(joined, ids, 256);
    if (st->is_mock)
        assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        assert_true(pt_is_uuid(ids[i]));
        char *upd = NULL;
        pt_expect(s.q, PT_EV_UPDATE, &upd);
        char want[128];
        snprintf(want, sizeof want, "%s fetched", ids[i]);  /* every id resolves by GET */
        assert_string_equal(upd, want);
        free(upd);
    }
    char **cached = NULL;
    size_t count = 0;
    assert_int_equal(mk_pieces_ws_ids(s.ws, &cached, &count), MKC_OK);
    assert_int_equal(count, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(cached[i], ids[i]);
    mk_pieces_ids_free(cached, count);

    /* 2. nothing more until something changes */
    int kind_got = 0;
    char *extra = NULL;
    if (pt_pop(s.q, QUIET_MS, &kind_got, &extra)) {
        char msg[300];
        snprintf(msg, sizeof msg, "event %d before any change: %.200s", kind_got, extra);
        free(extra);
        fail_msg("%s", msg);
    }

    /* 3. conversations: chats in both input forms each create one */
    if (kind == MK_PIECES_WS_CONVERSATIONS) {
        mkc_error lerr = {0};
        cJSON *listed = NULL;
        assert_int_equal(mk_pieces_conversations(s.p, &listed, &lerr), MKC_OK);
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(listed, "iterable")),
                         (int)n);  /* GET /conversations agrees with the snapshot */
        cJSON_Delete(listed);
        chat_creates_conversation(s.p, s.q, s.ws, ids, n, MK_PIECES_INPUT_QUESTION);
        chat_creates_conversation(s.p, s.q, s.ws, ids, n, MK_PIECES_INPUT_RELEVANCE);
        n += 2;
    }

    /* 4. a create on another connection: the new id arrives as a delta */
    mkc_error err = {0};
    cJSON *created = NULL;
    int rc;
    if (kind == MK_PIECES_WS_ASSETS) {
        rc = mk_pieces_connect(s.p, "OPEN_SOURCE", "LINUX", "1.0.0", NULL, &err);
        if (rc == MKC_OK)
            rc = mk_pieces_asset_create(s.p, "echo hello", "sh", &created, &err);
    } else {
        rc = mk_pieces_conversation_create(s.p, "New Conversation", &created, &err);
    }
    if (rc != MKC_OK)
        fail_msg("create: %s: %s", mkc_errname(rc), err.message);
    char id[64];
    snprintf(id, sizeof id, "%s", pt_str(created, "id"));
    cJSON_Delete(created);
    char *upd = NULL;
    pt_expect(s.q, PT_EV_UPDATE, &upd);
    char want[128];
    snprintf(want, sizeof want, "%s fetched", id);
    assert_string_equal(upd, want);
    free(upd);
    assert_int_equal(mk_pieces_ws_ids(s.ws, &cached, &count), MKC_OK);
    assert_int_equal(count, n + 1);
    assert_string_equal(cached[0], id);  /* new ids go in front */
    mk_pieces_ids_free(cached, count);

    /* 5. the delete: removal, and the cache forgets the id */
    rc = kind == MK_PIECES_WS_ASSETS ? mk_pieces_asset_delete(s.p, id, &err)
                                     : mk_pieces_conversation_delete(s.p, id, &err);
    if (rc != MKC_OK)
        fail_msg("delete: %s: %s", mkc_errname(rc), err.message);
    char *rem = NULL;
    pt_expect(s.q, PT_EV_REMOVE, &rem);
    assert_string_equal(rem, id);
    free(rem);
    assert_int_equal(mk_pieces_ws_ids(s.ws, &cached, &count), MKC_OK);
    assert_int_equal(count, n);
    mk_pieces_ids_free(cached, count);
    free(joined);
    close_sock(&s);
}

static void test_assets_identifiers(void **state)
{
    identifiers_flow(state, MK_PIECES_WS_ASSETS);
}

static void test_conversations_identifiers(void **state)
{
    identifiers_flow(state, MK_PIECES_WS_CONVERSATIONS);
}

/* Health frames are exactly `OK` (the TUI compares lower-cased equality). */
static void test_health_stream(void **state)
{
    sock s;
    open_sock(state, &s, MK_PIECES_WS_HEALTH, NULL, 0);
    for (int i = 0; i < 2; i++) {
        char *msg = NULL;
        pt_expect(s.q, PT_EV_HEALTH, &msg);
        assert_string_equal(msg, "OK");
        free(msg);
    }
    assert_true(mk_pieces_ws_is_running(s.ws));
    close_sock(&s);
}

/* The base URL's scheme in capitals (RFC 3986 3.1: any case) still maps
 * to ws:// or wss:// for the sockets. */
static void test_stream_scheme_any_case(void **state)
{
    pt_state *st = *state;
    char base[512];
    snprintf(base, sizeof base, "%s", st->t.base_url);
    char *sep = strstr(base, "://");
    assert_non_null(sep);
    for (char *c = base; c < sep; c++)
        *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
    sock s;
    open_sock_at(state, &s, MK_PIECES_WS_HEALTH, NULL, 0, base);
    char *msg = NULL;
    pt_expect(s.q, PT_EV_HEALTH, &msg);
    assert_string_equal(msg, "OK");
    free(msg);
    close_sock(&s);
}

/* The user stream: a UserProfile, then (after sign-out, mock only) a
 * logout reported as NULL. */
static void test_user_stream(void **state)
{
    pt_state *st = *state;
    sock s;
    open_sock(state, &s, MK_PIECES_WS_AUTH, NULL, 0);
    char *profile = NULL;
    pt_expect(s.q, PT_EV_PROFILE, &profile);
    cJSON *u = cJSON_Parse(profile);
    free(profile);
    assert_non_null(pt_str(u, "id"));
    assert_true(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(u, "aesthetics")));
    cJSON_Delete(u);
    if (st->is_mock) {  /* never sign a real user out */
        mkc_error err = {0};
        assert_int_equal(mk_pieces_sign_out(s.p, &err), MKC_OK);
        pt_expect(s.q, PT_EV_LOGOUT, NULL);
    }
    close_sock(&s);
}

/* The server drops the socket (a cassette variant selected by ?drop=1);
 * the socket is then not running, and reconnect_all brings it back. */
static void test_reconnect_after_drop(void **state)
{
    pt_state *st = *state;
    pt_reset(st);
    if (!st->is_mock)
        suite_skip("a live server cannot be made to drop the socket");
    sock s;
    open_sock(state, &s, MK_PIECES_WS_HEALTH, "/.well-known/stream/health?drop=1", 0);
    char *msg = NULL;
    pt_expect(s.q, PT_EV_HEALTH, &msg);
    assert_string_equal(msg, "OK");
    free(msg);
    pt_expect(s.q, PT_EV_HEALTH, NULL);
    char *closed = NULL;
    pt_expect(s.q, PT_EV_CLOSE, &closed);
    assert_int_equal(atoi(closed), 1001);
    free(closed);
    assert_int_equal(mk_pieces_ws_wait_closed(s.ws, PT_WAIT_MS), 0);
    assert_false(mk_pieces_ws_is_running(s.ws));

    mkc_error err = {0};
    assert_int_equal(mk_pieces_reconnect_all(s.p, &err), MKC_OK);
    pt_expect(s.q, PT_EV_HEALTH, &msg);  /* the old close reported once only */
    assert_string_equal(msg, "OK");
    free(msg);

    /* close_all: our own close ends it; nothing restarts it. */
    mk_pieces_close_all(s.p);
    assert_false(mk_pieces_ws_is_running(s.ws));
    close_sock(&s);
}

/* reconnect on a healthy socket: close, then a fresh connect whose first
 * identifier frame is the snapshot again. */
static void test_reconnect_resends_snapshot(void **state)
{
    sock s;
    open_sock(state, &s, MK_PIECES_WS_CONVERSATIONS, NULL, 0);
    assert_int_equal(mk_pieces_ws_wait_initialized(s.ws, PT_WAIT_MS), 0);
    char *first = NULL;
    pt_expect(s.q, PT_EV_SNAPSHOT, &first);
    mkc_error err = {0};
    assert_int_equal(mk_pieces_ws_reconnect(s.ws, &err), MKC_OK);
    assert_true(mk_pieces_ws_is_running(s.ws));
    /* drain the first connection's updates and our own close */
    char *again = NULL;
    for (int i = 0; i < 1000 && !again; i++) {
        int kind = 0;
        char *d = NULL;
        if (!pt_pop(s.q, PT_WAIT_MS, &kind, &d))
            fail_msg("no snapshot after reconnect");
        if (kind == PT_EV_SNAPSHOT)
            again = d;
        else
            free(d);
    }
    assert_string_equal(again, first);
    free(first);
    free(again);
    close_sock(&s);
}

static void on_raw(void *user, mkc_ws_opcode op, const char *data, size_t len)
{
    if (op == MKC_WS_TEXT)
        mkc_queue_push(user, PT_EV_SNAPSHOT, data, len);
}

static void on_raw_close(void *user, int code, const char *reason)
{
    char line[160];
    snprintf(line, sizeof line, "%d %s", code, reason ? reason : "");
    mkc_queue_push(user, PT_EV_CLOSE, line, strlen(line));
}

/* Open path (a raw websocket) and return its first text frame as JSON. */
static cJSON *first_frame(const char *base_url, const char *path, mkc_queue *q, mkc_ws **ws)
{
    char url[512];
    snprintf(url, sizeof url, "ws%s%s", base_url + 4, path);  /* http... -> ws... */
    mkc_ws_callbacks cb = {on_raw, on_raw_close, q};
    mkc_error err = {0};
    int rc = mkc_ws_connect(url, &cb, ws, &err);
    if (rc != MKC_OK)
        fail_msg("%s: %s: %s", path, mkc_errname(rc), err.message);
    char *data = NULL;
    pt_expect(q, PT_EV_SNAPSHOT, &data);
    cJSON *j = cJSON_Parse(data);
    if (!j)
        fail_msg("%s: first frame is not JSON: %.200s", path, data);
    free(data);
    return j;
}

/* PiecesClient's start-up also opens the anchor and range identifier
 * streams and the LTM vision status socket: each answers at once with
 * its first frame (a StreamedIdentifiers whose items resolve by id, or a
 * WorkstreamPatternEngineStatus), the vision socket's frame is followed
 * by the GET LTMVisionWS makes, and none of them is closed. */
static void test_startup_sockets(void **state)
{
    pt_state *st = *state;
    pt_reset(st);
    static const struct {
        const char *path, *item, *get;
    } ids[] = {{"/anchors/stream/identifiers", "anchor", "/anchor/"},
               {"/ranges/stream/identifiers", "range", "/range/"}};
    mkc_http *h = mkc_http_new(st->t.base_url);
    assert_non_null(h);
    for (size_t i = 0; i < 2; i++) {
        mkc_queue *q = mkc_queue_new();
        mkc_ws *ws = NULL;
        cJSON *f = first_frame(st->t.base_url, ids[i].path, q, &ws);
        const cJSON *it = cJSON_GetObjectItemCaseSensitive(f, "iterable");
        assert_true(cJSON_IsArray(it));  /* StreamedIdentifiers requires iterable */
        const cJSON *item;
        cJSON_ArrayForEach(item, it) {
            const char *id = pt_str(cJSON_GetObjectItemCaseSensitive(item, ids[i].item), "id");
            char path[256];
            snprintf(path, sizeof path, "%s%s", ids[i].get, id);
            mkc_response *r = NULL;
            mkc_error err = {0};
            assert_int_equal(mkc_http_request(h, "GET", path, NULL, NULL, NULL, 0, &r, &err),
                             MKC_OK);
            assert_int_equal(r->status, 200);
            mkc_response_free(r);
        }
        cJSON_Delete(f);
        int kind = 0;
        char *more = NULL;
        if (pt_pop(q, QUIET_MS, &kind, &more)) {  /* no close, no stray frame */
            char msg[300];
            snprintf(msg, sizeof msg, "%s: event %d after the snapshot: %.200s", ids[i].path,
                     kind, more);
            free(more);
            fail_msg("%s", msg);
        }
        assert_true(mkc_ws_is_open(ws));
        mkc_ws_free(ws);
        mkc_queue_free(q);
    }

    mkc_queue *q = mkc_queue_new();
    mkc_ws *ws = NULL;
    cJSON *status = first_frame(st->t.base_url,
                                "/workstream_pattern_engine/processors/vision/status/stream", q,
                                &ws);
    assert_true(cJSON_IsObject(status));
    mkc_response *r = NULL;
    mkc_error err = {0};
    assert_int_equal(mkc_http_request(h, "GET", "/workstream_pattern_engine/processors/vision/status",
                                      NULL, NULL, NULL, 0, &r, &err),
                     MKC_OK);
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(r->content_type, "application/json"));
    cJSON *got = cJSON_Parse(r->body);
    assert_non_null(got);
    /* the SDK reads vision.activation to tell whether LTM is on */
    const cJSON *vision = cJSON_GetObjectItemCaseSensitive(got, "vision");
    assert_true(vision == NULL || cJSON_IsObject(vision));
    if (st->is_mock)
        assert_true(cJSON_Compare(got, status, 1));  /* the same status both ways */
    cJSON_Delete(got);
    cJSON_Delete(status);
    mkc_response_free(r);
    assert_true(mkc_ws_is_open(ws));
    mkc_ws_free(ws);
    mkc_queue_free(q);
    mkc_http_free(h);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assets_identifiers),
        cmocka_unit_test(test_conversations_identifiers),
        cmocka_unit_test(test_health_stream),
        cmocka_unit_test(test_stream_scheme_any_case),
        cmocka_unit_test(test_user_stream),
        cmocka_unit_test(test_reconnect_after_drop),
        cmocka_unit_test(test_reconnect_resends_snapshot),
        cmocka_unit_test(test_startup_sockets),
    };
    return SUITE_RUN(argc, argv, tests, pt_group_setup, pt_group_teardown);
}
