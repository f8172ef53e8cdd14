/* test_sse_parser.c: the SSE parser against every WHATWG parsing rule
 * (HTML 9.2.5-9.2.6) and the web-platform-tests format-* vectors.
 *
 * Each vector runs whole, one byte per feed, split at every point, and (for
 * short vectors) split at every pair of points: the event log, the end
 * status, the last event id and the retry value must be identical every
 * time. A log line is "type|data|id" with \n \r \0 | and \ escaped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mockkit/sse.h"
#include "suite.h"

typedef struct vector {
    const char *name;     /* rule or WPT file it checks */
    const char *input;
    size_t len;           /* explicit: inputs hold NUL bytes */
    const char *log;      /* expected events */
    int truncated;        /* finish() reports a dropped partial event */
    const char *last_id;  /* after finish() */
    long retry;           /* -1: none */
} vector;

#define V(name, input, log, trunc, id, retry) {name, input, sizeof(input) - 1, log, trunc, id, retry}

static const vector vectors[] = {
    /* P3: line ends */
    V("lf", "data: a\ndata: b\n\n", "message|a\\nb|\n", 0, "", -1),
    V("cr", "data: a\rdata: b\r\r", "message|a\\nb|\n", 0, "", -1),
    V("crlf", "data: a\r\ndata: b\r\n\r\n", "message|a\\nb|\n", 0, "", -1),
    V("wpt format-newlines", "data:test\r\ndata\ndata:test\r\n\r\n", "message|test\\n\\ntest|\n", 0, "", -1),
    V("cr cr at end dispatches at once (V03)", "data:x\r\r", "message|x|\n", 0, "", -1),
    V("lf cr is two line ends", "data:x\n\rdata:y\n\n", "message|x|\nmessage|y|\n", 0, "", -1),
    /* P2: BOM at stream start only */
    V("bom at start", "\xEF\xBB\xBF" "data: x\n\n", "message|x|\n", 0, "", -1),
    V("wpt format-bom (mid-stream BOM is content)",
      "\xEF\xBB\xBF" "data:1\n\n" "\xEF\xBB\xBF" "data:2\n\ndata:3\n\n", "message|1|\nmessage|3|\n", 0, "", -1),
    V("wpt format-bom-2 (second BOM is content)",
      "\xEF\xBB\xBF\xEF\xBB\xBF" "data:1\n\ndata:2\n\ndata:3\n\n", "message|2|\nmessage|3|\n", 0, "", -1),
    V("half a BOM is content", "\xEF\xBB" "data:1\n\ndata:2\n\n", "message|2|\n", 0, "", -1),
    /* P6: comments */
    V("wpt format-comments",
      "data:1\r:\0\n:\r\ndata:2\n:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\rdata:3\n:data:fail\r:yyyyyyyyyyyy\ndata:4\n\n",
      "message|1\\n2\\n3\\n4|\n", 0, "", -1),
    V("comment-only stream", ": ping - 2025-01-01\r\n\r\n: ping\r\n\r\n", "", 0, "", -1),
    /* P7: exactly one leading space stripped */
    V("wpt format-leading-space", "data:  two\ndata:\ttab\ndata: trail  \n\n",
      "message| two\\n\ttab\\ntrail  |\n", 0, "", -1),
    V("no space", "data:x\n\n", "message|x|\n", 0, "", -1),
    /* P8, D3: a field without colon; data lines joined, one LF removed */
    V("wpt format-field-data", "data:\n\ndata\ndata\n\ndata:test", "message||\nmessage|\\n|\n", 1, "", -1),
    /* P4, P9: names are exact; NUL and odd names are unknown fields */
    V("wpt format-field-parsing",
      "data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\n da-ta:3\rdata_5:3\ndata:3\r data:4\ndata:\rdata:4\n\n",
      "message|\\0\\n 2\\n1\\n3\\n\\n4|\n", 0, "", -1),
    /* P10: event type */
    V("wpt format-field-event", "event: add\ndata: 1\n\n", "add|1|\n", 0, "", -1),
    V("wpt format-field-event-empty", "event: \ndata: x\n\n", "message|x|\n", 0, "", -1),
    V("last event field wins", "event: a\nevent: b\ndata: x\n\n", "b|x|\n", 0, "", -1),
    V("D2 type does not leak past an empty event", "event: x\n\ndata: y\n\n", "message|y|\n", 0, "", -1),
    /* P12, D1: ids */
    V("wpt format-field-id-2 (id persists)", "id: 1\ndata: a\n\ndata: b\n\n", "message|a|1\nmessage|b|1\n", 0, "1", -1),
    V("wpt format-field-id-3 (empty id resets)", "id: 1\ndata: a\n\nid\ndata: b\n\n", "message|a|1\nmessage|b|\n", 0, "", -1),
    V("wpt format-field-id-null (id with NUL ignored)", "id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n",
      "message|a|1\nmessage|b|1\n", 0, "1", -1),
    V("id in a block without data (V27)", "id: 7\n\ndata: x\n\n", "message|x|7\n", 0, "7", -1),
    V("id with a colon keeps the rest", "id: a:b\ndata: x\n\n", "message|x|a:b\n", 0, "a:b", -1),
    /* P13: retry */
    V("wpt format-field-retry", "retry: 03000\ndata: x\n\n", "message|x|\n", 0, "", 3000),
    V("wpt format-field-retry-bogus", "retry: 1000x\ndata: x\n\n", "message|x|\n", 0, "", -1),
    V("wpt format-field-retry-empty", "retry\ndata: x\n\n", "message|x|\n", 0, "", -1),
    V("retry with two spaces is not digits", "retry:  10\nretry: -5\nretry: 1.5\ndata: x\n\n", "message|x|\n", 0, "", -1),
    /* P14: unknown fields */
    V("wpt format-field-unknown", "foo: bar\ndata: x\nbaz\n\n", "message|x|\n", 0, "", -1),
    /* P15: partial event at end of stream is dropped */
    V("partial line at eof", "data: x\n\ndata: y", "message|x|\n", 1, "", -1),
    V("partial event at eof", "data: x\n\ndata: y\n", "message|x|\n", 1, "", -1),
    V("wpt format-data-before-final-empty-line", "retry:1000\ndata:test1\n\nid:test\ndata:test2",
      "message|test1|\n", 1, "", 1000),
    /* NUL in data is kept */
    V("wpt format-null-character", "data:\0\n\n", "message|\\0|\n", 0, "", -1),
    V("nul inside data", "data: a\0b\n\n", "message|a\\0b|\n", 0, "", -1),
    /* the recorded framings the kit replays */
    V("bee framing", "event: thread.run.created\ndata: {\"id\":\"run_1\"}\n\nevent: done\ndata: \"[DONE]\"\n\n",
      "thread.run.created|{\"id\":\"run_1\"}|\ndone|\"[DONE]\"|\n", 0, "", -1),
    V("sse-starlette framing", ": ping - 2025-08-19 15:24:19\r\n\r\nevent: animation_success\r\ndata: {\"a\":1}\r\n\r\n",
      "animation_success|{\"a\":1}|\n", 0, "", -1),
    V("openai framing", "data: {\"x\":1}\n\ndata: [DONE]\n\n", "message|{\"x\":1}|\nmessage|[DONE]|\n", 0, "", -1),
};

typedef struct run_out {
    char log[4096];
    size_t len;
    int finish;
    char last_id[64];
    long retry;
} run_out;

static void esc(run_out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n && o->len + 5 < sizeof o->log; i++) {
        char c = s[i];
        const char *e = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\0' ? "\\0" : c == '|' ? "\\|"
                      : c == '\\' ? "\\\\" : NULL;
        if (e) {
            memcpy(o->log + o->len, e, 2);
            o->len += 2;
        } else {
            o->log[o->len++] = c;
        }
    }
    o->log[o->len] = '\0';
}

static int on_event(void *user, const mkc_sse_event *ev)
{
    run_out *o = user;
    esc(o, ev->type, ev->type_len);
    o->log[o->len++] = '|';
    esc(o, ev->data, ev->data_len);
    o->log[o->len++] = '|';
    esc(o, ev->id, ev->id_len);
    o->log[o->len++] = '\n';
    o->log[o->len] = '\0';
    return 0;
}

/* Feeds v split at the given cut points (sorted, may repeat). */
static void run(const vector *v, const size_t *cuts, size_t ncuts, run_out *o)
{
    memset(o, 0, sizeof *o);
    mkc_sse_parser *p = mkc_sse_parser_new(on_event, NULL, o);
    assert_non_null(p);
    size_t at = 0;
    for (size_t i = 0; i <= ncuts; i++) {
        size_t end = i < ncuts ? cuts[i] : v->len;
        assert_int_equal(mkc_sse_parser_feed(p, v->input + at, end - at), MKC_OK);
        at = end;
    }
    o->finish = mkc_sse_parser_finish(p);
    size_t idl = 0;
    const char *id = mkc_sse_parser_last_id(p, &idl);
    snprintf(o->last_id, sizeof o->last_id, "%.*s", (int)idl, id);
    o->retry = mkc_sse_parser_retry(p);
    mkc_sse_parser_free(p);
}

static void expect(const vector *v, const run_out *o, const char *how)
{
    if (strcmp(o->log, v->log) != 0 || o->finish != (v->truncated ? MKC_ETRUNCATED : MKC_OK) ||
        strcmp(o->last_id, v->last_id) != 0 || o->retry != v->retry) {
        print_error("vector '%s' fed %s:\n  got      %s  finish=%d id='%s' retry=%ld\n"
                    "  expected %s  finish=%d id='%s' retry=%ld\n",
                    v->name, how, o->log, o->finish, o->last_id, o->retry, v->log,
                    v->truncated ? MKC_ETRUNCATED : MKC_OK, v->last_id, v->retry);
        fail();
    }
}

/* Every vector, whole. */
static void test_vectors_whole(void **state)
{
    (void)state;
    run_out o;
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        run(&vectors[i], NULL, 0, &o);
        expect(&vectors[i], &o, "whole");
    }
}

/* Every vector, one byte per feed. */
static void test_vectors_byte_by_byte(void **state)
{
    (void)state;
    run_out o;
    size_t cuts[1024];
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        const vector *v = &vectors[i];
        assert_true(v->len < 1024);
        for (size_t c = 0; c + 1 < v->len; c++)
            cuts[c] = c + 1;
        run(v, cuts, v->len ? v->len - 1 : 0, &o);
        expect(v, &o, "one byte at a time");
    }
}

/* Every vector split in two at every point (CR|LF across feeds included). */
static void test_vectors_every_split(void **state)
{
    (void)state;
    run_out o;
    char how[64];
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        const vector *v = &vectors[i];
        for (size_t c = 0; c <= v->len; c++) {
            snprintf(how, sizeof how, "split at byte %zu", c);
            run(v, &c, 1, &o);
            expect(v, &o, how);
        }
    }
}

/* Every vector up to 80 bytes split in three at every pair of points. */
static void test_vectors_every_three_way_split(void **state)
{
    (void)state;
    run_out o;
    char how[64];
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        const vector *v = &vectors[i];
        if (v->len > 80)
            continue;
        for (size_t a = 0; a <= v->len; a++) {
            for (size_t b = a; b <= v->len; b++) {
                size_t cuts[2] = {a, b};
                snprintf(how, sizeof how, "split at bytes %zu and %zu", a, b);
                run(v, cuts, 2, &o);
                expect(v, &o, how);
            }
        }
    }
}

static int stop_after_first(void *user, const mkc_sse_event *ev)
{
    (void)ev;
    (*(int *)user)++;
    return 1;
}

/* A callback that stops the stream stops it, and the stop is sticky. */
static void test_callback_stop_is_sticky(void **state)
{
    (void)state;
    int n = 0;
    mkc_sse_parser *p = mkc_sse_parser_new(stop_after_first, NULL, &n);
    const char in[] = "data: 1\n\ndata: 2\n\n";
    assert_int_equal(mkc_sse_parser_feed(p, in, sizeof in - 1), MKC_EABORTED);
    assert_int_equal(n, 1);
    assert_int_equal(mkc_sse_parser_feed(p, "data: 3\n\n", 9), MKC_EABORTED);
    assert_int_equal(n, 1);
    mkc_sse_parser_free(p);
}

/* An over-long line is refused with ETOOBIG, not buffered without end. */
static void test_limit(void **state)
{
    (void)state;
    run_out o = {0};
    mkc_sse_parser *p = mkc_sse_parser_new(on_event, NULL, &o);
    mkc_sse_parser_set_limit(p, 16);
    assert_int_equal(mkc_sse_parser_feed(p, "data: 0123456789abcdef", 22), MKC_ETOOBIG);
    assert_int_equal(mkc_sse_parser_feed(p, "\n\n", 2), MKC_ETOOBIG);
    assert_int_equal(o.len, 0);
    mkc_sse_parser_free(p);
}

static void on_comment(void *user, const char *text, size_t len)
{
    run_out *o = user;
    esc(o, text, len);
    o->log[o->len++] = ';';
    o->log[o->len] = '\0';
}

/* Comments reach the comment callback without the colon (pings). */
static void test_comment_callback(void **state)
{
    (void)state;
    run_out o = {0};
    mkc_sse_parser *p = mkc_sse_parser_new(NULL, on_comment, &o);
    const char in[] = ": ping - now\r\n:\r\n";
    assert_int_equal(mkc_sse_parser_feed(p, in, sizeof in - 1), MKC_OK);
    assert_string_equal(o.log, " ping - now;;");
    mkc_sse_parser_free(p);
}

/* reset() starts a new stream (a BOM is allowed again), keeping the last
 * event id as a reconnect does; offset counts from the new start. */
static void test_reset_is_a_new_stream(void **state)
{
    (void)state;
    run_out o = {0};
    mkc_sse_parser *p = mkc_sse_parser_new(on_event, NULL, &o);
    const char a[] = "id: 5\ndata: a\n\ndata: partial";
    assert_int_equal(mkc_sse_parser_feed(p, a, sizeof a - 1), MKC_OK);
    assert_int_equal(mkc_sse_parser_offset(p), sizeof a - 1);
    mkc_sse_parser_reset(p);
    assert_int_equal(mkc_sse_parser_offset(p), 0);
    const char b[] = "\xEF\xBB\xBF" "data: b\n\n";
    assert_int_equal(mkc_sse_parser_feed(p, b, sizeof b - 1), MKC_OK);
    assert_string_equal(o.log, "message|a|5\nmessage|b|5\n");
    mkc_sse_parser_free(p);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors_whole),
        cmocka_unit_test(test_vectors_byte_by_byte),
        cmocka_unit_test(test_vectors_every_split),
        cmocka_unit_test(test_vectors_every_three_way_split),
        cmocka_unit_test(test_callback_stop_is_sticky),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_comment_callback),
        cmocka_unit_test(test_reset_is_a_new_stream),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
