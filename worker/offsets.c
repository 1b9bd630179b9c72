/*
 * worker/offsets.c: per-partition positions, pause bits and the byte budget of one sink task
 * (see offsets.h). Partitions live in a plain array: a task owns at most a few thousand, and
 * records of one batch mostly come from one partition, so the lookup remembers the last hit.
 */
#include "offsets.h"

#include <stdio.h>
#include <string.h>

#include "kc_alloc.h"

void offsets_init(struct offsets *o)
{
    memset(o, 0, sizeof(*o));
}

static void part_fini(struct offsets_part *p)
{
    kc_free(p->topic);
    kc_free(p->durable_md);
    kc_free(p->committed_md);
}

void offsets_fini(struct offsets *o)
{
    for (size_t i = 0; i < o->n; i++) {
        part_fini(&o->p[i]);
    }
    kc_free(o->p);
    memset(o, 0, sizeof(*o));
}

struct offsets_part *offsets_find(struct offsets *o, const char *topic, int32_t partition)
{
    if (o->last < o->n && o->p[o->last].partition == partition &&
        strcmp(o->p[o->last].topic, topic) == 0) {
        return &o->p[o->last];
    }
    for (size_t i = 0; i < o->n; i++) {
        if (o->p[i].partition == partition && strcmp(o->p[i].topic, topic) == 0) {
            o->last = i;
            return &o->p[i];
        }
    }
    return NULL;
}

static int md_set(char **dst, const char *md)
{
    char *c = NULL;
    if (md != NULL && (c = kc_strdup(md)) == NULL) {
        return KC_ENOMEM;
    }
    kc_free(*dst);
    *dst = c;
    return KC_OK;
}

static int md_equal(const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        return a == b;
    }
    return strcmp(a, b) == 0;
}

int offsets_assign(struct offsets *o, const char *topic, int32_t partition, int64_t committed,
                   const char *metadata)
{
    struct offsets_part *p = offsets_find(o, topic, partition);
    if (p == NULL) {
        if (o->n == o->cap) {
            size_t cap = o->cap ? o->cap * 2 : 8;
            struct offsets_part *np = kc_realloc(o->p, cap * sizeof(*np));
            if (np == NULL) {
                return KC_ENOMEM;
            }
            o->p = np;
            o->cap = cap;
        }
        p = &o->p[o->n];
        memset(p, 0, sizeof(*p));
        if ((p->topic = kc_strdup(topic)) == NULL) {
            return KC_ENOMEM;
        }
        p->partition = partition;
        p->consumed = OFFSETS_NONE;
        p->durable = OFFSETS_NONE;
        p->rewind = OFFSETS_NONE;
        p->committed = OFFSETS_NONE;
        o->n++;
    }
    p->sent = OFFSETS_NONE;
    if (md_set(&p->committed_md, metadata) != KC_OK) {
        return KC_ENOMEM;
    }
    p->committed = committed < 0 ? OFFSETS_NONE : committed;
    return KC_OK;
}

void offsets_revoke(struct offsets *o, const char *topic, int32_t partition)
{
    struct offsets_part *p = offsets_find(o, topic, partition);
    if (p == NULL) {
        return;
    }
    part_fini(p);
    size_t i = (size_t)(p - o->p);
    memmove(&o->p[i], &o->p[i + 1], (o->n - i - 1) * sizeof(*p));
    o->n--;
    o->last = 0;
}

void offsets_mark_consumed(struct offsets *o, const char *topic, int32_t partition,
                           int64_t offset)
{
    struct offsets_part *p = offsets_find(o, topic, partition);
    if (p != NULL && offset + 1 > p->consumed) {
        p->consumed = offset + 1;
    }
}

static int in_list(const struct tp_list *only, const struct offsets_part *p)
{
    if (only == NULL) {
        return 1;
    }
    for (size_t i = 0; i < only->n; i++) {
        if (only->tp[i].partition == p->partition && strcmp(only->tp[i].topic, p->topic) == 0) {
            return 1;
        }
    }
    return 0;
}

size_t offsets_consumed_list(const struct offsets *o, const struct tp_list *only,
                             struct sink_offset *out)
{
    size_t k = 0;
    for (size_t i = 0; i < o->n; i++) {
        const struct offsets_part *p = &o->p[i];
        if (p->consumed != OFFSETS_NONE && in_list(only, p)) {
            out[k++] = (struct sink_offset){p->topic, p->partition, p->consumed, NULL};
        }
    }
    return k;
}

int offsets_set_durable(struct offsets *o, const struct sink_offset *durable, size_t n,
                        const char *sink_name, struct kc_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const struct sink_offset *d = &durable[i];
        struct offsets_part *p = d->topic != NULL ? offsets_find(o, d->topic, d->partition)
                                                  : NULL;
        if (p == NULL || d->offset < 0) {
            continue;
        }
        if (p->consumed == OFFSETS_NONE || d->offset > p->consumed) {
            return kc_error_set(err, KC_EINVAL,
                                "Sink %s returned offset %lld for %s-%d from preCommit, past "
                                "the %lld records it was given: refusing to commit records it "
                                "never received",
                                sink_name, (long long)d->offset, p->topic, (int)p->partition,
                                (long long)(p->consumed == OFFSETS_NONE ? 0 : p->consumed));
        }
        if (d->offset < p->durable || (p->committed != OFFSETS_NONE && d->offset < p->committed)) {
            continue; /* never backwards */
        }
        if (md_set(&p->durable_md, d->metadata) != KC_OK) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        p->durable = d->offset;
    }
    return KC_OK;
}

void offsets_all_durable(struct offsets *o, const struct tp_list *only)
{
    for (size_t i = 0; i < o->n; i++) {
        struct offsets_part *p = &o->p[i];
        if (p->consumed != OFFSETS_NONE && p->consumed > p->durable && in_list(only, p)) {
            p->durable = p->consumed;
            kc_free(p->durable_md);
            p->durable_md = NULL;
        }
    }
}

static int needs_commit(const struct offsets_part *p)
{
    if (p->durable == OFFSETS_NONE) {
        return 0;
    }
    if (p->committed == OFFSETS_NONE || p->durable > p->committed) {
        return 1;
    }
    return p->durable == p->committed && !md_equal(p->durable_md, p->committed_md);
}

size_t offsets_commit_list(const struct offsets *o, const struct tp_list *only, int async,
                           struct sink_offset *out)
{
    size_t k = 0;
    for (size_t i = 0; i < o->n; i++) {
        const struct offsets_part *p = &o->p[i];
        if (async && p->sent != OFFSETS_NONE && p->sent >= p->durable) {
            continue;
        }
        if (needs_commit(p) && in_list(only, p)) {
            out[k++] = (struct sink_offset){p->topic, p->partition, p->durable, p->durable_md};
        }
    }
    return k;
}

int offsets_ask_sink(struct offsets *o, const struct sink_connector_ops *ops,
                     struct sink_task *st, const struct tp_list *only, int async,
                     struct sink_offset **commit, size_t *n_commit, struct kc_error *err)
{
    size_t cap = o->n + 1, n, nd = 0;
    struct sink_offset *consumed = kc_calloc(cap, sizeof(*consumed));
    struct sink_offset *durable = kc_calloc(cap, sizeof(*durable));
    int rc = KC_OK;
    *commit = NULL;
    *n_commit = 0;
    if (consumed == NULL || durable == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory committing offsets");
        goto out;
    }
    n = offsets_consumed_list(o, only, consumed);
    if ((rc = sink_call_pre_commit(ops, st, consumed, n, durable, &nd, err)) != KC_OK) {
        goto out;
    }
    if (nd > n) {
        rc = kc_error_set(err, KC_EINVAL, "Sink %s returned %zu offsets from preCommit for %zu "
                          "partitions", ops->name, nd, n);
        goto out;
    }
    if ((rc = offsets_set_durable(o, durable, nd, ops->name, err)) != KC_OK) {
        goto out;
    }
    *n_commit = offsets_commit_list(o, only, async, consumed);
    *commit = consumed;
    consumed = NULL;
out:
    kc_free(consumed);
    kc_free(durable);
    return rc;
}

int offsets_committed(struct offsets *o, const struct sink_offset *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct offsets_part *p = offsets_find(o, c[i].topic, c[i].partition);
        if (p == NULL || (p->committed != OFFSETS_NONE && c[i].offset < p->committed)) {
            continue;
        }
        if (md_set(&p->committed_md, c[i].metadata) != KC_OK) {
            return KC_ENOMEM;
        }
        p->committed = c[i].offset;
        if (p->sent != OFFSETS_NONE && p->sent <= p->committed) {
            p->sent = OFFSETS_NONE;
        }
    }
    return KC_OK;
}

void offsets_commit_sent(struct offsets *o, const struct sink_offset *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct offsets_part *p = offsets_find(o, c[i].topic, c[i].partition);
        if (p != NULL && (p->sent == OFFSETS_NONE || c[i].offset > p->sent)) {
            p->sent = c[i].offset;
        }
    }
}

int offsets_commit_answered(struct offsets *o, const char *topic, int32_t partition,
                            int64_t offset, const char *md, size_t md_len, int ok)
{
    struct offsets_part *p = offsets_find(o, topic, partition);
    if (p == NULL) {
        return KC_OK; /* revoked meanwhile: its synchronous commit sent what was durable */
    }
    if (!ok) {
        if (p->sent == offset) {
            p->sent = OFFSETS_NONE; /* the next commit point sends it again */
        }
        return KC_OK;
    }
    if (p->sent != OFFSETS_NONE && p->sent <= offset) {
        p->sent = OFFSETS_NONE;
    }
    if (p->committed != OFFSETS_NONE && offset < p->committed) {
        return KC_OK; /* an older answer: never backwards */
    }
    char *copy = NULL;
    if (md != NULL) {
        if ((copy = kc_malloc(md_len + 1)) == NULL) {
            return KC_ENOMEM;
        }
        memcpy(copy, md, md_len);
        copy[md_len] = '\0';
    }
    int rc = md_set(&p->committed_md, copy);
    kc_free(copy);
    if (rc != KC_OK) {
        return KC_ENOMEM;
    }
    p->committed = offset;
    return KC_OK;
}

void offsets_commit_lost(struct offsets *o)
{
    for (size_t i = 0; i < o->n; i++) {
        o->p[i].sent = OFFSETS_NONE;
    }
}

int offsets_pending(const struct offsets *o)
{
    for (size_t i = 0; i < o->n; i++) {
        const struct offsets_part *p = &o->p[i];
        if (p->consumed == OFFSETS_NONE) {
            continue;
        }
        /* Records handed over and not yet durable (also after a rewind below the commit:
         * the sink holds them again), or durable and not yet committed. */
        if (p->durable == OFFSETS_NONE || p->consumed > p->durable ||
            p->committed == OFFSETS_NONE || p->consumed > p->committed) {
            return 1;
        }
        if (needs_commit(p)) {
            return 1;
        }
    }
    return 0;
}

int offsets_request_rewind(struct offsets *o, const char *topic, int32_t partition,
                           int64_t offset, struct kc_error *err)
{
    struct offsets_part *p = offsets_find(o, topic, partition);
    if (p == NULL) {
        return kc_error_set(err, KC_ENOENT, "Cannot rewind %s-%d: not assigned to this task",
                            topic, (int)partition);
    }
    p->rewind = offset;
    /* What comes after offset will be consumed again: it was not consumed (yet). */
    if (p->consumed != OFFSETS_NONE && p->consumed > offset) {
        p->consumed = offset;
    }
    if (p->durable != OFFSETS_NONE && p->durable > offset) {
        p->durable = offset;
    }
    o->rewinds = 1;
    return KC_OK;
}

void offsets_pause(struct offsets *o, struct offsets_part *p, unsigned who)
{
    (void)o;
    p->paused |= who;
}

void offsets_resume(struct offsets *o, struct offsets_part *p, unsigned who)
{
    (void)o;
    p->paused &= ~who;
}

void offsets_pause_all(struct offsets *o, unsigned who)
{
    for (size_t i = 0; i < o->n; i++) {
        o->p[i].paused |= who;
    }
}

void offsets_resume_all(struct offsets *o, unsigned who)
{
    for (size_t i = 0; i < o->n; i++) {
        o->p[i].paused &= ~who;
    }
}

/* ---------------------------------------------------------------- budget */

void offsets_budget_init(struct offsets_budget *b, size_t limit)
{
    memset(b, 0, sizeof(*b));
    b->limit = limit;
    b->low = limit / 4 * 3;
}

size_t offsets_budget_used(const struct offsets_budget *b)
{
    return b->sink_bytes + b->batch_bytes + b->raw_bytes;
}

size_t offsets_budget_room(const struct offsets_budget *b)
{
    size_t used = offsets_budget_used(b);
    return used >= b->limit ? 0 : b->limit - used;
}

int offsets_budget_check(struct offsets_budget *b)
{
    size_t used = offsets_budget_used(b);
    if (used > b->peak) {
        b->peak = used;
    }
    if (!b->spent && used >= b->limit) {
        b->spent = 1;
        return 1;
    }
    if (b->spent && used < b->low) {
        b->spent = 0;
        return -1;
    }
    return 0;
}
