/* fuzz_sse.c: libFuzzer target for the client's SSE parser.
 *
 * The first byte picks a slice size so the same stream is also fed split
 * at arbitrary points (line ends, BOM and CRLF across pushes are where
 * parsers go wrong); every event's fields are read in full so ASan sees an
 * out-of-bounds length. A small limit exercises MKC_ETOOBIG too. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mockkit/client.h"
#include "fuzz_entry.h"

typedef struct seen {
    size_t events;
    uint8_t sum;
} seen;

static uint8_t touch(const char *p, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++)
        s ^= (uint8_t)p[i];
    return s;
}

static int on_event(void *user, const mkc_sse_event *ev)
{
    seen *s = user;
    s->events++;
    s->sum ^= touch(ev->type, ev->type_len) ^ touch(ev->data, ev->data_len) ^
              touch(ev->id, ev->id_len);
    /* data is documented NUL-terminated */
    s->sum ^= (uint8_t)ev->data[ev->data_len];
    return s->events > 100000; /* abort path, too */
}

static void on_comment(void *user, const char *text, size_t len)
{
    ((seen *)user)->sum ^= touch(text, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t slice = (size_t)(data[0] & 0x3f) + 1;
    int small_limit = data[0] & 0x40;
    int reset_midway = data[0] & 0x80;
    data++;
    size--;

    seen s = {0};
    mkc_sse_parser *p = mkc_sse_parser_new(on_event, on_comment, &s);
    if (!p)
        return 0;
    if (small_limit)
        mkc_sse_parser_set_limit(p, 64);
    for (size_t off = 0; off < size; off += slice) {
        size_t n = size - off < slice ? size - off : slice;
        mkc_sse_parser_feed(p, data + off, n);
        if (reset_midway && off >= size / 2 && off < size / 2 + slice) {
            mkc_sse_parser_finish(p);
            mkc_sse_parser_reset(p);
        }
    }
    size_t idlen = 0;
    const char *id = mkc_sse_parser_last_id(p, &idlen);
    if (id)
        s.sum ^= touch(id, idlen);
    (void)mkc_sse_parser_retry(p);
    (void)mkc_sse_parser_offset(p);
    mkc_sse_parser_finish(p);
    mkc_sse_parser_free(p);
    return 0;
}
