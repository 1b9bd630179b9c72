/*
 * worker/group_net.c: a broker connection for the group member, see group_net.h.
 */
#include "group_net.h"

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "conf_worker.h"
#include "group_sasl.h"
#include "kc_alloc.h"
#include "kc_log.h"

#define GROUP_NET_FRAME_MAX (100 * 1024 * 1024)

struct group_net {
    int fd;
    int wake_fd;
    SSL_CTX *ctx;
    SSL *ssl;
    int32_t corr;
    const char *client_id; /* borrowed from the conf */
    struct group_wire_versions vs;
    uint8_t *resp; /* the last response frame */
    size_t resp_len;
};

/* ---- configuration ---- */

static int dup_prop(const struct kc_strmap *m, const char *k, char **out)
{
    const char *v = kc_strmap_get(m, k);
    *out = NULL;
    if (v && *v) {
        *out = kc_strdup(v);
        if (!*out)
            return KC_ENOMEM;
    }
    return KC_OK;
}

int group_net_conf_init(struct group_net_conf *nc, const struct kc_strmap *props,
                        struct kc_error *err)
{
    memset(nc, 0, sizeof(*nc));
    nc->ssl_verify_host = 1;
    nc->request_timeout_ms = 40000;
    struct kc_strmap rk;
    kc_strmap_init(&rk);
    int rc = worker_config_translate_client(props, NULL, &rk, err);
    if (rc != KC_OK) {
        kc_strmap_fini(&rk);
        return rc;
    }
    const char *sp = kc_strmap_get(props, "security.protocol");
    if (!sp || strcasecmp(sp, "PLAINTEXT") == 0)
        nc->security = GROUP_NET_PLAINTEXT;
    else if (strcasecmp(sp, "SSL") == 0)
        nc->security = GROUP_NET_SSL;
    else if (strcasecmp(sp, "SASL_PLAINTEXT") == 0)
        nc->security = GROUP_NET_SASL_PLAINTEXT;
    else if (strcasecmp(sp, "SASL_SSL") == 0)
        nc->security = GROUP_NET_SASL_SSL;
    else
        rc = kc_error_set(err, KC_EINVAL, "security.protocol: unknown value '%s'", sp);
    const char *v = kc_strmap_get(props, "request.timeout.ms");
    if (v && atoi(v) > 0)
        nc->request_timeout_ms = atoi(v);
    v = kc_strmap_get(&rk, "ssl.endpoint.identification.algorithm");
    if (v && (strcmp(v, "none") == 0 || *v == '\0'))
        nc->ssl_verify_host = 0;
    if (rc == KC_OK &&
        (dup_prop(&rk, "client.id", &nc->client_id) != KC_OK ||
         dup_prop(&rk, "sasl.mechanisms", &nc->sasl_mechanism) != KC_OK ||
         dup_prop(&rk, "sasl.username", &nc->sasl_username) != KC_OK ||
         dup_prop(&rk, "sasl.password", &nc->sasl_password) != KC_OK ||
         dup_prop(&rk, "ssl.ca.pem", &nc->ssl_ca_pem) != KC_OK ||
         dup_prop(&rk, "ssl.ca.location", &nc->ssl_ca_location) != KC_OK ||
         dup_prop(&rk, "ssl.certificate.location", &nc->ssl_cert_location) != KC_OK ||
         dup_prop(&rk, "ssl.key.location", &nc->ssl_key_location) != KC_OK ||
         dup_prop(&rk, "ssl.key.password", &nc->ssl_key_password) != KC_OK ||
         dup_prop(&rk, "ssl.certificate.pem", &nc->ssl_cert_pem) != KC_OK ||
         dup_prop(&rk, "ssl.key.pem", &nc->ssl_key_pem) != KC_OK ||
         dup_prop(&rk, "ssl.keystore.location", &nc->ssl_keystore_location) != KC_OK ||
         dup_prop(&rk, "ssl.keystore.password", &nc->ssl_keystore_password) != KC_OK))
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
    if (rc == KC_OK && !nc->sasl_mechanism) {
        nc->sasl_mechanism = kc_strdup("GSSAPI"); /* Kafka's default */
        if (!nc->sasl_mechanism)
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    if (rc == KC_OK && (nc->security == GROUP_NET_SASL_PLAINTEXT ||
                        nc->security == GROUP_NET_SASL_SSL)) {
        if (!group_sasl_supported(nc->sasl_mechanism))
            rc = kc_error_set(err, KC_EINVAL,
                              "sasl.mechanism %s is not supported by the worker group member "
                              "(PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)",
                              nc->sasl_mechanism);
        else if (!nc->sasl_username || !nc->sasl_password)
            rc = kc_error_set(err, KC_EINVAL,
                              "SASL needs a username and password in sasl.jaas.config");
    }
    kc_strmap_fini(&rk);
    if (rc != KC_OK)
        group_net_conf_fini(nc);
    return rc;
}

void group_net_conf_fini(struct group_net_conf *nc)
{
    kc_free(nc->client_id);
    kc_free(nc->sasl_mechanism);
    kc_free(nc->sasl_username);
    if (nc->sasl_password) {
        memset(nc->sasl_password, 0, strlen(nc->sasl_password));
        kc_free(nc->sasl_password);
    }
    kc_free(nc->ssl_ca_pem);
    kc_free(nc->ssl_ca_location);
    kc_free(nc->ssl_cert_location);
    kc_free(nc->ssl_key_location);
    kc_free(nc->ssl_key_password);
    kc_free(nc->ssl_cert_pem);
    kc_free(nc->ssl_key_pem);
    kc_free(nc->ssl_keystore_location);
    kc_free(nc->ssl_keystore_password);
    memset(nc, 0, sizeof(*nc));
}

int group_net_bootstrap(const char *servers, size_t idx, char **host, int *port)
{
    const char *p = servers ? servers : "";
    for (size_t i = 0;; i++) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            return KC_ENOENT;
        size_t len = strcspn(p, ", ");
        if (i == idx) {
            const char *s = p, *end = p + len;
            const char *scheme = strstr(s, "://");
            if (scheme && scheme < end)
                s = scheme + 3;
            const char *colon = NULL;
            for (const char *q = s; q < end; q++)
                if (*q == ':')
                    colon = q;
            *port = colon ? atoi(colon + 1) : 9092;
            const char *hend = colon ? colon : end;
            if (*s == '[' && hend > s + 1 && hend[-1] == ']') { /* [v6]:port */
                s++;
                hend--;
            }
            *host = kc_strndup(s, (size_t)(hend - s));
            return *host ? KC_OK : KC_ENOMEM;
        }
        p += len;
    }
}

/* ---- socket I/O with deadlines ---- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for fd to be ready for events or the deadline; KC_OK, KC_EIO (timeout), KC_RETRY (woken) */
static int wait_fd(struct group_net *c, short events, int64_t deadline, struct kc_error *err)
{
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return kc_error_set(err, KC_EIO, "timed out waiting for the broker");
        struct pollfd pf[2] = {{.fd = c->fd, .events = events}, {.fd = c->wake_fd, .events = POLLIN}};
        int n = poll(pf, c->wake_fd >= 0 ? 2 : 1, (int)(left > 1000000 ? 1000000 : left));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return kc_error_set_errno(err, KC_EIO, errno, "poll");
        if (c->wake_fd >= 0 && (pf[1].revents & POLLIN))
            return kc_error_set(err, KC_RETRY, "interrupted");
        if (pf[0].revents)
            return KC_OK;
    }
}

static int ssl_wait(struct group_net *c, int ret, int64_t deadline, struct kc_error *err)
{
    int e = SSL_get_error(c->ssl, ret);
    if (e == SSL_ERROR_WANT_READ)
        return wait_fd(c, POLLIN, deadline, err);
    if (e == SSL_ERROR_WANT_WRITE)
        return wait_fd(c, POLLOUT, deadline, err);
    unsigned long le = ERR_get_error();
    char buf[256];
    ERR_error_string_n(le, buf, sizeof(buf));
    return kc_error_set(err, KC_EIO, "TLS: %s", le ? buf : "connection closed");
}

static int send_all(struct group_net *c, const uint8_t *p, size_t n, int64_t deadline,
                    struct kc_error *err)
{
    while (n > 0) {
        ssize_t k;
        if (c->ssl) {
            int r = SSL_write(c->ssl, p, (int)(n > INT32_MAX ? INT32_MAX : n));
            if (r <= 0) {
                int rc = ssl_wait(c, r, deadline, err);
                if (rc != KC_OK)
                    return rc;
                continue;
            }
            k = r;
        } else {
            k = send(c->fd, p, n, MSG_NOSIGNAL);
            if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
                int rc = wait_fd(c, POLLOUT, deadline, err);
                if (rc != KC_OK)
                    return rc;
                continue;
            }
            if (k < 0)
                return kc_error_set_errno(err, KC_EIO, errno, "send to broker");
        }
        p += k;
        n -= (size_t)k;
    }
    return KC_OK;
}

static int recv_all(struct group_net *c, uint8_t *p, size_t n, int64_t deadline,
                    struct kc_error *err)
{
    while (n > 0) {
        ssize_t k;
        if (c->ssl) {
            int r = SSL_read(c->ssl, p, (int)(n > INT32_MAX ? INT32_MAX : n));
            if (r <= 0) {
                int rc = ssl_wait(c, r, deadline, err);
                if (rc != KC_OK)
                    return rc;
                continue;
            }
            k = r;
        } else {
            k = recv(c->fd, p, n, 0);
            if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
                int rc = wait_fd(c, POLLIN, deadline, err);
                if (rc != KC_OK)
                    return rc;
                continue;
            }
            if (k == 0)
                return kc_error_set(err, KC_EIO, "broker closed the connection");
            if (k < 0)
                return kc_error_set_errno(err, KC_EIO, errno, "receive from broker");
        }
        p += k;
        n -= (size_t)k;
    }
    return KC_OK;
}

/* ---- requests ---- */

int16_t group_net_version(const struct group_net *c, int api)
{
    return api >= 0 && api < GROUP_API_MAX ? c->vs.v[api] : -1;
}

int16_t group_net_begin(struct group_net *c, struct group_codec_w *w, int api)
{
    int16_t v = group_net_version(c, api);
    if (v >= 0)
        group_wire_begin(w, api, v, ++c->corr, c->client_id);
    return v;
}

int group_net_call(struct group_net *c, struct group_codec_w *w, int api, int16_t version,
                   int timeout_ms, struct group_codec_r *r, struct kc_error *err)
{
    int64_t deadline = now_ms() + timeout_ms;
    group_wire_end(w);
    if (w->rc != KC_OK) {
        group_codec_w_fini(w);
        return kc_error_set(err, KC_ENOMEM, "cannot encode request %d", api);
    }
    int rc = send_all(c, (const uint8_t *)w->b.data, w->b.len, deadline, err);
    group_codec_w_fini(w);
    if (rc != KC_OK)
        return rc;
    uint8_t hdr[4];
    rc = recv_all(c, hdr, 4, deadline, err);
    if (rc != KC_OK)
        return rc;
    uint32_t n = ((uint32_t)hdr[0] << 24) | ((uint32_t)hdr[1] << 16) | ((uint32_t)hdr[2] << 8) | hdr[3];
    if (n < 4 || n > GROUP_NET_FRAME_MAX)
        return kc_error_set(err, KC_EIO, "broker sent a frame of %u bytes", n);
    kc_free(c->resp);
    c->resp = kc_malloc(n);
    c->resp_len = n;
    if (!c->resp)
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    rc = recv_all(c, c->resp, n, deadline, err);
    if (rc != KC_OK)
        return rc;
    group_codec_r_init(r, c->resp, n);
    int32_t corr = group_wire_response_header(r, api, version);
    if (r->bad || corr != c->corr)
        return kc_error_set(err, KC_EIO, "response to request %d has correlation id %d, not %d",
                            api, corr, c->corr);
    return KC_OK;
}

/* ---- connection set-up ---- */

static int tcp_connect(struct group_net *c, const char *host, int port, int64_t deadline,
                       struct kc_error *err)
{
    char ps[16];
    snprintf(ps, sizeof(ps), "%d", port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC}, *res = NULL;
    int g = getaddrinfo(host, ps, &hints, &res);
    if (g != 0)
        return kc_error_set(err, KC_EIO, "cannot resolve %s: %s", host, gai_strerror(g));
    int rc = kc_error_set(err, KC_EIO, "cannot connect to %s:%d", host, port);
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (c->fd < 0)
            continue;
        fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
        if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            kc_error_clear(err);
            rc = KC_OK;
            break;
        }
        if (errno == EINPROGRESS) {
            rc = wait_fd(c, POLLOUT, deadline, err);
            int soerr = 0;
            socklen_t sl = sizeof(soerr);
            if (rc == KC_OK && getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 &&
                soerr == 0)
                break;
            if (rc == KC_OK)
                rc = kc_error_set_errno(err, KC_EIO, soerr, "cannot connect to %s:%d", host, port);
            if (rc == KC_RETRY)
                break;
        } else {
            rc = kc_error_set_errno(err, KC_EIO, errno, "cannot connect to %s:%d", host, port);
        }
        close(c->fd);
        c->fd = -1;
    }
    freeaddrinfo(res);
    return rc;
}

/* The client certificate from inline PEM or a PKCS12 keystore (PEM files are loaded by the
 * caller). */
static int client_cert(SSL_CTX *ctx, const struct group_net_conf *nc, struct kc_error *err)
{
    X509 *cert = NULL;
    EVP_PKEY *key = NULL;
    STACK_OF(X509) *chain = NULL;
    const char *what = NULL;
    if (nc->ssl_cert_pem && nc->ssl_key_pem) {
        what = "ssl.keystore.certificate.chain / ssl.keystore.key";
        BIO *cb = BIO_new_mem_buf(nc->ssl_cert_pem, -1), *kb = BIO_new_mem_buf(nc->ssl_key_pem, -1);
        if (cb && kb) {
            cert = PEM_read_bio_X509(cb, NULL, NULL, NULL);
            key = PEM_read_bio_PrivateKey(kb, NULL, NULL, nc->ssl_key_password);
        }
        BIO_free(cb);
        BIO_free(kb);
    } else if (nc->ssl_keystore_location) {
        what = nc->ssl_keystore_location;
        FILE *f = fopen(nc->ssl_keystore_location, "rb");
        PKCS12 *p12 = f ? d2i_PKCS12_fp(f, NULL) : NULL;
        if (f)
            fclose(f);
        if (p12)
            PKCS12_parse(p12, nc->ssl_keystore_password ? nc->ssl_keystore_password : "", &key,
                         &cert, &chain);
        PKCS12_free(p12);
    } else {
        return KC_OK;
    }
    int rc = KC_OK;
    if (!cert || !key || SSL_CTX_use_certificate(ctx, cert) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, key) != 1)
        rc = kc_error_set(err, KC_EINVAL, "TLS: cannot load the client certificate and key (%s)",
                          what);
    for (int i = 0; rc == KC_OK && chain && i < sk_X509_num(chain); i++)
        SSL_CTX_add1_chain_cert(ctx, sk_X509_value(chain, i));
    ERR_clear_error();
    X509_free(cert);
    EVP_PKEY_free(key);
    sk_X509_pop_free(chain, X509_free);
    return rc;
}

static int tls_start(struct group_net *c, const struct group_net_conf *nc, const char *host,
                     int64_t deadline, struct kc_error *err)
{
    c->ctx = SSL_CTX_new(TLS_client_method());
    if (!c->ctx)
        return kc_error_set(err, KC_ENOMEM, "TLS: cannot create a context");
    SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
    if (nc->ssl_ca_pem) {
        BIO *bio = BIO_new_mem_buf(nc->ssl_ca_pem, -1);
        X509_STORE *store = SSL_CTX_get_cert_store(c->ctx);
        X509 *x;
        int n = 0;
        while (bio && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
            X509_STORE_add_cert(store, x);
            X509_free(x);
            n++;
        }
        ERR_clear_error();
        BIO_free(bio);
        if (n == 0)
            return kc_error_set(err, KC_EINVAL, "TLS: no certificate in the truststore");
    } else if (nc->ssl_ca_location) {
        if (SSL_CTX_load_verify_locations(c->ctx, nc->ssl_ca_location, NULL) != 1 &&
            SSL_CTX_load_verify_locations(c->ctx, NULL, nc->ssl_ca_location) != 1)
            return kc_error_set(err, KC_EINVAL, "TLS: cannot load %s", nc->ssl_ca_location);
    } else {
        SSL_CTX_set_default_verify_paths(c->ctx);
    }
    int rc = client_cert(c->ctx, nc, err);
    if (rc != KC_OK)
        return rc;
    if (nc->ssl_cert_location && nc->ssl_key_location) {
        if (nc->ssl_key_password)
            SSL_CTX_set_default_passwd_cb_userdata(c->ctx, nc->ssl_key_password);
        if (SSL_CTX_use_certificate_chain_file(c->ctx, nc->ssl_cert_location) != 1 ||
            SSL_CTX_use_PrivateKey_file(c->ctx, nc->ssl_key_location, SSL_FILETYPE_PEM) != 1)
            return kc_error_set(err, KC_EINVAL, "TLS: cannot load the client certificate %s",
                                nc->ssl_cert_location);
    }
    c->ssl = SSL_new(c->ctx);
    if (!c->ssl)
        return kc_error_set(err, KC_ENOMEM, "TLS: cannot create a session");
    SSL_set_fd(c->ssl, c->fd);
    unsigned char addr[16];
    int is_ip = inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
    if (!is_ip)
        SSL_set_tlsext_host_name(c->ssl, host); /* SNI carries names only */
    if (nc->ssl_verify_host) {
        /* ssl.endpoint.identification.algorithm=https: the certificate must name the host (an
         * IP literal is matched against IP SANs, as the JVM does) */
        X509_VERIFY_PARAM *vp = SSL_get0_param(c->ssl);
        X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, host) : X509_VERIFY_PARAM_set1_host(vp, host, 0);
        if (ok != 1)
            return kc_error_set(err, KC_EINVAL, "TLS: bad host name %s", host);
    }
    for (;;) {
        int r = SSL_connect(c->ssl);
        if (r == 1)
            return KC_OK;
        long vr = SSL_get_verify_result(c->ssl);
        if (vr != X509_V_OK)
            return kc_error_set(err, KC_EIO, "TLS handshake with %s: %s", host,
                                X509_verify_cert_error_string(vr));
        rc = ssl_wait(c, r, deadline, err);
        if (rc != KC_OK)
            return rc;
    }
}

static int api_versions(struct group_net *c, int timeout_ms, struct kc_error *err)
{
    struct group_codec_w w;
    struct group_codec_r r;
    group_codec_w_init(&w);
    group_wire_begin(&w, GROUP_API_API_VERSIONS, 3, ++c->corr, c->client_id);
    group_wire_api_versions_body(&w);
    int rc = group_net_call(c, &w, GROUP_API_API_VERSIONS, 3, timeout_ms, &r, err);
    if (rc != KC_OK)
        return rc;
    int e = group_wire_api_versions_decode(&r, &c->vs);
    if (e != 0)
        return kc_error_set(err, KC_EIO, "ApiVersions failed (error %d)", e);
    c->vs.v[GROUP_API_API_VERSIONS] = 3;
    static const int need[] = {GROUP_API_FIND_COORDINATOR, GROUP_API_JOIN_GROUP,
                               GROUP_API_SYNC_GROUP, GROUP_API_HEARTBEAT, GROUP_API_LEAVE_GROUP};
    for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
        if (c->vs.v[need[i]] < 0)
            return kc_error_set(err, KC_EIO, "the broker offers no version of API %d we speak",
                                need[i]);
    return KC_OK;
}

static int sasl_step(struct group_net *c, const uint8_t *out, size_t out_len, uint8_t **in,
                     size_t *in_len, int timeout_ms, struct kc_error *err)
{
    struct group_codec_w w;
    struct group_codec_r r;
    group_codec_w_init(&w);
    int16_t v = group_net_begin(c, &w, GROUP_API_SASL_AUTHENTICATE);
    if (v < 0) {
        group_codec_w_fini(&w);
        return kc_error_set(err, KC_EIO, "the broker offers no SaslAuthenticate version");
    }
    group_wire_sasl_authenticate_body(&w, v, out, out_len);
    int rc = group_net_call(c, &w, GROUP_API_SASL_AUTHENTICATE, v, timeout_ms, &r, err);
    if (rc != KC_OK)
        return rc;
    struct group_wire_sasl_auth_resp resp;
    if (group_wire_sasl_authenticate_decode(&r, v, &resp) != KC_OK)
        return kc_error_set(err, KC_EIO, "malformed SaslAuthenticate response");
    if (resp.error != 0) {
        rc = kc_error_set(err, KC_EPERM, "SASL authentication failed: %s",
                          resp.message ? resp.message : "(no message)");
        kc_free(resp.message);
        kc_free(resp.bytes);
        return rc;
    }
    kc_free(resp.message);
    *in = resp.bytes;
    *in_len = resp.len;
    return KC_OK;
}

static int sasl_auth(struct group_net *c, const struct group_net_conf *nc, int timeout_ms,
                     struct kc_error *err)
{
    struct group_codec_w w;
    struct group_codec_r r;
    group_codec_w_init(&w);
    int16_t v = group_net_begin(c, &w, GROUP_API_SASL_HANDSHAKE);
    if (v < 0) {
        group_codec_w_fini(&w);
        return kc_error_set(err, KC_EIO, "the broker offers no SaslHandshake v1");
    }
    group_wire_sasl_handshake_body(&w, nc->sasl_mechanism);
    int rc = group_net_call(c, &w, GROUP_API_SASL_HANDSHAKE, v, timeout_ms, &r, err);
    if (rc != KC_OK)
        return rc;
    int16_t e;
    if (group_wire_sasl_handshake_decode(&r, &e) != KC_OK || e != 0)
        return kc_error_set(err, KC_EPERM, "SASL mechanism %s refused by the broker (error %d)",
                            nc->sasl_mechanism, e);
    struct group_sasl *s;
    rc = group_sasl_new(nc->sasl_mechanism, nc->sasl_username, nc->sasl_password, &s, err);
    uint8_t *in = NULL;
    size_t in_len = 0;
    while (rc == KC_OK) {
        uint8_t *out = NULL;
        size_t out_len = 0;
        int fin = 0;
        rc = group_sasl_step(s, in, in_len, &out, &out_len, &fin, err);
        kc_free(in);
        in = NULL;
        if (rc != KC_OK || (fin && !out))
            break;
        rc = sasl_step(c, out, out_len, &in, &in_len, timeout_ms, err);
        kc_free(out);
        if (fin)
            break;
    }
    kc_free(in);
    group_sasl_free(s);
    return rc;
}

int group_net_open(const struct group_net_conf *nc, const char *host, int port, int wake_fd,
                   struct group_net **out, struct kc_error *err)
{
    struct group_net *c = kc_calloc(1, sizeof(*c));
    if (!c)
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    c->fd = -1;
    c->wake_fd = wake_fd;
    c->client_id = nc->client_id;
    int64_t deadline = now_ms() + nc->request_timeout_ms;
    int rc = tcp_connect(c, host, port, deadline, err);
    if (rc == KC_OK && (nc->security == GROUP_NET_SSL || nc->security == GROUP_NET_SASL_SSL))
        rc = tls_start(c, nc, host, deadline, err);
    if (rc == KC_OK)
        rc = api_versions(c, nc->request_timeout_ms, err);
    if (rc == KC_OK &&
        (nc->security == GROUP_NET_SASL_PLAINTEXT || nc->security == GROUP_NET_SASL_SSL))
        rc = sasl_auth(c, nc, nc->request_timeout_ms, err);
    if (rc != KC_OK) {
        group_net_close(c);
        return rc;
    }
    *out = c;
    return KC_OK;
}

void group_net_close(struct group_net *c)
{
    if (!c)
        return;
    if (c->ssl) {
        SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
    }
    if (c->ctx)
        SSL_CTX_free(c->ctx);
    if (c->fd >= 0)
        close(c->fd);
    kc_free(c->resp);
    kc_free(c);
}
