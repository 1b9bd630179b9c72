/*
 * tests/fuzz/fuzz_truststore.c: hostile bytes as a Java truststore (JKS by hand, PKCS12 through
 * OpenSSL). The first byte picks no password, the right one or a wrong one for the seed stores
 * (corpus/truststore holds tests/unit/config/data/truststore's). Invariants: no crash, no leak,
 * an error has a message, a success is NUL-terminated PEM.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf_truststore.h"
#include "kc_alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const passwords[] = {NULL, "changeit", "wrong"};
    struct kc_error err;
    char *pem = NULL;

    if (size < 1) {
        return 0;
    }
    const char *pw = passwords[data[0] % 3];
    int rc = conf_truststore_pem_from_bytes(data + 1, size - 1, "fuzz", pw, &pem, &err);
    if (rc == KC_OK) {
        if (pem == NULL || strncmp(pem, "-----BEGIN CERTIFICATE-----", 27) != 0) {
            abort();
        }
    } else if (pem != NULL || err.msg[0] == '\0') {
        abort();
    }
    kc_free(pem);
    return 0;
}
