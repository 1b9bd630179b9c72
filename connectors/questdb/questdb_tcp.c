/*
 * connectors/questdb/questdb_tcp.c: ILP over TCP (tcp::, legacy host=), with TLS (tcps::, legacy
 * tls=true) through OpenSSL and QuestDB's ILP/TCP authentication. See questdb_tcp.h for what
 * "sent" means.
 *
 * Authentication (QuestDB's challenge-response, as its clients do it): after the connection (and
 * the TLS handshake) the client writes "<key id>\n", the server answers a challenge ending in
 * "\n", the client writes the base64 of an ECDSA P-256 / SHA-256 signature of the challenge (DER,
 * as the Java client's SHA256withECDSA) and "\n". A wrong key is not answered: the server closes
 * the connection, which the next write or the closed check sees. The private key is the JVM
 * connector's `token` (client.conf.string token=, legacy `token` with `username` as the key id):
 * the base64url of the 32-byte scalar d.
 *
 * QuestDB open source has no TLS listener; tcps:: is for a TLS terminator in front of it
 * (HAProxy, as QuestDB's docs suggest) or QuestDB Enterprise.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "kc_alloc.h"
#include "kc_buf.h"
#include "kc_text.h"
#include "questdb_tcp.h"

#define QUESTDB_CHALLENGE_MAX 1024 /* QuestDB's challenges are 512 bytes */

struct questdb_tcp {
    char *host; /* owned */
    char port[8];
    int fd;     /* -1 = not connected */
    int timeout_ms;
    long connects;
    SSL_CTX *ctx;     /* owned; NULL without TLS */
    SSL *ssl;         /* owned while connected with TLS */
    char *key_id;     /* owned; NULL without authentication */
    EVP_PKEY *key;    /* owned */
};

/* The last OpenSSL error as text (the queue is emptied). */
static const char *ssl_reason(char *buf, size_t cap)
{
    unsigned long e = ERR_get_error();
    unsigned long last = e;
    while ((e = ERR_get_error()) != 0) {
        last = e;
    }
    if (last == 0) {
        snprintf(buf, cap, "no OpenSSL error");
    } else {
        ERR_error_string_n(last, buf, cap);
    }
    return buf;
}

/* base64url (or standard) text, unpadded or padded, to bytes. -1 on a bad digit. */
static long b64_decode(const char *s, unsigned char *out, size_t cap)
{
    size_t n = 0;
    unsigned acc = 0;
    int bits = 0;
    for (; *s != '\0' && *s != '='; s++) {
        int v = kc_b64val((unsigned char)*s, 1);
        if (v < 0) {
            return -1;
        }
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n == cap) {
                return -1;
            }
            out[n++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    return (long)n;
}

/* The P-256 key pair of the private scalar d (public point computed from it). */
static int load_key(struct questdb_tcp *t, const struct questdb_client_conf *c,
                    struct kc_error *err)
{
    const char *token = c->token;
    unsigned char d[64];
    long n = b64_decode(token, d, sizeof(d));
    if (n <= 0 || n > 32) {
        OPENSSL_cleanse(d, sizeof(d));
        return kc_error_set(err, KC_EINVAL,
                            "token: not an ILP authentication key (the base64url of a P-256 "
                            "private key, 32 bytes)");
    }
    char why[256];
    int rc = KC_EINVAL;
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    BIGNUM *priv = BN_bin2bn(d, (int)n, NULL);
    OPENSSL_cleanse(d, sizeof(d));
    EC_POINT *pub = g != NULL ? EC_POINT_new(g) : NULL;
    unsigned char pub_oct[65];
    size_t pub_len = 0;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    if (g == NULL || priv == NULL || pub == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        goto out;
    }
    if (BN_is_zero(priv) || BN_cmp(priv, EC_GROUP_get0_order(g)) >= 0 ||
        EC_POINT_mul(g, pub, priv, NULL, NULL, NULL) != 1 ||
        (pub_len = EC_POINT_point2oct(g, pub, POINT_CONVERSION_UNCOMPRESSED, pub_oct,
                                      sizeof(pub_oct), NULL)) == 0) {
        rc = kc_error_set(err, KC_EINVAL, "token: not a valid P-256 private key");
        goto out;
    }
    /* token_x / token_y, when given, must be the key's public point (a typo shows here, not
     * as a connection the server silently closes) */
    const char *xy[2] = {c->token_x, c->token_y};
    for (int i = 0; i < 2; i++) {
        unsigned char v[64];
        long vl = xy[i] != NULL ? b64_decode(xy[i], v, sizeof(v)) : 0;
        if (xy[i] == NULL) {
            continue;
        }
        /* pub_oct = 0x04 || x(32) || y(32); a shorter value is a big-endian number */
        const unsigned char *want = pub_oct + 1 + 32 * i;
        int same = vl > 0 && vl <= 32 && memcmp(want + (32 - vl), v, (size_t)vl) == 0;
        for (long z = 0; same && z < 32 - vl; z++) {
            same = want[z] == 0;
        }
        if (!same) {
            rc = kc_error_set(err, KC_EINVAL,
                              "client.conf.string: %s does not match the public key of token",
                              i == 0 ? "token_x" : "token_y");
            goto out;
        }
    }
    if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub_oct, pub_len) != 1 ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
        (pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
        EVP_PKEY_fromdata_init(pctx) != 1 ||
        EVP_PKEY_fromdata(pctx, &t->key, EVP_PKEY_KEYPAIR, params) != 1) {
        rc = kc_error_set(err, KC_EINVAL, "token: cannot load the key: %s",
                          ssl_reason(why, sizeof(why)));
        goto out;
    }
    rc = KC_OK;
out:
    EVP_PKEY_CTX_free(pctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EC_POINT_free(pub);
    BN_clear_free(priv);
    EC_GROUP_free(g);
    return rc;
}

static int make_ctx(struct questdb_tcp *t, const struct questdb_client_conf *c,
                    struct kc_error *err)
{
    char why[256];
    if ((t->ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
        return kc_error_set(err, KC_ENOMEM, "TLS: %s", ssl_reason(why, sizeof(why)));
    }
    SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
    if (!c->tls_verify) {
        SSL_CTX_set_verify(t->ctx, SSL_VERIFY_NONE, NULL);
        return KC_OK;
    }
    SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
    int ok = c->tls_roots != NULL ? SSL_CTX_load_verify_locations(t->ctx, c->tls_roots, NULL)
                                  : SSL_CTX_set_default_verify_paths(t->ctx);
    if (ok != 1) {
        return kc_error_set(err, KC_EINVAL, "client.conf.string: tls_roots: cannot read '%s': %s",
                            c->tls_roots != NULL ? c->tls_roots : "(system roots)",
                            ssl_reason(why, sizeof(why)));
    }
    return KC_OK;
}

int questdb_tcp_new(const struct questdb_client_conf *c, struct questdb_tcp **out,
                    struct kc_error *err)
{
    *out = NULL;
    struct questdb_tcp *t = kc_calloc(1, sizeof(*t));
    if (t == NULL || (t->host = kc_strdup(c->host)) == NULL) {
        kc_free(t);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    snprintf(t->port, sizeof(t->port), "%d", c->port);
    t->fd = -1;
    t->timeout_ms = (int)c->request_timeout;
    int rc = KC_OK;
    if (c->tls) {
        rc = make_ctx(t, c, err);
    }
    if (rc == KC_OK && c->token != NULL) {
        if (c->username == NULL || c->username[0] == '\0') {
            rc = kc_error_set(err, KC_EINVAL,
                              "ILP/TCP authentication needs the key id: username (with token)");
        } else if (strchr(c->username, '\n') != NULL) {
            rc = kc_error_set(err, KC_EINVAL, "username: the key id has a line break");
        } else if ((t->key_id = kc_strdup(c->username)) == NULL) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        } else {
            rc = load_key(t, c, err);
        }
    }
    if (rc != KC_OK) {
        questdb_tcp_free(t);
        return rc;
    }
    *out = t;
    return KC_OK;
}

static void disconnect(struct questdb_tcp *t)
{
    if (t->ssl != NULL) {
        SSL_free(t->ssl);
        t->ssl = NULL;
    }
    if (t->fd >= 0) {
        close(t->fd);
        t->fd = -1;
    }
}

void questdb_tcp_free(struct questdb_tcp *t)
{
    if (t == NULL) {
        return;
    }
    disconnect(t);
    SSL_CTX_free(t->ctx);
    EVP_PKEY_free(t->key);
    kc_free(t->key_id);
    kc_free(t->host);
    kc_free(t);
}

static int drop(struct questdb_tcp *t, struct kc_error *err, int e, const char *what)
{
    disconnect(t);
    return kc_error_set_errno(err, KC_RETRY, e, "ILP/TCP %s %s:%s", what, t->host, t->port);
}

/* Write all of buf (TLS or plain). 0, or -1 with errno set. */
static int write_all(struct questdb_tcp *t, const char *buf, size_t len)
{
    size_t off = 0;
    while (off < len) {
        if (t->ssl != NULL) {
            size_t w = 0;
            if (SSL_write_ex(t->ssl, buf + off, len - off, &w) != 1) {
                ERR_clear_error();
                errno = errno != 0 ? errno : ECONNRESET;
                return -1;
            }
            off += w;
            continue;
        }
        ssize_t w = send(t->fd, buf + off, len - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            if (w == 0) {
                errno = ECONNRESET;
            }
            return -1;
        }
        off += (size_t)w;
    }
    return 0;
}

/* Read one line (up to "\n", not included) into buf. Length, or -1. */
static long read_line(struct questdb_tcp *t, char *buf, size_t cap)
{
    size_t n = 0;
    for (;;) {
        char ch;
        if (t->ssl != NULL) {
            size_t r = 0;
            if (SSL_read_ex(t->ssl, &ch, 1, &r) != 1) {
                ERR_clear_error();
                return -1;
            }
        } else {
            ssize_t r = recv(t->fd, &ch, 1, 0);
            if (r < 0 && errno == EINTR) {
                continue;
            }
            if (r <= 0) {
                return -1;
            }
        }
        if (ch == '\n') {
            return (long)n;
        }
        if (n + 1 >= cap) {
            return -1;
        }
        buf[n++] = ch;
    }
}

static int peer_closed(struct questdb_tcp *t);

/*
 * QuestDB answers a good signature with silence and a bad one by closing the connection, after
 * it checked it. Rows written before that would count as sent and be lost, so the first use of
 * a connection waits up to QUESTDB_AUTH_WAIT_MS for the close.
 */
#define QUESTDB_AUTH_WAIT_MS 1000

static int auth_refused(struct questdb_tcp *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t deadline = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 + QUESTDB_AUTH_WAIT_MS;
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t left = deadline - ((int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000);
        if (left <= 0) {
            return 0;
        }
        struct pollfd p = {.fd = t->fd, .events = POLLIN};
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return 0;
        }
        if (peer_closed(t)) {
            return 1;
        }
        if (t->ssl == NULL) {
            return 0; /* data from a server that never sends any: leave it to the next check */
        }
        /* a TLS post-handshake message was consumed: keep waiting */
    }
}

static int authenticate(struct questdb_tcp *t, struct kc_error *err)
{
    char challenge[QUESTDB_CHALLENGE_MAX];
    struct kc_buf line;
    kc_buf_init(&line, SIZE_MAX);
    if (kc_buf_printf(&line, "%s\n", t->key_id) != KC_OK) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    int w = write_all(t, line.data, line.len);
    kc_buf_fini(&line);
    if (w != 0) {
        return drop(t, err, errno, "cannot send the key id to");
    }
    long n = read_line(t, challenge, sizeof(challenge));
    if (n < 0) {
        disconnect(t);
        return kc_error_set(err, KC_RETRY,
                            "ILP/TCP %s:%s sent no authentication challenge (is authentication "
                            "enabled on the server?)",
                            t->host, t->port);
    }
    char why[256];
    unsigned char sig[128];
    size_t sig_len = sizeof(sig);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md != NULL && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, t->key) == 1 &&
             EVP_DigestSign(md, sig, &sig_len, (const unsigned char *)challenge, (size_t)n) == 1;
    EVP_MD_CTX_free(md);
    if (!ok) {
        disconnect(t);
        return kc_error_set(err, KC_EFATAL, "ILP/TCP authentication: cannot sign: %s",
                            ssl_reason(why, sizeof(why)));
    }
    char b64[4 * (sizeof(sig) / 3 + 1) + 2];
    int bl = EVP_EncodeBlock((unsigned char *)b64, sig, (int)sig_len);
    b64[bl] = '\n';
    if (write_all(t, b64, (size_t)bl + 1) != 0) {
        return drop(t, err, errno, "cannot send the signed challenge to");
    }
    if (auth_refused(t)) {
        disconnect(t);
        return kc_error_set(err, KC_RETRY,
                            "ILP/TCP authentication refused by %s:%s for key id '%s' (the server "
                            "closed the connection: check username and token)",
                            t->host, t->port, t->key_id);
    }
    return KC_OK;
}

static int start_tls(struct questdb_tcp *t, struct kc_error *err)
{
    char why[256];
    if ((t->ssl = SSL_new(t->ctx)) == NULL || SSL_set_fd(t->ssl, t->fd) != 1 ||
        SSL_set_tlsext_host_name(t->ssl, t->host) != 1 || SSL_set1_host(t->ssl, t->host) != 1) {
        disconnect(t);
        return kc_error_set(err, KC_ENOMEM, "TLS: %s", ssl_reason(why, sizeof(why)));
    }
    if (SSL_connect(t->ssl) != 1) {
        long v = SSL_get_verify_result(t->ssl);
        if (v != X509_V_OK) {
            snprintf(why, sizeof(why), "certificate verification failed: %s",
                     X509_verify_cert_error_string(v));
            ERR_clear_error();
        } else {
            ssl_reason(why, sizeof(why));
        }
        disconnect(t);
        return kc_error_set(err, KC_RETRY, "ILP/TCP TLS handshake with %s:%s failed: %s",
                            t->host, t->port, why);
    }
    return KC_OK;
}

static int connect_now(struct questdb_tcp *t, struct kc_error *err)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_socktype = SOCK_STREAM;
    int g = getaddrinfo(t->host, t->port, &hints, &res);
    if (g != 0) {
        return kc_error_set(err, KC_RETRY, "ILP/TCP cannot resolve %s: %s", t->host,
                            gai_strerror(g));
    }
    int e = 0;
    for (struct addrinfo *a = res; a != NULL; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            e = errno;
            continue;
        }
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
            struct timeval tv = {.tv_sec = t->timeout_ms / 1000,
                                 .tv_usec = (t->timeout_ms % 1000) * 1000};
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)); /* handshake, challenge */
            t->fd = fd;
            t->connects++;
            break;
        }
        e = errno;
        close(fd);
    }
    freeaddrinfo(res);
    if (t->fd < 0) {
        return drop(t, err, e, "cannot connect to");
    }
    int rc = KC_OK;
    if (t->ctx != NULL) {
        rc = start_tls(t, err);
    }
    if (rc == KC_OK && t->key != NULL) {
        rc = authenticate(t, err);
    }
    return rc;
}

/*
 * 1 when the server closed (or reset) the connection: QuestDB's way of refusing a line or a
 * signature. It never sends application data, so over TLS anything readable is either a
 * post-handshake message (a TLS 1.3 session ticket: consumed, still open) or the end.
 */
static int peer_closed(struct questdb_tcp *t)
{
    struct pollfd p = {.fd = t->fd, .events = POLLIN};
    if (poll(&p, 1, 0) <= 0) {
        return 0;
    }
    if ((p.revents & (POLLERR | POLLHUP)) != 0) {
        return 1;
    }
    if (t->ssl == NULL) {
        char c;
        ssize_t r = recv(t->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
        return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
    }
    int flags = fcntl(t->fd, F_GETFL);
    if (flags < 0 || fcntl(t->fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        return 1;
    }
    char c;
    int r = SSL_peek(t->ssl, &c, 1);
    int e = r > 0 ? SSL_ERROR_NONE : SSL_get_error(t->ssl, r);
    ERR_clear_error();
    fcntl(t->fd, F_SETFL, flags);
    return !(e == SSL_ERROR_NONE || e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE);
}

int questdb_tcp_send(struct questdb_tcp *t, const char *body, size_t len, struct kc_error *err)
{
    if (t->fd >= 0 && peer_closed(t)) {
        /* Closed since the last batch: that batch may not have been read whole. */
        return drop(t, err, ECONNRESET, "connection closed by");
    }
    if (t->fd < 0) {
        int rc = connect_now(t, err);
        if (rc != KC_OK) {
            return rc;
        }
    }
    if (write_all(t, body, len) != 0) {
        return drop(t, err, errno, "write failed to");
    }
    if (peer_closed(t)) {
        return drop(t, err, ECONNRESET, "connection closed by");
    }
    return KC_OK;
}

int questdb_tcp_open(struct questdb_tcp *t)
{
    return t->fd >= 0 && !peer_closed(t);
}

int questdb_tcp_drained(const struct questdb_tcp *t)
{
    int n = 0;
    return t->fd >= 0 && ioctl(t->fd, SIOCOUTQ, &n) == 0 && n == 0;
}

long questdb_tcp_connects(const struct questdb_tcp *t)
{
    return t->connects;
}
