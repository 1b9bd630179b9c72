/*
 * worker/group_connect.h: the Connect group protocol's member metadata and assignment layouts
 * (connect-compat.md §5.3), for the sub-protocols `default` (v0), `compatible` (v1) and
 * `sessioned` (v2). Pure codecs: no I/O, no threads.
 */
#ifndef GROUP_CONNECT_H
#define GROUP_CONNECT_H

#include <stddef.h>
#include <stdint.h>

#include "kc_error.h"

#define GROUP_CONNECT_EAGER 0      /* wire name "default" */
#define GROUP_CONNECT_COMPATIBLE 1 /* "compatible" */
#define GROUP_CONNECT_SESSIONED 2  /* "sessioned" */

#define GROUP_CONNECT_ERR_NONE 0
#define GROUP_CONNECT_ERR_CONFIG_MISMATCH 1

/* The task number that stands for the connector instance itself in an assignment. */
#define GROUP_CONNECT_CONNECTOR_TASK (-1)

struct connect_task_id {
    char *connector; /* owned */
    int task;
};

struct connect_assignment {
    int16_t version; /* 0 eager, 1 compatible, 2 sessioned */
    int16_t error;   /* GROUP_CONNECT_ERR_* */
    char *leader;    /* owned: the leader's member id */
    char *leader_url;
    int64_t config_offset;
    char **connectors; /* owned: assigned (v1+: newly assigned) */
    size_t n_connectors;
    struct connect_task_id *tasks;
    size_t n_tasks;
    char **revoked_connectors; /* v1+ */
    size_t n_revoked_connectors;
    struct connect_task_id *revoked_tasks;
    size_t n_revoked_tasks;
    int32_t delay_ms; /* v1+: scheduled rebalance delay */
};

struct connect_member_meta {
    char *url; /* owned: advertised REST URL */
    int64_t config_offset;
    struct connect_assignment *prev; /* owned; v1+: the member's current assignment, or NULL */
};

/* Wire name of a version ("default", "compatible", "sessioned"), or NULL. */
const char *group_connect_protocol_name(int version);
/* Version of a wire name, or -1. */
int group_connect_protocol_version(const char *name);
/* Value of connect.protocol ("eager", "compatible", "sessioned") to its version, or -1. */
int group_connect_protocol_parse(const char *conf_value);

/* Encode metadata as `version` (0: url+offset; 1,2: + allocation encoded at that version).
 * *out is owned by the caller (kc_free). */
int group_connect_meta_encode(const struct connect_member_meta *m, int version, uint8_t **out,
                              size_t *out_len, struct kc_error *err);
/* Decode any version >= 0 (higher than 2 read with the v1 layout). m is filled, owned by the
 * caller (group_connect_meta_fini). */
int group_connect_meta_decode(const uint8_t *p, size_t n, struct connect_member_meta *m,
                              struct kc_error *err);
void group_connect_meta_fini(struct connect_member_meta *m);

/* Encode an assignment with its own version field (0: v0 layout; else v1 layout). */
int group_connect_assignment_encode(const struct connect_assignment *a, uint8_t **out,
                                    size_t *out_len, struct kc_error *err);
int group_connect_assignment_decode(const uint8_t *p, size_t n, struct connect_assignment *a,
                                    struct kc_error *err);
void group_connect_assignment_fini(struct connect_assignment *a);
void group_connect_assignment_free(struct connect_assignment *a);
/* What a member holds after applying a: current (NULL for none, or eager) minus a's revoked,
 * plus a's assigned; *out has no revoked lists and no delay (caller finis it). */
int group_connect_assignment_apply(const struct connect_assignment *current,
                                   const struct connect_assignment *a,
                                   struct connect_assignment *out);
/* Deep copy into *dst (zeroed first). */
int group_connect_assignment_copy(struct connect_assignment *dst,
                                  const struct connect_assignment *src);

#endif
