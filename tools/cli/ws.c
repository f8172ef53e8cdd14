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
        ok = ok && cJSON_AddStringToObject(o, "type", "text") &&
             cJSON_AddStringToObject(o, "data", data);
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

static int parse_long(const char *arg, long *out)
{
    char *end = NULL;
    long v = strtol(arg, &end, 10);
    if (!*arg || *end || v < 0)
        return -1;
    *out = v;
    return 0;
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
    mkc_tls_from_env(&tls);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (!strcmp(a, "--send") && has_value) {
            if (ns == MAX_SENDS) {
                fprintf(stderr, "mockkit ws: more than %d --send\n", MAX_SENDS);
                return 2;
            }
            sends[ns++] = argv[++i];
        } else if (!strcmp(a, "--cacert") && has_value) {
            tls.cacert = argv[++i];
        } else if (!strcmp(a, "--insecure")) {
            tls.insecure = 1;
        } else if (!strcmp(a, "--expect") && has_value) {
            if (parse_long(argv[++i], &expect) != 0) {
                fprintf(stderr, "mockkit ws: --expect wants a number, not '%s'\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--timeout") && has_value) {
            if (parse_long(argv[++i], &timeout) != 0) {
                fprintf(stderr, "mockkit ws: --timeout wants milliseconds, not '%s'\n", argv[i]);
                return 2;
            }
        } else if (a[0] == '-' || url) {
            fprintf(stderr, "mockkit ws: unexpected argument '%s'\n", a);
            usage(stderr);
            return 2;
        } else {
            url = a;
        }
    }
    if (!url) {
        usage(stderr);
        return 2;
    }

    mkc_queue *q = mkc_queue_new();
    if (!q) {
        fprintf(stderr, "mockkit ws: out of memory\n");
        return 1;
    }
    mkc_ws_callbacks cb = {.on_message = on_message, .on_close = on_close, .user = q};
    mkc_ws *ws = NULL;
    mkc_error err = {0};
    if (mkc_ws_connect_tls(url, &cb, &tls, &ws, &err) != MKC_OK) {
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
