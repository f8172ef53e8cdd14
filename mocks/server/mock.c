/* mock.c: mk_mock lifecycle (options, CivetWeb start/stop), speed, reset. */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "faults.h"
#include "mock_internal.h"
#include "mockkit/service.h"

/* One worker thread per connection (CivetWeb): each costs a small stack
 * and a max_request_size buffer, so this bounds what a typo can ask for. */
#define MK__MAX_CONNECTIONS 20000
#define MK__DEFAULT_CONNECTIONS 1024
#define MK__XSTR(x) #x
#define MK__STR(x) MK__XSTR(x)

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

static void lib_init(void)
{
    mg_init_library(MG_FEATURES_WEBSOCKET);
}

const char *mk_mock_strerror(int status)
{
    switch ((mk_mock_status)status) {
    case MK_MOCK_OK:
        return "ok";
    case MK_MOCK_ECASSETTE:
        return "a cassette failed to load";
    case MK_MOCK_EBIND:
        return "could not listen on the address";
    case MK_MOCK_EINVAL:
        return "bad option";
    case MK_MOCK_ENOMEM:
        return "out of memory";
    case MK_MOCK_ENOENT:
        return "no such file, folder, or service";
    }
    return "unknown status";
}

void mk_mock_options_init(mk_mock_options *o)
{
    if (o) {
        memset(o, 0, sizeof(*o));
        o->speed = 1.0;
    }
}

__attribute__((format(printf, 3, 4)))
static void diag_msg(mk_diag *d, const char *file, const char *fmt, ...)
{
    va_list ap;
    if (!d) {
        return;
    }
    memset(d, 0, sizeof(*d));
    snprintf(d->file, sizeof(d->file), "%s", file);
    va_start(ap, fmt);
    vsnprintf(d->message, sizeof(d->message), fmt, ap);
    va_end(ap);
}

static int log_quiet(const struct mg_connection *conn, const char *message)
{
    (void)conn;
    (void)message;
    return 1; /* CivetWeb's own log lines would only be noise in test output */
}

void mk__log_unmatched(const struct mk_mock *m, const char *line)
{
    if (!m->opts.quiet) {
        fprintf(stderr, "mockkit: unmatched %s\n", line);
    }
}

double mk__speed(struct mk_mock *m)
{
    double s;
    pthread_mutex_lock(&m->mu);
    s = m->speed;
    pthread_mutex_unlock(&m->mu);
    return s;
}

void mk_mock_set_speed(mk_mock *m, double speed)
{
    if (!m || isnan(speed)) {
        return;
    }
    pthread_mutex_lock(&m->mu);
    m->speed = speed < 0 ? 1.0 : speed;
    pthread_mutex_unlock(&m->mu);
}

static int check_options(const mk_mock_options *o, mk_diag *diag)
{
    const char *bind = o->bind ? o->bind : "127.0.0.1";
    if (o->port < 0 || o->port > 65535) {
        diag_msg(diag, "options", "port %d: must be 0-65535", o->port);
        return MK_MOCK_EINVAL;
    }
    if (!bind[0] || strlen(bind) >= 64 || strpbrk(bind, ":, ") != NULL) {
        diag_msg(diag, "options", "bind \"%s\": must be an IPv4 address", bind);
        return MK_MOCK_EINVAL;
    }
    /* the admin API can swap what is served: off loopback it needs a token */
    if (!o->disable_admin && (!o->admin_token || !o->admin_token[0]) &&
        strcmp(bind, "127.0.0.1") != 0 && strncmp(bind, "127.", 4) != 0) {
        diag_msg(diag, "options",
                 "bind \"%s\": not loopback, so the admin API needs admin_token "
                 "(--admin-token) or disable_admin (--no-admin)",
                 bind);
        return MK_MOCK_EINVAL;
    }
    if (o->admin_token && !o->admin_token[0]) {
        diag_msg(diag, "options", "admin_token: must not be empty");
        return MK_MOCK_EINVAL;
    }
    if (o->threads < 0 || o->threads > MK__MAX_CONNECTIONS) {
        diag_msg(diag, "options", "threads %d: must be 0-" MK__STR(MK__MAX_CONNECTIONS), o->threads);
        return MK_MOCK_EINVAL;
    }
    if (o->max_connections < 0 || o->max_connections > MK__MAX_CONNECTIONS) {
        diag_msg(diag, "options", "max_connections %d: must be 0-" MK__STR(MK__MAX_CONNECTIONS),
                 o->max_connections);
        return MK_MOCK_EINVAL;
    }
    if (o->request_timeout_ms < 0) {
        diag_msg(diag, "options", "request_timeout_ms %d: must be >= 0", o->request_timeout_ms);
        return MK_MOCK_EINVAL;
    }
    if (o->rate_limit < 0) {
        diag_msg(diag, "options", "rate_limit %d: must be >= 0", o->rate_limit);
        return MK_MOCK_EINVAL;
    }
    if (isnan(o->speed) || isinf(o->speed)) {
        diag_msg(diag, "options", "speed: must be a finite number");
        return MK_MOCK_EINVAL;
    }
    return MK_MOCK_OK;
}

static int start_server(mk_mock *m, mk_diag *diag)
{
    char ports[96], threads[16], timeout[16], backlog[16];
    char err[256] = "";
    struct mg_callbacks cb;
    struct mg_init_data init;
    struct mg_error_data error;
    struct mg_server_port sp[4];
    int n;
    const char *options[] = {"listening_ports", ports,
                             "num_threads", threads,
                             "tcp_nodelay", "1",
                             /* a burst of max_connections clients is accepted at
                              * once, not left to SYN retries (1 s) */
                             "listen_backlog", backlog,
                             "enable_keep_alive", "yes",
                             "keep_alive_timeout_ms", "500", /* idle keep-alive bounds mg_stop */
                             /* the whole header must arrive in this time (CivetWeb
                              * measures from the request's first byte), so slow
                              * senders give their worker back */
                             "request_timeout_ms", timeout,
                             /* wss only (CivetWeb's reader): with ping/pong off it
                              * retries on this timeout and never closes, so a short
                              * one just lets it notice mg_stop within 200 ms */
                             "websocket_timeout_ms", "200",
                             NULL};
    /* CivetWeb's "s" suffix: this port speaks TLS only. */
    snprintf(ports, sizeof(ports), "%s:%d%s", m->bind, m->opts.port, m->opts.tls_cert ? "s" : "");
    snprintf(threads, sizeof(threads), "%d", m->max_conn + MK__SPARE_WORKERS);
    snprintf(backlog, sizeof(backlog), "%d", m->max_conn + MK__SPARE_WORKERS);
    snprintf(timeout, sizeof(timeout), "%d",
             m->opts.request_timeout_ms > 0 ? m->opts.request_timeout_ms : 10000);
    memset(&cb, 0, sizeof(cb));
    cb.log_message = log_quiet;
    cb.http_error = mk__http_error;
    /* websocket upgrades are ours from the first byte (ws.c): CivetWeb's
     * reader would reserve whatever length a frame header claims */
    cb.begin_request = mk__begin_request;
    if (m->opts.tls_cert) {
        cb.init_ssl = mk__tls_init_ssl;
    }
    memset(&init, 0, sizeof(init));
    init.callbacks = &cb;
    init.user_data = m;
    init.configuration_options = options;
    memset(&error, 0, sizeof(error));
    error.text = err;
    error.text_buffer_size = sizeof(err);
    m->ctx = mg_start2(&init, &error);
    if (!m->ctx) {
        if (diag) {
            memset(diag, 0, sizeof(*diag));
            snprintf(diag->file, sizeof(diag->file), "%s", ports);
            if (m->opts.tls_cert) {
                /* Ours names the file; else CivetWeb's (libssl.so not loadable). */
                snprintf(diag->message, sizeof(diag->message),
                         "cannot listen with TLS on %s: %s", ports,
                         mk__tls_error()[0] ? mk__tls_error()
                         : err[0] ? err
                                  : "TLS init failed (CivetWeb loads libssl.so and libcrypto.so "
                                    "at run time: install libssl-dev)");
            } else {
                snprintf(diag->message, sizeof(diag->message), "cannot listen on %s: %s", ports,
                         err[0] ? err : "mg_start failed");
            }
        }
        return MK_MOCK_EBIND;
    }
    n = mg_get_server_ports(m->ctx, 4, sp);
    if (n < 1 || sp[0].port <= 0) {
        diag_msg(diag, ports, "cannot listen on %s: no port after start", ports);
        return MK_MOCK_EBIND;
    }
    m->port = sp[0].port;
    /* a wildcard bind is still reached over loopback */
    snprintf(m->url, sizeof(m->url), "%s://%s:%d", m->opts.tls_cert ? "https" : "http",
             strcmp(m->bind, "0.0.0.0") == 0 ? "127.0.0.1" : m->bind, m->port);
    /* "/" is a prefix of every URI: one handler routes everything itself
     * (template paths included), for plain requests and upgrades alike. */
    if (m->opts.tls_cert) {
        /* wss only: plain upgrades never get here (begin_request serves them) */
        mg_set_websocket_handler(m->ctx, "/", mk__wss_connect, mk__wss_ready, mk__wss_data,
                                 mk__wss_close, m);
    }
    mg_set_request_handler(m->ctx, "/", mk__http_handler, m);
    return MK_MOCK_OK;
}

/* mk_mock_reload reads the same files and folders again. */
static int keep_paths(mk_mock *m, const char *const *paths, size_t n)
{
    m->paths = calloc(n ? n : 1, sizeof(*m->paths));
    if (!m->paths) {
        return MK_MOCK_ENOMEM;
    }
    for (size_t i = 0; i < n; i++, m->path_count++) {
        if (paths[i] && !(m->paths[i] = strdup(paths[i]))) {
            return MK_MOCK_ENOMEM;
        }
    }
    return MK_MOCK_OK;
}

int mk_mock_new(const mk_mock_options *opts, const char *const *paths, size_t path_count,
                mk_mock **out, mk_diag *diag)
{
    mk_mock_options defaults;
    mk_mock *m;
    int rc;
    if (diag) {
        memset(diag, 0, sizeof(*diag));
    }
    if (!out || (path_count > 0 && !paths)) {
        diag_msg(diag, "arguments", "out and paths must not be NULL");
        return MK_MOCK_EINVAL;
    }
    *out = NULL;
    if (!opts) {
        mk_mock_options_init(&defaults);
        opts = &defaults;
    }
    rc = check_options(opts, diag);
    if (rc != MK_MOCK_OK) {
        return rc;
    }
    pthread_once(&lib_once, lib_init);
    m = calloc(1, sizeof(*m));
    if (!m) {
        return MK_MOCK_ENOMEM;
    }
    m->opts = *opts;
    if (mk__service_parse(opts->service, &m->service) != 0) {
        char names[128];
        diag_msg(diag, "options", "service \"%s\": not %s or generic", opts->service,
                 mk_service_names(names, sizeof names));
        free(m);
        return MK_MOCK_ENOENT;
    }
    m->opts.service = NULL; /* not kept: the caller's string may go away */
    m->opts.bind = NULL;
    snprintf(m->bind, sizeof(m->bind), "%s", opts->bind ? opts->bind : "127.0.0.1");
    m->speed = opts->speed < 0 ? 1.0 : opts->speed;
    m->max_conn = opts->max_connections    ? opts->max_connections
                  : opts->threads          ? opts->threads
                                           : MK__DEFAULT_CONNECTIONS;
    m->max_body = opts->max_body ? opts->max_body : (size_t)64 << 20;
    m->max_frame = opts->max_frame ? opts->max_frame : (size_t)16 << 20;
    atomic_init(&m->active, 0);
    pthread_mutex_init(&m->mu, NULL);
    m->mu_ref = &m->mu;
    pthread_mutex_init(&m->swap_mu, NULL);
    pthread_cond_init(&m->ws_cv, NULL);
    atomic_init(&m->stopping, 0);
    /* Unless told, what the service's row of the table accepts (service.h). */
    const mk_service_info *row = mk__service_row(m->service);
    m->api_key = strdup(opts->api_key ? opts->api_key : row && row->default_key ? row->default_key : "");
    m->username = strdup(opts->username ? opts->username
                                        : row && row->default_user ? row->default_user : "");
    m->password = strdup(opts->password ? opts->password
                                        : row && row->default_password ? row->default_password : "");
    m->opts.api_key = m->opts.username = m->opts.password = NULL;
    if (opts->admin_token && !(m->admin_token = strdup(opts->admin_token))) {
        mk_mock_free(m);
        return MK_MOCK_ENOMEM;
    }
    m->opts.admin_token = NULL;
    m->clock = opts->clock;
    if (!m->clock) {
        m->own_clock = mk__clock_new_real();
        m->clock = m->own_clock;
    }
    m->faults = mk__faults_new(opts->seed);
    if (!m->api_key || !m->username || !m->password || !m->clock || !m->faults ||
        mk__journal_init(&m->journal, opts->journal_size ? opts->journal_size : 256) != 0) {
        mk_mock_free(m);
        return MK_MOCK_ENOMEM;
    }
    m->start_ms = mk_clock_now_ms(m->clock);
    rc = keep_paths(m, paths, path_count);
    if (rc == MK_MOCK_OK) {
        rc = mk__engine_load(m, paths, path_count, diag);
    }
    if (rc == MK_MOCK_OK) {
        rc = start_server(m, diag);
    }
    m->opts.tls_cert = m->opts.tls_key = NULL; /* only read while starting */
    if (rc == MK_MOCK_OK && m->opts.group && mk__group_join(m->opts.group, m) != 0) {
        m->opts.group = NULL;
        rc = MK_MOCK_ENOMEM;
    }
    if (rc != MK_MOCK_OK) {
        mk_mock_free(m);
        return rc;
    }
    *out = m;
    return MK_MOCK_OK;
}

/* mg_stop waits for CivetWeb's accept loop, which polls with a 2 s quantum
 * and only then sees the stop flag. Connecting to our own listener while
 * mg_stop runs wakes the poll at once, so freeing a mock takes milliseconds. */
typedef struct waker {
    struct sockaddr_in addr;
    atomic_int done;
} waker;

static void *waker_main(void *arg)
{
    waker *w = arg;
    struct timespec tick = {0, 10 * 1000000L};
    for (int i = 0; i < 300 && !atomic_load(&w->done); i++) { /* bounded: 3 s */
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd >= 0) {
            (void)connect(fd, (struct sockaddr *)&w->addr, sizeof(w->addr));
            close(fd);
        }
        nanosleep(&tick, NULL);
    }
    return NULL;
}

static void stop_server(mk_mock *m)
{
    waker w;
    pthread_t t;
    int started;
    memset(&w, 0, sizeof(w));
    w.addr.sin_family = AF_INET;
    w.addr.sin_port = htons((uint16_t)m->port);
    if (inet_pton(AF_INET, strcmp(m->bind, "0.0.0.0") == 0 ? "127.0.0.1" : m->bind,
                  &w.addr.sin_addr) != 1) {
        w.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    }
    atomic_init(&w.done, 0);
    started = m->port > 0 && pthread_create(&t, NULL, waker_main, &w) == 0;
    mg_stop(m->ctx);
    if (started) {
        atomic_store(&w.done, 1);
        pthread_join(t, NULL);
    }
}

void mk_mock_free(mk_mock *m)
{
    if (!m) {
        return;
    }
    if (m->opts.group && m->ctx) {
        mk__group_leave(m->opts.group, m); /* a group reset no longer reaches it */
    }
    atomic_store(&m->stopping, 1);
    if (m->clock) {
        mk__clock_wake(m->clock); /* parked schedulers see `stopping` */
    }
    mk__ws_stop_all(m);
    if (m->ctx) {
        stop_server(m); /* joins the workers; websocket close handlers join players */
    }
    mk__engine_free(m);
    mk__journal_free(&m->journal);
    mk__faults_free(m->faults);
    mk_clock_free(m->own_clock);
    free(m->rates);
    free(m->rate_hashes);
    free(m->api_key);
    free(m->username);
    free(m->password);
    free(m->admin_token);
    for (size_t i = 0; i < m->path_count; i++) {
        free(m->paths[i]);
    }
    free(m->paths);
    pthread_cond_destroy(&m->ws_cv);
    pthread_mutex_destroy(&m->swap_mu);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

int mk_mock_port(const mk_mock *m) { return m ? m->port : 0; }

const char *mk_mock_url(const mk_mock *m) { return m ? m->url : ""; }

const char *mk_mock_base_path(const mk_mock *m)
{
    return m ? mk__service_base_path(m->service) : "";
}

void mk_mock_reset(mk_mock *m)
{
    if (m) {
        mk__engine_reset(m);
        mk__clock_wake(m->clock);
    }
}

int mk__slot_take(mk_mock *m)
{
    if (atomic_fetch_add(&m->active, 1) >= m->max_conn) {
        atomic_fetch_sub(&m->active, 1);
        return 0;
    }
    return 1;
}

void mk__slot_give(mk_mock *m) { atomic_fetch_sub(&m->active, 1); }
