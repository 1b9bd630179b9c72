/*
 * rest/rest_tls.h: HTTPS listeners for the REST server, TLS terminated with OpenSSL on our side.
 *
 * Our libmicrohttpd is built without TLS (scripts/build-libmicrohttpd.sh), so that REST brings
 * no TLS library of its own. (Debian's libcurl and libpq map GnuTLS, nettle and p11-kit through
 * librtmp and libldap anyway; their pages are counted in README's idle RSS.) OpenSSL is mapped
 * into every worker already (librdkafka and libcurl link it), so an https listener costs no new
 * library and no TLS state until it is configured: an accept thread
 * takes TCP connections, a thread per connection runs the TLS handshake and then pumps bytes
 * between the TLS session and one end of a socketpair whose other end is handed to a
 * listen-socket-less libmicrohttpd daemon (MHD_add_connection, with the client's address, so
 * the per-IP limit and the header/body deadlines of rest_guard apply as on http). A worker
 * without an https listener never calls into OpenSSL for REST and holds no TLS state.
 *
 * Keys follow the JVM worker's (RestServerConfig / SSLUtils): listeners.https.ssl.* when any
 * listeners.https.* key is set, else ssl.*: keystore JKS, PKCS12 or PEM (converted in memory,
 * never written to disk), truststore likewise, ssl.client.auth none / requested / required,
 * ssl.enabled.protocols.
 */
#ifndef REST_TLS_H
#define REST_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "kc_error.h"
#include "kc_strmap.h"

struct MHD_Daemon;
struct rest_tls;
struct rest_tls_listener;

/* The ssl.* keys of an https listener; every string borrowed for rest_tls_new only. */
struct rest_tls_config {
    const char *keystore_type;           /* "JKS" (NULL = JKS), "PKCS12", "PEM" */
    const char *keystore_location;
    const char *keystore_password;
    const char *key_password;
    const char *keystore_key;            /* PEM text (ssl.keystore.key) */
    const char *keystore_certificate_chain; /* PEM text (ssl.keystore.certificate.chain) */
    const char *truststore_type;         /* NULL = JKS */
    const char *truststore_location;
    const char *truststore_password;
    const char *truststore_certificates; /* PEM text */
    const char *client_auth;             /* "none" (NULL), "requested", "required" */
    const char *enabled_protocols;       /* "TLSv1.2,TLSv1.3" (NULL = both) */
};

/*
 * Fill c from worker properties the JVM way (SSLUtils + valuesWithPrefixAllOrNothing): the
 * listeners.https. keys when any is set, otherwise the ssl.* keys. Strings borrowed from props.
 * @thread any
 */
void rest_tls_config_from_props(struct rest_tls_config *c, const struct kc_strmap *props);

/* Load the keystore and truststore into a server context. KC_EINVAL with a message naming the
 * key or file (never a password) when they cannot be read. @thread main */
int rest_tls_new(const struct rest_tls_config *c, struct rest_tls **out, struct kc_error *err);
void rest_tls_free(struct rest_tls *t);

/*
 * Bind host:port ("" = all interfaces; port 0 = ephemeral) and serve TLS connections into d (a
 * daemon started with MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC). At most max_conn connections
 * at a time, max_per_ip from one client address (counted from accept, so unfinished handshakes
 * count); a handshake must be done within handshake_ms. *port_out = the bound port.
 * @thread main
 */
int rest_tls_listen(struct rest_tls *t, const char *host, uint16_t port, struct MHD_Daemon *d,
                    unsigned max_conn, unsigned max_per_ip, unsigned handshake_ms,
                    struct rest_tls_listener **out, uint16_t *port_out, struct kc_error *err);
/* Stop accepting (before the daemon stops). NULL ok. @thread main */
void rest_tls_listener_stop(struct rest_tls_listener *l);
/* After the daemon stopped: wait for the connection threads, free. NULL ok. @thread main */
void rest_tls_listener_free(struct rest_tls_listener *l);

#endif
