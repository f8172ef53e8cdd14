/* pieces_common.c: target, reset and queue callbacks for the Pieces suites. */
#include "pieces_common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int pt_group_setup(void **state)
{
    pt_state *st = calloc(1, sizeof *st);
    if (!st || suite_target_start("pieces", &st->t) != 0) {
        free(st);
        return -1;
    }
    st->is_mock = !st->t.live;
    *state = st;
    return 0;
}

int pt_group_teardown(void **state)
{
    pt_state *st = *state;
    if (st)
        suite_target_stop(&st->t);
    free(st);
    return 0;
}

void pt_reset(pt_state *st)
{
    if (st->t.mock) {
        mk_mock_reset(st->t.mock);
        st->is_mock = 1;
        return;
    }
    /* A served mock (mockkit serve / check) has the admin path; a live
     * Pieces OS answers 404 and is left alone otherwise. */
    mkc_http *h = mkc_http_new(st->t.root_url);
    mkc_response *r = NULL;
    st->is_mock = h && mkc_http_request(h, "POST", "/__mockkit/reset", NULL, NULL, NULL, 0, &r,
                                        NULL) == MKC_OK && r && r->status == 200;
    mkc_response_free(r);
    mkc_http_free(h);
}

static void push(mkc_queue *q, int kind, const char *data)
{
    mkc_queue_push(q, kind, data ? data : "", data ? strlen(data) : 0);
}

static void on_close(void *user, int code, const char *reason)
{
    char buf[300];
    snprintf(buf, sizeof buf, "%d %s", code, reason ? reason : "");
    push(user, PT_EV_CLOSE, buf);
}

static void on_answer(void *user, const mk_pieces_answer *a)
{
    char *text = cJSON_PrintUnformatted(a->frame);
    push(user, PT_EV_ANSWER, text);
    free(text);
}

static void on_health(void *user, const char *text, size_t len)
{
    mkc_queue_push(user, PT_EV_HEALTH, text, len);
}

static void on_profile(void *user, const cJSON *profile)
{
    if (!profile) {
        push(user, PT_EV_LOGOUT, "");
        return;
    }
    char *text = cJSON_PrintUnformatted(profile);
    push(user, PT_EV_PROFILE, text);
    free(text);
}

static void on_snapshot(void *user, const char *const *ids, size_t count)
{
    size_t n = 1;
    for (size_t i = 0; i < count; i++)
        n += strlen(ids[i]) + 1;
    char *buf = calloc(1, n);
    if (!buf)
        return;
    for (size_t i = 0; i < count; i++) {
        if (i)
            strcat(buf, "\n");
        strcat(buf, ids[i]);
    }
    push(user, PT_EV_SNAPSHOT, buf);
    free(buf);
}

static void on_update(void *user, const char *id, const cJSON *object)
{
    char buf[200];
    const cJSON *oid = cJSON_GetObjectItemCaseSensitive(object, "id");
    int fetched = cJSON_IsString(oid) && strcmp(oid->valuestring, id) == 0;
    snprintf(buf, sizeof buf, "%s%s", id, fetched ? " fetched" : "");
    push(user, PT_EV_UPDATE, buf);
}

static void on_remove(void *user, const char *id)
{
    push(user, PT_EV_REMOVE, id);
}

static void on_error(void *user, const char *message)
{
    push(user, PT_EV_ERROR, message);
}

mk_pieces_ws_callbacks pt_callbacks(mkc_queue *q)
{
    mk_pieces_ws_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.on_close = on_close;
    cb.on_answer = on_answer;
    cb.on_health = on_health;
    cb.on_profile = on_profile;
    cb.on_snapshot = on_snapshot;
    cb.on_update = on_update;
    cb.on_remove = on_remove;
    cb.on_error = on_error;
    cb.user = q;
    return cb;
}

static const char *kind_name(int kind)
{
    static const char *const names[] = {"?", "close", "answer", "health", "profile", "logout",
                                        "snapshot", "update", "remove", "error"};
    return kind > 0 && kind <= PT_EV_ERROR ? names[kind] : names[0];
}

int pt_pop(mkc_queue *q, int timeout_ms, int *kind, char **data)
{
    size_t len = 0;
    char *d = NULL;
    if (mkc_queue_pop(q, timeout_ms, kind, &d, &len) != MKC_OK)
        return 0;
    if (data)
        *data = d;
    else
        free(d);
    return 1;
}

void pt_expect(mkc_queue *q, int kind, char **data)
{
    int got = 0;
    char *d = NULL;
    if (!pt_pop(q, PT_WAIT_MS, &got, &d))
        fail_msg("waited %d ms for a %s event; none came", PT_WAIT_MS, kind_name(kind));
    if (got != kind) {
        char msg[400];
        snprintf(msg, sizeof msg, "expected a %s event, got %s: %.300s", kind_name(kind),
                 kind_name(got), d ? d : "");
        free(d);
        fail_msg("%s", msg);
    }
    if (data)
        *data = d;
    else
        free(d);
}

int pt_is_uuid(const char *s)
{
    if (!s || strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i]))
            return 0;
    }
    return 1;
}

int pt_closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t n = sizeof a;
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &n) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

long long pt_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *pt_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsString(v))
        fail_msg("missing string member \"%s\"", key);
    return v->valuestring;
}
