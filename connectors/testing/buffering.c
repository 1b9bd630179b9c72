/*
 * connectors/testing/buffering.c: a sink for the runtime's own tests. It copies every record it
 * is given into memory and writes nothing until pre_commit asks for a partition, then appends
 * that partition's records to `file` ("<topic>\t<partition>\t<offset>\t<value>" lines, fsync'd)
 * and answers that partition durable, with commit metadata naming how far it wrote. It is the
 * shape of the coming sinks (S3 holds open files, ClickHouse holds batches) in forty lines of
 * state, so the worker's budget, revocations, rewinds and metadata can be shown end to end.
 *
 * Registered only when the worker runs with KC_TEST_SINKS=1 (connectors/registry.c).
 *
 * Keys: file (required), rewind.offset (>= 0: open() rewinds every partition it gets there),
 * retry.puts (the first N put() calls answer KC_RETRY), opened.file (open() appends the
 * committed offset and metadata it was handed, one "<topic>\t<partition>\t<offset>\t<md>" line
 * per partition), report.every (every Nth record is reported as errant with
 * IllegalStateException instead of kept), tick.flush.ms (> 0: pre_commit writes nothing and
 * answers what tick() wrote, records held that long: a sink that flushes by age).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf_def.h"
#include "conf_values.h"
#include "kc_alloc.h"
#include "kc_buf.h"
#include "kc_log.h"
#include "kc_queue.h"
#include "sink.h"

struct buffering_part {
    char *topic; /* owned */
    int32_t partition;
    struct kc_buf *chunks; /* owned: records not yet written, in chunks of about 1 MiB so the
                            * memory held is what is buffered (one growing buffer would keep
                            * twice that resident after its last doubling) */
    size_t n_chunks;
    size_t len;            /* bytes in chunks */
    int64_t next;        /* offset after the last record kept */
    int64_t written;     /* offset after the last record written, -1 = none */
    int64_t first_ms;    /* when the oldest held record arrived */
    char md[64];         /* metadata of the last answer (fits: two numbers) */
};

struct buffering_sink {
    int fd;
    char *opened_path; /* owned, NULL = none */
    int64_t rewind;
    long retry_puts;
    long report_every;
    long seen;
    int64_t tick_flush_ms; /* > 0: only tick() writes, records held this long */
    struct buffering_part *parts; /* owned array */
    size_t n_parts;
    size_t held; /* bytes across every part */
};

static const struct conf_def buffering_config_def[] = {
    {.name = "file", .type = CONF_STRING, .default_value = CONF_NO_DEFAULT,
     .importance = CONF_HIGH, .doc = "Where records go when they become durable.",
     .order_in_group = -1},
    {.name = "opened.file", .type = CONF_STRING, .default_is_null = 1, .importance = CONF_LOW,
     .doc = "Where open() notes the committed offsets and metadata it was handed.",
     .order_in_group = -1},
    {.name = "rewind.offset", .type = CONF_LONG, .default_value = "-1", .importance = CONF_LOW,
     .doc = "open() rewinds every partition to this offset when >= 0.", .order_in_group = -1},
    {.name = "retry.puts", .type = CONF_LONG, .default_value = "0", .importance = CONF_LOW,
     .doc = "The first N put() calls ask to be retried.", .order_in_group = -1},
    {.name = "report.every", .type = CONF_LONG, .default_value = "0", .importance = CONF_LOW,
     .doc = "Every Nth record is reported as errant (0 = none).", .order_in_group = -1},
    {.name = "tick.flush.ms", .type = CONF_LONG, .default_value = "0", .importance = CONF_LOW,
     .doc = "When > 0, pre_commit writes nothing and answers what tick() wrote: records held "
            "this long.", .order_in_group = -1},
    {.name = NULL},
};

static int buffering_start(struct sink_task *st, const struct conf_values *cv,
                           struct kc_error *err)
{
    const char *path = conf_values_string(cv, "file");
    if (path == NULL || path[0] == '\0') {
        return kc_error_set(err, KC_EINVAL, "file: required");
    }
    struct buffering_sink *bs = kc_calloc(1, sizeof(*bs));
    if (bs == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    bs->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (bs->fd < 0) {
        int e = errno;
        kc_free(bs);
        return kc_error_set_errno(err, KC_EFATAL, e, "cannot open %s", path);
    }
    const char *op = conf_values_string(cv, "opened.file");
    bs->opened_path = op != NULL && op[0] != '\0' ? kc_strdup(op) : NULL;
    bs->rewind = conf_values_long(cv, "rewind.offset");
    bs->retry_puts = conf_values_long(cv, "retry.puts");
    bs->report_every = conf_values_long(cv, "report.every");
    bs->tick_flush_ms = conf_values_long(cv, "tick.flush.ms");
    sink_task_set_ctx(st, bs);
    return KC_OK;
}

static struct buffering_part *part_get(struct buffering_sink *bs, const char *topic,
                                       int32_t partition, int create)
{
    for (size_t i = 0; i < bs->n_parts; i++) {
        if (bs->parts[i].partition == partition && strcmp(bs->parts[i].topic, topic) == 0) {
            return &bs->parts[i];
        }
    }
    if (!create) {
        return NULL;
    }
    struct buffering_part *np = kc_realloc(bs->parts, (bs->n_parts + 1) * sizeof(*np));
    if (np == NULL) {
        return NULL;
    }
    bs->parts = np;
    struct buffering_part *p = &np[bs->n_parts];
    memset(p, 0, sizeof(*p));
    if ((p->topic = kc_strdup(topic)) == NULL) {
        return NULL;
    }
    p->partition = partition;
    p->next = -1;
    p->written = -1;
    bs->n_parts++;
    return p;
}

#define BUFFERING_CHUNK ((size_t)1 << 20)

static void chunks_free(struct buffering_part *p)
{
    for (size_t i = 0; i < p->n_chunks; i++) {
        kc_buf_fini(&p->chunks[i]);
    }
    kc_free(p->chunks);
    p->chunks = NULL;
    p->n_chunks = 0;
    p->len = 0;
}

/* One record's line, into the last chunk or a new one. */
static int append_line(struct buffering_part *p, const struct sink_record *r)
{
    char head[192];
    int hn = snprintf(head, sizeof(head), "%s\t%d\t%lld\t", r->topic, (int)r->partition,
                      (long long)r->offset);
    if (hn < 0) {
        return KC_EINVAL;
    }
    size_t hl = (size_t)hn < sizeof(head) ? (size_t)hn : sizeof(head) - 1;
    size_t need = hl + r->value_len + 1;
    struct kc_buf *b = p->n_chunks > 0 ? &p->chunks[p->n_chunks - 1] : NULL;
    if (b == NULL || (b->len > 0 && b->len + need > BUFFERING_CHUNK)) {
        struct kc_buf *nc = kc_realloc(p->chunks, (p->n_chunks + 1) * sizeof(*nc));
        if (nc == NULL) {
            return KC_ENOMEM;
        }
        p->chunks = nc;
        b = &nc[p->n_chunks++];
        kc_buf_init(b, (size_t)1 << 34);
        if (kc_buf_reserve(b, need > BUFFERING_CHUNK ? need : BUFFERING_CHUNK) != KC_OK) {
            return KC_ENOMEM;
        }
    }
    int rc = kc_buf_append(b, head, hl);
    if (rc == KC_OK && r->value_raw != NULL) {
        rc = kc_buf_append(b, r->value_raw, r->value_len);
    }
    if (rc == KC_OK) {
        rc = kc_buf_append_byte(b, '\n');
    }
    if (rc == KC_OK) {
        p->len += need - (r->value_raw == NULL ? r->value_len : 0);
    }
    return rc;
}

static void part_drop(struct buffering_sink *bs, struct buffering_part *p)
{
    bs->held -= p->len;
    chunks_free(p);
    kc_free(p->topic);
    size_t i = (size_t)(p - bs->parts);
    memmove(&bs->parts[i], &bs->parts[i + 1], (bs->n_parts - i - 1) * sizeof(*p));
    bs->n_parts--;
}

static int buffering_put(struct sink_task *st, const struct sink_record *recs, size_t n,
                         struct kc_error *err)
{
    struct buffering_sink *bs = sink_task_ctx(st);
    if (bs->retry_puts > 0 && n > 0) {
        bs->retry_puts--;
        /* Report first: a record reported in a try that asks to retry is not reported again. */
        if (bs->report_every > 0) {
            for (size_t i = 0; i < n; i++) {
                if (recs[i].offset % bs->report_every == 0) {
                    struct kc_error cause = {0};
                    kc_error_set(&cause, KC_EINVAL, "offset %lld is unlucky",
                                 (long long)recs[i].offset);
                    int rc = sink_task_report_exception(st, &recs[i],
                                                        "java.lang.IllegalStateException",
                                                        &cause);
                    if (rc != KC_OK) {
                        return kc_error_set(err, rc, "%s", cause.msg);
                    }
                }
            }
        }
        return kc_error_set(err, KC_RETRY, "asked to retry (%ld more)", bs->retry_puts);
    }
    for (size_t i = 0; i < n; i++) {
        const struct sink_record *r = &recs[i];
        if (bs->report_every > 0 && r->offset % bs->report_every == 0) {
            struct kc_error cause = {0};
            kc_error_set(&cause, KC_EINVAL, "offset %lld is unlucky", (long long)r->offset);
            int rc = sink_task_report_exception(st, r, "java.lang.IllegalStateException",
                                                &cause);
            if (rc != KC_OK) {
                return kc_error_set(err, rc, "%s", cause.msg);
            }
            continue;
        }
        struct buffering_part *p = part_get(bs, r->kafka_topic, r->kafka_partition, 1);
        if (p == NULL) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        size_t before = p->len;
        if (before == 0) {
            p->first_ms = kc_now_ms();
        }
        if (append_line(p, r) != KC_OK) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        bs->held += p->len - before;
        p->next = r->kafka_offset + 1;
    }
    sink_task_buffered(st, bs->held);
    return KC_OK;
}

static int write_part(struct buffering_sink *bs, struct buffering_part *p, struct kc_error *err)
{
    for (size_t i = 0; i < p->n_chunks; i++) {
        const struct kc_buf *b = &p->chunks[i];
        size_t off = 0;
        while (off < b->len) {
            ssize_t w = write(bs->fd, b->data + off, b->len - off);
            if (w < 0 && errno == EINTR) {
                continue;
            }
            if (w < 0) {
                return kc_error_set_errno(err, KC_RETRY, errno, "write failed");
            }
            off += (size_t)w;
        }
    }
    if (p->len > 0 && fdatasync(bs->fd) != 0) {
        return kc_error_set_errno(err, KC_RETRY, errno, "fdatasync failed");
    }
    bs->held -= p->len;
    chunks_free(p);
    p->written = p->next;
    return KC_OK;
}

static int buffering_pre_commit(struct sink_task *st, const struct sink_offset *consumed,
                                size_t n, struct sink_offset *durable, size_t *n_out,
                                struct kc_error *err)
{
    struct buffering_sink *bs = sink_task_ctx(st);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        struct buffering_part *p = part_get(bs, consumed[i].topic, consumed[i].partition, 0);
        if (bs->tick_flush_ms > 0) {
            /* Only what tick() wrote is durable; the rest stays held. */
            if (p != NULL && p->written >= 0) {
                int64_t off = p->written < consumed[i].offset ? p->written : consumed[i].offset;
                durable[k] = consumed[i];
                durable[k].offset = off;
                snprintf(p->md, sizeof(p->md), "buffering:%lld", (long long)off);
                durable[k++].metadata = p->md;
            }
            continue;
        }
        if (p != NULL) {
            int rc = write_part(bs, p, err);
            if (rc != KC_OK) {
                return rc;
            }
        }
        /* Everything given is now in the file (or was reported). */
        durable[k] = consumed[i];
        if (p != NULL) {
            snprintf(p->md, sizeof(p->md), "buffering:%lld", (long long)consumed[i].offset);
            durable[k].metadata = p->md;
        }
        k++;
    }
    *n_out = k;
    sink_task_buffered(st, bs->held);
    return KC_OK;
}

static int buffering_tick(struct sink_task *st, int64_t now_ms, int64_t *next_ms,
                          struct kc_error *err)
{
    struct buffering_sink *bs = sink_task_ctx(st);
    *next_ms = now_ms + 100;
    if (bs->tick_flush_ms <= 0) {
        return KC_OK;
    }
    for (size_t i = 0; i < bs->n_parts; i++) {
        struct buffering_part *p = &bs->parts[i];
        if (p->len > 0 && now_ms - p->first_ms >= bs->tick_flush_ms) {
            int rc = write_part(bs, p, err);
            if (rc != KC_OK) {
                return rc;
            }
        }
    }
    sink_task_buffered(st, bs->held);
    return KC_OK;
}

static int buffering_flush(struct sink_task *st, struct kc_error *err)
{
    struct buffering_sink *bs = sink_task_ctx(st);
    for (size_t i = 0; i < bs->n_parts; i++) {
        int rc = write_part(bs, &bs->parts[i], err);
        if (rc != KC_OK) {
            return rc;
        }
    }
    sink_task_buffered(st, bs->held);
    return KC_OK;
}

static int buffering_open(struct sink_task *st, const struct tp_list *parts,
                          struct kc_error *err)
{
    struct buffering_sink *bs = sink_task_ctx(st);
    FILE *f = bs->opened_path != NULL ? fopen(bs->opened_path, "a") : NULL;
    for (size_t i = 0; i < parts->n; i++) {
        const struct tp *tp = &parts->tp[i];
        if (f != NULL) {
            fprintf(f, "%s\t%d\t%lld\t%s\n", tp->topic, (int)tp->partition,
                    (long long)tp->committed, tp->metadata != NULL ? tp->metadata : "-");
        }
        if (bs->rewind >= 0) {
            int rc = sink_task_rewind(st, tp->topic, tp->partition, bs->rewind, err);
            if (rc != KC_OK) {
                if (f != NULL) {
                    fclose(f);
                }
                return rc;
            }
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    return KC_OK;
}

static int buffering_close(struct sink_task *st, const struct tp_list *parts,
                           struct kc_error *err)
{
    (void)err;
    struct buffering_sink *bs = sink_task_ctx(st);
    for (size_t i = 0; i < parts->n; i++) {
        struct buffering_part *p = part_get(bs, parts->tp[i].topic, parts->tp[i].partition, 0);
        if (p != NULL) {
            part_drop(bs, p); /* its new owner reads it again from the last commit */
        }
    }
    sink_task_buffered(st, bs->held);
    return KC_OK;
}

static void buffering_stop(struct sink_task *st)
{
    struct buffering_sink *bs = sink_task_ctx(st);
    if (bs == NULL) {
        return;
    }
    while (bs->n_parts > 0) {
        part_drop(bs, &bs->parts[bs->n_parts - 1]); /* not durable, not committed */
    }
    kc_free(bs->parts);
    kc_free(bs->opened_path);
    close(bs->fd);
    kc_free(bs);
    sink_task_set_ctx(st, NULL);
}

static const char *const buffering_classes[] = {
    "io.connectc.testing.BufferingSinkConnector",
    NULL,
};

const struct sink_connector_ops buffering_sink_ops = {
    .version = SINK_OPS_VERSION,
    .name = "buffering",
    .class_names = buffering_classes,
    .task_class = "io.connectc.testing.BufferingSinkTask",
    .plugin_version = "0.1.0",
    .config_def = buffering_config_def,
    .flags = SINK_FLAG_RAW_VALUE | SINK_FLAG_NO_KEY | SINK_FLAG_NO_HEADERS,
    .start = buffering_start,
    .put = buffering_put,
    .flush = buffering_flush,
    .stop = buffering_stop,
    .open = buffering_open,
    .close = buffering_close,
    .pre_commit = buffering_pre_commit,
    .tick = buffering_tick,
};
