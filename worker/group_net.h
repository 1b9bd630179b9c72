/*
 * worker/group_net.h: one connection to a Kafka broker for the group member: TCP, TLS
 * (OpenSSL) for SSL/SASL_SSL, SASL PLAIN / SCRAM-SHA-256/512 (SaslHandshake v1 +
 * SaslAuthenticate), ApiVersions negotiation, and blocking request/response round trips that a
 * wake-up fd can interrupt. librdkafka cannot send arbitrary requests through its public API, so
 * this is our own small client.
 */
#ifndef GROUP_NET_H
#define GROUP_NET_H

#include <stddef.h>
#include <stdint.h>

#include "group_codec.h"
#include "group_wire.h"
#include "kc_error.h"
#include "kc_strmap.h"

enum group_net_security {
    GROUP_NET_PLAINTEXT,
    GROUP_NET_SSL,
    GROUP_NET_SASL_PLAINTEXT,
    GROUP_NET_SASL_SSL
};

struct group_net_conf {
    enum group_net_security security;
    char *client_id;
    char *sasl_mechanism; /* PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 */
    char *sasl_username, *sasl_password;
    char *ssl_ca_pem;      /* trusted certificates (PEM text), or NULL */
    char *ssl_ca_location; /* PEM file or directory, or NULL: system default */
    char *ssl_cert_location, *ssl_key_location, *ssl_key_password; /* client cert (PEM) */
    char *ssl_cert_pem, *ssl_key_pem;                 /* client cert and key inline (PEM) */
    char *ssl_keystore_location, *ssl_keystore_password; /* client cert and key (PKCS12) */
    int ssl_verify_host;   /* ssl.endpoint.identification.algorithm=https (default) */
    int32_t request_timeout_ms;
};

/* From the worker's Java properties (top-level security keys, as the worker's own Kafka
 * clients read them). */
int group_net_conf_init(struct group_net_conf *nc, const struct kc_strmap *props,
                        struct kc_error *err);
void group_net_conf_fini(struct group_net_conf *nc);

struct group_net;

/* Connect, TLS handshake, ApiVersions, SASL. wake_fd (or -1): readable means give up now. */
int group_net_open(const struct group_net_conf *nc, const char *host, int port, int wake_fd,
                   struct group_net **out, struct kc_error *err);
void group_net_close(struct group_net *c);
/* Negotiated version of api, or -1. */
int16_t group_net_version(const struct group_net *c, int api);

/* Start a request frame for api at its negotiated version (returned; -1 = unsupported, and w
 * is left untouched). */
int16_t group_net_begin(struct group_net *c, struct group_codec_w *w, int api);
/* Send the frame in w (consumed), wait up to timeout_ms for the answer and set r to its body
 * (valid until the next call on c). KC_EIO on network failure or timeout, KC_RETRY when woken;
 * either way the connection is unusable afterwards. */
int group_net_call(struct group_net *c, struct group_codec_w *w, int api, int16_t version,
                   int timeout_ms, struct group_codec_r *r, struct kc_error *err);

/* Split "h1:9092,SASL_SSL://h2:9093" into the idx-th host and port; KC_ENOENT past the end. */
int group_net_bootstrap(const char *servers, size_t idx, char **host, int *port);

#endif
