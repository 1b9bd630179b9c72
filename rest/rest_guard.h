/*
 * rest/rest_guard.h: deadlines for the REST server's connections, so slow clients cannot pin it.
 *
 * libmicrohttpd's own timeout (MHD_OPTION_CONNECTION_TIMEOUT) is an idle timeout: a client that
 * sends one header byte every few seconds is never idle and holds its connection, and its
 * thread, forever. The guard adds what Jetty's header and idle timeouts give the JVM worker:
 * from the moment a connection is accepted (or finished its previous request) its request line
 * and headers must be in within header_ms, and once they are, its body within body_ms. A
 * watchdog thread shuts down the socket of a connection past its deadline; libmicrohttpd then
 * sees the end of the stream and closes it. While a request is being handled (the herder may
 * take 90 s) no deadline runs.
 *
 * Wiring: rest_guard_notify is the MHD_OPTION_NOTIFY_CONNECTION callback (cls = the guard);
 * the access handler calls rest_guard_mark when headers are in and when the body is complete,
 * the completed callback when the response went out.
 */
#ifndef REST_GUARD_H
#define REST_GUARD_H

#include <microhttpd.h>

#include "kc_error.h"

struct rest_guard;

enum rest_guard_phase {
    REST_GUARD_HEADERS = 0, /* reading the request line and headers (or idle between requests) */
    REST_GUARD_BODY,        /* headers in, reading the body */
    REST_GUARD_HANDLING,    /* request complete: being answered, no deadline */
};

/* Start the watchdog; a 0 deadline disables that phase's check. @thread main */
int rest_guard_new(unsigned header_ms, unsigned body_ms, struct rest_guard **out,
                   struct kc_error *err);
/* Stop the watchdog. Call after every daemon using the guard has stopped. NULL ok. */
void rest_guard_free(struct rest_guard *g);
/* MHD_NotifyConnectionCallback: tracks a connection from accept to close. @thread mhd */
void rest_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                       enum MHD_ConnectionNotificationCode toe);
/* Move conn to a phase; its deadline restarts now. @thread mhd */
void rest_guard_mark(struct MHD_Connection *conn, enum rest_guard_phase phase);
/* Connections cut so far (for logs and tests). */
unsigned long rest_guard_cut_count(struct rest_guard *g);

#endif
