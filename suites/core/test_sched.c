/* test_sched.c: the engine's scheduler with many streams at once, on the
 * virtual clock: every chunk of every stream leaves at its due virtual time
 * (not one step early, not one step late) and in recorded order, whatever
 * the other streams due in the same millisecond do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core_util.h"
#include "suite.h"

enum {
    STREAMS = 64,    /* concurrent streams */
    KINDS = 8,       /* interactions: start offset and gap differ per kind */
    CHUNKS = 6,      /* chunks per stream */
};

/* Kind p: head at p ms, chunk k at p + 1 + k * gap(p) after the request,
 * so due times interleave and several streams share each millisecond. */
static int64_t gap_of(int p) { return 5 + 3 * p; }
static int64_t due_of(int p, int k) { return p + 1 + k * gap_of(p); }

static char *write_cassette(void)
{
    static char path[] = "/tmp/mockkit-sched-XXXXXX";
    cJSON *doc = cJSON_CreateObject();
    cJSON *meta = cJSON_AddObjectToObject(doc, "meta");
    cJSON *src;
    cJSON *ixs;
    char *text;
    int fd;
    cJSON_AddNumberToObject(doc, "mockkit_cassette", 1);
    cJSON_AddStringToObject(meta, "service", "generic");
    cJSON_AddStringToObject(meta, "name", "sched");
    cJSON_AddStringToObject(meta, "description", "core suite: many interleaved streams");
    cJSON_AddStringToObject(meta, "created", "2026-11-30T00:00:00Z");
    src = cJSON_AddObjectToObject(meta, "source");
    cJSON_AddStringToObject(src, "kind", "synthesized");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(src, "refs"),
                         cJSON_CreateString("docs/cassette.md (mockkit format v1)"));
    ixs = cJSON_AddArrayToObject(doc, "interactions");
    for (int p = 0; p < KINDS; p++) {
        char id[16], route[32];
        cJSON *ix = cJSON_CreateObject(), *req, *resp, *chunks;
        snprintf(id, sizeof(id), "kind-%d", p);
        snprintf(route, sizeof(route), "/s/%d", p);
        cJSON_AddStringToObject(ix, "id", id);
        cJSON_AddNumberToObject(ix, "at_ms", 0);
        req = cJSON_AddObjectToObject(ix, "request");
        cJSON_AddStringToObject(req, "method", "GET");
        cJSON_AddStringToObject(req, "path", route);
        resp = cJSON_AddObjectToObject(ix, "response");
        cJSON_AddNumberToObject(resp, "status", 200);
        cJSON_AddNumberToObject(resp, "at_ms", p);
        cJSON_AddStringToObject(cJSON_AddObjectToObject(resp, "headers"), "content-type",
                                "text/event-stream");
        chunks = cJSON_AddArrayToObject(resp, "chunks");
        for (int k = 0; k < CHUNKS; k++) {
            char data[32];
            cJSON *c = cJSON_CreateObject();
            snprintf(data, sizeof(data), "data: %d.%d\n\n", p, k);
            cJSON_AddNumberToObject(c, "at_ms", (double)due_of(p, k));
            cJSON_AddStringToObject(c, "text", data);
            cJSON_AddItemToArray(chunks, c);
        }
        cJSON_AddItemToArray(ixs, ix);
    }
    text = cJSON_Print(doc);
    cJSON_Delete(doc);
    assert_non_null(text);
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    free(text);
    return path;
}

/* Chunks of kind p due by virtual time t. */
static size_t due_by(int p, int64_t t)
{
    size_t n = 0;
    for (int k = 0; k < CHUNKS; k++) {
        n += due_of(p, k) <= t;
    }
    return n;
}

static void many_streams_each_chunk_at_its_virtual_time(void **state)
{
    const char *paths[1];
    mk_clock *c = mk_clock_new_virtual();
    mk_mock *m;
    cu_stream *s = calloc(STREAMS, sizeof(*s));
    int64_t last = 0;
    (void)state;
    assert_non_null(s);
    paths[0] = write_cassette();
    m = cu_mock(NULL, paths, 1, 1.0, c);
    for (int i = 0; i < STREAMS; i++) {
        char url[256];
        snprintf(url, sizeof(url), "%s/s/%d", mk_mock_url(m), i % KINDS);
        assert_int_equal(cu_stream_start(&s[i], "GET", url, NULL, NULL), 0);
    }
    /* every stream parked before the clock moves: heads of kinds > 0 and
     * every first chunk are due later */
    assert_int_equal(mk_clock_wait_for_waiters(c, STREAMS, 60000), 0); /* a liveness bound, generous for ASan on a loaded machine */
    for (int p = 0; p < KINDS; p++) {
        last = due_of(p, CHUNKS - 1) > last ? due_of(p, CHUNKS - 1) : last;
    }
    for (int64_t t = 1; t <= last; t++) {
        int live = 0;
        assert_int_equal(mk_clock_advance(c, 1), 0);
        /* the chunks due now arrive (bounded wait), then the server parks */
        for (int i = 0; i < STREAMS; i++) {
            size_t want = due_by(i % KINDS, t);
            if (cu_stream_wait(&s[i], want, 30000) < want) {
                fail_msg("t=%lld ms: stream %d (kind %d) has %zu chunks, %zu were due",
                         (long long)t, i, i % KINDS, cu_stream_count(&s[i]), want);
            }
            live += want < CHUNKS;
        }
        assert_int_equal(mk_clock_wait_for_waiters(c, live, 5000), 0);
        /* ... and nothing due later has left */
        for (int i = 0; i < STREAMS; i++) {
            size_t want = due_by(i % KINDS, t), got = cu_stream_count(&s[i]);
            if (got != want) {
                fail_msg("t=%lld ms: stream %d (kind %d) has %zu chunks, only %zu were due",
                         (long long)t, i, i % KINDS, got, want);
            }
        }
    }
    for (int i = 0; i < STREAMS; i++) {
        int p = i % KINDS;
        /* CHUNKS + 1: until the transfer ends */
        assert_int_equal(cu_stream_wait(&s[i], CHUNKS + 1, 5000), CHUNKS);
        pthread_join(s[i].thread, NULL);
        s[i].thread = pthread_self(); /* joined: finish must not join again */
        assert_int_equal(s[i].status, 200);
        assert_true(s[i].saw_end);
        for (int k = 0; k < CHUNKS; k++) {
            char want[32];
            snprintf(want, sizeof(want), "data: %d.%d\n\n", p, k);
            assert_int_equal(s[i].chunks[k].len, strlen(want));
            assert_memory_equal(s[i].chunks[k].data, want, strlen(want));
        }
    }
    for (int i = 0; i < STREAMS; i++) {
        cu_stream_finish(&s[i]);
    }
    mk_mock_free(m);
    mk_clock_free(c);
    unlink(paths[0]);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(many_streams_each_chunk_at_its_virtual_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
