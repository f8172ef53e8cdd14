/* test_reload_load.c: cassettes swapped over and over while clients keep
 * asking: every request gets its recorded answer (none lost, none
 * unmatched), and a stream that started before its cassette was removed
 * plays to its end from the set it started with (run under ASan/TSan to
 * see that nothing it uses was freed). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_util.h"
#include "suite.h"

#define REQUESTS 600
#define CLIENTS 2

typedef struct load {
    mk_mock *m;
    atomic_int done;
    int ok, bad;
    char first_bad[200];
} load;

static void *client_main(void *arg)
{
    load *l = arg;
    for (int i = 0; i < REQUESTS; i++) {
        long status;
        char *body = au_get(l->m, "/a", &status);
        if (body && strcmp(body, "A") == 0) {
            l->ok++;
        } else {
            if (l->bad++ == 0) {
                snprintf(l->first_bad, sizeof(l->first_bad), "request %d: HTTP %ld, body %s", i,
                         status, body ? body : "(none)");
            }
        }
        free(body);
    }
    atomic_store(&l->done, 1);
    return NULL;
}

static void test_swaps_under_load(void **state)
{
    char dir[64];
    char *a = au_cassette("alpha", "/a", "A");
    char *b1 = au_cassette("beta", "/b", "B1"), *b2 = au_cassette("beta", "/b", "B2");
    mk_mock_options o;
    mk_mock *m = NULL;
    mk_diag d;
    load l[CLIENTS];
    pthread_t t[CLIENTS];
    int swaps = 0, all_done = 0;
    (void)state;
    au_tmpdir(dir, sizeof(dir));
    au_write(dir, "alpha.json", a);
    const char *paths[] = {dir};
    mk_mock_options_init(&o);
    o.speed = 0;
    o.quiet = 1;
    o.journal_size = 4096;
    assert_int_equal(mk_mock_new(&o, paths, 1, &m, &d), MK_MOCK_OK);
    for (int i = 0; i < CLIENTS; i++) {
        memset(&l[i], 0, sizeof(l[i]));
        l[i].m = m;
        atomic_init(&l[i].done, 0);
        assert_int_equal(pthread_create(&t[i], NULL, client_main, &l[i]), 0);
    }
    /* every kind of swap, as fast as they go, until the clients are done
     * (bounded: they make a fixed number of requests, each with a timeout) */
    while (!all_done) {
        cu_resp r;
        switch (swaps % 4) {
        case 0:
            assert_int_equal(mk_mock_reload(m, &d), MK_MOCK_OK);
            break;
        case 1:
            assert_int_equal(mk_mock_add_cassette(m, b1, strlen(b1), NULL, NULL, &d), MK_MOCK_OK);
            break;
        case 2:
            au_admin(m, "POST", "/__mockkit/cassettes", b2, NULL, &r);
            assert_int_equal(r.status, 200);
            cu_resp_free(&r);
            break;
        default:
            /* replacing alpha itself: the client's /a must not fall between */
            au_admin(m, "POST", "/__mockkit/cassettes", a, NULL, &r);
            assert_int_equal(r.status, 200);
            cu_resp_free(&r);
            break;
        }
        swaps++;
        all_done = 1;
        for (int i = 0; i < CLIENTS; i++) {
            all_done &= atomic_load(&l[i].done);
        }
    }
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(t[i], NULL);
        if (l[i].bad) {
            fail_msg("client %d: %d of %d requests without their recorded answer; first: %s", i,
                     l[i].bad, REQUESTS, l[i].first_bad);
        }
        assert_int_equal(l[i].ok, REQUESTS);
    }
    print_message("%d swaps during %d requests\n", swaps, CLIENTS * REQUESTS);
    assert_true(swaps > 10);
    /* the journal saw each of them matched, through every swap */
    mk_journal_entry *es = calloc(4096, sizeof(*es));
    size_t n, matched = 0;
    assert_non_null(es);
    n = mk_mock_journal(m, es, 4096);
    for (size_t i = 0; i < n; i++) {
        matched += strcmp(es[i].path, "/a") == 0 && es[i].matched && es[i].status == 200;
    }
    assert_int_equal(matched, CLIENTS * REQUESTS);
    free(es);
    mk_mock_free(m);
    au_rmdir(dir);
    free(a);
    free(b1);
    free(b2);
}

/* A stream keeps playing from the set it started with after its cassette
 * is removed and the rest reloaded. */
static void test_stream_outlives_its_cassette(void **state)
{
    static const char doc[] =
        "{\"mockkit_cassette\":1,\"meta\":{\"service\":\"generic\",\"name\":\"stream\","
        "\"description\":\"admin suite: three chunks 150 ms apart\",\"created\":"
        "\"2026-11-30T10:00:00Z\",\"source\":{\"kind\":\"synthesized\",\"refs\":[\"mockkit "
        "docs/cassette.md (the format itself)\"]}},\"interactions\":[{\"id\":\"s\",\"at_ms\":0,"
        "\"request\":{\"method\":\"GET\",\"path\":\"/s\"},\"response\":{\"status\":200,"
        "\"headers\":{\"content-type\":\"text/event-stream\"},\"chunks\":["
        "{\"at_ms\":0,\"text\":\"data: 1\\n\\n\"},{\"at_ms\":150,\"text\":\"data: 2\\n\\n\"},"
        "{\"at_ms\":300,\"text\":\"data: 3\\n\\n\"}]}}]}";
    char dir[64], url[256];
    char *a = au_cassette("alpha", "/a", "A");
    mk_mock_options o;
    mk_mock *m = NULL;
    mk_diag d;
    cu_stream s;
    long status;
    (void)state;
    au_tmpdir(dir, sizeof(dir));
    au_write(dir, "alpha.json", a);
    const char *paths[] = {dir};
    mk_mock_options_init(&o);
    o.quiet = 1;
    assert_int_equal(mk_mock_new(&o, paths, 1, &m, &d), MK_MOCK_OK);
    assert_int_equal(mk_mock_add_cassette(m, doc, strlen(doc), NULL, NULL, &d), MK_MOCK_OK);
    snprintf(url, sizeof(url), "%s/s", mk_mock_url(m));
    assert_int_equal(cu_stream_start(&s, "GET", url, NULL, NULL), 0);
    assert_int_equal(cu_stream_wait(&s, 1, 5000), 1);
    /* the stream's cassette goes, and the old set with it, while it plays */
    assert_int_equal(mk_mock_remove_cassette(m, "stream", &d), MK_MOCK_OK);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(mk_mock_reload(m, &d), MK_MOCK_OK);
    }
    char *body = au_get(m, "/s", &status);
    assert_int_equal(status, 404); /* new requests see the new set */
    free(body);
    /* asking for a 4th returns when the transfer ends */
    assert_int_equal(cu_stream_wait(&s, 4, 5000), 3);
    assert_memory_equal(s.chunks[2].data, "data: 3\n\n", 9);
    cu_stream_finish(&s);
    assert_int_equal(s.status, 200);
    assert_true(s.saw_end);
    mk_mock_free(m);
    au_rmdir(dir);
    free(a);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_swaps_under_load),
        cmocka_unit_test(test_stream_outlives_its_cassette),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
