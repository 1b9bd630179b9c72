/*
 * worker/herder_group.c: the herder's side of the worker group (connect-compat.md §5). The
 * member (group_member.c, its own thread) joins the Connect group and calls back here; each
 * callback posts a HERDER_OP_GROUP to the herder thread and waits for it, so the herder's
 * assignment only ever changes on the herder thread:
 *   - on_revoke: drop the revoked connectors and tasks, reconcile (which stops them), and answer
 *     once every stopping task has ended, so nothing runs twice once the member rejoins;
 *   - on_assign: eager, the assignment becomes exactly the new lists; cooperative, the new
 *     lists are added to what is kept; CONFIG_MISMATCH, read the config topic to the leader's
 *     offset and rejoin;
 *   - on_lost: stop everything.
 * What other threads read (leader URL, leader flag, rebalance in progress, the leader's
 * snapshot of the config topic, the session key, the config offset) is guarded by g->mu.
 *
 * Leader duties done here: a snapshot for the assignor, a rejoin when the config topic adds or
 * removes connectors or changes a task count, and in the sessioned protocol the session key
 * (written when none exists or the current one is older than inter.worker.key.ttl.ms).
 * Follower duty: task configs a connector generated here go to the leader
 * (POST <leader-url>connectors/<c>/tasks, signed in the sessioned protocol), retried with the
 * JVM's back-off (250 ms doubling to 60 s).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "conf_worker.h"
#include "group_member.h"
#include "herder_int.h"
#include "herder_store.h"
#include "kc_alloc.h"
#include "kc_curl_tls.h"
#include "kc_log.h"
#include "metrics.h"

#define GROUP_SYNC_TIMEOUT_MS 3000      /* worker.sync.timeout.ms */
#define GROUP_SUBMIT_TIMEOUT_MS 10000   /* one task-config POST to the leader */
#define GROUP_SUBMIT_BACKOFF_MS 250
#define GROUP_SUBMIT_BACKOFF_MAX_MS 60000
#define GROUP_KEY_ALGORITHM "HmacSHA256"

enum { GROUP_EV_REVOKE = 1, GROUP_EV_ASSIGN, GROUP_EV_LOST };

/* A follower's task configs waiting to reach the leader. Herder thread only. */
struct group_submit {
    char *connector;         /* owned */
    char *body;              /* owned JSON array */
    int64_t next_ms;         /* monotonic: next attempt */
    int64_t backoff_ms;
    struct group_submit *next;
};

struct herder_group {
    struct group_member *member; /* owned; guarded by member_lock (written only by start/stop) */
    pthread_rwlock_t member_lock;
    _Atomic int stopping;        /* herder_group_stop began: callbacks stop waiting */
    char *url;                   /* owned: our advertised URL, "http://host:port/" */
    pthread_mutex_t mu;
    /* guarded by mu (read by REST and member threads) */
    char *leader_url;        /* owned; NULL until the first assignment */
    int is_leader;
    int assigned;            /* an assignment is in force */
    int version;             /* sub-protocol of the last assignment */
    char **snap_names;       /* owned: the leader's snapshot */
    int *snap_counts;
    size_t snap_n;
    int64_t snap_offset;
    int64_t changed_offset;  /* snap_offset when connectors or task counts last changed */
    uint8_t *key;            /* owned copy of the session key */
    size_t key_len;
    /* atomics */
    _Atomic int64_t config_offset;
    /* herder thread only */
    char **conns;            /* owned: assigned connector instances */
    size_t n_conns;
    struct connect_task_id *tasks; /* owned: assigned tasks */
    size_t n_tasks;
    struct herder_op *revoke_wait; /* answered once no task is stopping */
    struct group_submit *submits;  /* owned list */
    int64_t key_created_ms;        /* creation time of the key we hold, -1 if none */
    int64_t key_write_ms;          /* monotonic: our last attempt to write one */
    int64_t rebalance_ms;          /* monotonic: when the current rebalance began, 0 if none */
};

static int random_bytes(uint8_t *p, size_t n);

/* ------------------------------------------------------------------ assignment (herder thread) */

static int has_conn(const struct herder_group *g, const char *name)
{
    for (size_t i = 0; i < g->n_conns; i++) {
        if (strcmp(g->conns[i], name) == 0) {
            return 1;
        }
    }
    return 0;
}

static int has_task(const struct herder_group *g, const char *name, int id)
{
    for (size_t i = 0; i < g->n_tasks; i++) {
        if (g->tasks[i].task == id && strcmp(g->tasks[i].connector, name) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The member, for a call from the herder or a REST thread: never after (or during) its stop. */
static void member_rejoin(struct herder_group *g)
{
    pthread_rwlock_rdlock(&g->member_lock);
    if (g->member != NULL) {
        group_member_rejoin(g->member);
    }
    pthread_rwlock_unlock(&g->member_lock);
}

static void member_leave_for(struct herder_group *g, int64_t ms)
{
    pthread_rwlock_rdlock(&g->member_lock);
    if (g->member != NULL) {
        group_member_leave_for(g->member, ms);
    }
    pthread_rwlock_unlock(&g->member_lock);
}

static int member_rebalancing(struct herder_group *g)
{
    pthread_rwlock_rdlock(&g->member_lock);
    int r = g->member != NULL && group_member_rebalancing(g->member);
    pthread_rwlock_unlock(&g->member_lock);
    return r;
}

int herder_group_owns_connector(const struct herder *h, const char *name)
{
    return h->group == NULL || has_conn(h->group, name);
}

int herder_group_owns_task(const struct herder *h, const char *name, int id)
{
    return h->group == NULL || has_task(h->group, name, id);
}

int herder_group_owns_any(const struct herder *h, const char *name)
{
    const struct herder_group *g = h->group;
    if (g == NULL || has_conn(g, name)) {
        return 1;
    }
    for (size_t i = 0; i < g->n_tasks; i++) {
        if (strcmp(g->tasks[i].connector, name) == 0) {
            return 1;
        }
    }
    return 0;
}

static void drop_conn(struct herder_group *g, const char *name)
{
    for (size_t i = 0; i < g->n_conns; i++) {
        if (strcmp(g->conns[i], name) == 0) {
            kc_free(g->conns[i]);
            g->conns[i] = g->conns[--g->n_conns];
            return;
        }
    }
}

static void drop_task(struct herder_group *g, const char *name, int id)
{
    for (size_t i = 0; i < g->n_tasks; i++) {
        if (g->tasks[i].task == id && strcmp(g->tasks[i].connector, name) == 0) {
            kc_free(g->tasks[i].connector);
            g->tasks[i] = g->tasks[--g->n_tasks];
            return;
        }
    }
}

static void clear_assignment(struct herder_group *g)
{
    for (size_t i = 0; i < g->n_conns; i++) {
        kc_free(g->conns[i]);
    }
    for (size_t i = 0; i < g->n_tasks; i++) {
        kc_free(g->tasks[i].connector);
    }
    kc_free(g->conns);
    kc_free(g->tasks);
    g->conns = NULL;
    g->tasks = NULL;
    g->n_conns = g->n_tasks = 0;
}

static int add_conn(struct herder_group *g, const char *name)
{
    if (has_conn(g, name)) {
        return KC_OK;
    }
    char **n = kc_realloc(g->conns, (g->n_conns + 1) * sizeof(*n));
    if (n == NULL) {
        return KC_ENOMEM;
    }
    g->conns = n;
    if ((n[g->n_conns] = kc_strdup(name)) == NULL) {
        return KC_ENOMEM;
    }
    g->n_conns++;
    return KC_OK;
}

static int add_task(struct herder_group *g, const char *name, int id)
{
    if (has_task(g, name, id)) {
        return KC_OK;
    }
    struct connect_task_id *n = kc_realloc(g->tasks, (g->n_tasks + 1) * sizeof(*n));
    if (n == NULL) {
        return KC_ENOMEM;
    }
    g->tasks = n;
    if ((n[g->n_tasks].connector = kc_strdup(name)) == NULL) {
        return KC_ENOMEM;
    }
    n[g->n_tasks].task = id;
    g->n_tasks++;
    return KC_OK;
}

/* Stop what a lists (both its assigned and its revoked lists: eager revocation hands over
 * everything we ran as the assigned lists). */
static void apply_revoke(struct herder *h, const struct connect_assignment *a)
{
    struct herder_group *g = h->group;
    for (size_t i = 0; i < a->n_revoked_connectors; i++) {
        drop_conn(g, a->revoked_connectors[i]);
    }
    for (size_t i = 0; i < a->n_revoked_tasks; i++) {
        drop_task(g, a->revoked_tasks[i].connector, a->revoked_tasks[i].task);
    }
    if (a->version == GROUP_CONNECT_EAGER) {
        clear_assignment(g);
    }
}

/* Catch the config topic up to the leader's offset (§5.5). 1 if we are at least there. */
static int catch_up(struct herder *h, int64_t offset)
{
    int64_t sync_ms = h->wc->worker_sync_timeout_ms > 0 ? h->wc->worker_sync_timeout_ms
                                                         : GROUP_SYNC_TIMEOUT_MS;
    int64_t deadline = kc_now_ms() + sync_ms;
    while (herder_store_config_offset(h->store) < offset && kc_now_ms() < deadline) {
        struct kc_error err = {0};
        herder_store_read_config(h->store, (int)sync_ms, &err);
        int changed = 0;
        herder_store_poll(h->store, 50, &changed);
    }
    h->reconcile_needed = 1;
    return herder_store_config_offset(h->store) >= offset;
}

/* §5.5: the config topic could not be read to the leader's offset within
 * worker.sync.timeout.ms: leave the group and stay out worker.unsync.backoff.ms. */
static void unsync(struct herder *h)
{
    int64_t backoff = h->wc->worker_unsync_backoff_ms > 0 ? h->wc->worker_unsync_backoff_ms
                                                          : 300000;
    kc_log(KC_LOG_WARN, "group",
           "Could not read the config topic to offset %lld within worker.sync.timeout.ms: "
           "leaving the group for %lld ms (worker.unsync.backoff.ms)",
           (long long)herder_store_config_offset(h->store), (long long)backoff);
    member_leave_for(h->group, backoff);
}

static void set_leader(struct herder_group *g, const struct connect_assignment *a, int is_leader,
                       int assigned)
{
    pthread_mutex_lock(&g->mu);
    kc_free(g->leader_url);
    g->leader_url = a != NULL && a->leader_url != NULL && a->leader_url[0] != '\0'
                        ? kc_strdup(a->leader_url)
                        : NULL;
    g->is_leader = is_leader;
    g->assigned = assigned;
    if (a != NULL) {
        g->version = a->version;
    }
    pthread_mutex_unlock(&g->mu);
}

static void apply_assign(struct herder *h, const struct connect_assignment *a, int32_t gen,
                         int is_leader)
{
    struct herder_group *g = h->group;
    if (a->error != GROUP_CONNECT_ERR_NONE) {
        kc_log(KC_LOG_INFO, "group",
               "Assignment error %d (config offset %lld, ours %lld): reading the config topic "
               "and rejoining",
               a->error, (long long)a->config_offset,
               (long long)herder_store_config_offset(h->store));
        set_leader(g, a, is_leader, 0);
        if (catch_up(h, a->config_offset)) {
            member_rejoin(g);
        } else {
            unsync(h);
        }
        return;
    }
    if (!catch_up(h, a->config_offset)) {
        set_leader(g, a, is_leader, 0);
        unsync(h);
        return;
    }
    if (a->version == GROUP_CONNECT_EAGER) {
        clear_assignment(g);
    }
    for (size_t i = 0; i < a->n_revoked_connectors; i++) {
        drop_conn(g, a->revoked_connectors[i]);
    }
    for (size_t i = 0; i < a->n_revoked_tasks; i++) {
        drop_task(g, a->revoked_tasks[i].connector, a->revoked_tasks[i].task);
    }
    for (size_t i = 0; i < a->n_connectors; i++) {
        add_conn(g, a->connectors[i]);
    }
    for (size_t i = 0; i < a->n_tasks; i++) {
        add_task(g, a->tasks[i].connector, a->tasks[i].task);
    }
    h->generation = gen;
    set_leader(g, a, is_leader, 1);
    int64_t now = kc_now_ms();
    metrics_worker_rebalanced(gen, g->rebalance_ms > 0 ? now - g->rebalance_ms : 0);
    g->rebalance_ms = 0;
    kc_log(KC_LOG_INFO, "group",
           "Joined group at generation %d as %s (leader %s) with %zu connector(s) and %zu "
           "task(s)",
           (int)gen, is_leader ? "leader" : "member", a->leader_url ? a->leader_url : "?",
           g->n_conns, g->n_tasks);
    herder_reconcile(h);
    atomic_store(&h->ready, 1);
    /* A change read while this rebalance ran (not yet assigned, so the tick did not rejoin) is
     * missing from an assignment computed at an older config offset: one more round. */
    pthread_mutex_lock(&g->mu);
    int stale = is_leader && g->changed_offset > a->config_offset;
    pthread_mutex_unlock(&g->mu);
    if (stale) {
        kc_log(KC_LOG_INFO, "group", "Connectors or task counts changed during the rebalance "
               "(config offset %lld > %lld): rebalancing", (long long)g->changed_offset,
               (long long)a->config_offset);
        pthread_mutex_lock(&g->mu);
        g->assigned = 0;
        pthread_mutex_unlock(&g->mu);
        member_rejoin(g);
    }
}

void herder_group_handle_op(struct herder *h, struct herder_op *op)
{
    struct herder_group *g = h->group;
    switch (op->flag_a) {
    case GROUP_EV_REVOKE:
        if (g->rebalance_ms == 0) {
            g->rebalance_ms = kc_now_ms();
        }
        set_leader(g, NULL, 0, 0);
        apply_revoke(h, op->asg);
        herder_reconcile(h);
        if (h->stopping != NULL) {
            /* answered by herder_group_tick once the revoked tasks are gone */
            op->next = g->revoke_wait;
            g->revoke_wait = op;
            return;
        }
        break;
    case GROUP_EV_ASSIGN:
        apply_assign(h, op->asg, op->task, op->flag_b);
        break;
    case GROUP_EV_LOST:
        kc_log(KC_LOG_WARN, "group", "Lost the worker group: stopping every connector and task");
        clear_assignment(g);
        set_leader(g, NULL, 0, 0);
        herder_reconcile(h);
        break;
    }
    op->rc = KC_OK;
    herder_reply(op);
}

/* ------------------------------------------------------------------ member callbacks */

static int64_t cb_config_offset(void *ctx)
{
    struct herder *h = ctx;
    return atomic_load(&h->group->config_offset);
}

static int cb_snapshot(void *ctx, struct group_snapshot *out)
{
    struct herder *h = ctx;
    struct herder_group *g = h->group;
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&g->mu);
    size_t n = g->snap_n;
    const char **names = kc_calloc(n + 1, sizeof(*names));
    int *counts = kc_calloc(n + 1, sizeof(*counts));
    int rc = names != NULL && counts != NULL ? KC_OK : KC_ENOMEM;
    for (size_t i = 0; rc == KC_OK && i < n; i++) {
        if ((names[i] = kc_strdup(g->snap_names[i])) == NULL) {
            rc = KC_ENOMEM;
        }
        counts[i] = g->snap_counts[i];
    }
    out->config_offset = g->snap_offset;
    pthread_mutex_unlock(&g->mu);
    out->connectors = names;
    out->task_counts = counts;
    out->n_connectors = n;
    if (rc != KC_OK) {
        out->n_connectors = 0;
    }
    return rc;
}

static void cb_snapshot_free(void *ctx, struct group_snapshot *s)
{
    (void)ctx;
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; s->connectors != NULL && s->connectors[i] != NULL; i++) {
        kc_free((char *)s->connectors[i]);
    }
    kc_free((void *)s->connectors);
    kc_free((void *)s->task_counts);
    s->connectors = NULL;
    s->task_counts = NULL;
    s->n_connectors = 0;
}

/*
 * Post one group event to the herder thread (member thread). A revocation is waited for: the
 * revoked tasks must have stopped before the member rejoins and the leader hands them on (the
 * wait is bounded by task.shutdown.graceful.timeout.ms). Assignments and losses are not: the
 * member keeps heartbeating while the herder starts what it got, in queue order.
 */
static void post_event(struct herder *h, int kind, const struct connect_assignment *a,
                       int32_t gen, int is_leader)
{
    int wait = kind == GROUP_EV_REVOKE;
    struct herder_op *op = kc_calloc(1, sizeof(*op));
    struct kc_queue *reply = kc_queue_new();
    if (op == NULL || reply == NULL) {
        kc_free(op);
        kc_queue_unref(reply, NULL);
        return;
    }
    op->type = HERDER_OP_GROUP;
    op->flag_a = kind;
    op->flag_b = is_leader;
    op->task = gen;
    if (a != NULL) {
        op->asg = kc_calloc(1, sizeof(*op->asg));
        if (op->asg == NULL || group_connect_assignment_copy(op->asg, a) != KC_OK) {
            kc_free(op->asg);
            op->asg = NULL;
        }
    }
    if (op->asg == NULL && kind != GROUP_EV_LOST) {
        herder_op_free(op);
        kc_queue_unref(reply, NULL);
        return;
    }
    op->reply = wait ? kc_queue_ref(reply) : NULL;
    if (kc_queue_push(h->q, op) != KC_OK) {
        herder_op_free(op);
        kc_queue_unref(reply, NULL);
        return;
    }
    struct herder_op *r = NULL;
    while (wait && r == NULL && atomic_load(&h->running) && !atomic_load(&h->group->stopping)) {
        r = kc_queue_pop(reply, 250);
    }
    herder_op_free(r);
    kc_queue_unref(reply, herder_op_free);
}

static void cb_on_revoke(void *ctx, const struct connect_assignment *revoked)
{
    post_event(ctx, GROUP_EV_REVOKE, revoked, 0, 0);
}

static void cb_on_assign(void *ctx, const struct connect_assignment *a, int32_t generation,
                         int is_leader)
{
    post_event(ctx, GROUP_EV_ASSIGN, a, generation, is_leader);
}

static void cb_on_lost(void *ctx)
{
    post_event(ctx, GROUP_EV_LOST, NULL, 0, 0);
}

/* ------------------------------------------------------------------ snapshot, leader duties */

/* Rebuild the snapshot from the config view; 1 if connectors or task counts changed. */
static int refresh_snapshot(struct herder *h)
{
    struct herder_group *g = h->group;
    char **names = NULL;
    size_t n = 0;
    if (herder_store_connectors(h->store, &names, &n) != KC_OK) {
        return 0;
    }
    int *counts = kc_calloc(n + 1, sizeof(*counts));
    if (counts == NULL) {
        for (size_t i = 0; i < n; i++) {
            kc_free(names[i]);
        }
        kc_free(names);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        counts[i] = herder_store_task_count(h->store, names[i]);
    }
    pthread_mutex_lock(&g->mu);
    int changed = n != g->snap_n;
    for (size_t i = 0; !changed && i < n; i++) {
        changed = strcmp(names[i], g->snap_names[i]) != 0 || counts[i] != g->snap_counts[i];
    }
    for (size_t i = 0; i < g->snap_n; i++) {
        kc_free(g->snap_names[i]);
    }
    kc_free(g->snap_names);
    kc_free(g->snap_counts);
    g->snap_names = names;
    g->snap_counts = counts;
    g->snap_n = n;
    g->snap_offset = herder_store_config_offset(h->store);
    if (changed) {
        g->changed_offset = g->snap_offset;
    }
    int leader = g->is_leader && g->assigned;
    pthread_mutex_unlock(&g->mu);
    return changed && leader;
}

/* Adopt the latest session key read; as leader of a sessioned group, write one when none exists
 * or ours expired. */
static void session_key_duty(struct herder *h)
{
    struct herder_group *g = h->group;
    const uint8_t *key;
    size_t len;
    const char *alg;
    int64_t created;
    int have = herder_store_session_key(h->store, &key, &len, &alg, &created);
    if (have && created != g->key_created_ms) {
        uint8_t *copy = kc_malloc(len ? len : 1);
        if (copy != NULL) {
            memcpy(copy, key, len);
            pthread_mutex_lock(&g->mu);
            kc_free(g->key);
            g->key = copy;
            g->key_len = len;
            pthread_mutex_unlock(&g->mu);
            g->key_created_ms = created;
        }
    }
    pthread_mutex_lock(&g->mu);
    int duty = g->is_leader && g->assigned && g->version >= GROUP_CONNECT_SESSIONED;
    pthread_mutex_unlock(&g->mu);
    if (!duty) {
        return;
    }
    int64_t ttl = h->wc->inter_worker_key_ttl_ms > 0 ? h->wc->inter_worker_key_ttl_ms : 3600000;
    if (have && kc_wall_ms() < created + ttl) {
        return;
    }
    if (g->key_write_ms != 0 && kc_now_ms() - g->key_write_ms < 1000) {
        return; /* once a second at most while the write fails */
    }
    g->key_write_ms = kc_now_ms();
    size_t bits = h->wc->inter_worker_key_size > 0 ? (size_t)h->wc->inter_worker_key_size : 256;
    size_t klen = (bits + 7) / 8;
    uint8_t *fresh = kc_malloc(klen);
    struct kc_error err = {0};
    if (fresh == NULL || !random_bytes(fresh, klen)) {
        kc_free(fresh);
        return;
    }
    const char *galg = h->wc->inter_worker_key_generation_algorithm != NULL
                           ? h->wc->inter_worker_key_generation_algorithm
                           : GROUP_KEY_ALGORITHM;
    if (herder_store_put_session_key(h->store, fresh, klen, galg, kc_wall_ms(), &err) != KC_OK) {
        kc_log(KC_LOG_WARN, "group", "Could not write a session key: %s", err.msg);
    } else {
        kc_log(KC_LOG_INFO, "group", "Wrote a new session key");
    }
    kc_free(fresh);
}

/* ------------------------------------------------------------------ signing */

/* Key material from the kernel's CSPRNG. getrandom(2) rather than RAND_bytes: OpenSSL's DRBG
 * and provider setup would touch about 2 MiB of libcrypto in every idle worker's memory. */
static int random_bytes(uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t r = getrandom(p, n, 0);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return 0;
        }
        p += r;
        n -= (size_t)r;
    }
    return 1;
}

static char *b64(const uint8_t *p, size_t n)
{
    char *out = kc_malloc(4 * ((n + 2) / 3) + 1);
    if (out != NULL) {
        EVP_EncodeBlock((unsigned char *)out, p, (int)n);
    }
    return out;
}

/* HMAC-SHA256 of body with the current key, base64; NULL if no key. Owned. */
static char *sign(struct herder_group *g, const char *body, size_t len)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mlen = 0;
    char *out = NULL;
    pthread_mutex_lock(&g->mu);
    if (g->key != NULL &&
        HMAC(EVP_sha256(), g->key, (int)g->key_len, (const unsigned char *)body, len, mac,
             &mlen) != NULL) {
        out = b64(mac, mlen);
    }
    pthread_mutex_unlock(&g->mu);
    return out;
}

int herder_internal_verify(struct herder *h, const char *body, size_t len, const char *signature,
                           const char *algorithm, struct kc_error *err)
{
    struct herder_group *g = h->group;
    if (g == NULL) {
        return KC_OK;
    }
    pthread_mutex_lock(&g->mu);
    int sessioned = g->version >= GROUP_CONNECT_SESSIONED;
    int have_key = g->key != NULL;
    pthread_mutex_unlock(&g->mu);
    if (!sessioned) {
        return KC_OK; /* the JVM checks signatures only in the sessioned protocol */
    }
    if (signature == NULL) {
        return kc_error_set(err, KC_EINVAL, "Internal request missing required signature");
    }
    if (algorithm != NULL && strcmp(algorithm, GROUP_KEY_ALGORITHM) != 0) {
        return kc_error_set(err, KC_EINVAL,
                            "This worker does not support the '%s' key signing algorithm used by "
                            "other workers. This worker is currently configured to use: [%s]. "
                            "Check that all workers' configuration files permit the same set of "
                            "signature algorithms, and correct any misconfigured worker and "
                            "restart it.",
                            algorithm, GROUP_KEY_ALGORITHM);
    }
    if (!have_key) {
        return kc_error_set(err, KC_RETRY,
                            "This worker is still starting up and has not been able to read a "
                            "session key from the config topic yet");
    }
    char *mine = sign(g, body != NULL ? body : "", len);
    int ok = mine != NULL && strlen(mine) == strlen(signature) &&
             CRYPTO_memcmp(mine, signature, strlen(mine)) == 0;
    kc_free(mine);
    if (!ok) {
        return kc_error_set(err, KC_EPERM, "Internal request contained invalid signature.");
    }
    return KC_OK;
}

/* ------------------------------------------------------------------ task configs to the leader */

struct sink_buf {
    char *p;
    size_t n;
};

static size_t sink_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct sink_buf *b = ud;
    size_t add = size * nmemb;
    char *np = kc_realloc(b->p, b->n + add + 1);
    if (np == NULL) {
        return 0;
    }
    memcpy(np + b->n, ptr, add);
    b->n += add;
    np[b->n] = '\0';
    b->p = np;
    return add;
}

/* One POST of s to the leader. KC_OK on 2xx. */
static int submit_once(struct herder *h, struct group_submit *s, struct kc_error *err)
{
    struct herder_group *g = h->group;
    pthread_mutex_lock(&g->mu);
    char *leader = g->leader_url != NULL ? kc_strdup(g->leader_url) : NULL;
    int sessioned = g->version >= GROUP_CONNECT_SESSIONED;
    pthread_mutex_unlock(&g->mu);
    if (leader == NULL) {
        return kc_error_set(err, KC_RETRY, "no known leader URL");
    }
    CURL *curl = curl_easy_init();
    char *enc = curl != NULL ? curl_easy_escape(curl, s->connector, 0) : NULL;
    size_t ll = strlen(leader);
    char *url = enc != NULL ? kc_asprintf("%s%sconnectors/%s/tasks?forward=true", leader,
                                          ll > 0 && leader[ll - 1] == '/' ? "" : "/", enc)
                            : NULL;
    char *sig = sessioned ? sign(g, s->body, strlen(s->body)) : NULL;
    char *sig_h = sig != NULL ? kc_asprintf("X-Connect-Authorization: %s", sig) : NULL;
    struct curl_slist *hd = NULL;
    struct sink_buf resp = {0};
    int rc;
    if (url == NULL || (sessioned && sig_h == NULL)) {
        rc = kc_error_set(err, KC_RETRY, sessioned ? "no session key yet" : "out of memory");
        goto out;
    }
    hd = curl_slist_append(hd, "Content-Type: application/json");
    hd = curl_slist_append(hd, "Accept: application/json");
    if (sig_h != NULL) {
        hd = curl_slist_append(hd, sig_h);
        hd = curl_slist_append(hd, "X-Connect-Request-Signature-Algorithm: " GROUP_KEY_ALGORITHM);
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, s->body);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "kafka-connect");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)GROUP_SUBMIT_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sink_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &resp);
    kc_curl_tls_apply(curl, h->client_tls);
    CURLcode cr = curl_easy_perform(curl);
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    if (cr != CURLE_OK) {
        rc = kc_error_set(err, KC_RETRY, "%s", curl_easy_strerror(cr));
    } else if (code / 100 != 2) {
        rc = kc_error_set(err, KC_RETRY, "HTTP %ld: %s", code, resp.p ? resp.p : "");
    } else {
        rc = KC_OK;
    }
out:
    curl_slist_free_all(hd);
    curl_free(enc);
    if (curl != NULL) {
        curl_easy_cleanup(curl);
    }
    kc_free(resp.p);
    kc_free(url);
    kc_free(sig);
    kc_free(sig_h);
    kc_free(leader);
    return rc;
}

static void submit_free(struct group_submit *s)
{
    kc_free(s->connector);
    kc_free(s->body);
    kc_free(s);
}

int herder_group_submit_tasks(struct herder *h, const char *name, const struct kc_strmap *tasks,
                              int n, struct kc_error *err)
{
    struct herder_group *g = h->group;
    json_t *arr = json_array();
    for (int i = 0; arr != NULL && i < n; i++) {
        json_t *o = json_object();
        for (size_t k = 0; o != NULL && k < tasks[i].n; k++) {
            const char *v = tasks[i].e[k].value;
            json_object_set_new(o, tasks[i].e[k].key, v != NULL ? json_string(v) : json_null());
        }
        json_array_append_new(arr, o);
    }
    char *body = arr != NULL ? json_dumps(arr, JSON_COMPACT) : NULL;
    json_decref(arr);
    struct group_submit *s = kc_calloc(1, sizeof(*s));
    if (body == NULL || s == NULL || (s->connector = kc_strdup(name)) == NULL ||
        (s->body = kc_strdup(body)) == NULL) {
        free(body);
        if (s != NULL) {
            submit_free(s);
        }
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    free(body);
    /* A newer set replaces one still waiting for the same connector. */
    for (struct group_submit **pp = &g->submits; *pp != NULL; pp = &(*pp)->next) {
        if (strcmp((*pp)->connector, name) == 0) {
            struct group_submit *old = *pp;
            *pp = old->next;
            submit_free(old);
            break;
        }
    }
    s->backoff_ms = GROUP_SUBMIT_BACKOFF_MS;
    s->next_ms = kc_now_ms();
    s->next = g->submits;
    g->submits = s;
    kc_log(KC_LOG_INFO, "group", "Sending %d task configs of connector %s to the leader", n, name);
    return KC_OK;
}

static void submit_duty(struct herder *h)
{
    struct herder_group *g = h->group;
    struct group_submit **pp = &g->submits;
    while (*pp != NULL) {
        struct group_submit *s = *pp;
        if (!has_conn(g, s->connector)) {
            *pp = s->next; /* no longer ours: its new owner generates them */
            submit_free(s);
            continue;
        }
        if (kc_now_ms() < s->next_ms) {
            pp = &s->next;
            continue;
        }
        struct kc_error err = {0};
        if (submit_once(h, s, &err) == KC_OK) {
            *pp = s->next;
            submit_free(s);
            continue;
        }
        kc_log(KC_LOG_WARN, "group", "Could not send task configs of %s to the leader: %s",
               s->connector, err.msg);
        s->next_ms = kc_now_ms() + s->backoff_ms;
        s->backoff_ms = s->backoff_ms * 2 > GROUP_SUBMIT_BACKOFF_MAX_MS
                            ? GROUP_SUBMIT_BACKOFF_MAX_MS
                            : s->backoff_ms * 2;
        pp = &s->next;
    }
}

/* ------------------------------------------------------------------ the herder's tick */

void herder_group_tick(struct herder *h, int config_changed)
{
    struct herder_group *g = h->group;
    if (g == NULL) {
        return;
    }
    atomic_store(&g->config_offset, herder_store_config_offset(h->store));
    if (config_changed && refresh_snapshot(h)) {
        /* The JVM's needsReconfigRebalance: until the new assignment, writes wait (and past
         * the wait get its 409 "stale configuration"), so none is decided on the old one. */
        kc_log(KC_LOG_INFO, "group", "Connectors or task counts changed: rebalancing");
        pthread_mutex_lock(&g->mu);
        g->assigned = 0;
        pthread_mutex_unlock(&g->mu);
        member_rejoin(g);
    }
    session_key_duty(h);
    if (g->submits != NULL) {
        submit_duty(h);
    }
    if (g->revoke_wait != NULL && h->stopping == NULL) {
        while (g->revoke_wait != NULL) {
            struct herder_op *op = g->revoke_wait;
            g->revoke_wait = op->next;
            op->next = NULL;
            op->rc = KC_OK;
            herder_reply(op);
        }
    }
}

int herder_group_is_leader(const struct herder *h)
{
    struct herder_group *g = h->group;
    if (g == NULL) {
        return 1;
    }
    /* the leader of the last assignment, even while the next rebalance is expected */
    pthread_mutex_lock(&g->mu);
    int l = g->is_leader;
    pthread_mutex_unlock(&g->mu);
    return l;
}

/* ------------------------------------------------------------------ REST's view */

int herder_request_target(struct herder *h, int forward, char **url, struct kc_error *err)
{
    struct herder_group *g = h->group;
    *url = NULL;
    if (g == NULL) {
        return 0;
    }
    /* A request that arrives mid-rebalance waits for it, as it waits on the JVM's herder tick
     * (bounded: then the JVM's 409). */
    int64_t deadline = kc_now_ms() + 10000;
    for (;;) {
        int rebalancing = member_rebalancing(g); /* never under g->mu: see herder_group_stop */
        pthread_mutex_lock(&g->mu);
        int assigned = g->assigned && !rebalancing;
        int leader = g->is_leader;
        char *lu = g->leader_url != NULL ? kc_strdup(g->leader_url) : NULL;
        pthread_mutex_unlock(&g->mu);
        if (assigned && leader) {
            kc_free(lu);
            return 0;
        }
        if (assigned) {
            if (forward == 0) {
                kc_free(lu);
                return kc_error_set(err, KC_RETRY,
                                    "Cannot complete request because of a conflicting operation "
                                    "(e.g. worker rebalance)");
            }
            if (lu == NULL) {
                return kc_error_set(err, KC_RETRY,
                                    "Cannot complete request momentarily due to no known leader "
                                    "URL, likely because a rebalance was underway.");
            }
            *url = lu;
            return KC_OK;
        }
        kc_free(lu);
        if (kc_now_ms() >= deadline || atomic_load(&h->closing)) {
            return kc_error_set(err, KC_RETRY,
                                "Cannot complete request momentarily due to stale configuration "
                                "(typically caused by a concurrent config change)");
        }
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* ------------------------------------------------------------------ lifecycle */

int herder_group_new(struct herder *h, struct kc_error *err)
{
    struct herder_group *g = kc_calloc(1, sizeof(*g));
    if (g == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&g->mu, NULL);
    pthread_rwlock_init(&g->member_lock, NULL);
    g->key_created_ms = -1;
    g->snap_offset = -1;
    g->changed_offset = -1;
    g->rebalance_ms = kc_now_ms();
    atomic_store(&g->config_offset, -1);
    h->group = g;
    g->url = kc_asprintf("http://%s/", h->worker_id);
    if (g->url == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    return KC_OK;
}

int herder_set_rest_client(struct herder *h, const char *advertised_url,
                           const struct conf_client_tls *tls)
{
    h->client_tls = tls;
    if (advertised_url == NULL || h->group == NULL) {
        return KC_OK;
    }
    char *u = kc_strdup(advertised_url);
    if (u == NULL) {
        return KC_ENOMEM;
    }
    kc_free(h->group->url);
    h->group->url = u;
    return KC_OK;
}

int herder_group_start(struct herder *h, struct kc_error *err)
{
    struct herder_group *g = h->group;
    atomic_store(&g->config_offset, herder_store_config_offset(h->store));
    refresh_snapshot(h);
    struct group_member_conf conf = {.worker_props = &h->wc->props, .url = g->url};
    struct group_callbacks cb = {
        .ctx = h,
        .config_offset = cb_config_offset,
        .snapshot = cb_snapshot,
        .snapshot_free = cb_snapshot_free,
        .on_revoke = cb_on_revoke,
        .on_assign = cb_on_assign,
        .on_lost = cb_on_lost,
    };
    pthread_rwlock_wrlock(&g->member_lock);
    int rc = group_member_start(&conf, &cb, &g->member, err);
    pthread_rwlock_unlock(&g->member_lock);
    return rc;
}

void herder_group_stop(struct herder *h)
{
    struct herder_group *g = h->group;
    if (g == NULL) {
        return;
    }
    /* A callback waiting for the herder gives up, so the member thread can leave and end;
     * herder and REST threads that want the member wait for the lock, then find none. */
    atomic_store(&g->stopping, 1);
    pthread_rwlock_wrlock(&g->member_lock);
    struct group_member *m = g->member;
    g->member = NULL;
    group_member_stop(m); /* LeaveGroup, join its thread */
    pthread_rwlock_unlock(&g->member_lock);
}

void herder_group_free(struct herder *h)
{
    struct herder_group *g = h->group;
    if (g == NULL) {
        return;
    }
    herder_group_stop(h);
    while (g->revoke_wait != NULL) {
        struct herder_op *op = g->revoke_wait;
        g->revoke_wait = op->next;
        herder_reply(op);
    }
    while (g->submits != NULL) {
        struct group_submit *s = g->submits;
        g->submits = s->next;
        submit_free(s);
    }
    clear_assignment(g);
    for (size_t i = 0; i < g->snap_n; i++) {
        kc_free(g->snap_names[i]);
    }
    kc_free(g->snap_names);
    kc_free(g->snap_counts);
    kc_free(g->leader_url);
    kc_free(g->key);
    kc_free(g->url);
    pthread_mutex_destroy(&g->mu);
    pthread_rwlock_destroy(&g->member_lock);
    kc_free(g);
    h->group = NULL;
}

/* ------------------------------------------------------------------ POST /connectors/{c}/tasks */

int herder_group_put_tasks_op(struct herder *h, struct herder_op *op)
{
    struct kc_error *err = &op->err;
    if (herder_store_config(h->store, op->name) == NULL) {
        return op->rc = kc_error_set(err, KC_ENOENT, "Connector %s not found", op->name);
    }
    if (!herder_group_is_leader(h)) {
        return op->rc = kc_error_set(err, KC_RETRY,
                                     "Cannot complete request because of a conflicting "
                                     "operation (e.g. worker rebalance)");
    }
    if (op->n_tasks > 0 && herder_store_target(h->store, op->name) == HERDER_TARGET_STOPPED) {
        return op->rc = kc_error_set(err, KC_EINVAL,
                                     "Cannot submit non-empty set of task configs for stopped "
                                     "connector %s",
                                     op->name);
    }
    int same = herder_store_task_count(h->store, op->name) == op->n_tasks;
    for (int i = 0; same && i < op->n_tasks; i++) {
        const struct kc_strmap *cur = herder_store_task_config(h->store, op->name, i);
        same = cur != NULL && kc_strmap_equal(cur, &op->tasks[i]);
    }
    if (same) {
        return op->rc = KC_OK;
    }
    kc_log(KC_LOG_INFO, "group", "Writing %d task configs for connector %s (from its owner)",
           op->n_tasks, op->name);
    op->rc = herder_store_put_tasks(h->store, op->name, op->tasks, op->n_tasks, err);
    h->reconcile_needed = 1;
    return op->rc;
}

int herder_task_configs_put(struct herder *h, const char *name, const struct kc_strmap *tasks,
                            int n, struct kc_error *err)
{
    struct herder_op *op = kc_calloc(1, sizeof(*op));
    struct kc_queue *reply = kc_queue_new();
    int rc = KC_ENOMEM;
    if (op == NULL || reply == NULL || (op->name = kc_strdup(name)) == NULL ||
        (n > 0 && (op->tasks = kc_calloc((size_t)n, sizeof(*op->tasks))) == NULL)) {
        goto oom;
    }
    op->type = HERDER_OP_PUT_TASKS;
    for (int i = 0; i < n; i++) {
        kc_strmap_init(&op->tasks[i]);
        op->n_tasks = i + 1;
        for (size_t k = 0; k < tasks[i].n; k++) {
            if (kc_strmap_set(&op->tasks[i], tasks[i].e[k].key, tasks[i].e[k].value) != KC_OK) {
                goto oom;
            }
        }
    }
    op->reply = kc_queue_ref(reply);
    if (kc_queue_push(h->q, op) != KC_OK) {
        goto oom;
    }
    op = NULL;
    struct herder_op *r = NULL;
    int64_t deadline = kc_now_ms() + HERDER_REQUEST_TIMEOUT_MS;
    while (r == NULL && !atomic_load(&h->closing) && kc_now_ms() < deadline) {
        r = kc_queue_pop(reply, 250);
    }
    kc_queue_unref(reply, herder_op_free);
    if (r == NULL) {
        return kc_error_set(err, KC_EIO, "Request timed out");
    }
    rc = r->rc;
    if (err != NULL) {
        *err = r->err;
        err->rc = rc;
    }
    herder_op_free(r);
    return rc;
oom:
    herder_op_free(op);
    kc_queue_unref(reply, NULL);
    (void)rc;
    return kc_error_set(err, KC_ENOMEM, "out of memory");
}
