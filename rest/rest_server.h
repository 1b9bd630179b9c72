/*
 * rest/rest_server.h: the worker's REST API (Kafka Connect's, byte-compatible with the JVM 4.1
 * worker's JSON shapes and status codes) on libmicrohttpd.
 *
 * main.c builds one rest_server after the herder exists and frees it before the herder. Requests
 * run on libmicrohttpd's internal threads and call herder.h synchronously (each call waits at
 * most HERDER_REQUEST_TIMEOUT_MS). The server never holds herder pointers past a request.
 */
#ifndef REST_SERVER_H
#define REST_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "kc_error.h"

struct herder;
struct connector_worker_facts;
struct rest_server;

#define REST_DEFAULT_LISTENERS "http://:8083"
#define REST_DEFAULT_MAX_BODY_BYTES (10u * 1024u * 1024u)
#define REST_DEFAULT_MAX_CONNECTIONS 64u
/* Half the connections: one client address cannot take them all. */
#define REST_DEFAULT_MAX_CONNECTIONS_PER_IP 32u
/* Jetty's idle timeout (30 s) as the header deadline; a 10 MiB body at 1 Mbit/s fits in 90 s. */
#define REST_DEFAULT_HEADER_TIMEOUT_MS 30000u
#define REST_DEFAULT_BODY_TIMEOUT_MS 90000u
/* libmicrohttpd's idle timeout (no byte either way), as Jetty's idleTimeout. */
#define REST_IDLE_TIMEOUT_S 30u

/* Worker properties the REST layer reads; every string is borrowed for the call to
 * rest_server_new() only (the server copies what it keeps). Zero-initialised = JVM defaults. */
struct rest_auth; /* rest_auth.h */

struct rest_server_config {
    const char *listeners;       /* "listeners": comma list of http://host:port; NULL/"" =
                                  * REST_DEFAULT_LISTENERS; empty host = all interfaces; port 0 =
                                  * ephemeral (tests); https://host:port serves TLS with the
                                  * keys in tls */
    const char *admin_listeners; /* "admin.listeners": NULL = /admin on the main listeners;
                                  * "" = admin endpoints disabled; else own listeners that serve
                                  * only /admin/... (as the JVM's "Admin" virtual host) */
    const char *allow_origin;    /* "access.control.allow.origin": NULL/"" = no CORS */
    const char *allow_methods;   /* "access.control.allow.methods": NULL/"" = GET,POST,HEAD */
    const char *response_headers;/* "response.http.headers.config": "set X:1,add Y:2" rules */
    const char *advertised_url;  /* "http://host:port/" used when a request has no Host header;
                                  * NULL = first listener */
    size_t max_body_bytes;       /* request body cap; 0 = REST_DEFAULT_MAX_BODY_BYTES */
    unsigned max_connections;    /* concurrent connections (one MHD thread each, since a
                                  * request may wait 90 s on the herder); 0 = default 64 */
    unsigned max_connections_per_ip; /* from one client address; 0 = default 32 */
    unsigned header_timeout_ms;  /* request line and headers must be in by then; 0 = 30 s */
    unsigned body_timeout_ms;    /* the body, once the headers are in; 0 = 90 s */
    int topic_tracking_disable;  /* 1 = "topic.tracking.enable=false" */
    int topic_tracking_reset_disable; /* 1 = "topic.tracking.allow.reset=false" */
    const char *commit_id;       /* GET / "commit"; NULL = build's id */
    /* Borrowed for the server's life: the worker facts config validation uses (group id,
     * override policy, converters, built-in plugins); NULL = none. */
    const struct connector_worker_facts *facts;
    /* Borrowed for the server's life: REST authentication (rest_auth.h); NULL = none. */
    const struct rest_auth *auth;
    /* Borrowed for rest_server_new only: the ssl.* keys https listeners use (rest_tls.h);
     * NULL = none (an https listener is then refused with a message). */
    const struct rest_tls_config *tls;
};

/*
 * Parse the config, bind every listener and start serving. h is borrowed and must outlive the
 * server. KC_EINVAL with the JVM-like message on a bad listener list or header rule; KC_EIO when
 * a port cannot be bound. *out is owned by the caller (rest_server_free).
 * @thread main
 */
int rest_server_new(const struct rest_server_config *cfg, struct herder *h,
                    struct rest_server **out, struct kc_error *err);
/* Stop accepting, finish in-flight requests, free. NULL ok. @thread main */
void rest_server_free(struct rest_server *rs);
/* Number of bound listeners (main first, then admin) and the i-th one's local port (useful with
 * port 0); 0 if i is out of range. @thread any */
size_t rest_server_listener_count(const struct rest_server *rs);
uint16_t rest_server_port(const struct rest_server *rs, size_t i);

#endif
