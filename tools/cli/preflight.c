/* preflight.c: before `check --target live` runs any suite, each named
 * service is asked whether it is there (reachable), whether its base path
 * is right (the commonest slip: OPENAI_BASE_URL without /v1, BEE_API with
 * it) and whether it takes the key; each problem names the variable to
 * fix, and none of the suites runs while there is one.
 *
 * The base path is judged without credentials: under the right base a
 * service answers 401 (or 200) to a known path, under a wrong one 404. A
 * 404 is blamed on the base only when the corrected URL answers otherwise,
 * so a service that does not know the probe path is not accused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <stdarg.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "netwhy.h"
#include "mockkit/client.h"

/* Each service's row of mockkit/service.h: its variables, base path and
 * probe path. The URL in url_var must end in the base path when it
 * includes it (OPENAI_BASE_URL "/v1"); the suites add it to a root URL
 * (BEE_API + "/v1"). */
typedef mk_service_info live_service;

static const char *suffix_of(const live_service *ls)
{
    return ls->url_has_base ? ls->base_path : "";
}

static const char *extra_of(const live_service *ls)
{
    return ls->url_has_base ? "" : ls->base_path;
}

/* Where problems go besides stderr (--json), or NULL. */
static cJSON *collected;

/* One problem: "mockkit check: <service>: <text>" on stderr, and kept for
 * --json as {"service","message"}. */
static void problem(const char *service, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void problem(const char *service, const char *fmt, ...)
{
    char text[1600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    fprintf(stderr, "mockkit check: %s: %s\n", service, text);
    cJSON *o = collected ? cJSON_CreateObject() : NULL;
    if (o && cJSON_AddStringToObject(o, "service", service) &&
        cJSON_AddStringToObject(o, "message", text))
        cJSON_AddItemToArray(collected, o);
    else
        cJSON_Delete(o);
}

const char *mk_check_live_var(int s)
{
    return mk_service_table[s].url_var;
}

static const char *env(const char *name)
{
    const char *v = name ? getenv(name) : NULL;
    return v && *v ? v : NULL;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return m && n >= m && strcmp(s + n - m, suffix) == 0;
}

/* GET url; the status, or 0 when no answer came (why in err). */
static long probe(const char *url, const char *key, mkc_error *err)
{
    mkc_http *h = mkc_http_new(url);
    if (!h)
        return 0;
    mkc_http_set_timeout(h, 5000);
    char auth[600];
    const char *hdrs[] = {auth, NULL};
    if (key)
        snprintf(auth, sizeof auth, "Authorization: Bearer %.500s", key);
    mkc_response *resp = NULL;
    long status = 0;
    if (mkc_http_request(h, "GET", "", key ? hdrs : NULL, NULL, NULL, 0, &resp, err) == MKC_OK)
        status = resp->status;
    mkc_response_free(resp);
    mkc_http_free(h);
    return status;
}

/* The URL with its base path corrected, or "" when there is no guess. */
static void corrected(const live_service *ls, const char *url, char *out, size_t size)
{
    out[0] = '\0';
    if (suffix_of(ls)[0] && !ends_with(url, suffix_of(ls))) {
        snprintf(out, size, "%s%s", url, suffix_of(ls));
        return;
    }
    /* A root that was given a path: the suites add their own ("/v1"). */
    const char *host = strstr(url, "://");
    const char *slash = host ? strchr(host + 3, '/') : NULL;
    if (!suffix_of(ls)[0] && slash)
        snprintf(out, size, "%.*s", (int)(slash - url), url);
}

static int preflight_one(int s)
{
    const live_service *ls = &mk_service_table[s];
    const char *name = mk_service_table[s].name;
    int problems = 0;
    const char *url = env(ls->url_var);
    if (ls->key_var && !env(ls->key_var)) {
        problem(name, "%s is not set (%s needs an API key)", ls->key_var, name);
        problems++;
    }
    if (ls->user_var && (!env(ls->user_var) || !env(ls->password_var))) {
        problem(name, "%s is not set (%s signs in with %s and %s)",
                !env(ls->user_var) ? ls->user_var : ls->password_var, name, ls->user_var,
                ls->password_var);
        problems++;
    }
    if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0) {
        problem(name, "%s=%s is not an http:// or https:// URL (e.g. %s)", ls->url_var, url,
                ls->example_url);
        return problems + 1;
    }
    char given[1024], base[1024], target[1200];
    snprintf(given, sizeof given, "%s", url);
    size_t gl = strlen(given);
    while (gl > 0 && given[gl - 1] == '/')
        given[--gl] = '\0';
    snprintf(base, sizeof base, "%s%s", given, extra_of(ls));
    snprintf(target, sizeof target, "%s%s", base, ls->probe_path);
    mkc_error err = {0};
    long status = probe(target, NULL, &err);
    if (status == 0) {
        /* The client says "URL: could not connect (...)": lead with the URL
         * once, and say why in the system's words when it is the socket. */
        const char *why = err.message[0] ? err.message : "no answer";
        size_t tl = strlen(target);
        if (strncmp(why, target, tl) == 0 && strncmp(why + tl, ": ", 2) == 0)
            why += tl + 2;
        if (strncmp(why, "could not connect", 17) == 0)
            why += why[17] == ' ' ? 18 : 17;
        char reason[256] = "";
        if (err.code == MKC_ECONNECT)
            mk_cli_connect_reason(target, reason, sizeof reason);
        if (reason[0])
            why = reason;
        problem(name, "could not connect to %s: %s; check %s", target, why, ls->url_var);
        mkc_error_clear(&err);
        return problems + 1;
    }
    mkc_error_clear(&err);
    /* Judge the base path without credentials first (a known path under
     * the right base is 401, under a wrong one 404); a service that
     * checks the key before the route needs the key to tell. */
    const char *key = ls->key_var ? env(ls->key_var) : NULL;
    for (int pass = 0; pass < (key ? 2 : 1); pass++) {
        long st = pass == 0 ? status : probe(target, key, &err);
        mkc_error_clear(&err);
        char fixed[1024], alt[1400];
        corrected(ls, given, fixed, sizeof fixed);
        if (st != 404 || !fixed[0])
            continue;
        snprintf(alt, sizeof alt, "%s%s%s", fixed, extra_of(ls), ls->probe_path);
        long alt_status = probe(alt, pass ? key : NULL, &err);
        mkc_error_clear(&err);
        if (alt_status != 0 && alt_status != 404) {
            problem(name,
                    "%s has the wrong base path: %s answered HTTP 404, %s answered HTTP %ld; "
                    "set %s=%s",
                    ls->url_var, target, alt, alt_status, ls->url_var, fixed);
            return problems + 1;
        }
    }
    if (ls->key_var && env(ls->key_var)) {
        long with_key = probe(target, env(ls->key_var), &err);
        mkc_error_clear(&err);
        if (with_key == 401 || with_key == 403) {
            problem(name, "%s was refused: HTTP %ld from %s", ls->key_var, with_key, target);
            problems++;
        }
    }
    return problems;
}

int mk_check_preflight(const int selected[MK_SERVICE_COUNT], int named, cJSON *out)
{
    int problems = 0;
    collected = out;
    for (int s = 0; s < MK_SERVICE_COUNT; s++) {
        if (!selected[s])
            continue;
        const live_service *ls = &mk_service_table[s];
        if (!env(ls->url_var)) {
            if (named) {
                problem(ls->name, "%s is not set (e.g. %s=%s)", ls->url_var, ls->url_var,
                        ls->example_url);
                problems++;
            }
            continue;
        }
        problems += preflight_one(s);
    }
    collected = NULL;
    return problems;
}
