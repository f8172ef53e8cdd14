/* sse_parser.c: a push parser for text/event-stream (WHATWG HTML 9.2.5-6).
 *
 * Bytes come in any split; the output is the same. State kept across feeds:
 * the partial line, whether the last byte was CR (so a CRLF split across
 * feeds is one line end, while a lone CR ends its line at once), how much
 * of a leading BOM has been seen, and the event being built. Every buffer
 * is length-tracked: data may hold NUL. docs/internals/sse.md has the
 * states. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mockkit/sse.h"

#define DEFAULT_LIMIT (16u * 1024u * 1024u)

static const unsigned char BOM[3] = {0xEF, 0xBB, 0xBF};

struct mkc_sse_parser {
    mkc_sse_event_cb on_event;
    mkc_sse_comment_cb on_comment;
    void *user;
    size_t limit;
    int bom_pos;        /* 0..2: BOM bytes matched at stream start; -1: past it */
    int last_was_cr;
    int pending;        /* a field line since the last dispatch */
    int error;          /* sticky status */
    long retry;
    uint64_t offset;
    mkc__buf line;
    mkc__buf data;
    mkc__buf type;
    mkc__buf id;        /* the last-event-ID buffer, set by id: fields */
    mkc__buf last_id;   /* the ID as of the last dispatch */
};

mkc_sse_parser *mkc_sse_parser_new(mkc_sse_event_cb on_event, mkc_sse_comment_cb on_comment,
                                   void *user)
{
    mkc_sse_parser *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->on_event = on_event;
    p->on_comment = on_comment;
    p->user = user;
    p->limit = DEFAULT_LIMIT;
    p->retry = -1;
    /* Empty buffers still hold a NUL, so pointers handed out are strings. */
    if (mkc__buf_append(&p->data, "", 0) || mkc__buf_append(&p->type, "", 0) ||
        mkc__buf_append(&p->id, "", 0) || mkc__buf_append(&p->last_id, "", 0) ||
        mkc__buf_append(&p->line, "", 0)) {
        mkc_sse_parser_free(p);
        return NULL;
    }
    return p;
}

void mkc_sse_parser_free(mkc_sse_parser *p)
{
    if (!p)
        return;
    mkc__buf_free(&p->line);
    mkc__buf_free(&p->data);
    mkc__buf_free(&p->type);
    mkc__buf_free(&p->id);
    mkc__buf_free(&p->last_id);
    free(p);
}

void mkc_sse_parser_set_limit(mkc_sse_parser *p, size_t max_bytes)
{
    if (p)
        p->limit = max_bytes ? max_bytes : DEFAULT_LIMIT;
}

static void buf_clear(mkc__buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static int buf_set(mkc__buf *b, const char *s, size_t n)
{
    buf_clear(b);
    return mkc__buf_append(b, s, n);
}

/* 9.2.6 "dispatch the event". */
static int dispatch(mkc_sse_parser *p)
{
    p->pending = 0;
    if (buf_set(&p->last_id, p->id.data, p->id.len))
        return MKC_ENOMEM;
    if (p->data.len == 0) {
        buf_clear(&p->type);
        return MKC_OK;
    }
    p->data.len--;  /* the LF after the last data line */
    p->data.data[p->data.len] = '\0';
    mkc_sse_event ev = {
        .type = p->type.len ? p->type.data : "message",
        .type_len = p->type.len ? p->type.len : 7,
        .data = p->data.data,
        .data_len = p->data.len,
        .id = p->last_id.data,
        .id_len = p->last_id.len,
    };
    int stop = p->on_event ? p->on_event(p->user, &ev) : 0;
    buf_clear(&p->data);
    buf_clear(&p->type);
    return stop ? MKC_EABORTED : MKC_OK;
}

static int field_is(const char *f, size_t n, const char *name)
{
    return n == strlen(name) && memcmp(f, name, n) == 0;
}

/* A retry value counts only if it is one or more ASCII digits. */
static void set_retry(mkc_sse_parser *p, const char *v, size_t n)
{
    if (n == 0 || n > 18)
        return;
    long r = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return;
        r = r * 10 + (v[i] - '0');
    }
    p->retry = r;
}

/* 9.2.6: one complete line, without its terminator. */
static int process_line(mkc_sse_parser *p, const char *line, size_t len)
{
    if (len == 0)
        return dispatch(p);
    if (line[0] == ':') {
        if (p->on_comment)
            p->on_comment(p->user, line + 1, len - 1);
        return MKC_OK;
    }
    const char *colon = memchr(line, ':', len);
    size_t flen = colon ? (size_t)(colon - line) : len;
    const char *value = colon ? colon + 1 : line + len;
    size_t vlen = colon ? len - flen - 1 : 0;
    if (vlen > 0 && value[0] == ' ') {
        value++;
        vlen--;
    }
    p->pending = 1;
    if (field_is(line, flen, "event"))
        return buf_set(&p->type, value, vlen);
    if (field_is(line, flen, "data")) {
        if (p->data.len + vlen + 1 > p->limit)
            return MKC_ETOOBIG;
        int rc = mkc__buf_append(&p->data, value, vlen);
        return rc ? rc : mkc__buf_append(&p->data, "\n", 1);
    }
    if (field_is(line, flen, "id")) {
        if (memchr(value, '\0', vlen))
            return MKC_OK;  /* an id with NUL is ignored; the old one stays */
        return buf_set(&p->id, value, vlen);
    }
    if (field_is(line, flen, "retry"))
        set_retry(p, value, vlen);
    return MKC_OK;  /* other fields are ignored */
}

/* Ends the buffered line. */
static int end_line(mkc_sse_parser *p)
{
    int rc = process_line(p, p->line.data, p->line.len);
    buf_clear(&p->line);
    return rc;
}

int mkc_sse_parser_feed(mkc_sse_parser *p, const void *buf, size_t len)
{
    if (!p || (!buf && len))
        return MKC_EINVAL;
    if (p->error)
        return p->error;
    const unsigned char *b = buf;
    size_t i = 0;
    while (i < len) {
        if (p->bom_pos >= 0) {
            if (b[i] == BOM[p->bom_pos]) {
                i++;
                p->offset++;
                if (++p->bom_pos == 3)
                    p->bom_pos = -1;
                continue;
            }
            /* Not a BOM after all: the bytes matched so far are content. */
            int had = p->bom_pos;
            p->bom_pos = -1;
            if (had && mkc__buf_append(&p->line, BOM, (size_t)had))
                return p->error = MKC_ENOMEM;
        }
        if (p->last_was_cr) {
            p->last_was_cr = 0;
            if (b[i] == '\n') {
                i++;
                p->offset++;
                continue;
            }
        }
        if (b[i] == '\r' || b[i] == '\n') {
            p->last_was_cr = b[i] == '\r';
            i++;
            p->offset++;
            int rc = end_line(p);
            if (rc)
                return p->error = rc;
            continue;
        }
        /* A run of line bytes up to the next CR or LF, appended at once. */
        size_t j = i;
        while (j < len && b[j] != '\r' && b[j] != '\n')
            j++;
        if (p->line.len + (j - i) > p->limit)
            return p->error = MKC_ETOOBIG;
        if (mkc__buf_append(&p->line, b + i, j - i))
            return p->error = MKC_ENOMEM;
        p->offset += j - i;
        i = j;
    }
    return MKC_OK;
}

int mkc_sse_parser_finish(mkc_sse_parser *p)
{
    if (!p)
        return MKC_EINVAL;
    int truncated = p->line.len > 0 || p->pending;
    /* 9.2.6: at end of stream the partial event is discarded, and its id
     * never takes effect. */
    buf_clear(&p->line);
    buf_clear(&p->data);
    buf_clear(&p->type);
    buf_set(&p->id, p->last_id.data, p->last_id.len);
    p->pending = 0;
    if (p->error)
        return p->error;
    return truncated ? MKC_ETRUNCATED : MKC_OK;
}

void mkc_sse_parser_reset(mkc_sse_parser *p)
{
    if (!p)
        return;
    mkc_sse_parser_finish(p);
    p->error = 0;
    p->bom_pos = 0;
    p->last_was_cr = 0;
    p->offset = 0;
}

const char *mkc_sse_parser_last_id(const mkc_sse_parser *p, size_t *len)
{
    if (!p)
        return NULL;
    if (len)
        *len = p->last_id.len;
    return p->last_id.data;
}

long mkc_sse_parser_retry(const mkc_sse_parser *p)
{
    return p ? p->retry : -1;
}

uint64_t mkc_sse_parser_offset(const mkc_sse_parser *p)
{
    return p ? p->offset : 0;
}
