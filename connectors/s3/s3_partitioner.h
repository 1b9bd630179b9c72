/*
 * connectors/s3/s3_partitioner.h: where a record goes, as the Confluent storage partitioners
 * (kafka-connect-storage-common) decide it: DefaultPartitioner (partition=<n>),
 * FieldPartitioner (<field>=<value>/...), TimeBasedPartitioner (a Joda-time path.format over
 * the extractor's timestamp floored to partition.duration.ms in `timezone`), and its Daily and
 * Hourly presets. Also the record time that rotate.interval.ms compares (the extractor's).
 *
 * Time zones: "UTC"/"GMT"/"Z", fixed offsets ("+02:00", "-0530", "UTC+1") and IANA names read
 * from the system's TZif files ($TZDIR, default /usr/share/zoneinfo): the file's transitions,
 * then, from the last one on (2037 in fat files, earlier in slim ones), the POSIX TZ rule of
 * its v2+ footer, as glibc does; in a file without transitions the rule holds at every instant
 * (RFC 8536, tzcode). A malformed footer fails s3_partitioner_new with KC_EINVAL naming the
 * zone; a v1 file, or an empty footer, keeps the last offset. Names of months and days are
 * English whatever `locale` says (the locale is checked for shape only).
 *
 * @thread caller: a partitioner is immutable after s3_partitioner_new and may be shared.
 */
#ifndef S3_PARTITIONER_H
#define S3_PARTITIONER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "kc_buf.h"
#include "kc_error.h"
#include "parquet_json.h"

enum s3_partitioner_kind {
    S3_PART_DEFAULT = 0,
    S3_PART_FIELD,
    S3_PART_TIME, /* TimeBased, Daily, Hourly */
};

enum s3_extractor {
    S3_EXTRACT_WALLCLOCK = 0,
    S3_EXTRACT_RECORD,
    S3_EXTRACT_RECORD_FIELD,
};

struct s3_partitioner_config {
    const char *class_name;     /* partitioner.class (full or simple name) */
    const char *const *fields;  /* partition.field.name */
    size_t n_fields;
    int64_t duration_ms;        /* partition.duration.ms */
    const char *path_format;    /* path.format */
    const char *locale;         /* locale */
    const char *timezone;       /* timezone */
    const char *extractor;      /* timestamp.extractor */
    const char *timestamp_field; /* timestamp.field */
    const char *dir_delim;      /* directory.delim */
};

struct s3_partitioner;

/*
 * The record's value as the partitioner reads it: a jansson tree (json, may be NULL), a
 * record the Parquet converter parsed (doc non-NULL; `from` the object paths start at, the
 * payload of an envelope, or NULL for the top), or one it staged for a file (fields non-NULL:
 * an object), so that the S3 sink parses a record once and builds no tree for the
 * partitioner. All read alike (parquet_jsonl_doc_get).
 */
struct s3_value {
    const json_t *json;
    const struct parquet_jsonl_doc *doc;
    const struct parquet_doc_field *from;
    const struct parquet_jsonl_fields *fields;
};

static inline struct s3_value s3_value_json(const json_t *v)
{
    struct s3_value x = {v, NULL, NULL, NULL};
    return x;
}

/* out (OUT): owned. KC_EINVAL names the offending key in err. */
int s3_partitioner_new(const struct s3_partitioner_config *c, struct s3_partitioner **out,
                       struct kc_error *err);
void s3_partitioner_free(struct s3_partitioner *p);

enum s3_partitioner_kind s3_partitioner_kind(const struct s3_partitioner *p);
enum s3_extractor s3_partitioner_extractor(const struct s3_partitioner *p);
/* 1 if the partitioner reads fields of the value (FieldPartitioner, RecordField). */
int s3_partitioner_needs_value(const struct s3_partitioner *p);
/* 1 if a field path it reads ("a.b.c", split at dots) starts at the value's top-level member
 * name[0..len): the members a caller must give it, the others it never looks at. */
int s3_partitioner_reads_member(const struct s3_partitioner *p, const char *name, size_t len);

/*
 * The record's time as the extractor sees it (ms since the epoch). value is the parsed value
 * (its json may be NULL when !needs_value); record_ts/has_ts the Kafka timestamp; now_ms wall clock.
 * KC_EINVAL when the record has none (Confluent's PartitionException).
 */
int s3_partitioner_timestamp(const struct s3_partitioner *p, const struct s3_value *value,
                             int64_t record_ts, int has_ts, int64_t now_ms, int64_t *out,
                             struct kc_error *err);

/*
 * Append the encoded partition ("partition=3", "year=2024/month=06/...") to out. ts is the
 * extractor's time (ignored unless time based). KC_EINVAL for a record it cannot place.
 * Not const: a time-based partitioner keeps the last period's path. @thread owner
 */
int s3_partitioner_encode(struct s3_partitioner *p, const struct s3_value *value,
                          int32_t kafka_partition, int64_t ts, struct kc_buf *out,
                          struct kc_error *err);

/* Format ts (ms, UTC) with a Joda pattern in zone tz; exposed for tests. Appends to out. */
int s3_partitioner_format_time(const struct s3_partitioner *p, int64_t ts, struct kc_buf *out,
                               struct kc_error *err);

/* Offset from UTC, in ms, of the partitioner's zone at instant ts. */
int64_t s3_partitioner_utc_offset(const struct s3_partitioner *p, int64_t ts);

/* Floor ts (UTC ms) to a multiple of `width_ms` in the partitioner's local time, returned as
 * UTC ms. Used for the time buckets and for rotate.schedule.interval.ms. */
int64_t s3_partitioner_floor(const struct s3_partitioner *p, int64_t ts, int64_t width_ms);

#endif
