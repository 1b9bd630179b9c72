/*
 * worker/group_assign.c: the leader's assignors, see group_assign.h. Work is a set of items
 * (connector, task) where task -1 stands for the connector itself; connectors and tasks are
 * balanced separately, as the JVM's EagerAssignor and IncrementalCooperativeAssignor do.
 */
#include "group_assign.h"

#include <stdlib.h>
#include <string.h>

#include "kc_alloc.h"

#define CONN GROUP_CONNECT_CONNECTOR_TASK

struct item {
    const char *c; /* borrowed */
    int t;
};

struct set {
    struct item *a;
    size_t n, cap;
};

static int set_add(struct set *s, const char *c, int t)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        struct item *a = kc_realloc(s->a, cap * sizeof(*a));
        if (!a)
            return KC_ENOMEM;
        s->a = a;
        s->cap = cap;
    }
    s->a[s->n].c = c;
    s->a[s->n].t = t;
    s->n++;
    return KC_OK;
}

static long set_find(const struct set *s, const char *c, int t)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->a[i].t == t && strcmp(s->a[i].c, c) == 0)
            return (long)i;
    return -1;
}

static int set_has(const struct set *s, struct item it)
{
    return set_find(s, it.c, it.t) >= 0;
}

static void set_free(struct set *s)
{
    kc_free(s->a);
    memset(s, 0, sizeof(*s));
}

static size_t set_count(const struct set *s, int conns)
{
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++)
        k += (s->a[i].t == CONN) == conns;
    return k;
}

static int item_cmp(const void *pa, const void *pb)
{
    const struct item *a = pa, *b = pb;
    int c = strcmp(a->c, b->c);
    return c ? c : (a->t > b->t) - (a->t < b->t);
}

static void set_sort(struct set *s)
{
    if (s->n > 1)
        qsort(s->a, s->n, sizeof(*s->a), item_cmp);
}

static int add_owned(struct set *s, const struct connect_assignment *a)
{
    int rc = KC_OK;
    for (size_t i = 0; a && i < a->n_connectors && rc == KC_OK; i++)
        rc = set_add(s, a->connectors[i], CONN);
    for (size_t i = 0; a && i < a->n_tasks && rc == KC_OK; i++)
        rc = set_add(s, a->tasks[i].connector, a->tasks[i].task);
    return rc;
}

static int configured_items(const struct group_snapshot *snap, struct set *s)
{
    int rc = KC_OK;
    for (size_t i = 0; i < snap->n_connectors && rc == KC_OK; i++) {
        rc = set_add(s, snap->connectors[i], CONN);
        for (int t = 0; snap->task_counts && t < snap->task_counts[i] && rc == KC_OK; t++)
            rc = set_add(s, snap->connectors[i], t);
    }
    return rc;
}

/* Fill the lists of a (connectors / tasks, or the revoked ones) from a set. */
static int to_lists(const struct set *s, char ***conns, size_t *n_conns,
                    struct connect_task_id **tasks, size_t *n_tasks)
{
    size_t nt = set_count(s, 0);
    if (nt) {
        *tasks = kc_calloc(nt, sizeof(**tasks));
        if (!*tasks)
            return KC_ENOMEM;
    }
    for (size_t i = 0; i < s->n; i++) {
        if (s->a[i].t == CONN) {
            if (kc_strv_push(conns, n_conns, s->a[i].c) != KC_OK)
                return KC_ENOMEM;
        } else {
            struct connect_task_id *t = &(*tasks)[(*n_tasks)];
            t->connector = kc_strdup(s->a[i].c);
            if (!t->connector)
                return KC_ENOMEM;
            t->task = s->a[i].t;
            (*n_tasks)++;
        }
    }
    return KC_OK;
}

static int fill(struct connect_assignment *a, const struct group_assign_input *in, int16_t error,
                int64_t offset, const struct set *assigned, const struct set *revoked,
                int32_t delay)
{
    const char *url = "";
    for (size_t i = 0; i < in->n_members; i++)
        if (strcmp(in->members[i].id, in->leader_id) == 0 && in->members[i].url)
            url = in->members[i].url;
    memset(a, 0, sizeof(*a));
    a->version = (int16_t)in->version;
    a->error = error;
    a->config_offset = offset;
    a->delay_ms = in->version >= 1 ? delay : 0;
    a->leader = kc_strdup(in->leader_id);
    a->leader_url = kc_strdup(url);
    if (!a->leader || !a->leader_url)
        return KC_ENOMEM;
    if (assigned && to_lists(assigned, &a->connectors, &a->n_connectors, &a->tasks, &a->n_tasks))
        return KC_ENOMEM;
    if (revoked && in->version >= 1 &&
        to_lists(revoked, &a->revoked_connectors, &a->n_revoked_connectors, &a->revoked_tasks,
                 &a->n_revoked_tasks))
        return KC_ENOMEM;
    return KC_OK;
}

/* Member indexes sorted by id. */
static size_t *sorted_members(const struct group_assign_input *in)
{
    size_t *ix = kc_calloc(in->n_members + 1, sizeof(*ix));
    if (!ix)
        return NULL;
    for (size_t i = 0; i < in->n_members; i++)
        ix[i] = i;
    for (size_t i = 1; i < in->n_members; i++) /* insertion sort: groups are small */
        for (size_t j = i; j > 0 && strcmp(in->members[ix[j - 1]].id, in->members[ix[j]].id) > 0;
             j--) {
            size_t t = ix[j];
            ix[j] = ix[j - 1];
            ix[j - 1] = t;
        }
    return ix;
}

/* ---- eager ---- */

static int assign_eager(const struct group_assign_input *in, struct connect_assignment *out)
{
    size_t n = in->n_members;
    struct set conf = {0};
    struct set *per = kc_calloc(n, sizeof(*per));
    size_t *ix = sorted_members(in);
    int rc = per && ix ? configured_items(in->snap, &conf) : KC_ENOMEM;
    if (rc == KC_OK) {
        set_sort(&conf);
        size_t k = 0; /* one circular iterator: connectors, then tasks */
        for (int pass = 0; pass < 2 && rc == KC_OK; pass++)
            for (size_t i = 0; i < conf.n && rc == KC_OK; i++)
                if ((conf.a[i].t == CONN) == (pass == 0))
                    rc = set_add(&per[ix[k++ % n]], conf.a[i].c, conf.a[i].t);
    }
    for (size_t i = 0; i < n && rc == KC_OK; i++)
        rc = fill(&out[i], in, GROUP_CONNECT_ERR_NONE, in->snap->config_offset, &per[i], NULL, 0);
    for (size_t i = 0; per && i < n; i++)
        set_free(&per[i]);
    kc_free(per);
    kc_free(ix);
    set_free(&conf);
    return rc;
}

/* ---- incremental cooperative ---- */

struct coop {
    const struct group_assign_input *in;
    struct group_assign_state *st;
    size_t n;
    struct set conf, prev, active, lost, created;
    struct set *held, *cur, *add, *rev;
    int32_t delay;
};

static size_t load(const struct coop *k, size_t i, int conns)
{
    return set_count(&k->cur[i], conns) + set_count(&k->add[i], conns);
}

static int member_present(const struct coop *k, const char *id, size_t *at)
{
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->in->members[i].id, id) == 0) {
            *at = i;
            return 1;
        }
    return 0;
}

static void clear_schedule(struct group_assign_state *st)
{
    st->scheduled_at_ms = 0;
    for (size_t i = 0; i < st->n_candidates; i++)
        kc_free(st->candidates[i]);
    kc_free(st->candidates);
    st->candidates = NULL;
    st->n_candidates = 0;
}

/* Lost work (its owner vanished): wait for scheduled.rebalance.max.delay.ms, then give it to
 * members that joined empty meanwhile, else treat it as new. Returns 1 while it waits. */
static int handle_lost(struct coop *k, int *rc)
{
    struct group_assign_state *st = k->st;
    const struct group_assign_input *in = k->in;
    if (st->scheduled_at_ms > 0 && in->now_ms >= st->scheduled_at_ms) {
        size_t *cand = kc_calloc(st->n_candidates + 1, sizeof(*cand)), nc = 0;
        if (!cand) {
            *rc = KC_ENOMEM;
            return 0;
        }
        for (size_t i = 0; i < st->n_candidates; i++)
            if (member_present(k, st->candidates[i], &cand[nc]))
                nc++;
        for (size_t i = 0; i < k->lost.n && *rc == KC_OK; i++)
            *rc = nc ? set_add(&k->add[cand[i % nc]], k->lost.a[i].c, k->lost.a[i].t)
                     : set_add(&k->created, k->lost.a[i].c, k->lost.a[i].t);
        kc_free(cand);
        clear_schedule(st);
        return 0;
    }
    if (k->lost.n == 0) {
        clear_schedule(st);
        return 0;
    }
    if (in->max_delay_ms <= 0) {
        for (size_t i = 0; i < k->lost.n && *rc == KC_OK; i++)
            *rc = set_add(&k->created, k->lost.a[i].c, k->lost.a[i].t);
        return 0;
    }
    if (st->scheduled_at_ms == 0)
        st->scheduled_at_ms = in->now_ms + in->max_delay_ms;
    for (size_t i = 0; i < k->n && *rc == KC_OK; i++) {
        if (k->held[i].n > 0)
            continue;
        size_t j = 0;
        while (j < st->n_candidates && strcmp(st->candidates[j], in->members[i].id) != 0)
            j++;
        if (j == st->n_candidates)
            *rc = kc_strv_push(&st->candidates, &st->n_candidates, in->members[i].id);
    }
    k->delay = (int32_t)(st->scheduled_at_ms - in->now_ms);
    return 1;
}

/* Give each created item to the least-loaded member (ties by member id), connectors and tasks
 * balanced separately. */
static int assign_created(struct coop *k, const size_t *ix)
{
    set_sort(&k->created);
    for (size_t i = 0; i < k->created.n; i++) {
        int conns = k->created.a[i].t == CONN;
        size_t best = ix[0];
        for (size_t j = 1; j < k->n; j++)
            if (load(k, ix[j], conns) < load(k, best, conns))
                best = ix[j];
        if (set_add(&k->add[best], k->created.a[i].c, k->created.a[i].t) != KC_OK)
            return KC_ENOMEM;
    }
    return KC_OK;
}

/* Revoke the surplus above floor(total/n) (+1 for total mod n members). Returns the number of
 * items revoked (or would revoke when dry). */
static size_t balance(struct coop *k, const size_t *ix, int dry, int *rc)
{
    size_t revoked = 0;
    for (int conns = 1; conns >= 0; conns--) {
        size_t total = 0;
        for (size_t i = 0; i < k->n; i++)
            total += load(k, i, conns);
        size_t floor_ = total / k->n, extra = total % k->n;
        /* the `extra` most loaded members (ties by id) may keep one more */
        size_t *order = kc_calloc(k->n, sizeof(*order));
        if (!order) {
            *rc = KC_ENOMEM;
            return revoked;
        }
        memcpy(order, ix, k->n * sizeof(*order));
        for (size_t i = 1; i < k->n; i++)
            for (size_t j = i; j > 0 && load(k, order[j - 1], conns) < load(k, order[j], conns);
                 j--) {
                size_t t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
        for (size_t r = 0; r < k->n && *rc == KC_OK; r++) {
            size_t i = order[r], allowed = floor_ + (r < extra);
            size_t have = load(k, i, conns);
            set_sort(&k->cur[i]);
            while (have > allowed && *rc == KC_OK) {
                size_t at = k->cur[i].n; /* revoke from the end of what it ran before */
                while (at > 0 && (k->cur[i].a[at - 1].t == CONN) != conns)
                    at--;
                if (at == 0)
                    break;
                revoked++;
                have--;
                if (!dry) {
                    struct item it = k->cur[i].a[at - 1];
                    *rc = set_add(&k->rev[i], it.c, it.t);
                    memmove(&k->cur[i].a[at - 1], &k->cur[i].a[at],
                            (k->cur[i].n - at) * sizeof(struct item));
                    k->cur[i].n--;
                }
            }
        }
        kc_free(order);
    }
    return revoked;
}

static int64_t pow40(int k)
{
    int64_t d = 1;
    for (int i = 0; i < k && d < INT64_MAX / 40; i++)
        d *= 40;
    return d;
}

static int remember(struct coop *k, int lost_pending)
{
    struct group_assign_state *st = k->st;
    for (size_t i = 0; i < st->n_prev; i++)
        kc_free(st->prev[i].connector);
    kc_free(st->prev);
    st->prev = NULL;
    st->n_prev = 0;
    size_t total = lost_pending ? k->lost.n : 0;
    for (size_t i = 0; i < k->n; i++)
        total += k->cur[i].n + k->add[i].n;
    st->prev = kc_calloc(total + 1, sizeof(*st->prev));
    if (!st->prev)
        return KC_ENOMEM;
    for (size_t i = 0; i <= k->n; i++) {
        const struct set *parts[2] = {i < k->n ? &k->cur[i] : &k->lost, i < k->n ? &k->add[i] : NULL};
        if (i == k->n && !lost_pending)
            break;
        for (int p = 0; p < 2; p++)
            for (size_t j = 0; parts[p] && j < parts[p]->n; j++) {
                st->prev[st->n_prev].connector = kc_strdup(parts[p]->a[j].c);
                st->prev[st->n_prev].task = parts[p]->a[j].t;
                if (!st->prev[st->n_prev].connector)
                    return KC_ENOMEM;
                st->n_prev++;
            }
    }
    st->prev_generation = k->in->generation;
    return KC_OK;
}

static int coop_compute(struct coop *k, const size_t *ix)
{
    const struct group_assign_input *in = k->in;
    struct group_assign_state *st = k->st;
    int rc = configured_items(in->snap, &k->conf);
    /* a round computed elsewhere (another leader) since ours: our memory is stale */
    int keep_prev = st->prev_generation >= 0 && st->prev_generation == in->last_completed_generation;
    for (size_t i = 0; keep_prev && i < st->n_prev && rc == KC_OK; i++)
        rc = set_add(&k->prev, st->prev[i].connector, st->prev[i].task);
    for (size_t i = 0; i < k->n && rc == KC_OK; i++)
        rc = add_owned(&k->held[i], in->members[i].owned);
    /* deleted (no longer configured) and duplicated (held twice) work is revoked from holders */
    for (size_t i = 0; i < k->n && rc == KC_OK; i++)
        for (size_t j = 0; j < k->held[i].n && rc == KC_OK; j++) {
            struct item it = k->held[i].a[j];
            int dup = 0;
            for (size_t o = 0; o < k->n && !dup; o++)
                dup = o != i && set_has(&k->held[o], it);
            if (set_has(&k->rev[i], it))
                continue;
            if (!set_has(&k->conf, it) || dup)
                rc = set_add(&k->rev[i], it.c, it.t);
            else
                rc = set_add(&k->cur[i], it.c, it.t);
            if (rc == KC_OK && !set_has(&k->active, it))
                rc = set_add(&k->active, it.c, it.t);
        }
    for (size_t i = 0; i < k->conf.n && rc == KC_OK; i++) {
        struct item it = k->conf.a[i];
        if (set_has(&k->active, it))
            continue;
        rc = set_has(&k->prev, it) ? set_add(&k->lost, it.c, it.t) : set_add(&k->created, it.c, it.t);
    }
    if (rc != KC_OK)
        return rc;
    int waiting = handle_lost(k, &rc);
    if (rc == KC_OK)
        rc = assign_created(k, ix);
    size_t already = 0;
    for (size_t i = 0; i < k->n; i++)
        already += k->rev[i].n;
    if (rc == KC_OK && !waiting && already == 0) {
        if (balance(k, ix, 1, &rc) == 0) {
            st->revoking_rounds = 0;
        } else if (st->revoking_rounds > 0 && in->now_ms < st->next_revoke_at_ms) {
            k->delay = (int32_t)(st->next_revoke_at_ms - in->now_ms);
        } else {
            balance(k, ix, 0, &rc);
            st->revoking_rounds++;
            int64_t d = pow40(st->revoking_rounds);
            st->next_revoke_at_ms = in->now_ms + (d < in->max_delay_ms ? d : in->max_delay_ms);
        }
    }
    if (rc == KC_OK)
        rc = remember(k, waiting);
    return rc;
}

static int assign_cooperative(struct group_assign_state *st, const struct group_assign_input *in,
                              struct connect_assignment *out)
{
    struct coop k = {.in = in, .st = st, .n = in->n_members};
    k.held = kc_calloc(k.n, sizeof(struct set));
    k.cur = kc_calloc(k.n, sizeof(struct set));
    k.add = kc_calloc(k.n, sizeof(struct set));
    k.rev = kc_calloc(k.n, sizeof(struct set));
    size_t *ix = sorted_members(in);
    int rc = k.held && k.cur && k.add && k.rev && ix ? coop_compute(&k, ix) : KC_ENOMEM;
    for (size_t i = 0; i < k.n && rc == KC_OK; i++) {
        set_sort(&k.add[i]);
        set_sort(&k.rev[i]);
        rc = fill(&out[i], in, GROUP_CONNECT_ERR_NONE, in->snap->config_offset, &k.add[i],
                  &k.rev[i], k.delay);
    }
    for (size_t i = 0; i < k.n; i++) {
        if (k.held)
            set_free(&k.held[i]);
        if (k.cur)
            set_free(&k.cur[i]);
        if (k.add)
            set_free(&k.add[i]);
        if (k.rev)
            set_free(&k.rev[i]);
    }
    kc_free(k.held);
    kc_free(k.cur);
    kc_free(k.add);
    kc_free(k.rev);
    set_free(&k.conf);
    set_free(&k.prev);
    set_free(&k.active);
    set_free(&k.lost);
    set_free(&k.created);
    kc_free(ix);
    return rc;
}

/* ---- entry ---- */

void group_assign_state_init(struct group_assign_state *st)
{
    memset(st, 0, sizeof(*st));
    st->prev_generation = -1;
}

void group_assign_state_fini(struct group_assign_state *st)
{
    for (size_t i = 0; i < st->n_prev; i++)
        kc_free(st->prev[i].connector);
    kc_free(st->prev);
    clear_schedule(st);
    group_assign_state_init(st);
}

int group_assign_run(struct group_assign_state *st, const struct group_assign_input *in,
                     struct connect_assignment *out, struct kc_error *err)
{
    if (in->n_members == 0)
        return kc_error_set(err, KC_EINVAL, "no members to assign to");
    memset(out, 0, in->n_members * sizeof(*out));
    int64_t max_offset = in->snap->config_offset;
    for (size_t i = 0; i < in->n_members; i++)
        if (in->members[i].config_offset > max_offset)
            max_offset = in->members[i].config_offset;
    int rc;
    if (max_offset > in->snap->config_offset) {
        rc = KC_OK;
        for (size_t i = 0; i < in->n_members && rc == KC_OK; i++)
            rc = fill(&out[i], in, GROUP_CONNECT_ERR_CONFIG_MISMATCH, max_offset, NULL, NULL, 0);
    } else if (in->version == GROUP_CONNECT_EAGER) {
        rc = assign_eager(in, out);
    } else {
        rc = assign_cooperative(st, in, out);
    }
    if (rc != KC_OK) {
        for (size_t i = 0; i < in->n_members; i++)
            group_connect_assignment_fini(&out[i]);
        return kc_error_set(err, rc, "cannot compute the group assignment");
    }
    return KC_OK;
}
