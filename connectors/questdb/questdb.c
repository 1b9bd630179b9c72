/*
 * connectors/questdb/questdb.c: the QuestDB sink, a drop-in for io.questdb.kafka.
 * QuestDBSinkConnector (v0.23). Records become ILP lines (questdb_ilp.c) in one buffer that is
 * sent as one request (HTTP, questdb_http.c) or one write (TCP, questdb_tcp.c) per flush.
 *
 * Flushes happen when the buffer holds auto_flush_rows rows or auto_flush_bytes bytes (end of a
 * put), when no record arrived for allowed.lag ms or the oldest row is auto_flush_interval ms old
 * (tick), when the buffer reaches its byte cap (mid-put), and at every commit point
 * (pre_commit). Over TCP every put ends with a flush, as the JVM connector does; so does every
 * put when errors.tolerance=all, so that a row QuestDB refuses (HTTP 400 naming its line) is one
 * of the current put's records and can be reported while the rest is sent again. With
 * errors.tolerance=none a refused row fails the task with QuestDB's message, as in the JVM.
 *
 * Durability invariant: per Kafka partition we keep put_next (the offset after the last record
 * put) and durable_next (put_next as it was at the last acknowledged flush), and pre_commit
 * answers durable_next, never more. A put whose flush fails takes its own lines back out of the
 * buffer and answers KC_RETRY, so "nothing kept" holds and the same batch comes again.
 *
 * Exactly-once: ILP has no transactions across requests, so a crash between a flush and the
 * commit replays rows. With a designated timestamp from the record (timestamp.field.name) or
 * from Kafka (timestamp.kafka.native) and a table created WAL with DEDUP UPSERT KEYS(timestamp,
 * <key columns>), a replayed row replaces its first copy; see tests/integration/questdb.
 *
 * Raw fast path: the sink takes SINK_FLAG_RAW_VALUE | SINK_FLAG_RAW_SCHEMALESS. With no
 * transform and the effective value converter JsonConverter with schemas.enable=false, the
 * worker hands raw bytes, and record_value() parses them with connectors/common/jfast (on the
 * shared scanner, base/kc_jscan) into cdata; with StringConverter it runs the converter here.
 * Any other converter (JSON envelopes, Avro, Protobuf) is run by the worker.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "conf_values.h"
#include "conv.h"
#include "jfast.h"
#include "kc_alloc.h"
#include "kc_arena.h"
#include "kc_buf.h"
#include "kc_log.h"
#include "questdb_conf.h"
#include "questdb_http.h"
#include "questdb_ilp.h"
#include "questdb_pg.h"
#include "questdb_tcp.h"
#include "sink.h"

#define QUESTDB_PLUGIN_VERSION "0.23"

struct questdb_part {
    char *topic; /* owned */
    int32_t partition;
    int64_t put_next;     /* offset after the last record put; -1 = none */
    int64_t durable_next; /* put_next at the last acknowledged flush; -1 = none */
    int64_t mark;         /* put_next when the current put began (rollback) */
    int64_t sent_next;    /* TCP: put_next at the last write not yet confirmed; -1 = none */
};

/* ILP/TCP has no acknowledgement: bytes written just before a connection drops may never reach
 * QuestDB. What was written is confirmed only when a later write goes over the same connection,
 * or when the connection is still open, its send queue empty, this long after the write; until
 * then its offsets are not durable and its bytes are kept, to be written again first on the
 * next connection (a DEDUP table takes them once; others may see them twice, never zero). */
#define QUESTDB_TCP_CONFIRM_MS 200

struct questdb_sink {
    struct questdb_conf qc;
    struct questdb_ilp enc;
    struct questdb_http *http; /* owned; one of the three transports */
    struct questdb_tcp *tcp;
    struct questdb_pg *pg;
    struct kc_buf lines; /* ILP lines not yet acknowledged */
    size_t rows;
    int64_t first_row_ms; /* when the oldest buffered row arrived */
    int64_t last_put_ms;
    struct questdb_part *parts; /* owned array */
    size_t n_parts;
    /* raw input */
    struct conv *conv; /* owned; NULL = JSON through jfast */
    struct jfast jf;
    struct kc_arena arena; /* values parsed from raw bytes, reset per put */
    /* Lines of the current put: put_recs[k] is the record of buffer line (rows - n_put_recs + k);
     * borrowed from put()'s batch, valid only during put. */
    const struct sink_record **put_recs; /* owned array */
    size_t *put_offs; /* owned: byte offset in lines where put_recs[k]'s line starts */
    size_t n_put_recs, cap_put_recs;
    int in_put;
    int proto_known; /* ILP version settled (explicit protocol_version, or asked over HTTP) */
    /* errors.tolerance=all: every put ends with a flush, so a row QuestDB refuses is always one
     * the current put wrote, and can be reported (the JVM connector keeps the batch's records
     * and replays them row by row instead; our records are borrowed for the put only). */
    int flush_every_put;
    /* TCP retry accounting (max.retries, reset after 10 clean flushes, as the JVM task) */
    long tcp_failures;
    long clean_flushes;
    struct kc_buf tcp_unconfirmed; /* TCP: lines written, not yet confirmed (see above) */
    int64_t tcp_sent_ms;           /* when they were last written */
};

/* the clock of tick()'s now: monotonic (sink.h) */
static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void questdb_stop(struct sink_task *st);

/* How raw bytes are read. The worker hands them raw (SINK_FLAG_RAW_SCHEMALESS) only under
 * the effective value converter (the connector's, else the worker's) JsonConverter with
 * schemas.enable=false, read here by jfast, or StringConverter, run here; it converts
 * everything else itself (envelopes, Avro...). */
static int setup_input(struct questdb_sink *qs, struct sink_task *st, const struct conf_values *cv,
                       struct kc_error *err)
{
    const struct kc_strmap *raw = conf_values_raw(cv);
    int schemas_enable = 0;
    const char *vc = sink_task_value_converter(st, &schemas_enable);
    jfast_init(&qs->jf, 0);
    kc_arena_init(&qs->arena, 64 * 1024, (size_t)1 << 32);
    if (vc == NULL || strcmp(vc, "org.apache.kafka.connect.storage.StringConverter") != 0) {
        return KC_OK;
    }
    struct kc_strmap props;
    kc_strmap_init(&props);
    const char *pfx = "value.converter.";
    size_t pl = strlen(pfx);
    for (size_t i = 0; i < raw->n; i++) {
        if (strncmp(raw->e[i].key, pfx, pl) == 0 && raw->e[i].value != NULL &&
            kc_strmap_set(&props, raw->e[i].key + pl, raw->e[i].value) != KC_OK) {
            kc_strmap_fini(&props);
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
    }
    int rc = conv_new(vc, &props, CONV_ROLE_VALUE, &qs->conv, err);
    kc_strmap_fini(&props);
    return rc;
}

/*
 * The record's value: the worker's conversion when it did one, else the raw bytes read here.
 * KC_EINVAL = the bytes are not what the converter expects (err says why).
 */
static int record_value(struct questdb_sink *qs, const struct sink_record *rec,
                        const struct cdata_schema **vs, const struct cdata_value **v,
                        struct kc_error *err)
{
    if (rec->value_converted) {
        *vs = rec->value_schema;
        *v = rec->value;
        return KC_OK;
    }
    *vs = NULL;
    *v = NULL;
    if (rec->value_raw == NULL) {
        return KC_OK;
    }
    if (qs->conv != NULL) {
        return conv_to_connect(qs->conv, rec->topic, rec->value_raw, rec->value_len, &qs->arena,
                               vs, v, err);
    }
    enum jfast_result res;
    int rc = jfast_parse(&qs->jf, rec->value_raw, rec->value_len, &qs->arena, v, &res, err);
    if (rc == KC_EINVAL) {
        char msg[KC_ERROR_MSG_MAX];
        snprintf(msg, sizeof(msg), "%s", err->msg);
        kc_error_set(err, KC_EINVAL, "Converting byte[] to Kafka Connect data failed due to "
                                     "serialization error: %s", msg);
    }
    return rc;
}

/* The line buffer's cap: max_buf_size, or half the task's byte budget if that is smaller (the
 * other half is for the converted batch), never below 4 KiB. */
static size_t buffer_cap(struct sink_task *st, const struct questdb_sink *qs)
{
    size_t cap = (size_t)qs->qc.client.max_buf_size;
    size_t budget = sink_task_budget(st);
    if (budget > 0 && budget / 2 < cap) {
        cap = budget / 2 > 4096 ? budget / 2 : 4096;
    }
    return cap;
}

static int questdb_start(struct sink_task *st, const struct conf_values *cv, struct kc_error *err)
{
    struct questdb_sink *qs = kc_calloc(1, sizeof(*qs));
    if (qs == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    sink_task_set_ctx(st, qs);
    int rc = questdb_conf_load(cv, &qs->qc, err);
    if (rc == KC_OK) {
        rc = questdb_ilp_init(&qs->enc, &qs->qc, err);
    }
    if (rc == KC_OK) {
        rc = setup_input(qs, st, cv, err);
    }
    if (rc == KC_OK) {
        switch (qs->qc.client.transport) {
        case QUESTDB_HTTP:
            rc = questdb_http_new(&qs->qc.client, &qs->http, err);
            break;
        case QUESTDB_TCP:
            rc = questdb_tcp_new(&qs->qc.client, &qs->tcp, err);
            break;
        case QUESTDB_PG:
            rc = questdb_pg_new(&qs->qc, &qs->pg, err);
            break;
        }
    }
    if (rc != KC_OK) {
        questdb_stop(st);
        return rc;
    }
    const char *tol = kc_strmap_get(conf_values_raw(cv), "errors.tolerance");
    qs->flush_every_put = tol != NULL && strcmp(tol, "all") == 0;
    size_t cap = buffer_cap(st, qs);
    kc_buf_init(&qs->lines, cap);
    kc_buf_init(&qs->tcp_unconfirmed, (size_t)1 << 31);
    static const char *const tnames[] = {"ILP/HTTP", "ILP/TCP", "PostgreSQL wire"};
    sink_task_log(st, KC_LOG_INFO,
                  "QuestDB sink writing over %s to %s:%d (auto_flush_rows=%lld, "
                  "allowed.lag=%lld ms, buffer cap %zu bytes, %s input)",
                  tnames[qs->qc.client.transport], qs->qc.client.host, qs->qc.client.port,
                  (long long)qs->qc.client.auto_flush_rows, (long long)qs->qc.allowed_lag, cap,
                  qs->conv != NULL ? conv_class_name(qs->conv) : "raw JSON");
    return KC_OK;
}

static struct questdb_part *part_get(struct questdb_sink *qs, const char *topic,
                                     int32_t partition, int create)
{
    for (size_t i = 0; i < qs->n_parts; i++) {
        if (qs->parts[i].partition == partition && strcmp(qs->parts[i].topic, topic) == 0) {
            return &qs->parts[i];
        }
    }
    if (!create) {
        return NULL;
    }
    struct questdb_part *np = kc_realloc(qs->parts, (qs->n_parts + 1) * sizeof(*np));
    if (np == NULL) {
        return NULL;
    }
    qs->parts = np;
    struct questdb_part *p = &np[qs->n_parts];
    if ((p->topic = kc_strdup(topic)) == NULL) {
        return NULL;
    }
    p->partition = partition;
    p->put_next = p->durable_next = p->mark = p->sent_next = -1;
    qs->n_parts++;
    return p;
}

/* TCP: what was written is confirmed: its offsets become durable. */
static void tcp_confirm(struct questdb_sink *qs)
{
    for (size_t i = 0; i < qs->n_parts; i++) {
        if (qs->parts[i].sent_next >= 0) {
            qs->parts[i].durable_next = qs->parts[i].sent_next;
            qs->parts[i].sent_next = -1;
        }
    }
    kc_buf_reset(&qs->tcp_unconfirmed);
}

/* TCP, nothing new to write: confirm an old enough write on a drained, open connection. 1 when
 * something became durable. */
static int tcp_confirm_idle(struct questdb_sink *qs)
{
    if (qs->tcp == NULL || qs->tcp_unconfirmed.len == 0 ||
        now_ms() - qs->tcp_sent_ms < QUESTDB_TCP_CONFIRM_MS || !questdb_tcp_drained(qs->tcp) ||
        !questdb_tcp_open(qs->tcp)) {
        return 0;
    }
    tcp_confirm(qs);
    return 1;
}

/* Send the buffer; on success every partition's put_next is durable (TCP: once confirmed). */
static int send_lines(struct sink_task *st, struct questdb_sink *qs, long *bad_line,
                      struct kc_error *err)
{
    if (qs->lines.len == 0) {
        (void)tcp_confirm_idle(qs);
        for (size_t i = 0; i < qs->n_parts; i++) {
            if (qs->parts[i].sent_next < 0) { /* nothing of it unconfirmed */
                qs->parts[i].durable_next = qs->parts[i].put_next;
            }
        }
        return KC_OK;
    }
    int rc;
    *bad_line = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (qs->http != NULL) {
        rc = questdb_http_send(qs->http, qs->lines.data, qs->lines.len, bad_line, err);
    } else if (qs->tcp != NULL) {
        /* a new connection first carries what the last one may not have delivered */
        int fresh = !questdb_tcp_open(qs->tcp);
        rc = KC_OK;
        if (fresh && qs->tcp_unconfirmed.len > 0) {
            rc = questdb_tcp_send(qs->tcp, qs->tcp_unconfirmed.data, qs->tcp_unconfirmed.len,
                                  err);
        }
        if (rc == KC_OK) {
            rc = questdb_tcp_send(qs->tcp, qs->lines.data, qs->lines.len, err);
        }
        if (rc == KC_OK) {
            if (!fresh) {
                tcp_confirm(qs); /* the earlier write went over this same, open connection */
            }
            if (kc_buf_append(&qs->tcp_unconfirmed, qs->lines.data, qs->lines.len) != KC_OK) {
                return kc_error_set(err, KC_ENOMEM, "out of memory");
            }
            for (size_t i = 0; i < qs->n_parts; i++) {
                if (qs->parts[i].put_next != qs->parts[i].durable_next) {
                    qs->parts[i].sent_next = qs->parts[i].put_next;
                }
            }
            qs->tcp_sent_ms = now_ms();
        }
        if (rc == KC_RETRY) {
            qs->clean_flushes = 0;
            if (++qs->tcp_failures >= qs->qc.max_retries) {
                return kc_error_set(err, KC_EIO,
                                    "Failed to send data to QuestDB after %lld retries: %s",
                                    (long long)qs->qc.max_retries, err->msg);
            }
        } else if (rc == KC_OK && ++qs->clean_flushes == 10) {
            qs->tcp_failures = 0;
        }
    } else {
        rc = questdb_pg_send(qs->pg, qs->lines.data, qs->lines.len, bad_line, err);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    sink_task_record_insert(st, rc == KC_OK ? qs->lines.len : 0,
                            (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000 +
                                (t1.tv_nsec - t0.tv_nsec) / 1000,
                            rc == KC_OK);
    if (rc == KC_RETRY) {
        sink_task_record_retry(st);
    }
    if (rc != KC_OK) {
        sink_task_log(st, rc == KC_RETRY ? KC_LOG_WARN : KC_LOG_ERROR,
                      "flush of %zu rows (%zu bytes) failed: %s", qs->rows, qs->lines.len,
                      err->msg);
        return rc;
    }
    kc_log(KC_LOG_DEBUG, "sink", "questdb: flushed %zu rows, %zu bytes", qs->rows,
           qs->lines.len);
    kc_buf_reset(&qs->lines);
    qs->rows = 0;
    for (size_t i = 0; i < qs->n_parts; i++) {
        if (qs->tcp == NULL) {
            qs->parts[i].durable_next = qs->parts[i].put_next;
        }
    }
    sink_task_buffered(st, qs->tcp_unconfirmed.len);
    qs->n_put_recs = 0;
    return KC_OK;
}

/*
 * QuestDB refused a line the current put wrote: report its record and take the line out.
 * @return KC_OK (retry the flush), the report's failure (errors.tolerance=none)
 */
static int refuse_line(struct sink_task *st, struct questdb_sink *qs, size_t line,
                       const struct kc_error *cause, struct kc_error *err)
{
    size_t first = qs->rows - qs->n_put_recs, k = line - first, from, to;
    int rc = sink_task_report_exception(st, qs->put_recs[k],
                                        "io.questdb.client.LineSenderException", cause);
    if (rc != KC_OK) {
        return kc_error_set(err, rc, "%s", cause->msg);
    }
    /* Lines are cut by the offsets noted when they were written: array fields are binary and
     * may hold '\n' bytes. */
    from = qs->put_offs[k];
    to = k + 1 < qs->n_put_recs ? qs->put_offs[k + 1] : qs->lines.len;
    memmove(qs->lines.data + from, qs->lines.data + to, qs->lines.len - to);
    qs->lines.len -= to - from;
    qs->lines.data[qs->lines.len] = '\0';
    for (size_t j = k + 1; j < qs->n_put_recs; j++) {
        qs->put_offs[j] -= to - from;
    }
    memmove(&qs->put_recs[k], &qs->put_recs[k + 1],
            (qs->n_put_recs - k - 1) * sizeof(*qs->put_recs));
    memmove(&qs->put_offs[k], &qs->put_offs[k + 1],
            (qs->n_put_recs - k - 1) * sizeof(*qs->put_offs));
    qs->n_put_recs--;
    qs->rows--;
    return KC_OK;
}

/*
 * Flush. A row QuestDB refuses that the current put wrote is reported and the rest sent again;
 * one written by an earlier put fails the task with QuestDB's message (its record is gone; with
 * errors.tolerance=all that cannot happen, see flush_every_put).
 */
static int flush_lines(struct sink_task *st, struct questdb_sink *qs, struct kc_error *err)
{
    for (;;) {
        long bad = 0;
        int rc = send_lines(st, qs, &bad, err);
        if (rc != KC_EINVAL || qs->tcp != NULL) {
            return rc;
        }
        size_t first = qs->rows - qs->n_put_recs;
        if (qs->in_put && bad > 0 && (size_t)bad > first && (size_t)bad <= qs->rows) {
            struct kc_error cause = *err;
            if (qs->qc.dlq_send_batch_on_error) {
                /* dlq.send.batch.on.error: every row of this put goes to the DLQ */
                while (qs->n_put_recs > 0) {
                    rc = refuse_line(st, qs, first, &cause, err);
                    if (rc != KC_OK) {
                        return rc;
                    }
                }
                continue;
            }
            rc = refuse_line(st, qs, (size_t)bad - 1, &cause, err);
            if (rc != KC_OK) {
                return rc;
            }
            continue;
        }
        return rc;
    }
}

/* Take this put's lines back out: the buffer as it was at start_len, offsets at their marks. */
static void rollback(struct questdb_sink *qs, size_t start_len, size_t start_rows)
{
    if (qs->lines.data != NULL) {
        qs->lines.len = start_len;
        qs->lines.data[start_len] = '\0';
    }
    qs->rows = start_rows;
    qs->n_put_recs = 0;
    for (size_t i = 0; i < qs->n_parts; i++) {
        qs->parts[i].put_next = qs->parts[i].mark;
    }
}

static int end_put(struct questdb_sink *qs, int rc)
{
    qs->in_put = 0;
    qs->n_put_recs = 0;
    return rc;
}

static int report(struct sink_task *st, const struct sink_record *rec, const char *cls,
                  const struct kc_error *cause, struct kc_error *err)
{
    int rc = sink_task_report_exception(st, rec, cls, cause);
    if (rc != KC_OK) {
        return kc_error_set(err, rc, "%s", cause->msg);
    }
    return KC_OK;
}

/* Remember that buffer line (rows - 1), starting at byte off, came from r. */
static int note_line(struct questdb_sink *qs, const struct sink_record *r, size_t off)
{
    if (qs->n_put_recs == qs->cap_put_recs) {
        size_t cap = qs->cap_put_recs ? qs->cap_put_recs * 2 : 256;
        const struct sink_record **v = kc_realloc(qs->put_recs, cap * sizeof(*v));
        if (v == NULL) {
            return KC_ENOMEM;
        }
        qs->put_recs = v;
        size_t *o = kc_realloc(qs->put_offs, cap * sizeof(*o));
        if (o == NULL) {
            return KC_ENOMEM;
        }
        qs->put_offs = o;
        qs->cap_put_recs = cap;
    }
    qs->put_offs[qs->n_put_recs] = off;
    qs->put_recs[qs->n_put_recs++] = r;
    return KC_OK;
}

/*
 * protocol_version=auto over HTTP: ask the server which ILP versions it takes (as QuestDB's
 * clients do) before the first row is encoded; version 2 brings the array fields. Until the
 * server answers, put() asks to retry (the records come again).
 */
static int settle_protocol(struct sink_task *st, struct questdb_sink *qs, struct kc_error *err)
{
    if (qs->http == NULL || qs->qc.client.protocol_version != 0) {
        qs->proto_known = 1;
        return KC_OK;
    }
    unsigned versions = 0;
    int rc = questdb_http_protocol_versions(qs->http, &versions, err);
    if (rc != KC_OK) {
        return rc;
    }
    qs->qc.arrays = (versions & (1u << 2)) != 0;
    qs->proto_known = 1;
    sink_task_log(st, KC_LOG_INFO, "QuestDB takes ILP protocol version%s %s%s%s; sending v%d",
                  (versions & (versions - 1)) != 0 ? "s" : "",
                  (versions & (1u << 1)) != 0 ? "1" : "", (versions & (1u << 2)) != 0 ? " 2" : "",
                  (versions & ~((1u << 1) | (1u << 2))) != 0 ? " and newer" : "",
                  qs->qc.arrays ? 2 : 1);
    return KC_OK;
}

static int questdb_put(struct sink_task *st, const struct sink_record *recs, size_t n,
                       struct kc_error *err)
{
    struct questdb_sink *qs = sink_task_ctx(st);
    int64_t now = now_ms();
    if (n == 0) {
        return KC_OK;
    }
    if (!qs->proto_known) {
        int rc = settle_protocol(st, qs, err);
        if (rc != KC_OK) {
            return rc;
        }
    }
    qs->last_put_ms = now;
    qs->in_put = 1;
    qs->n_put_recs = 0;
    kc_arena_reset(&qs->arena);
    size_t cap = buffer_cap(st, qs);
    if (qs->lines.len > cap) {
        int rc = flush_lines(st, qs, err); /* the budget shrank under what we hold */
        if (rc != KC_OK) {
            return end_put(qs, rc);
        }
    }
    qs->lines.limit = cap;
    size_t start_len = qs->lines.len, start_rows = qs->rows;
    for (size_t i = 0; i < qs->n_parts; i++) {
        qs->parts[i].mark = qs->parts[i].put_next;
    }
    for (size_t i = 0; i < n; i++) {
        const struct sink_record *r = &recs[i];
        struct questdb_part *p = part_get(qs, r->kafka_topic, r->kafka_partition, 1);
        if (p == NULL) {
            rollback(qs, start_len, start_rows);
            return end_put(qs, kc_error_set(err, KC_ENOMEM, "out of memory"));
        }
        const struct cdata_schema *vs;
        const struct cdata_value *v;
        struct kc_error cause = {0};
        int rc = record_value(qs, r, &vs, &v, &cause);
        if (rc == KC_EINVAL) {
            rc = report(st, r, "org.apache.kafka.connect.errors.DataException", &cause, err);
            if (rc != KC_OK) {
                rollback(qs, start_len, start_rows);
                return end_put(qs, rc);
            }
            p->put_next = r->kafka_offset + 1;
            continue;
        }
        if (rc != KC_OK) {
            rollback(qs, start_len, start_rows);
            return end_put(qs, kc_error_set(err, rc, "%s", cause.msg));
        }
        int skipped = 0;
        size_t before = qs->lines.len;
        rc = questdb_ilp_append(&qs->enc, r, vs, v, &qs->lines, &skipped, &cause);
        if (rc == KC_ENOMEM && qs->lines.len == before && before > 0) {
            /* Buffer full: send what it holds, then this line goes in an empty buffer. */
            rc = flush_lines(st, qs, err);
            if (rc != KC_OK) {
                rollback(qs, start_len, start_rows);
                return end_put(qs, rc);
            }
            start_len = 0;
            start_rows = 0;
            for (size_t j = 0; j < qs->n_parts; j++) {
                qs->parts[j].mark = qs->parts[j].put_next;
            }
            kc_error_clear(&cause);
            before = 0;
            rc = questdb_ilp_append(&qs->enc, r, vs, v, &qs->lines, &skipped, &cause);
        }
        if (rc == KC_ENOMEM && qs->lines.len == 0 && before == 0 && qs->lines.limit > 0) {
            kc_error_set(&cause, KC_EINVAL, "the record's ILP line is larger than the buffer "
                                            "cap (max_buf_size or the task's byte budget)");
            rc = KC_EINVAL;
        }
        if (rc == KC_EINVAL) {
            rc = report(st, r, "org.apache.kafka.connect.errors.ConnectException", &cause, err);
            if (rc != KC_OK) {
                rollback(qs, start_len, start_rows);
                return end_put(qs, rc);
            }
        } else if (rc != KC_OK) {
            /* Allocation failed inside the buffer, which dropped its contents: nothing of it
             * was acknowledged, so failing the task loses nothing. */
            qs->rows = 0;
            return end_put(qs, kc_error_set(err, KC_ENOMEM, "%s", cause.msg));
        } else if (!skipped) {
            if (qs->rows == 0) {
                qs->first_row_ms = now;
            }
            qs->rows++;
            if (note_line(qs, r, before) != KC_OK) {
                rollback(qs, start_len, start_rows);
                return end_put(qs, kc_error_set(err, KC_ENOMEM, "out of memory"));
            }
        }
        p->put_next = r->kafka_offset + 1;
    }
    sink_task_buffered(st, qs->lines.len);
    const struct questdb_client_conf *c = &qs->qc.client;
    if ((qs->tcp != NULL && !c->auto_flush_rows_set) || qs->flush_every_put ||
        (int64_t)qs->rows >= c->auto_flush_rows ||
        (c->auto_flush_bytes > 0 && (int64_t)qs->lines.len >= c->auto_flush_bytes)) {
        int rc = flush_lines(st, qs, err);
        if (rc != KC_OK) {
            if (rc == KC_RETRY) {
                rollback(qs, start_len, start_rows);
                sink_task_buffered(st, qs->lines.len);
            }
            return end_put(qs, rc);
        }
        sink_task_request_commit(st);
    }
    return end_put(qs, KC_OK);
}

static int questdb_flush(struct sink_task *st, struct kc_error *err)
{
    return flush_lines(st, sink_task_ctx(st), err);
}

static int questdb_tick(struct sink_task *st, int64_t now, int64_t *next_ms, struct kc_error *err)
{
    struct questdb_sink *qs = sink_task_ctx(st);
    int64_t lag = qs->qc.allowed_lag, ivl = qs->qc.client.auto_flush_interval;
    if (qs->rows == 0) {
        *next_ms = now + (lag < ivl ? lag : ivl);
        if (qs->tcp_unconfirmed.len > 0) {
            if (tcp_confirm_idle(qs)) {
                sink_task_request_commit(st); /* the last write's offsets are durable now */
            } else if (*next_ms > now + QUESTDB_TCP_CONFIRM_MS) {
                *next_ms = now + QUESTDB_TCP_CONFIRM_MS;
            }
        }
        return KC_OK;
    }
    int64_t due = qs->last_put_ms + lag;
    if (qs->first_row_ms + ivl < due) {
        due = qs->first_row_ms + ivl;
    }
    if (now >= due) {
        int rc = flush_lines(st, qs, err);
        *next_ms = now + (rc == KC_OK ? (lag < ivl ? lag : ivl) : 200);
        if (rc == KC_OK) {
            sink_task_request_commit(st);
        }
        return rc;
    }
    *next_ms = due;
    return KC_OK;
}

static int questdb_pre_commit(struct sink_task *st, const struct sink_offset *consumed, size_t n,
                              struct sink_offset *durable, size_t *n_out, struct kc_error *err)
{
    struct questdb_sink *qs = sink_task_ctx(st);
    int rc = flush_lines(st, qs, err);
    if (rc < 0) {
        return rc;
    }
    /* On KC_RETRY (QuestDB unreachable) answer what was acknowledged before. */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        struct questdb_part *p = part_get(qs, consumed[i].topic, consumed[i].partition, 0);
        if (p == NULL || p->durable_next == p->put_next) {
            durable[k++] = consumed[i]; /* nothing held for it */
        } else if (p->durable_next >= 0) {
            durable[k] = consumed[i];
            durable[k].offset = p->durable_next < consumed[i].offset ? p->durable_next
                                                                     : consumed[i].offset;
            durable[k].metadata = NULL;
            k++;
        }
    }
    *n_out = k;
    return KC_OK;
}

static int questdb_close(struct sink_task *st, const struct tp_list *parts, struct kc_error *err)
{
    (void)err;
    struct questdb_sink *qs = sink_task_ctx(st);
    for (size_t i = 0; i < parts->n; i++) {
        struct questdb_part *p = part_get(qs, parts->tp[i].topic, parts->tp[i].partition, 0);
        if (p != NULL) {
            kc_free(p->topic);
            size_t idx = (size_t)(p - qs->parts);
            memmove(&qs->parts[idx], &qs->parts[idx + 1], (qs->n_parts - idx - 1) * sizeof(*p));
            qs->n_parts--;
        }
    }
    return KC_OK;
}

static void questdb_stop(struct sink_task *st)
{
    struct questdb_sink *qs = sink_task_ctx(st);
    if (qs == NULL) {
        return;
    }
    questdb_http_free(qs->http);
    questdb_tcp_free(qs->tcp);
    questdb_pg_free(qs->pg);
    conv_free(qs->conv);
    jfast_fini(&qs->jf);
    kc_arena_fini(&qs->arena);
    kc_buf_fini(&qs->lines);
    kc_buf_fini(&qs->tcp_unconfirmed);
    for (size_t i = 0; i < qs->n_parts; i++) {
        kc_free(qs->parts[i].topic);
    }
    kc_free(qs->parts);
    kc_free(qs->put_recs);
    kc_free(qs->put_offs);
    questdb_ilp_fini(&qs->enc);
    questdb_conf_fini(&qs->qc);
    kc_free(qs);
    sink_task_set_ctx(st, NULL);
}

static int questdb_validate(const struct conf_values *cv, struct conf_infos *errs,
                            struct kc_error *err)
{
    return questdb_conf_validate(cv, errs, err);
}

static const char *const questdb_classes[] = {
    "io.questdb.kafka.QuestDBSinkConnector",
    "io.connectc.questdb.QuestDBSinkConnector",
    NULL,
};

const struct sink_connector_ops questdb_sink_ops = {
    .version = SINK_OPS_VERSION,
    .name = "questdb",
    .class_names = questdb_classes,
    .task_class = "io.questdb.kafka.QuestDBSinkTask",
    .plugin_version = QUESTDB_PLUGIN_VERSION,
    .config_def = questdb_config_def,
    .flags = SINK_FLAG_RAW_VALUE | SINK_FLAG_RAW_SCHEMALESS | SINK_FLAG_NO_HEADERS,
    .start = questdb_start,
    .put = questdb_put,
    .flush = questdb_flush,
    .stop = questdb_stop,
    .validate = questdb_validate,
    .close = questdb_close,
    .pre_commit = questdb_pre_commit,
    .tick = questdb_tick,
};
