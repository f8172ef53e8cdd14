/* civetweb_ssl.c: a shared library whose SONAME is "libssl.so", so that
 * Debian 12's CivetWeb TLS server works at all.
 *
 * Debian's libcivetweb1 (1.15+dfsg-4) is built for the OpenSSL 1.1 API and
 * dlopens "libssl.so" at run time, which is OpenSSL 3.0. There the symbol
 * SSL_get_peer_certificate no longer exists (it is a macro for
 * SSL_get1_peer_certificate), so CivetWeb's library load fails half way:
 * every other pointer is filled, that one stays NULL, and the first TLS
 * connection a CivetWeb server accepts calls it (ssl_get_client_cert_info)
 * and crashes. CivetWeb's client side never calls it, and works only because
 * the pointers filled before the failed load stay valid (libcurl keeps
 * libssl.so.3 loaded); mg_init_library then reports TLS as unavailable.
 *
 * When this library is loaded first (it is a DT_NEEDED of anything linking
 * mockkit_mock or mockkit_client), glibc's dlopen("libssl.so") matches it by SONAME and
 * returns it; CivetWeb's dlsym then finds the one missing function here
 * and every other one in its dependency, the real libssl.so.3.
 *
 * It also serialises SSL_read and SSL_write per connection. CivetWeb's
 * websocket reader (server and client) calls SSL_read on its own thread
 * with no lock, while mg_websocket_write from any other thread (the mock's
 * player, a client's sender) takes only the connection's write lock; one
 * SSL object used from two threads at once is undefined in OpenSSL.
 * CivetWeb finds these here by dlsym first; they call the real ones.
 * Its reader calls SSL_read only once the socket is readable or OpenSSL
 * holds bytes, so a writer waits at most for one record to finish.
 * CivetWeb asks SSL_get_error about a failed read or write after the lock
 * is gone, when the other thread may have changed the state it reads
 * (SSL_want); so the answer is taken under the lock and kept for that
 * thread's next SSL_get_error. */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include <openssl/ssl.h>

#undef SSL_get_peer_certificate

X509 *SSL_get_peer_certificate(const SSL *s);

/* Same contract as 1.1's: a new reference the caller frees (CivetWeb does). */
X509 *SSL_get_peer_certificate(const SSL *s)
{
    return SSL_get1_peer_certificate(s);
}

static int lock_index = -1;
static pthread_once_t lock_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock_create = PTHREAD_MUTEX_INITIALIZER;
static int (*real_read)(SSL *, void *, int);
static int (*real_write)(SSL *, const void *, int);
static int (*real_get_error)(const SSL *, int);

/* This thread's last failed SSL_read/SSL_write and its SSL_get_error. */
static _Thread_local struct {
    const SSL *s;
    int ret, err;
} last_failure;

/* OpenSSL calls this from SSL_free: the connection's lock goes with it,
 * and so does this thread's kept SSL_get_error answer about it: a worker
 * that frees a connection often allocates the next one at the same address,
 * and that one's failed handshake step must not get the old answer. */
static void free_lock(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
                      void *argp)
{
    if (parent && last_failure.s == parent)
        last_failure.s = NULL;
    (void)ad;
    (void)idx;
    (void)argl;
    (void)argp;
    if (ptr) {
        pthread_mutex_destroy(ptr);
        free(ptr);
    }
}

static void lock_init(void)
{
    lock_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, free_lock);
    /* the real libssl (our DT_NEEDED, so loaded); RTLD_NEXT would miss it
     * when it was loaded before us */
    void *real = dlopen("libssl.so.3", RTLD_LAZY | RTLD_NOLOAD);
    if (!real)
        return;
    real_read = (int (*)(SSL *, void *, int))dlsym(real, "SSL_read");
    real_write = (int (*)(SSL *, const void *, int))dlsym(real, "SSL_write");
    real_get_error = (int (*)(const SSL *, int))dlsym(real, "SSL_get_error");
    if (!real_get_error) /* all three or none */
        real_read = NULL, real_write = NULL;
    dlclose(real); /* NOLOAD took a reference; the library stays loaded */
}

/* The connection's lock, made on first use; NULL if none can be had. */
static pthread_mutex_t *lock_of(SSL *s)
{
    pthread_mutex_t *mu;
    if (lock_index < 0 || !s)
        return NULL;
    pthread_mutex_lock(&lock_create);
    mu = SSL_get_ex_data(s, lock_index);
    if (!mu) {
        mu = malloc(sizeof(*mu));
        if (mu) {
            pthread_mutex_init(mu, NULL);
            if (!SSL_set_ex_data(s, lock_index, mu)) {
                pthread_mutex_destroy(mu);
                free(mu);
                mu = NULL;
            }
        }
    }
    pthread_mutex_unlock(&lock_create);
    return mu;
}

/* Under the connection's lock: what SSL_get_error says about n, now. */
static void note_result(SSL *s, int n)
{
    if (n > 0) {
        last_failure.s = NULL;
        return;
    }
    int saved = errno; /* CivetWeb reads errno after SSL_ERROR_SYSCALL */
    last_failure.s = s;
    last_failure.ret = n;
    last_failure.err = real_get_error(s, n);
    errno = saved;
}

int SSL_get_error(const SSL *s, int ret)
{
    pthread_once(&lock_once, lock_init);
    if (s && s == last_failure.s && ret == last_failure.ret) {
        last_failure.s = NULL;
        return last_failure.err;
    }
    return real_get_error ? real_get_error(s, ret) : SSL_ERROR_SSL;
}

int SSL_read(SSL *s, void *buf, int num)
{
    pthread_once(&lock_once, lock_init);
    if (!real_read)
        return -1;
    pthread_mutex_t *mu = lock_of(s);
    if (mu)
        pthread_mutex_lock(mu);
    int n = real_read(s, buf, num);
    note_result(s, n);
    if (mu)
        pthread_mutex_unlock(mu);
    return n;
}

int SSL_write(SSL *s, const void *buf, int num)
{
    pthread_once(&lock_once, lock_init);
    if (!real_write)
        return -1;
    pthread_mutex_t *mu = lock_of(s);
    if (mu)
        pthread_mutex_lock(mu);
    int n = real_write(s, buf, num);
    note_result(s, n);
    if (mu)
        pthread_mutex_unlock(mu);
    return n;
}

/* Referenced by the mock (mocks/server/tls.c) and the websocket client
 * (client/core/ws.c) so the link keeps this library even with --as-needed. */
int mk_civetweb_ssl_compat(void);
int mk_civetweb_ssl_compat(void)
{
    return 1;
}
