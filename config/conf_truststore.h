/*
 * conf_truststore: the trusted certificates of a Java truststore (JKS or PKCS12, as JVM users
 * point ssl.truststore.location at) as PEM text, for librdkafka's ssl.ca.pem. librdkafka reads
 * only PEM; reading the store ourselves keeps a JDK (keytool) off the worker's host and leaves
 * no converted file on disk.
 */
#ifndef CONF_TRUSTSTORE_H
#define CONF_TRUSTSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "kc_error.h"

/*
 * Read the store at path and return, in *pem_out (caller frees with kc_free), every trusted
 * certificate as PEM. A JKS store's integrity digest is checked when password is not NULL (as
 * the JVM does); a PKCS12 store is opened with password ("" when NULL). Fails with KC_EINVAL and
 * a message naming the path for an unreadable file, a wrong password, an unknown format or a
 * store without certificates. @thread any
 */
int conf_truststore_to_pem(const char *path, const char *password, char **pem_out,
                           struct kc_error *err);

/* The same for a store already in memory; name (a path) only labels the messages. @thread any */
int conf_truststore_pem_from_bytes(const uint8_t *data, size_t len, const char *name,
                                   const char *password, char **pem_out, struct kc_error *err);

/*
 * A keystore for a TLS server (the REST https listener): the first private key entry of a JKS
 * or PKCS12 store, as the JVM's KeyManager uses it, as PEM: *key_pem the unencrypted PKCS#8
 * key, *chain_pem its certificate chain (leaf first). The JKS store digest is checked with
 * store_password; the key is recovered with key_password, else store_password (the JVM's
 * ssl.key.password rule). Both outputs are the caller's (kc_free; the key is secret: wipe it).
 * Fails with KC_EINVAL and a message naming the path (never a password). @thread any
 */
int conf_keystore_to_pem(const char *path, const char *store_password, const char *key_password,
                         char **key_pem, char **chain_pem, struct kc_error *err);
/* The same for a store already in memory; name (a path) only labels the messages. @thread any */
int conf_keystore_pem_from_bytes(const uint8_t *data, size_t len, const char *name,
                                 const char *store_password, const char *key_password,
                                 char **key_pem, char **chain_pem, struct kc_error *err);

#endif
