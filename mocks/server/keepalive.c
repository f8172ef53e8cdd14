/* keepalive.c: a streamed response that stays open after its last recorded
 * chunk, sending its keepalive text on a fixed cadence (an SSE server's
 * ping comment, e.g. sse-starlette's ": ping - <utc datetime>" every 15 s)
 * until the client leaves (the write fails) or the mock stops. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mock_internal.h"

/* The current UTC time as Python prints an aware datetime (str()):
 * "2026-11-23 02:15:16.215000+00:00", without the fraction when it is 0. */
static void utc_now(char *out, size_t size)
{
    struct timespec ts;
    struct tm tm;
    char day[32];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(day, sizeof day, "%Y-%m-%d %H:%M:%S", &tm);
    if (ts.tv_nsec / 1000 == 0) {
        snprintf(out, size, "%s+00:00", day);
    } else {
        snprintf(out, size, "%s.%06ld+00:00", day, ts.tv_nsec / 1000);
    }
}

/* text with every "{utc}" replaced, framed as one HTTP chunk
 * ("size CRLF data CRLF", as the recorded chunks are). malloc'd. */
static char *ping_chunk(const char *text, size_t *len)
{
    char now[64];
    size_t count = 0, nl, body;
    const char *p, *r = text;
    char *out, *w;
    int head;
    utc_now(now, sizeof now);
    nl = strlen(now);
    for (p = text; (p = strstr(p, "{utc}")) != NULL; p += 5) {
        count++;
    }
    body = strlen(text) - 5 * count + nl * count;
    out = malloc(body + 24);
    if (!out) {
        return NULL;
    }
    head = snprintf(out, 20, "%zx\r\n", body);
    w = out + head;
    while ((p = strstr(r, "{utc}")) != NULL) {
        memcpy(w, r, (size_t)(p - r));
        w += p - r;
        memcpy(w, now, nl);
        w += nl;
        r = p + 5;
    }
    memcpy(w, r, strlen(r));
    w += strlen(r);
    memcpy(w, "\r\n", 2);
    *len = (size_t)head + body + 2;
    return out;
}

void mk__keepalive(struct mk_mock *m, struct mg_connection *conn, const mk_response *resp,
                   double speed, int64_t anchor_now, int64_t anchor_at)
{
    int64_t every = resp->keepalive_ms;
    int64_t start = resp->at_ms;
    int64_t last = resp->chunk_count ? resp->chunks[resp->chunk_count - 1].at_ms : start;
    /* the recorded cadence counts from the response's start (sse-starlette
     * starts its ping task with the response), so the next ping after the
     * last chunk is the next multiple of every */
    int64_t at = start + ((last > start ? last - start : 0) / every + 1) * every;
    atomic_int never = 0;
    if (speed <= 0.0) {
        /* speed 0 sends the recording at once, but pings never flood: they
         * keep their recorded cadence from now on */
        speed = 1.0;
        anchor_now = mk_clock_now_ms(m->clock);
        anchor_at = last;
    }
    for (;;) {
        size_t len = 0;
        char *chunk;
        int ok;
        if (mk__schedule(m, NULL, speed, &anchor_now, &anchor_at, at, &never) != 0) {
            return; /* stopping */
        }
        chunk = ping_chunk(resp->keepalive_text, &len);
        ok = chunk && mg_write(conn, chunk, len) == (int)len;
        free(chunk);
        if (!ok) {
            return; /* the client went away */
        }
        at += every;
    }
}
