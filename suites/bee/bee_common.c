/* bee_common.c: shared helpers of the Bee compatibility suites. */
#include "bee_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bee_group_setup(void **state)
{
    bee_env *env = calloc(1, sizeof *env);
    if (!env)
        return -1;
    if (suite_target_start("bee", &env->t) != 0) {
        free(env);
        return -1;
    }
    *state = env;
    return 0;
}

int bee_group_teardown(void **state)
{
    bee_env *env = *state;
    if (env)
        suite_target_stop(&env->t);
    free(env);
    return 0;
}

mk_bee *bee_client(const bee_env *env, const char *key_override)
{
    mk_bee *b = mk_bee_new(env->t.base_url, key_override ? key_override : env->t.api_key);
    assert_non_null(b);
    return b;
}

long bee_poll_interval(const bee_env *env)
{
    return env->t.live ? 500 : 5;
}

void bee_assert_ok(int rc, mkc_error *err, const char *file, int line)
{
    if (rc == MKC_OK)
        return;
    char url[sizeof err->url], message[sizeof err->message];
    snprintf(url, sizeof url, "%s", err->url);
    snprintf(message, sizeof message, "%s", err->message);
    mkc_error_clear(err);
    suite__assert_call(rc, url, message, file, line);
}

const char *bee_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(v)) {
        print_error("member \"%s\" is not a string\n", key);
        fail();
    }
    return v->valuestring;
}

void bee_assert_object(const cJSON *obj, const char *object)
{
    assert_non_null(obj);
    assert_string_equal(bee_str(obj, "object"), object);
}

int bee_is_id(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    if (!s || strncmp(s, prefix, n) != 0 || s[n] != '_' || strlen(s + n + 1) != 24)
        return 0;
    for (const char *p = s + n + 1; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

const char *bee_assert_id(const cJSON *obj, const char *prefix)
{
    const char *id = bee_str(obj, "id");
    if (!bee_is_id(id, prefix)) {
        print_error("id \"%s\" is not %s_<24 hex>\n", id, prefix);
        fail();
    }
    return id;
}

const cJSON *bee_assert_list(const cJSON *page)
{
    assert_non_null(page);
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(page, "data");
    assert_true(cJSON_IsArray(data));
    assert_true(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(page, "has_more")));
    assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(page, "total_count")));
    /* Bee's envelope has no "object":"list" (OpenAI's has). */
    assert_null(cJSON_GetObjectItemCaseSensitive(page, "object"));
    const cJSON *first = cJSON_GetObjectItemCaseSensitive(page, "first_id");
    const cJSON *last = cJSON_GetObjectItemCaseSensitive(page, "last_id");
    if (cJSON_GetArraySize(data) == 0) {
        assert_true(cJSON_IsNull(first));
        assert_true(cJSON_IsNull(last));
    } else {
        const cJSON *d0 = cJSON_GetArrayItem(data, 0);
        const cJSON *dn = cJSON_GetArrayItem(data, cJSON_GetArraySize(data) - 1);
        assert_string_equal(bee_str(page, "first_id"), bee_str(d0, "id"));
        assert_string_equal(bee_str(page, "last_id"), bee_str(dn, "id"));
    }
    return data;
}

static cJSON *parse(const char *text)
{
    cJSON *v = cJSON_Parse(text);
    assert_non_null(v);
    return v;
}

cJSON *bee_create_assistant(mk_bee *b)
{
    cJSON *params = parse("{\"model\":\"" BEE_MODEL "\",\"tools\":[{\"type\":\"code_interpreter\"}]}");
    cJSON *out = NULL;
    mkc_error err = {0};
    int rc = mk_bee_assistant_create(b, params, &out, &err);
    cJSON_Delete(params);
    BEE_OK(rc, err);
    return out;
}

cJSON *bee_create_fn_assistant(mk_bee *b)
{
    cJSON *params = parse(
        "{\"model\":\"" BEE_MODEL "\",\"tools\":[{\"type\":\"function\",\"function\":{"
        "\"name\":\"get_current_location\","
        "\"description\":\"Returns the city the user is in right now.\","
        "\"parameters\":{\"type\":\"object\",\"properties\":{},\"required\":[]}}}]}");
    cJSON *out = NULL;
    mkc_error err = {0};
    int rc = mk_bee_assistant_create(b, params, &out, &err);
    cJSON_Delete(params);
    BEE_OK(rc, err);
    return out;
}

cJSON *bee_create_thread(mk_bee *b, const char *question)
{
    cJSON *params = cJSON_CreateObject();
    cJSON *msgs = cJSON_AddArrayToObject(params, "messages");
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "role", "user");
    cJSON_AddStringToObject(m, "content", question);
    cJSON_AddItemToArray(msgs, m);
    cJSON *out = NULL;
    mkc_error err = {0};
    int rc = mk_bee_thread_create(b, params, &out, &err);
    cJSON_Delete(params);
    BEE_OK(rc, err);
    return out;
}

cJSON *bee_run_params(const char *assistant_id)
{
    cJSON *p = cJSON_CreateObject();
    assert_non_null(p);
    cJSON_AddStringToObject(p, "assistant_id", assistant_id);
    return p;
}

int bee_collect(void *user, const char *event, const cJSON *data)
{
    bee_events *ev = user;
    if (ev->count >= sizeof ev->data / sizeof ev->data[0])
        return 1;  /* more than any Bee run sends: stop rather than overflow */
    snprintf(ev->names[ev->count], sizeof ev->names[0], "%s", event);
    ev->data[ev->count] = cJSON_Duplicate(data, 1);
    ev->count++;
    return 0;
}

void bee_events_clear(bee_events *ev)
{
    for (size_t i = 0; i < ev->count; i++)
        cJSON_Delete(ev->data[i]);
    ev->count = 0;
}

int bee_events_find(const bee_events *ev, const char *name, size_t from)
{
    for (size_t i = from; i < ev->count; i++)
        if (strcmp(ev->names[i], name) == 0)
            return (int)i;
    return -1;
}
