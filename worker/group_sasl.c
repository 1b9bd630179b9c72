/*
 * worker/group_sasl.c: SASL PLAIN and SCRAM-SHA-256/512 client, see group_sasl.h.
 */
#include "group_sasl.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "kc_alloc.h"
#include "kc_buf.h"

struct group_sasl {
    int scram;      /* 0 PLAIN, else SCRAM */
    const EVP_MD *md;
    char *user, *password;
    char *nonce;              /* our nonce (base64) */
    char *client_first_bare;  /* n=user,r=nonce */
    unsigned char server_sig[EVP_MAX_MD_SIZE];
    unsigned int sig_len;
    int state; /* 0 start, 1 sent client-first, 2 sent client-final, 3 done */
};

int group_sasl_supported(const char *m)
{
    return m && (strcasecmp(m, "PLAIN") == 0 || strcasecmp(m, "SCRAM-SHA-256") == 0 ||
                 strcasecmp(m, "SCRAM-SHA-512") == 0);
}

int group_sasl_new(const char *mechanism, const char *user, const char *password,
                   struct group_sasl **out, struct kc_error *err)
{
    if (!group_sasl_supported(mechanism))
        return kc_error_set(err, KC_EINVAL, "unsupported SASL mechanism %s", mechanism);
    struct group_sasl *s = kc_calloc(1, sizeof(*s));
    if (!s)
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    s->scram = strcasecmp(mechanism, "PLAIN") != 0;
    s->md = strcasecmp(mechanism, "SCRAM-SHA-512") == 0 ? EVP_sha512() : EVP_sha256();
    s->user = kc_strdup(user ? user : "");
    s->password = kc_strdup(password ? password : "");
    if (!s->user || !s->password) {
        group_sasl_free(s);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    *out = s;
    return KC_OK;
}

void group_sasl_free(struct group_sasl *s)
{
    if (!s)
        return;
    if (s->password) {
        OPENSSL_cleanse(s->password, strlen(s->password));
        kc_free(s->password);
    }
    kc_free(s->user);
    kc_free(s->nonce);
    kc_free(s->client_first_bare);
    kc_free(s);
}

int group_sasl_set_nonce(struct group_sasl *s, const char *nonce)
{
    kc_free(s->nonce);
    s->nonce = kc_strdup(nonce);
    return s->nonce ? KC_OK : KC_ENOMEM;
}

static char *b64(const unsigned char *p, size_t n)
{
    char *o = kc_malloc(4 * ((n + 2) / 3) + 1);
    if (o)
        EVP_EncodeBlock((unsigned char *)o, p, (int)n);
    return o;
}

/* Decoded length through *n; NULL on bad input. */
static unsigned char *unb64(const char *s, size_t len, size_t *n)
{
    if (len % 4 != 0)
        return NULL;
    unsigned char *o = kc_malloc(len / 4 * 3 + 1);
    if (!o)
        return NULL;
    int k = EVP_DecodeBlock(o, (const unsigned char *)s, (int)len);
    if (k < 0) {
        kc_free(o);
        return NULL;
    }
    size_t pad = (len >= 1 && s[len - 1] == '=') + (len >= 2 && s[len - 2] == '=');
    *n = (size_t)k - pad;
    return o;
}

/* saslname escaping: '=' -> "=3D", ',' -> "=2C" */
static int put_saslname(struct kc_buf *b, const char *u)
{
    int rc = KC_OK;
    for (; *u && rc == KC_OK; u++)
        rc = *u == '=' ? kc_buf_append_str(b, "=3D")
             : *u == ',' ? kc_buf_append_str(b, "=2C")
                         : kc_buf_append_byte(b, (uint8_t)*u);
    return rc;
}

/* Value of attribute "k=" in a comma-separated SCRAM message, length through *len. */
static const char *attr(const char *msg, size_t n, char k, size_t *len)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && msg[j] != ',')
            j++;
        if (j - i >= 2 && msg[i] == k && msg[i + 1] == '=') {
            *len = j - i - 2;
            return msg + i + 2;
        }
        i = j + 1;
    }
    return NULL;
}

static int client_first(struct group_sasl *s, uint8_t **out, size_t *out_len,
                        struct kc_error *err)
{
    if (!s->nonce) {
        unsigned char rnd[24];
        if (RAND_bytes(rnd, sizeof(rnd)) != 1)
            return kc_error_set(err, KC_EIO, "SCRAM: no random bytes");
        s->nonce = b64(rnd, sizeof(rnd));
        if (!s->nonce)
            return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    struct kc_buf b;
    kc_buf_init(&b, 1 << 16);
    int rc = kc_buf_append_str(&b, "n=");
    if (rc == KC_OK)
        rc = put_saslname(&b, s->user);
    if (rc == KC_OK)
        rc = kc_buf_printf(&b, ",r=%s", s->nonce);
    if (rc == KC_OK) {
        s->client_first_bare = kc_strdup(b.data);
        *out = (uint8_t *)kc_asprintf("n,,%s", b.data);
        if (!s->client_first_bare || !*out)
            rc = KC_ENOMEM;
        else
            *out_len = strlen((char *)*out);
    }
    kc_buf_fini(&b);
    if (rc != KC_OK)
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    s->state = 1;
    return KC_OK;
}

static int client_final(struct group_sasl *s, const char *in, size_t n, uint8_t **out,
                        size_t *out_len, struct kc_error *err)
{
    size_t rl, sl, il;
    const char *r = attr(in, n, 'r', &rl), *salt64 = attr(in, n, 's', &sl),
               *it = attr(in, n, 'i', &il);
    if (!r || !salt64 || !it || rl < strlen(s->nonce) || strncmp(r, s->nonce, strlen(s->nonce)) != 0)
        return kc_error_set(err, KC_EPERM, "SCRAM: bad server-first message");
    char itbuf[16];
    if (il == 0 || il >= sizeof(itbuf))
        return kc_error_set(err, KC_EPERM, "SCRAM: bad iteration count");
    memcpy(itbuf, it, il);
    itbuf[il] = '\0';
    /* Kafka's client refuses fewer than 4096 iterations (ScramMechanism.minIterations); its
     * brokers store at most 16384: refuse more than that too, so a hostile server cannot make
     * us spin in PBKDF2 */
    int iter = atoi(itbuf);
    if (iter < 4096 || iter > 16384)
        return kc_error_set(err, KC_EPERM, "SCRAM: iteration count %d outside 4096..16384", iter);
    size_t salt_len;
    unsigned char *salt = unb64(salt64, sl, &salt_len);
    if (iter <= 0 || !salt) {
        kc_free(salt);
        return kc_error_set(err, KC_EPERM, "SCRAM: bad salt or iteration count");
    }
    unsigned int hl = (unsigned int)EVP_MD_size(s->md);
    unsigned char salted[EVP_MAX_MD_SIZE], ckey[EVP_MAX_MD_SIZE], stored[EVP_MAX_MD_SIZE],
        csig[EVP_MAX_MD_SIZE], skey[EVP_MAX_MD_SIZE], proof[EVP_MAX_MD_SIZE];
    int ok = PKCS5_PBKDF2_HMAC(s->password, (int)strlen(s->password), salt, (int)salt_len, iter,
                               s->md, (int)hl, salted);
    kc_free(salt);
    unsigned int l = 0;
    ok = ok && HMAC(s->md, salted, (int)hl, (const unsigned char *)"Client Key", 10, ckey, &l);
    ok = ok && EVP_Digest(ckey, hl, stored, NULL, s->md, NULL);
    char *without_proof = kc_asprintf("c=biws,r=%.*s", (int)rl, r);
    char *auth = without_proof ? kc_asprintf("%s,%.*s,%s", s->client_first_bare, (int)n, in,
                                             without_proof)
                               : NULL;
    int rc = KC_OK;
    if (!auth) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
    } else {
        ok = ok && HMAC(s->md, stored, (int)hl, (unsigned char *)auth, strlen(auth), csig, &l);
        ok = ok && HMAC(s->md, salted, (int)hl, (const unsigned char *)"Server Key", 10, skey, &l);
        ok = ok && HMAC(s->md, skey, (int)hl, (unsigned char *)auth, strlen(auth), s->server_sig,
                        &s->sig_len);
        for (unsigned int i = 0; i < hl; i++)
            proof[i] = ckey[i] ^ csig[i];
        char *p64 = ok ? b64(proof, hl) : NULL;
        *out = p64 ? (uint8_t *)kc_asprintf("%s,p=%s", without_proof, p64) : NULL;
        kc_free(p64);
        if (!ok)
            rc = kc_error_set(err, KC_EIO, "SCRAM: crypto failure");
        else if (!*out)
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        else
            *out_len = strlen((char *)*out);
    }
    OPENSSL_cleanse(salted, sizeof(salted));
    kc_free(without_proof);
    kc_free(auth);
    s->state = 2;
    return rc;
}

static int server_final(struct group_sasl *s, const char *in, size_t n, struct kc_error *err)
{
    size_t vl, el;
    const char *e = attr(in, n, 'e', &el);
    if (e)
        return kc_error_set(err, KC_EPERM, "SCRAM: server error %.*s", (int)el, e);
    const char *v = attr(in, n, 'v', &vl);
    size_t sig_len = 0;
    unsigned char *sig = v ? unb64(v, vl, &sig_len) : NULL;
    int good = sig && sig_len == s->sig_len && CRYPTO_memcmp(sig, s->server_sig, sig_len) == 0;
    kc_free(sig);
    s->state = 3;
    return good ? KC_OK : kc_error_set(err, KC_EPERM, "SCRAM: the server signature does not match");
}

int group_sasl_step(struct group_sasl *s, const uint8_t *in, size_t in_len, uint8_t **out,
                    size_t *out_len, int *fin, struct kc_error *err)
{
    *out = NULL;
    *out_len = 0;
    *fin = 0;
    if (!s->scram) {
        size_t u = strlen(s->user), p = strlen(s->password);
        *out = kc_malloc(u + p + 2);
        if (!*out)
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        (*out)[0] = 0;
        memcpy(*out + 1, s->user, u);
        (*out)[u + 1] = 0;
        memcpy(*out + u + 2, s->password, p);
        *out_len = u + p + 2;
        *fin = 1;
        return KC_OK;
    }
    switch (s->state) {
    case 0:
        return client_first(s, out, out_len, err);
    case 1:
        return client_final(s, (const char *)in, in ? in_len : 0, out, out_len, err);
    case 2:
        *fin = 1;
        return server_final(s, (const char *)in, in ? in_len : 0, err);
    default:
        return kc_error_set(err, KC_EINVAL, "SCRAM: no step left");
    }
}
