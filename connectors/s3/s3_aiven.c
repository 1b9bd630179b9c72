/*
 * connectors/s3/s3_aiven.c: Aiven's S3 sink (io.aiven.kafka.connect.s3.
 * AivenKafkaConnectS3SinkConnector, connectors.md 3.8) as a translation of its keys onto the
 * same sink (struct s3_conf): credentials, bucket, endpoint, region, prefix, file.name.template,
 * file.compression.type, file.max.records, format.output.*. The rows Aiven writes
 * ({key, offset, timestamp, headers, value} restricted to format.output.fields) are built in
 * s3.c; this file holds the keys, their checks and the object names.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "conf_def.h"
#include "conf_values.h"
#include "kc_buf.h"
#include "kc_strmap.h"
#include "parquet.h"
#include "s3_conf.h"

#define U INT64_MIN, INT64_MAX
#define A_GROUP "AWS"
#define F_GROUP "File"
#define O_GROUP "Format"

static const char *const a_formats[] = {"csv", "json", "jsonl", "avro", "parquet", NULL};
static const char *const a_encodings[] = {"none", "base64", NULL};
static const char *const a_sources[] = {"WALLCLOCK", "EVENT", NULL};

/* Aiven's own validator and message */
static int a_max_records_validate(const struct conf_def *d, const char *value,
                                  struct kc_error *err)
{
    (void)d;
    if (value == NULL || value[0] == '-') {
        return kc_error_set(err, KC_EINVAL, "must be a non-negative integer number");
    }
    return KC_OK;
}

/* Aiven's values, then what we write: csv (Aiven's default) and avro are refused per key. */
static int a_format_validate(const struct conf_def *d, const char *value, struct kc_error *err)
{
    int rc = conf_validate_in(d, value, err);
    if (rc != KC_OK) {
        return rc;
    }
    if (strcmp(value, "avro") == 0) {
        return kc_error_set(err, KC_EINVAL,
                            "%s is not written by connect-c yet: use csv, jsonl, json or parquet",
                            value);
    }
    return KC_OK;
}

const struct conf_def s3_aiven_conf_def[] = {
    {"aws.access.key.id", CONF_PASSWORD, NULL, 1, CONF_MEDIUM,
     "AWS Access Key ID (else AWS_ACCESS_KEY_ID from the environment).", A_GROUP, 1,
     CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"aws.secret.access.key", CONF_PASSWORD, NULL, 1, CONF_MEDIUM,
     "AWS Secret Access Key (else AWS_SECRET_ACCESS_KEY from the environment).", A_GROUP, 2,
     CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"aws.s3.bucket.name", CONF_STRING, CONF_NO_DEFAULT, 0, CONF_MEDIUM,
     "AWS S3 Bucket name (ignored by the local store, store.url=file:///dir).", A_GROUP, 3,
     CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"aws.s3.endpoint", CONF_STRING, NULL, 1, CONF_LOW,
     "Explicit AWS S3 Endpoint Address, mainly for testing; path-style access when set.",
     A_GROUP, 4, CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"aws.s3.region", CONF_STRING, NULL, 1, CONF_MEDIUM,
     "AWS S3 Region, e.g. us-east-1 (the default when unset).", A_GROUP, 5, CONF_WIDTH_NONE,
     NULL, NULL, U, NULL, NULL},
    {"aws.s3.prefix", CONF_STRING, NULL, 1, CONF_MEDIUM,
     "[Deprecated] Use file.prefix.template instead. Prefix for stored objects.", A_GROUP, 6,
     CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"aws.s3.part.size.bytes", CONF_INT, "5242880", 0, CONF_MEDIUM,
     "Part size of multipart uploads; objects up to it go in one PUT. Read back from the spool "
     "file, never held in memory.",
     A_GROUP, 7, CONF_WIDTH_NONE, NULL, conf_validate_range, 5242880, 2147483647, NULL, NULL},
    {"aws.s3.backoff.delay.ms", CONF_LONG, "100", 0, CONF_MEDIUM,
     "Base of the exponential backoff (full jitter) between retries of one S3 request.", A_GROUP,
     8, CONF_WIDTH_NONE, NULL, conf_validate_range, 1, INT64_MAX, NULL, NULL},
    {"aws.s3.backoff.max.delay.ms", CONF_LONG, "20000", 0, CONF_MEDIUM,
     "Accepted; the backoff grows from aws.s3.backoff.delay.ms.", A_GROUP, 9, CONF_WIDTH_NONE,
     NULL, conf_validate_range, 1, INT64_MAX, NULL, NULL},
    {"aws.s3.backoff.max.retries", CONF_INT, "3", 0, CONF_MEDIUM,
     "Retries of one S3 request before the set is read again from Kafka.", A_GROUP, 10,
     CONF_WIDTH_NONE, NULL, conf_validate_range, 1, 30, NULL, NULL},
    {"store.url", CONF_STRING, NULL, 1, CONF_LOW,
     "connect-c: file:///dir writes the same objects to a local directory instead of S3.",
     A_GROUP, 11, CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"s3.spool.dir", CONF_STRING, "", 0, CONF_LOW,
     "connect-c: directory for the temporary files objects grow in before upload ($TMPDIR).",
     A_GROUP, 12, CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"file.name.template", CONF_STRING, NULL, 1, CONF_MEDIUM,
     "The template for file names on S3. Supports {{ variable }} placeholders for substituting "
     "variables: topic, partition (padding=true|false), start_offset (padding=true|false), "
     "timestamp (unit=yyyy|MM|dd|HH). Default {{topic}}-{{partition}}-{{start_offset}} and the "
     "compression extension.",
     F_GROUP, 1, CONF_WIDTH_LONG, NULL, NULL, U, NULL, NULL},
    {"file.prefix.template", CONF_STRING, NULL, 1, CONF_MEDIUM,
     "Prefix of every object name (replaces aws.s3.prefix).", F_GROUP, 2, CONF_WIDTH_LONG, NULL,
     NULL, U, NULL, NULL},
    {"file.compression.type", CONF_STRING, NULL, 1, CONF_MEDIUM,
     "The compression type used for files put on S3: none, gzip (default), snappy, zstd. For "
     "parquet it is the Parquet codec.",
     F_GROUP, 3, CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"file.max.records", CONF_INT, "0", 0, CONF_MEDIUM,
     "The maximum number of records to put in a single file. 0 = unlimited (until the next "
     "file.flush.interval.ms).",
     F_GROUP, 4, CONF_WIDTH_NONE, NULL, a_max_records_validate, U, NULL, NULL},
    {"file.name.timestamp.timezone", CONF_STRING, "UTC", 0, CONF_LOW,
     "Specifies the timezone in which the dates and time for the timestamp variable will be "
     "treated.",
     F_GROUP, 5, CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"file.name.timestamp.source", CONF_STRING, "WALLCLOCK", 0, CONF_LOW,
     "Specifies the the timestamp variable source: WALLCLOCK or EVENT (the record's).", F_GROUP,
     6, CONF_WIDTH_NONE, NULL, conf_validate_in_ci, U, a_sources, NULL},
    {"file.flush.interval.ms", CONF_LONG, "60000", 0, CONF_LOW,
     "connect-c: files are committed at least this often (Aiven writes them at each offset "
     "flush, offset.flush.interval.ms). 0 = only by file.max.records.",
     F_GROUP, 7, CONF_WIDTH_NONE, NULL, conf_validate_range, 0, INT64_MAX, NULL, NULL},
    {"format.output.type", CONF_STRING, "csv", 0, CONF_MEDIUM,
     "The format type of output content: csv, jsonl, json, parquet (avro is not written by "
     "connect-c yet).",
     O_GROUP, 1, CONF_WIDTH_NONE, NULL, a_format_validate, U, a_formats, NULL},
    {"format.output.fields", CONF_LIST, "value", 0, CONF_MEDIUM,
     "Fields to put into output files: key, offset, timestamp, headers, value.", O_GROUP, 2,
     CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"format.output.fields.value.encoding", CONF_STRING, "base64", 0, CONF_MEDIUM,
     "The type of encoding for the value field (csv only): none, base64.", O_GROUP, 3,
     CONF_WIDTH_NONE, NULL, conf_validate_in, U, a_encodings, NULL},
    {"format.output.envelope", CONF_BOOLEAN, "true", 0, CONF_MEDIUM,
     "Whether to enable envelope for entries with single field.", O_GROUP, 4, CONF_WIDTH_NONE,
     NULL, NULL, U, NULL, NULL},
    {.name = NULL},
};

/* ---- file.name.template ---- */

struct tvar {
    const char *name; /* topic, partition, start_offset, timestamp, key */
    size_t name_len;
    const char *param; /* after ':', NULL none */
    size_t param_len;
};

/* Next "{{ ... }}" at or after *pos: literal text before it in [*pos, lit_end). 0 at the end,
 * -1 for an unclosed one. */
static int next_var(const char *t, size_t *pos, size_t *lit_end, struct tvar *v)
{
    const char *open = strstr(t + *pos, "{{");
    if (open == NULL) {
        *lit_end = strlen(t);
        return 0;
    }
    const char *close = strstr(open + 2, "}}");
    if (close == NULL) {
        return -1;
    }
    *lit_end = (size_t)(open - t);
    const char *a = open + 2, *b = close;
    while (a < b && *a == ' ') {
        a++;
    }
    while (b > a && b[-1] == ' ') {
        b--;
    }
    const char *colon = memchr(a, ':', (size_t)(b - a));
    v->name = a;
    v->name_len = (size_t)((colon != NULL ? colon : b) - a);
    v->param = colon != NULL ? colon + 1 : NULL;
    v->param_len = colon != NULL ? (size_t)(b - colon - 1) : 0;
    *pos = (size_t)(close + 2 - t);
    return 1;
}

static int is(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* padding=true|false → 1/0, -1 invalid; no parameter = 0 */
static int padding(const struct tvar *v)
{
    if (v->param == NULL) {
        return 0;
    }
    if (is(v->param, v->param_len, "padding=true")) {
        return 1;
    }
    if (is(v->param, v->param_len, "padding=false")) {
        return 0;
    }
    return -1;
}

static const char *unit(const struct tvar *v)
{
    static const char *const units[] = {"yyyy", "MM", "dd", "HH", NULL};
    if (v->param == NULL || v->param_len < 5 || memcmp(v->param, "unit=", 5) != 0) {
        return NULL;
    }
    for (size_t i = 0; units[i] != NULL; i++) {
        if (is(v->param + 5, v->param_len - 5, units[i])) {
            return units[i];
        }
    }
    return NULL;
}

int s3_aiven_template_check(const char *tmpl, int *key_mode, struct kc_error *err)
{
    size_t pos = 0, lit;
    struct tvar v;
    int seen_topic = 0, seen_part = 0, seen_off = 0, seen_key = 0, seen_ts = 0, r;
    while ((r = next_var(tmpl, &pos, &lit, &v)) == 1) {
        if (is(v.name, v.name_len, "topic") && v.param == NULL) {
            seen_topic = 1;
        } else if (is(v.name, v.name_len, "partition") || is(v.name, v.name_len, "start_offset")) {
            if (padding(&v) < 0) {
                return kc_error_set(err, KC_EINVAL,
                                    "unsupported parameter %.*s for variable %.*s: padding "
                                    "takes true or false",
                                    (int)v.param_len, v.param, (int)v.name_len, v.name);
            }
            if (v.name_len == strlen("partition")) {
                seen_part = 1;
            } else {
                seen_off = 1;
            }
        } else if (is(v.name, v.name_len, "timestamp")) {
            if (unit(&v) == NULL) {
                return kc_error_set(err, KC_EINVAL,
                                    "parameter unit is required for the variable timestamp, "
                                    "supported values are: yyyy|MM|dd|HH");
            }
            seen_ts = 1;
        } else if (is(v.name, v.name_len, "key")) {
            seen_key = 1;
        } else {
            return kc_error_set(err, KC_EINVAL, "unsupported variable %.*s%s%.*s",
                                (int)v.name_len, v.name, v.param != NULL ? ":" : "",
                                (int)v.param_len, v.param != NULL ? v.param : "");
        }
    }
    if (r < 0) {
        return kc_error_set(err, KC_EINVAL, "unclosed {{ in the template");
    }
    /* Aiven's sets: topic,partition,start_offset(,timestamp); key,topic,partition; key */
    int ok = seen_key ? !seen_off && !seen_ts && seen_topic == seen_part
                      : seen_topic && seen_part && seen_off;
    if (key_mode != NULL) {
        *key_mode = seen_key;
    }
    if (!ok) {
        return kc_error_set(err, KC_EINVAL,
                            "unsupported set of template variables, supported sets are: "
                            "topic,partition,start_offset,timestamp; partition,topic,key; key");
    }
    return KC_OK;
}

int s3_aiven_render(const struct s3_aiven *a, const char *topic, int32_t partition, int64_t start,
                    int64_t ts_local, const char *key, size_t key_len, struct kc_buf *out,
                    struct kc_error *err)
{
    int rc = kc_buf_append_str(out, a->prefix != NULL ? a->prefix : "");
    size_t pos = 0, lit, prev = 0;
    struct tvar v;
    int r;
    time_t secs = (time_t)(ts_local >= 0 ? ts_local / 1000 : (ts_local - 999) / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    while (rc == KC_OK && (r = next_var(a->tmpl, &pos, &lit, &v)) >= 0) {
        rc = kc_buf_append(out, a->tmpl + prev, lit - prev);
        if (r == 0 || rc != KC_OK) {
            break;
        }
        prev = pos;
        if (is(v.name, v.name_len, "topic")) {
            rc = kc_buf_append_str(out, topic);
        } else if (is(v.name, v.name_len, "partition")) {
            rc = kc_buf_printf(out, padding(&v) == 1 ? "%010d" : "%d", (int)partition);
        } else if (is(v.name, v.name_len, "start_offset")) {
            if (start >= 0) {
                rc = kc_buf_printf(out, padding(&v) == 1 ? "%020lld" : "%lld",
                                   (long long)start);
            }
        } else if (is(v.name, v.name_len, "key")) {
            rc = kc_buf_append(out, key != NULL ? key : "null", key != NULL ? key_len : 4);
        } else if (is(v.name, v.name_len, "timestamp")) {
            const char *u = unit(&v);
            if (u == NULL) {
                return kc_error_set(err, KC_EINVAL, "file.name.template: bad timestamp unit");
            }
            rc = u[0] == 'y'   ? kc_buf_printf(out, "%04d", tm.tm_year + 1900)
                 : u[0] == 'M' ? kc_buf_printf(out, "%02d", tm.tm_mon + 1)
                 : u[0] == 'd' ? kc_buf_printf(out, "%02d", tm.tm_mday)
                               : kc_buf_printf(out, "%02d", tm.tm_hour);
        } else {
            return kc_error_set(err, KC_EINVAL, "file.name.template: unsupported variable");
        }
    }
    if (rc != KC_OK) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    return KC_OK;
}

/* ---- keys onto s3_conf ---- */

static const char *compression(const struct conf_values *cv)
{
    const char *z = conf_values_string(cv, "file.compression.type");
    return z != NULL ? z : "gzip"; /* Aiven's default when unset */
}

static int fields_load(const struct conf_values *cv, struct s3_aiven *a, struct kc_error *err)
{
    static const char *const names[] = {"key", "offset", "timestamp", "headers", "value"};
    size_t n = 0;
    const char *const *l = conf_values_list(cv, "format.output.fields", &n);
    a->n_fields = 0;
    if (n == 0) {
        return kc_error_set(err, KC_EINVAL, "format.output.fields: cannot be empty");
    }
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < 5 && strcmp(l[i], names[k]) != 0) {
            k++;
        }
        if (k == 5) {
            return kc_error_set(err, KC_EINVAL,
                                "format.output.fields: Supported values are: 'key', 'value', "
                                "'offset', 'timestamp', 'headers'");
        }
        for (size_t j = 0; j < a->n_fields; j++) {
            if (a->fields[j] == (int)k) {
                return kc_error_set(err, KC_EINVAL, "format.output.fields: %s given twice",
                                    l[i]);
            }
        }
        a->fields[a->n_fields++] = (int)k;
    }
    return KC_OK;
}

int s3_aiven_conf_load(const struct conf_values *cv, struct s3_conf *c, struct kc_error *err)
{
    memset(c, 0, sizeof(*c));
    struct s3_aiven *a = &c->aiven;
    a->on = 1;
    const char *url = conf_values_string(cv, "store.url");
    const char *endpoint = conf_values_string(cv, "aws.s3.endpoint");
    c->store.url = url != NULL ? url : endpoint;
    c->store.bucket = conf_values_string(cv, "aws.s3.bucket.name");
    c->store.region = conf_values_string(cv, "aws.s3.region");
    if (c->store.region == NULL || c->store.region[0] == '\0') {
        c->store.region = "us-east-1";
    }
    c->store.path_style = 1; /* Aiven: always path-style with a custom endpoint */
    c->store.access_key = conf_values_password(cv, "aws.access.key.id");
    if (c->store.access_key == NULL) {
        c->store.access_key = "";
    }
    c->store.secret_key = conf_values_password(cv, "aws.secret.access.key");
    c->store.part_size = (size_t)conf_values_int(cv, "aws.s3.part.size.bytes");
    c->store.retries = conf_values_int(cv, "aws.s3.backoff.max.retries");
    c->store.backoff_ms = conf_values_long(cv, "aws.s3.backoff.delay.ms");
    c->store.conditional_writes = 1;
    c->store.spool_dir = conf_values_string(cv, "s3.spool.dir");
    /* one set per Kafka partition; the file name (template) groups within it */
    c->part.class_name = "io.confluent.connect.storage.partitioner.DefaultPartitioner";
    c->part.timezone = conf_values_string(cv, "file.name.timestamp.timezone");
    const char *src = conf_values_string(cv, "file.name.timestamp.source");
    a->event_time = src != NULL && strcasecmp(src, "EVENT") == 0;
    c->part.extractor = a->event_time ? "Record" : "Wallclock";
    c->part.timestamp_field = "timestamp";
    c->part.dir_delim = "/";
    c->part.path_format = "";
    c->part.locale = "";

    const char *type = conf_values_string(cv, "format.output.type");
    if (strcmp(type, "parquet") == 0) {
        c->format = S3_FORMAT_PARQUET;
    } else if (strcmp(type, "jsonl") == 0) {
        c->format = S3_FORMAT_JSON;
    } else if (strcmp(type, "json") == 0) {
        c->format = S3_FORMAT_JSON_ARRAY;
    } else if (strcmp(type, "csv") == 0) {
        c->format = S3_FORMAT_CSV;
    } else {
        return kc_error_set(err, KC_EINVAL,
                            "format.output.type: %s is not written by connect-c yet (csv, "
                            "jsonl, json or parquet)",
                            type);
    }
    const char *enc = conf_values_string(cv, "format.output.fields.value.encoding");
    a->value_base64 = enc == NULL || strcmp(enc, "base64") == 0;
    const char *z = compression(cv);
    const char *ext;
    if (strcmp(z, "none") == 0) {
        c->codec = PARQUET_CODEC_NONE;
        ext = "";
    } else if (strcmp(z, "gzip") == 0) {
        c->codec = PARQUET_CODEC_GZIP;
        ext = ".gz";
    } else if (strcmp(z, "snappy") == 0) {
        c->codec = PARQUET_CODEC_SNAPPY;
        ext = ".snappy";
    } else if (strcmp(z, "zstd") == 0) {
        c->codec = PARQUET_CODEC_ZSTD;
        ext = ".zst";
    } else {
        return kc_error_set(err, KC_EINVAL,
                            "file.compression.type: supported values are: 'none', 'gzip', "
                            "'snappy', 'zstd'");
    }
    if (c->format != S3_FORMAT_PARQUET) {
        /* jsonl/json: the whole file through one gzip member, zstd frame or snappy-java
         * stream (SnappyOutputStream, as Aiven's CompressionType.SNAPPY writes) */
        c->json_z = c->codec == PARQUET_CODEC_GZIP     ? S3_Z_GZIP
                    : c->codec == PARQUET_CODEC_ZSTD   ? S3_Z_ZSTD
                    : c->codec == PARQUET_CODEC_SNAPPY ? S3_Z_SNAPPY
                                                       : S3_Z_NONE;
        c->json_level = c->json_z == S3_Z_GZIP ? -1 : 0; /* each codec's default level */
    }
    a->tmpl = conf_values_string(cv, "file.name.template");
    if (a->tmpl == NULL) {
        a->tmpl = strcmp(ext, "") == 0      ? "{{topic}}-{{partition}}-{{start_offset}}"
                  : strcmp(ext, ".gz") == 0 ? "{{topic}}-{{partition}}-{{start_offset}}.gz"
                  : strcmp(ext, ".snappy") == 0
                      ? "{{topic}}-{{partition}}-{{start_offset}}.snappy"
                      : "{{topic}}-{{partition}}-{{start_offset}}.zst";
    }
    int rc = s3_aiven_template_check(a->tmpl, &a->key_mode, err);
    if (rc != KC_OK) {
        char why[sizeof(err->msg)];
        snprintf(why, sizeof(why), "%s", err->msg);
        return kc_error_set(err, KC_EINVAL, "file.name.template: %s", why);
    }
    a->prefix = conf_values_string(cv, "file.prefix.template");
    if (a->prefix == NULL) {
        a->prefix = conf_values_string(cv, "aws.s3.prefix");
    }
    if (a->prefix == NULL) {
        a->prefix = "";
    }
    if ((rc = fields_load(cv, a, err)) != KC_OK) {
        return rc;
    }
    a->envelope = conf_values_bool(cv, "format.output.envelope");
    if (!a->envelope && a->n_fields > 1) {
        return kc_error_set(err, KC_EINVAL,
                            "format.output.envelope: Cannot disable envelope when "
                            "format.output.fields has more than one field");
    }
    c->topics_dir = "";
    c->file_delim = "-";
    c->pad_width = 0;
    int64_t max = conf_values_int(cv, "file.max.records");
    c->flush_size = max > 0 ? max : INT64_MAX;
    if (a->key_mode) {
        if (max > 1) {
            return kc_error_set(err, KC_EINVAL,
                                "file.max.records: When file.name.template is %s, "
                                "file.max.records must be either 1 or not set",
                                a->tmpl);
        }
        /* one object per key, overwritten: the latest record wins (Aiven's KeyRecordGrouper) */
        c->flush_size = INT64_MAX;
        c->store.conditional_writes = 0;
        if (conf_values_long(cv, "file.flush.interval.ms") <= 0) {
            return kc_error_set(err, KC_EINVAL,
                                "file.flush.interval.ms: must be positive with a {{key}} "
                                "template (objects are written at each interval)");
        }
    }
    c->rotate_interval_ms = -1;
    c->rotate_schedule_ms = conf_values_long(cv, "file.flush.interval.ms");
    if (c->rotate_schedule_ms <= 0) {
        c->rotate_schedule_ms = -1;
        if (max == 0) {
            return kc_error_set(err, KC_EINVAL,
                                "file.flush.interval.ms: 0 needs file.max.records > 0 (files "
                                "would never be committed)");
        }
    }
    c->rotate_on_partition_change = 0;
    c->on_mismatch = "rotate";
    c->infer_records = 100;
    c->infer_timestamps = 0;
    return KC_OK;
}

int s3_aiven_validate(const struct conf_values *cv, struct conf_infos *errs, struct kc_error *err)
{
    struct s3_conf c;
    struct kc_error e;
    if (s3_aiven_conf_load(cv, &c, &e) == KC_OK) {
        struct s3_partitioner *p = NULL;
        if (s3_partitioner_new(&c.part, &p, &e) == KC_OK) {
            s3_partitioner_free(p);
            return KC_OK;
        }
        /* only the zone can be wrong here */
        char msg[sizeof(e.msg)];
        snprintf(msg, sizeof(msg), "%s", e.msg);
        kc_error_set(&e, KC_EINVAL, "file.name.timestamp.timezone: %s", msg);
    }
    if (strncmp(e.msg, "format.output.type: ", 20) == 0) {
        return KC_OK; /* its validator reports it (a failed key reads as its default here) */
    }
    const char *colon = strstr(e.msg, ": ");
    struct kc_buf key;
    kc_buf_init(&key, 64);
    int rc = colon != NULL ? kc_buf_append(&key, e.msg, (size_t)(colon - e.msg)) : KC_OK;
    if (rc == KC_OK) {
        rc = kc_buf_append_byte(&key, 0);
    }
    if (rc == KC_OK) {
        rc = conf_values_add_error(errs, colon != NULL ? (const char *)key.data : "format.output.type",
                                   colon != NULL ? colon + 2 : e.msg);
    }
    kc_buf_fini(&key);
    return rc == KC_OK ? KC_OK : kc_error_set(err, KC_ENOMEM, "out of memory");
}
