/* record.h: the mockkit recording proxy.
 *
 * mk_record runs a CivetWeb server that forwards every request to an
 * upstream service (libcurl for HTTP and SSE, CivetWeb's websocket client
 * for websockets), passes the answer back to the client as it arrives, and
 * keeps a redacted copy of the session that becomes a v1 cassette
 * (docs/cassette.md) when the recorder stops. Modes follow VCR:
 *
 *   NONE  replay only: the cassette is served by an embedded mk_mock
 *   ONCE  record when the cassette is missing, else replay it (default)
 *   NEW   replay what the cassette matches, forward and record the rest,
 *         and append the new interactions to the cassette
 *   ALL   forward and record everything, replacing the cassette
 *
 * Prefix: mk_record_. Ownership: mk_record_new/mk_record_free; strings in
 * the options are copied.
 */
#ifndef MOCKKIT_RECORD_H
#define MOCKKIT_RECORD_H

#include <stddef.h>

#include "mockkit/cassette.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mk_record_status {
    MK_RECORD_OK = 0,
    MK_RECORD_EINVAL = -1,    /* bad option (upstream URL, listen address, mode) */
    MK_RECORD_EBIND = -2,     /* could not listen */
    MK_RECORD_ENOMEM = -3,
    MK_RECORD_ECASSETTE = -4, /* existing cassette unreadable, or the cassette was
                                 refused (schema or secret scan): the target is not
                                 written; after a secret scan refusal the session
                                 is kept in <target>.rejected.json (mode 0600) */
    MK_RECORD_EMOCK = -5      /* the embedded replay server did not start */
} mk_record_status;

const char *mk_record_strerror(int status);

typedef enum mk_record_mode {
    MK_RECORD_MODE_ONCE = 0,
    MK_RECORD_MODE_NONE,
    MK_RECORD_MODE_NEW,
    MK_RECORD_MODE_ALL
} mk_record_mode;

/* "none", "once", "new", "all" -> mode; -1 if unknown. */
int mk_record_mode_parse(const char *name);
const char *mk_record_mode_name(mk_record_mode mode);

typedef struct mk_record_options {
    const char *upstream;   /* http[s]://host[:port][/prefix]; required unless replaying */
    const char *out;        /* cassette path; required */
    const char *listen;     /* "ADDR:PORT", default "127.0.0.1:0" (ephemeral) */
    mk_record_mode mode;
    const char *service;    /* meta.service, default "generic" */
    const char *name;       /* meta.name, default the file name without .json */
    /* Redaction beyond the defaults (see redact.c): header names and
     * JSON/form field names, compared case-insensitively. */
    const char *const *redact_headers;
    size_t redact_header_count;
    const char *const *redact_fields;
    size_t redact_field_count;
    /* Header names may hold '*' ("x-*-token"). Query parameters are
     * redacted by the field names and a few of their own (key, sig, ...). */
    /* POSIX extended regular expressions: every match in a header value,
     * query value, body text or stream chunk becomes <REDACTED:pattern>. */
    const char *const *redact_patterns;
    size_t redact_pattern_count;
    long connect_timeout_ms; /* upstream connect timeout; 0 = 10000 */
    long idle_timeout_ms;    /* upstream silent this long (rounded up to whole
                                seconds): 502, or a cut stream; 0 = wait forever */
    int quiet;               /* 1: no reports on stderr */
    /* An https:// or wss:// upstream's certificate is verified against the
     * system store (mkc_tls in mockkit/client.h); these change that. */
    const char *cacert;      /* PEM file of CAs to trust instead */
    int insecure;            /* 1: accept any certificate */
    /* Faults on the answers the proxy gives its client (docs/faults.md:
     * status, latency at the status line, empty, garbage, cut, badchunk);
     * the upstream is recorded as it answered, and a faulted exchange is
     * not recorded at all. */
    const char *const *faults;
    size_t fault_count;
    unsigned long long seed; /* the faults' PRNG */
} mk_record_options;

/* Zero everything; mode ONCE. */
void mk_record_options_init(mk_record_options *o);

typedef struct mk_record mk_record;

/* Start the proxy (or the replay server). Returns only once it accepts
 * connections. On error *out is NULL and diag says what and where. */
int mk_record_new(const mk_record_options *o, mk_record **out, mk_diag *diag);

int mk_record_port(const mk_record *r);
/* "http://127.0.0.1:PORT" */
const char *mk_record_url(const mk_record *r);
/* 1 when this recorder only replays (NONE, or ONCE with an existing cassette). */
int mk_record_replaying(const mk_record *r);
/* Interactions recorded so far (not counting replayed ones). */
size_t mk_record_count(const mk_record *r);

/* Stop serving (cutting open streams: what arrived is kept, without
 * "close", which marks only a stream the upstream cut) and, when
 * recording, write the cassette atomically. The recorder's own 502s
 * (upstream unreachable) are not interactions and are not written. An interaction a cassette cannot hold (a decoded
 * path containing '?' or '#') is left out and reported on stderr (unless
 * quiet); the rest is written. A session with no interaction writes a
 * valid cassette with an empty "interactions". Returns MK_RECORD_OK or
 * MK_RECORD_ECASSETTE with diag saying why the target was not written (not
 * printed: the caller reports it). When the secret scan refused it, every
 * finding is listed in "rejected_findings" of <target>.rejected.json, which
 * holds the whole session (mode 0600: it may hold the secret), and
 * mk_record_rejected_path names it. A second call returns the first call's
 * status and writes nothing. */
int mk_record_stop(mk_record *r, mk_diag *diag);

/* The <target>.rejected.json written by a refused stop, or NULL. */
const char *mk_record_rejected_path(const mk_record *r);

/* Stop (writing the cassette) if not stopped, then free. NULL ok. */
void mk_record_free(mk_record *r);

#ifdef __cplusplus
}
#endif

#endif /* MOCKKIT_RECORD_H */
