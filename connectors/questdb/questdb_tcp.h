/*
 * connectors/questdb/questdb_tcp.h: ILP over TCP (the legacy `host` key, tcp::). The protocol
 * has no acknowledgement: QuestDB reads lines and closes the socket when it cannot parse one. A
 * flush therefore counts as done when every byte was written and the server had not closed the
 * connection; any failure closes the socket, and the caller sends the whole unacknowledged batch
 * again on a new connection (duplicates, never loss; DEDUP tables make them harmless).
 */
#ifndef QUESTDB_TCP_H
#define QUESTDB_TCP_H

#include <stddef.h>

#include "kc_error.h"
#include "questdb_conf.h"

struct questdb_tcp;

/* @thread task @return KC_OK, KC_ENOMEM, KC_EINVAL (unreadable tls_roots, bad token or key id) */
int questdb_tcp_new(const struct questdb_client_conf *c, struct questdb_tcp **out,
                    struct kc_error *err);
void questdb_tcp_free(struct questdb_tcp *t);
/*
 * Connect if needed and write body[0..len).
 * @thread task @return KC_OK, KC_RETRY (connection failed or closed; socket dropped)
 */
int questdb_tcp_send(struct questdb_tcp *t, const char *body, size_t len, struct kc_error *err);
/* Connections opened so far (tests). */
long questdb_tcp_connects(const struct questdb_tcp *t);
/* 1 when connected and the peer has not closed (a send now goes over the same connection). */
int questdb_tcp_open(struct questdb_tcp *t);
/* 1 when connected and every byte written was acknowledged by the peer's TCP (SIOCOUTQ 0). */
int questdb_tcp_drained(const struct questdb_tcp *t);

#endif
