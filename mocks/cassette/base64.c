/* base64.c: RFC 4648 base64, the kit's one codec (CivetWeb 1.15's public
 * header exports none, cJSON has none). Strict on input so that lint
 * catches damaged bodies: no whitespace, '=' only at the end. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int value_of(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int mk_cas__base64_decode(const char *in, size_t in_len, unsigned char **out,
                          size_t *out_len, size_t *bad_at)
{
    size_t data_len = in_len;
    /* Up to two '=' may end the input; padding is optional. */
    for (int i = 0; i < 2 && data_len > 0 && in[data_len - 1] == '='; i++)
        data_len--;
    if (data_len != in_len && in_len % 4 != 0) {
        if (bad_at)
            *bad_at = data_len;
        return -1;
    }
    if (data_len % 4 == 1) {
        if (bad_at)
            *bad_at = data_len - 1;
        return -1;
    }
    unsigned char *buf = malloc(data_len / 4 * 3 + 3);
    if (!buf) {
        if (bad_at)
            *bad_at = 0;
        return -1;
    }
    size_t n = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < data_len; i++) {
        int v = value_of((unsigned char)in[i]);
        if (v < 0) {
            free(buf);
            if (bad_at)
                *bad_at = i;
            return -1;
        }
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[n++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return 0;
}

char *mk_cas__base64_encode(const unsigned char *in, size_t len)
{
    char *out = malloc((len + 2) / 3 * 4 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? alphabet[v & 63] : '=';
    }
    out[o] = '\0';
    return out;
}
