/*
 * worker/group_assign.h: the group leader's assignors (connect-compat.md §5.4): eager round
 * robin for `default`, incremental cooperative (KIP-415) for `compatible`/`sessioned`, and the
 * CONFIG_MISMATCH answer when a member's config offset is ahead of the leader's snapshot. Pure
 * functions of their inputs (plus the cooperative assignor's leader memory in
 * struct group_assign_state); no I/O, no clock of their own.
 */
#ifndef GROUP_ASSIGN_H
#define GROUP_ASSIGN_H

#include <stddef.h>
#include <stdint.h>

#include "group_connect.h"
#include "group_member.h"
#include "kc_error.h"

struct group_assign_member {
    const char *id;  /* broker-assigned member id */
    const char *url; /* advertised REST URL from its metadata */
    int64_t config_offset;
    const struct connect_assignment *owned; /* v1+: what it runs now (its allocation), or NULL */
};

struct group_assign_item {
    char *connector; /* owned */
    int task;        /* GROUP_CONNECT_CONNECTOR_TASK for the connector itself */
};

/* The cooperative assignor's memory between rounds (a fresh leader starts zeroed). */
struct group_assign_state {
    struct group_assign_item *prev; /* the assignment after the last round computed here */
    size_t n_prev;
    int32_t prev_generation;  /* generation of that round; -1: none */
    int64_t scheduled_at_ms;  /* deadline for lost work, 0: none pending */
    char **candidates;        /* members that joined empty while lost work waits */
    size_t n_candidates;
    int revoking_rounds;      /* back-to-back rounds that revoked for balance */
    int64_t next_revoke_at_ms;
};

struct group_assign_input {
    const struct group_assign_member *members;
    size_t n_members;
    const char *leader_id;
    const struct group_snapshot *snap;
    int version;                    /* chosen protocol: 0 eager, 1 compatible, 2 sessioned */
    int32_t generation;             /* the generation being assigned */
    int32_t last_completed_generation; /* the leader's last synced generation, -1 none */
    int64_t max_delay_ms;           /* scheduled.rebalance.max.delay.ms */
    int64_t now_ms;
};

void group_assign_state_init(struct group_assign_state *st);
void group_assign_state_fini(struct group_assign_state *st);

/* Compute one assignment per member (out[i] for members[i], caller-allocated array of
 * n_members, each to be released with group_connect_assignment_fini). Runs the eager or the
 * cooperative assignor by in->version, or answers CONFIG_MISMATCH to everyone when a member's
 * config offset is ahead of in->snap. st is used (and updated) only in cooperative versions. */
int group_assign_run(struct group_assign_state *st, const struct group_assign_input *in,
                     struct connect_assignment *out, struct kc_error *err);

#endif
