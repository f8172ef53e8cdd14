/* record.c: the recorder's life: options, modes, the server, and writing
 * the cassette when it stops. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <civetweb.h>
#include <curl/curl.h>

#include "mockkit/mock.h"
#include "record_internal.h"
#include "url.h" /* client/core: the shared URL split */

const char *mk_record_strerror(int status)
{
    switch ((mk_record_status)status) {
    case MK_RECORD_OK:
        return "success";
    case MK_RECORD_EINVAL:
        return "invalid option";
    case MK_RECORD_EBIND:
        return "could not listen";
    case MK_RECORD_ENOMEM:
        return "out of memory";
    case MK_RECORD_ECASSETTE:
        return "cassette not readable or not written";
    case MK_RECORD_EMOCK:
        return "replay server did not start";
    }
    return "unknown status";
}

static const char *const mode_names[] = {"once", "none", "new", "all"};

int mk_record_mode_parse(const char *name)
{
    for (int i = 0; name && i < 4; i++)
        if (strcmp(name, mode_names[i]) == 0)
            return i;
    return -1;
}

const char *mk_record_mode_name(mk_record_mode mode)
{
    return (unsigned)mode < 4 ? mode_names[mode] : "?";
}

void mk_record_options_init(mk_record_options *o)
{
    memset(o, 0, sizeof *o);
    o->mode = MK_RECORD_MODE_ONCE;
}

void mk_rec__report(mk_record *r, const char *fmt, ...)
{
    if (r->quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

static int fail(mk_diag *d, const char *file, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(mk_diag *d, const char *file, int status, const char *fmt, ...)
{
    if (d) {
        memset(d, 0, sizeof *d);
        snprintf(d->file, sizeof d->file, "%s", file ? file : "");
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(d->message, sizeof d->message, fmt, ap);
        va_end(ap);
    }
    return status;
}

/* http[s]://host[:port][/prefix], the scheme in any case (RFC 3986 3.1),
 * split as the client core splits ws[s]:// URLs. up->url keeps the URL with
 * its scheme lowercased and no trailing slash. */
static int parse_upstream(const char *url, mk_rec_upstream *up)
{
    memset(up, 0, sizeof *up);
    mkc_url u;
    if (!url || strlen(url) >= sizeof up->url || mkc__url_split(url, "http", "https", &u) != 0)
        return -1;
    snprintf(up->url, sizeof up->url, "%s", url);
    for (size_t i = 0; i < u.scheme_len; i++)
        up->url[i] = (char)tolower((unsigned char)up->url[i]);
    size_t n = strlen(up->url), keep = (size_t)(u.path - url);
    while (n > keep && up->url[n - 1] == '/')
        up->url[--n] = '\0';
    up->tls = u.tls;
    up->port = u.port;
    snprintf(up->host, sizeof up->host, "%s", u.host);
    snprintf(up->prefix, sizeof up->prefix, "%s", up->url + keep);
    return 0;
}

/* "ADDR:PORT" or "PORT" -> CivetWeb listening_ports ("127.0.0.1:0" default). */
static int parse_listen(const char *listen, char *bind, size_t bsize, int *port)
{
    const char *l = listen && *listen ? listen : "127.0.0.1:0";
    const char *colon = strrchr(l, ':');
    char *end;
    long p = strtol(colon ? colon + 1 : l, &end, 10);
    if (*end || p < 0 || p > 65535)
        return -1;
    if (colon)
        snprintf(bind, bsize, "%.*s", (int)(colon - l), l);
    else
        snprintf(bind, bsize, "127.0.0.1");
    *port = (int)p;
    return 0;
}

static char *dup_or(const char *s, const char *dflt)
{
    const char *v = s && *s ? s : dflt;
    return v ? strdup(v) : NULL;
}

/* meta.name default: the file name without folder and .json. */
static char *default_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char *n = strdup(base);
    if (n) {
        size_t l = strlen(n);
        if (l > 5 && strcmp(n + l - 5, ".json") == 0)
            n[l - 5] = '\0';
    }
    return n;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* CivetWeb says only "failed to setup server ports"; binding the same
 * address again tells whether another process holds it. */
static int address_in_use(const char *addr, int port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    if (port <= 0 || inet_pton(AF_INET, addr, &a.sin_addr) != 1)
        return 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    int in_use = bind(fd, (struct sockaddr *)&a, sizeof a) != 0 && errno == EADDRINUSE;
    close(fd);
    return in_use;
}

/* The folder of path exists and is writable: 0, or -1 with why. */
static int check_folder(const char *path, char *why, size_t size)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    struct stat st;
    if (stat(dir, &st) != 0) {
        snprintf(why, size, "cannot write %.150s: folder %.150s: %s", path, dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(why, size, "cannot write %.150s: %.150s is not a folder", path, dir);
        return -1;
    }
    if (access(dir, W_OK) != 0) {
        snprintf(why, size, "cannot write %.150s: folder %.150s: %s", path, dir, strerror(errno));
        return -1;
    }
    return 0;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Start the embedded replay server on the cassette. */
static int start_mock(mk_record *r, const char *bind, int port, mk_diag *diag)
{
    mk_mock_options mo;
    mk_mock_options_init(&mo);
    /* Generic: a service profile would enforce its own key and reject the
     * real one the client sends through the recorder. */
    mo.service = NULL;
    mo.bind = bind;
    mo.port = port;
    mo.quiet = 1;
    const char *paths[] = {r->out};
    int rc = mk_mock_new(&mo, paths, 1, &r->mock, diag);
    if (rc != MK_MOCK_OK) {
        if (diag && !diag->message[0])
            fail(diag, r->out, 0, "replay server: %s", mk_mock_strerror(rc));
        return rc == MK_MOCK_ECASSETTE ? MK_RECORD_ECASSETTE : MK_RECORD_EMOCK;
    }
    return MK_RECORD_OK;
}

static void record_free(mk_record *r)
{
    if (r->ctx)
        mg_stop(r->ctx);
    mk_mock_free(r->mock);
    mk_rec__tape_cleanup(&r->tape);
    mk_rec__redactor_cleanup(&r->red);
    mk_rec__faults_free(r);
    pthread_mutex_destroy(&r->ws_mu);
    free(r->ws);
    free(r->out);
    free(r->service);
    free(r->name);
    free(r->mock_url);
    free(r->cacert);
    free(r->rejected);
    mk_cassette_free(r->known);
    free(r);
}

int mk_record_new(const mk_record_options *o, mk_record **out, mk_diag *diag)
{
    if (out)
        *out = NULL;
    if (!o || !out || !o->out || !*o->out)
        return fail(diag, "", MK_RECORD_EINVAL, "record: an output cassette path is required");
    if ((unsigned)o->mode > MK_RECORD_MODE_ALL)
        return fail(diag, o->out, MK_RECORD_EINVAL, "record: unknown mode %d", (int)o->mode);
    pthread_once(&curl_once, curl_init);

    mk_record *r = calloc(1, sizeof *r);
    if (!r)
        return fail(diag, o->out, MK_RECORD_ENOMEM, "record: out of memory");
    r->opts = *o;
    pthread_mutex_init(&r->ws_mu, NULL);
    mk_rec__tape_init(&r->tape);
    r->out = strdup(o->out);
    r->service = dup_or(o->service, "generic");
    r->name = o->name && *o->name ? strdup(o->name) : default_name(o->out);
    r->mode = o->mode;
    r->quiet = o->quiet;
    r->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000;
    r->idle_timeout_ms = o->idle_timeout_ms > 0 ? o->idle_timeout_ms : 0;
    r->insecure = o->insecure;
    r->cacert = o->cacert ? strdup(o->cacert) : NULL;
    char why[400];
    why[0] = '\0';
    if (mk_rec__redactor_init(&r->red, o, why, sizeof why) ||
        mk_rec__faults_init(r, o, why, sizeof why) || !r->out || !r->service || !r->name ||
        (o->cacert && !r->cacert)) {
        record_free(r);
        if (why[0])
            return fail(diag, o->out, MK_RECORD_EINVAL, "record: %s", why);
        return fail(diag, o->out, MK_RECORD_ENOMEM, "record: out of memory");
    }

    char bind[256];
    int port;
    if (parse_listen(o->listen, bind, sizeof bind, &port)) {
        record_free(r);
        return fail(diag, o->out, MK_RECORD_EINVAL,
                    "record: listen address '%s' is not ADDR:PORT", o->listen);
    }
    if (r->cacert && access(r->cacert, R_OK) != 0) {
        int e = errno;
        record_free(r);
        return fail(diag, o->cacert, MK_RECORD_EINVAL, "record: CA file '%s': %s", o->cacert,
                    strerror(e));
    }
    int exists = file_exists(r->out);
    if (!exists && check_folder(r->out, why, sizeof why) != 0) {
        /* Said now, not after a session that could never be written. */
        record_free(r);
        return fail(diag, o->out, MK_RECORD_EINVAL, "record: %s", why);
    }
    r->replaying = r->mode == MK_RECORD_MODE_NONE || (r->mode == MK_RECORD_MODE_ONCE && exists);
    if (r->replaying) {
        if (!exists) {
            record_free(r);
            return fail(diag, o->out, MK_RECORD_ECASSETTE,
                        "record: mode none replays a cassette, and there is none at this path");
        }
        int rc = start_mock(r, bind, port, diag);
        if (rc != MK_RECORD_OK) {
            record_free(r);
            return rc;
        }
        r->port = mk_mock_port(r->mock);
        snprintf(r->url, sizeof r->url, "%s", mk_mock_url(r->mock));
        r->stopped = 0;
        *out = r;
        return MK_RECORD_OK;
    }

    if (parse_upstream(o->upstream, &r->up)) {
        record_free(r);
        return fail(diag, o->out, MK_RECORD_EINVAL,
                    "record: upstream '%s' is not http[s]://host[:port][/prefix]",
                    o->upstream ? o->upstream : "(none)");
    }
    if (r->mode == MK_RECORD_MODE_NEW && exists) {
        int rc = start_mock(r, "127.0.0.1", 0, diag);
        if (rc != MK_RECORD_OK) {
            record_free(r);
            return rc;
        }
        r->mock_url = strdup(mk_mock_url(r->mock));
        mk_diag ld;
        if (mk_cassette_load(r->out, &r->known, &ld) != MK_CASSETTE_OK)
            r->known = NULL;  /* the mock loaded it; without it only subset matching decides */
    }

    char ports[300], threads[16] = "64";
    snprintf(ports, sizeof ports, "%s:%d", bind, port);
    const char *cfg[] = {"listening_ports", ports, "num_threads", threads, "tcp_nodelay", "1",
                         "request_timeout_ms", "600000", "websocket_timeout_ms", "600000",
                         "enable_keep_alive", "no", NULL};
    struct mg_callbacks cb;
    memset(&cb, 0, sizeof cb);
    r->ctx = mg_start(&cb, r, cfg);
    if (!r->ctx) {
        int in_use = address_in_use(bind, port);
        record_free(r);
        return fail(diag, o->out, MK_RECORD_EBIND, "record: could not listen on %s%s", ports,
                    in_use ? ": address already in use" : "");
    }
    struct mg_server_port sp[4];
    int n = mg_get_server_ports(r->ctx, 4, sp);
    if (n < 1) {
        record_free(r);
        return fail(diag, o->out, MK_RECORD_EBIND, "record: no listening port on %s", ports);
    }
    r->port = sp[0].port;
    snprintf(r->url, sizeof r->url, "http://%s:%d", strcmp(bind, "0.0.0.0") ? bind : "127.0.0.1",
             r->port);
    mg_set_request_handler(r->ctx, "**", mk_rec__http_handler, r);
    mk_rec__ws_install(r);
    *out = r;
    return MK_RECORD_OK;
}

int mk_record_port(const mk_record *r)
{
    return r ? r->port : 0;
}

const char *mk_record_url(const mk_record *r)
{
    return r ? r->url : "";
}

int mk_record_replaying(const mk_record *r)
{
    return r ? r->replaying : 0;
}

size_t mk_record_count(const mk_record *r)
{
    return r ? mk_rec__tape_count(&r->tape) : 0;
}

static void iso_now(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Largest at_ms anywhere in an existing interactions array (NEW appends after it). */
static int64_t last_ms(const cJSON *v)
{
    int64_t m = 0;
    if (!v)
        return 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, v)
    {
        if (c->string && strcmp(c->string, "at_ms") == 0 && cJSON_IsNumber(c) &&
            (int64_t)c->valuedouble > m)
            m = (int64_t)c->valuedouble;
        int64_t s = last_ms(c);
        if (s > m)
            m = s;
    }
    return m;
}

/* A cassette stores the decoded path and the query apart, so a request
 * whose decoded path holds '?' or '#' (sent as %3F / %23) cannot be
 * written faithfully. Drop just those, saying which, so one odd request
 * never costs the whole session. Runs after mg_stop: no handler is left. */
static void drop_unstorable(mk_record *r)
{
    mk_rec_tape *t = &r->tape;
    size_t kept = 0;
    for (size_t i = 0; i < t->count; i++) {
        mk_rec_ix *ix = t->items[i];
        const cJSON *req = cJSON_GetObjectItemCaseSensitive(ix->json, "request");
        const cJSON *path = cJSON_GetObjectItemCaseSensitive(req, "path");
        const cJSON *method = cJSON_GetObjectItemCaseSensitive(req, "method");
        if (cJSON_IsString(path) && strpbrk(path->valuestring, "?#")) {
            mk_rec__report(r, "mockkit record: skipped %s %s: its decoded path contains '?' "
                              "or '#' (sent as %%3F or %%23), which a cassette's \"path\" "
                              "cannot hold; the other interactions are written\n",
                           cJSON_IsString(method) ? method->valuestring : "?",
                           path->valuestring);
            mk_rec__ix_free(ix);
            continue;
        }
        t->items[kept++] = ix;
    }
    t->count = kept;
}

/* Write text to path, readable by the owner only (it may hold a secret). */
static int write_private(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    int rc = fchmod(fd, 0600);
    size_t len = strlen(text), done = 0;
    while (rc == 0 && done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            rc = -1;
        else
            done += (size_t)n;
    }
    if (close(fd) != 0)
        rc = -1;
    return rc;
}

typedef struct findings {
    cJSON *list;
} findings;

static void add_finding(void *ctx, const mk_diag *d)
{
    findings *f = ctx;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return;
    cJSON_AddStringToObject(o, "pointer", d->pointer);
    cJSON_AddStringToObject(o, "message", d->message);
    cJSON_AddItemToArray(f->list, o);
}

/* The secret scan refused the cassette: keep the session beside the
 * target as <target>.rejected.json, mode 0600, with every finding under
 * "rejected_findings" (found by linting the written copy), so nothing
 * recorded is lost and the user sees all there is to redact at once. The
 * diag gains the path. */
static void write_rejected(mk_record *r, cJSON *root, mk_diag *d)
{
    size_t n = strlen(r->out) + 16;
    char *path = malloc(n);
    if (!path)
        return;
    const char *ext = strlen(r->out) > 5 && strcmp(r->out + strlen(r->out) - 5, ".json") == 0
                          ? r->out + strlen(r->out) - 5
                          : r->out + strlen(r->out);
    snprintf(path, n, "%.*s.rejected.json", (int)(ext - r->out), r->out);
    char *text = cJSON_Print(root);
    findings f = {cJSON_CreateArray()};
    if (text && f.list && write_private(path, text) == 0) {
        mk_cassette_lint(path, add_finding, &f);
        cJSON_AddItemToObject(root, "rejected_findings", f.list);
        f.list = NULL;
        cJSON_free(text);
        text = cJSON_Print(root);
        if (text && write_private(path, text) == 0) {
            free(r->rejected);
            r->rejected = path;
            path = NULL;
            size_t used = strlen(d->message);
            snprintf(d->message + used, sizeof d->message - used,
                     "; the session is kept in %s (mode 0600) with every finding listed",
                     r->rejected);
        }
    }
    cJSON_Delete(f.list);
    cJSON_free(text);
    free(path);
}

static int write_cassette(mk_record *r, mk_diag *diag)
{
    cJSON *root = NULL;
    int64_t offset = 0;
    drop_unstorable(r);
    if (r->mode == MK_RECORD_MODE_NEW && r->mock) {
        size_t len;
        FILE *f = fopen(r->out, "rb");
        char *text = NULL;
        if (f) {
            fseek(f, 0, SEEK_END);
            long l = ftell(f);
            fseek(f, 0, SEEK_SET);
            text = l >= 0 ? malloc((size_t)l + 1) : NULL;
            len = text ? fread(text, 1, (size_t)l, f) : 0;
            if (text)
                text[len] = '\0';
            fclose(f);
        }
        root = text ? mk_json_parse_bounded(text, len, NULL) : NULL; /* a file on disk: bounded too */
        free(text);
        if (!root)
            return fail(diag, r->out, MK_RECORD_ECASSETTE,
                        "record: could not re-read the cassette to append to it");
        if (mk_rec__tape_count(&r->tape) == 0) {
            cJSON_Delete(root);
            return MK_RECORD_OK; /* nothing new: leave the file as it is */
        }
        offset = last_ms(cJSON_GetObjectItemCaseSensitive(root, "interactions")) + 1;
        /* Merge redactions. */
        cJSON *meta = cJSON_GetObjectItemCaseSensitive(root, "meta");
        cJSON *have = cJSON_GetObjectItemCaseSensitive(meta, "redactions");
        cJSON *add = mk_rec__redactions_json(&r->red);
        if (!have && meta && cJSON_GetArraySize(add) > 0) {
            cJSON_AddItemToObject(meta, "redactions", add);
            add = NULL;
        } else if (have && add) {
            cJSON *it;
            cJSON_ArrayForEach(it, add)
            {
                int dup = 0;
                cJSON *h;
                cJSON_ArrayForEach(h, have) dup |= cJSON_Compare(h, it, 1);
                if (!dup)
                    cJSON_AddItemToArray(have, cJSON_CreateString(it->valuestring));
            }
        }
        cJSON_Delete(add);
    } else {
        root = cJSON_CreateObject();
        cJSON_AddNumberToObject(root, "mockkit_cassette", 1);
        cJSON *meta = cJSON_AddObjectToObject(root, "meta");
        cJSON_AddStringToObject(meta, "service", r->service);
        cJSON_AddStringToObject(meta, "name", r->name);
        char now[32];
        iso_now(now, sizeof now);
        cJSON_AddStringToObject(meta, "created", now);
        cJSON *src = cJSON_AddObjectToObject(meta, "source");
        cJSON_AddStringToObject(src, "kind", "recorded");
        cJSON_AddStringToObject(src, "url", r->up.url);
        cJSON *red = mk_rec__redactions_json(&r->red);
        if (cJSON_GetArraySize(red) > 0)
            cJSON_AddItemToObject(meta, "redactions", red);
        else
            cJSON_Delete(red);
        cJSON_AddArrayToObject(root, "interactions");
    }
    cJSON *ixs = cJSON_GetObjectItemCaseSensitive(root, "interactions");
    if (!cJSON_IsArray(ixs)) {
        cJSON_Delete(root);
        return fail(diag, r->out, MK_RECORD_ECASSETTE, "record: /interactions is not an array");
    }
    mk_rec__tape_emit(&r->tape, ixs, offset);
    mk_diag d;
    memset(&d, 0, sizeof d);
    int rc = mk_cassette_save_json(root, r->out, &d);
    if (rc == MK_CASSETTE_ESECRET)
        write_rejected(r, root, &d);
    cJSON_Delete(root);
    if (rc != MK_CASSETTE_OK) {
        /* Returned, not printed: the caller reports it (once). */
        if (diag)
            *diag = d;
        return MK_RECORD_ECASSETTE;
    }
    return MK_RECORD_OK;
}

int mk_record_stop(mk_record *r, mk_diag *diag)
{
    if (!r)
        return MK_RECORD_EINVAL;
    if (diag)
        memset(diag, 0, sizeof *diag);
    if (r->stopped)
        return r->stop_status;
    r->stopped = 1;
    if (r->replaying) {
        mk_mock_free(r->mock);
        r->mock = NULL;
        r->stop_status = MK_RECORD_OK;
        return MK_RECORD_OK;
    }
    __atomic_store_n(&r->stopping, 1, __ATOMIC_SEQ_CST);
    mk_rec__ws_close_all(r);
    mg_stop(r->ctx); /* waits for every handler: the tape is complete after this */
    r->ctx = NULL;
    r->stop_status = write_cassette(r, diag);
    mk_mock_free(r->mock);
    r->mock = NULL;
    return r->stop_status;
}

const char *mk_record_rejected_path(const mk_record *r)
{
    return r ? r->rejected : NULL;
}

/* Query parameters as a sorted "name=value&..." list for comparison. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int same_query_set(const mk_request *rec, char **live, size_t live_n)
{
    if (rec->query_count != live_n)
        return 0;
    char **mine = calloc(live_n ? live_n : 1, sizeof *mine);
    int same = mine != NULL;
    for (size_t i = 0; same && i < live_n; i++) {
        size_t len = strlen(rec->query[i].name) + strlen(rec->query[i].value) + 2;
        mine[i] = malloc(len);
        if (!mine[i])
            same = 0;
        else
            snprintf(mine[i], len, "%s=%s", rec->query[i].name, rec->query[i].value);
    }
    if (same && live_n > 1)
        qsort(mine, live_n, sizeof *mine, cmp_str);
    for (size_t i = 0; same && i < live_n; i++) {
        const char *eq = strchr(mine[i], '=');
        size_t nl = (size_t)(eq - mine[i]);
        /* a redacted value stands for any value of that parameter */
        if (mk_cassette_is_placeholder(eq + 1, strlen(eq + 1)))
            same = strncmp(mine[i], live[i], nl + 1) == 0;
        else
            same = strcmp(mine[i], live[i]) == 0;
    }
    for (size_t i = 0; mine && i < live_n; i++)
        free(mine[i]);
    free(mine);
    return same;
}

int mk_rec__new_query_variant(mk_record *r, const struct mg_request_info *ri)
{
    if (!r->known)
        return 0;
    char path[4096];
    snprintf(path, sizeof path, "%s%s", r->up.prefix,
             ri->local_uri_raw ? ri->local_uri_raw : ri->local_uri);  /* as request_json */
    /* The live query, decoded, as sorted "name=value" strings. */
    char *live[256];
    size_t live_n = 0;
    const char *qs = ri->query_string ? ri->query_string : "";
    while (*qs && live_n < 256) {
        size_t len = strcspn(qs, "&");
        if (len) {
            char *item = malloc(len * 3 + 2);
            if (!item)
                break;
            const char *eq = memchr(qs, '=', len);
            size_t nl = eq ? (size_t)(eq - qs) : len;
            int a = mg_url_decode(qs, (int)nl, item, (int)(len * 3 + 1), 1);
            if (a < 0)
                a = 0;
            item[a++] = '=';
            int b = eq ? mg_url_decode(eq + 1, (int)(len - nl - 1), item + a,
                                       (int)(len * 3 + 1) - a, 1)
                       : 0;
            item[a + (b < 0 ? 0 : b)] = '\0';
            live[live_n++] = item;
        }
        qs += len + (qs[len] == '&');
    }
    if (live_n > 1)
        qsort(live, live_n, sizeof *live, cmp_str);
    int same_path = 0, same_query = 0;
    for (size_t i = 0; i < r->known->count && !same_query; i++) {
        const mk_interaction *ix = &r->known->interactions[i];
        if (strcmp(ix->request.method, ri->request_method) != 0 ||
            strcmp(ix->request.path, path) != 0)
            continue;
        same_path = 1;
        if (ix->match.query == MK_MATCH_QUERY_IGNORE || same_query_set(&ix->request, live, live_n))
            same_query = 1;
    }
    for (size_t i = 0; i < live_n; i++)
        free(live[i]);
    return same_path && !same_query;
}

void mk_record_free(mk_record *r)
{
    if (!r)
        return;
    mk_record_stop(r, NULL);
    record_free(r);
}
