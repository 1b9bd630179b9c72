/* conf_client_tls.c: see conf_client_tls.h. */
#include "conf_client_tls.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "conf_truststore.h"
#include "kc_alloc.h"

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

const char *conf_https_ssl_key(const struct kc_strmap *props, const char *name)
{
    static const char prefix[] = "listeners.https.";
    for (size_t i = 0; i < props->n; i++) {
        if (strncmp(props->e[i].key, prefix, sizeof(prefix) - 1) == 0) {
            char *k = kc_asprintf("%s%s", prefix, name);
            const char *v = k != NULL ? kc_strmap_get(props, k) : NULL;
            kc_free(k);
            return v;
        }
    }
    return kc_strmap_get(props, name);
}

char *conf_read_pem_file(const char *path, struct kc_error *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (f == NULL) {
        kc_error_set(err, KC_EINVAL, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (cap - len < 4096) {
            if (cap > ((size_t)64 << 20)) {
                kc_error_set(err, KC_EINVAL, "%s is too large for a PEM store", path);
                break;
            }
            char *nb = kc_realloc(buf, cap + 65536);
            if (nb == NULL) {
                kc_error_set(err, KC_ENOMEM, "out of memory reading %s", path);
                break;
            }
            buf = nb;
            cap += 65536;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0) {
            fclose(f);
            buf[len] = '\0';
            return buf;
        }
    }
    fclose(f);
    wipe_free(buf);
    return NULL;
}

static int load_ca(const struct kc_strmap *p, struct conf_client_tls *out, struct kc_error *err)
{
    const char *certs = conf_https_ssl_key(p, "ssl.truststore.certificates");
    const char *loc = conf_https_ssl_key(p, "ssl.truststore.location");
    const char *type = conf_https_ssl_key(p, "ssl.truststore.type");
    if (!blank(certs)) {
        out->ca_pem = kc_strdup(certs);
        return out->ca_pem != NULL ? KC_OK : kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    if (blank(loc)) {
        return KC_OK;
    }
    if (!blank(type) && strcasecmp(type, "PEM") == 0) {
        out->ca_pem = conf_read_pem_file(loc, err);
        return out->ca_pem != NULL ? KC_OK : err->rc;
    }
    return conf_truststore_to_pem(loc, conf_https_ssl_key(p, "ssl.truststore.password"),
                                  &out->ca_pem, err);
}

static int load_cert(const struct kc_strmap *p, struct conf_client_tls *out,
                     struct kc_error *err)
{
    const char *key = conf_https_ssl_key(p, "ssl.keystore.key");
    const char *chain = conf_https_ssl_key(p, "ssl.keystore.certificate.chain");
    const char *loc = conf_https_ssl_key(p, "ssl.keystore.location");
    const char *type = conf_https_ssl_key(p, "ssl.keystore.type");
    if (!blank(key) && !blank(chain)) {
        out->key_pem = kc_strdup(key);
        out->cert_pem = kc_strdup(chain);
    } else if (blank(loc)) {
        return KC_OK;
    } else if (!blank(type) && strcasecmp(type, "PEM") == 0) {
        /* one file with the key and its chain: curl picks each out of the same text */
        out->key_pem = conf_read_pem_file(loc, err);
        if (out->key_pem == NULL) {
            return err->rc;
        }
        out->cert_pem = kc_strdup(out->key_pem);
    } else {
        return conf_keystore_to_pem(loc, conf_https_ssl_key(p, "ssl.keystore.password"),
                                    conf_https_ssl_key(p, "ssl.key.password"), &out->key_pem,
                                    &out->cert_pem, err);
    }
    if (out->key_pem == NULL || out->cert_pem == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    return KC_OK;
}

int conf_client_tls_load(const struct kc_strmap *props, struct conf_client_tls *out,
                         struct kc_error *err)
{
    memset(out, 0, sizeof(*out));
    const char *alg = conf_https_ssl_key(props, "ssl.endpoint.identification.algorithm");
    out->verify_host = alg == NULL || alg[0] != '\0';
    int rc = load_ca(props, out, err);
    if (rc == KC_OK) {
        rc = load_cert(props, out, err);
    }
    if (rc != KC_OK) {
        conf_client_tls_free(out);
    }
    return rc;
}

void conf_client_tls_free(struct conf_client_tls *c)
{
    kc_free(c->ca_pem);
    kc_free(c->cert_pem);
    wipe_free(c->key_pem);
    c->ca_pem = c->cert_pem = c->key_pem = NULL;
}
