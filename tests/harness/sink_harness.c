/*
 * tests/harness/sink_harness.c: the worker's task cycle over an in-memory log (see
 * sink_harness.h). The books are worker/offsets.c's, so the rules the harness checks are the
 * rules the worker applies.
 */
#include "sink_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_values.h"
#include "conv.h"
#include "kc_alloc.h"
#include "kc_arena.h"
#include "offsets.h"

#define HARNESS_BUDGET_DEFAULT ((size_t)256 << 20)

struct hrecord {
    char *key;    /* owned, NULL = null */
    void *value;  /* owned, NULL = null */
    size_t len;
    int64_t ts;
};

struct hpart {
    char *topic; /* owned */
    int32_t partition;
    struct hrecord *log; /* owned */
    size_t n, cap;
    int64_t committed; /* the "group's" commit */
    char *md;          /* owned commit metadata */
    int assigned;
    int64_t position;  /* next offset to hand over */
};

struct sink_harness {
    struct sink_task st; /* first: the services get the harness back from it */
    const struct sink_connector_ops *ops;
    struct kc_strmap *config; /* owned */
    struct conf_values *cv;   /* owned */
    struct conv *key_conv, *value_conv; /* owned */
    int started;
    struct hpart *parts; /* owned */
    size_t n_parts;
    struct offsets offs;
    struct offsets_budget budget;
    struct kc_arena arena;
    /* the batch of the last KC_RETRY, handed over again */
    struct sink_record *retry; /* owned copy of the records (arena memory points to the log) */
    size_t n_retry;
    struct sink_record *dropped; /* owned: reported during a retried put, marked after it */
    size_t n_dropped;
    unsigned char *reported_now; /* owned flags for the batch being put */
    const struct sink_record *put_recs;
    size_t put_n;
    int64_t *reported; /* owned offsets of reported records */
    size_t n_reported;
    size_t budget_commits;
    size_t peak;
    int tolerate; /* errors.tolerance=all (default) */
    int schemas_enable;
};

static struct sink_harness *harness_of(const struct sink_task *st)
{
    return (struct sink_harness *)(void *)st;
}

static struct hpart *hpart_find(struct sink_harness *h, const char *topic, int32_t partition,
                                int create)
{
    for (size_t i = 0; i < h->n_parts; i++) {
        if (h->parts[i].partition == partition && strcmp(h->parts[i].topic, topic) == 0) {
            return &h->parts[i];
        }
    }
    if (!create) {
        return NULL;
    }
    struct hpart *np = kc_realloc(h->parts, (h->n_parts + 1) * sizeof(*np));
    if (np == NULL) {
        return NULL;
    }
    h->parts = np;
    struct hpart *p = &np[h->n_parts];
    memset(p, 0, sizeof(*p));
    if ((p->topic = kc_strdup(topic)) == NULL) {
        return NULL;
    }
    p->partition = partition;
    p->committed = SINK_OFFSET_NONE;
    h->n_parts++;
    return p;
}

/* ---------------------------------------------------------------- services */

static int svc_report(struct sink_task *st, const struct sink_record *rec,
                      const char *exception_class, const struct kc_error *cause)
{
    (void)exception_class;
    (void)cause;
    struct sink_harness *h = harness_of(st);
    if (!h->tolerate) {
        return KC_EFATAL; /* errors.tolerance=none: the sink's put() must fail */
    }
    if (h->put_recs != NULL && rec >= h->put_recs && rec < h->put_recs + h->put_n) {
        size_t i = (size_t)(rec - h->put_recs);
        if (h->reported_now[i]) {
            return KC_OK;
        }
        h->reported_now[i] = 1;
    }
    int64_t *nr = kc_realloc(h->reported, (h->n_reported + 1) * sizeof(*nr));
    if (nr == NULL) {
        return KC_ENOMEM;
    }
    h->reported = nr;
    nr[h->n_reported++] = rec->kafka_offset;
    return KC_OK; /* the harness tolerates: errors.tolerance=all with a DLQ */
}

static int svc_rewind(struct sink_task *st, const char *topic, int32_t partition, int64_t offset,
                      struct kc_error *err)
{
    return offsets_request_rewind(&harness_of(st)->offs, topic, partition, offset, err);
}

static void svc_pause(struct sink_task *st, const char *topic, int32_t partition, int pause)
{
    struct sink_harness *h = harness_of(st);
    struct offsets_part *p = offsets_find(&h->offs, topic, partition);
    if (p != NULL) {
        if (pause) {
            offsets_pause(&h->offs, p, OFFSETS_PAUSE_SINK);
        } else {
            offsets_resume(&h->offs, p, OFFSETS_PAUSE_SINK);
        }
    }
}

static void svc_buffered(struct sink_task *st, size_t bytes)
{
    struct sink_harness *h = harness_of(st);
    h->budget.sink_bytes = bytes;
    if (bytes > h->peak) {
        h->peak = bytes;
    }
}

static size_t svc_budget(const struct sink_task *st)
{
    return harness_of(st)->budget.limit;
}

static const char *svc_value_converter(const struct sink_task *st, int *schemas_enable)
{
    const struct sink_harness *h = harness_of(st);
    *schemas_enable = h->schemas_enable;
    return conv_class_name(h->value_conv);
}

/* Rewinds asked for outside put() (open, tick, pre_commit) move the positions. */
static void apply_rewinds(struct sink_harness *h);

static const struct sink_task_services harness_services = {
    .report = svc_report,
    .rewind = svc_rewind,
    .pause = svc_pause,
    .buffered = svc_buffered,
    .budget = svc_budget,
    .value_converter = svc_value_converter,
};

/* ---------------------------------------------------------------- lifecycle */

static int start_sink(struct sink_harness *h, struct kc_error *err)
{
    memset(&h->st, 0, sizeof(h->st));
    h->st.connector = "harness";
    h->st.svc = &harness_services;
    offsets_fini(&h->offs);
    offsets_init(&h->offs);
    size_t limit = h->budget.limit;
    offsets_budget_init(&h->budget, limit);
    int rc = h->ops->start(&h->st, h->cv, err);
    h->started = rc == KC_OK;
    return rc;
}

int sink_harness_new(const struct sink_connector_ops *ops, const struct kc_strmap *config,
                     struct sink_harness **out, struct kc_error *err)
{
    struct sink_harness *h = kc_calloc(1, sizeof(*h));
    *out = NULL;
    if (h == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    h->ops = ops;
    h->tolerate = 1;
    offsets_init(&h->offs);
    offsets_budget_init(&h->budget, HARNESS_BUDGET_DEFAULT);
    kc_arena_init(&h->arena, 64 * 1024, (size_t)256 << 20);
    h->config = kc_strmap_dup(config);
    struct kc_strmap plain;
    kc_strmap_init(&plain);
    const char *vc = kc_strmap_get(config, "value.converter");
    const char *se = kc_strmap_get(config, "value.converter.schemas.enable");
    h->schemas_enable = se != NULL && strcmp(se, "true") == 0;
    kc_strmap_set(&plain, "schemas.enable", h->schemas_enable ? "true" : "false");
    const char *kcl = kc_strmap_get(config, "key.converter");
    const struct conf_def *const tables[] = {ops->config_def};
    int rc = h->config == NULL ? kc_error_set(err, KC_ENOMEM, "out of memory") : KC_OK;
    if (rc == KC_OK) {
        rc = conv_new(vc != NULL ? vc : "org.apache.kafka.connect.json.JsonConverter", &plain,
                      CONV_ROLE_VALUE, &h->value_conv, err);
    }
    /* the key converter's own schemas.enable (JsonConverter's default: true) */
    const char *kse = kc_strmap_get(config, "key.converter.schemas.enable");
    if (rc == KC_OK) {
        rc = kc_strmap_set(&plain, "schemas.enable", kse != NULL ? kse : "true") == 0
                 ? KC_OK
                 : kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    if (rc == KC_OK) {
        rc = conv_new(kcl != NULL ? kcl : "org.apache.kafka.connect.storage.StringConverter",
                      &plain, CONV_ROLE_KEY, &h->key_conv, err);
    }
    kc_strmap_fini(&plain);
    if (rc == KC_OK) {
        rc = conf_values_parse(tables, 1, h->config, &h->cv, NULL, err);
    }
    if (rc == KC_OK) {
        rc = start_sink(h, err);
    }
    if (rc != KC_OK) {
        sink_harness_free(h);
        return rc;
    }
    *out = h;
    return KC_OK;
}

void sink_harness_free(struct sink_harness *h)
{
    if (h == NULL) {
        return;
    }
    if (h->started) {
        h->ops->stop(&h->st);
    }
    for (size_t i = 0; i < h->n_parts; i++) {
        struct hpart *p = &h->parts[i];
        for (size_t k = 0; k < p->n; k++) {
            kc_free(p->log[k].key);
            kc_free(p->log[k].value);
        }
        kc_free(p->log);
        kc_free(p->topic);
        kc_free(p->md);
    }
    kc_free(h->parts);
    offsets_fini(&h->offs);
    kc_arena_fini(&h->arena);
    conv_free(h->key_conv);
    conv_free(h->value_conv);
    conf_values_free(h->cv);
    kc_strmap_free(h->config);
    kc_free(h->retry);
    kc_free(h->dropped);
    kc_free(h->reported_now);
    kc_free(h->reported);
    kc_free(h);
}

int sink_harness_produce(struct sink_harness *h, const char *topic, int32_t partition,
                         const char *key, const void *value, size_t len, int64_t timestamp_ms)
{
    struct hpart *p = hpart_find(h, topic, partition, 1);
    if (p == NULL) {
        return KC_ENOMEM;
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        struct hrecord *nl = kc_realloc(p->log, cap * sizeof(*nl));
        if (nl == NULL) {
            return KC_ENOMEM;
        }
        p->log = nl;
        p->cap = cap;
    }
    struct hrecord *r = &p->log[p->n];
    r->key = key != NULL ? kc_strdup(key) : NULL;
    r->value = NULL;
    if (value != NULL) {
        r->value = kc_malloc(len + 1);
        if (r->value != NULL) {
            memcpy(r->value, value, len);
            ((char *)r->value)[len] = '\0';
        }
    }
    if ((key != NULL && r->key == NULL) || (value != NULL && r->value == NULL)) {
        kc_free(r->key);
        kc_free(r->value);
        return KC_ENOMEM;
    }
    r->len = len;
    r->ts = timestamp_ms;
    p->n++;
    return KC_OK;
}

/* ---------------------------------------------------------------- partitions */

static int open_one(struct sink_harness *h, struct hpart *p, struct kc_error *err)
{
    int rc = offsets_assign(&h->offs, p->topic, p->partition, p->committed, p->md);
    if (rc != KC_OK) {
        return kc_error_set(err, rc, "out of memory");
    }
    p->assigned = 1;
    p->position = p->committed >= 0 ? p->committed : 0; /* auto.offset.reset=earliest */
    struct tp tp = {p->topic, p->partition, p->committed, p->md};
    struct tp_list tl = {&tp, 1};
    rc = sink_call_open(h->ops, &h->st, &tl, err);
    struct offsets_part *op = offsets_find(&h->offs, p->topic, p->partition);
    if (op != NULL && op->rewind != OFFSETS_NONE) {
        p->position = op->rewind;
        op->rewind = OFFSETS_NONE;
    }
    return rc;
}

int sink_harness_assign(struct sink_harness *h, const char *topic, int32_t partition,
                        struct kc_error *err)
{
    struct hpart *p = hpart_find(h, topic, partition, 1);
    if (p == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    if (p->assigned) {
        return KC_OK;
    }
    return open_one(h, p, err);
}

static int commit_point(struct sink_harness *h, const struct tp_list *only, struct kc_error *err)
{
    struct sink_offset *commit = NULL;
    size_t nc = 0;
    int rc = offsets_ask_sink(&h->offs, h->ops, &h->st, only, 0, &commit, &nc, err);
    for (size_t i = 0; rc == KC_OK && i < nc; i++) {
        struct hpart *p = hpart_find(h, commit[i].topic, commit[i].partition, 0);
        if (p == NULL) {
            continue;
        }
        char *md = commit[i].metadata != NULL ? kc_strdup(commit[i].metadata) : NULL;
        if (commit[i].metadata != NULL && md == NULL) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            break;
        }
        kc_free(p->md);
        p->md = md;
        p->committed = commit[i].offset;
    }
    if (rc == KC_OK && offsets_committed(&h->offs, commit, nc) != KC_OK) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    kc_free(commit);
    return rc;
}

int sink_harness_revoke(struct sink_harness *h, const char *topic, int32_t partition,
                        struct kc_error *err)
{
    struct hpart *p = hpart_find(h, topic, partition, 0);
    if (p == NULL || !p->assigned) {
        return KC_OK;
    }
    struct tp tp = {p->topic, p->partition, p->committed, p->md};
    struct tp_list tl = {&tp, 1};
    int rc = commit_point(h, &tl, err);
    if (rc < 0) {
        return rc;
    }
    /* A retried batch may hold its records: they are the new owner's now. */
    size_t k = 0;
    for (size_t i = 0; i < h->n_retry; i++) {
        if (h->retry[i].kafka_partition != partition ||
            strcmp(h->retry[i].kafka_topic, topic) != 0) {
            h->retry[k++] = h->retry[i];
        }
    }
    h->n_retry = k;
    rc = sink_call_close(h->ops, &h->st, &tl, err);
    offsets_revoke(&h->offs, topic, partition);
    p->assigned = 0;
    return rc;
}

/* ---------------------------------------------------------------- batches */

static int fill_record(struct sink_harness *h, struct hpart *p, int64_t off,
                       struct sink_record *r, struct kc_error *err)
{
    const struct hrecord *lr = &p->log[off];
    memset(r, 0, sizeof(*r));
    r->topic = r->kafka_topic = p->topic;
    r->partition = r->kafka_partition = p->partition;
    r->offset = r->kafka_offset = off;
    r->timestamp = lr->ts;
    r->ts_type = SINK_TS_CREATE;
    r->key_raw = lr->key;
    r->key_len = lr->key != NULL ? strlen(lr->key) : 0;
    r->value_raw = lr->value;
    r->value_len = lr->len;
    if ((h->ops->flags & SINK_FLAG_NO_KEY) == 0 || h->st.want_key) {
        int rc = conv_to_connect(h->key_conv, p->topic, lr->key, r->key_len, &h->arena,
                                 &r->key_schema, &r->key, err);
        if (rc != KC_OK) {
            return rc;
        }
    }
    if (!h->st.want_converted &&
        sink_raw_value_ok(h->ops->flags, conv_class_name(h->value_conv), h->schemas_enable)) {
        return KC_OK;
    }
    r->value_converted = 1;
    return conv_to_connect(h->value_conv, p->topic, lr->value, lr->len, &h->arena,
                           &r->value_schema, &r->value, err);
}

/* Take up to max records round robin from the positions. Records that fail conversion are
 * reported (the worker's tolerance=all path) and skipped. */
static int take_batch(struct sink_harness *h, size_t max, struct sink_record *recs, size_t *nr,
                      struct kc_error *err)
{
    size_t k = 0;
    int progress = 1;
    while (k < max && progress) {
        progress = 0;
        for (size_t i = 0; i < h->n_parts && k < max; i++) {
            struct hpart *p = &h->parts[i];
            struct offsets_part *op = offsets_find(&h->offs, p->topic, p->partition);
            if (!p->assigned || op == NULL || op->paused != 0 ||
                p->position >= (int64_t)p->n) {
                continue;
            }
            struct kc_error cerr = {0};
            int rc = fill_record(h, p, p->position, &recs[k], &cerr);
            if (rc == KC_ENOMEM) {
                return kc_error_set(err, KC_ENOMEM, "%s", cerr.msg);
            }
            if (rc != KC_OK) {
                rc = svc_report(&h->st, &recs[k], "org.apache.kafka.connect.errors.DataException",
                                &cerr);
                if (rc != KC_OK) {
                    return kc_error_set(err, rc, "out of memory");
                }
                offsets_mark_consumed(&h->offs, p->topic, p->partition, p->position);
            } else {
                k++;
            }
            p->position++;
            progress = 1;
        }
    }
    *nr = k;
    return KC_OK;
}

int sink_harness_poll(struct sink_harness *h, size_t max, size_t *n_put, struct kc_error *err)
{
    struct sink_record *recs;
    size_t nr = 0;
    int rc;
    if (n_put != NULL) {
        *n_put = 0;
    }
    if (h->n_retry > 0) {
        recs = h->retry; /* the same batch again, minus what was reported */
        nr = h->n_retry;
        h->retry = NULL;
        h->n_retry = 0;
    } else {
        kc_arena_reset(&h->arena);
        recs = kc_calloc(max + 1, sizeof(*recs));
        if (recs == NULL) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        if ((rc = take_batch(h, max, recs, &nr, err)) != KC_OK) {
            kc_free(recs);
            return rc;
        }
    }
    unsigned char *flags = kc_calloc(nr + 1, 1);
    if (flags == NULL) {
        kc_free(recs);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    kc_free(h->reported_now);
    h->reported_now = flags;
    h->put_recs = recs;
    h->put_n = nr;
    rc = nr > 0 ? h->ops->put(&h->st, recs, nr, err) : KC_OK;
    h->put_recs = NULL;
    h->put_n = 0;
    if (rc == KC_RETRY) {
        size_t k = 0;
        for (size_t i = 0; i < nr; i++) {
            if (!flags[i]) {
                recs[k++] = recs[i];
                continue;
            }
            /* Reported: handled, its offset moves on once the batch is put. */
            struct sink_record *nd = kc_realloc(h->dropped, (h->n_dropped + 1) * sizeof(*nd));
            if (nd == NULL) {
                kc_free(recs);
                return kc_error_set(err, KC_ENOMEM, "out of memory");
            }
            h->dropped = nd;
            nd[h->n_dropped++] = recs[i];
        }
        h->retry = recs;
        h->n_retry = k;
        return KC_RETRY;
    }
    if (rc == KC_OK) {
        for (size_t i = 0; i < nr; i++) {
            const struct offsets_part *op =
                offsets_find(&h->offs, recs[i].kafka_topic, recs[i].kafka_partition);
            if (op != NULL && op->rewind == OFFSETS_NONE) {
                offsets_mark_consumed(&h->offs, recs[i].kafka_topic, recs[i].kafka_partition,
                                      recs[i].kafka_offset);
            }
        }
        for (size_t i = 0; i < h->n_dropped; i++) {
            offsets_mark_consumed(&h->offs, h->dropped[i].kafka_topic,
                                  h->dropped[i].kafka_partition, h->dropped[i].kafka_offset);
        }
        h->n_dropped = 0;
        if (n_put != NULL) {
            *n_put = nr;
        }
    }
    kc_free(recs);
    apply_rewinds(h); /* asked for during put */
    if (rc != KC_OK) {
        return rc;
    }
    /* The worker's budget rule: at the limit, a commit point makes room. */
    if (offsets_budget_check(&h->budget) > 0 || h->budget.spent) {
        h->budget_commits++;
        rc = commit_point(h, NULL, err);
        offsets_budget_check(&h->budget);
    }
    return rc;
}

static void apply_rewinds(struct sink_harness *h)
{
    if (!h->offs.rewinds) {
        return;
    }
    h->offs.rewinds = 0;
    for (size_t i = 0; i < h->offs.n; i++) {
        struct offsets_part *op = &h->offs.p[i];
        struct hpart *p = hpart_find(h, op->topic, op->partition, 0);
        if (op->rewind != OFFSETS_NONE && p != NULL) {
            p->position = op->rewind;
            op->rewind = OFFSETS_NONE;
        }
    }
}

int sink_harness_drain(struct sink_harness *h, size_t batch, int max_polls,
                       struct kc_error *err)
{
    for (int i = 0; i < max_polls; i++) {
        int left = 0;
        for (size_t k = 0; k < h->n_parts; k++) {
            left |= h->parts[k].assigned && h->parts[k].position < (int64_t)h->parts[k].n;
        }
        if (!left && h->n_retry == 0) {
            return KC_OK;
        }
        int rc = sink_harness_poll(h, batch, NULL, err);
        if (rc < 0) {
            return rc;
        }
    }
    return kc_error_set(err, KC_EIO, "not drained after %d polls", max_polls);
}

int sink_harness_tick(struct sink_harness *h, int64_t now_ms, struct kc_error *err)
{
    int64_t next = 0;
    int rc = sink_call_tick(h->ops, &h->st, now_ms, &next, err);
    apply_rewinds(h);
    return rc;
}

int sink_harness_tick_asked(struct sink_harness *h, int64_t *within_ms)
{
    if (!h->st.tick_soon) {
        return 0;
    }
    *within_ms = h->st.tick_within_ms;
    h->st.tick_soon = 0;
    return 1;
}

int sink_harness_commit(struct sink_harness *h, struct kc_error *err)
{
    int rc = commit_point(h, NULL, err);
    apply_rewinds(h);
    return rc;
}

void sink_harness_set_tolerance(struct sink_harness *h, int all)
{
    h->tolerate = all;
}

int sink_harness_crash(struct sink_harness *h, struct kc_error *err)
{
    if (h->started) {
        h->ops->stop(&h->st);
        h->started = 0;
    }
    kc_free(h->retry);
    h->retry = NULL;
    h->n_retry = 0;
    h->n_dropped = 0;
    int rc = start_sink(h, err);
    for (size_t i = 0; rc == KC_OK && i < h->n_parts; i++) {
        if (h->parts[i].assigned) {
            rc = open_one(h, &h->parts[i], err);
        }
    }
    return rc;
}

int64_t sink_harness_committed(const struct sink_harness *h, const char *topic,
                               int32_t partition, const char **metadata)
{
    for (size_t i = 0; i < h->n_parts; i++) {
        if (h->parts[i].partition == partition && strcmp(h->parts[i].topic, topic) == 0) {
            if (metadata != NULL) {
                *metadata = h->parts[i].md;
            }
            return h->parts[i].committed;
        }
    }
    if (metadata != NULL) {
        *metadata = NULL;
    }
    return SINK_OFFSET_NONE;
}

size_t sink_harness_reported(const struct sink_harness *h)
{
    return h->n_reported;
}

int64_t sink_harness_reported_offset(const struct sink_harness *h, size_t i)
{
    return i < h->n_reported ? h->reported[i] : -1;
}

void sink_harness_set_budget(struct sink_harness *h, size_t bytes)
{
    size_t held = h->budget.sink_bytes;
    offsets_budget_init(&h->budget, bytes);
    h->budget.sink_bytes = held;
}

size_t sink_harness_peak_buffered(const struct sink_harness *h)
{
    return h->peak;
}

size_t sink_harness_buffered(const struct sink_harness *h)
{
    return h->budget.sink_bytes;
}

size_t sink_harness_budget_commits(const struct sink_harness *h)
{
    return h->budget_commits;
}

void *sink_harness_sink_ctx(struct sink_harness *h)
{
    return h->st.ctx;
}
