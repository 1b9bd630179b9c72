/*
 * tests/fuzz/fuzz_keystore.c: hostile bytes as a Java keystore for the https listener (JKS with
 * the JDK's KeyProtector by hand, PKCS12 through OpenSSL). The first byte picks the store and key
 * passwords among none, the seeds' ("changeit", key "keypass1") and wrong ones
 * (corpus/keystore holds keytool-made JKS and PKCS12 stores). Invariants: no crash, no leak, an
 * error has a message, a success is a PEM key and a PEM certificate chain.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf_truststore.h"
#include "kc_alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const store_pw[] = {NULL, "changeit", "wrong", "changeit"};
    static const char *const key_pw[] = {NULL, "keypass1", "changeit", "wrong"};
    struct kc_error err;
    char *key = NULL, *chain = NULL;

    if (size < 1) {
        return 0;
    }
    int rc = conf_keystore_pem_from_bytes(data + 1, size - 1, "fuzz", store_pw[data[0] & 3],
                                          key_pw[(data[0] >> 2) & 3], &key, &chain, &err);
    if (rc == KC_OK) {
        if (key == NULL || chain == NULL || strncmp(key, "-----BEGIN ", 11) != 0 ||
            strncmp(chain, "-----BEGIN CERTIFICATE-----", 27) != 0) {
            abort();
        }
    } else if (key != NULL || chain != NULL || err.msg[0] == '\0') {
        abort();
    }
    kc_free(key);
    kc_free(chain);
    return 0;
}
