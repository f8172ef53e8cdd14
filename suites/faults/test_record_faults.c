/* suite-faults-record: faults in `record` proxy mode, on the answers a live
 * upstream gives (here an embedded mock on loopback stands in for it): the
 * kit's client sees the same errors as against the mock, and a faulted
 * exchange is not recorded. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mockkit/client.h"
#include "mockkit/mock.h"
#include "record.h"
#include "suite.h"

#define CASSETTE MOCKKIT_SOURCE_DIR "/suites/faults/cassettes/stream.json"
#define PINGS MOCKKIT_SOURCE_DIR "/suites/faults/cassettes/pings.json"
#define KEY "Authorization: Bearer sk-proj-testkey"
#define STREAM_BODY "{\"model\":\"gpt-4\",\"stream\":true}"

static int on_event(void *user, const mkc_sse_event *ev)
{
    (void)ev;
    (*(int *)user)++;
    return 0;
}

static void proxied_answers_get_the_faults(void **state)
{
    (void)state;
    mk_mock_options mo;
    mk_record_options ro;
    mk_mock *up = NULL;
    mk_record *rec = NULL;
    mk_diag d;
    const char *paths[] = {CASSETTE};
    const char *faults[] = {"GET /v1/models/gpt-4:status=429,retry-after=3,times=1",
                            "POST /v1/chat/completions:cut=event:2,rst"};
    char out[256], base[256];
    mk_mock_options_init(&mo);
    mo.service = "openai";
    mo.speed = 0;
    mo.quiet = 1;
    memset(&d, 0, sizeof(d));
    assert_int_equal(mk_mock_new(&mo, paths, 1, &up, &d), MK_MOCK_OK);
    snprintf(out, sizeof(out), "%s/faults-record-%d.json", MOCKKIT_BINARY_DIR, (int)getpid());
    mk_record_options_init(&ro);
    ro.upstream = mk_mock_url(up);
    ro.out = out;
    ro.mode = MK_RECORD_MODE_ALL;
    ro.service = "openai";
    ro.quiet = 1;
    ro.faults = faults;
    ro.fault_count = 2;
    assert_int_equal(mk_record_new(&ro, &rec, &d), 0);
    snprintf(base, sizeof(base), "%s/v1", mk_record_url(rec));

    mkc_http *h = mkc_http_new(base);
    mkc_response *resp = NULL;
    mkc_error err = {0};
    assert_int_equal(mkc_http_add_header(h, KEY), MKC_OK);
    /* 429 in OpenAI's envelope from the proxy, without asking the upstream */
    assert_int_equal(mkc_http_request_ok(h, "GET", "/models/gpt-4", NULL, NULL, NULL, 0, &resp,
                                         &err),
                     MKC_EHTTP);
    assert_int_equal(err.http_status, 429);
    assert_non_null(strstr(err.body, "rate_limit_exceeded"));
    assert_non_null(strstr(err.body, "\"message\":\"Rate limit reached for requests\""));
    assert_string_equal(mkc_response_header(resp, "retry-after"), "3");
    mkc_response_free(resp);
    mkc_error_clear(&err);
    assert_int_equal(mkc_http_request_ok(h, "GET", "/models/gpt-4", NULL, NULL, NULL, 0, &resp,
                                         &err),
                     MKC_OK);
    mkc_response_free(resp);

    /* the upstream's stream, cut after its second event with a reset */
    mkc_sse_options so;
    int events = 0;
    memset(&so, 0, sizeof(so));
    so.method = "POST";
    so.content_type = "application/json";
    so.body = STREAM_BODY;
    so.body_len = strlen(STREAM_BODY);
    assert_int_equal(mkc_sse_stream(h, "/chat/completions", &so, on_event, &events, NULL, &err),
                     MKC_ECLOSED);
    assert_int_equal(events, 2);
    assert_non_null(strstr(err.message, "Failure when receiving data from the peer"));
    mkc_error_clear(&err);
    mkc_http_free(h);

    /* recorded: the one answer no fault touched */
    assert_int_equal(mk_record_count(rec), 1);
    assert_int_equal(mk_record_stop(rec, &d), 0);
    mk_record_free(rec);
    mk_mock_free(up);
    remove(out);
}

/* The proxy counts events as the mock does: `: ping` blocks and a block
 * with only an event field are not events (pings.json). */
static void proxied_cut_counts_dispatched_events_only(void **state)
{
    (void)state;
    mk_mock_options mo;
    mk_record_options ro;
    mk_mock *up = NULL;
    mk_record *rec = NULL;
    mk_diag d;
    const char *paths[] = {PINGS};
    const char *faults[] = {"POST /v1/chat/completions:cut=event:2"};
    char out[256], base[256];
    mk_mock_options_init(&mo);
    mo.service = "openai";
    mo.speed = 0;
    mo.quiet = 1;
    memset(&d, 0, sizeof(d));
    assert_int_equal(mk_mock_new(&mo, paths, 1, &up, &d), MK_MOCK_OK);
    snprintf(out, sizeof(out), "%s/faults-record-pings-%d.json", MOCKKIT_BINARY_DIR,
             (int)getpid());
    mk_record_options_init(&ro);
    ro.upstream = mk_mock_url(up);
    ro.out = out;
    ro.mode = MK_RECORD_MODE_ALL;
    ro.service = "openai";
    ro.quiet = 1;
    ro.faults = faults;
    ro.fault_count = 1;
    assert_int_equal(mk_record_new(&ro, &rec, &d), 0);
    snprintf(base, sizeof(base), "%s/v1", mk_record_url(rec));

    mkc_http *h = mkc_http_new(base);
    mkc_error err = {0};
    mkc_sse_options so;
    int events = 0;
    assert_int_equal(mkc_http_add_header(h, KEY), MKC_OK);
    memset(&so, 0, sizeof(so));
    so.method = "POST";
    so.content_type = "application/json";
    so.body = STREAM_BODY;
    so.body_len = strlen(STREAM_BODY);
    assert_int_equal(mkc_sse_stream(h, "/chat/completions", &so, on_event, &events, NULL, &err),
                     MKC_ECLOSED);
    assert_int_equal(events, 2); /* a block count would have cut after 1 */
    assert_non_null(strstr(err.message, "between events"));
    mkc_error_clear(&err);
    mkc_http_free(h);
    assert_int_equal(mk_record_count(rec), 0); /* faulted: not recorded */
    assert_int_equal(mk_record_stop(rec, &d), 0);
    mk_record_free(rec);
    mk_mock_free(up);
    remove(out);
}

static void bad_fault_refused(void **state)
{
    (void)state;
    mk_record_options ro;
    mk_record *rec = NULL;
    mk_diag d;
    const char *faults[] = {"/v1/x:cut=3"};
    char line[1200];
    mk_record_options_init(&ro);
    ro.upstream = "http://127.0.0.1:9";
    ro.out = MOCKKIT_BINARY_DIR "/faults-record-bad.json";
    ro.mode = MK_RECORD_MODE_ALL;
    ro.quiet = 1;
    ro.faults = faults;
    ro.fault_count = 1;
    memset(&d, 0, sizeof(d));
    assert_int_not_equal(mk_record_new(&ro, &rec, &d), 0);
    assert_null(rec);
    assert_non_null(strstr(mk_diag_format(&d, line, sizeof(line)),
                           "--fault '/v1/x:cut=3': fault spec byte 6: cut wants event:N"));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(proxied_answers_get_the_faults),
        cmocka_unit_test(proxied_cut_counts_dispatched_events_only),
        cmocka_unit_test(bad_fault_refused),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
