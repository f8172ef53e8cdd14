/* test_errors.c: mk_mock_new refuses to start, says why, and leaves
 * nothing running. */
#include <stdio.h>
#include <string.h>

#include "core_util.h"
#include "suite.h"

static void bad_cassette_names_file_and_pointer(void **state)
{
    const char *paths[] = {CORE_CASSETTES "/bad"};
    mk_mock *m = (mk_mock *)1;
    mk_diag d;
    char buf[1024];
    (void)state;
    assert_int_equal(mk_mock_new(NULL, paths, 1, &m, &d), MK_MOCK_ECASSETTE);
    assert_null(m);
    assert_non_null(strstr(d.file, "bad/broken.json"));
    assert_string_equal(d.pointer, "/interactions/1/response/status");
    mk_diag_format(&d, buf, sizeof(buf));
    assert_non_null(strstr(buf, "broken.json: /interactions/1/response/status"));
}

static void folder_without_cassettes(void **state)
{
    const char *paths[] = {CORE_CASSETTES "/empty"};
    mk_mock *m = NULL;
    mk_diag d;
    (void)state;
    assert_int_equal(mk_mock_new(NULL, paths, 1, &m, &d), MK_MOCK_ENOENT);
    assert_null(m);
    assert_non_null(strstr(d.file, "cassettes/empty"));
    assert_non_null(strstr(d.message, "no *.json"));
}

static void missing_path(void **state)
{
    const char *paths[] = {CORE_CASSETTES "/does-not-exist.json"};
    mk_mock *m = NULL;
    mk_diag d;
    (void)state;
    assert_int_equal(mk_mock_new(NULL, paths, 1, &m, &d), MK_MOCK_ENOENT);
    assert_non_null(strstr(d.file, "does-not-exist.json"));
}

static void port_in_use_is_ebind(void **state)
{
    const char *paths[] = {CORE_CASSETTES "/matching.json"};
    mk_mock_options o;
    mk_mock *first = NULL, *second = NULL;
    mk_diag d;
    char expect[64];
    (void)state;
    mk_mock_options_init(&o);
    assert_int_equal(mk_mock_new(&o, paths, 1, &first, NULL), MK_MOCK_OK);
    o.port = mk_mock_port(first);
    assert_int_equal(mk_mock_new(&o, paths, 1, &second, &d), MK_MOCK_EBIND);
    assert_null(second);
    snprintf(expect, sizeof(expect), "127.0.0.1:%d", o.port);
    assert_non_null(strstr(d.message, expect));
    /* the first one still serves */
    {
        char url[128];
        cu_resp r;
        snprintf(url, sizeof(url), "%s/v1/threads/x", mk_mock_url(first));
        assert_int_equal(cu_request("GET", url, NULL, NULL, &r), 0);
        assert_int_equal(r.status, 200);
        cu_resp_free(&r);
    }
    mk_mock_free(first);
}

static void bad_options_are_einval(void **state)
{
    const char *paths[] = {CORE_CASSETTES "/matching.json"};
    mk_mock_options o;
    mk_mock *m = NULL;
    mk_diag d;
    (void)state;
    mk_mock_options_init(&o);
    o.port = 70000;
    assert_int_equal(mk_mock_new(&o, paths, 1, &m, &d), MK_MOCK_EINVAL);
    assert_non_null(strstr(d.message, "port"));
    mk_mock_options_init(&o);
    o.bind = "127.0.0.1:80";
    assert_int_equal(mk_mock_new(&o, paths, 1, &m, &d), MK_MOCK_EINVAL);
    mk_mock_options_init(&o);
    o.threads = -2;
    assert_int_equal(mk_mock_new(&o, paths, 1, &m, &d), MK_MOCK_EINVAL);
    assert_int_equal(mk_mock_new(&o, paths, 1, NULL, &d), MK_MOCK_EINVAL);
    mk_mock_options_init(&o);
    o.service = "nosuch";
    assert_int_equal(mk_mock_new(&o, paths, 1, &m, &d), MK_MOCK_ENOENT);
    assert_non_null(strstr(d.message, "nosuch"));
    assert_null(m);
}

static void strerror_names_every_status(void **state)
{
    (void)state;
    assert_string_equal(mk_mock_strerror(MK_MOCK_EBIND), "could not listen on the address");
    assert_string_equal(mk_mock_strerror(42), "unknown status");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_cassette_names_file_and_pointer),
        cmocka_unit_test(folder_without_cassettes),
        cmocka_unit_test(missing_path),
        cmocka_unit_test(port_in_use_is_ebind),
        cmocka_unit_test(bad_options_are_einval),
        cmocka_unit_test(strerror_names_every_status),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
