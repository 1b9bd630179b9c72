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

#include "conf_def.h"

struct conf_values;
struct conf_infos;

extern const struct conf_def s3_conf_def[];

enum s3_format { S3_FORMAT_PARQUET = 0, S3_FORMAT_JSON };

struct s3_conf {
    struct s3_store_config store;     /* strings borrowed from the conf_values */
    struct s3_partitioner_config part; /* same */
    enum s3_format format;
    int codec;                        /* enum parquet_codec */
    const char *topics_dir;
    const char *file_delim;
    int pad_width;
    int64_t flush_size;
    int64_t rotate_interval_ms;
    int64_t rotate_schedule_ms;
    int rotate_on_partition_change;
    const char *on_mismatch;          /* parquet.schema.mismatch: "rotate" or "dlq" */
    size_t infer_records;             /* parquet.infer.records */
    int infer_timestamps;             /* parquet.infer.timestamps */
};

/* Fill c from cv (strings stay owned by cv). KC_EINVAL names the key. */
int s3_conf_load(const struct conf_values *cv, struct s3_conf *c, struct kc_error *err);
/* Cross-key checks for sink validate(). */
int s3_conf_validate(const struct conf_values *cv, struct conf_infos *errs, struct kc_error *err);
/* File extension for the format and codec: ".snappy.parquet", ".json" */
const char *s3_conf_extension(const struct s3_conf *c);

#endif
