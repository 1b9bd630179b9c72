/*
 * connectors/s3/s3_conf.h: the Confluent S3 sink's configuration keys (connectors.md 3.2) with
 * their defaults, and the typed settings the task runs with.
 */
#ifndef S3_CONF_H
#define S3_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "kc_error.h"
#include "s3_partitioner.h"
#include "s3_store.h"
#include "s3_zout.h"

#include "conf_def.h"

struct conf_values;
struct conf_infos;

extern const struct conf_def s3_conf_def[];

enum s3_format {
    S3_FORMAT_PARQUET = 0,
    S3_FORMAT_JSON,
    S3_FORMAT_JSON_ARRAY,
    S3_FORMAT_BYTES,
    S3_FORMAT_CSV, /* Aiven's format.output.type=csv (its PlainOutputWriter) */
    S3_FORMAT_AVRO /* Confluent's AvroFormat: Avro object container files (s3_avro.h) */
};

/* Aiven's format.output.fields */
enum s3_out_field { S3_OUT_KEY = 0, S3_OUT_OFFSET, S3_OUT_TIMESTAMP, S3_OUT_HEADERS, S3_OUT_VALUE };

/* Set by s3_aiven_conf_load (io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector). */
struct s3_aiven {
    int on;
    const char *prefix;      /* file.prefix.template / aws.s3.prefix; "" none */
    const char *tmpl;        /* file.name.template, extension included */
    int fields[5];           /* enum s3_out_field, in the configured order */
    size_t n_fields;
    int envelope;            /* format.output.envelope */
    int value_base64;        /* format.output.fields.value.encoding=base64 (csv) */
    int event_time;          /* file.name.timestamp.source=EVENT */
    int key_mode;            /* {{key}} template: one object per key, the latest record,
                              * overwritten at every commit (Aiven's KeyRecordGrouper) */
};

struct s3_conf {
    struct s3_store_config store;     /* strings borrowed from the conf_values */
    struct s3_partitioner_config part; /* same */
    enum s3_format format;
    int codec;                        /* enum parquet_codec */
    int avro_codec;                   /* enum s3_avro_codec (avro.codec) */
    enum s3_zcodec json_z;            /* JSON formats: s3.compression.type (Aiven's
                                       * file.compression.type) */
    int json_level;                   /* s3.compression.level (gzip -1..9; zstd 0 default) */
    int decimal_numeric;              /* json.decimal.format=NUMERIC: Decimals as numbers in
                                       * JSON output (BASE64 otherwise, JsonConverter's) */
    const char *topics_dir;
    const char *file_delim;
    int pad_width;
    int64_t flush_size;
    int64_t rotate_interval_ms;
    int64_t rotate_schedule_ms;
    int rotate_on_partition_change;
    const char *on_mismatch;          /* parquet.schema.mismatch: "rotate" or "dlq" */
    const char *bytes_ext;            /* ByteArrayFormat: format.bytearray.extension */
    const char *bytes_sep;            /* format.bytearray.separator as given (Java escapes);
                                       * NULL: the line separator */
    size_t infer_records;             /* parquet.infer.records */
    int infer_timestamps;             /* parquet.infer.timestamps */
    int ignore_nulls;                 /* behavior.on.null.values=ignore: tombstones skipped */
    int write_nulls;                  /* behavior.on.null.values=write: tombstones' keys (and
                                       * headers) written in tombstone_partition */
    const char *tombstone_partition;  /* tombstone.encoded.partition */
    int tagging;                      /* s3.object.tagging */
    int tagging_ignore;               /* s3.object.behavior.on.tagging.error=ignore */
    const char *const *tag_pairs;     /* s3.object.tagging.key.value.pairs: "key:value" items */
    size_t n_tag_pairs;
    int side[2];                      /* store.kafka.keys, store.kafka.headers */
    enum s3_format side_format[2];    /* keys.format.class, headers.format.class: PARQUET or
                                       * JSON */
    struct s3_aiven aiven;            /* Aiven's class: its naming and row layout */
};

/* Fill c from cv (strings stay owned by cv). KC_EINVAL names the key. */
int s3_conf_load(const struct conf_values *cv, struct s3_conf *c, struct kc_error *err);
/* Cross-key checks for sink validate(). */
int s3_conf_validate(const struct conf_values *cv, struct conf_infos *errs, struct kc_error *err);

/* KC_EINVAL ("<key>: ...") when c asks for encryption headers a libcurl of version
 * curl_version_num (curl_version_info's version_num) cannot sign for S3: SSE-KMS with a key id
 * or SSE-C before 8.10 (curl #14370). s3_conf_load calls it with the running libcurl's. */
int s3_conf_sse_signable(const struct s3_conf *c, unsigned curl_version_num, struct kc_error *err);
/* File extension for the format and codec: ".snappy.parquet", ".json" */
const char *s3_conf_extension(const struct s3_conf *c);

/* ---- Aiven's class (s3_aiven.c): its keys mapped onto the same settings ---- */
extern const struct conf_def s3_aiven_conf_def[];
int s3_aiven_conf_load(const struct conf_values *cv, struct s3_conf *c, struct kc_error *err);
int s3_aiven_validate(const struct conf_values *cv, struct conf_infos *errs, struct kc_error *err);
/* Check a file.name.template; KC_EINVAL says why. *key_mode (may be NULL): it uses {{key}}. */
int s3_aiven_template_check(const char *tmpl, int *key_mode, struct kc_error *err);
struct kc_buf;
/* Object key: prefix + template with topic, partition, start offset, the record time
 * (ts_local: ms since the epoch shifted to the zone) and the key text. start < 0 renders the
 * grouping key (every variable but start_offset). */
int s3_aiven_render(const struct s3_aiven *a, const char *topic, int32_t partition, int64_t start,
                    int64_t ts_local, const char *key, size_t key_len, struct kc_buf *out,
                    struct kc_error *err);

#endif
