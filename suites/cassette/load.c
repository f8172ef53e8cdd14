/* suite-cassette-load: a cassette using every feature of format v1 loads
 * into the right structs; syntax errors name line, column and byte offset;
 * bodies keep their exact bytes (binary base64 with NUL bytes included). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "mockkit/cassette.h"
#include "suite.h"

#define FULL MOCKKIT_SOURCE_DIR "/suites/cassette/data/full.json"

static int load_full(void **state)
{
    mk_cassette *c = NULL;
    mk_diag d;
    int rc = mk_cassette_load(FULL, &c, &d);
    if (rc != MK_CASSETTE_OK) {
        char buf[1200];
        fprintf(stderr, "%s\n", mk_diag_format(&d, buf, sizeof buf));
        return -1;
    }
    *state = c;
    return 0;
}

static int free_full(void **state)
{
    mk_cassette_free(*state);
    return 0;
}

static void test_meta(void **state)
{
    const mk_cassette *c = *state;
    assert_string_equal(c->path, FULL);
    assert_int_equal(c->version, 1);
    assert_string_equal(c->meta.service, "bee");
    assert_string_equal(c->meta.name, "full");
    assert_non_null(c->meta.description);
    assert_string_equal(c->meta.created, "2026-01-31T12:00:00Z");
    assert_string_equal(c->meta.source.kind, "synthesized");
    assert_null(c->meta.source.url);
    assert_int_equal(c->meta.source.ref_count, 2);
    assert_string_equal(c->meta.source.refs[1], "openai/openai-openapi@master openapi.yaml");
    assert_int_equal(c->meta.redaction_count, 2);
    assert_string_equal(c->meta.redactions[0], "header:authorization");
    assert_int_equal(c->count, 4);
}

static void test_http_request_and_match(void **state)
{
    const mk_cassette *c = *state;
    const mk_interaction *ix = &c->interactions[0];
    assert_string_equal(ix->id, "create-run");
    assert_int_equal(ix->index, 0);
    assert_int_equal(ix->at_ms, 100);
    assert_int_equal(ix->kind, MK_IX_HTTP);
    assert_string_equal(ix->note, "a POST with a JSON body");

    const mk_request *r = &ix->request;
    assert_string_equal(r->method, "POST");
    assert_string_equal(r->path, "/v1/threads/thread_1/runs");
    /* A repeated parameter becomes one entry per value, in order. */
    assert_int_equal(r->query_count, 3);
    assert_string_equal(r->query[0].name, "limit");
    assert_string_equal(r->query[0].value, "20");
    assert_string_equal(r->query[1].name, "ids[]");
    assert_string_equal(r->query[1].value, "a");
    assert_string_equal(r->query[2].value, "b");
    assert_int_equal(r->headers.count, 4);
    assert_string_equal(mk_headers_get(&r->headers, "content-type"), "application/json");
    assert_string_equal(mk_headers_get(&r->headers, "x-multi"), "one");
    assert_string_equal(r->headers.items[3].value, "two");
    assert_null(mk_headers_get(&r->headers, "x-missing"));

    assert_int_equal(r->body.kind, MK_BODY_JSON);
    assert_non_null(r->body.json);
    char *compact = cJSON_PrintUnformatted(r->body.json);
    assert_int_equal(r->body.bytes.len, strlen(compact));
    assert_memory_equal(r->body.bytes.data, compact, strlen(compact));
    assert_int_equal(r->body.bytes.data[r->body.bytes.len], 0);
    cJSON_free(compact);

    const mk_match *m = &ix->match;
    assert_string_equal(m->path, "/v1/threads/{thread_id}/runs");
    assert_int_equal(m->query, MK_MATCH_QUERY_EXACT);
    assert_int_equal(m->header_count, 1);
    assert_string_equal(m->headers[0], "content-type"); /* lowercased */
    assert_int_equal(m->body, MK_MATCH_BODY_EQUAL);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(m->body_json, "stream")));
}

static void test_http_response(void **state)
{
    const mk_cassette *c = *state;
    const mk_response *resp = &c->interactions[0].response;
    assert_int_equal(resp->status, 201);
    assert_int_equal(resp->at_ms, 130);
    assert_int_equal(resp->streamed, 0);
    assert_int_equal(resp->close, 0);
    assert_null(resp->chunks);
    assert_int_equal(resp->headers.count, 3);
    assert_string_equal(resp->headers.items[2].value, "theme=; Max-Age=0");
    assert_int_equal(resp->body.kind, MK_BODY_JSON);
    const char *want = "{\"id\":\"run_1\",\"status\":\"queued\",\"usage\":null}";
    assert_int_equal(resp->body.bytes.len, strlen(want));
    assert_memory_equal(resp->body.bytes.data, want, strlen(want));
}

static void test_streamed_response(void **state)
{
    const mk_cassette *c = *state;
    const mk_interaction *ix = &c->interactions[1];
    assert_string_equal(ix->id, "ix-1"); /* generated from the position */
    assert_null(ix->note);
    assert_int_equal(ix->match.query, MK_MATCH_QUERY_SUBSET);
    assert_int_equal(ix->match.body, MK_MATCH_BODY_DEFAULT);
    assert_null(ix->match.path);
    assert_int_equal(ix->request.body.kind, MK_BODY_TEXT);
    assert_string_equal((const char *)ix->request.body.bytes.data,
                        "user=me&password=%3CREDACTED%3E");

    const mk_response *resp = &ix->response;
    assert_int_equal(resp->at_ms, 140); /* defaults to the request's */
    assert_int_equal(resp->body.kind, MK_BODY_NONE);
    assert_int_equal(resp->body.bytes.len, 0);
    assert_non_null(resp->body.bytes.data);
    assert_int_equal(resp->streamed, 1);
    assert_int_equal(resp->close, 1);
    assert_int_equal(resp->chunk_count, 3);
    assert_int_equal(resp->chunks[0].at_ms, 150);
    assert_int_equal(resp->chunks[0].body.kind, MK_BODY_TEXT);
    assert_string_equal((const char *)resp->chunks[0].body.bytes.data,
                        "event: thread.run.created\ndata: {\"id\":\"run_1\"}\n\n");
    assert_null(resp->chunks[0].after);
    assert_int_equal(resp->chunks[1].body.kind, MK_BODY_JSON);
    assert_string_equal((const char *)resp->chunks[1].body.bytes.data, "{\"k\":[1,2]}");
    assert_int_equal(resp->chunks[2].body.kind, MK_BODY_BASE64);
    assert_int_equal(resp->chunks[2].body.bytes.len, 9);
    assert_memory_equal(resp->chunks[2].body.bytes.data, "data: x\n\n", 9);
    assert_string_equal(resp->chunks[2].after, "create-run");
    assert_ptr_equal(mk_cassette_find(c, resp->chunks[2].after), &c->interactions[0]);
}

static void test_binary_body_keeps_nul_bytes(void **state)
{
    const mk_cassette *c = *state;
    const mk_interaction *ix = mk_cassette_find(c, "png");
    assert_non_null(ix);
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                                        0,    0,   0,   '\r', 'I',  'H',  'D',  'R', 0};
    const mk_body *b = &ix->response.body;
    assert_int_equal(b->kind, MK_BODY_BASE64);
    assert_null(b->json);
    assert_int_equal(b->bytes.len, sizeof png);
    assert_memory_equal(b->bytes.data, png, sizeof png);
    assert_int_equal(b->bytes.data[b->bytes.len], 0);
}

static void test_websocket_frames(void **state)
{
    const mk_cassette *c = *state;
    const mk_interaction *ix = mk_cassette_find(c, "ask");
    assert_non_null(ix);
    assert_int_equal(ix->kind, MK_IX_WEBSOCKET);
    assert_string_equal(ix->request.method, "GET");
    assert_int_equal(ix->frame_count, 7);
    const mk_frame *f = ix->frames;
    assert_int_equal(f[0].from, MK_FROM_SERVER);
    assert_int_equal(f[0].type, MK_FRAME_TEXT);
    assert_string_equal((const char *)f[0].payload.bytes.data, "hello");
    assert_int_equal(f[1].from, MK_FROM_CLIENT);
    assert_int_equal(f[1].match, MK_FRAME_MATCH_PARTIAL);
    assert_string_equal((const char *)f[1].payload.bytes.data, "{\"question\":{\"query\":\"Hi\"}}");
    assert_int_equal(f[2].type, MK_FRAME_BINARY);
    assert_int_equal(f[2].match, MK_FRAME_MATCH_EXACT);
    assert_int_equal(f[2].payload.bytes.len, 3);
    assert_memory_equal(f[2].payload.bytes.data, "\x00\x01\x02", 3);
    assert_int_equal(f[3].type, MK_FRAME_PING);
    assert_int_equal(f[3].match, MK_FRAME_MATCH_ANY);
    assert_int_equal(f[3].payload.bytes.len, 0);
    assert_int_equal(f[4].type, MK_FRAME_PONG);
    assert_int_equal(f[4].match, MK_FRAME_MATCH_DEFAULT);
    assert_string_equal(f[5].after, "png");
    assert_int_equal(f[5].at_ms, 1500);
    assert_int_equal(f[6].type, MK_FRAME_CLOSE);
    assert_int_equal(f[6].close_code, 1000);
    assert_string_equal(f[6].close_reason, "bye");
    assert_null(mk_cassette_find(c, "nope"));
}

static void expect_syntax(const char *text, int line, int col, size_t offset,
                          const char *fragment)
{
    mk_cassette *c = (mk_cassette *)1;
    mk_diag d;
    assert_int_equal(mk_cassette_parse(text, strlen(text), "x.json", &c, &d),
                     MK_CASSETTE_ESYNTAX);
    assert_null(c);
    assert_string_equal(d.file, "x.json");
    assert_int_equal(d.line, line);
    assert_int_equal(d.column, col);
    assert_int_equal(d.offset, offset);
    assert_non_null(strstr(d.message, fragment));
    char buf[1200], want[64];
    snprintf(want, sizeof want, "x.json:%d:%d: ", line, col);
    assert_true(strncmp(mk_diag_format(&d, buf, sizeof buf), want, strlen(want)) == 0);
}

static void test_syntax_errors_name_line_column_offset(void **state)
{
    (void)state;
    /* line 3 is " 2,,": the second comma is byte 16, column 4 */
    expect_syntax("{\n  \"a\": [1,\n 2,,\n", 3, 4, 16, "unexpected ','");
    /* columns count characters, not bytes: "é" is two bytes */
    expect_syntax("{\"é\": tru}", 1, 7, 7, "not valid JSON");
    expect_syntax("{\"a\": 1} x", 1, 10, 9, "data after the document");
    expect_syntax("{\"a\": [1, 2", 1, 12, 11, "end of input");
    expect_syntax("", 1, 1, 0, "end of input");
}

/* What cJSON accepts but JSON does not, and positions cJSON gets wrong. */
static void test_syntax_strings_and_line_ends(void **state)
{
    (void)state;
    /* raw control characters inside strings (cJSON would accept them) */
    expect_syntax("{\"a\": \"x\ty\"}", 1, 9, 8, "raw control character 0x09 inside a string");
    expect_syntax("{\n\"a\": \"x\ny\"}", 2, 8, 9, "raw control character 0x0a");
    expect_syntax("{\"a\\\"\x01\": 1}", 1, 6, 5, "0x01");
    /* ... but escapes are fine, and whitespace outside strings too */
    mk_cassette *c = NULL;
    mk_diag d;
    const char *esc = "{\"a\": \"x\\ty\\n\\u0001\"}";
    assert_int_equal(mk_cassette_parse(esc, strlen(esc), "x.json", &c, &d), MK_CASSETTE_ESCHEMA);
    assert_null(strstr(d.message, "control character"));
    /* a lone CR ends a line; CRLF ends one line, not two */
    expect_syntax("{\r\"a\": [1,,\r\n2]}", 2, 9, 10, "unexpected ','");
    expect_syntax("{\r\n\"a\":,}", 2, 5, 7, "unexpected ','");
    /* an unterminated string: at the end of input, naming where it began */
    expect_syntax("{\n\"a\": \"abc", 2, 10, 11, "unterminated string starting at 2:6");
    expect_syntax("{\"ab", 1, 5, 4, "unterminated string starting at 1:2");
}

static void test_errors_and_arguments(void **state)
{
    (void)state;
    mk_cassette *c = NULL;
    mk_diag d;
    assert_int_equal(mk_cassette_load("/nonexistent/x.json", &c, &d), MK_CASSETTE_EIO);
    assert_null(c);
    assert_string_equal(d.file, "/nonexistent/x.json");
    assert_non_null(strstr(d.message, "No such file"));
    assert_int_equal(mk_cassette_load(NULL, &c, &d), MK_CASSETTE_EINVAL);
    assert_int_equal(mk_cassette_parse("{}", 2, "m", NULL, &d), MK_CASSETTE_EINVAL);
    assert_int_equal(mk_cassette_from_json(NULL, "m", &c, NULL), MK_CASSETTE_EINVAL);
    assert_int_equal(mk_cassette_scan_secrets(NULL, "m", NULL), MK_CASSETTE_EINVAL);
    assert_int_equal(mk_cassette_save_json(NULL, "/tmp/x", NULL), MK_CASSETTE_EINVAL);
    mk_cassette_free(NULL);
    assert_null(mk_cassette_find(NULL, "x"));
    assert_null(mk_headers_get(NULL, "x"));
    assert_string_equal(mk_cassette_strerror(MK_CASSETTE_ESECRET), "contains a secret");
    assert_string_equal(mk_cassette_strerror(42), "unknown cassette status");

    /* A schema error is reported as "file: /pointer: message". */
    const char *text = "{\"mockkit_cassette\": 1, \"meta\": 5, \"interactions\": []}";
    assert_int_equal(mk_cassette_parse(text, strlen(text), "m.json", &c, &d),
                     MK_CASSETTE_ESCHEMA);
    char buf[1200];
    assert_string_equal(mk_diag_format(&d, buf, sizeof buf),
                        "m.json: /meta: must be an object, got 5");
}

static void test_empty_cassette_loads(void **state)
{
    (void)state;
    const char *text = "{\"mockkit_cassette\":1,\"meta\":{\"service\":\"x\",\"name\":\"e\","
                       "\"created\":\"2026-01-01\",\"source\":{\"kind\":\"recorded\","
                       "\"url\":\"http://127.0.0.1:1\"}},\"interactions\":[]}";
    mk_cassette *c = NULL;
    assert_int_equal(mk_cassette_parse(text, strlen(text), NULL, &c, NULL), MK_CASSETTE_OK);
    assert_string_equal(c->path, "<memory>");
    assert_int_equal(c->count, 0);
    assert_string_equal(c->meta.source.url, "http://127.0.0.1:1");
    mk_cassette_free(c);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meta),
        cmocka_unit_test(test_http_request_and_match),
        cmocka_unit_test(test_http_response),
        cmocka_unit_test(test_streamed_response),
        cmocka_unit_test(test_binary_body_keeps_nul_bytes),
        cmocka_unit_test(test_websocket_frames),
        cmocka_unit_test(test_syntax_errors_name_line_column_offset),
        cmocka_unit_test(test_syntax_strings_and_line_ends),
        cmocka_unit_test(test_errors_and_arguments),
        cmocka_unit_test(test_empty_cassette_loads),
    };
    return SUITE_RUN(argc, argv, tests, load_full, free_full);
}
