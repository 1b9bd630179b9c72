/*
 * rest/rest_tls.c: TLS termination for https listeners (see rest_tls.h for the why).
 *
 * Threads: one accept thread per https listener; one thread per connection, which does the
 * handshake (bounded by handshake_ms), hands one end of a socketpair to libmicrohttpd and pumps
 * bytes both ways until either side closes. Sockets carry 1 s send/receive timeouts so every
 * thread notices a stop within about a second; libmicrohttpd's own idle timeout and the guard's
 * deadlines close its end, which ends the pump.
 */
#include "rest_tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "conf_client_tls.h"
#include "conf_truststore.h"
#include "kc_alloc.h"
#include "kc_log.h"
#include "kc_queue.h" /* kc_now_ms */
#include "kc_thread.h"

#define REST_TLS_PUMP_BYTES 16384
#define REST_TLS_TICK_MS 1000

struct rest_tls {
    SSL_CTX *ctx;
};

struct rest_tls_listener {
    struct rest_tls *t;       /* borrowed */
    struct MHD_Daemon *d;     /* borrowed */
    int fd;                   /* listening socket */
    unsigned max_conn;
    unsigned max_per_ip;
    unsigned handshake_ms;
    pthread_mutex_t ip_lock;  /* guards ips */
    struct ip_count *ips;     /* owned, max_conn slots: connections per client address */
    pthread_t accept_thread;
    int accept_started;
    _Atomic int stop;
    _Atomic unsigned active;  /* connection threads alive */
};

/* One client address and its open connections (n == 0: a free slot). */
struct ip_count {
    unsigned char addr[16];
    int family;
    unsigned n;
};

struct tls_conn {
    struct rest_tls_listener *l;
    int fd;
    struct sockaddr_storage addr;
    socklen_t addrlen;
};

/* ---- config ---- */

void rest_tls_config_from_props(struct rest_tls_config *c, const struct kc_strmap *props)
{
    memset(c, 0, sizeof(*c));
#define K(name) conf_https_ssl_key(props, name)
    c->keystore_type = K("ssl.keystore.type");
    c->keystore_location = K("ssl.keystore.location");
    c->keystore_password = K("ssl.keystore.password");
    c->key_password = K("ssl.key.password");
    c->keystore_key = K("ssl.keystore.key");
    c->keystore_certificate_chain = K("ssl.keystore.certificate.chain");
    c->truststore_type = K("ssl.truststore.type");
    c->truststore_location = K("ssl.truststore.location");
    c->truststore_password = K("ssl.truststore.password");
    c->truststore_certificates = K("ssl.truststore.certificates");
    c->client_auth = K("ssl.client.auth");
    c->enabled_protocols = K("ssl.enabled.protocols");
#undef K
}

static int blank(const char *s)
{
    return s == NULL || s[0] == '\0';
}

static void wipe_free(char *s)
{
    if (s != NULL) {
        OPENSSL_cleanse(s, strlen(s));
        kc_free(s);
    }
}


static int key_password_cb(char *buf, int size, int rwflag, void *u)
{
    (void)rwflag;
    const char *pw = u;
    if (pw == NULL) {
        return 0;
    }
    size_t n = strlen(pw);
    if (n > (size_t)size) {
        n = (size_t)size;
    }
    memcpy(buf, pw, n);
    return (int)n;
}

/* Key and chain (PEM text) into ctx. */
static int use_key_and_chain(SSL_CTX *ctx, const char *key_pem, const char *chain_pem,
                             const char *key_password, const char *what, struct kc_error *err)
{
    BIO *kb = BIO_new_mem_buf(key_pem, -1);
    EVP_PKEY *pkey = kb ? PEM_read_bio_PrivateKey(kb, NULL, key_password_cb,
                                                  (void *)key_password)
                        : NULL;
    BIO_free(kb);
    if (pkey == NULL) {
        ERR_clear_error();
        return kc_error_set(err, KC_EINVAL, "%s: no readable private key (wrong "
                            "ssl.key.password?)", what);
    }
    BIO *cb = BIO_new_mem_buf(chain_pem, -1);
    X509 *leaf = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
    int rc = KC_OK;
    if (leaf == NULL || SSL_CTX_use_certificate(ctx, leaf) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, pkey) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        rc = kc_error_set(err, KC_EINVAL, "%s: no certificate matching the private key", what);
    }
    X509 *x;
    while (rc == KC_OK && cb != NULL && (x = PEM_read_bio_X509(cb, NULL, NULL, NULL)) != NULL) {
        if (SSL_CTX_add_extra_chain_cert(ctx, x) != 1) { /* takes x on success */
            X509_free(x);
            rc = kc_error_set(err, KC_ENOMEM, "out of memory loading %s", what);
        }
    }
    ERR_clear_error(); /* the end of the chain reads as an error */
    X509_free(leaf);
    BIO_free(cb);
    EVP_PKEY_free(pkey);
    return rc;
}

static int load_keystore(SSL_CTX *ctx, const struct rest_tls_config *c, struct kc_error *err)
{
    char *key = NULL, *chain = NULL;
    int rc;
    const char *type = blank(c->keystore_type) ? "JKS" : c->keystore_type;
    const char *key_pw = c->key_password;

    if (!blank(c->keystore_key) || !blank(c->keystore_certificate_chain)) {
        if (blank(c->keystore_key) || blank(c->keystore_certificate_chain)) {
            return kc_error_set(err, KC_EINVAL, "ssl.keystore.key and "
                                "ssl.keystore.certificate.chain must be set together");
        }
        return use_key_and_chain(ctx, c->keystore_key, c->keystore_certificate_chain, key_pw,
                                 "ssl.keystore.key", err);
    }
    if (blank(c->keystore_location)) {
        return kc_error_set(err, KC_EINVAL, "An https listener needs a keystore: set "
                            "ssl.keystore.location (or listeners.https.ssl.keystore.location)");
    }
    if (strcasecmp(type, "PEM") == 0) {
        char *text = conf_read_pem_file(c->keystore_location, err);
        if (text == NULL) {
            return err->rc;
        }
        rc = use_key_and_chain(ctx, text, text, key_pw, c->keystore_location, err);
        wipe_free(text);
        return rc;
    }
    if (strcasecmp(type, "JKS") != 0 && strcasecmp(type, "PKCS12") != 0) {
        return kc_error_set(err, KC_EINVAL, "ssl.keystore.type %s is not supported (JKS, "
                            "PKCS12 or PEM)", type);
    }
    rc = conf_keystore_to_pem(c->keystore_location, c->keystore_password, c->key_password, &key,
                              &chain, err);
    if (rc == KC_OK) {
        rc = use_key_and_chain(ctx, key, chain, NULL, c->keystore_location, err);
    }
    wipe_free(key);
    kc_free(chain);
    return rc;
}

static int load_truststore(SSL_CTX *ctx, const struct rest_tls_config *c, struct kc_error *err)
{
    char *pem = NULL;
    int rc = KC_OK;
    const char *type = blank(c->truststore_type) ? "JKS" : c->truststore_type;

    if (!blank(c->truststore_certificates)) {
        pem = kc_strdup(c->truststore_certificates);
        if (pem == NULL) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
    } else if (blank(c->truststore_location)) {
        return KC_OK; /* no truststore: the default trust (none for client certificates) */
    } else if (strcasecmp(type, "PEM") == 0) {
        if ((pem = conf_read_pem_file(c->truststore_location, err)) == NULL) {
            return err->rc;
        }
    } else if ((rc = conf_truststore_to_pem(c->truststore_location, c->truststore_password,
                                            &pem, err)) != KC_OK) {
        return rc;
    }
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    STACK_OF(X509_NAME) *names = sk_X509_NAME_new_null();
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509 *x;
    int n = 0;
    while (b != NULL && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
        X509_STORE_add_cert(store, x);
        if (names != NULL) {
            X509_NAME *nm = X509_NAME_dup(X509_get_subject_name(x));
            if (nm != NULL && sk_X509_NAME_push(names, nm) <= 0) {
                X509_NAME_free(nm);
            }
        }
        X509_free(x);
        n++;
    }
    ERR_clear_error();
    BIO_free(b);
    kc_free(pem);
    if (names != NULL) {
        SSL_CTX_set_client_CA_list(ctx, names); /* takes names */
    }
    if (n == 0) {
        return kc_error_set(err, KC_EINVAL, "the truststore %s holds no certificate",
                            blank(c->truststore_location) ? "ssl.truststore.certificates"
                                                          : c->truststore_location);
    }
    return KC_OK;
}

int rest_tls_new(const struct rest_tls_config *c, struct rest_tls **out, struct kc_error *err)
{
    struct rest_tls *t = kc_calloc(1, sizeof(*t));
    int rc;

    *out = NULL;
    if (t == NULL || (t->ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
        kc_free(t);
        return kc_error_set(err, KC_ENOMEM, "cannot create the TLS context");
    }
    /* ssl.enabled.protocols (the JVM's default: TLSv1.2,TLSv1.3) */
    int min = TLS1_3_VERSION, max = TLS1_2_VERSION;
    const char *prot = blank(c->enabled_protocols) ? "TLSv1.2,TLSv1.3" : c->enabled_protocols;
    if (strstr(prot, "TLSv1.2") != NULL) {
        min = TLS1_2_VERSION;
    }
    if (strstr(prot, "TLSv1.3") != NULL) {
        max = TLS1_3_VERSION;
    }
    if (min > max) {
        min = max = strstr(prot, "TLSv1.3") != NULL ? TLS1_3_VERSION : TLS1_2_VERSION;
    }
    SSL_CTX_set_min_proto_version(t->ctx, min);
    SSL_CTX_set_max_proto_version(t->ctx, max);
    SSL_CTX_set_options(t->ctx, SSL_OP_NO_RENEGOTIATION);
    if ((rc = load_keystore(t->ctx, c, err)) != KC_OK ||
        (rc = load_truststore(t->ctx, c, err)) != KC_OK) {
        rest_tls_free(t);
        return rc;
    }
    const char *ca = blank(c->client_auth) ? "none" : c->client_auth;
    if (strcasecmp(ca, "required") == 0) {
        SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    } else if (strcasecmp(ca, "requested") == 0) {
        SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
    } else if (strcasecmp(ca, "none") == 0) {
        SSL_CTX_set_verify(t->ctx, SSL_VERIFY_NONE, NULL);
    } else {
        rest_tls_free(t);
        return kc_error_set(err, KC_EINVAL, "Invalid value %s for configuration ssl.client.auth: "
                            "String must be one of: required, requested, none", ca);
    }
    *out = t;
    return KC_OK;
}

void rest_tls_free(struct rest_tls *t)
{
    if (t == NULL) {
        return;
    }
    SSL_CTX_free(t->ctx);
    kc_free(t);
}

/* ---- connections ---- */

/* The address bytes of ss (v4-mapped v6 as v4), for the per-IP count. */
static size_t addr_key(const struct sockaddr_storage *ss, unsigned char out[16], int *family)
{
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
        if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
            memcpy(out, s6->sin6_addr.s6_addr + 12, 4);
            *family = AF_INET;
            return 4;
        }
        memcpy(out, s6->sin6_addr.s6_addr, 16);
        *family = AF_INET6;
        return 16;
    }
    memcpy(out, &((const struct sockaddr_in *)ss)->sin_addr, 4);
    *family = AF_INET;
    return 4;
}

/* Count a connection from ss in (delta 1: 0 when that address is at its limit) or out. The
 * handshake runs before libmicrohttpd sees the connection, so its per-IP limit comes too late
 * for a client that opens many handshakes and never finishes them. */
static int ip_track(struct rest_tls_listener *l, const struct sockaddr_storage *ss, int delta)
{
    unsigned char key[16] = {0};
    int fam = 0, ok = 1;
    size_t kl = addr_key(ss, key, &fam);
    struct ip_count *hit = NULL, *free_slot = NULL;
    pthread_mutex_lock(&l->ip_lock);
    for (unsigned i = 0; i < l->max_conn; i++) {
        struct ip_count *c = &l->ips[i];
        if (c->n > 0 && c->family == fam && memcmp(c->addr, key, kl) == 0) {
            hit = c;
            break;
        }
        if (c->n == 0 && free_slot == NULL) {
            free_slot = c;
        }
    }
    if (delta > 0) {
        if (hit == NULL && free_slot != NULL) {
            hit = free_slot;
            memcpy(hit->addr, key, sizeof(key));
            hit->family = fam;
        }
        if (hit == NULL || hit->n >= l->max_per_ip) {
            ok = 0;
        } else {
            hit->n++;
        }
    } else if (hit != NULL) {
        hit->n--;
    }
    pthread_mutex_unlock(&l->ip_lock);
    return ok;
}

static int send_all(int fd, const char *p, size_t n, struct rest_tls_listener *l)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (atomic_load(&l->stop)) {
                return -1;
            }
            continue;
        }
        if (w <= 0) {
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* A client that stops reading its answer is dropped after REST_TLS_WRITE_STALL_MS without
 * progress (Jetty's idle timeout), so it cannot hold a connection thread. */
#define REST_TLS_WRITE_STALL_MS 30000
static int ssl_write_all(SSL *ssl, const char *p, size_t n, struct rest_tls_listener *l)
{
    int64_t stall_deadline = kc_now_ms() + REST_TLS_WRITE_STALL_MS;
    while (n > 0) {
        int w = SSL_write(ssl, p, (int)n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            stall_deadline = kc_now_ms() + REST_TLS_WRITE_STALL_MS;
            continue;
        }
        int e = SSL_get_error(ssl, w);
        if ((e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) && !atomic_load(&l->stop) &&
            kc_now_ms() < stall_deadline) {
            continue;
        }
        return -1;
    }
    return 0;
}

static void set_timeouts(int fd, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void pump(struct tls_conn *tc, SSL *ssl)
{
    struct rest_tls_listener *l = tc->l;
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0) {
        return;
    }
    set_timeouts(sp[1], REST_TLS_TICK_MS);
    /* MHD owns sp[0] from here, also when it refuses it (limits reached): it closes it */
    if (MHD_add_connection(l->d, sp[0], (const struct sockaddr *)&tc->addr, tc->addrlen) !=
        MHD_YES) {
        close(sp[1]);
        return;
    }
    char *buf = kc_malloc(REST_TLS_PUMP_BYTES);
    /* libmicrohttpd stopped reading (an early answer: 401, 413) and closed: what the client
     * still sends is dropped, and its answer, already in the socketpair, is still relayed. */
    int discard = 0;
    while (buf != NULL && !atomic_load(&l->stop)) {
        struct pollfd p[2] = {{tc->fd, POLLIN, 0}, {sp[1], POLLIN, 0}};
        int pending = SSL_pending(ssl) > 0;
        int n = pending ? 0 : poll(p, 2, REST_TLS_TICK_MS);
        if (n < 0 && errno != EINTR) {
            break;
        }
        if (pending || (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            int r = SSL_read(ssl, buf, REST_TLS_PUMP_BYTES);
            if (r > 0) {
                if (!discard && send_all(sp[1], buf, (size_t)r, l) != 0) {
                    discard = 1;
                }
            } else {
                int e = SSL_get_error(ssl, r);
                if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
                    break; /* client closed, or a TLS error */
                }
            }
        }
        if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t r = recv(sp[1], buf, REST_TLS_PUMP_BYTES, 0);
            if (r <= 0) {
                if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
                    continue;
                }
                break; /* libmicrohttpd closed the connection */
            }
            if (ssl_write_all(ssl, buf, (size_t)r, l) != 0) {
                break;
            }
        }
    }
    kc_free(buf);
    SSL_shutdown(ssl);
    close(sp[1]);
}

static void *conn_main(void *arg)
{
    struct tls_conn *tc = arg;
    struct rest_tls_listener *l = tc->l;
    kc_thread_name("rest-tls-conn", NULL);
    SSL *ssl = SSL_new(l->t->ctx);
    int64_t deadline = kc_now_ms() + (int64_t)l->handshake_ms;

    set_timeouts(tc->fd, REST_TLS_TICK_MS);
    if (ssl != NULL && SSL_set_fd(ssl, tc->fd) == 1) {
        int ok = 0;
        for (;;) {
            int r = SSL_accept(ssl);
            if (r == 1) {
                ok = 1;
                break;
            }
            int e = SSL_get_error(ssl, r);
            if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) ||
                kc_now_ms() >= deadline || atomic_load(&l->stop)) {
                char host[INET6_ADDRSTRLEN] = "?";
                if (tc->addr.ss_family == AF_INET) {
                    inet_ntop(AF_INET, &((struct sockaddr_in *)&tc->addr)->sin_addr, host,
                              sizeof(host));
                } else if (tc->addr.ss_family == AF_INET6) {
                    inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&tc->addr)->sin6_addr, host,
                              sizeof(host));
                }
                unsigned long code = ERR_peek_last_error();
                kc_log(KC_LOG_DEBUG, "rest", "TLS handshake with %s failed: %s", host,
                       code != 0 ? ERR_reason_error_string(code) : "timed out or closed");
                break;
            }
        }
        ERR_clear_error();
        if (ok) {
            pump(tc, ssl);
        }
    }
    SSL_free(ssl);
    ERR_clear_error();
    close(tc->fd);
    ip_track(l, &tc->addr, -1);
    kc_free(tc);
    atomic_fetch_sub(&l->active, 1);
    return NULL;
}

static void *accept_main(void *arg)
{
    struct rest_tls_listener *l = arg;
    kc_thread_name("rest-tls-accept", NULL);
    while (!atomic_load(&l->stop)) {
        struct pollfd p = {l->fd, POLLIN, 0};
        if (poll(&p, 1, 200) <= 0) {
            continue;
        }
        struct tls_conn *tc = kc_calloc(1, sizeof(*tc));
        if (tc == NULL) {
            continue;
        }
        tc->l = l;
        tc->addrlen = sizeof(tc->addr);
        tc->fd = accept(l->fd, (struct sockaddr *)&tc->addr, &tc->addrlen);
        if (tc->fd < 0) {
            kc_free(tc);
            continue;
        }
        fcntl(tc->fd, F_SETFD, FD_CLOEXEC);
        if (atomic_load(&l->active) >= l->max_conn || !ip_track(l, &tc->addr, 1)) {
            close(tc->fd); /* as libmicrohttpd does past its connection limits */
            kc_free(tc);
            continue;
        }
        int one = 1;
        setsockopt(tc->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        atomic_fetch_add(&l->active, 1);
        pthread_t th;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&th, &attr, conn_main, tc) != 0) {
            ip_track(l, &tc->addr, -1);
            atomic_fetch_sub(&l->active, 1);
            close(tc->fd);
            kc_free(tc);
        }
        pthread_attr_destroy(&attr);
    }
    return NULL;
}

int rest_tls_listen(struct rest_tls *t, const char *host, uint16_t port, struct MHD_Daemon *d,
                    unsigned max_conn, unsigned max_per_ip, unsigned handshake_ms,
                    struct rest_tls_listener **out, uint16_t *port_out, struct kc_error *err)
{
    struct addrinfo hints, *ai = NULL;
    char portstr[8];
    struct rest_tls_listener *l;

    *out = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = host[0] == '\0' ? AF_INET6 : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    snprintf(portstr, sizeof(portstr), "%u", (unsigned)port);
    int gr = getaddrinfo(host[0] ? host : NULL, portstr, &hints, &ai);
    if (gr != 0 && host[0] == '\0') { /* no IPv6 here: IPv4 only */
        hints.ai_family = AF_INET;
        gr = getaddrinfo(NULL, portstr, &hints, &ai);
    }
    if (gr != 0 || ai == NULL) {
        return kc_error_set(err, KC_EINVAL, "Cannot resolve REST listener host %s: %s", host,
                            gai_strerror(gr));
    }
    l = kc_calloc(1, sizeof(*l));
    if (l == NULL) {
        freeaddrinfo(ai);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    l->t = t;
    l->d = d;
    l->max_conn = max_conn > 0 ? max_conn : 1;
    l->max_per_ip = max_per_ip > 0 ? max_per_ip : l->max_conn;
    l->handshake_ms = handshake_ms;
    l->ips = kc_calloc(l->max_conn, sizeof(*l->ips));
    if (l->ips == NULL) {
        freeaddrinfo(ai);
        kc_free(l);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&l->ip_lock, NULL);
    l->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1, zero = 0;
    if (l->fd >= 0) {
        setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (ai->ai_family == AF_INET6 && host[0] == '\0') {
            setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
        }
    }
    if (l->fd < 0 || bind(l->fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(l->fd, 64) != 0) {
        freeaddrinfo(ai);
        if (l->fd >= 0) {
            close(l->fd);
        }
        pthread_mutex_destroy(&l->ip_lock);
        kc_free(l->ips);
        kc_free(l);
        return kc_error_set(err, KC_EIO,
                            "Unable to initialize REST server: failed to bind to %s:%u",
                            host[0] ? host : "0.0.0.0", (unsigned)port);
    }
    freeaddrinfo(ai);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    *port_out = port;
    if (getsockname(l->fd, (struct sockaddr *)&ss, &sl) == 0) {
        *port_out = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                   : ((struct sockaddr_in *)&ss)->sin_port);
    }
    if (pthread_create(&l->accept_thread, NULL, accept_main, l) != 0) {
        close(l->fd);
        pthread_mutex_destroy(&l->ip_lock);
        kc_free(l->ips);
        kc_free(l);
        return kc_error_set(err, KC_EFATAL, "cannot start the https accept thread");
    }
    l->accept_started = 1;
    *out = l;
    return KC_OK;
}

void rest_tls_listener_stop(struct rest_tls_listener *l)
{
    if (l == NULL || !l->accept_started) {
        return;
    }
    atomic_store(&l->stop, 1);
    pthread_join(l->accept_thread, NULL);
    l->accept_started = 0;
    close(l->fd);
    l->fd = -1;
}

void rest_tls_listener_free(struct rest_tls_listener *l)
{
    if (l == NULL) {
        return;
    }
    rest_tls_listener_stop(l);
    /* every connection thread notices the stop within a tick or two */
    for (int i = 0; i < 100 && atomic_load(&l->active) > 0; i++) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (atomic_load(&l->active) > 0) {
        kc_log(KC_LOG_WARN, "rest", "%u https connection(s) still open at shutdown",
               atomic_load(&l->active));
        return; /* leaked on purpose: a thread still points at it */
    }
    pthread_mutex_destroy(&l->ip_lock);
    kc_free(l->ips);
    kc_free(l);
}
