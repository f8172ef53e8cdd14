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

static void open_sock(void **state, sock *s, mk_pieces_ws_kind kind, const char *path,
                      int fetch)
{
    pt_state *st = *state;
    pt_reset(st);
    s->q = mkc_queue_new();
    s->p = mk_pieces_new(st->t.base_url);
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

/* Shared by assets and conversations: snapshot, its fetches, silence, then
 * the create's update and the delete's removal, in that order. */
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
    free(joined);

    /* 2. nothing more until something changes */
    int kind_got = 0;
    char *extra = NULL;
    if (pt_pop(s.q, QUIET_MS, &kind_got, &extra)) {
        char msg[300];
        snprintf(msg, sizeof msg, "event %d before any change: %.200s", kind_got, extra);
        free(extra);
        fail_msg("%s", msg);
    }

    /* 3. a create on another connection: the new id arrives as a delta */
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

    /* 4. the delete: removal, and the cache forgets the id */
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

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assets_identifiers),
        cmocka_unit_test(test_conversations_identifiers),
        cmocka_unit_test(test_health_stream),
        cmocka_unit_test(test_user_stream),
        cmocka_unit_test(test_reconnect_after_drop),
        cmocka_unit_test(test_reconnect_resends_snapshot),
    };
    return SUITE_RUN(argc, argv, tests, pt_group_setup, pt_group_teardown);
}
