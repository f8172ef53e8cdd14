/* text.c: reading cassette files and parsing JSON with line:column errors. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int mk_cas__read_file(const char *path, char **text, size_t *len, mk_diag *diag)
{
    *text = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return mk_cas__diag(diag, MK_CASSETTE_EIO, path, "cannot open: %s", strerror(errno));
    size_t cap = 8192, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (cap - n < 2) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    int failed = ferror(f);
    int saved = errno;
    fclose(f);
    if (!buf)
        return mk_cas__diag(diag, MK_CASSETTE_ENOMEM, path, "out of memory reading the file");
    if (failed) {
        free(buf);
        return mk_cas__diag(diag, MK_CASSETTE_EIO, path, "cannot read: %s", strerror(saved));
    }
    buf[n] = '\0';
    *len = n;
    *text = buf;
    return MK_CASSETTE_OK;
}

/* 1-based line and column (in characters: UTF-8 continuation bytes do not
 * count) of a byte offset. LF, CRLF and a lone CR each end a line. */
static void line_col(const char *text, size_t offset, int *line, int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < offset; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\r' || (ch == '\n' && (i == 0 || text[i - 1] != '\r'))) {
            l++;
            c = 1;
        } else if (ch == '\n') {
            /* the LF of a CRLF: the CR already ended the line */
        } else if ((ch & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* What cJSON lets through: JSON (RFC 8259 section 7) forbids raw control
 * characters inside strings, and cJSON reports an unterminated string at
 * its start rather than where input ran out. A scan of string boundaries
 * finds both; it agrees with the parser up to where the parser stopped. */
typedef struct string_scan {
    size_t control;      /* offset of the first raw control character in a string, or SIZE_MAX */
    size_t open;         /* start of a string never closed, or SIZE_MAX */
} string_scan;

static string_scan scan_strings(const char *text, size_t len)
{
    string_scan s = {SIZE_MAX, SIZE_MAX};
    size_t start = 0;
    int in = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (!in) {
            if (ch == '"') {
                in = 1;
                start = i;
            }
        } else if (ch == '\\') {
            i++;
        } else if (ch == '"') {
            in = 0;
        } else if (ch < 0x20 && s.control == SIZE_MAX) {
            s.control = i;
        }
    }
    if (in)
        s.open = start;
    return s;
}

static void control_error(mk_diag *diag, const char *name, const char *text, size_t offset)
{
    if (!diag)
        return;
    mk_cas__diag_init(diag, name);
    diag->offset = offset;
    line_col(text, offset, &diag->line, &diag->column);
    snprintf(diag->message, sizeof diag->message,
             "not valid JSON: raw control character 0x%02x inside a string (write it as an "
             "escape such as \\n or \\u%04x) (byte %zu)",
             (unsigned char)text[offset], (unsigned)(unsigned char)text[offset], offset);
}

static void unterminated_error(mk_diag *diag, const char *name, const char *text, size_t len,
                               size_t start)
{
    if (!diag)
        return;
    mk_cas__diag_init(diag, name);
    diag->offset = len;
    line_col(text, len, &diag->line, &diag->column);
    int l, c;
    line_col(text, start, &l, &c);
    snprintf(diag->message, sizeof diag->message,
             "not valid JSON: unterminated string starting at %d:%d: unexpected end of input "
             "(byte %zu)", l, c, len);
}

static void syntax_error(mk_diag *diag, const char *name, const char *text, size_t len,
                         size_t offset, const char *what)
{
    if (!diag)
        return;
    mk_cas__diag_init(diag, name);
    if (offset > len)
        offset = len;
    diag->offset = offset;
    line_col(text, offset, &diag->line, &diag->column);
    unsigned char ch = offset < len ? (unsigned char)text[offset] : 0;
    if (offset >= len)
        snprintf(diag->message, sizeof diag->message,
                 "%s: unexpected end of input (byte %zu)", what, offset);
    else if (ch >= 0x20 && ch < 0x7f)
        snprintf(diag->message, sizeof diag->message, "%s: unexpected '%c' (byte %zu)", what,
                 ch, offset);
    else
        snprintf(diag->message, sizeof diag->message, "%s: unexpected byte 0x%02x (byte %zu)",
                 what, ch, offset);
}

cJSON *mk_cas__parse_text(const char *text, size_t len, const char *name, mk_diag *diag,
                          int *status)
{
    int dummy;
    if (!status)
        status = &dummy;
    *status = MK_CASSETTE_ESYNTAX;
    /* cJSON reports "ran out of input" at the last byte; parsing a copy
     * that includes a terminating NUL makes it report the true end. */
    char *copy = malloc(len + 1);
    if (!copy) {
        *status = mk_cas__diag(diag, MK_CASSETTE_ENOMEM, name, "out of memory parsing");
        return NULL;
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    const char *end = NULL;
    /* Trailing data is checked below rather than with require_null_terminated. */
    cJSON *root = cJSON_ParseWithLengthOpts(copy, len + 1, &end, 0);
    size_t off = end && end >= copy ? (size_t)(end - copy) : 0;
    free(copy);
    string_scan sc = scan_strings(text, len);
    if (!root) {
        /* Up to off the text parsed, so the scan's string boundaries hold there. */
        if (sc.control < off)
            control_error(diag, name, text, sc.control);
        else if (sc.open < off)
            unterminated_error(diag, name, text, len, sc.open);
        else
            syntax_error(diag, name, text, len, off, "not valid JSON");
        return NULL;
    }
    if (sc.control != SIZE_MAX) {
        control_error(diag, name, text, sc.control);
        cJSON_Delete(root);
        return NULL;
    }
    while (off < len && (text[off] == ' ' || text[off] == '\t' || text[off] == '\n' ||
                         text[off] == '\r'))
        off++;
    if (off < len) {
        syntax_error(diag, name, text, len, off, "not valid JSON: data after the document");
        cJSON_Delete(root);
        return NULL;
    }
    *status = MK_CASSETTE_OK;
    return root;
}
