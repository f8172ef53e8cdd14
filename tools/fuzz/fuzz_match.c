/* fuzz_match.c: libFuzzer target for the request path behind a socket:
 * service checks (auth, envelopes), the matcher over every shipped fixture
 * of the service (as `mockkit serve` loads them), the near-miss text and
 * the journal, driven directly with arbitrary requests and bodies.
 *
 * Input: byte 0 picks the service (bits 0-1) and HTTP or websocket
 * matching (bit 2); then "METHOD TARGET\n", header lines "Name: value\n"
 * up to an empty line, and the rest is the body. One mock per service is
 * started once (on an ephemeral loopback port, never contacted) and reset
 * before each input so every run starts from the same state.
 *
 * The request runs on a thread with a small stack, as in the server (the
 * issue measured CivetWeb's workers at about 100 KiB): recursion that an
 * 8 MiB main stack would absorb, such as a deeply nested JSON body, must
 * fail here as it fails there. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock_internal.h"
#include "fuzz_entry.h"

#define MAX_HEADERS 64 /* CivetWeb's own limit (MG_MAX_HEADERS) */

static const char *const services[4] = {"pieces", "bee", "openai", "cairos"};
static mk_mock *mocks[4];

static void stop_all(void)
{
    for (int i = 0; i < 4; i++)
        mk_mock_free(mocks[i]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    for (int i = 0; i < 4; i++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/%s", MOCKKIT_FIXTURES_DIR, services[i]);
        mk_mock_options o;
        mk_mock_options_init(&o);
        o.service = services[i];
        o.speed = 0;
        o.quiet = 1;
        const char *paths[] = {dir};
        mk_diag d;
        if (mk_mock_new(&o, paths, 1, &mocks[i], &d) != MK_MOCK_OK) {
            char msg[1200];
            fprintf(stderr, "fuzz_match: %s: %s\n", services[i], mk_diag_format(&d, msg, sizeof msg));
            abort();
        }
    }
    atexit(stop_all);
    return 0;
}

/* Next line of [*p, end) as a NUL-terminated copy into buf (cut to fit). */
static int next_line(const char **p, const char *end, char *buf, size_t size)
{
    if (*p >= end)
        return 0;
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
    size_t keep = n < size - 1 ? n : size - 1;
    memcpy(buf, *p, keep);
    buf[keep] = '\0';
    *p += n + (nl ? 1 : 0);
    return 1;
}

#define WORKER_STACK 102400 /* Debian CivetWeb: CIVETWEB_THREAD_STACK_SIZE */

typedef struct input {
    const uint8_t *data;
    size_t size;
} input;

static void one_request(const uint8_t *data, size_t size);

static void *run(void *arg)
{
    input *in = arg;
    one_request(in->data, in->size);
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in = {data, size};
    pthread_attr_t attr;
    pthread_t t;
    if (size < 1 || pthread_attr_init(&attr) != 0)
        return 0;
    pthread_attr_setstacksize(&attr, WORKER_STACK);
    if (pthread_create(&t, &attr, run, &in) == 0)
        pthread_join(t, NULL);
    pthread_attr_destroy(&attr);
    return 0;
}

static void one_request(const uint8_t *data, size_t size)
{
    mk_mock *m = mocks[data[0] & 3];
    int kind = (data[0] & 4) ? MK_IX_WEBSOCKET : MK_IX_HTTP;
    const char *p = (const char *)data + 1, *end = (const char *)data + size;

    char first[2048];
    if (!next_line(&p, end, first, sizeof first))
        return;
    char *sp = strchr(first, ' ');
    if (!sp)
        return;
    *sp = '\0';
    char *target = sp + 1, *qmark = strchr(target, '?');
    if (qmark)
        *qmark = '\0';

    static char lines[MAX_HEADERS][1024];
    struct mg_request_info ri;
    memset(&ri, 0, sizeof ri);
    ri.request_method = first;
    ri.local_uri = target;
    ri.query_string = qmark ? qmark + 1 : NULL;
    while (ri.num_headers < MAX_HEADERS && next_line(&p, end, lines[ri.num_headers], 1024)) {
        char *line = lines[ri.num_headers];
        if (!line[0])
            break;
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        char *value = colon + 1;
        while (*value == ' ')
            value++;
        ri.http_headers[ri.num_headers].name = line;
        ri.http_headers[ri.num_headers].value = value;
        ri.num_headers++;
    }

    mk__req req;
    memset(&req, 0, sizeof req);
    req.method = ri.request_method;
    req.path = ri.local_uri;
    req.query_string = ri.query_string;
    req.ri = &ri;
    req.body_len = (size_t)(end - p);
    req.body = malloc(req.body_len + 1); /* the handler NUL-terminates too */
    if (!req.body)
        return;
    memcpy(req.body, p, req.body_len);
    req.body[req.body_len] = '\0';
    if (mk__query_parse(req.query_string, &req.query, &req.query_count) != 0) {
        free(req.body);
        return;
    }

    mk_mock_reset(m);
    int64_t now = mk_clock_now_ms(m->clock);
    mk__reply r = {0};
    if (kind == MK_IX_HTTP && mk__profile_check(m, &req, now, &r)) {
        mk__journal_note(m, &req, now, r.status, 0, NULL, NULL);
    } else {
        mk__pick pick;
        mk__engine_pick(m, &req, kind, now, &pick);
        if (pick.index != SIZE_MAX) {
            const mk__ix *x = &pick.set->ixs[pick.index];
            mk__journal_note(m, &req, now, x->ix->response.status, 1, x, NULL);
        } else {
            const mk__ix *near = pick.nearest != SIZE_MAX ? &pick.set->ixs[pick.nearest] : NULL;
            mk__profile_unmatched(m, &req, &pick, &r);
            mk__journal_note(m, &req, now, r.status, 0, near, pick.failed);
        }
        mk__set_put(pick.set);
    }
    /* The choosing pass (no failure text) and the near-miss pass (with it)
     * must agree on every interaction: the former skips work, not rules. */
    for (size_t i = 0; i < m->set->ix_count; i++) {
        int s1, s2, p1, p2;
        char fail[400];
        int a = mk__match(m->set->ixs[i].ix, &req, &s1, &p1, NULL, 0);
        int b = mk__match(m->set->ixs[i].ix, &req, &s2, &p2, fail, sizeof fail);
        if (a != b || (a && s1 != s2) || p1 != p2) {
            fprintf(stderr, "fuzz_match: %s: matched %d/%d, score %d/%d, passed %d/%d (%s)\n",
                    m->set->ixs[i].ix->id, a, b, s1, s2, p1, p2, fail);
            abort();
        }
    }
    cJSON *j = mk_mock_journal_json(m);
    cJSON_Delete(j);
    mk__reply_clear(&r);
    mk__query_free(req.query, req.query_count);
    cJSON_Delete(req.json);
    free(req.body);
}
