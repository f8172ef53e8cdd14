/* parser.c: SSE parser throughput: realistic events (OpenAI chat chunks
 * and Bee run deltas with event: lines) fed to mkc_sse_parser_feed in
 * 16 KiB slices, as a socket would hand them over. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#include "mockkit/sse.h"

static const char *const samples[] = {
    "data: {\"id\":\"chatcmpl-AbC123\",\"object\":\"chat.completion.chunk\",\"created\":1732520000,"
    "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" world\"},"
    "\"logprobs\":null,\"finish_reason\":null}]}\n\n",
    "event: thread.message.delta\n"
    "data: {\"id\":\"msg_6740a1b2c3d4e5f601234562\",\"object\":\"thread.message.delta\","
    "\"delta\":{\"content\":[{\"index\":0,\"type\":\"text\",\"text\":{\"value\":\"Hello\"}}]}}\n\n",
    ": keep-alive\r\n\r\n",
};

static int count_event(void *user, const mkc_sse_event *ev)
{
    (void)ev;
    (*(long *)user)++;
    return 0;
}

void mkb_parser(const mkb_opts *o, mkb_table *t)
{
    size_t size = (size_t)o->parser_mb * 1024 * 1024;
    char *buf = malloc(size);
    if (!buf)
        return;
    size_t n = 0, k = 0;
    long want = 0;
    while (n < size) {
        const char *s = samples[k++ % 3];
        size_t len = strlen(s);
        if (n + len > size)
            break;
        memcpy(buf + n, s, len);
        n += len;
        want += s[0] != ':';
    }
    fprintf(stderr, "mockkit-bench: SSE parser over %zu bytes x3...\n", n);
    double runs[3] = {0, 0, 0};
    long events = 0;
    for (int r = 0; r < 3; r++) {
        events = 0;
        mkc_sse_parser *p = mkc_sse_parser_new(count_event, NULL, &events);
        if (!p)
            break;
        int64_t t0 = mkb_now_ns();
        for (size_t off = 0; off < n; off += 16384) {
            size_t len = n - off < 16384 ? n - off : 16384;
            if (mkc_sse_parser_feed(p, buf + off, len) != MKC_OK)
                break;
        }
        runs[r] = (double)n / (1024.0 * 1024.0) / ((double)(mkb_now_ns() - t0) / 1e9);
        mkc_sse_parser_free(p);
    }
    free(buf);
    char note[200];
    snprintf(note, sizeof note, "median of 3 runs over %.0f MiB; %ld events per run (want %ld)",
             (double)n / (1024.0 * 1024.0), events, want);
    mkb_add(t, "SSE parser (mkc_sse_parser_feed)", "", note, "%.0f MiB/s",
            mkb_percentile(runs, 3, 50));
}
