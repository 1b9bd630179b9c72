/*
 * worker/offsets.h: offset bookkeeping and flow control of one sink task, without Kafka.
 *
 * Per assigned partition it keeps three positions, each "the next offset to read" as Kafka
 * commits them:
 *   consumed    after the last record handed to put() (or dropped by a transform, or tolerated);
 *   durable     what the sink last said is durable (pre_commit, or consumed after a flush);
 *   committed   what the consumer group holds, with its commit metadata.
 * The invariants: committed <= durable <= consumed, and a commit never moves backwards. A sink
 * that claims more than it was given is a task failure, never a commit.
 *
 * It also keeps each partition's pause state (paused by the user, by the sink, by the byte
 * budget; the consumer is paused while any holds), rewind requests (SinkTaskContext.offset) to
 * apply before the next batch, and the task's byte budget: the converted batch plus what the
 * sink reports it buffers, with a high-water mark that stops consumption and a low-water mark
 * that resumes it.
 *
 * The task thread owns it; tests and the sink harness drive it directly.
 */
#ifndef OFFSETS_H
#define OFFSETS_H

#include <stddef.h>
#include <stdint.h>

#include "kc_error.h"
#include "sink.h"

#define OFFSETS_NONE SINK_OFFSET_NONE /* no offset (librdkafka's RD_KAFKA_OFFSET_INVALID) */

/* Who paused a partition; the consumer is paused while any bit is set. */
#define OFFSETS_PAUSE_USER 0x1   /* PUT .../pause, or a put() retry backing off */
#define OFFSETS_PAUSE_SINK 0x2   /* sink_task_pause_partition */
#define OFFSETS_PAUSE_BUDGET 0x4 /* the task's byte budget is spent */

struct offsets_part {
    char *topic; /* owned */
    int32_t partition;
    int64_t consumed;  /* OFFSETS_NONE until a record was handled */
    int64_t durable;   /* OFFSETS_NONE until the sink said so */
    char *durable_md;  /* owned metadata to commit with durable, NULL = none */
    int64_t committed; /* OFFSETS_NONE = the group has no offset */
    char *committed_md; /* owned */
    int64_t sent;      /* OFFSETS_NONE, or an asynchronous commit on its way, unanswered */
    int64_t rewind;    /* OFFSETS_NONE, or where the sink asked to continue from */
    unsigned paused;   /* OFFSETS_PAUSE_* */
    unsigned applied_pause; /* what the consumer was last told (1 = paused) */
};

struct offsets {
    struct offsets_part *p; /* owned array, n used of cap */
    size_t n, cap;
    size_t last; /* index of the last lookup, the fast path of a batch of one partition */
    int rewinds; /* some partition has a rewind request */
};

void offsets_init(struct offsets *o);
void offsets_fini(struct offsets *o);

/* Add a newly assigned partition with its committed offset and metadata (copied). Adding one
 * that is already there updates its committed position. @return KC_OK, KC_ENOMEM */
int offsets_assign(struct offsets *o, const char *topic, int32_t partition, int64_t committed,
                   const char *metadata);
/* Forget a revoked partition (no-op when unknown). */
void offsets_revoke(struct offsets *o, const char *topic, int32_t partition);
struct offsets_part *offsets_find(struct offsets *o, const char *topic, int32_t partition);

/* A record at `offset` was handled: consumed becomes offset + 1 (never backwards). Unknown
 * partitions are ignored (revoked while their batch was being put). */
void offsets_mark_consumed(struct offsets *o, const char *topic, int32_t partition,
                           int64_t offset);

/*
 * The consumed positions, for pre_commit: fills out[] (caller array of o->n entries) with every
 * partition that has a consumed offset, restricted to `only` when not NULL. Topic pointers
 * borrow from o. @return the number filled
 */
size_t offsets_consumed_list(const struct offsets *o, const struct tp_list *only,
                             struct sink_offset *out);

/*
 * Take the sink's answer to pre_commit: for each entry, durable = max(durable, offset), with
 * its metadata. An entry above the partition's consumed offset fails with KC_EINVAL and a
 * message naming the sink, the partition and both offsets; entries for unknown partitions are
 * ignored (revoked meanwhile). Entries with offset OFFSETS_NONE or below committed change
 * nothing (commits never go backwards).
 * @return KC_OK, KC_EINVAL, KC_ENOMEM
 */
int offsets_set_durable(struct offsets *o, const struct sink_offset *durable, size_t n,
                        const char *sink_name, struct kc_error *err);
/* Default when the sink has no pre_commit: after a successful flush everything consumed (in
 * `only`, when given) is durable. */
void offsets_all_durable(struct offsets *o, const struct tp_list *only);

/*
 * What a commit should carry now: partitions (in `only`, when given) whose durable offset is
 * past their committed one, or equal with different metadata; async (for an asynchronous commit):
 * without those whose durable offset is on its way already (offsets_commit_sent). Fills out[]
 * (caller array of o->n entries; topic and metadata borrow from o). @return the number filled
 */
size_t offsets_commit_list(const struct offsets *o, const struct tp_list *only, int async,
                           struct sink_offset *out);
/*
 * The first half of every commit point, shared by the worker and the sink harness: hand the
 * sink the consumed offsets (in `only`, when given) through pre_commit (or flush + everything
 * consumed), check its answer and take it as durable, then fill *commit (owned array, kc_free;
 * topic and metadata borrow from o) with what the group should commit now.
 * @return KC_OK, KC_RETRY (the sink asked to retry; nothing to commit), negative (the task must
 *         fail; err says why)
 */
int offsets_ask_sink(struct offsets *o, const struct sink_connector_ops *ops,
                     struct sink_task *st, const struct tp_list *only, int async,
                     struct sink_offset **commit, size_t *n_commit, struct kc_error *err);
/* The group accepted a commit of these entries. */
int offsets_committed(struct offsets *o, const struct sink_offset *c, size_t n);
/*
 * Asynchronous commits, as the JVM's commitAsync: an offset sent is not committed until the
 * group says so. offsets_commit_sent marks the entries sent (later asynchronous commit points
 * leave them out; a synchronous one, at a rebalance or a stop, sends them again);
 * offsets_commit_answered takes the group's answer for one partition (md: the metadata sent,
 * md_len bytes); offsets_commit_lost forgets every mark (an answer naming no partition), so
 * that the next commit point sends them again.
 */
void offsets_commit_sent(struct offsets *o, const struct sink_offset *c, size_t n);
int offsets_commit_answered(struct offsets *o, const char *topic, int32_t partition,
                            int64_t offset, const char *md, size_t md_len, int ok);
void offsets_commit_lost(struct offsets *o);
/* 1 when some partition has records handed to the sink and not yet durable, or durable and
 * not yet committed. */
int offsets_pending(const struct offsets *o);

/* SinkTaskContext.offset: continue `partition` from `offset` (applied before the next batch;
 * consumed and durable are moved back to it when they are past it). KC_ENOENT when the task
 * does not own the partition. */
int offsets_request_rewind(struct offsets *o, const char *topic, int32_t partition,
                           int64_t offset, struct kc_error *err);

/* Pause bits; the caller applies offsets_part.paused to the consumer. */
void offsets_pause(struct offsets *o, struct offsets_part *p, unsigned who);
void offsets_resume(struct offsets *o, struct offsets_part *p, unsigned who);
void offsets_pause_all(struct offsets *o, unsigned who);
void offsets_resume_all(struct offsets *o, unsigned who);

/* ---- the byte budget ---- */

struct offsets_budget {
    size_t limit;      /* bytes: converted batch + sink buffers may not pass it */
    size_t low;        /* resume consumption below this (3/4 of the limit) */
    size_t sink_bytes; /* last figure the sink reported (sink_task_buffered) */
    size_t batch_bytes; /* the batch being converted and put (arena) */
    size_t raw_bytes;   /* the polled records' own bytes, held while their batch is put */
    size_t peak;       /* highest total seen, for metrics and tests */
    int spent;         /* consumption is stopped for the budget */
};

void offsets_budget_init(struct offsets_budget *b, size_t limit);
size_t offsets_budget_used(const struct offsets_budget *b);
/* Bytes a new batch may take now (0 when the budget is spent). */
size_t offsets_budget_room(const struct offsets_budget *b);
/*
 * Re-evaluate after the figures changed: returns +1 when consumption must stop (used reached
 * the limit), -1 when it may resume (used fell below the low-water mark after having stopped),
 * 0 when nothing changes.
 */
int offsets_budget_check(struct offsets_budget *b);

#endif
