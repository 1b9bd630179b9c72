/*
 * conf_truststore: JKS and PKCS12 truststores (made with keytool from data/truststore/ca*.pem)
 * come out as the same PEM certificates; wrong passwords and other files are clear errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "conf_truststore.h"
#include "conf_worker.h"
#include "kc_alloc.h"
#include "kc_strmap.h"

static char *slurp(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/truststore/%s", KC_TEST_DATA_DIR, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *s = calloc(1, 65536);
    assert_non_null(s);
    size_t n = fread(s, 1, 65535, f);
    s[n] = '\0';
    fclose(f);
    /* keytool -exportcert -rfc ends its base64 lines with CRLF, OpenSSL with LF */
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\r') {
            s[w++] = s[i];
        }
    }
    s[w] = '\0';
    return s;
}

static void data_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/truststore/%s", KC_TEST_DATA_DIR, name);
}

static void test_conf_truststore_jks(void **state)
{
    (void)state;
    char path[512];
    char *pem = NULL;
    char *ca = slurp("ca.pem");
    char *ca2 = slurp("ca2.pem");
    struct kc_error err;

    data_path(path, sizeof(path), "two.jks");
    /* the JVM reads a JKS truststore without a password too (no integrity check) */
    assert_int_equal(conf_truststore_to_pem(path, NULL, &pem, &err), KC_OK);
    assert_non_null(strstr(pem, ca));
    assert_non_null(strstr(pem, ca2));
    kc_free(pem);
    assert_int_equal(conf_truststore_to_pem(path, "changeit", &pem, &err), KC_OK);
    assert_non_null(strstr(pem, ca));
    assert_non_null(strstr(pem, ca2));
    kc_free(pem);

    assert_int_equal(conf_truststore_to_pem(path, "wrong", &pem, &err), KC_EINVAL);
    assert_null(pem);
    assert_non_null(strstr(err.msg, "ssl.truststore.password"));
    assert_non_null(strstr(err.msg, path));
    free(ca);
    free(ca2);
}

static void test_conf_truststore_pkcs12(void **state)
{
    (void)state;
    char path[512];
    char *pem = NULL;
    char *ca = slurp("ca.pem");
    struct kc_error err;

    data_path(path, sizeof(path), "one.p12");
    assert_int_equal(conf_truststore_to_pem(path, "changeit", &pem, &err), KC_OK);
    assert_string_equal(pem, ca);
    kc_free(pem);
    assert_int_equal(conf_truststore_to_pem(path, "wrong", &pem, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "ssl.truststore.password"));
    free(ca);
}

/* the JVM trusts the certificate of a key entry too (TrustStoreUtil): so do we */
static void test_conf_truststore_key_entries(void **state)
{
    (void)state;
    static const char *const cases[][2] = {{"keyentry.jks", "keyentry.pem"},
                                           {"keyentry.p12", "keyentry-p12.pem"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[512];
        char *pem = NULL;
        char *want = slurp(cases[i][1]);
        struct kc_error err;
        data_path(path, sizeof(path), cases[i][0]);
        assert_int_equal(conf_truststore_to_pem(path, "changeit", &pem, &err), KC_OK);
        assert_string_equal(pem, want);
        assert_null(strstr(pem, "PRIVATE KEY"));
        kc_free(pem);
        free(want);
    }
}

static void test_conf_truststore_bad_files(void **state)
{
    (void)state;
    char path[512];
    char *pem = NULL;
    struct kc_error err;

    assert_int_equal(conf_truststore_to_pem("/nonexistent/ts.jks", NULL, &pem, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "/nonexistent/ts.jks"));
    data_path(path, sizeof(path), "ca.pem");
    assert_int_equal(conf_truststore_to_pem(path, NULL, &pem, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "PKCS12"));

    /* a JKS store cut short: every length is checked against what is left */
    char *jks = NULL;
    {
        data_path(path, sizeof(path), "two.jks");
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        jks = calloc(1, 4096);
        size_t n = fread(jks, 1, 4096, f);
        fclose(f);
        char tmp[] = "/tmp/kc-ts-XXXXXX";
        int fd = mkstemp(tmp);
        assert_true(fd >= 0);
        FILE *w = fdopen(fd, "wb");
        for (size_t cut = 33; cut < n; cut += 97) {
            rewind(w);
            assert_int_equal(ftruncate(fd, 0), 0);
            fwrite(jks, 1, cut, w);
            fflush(w);
            assert_int_not_equal(conf_truststore_to_pem(tmp, NULL, &pem, &err), KC_OK);
            assert_null(pem);
        }
        fclose(w);
        unlink(tmp);
    }
    free(jks);
}

/* the worker's translation: a JKS truststore becomes ssl.ca.pem for every client kind */
static void test_conf_truststore_worker_translation(void **state)
{
    (void)state;
    char path[512];
    struct kc_strmap m, out;
    struct worker_config wc;
    struct kc_error err;
    char *ca = slurp("ca.pem");

    data_path(path, sizeof(path), "two.jks");
    kc_strmap_init(&m);
    kc_strmap_set(&m, "bootstrap.servers", "127.0.0.1:9093");
    kc_strmap_set(&m, "group.id", "g");
    kc_strmap_set(&m, "config.storage.topic", "_configs");
    kc_strmap_set(&m, "offset.storage.topic", "_offsets");
    kc_strmap_set(&m, "status.storage.topic", "_status");
    kc_strmap_set(&m, "key.converter", "org.apache.kafka.connect.json.JsonConverter");
    kc_strmap_set(&m, "value.converter", "org.apache.kafka.connect.json.JsonConverter");
    kc_strmap_set(&m, "security.protocol", "SASL_SSL");
    kc_strmap_set(&m, "ssl.truststore.location", path);
    kc_strmap_set(&m, "ssl.truststore.password", "changeit");
    kc_strmap_set(&m, "consumer.ssl.truststore.location", path);
    kc_strmap_set(&m, "consumer.ssl.truststore.password", "wrong");
    kc_strmap_set(&m, "producer.ssl.truststore.location", path);
    kc_strmap_set(&m, "producer.ssl.truststore.type", "JCEKS");
    assert_int_equal(worker_config_from_map(&m, NULL, &wc, &err), KC_OK);

    kc_strmap_init(&out);
    assert_int_equal(worker_config_client_props(&wc, NULL, &out, &err), KC_OK);
    assert_non_null(strstr(kc_strmap_get(&out, "ssl.ca.pem"), ca));
    assert_false(kc_strmap_has(&out, "ssl.ca.location"));
    kc_strmap_fini(&out);
    kc_strmap_init(&out);
    assert_int_equal(worker_config_client_props(&wc, "admin.", &out, &err), KC_OK);
    assert_non_null(strstr(kc_strmap_get(&out, "ssl.ca.pem"), ca));
    kc_strmap_fini(&out);
    kc_strmap_init(&out);
    assert_int_equal(worker_config_client_props(&wc, "consumer.", &out, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "consumer.ssl.truststore.location"));
    assert_non_null(strstr(err.msg, "integrity"));
    kc_strmap_fini(&out);
    kc_strmap_init(&out);
    assert_int_equal(worker_config_client_props(&wc, "producer.", &out, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "producer.ssl.truststore.type=JCEKS"));
    kc_strmap_fini(&out);
    worker_config_fini(&wc);
    kc_strmap_fini(&m);
    free(ca);
}

/* The key PEM is the private half of the chain's first certificate. */
static void assert_key_matches(const char *key_pem, const char *chain_pem)
{
    BIO *kb = BIO_new_mem_buf(key_pem, -1);
    BIO *cb = BIO_new_mem_buf(chain_pem, -1);
    EVP_PKEY *k = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL);
    X509 *x = PEM_read_bio_X509(cb, NULL, NULL, NULL);
    assert_non_null(k);
    assert_non_null(x);
    assert_int_equal(X509_check_private_key(x, k), 1);
    X509_free(x);
    EVP_PKEY_free(k);
    BIO_free(kb);
    BIO_free(cb);
}

/* Keystores for the https listener (made with openssl + keytool, data/truststore/ks*):
 * ks.jks and ks.p12 store and key password changeit; ks-keypass.jks and ks-ec.jks (an EC key)
 * key password keypass1. */
static void test_conf_keystore(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"ks.jks", "changeit", NULL},           /* key password = store password */
        {"ks.jks", "changeit", "changeit"},
        {"ks-keypass.jks", "changeit", "keypass1"},
        {"ks-ec.jks", "changeit", "keypass1"},
        {"ks.p12", "changeit", NULL},
    };
    char path[512];
    struct kc_error err;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *key = NULL, *chain = NULL;
        data_path(path, sizeof(path), cases[i][0]);
        assert_int_equal(conf_keystore_to_pem(path, cases[i][1], cases[i][2], &key, &chain, &err),
                         KC_OK);
        assert_key_matches(key, chain);
        kc_free(key);
        kc_free(chain);
    }
    char *key = NULL, *chain = NULL;
    data_path(path, sizeof(path), "ks-keypass.jks");
    assert_int_equal(conf_keystore_to_pem(path, "changeit", "badkeypw9", &key, &chain, &err),
                     KC_EINVAL);
    assert_non_null(strstr(err.msg, "ssl.key.password"));
    assert_null(strstr(err.msg, "badkeypw9"));
    assert_int_equal(conf_keystore_to_pem(path, "nope", "keypass1", &key, &chain, &err),
                     KC_EINVAL);
    assert_non_null(strstr(err.msg, "ssl.keystore.password"));
    data_path(path, sizeof(path), "two.jks"); /* a truststore: certificates only */
    assert_int_equal(conf_keystore_to_pem(path, "changeit", NULL, &key, &chain, &err),
                     KC_EINVAL);
    assert_non_null(strstr(err.msg, "no private key entry"));
    data_path(path, sizeof(path), "ks.p12");
    assert_int_equal(conf_keystore_to_pem(path, "wrong", NULL, &key, &chain, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "ssl.keystore.password"));
    assert_null(key);
    assert_null(chain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conf_truststore_jks),
        cmocka_unit_test(test_conf_truststore_pkcs12),
        cmocka_unit_test(test_conf_truststore_key_entries),
        cmocka_unit_test(test_conf_truststore_bad_files),
        cmocka_unit_test(test_conf_truststore_worker_translation),
        cmocka_unit_test(test_conf_keystore),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
