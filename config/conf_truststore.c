/*
 * Java truststores to PEM. JKS is small enough to read by hand (a header, a list of entries, a
 * SHA-1 digest); PKCS12 (keytool's default store type since Java 9, also under a .jks name) is
 * read with OpenSSL, which librdkafka links already.
 */
#include "conf_truststore.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "kc_alloc.h"
#include "kc_buf.h"

#define JKS_MAGIC 0xFEEDFEEDu
#define JCEKS_MAGIC 0xCECECECEu
#define JKS_TAG_KEY 1u
#define JKS_TAG_CERT 2u
#define TRUSTSTORE_MAX_BYTES ((size_t)64 << 20) /* far above any real truststore */

struct jks_reader {
    const uint8_t *p;
    size_t n;
    size_t off;
};

static int rd_u32(struct jks_reader *r, uint32_t *v)
{
    if (r->n - r->off < 4) {
        return -1;
    }
    const uint8_t *b = r->p + r->off;
    *v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    r->off += 4;
    return 0;
}

static int rd_skip(struct jks_reader *r, size_t n)
{
    if (r->n - r->off < n) {
        return -1;
    }
    r->off += n;
    return 0;
}

/* Java's DataOutput.writeUTF: a 2-byte length, then the bytes */
static int rd_utf(struct jks_reader *r, const uint8_t **s, size_t *len)
{
    if (r->n - r->off < 2) {
        return -1;
    }
    size_t n = (size_t)r->p[r->off] << 8 | r->p[r->off + 1];
    r->off += 2;
    *s = r->p + r->off;
    *len = n;
    return rd_skip(r, n);
}

static int read_file(const char *path, uint8_t **data, size_t *len, struct kc_error *err)
{
    FILE *f = fopen(path, "rb");
    struct kc_buf b;
    uint8_t chunk[16384];
    size_t n;
    int rc = KC_OK;

    if (f == NULL) {
        return kc_error_set_errno(err, KC_EINVAL, errno, "cannot open truststore %s", path);
    }
    kc_buf_init(&b, TRUSTSTORE_MAX_BYTES);
    while (rc == KC_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        rc = kc_buf_append(&b, chunk, n);
    }
    if (rc == KC_OK && ferror(f)) {
        rc = kc_error_set(err, KC_EINVAL, "cannot read truststore %s", path);
    } else if (rc != KC_OK) {
        rc = kc_error_set(err, KC_EINVAL, "truststore %s is larger than %zu MiB", path,
                          TRUSTSTORE_MAX_BYTES >> 20);
    }
    fclose(f);
    if (rc == KC_OK && b.len == 0) {
        rc = kc_error_set(err, KC_EINVAL, "truststore %s is empty", path);
    }
    if (rc != KC_OK) {
        kc_buf_fini(&b);
        return rc;
    }
    *data = (uint8_t *)kc_buf_take(&b, len);
    if (*data == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory reading truststore %s", path);
    }
    return KC_OK;
}

/* The password as Java hands it to the JKS digest: UTF-16 code units, big-endian. */
static int password_utf16be(const char *pw, struct kc_buf *out)
{
    const uint8_t *s = (const uint8_t *)pw;
    int rc = KC_OK;

    while (*s != '\0' && rc == KC_OK) {
        uint32_t cp;
        int extra;
        if (*s < 0x80) {
            cp = *s;
            extra = 0;
        } else if ((*s & 0xE0) == 0xC0) {
            cp = *s & 0x1F;
            extra = 1;
        } else if ((*s & 0xF0) == 0xE0) {
            cp = *s & 0x0F;
            extra = 2;
        } else {
            cp = *s & 0x07;
            extra = 3;
        }
        s++;
        for (int i = 0; i < extra && (*s & 0xC0) == 0x80; i++, s++) {
            cp = cp << 6 | (*s & 0x3F);
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            uint32_t hi = 0xD800 + (cp >> 10), lo = 0xDC00 + (cp & 0x3FF);
            uint8_t u[4] = {(uint8_t)(hi >> 8), (uint8_t)hi, (uint8_t)(lo >> 8), (uint8_t)lo};
            rc = kc_buf_append(out, u, 4);
        } else {
            uint8_t u[2] = {(uint8_t)(cp >> 8), (uint8_t)cp};
            rc = kc_buf_append(out, u, 2);
        }
    }
    return rc;
}

/* JKS: SHA-1(password UTF-16BE || "Mighty Aphrodite" || store) must equal the trailing digest. */
static int jks_digest_ok(const uint8_t *data, size_t body, const char *pw, int *ok)
{
    static const char whitener[] = "Mighty Aphrodite";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    struct kc_buf pwb;
    int rc;

    kc_buf_init(&pwb, 1 << 20);
    rc = password_utf16be(pw, &pwb);
    EVP_MD_CTX *ctx = rc == KC_OK ? EVP_MD_CTX_new() : NULL;
    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1 ||
        EVP_DigestUpdate(ctx, pwb.data != NULL ? pwb.data : "", pwb.len) != 1 ||
        EVP_DigestUpdate(ctx, whitener, sizeof(whitener) - 1) != 1 ||
        EVP_DigestUpdate(ctx, data, body) != 1 || EVP_DigestFinal_ex(ctx, md, &mdlen) != 1) {
        rc = KC_ENOMEM;
    }
    EVP_MD_CTX_free(ctx);
    kc_buf_fini(&pwb);
    *ok = rc == KC_OK && mdlen == 20 && memcmp(md, data + body, 20) == 0;
    return rc;
}

static int append_der_as_pem(struct kc_buf *out, const uint8_t *der, size_t len)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    BIO *bio = x != NULL ? BIO_new(BIO_s_mem()) : NULL;
    char *mem;
    long n;
    int rc = -1;

    if (bio != NULL && PEM_write_bio_X509(bio, x) == 1 && (n = BIO_get_mem_data(bio, &mem)) > 0) {
        rc = kc_buf_append(out, mem, (size_t)n) == KC_OK ? 0 : -2;
    }
    BIO_free(bio);
    X509_free(x);
    return rc;
}

/* Read a JKS store's header and, with a password, check its integrity digest (as the JVM
 * does); leave r at the first entry. kind ("truststore" / "keystore") names it in messages. */
static int jks_open(const char *path, const char *kind, const uint8_t *data, size_t len,
                    const char *pw, struct jks_reader *r, uint32_t *version, uint32_t *count,
                    struct kc_error *err)
{
    uint32_t magic;
    *r = (struct jks_reader){data, len - 20, 0};
    if (rd_u32(r, &magic) || rd_u32(r, version) || rd_u32(r, count) ||
        (*version != 1 && *version != 2)) {
        return kc_error_set(err, KC_EINVAL, "%s %s: not a JKS store (version)", kind, path);
    }
    if (pw != NULL) {
        int ok = 0;
        if (jks_digest_ok(data, len - 20, pw, &ok) != KC_OK) {
            return kc_error_set(err, KC_ENOMEM, "out of memory checking %s %s", kind, path);
        }
        if (!ok) {
            return kc_error_set(err, KC_EINVAL,
                                "%s %s: integrity check failed (wrong ssl.%s.password, or the "
                                "file is damaged)",
                                kind, path, kind);
        }
    }
    return KC_OK;
}

static int jks_to_pem(const char *path, const uint8_t *data, size_t len, const char *pw,
                      struct kc_buf *out, struct kc_error *err)
{
    struct jks_reader r;
    uint32_t version, count;
    int opened = jks_open(path, "truststore", data, len, pw, &r, &version, &count, err);
    if (opened != KC_OK) {
        return opened;
    }
    for (uint32_t i = 0; i < count; i++) {
        uint32_t tag, clen, nchain;
        const uint8_t *s;
        size_t slen;
        if (rd_u32(&r, &tag) || rd_utf(&r, &s, &slen) || rd_skip(&r, 8)) {
            goto truncated;
        }
        if (tag == JKS_TAG_KEY) {
            /* the JVM's TrustManager trusts the first certificate of a key entry's chain too
             * (sun.security.validator.TrustStoreUtil); the key itself stays unread */
            if (rd_u32(&r, &clen) || rd_skip(&r, clen) || rd_u32(&r, &nchain)) {
                goto truncated;
            }
            for (uint32_t c = 0; c < nchain; c++) {
                if ((version == 2 && rd_utf(&r, &s, &slen)) || rd_u32(&r, &clen) ||
                    r.n - r.off < clen) {
                    goto truncated;
                }
                int typed_x509 = version != 2 || (slen == 5 && memcmp(s, "X.509", 5) == 0);
                int rc = c == 0 && typed_x509 ? append_der_as_pem(out, r.p + r.off, clen) : 0;
                if (rc == -2) {
                    return kc_error_set(err, KC_ENOMEM, "out of memory reading truststore %s",
                                        path);
                }
                if (rc != 0) {
                    return kc_error_set(err, KC_EINVAL,
                                        "truststore %s: entry %u is not an X.509 certificate",
                                        path, (unsigned)i);
                }
                r.off += clen;
            }
            continue;
        }
        if (tag != JKS_TAG_CERT) {
            return kc_error_set(err, KC_EINVAL, "truststore %s: unknown JKS entry type %u", path,
                                (unsigned)tag);
        }
        if (version == 2 && rd_utf(&r, &s, &slen)) {
            goto truncated;
        }
        if (version == 2 && (slen != 5 || memcmp(s, "X.509", 5) != 0)) {
            continue; /* not a certificate type TLS can use */
        }
        if (rd_u32(&r, &clen) || r.n - r.off < clen) {
            goto truncated;
        }
        int rc = append_der_as_pem(out, r.p + r.off, clen);
        if (rc == -2) {
            return kc_error_set(err, KC_ENOMEM, "out of memory reading truststore %s", path);
        }
        if (rc != 0) {
            return kc_error_set(err, KC_EINVAL, "truststore %s: entry %u is not an X.509 "
                                "certificate", path, (unsigned)i);
        }
        r.off += clen;
    }
    return KC_OK;
truncated:
    return kc_error_set(err, KC_EINVAL, "truststore %s: truncated JKS store", path);
}

static int pkcs12_to_pem(const char *path, const uint8_t *data, size_t len, const char *pw,
                         struct kc_buf *out, struct kc_error *err)
{
    const unsigned char *p = data;
    PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)len);
    EVP_PKEY *pkey = NULL;
    X509 *cert = NULL;
    STACK_OF(X509) *ca = NULL;
    int rc = KC_OK;

    if (p12 == NULL) {
        return kc_error_set(err, KC_EINVAL,
                            "truststore %s: neither a JKS nor a PKCS12 store (nor PEM)", path);
    }
    if (PKCS12_parse(p12, pw != NULL ? pw : "", &pkey, &cert, &ca) != 1) {
        PKCS12_free(p12);
        return kc_error_set(err, KC_EINVAL,
                            "truststore %s: cannot open the PKCS12 store (wrong "
                            "ssl.truststore.password?)",
                            path);
    }
    /* Java's trusted certificate entries come back in ca; the certificate of a key entry (cert)
     * is trusted by the JVM's TrustManager too */
    if (cert != NULL) {
        BIO *bio = BIO_new(BIO_s_mem());
        char *mem;
        long n;
        if (bio == NULL || PEM_write_bio_X509(bio, cert) != 1 ||
            (n = BIO_get_mem_data(bio, &mem)) <= 0 || kc_buf_append(out, mem, (size_t)n) != KC_OK) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory reading truststore %s", path);
        }
        BIO_free(bio);
    }
    for (int i = 0; rc == KC_OK && ca != NULL && i < sk_X509_num(ca); i++) {
        BIO *bio = BIO_new(BIO_s_mem());
        char *mem;
        long n;
        if (bio == NULL || PEM_write_bio_X509(bio, sk_X509_value(ca, i)) != 1 ||
            (n = BIO_get_mem_data(bio, &mem)) <= 0 || kc_buf_append(out, mem, (size_t)n) != KC_OK) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory reading truststore %s", path);
        }
        BIO_free(bio);
    }
    EVP_PKEY_free(pkey);
    X509_free(cert);
    sk_X509_pop_free(ca, X509_free);
    PKCS12_free(p12);
    return rc;
}

int conf_truststore_pem_from_bytes(const uint8_t *data, size_t len, const char *path,
                                   const char *password, char **pem_out, struct kc_error *err)
{
    struct kc_buf out;
    int rc;

    *pem_out = NULL;
    kc_buf_init(&out, TRUSTSTORE_MAX_BYTES * 2);
    uint32_t magic = len >= 4 ? (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
                                    (uint32_t)data[2] << 8 | data[3]
                              : 0;
    if (magic == JCEKS_MAGIC) {
        rc = kc_error_set(err, KC_EINVAL,
                          "truststore %s: JCEKS stores are not supported; use JKS, PKCS12 or "
                          "PEM",
                          path);
    } else if (magic == JKS_MAGIC) {
        rc = len >= 32 ? jks_to_pem(path, data, len, password, &out, err)
                       : kc_error_set(err, KC_EINVAL, "truststore %s: truncated JKS store", path);
    } else if (len > LONG_MAX) {
        rc = kc_error_set(err, KC_EINVAL, "truststore %s is too large", path);
    } else {
        rc = pkcs12_to_pem(path, data, len, password, &out, err);
    }
    if (rc == KC_OK && out.len == 0) {
        rc = kc_error_set(err, KC_EINVAL, "truststore %s holds no trusted certificate", path);
    }
    if (rc == KC_OK && (*pem_out = kc_buf_take(&out, NULL)) == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory reading truststore %s", path);
    }
    kc_buf_fini(&out);
    return rc;
}

int conf_truststore_to_pem(const char *path, const char *password, char **pem_out,
                           struct kc_error *err)
{
    uint8_t *data = NULL;
    size_t len = 0;
    int rc;

    *pem_out = NULL;
    if ((rc = read_file(path, &data, &len, err)) != KC_OK) {
        return rc;
    }
    rc = conf_truststore_pem_from_bytes(data, len, path, password, pem_out, err);
    kc_free(data);
    return rc;
}

/* ---- keystores: the private key and its certificate chain, for a TLS server ---- */

#define JKS_KEY_PROTECTOR_OID "1.3.6.1.4.1.42.2.17.1.1"

static int key_to_pem(EVP_PKEY *pkey, struct kc_buf *out)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *mem;
    long n;
    int rc = -1;
    if (bio != NULL && PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) == 1 &&
        (n = BIO_get_mem_data(bio, &mem)) > 0) {
        rc = kc_buf_append(out, mem, (size_t)n) == KC_OK ? 0 : -2;
    }
    BIO_free(bio);
    return rc;
}

/*
 * sun.security.provider.KeyProtector.recover: the protected key is an EncryptedPrivateKeyInfo
 * whose data is salt(20) || key XOR keystream || SHA-1(password || key), the keystream being
 * SHA-1 rounds over (password UTF-16BE || previous digest), the first seeded with the salt.
 */
static int jks_recover_key(const uint8_t *der, size_t len, const char *pw, EVP_PKEY **out)
{
    const unsigned char *p = der;
    X509_SIG *sig = d2i_X509_SIG(NULL, &p, (long)len);
    const X509_ALGOR *alg = NULL;
    const ASN1_OCTET_STRING *data = NULL;
    struct kc_buf pwb;
    uint8_t *plain = NULL;
    int rc = -1;
    char oid[64];

    *out = NULL;
    kc_buf_init(&pwb, 1 << 20);
    if (sig == NULL) {
        goto done;
    }
    X509_SIG_get0(sig, &alg, &data);
    const ASN1_OBJECT *obj = NULL;
    X509_ALGOR_get0(&obj, NULL, NULL, alg);
    if (obj == NULL || OBJ_obj2txt(oid, sizeof(oid), obj, 1) <= 0 ||
        strcmp(oid, JKS_KEY_PROTECTOR_OID) != 0) {
        goto done;
    }
    const uint8_t *d = ASN1_STRING_get0_data(data);
    size_t dlen = (size_t)ASN1_STRING_length(data);
    if (dlen <= 40 || password_utf16be(pw, &pwb) != KC_OK) {
        goto done;
    }
    size_t klen = dlen - 40;
    plain = kc_malloc(klen);
    if (plain == NULL) {
        goto done;
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 20;
    memcpy(md, d, 20); /* the salt seeds the first round */
    for (size_t off = 0; off < klen; off += 20) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1 ||
            EVP_DigestUpdate(ctx, pwb.data != NULL ? pwb.data : "", pwb.len) != 1 ||
            EVP_DigestUpdate(ctx, md, 20) != 1 || EVP_DigestFinal_ex(ctx, md, &mdlen) != 1) {
            EVP_MD_CTX_free(ctx);
            goto done;
        }
        EVP_MD_CTX_free(ctx);
        for (size_t i = 0; i < 20 && off + i < klen; i++) {
            plain[off + i] = d[20 + off + i] ^ md[i];
        }
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1 ||
        EVP_DigestUpdate(ctx, pwb.data != NULL ? pwb.data : "", pwb.len) != 1 ||
        EVP_DigestUpdate(ctx, plain, klen) != 1 || EVP_DigestFinal_ex(ctx, md, &mdlen) != 1) {
        EVP_MD_CTX_free(ctx);
        goto done;
    }
    EVP_MD_CTX_free(ctx);
    if (memcmp(md, d + 20 + klen, 20) != 0) {
        rc = -3; /* wrong key password */
        goto done;
    }
    const unsigned char *pp = plain;
    *out = d2i_AutoPrivateKey(NULL, &pp, (long)klen);
    rc = *out != NULL ? 0 : -1;
done:
    if (plain != NULL) {
        OPENSSL_cleanse(plain, klen);
        kc_free(plain);
    }
    if (pwb.data != NULL) {
        OPENSSL_cleanse(pwb.data, pwb.len);
    }
    kc_buf_fini(&pwb);
    X509_SIG_free(sig);
    return rc;
}

static int jks_keystore(const char *path, const uint8_t *data, size_t len, const char *store_pw,
                        const char *key_pw, struct kc_buf *key, struct kc_buf *chain,
                        struct kc_error *err)
{
    struct jks_reader r;
    uint32_t version, count;
    int opened = jks_open(path, "keystore", data, len, store_pw, &r, &version, &count, err);
    if (opened != KC_OK) {
        return opened;
    }
    for (uint32_t i = 0; i < count; i++) {
        uint32_t tag, clen, nchain;
        const uint8_t *s;
        size_t slen;
        if (rd_u32(&r, &tag) || rd_utf(&r, &s, &slen) || rd_skip(&r, 8)) {
            goto truncated;
        }
        if (tag == JKS_TAG_CERT) {
            if ((version == 2 && rd_utf(&r, &s, &slen)) || rd_u32(&r, &clen) ||
                rd_skip(&r, clen)) {
                goto truncated;
            }
            continue;
        }
        if (tag != JKS_TAG_KEY) {
            return kc_error_set(err, KC_EINVAL, "keystore %s: unknown JKS entry type %u", path,
                                (unsigned)tag);
        }
        if (rd_u32(&r, &clen) || r.n - r.off < clen) {
            goto truncated;
        }
        EVP_PKEY *pkey = NULL;
        int krc = jks_recover_key(r.p + r.off, clen, key_pw != NULL ? key_pw : "", &pkey);
        r.off += clen;
        if (krc != 0) {
            return kc_error_set(err, KC_EINVAL,
                                krc == -3 ? "keystore %s: cannot recover the private key (wrong "
                                            "ssl.key.password?)"
                                          : "keystore %s: unreadable private key entry",
                                path);
        }
        krc = key_to_pem(pkey, key);
        EVP_PKEY_free(pkey);
        if (krc != 0) {
            return kc_error_set(err, KC_ENOMEM, "out of memory reading keystore %s", path);
        }
        if (rd_u32(&r, &nchain)) {
            goto truncated;
        }
        for (uint32_t c = 0; c < nchain; c++) {
            if ((version == 2 && rd_utf(&r, &s, &slen)) || rd_u32(&r, &clen) ||
                r.n - r.off < clen) {
                goto truncated;
            }
            int rc = append_der_as_pem(chain, r.p + r.off, clen);
            if (rc != 0) {
                return kc_error_set(err, rc == -2 ? KC_ENOMEM : KC_EINVAL,
                                    "keystore %s: bad certificate in the key's chain", path);
            }
            r.off += clen;
        }
        if (chain->len == 0) {
            return kc_error_set(err, KC_EINVAL, "keystore %s: the key entry has no certificate",
                                path);
        }
        return KC_OK; /* the first key entry, as the JVM's KeyManager picks one */
    }
    return kc_error_set(err, KC_EINVAL, "keystore %s holds no private key entry", path);
truncated:
    return kc_error_set(err, KC_EINVAL, "keystore %s: truncated JKS store", path);
}

static int pkcs12_keystore(const char *path, const uint8_t *data, size_t len,
                           const char *store_pw, const char *key_pw, struct kc_buf *key,
                           struct kc_buf *chain, struct kc_error *err)
{
    const unsigned char *p = data;
    PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)len);
    EVP_PKEY *pkey = NULL;
    X509 *cert = NULL;
    STACK_OF(X509) *ca = NULL;
    int rc = KC_OK;

    if (p12 == NULL) {
        return kc_error_set(err, KC_EINVAL, "keystore %s: neither a JKS nor a PKCS12 store",
                            path);
    }
    /* keytool protects the key with the store password unless told otherwise */
    if (PKCS12_parse(p12, store_pw != NULL ? store_pw : "", &pkey, &cert, &ca) != 1 &&
        (key_pw == NULL || PKCS12_parse(p12, key_pw, &pkey, &cert, &ca) != 1)) {
        PKCS12_free(p12);
        return kc_error_set(err, KC_EINVAL,
                            "keystore %s: cannot open the PKCS12 store (wrong "
                            "ssl.keystore.password?)",
                            path);
    }
    if (pkey == NULL || cert == NULL) {
        rc = kc_error_set(err, KC_EINVAL, "keystore %s holds no private key entry", path);
    }
    if (rc == KC_OK && key_to_pem(pkey, key) != 0) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory reading keystore %s", path);
    }
    if (rc == KC_OK) {
        unsigned char *der = NULL;
        int n = i2d_X509(cert, &der);
        if (n <= 0 || append_der_as_pem(chain, der, (size_t)n) != 0) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory reading keystore %s", path);
        }
        OPENSSL_free(der);
    }
    for (int i = 0; rc == KC_OK && ca != NULL && i < sk_X509_num(ca); i++) {
        unsigned char *der = NULL;
        int n = i2d_X509(sk_X509_value(ca, i), &der);
        if (n <= 0 || append_der_as_pem(chain, der, (size_t)n) != 0) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory reading keystore %s", path);
        }
        OPENSSL_free(der);
    }
    EVP_PKEY_free(pkey);
    X509_free(cert);
    sk_X509_pop_free(ca, X509_free);
    PKCS12_free(p12);
    return rc;
}

int conf_keystore_to_pem(const char *path, const char *store_password, const char *key_password,
                         char **key_pem, char **chain_pem, struct kc_error *err)
{
    uint8_t *data = NULL;
    size_t len = 0;
    int rc;

    *key_pem = NULL;
    *chain_pem = NULL;
    if ((rc = read_file(path, &data, &len, err)) != KC_OK) {
        return rc;
    }
    rc = conf_keystore_pem_from_bytes(data, len, path, store_password, key_password, key_pem,
                                      chain_pem, err);
    OPENSSL_cleanse(data, len);
    kc_free(data);
    return rc;
}

int conf_keystore_pem_from_bytes(const uint8_t *data, size_t len, const char *path,
                                 const char *store_password, const char *key_password,
                                 char **key_pem, char **chain_pem, struct kc_error *err)
{
    struct kc_buf key, chain;
    int rc;

    *key_pem = NULL;
    *chain_pem = NULL;
    kc_buf_init(&key, TRUSTSTORE_MAX_BYTES);
    kc_buf_init(&chain, TRUSTSTORE_MAX_BYTES * 2);
    uint32_t magic = len >= 4 ? (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
                                    (uint32_t)data[2] << 8 | data[3]
                              : 0;
    /* the JVM recovers a JKS key with ssl.key.password, else the store password */
    const char *kpw = key_password != NULL ? key_password : store_password;
    if (magic == JCEKS_MAGIC) {
        rc = kc_error_set(err, KC_EINVAL,
                          "keystore %s: JCEKS stores are not supported; use JKS, PKCS12 or PEM",
                          path);
    } else if (magic == JKS_MAGIC) {
        rc = len >= 32 ? jks_keystore(path, data, len, store_password, kpw, &key, &chain, err)
                       : kc_error_set(err, KC_EINVAL, "keystore %s: truncated JKS store", path);
    } else if (len > LONG_MAX) {
        rc = kc_error_set(err, KC_EINVAL, "keystore %s is too large", path);
    } else {
        rc = pkcs12_keystore(path, data, len, store_password, key_password, &key, &chain, err);
    }
    if (rc == KC_OK && ((*key_pem = kc_buf_take(&key, NULL)) == NULL ||
                        (*chain_pem = kc_buf_take(&chain, NULL)) == NULL)) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory reading keystore %s", path);
    }
    if (rc != KC_OK && *key_pem != NULL) {
        OPENSSL_cleanse(*key_pem, strlen(*key_pem));
        kc_free(*key_pem);
        kc_free(*chain_pem);
        *key_pem = NULL;
        *chain_pem = NULL;
    }
    if (key.data != NULL) {
        OPENSSL_cleanse(key.data, key.len);
    }
    kc_buf_fini(&key);
    kc_buf_fini(&chain);
    return rc;
}
