/* test_services.c: the service table (mockkit/service.h) is what the rest of
 * the kit does: every row is complete, the mock for each service serves
 * under the row's base path, and mk_service_env writes the variables the
 * suites read (the root URL where the suites add the base path, the base
 * URL where the variable holds it, the row's default credentials). */
#include <stdio.h>
#include <string.h>

#include "mockkit/service.h"
#include "suite.h"

static void test_rows_are_complete_and_distinct(void **state)
{
    (void)state;
    for (int i = 0; i < MK_SERVICE_COUNT; i++) {
        const mk_service_info *s = &mk_service_table[i];
        assert_non_null(s->name);
        assert_int_equal(mk_service_index(s->name), i);
        assert_ptr_equal(mk_service_lookup(s->name), s);
        assert_true(s->default_port > 0 && s->default_port < 65536);
        assert_true(s->base_path[0] == '\0' || s->base_path[0] == '/');
        assert_non_null(s->url_var);
        assert_true(s->probe_path && s->probe_path[0] == '/');
        assert_non_null(s->example_url);
        /* a key variable comes with a default key, a login with a default login */
        assert_int_equal(s->key_var != NULL, s->default_key != NULL);
        assert_int_equal(s->user_var != NULL, s->default_user != NULL);
        assert_int_equal(s->password_var != NULL, s->default_password != NULL);
        for (int j = 0; j < i; j++) {
            assert_int_not_equal(mk_service_table[j].default_port, s->default_port);
            assert_string_not_equal(mk_service_table[j].url_var, s->url_var);
        }
    }
    assert_null(mk_service_lookup("nosuch"));
    assert_int_equal(mk_service_index(NULL), -1);
    char names[128];
    assert_string_equal(mk_service_names(names, sizeof names), "pieces, bee, cairos, openai");
}

/* The mock serves each service under its row's base path (what the suites
 * and check point at), the profiles' row constants name the rows they mean
 * (a swap would give Bee's auth to OpenAI), and an unknown service is
 * refused with the table's names. */
static void test_each_mock_serves_under_the_rows_base_path(void **state)
{
    (void)state;
    for (int i = 0; i < MK_SERVICE_COUNT; i++) {
        const mk_service_info *s = &mk_service_table[i];
        char dir[1024];
        suite_fixtures_dir(s->name, dir, sizeof dir);
        const char *paths[] = {dir};
        mk_mock_options o;
        mk_mock_options_init(&o);
        o.service = s->name;
        o.port = 0;
        o.quiet = 1;
        mk_mock *m = NULL;
        mk_diag d;
        assert_int_equal(mk_mock_new(&o, paths, 1, &m, &d), MK_MOCK_OK);
        assert_string_equal(mk_mock_base_path(m), s->base_path);
        mk_mock_free(m);
    }
    assert_string_equal(mk_service_table[MK_SERVICE_PIECES].name, "pieces");
    assert_string_equal(mk_service_table[MK_SERVICE_BEE].name, "bee");
    assert_string_equal(mk_service_table[MK_SERVICE_CAIROS].name, "cairos");
    assert_string_equal(mk_service_table[MK_SERVICE_OPENAI].name, "openai");
    mk_mock_options o;
    mk_mock_options_init(&o);
    o.service = "nosuch";
    o.quiet = 1;
    mk_mock *m = NULL;
    mk_diag d;
    char dir[1024];
    const char *paths[] = {suite_fixtures_dir("bee", dir, sizeof dir)};
    assert_int_equal(mk_mock_new(&o, paths, 1, &m, &d), MK_MOCK_ENOENT);
    assert_null(m);
    assert_string_equal(d.message,
                        "service \"nosuch\": not pieces, bee, cairos, openai or generic");
}

typedef struct vars {
    char text[1024];
} vars;

static void collect(void *ctx, const char *name, const char *value)
{
    vars *v = ctx;
    size_t n = strlen(v->text);
    snprintf(v->text + n, sizeof v->text - n, "%s=%s;", name, value);
}

static void test_env_names_what_the_suites_read(void **state)
{
    (void)state;
    vars v = {""};
    mk_service_env(mk_service_lookup("bee"), "http://127.0.0.1:1", NULL, NULL, NULL, collect, &v);
    assert_string_equal(v.text, "BEE_API=http://127.0.0.1:1;BEE_API_KEY=sk-proj-testkey;");
    v.text[0] = '\0';
    mk_service_env(mk_service_lookup("openai"), "http://127.0.0.1:2", "k", NULL, NULL, collect, &v);
    assert_string_equal(v.text, "OPENAI_BASE_URL=http://127.0.0.1:2/v1;OPENAI_API_KEY=k;");
    v.text[0] = '\0';
    mk_service_env(mk_service_lookup("cairos"), "http://127.0.0.1:3", NULL, NULL, "pw", collect,
                   &v);
    assert_string_equal(v.text,
                        "CAIROS_URL=http://127.0.0.1:3/api;CAIROS_USER=bob;CAIROS_PASSWORD=pw;");
    v.text[0] = '\0';
    mk_service_env(mk_service_lookup("pieces"), "http://127.0.0.1:4", "ignored", NULL, NULL,
                   collect, &v);
    assert_string_equal(v.text, "PIECES_URL=http://127.0.0.1:4;");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_are_complete_and_distinct),
        cmocka_unit_test(test_each_mock_serves_under_the_rows_base_path),
        cmocka_unit_test(test_env_names_what_the_suites_read),
    };
    return SUITE_RUN(argc, argv, tests, NULL, NULL);
}
