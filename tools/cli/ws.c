/* ws.c: `mockkit ws URL`: connect, send text frames, print what comes back
 * as JSON lines. The connection's callbacks run on CivetWeb's reader
 * thread; they hand frames to this thread through an mkc_queue, so all
 * printing happens here and every wait is bounded by --timeout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "jsonout.h"
#include "netwhy.h"
#include "opts.h"
#include "mockkit/cassette.h"
#include "mockkit/client.h"

#define MAX_SENDS 64
#define KIND_CLOSE 1000  /* queue kind for on_close; frames use their opcode */

static void usage(FILE *out)
{
    fprintf(out,
            "usage: mockkit ws URL [--send TEXT]... [--expect N] [--timeout MS]\n"
            "                      [--cacert FILE] [--insecure]\n\n"
            "Connects to ws://host:port/path or wss://..., sends each --send as a text frame in order,\n"
            "and prints each frame received as a JSON line:\n"
            "  {\"type\":\"text\",\"data\":...}  {\"type\":\"binary\",\"data_base64\":...}\n"
            "  {\"type\":\"close\",\"code\":...,\"reason\":...}\n"
            "  --expect   exit after N text/binary frames\n"
            "  --timeout  stop waiting after MS ms (default 10000)\n"
            "  --cacert FILE  wss: trust the CAs in FILE (PEM) instead of the system store\n"
            "                 (default: $MOCKKIT_CACERT)\n"
            "  --insecure     wss: accept any certificate (or MOCKKIT_INSECURE=1)\n\n"
            "Exit: 0 after N frames, a close, or the timeout without --expect; 1 on\n"
            "errors or when fewer than N frames came; 2 on usage errors.\n");
}

static void on_message(void *user, mkc_ws_opcode op, const char *data, size_t len)
{
    mkc_queue_push(user, (int)op, data, len);
}

/* Payload "CODE REASON". */
static void on_close(void *user, int code, const char *reason)
{
    char buf[256];
    int n = snprintf(buf, sizeof buf, "%d %s", code, reason ? reason : "");
    mkc_queue_push(user, KIND_CLOSE, buf, n < 0 ? 0 : (size_t)n);
}

/* One JSON line for a received item; 0, or -1 when out of memory. */
static int print_item(int kind, const char *data, size_t len)
{
    cJSON *o = cJSON_CreateObject();
    int ok = o != NULL;
    if (kind == KIND_CLOSE) {
        char *sp = NULL;
        long code = strtol(data, &sp, 10);
        ok = ok && cJSON_AddStringToObject(o, "type", "close") &&
             cJSON_AddNumberToObject(o, "code", (double)code) &&
             cJSON_AddStringToObject(o, "reason", sp && *sp == ' ' ? sp + 1 : "");
    } else if (kind == MKC_WS_TEXT) {
        /* Text may hold NUL, which a cJSON string would cut: written whole. */
        cJSON_Delete(o);
        fputs("{\"type\":\"text\",\"data\":", stdout);
        mk_json_put_string(stdout, data, len);
        fputs("}\n", stdout);
        return fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
    } else {
        const char *type = kind == MKC_WS_BINARY ? "binary"
                         : kind == MKC_WS_PING   ? "ping"
                         : kind == MKC_WS_PONG   ? "pong"
                                                 : "other";
        char *b64 = mk_cassette_base64_encode(data, len);
        ok = ok && b64 && cJSON_AddStringToObject(o, "type", type) &&
             cJSON_AddStringToObject(o, "data_base64", b64);
        free(b64);
    }
    char *line = ok ? cJSON_PrintUnformatted(o) : NULL;
    if (line) {
        fputs(line, stdout);
        fputc('\n', stdout);
        fflush(stdout);
    }
    cJSON_free(line);
    cJSON_Delete(o);
    return line ? 0 : -1;
}

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* CivetWeb drops the status of a refused upgrade ("Unexpected server
 * reply"), so ask again with a plain request carrying the same upgrade
 * headers, over the same TLS settings, and report what the server answers.
 * 0 when it cannot tell. */
static long upgrade_status(const char *url, const mkc_tls *tls)
{
    char http[1024];
    snprintf(http, sizeof http, "http%s", url + 2);  /* ws://... -> http://..., wss -> https */
    const char *host = strstr(http, "://") + 3;
    const char *slash = strchr(host, '/');
    char root[1024];
    snprintf(root, sizeof root, "%.*s", slash ? (int)(slash - http) : (int)strlen(http), http);
    mkc_http *h = mkc_http_new(root);
    if (!h || mkc_http_set_tls(h, tls) != MKC_OK) {
        mkc_http_free(h);
        return 0;
    }
    mkc_http_set_timeout(h, 3000);
    static const char *const hdrs[] = {"Upgrade: websocket", "Connection: Upgrade",
                                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                                       "Sec-WebSocket-Version: 13", NULL};
    mkc_response *resp = NULL;
    mkc_error err = {0};
    long status = 0;
    if (mkc_http_request(h, "GET", slash ? slash : "/", hdrs, NULL, NULL, 0, &resp, &err) ==
            MKC_OK && resp->status != 101)
        status = resp->status;
    mkc_response_free(resp);
    mkc_error_clear(&err);
    mkc_http_free(h);
    return status;
}

int mk_cmd_ws(int argc, char **argv)
{
    if (mk_cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    const char *url = NULL;
    const char *sends[MAX_SENDS];
    size_t ns = 0;
    long expect = 0, timeout = 10000;
    mkc_tls tls;
    mkc_tls_from_env(&tls);  /* MOCKKIT_CACERT / MOCKKIT_INSECURE unless given */
    static const mk_opt table[] = {
        {"--send", NULL, 1},   {"--expect", NULL, 1},   {"--timeout", NULL, 1},
        {"--cacert", NULL, 1}, {"--insecure", NULL, 0}, {NULL, NULL, 0},
    };
    mk_opts p;
    mk_opts_init(&p, "ws", argc, argv);
    const char *v;
    int k, have_url = 0;
    while ((k = mk_opts_next(&p, table, &v)) != MK_OPTS_END) {
        if (k == MK_OPTS_ERROR) {
            usage(stderr);
            return 2;
        }
        if (k == MK_OPTS_ARG) {
            if (have_url) {
                mk_opts_fail(&p, "unexpected argument '%s' (one URL)", v);
                usage(stderr);
                return 2;
            }
            url = v;
            have_url = 1;
            continue;
        }
        const char *a = table[k].name;
        if (!strcmp(a, "--send")) {
            if (ns == MAX_SENDS) {
                mk_opts_fail(&p, "more than %d --send", MAX_SENDS);
                return 2;
            }
            sends[ns++] = v;
        } else if (!strcmp(a, "--cacert")) {
            tls.cacert = v;
        } else if (!strcmp(a, "--insecure")) {
            tls.insecure = 1;
        } else if (!strcmp(a, "--expect")) {
            if (mk_opts_long(v, &expect) != 0) {
                mk_opts_fail(&p, "--expect wants a number, not '%s'", v);
                return 2;
            }
        } else if (!strcmp(a, "--timeout")) {
            if (mk_opts_long(v, &timeout) != 0) {
                mk_opts_fail(&p, "--timeout wants milliseconds, not '%s'", v);
                return 2;
            }
        }
    }
    if (!have_url) {
        mk_opts_fail(&p, "no URL given");
        usage(stderr);
        return 2;
    }
    if (mk_opts_url(&p, url, "ws wss") != 0)
        return 2;

    mkc_queue *q = mkc_queue_new();
    if (!q) {
        fprintf(stderr, "mockkit ws: out of memory\n");
        return 1;
    }
    mkc_ws_callbacks cb = {.on_message = on_message, .on_close = on_close, .user = q};
    mkc_ws *ws = NULL;
    mkc_error err = {0};
    if (mkc_ws_connect_tls(url, &cb, &tls, &ws, &err) != MKC_OK) {
        long status = err.code == MKC_EHTTP ? upgrade_status(url, &tls) : 0;
        char why[256] = "";
        if (err.code == MKC_ECONNECT)
            mk_cli_connect_reason(url, why, sizeof why);
        if (why[0])
            fprintf(stderr, "mockkit ws: could not connect to %s: %s\n", url, why);
        else if (status)
            fprintf(stderr, "mockkit ws: %s: websocket upgrade refused: HTTP %ld\n", url, status);
        else
            fprintf(stderr, "mockkit ws: %s\n", err.message);
        mkc_error_clear(&err);
        mkc_queue_free(q);
        return 1;
    }
    int status = 0;
    for (size_t i = 0; i < ns && status == 0; i++) {
        if (mkc_ws_send_text(ws, sends[i]) != MKC_OK) {
            fprintf(stderr, "mockkit ws: %s: could not send frame %zu (connection closed)\n",
                    url, i + 1);
            status = 1;
        }
    }

    long frames = 0;
    int closed = 0;
    long long deadline = now_ms() + timeout;
    while (status == 0 && !closed && (expect == 0 || frames < expect)) {
        long long left = deadline - now_ms();
        int kind;
        char *data = NULL;
        size_t len;
        if (left <= 0 || mkc_queue_pop(q, (int)left, &kind, &data, &len) != MKC_OK)
            break;  /* timed out */
        if (print_item(kind, data, len) != 0) {
            fprintf(stderr, "mockkit ws: %s: could not print a frame (out of memory)\n", url);
            status = 1;
        }
        if (kind == KIND_CLOSE)
            closed = 1;
        else if (kind == MKC_WS_TEXT || kind == MKC_WS_BINARY)
            frames++;
        free(data);
    }
    if (status == 0 && expect > 0 && frames < expect) {
        fprintf(stderr, "mockkit ws: %s: %s after %ld of %ld frames\n", url,
                closed ? "connection closed" : "timed out", frames, expect);
        status = 1;
    }
    if (!closed)
        mkc_ws_close(ws, 1000, "");
    mkc_ws_free(ws);
    mkc_queue_free(q);
    return status;
}
