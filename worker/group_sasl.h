/*
 * worker/group_sasl.h: client side of SASL PLAIN (RFC 4616) and SCRAM-SHA-256/512 (RFC 5802,
 * RFC 7677) for the group member's broker connections. No I/O: each step turns the server's
 * bytes into the next client message.
 */
#ifndef GROUP_SASL_H
#define GROUP_SASL_H

#include <stddef.h>
#include <stdint.h>

#include "kc_error.h"

struct group_sasl;

int group_sasl_supported(const char *mechanism);
int group_sasl_new(const char *mechanism, const char *user, const char *password,
                   struct group_sasl **out, struct kc_error *err);
/* in: the server's last message (NULL at the start). *out (owned, may be NULL): the next client
 * message; *fin: 1 when no further server message needs checking after *out is sent. */
int group_sasl_step(struct group_sasl *s, const uint8_t *in, size_t in_len, uint8_t **out,
                    size_t *out_len, int *fin, struct kc_error *err);
void group_sasl_free(struct group_sasl *s);
/* For tests: use this client nonce instead of a random one. */
int group_sasl_set_nonce(struct group_sasl *s, const char *nonce);

#endif
