/*
 * conf_client_tls: the TLS material a worker uses as a *client* of other workers' https
 * listeners (followers forwarding REST writes to the leader, task configs sent to the leader),
 * read the way the JVM's RestClient reads it (SSLUtils.createClientSideSslContextFactory): the
 * listeners.https.ssl.* keys when any listeners.https.* key is set, else ssl.*. The truststore
 * becomes the CA list, the keystore the client certificate (for ssl.client.auth=required), and
 * ssl.endpoint.identification.algorithm (default "https"; empty = off) decides host name checks.
 * Stores may be JKS, PKCS12 or PEM; everything is kept as PEM in memory, nothing on disk.
 */
#ifndef CONF_CLIENT_TLS_H
#define CONF_CLIENT_TLS_H

#include "kc_error.h"
#include "kc_strmap.h"

struct conf_client_tls {
    char *ca_pem;     /* owned; NULL = the system's trust store */
    char *cert_pem;   /* owned; NULL = no client certificate */
    char *key_pem;    /* owned, secret (wiped on free); set with cert_pem */
    int verify_host;  /* 1 unless ssl.endpoint.identification.algorithm is empty */
};

/*
 * The value of ssl key `name` ("ssl.truststore.location"...) for an https listener or client:
 * listeners.https.<name> when any listeners.https.* key is set (the JVM's
 * valuesWithPrefixAllOrNothing), else <name>. Borrowed from props; NULL when unset. @thread any
 */
const char *conf_https_ssl_key(const struct kc_strmap *props, const char *name);

/*
 * Fill *out from worker properties. Nothing to load (no truststore, no keystore) is KC_OK with
 * every pointer NULL. KC_EINVAL with a message naming the key or file (never a password) when a
 * store cannot be read. @thread main
 */
int conf_client_tls_load(const struct kc_strmap *props, struct conf_client_tls *out,
                         struct kc_error *err);
void conf_client_tls_free(struct conf_client_tls *c);

/* A whole PEM file as a string (owned; wipe it if it may hold a key). NULL with err set when it
 * cannot be read or exceeds 64 MiB. @thread any */
char *conf_read_pem_file(const char *path, struct kc_error *err);

#endif
