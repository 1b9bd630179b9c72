/*
 * worker/group_member.c: the Connect group member thread, see group_member.h.
 *
 * One thread per worker: find the coordinator, JoinGroup with the protocols connect.protocol
 * allows (sessioned -> [sessioned, compatible, default]), run the assignor when elected leader,
 * SyncGroup, hand the assignment to the herder, then heartbeat every heartbeat.interval.ms until
 * the group rebalances, the herder asks to rejoin, or the member stops (LeaveGroup).
 */
#include "group_member.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "group_assign.h"
#include "group_net.h"
#include "kc_alloc.h"
#include "kc_log.h"
#include "kc_thread.h"

#define FAC "group"
#define PROTOCOL_TYPE "connect"

struct group_member {
    /* configuration (immutable after start) */
    struct group_net_conf nc;
    char *bootstrap, *group_id, *url;
    int32_t session_ms, heartbeat_ms, rebalance_ms, backoff_ms;
    int max_version; /* from connect.protocol */
    int64_t max_delay_ms;
    struct group_callbacks cb;

    pthread_t thr;
    int stop_pipe[2];   /* readable: stop now (also interrupts broker calls) */
    int rejoin_pipe[2]; /* readable: a rejoin was asked for */

    pthread_mutex_t mu; /* guards the fields below, read by other threads */
    int stopping, rejoin_asked, rebalancing;
    int64_t leave_for_ms; /* group_member_leave_for asked for; -1 none */
    int32_t generation;
    char *member_id;

    /* member thread only */
    struct group_net *coord;
    size_t boot_idx;
    int version;                        /* protocol chosen at the last join, -1 none */
    struct connect_assignment current;  /* what we run (v1+: accumulated) */
    int has_current;
    int32_t last_completed_gen;
    int64_t rejoin_at_ms;  /* scheduled rejoin (assignment delay), 0 none */
    int64_t coord_lost_since_ms;
    struct group_assign_state ast;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int stopping(struct group_member *m)
{
    pthread_mutex_lock(&m->mu);
    int s = m->stopping;
    pthread_mutex_unlock(&m->mu);
    return s;
}

static void set_rebalancing(struct group_member *m, int on)
{
    pthread_mutex_lock(&m->mu);
    m->rebalancing = on;
    pthread_mutex_unlock(&m->mu);
}

/* Forget the member id (UNKNOWN_MEMBER_ID) or take the broker's. */
static void set_member_id(struct group_member *m, const char *id, int32_t generation)
{
    char *copy = kc_strdup(id ? id : "");
    pthread_mutex_lock(&m->mu);
    if (copy) {
        kc_free(m->member_id);
        m->member_id = copy;
    }
    m->generation = generation;
    pthread_mutex_unlock(&m->mu);
}

static void drain(int fd)
{
    char buf[64];
    while (read(fd, buf, sizeof(buf)) > 0) {
    }
}

/* Sleep up to ms; returns early when stopping (1) or a rejoin is asked for (2). */
static int idle(struct group_member *m, int64_t ms)
{
    struct pollfd pf[2] = {{.fd = m->stop_pipe[0], .events = POLLIN},
                           {.fd = m->rejoin_pipe[0], .events = POLLIN}};
    int n = poll(pf, 2, ms < 0 ? 0 : (int)(ms > 3600000 ? 3600000 : ms));
    if (n > 0 && (pf[0].revents & POLLIN))
        return 1;
    if (n > 0 && (pf[1].revents & POLLIN)) {
        drain(m->rejoin_pipe[0]);
        return 2;
    }
    return 0;
}

static int take_rejoin(struct group_member *m)
{
    pthread_mutex_lock(&m->mu);
    int r = m->rejoin_asked;
    m->rejoin_asked = 0;
    pthread_mutex_unlock(&m->mu);
    return r;
}

static void drop_coordinator(struct group_member *m)
{
    group_net_close(m->coord);
    m->coord = NULL;
    if (m->coord_lost_since_ms == 0)
        m->coord_lost_since_ms = now_ms();
}

/* ---- coordinator discovery ---- */

static int find_coordinator(struct group_member *m, struct kc_error *err)
{
    char *host = NULL;
    int port = 0;
    if (group_net_bootstrap(m->bootstrap, m->boot_idx, &host, &port) != KC_OK) {
        m->boot_idx = 0;
        if (group_net_bootstrap(m->bootstrap, 0, &host, &port) != KC_OK)
            return kc_error_set(err, KC_EINVAL, "bootstrap.servers is empty");
    }
    m->boot_idx++;
    struct group_net *boot;
    int rc = group_net_open(&m->nc, host, port, m->stop_pipe[0], &boot, err);
    kc_free(host);
    if (rc != KC_OK)
        return rc;
    struct group_codec_w w;
    struct group_codec_r r;
    group_codec_w_init(&w);
    int16_t v = group_net_begin(boot, &w, GROUP_API_FIND_COORDINATOR);
    group_wire_find_coordinator_body(&w, v, m->group_id);
    rc = group_net_call(boot, &w, GROUP_API_FIND_COORDINATOR, v, m->nc.request_timeout_ms, &r, err);
    struct group_wire_coordinator co = {0};
    if (rc == KC_OK && group_wire_find_coordinator_decode(&r, v, &co) != KC_OK)
        rc = kc_error_set(err, KC_EIO, "malformed FindCoordinator response");
    group_net_close(boot);
    if (rc == KC_OK && co.error != 0)
        rc = kc_error_set(err, KC_EIO, "FindCoordinator for group %s: error %d", m->group_id,
                          co.error);
    if (rc == KC_OK)
        rc = group_net_open(&m->nc, co.host, co.port, m->stop_pipe[0], &m->coord, err);
    if (rc == KC_OK) {
        kc_log(KC_LOG_INFO, FAC, "[groupId=%s] Discovered group coordinator %s:%d (id: %d)",
               m->group_id, co.host, co.port, co.node_id);
        m->coord_lost_since_ms = 0;
    }
    kc_free(co.host);
    return rc;
}

/* ---- what we tell the group about ourselves ---- */

static void free_protocols(struct group_wire_protocol *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kc_free((void *)p[i].meta);
}

/* Our protocols, highest first: sessioned -> sessioned, compatible, default. */
static int build_protocols(struct group_member *m, struct group_wire_protocol *p, size_t *n,
                           struct kc_error *err)
{
    struct connect_member_meta meta = {
        .url = m->url,
        .config_offset = m->cb.config_offset ? m->cb.config_offset(m->cb.ctx) : -1,
    };
    *n = 0;
    for (int v = m->max_version; v >= 0; v--) {
        struct connect_assignment prev;
        int have_prev = m->has_current && v >= 1;
        if (have_prev) {
            prev = m->current;
            prev.version = (int16_t)v;
            prev.error = 0;
            prev.n_revoked_connectors = prev.n_revoked_tasks = 0;
            prev.delay_ms = 0;
            meta.prev = &prev;
        } else {
            meta.prev = NULL;
        }
        uint8_t *buf;
        size_t len;
        int rc = group_connect_meta_encode(&meta, v, &buf, &len, err);
        if (rc != KC_OK) {
            free_protocols(p, *n);
            return rc;
        }
        p[*n].name = group_connect_protocol_name(v);
        p[*n].meta = buf;
        p[*n].meta_len = len;
        (*n)++;
    }
    return KC_OK;
}

/* ---- leader ---- */

/* TRACE: the bytes of a member's metadata or an assignment, in hex (for capturing vectors). */
static void trace_hex(const char *what, const char *who, const uint8_t *p, size_t n)
{
    if (kc_log_level_current < KC_LOG_TRACE)
        return;
    char *hex = kc_malloc(n * 2 + 1);
    if (!hex)
        return;
    for (size_t i = 0; i < n; i++) {
        static const char digits[] = "0123456789abcdef";
        hex[2 * i] = digits[p[i] >> 4];
        hex[2 * i + 1] = digits[p[i] & 15];
    }
    hex[2 * n] = '\0';
    kc_log(KC_LOG_TRACE, FAC, "%s of %s (%zu bytes): %s", what, who, n, hex);
    kc_free(hex);
}

/* Tell the herder who will hold what once this round is applied. */
static int leader_view(struct group_member *m, const struct group_wire_join_resp *jr,
                       const struct connect_member_meta *metas,
                       const struct connect_assignment *as, struct kc_error *err)
{
    size_t n = jr->n_members;
    struct group_leader_member *lm = kc_calloc(n + 1, sizeof(*lm));
    struct connect_assignment *owned = kc_calloc(n + 1, sizeof(*owned));
    int rc = lm && owned ? KC_OK : KC_ENOMEM;
    size_t done = 0;
    for (size_t i = 0; i < n && rc == KC_OK; i++, done++) {
        const struct connect_assignment *held = m->version >= 1 ? metas[i].prev : NULL;
        rc = group_connect_assignment_apply(held, &as[i], &owned[i]);
        lm[i].id = jr->members[i].member_id;
        lm[i].url = metas[i].url ? metas[i].url : "";
        lm[i].owned = &owned[i];
    }
    if (rc == KC_OK)
        m->cb.on_leader_view(m->cb.ctx, lm, n, jr->generation);
    for (size_t i = 0; owned && i < done; i++)
        group_connect_assignment_fini(&owned[i]);
    kc_free(owned);
    kc_free(lm);
    return rc == KC_OK ? KC_OK : kc_error_set(err, rc, "out of memory");
}

static int lead(struct group_member *m, const struct group_wire_join_resp *jr,
                struct group_wire_sync_assignment **out, size_t *n_out, struct kc_error *err)
{
    size_t n = jr->n_members;
    struct connect_member_meta *metas = kc_calloc(n + 1, sizeof(*metas));
    struct group_assign_member *ms = kc_calloc(n + 1, sizeof(*ms));
    struct connect_assignment *as = kc_calloc(n + 1, sizeof(*as));
    struct group_wire_sync_assignment *sa = kc_calloc(n + 1, sizeof(*sa));
    struct group_snapshot snap = {0};
    int have_snap = 0;
    int rc = metas && ms && as && sa ? KC_OK : kc_error_set(err, KC_ENOMEM, "out of memory");
    for (size_t i = 0; i < n && rc == KC_OK; i++) {
        struct kc_error derr;
        trace_hex("metadata", jr->members[i].member_id, jr->members[i].meta,
                  jr->members[i].meta_len);
        if (group_connect_meta_decode(jr->members[i].meta, jr->members[i].meta_len, &metas[i],
                                      &derr) != KC_OK) {
            kc_log(KC_LOG_WARN, FAC, "member %s sent bad metadata: %s", jr->members[i].member_id,
                   derr.msg);
            metas[i].config_offset = -1;
        }
        ms[i].id = jr->members[i].member_id;
        ms[i].url = metas[i].url ? metas[i].url : "";
        ms[i].config_offset = metas[i].config_offset;
        ms[i].owned = metas[i].prev;
    }
    if (rc == KC_OK) {
        rc = m->cb.snapshot ? m->cb.snapshot(m->cb.ctx, &snap) : KC_OK;
        if (rc != KC_OK)
            rc = kc_error_set(err, rc, "the herder gave no config snapshot");
        else
            have_snap = m->cb.snapshot != NULL;
    }
    if (rc == KC_OK) {
        struct group_assign_input in = {
            .members = ms,
            .n_members = n,
            .leader_id = jr->member_id,
            .snap = &snap,
            .version = m->version,
            .generation = jr->generation,
            .last_completed_generation = m->last_completed_gen,
            .max_delay_ms = m->max_delay_ms,
            .now_ms = now_ms(),
        };
        rc = group_assign_run(&m->ast, &in, as, err);
    }
    for (size_t i = 0; i < n && rc == KC_OK; i++) {
        uint8_t *buf;
        size_t len;
        rc = group_connect_assignment_encode(&as[i], &buf, &len, err);
        if (rc == KC_OK) {
            sa[i].member_id = jr->members[i].member_id;
            sa[i].data = buf;
            sa[i].len = len;
            *n_out = i + 1;
        }
    }
    if (rc == KC_OK && m->cb.on_leader_view)
        rc = leader_view(m, jr, metas, as, err);
    if (rc == KC_OK)
        kc_log(KC_LOG_INFO, FAC,
               "[groupId=%s] Leader computed generation %d assignment for %zu members at config "
               "offset %lld",
               m->group_id, jr->generation, n, (long long)snap.config_offset);
    if (have_snap && m->cb.snapshot_free)
        m->cb.snapshot_free(m->cb.ctx, &snap);
    for (size_t i = 0; i < n && metas && as; i++) {
        group_connect_meta_fini(&metas[i]);
        group_connect_assignment_fini(&as[i]);
    }
    kc_free(metas);
    kc_free(ms);
    kc_free(as);
    if (rc != KC_OK) {
        for (size_t i = 0; sa && i < *n_out; i++)
            kc_free((void *)sa[i].data);
        kc_free(sa);
        *n_out = 0;
        return rc;
    }
    *out = sa;
    return KC_OK;
}

/* ---- applying an assignment ---- */

/* current := current - a.revoked + a.assigned (cooperative); current := a (eager). */
static int accumulate(struct group_member *m, const struct connect_assignment *a)
{
    struct connect_assignment next;
    const struct connect_assignment *cur = m->version >= 1 && m->has_current ? &m->current : NULL;
    if (group_connect_assignment_apply(cur, a, &next) != KC_OK)
        return KC_ENOMEM;
    group_connect_assignment_fini(&m->current);
    m->current = next;
    m->has_current = 1;
    return KC_OK;
}

/* Eager: stop everything before rejoining. */
static void revoke_all(struct group_member *m)
{
    if (!m->has_current)
        return;
    if (m->cb.on_revoke) {
        struct connect_assignment all = m->current;
        all.revoked_connectors = m->current.connectors;
        all.n_revoked_connectors = m->current.n_connectors;
        all.revoked_tasks = m->current.tasks;
        all.n_revoked_tasks = m->current.n_tasks;
        m->cb.on_revoke(m->cb.ctx, &all);
    }
    group_connect_assignment_fini(&m->current);
    m->has_current = 0;
}

static void apply(struct group_member *m, struct connect_assignment *a, int32_t generation,
                  int is_leader)
{
    if (a->error != GROUP_CONNECT_ERR_NONE) {
        kc_log(KC_LOG_INFO, FAC,
               "[groupId=%s] Assignment error %d (config mismatch): catching up to config offset "
               "%lld",
               m->group_id, a->error, (long long)a->config_offset);
        if (m->cb.on_assign)
            m->cb.on_assign(m->cb.ctx, a, generation, is_leader);
        return;
    }
    int revoked = a->n_revoked_connectors + a->n_revoked_tasks > 0;
    if (m->version >= 1 && revoked && m->cb.on_revoke)
        m->cb.on_revoke(m->cb.ctx, a);
    if (accumulate(m, a) != KC_OK)
        kc_log(KC_LOG_ERROR, FAC, "out of memory recording the assignment");
    kc_log(KC_LOG_INFO, FAC,
           "[groupId=%s] Joined generation %d (%s, leader %s): %zu connectors, %zu tasks "
           "assigned, %zu+%zu revoked, delay %d ms",
           m->group_id, generation, group_connect_protocol_name(m->version), a->leader,
           a->n_connectors, a->n_tasks, a->n_revoked_connectors, a->n_revoked_tasks, a->delay_ms);
    if (m->cb.on_assign)
        m->cb.on_assign(m->cb.ctx, a, generation, is_leader);
    if (m->version >= 1 && revoked) {
        pthread_mutex_lock(&m->mu);
        m->rejoin_asked = 1; /* let the leader hand out what we gave up */
        pthread_mutex_unlock(&m->mu);
    }
    m->rejoin_at_ms = a->delay_ms > 0 ? now_ms() + a->delay_ms : 0;
}

/* ---- join + sync ---- */

enum round { ROUND_OK, ROUND_RETRY, ROUND_COORD, ROUND_BACKOFF };

static enum round on_error(struct group_member *m, int16_t e, const char *what)
{
    switch (e) {
    case GROUP_ERR_UNKNOWN_MEMBER_ID:
        set_member_id(m, "", -1);
        return ROUND_RETRY;
    case GROUP_ERR_REBALANCE_IN_PROGRESS:
    case GROUP_ERR_ILLEGAL_GENERATION:
        return ROUND_RETRY;
    case GROUP_ERR_COORDINATOR_NOT_AVAILABLE:
    case GROUP_ERR_NOT_COORDINATOR:
    case GROUP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
        return ROUND_COORD;
    default:
        kc_log(KC_LOG_ERROR, FAC, "[groupId=%s] %s failed with Kafka error %d", m->group_id, what,
               e);
        return ROUND_BACKOFF;
    }
}

static enum round join_sync(struct group_member *m)
{
    struct kc_error err;
    struct group_wire_protocol protos[3];
    size_t n_protos;
    if (m->version == GROUP_CONNECT_EAGER)
        revoke_all(m);
    if (build_protocols(m, protos, &n_protos, &err) != KC_OK) {
        kc_log(KC_LOG_ERROR, FAC, "%s", err.msg);
        return ROUND_BACKOFF;
    }
    pthread_mutex_lock(&m->mu);
    char *member_id = kc_strdup(m->member_id ? m->member_id : "");
    pthread_mutex_unlock(&m->mu);
    struct group_wire_join_req req = {
        .group_id = m->group_id,
        .session_timeout_ms = m->session_ms,
        .rebalance_timeout_ms = m->rebalance_ms,
        .member_id = member_id ? member_id : "",
        .protocol_type = PROTOCOL_TYPE,
        .protocols = protos,
        .n_protocols = n_protos,
        .reason = "connect-c worker (re)joining",
    };
    struct group_codec_w w;
    struct group_codec_r r;
    group_codec_w_init(&w);
    int16_t v = group_net_begin(m->coord, &w, GROUP_API_JOIN_GROUP);
    group_wire_join_body(&w, v, &req);
    free_protocols(protos, n_protos);
    kc_free(member_id);
    int rc = group_net_call(m->coord, &w, GROUP_API_JOIN_GROUP, v, m->rebalance_ms + 5000, &r, &err);
    struct group_wire_join_resp jr;
    if (rc == KC_OK && group_wire_join_decode(&r, v, &jr) != KC_OK)
        rc = kc_error_set(&err, KC_EIO, "malformed JoinGroup response");
    if (rc != KC_OK) {
        if (rc != KC_RETRY)
            kc_log(KC_LOG_WARN, FAC, "[groupId=%s] JoinGroup: %s", m->group_id, err.msg);
        return ROUND_COORD;
    }
    if (jr.error == GROUP_ERR_MEMBER_ID_REQUIRED) {
        set_member_id(m, jr.member_id, -1);
        group_wire_join_resp_fini(&jr);
        return ROUND_RETRY;
    }
    if (jr.error != 0) {
        enum round rd = on_error(m, jr.error, "JoinGroup");
        group_wire_join_resp_fini(&jr);
        return rd;
    }
    set_member_id(m, jr.member_id, jr.generation);
    int is_leader = jr.leader && jr.member_id && strcmp(jr.leader, jr.member_id) == 0;
    int chosen = group_connect_protocol_version(jr.protocol_name);
    m->version = chosen >= 0 ? chosen : 0;

    struct group_wire_sync_assignment *sa = NULL;
    size_t n_sa = 0;
    if (is_leader && lead(m, &jr, &sa, &n_sa, &err) != KC_OK) {
        kc_log(KC_LOG_ERROR, FAC, "[groupId=%s] cannot assign: %s", m->group_id, err.msg);
        group_wire_join_resp_fini(&jr);
        return ROUND_BACKOFF;
    }
    struct group_wire_sync_req sreq = {
        .group_id = m->group_id,
        .generation = jr.generation,
        .member_id = jr.member_id,
        .protocol_type = PROTOCOL_TYPE,
        .protocol_name = jr.protocol_name,
        .assignments = sa,
        .n_assignments = n_sa,
    };
    group_codec_w_init(&w);
    v = group_net_begin(m->coord, &w, GROUP_API_SYNC_GROUP);
    group_wire_sync_body(&w, v, &sreq);
    for (size_t i = 0; i < n_sa; i++)
        kc_free((void *)sa[i].data);
    kc_free(sa);
    int32_t generation = jr.generation;
    group_wire_join_resp_fini(&jr);
    rc = group_net_call(m->coord, &w, GROUP_API_SYNC_GROUP, v, m->rebalance_ms + 5000, &r, &err);
    struct group_wire_sync_resp sr = {0};
    if (rc == KC_OK && group_wire_sync_decode(&r, v, &sr) != KC_OK)
        rc = kc_error_set(&err, KC_EIO, "malformed SyncGroup response");
    if (rc != KC_OK) {
        kc_free(sr.assignment);
        if (rc != KC_RETRY)
            kc_log(KC_LOG_WARN, FAC, "[groupId=%s] SyncGroup: %s", m->group_id, err.msg);
        return ROUND_COORD;
    }
    if (sr.error != 0) {
        kc_free(sr.assignment);
        return on_error(m, sr.error, "SyncGroup");
    }
    struct connect_assignment a;
    trace_hex("assignment", "us", sr.assignment, sr.len);
    rc = group_connect_assignment_decode(sr.assignment, sr.len, &a, &err);
    kc_free(sr.assignment);
    if (rc != KC_OK) {
        kc_log(KC_LOG_ERROR, FAC, "[groupId=%s] %s", m->group_id, err.msg);
        return ROUND_BACKOFF;
    }
    m->last_completed_gen = generation;
    apply(m, &a, generation, is_leader);
    group_connect_assignment_fini(&a);
    return ROUND_OK;
}

/* ---- heartbeat and leave ---- */

static enum round heartbeat(struct group_member *m)
{
    struct kc_error err;
    pthread_mutex_lock(&m->mu);
    char *member_id = kc_strdup(m->member_id ? m->member_id : "");
    int32_t gen = m->generation;
    pthread_mutex_unlock(&m->mu);
    if (!member_id)
        return ROUND_BACKOFF;
    struct group_codec_w w;
    struct group_codec_r r;
    group_codec_w_init(&w);
    int16_t v = group_net_begin(m->coord, &w, GROUP_API_HEARTBEAT);
    group_wire_heartbeat_body(&w, v, m->group_id, gen, member_id);
    kc_free(member_id);
    int rc = group_net_call(m->coord, &w, GROUP_API_HEARTBEAT, v, m->nc.request_timeout_ms, &r,
                            &err);
    int16_t e = 0;
    if (rc == KC_OK && group_wire_heartbeat_decode(&r, v, &e) != KC_OK)
        rc = KC_EIO;
    if (rc != KC_OK)
        return ROUND_COORD;
    if (e == 0)
        return ROUND_OK;
    if (e == GROUP_ERR_REBALANCE_IN_PROGRESS)
        kc_log(KC_LOG_INFO, FAC, "[groupId=%s] Rebalance started", m->group_id);
    enum round rd = on_error(m, e, "Heartbeat");
    return rd == ROUND_COORD ? ROUND_COORD : ROUND_RETRY;
}

static void leave(struct group_member *m)
{
    pthread_mutex_lock(&m->mu);
    char *member_id = m->member_id && *m->member_id ? kc_strdup(m->member_id) : NULL;
    pthread_mutex_unlock(&m->mu);
    if (!member_id)
        return;
    struct kc_error err;
    /* the stop pipe is readable now: a fresh connection that nothing interrupts, short timeout */
    struct group_net_conf nc = m->nc;
    nc.request_timeout_ms = nc.request_timeout_ms < 5000 ? nc.request_timeout_ms : 5000;
    struct group_net *c = NULL;
    char *host = NULL;
    int port = 0;
    /* ask the bootstrap servers again (the coordinator may have moved), with no wake-up fd */
    int rc = group_net_bootstrap(m->bootstrap, 0, &host, &port);
    struct group_net *boot = NULL;
    if (rc == KC_OK)
        rc = group_net_open(&nc, host, port, -1, &boot, &err);
    kc_free(host);
    struct group_wire_coordinator co = {0};
    if (rc == KC_OK) {
        struct group_codec_w w;
        struct group_codec_r r;
        group_codec_w_init(&w);
        int16_t v = group_net_begin(boot, &w, GROUP_API_FIND_COORDINATOR);
        group_wire_find_coordinator_body(&w, v, m->group_id);
        rc = group_net_call(boot, &w, GROUP_API_FIND_COORDINATOR, v, nc.request_timeout_ms, &r, &err);
        if (rc == KC_OK && (group_wire_find_coordinator_decode(&r, v, &co) != KC_OK || co.error))
            rc = KC_EIO;
    }
    group_net_close(boot);
    if (rc == KC_OK)
        rc = group_net_open(&nc, co.host, co.port, -1, &c, &err);
    kc_free(co.host);
    if (rc == KC_OK) {
        struct group_codec_w w;
        struct group_codec_r r;
        group_codec_w_init(&w);
        int16_t v = group_net_begin(c, &w, GROUP_API_LEAVE_GROUP);
        group_wire_leave_body(&w, v, m->group_id, member_id, "the worker is stopping");
        rc = group_net_call(c, &w, GROUP_API_LEAVE_GROUP, v, nc.request_timeout_ms, &r, &err);
        int16_t e = 0;
        if (rc == KC_OK && group_wire_leave_decode(&r, v, &e) == KC_OK)
            kc_log(KC_LOG_INFO, FAC, "[groupId=%s] Member %s left the group (error %d)",
                   m->group_id, member_id, e);
    }
    if (rc != KC_OK)
        kc_log(KC_LOG_WARN, FAC, "[groupId=%s] LeaveGroup failed: %s", m->group_id, err.msg);
    group_net_close(c);
    kc_free(member_id);
}

/* ---- the thread ---- */

static void check_coordinator_lost(struct group_member *m)
{
    if (m->coord_lost_since_ms && m->has_current &&
        now_ms() - m->coord_lost_since_ms > m->heartbeat_ms) {
        kc_log(KC_LOG_WARN, FAC,
               "[groupId=%s] Broker coordinator was unreachable for %d ms: stopping all work to "
               "avoid running it while not a member of the group",
               m->group_id, m->heartbeat_ms);
        if (m->cb.on_lost)
            m->cb.on_lost(m->cb.ctx);
        group_connect_assignment_fini(&m->current);
        m->has_current = 0;
    }
}

static void *member_main(void *arg)
{
    struct group_member *m = arg;
    int need_join = 1;
    kc_thread_name("kc-group", NULL);
    int64_t backoff = m->backoff_ms;
    while (!stopping(m)) {
        struct kc_error err;
        if (!m->coord) {
            int rc = find_coordinator(m, &err);
            if (rc != KC_OK) {
                /* authentication and configuration errors will not heal by themselves: say so
                 * loudly and retry slowly (the JVM worker would fail to start) */
                int hard = rc == KC_EPERM || rc == KC_EINVAL;
                if (rc != KC_RETRY)
                    kc_log(hard ? KC_LOG_ERROR : KC_LOG_WARN, FAC, "[groupId=%s] coordinator: %s",
                           m->group_id, err.msg);
                if (m->coord_lost_since_ms == 0)
                    m->coord_lost_since_ms = now_ms();
                check_coordinator_lost(m);
                if (idle(m, hard ? 10000 : backoff) == 1)
                    break;
                backoff = backoff * 2 > 1000 ? 1000 : backoff * 2;
                continue;
            }
            backoff = m->backoff_ms;
        }
        pthread_mutex_lock(&m->mu);
        int64_t away = m->leave_for_ms;
        m->leave_for_ms = -1;
        pthread_mutex_unlock(&m->mu);
        if (away >= 0) {
            kc_log(KC_LOG_INFO, FAC, "[groupId=%s] Leaving the group for %lld ms", m->group_id,
                   (long long)away);
            group_net_close(m->coord);
            m->coord = NULL;
            leave(m);
            set_member_id(m, "", -1);
            int64_t until = now_ms() + away;
            int w = 0;
            while (w != 1 && now_ms() < until)
                w = idle(m, until - now_ms());
            if (w == 1)
                break;
            need_join = 1;
            take_rejoin(m);
            continue;
        }
        if (take_rejoin(m))
            need_join = 1;
        if (m->rejoin_at_ms && now_ms() >= m->rejoin_at_ms) {
            m->rejoin_at_ms = 0;
            need_join = 1;
        }
        if (need_join) {
            set_rebalancing(m, 1);
            enum round rd = join_sync(m);
            set_rebalancing(m, 0);
            if (rd == ROUND_OK) {
                need_join = 0;
            } else if (rd == ROUND_COORD) {
                drop_coordinator(m);
            } else if (rd == ROUND_BACKOFF) {
                if (idle(m, 5000) == 1)
                    break;
            }
            continue;
        }
        int64_t wait = m->heartbeat_ms;
        if (m->rejoin_at_ms) {
            int64_t left = m->rejoin_at_ms - now_ms();
            if (left < wait)
                wait = left;
        }
        int w = idle(m, wait);
        if (w == 1)
            break;
        if (w == 2)
            continue;
        enum round rd = heartbeat(m);
        if (rd == ROUND_RETRY)
            need_join = 1;
        else if (rd == ROUND_COORD)
            drop_coordinator(m);
    }
    group_net_close(m->coord);
    m->coord = NULL;
    leave(m);
    return NULL;
}

/* ---- API ---- */

static int32_t prop_int(const struct kc_strmap *p, const char *k, int32_t dflt)
{
    const char *v = kc_strmap_get(p, k);
    if (!v || !*v)
        return dflt;
    char *end;
    long long n = strtoll(v, &end, 10);
    return *end == '\0' && n >= 0 && n <= INT32_MAX ? (int32_t)n : dflt;
}

static void member_free(struct group_member *m)
{
    group_net_conf_fini(&m->nc);
    kc_free(m->bootstrap);
    kc_free(m->group_id);
    kc_free(m->url);
    kc_free(m->member_id);
    group_connect_assignment_fini(&m->current);
    group_assign_state_fini(&m->ast);
    for (int i = 0; i < 2; i++) {
        if (m->stop_pipe[i] >= 0)
            close(m->stop_pipe[i]);
        if (m->rejoin_pipe[i] >= 0)
            close(m->rejoin_pipe[i]);
    }
    pthread_mutex_destroy(&m->mu);
    kc_free(m);
}

static int make_pipe(int fds[2])
{
    if (pipe(fds) != 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    }
    return 0;
}

int group_member_start(const struct group_member_conf *c, const struct group_callbacks *cb,
                       struct group_member **out, struct kc_error *err)
{
    const struct kc_strmap *p = c->worker_props;
    const char *gid = kc_strmap_get(p, "group.id");
    if (!gid || !*gid)
        return kc_error_set(err, KC_EINVAL, "group.id is required for the worker group");
    const char *proto = kc_strmap_get(p, "connect.protocol");
    int maxv = group_connect_protocol_parse(proto ? proto : "sessioned");
    if (maxv < 0)
        return kc_error_set(err, KC_EINVAL, "connect.protocol: unknown value '%s'", proto);
    struct group_member *m = kc_calloc(1, sizeof(*m));
    if (!m)
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    m->stop_pipe[0] = m->stop_pipe[1] = m->rejoin_pipe[0] = m->rejoin_pipe[1] = -1;
    pthread_mutex_init(&m->mu, NULL);
    group_assign_state_init(&m->ast);
    m->version = -1;
    m->last_completed_gen = -1;
    m->generation = -1;
    m->leave_for_ms = -1;
    m->max_version = maxv;
    m->cb = *cb;
    m->session_ms = prop_int(p, "session.timeout.ms", 10000);
    m->heartbeat_ms = prop_int(p, "heartbeat.interval.ms", 3000);
    m->rebalance_ms = prop_int(p, "rebalance.timeout.ms", 60000);
    m->backoff_ms = prop_int(p, "retry.backoff.ms", 100);
    if (m->backoff_ms <= 0)
        m->backoff_ms = 100;
    const char *md = kc_strmap_get(p, "scheduled.rebalance.max.delay.ms");
    m->max_delay_ms = md && *md ? strtoll(md, NULL, 10) : 300000;
    const char *bs = kc_strmap_get(p, "bootstrap.servers");
    m->bootstrap = kc_strdup(bs && *bs ? bs : "localhost:9092");
    m->group_id = kc_strdup(gid);
    m->url = kc_strdup(c->url ? c->url : "");
    m->member_id = kc_strdup("");
    int rc = m->bootstrap && m->group_id && m->url && m->member_id
                 ? KC_OK
                 : kc_error_set(err, KC_ENOMEM, "out of memory");
    if (rc == KC_OK)
        rc = group_net_conf_init(&m->nc, p, err);
    if (rc == KC_OK && !m->nc.client_id) {
        /* JVM default: connect-<host:port> of the advertised URL */
        const char *hp = strstr(m->url, "://");
        hp = hp ? hp + 3 : m->url;
        size_t len = strcspn(hp, "/");
        m->nc.client_id = kc_asprintf("connect-%.*s", (int)len, hp);
        if (!m->nc.client_id)
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    if (rc == KC_OK && (make_pipe(m->stop_pipe) != 0 || make_pipe(m->rejoin_pipe) != 0))
        rc = kc_error_set_errno(err, KC_EIO, errno, "pipe");
    if (rc == KC_OK && pthread_create(&m->thr, NULL, member_main, m) != 0)
        rc = kc_error_set(err, KC_EIO, "cannot start the group member thread");
    if (rc != KC_OK) {
        member_free(m);
        return rc;
    }
    *out = m;
    return KC_OK;
}

void group_member_rejoin(struct group_member *m)
{
    pthread_mutex_lock(&m->mu);
    m->rejoin_asked = 1;
    pthread_mutex_unlock(&m->mu);
    ssize_t w = write(m->rejoin_pipe[1], "r", 1);
    (void)w;
}

void group_member_leave_for(struct group_member *m, int64_t ms)
{
    pthread_mutex_lock(&m->mu);
    m->leave_for_ms = ms < 0 ? 0 : ms;
    pthread_mutex_unlock(&m->mu);
    ssize_t w = write(m->rejoin_pipe[1], "l", 1);
    (void)w;
}

int group_member_rebalancing(const struct group_member *m)
{
    struct group_member *mm = (struct group_member *)m;
    pthread_mutex_lock(&mm->mu);
    int r = mm->rebalancing;
    pthread_mutex_unlock(&mm->mu);
    return r;
}

int32_t group_member_generation(const struct group_member *m, char **member_id)
{
    struct group_member *mm = (struct group_member *)m;
    pthread_mutex_lock(&mm->mu);
    int32_t g = mm->generation;
    if (member_id)
        *member_id = kc_strdup(mm->member_id ? mm->member_id : "");
    pthread_mutex_unlock(&mm->mu);
    return g < 0 ? 0 : g;
}

void group_member_stop(struct group_member *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->mu);
    m->stopping = 1;
    pthread_mutex_unlock(&m->mu);
    ssize_t w = write(m->stop_pipe[1], "s", 1);
    (void)w;
    pthread_join(m->thr, NULL);
    member_free(m);
}
