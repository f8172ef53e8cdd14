/* placeholder.c: the one rule for a redaction placeholder (cassette.h), read
 * by the matcher, the secret scan and the redactor. */
#include <string.h>

#include "mockkit/cassette.h"

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
}

size_t mk_cassette_placeholder_len(const char *s, size_t n)
{
    static const char pre[] = "<REDACTED";
    const size_t pl = sizeof pre - 1;
    if (!s || n < pl + 1 || memcmp(s, pre, pl) != 0)
        return 0;
    if (s[pl] == '>')
        return pl + 1;
    if (s[pl] != ':')
        return 0;
    size_t i = pl + 1;
    while (i < n && name_char(s[i]))
        i++;
    /* An empty name is not a placeholder: the recorder writes <REDACTED>. */
    if (i == pl + 1 || i == n || s[i] != '>')
        return 0;
    return i + 1;
}

int mk_cassette_is_placeholder(const char *s, size_t len)
{
    return len > 0 && mk_cassette_placeholder_len(s, len) == len;
}
