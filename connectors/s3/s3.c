/*
 * connectors/s3/s3.c: the S3 sink (io.confluent.connect.s3.S3SinkConnector drop-in): ops table
 * and callbacks.
 *
 * Per assigned Kafka partition the task keeps one "set" of open files, one per encoded
 * partition (partition=3, year=.../hour=...), named <topic><file.delim><partition><file.delim>
 * <first offset, zero-padded><ext>. A set is committed as a whole (every object made visible)
 * when flush.size records went into it, when record time moved rotate.interval.ms past its
 * first record (or the encoded partition changed, with rotate.file.on.partition.change), or at
 * a rotate.schedule.interval.ms wall-clock boundary (tick). Open files stay open across offset
 * commits: pre_commit answers, per partition, the first offset of the open set (all before it
 * is in committed objects), or what was consumed when no set is open.
 *
 * Exactly-once: after a crash the worker resumes each partition at its committed offset, which
 * is always a set boundary; open() rewinds there explicitly. The set is then rebuilt from the
 * same records with the same rule, so the same object names with the same rows are written
 * again (a conditional PUT finding the object answers 412, which we count as done). This holds
 * with Default / Field partitioners or time-based ones with the Record or RecordField
 * extractor, rotation by flush.size and/or rotate.interval.ms, and no transform that is not
 * deterministic; Wallclock or rotate.schedule.interval.ms give at-least-once (file boundaries
 * then depend on the clock). Under budget pressure the largest open file writes its row group
 * to its spool file (disk), so names and rows stay the same and only the row-group layout
 * differs -- except for a file still sampling records to infer its schema, which infers early
 * (see README: the one way memory pressure can move a rotation).
 *
 * Records: raw value bytes (SINK_FLAG_RAW_VALUE) parsed as JSON; a JsonConverter envelope
 * brings its Connect schema, schemaless JSON gets a schema inferred per file
 * (parquet.infer.records); a later record that does not fit rotates the set and starts a new
 * file from it (parquet.schema.mismatch=rotate), or goes to the DLQ (dlq). A record taken into
 * the sample that the inferred schema then refuses is not blamed on a later one: its partition
 * rewinds to the set's first offset and that record is reported when it comes again (s3_blame).
 * An envelope whose Connect schema differs from its file's starts a new set, as Confluent's
 * schema.compatibility=NONE. Converted values (Avro, Protobuf, JSON Schema, or any value a
 * transform ran on) become such envelopes when they have a struct schema (s3_connect.c), so their
 * columns come from the Connect schema; others are turned back into schemaless JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "conf_def.h"
#include "conf_values.h"
#include "kc_alloc.h"
#include "kc_buf.h"
#include "kc_jscan.h"
#include "kc_log.h"
#include "conv.h"
#include "json_java.h"
#include "kc_text.h"
#include "parquet.h"
#include "parquet_json.h"
#include "s3_conf.h"
#include "s3_avro.h"
#include "s3_connect.h"
#include "s3_partitioner.h"
#include "s3_store.h"
#include "s3_upload.h"
#include "sink.h"

/* A record that was taken into a file (its schema sample) and turned out not to fit once the
 * schema was inferred: it must be reported, so its partition is read again from the set's
 * first offset and the record is reported when it comes back instead of being written. */
struct s3_blame {
    int64_t offset;
    struct kc_error why;
};

struct s3_file {
    struct s3_file *next;
    char *encoded;  /* owned */
    size_t encoded_len;
    int64_t start;  /* first Kafka offset */
    uint64_t n;     /* records accepted */
    struct s3_object *obj;     /* owned */
    struct parquet_jsonl *pj;  /* owned; NULL for JSON lines */
    struct s3_zout *z;         /* owned: JSON through gzip or zstd; NULL uncompressed */
    struct s3_avro *av;        /* owned: AvroFormat, from the first record on; NULL before */
    int bad;                   /* set by the bad callback during one record */
    int64_t cur;               /* offset of the record being written; -1 between records */
    struct s3_blame *blamed;   /* owned: earlier records of this file the bad callback named */
    size_t n_blamed, cap_blamed;
    int blame_oom;             /* a blamed record could not be noted: fail the task */
    unsigned flushed_round;    /* enforce_budget's round that last flushed it */
    struct kc_error why;
    struct kc_error io_err;    /* why the object refused the writer's bytes (obj_write) */
    uint64_t schema_fp;        /* converted values: cdata_schema_fingerprint of the first;
                                * a Parquet keys file: its keys' schema */
    int has_schema_fp;
    int64_t last;              /* offset of the last record written into it */
    const struct s3_conf *conf; /* the sink's: tags for late_finish (s3.object.tagging) */
    struct kc_error *tag_warn; /* its batch object's, while the upload thread finishes it */
    int side;                  /* S3_VALUES; or S3_KEYS / S3_HEADERS: the file of the record
                                * keys or headers beside its values file of the same set and
                                * encoded partition (store.kafka.keys / .headers), one row per
                                * value, in the same order */
};

enum { S3_VALUES = 0, S3_KEYS = 1, S3_HEADERS = 2 };

struct s3_tp {
    char *topic; /* owned */
    int32_t partition;
    int64_t boundary; /* first offset of the open set: all before is durable; -1 unknown */
    struct s3_file *files;
    int64_t count;   /* records in the open set */
    int has_base;
    int64_t base_ts; /* record time of the set's first record */
    char *last_encoded; /* owned */
    size_t last_encoded_len;
    int64_t schedule_due; /* wall clock of the next scheduled rotation; 0 none */
    int skip;        /* rewound during this put: drop its remaining records */
    int64_t next_offset; /* after the last record put into the set */
    int64_t handled; /* after the last record written or reported; -1 none since open. A
                      * replay sets it back to the boundary, so a commit before the replayed
                      * records arrive cannot claim what was dropped. */
    int rewound;     /* a replay's records have not arrived yet: commits stay at handled (other
                      * times records the worker itself reported, such as a value its converter
                      * refused, may pass handled and are committed) */
    /* S3: closed sets handed to the upload thread and not back yet; commits stay at or before
     * pending_from (the first offset of the oldest of them) */
    size_t n_pending;
    int64_t pending_from;
    int failed;          /* an upload of this partition failed: replay from fail_from */
    int64_t fail_from;
    int revoking;        /* close() is dropping it: a failed upload needs no replay */
    struct kc_error fail_why;
    struct s3_blame *deny; /* owned: offsets to report instead of write when they come again */
    size_t n_deny, cap_deny;
    int64_t *reported; /* owned: offsets of the open set already reported by this task, passed
                        * over when a replay brings them again (no second DLQ copy) */
    size_t n_reported, cap_reported;
};

/* At most this many reported offsets are remembered per partition; past it a replay reports
 * again (the DLQ is at-least-once). */
#define S3_REPORTED_MAX 65536

static void forget_reported(struct s3_tp *tp);
static size_t file_footprint(const struct s3_file *f);

struct s3_sink {
    struct sink_task *st;
    struct s3_conf c;
    struct s3_partitioner *part;
    struct s3_store *store;
    struct s3_tp **tps;
    size_t n_tps, cap_tps;
    struct kc_buf path; /* scratch */
    struct kc_buf enc;  /* scratch */
    struct kc_buf row;  /* scratch: Aiven's row */
    struct kc_buf key;  /* scratch: Aiven's {{key}} text of the record being put */
    struct kc_buf jtext; /* scratch: JSON text of a value (java_dumps) */
    size_t budget;
    int string_values; /* the value converter is StringConverter: raw bytes are text */
    int schemas_enable; /* the value converter's schemas.enable: raw values are envelopes */
    unsigned round; /* enforce_budget calls */
    struct s3_uploader *up; /* commits objects (uploads, or renames on the local store) while
                             * the task encodes */
    size_t inflight; /* bytes of the converters the upload thread finishes (late_finish) */
    char *ext;       /* owned: the objects' extension (s3_conf_extension, ".gz" for gzip
                      * ByteArrayFormat) */
    char *sep;       /* owned: ByteArrayFormat's separator, its Java escapes read */
    size_t sep_len;
    struct parquet_jsonl_parsers *parsers; /* owned: one set for every open file's converter */
    uint64_t early_commits; /* sets committed early because the files' floor passed the budget */
    struct kc_jscan js; /* reads the members the partitioner needs (load_needed) */
    /* The record put_one is writing, parsed in s->parsers to find its partition (Parquet
     * format): the converter writes it without parsing again. NULL: not parsed. */
    const struct parquet_jsonl_doc *pdoc;
    /* Or staged for the file its partition's last record went to (view_staged): the converter
     * that takes it writes the staged row. */
    int staged;
    struct s3_tp *last_tp;  /* tp_of's last answer, for */
    const char *last_topic; /* this topic name (borrowed from the put's records) */
    /* store.kafka.keys / .headers: [S3_KEYS - 1], [S3_HEADERS - 1] */
    char *side_ext[2];  /* owned: ".keys.snappy.parquet", ".headers.json" */
    char *side_text[2]; /* owned (malloc): the row side_prepare made of the record being put */
    uint64_t key_fp;    /* the schema of the key in side_text[0] (Parquet keys) */
    struct kc_buf avro_rec;    /* scratch: the Avro binary of the record being put */
    struct kc_buf side_avro;   /* scratch: its headers' Avro binary (AvroFormat headers) */
    struct kc_buf key_avro;    /* scratch: its key's Avro binary (AvroFormat keys) */
    struct avro_enc *key_enc;  /* owned: the encoder of the last key schema seen (key_fp) */
    struct kc_buf avro_packed; /* scratch: an Avro block through its codec */
};

/* Closed sets in flight to S3 per task: one travelling, one waiting, then put() waits. */
#define S3_UPLOADS_PENDING 2

/* ---- small helpers ---- */

/* The upload thread finished a set: tick collects it and asks for its commit now. */
static void wake_task(void *arg)
{
    sink_task_wake(arg);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Two encoded partitions (lengths from strlen) the same: a put's records mostly go where the
 * last one went, so this is asked two or three times per record. */
static inline int enc_eq(const char *a, size_t alen, const char *b, size_t blen)
{
    return alen == blen && kc_mem_eq(a, b, alen);
}

static struct s3_tp *tp_find(struct s3_sink *s, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < s->n_tps; i++) {
        if (s->tps[i]->partition == partition && strcmp(s->tps[i]->topic, topic) == 0) {
            return s->tps[i];
        }
    }
    return NULL;
}

/* tp_find for a record of the put in progress. A put's records come in runs of one partition,
 * their topic name at one address while the put lasts: the last answer is kept for that
 * address (and forgotten when a put starts, when the address may name another topic). */
static struct s3_tp *tp_of(struct s3_sink *s, const struct sink_record *r)
{
    struct s3_tp *l = s->last_tp;
    if (l != NULL && l->partition == r->kafka_partition && r->kafka_topic == s->last_topic) {
        return l;
    }
    if ((l = tp_find(s, r->kafka_topic, r->kafka_partition)) != NULL) {
        s->last_tp = l;
        s->last_topic = r->kafka_topic;
    }
    return l;
}

static void file_free(struct s3_file *f)
{
    kc_free(f->blamed);
    parquet_jsonl_free(f->pj);
    s3_zout_free(f->z);
    s3_avro_free(f->av);
    s3_object_abort(f->obj);
    kc_free(f->encoded);
    kc_free(f);
}

static void tp_drop_files(struct s3_tp *tp)
{
    while (tp->files != NULL) {
        struct s3_file *f = tp->files;
        tp->files = f->next;
        file_free(f);
    }
    tp->count = 0;
    tp->has_base = 0;
    tp->schedule_due = 0;
    kc_free(tp->last_encoded);
    tp->last_encoded = NULL;
    tp->last_encoded_len = 0;
}

static struct s3_tp *tp_add(struct s3_sink *s, const char *topic, int32_t partition)
{
    struct s3_tp *tp = tp_find(s, topic, partition);
    if (tp != NULL) {
        return tp;
    }
    if (s->n_tps == s->cap_tps) {
        size_t cap = s->cap_tps ? s->cap_tps * 2 : 16;
        struct s3_tp **n = kc_realloc(s->tps, cap * sizeof(*n));
        if (n == NULL) {
            return NULL;
        }
        s->tps = n;
        s->cap_tps = cap;
    }
    tp = kc_calloc(1, sizeof(*tp));
    if (tp == NULL || (tp->topic = kc_strdup(topic)) == NULL) {
        kc_free(tp);
        return NULL;
    }
    tp->partition = partition;
    tp->boundary = -1;
    tp->handled = -1;
    s->tps[s->n_tps++] = tp;
    return tp;
}

static void tp_remove(struct s3_sink *s, size_t i)
{
    struct s3_tp *tp = s->tps[i];
    if (s->last_tp == tp) {
        s->last_tp = NULL;
    }
    tp_drop_files(tp);
    kc_free(tp->deny);
    kc_free(tp->reported);
    kc_free(tp->topic);
    kc_free(tp);
    s->tps[i] = s->tps[--s->n_tps];
}

/* ---- parquet_jsonl callbacks: one converter per file ---- */

static int obj_write(void *opaque, const void *buf, size_t len)
{
    struct s3_file *f = opaque;
    return s3_object_write(f->obj, buf, len, &f->io_err) == KC_OK ? 0 : -1;
}

/* A converter call on f that said rc: a failed write says why the object refused it ("cannot
 * write <path>: No space left on device") rather than only the writer's "write callback
 * failed". */
static int file_rc(const struct s3_file *f, int rc, struct kc_error *err)
{
    if (rc == KC_EIO && f->io_err.msg[0] != '\0') {
        *err = f->io_err;
        err->rc = rc;
    }
    return rc;
}

static int pj_open(void *opaque, unsigned index, parquet_write_fn **write, void **write_opaque,
                   struct kc_error *err)
{
    struct s3_file *f = opaque;
    if (index != 0) { /* we rotate ourselves: one Parquet file per object */
        return kc_error_set(err, KC_EFATAL, "S3 sink: unexpected second file in %s",
                            s3_object_key(f->obj));
    }
    *write = obj_write;
    *write_opaque = f;
    return KC_OK;
}

static int pj_close(void *opaque, unsigned index, struct kc_error *err)
{
    (void)opaque;
    (void)index;
    (void)err;
    return KC_OK;
}

/* line is the record's Kafka offset (parquet_jsonl_record's id): the record being written, or
 * one held in the file's schema sample (then reported later, see s3_blame). */
static void pj_bad(void *opaque, uint64_t line, const struct kc_error *why)
{
    struct s3_file *f = opaque;
    if ((int64_t)line == f->cur) {
        f->bad = 1;
        f->why = *why;
        return;
    }
    if (f->n_blamed == f->cap_blamed) {
        size_t cap = f->cap_blamed ? f->cap_blamed * 2 : 4;
        struct s3_blame *b = kc_realloc(f->blamed, cap * sizeof(*b));
        if (b == NULL) {
            f->blame_oom = 1;
            return;
        }
        f->blamed = b;
        f->cap_blamed = cap;
    }
    f->blamed[f->n_blamed].offset = (int64_t)line;
    f->blamed[f->n_blamed].why = *why;
    f->n_blamed++;
}

/* Report the record at offset (why) instead of writing it when its set is read again. */
static int deny_add(struct s3_tp *tp, int64_t offset, const struct kc_error *why)
{
    if (tp->n_deny == tp->cap_deny) {
        size_t cap = tp->cap_deny ? tp->cap_deny * 2 : 4;
        struct s3_blame *d = kc_realloc(tp->deny, cap * sizeof(*d));
        if (d == NULL) {
            return KC_ENOMEM;
        }
        tp->deny = d;
        tp->cap_deny = cap;
    }
    tp->deny[tp->n_deny].offset = offset;
    tp->deny[tp->n_deny].why = *why;
    tp->n_deny++;
    return KC_OK;
}

/*
 * Move what the set's files blamed on earlier records into the partition's deny list. Returns
 * KC_OK when nothing was blamed, KC_RETRY (why set: the set must be read again from its first
 * offset) when something was, KC_ENOMEM when a blame could not be kept.
 */
static int take_blame(struct s3_tp *tp, struct kc_error *why)
{
    size_t n = 0;
    int64_t first = -1;
    for (struct s3_file *f = tp->files; f != NULL; f = f->next) {
        if (f->blame_oom) {
            return kc_error_set(why, KC_ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < f->n_blamed; i++) {
            if (deny_add(tp, f->blamed[i].offset, &f->blamed[i].why) != KC_OK) {
                return kc_error_set(why, KC_ENOMEM, "out of memory");
            }
            if (first < 0 || f->blamed[i].offset < first) {
                first = f->blamed[i].offset;
            }
            n++;
        }
        f->n_blamed = 0;
    }
    if (n == 0) {
        return KC_OK;
    }
    return kc_error_set(why, KC_RETRY,
                        "%zu record(s) from offset %lld, taken into the schema sample, do not fit "
                        "the inferred schema; they are reported when read again",
                        n, (long long)first);
}

/* The deny entry for offset (removed from the list into *why), or 0. */
static int take_denied(struct s3_tp *tp, int64_t offset, struct kc_error *why)
{
    for (size_t i = 0; i < tp->n_deny; i++) {
        if (tp->deny[i].offset == offset) {
            *why = tp->deny[i].why;
            tp->deny[i] = tp->deny[--tp->n_deny];
            return 1;
        }
    }
    return 0;
}

/* ---- files and sets ---- */

/* JSON output into the file's object, through its compressor when it has one. */
static int file_write(struct s3_file *f, const void *buf, size_t len, struct kc_error *err)
{
    return f->z != NULL ? s3_zout_write(f->z, f->obj, buf, len, err)
                        : s3_object_write(f->obj, buf, len, err);
}

/* The end of a JSON file: Aiven's BATCH_END for a json array, the compressed stream's end. */
static int json_file_end(struct s3_sink *s, struct s3_file *f, struct kc_error *err)
{
    if (f->av != NULL) {
        return s3_avro_flush(f->av, f->obj, &s->avro_packed, err); /* its last block */
    }
    int rc = KC_OK;
    if (s->c.format == S3_FORMAT_JSON_ARRAY) {
        rc = file_write(f, "\n]", 2, err);
    }
    if (rc == KC_OK && f->z != NULL) {
        rc = s3_zout_finish(f->z, f->obj, err);
    }
    return rc;
}

/* parquet_jsonl_options.keep_member: the root members the partitioner reads */
static int keep_member(void *arg, const char *name, size_t len)
{
    return s3_partitioner_reads_member(arg, name, len);
}

/* The open file of the set for an encoded partition and side (S3_VALUES...), or NULL. */
static struct s3_file *file_find(const struct s3_tp *tp, const char *encoded, size_t enc_len,
                                 int side)
{
    for (struct s3_file *x = tp->files; x != NULL; x = x->next) {
        if (x->side == side && enc_eq(x->encoded, x->encoded_len, encoded, enc_len)) {
            return x;
        }
    }
    return NULL;
}

static int file_open(struct s3_sink *s, struct s3_tp *tp, const char *encoded, int64_t start,
                     int64_t ts_local, int side, struct s3_file **out, struct kc_error *err)
{
    const enum s3_format fmt = side == S3_VALUES ? s->c.format : s->c.side_format[side - 1];
    struct s3_file *f = kc_calloc(1, sizeof(*f));
    if (f == NULL || (f->encoded = kc_strdup(encoded)) == NULL) {
        kc_free(f);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    f->encoded_len = strlen(f->encoded);
    f->start = start;
    f->cur = -1;
    f->side = side;
    f->conf = &s->c;
    const char *dd = s->c.part.dir_delim != NULL && s->c.part.dir_delim[0] ? s->c.part.dir_delim
                                                                            : "/";
    kc_buf_reset(&s->path);
    int rc;
    if (s->c.aiven.on) {
        struct kc_error e;
        rc = s3_aiven_render(&s->c.aiven, tp->topic, tp->partition, start, ts_local,
                             (const char *)s->key.data, s->key.len, &s->path, &e);
    } else {
        rc = kc_buf_printf(&s->path, "%s%s%s%s%s%s%s%s%d%s%0*lld%s", s->c.topics_dir, dd,
                           tp->topic, dd, encoded, dd, tp->topic, s->c.file_delim,
                           (int)tp->partition, s->c.file_delim, s->c.pad_width, (long long)start,
                           side == S3_VALUES ? s->ext : s->side_ext[side - 1]);
    }
    if (rc == KC_OK) {
        rc = kc_buf_append_byte(&s->path, 0);
    }
    if (rc != KC_OK) {
        file_free(f);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    if (s->c.aiven.on && s3_store_is_local(s->store) && s3_uploader_pending(s->up) > 0) {
        /* Aiven's names need no start offset ({{key}}): the set before may still be writing
         * the same "<key>.inprogress" on the upload thread; it is renamed before this one
         * truncates it (tick collects the batch) */
        s3_uploader_drain(s->up);
    }
    if ((rc = s3_store_open(s->store, s->path.data, &f->obj, err)) != KC_OK) {
        file_free(f);
        return rc;
    }
    if (fmt == S3_FORMAT_PARQUET) {
        struct parquet_jsonl_options o;
        parquet_jsonl_options_init(&o);
        o.writer.codec = (enum parquet_codec)s->c.codec;
        /* a row group never holds more than a quarter of the budget */
        size_t rg = s->budget / 4;
        o.writer.row_group_bytes = rg < ((size_t)1 << 20) ? ((size_t)1 << 20)
                                   : rg > ((size_t)16 << 20) ? ((size_t)16 << 20) : rg;
        o.writer.memory_cap = o.writer.row_group_bytes;
        o.infer_records = s->c.infer_records;
        o.infer_timestamps = s->c.infer_timestamps;
        o.on_mismatch = PARQUET_JSON_SKIP;
        o.parsers = s->parsers;
        if (side == S3_VALUES) {
            o.keep_member = keep_member; /* view_staged: only what the partitioner reads */
            o.keep_arg = s->part;
        }
        if ((rc = parquet_jsonl_new(&f->pj, &o, pj_open, pj_close, pj_bad, f, err)) != KC_OK) {
            file_free(f);
            return rc;
        }
    } else {
        if (s->c.json_z != S3_Z_NONE && fmt != S3_FORMAT_AVRO &&
            (rc = s3_zout_new(s->c.json_z, s->c.json_level, &f->z, err)) != KC_OK) {
            file_free(f);
            return rc;
        }
        if (fmt == S3_FORMAT_JSON_ARRAY && (rc = file_write(f, "[\n", 2, err)) != KC_OK) {
            file_free(f);
            return rc;
        }
    }
    f->next = tp->files;
    tp->files = f;
    *out = f;
    return KC_OK;
}

/* s in place without its leading and trailing blanks */
static char *trim_in_place(char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
        s[--n] = '\0';
    }
    return s;
}

/* s3.object.tagging: the tags of a values file's object, as Confluent's tagFile (startOffset,
 * endOffset: its last record's, recordCount), then s3.object.tagging.key.value.pairs; set on
 * obj to be put once it is committed. Keys and headers files are not tagged (nor by Confluent). */
static int file_tags(const struct s3_file *f, struct s3_object *obj, struct kc_error *warn)
{
    const struct s3_conf *c = f->conf;
    if (!c->tagging || f->side != S3_VALUES) {
        return KC_OK;
    }
    char nums[3][24];
    snprintf(nums[0], sizeof(nums[0]), "%lld", (long long)f->start);
    snprintf(nums[1], sizeof(nums[1]), "%lld", (long long)f->last);
    snprintf(nums[2], sizeof(nums[2]), "%llu", (unsigned long long)f->n);
    size_t n = 3 + c->n_tag_pairs;
    const char **kv = kc_calloc(2 * n, sizeof(*kv));
    char *copy = NULL;
    size_t total = 0;
    for (size_t i = 0; i < c->n_tag_pairs; i++) {
        total += strlen(c->tag_pairs[i]) + 1;
    }
    if (kv == NULL || (copy = kc_malloc(total + 1)) == NULL) {
        kc_free(kv);
        return KC_ENOMEM;
    }
    static const char *const names[3] = {"startOffset", "endOffset", "recordCount"};
    for (int i = 0; i < 3; i++) {
        kv[2 * i] = names[i];
        kv[2 * i + 1] = nums[i];
    }
    char *p = copy;
    n = 3;
    for (size_t i = 0; i < c->n_tag_pairs; i++) {
        /* "key:value" (validated): split at the first ':', both trimmed; a key given again
         * (or a built-in one) takes the later value, as a map put would */
        size_t len = strlen(c->tag_pairs[i]);
        memcpy(p, c->tag_pairs[i], len + 1);
        char *colon = strchr(p, ':');
        const char *v = "";
        if (colon != NULL) {
            *colon = '\0';
            v = trim_in_place(colon + 1);
        }
        const char *k = trim_in_place(p);
        size_t at = n;
        for (size_t j = 0; j < n; j++) {
            if (strcmp(kv[2 * j], k) == 0) {
                at = j;
                break;
            }
        }
        kv[2 * at] = k;
        kv[2 * at + 1] = v;
        n += at == n;
        p += len + 1;
    }
    int rc = s3_object_set_tags(obj, kv, n, c->tagging_ignore, warn);
    kc_free(copy);
    kc_free(kv);
    return rc;
}

/* The upload thread finishes a Parquet file: its last pages, column chunks and footer go to the
 * spool file there, then the object is committed. f is the thread's until the batch is back. */
static int late_finish(void *ctx, struct s3_object **obj, struct kc_error *err)
{
    struct s3_file *f = ctx;
    int rc = file_rc(f, parquet_jsonl_finish(f->pj, err), err);
    if (rc == KC_OK && f->n_blamed > 0) {
        /* settled files name no record (parquet_jsonl_settled); should one, replay the set */
        rc = kc_error_set(err, KC_EIO, "finishing %s named a record", s3_object_key(f->obj));
    }
    if (rc == KC_OK && file_tags(f, f->obj, f->tag_warn) != KC_OK) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    if (rc == KC_OK) {
        *obj = f->obj;
        f->obj = NULL;
    }
    return rc;
}

static void late_drop(void *ctx)
{
    file_free(ctx);
}

/* The bytes given to the upload thread to finish are back (or dropped). */
static void late_done(struct s3_sink *s, const struct s3_batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        s->inflight -= b->objs[i].mem <= s->inflight ? b->objs[i].mem : s->inflight;
    }
}

/*
 * Finish every open file of the set and hand its objects to the upload thread as one batch
 * (S3: uploaded; local store: fsynced and renamed); the set's records become durable when the
 * batch comes back (harvest). Blocks while
 * S3_UPLOADS_PENDING batches are on their way. A Parquet file whose converter has nothing left
 * to parse (parquet_jsonl_settled) is finished by the upload thread instead, while the task
 * reads on, as long as such files hold at most a quarter of the byte budget together.
 */
static int set_submit(struct s3_sink *s, struct s3_tp *tp, int64_t next_offset,
                      struct kc_error *err)
{
    size_t n = 0;
    for (struct s3_file *f = tp->files; f != NULL; f = f->next) {
        n++;
    }
    struct s3_batch *b = s3_batch_new(tp, tp->boundary, next_offset, n);
    if (b == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    size_t k = 0;
    int rc = KC_OK;
    /* the files the upload thread finishes leave the set's list first */
    for (struct s3_file **pp = &tp->files; *pp != NULL;) {
        struct s3_file *f = *pp;
        size_t fp = f->pj != NULL ? file_footprint(f) : 0;
        if (f->pj == NULL || f->n == 0 || !parquet_jsonl_settled(f->pj) ||
            s->inflight + fp > s->budget / 4) {
            pp = &f->next;
            continue;
        }
        *pp = f->next;
        f->next = NULL;
        b->objs[k].finish = late_finish;
        b->objs[k].drop = late_drop;
        b->objs[k].ctx = f;
        f->tag_warn = &b->objs[k].tag_warn;
        b->objs[k].mem = fp;
        s->inflight += fp;
        k++;
    }
    for (struct s3_file *f = tp->files; f != NULL && rc == KC_OK; f = f->next) {
        if (f->pj != NULL) {
            rc = file_rc(f, parquet_jsonl_finish(f->pj, err), err);
        } else {
            rc = json_file_end(s, f, err);
        }
        if (rc == KC_OK && f->n > 0 && file_tags(f, f->obj, &b->objs[k].tag_warn) != KC_OK) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        if (rc == KC_OK && f->n > 0) {
            b->objs[k].size = s3_object_size(f->obj);
            b->objs[k].obj = f->obj;
            f->obj = NULL;
            k++;
        }
    }
    b->n = k;
    if (rc == KC_OK) {
        rc = take_blame(tp, err); /* finishing a file may infer its schema */
    }
    if (rc != KC_OK || k == 0) {
        late_done(s, b);
        s3_batch_free(b); /* aborts what it took */
        if (rc != KC_OK) {
            return rc;
        }
        b = NULL; /* nothing to upload: every record went elsewhere */
    }
    tp_drop_files(tp);
    tp->boundary = next_offset;
    forget_reported(tp);
    if (b == NULL) {
        sink_task_request_commit(s->st);
        return KC_OK;
    }
    int64_t start = b->start; /* b is the upload thread's once submitted */
    if (s3_uploader_submit(s->up, b) != KC_OK) {
        late_done(s, b);
        s3_batch_free(b); /* aborts its objects; the task fails and replays from its commit */
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    if (tp->n_pending++ == 0) {
        tp->pending_from = start;
    }
    /* tick collects it (harvest) and asks for the commit; it polls every 20 ms while uploads
     * are on their way, but its last answer may have been a second away */
    sink_task_tick_within(s->st, 20);
    return KC_OK;
}

/* Close the set: its files go to the upload thread (set_submit), for S3 and the local store. */
static int set_commit(struct s3_sink *s, struct s3_tp *tp, int64_t next_offset,
                      struct kc_error *err)
{
    if (next_offset < tp->boundary) {
        next_offset = tp->boundary; /* a set that wrote nothing: the boundary never moves back */
    }
    return set_submit(s, tp, next_offset, err);
}

/*
 * A failed commit: drop what the set holds and read its records again from the set's first
 * offset; objects already made visible will be rewritten with the same names and rows.
 */
static int set_replay(struct s3_sink *s, struct s3_tp *tp, const struct kc_error *why,
                      struct kc_error *err)
{
    sink_task_log(s->st, KC_LOG_WARN, "S3 sink: %s; %s-%d rewinds to %lld", why->msg, tp->topic,
                  (int)tp->partition, (long long)tp->boundary);
    tp_drop_files(tp);
    tp->skip = 1;
    tp->handled = tp->boundary;
    tp->rewound = 1;
    tp->next_offset = tp->boundary; /* an early or scheduled commit must not pass the rewind */
    if (tp->boundary < 0) {
        return kc_error_set(err, KC_EFATAL, "%s", why->msg);
    }
    int rc = sink_task_rewind(s->st, tp->topic, tp->partition, tp->boundary, err);
    /* back off a little before the same records come again */
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 500 * 1000000L};
    nanosleep(&ts, NULL);
    return rc;
}

/*
 * Take the batches the upload thread finished: their metrics, the commits they allow, and the
 * failures. A failed batch makes its partition replay from the batch's first offset, once
 * every later batch of that partition is back (cancelled by the upload thread).
 */
static int harvest(struct s3_sink *s, struct kc_error *err)
{
    if (s->up == NULL) {
        return KC_OK;
    }
    int any_failed = 0;
    for (;;) {
        for (struct s3_batch *b = s3_uploader_done(s->up), *next; b != NULL; b = next) {
            next = b->next;
            struct s3_tp *tp = (struct s3_tp *)b->owner; /* alive: close() drains first */
            for (size_t i = 0; i < b->n; i++) {
                const struct s3_batch_obj *o = &b->objs[i];
                if (o->tried && o->tag_warn.msg[0] != '\0') {
                    /* s3.object.behavior.on.tagging.error=ignore, as Confluent logs it */
                    size_t ml = strlen(o->tag_warn.msg);
                    sink_task_log(s->st, KC_LOG_WARN, "%.*s. Ignoring.",
                                  (int)(ml > 0 && o->tag_warn.msg[ml - 1] == '.' ? ml - 1 : ml),
                                  o->tag_warn.msg);
                }
                if (o->tried) {
                    sink_task_record_insert(s->st, o->rc == KC_OK ? (size_t)o->size : 0,
                                            o->usec, o->rc == KC_OK);
                    if (o->rc == KC_RETRY) {
                        sink_task_record_retry(s->st);
                    }
                }
            }
            tp->n_pending--;
            late_done(s, b);
            if (b->rc == KC_OK) {
                if (!tp->failed) {
                    tp->pending_from = b->end;
                    sink_task_request_commit(s->st);
                }
            } else if (!b->cancelled && !tp->failed) {
                tp->failed = 1;
                tp->fail_from = b->start;
                tp->fail_why = b->why;
                any_failed = 1;
            }
            s3_batch_free(b);
        }
        if (!any_failed || s3_uploader_pending(s->up) == 0) {
            break;
        }
        s3_uploader_drain(s->up); /* the failed partitions' later batches come back cancelled */
    }
    if (!any_failed) {
        return KC_OK;
    }
    for (size_t i = 0; i < s->n_tps; i++) {
        struct s3_tp *tp = s->tps[i];
        if (!tp->failed) {
            continue;
        }
        tp->failed = 0;
        s3_uploader_forgive(s->up, tp);
        tp->boundary = tp->fail_from;
        if (tp->revoking) {
            tp_drop_files(tp);
            continue;
        }
        struct kc_error why = tp->fail_why;
        if (why.rc == KC_EFATAL) {
            /* an answer waiting will not change (S3 refused the request for good, no space
             * left): the task fails with it, and its offsets stay where they were */
            return kc_error_set(err, KC_EFATAL, "%s", why.msg);
        }
        int rc = set_replay(s, tp, &why, err);
        if (rc != KC_OK) {
            return rc;
        }
    }
    return KC_OK;
}

/* ---- values ---- */

/* The longest text one record may become (its row, key or JSON line): past any message size a
 * broker accepts (message.max.bytes tops out at 2 GiB), so no record is cut or refused here. */
#define S3_RECORD_TEXT_MAX ((size_t)1 << 31)

/* Scratch above this is given back after the record that grew it (one huge record must not
 * keep its size for the task's life outside the byte budget). */
#define S3_SCRATCH_KEEP ((size_t)1 << 20)

static void release_big(struct kc_buf *b)
{
    if (b->cap > S3_SCRATCH_KEEP) {
        kc_buf_fini(b); /* still usable, with its limit */
    }
}

/* Why a record's JSON text could not be made, when it is the record's fault. */
#define S3_NOT_JSON "cannot be written as JSON (a text that is not UTF-8, or nested too deep)"

/*
 * v's compact JSON text as the JVM connectors write it through Jackson (numbers as Java prints
 * them: "0.1", "1.0E10"), in *out, malloc'd as json_dumps gives it (free() it). jvm_maps: as
 * the java.util.HashMap JsonConverter makes of a schemaless object (json_java_dump_jvm).
 * @return KC_OK, KC_EINVAL (text that is not UTF-8, nesting too deep: the record's fault),
 *         KC_ENOMEM
 */
/* The text left in s->jtext by a dumper that said rc, as *out (malloc'd). */
static int jtext_take(struct s3_sink *s, int rc, char **out)
{
    *out = NULL;
    if (rc == KC_OK &&
        (*out = strndup(s->jtext.data != NULL ? s->jtext.data : "", s->jtext.len)) == NULL) {
        rc = KC_ENOMEM; /* no NUL inside: JSON escapes it */
    }
    release_big(&s->jtext);
    return rc;
}

static int java_dumps(struct s3_sink *s, const json_t *v, int jvm_maps, char **out)
{
    kc_buf_reset(&s->jtext);
    return jtext_take(s, jvm_maps ? json_java_dump_jvm(v, &s->jtext)
                                  : json_java_dump(v, &s->jtext), out);
}

/* The value of the four hex digits at s, or -1. */
static int hex4(const char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int d = kc_hexval((unsigned char)s[i]);
        if (d < 0) {
            return -1; /* also at the string's end: NUL is no digit */
        }
        v = v * 16 + d;
    }
    return v;
}

/*
 * StringEscapeUtils.unescapeJava of s (ByteArrayFormat's separator), as UTF-8: \n \r \t \b \f \\
 * \" \' \uXXXX (as UTF-8) and octal \0-\377; any other backslash is dropped (its last rule,
 * "\\" -> "").
 */
static int java_unescape(const char *s, struct kc_buf *out)
{
    int rc = KC_OK;
    for (size_t i = 0; s[i] != '\0' && rc == KC_OK; i++) {
        char c = s[i];
        if (c != '\\') {
            rc = kc_buf_append_byte(out, (uint8_t)c);
            continue;
        }
        if (s[i + 1] == '\0') {
            break; /* a trailing backslash is dropped */
        }
        char e = s[++i];
        const char *simple = strchr("nrtbf\\\"'", e);
        if (simple != NULL) {
            static const char to[] = "\n\r\t\b\f\\\"'";
            rc = kc_buf_append_byte(out, (uint8_t)to[simple - "nrtbf\\\"'"]);
        } else if (e == 'u' && hex4(s + i + 1) >= 0) {
            uint32_t cp = (uint32_t)hex4(s + i + 1);
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && s[i + 1] == '\\' && s[i + 2] == 'u' &&
                hex4(s + i + 3) >= 0xDC00 && hex4(s + i + 3) <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)hex4(s + i + 3) - 0xDC00);
                i += 6; /* a surrogate pair: one code point */
            } else if (cp >= 0xD800 && cp <= 0xDFFF) {
                cp = '?'; /* a lone surrogate: String.getBytes(UTF_8) writes '?' */
            }
            unsigned char utf[4];
            rc = kc_buf_append(out, utf, kc_utf8_put(utf, cp));
        } else if (e >= '0' && e <= '7') {
            unsigned v = (unsigned)(e - '0');
            int max = e <= '3' ? 3 : 2; /* \377 at most */
            for (int k = 1; k < max && s[i + 1] >= '0' && s[i + 1] <= '7'; k++) {
                v = v * 8 + (unsigned)(s[++i] - '0');
            }
            rc = kc_buf_append_byte(out, (uint8_t)v);
        } else {
            rc = kc_buf_append_byte(out, (uint8_t)e); /* the backslash dropped */
        }
    }
    return rc;
}

/* json_java_cdata of v as java_dumps gives its text (malloc'd, free() it). */
static int cdata_dumps(struct s3_sink *s, const struct cdata_value *v, char **out)
{
    kc_buf_reset(&s->jtext);
    return jtext_take(s, json_java_cdata(v, s->c.decimal_numeric, &s->jtext), out);
}

static json_t *cdata_to_json(const struct cdata_value *v, int depth)
{
    if (v == NULL) {
        return json_null();
    }
    if (depth > 64) {
        return NULL;
    }
    switch (v->type) {
    case CDATA_INT8:
    case CDATA_INT16:
    case CDATA_INT32:
    case CDATA_INT64: return json_integer((json_int_t)v->u.i);
    case CDATA_FLOAT32:
    case CDATA_FLOAT64: return json_real(v->u.f);
    case CDATA_BOOLEAN: return json_boolean(v->u.b);
    case CDATA_STRING:
    case CDATA_BYTES: return json_stringn_nocheck(v->u.s, v->n);
    case CDATA_ARRAY: {
        json_t *a = json_array();
        for (uint32_t i = 0; a != NULL && i < v->n; i++) {
            json_t *e = cdata_to_json(v->u.items[i], depth + 1);
            if (e == NULL || json_array_append_new(a, e) != 0) {
                json_decref(a);
                return NULL;
            }
        }
        return a;
    }
    case CDATA_MAP: {
        json_t *o = json_object();
        for (uint32_t i = 0; o != NULL && i < v->n; i++) {
            const struct cdata_value *k = v->u.map.keys[i];
            json_t *e = cdata_to_json(v->u.map.vals[i], depth + 1);
            if (k == NULL || k->type != CDATA_STRING || e == NULL) {
                json_decref(e);
                json_decref(o);
                return NULL;
            }
            if (json_object_setn_new(o, k->u.s, k->n, e) != 0) { /* takes e */
                json_decref(o);
                return NULL;
            }
        }
        return o;
    }
    case CDATA_STRUCT: {
        json_t *o = json_object();
        const struct cdata_schema *sc = v->schema;
        for (size_t i = 0; o != NULL && sc != NULL && i < sc->n_fields; i++) {
            json_t *e = cdata_to_json(v->u.items[i], depth + 1);
            if (e == NULL || json_object_set_new(o, sc->fields[i].name, e) != 0) {
                json_decref(o);
                return NULL;
            }
        }
        return o;
    }
    }
    return NULL;
}

/* ---- Aiven's rows: {key, offset, timestamp, headers, value} as format.output.fields ---- */

/* 1 when the row wraps the value (Aiven's envelope, or another field than the value). */
static int aiven_wraps(const struct s3_sink *s)
{
    const struct s3_aiven *a = &s->c.aiven;
    return a->on && s->c.format != S3_FORMAT_CSV &&
           (a->envelope || a->n_fields != 1 || a->fields[0] != S3_OUT_VALUE);
}

/*
 * Aiven's csv row (PlainOutputWriter) into s->row: format.output.fields in their order, joined
 * by ','. The key (a BYTES or STRING schema) in base64; the value (a BYTES schema) in base64 or
 * as its bytes (format.output.fields.value.encoding); a null key or value adds nothing. The
 * offset; the timestamp in ms (nothing when the record has none); the headers as
 * base64(key):base64(value); each, their values through ByteArrayConverter (header.converter
 * ByteArrayConverter). What Aiven's writers throw on is reported with their message.
 */
static int aiven_csv(struct s3_sink *s, const struct sink_record *r, struct kc_error *why)
{
    const struct s3_aiven *a = &s->c.aiven;
    struct kc_buf *o = &s->row;
    int rc = KC_OK;
    kc_buf_reset(o);
    for (size_t i = 0; rc == KC_OK && i < a->n_fields; i++) {
        if (i > 0) {
            rc = kc_buf_append_byte(o, ',');
        }
        const struct cdata_value *v;
        switch (rc == KC_OK ? a->fields[i] : -1) {
        case S3_OUT_KEY:
            if (r->key_schema == NULL) {
                return kc_error_set(why, KC_EINVAL, "key schema cannot be null");
            }
            if (r->key_schema->type != CDATA_BYTES && r->key_schema->type != CDATA_STRING) {
                return kc_error_set(why, KC_EINVAL,
                                    "Record key schema type must be BYTES or STRING, %s given",
                                    cdata_type_name(r->key_schema->type, 1));
            }
            if ((v = r->key) != NULL) {
                if (v->type != CDATA_BYTES && v->type != CDATA_STRING) {
                    return kc_error_set(why, KC_EINVAL, "Key is not byte[] or String");
                }
                rc = kc_b64_append(o, v->u.s, v->n);
            }
            break;
        case S3_OUT_OFFSET:
            rc = kc_buf_printf(o, "%lld", (long long)r->kafka_offset);
            break;
        case S3_OUT_TIMESTAMP:
            if (r->ts_type != SINK_TS_NONE) {
                rc = kc_buf_printf(o, "%lld", (long long)r->timestamp);
            }
            break;
        case S3_OUT_HEADERS:
            for (size_t h = 0; rc == KC_OK && h < r->n_headers; h++) {
                const struct sink_header *hd = &r->headers[h];
                if (hd->schema != NULL && hd->schema->type != CDATA_BYTES) {
                    return kc_error_set(why, KC_EINVAL,
                                        "Invalid schema type for ByteArrayConverter: %s (header "
                                        "%s; set header.converter to ByteArrayConverter)",
                                        cdata_type_name(hd->schema->type, 1), hd->key);
                }
                if (hd->value != NULL && hd->value->type != CDATA_BYTES) {
                    return kc_error_set(why, KC_EINVAL,
                                        "ByteArrayConverter is not compatible with objects of "
                                        "type %s (header %s)",
                                        cdata_java_class(hd->value), hd->key);
                }
                const void *hv = hd->value != NULL ? (const void *)hd->value->u.s : hd->raw;
                size_t hn = hd->value != NULL ? hd->value->n : hd->raw_len;
                if (hv == NULL) {
                    /* Aiven's Base64 encoder is handed null: a NullPointerException there */
                    return kc_error_set(why, KC_EINVAL, "header %s has a null value, which "
                                                        "the csv format cannot write",
                                        hd->key);
                }
                rc = kc_b64_append(o, hd->key, strlen(hd->key));
                if (rc == KC_OK) {
                    rc = kc_buf_append_byte(o, ':');
                }
                if (rc == KC_OK) {
                    rc = kc_b64_append(o, hv, hn);
                }
                if (rc == KC_OK) {
                    rc = kc_buf_append_byte(o, ';');
                }
            }
            break;
        case S3_OUT_VALUE:
            if (r->value_schema == NULL) {
                return kc_error_set(why, KC_EINVAL, "value schema cannot be null");
            }
            if (r->value_schema->type != CDATA_BYTES) {
                return kc_error_set(why, KC_EINVAL,
                                    "Record value schema type must be BYTES, %s given",
                                    cdata_type_name(r->value_schema->type, 1));
            }
            if ((v = r->value) != NULL) {
                if (v->type != CDATA_BYTES) {
                    return kc_error_set(why, KC_EINVAL, "Value is not a byte array");
                }
                rc = a->value_base64 ? kc_b64_append(o, v->u.s, v->n)
                                     : kc_buf_append(o, v->u.s, v->n);
            }
            break;
        default:
            break;
        }
    }
    /* a row of nothing is an empty line, and buf stays non-NULL (NULL is a tombstone) */
    if (rc == KC_OK) {
        rc = kc_buf_reserve(o, 1);
    }
    return rc == KC_OK ? KC_OK : kc_error_set(why, KC_ENOMEM, "out of memory");
}

/* java.time's ISO_INSTANT: 2025-07-28T13:30:00Z, fraction in groups of three when not zero */
static json_t *iso_instant(int64_t ms)
{
    time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int frac = (int)(ms - (int64_t)secs * 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char b[64];
    size_t n = strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%S", &tm);
    if (frac != 0) {
        snprintf(b + n, sizeof(b) - n, ".%03dZ", frac);
    } else {
        snprintf(b + n, sizeof(b) - n, "Z");
    }
    return json_string(b);
}

static json_t *text_or_null(const void *p, size_t n)
{
    json_t *j = p != NULL ? json_stringn((const char *)p, n) : NULL;
    return j != NULL ? j : json_null();
}

static json_t *field_schema(const char *name, const char *type, int optional)
{
    return json_pack("{s:s, s:s, s:b}", "field", name, "type", type, "optional", optional);
}

/*
 * The row Aiven's writers produce, as JSON into s->row. Parquet: offset and timestamp int64,
 * key string, headers map<string,string>, value the record's; a JsonConverter envelope value
 * gives the row a Connect schema (Aiven's connector_records record), else the schema is
 * inferred. JSON: timestamp as ISO_INSTANT text, headers [{"key","value"}] (HeaderBuilder).
 */
static int aiven_row(struct s3_sink *s, const struct sink_record *r, const char *buf, size_t len,
                     struct kc_error *why)
{
    const struct s3_aiven *a = &s->c.aiven;
    int parquet = s->c.format == S3_FORMAT_PARQUET;
    int not_json = 0; /* a part of the row has no JSON text (java_dumps said KC_EINVAL) */
    json_t *doc = NULL, *val = NULL, *vschema = NULL;
    if (buf != NULL) {
        json_error_t je;
        doc = json_loadb(buf, len, JSON_DECODE_ANY, &je);
        if (doc == NULL) {
            return kc_error_set(why, KC_EINVAL, "invalid JSON: %s", je.text);
        }
        val = doc;
        if (json_is_object(doc) && json_object_get(doc, "schema") != NULL &&
            json_object_get(doc, "payload") != NULL) {
            val = json_object_get(doc, "payload");
            vschema = json_object_get(doc, "schema");
        }
    }
    json_t *row = json_object();
    json_t *sf = parquet && vschema != NULL ? json_array() : NULL;
    int ok = row != NULL && (sf != NULL || !parquet || vschema == NULL);
    for (size_t i = 0; ok && i < a->n_fields; i++) {
        json_t *v = NULL, *fs = NULL;
        switch (a->fields[i]) {
        case S3_OUT_KEY:
            v = !parquet && r->key != NULL ? cdata_to_json(r->key, 0)
                                           : text_or_null(r->key_raw, r->key_len);
            fs = field_schema("key", "string", 1);
            ok = json_object_set_new(row, "key", v) == 0 && ok; /* takes v */
            break;
        case S3_OUT_OFFSET:
            v = json_integer((json_int_t)r->kafka_offset);
            fs = field_schema("offset", "int64", 0);
            ok = json_object_set_new(row, "offset", v) == 0 && ok; /* takes v */
            break;
        case S3_OUT_TIMESTAMP:
            v = r->ts_type == SINK_TS_NONE ? json_null()
                : parquet                  ? json_integer((json_int_t)r->timestamp)
                                           : iso_instant(r->timestamp);
            fs = field_schema("timestamp", "int64", 0);
            ok = json_object_set_new(row, "timestamp", v) == 0 && ok; /* takes v */
            break;
        case S3_OUT_HEADERS:
            v = parquet ? json_object() : json_array();
            for (size_t h = 0; v != NULL && h < r->n_headers; h++) {
                const struct sink_header *hd = &r->headers[h];
                json_t *hv = hd->value != NULL ? cdata_to_json(hd->value, 0)
                                               : text_or_null(hd->raw, hd->raw_len);
                if (parquet && hv != NULL && !json_is_string(hv) && !json_is_null(hv)) {
                    char *t = NULL;
                    not_json |= java_dumps(s, hv, 0, &t) == KC_EINVAL;
                    json_decref(hv);
                    hv = t != NULL ? json_string(t) : NULL;
                    free(t);
                }
                /* each call takes hv (also when it fails) */
                int hok = hv != NULL &&
                          (parquet ? json_object_set_new(v, hd->key, hv)
                                   : json_array_append_new(v, json_pack("{s:s, s:o}", "key",
                                                                        hd->key, "value",
                                                                        hv))) == 0;
                ok = ok && hok;
            }
            fs = json_pack("{s:s, s:s, s:{s:s, s:b}, s:{s:s, s:b}, s:b}", "field", "headers",
                           "type", "map", "keys", "type", "string", "optional", 0, "values",
                           "type", "string", "optional", 1, "optional", 0);
            ok = json_object_set_new(row, "headers", v) == 0 && ok; /* takes v */
            break;
        default: /* S3_OUT_VALUE */
            v = val != NULL ? json_incref(val) : json_null();
            fs = vschema != NULL ? json_deep_copy(vschema) : NULL;
            ok = json_object_set_new(row, "value", v) == 0 && ok; /* takes v */
            if (fs != NULL) {
                ok = json_object_set_new(fs, "field", json_string("value")) == 0 && ok;
            }
            break;
        }
        if (sf != NULL) {
            ok = fs != NULL && json_array_append_new(sf, fs) == 0 && ok; /* takes fs */
        } else {
            json_decref(fs);
        }
    }
    json_t *out = row;
    if (ok && sf != NULL) {
        out = json_pack("{s:{s:s, s:s, s:b, s:O}, s:O}", "schema", "type", "struct", "name",
                        "connector_records", "optional", 0, "fields", sf, "payload", row);
        ok = out != NULL;
    }
    char *text = NULL;
    int rc = not_json ? KC_EINVAL : ok ? java_dumps(s, out, 0, &text) : KC_ENOMEM;
    if (out != row) {
        json_decref(out);
    }
    json_decref(row);
    json_decref(sf);
    json_decref(doc);
    kc_buf_reset(&s->row);
    if (rc == KC_OK) {
        rc = kc_buf_append_str(&s->row, text);
    }
    free(text);
    return rc == KC_OK       ? KC_OK
           : rc == KC_EINVAL ? kc_error_set(why, KC_EINVAL, "the record %s", S3_NOT_JSON)
                             : kc_error_set(why, KC_ENOMEM, "out of memory");
}

/* {{key}}: Aiven's KeyRecordGrouper: "null", a string key as is, else its toString (here the
 * converted key as JSON text, or the raw bytes). */
static int aiven_key_text(struct s3_sink *s, const struct sink_record *r, struct kc_buf *out,
                          struct kc_error *why)
{
    int rc;
    if (r->key != NULL && r->key->type == CDATA_STRING) {
        rc = kc_buf_append(out, r->key->u.s, r->key->n);
    } else if (r->key != NULL) {
        json_t *j = cdata_to_json(r->key, 0);
        char *t = NULL;
        rc = j != NULL ? java_dumps(s, j, 0, &t) : KC_ENOMEM;
        json_decref(j);
        if (rc == KC_EINVAL) {
            return kc_error_set(why, KC_EINVAL, "the key %s", S3_NOT_JSON);
        }
        rc = rc == KC_OK ? kc_buf_append_str(out, t) : rc;
        free(t);
    } else if (r->key_raw != NULL) {
        rc = kc_buf_append(out, r->key_raw, r->key_len);
    } else {
        rc = kc_buf_append_str(out, "null");
    }
    return rc == KC_OK ? KC_OK : kc_error_set(why, KC_ENOMEM, "out of memory");
}

/* ---- one record ---- */

/* One record the sink cannot write: errors.tolerance decides (DLQ and go on, or fail). */
/* The text is a JSON object without members ("{}", white space allowed). */
static int empty_object(const char *b, size_t n)
{
    size_t i = 0;
    while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) {
        i++;
    }
    if (i >= n || b[i] != '{') {
        return 0;
    }
    for (i++; i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n'); i++) {
    }
    return i < n && b[i] == '}';
}

/* Forget reported offsets before the partition's boundary: they are behind a commit. */
static void forget_reported(struct s3_tp *tp)
{
    size_t k = 0;
    for (size_t i = 0; i < tp->n_reported; i++) {
        if (tp->reported[i] >= tp->boundary) {
            tp->reported[k++] = tp->reported[i];
        }
    }
    tp->n_reported = k;
}

/* Position of offset in the sorted list, or where it would go. */
static size_t reported_at(const struct s3_tp *tp, int64_t offset)
{
    size_t lo = 0, hi = tp->n_reported;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tp->reported[mid] < offset) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static int was_reported(const struct s3_tp *tp, int64_t offset)
{
    size_t i = reported_at(tp, offset);
    return i < tp->n_reported && tp->reported[i] == offset;
}

static int report(struct s3_sink *s, const struct sink_record *r, const struct kc_error *why,
                  struct kc_error *err)
{
    struct s3_tp *tp = tp_of(s, r);
    if (tp != NULL && tp->n_reported < S3_REPORTED_MAX && !was_reported(tp, r->kafka_offset)) {
        if (tp->n_reported == tp->cap_reported) {
            size_t cap = tp->cap_reported ? tp->cap_reported * 2 : 16;
            int64_t *n = kc_realloc(tp->reported, cap * sizeof(*n));
            if (n != NULL) {
                tp->reported = n;
                tp->cap_reported = cap;
            }
        }
        if (tp->n_reported < tp->cap_reported) { /* sorted: reports mostly come in order */
            size_t at = reported_at(tp, r->kafka_offset);
            memmove(&tp->reported[at + 1], &tp->reported[at],
                    (tp->n_reported - at) * sizeof(tp->reported[0]));
            tp->reported[at] = r->kafka_offset;
            tp->n_reported++;
        }
    }
    int rc = sink_task_report_exception(s->st, r, "org.apache.kafka.connect.errors.DataException",
                                        why);
    if (rc != KC_OK) {
        return kc_error_set(err, rc < 0 ? rc : KC_EFATAL, "%s-%d offset %lld: %s",
                            r->kafka_topic, (int)r->kafka_partition, (long long)r->kafka_offset,
                            why->msg);
    }
    return KC_OK;
}

static int write_record(struct s3_sink *s, struct s3_tp *tp, const struct sink_record *r,
                        const char *encoded, size_t enc_len, int64_t ts_local,
                        const char *buf, size_t len, struct kc_error *err)
{
    struct s3_file *f = file_find(tp, encoded, enc_len, S3_VALUES);
    int rc;
    if (f != NULL && s->c.aiven.key_mode) {
        /* {{key}}: the object holds the key's latest record only */
        for (struct s3_file **pp = &tp->files; *pp != NULL; pp = &(*pp)->next) {
            if (*pp == f) {
                *pp = f->next;
                break;
            }
        }
        file_free(f);
        f = NULL;
    }
    /* A converted value whose Connect schema differs from the one its file was started with
     * (ConnectSchema.equals) closes the set first, in every format, as Confluent's
     * TopicPartitionWriter does with schema.compatibility=NONE (its default): KC_EEXIST, and
     * put_one commits the set and writes the record into a new one. */
    uint64_t fp = 0;
    if (r->value_converted && !s->c.aiven.on) {
        fp = cdata_schema_fingerprint(r->value_schema);
        if (f != NULL && f->n > 0 && f->has_schema_fp && f->schema_fp != fp) {
            return kc_error_set(err, KC_EEXIST, "the record's Connect schema differs from the "
                                                "one its file was started with");
        }
    }
    if (f == NULL &&
        (rc = file_open(s, tp, encoded, r->kafka_offset, ts_local, S3_VALUES, &f, err)) !=
            KC_OK) {
        return rc;
    }
    if (r->value_converted && !s->c.aiven.on && f->n == 0) {
        f->schema_fp = fp; /* until a record is in, the latest one's (a bad one sets nothing) */
        f->has_schema_fp = 1;
    }
    if (s->c.format == S3_FORMAT_AVRO && f->side == S3_VALUES) {
        /* encoded first: a value that does not fit writes nothing; the header with the
         * first record that fits (the file's schema is its schema) */
        struct kc_error why;
        if (f->av == NULL) {
            rc = s3_avro_new(r->value_schema, (enum s3_avro_codec)s->c.avro_codec,
                             s3_object_key(f->obj), &f->av, &why);
            if (rc != KC_OK) {
                return kc_error_set(err, rc, "%s", why.msg);
            }
        }
        rc = s3_avro_encode(f->av, r->value, &s->avro_rec, &why);
        if (rc != KC_OK) {
            if (f->n == 0) { /* nothing of it written: the next record begins the file */
                s3_avro_free(f->av);
                f->av = NULL;
            }
            return kc_error_set(err, rc, "%s", why.msg);
        }
        rc = s3_avro_append(f->av, &s->avro_rec, f->obj, &s->avro_packed, err);
        if (rc == KC_OK) {
            f->n++;
            f->last = r->kafka_offset;
        }
        return rc;
    }
    if (f->pj == NULL) { /* JSON lines: one value per line (json: array elements) */
        rc = s->c.format == S3_FORMAT_JSON_ARRAY && f->n > 0 ? file_write(f, ",\n", 2, err)
             : s->c.format == S3_FORMAT_CSV && f->n > 0    ? file_write(f, "\n", 1, err)
                                                           : KC_OK;
        if (rc == KC_OK) {
            rc = file_write(f, buf, len, err);
        }
        if (rc == KC_OK && s->c.format == S3_FORMAT_JSON) {
            rc = file_write(f, "\n", 1, err);
        }
        if (rc == KC_OK && s->c.format == S3_FORMAT_BYTES) {
            rc = file_write(f, s->sep, s->sep_len, err);
        }
        if (rc == KC_OK) {
            f->n++;
            f->last = r->kafka_offset;
        }
        return rc;
    }
    f->bad = 0;
    f->cur = r->kafka_offset;
    if (s->staged && buf == r->value_raw) {
        rc = parquet_jsonl_record_staged(f->pj, buf, len, (uint64_t)r->kafka_offset, err);
    } else {
        rc = parquet_jsonl_record_doc(f->pj, buf == r->value_raw ? s->pdoc : NULL, buf, len,
                                      (uint64_t)r->kafka_offset, err);
    }
    rc = file_rc(f, rc, err);
    f->cur = -1;
    if (rc != KC_OK) {
        return rc;
    }
    if (f->n_blamed > 0 || f->blame_oom) {
        return take_blame(tp, err); /* the sample was written: an earlier record is bad */
    }
    if (!f->bad) {
        f->n++;
        f->last = r->kafka_offset;
        return KC_OK;
    }
    /* f->why says why; the caller decides. KC_EEXIST: another Connect schema, a new file. */
    return f->why.rc == PARQUET_JSONL_SCHEMA_CHANGED ? KC_EEXIST : KC_EINVAL;
}

/* Confluent's Utils.sinkRecordToLoggableString */
#define S3_LOGGABLE "SinkRecord{kafkaOffset=%lld, topic='%s', kafkaPartition=%d} "

/* A JSON string of n bytes of text as Java holds them: malformed UTF-8 decoded to U+FFFD, as
 * new String(bytes, UTF_8) does. NULL only when out of memory. */
static json_t *java_text(const void *p, size_t n)
{
    if (kc_utf8_valid(p, n)) {
        return json_stringn(p, n);
    }
    struct kc_arena a;
    kc_arena_init(&a, n * 3 + 64, S3_RECORD_TEXT_MAX);
    const struct cdata_value *t = conv_utf8_string(&a, p, n);
    json_t *j = t != NULL ? json_stringn(t->u.s, t->n) : NULL;
    kc_arena_fini(&a);
    return j;
}

/*
 * A header's value as text: its bytes as UTF-8 text (what SimpleHeaderConverter and
 * Values.convertToString give back for text; Confluent's re-serialises what the converter
 * parsed, so "1.50" comes out "1.5" there), or the string or JSON text of a header a transform
 * made. KC_OK (*out set), KC_EINVAL (why set: a null value, or one that has no JSON text),
 * KC_ENOMEM.
 */
static int header_text(struct s3_sink *s, const struct sink_header *h, json_t **out,
                       struct kc_error *why)
{
    *out = NULL;
    if (h->raw != NULL) {
        *out = java_text(h->raw, h->raw_len);
    } else if (h->value == NULL) {
        return kc_error_set(why, KC_EINVAL, "Invalid value: null used for required field: "
                                            "\"value\", schema type: STRING (header '%s')",
                            h->key);
    } else if (h->value->type == CDATA_STRING) {
        *out = java_text(h->value->u.s, h->value->n);
    } else {
        char *text = NULL;
        int rc = cdata_dumps(s, h->value, &text);
        if (rc != KC_OK) {
            return rc == KC_ENOMEM ? KC_ENOMEM
                                   : kc_error_set(why, KC_EINVAL, "header '%s' %s", h->key,
                                                  S3_NOT_JSON);
        }
        *out = java_text(text, strlen(text));
        free(text);
    }
    return *out != NULL ? KC_OK : KC_ENOMEM;
}

/* The headers file's fixed schema (HeaderRecordView):
 * RecordHeaders{headers: array<{key, value}>} */
static const char s3_headers_schema[] =
    "{\"type\":\"struct\",\"fields\":[{\"type\":\"array\",\"items\":{\"type\":\"struct\","
    "\"fields\":[{\"type\":\"string\",\"optional\":false,\"field\":\"key\"},{\"type\":"
    "\"string\",\"optional\":false,\"field\":\"value\"}],\"optional\":false},\"optional\":"
    "false,\"field\":\"headers\"}],\"optional\":false,\"name\":\"RecordHeaders\"}";

/*
 * store.kafka.keys / .headers: the record's key row and headers row in s->side_text, made
 * before its value is written, so that a key or headers that cannot be stored report the
 * record with nothing written (the files stay aligned), as Confluent's
 * KeyValueHeaderRecordWriterProvider checks them before the value. JsonFormat: the key as
 * Jackson or JsonConverter (a Struct) writes it, the headers as {"headers":[{"key","value"}]};
 * ParquetFormat: the envelopes RecordKey{key} (a key with no Connect schema, which Confluent
 * cannot write, as a string: its text, or its JSON) and RecordHeaders{headers}.
 * KC_EINVAL (why set): the record's fault; KC_ENOMEM.
 */
/* AvroFormat headers (HeaderRecordView, not enveloped): array<struct{key, value}>, both
 * required strings, the value Values.convertToString's (header_text) */
static const struct cdata_schema avro_string = {.type = CDATA_STRING};
static const struct cdata_field avro_header_fields[] = {{"key", 0, &avro_string},
                                                        {"value", 1, &avro_string}};
static const struct cdata_schema avro_header = {.type = CDATA_STRUCT,
                                                .fields = avro_header_fields, .n_fields = 2};
static const struct cdata_schema avro_headers_schema = {.type = CDATA_ARRAY,
                                                        .items = &avro_header};

/* The record's headers as that schema's Avro binary, into s->side_avro: one array block of
 * (key, value) string pairs, then its end. */
static int avro_headers(struct s3_sink *s, const struct sink_record *r, struct kc_error *why)
{
    struct kc_buf *o = &s->side_avro;
    kc_buf_reset(o);
    int rc = avro_put_long(o, (int64_t)r->n_headers);
    for (size_t i = 0; rc == KC_OK && i < r->n_headers; i++) {
        json_t *v = NULL;
        json_t *k = java_text(r->headers[i].key, strlen(r->headers[i].key));
        rc = k != NULL ? header_text(s, &r->headers[i], &v, why) : KC_ENOMEM;
        for (int j = 0; rc == KC_OK && j < 2; j++) {
            const json_t *x = j == 0 ? k : v;
            rc = avro_put_long(o, (int64_t)json_string_length(x));
            if (rc == KC_OK) {
                rc = kc_buf_append(o, json_string_value(x), json_string_length(x));
            }
        }
        json_decref(k);
        json_decref(v);
    }
    if (rc == KC_OK) {
        rc = kc_buf_append_byte(o, 0);
    }
    return rc;
}

static int side_prepare(struct s3_sink *s, const struct sink_record *r, struct kc_error *why)
{
    for (int i = 0; i < 2; i++) {
        free(s->side_text[i]);
        s->side_text[i] = NULL;
    }
    if (s->c.side[S3_KEYS - 1]) {
        if (r->key == NULL) {
            return kc_error_set(why, KC_EINVAL, "Key cannot be null for SinkRecord: " S3_LOGGABLE,
                                (long long)r->offset, r->topic, (int)r->partition);
        }
        char *t = NULL;
        int rc = KC_OK;
        if (s->c.side_format[S3_KEYS - 1] == S3_FORMAT_AVRO) {
            /* the key's Avro binary now, before anything of the record is written (a key
             * AvroData refuses is reported like a null one); the keys file of the set has the
             * same schema (a change closes the set), so side_write appends these bytes */
            s->key_fp = cdata_schema_fingerprint(r->key_schema);
            if (s->key_enc == NULL || avro_enc_fingerprint(s->key_enc) != s->key_fp) {
                avro_enc_free(s->key_enc);
                s->key_enc = NULL;
                rc = avro_enc_new(r->key_schema, &s->key_enc, why);
            }
            if (rc == KC_OK) {
                kc_buf_reset(&s->key_avro);
                rc = avro_enc_write(s->key_enc, r->key, &s->key_avro, why);
            }
            if (rc != KC_OK) {
                return rc == KC_ENOMEM ? kc_error_set(why, KC_ENOMEM, "out of memory") : rc;
            }
            t = strdup("");
            rc = t != NULL ? KC_OK : KC_ENOMEM;
        } else if (s->c.side_format[S3_KEYS - 1] == S3_FORMAT_JSON) {
            rc = cdata_dumps(s, r->key, &t);
        } else if (r->key_schema != NULL) {
            t = s3_connect_wrapped("RecordKey", "key", r->key_schema, r->key);
            s->key_fp = cdata_schema_fingerprint(r->key_schema);
            if (t == NULL) {
                /* (or out of memory, which then fails the task at the next allocation) */
                return kc_error_set(why, KC_EINVAL,
                                    "the key cannot be written to a Parquet keys file: its "
                                    "Connect schema has a struct without fields, a map whose "
                                    "keys are not strings, text that is not UTF-8, or nests too "
                                    "deep");
            }
        } else {
            char *j = NULL;
            json_t *text = NULL;
            if (r->key->type == CDATA_STRING) {
                text = java_text(r->key->u.s, r->key->n);
            } else if ((rc = cdata_dumps(s, r->key, &j)) == KC_OK) {
                text = java_text(j, strlen(j));
            }
            free(j);
            json_t *env = text != NULL
                              ? json_pack("{s:{s:s, s:[{s:s, s:b, s:s}], s:b, s:s}, s:{s:o}}",
                                          "schema", "type", "struct", "fields", "type", "string",
                                          "optional", 0, "field", "key", "optional", 0, "name",
                                          "RecordKey", "payload", "key", text)
                              : NULL;
            t = env != NULL ? json_dumps(env, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
            json_decref(env);
            rc = rc != KC_OK ? rc : t != NULL ? KC_OK : KC_ENOMEM;
            s->key_fp = 0;
        }
        if (rc != KC_OK) {
            free(t);
            return rc == KC_ENOMEM ? kc_error_set(why, KC_ENOMEM, "out of memory")
                                   : kc_error_set(why, KC_EINVAL, "the key %s", S3_NOT_JSON);
        }
        s->side_text[S3_KEYS - 1] = t;
    }
    if (s->c.side[S3_HEADERS - 1]) {
        if (r->n_headers == 0) {
            return kc_error_set(why, KC_EINVAL,
                                "Headers cannot be null for SinkRecord: " S3_LOGGABLE,
                                (long long)r->offset, r->topic, (int)r->partition);
        }
        if (s->c.side_format[S3_HEADERS - 1] == S3_FORMAT_AVRO) {
            int rc = avro_headers(s, r, why);
            if (rc == KC_OK && (s->side_text[S3_HEADERS - 1] = strdup("")) == NULL) {
                rc = KC_ENOMEM;
            }
            return rc == KC_ENOMEM ? kc_error_set(why, KC_ENOMEM, "out of memory") : rc;
        }
        json_t *list = json_array();
        int rc = list != NULL ? KC_OK : KC_ENOMEM;
        for (size_t i = 0; rc == KC_OK && i < r->n_headers; i++) {
            json_t *v = NULL, *k = NULL;
            rc = header_text(s, &r->headers[i], &v, why);
            if (rc == KC_OK && (k = java_text(r->headers[i].key,
                                              strlen(r->headers[i].key))) == NULL) {
                rc = KC_ENOMEM;
            }
            /* "o" takes k and v, also when the pack fails */
            if (rc == KC_OK &&
                json_array_append_new(list, json_pack("{s:o, s:o}", "key", k, "value", v))) {
                rc = KC_ENOMEM;
            } else if (rc != KC_OK) {
                json_decref(k);
                json_decref(v);
            }
        }
        json_t *env = NULL;
        if (rc == KC_OK) {
            json_t *payload = json_pack("{s:o}", "headers", list);
            list = NULL;
            if (payload != NULL && s->c.side_format[S3_HEADERS - 1] == S3_FORMAT_PARQUET) {
                json_t *schema = json_loads(s3_headers_schema, 0, NULL);
                env = schema != NULL ? json_pack("{s:o, s:o}", "schema", schema, "payload",
                                                 payload)
                                     : NULL;
                if (schema == NULL) {
                    json_decref(payload);
                }
            } else {
                env = payload;
            }
            rc = env != NULL ? KC_OK : KC_ENOMEM;
        }
        json_decref(list);
        char *t = NULL;
        if (rc == KC_OK) {
            rc = java_dumps(s, env, 0, &t);
        }
        json_decref(env);
        if (rc != KC_OK) {
            free(t);
            return rc == KC_ENOMEM ? kc_error_set(why, KC_ENOMEM, "out of memory")
                                   : KC_EINVAL; /* why says which */
        }
        s->side_text[S3_HEADERS - 1] = t;
    }
    return KC_OK;
}

/* The row side_prepare made, into the set's keys or headers file for the encoded partition
 * (opened with the values file's start offset). KC_EFATAL when its converter refuses it. */
static int side_write(struct s3_sink *s, struct s3_tp *tp, const struct sink_record *r,
                      const char *encoded, size_t enc_len, int64_t ts_local, int side,
                      struct kc_error *err)
{
    const char *text = s->side_text[side - 1];
    size_t len = strlen(text);
    struct s3_file *f = file_find(tp, encoded, enc_len, side);
    int rc;
    if (f == NULL) {
        const struct s3_file *v = file_find(tp, encoded, enc_len, S3_VALUES);
        int64_t start = v != NULL ? v->start : r->kafka_offset;
        if ((rc = file_open(s, tp, encoded, start, ts_local, side, &f, err)) != KC_OK) {
            return rc;
        }
        f->schema_fp = s->key_fp;
        f->has_schema_fp = side == S3_KEYS;
    }
    if (s->c.side_format[side - 1] == S3_FORMAT_AVRO) {
        /* the key through AvroData (its Connect schema: the file's, a change closed the set
         * before), or the headers' binary side_prepare made */
        struct kc_error why;
        const struct cdata_schema *sch = side == S3_KEYS ? r->key_schema : &avro_headers_schema;
        rc = KC_OK;
        if (f->av == NULL) {
            rc = s3_avro_new(sch, (enum s3_avro_codec)s->c.avro_codec, s3_object_key(f->obj),
                             &f->av, &why);
        } else if (s3_avro_fingerprint(f->av) != cdata_schema_fingerprint(sch)) {
            rc = kc_error_set(&why, KC_EINVAL, "its Connect schema differs from the file's");
        }
        const struct kc_buf *bin = side == S3_KEYS ? &s->key_avro : &s->side_avro;
        if (rc == KC_EINVAL) {
            /* its value is written: the set is read again and this record reported then */
            struct kc_error refused;
            kc_error_set(&refused, KC_EINVAL, "the %s file refused the record's %s: %s",
                         side == S3_KEYS ? "keys" : "headers", side == S3_KEYS ? "key" : "headers",
                         why.msg);
            if (deny_add(tp, r->kafka_offset, &refused) != KC_OK) {
                return kc_error_set(err, KC_ENOMEM, "out of memory");
            }
            return kc_error_set(err, KC_RETRY, "%s-%d offset %lld: %s; it is reported when read "
                                "again", r->kafka_topic, (int)r->kafka_partition,
                                (long long)r->kafka_offset, refused.msg);
        }
        if (rc != KC_OK) {
            return kc_error_set(err, rc, "%s", why.msg);
        }
        rc = s3_avro_append(f->av, bin, f->obj, &s->avro_packed, err);
        if (rc == KC_OK) {
            f->n++;
        }
        return rc;
    }
    if (f->pj == NULL) {
        rc = file_write(f, text, len, err);
        if (rc == KC_OK) {
            rc = file_write(f, "\n", 1, err);
        }
    } else {
        f->bad = 0;
        f->cur = r->kafka_offset;
        rc = file_rc(f, parquet_jsonl_record_doc(f->pj, NULL, text, len,
                                                 (uint64_t)r->kafka_offset, err), err);
        f->cur = -1;
        if (rc == KC_OK && f->bad) {
            /* Its value is written already: the set is read again from its first offset, and
             * this record is reported when it comes back, before anything of it is written
             * (as a record blamed by an inference sample) */
            f->bad = 0;
            struct kc_error why;
            kc_error_set(&why, KC_EINVAL, "the %s file refused the record's %s: %s",
                         side == S3_KEYS ? "keys" : "headers", side == S3_KEYS ? "key" : "headers",
                         f->why.msg);
            if (deny_add(tp, r->kafka_offset, &why) != KC_OK) {
                return kc_error_set(err, KC_ENOMEM, "out of memory");
            }
            return kc_error_set(err, KC_RETRY, "%s-%d offset %lld: %s; it is reported when read "
                                "again", r->kafka_topic, (int)r->kafka_partition,
                                (long long)r->kafka_offset, why.msg);
        }
        if (rc == KC_OK && (f->n_blamed > 0 || f->blame_oom)) {
            return take_blame(tp, err); /* KC_RETRY: replayed, the blamed reported */
        }
    }
    if (rc == KC_OK) {
        f->n++;
    }
    return rc;
}

/* jansson's own nesting limit (JSON_PARSER_MAX_DEPTH): the scanner fails where it would. */
#define S3_JSON_MAX_DEPTH 2048

static int load_member(json_t *obj, const char *key, size_t key_len, const struct kc_jscan_val *v)
{
    json_t *x = json_loadb(v->raw, v->raw_len, JSON_DECODE_ANY, NULL);
    return x != NULL && json_object_setn_new(obj, key, key_len, x) == 0 ? KC_OK : KC_EINVAL;
}

/* A top-level member for the partitioner: 1 read it (a path starts there, or an envelope's
 * payload), 2 only its presence matters (an envelope's schema), 0 not needed. */
static int want_member(void *ctx, const char *key, size_t key_len)
{
    const struct s3_sink *s = ctx;
    if (s3_partitioner_reads_member(s->part, key, key_len) ||
        (key_len == 7 && memcmp(key, "payload", 7) == 0)) {
        return 1;
    }
    return key_len == 6 && memcmp(key, "schema", 6) == 0 ? 2 : 0;
}

/*
 * The part of a JSON object value the partitioner reads, as json_loadb would give it: the
 * top-level members its field paths start at (and an envelope's payload), each loaded by
 * jansson; every other member is only validated by the scanner. Loading whole records made
 * the partitioner's json_loadb two thirds of the task thread with a time or field partitioner.
 * NULL when the value is not an object this reads (not JSON, not an object, a member jansson
 * refuses): the caller loads it whole, which also words the error as before.
 */
static json_t *load_needed(struct s3_sink *s, const char *buf, size_t len)
{
    struct kc_error e;
    enum kc_jscan_kind kind;
    const char *key;
    size_t key_len;
    int rc;

    kc_jscan_begin(&s->js, buf, len, &e);
    if (kc_jscan_peek(&s->js, &kind) != KC_OK || kind != KC_JSCAN_OBJECT) {
        return NULL;
    }
    json_t *obj = json_object();
    if (obj == NULL) {
        return NULL;
    }
    kc_jscan_enter(&s->js);
    while ((rc = kc_jscan_object_next(&s->js, &key, &key_len, &kind)) == 1) {
        int want = want_member(s, key, key_len);
        struct kc_jscan_val v;
        if (want == 1) {
            /* a key with escapes was decoded into the scanner's scratch, which the value's scan
             * may reuse: copied first; a plain key points into buf */
            uintptr_t at = (uintptr_t)key, b0 = (uintptr_t)buf;
            int in_doc = at >= b0 && at - b0 + key_len <= len;
            char *k = in_doc ? NULL : kc_strndup(key, key_len);
            rc = !in_doc && k == NULL ? KC_ENOMEM : kc_jscan_value(&s->js, &v);
            if (rc == KC_OK) {
                rc = load_member(obj, in_doc ? key : k, key_len, &v);
            }
            kc_free(k);
        } else if (want == 2) {
            /* "schema" only says whether this is an envelope: its content is not read */
            rc = kc_jscan_skip(&s->js);
            if (rc == KC_OK && json_object_setn_new(obj, key, key_len, json_null()) != 0) {
                rc = KC_ENOMEM;
            }
        } else {
            rc = kc_jscan_skip(&s->js);
        }
        if (rc != KC_OK) {
            break;
        }
    }
    if (rc != 0 || kc_jscan_finish(&s->js) != KC_OK) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/*
 * For Parquet: the record parsed once, by the converter's parser, and read by the partitioner
 * where it lies (no tree); the converter then writes this parse (s->pdoc). v reads from the
 * payload of a JsonConverter envelope. 0 (and no pdoc) when the value is not a JSON object:
 * the json_loadb path then says why, as before.
 */
static int view_parsed(struct s3_sink *s, const char *buf, size_t len, struct s3_value *v,
                       struct parquet_doc_field *root, struct parquet_doc_field *payload)
{
    struct kc_error e;
    const struct parquet_jsonl_doc *d = NULL;
    if (parquet_jsonl_parse(s->parsers, buf, len, &d, &e) != KC_OK) {
        return 0;
    }
    parquet_jsonl_doc_root(d, root);
    if (root->kind != PARQUET_DOC_OBJECT) {
        return 0;
    }
    struct parquet_doc_field schema;
    parquet_jsonl_doc_get(d, NULL, "schema", &schema);
    parquet_jsonl_doc_get(d, NULL, "payload", payload);
    v->json = NULL;
    v->fields = NULL;
    v->doc = d;
    v->from = schema.kind != PARQUET_DOC_MISSING && payload->kind != PARQUET_DOC_MISSING ? payload
                                                                                       : root;
    s->pdoc = d;
    return 1;
}

/*
 * For Parquet, before view_parsed: the record checked and staged for the open file its
 * partition's last record went to (records of a partition mostly go on to the same file), its
 * fields read where they lie. No tree is built, and when the partitioner picks that file the
 * staged row is what is written. 0 when it cannot be staged there (no such file yet, another
 * schema, a bad record): view_parsed then.
 */
static int view_staged(struct s3_sink *s, const struct s3_tp *tp, const char *buf, size_t len,
                       struct s3_value *v, struct kc_error *err, int *rc)
{
    *rc = KC_OK;
    if (tp->last_encoded == NULL) {
        return 0;
    }
    /* the values file (not its keys or headers file, which share its encoded partition) */
    const struct s3_file *g = file_find(tp, tp->last_encoded, tp->last_encoded_len, S3_VALUES);
    if (g == NULL || g->pj == NULL) {
        return 0;
    }
    const struct parquet_jsonl_fields *fields = NULL;
    int r = parquet_jsonl_stage(g->pj, buf, len, &fields, err);
    if (r != KC_OK) {
        *rc = r == PARQUET_JSONL_NOT_STAGED ? KC_OK : r;
        return 0;
    }
    memset(v, 0, sizeof(*v));
    v->fields = fields;
    s->staged = 1;
    return 1;
}

/*
 * The rest of put_one once the record's encoded partition and time are known: rotation before
 * it, its value into its file (write_record), its key and headers rows beside it, the set's
 * count. buf NULL: a tombstone under behavior.on.null.values=write, which has only its key and
 * headers rows (in the tombstone partition). Frees owned.
 */
static int put_rows(struct s3_sink *s, struct s3_tp *tp, const struct sink_record *r,
                    const char *encoded, size_t enc_len, int64_t ts, int64_t ts_local,
                    int64_t wall, const char *buf, size_t len, char *owned, struct kc_error *err)
{
    struct kc_error why;
    int rc;
    if (s->c.side[S3_KEYS - 1] || s->c.side[S3_HEADERS - 1]) {
        /* its key and headers rows, before anything of it is written */
        if ((rc = side_prepare(s, r, &why)) != KC_OK) {
            free(owned);
            return rc == KC_ENOMEM ? kc_error_set(err, rc, "%s", why.msg)
                                   : report(s, r, &why, err);
        }
        const struct s3_file *kf = (s->c.side_format[S3_KEYS - 1] == S3_FORMAT_PARQUET ||
                                    s->c.side_format[S3_KEYS - 1] == S3_FORMAT_AVRO) &&
                                           s->side_text[S3_KEYS - 1] != NULL
                                       ? file_find(tp, encoded, enc_len, S3_KEYS)
                                       : NULL;
        if (kf != NULL && kf->n > 0 && kf->schema_fp != s->key_fp &&
            (rc = set_commit(s, tp, r->kafka_offset, &why)) != KC_OK) {
            /* a key of another Connect schema closes the set, as a value's does */
            free(owned);
            return rc == KC_ENOMEM ? kc_error_set(err, rc, "%s", why.msg)
                                   : set_replay(s, tp, &why, err);
        }
    }
    /* rotation by record time (and by a change of encoded partition), before this record */
    if (tp->files != NULL && s->c.rotate_interval_ms > 0 &&
        s3_partitioner_kind(s->part) == S3_PART_TIME &&
        ((tp->has_base && ts - tp->base_ts >= s->c.rotate_interval_ms) ||
         (s->c.rotate_on_partition_change && tp->last_encoded != NULL &&
          !enc_eq(tp->last_encoded, tp->last_encoded_len, encoded, enc_len)))) {
        if ((rc = set_commit(s, tp, r->kafka_offset, &why)) != KC_OK) {
            free(owned);
            return rc == KC_ENOMEM ? kc_error_set(err, rc, "%s", why.msg)
                                   : set_replay(s, tp, &why, err);
        }
    }
    rc = buf != NULL ? write_record(s, tp, r, encoded, enc_len, ts_local, buf, len, &why) : KC_OK;
    if ((rc == KC_EINVAL && s->c.format == S3_FORMAT_PARQUET &&
         strcmp(s->c.on_mismatch, "rotate") == 0 && tp->count > 0) ||
        rc == KC_EEXIST) {
        /* does not fit the file's schema, or brings another Connect schema (as Confluent's
         * schema.compatibility=NONE): close the set, start a new file from this record */
        if ((rc = set_commit(s, tp, r->kafka_offset, &why)) == KC_OK) {
            rc = write_record(s, tp, r, encoded, enc_len, ts_local, buf, len, &why);
        } else {
            free(owned);
            return rc == KC_ENOMEM ? kc_error_set(err, rc, "%s", why.msg)
                                   : set_replay(s, tp, &why, err);
        }
    }
    free(owned);
    if (rc == KC_EINVAL || rc == KC_EEXIST) {
        for (struct s3_file *f = tp->files; f != NULL; f = f->next) {
            if (f->bad) {
                why = f->why;
            }
        }
        return report(s, r, &why, err);
    }
    for (int side = S3_KEYS; rc == KC_OK && side <= S3_HEADERS; side++) {
        if (s->c.side[side - 1]) {
            rc = side_write(s, tp, r, encoded, enc_len, ts_local, side, &why);
        }
    }
    for (int i = 0; i < 2; i++) { /* a huge key's text is not kept until the next record */
        free(s->side_text[i]);
        s->side_text[i] = NULL;
    }
    if (rc != KC_OK) {
        return rc == KC_ENOMEM || rc == KC_EFATAL ? kc_error_set(err, rc, "%s", why.msg)
                                                  : set_replay(s, tp, &why, err);
    }
    tp->next_offset = r->kafka_offset + 1;
    if (!tp->has_base) {
        tp->has_base = 1;
        tp->base_ts = ts;
        if (s->c.rotate_schedule_ms > 0) {
            tp->schedule_due = s3_partitioner_floor(s->part, wall, s->c.rotate_schedule_ms) +
                               s->c.rotate_schedule_ms;
        }
    }
    if (tp->last_encoded == NULL ||
        !enc_eq(tp->last_encoded, tp->last_encoded_len, encoded, enc_len)) {
        kc_free(tp->last_encoded);
        tp->last_encoded_len = enc_len;
        if ((tp->last_encoded = kc_strdup(encoded)) == NULL) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
    }
    if (++tp->count >= s->c.flush_size) {
        if ((rc = set_commit(s, tp, r->kafka_offset + 1, &why)) != KC_OK) {
            return rc == KC_ENOMEM ? kc_error_set(err, rc, "%s", why.msg)
                                   : set_replay(s, tp, &why, err);
        }
    }
    return KC_OK;
}

static int put_one(struct s3_sink *s, const struct sink_record *r, int64_t wall,
                   struct kc_error *err)
{
    s->pdoc = NULL;
    s->staged = 0;
    release_big(&s->row); /* the last record's, if it was huge */
    release_big(&s->key);
    struct s3_tp *tp = tp_of(s, r);
    if (tp == NULL && (tp = tp_add(s, r->kafka_topic, r->kafka_partition)) == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    if (tp->skip) {
        return KC_OK;
    }
    if (tp->boundary < 0) {
        tp->boundary = r->kafka_offset;
    }
    struct kc_error why;
    if (tp->n_deny > 0 && take_denied(tp, r->kafka_offset, &why)) {
        return report(s, r, &why, err); /* blamed by an earlier pass over its set */
    }
    if (tp->n_reported > 0 && was_reported(tp, r->kafka_offset)) {
        return KC_OK; /* reported on an earlier pass over this set (a replay): once is enough */
    }
    const char *buf = r->value_raw;
    size_t len = r->value_len;
    char *owned = NULL;
    json_t *doc = NULL;
    int rc = KC_OK;
    if (s->c.format == S3_FORMAT_CSV) {
        /* Aiven's csv: the row is made of the record's parts, a null value included */
        if ((rc = aiven_csv(s, r, &why)) != KC_OK) {
            return rc == KC_ENOMEM ? kc_error_set(err, rc, "%s", why.msg)
                                   : report(s, r, &why, err);
        }
        buf = (const char *)s->row.data;
        len = s->row.len;
    } else if (r->value_converted) {
        if (r->value == NULL) {
            buf = NULL;
        } else if (s->c.format == S3_FORMAT_BYTES) {
            /* ByteArrayConverter.fromConnectData: a byte[] (or a BYTES schema's value) only */
            if (r->value->type != CDATA_BYTES) {
                kc_error_set(&why, KC_EINVAL,
                             "ByteArrayConverter is not compatible with objects of type %s",
                             cdata_java_class(r->value));
                return report(s, r, &why, err);
            }
            if (s3_partitioner_needs_value(s->part)) {
                kc_error_set(&why, KC_EINVAL, "the partitioner reads fields of the value, and "
                                              "a ByteArrayFormat value is bytes");
                return report(s, r, &why, err);
            }
            buf = r->value->u.s;
            len = r->value->n;
        } else if (s->c.format == S3_FORMAT_AVRO) {
            /* write_record encodes r->value; the partitioner reads its JSON */
            buf = "";
            len = 0;
            if (s3_partitioner_needs_value(s->part) && (doc = cdata_to_json(r->value, 0)) == NULL) {
                kc_error_set(&why, KC_EINVAL, "value cannot be read by the partitioner");
                return report(s, r, &why, err);
            }
        } else if (s->c.format == S3_FORMAT_PARQUET &&
                   (owned = s3_connect_envelope(r->value_schema, r->value)) != NULL) {
            /* columns from the Connect schema (Avro, Protobuf, JSON Schema, transforms) */
            buf = owned;
            len = strlen(owned);
        } else {
            /* the line as the JVM writes it (JsonConverter, schemas.enable=false); the tree
             * only for a partitioner that reads the value. Parquet without a Connect schema
             * (no JVM sink writes it) infers its columns from the value's own JSON text. */
            int jrc = KC_OK;
            if (s->c.format == S3_FORMAT_PARQUET) {
                doc = cdata_to_json(r->value, 0);
                jrc = doc != NULL ? java_dumps(s, doc, 0, &owned) : KC_EINVAL;
            } else {
                jrc = cdata_dumps(s, r->value, &owned);
            }
            if (jrc == KC_OK && doc == NULL && s3_partitioner_needs_value(s->part) &&
                (doc = cdata_to_json(r->value, 0)) == NULL) {
                jrc = KC_EINVAL;
            }
            if (jrc != KC_OK) {
                free(owned);
                owned = NULL;
                json_decref(doc);
                if (jrc == KC_ENOMEM) {
                    return kc_error_set(err, KC_ENOMEM, "out of memory");
                }
                kc_error_set(&why, KC_EINVAL, "value cannot be written as JSON");
                return report(s, r, &why, err);
            }
            buf = owned;
            len = strlen(owned);
        }
    }
    if (buf == NULL && !aiven_wraps(s) && s->c.ignore_nulls) {
        return KC_OK; /* behavior.on.null.values=ignore: passed over, its offset committed */
    }
    if (buf == NULL && !s->c.aiven.on && s->c.write_nulls) {
        /* behavior.on.null.values=write (Confluent's TombstoneSupportedPartitioner): the
         * tombstone's key and headers go to the files of the tombstone partition, at the time
         * the extractor gives (a time-based partitioner's; Wallclock: now), the record's own
         * where it would read a field of the value (its TombstoneTimestampExtractor) */
        int64_t ts = r->ts_type != SINK_TS_NONE ? r->timestamp : wall;
        if (s3_partitioner_kind(s->part) == S3_PART_TIME) {
            int field = s3_partitioner_extractor(s->part) == S3_EXTRACT_RECORD_FIELD;
            const struct s3_value none = s3_value_json(NULL);
            int trc = field && r->ts_type != SINK_TS_NONE
                          ? KC_OK
                          : s3_partitioner_timestamp(s->part, &none, r->timestamp,
                                                     r->ts_type != SINK_TS_NONE, wall, &ts, &why);
            if (trc != KC_OK) {
                return trc == KC_ENOMEM ? kc_error_set(err, trc, "%s", why.msg)
                                        : report(s, r, &why, err);
            }
        }
        const char *enc = s->c.tombstone_partition;
        return put_rows(s, tp, r, enc, strlen(enc), ts,
                        ts + s3_partitioner_utc_offset(s->part, ts), wall, NULL, 0, NULL, err);
    }
    if (buf == NULL && !aiven_wraps(s)) {
        kc_error_set(&why, KC_EINVAL, "Null valued records are not writeable with current "
                                      "behavior.on.null.values 'fail' setting.");
        return report(s, r, &why, err);
    }
    if (buf != NULL && s->c.format == S3_FORMAT_PARQUET && !aiven_wraps(s) &&
        empty_object(buf, len)) {
        /* no field, no column: a file of such records would have no schema at all */
        kc_error_set(&why, KC_EINVAL, "a value with no fields ({}) has no Parquet column to "
                                      "write");
        free(owned);
        json_decref(doc);
        return report(s, r, &why, err);
    }
    struct s3_value view;
    struct parquet_doc_field root, payload;
    int viewed = 0;
    if (doc == NULL && s3_partitioner_needs_value(s->part) && owned == NULL && buf != NULL) {
        /* a raw value: only what the partitioner reads, and for Parquet one parse for both */
        if (s->c.format == S3_FORMAT_PARQUET && !aiven_wraps(s)) {
            viewed = view_staged(s, tp, buf, len, &view, err, &rc);
            if (rc != KC_OK) {
                return rc; /* out of memory */
            }
            if (!viewed) {
                viewed = view_parsed(s, buf, len, &view, &root, &payload);
            }
        } else {
            doc = load_needed(s, buf, len);
        }
    }
    if (!viewed && doc == NULL && s3_partitioner_needs_value(s->part)) {
        json_error_t je;
        doc = json_loadb(buf, len, JSON_DECODE_ANY, &je);
        if (doc == NULL) {
            free(owned); /* json_dumps: jansson's allocator */
            kc_error_set(&why, KC_EINVAL, "invalid JSON: %s", je.text);
            return report(s, r, &why, err);
        }
    }
    if (!viewed) {
        const json_t *val = doc;
        if (json_is_object(doc) && json_object_get(doc, "schema") != NULL &&
            json_object_get(doc, "payload") != NULL) {
            val = json_object_get(doc, "payload"); /* JsonConverter envelope */
        }
        view = s3_value_json(val);
    }
    int64_t ts = 0;
    kc_buf_reset(&s->enc);
    if (s3_partitioner_kind(s->part) == S3_PART_TIME || s->c.aiven.on) {
        rc = s3_partitioner_timestamp(s->part, &view, r->timestamp, r->ts_type != SINK_TS_NONE,
                                      wall, &ts, &why);
    } else {
        /* As Confluent's TopicPartitionWriter: only a TimeBasedPartitioner has a timestamp
         * extractor; a timestamp.field left in the config of another partitioner is unused. */
        ts = r->ts_type != SINK_TS_NONE ? r->timestamp : wall;
    }
    if (rc == KC_OK) {
        rc = s3_partitioner_encode(s->part, &view, r->kafka_partition, ts, &s->enc, &why);
    }
    if (rc == KC_OK && kc_buf_append_byte(&s->enc, 0) != KC_OK) {
        rc = kc_error_set(&why, KC_ENOMEM, "out of memory");
    }
    json_decref(doc);
    if (rc != KC_OK) {
        free(owned);
        return rc == KC_ENOMEM ? kc_error_set(err, KC_ENOMEM, "%s", why.msg)
                               : report(s, r, &why, err);
    }
    const char *encoded = s->enc.data;
    int64_t ts_local = ts + s3_partitioner_utc_offset(s->part, ts);
    size_t enc_len = strlen(encoded); /* (a NUL in a field's value ends it, as kc_strdup does) */
    if (s->c.aiven.on) {
        /* files group by the template without its start offset */
        kc_buf_reset(&s->enc);
        kc_buf_reset(&s->key);
        if (s->c.aiven.key_mode) {
            rc = aiven_key_text(s, r, &s->key, &why);
        }
        if (rc == KC_OK) {
            rc = s3_aiven_render(&s->c.aiven, tp->topic, tp->partition, -1, ts_local,
                                 (const char *)s->key.data, s->key.len, &s->enc, &why);
        }
        if (rc == KC_OK && kc_buf_append_byte(&s->enc, 0) != KC_OK) {
            rc = kc_error_set(&why, KC_ENOMEM, "out of memory");
        }
        if (rc == KC_OK && aiven_wraps(s)) {
            rc = aiven_row(s, r, buf, len, &why);
            buf = (const char *)s->row.data;
            len = s->row.len;
        }
        if (rc != KC_OK) {
            free(owned);
            return rc == KC_ENOMEM ? kc_error_set(err, KC_ENOMEM, "%s", why.msg)
                                   : report(s, r, &why, err);
        }
        encoded = s->enc.data;
        enc_len = strlen(encoded);
    }
    /* JsonFormat writes what Confluent's writes (the value through JsonConverter with
     * schemas.enable=false): one compact JSON value per line, an envelope's payload without
     * its schema, a StringConverter text as a JSON string. */
    if (!s->c.aiven.on && !r->value_converted && buf != NULL &&
        (s->c.format == S3_FORMAT_JSON || s->c.format == S3_FORMAT_JSON_ARRAY)) {
        json_error_t je;
        json_t *d = NULL;
        if (s->string_values) {
            /* a String (StringConverter): Jackson writes it as a JSON string, whatever its
             * text holds; malformed UTF-8 decoded as Java does, to U+FFFD */
            if ((d = java_text(buf, len)) == NULL) {
                free(owned);
                return kc_error_set(err, KC_ENOMEM, "out of memory");
            }
        } else if ((d = json_loadb(buf, len, JSON_DECODE_ANY, &je)) == NULL) {
            kc_error_set(&why, KC_EINVAL, "invalid JSON: %s", je.text);
            return report(s, r, &why, err);
        }
        const json_t *pv = d;
        if (!s->string_values && s->schemas_enable && json_is_object(d) &&
            json_object_get(d, "schema") != NULL && json_object_get(d, "payload") != NULL) {
            pv = json_object_get(d, "payload");
        }
        char *line = NULL;
        /* schemaless JSON is a java.util.HashMap in the JVM: members in its order */
        int jrc = java_dumps(s, pv, pv == d && !s->string_values, &line);
        json_decref(d);
        if (jrc == KC_ENOMEM) {
            free(owned);
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        if (jrc != KC_OK) {
            free(owned);
            kc_error_set(&why, KC_EINVAL, "the record %s", S3_NOT_JSON);
            return report(s, r, &why, err);
        }
        free(owned);
        owned = line; /* freed below, as a converted value's text is */
        buf = line;
        len = strlen(line);
    }
    return put_rows(s, tp, r, encoded, enc_len, ts, ts_local, wall, buf, len, owned, err);
}

/* Heap one open file holds: its converter's footprint (buffers at their allocated sizes, the
 * inference sample, fixed state) and the sink's own records of it. */
static size_t file_footprint(const struct s3_file *f)
{
    size_t n = sizeof(*f) + strlen(f->encoded) + 2 * 16 + f->cap_blamed * sizeof(f->blamed[0]);
    if (f->obj != NULL) {
        n += 2 * strlen(s3_object_key(f->obj)) + 128; /* the object: key, local path */
    }
    return n + (f->pj != NULL ? parquet_jsonl_footprint(f->pj) : 0) + s3_zout_footprint(f->z) +
           s3_avro_footprint(f->av);
}

/*
 * One byte budget over every open file, whatever their number: after each put the sink sums
 * what the files hold. Past 3/4 of the budget the file with the most buffered bytes writes its
 * row group to its spool file (each file once per call; names and rows stay the same). When
 * what remains is still past 3/4 -- the files' floor (writer state, parsers' samples) of very
 * many open files -- the partition whose open set holds the most is committed early: its
 * objects get the names of that earlier boundary (the README's exception to exact names).
 */
static int enforce_budget(struct s3_sink *s, struct kc_error *err)
{
    size_t budget = sink_task_budget(s->st); /* may change while the task runs */
    if (budget != 0) {
        s->budget = budget;
    }
    s->round++;
    for (;;) {
        size_t total = s->inflight, big = 0, tp_big = 0;
        struct s3_file *largest = NULL;
        struct s3_tp *largest_tp = NULL, *fattest = NULL;
        for (size_t i = 0; i < s->n_tps; i++) {
            size_t tp_total = 0;
            for (struct s3_file *f = s->tps[i]->files; f != NULL; f = f->next) {
                size_t b = f->pj != NULL ? parquet_jsonl_buffered_bytes(f->pj)
                                         : s3_avro_buffered(f->av);
                tp_total += file_footprint(f);
                if (b > big && f->flushed_round != s->round) {
                    big = b;
                    largest = f;
                    largest_tp = s->tps[i];
                }
            }
            total += tp_total;
            if (tp_total > tp_big && s->tps[i]->files != NULL) {
                tp_big = tp_total;
                fattest = s->tps[i];
            }
        }
        if (total <= s->budget / 4 * 3 || (largest == NULL && fattest == NULL)) {
            sink_task_buffered(s->st, total);
            return KC_OK;
        }
        int rc;
        struct kc_error why;
        if (largest == NULL) {
            /* nothing left to flush: the floor itself is past the budget */
            if (s->early_commits++ % 1024 == 0) {
                sink_task_log(s->st, KC_LOG_WARN,
                              "S3 sink: the open files' floor (%zu bytes in %zu partitions) is "
                              "past 3/4 of the task's byte budget (%zu): %s-%d's set is committed "
                              "early, at offset %lld (object names then differ from a run with "
                              "more memory; raise task.memory.budget.bytes)",
                              total, s->n_tps, s->budget, fattest->topic, (int)fattest->partition,
                              (long long)fattest->next_offset);
            }
            rc = set_commit(s, fattest, fattest->next_offset, &why);
            if (rc == KC_ENOMEM) {
                return kc_error_set(err, rc, "%s", why.msg);
            }
            if (rc != KC_OK && (rc = set_replay(s, fattest, &why, err)) != KC_OK) {
                return rc;
            }
            continue;
        }
        largest->flushed_round = s->round;
        if (largest->av != NULL) {
            /* an Avro block written early: the same records, a block boundary elsewhere */
            if ((rc = s3_avro_flush(largest->av, largest->obj, &s->avro_packed, err)) != KC_OK) {
                return rc;
            }
            continue;
        }
        rc = file_rc(largest, parquet_jsonl_flush_row_group(largest->pj, err), err);
        if (rc != KC_OK) {
            return rc;
        }
        if ((rc = take_blame(largest_tp, &why)) == KC_ENOMEM) {
            return kc_error_set(err, rc, "%s", why.msg);
        }
        if (rc != KC_OK && (rc = set_replay(s, largest_tp, &why, err)) != KC_OK) {
            return rc; /* the sample, inferred early, blamed one of its records */
        }
    }
}

/* ---- ops ---- */

static void s3_free(struct s3_sink *s)
{
    s3_uploader_free(s->up); /* batches still waiting are dropped: their offsets were never
                              * committed, the next run writes the same objects */
    s->up = NULL;
    while (s->n_tps > 0) {
        tp_remove(s, s->n_tps - 1);
    }
    kc_free(s->tps);
    parquet_jsonl_parsers_free(s->parsers); /* after every converter */
    s3_partitioner_free(s->part);
    s3_store_free(s->store);
    kc_buf_fini(&s->path);
    kc_buf_fini(&s->enc);
    kc_buf_fini(&s->row);
    kc_buf_fini(&s->key);
    kc_buf_fini(&s->jtext);
    kc_buf_fini(&s->avro_rec);
    kc_buf_fini(&s->avro_packed);
    kc_buf_fini(&s->side_avro);
    kc_buf_fini(&s->key_avro);
    avro_enc_free(s->key_enc);
    kc_jscan_fini(&s->js);
    kc_free(s->ext);
    kc_free(s->sep);
    for (int i = 0; i < 2; i++) {
        kc_free(s->side_ext[i]);
        free(s->side_text[i]);
    }
    kc_free(s);
}

typedef int s3_conf_load_fn(const struct conf_values *cv, struct s3_conf *c,
                            struct kc_error *err);

static int s3_start(struct sink_task *st, const struct conf_values *cv, s3_conf_load_fn *load,
                    struct kc_error *err)
{
    struct s3_sink *s = kc_calloc(1, sizeof(*s));
    if (s == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    s->st = st;
    int schemas_enable = 0;
    const char *vconv = sink_task_value_converter(st, &schemas_enable);
    s->string_values =
        vconv != NULL && strcmp(vconv, "org.apache.kafka.connect.storage.StringConverter") == 0;
    s->schemas_enable = schemas_enable;
    kc_buf_init(&s->path, 64 * 1024);
    kc_buf_init(&s->enc, 64 * 1024);
    /* a record's row, key and JSON text are as long as the record: no cap below Kafka's */
    kc_buf_init(&s->row, S3_RECORD_TEXT_MAX);
    kc_buf_init(&s->key, S3_RECORD_TEXT_MAX);
    kc_buf_init(&s->jtext, S3_RECORD_TEXT_MAX);
    kc_buf_init(&s->avro_rec, S3_RECORD_TEXT_MAX);
    kc_buf_init(&s->side_avro, S3_RECORD_TEXT_MAX);
    kc_buf_init(&s->key_avro, S3_RECORD_TEXT_MAX);
    kc_buf_init(&s->avro_packed, S3_RECORD_TEXT_MAX);
    kc_jscan_init(&s->js, KC_JSCAN_STRICT, S3_JSON_MAX_DEPTH);
    int rc = load(cv, &s->c, err);
    if (rc == KC_OK && (s->parsers = parquet_jsonl_parsers_new()) == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    if (rc == KC_OK) {
        rc = s3_partitioner_new(&s->c.part, &s->part, err);
    }
    if (rc == KC_OK) {
        rc = s3_store_new(&s->c.store, &s->store, err);
    }
    if (rc == KC_OK) {
        rc = s3_store_check(s->store, err);
    }
    if (rc == KC_OK) {
        /* the local store too: its files are finished, fsynced and renamed there */
        rc = s3_uploader_new(S3_UPLOADS_PENDING, &s->up, err);
    }
    if (rc == KC_OK) {
        s3_uploader_on_done(s->up, wake_task, s->st);
    }
    if (rc != KC_OK) {
        s3_free(s);
        if (rc < 0) {
            return rc;
        }
        /* a failure to retry (the store unreachable at the start) fails the start for good;
         * err->msg is its reason (not formatted into itself: vsnprintf over its own source
         * left it empty) */
        err->rc = KC_EFATAL;
        return KC_EFATAL;
    }
    struct kc_buf sep;
    kc_buf_init(&sep, 1 << 20);
    int z = s->c.format == S3_FORMAT_BYTES && s->c.json_z == S3_Z_GZIP;
    s->ext = kc_asprintf("%s%s", s3_conf_extension(&s->c), z ? ".gz" : "");
    if (s->c.format == S3_FORMAT_BYTES &&
        java_unescape(s->c.bytes_sep != NULL ? s->c.bytes_sep : "\n", &sep) == KC_OK) {
        s->sep_len = sep.len;
        s->sep = kc_buf_take(&sep, NULL);
    }
    kc_buf_fini(&sep);
    int side_oom = 0;
    for (int i = 0; i < 2; i++) {
        if (s->c.side[i]) {
            /* Confluent's getAdjustedFilename: ".keys" before the keys format's extension */
            struct s3_conf sc = s->c;
            sc.format = s->c.side_format[i];
            s->side_ext[i] = kc_asprintf("%s%s", i == 0 ? ".keys" : ".headers",
                                         s3_conf_extension(&sc));
            side_oom |= s->side_ext[i] == NULL;
        }
    }
    if (s->ext == NULL || side_oom || (s->c.format == S3_FORMAT_BYTES && s->sep == NULL)) {
        s3_free(s);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    sink_task_want_key_headers(st, s->c.side[S3_KEYS - 1], s->c.side[S3_HEADERS - 1]);
    if ((!s->c.aiven.on && s->c.format == S3_FORMAT_BYTES) || s->c.format == S3_FORMAT_CSV ||
        s->c.format == S3_FORMAT_AVRO) {
        /* the bytes ByteArrayConverter made, as the JVM's; Aiven's csv checks the schemas;
         * AvroFormat writes the Connect value through AvroData's mapping */
        sink_task_want_converted(st);
    }
    if (!s->c.aiven.on && s->c.format != S3_FORMAT_PARQUET && schemas_enable && vconv != NULL &&
        strcmp(vconv, "org.apache.kafka.connect.json.JsonConverter") == 0) {
        /* JsonFormat prints the Struct JsonConverter makes of an envelope, as the JVM does:
         * fields in schema order, absent optional ones null, bytes in base64; and a record
         * that is not an envelope fails conversion (DLQ, or the task) as it does there */
        sink_task_want_converted(st);
    }
    s->budget = sink_task_budget(st);
    if (s->budget == 0) {
        s->budget = (size_t)256 << 20;
    }
    sink_task_set_ctx(st, s);
    sink_task_log(st, KC_LOG_INFO, "S3 sink writing %s to %s%s%s%s%s",
                  s->c.aiven.on ? s->c.aiven.tmpl : s->ext,
                  s3_store_is_local(s->store) ? "local store " : "bucket ",
                  s3_store_is_local(s->store) ? s->c.store.url : s->c.store.bucket,
                  s3_store_is_local(s->store) ? "" : " (credentials: ",
                  s3_store_is_local(s->store) ? "" : s3_store_creds_source(s->store),
                  s3_store_is_local(s->store) ? "" : ")");
    const struct s3_store_config *sc = &s->c.store;
    const char *sse = sc->sse != NULL ? sc->sse : "";
    int kms = strncasecmp(sse, "aws:kms", 7) == 0;
    int ck = sc->sse_customer_key != NULL && sc->sse_customer_key[0] != '\0';
    if (kms && (sc->sse_kms_key_id == NULL || sc->sse_kms_key_id[0] == '\0')) {
        sink_task_log(st, KC_LOG_WARN, "S3 sink: s3.ssea.name=%s without s3.sse.kms.key.id: "
                                       "objects are sent without an encryption header, as "
                                       "Confluent's connector sends them (the bucket's default "
                                       "encryption applies)",
                      sse);
    }
    if (ck && strcasecmp(sse, "AES256") != 0) {
        sink_task_log(st, KC_LOG_WARN, "S3 sink: s3.sse.customer.key is used only with "
                                       "s3.ssea.name=AES256 (SSE-C), as in Confluent's connector: "
                                       "ignored");
    }
    if (s3_store_is_local(s->store) &&
        (sse[0] != '\0' || ck || (sc->acl != NULL && sc->acl[0] != '\0'))) {
        sink_task_log(st, KC_LOG_INFO, "S3 sink: s3.ssea.name, s3.sse.* and s3.acl.canned do "
                                       "not apply to the local store");
    }
    return KC_OK;
}

static int s3_task_start(struct sink_task *st, const struct conf_values *cv, struct kc_error *err)
{
    return s3_start(st, cv, s3_conf_load, err);
}

static int s3_aiven_task_start(struct sink_task *st, const struct conf_values *cv,
                               struct kc_error *err)
{
    return s3_start(st, cv, s3_aiven_conf_load, err);
}

static int s3_task_put(struct sink_task *st, const struct sink_record *recs, size_t n,
                       struct kc_error *err)
{
    struct s3_sink *s = sink_task_ctx(st);
    int64_t wall = now_ms();
    for (size_t i = 0; i < s->n_tps; i++) {
        s->tps[i]->skip = 0;
    }
    int hrc = harvest(s, err);
    if (hrc != KC_OK) {
        return hrc;
    }
    s->last_tp = NULL; /* the last put's topic names may be gone */
    for (size_t i = 0; i < n; i++) {
        int rc = put_one(s, &recs[i], wall, err);
        if (rc != KC_OK) {
            return rc;
        }
        struct s3_tp *tp = tp_of(s, &recs[i]);
        if (tp != NULL && !tp->skip) {
            tp->handled = recs[i].kafka_offset + 1;
            tp->rewound = 0;
        }
    }
    return enforce_budget(s, err);
}

static int s3_task_flush(struct sink_task *st, struct kc_error *err)
{
    /* Offsets go through pre_commit only (as Confluent's no-op flush). */
    (void)st;
    (void)err;
    return KC_OK;
}

static int s3_task_pre_commit(struct sink_task *st, const struct sink_offset *consumed, size_t n,
                              struct sink_offset *durable, size_t *n_out, struct kc_error *err)
{
    struct s3_sink *s = sink_task_ctx(st);
    if (s3_store_is_local(s->store)) {
        /* a local file is finished and renamed in bounded time: what was handed over is
         * committed now rather than at a later commit */
        s3_uploader_drain(s->up);
    }
    int rc = harvest(s, err);
    if (rc != KC_OK) {
        return rc;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        struct s3_tp *tp = tp_find(s, consumed[i].topic, consumed[i].partition);
        int64_t off = consumed[i].offset;
        if (tp != NULL && tp->files != NULL) {
            if (tp->boundary < 0 || tp->boundary > off) {
                continue;
            }
            off = tp->boundary;
        } else if (tp != NULL) {
            if (tp->rewound && tp->handled >= 0 && tp->handled < off) {
                off = tp->handled; /* a replay is under way: not past what was dropped */
            }
            tp->boundary = off; /* nothing open: the next set starts here */
            forget_reported(tp);
        }
        if (tp != NULL && tp->n_pending > 0 && tp->pending_from < off) {
            off = tp->pending_from; /* objects still on their way to S3 */
        }
        durable[k].topic = consumed[i].topic;
        durable[k].partition = consumed[i].partition;
        durable[k].offset = off;
        durable[k].metadata = NULL;
        k++;
    }
    *n_out = k;
    return KC_OK;
}

struct orphan_match {
    const struct s3_sink *s;
    const char *topic;
    const struct tp_list *parts;
};

/* The key's file name is <topic><delim><partition><delim>... of an assigned partition. */
static int orphan_key(void *ctx, const char *key)
{
    const struct orphan_match *m = ctx;
    const char *slash = strrchr(key, '/');
    const char *name = slash != NULL ? slash + 1 : key;
    size_t tl = strlen(m->topic), dl = strlen(m->s->c.file_delim);
    if (strncmp(name, m->topic, tl) != 0 || strncmp(name + tl, m->s->c.file_delim, dl) != 0) {
        return 0;
    }
    char *end = NULL;
    long p = strtol(name + tl + dl, &end, 10);
    if (end == name + tl + dl || strncmp(end, m->s->c.file_delim, dl) != 0) {
        return 0;
    }
    /* this connector's formats only (another connector may write JSON beside our Parquet) */
    const char *exts[3] = {m->s->ext, m->s->side_ext[0], m->s->side_ext[1]};
    size_t nl = strlen(name);
    int ours = 0;
    for (int i = 0; i < 3 && !ours; i++) {
        size_t el = exts[i] != NULL ? strlen(exts[i]) : 0;
        ours = el > 0 && nl >= el && strcmp(name + nl - el, exts[i]) == 0;
    }
    if (!ours) {
        return 0;
    }
    for (size_t i = 0; i < m->parts->n; i++) {
        if (m->parts->tp[i].partition == p && strcmp(m->parts->tp[i].topic, m->topic) == 0) {
            return 1;
        }
    }
    return 0;
}

/*
 * Multipart uploads a task killed mid-upload (kill -9, OOM) left behind for the partitions now
 * assigned: aborted, once per topic, so their parts are not stored (and billed) for ever. The
 * replay that follows rewrites those objects. Best effort: a listing that fails is logged.
 */
static void abort_orphans(struct s3_sink *s, const struct tp_list *parts)
{
    if (s3_store_is_local(s->store) || s->c.aiven.on) {
        return;
    }
    const char *dd = s->c.part.dir_delim != NULL && s->c.part.dir_delim[0] ? s->c.part.dir_delim
                                                                            : "/";
    for (size_t i = 0; i < parts->n; i++) {
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++) {
            seen = strcmp(parts->tp[j].topic, parts->tp[i].topic) == 0;
        }
        if (seen) {
            continue;
        }
        struct orphan_match m = {.s = s, .topic = parts->tp[i].topic, .parts = parts};
        char *prefix = kc_asprintf("%s%s%s%s", s->c.topics_dir, dd, m.topic, dd);
        unsigned n = 0;
        struct kc_error e;
        int rc = prefix != NULL ? s3_store_abort_uploads(s->store, prefix, orphan_key, &m, &n, &e)
                                : kc_error_set(&e, KC_ENOMEM, "out of memory");
        if (rc != KC_OK) {
            sink_task_log(s->st, KC_LOG_WARN,
                          "S3 sink: cannot list the multipart uploads under %s left by a "
                          "stopped task (%s); their parts stay until aborted (an "
                          "AbortIncompleteMultipartUpload lifecycle rule does it)",
                          prefix != NULL ? prefix : m.topic, e.msg);
        } else if (n > 0) {
            sink_task_log(s->st, KC_LOG_INFO,
                          "S3 sink: aborted %u multipart upload(s) under %s left by a stopped "
                          "task",
                          n, prefix);
        }
        kc_free(prefix);
    }
}

static int s3_task_open(struct sink_task *st, const struct tp_list *parts, struct kc_error *err)
{
    struct s3_sink *s = sink_task_ctx(st);
    for (size_t i = 0; i < parts->n; i++) {
        const struct tp *p = &parts->tp[i];
        struct s3_tp *tp = tp_add(s, p->topic, p->partition);
        if (tp == NULL) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        tp_drop_files(tp);
        tp->handled = -1;
        tp->rewound = 0;
        if (p->committed != SINK_OFFSET_NONE && p->committed >= 0) {
            /* Recovery: rebuild the open set from its first record, so its objects get the
             * names (and rows) a run without the crash would have given them. */
            tp->boundary = p->committed;
            tp->next_offset = p->committed;
            int rc = sink_task_rewind(st, p->topic, p->partition, p->committed, err);
            if (rc != KC_OK) {
                return rc;
            }
        } else {
            tp->boundary = -1;
        }
    }
    abort_orphans(s, parts);
    return KC_OK;
}

static int s3_task_close(struct sink_task *st, const struct tp_list *parts, struct kc_error *err)
{
    struct s3_sink *s = sink_task_ctx(st);
    /* Open files are dropped, not committed: the next owner rebuilds them from the committed
     * offset with the same names (as Confluent's TopicPartitionWriter.close). Uploads on their
     * way end first (the upload thread refers to the partitions' state). */
    if (s->up != NULL) {
        for (size_t i = 0; i < parts->n; i++) {
            struct s3_tp *tp = tp_find(s, parts->tp[i].topic, parts->tp[i].partition);
            if (tp != NULL) {
                tp->revoking = 1;
            }
        }
        s3_uploader_drain(s->up);
        int rc = harvest(s, err);
        for (size_t i = 0; i < s->n_tps; i++) {
            s->tps[i]->revoking = 0;
        }
        if (rc != KC_OK) {
            return rc;
        }
    }
    for (size_t i = 0; i < parts->n; i++) {
        for (size_t j = 0; j < s->n_tps; j++) {
            if (s->tps[j]->partition == parts->tp[i].partition &&
                strcmp(s->tps[j]->topic, parts->tp[i].topic) == 0) {
                tp_remove(s, j);
                break;
            }
        }
    }
    return enforce_budget(s, err);
}

static int s3_task_tick(struct sink_task *st, int64_t now, int64_t *next_ms, struct kc_error *err)
{
    struct s3_sink *s = sink_task_ctx(st);
    int64_t next = now + 1000;
    /* now is monotonic (sink.h); scheduled rotations are wall-clock boundaries: the wall time
     * that corresponds to now */
    struct timespec mono;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    int64_t wall = now_ms() + (now - ((int64_t)mono.tv_sec * 1000 + mono.tv_nsec / 1000000));
    for (size_t i = 0; i < s->n_tps; i++) {
        s->tps[i]->skip = 0;
    }
    int hrc = harvest(s, err);
    if (hrc != KC_OK) {
        return hrc;
    }
    if (s->up != NULL && s3_uploader_pending(s->up) > 0) {
        next = now + 20; /* come back soon: a finished upload lets the offsets be committed */
    }
    for (size_t i = 0; i < s->n_tps; i++) {
        struct s3_tp *tp = s->tps[i];
        if (tp->files == NULL || tp->schedule_due <= 0) {
            continue;
        }
        if (wall >= tp->schedule_due) {
            struct kc_error why;
            int rc = set_commit(s, tp, tp->next_offset, &why);
            if (rc != KC_OK) {
                if (rc == KC_ENOMEM) {
                    return kc_error_set(err, rc, "%s", why.msg);
                }
                if ((rc = set_replay(s, tp, &why, err)) != KC_OK) {
                    return rc;
                }
            }
        } else if (now + (tp->schedule_due - wall) < next) {
            next = now + (tp->schedule_due - wall);
        }
    }
    *next_ms = next;
    return KC_OK;
}

static void s3_task_stop(struct sink_task *st)
{
    struct s3_sink *s = sink_task_ctx(st);
    if (s == NULL) {
        return;
    }
    s3_free(s); /* open files are dropped: their records were never reported durable */
    sink_task_set_ctx(st, NULL);
}

static const char *const s3_sink_classes[] = {
    "io.confluent.connect.s3.S3SinkConnector",
    "io.connectc.s3.S3Sink",
    NULL,
};

const struct sink_connector_ops s3_sink_ops = {
    .version = SINK_OPS_VERSION,
    .name = "s3",
    .class_names = s3_sink_classes,
    .task_class = "io.confluent.connect.s3.S3SinkTask",
    .plugin_version = "10.6.0",
    .config_def = s3_conf_def,
    .flags = SINK_FLAG_RAW_VALUE | SINK_FLAG_RAW_JSON | SINK_FLAG_NO_KEY | SINK_FLAG_NO_HEADERS,
    .start = s3_task_start,
    .put = s3_task_put,
    .flush = s3_task_flush,
    .stop = s3_task_stop,
    .validate = s3_conf_validate,
    .open = s3_task_open,
    .close = s3_task_close,
    .pre_commit = s3_task_pre_commit,
    .tick = s3_task_tick,
};

static const char *const s3_aiven_classes[] = {
    "io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector",
    NULL,
};

/* Aiven's class: its keys (s3_aiven.c) onto the same sink; keys and headers are read. */
const struct sink_connector_ops s3_aiven_sink_ops = {
    .version = SINK_OPS_VERSION,
    .name = "s3-aiven",
    .class_names = s3_aiven_classes,
    .task_class = "io.aiven.kafka.connect.s3.S3SinkTask",
    .plugin_version = "3.4.2",
    .config_def = s3_aiven_conf_def,
    .flags = SINK_FLAG_RAW_VALUE | SINK_FLAG_RAW_JSON,
    .start = s3_aiven_task_start,
    .put = s3_task_put,
    .flush = s3_task_flush,
    .stop = s3_task_stop,
    .validate = s3_aiven_validate,
    .open = s3_task_open,
    .close = s3_task_close,
    .pre_commit = s3_task_pre_commit,
    .tick = s3_task_tick,
};
