/*
 * worker/group_member.h: one worker's membership in the Connect worker group (classic Kafka
 * group protocol, protocol type "connect", connect-compat.md §5). The member runs one thread of
 * its own; every callback runs on that thread.
 */
#ifndef GROUP_MEMBER_H
#define GROUP_MEMBER_H

#include <stddef.h>
#include <stdint.h>

#include "group_connect.h"
#include "kc_error.h"
#include "kc_strmap.h"

struct group_member;

struct group_member_conf {
    /* bootstrap.servers, security.protocol, sasl.*, ssl.*, group.id, session.timeout.ms,
     * heartbeat.interval.ms, rebalance.timeout.ms, connect.protocol,
     * scheduled.rebalance.max.delay.ms, client.id, request.timeout.ms. Borrowed: must outlive
     * the member. */
    const struct kc_strmap *worker_props;
    const char *url; /* our advertised REST URL ("http://host:port/"); copied */
};

/* What the leader assigns from (its view of the config topic). */
struct group_snapshot {
    int64_t config_offset;
    const char **connectors; /* every configured connector */
    size_t n_connectors;
    const int *task_counts; /* per connector: tasks 0..count-1 (0 for inconsistent ones) */
    void *opaque;           /* for snapshot_free */
};

/* One member as the leader sees it after computing a round. */
struct group_leader_member {
    const char *id;
    const char *url;                         /* its advertised REST URL */
    const struct connect_assignment *owned;  /* all it holds once it applies this round */
};

struct group_callbacks {
    void *ctx;
    /* Our config offset (§0.6), sent in JoinGroup metadata. */
    int64_t (*config_offset)(void *ctx);
    /* Leader only: a consistent snapshot to assign from. Return KC_OK and fill *out. If its
     * config_offset is behind some member's, the member reports CONFIG_MISMATCH to everyone. */
    int (*snapshot)(void *ctx, struct group_snapshot *out);
    void (*snapshot_free)(void *ctx, struct group_snapshot *s);
    /* Eager: before (re)joining, stop everything (revoked = all we ran). Cooperative: stop the
     * revoked items of the new assignment (called just before on_assign). */
    void (*on_revoke)(void *ctx, const struct connect_assignment *revoked);
    /* After SyncGroup: eager, run exactly a's lists; cooperative, start a's lists in addition to
     * what runs and not revoked. error CONFIG_MISMATCH: the herder reads the config topic to at
     * least a->config_offset, then calls group_member_rejoin. */
    void (*on_assign)(void *ctx, const struct connect_assignment *a, int32_t generation,
                      int is_leader);
    /* MAY be NULL: the member lost the group (coordinator unreachable for longer than
     * heartbeat.interval.ms, or session expired): stop everything. */
    void (*on_lost)(void *ctx);
    /* MAY be NULL. Leader only, before SyncGroup: every member's URL and what it will hold
     * (to redirect restarts to owners, §5.4). Pointers are valid during the call only. */
    void (*on_leader_view)(void *ctx, const struct group_leader_member *members, size_t n,
                           int32_t generation);
};

/* Callbacks run on the member thread between heartbeats: keep them short (queue the work),
 * or the session (session.timeout.ms) expires. Never call group_member_stop from one. */

/* Start the member thread. c and cb are copied (props stay borrowed). */
int group_member_start(const struct group_member_conf *c, const struct group_callbacks *cb,
                       struct group_member **out, struct kc_error *err);
/* Rejoin the group (e.g. the config topic changed). The broker rebalances a stable group when
 * the leader rejoins or a member's metadata (config offset, allocation) changed; a follower
 * rejoining with the same metadata just gets the current generation back. @thread any */
void group_member_rejoin(struct group_member *m);
/* LeaveGroup now, stay out for ms, then join again as a new member (§5.5: the config topic
 * could not be read within worker.sync.timeout.ms: back off worker.unsync.backoff.ms). What the
 * member ran stays its allocation, as in the JVM; stop work yourself if you must. @thread any */
void group_member_leave_for(struct group_member *m, int64_t ms);
/* 1 between JoinGroup and the end of SyncGroup (REST answers 409 then). @thread any */
int group_member_rebalancing(const struct group_member *m);
/* Our generation (0 if not a member yet) and, when member_id is not NULL, an owned copy of our
 * member id ("" before the first join; NULL on ENOMEM). @thread any */
int32_t group_member_generation(const struct group_member *m, char **member_id);
/* LeaveGroup, join the thread, free. NULL allowed. @thread any but the member's */
void group_member_stop(struct group_member *m);

#endif
