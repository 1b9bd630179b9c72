/*
 * connectors/s3/s3_conf.c: config table (Confluent's names, types and defaults; keys we accept
 * but do not act on say so in their doc) and the typed settings.
 */
#include "s3_conf.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "conf_def.h"
#include "conf_values.h"
#include "kc_strmap.h"
#include "parquet.h"
#include "s3_avro.h"

#define U INT64_MIN, INT64_MAX
#define S3_GROUP "S3"
#define P_GROUP "Partitioner"
#define F_GROUP "Connector"

/* Confluent's EnumValidator: the value lower-cased, then one of allowed (ValidString.in, its
 * message too: "String must be one of: ignore, fail, write", the value shown lower-cased). */
static int validate_lower_in(const struct conf_def *d, const char *value,
                             const char *const *allowed, const char *list, struct kc_error *err)
{
    if (value == NULL) {
        return KC_OK;
    }
    char low[16];
    size_t n = strlen(value);
    if (n < sizeof(low)) {
        for (size_t i = 0; i <= n; i++) {
            low[i] = (char)tolower((unsigned char)value[i]);
        }
        for (size_t i = 0; allowed[i] != NULL; i++) {
            if (strcmp(low, allowed[i]) == 0) {
                return KC_OK;
            }
        }
    }
    return conf_error_invalid(err, d->name, n < sizeof(low) ? low : value,
                              "String must be one of: %s", list);
}

/* behavior.on.null.values: Confluent's OutputWriteBehavior.VALIDATOR */
static int validate_null_behavior(const struct conf_def *d, const char *value,
                                  struct kc_error *err)
{
    static const char *const allowed[] = {"ignore", "fail", "write", NULL};
    return validate_lower_in(d, value, allowed, "ignore, fail, write", err);
}

/* Confluent keys whose other values change what is written or where, and that connect-c does
 * not implement: a 400 on the key for any value but the default (case-insensitive), rather than
 * being ignored. */
static int validate_default_only(const struct conf_def *d, const char *value,
                                 struct kc_error *err)
{
    const char *def = d->default_value != NULL ? d->default_value : "";
    if (value == NULL || value[0] == '\0' || strcasecmp(value, def) == 0) {
        return KC_OK;
    }
    const char *why = strcmp(d->name, "s3.wan.mode") == 0
                          ? "S3 Transfer Acceleration is not supported by connect-c"
                          : "only NONE is supported by connect-c (no schema name in the path)";
    return conf_error_invalid(err, d->name, value, "%s", why);
}

#define S3_ASSUME_ROLE_PROVIDER "io.confluent.connect.s3.auth.AwsAssumeRoleCredentialsProvider"

/* s3.credentials.provider.class: the AWS SDK's default chains (v1 and v2), its environment
 * provider (connect-c's chain, s3_creds.h), or Confluent's AwsAssumeRoleCredentialsProvider.
 * Any other provider is a 400, not silently replaced. */
static int validate_credentials_provider(const struct conf_def *d, const char *value,
                                         struct kc_error *err)
{
    static const char *const ok[] = {
        "com.amazonaws.auth.DefaultAWSCredentialsProviderChain",
        "com.amazonaws.auth.EnvironmentVariableCredentialsProvider",
        "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider",
        "software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider",
        S3_ASSUME_ROLE_PROVIDER};
    if (value == NULL || value[0] == '\0') {
        return KC_OK;
    }
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        if (strcmp(value, ok[i]) == 0) {
            return KC_OK;
        }
    }
    return conf_error_invalid(err, d->name, value,
                              "connect-c follows the AWS SDK's default credentials chain (keys, "
                              "environment, web identity, profile, container, instance profile), "
                              "or assumes a role with " S3_ASSUME_ROLE_PROVIDER ": only those are "
                              "supported");
}

/* s3.object.behavior.on.tagging.error: Confluent's IgnoreOrFailBehavior.VALIDATOR */
static int validate_ignore_or_fail(const struct conf_def *d, const char *value,
                                   struct kc_error *err)
{
    static const char *const allowed[] = {"ignore", "fail", NULL};
    return validate_lower_in(d, value, allowed, "ignore, fail", err);
}

/* s3.object.tagging.key.value.pairs: each item "key:value" with a key (S3 takes up to 128
 * characters of key and 256 of value; S3 itself says so when they are longer) */
static int validate_tag_pairs(const struct conf_def *d, const char *value, struct kc_error *err)
{
    if (value == NULL) {
        return KC_OK;
    }
    const char *p = value;
    while (*p != '\0') {
        const char *end = strchr(p, ',');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        while (n > 0 && (*p == ' ' || *p == '\t')) {
            p++;
            n--;
        }
        const char *colon = memchr(p, ':', n);
        if (n > 0 && (colon == NULL || colon == p)) {
            return conf_error_invalid(err, d->name, value,
                                      "each item must be key:value with a non-empty key");
        }
        if (end == NULL) {
            break;
        }
        p = end + 1;
    }
    return KC_OK;
}

/* s3.proxy.url: empty, or http(s)://[user[:password]@]host[:port][/] -- what java.net.URL and
 * the SDK's proxy settings take, and what libcurl parses without quoting the URL back in an error
 * (a port that is not a number made it print the password). A user:password inside is never
 * printed back. */
static int validate_proxy_url(const struct conf_def *d, const char *value, struct kc_error *err)
{
    if (value == NULL || value[0] == '\0') {
        return KC_OK;
    }
    const char *p = strncasecmp(value, "http://", 7) == 0    ? value + 7
                    : strncasecmp(value, "https://", 8) == 0 ? value + 8
                                                             : NULL;
    int ok = p != NULL;
    if (ok) {
        size_t auth = strcspn(p, "/?#");
        const char *end = p + auth;
        ok = end[0] == '\0' || strcmp(end, "/") == 0;
        const char *host = p;
        for (const char *c = p; c < end; c++) {
            if (*c == '@') {
                host = c + 1; /* the last '@' ends the userinfo */
            }
        }
        const char *h = host;
        if (ok && *h == '[') { /* an IPv6 literal */
            while (h < end && *h != ']' && (isxdigit((unsigned char)*h) || *h == ':' ||
                                            *h == '[' || *h == '.')) {
                h++;
            }
            ok = h < end && *h == ']' && h > host + 1;
            h++;
        } else if (ok) {
            while (h < end && (isalnum((unsigned char)*h) || *h == '-' || *h == '.' || *h == '_')) {
                h++;
            }
            ok = h > host;
        }
        if (ok && h < end) {
            ok = *h == ':' && end - h >= 2 && end - h <= 6;
            long port = 0;
            for (const char *c = h + 1; ok && c < end; c++) {
                ok = isdigit((unsigned char)*c);
                port = port * 10 + (*c - '0');
            }
            ok = ok && port >= 1 && port <= 65535;
        }
    }
    if (ok) {
        return KC_OK;
    }
    return conf_error_invalid(err, d->name, strchr(value, '@') != NULL ? "[hidden]" : value,
                              "must be an http:// or https:// URL: [user:password@]host[:port]");
}

/* SDK v2's ServerSideEncryption.knownValues() after "" (ConfigDef.ValidString.in, as
 * Confluent's s3.ssea.name) */
static const char *const s3_sse_algorithms[] = {"", "AES256", "aws:kms", "aws:kms:dsse", NULL};

/* s3.acl.canned: one of SDK v2's ObjectCannedACL.knownValues() (CannedAclValidator); the value
 * comes trimmed, as ConfigDef parses a STRING */
static int validate_canned_acl(const struct conf_def *d, const char *value, struct kc_error *err)
{
    static const char *const acls[] = {"private", "public-read", "public-read-write",
                                       "authenticated-read", "aws-exec-read", "bucket-owner-read",
                                       "bucket-owner-full-control"};
    if (value == NULL || value[0] == '\0') {
        return KC_OK; /* unset (the JVM's default is null) */
    }
    for (size_t i = 0; i < sizeof(acls) / sizeof(acls[0]); i++) {
        if (strcmp(value, acls[i]) == 0) {
            return KC_OK;
        }
    }
    return conf_error_invalid(err, d->name, value,
                              "Value must be one of: [private, public-read, public-read-write, "
                              "authenticated-read, aws-exec-read, bucket-owner-read, "
                              "bucket-owner-full-control]");
}

/* s3.sse.customer.key: base64 of a 32-byte key (Confluent fails the task on a bad one; here
 * the config is refused, the value never printed) */
static int validate_customer_key(const struct conf_def *d, const char *value,
                                 struct kc_error *err)
{
    if (value == NULL || value[0] == '\0') {
        return KC_OK;
    }
    struct kc_error why;
    if (s3_sse_customer_key_check(value, &why) != KC_OK) {
        return conf_error_invalid(err, d->name, "[hidden]", "%s", why.msg);
    }
    return KC_OK;
}

static const char *const s3_formats[] = {
    "io.confluent.connect.s3.format.parquet.ParquetFormat",
    "io.confluent.connect.s3.format.avro.AvroFormat",
    "io.confluent.connect.s3.format.json.JsonFormat",
    "io.confluent.connect.s3.format.bytearray.ByteArrayFormat", NULL};
#define S3_AVRO_FORMAT "io.confluent.connect.s3.format.avro.AvroFormat"
/* keys.format.class / headers.format.class: Confluent's formats (AvroFormat is its default);
 * s3_conf_load refuses those connect-c does not write when the keys or headers are stored */
static const char *const s3_side_formats[] = {
    S3_AVRO_FORMAT, "io.confluent.connect.s3.format.parquet.ParquetFormat",
    "io.confluent.connect.s3.format.json.JsonFormat",
    "io.confluent.connect.s3.format.bytearray.ByteArrayFormat", NULL};
static const char *const s3_codecs[] = {"none", "snappy", "gzip", "zstd", "lz4_raw", NULL};
static const char *const s3_json_codecs[] = {"none", "gzip", NULL};
static const char *const s3_decimal_formats[] = {"BASE64", "NUMERIC", NULL};
static const char *const s3_mismatch[] = {"rotate", "dlq", NULL};

const struct conf_def s3_conf_def[] = {
    {"s3.bucket.name", CONF_STRING, CONF_NO_DEFAULT, 0, CONF_HIGH,
     "The S3 Bucket (ignored by the local store, store.url=file:///dir).", S3_GROUP, 1,
     CONF_WIDTH_LONG, "S3 Bucket", NULL, U, NULL, NULL},
    {"s3.region", CONF_STRING, "us-west-2", 0, CONF_MEDIUM,
     "The AWS region to be used by the connector (also the SigV4 signing region).", S3_GROUP, 2,
     CONF_WIDTH_LONG, "AWS region", NULL, U, NULL, NULL},
    {"store.url", CONF_STRING, NULL, 1, CONF_HIGH,
     "Store's connection URL: an S3-compatible endpoint (https:// assumed without scheme), or "
     "file:///dir for the local store (same layout, atomic rename on commit).",
     S3_GROUP, 3, CONF_WIDTH_LONG, "Store URL", NULL, U, NULL, NULL},
    {"s3.path.style.access.enabled", CONF_BOOLEAN, "true", 0, CONF_LOW,
     "Path-style access (endpoint/bucket/key) instead of virtual-hosted buckets.", S3_GROUP, 4,
     CONF_WIDTH_SHORT, "Enable Path Style Access to S3", NULL, U, NULL, NULL},
    {"aws.access.key.id", CONF_STRING, "", 0, CONF_HIGH,
     "The AWS access key ID (else AWS_ACCESS_KEY_ID from the environment).", S3_GROUP, 5,
     CONF_WIDTH_LONG, "AWS Access Key ID", NULL, U, NULL, NULL},
    {"aws.secret.access.key", CONF_PASSWORD, NULL, 1, CONF_HIGH,
     "The secret access key (else AWS_SECRET_ACCESS_KEY from the environment).", S3_GROUP, 6,
     CONF_WIDTH_LONG, "AWS Secret Access Key", NULL, U, NULL, NULL},
    {"s3.part.size", CONF_INT, "26214400", 0, CONF_HIGH,
     "Part size of multipart uploads; objects up to this size go in one PUT. Parts are read from "
     "a local spool file, so this is not held in memory.",
     S3_GROUP, 7, CONF_WIDTH_LONG, "S3 Part Size", conf_validate_range, 5242880, 2147483647,
     NULL, NULL},
    {"s3.part.retries", CONF_INT, "3", 0, CONF_MEDIUM, "Retries of each S3 request.", S3_GROUP, 8,
     CONF_WIDTH_LONG, "S3 Part Upload Retries", conf_validate_range, 0, INT64_MAX, NULL, NULL},
    {"s3.retry.backoff.ms", CONF_LONG, "200", 0, CONF_LOW,
     "Base of the exponential backoff (full jitter) between retries.", S3_GROUP, 9,
     CONF_WIDTH_SHORT, "Retry Backoff (ms)", conf_validate_range, 0, INT64_MAX, NULL, NULL},
    {"enable.conditional.writes", CONF_BOOLEAN, "true", 0, CONF_LOW,
     "Send If-None-Match: * on PUT and CompleteMultipartUpload; a 412 means the same object "
     "was committed by an earlier run and counts as success.",
     S3_GROUP, 10, CONF_WIDTH_SHORT, "Enable Conditional Writes", NULL, U, NULL, NULL},
    {"s3.spool.dir", CONF_STRING, "", 0, CONF_LOW,
     "Native: directory for the temporary files objects grow in before upload ($TMPDIR).",
     S3_GROUP, 11, CONF_WIDTH_LONG, "Spool directory", NULL, U, NULL, NULL},
    {"topics.dir", CONF_STRING, "topics", 0, CONF_HIGH, "Top level directory to store the data.",
     F_GROUP, 1, CONF_WIDTH_SHORT, "Topics directory", NULL, U, NULL, NULL},
    {"directory.delim", CONF_STRING, "/", 0, CONF_MEDIUM, "Directory delimiter pattern",
     F_GROUP, 2, CONF_WIDTH_SHORT, "Directory Delimiter", NULL, U, NULL, NULL},
    {"file.delim", CONF_STRING, "+", 0, CONF_MEDIUM, "File delimiter pattern", F_GROUP, 3,
     CONF_WIDTH_SHORT, "File Delimiter", NULL, U, NULL, NULL},
    {"filename.offset.zero.pad.width", CONF_INT, "10", 0, CONF_LOW,
     "Width to zero-pad offsets in file names to.", F_GROUP, 4, CONF_WIDTH_SHORT,
     "Filename Offset Zero Pad Width", conf_validate_range, 0, 30, NULL, NULL},
    {"format.class", CONF_CLASS, CONF_NO_DEFAULT, 0, CONF_HIGH,
     "The format class: ParquetFormat (Connect schema, envelope schema, or for schemaless JSON a "
     "schema inferred per file), AvroFormat (Avro object container files, the Connect schema "
     "as AvroData maps it), JsonFormat (JSON lines) or ByteArrayFormat (each value's bytes and "
     "a separator).",
     F_GROUP, 5, CONF_WIDTH_NONE, "Format class", conf_validate_in, U, s3_formats, NULL},
    {"parquet.codec", CONF_STRING, "snappy", 0, CONF_LOW, "The Parquet compression codec.",
     F_GROUP, 6, CONF_WIDTH_SHORT, "Parquet Compression Codec", conf_validate_in, U, s3_codecs,
     NULL},
    {"avro.codec", CONF_STRING, "null", 0, CONF_LOW,
     "The Avro compression codec to be used for output files. Available values: null, deflate, "
     "snappy, bzip2, xz and zstandard (Avro's CodecFactory names).",
     F_GROUP, 7, CONF_WIDTH_SHORT, "Avro Compression Codec", conf_validate_in, U, s3_avro_codecs,
     NULL},
    {"parquet.schema.mismatch", CONF_STRING, "rotate", 0, CONF_LOW,
     "Native: a schemaless record that does not fit the file's inferred schema closes the file "
     "and starts a new one (rotate), or goes to the DLQ (dlq).",
     F_GROUP, 7, CONF_WIDTH_SHORT, "Schema mismatch", conf_validate_in, U, s3_mismatch, NULL},
    {"parquet.infer.records", CONF_INT, "100", 0, CONF_LOW,
     "Native: schemaless records sampled to infer a file's schema.", F_GROUP, 8, CONF_WIDTH_SHORT,
     "Inference sample", conf_validate_range, 1, 1000000, NULL, NULL},
    {"parquet.infer.timestamps", CONF_BOOLEAN, "false", 0, CONF_LOW,
     "Native: infer ISO-8601 strings as DATE / TIMESTAMP columns.", F_GROUP, 9, CONF_WIDTH_SHORT,
     "Infer timestamps", NULL, U, NULL, NULL},
    {"flush.size", CONF_INT, CONF_NO_DEFAULT, 0, CONF_HIGH,
     "Number of records written to store before invoking file commits.", F_GROUP, 10,
     CONF_WIDTH_SHORT, "Flush Size", conf_validate_range, 1, INT64_MAX, NULL, NULL},
    {"rotate.interval.ms", CONF_LONG, "-1", 0, CONF_HIGH,
     "Commit when the record time (the partitioner's extractor) moves this far past the first "
     "record of the file. Deterministic with Record / RecordField extractors.",
     F_GROUP, 11, CONF_WIDTH_SHORT, "Rotate Interval (ms)", NULL, U, NULL, NULL},
    {"rotate.schedule.interval.ms", CONF_LONG, "-1", 0, CONF_MEDIUM,
     "Wall-clock commits aligned to this interval in `timezone`, also without new records. "
     "Gives up exactly-once (file boundaries then depend on the clock).",
     F_GROUP, 12, CONF_WIDTH_SHORT, "Rotate Schedule Interval (ms)", NULL, U, NULL, NULL},
    {"rotate.file.on.partition.change", CONF_BOOLEAN, "true", 0, CONF_LOW,
     "With rotate.interval.ms: rotate when a record maps to another encoded partition.",
     F_GROUP, 13, CONF_WIDTH_SHORT, "Rotate on partition change", NULL, U, NULL, NULL},
    {"storage.class", CONF_CLASS, "io.confluent.connect.s3.storage.S3Storage", 0, CONF_HIGH,
     "Accepted for compatibility; the store follows store.url.", F_GROUP, 14, CONF_WIDTH_NONE,
     "Storage Class", NULL, U, NULL, NULL},
    {"schema.compatibility", CONF_STRING, "NONE", 0, CONF_LOW,
     "Accepted; a changed envelope schema starts a new file.", F_GROUP, 15, CONF_WIDTH_SHORT,
     "Compatibility", NULL, U, NULL, NULL},
    {"partitioner.class", CONF_CLASS,
     "io.confluent.connect.storage.partitioner.DefaultPartitioner", 0, CONF_HIGH,
     "Default, Field, TimeBased, Daily or Hourly partitioner.", P_GROUP, 1, CONF_WIDTH_LONG,
     "Partitioner Class", NULL, U, NULL, NULL},
    {"partition.field.name", CONF_LIST, "", 0, CONF_MEDIUM,
     "Fields for FieldPartitioner (nested a.b allowed).", P_GROUP, 2, CONF_WIDTH_NONE,
     "Partition Field Name", NULL, U, NULL, NULL},
    {"partition.duration.ms", CONF_LONG, "-1", 0, CONF_MEDIUM,
     "The duration of a partition in milliseconds (TimeBasedPartitioner).", P_GROUP, 3,
     CONF_WIDTH_LONG, "Partition Duration (ms)", NULL, U, NULL, NULL},
    {"path.format", CONF_STRING, "", 0, CONF_MEDIUM,
     "Joda-time pattern for the time-based path, e.g. 'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH.",
     P_GROUP, 4, CONF_WIDTH_LONG, "Path Format", NULL, U, NULL, NULL},
    {"locale", CONF_STRING, "", 0, CONF_MEDIUM,
     "The locale to use when partitioning with TimeBasedPartitioner (names are English).",
     P_GROUP, 5, CONF_WIDTH_LONG, "Locale", NULL, U, NULL, NULL},
    {"timezone", CONF_STRING, "", 0, CONF_MEDIUM,
     "The timezone to use when partitioning with TimeBasedPartitioner.", P_GROUP, 6,
     CONF_WIDTH_LONG, "Timezone", NULL, U, NULL, NULL},
    {"timestamp.extractor", CONF_STRING, "Wallclock", 0, CONF_MEDIUM,
     "Wallclock, Record or RecordField.", P_GROUP, 7, CONF_WIDTH_LONG, "Timestamp Extractor",
     NULL, U, NULL, NULL},
    {"timestamp.field", CONF_STRING, "timestamp", 0, CONF_MEDIUM,
     "The record field for RecordField (nested a.b allowed).", P_GROUP, 8, CONF_WIDTH_LONG,
     "Record Field for Timestamp Extractor", NULL, U, NULL, NULL},

    {"s3.ssea.name", CONF_STRING, "", 0, CONF_LOW,
     "The S3 Server Side Encryption Algorithm: AES256 (SSE-S3, or SSE-C with "
     "s3.sse.customer.key), aws:kms or aws:kms:dsse (with s3.sse.kms.key.id).", S3_GROUP, 20,
     CONF_WIDTH_LONG, "S3 Server Side Encryption Algorithm", conf_validate_in, U,
     s3_sse_algorithms, NULL},
    {"s3.sse.kms.key.id", CONF_STRING, "", 0, CONF_LOW,
     "The name of the AWS Key Management Service (AWS-KMS) key to be used for server side "
     "encryption of the S3 objects. No encryption is used when no key is provided, but it is "
     "enabled when aws:kms is specified as encryption algorithm with a valid key name.",
     S3_GROUP, 21, CONF_WIDTH_LONG, "S3 Server Side Encryption Key", NULL, U, NULL, NULL},
    {"s3.sse.customer.key", CONF_PASSWORD, "", 0, CONF_LOW,
     "The S3 Server Side Encryption Customer-Provided Key (SSE-C): base64 of a 256-bit key, "
     "used with s3.ssea.name=AES256.", S3_GROUP, 22, CONF_WIDTH_LONG,
     "S3 Server Side Encryption Customer-Provided Key (SSE-C)", validate_customer_key, U, NULL,
     NULL},
    {"s3.acl.canned", CONF_STRING, NULL, 1, CONF_LOW,
     "An S3 canned ACL header value to apply when writing objects.", S3_GROUP, 23,
     CONF_WIDTH_LONG, "S3 Canned ACL", validate_canned_acl, U, NULL, NULL},
    {"s3.credentials.provider.class", CONF_CLASS,
     "com.amazonaws.auth.DefaultAWSCredentialsProviderChain", 0, CONF_LOW,
     "Credentials provider or provider chain to use for authentication to AWS. connect-c "
     "follows the SDK's default chain: aws.access.key.id / aws.secret.access.key, the "
     "environment (AWS_ACCESS_KEY_ID...), web identity (AWS_WEB_IDENTITY_TOKEN_FILE, "
     "AWS_ROLE_ARN), the shared credentials file (AWS_PROFILE), container credentials (ECS, "
     "EKS Pod Identity), the EC2 instance profile; or, with "
     "io.confluent.connect.s3.auth.AwsAssumeRoleCredentialsProvider, assumes "
     "s3.credentials.provider.sts.role.arn through STS with them.",
     S3_GROUP, 30, CONF_WIDTH_LONG, "AWS Credentials Provider Class",
     validate_credentials_provider, U, NULL, NULL},
    {"s3.wan.mode", CONF_BOOLEAN, "false", 0, CONF_MEDIUM,
     "Use S3 accelerated endpoint (not supported by connect-c: must be false).", S3_GROUP, 31,
     CONF_WIDTH_LONG, "S3 accelerated endpoint enabled", validate_default_only, U, NULL, NULL},
    {"s3.send.digest", CONF_BOOLEAN, "false", 0, CONF_LOW,
     "Enable or disable sending MD5 digest with S3 multipart upload request (when true, "
     "connect-c sends Content-MD5 with every object and part it uploads).",
     S3_GROUP, 32, CONF_WIDTH_LONG, "S3 Send Digest", NULL, U, NULL, NULL},
    {"s3.http.send.expect.continue", CONF_BOOLEAN, "true", 0, CONF_LOW,
     "Enable or disable use of the HTTP/1.1 handshake using EXPECT: 100-CONTINUE during multi-"
     "part upload. (Accepted; libcurl sends it for large bodies whatever the value.)",
     S3_GROUP, 33, CONF_WIDTH_SHORT, "S3 HTTP Send Uses Expect Continue", NULL, U, NULL, NULL},
    {"s3.schema.partition.affix.type", CONF_STRING, "NONE", 0, CONF_LOW,
     "Append the record schema name to prefix or suffix in the s3 path after the topic name. "
     "None will not append the schema name in the s3 path. (Only NONE is supported by "
     "connect-c.)",
     S3_GROUP, 34, CONF_WIDTH_LONG, "Schema Partition Affix Type", validate_default_only, U,
     NULL, NULL},
    {"s3.proxy.url", CONF_STRING, "", 0, CONF_LOW,
     "S3 Proxy settings encoded in URL syntax (http://host:port or https://host:port). This "
     "property is meant to be used only if you need to access S3 through a proxy. Without it "
     "no proxy is used, whatever the environment's http_proxy says (as the JVM sink).",
     S3_GROUP, 24, CONF_WIDTH_LONG, "S3 Proxy Settings", validate_proxy_url, U, NULL, NULL},
    {"s3.proxy.user", CONF_STRING, NULL, 1, CONF_LOW,
     "S3 Proxy User. This property is meant to be used only if you need to access S3 through "
     "a proxy. Using ``s3.proxy.user`` instead of embedding the username and password in "
     "``s3.proxy.url`` allows the password to be hidden in the logs.",
     S3_GROUP, 25, CONF_WIDTH_LONG, "S3 Proxy User", NULL, U, NULL, NULL},
    {"s3.proxy.password", CONF_PASSWORD, NULL, 1, CONF_LOW,
     "S3 Proxy Password. This property is meant to be used only if you need to access S3 "
     "through a proxy. Using ``s3.proxy.password`` instead of embedding the username and "
     "password in ``s3.proxy.url`` allows the password to be hidden in the logs.",
     S3_GROUP, 26, CONF_WIDTH_LONG, "S3 Proxy Password", NULL, U, NULL, NULL},
    {"s3.object.tagging", CONF_BOOLEAN, "false", 0, CONF_LOW,
     "Tag S3 objects with start and end offsets, as well as record count.", S3_GROUP, 27,
     CONF_WIDTH_LONG, "S3 Object Tagging", NULL, U, NULL, NULL},
    {"s3.object.tagging.key.value.pairs", CONF_LIST, "", 0, CONF_LOW,
     "Additional S3 tag key:value pairs (comma-separated) to set on each object, after "
     "startOffset, endOffset and recordCount, when s3.object.tagging is true.",
     S3_GROUP, 28, CONF_WIDTH_LONG, "S3 Object Tags", validate_tag_pairs, U, NULL, NULL},
    {"s3.object.behavior.on.tagging.error", CONF_STRING, "ignore", 0, CONF_LOW,
     "How to handle S3 object tagging error. Valid options are 'ignore' and 'fail'.",
     S3_GROUP, 29, CONF_WIDTH_SHORT, "Behavior for S3 object tagging error",
     validate_ignore_or_fail, U, NULL, NULL},
    {"s3.compression.type", CONF_STRING, "none", 0, CONF_LOW,
     "Compression type for files written to S3. Applied when using JsonFormat (a .json.gz "
     "object per file); ParquetFormat uses parquet.codec. Available values: none, gzip.",
     S3_GROUP, 24, CONF_WIDTH_LONG, "Compression type", conf_validate_in, U, s3_json_codecs,
     NULL},
    {"s3.compression.level", CONF_INT, "-1", 0, CONF_LOW,
     "Compression level for gzip: -1 (the default level) or 0 (none) to 9 (best).", S3_GROUP,
     25, CONF_WIDTH_LONG, "Compression Level", conf_validate_range, -1, 9, NULL, NULL},
    {"format.bytearray.extension", CONF_STRING, ".bin", 0, CONF_LOW,
     "Output file extension for ByteArrayFormat. Defaults to '.bin'", F_GROUP, 17,
     CONF_WIDTH_LONG, "Output file extension for ByteArrayFormat", NULL, U, NULL, NULL},
    {"format.bytearray.separator", CONF_STRING, CONF_NO_DEFAULT, 1, CONF_LOW,
     "String inserted between records for ByteArrayFormat. Defaults to System.lineSeparator() "
     "and may contain escape sequences like \\n. An input record that contains the line "
     "separator will look like multiple records in the storage object output.",
     F_GROUP, 18, CONF_WIDTH_LONG, "Line separator ByteArrayFormat", NULL, U, NULL, NULL},
    {"json.decimal.format", CONF_STRING, "BASE64", 0, CONF_LOW,
     "Controls which format json converter will serialize decimals in. This value is case "
     "insensitive and can be either 'BASE64' (default) or 'NUMERIC'", F_GROUP, 19,
     CONF_WIDTH_LONG, "Decimal Format", conf_validate_in_ci, U, s3_decimal_formats, NULL},
    {"store.kafka.keys", CONF_BOOLEAN, "false", 0, CONF_LOW,
     "Enable or disable writing keys to storage: a keys file (<name>.keys.<ext>) beside each "
     "value file, one key per record in the same order. A null key is an error.",
     F_GROUP, 20, CONF_WIDTH_SHORT, "Store Kafka keys", NULL, U, NULL, NULL},
    {"store.kafka.headers", CONF_BOOLEAN, "false", 0, CONF_LOW,
     "Enable or disable writing headers to storage: a headers file (<name>.headers.<ext>) "
     "beside each value file, one record's headers per row. A record without headers is an "
     "error.",
     F_GROUP, 21, CONF_WIDTH_SHORT, "Store Kafka headers", NULL, U, NULL, NULL},
    {"keys.format.class", CONF_CLASS, S3_AVRO_FORMAT, 0, CONF_LOW,
     "The format class for the keys files when store.kafka.keys is true: AvroFormat (the "
     "default), ParquetFormat or JsonFormat (connect-c does not write ByteArrayFormat).",
     F_GROUP, 22, CONF_WIDTH_NONE, "Keys format class", conf_validate_in, U, s3_side_formats,
     NULL},
    {"headers.format.class", CONF_CLASS, S3_AVRO_FORMAT, 0, CONF_LOW,
     "The format class for the headers files when store.kafka.headers is true: AvroFormat "
     "(the default), ParquetFormat or JsonFormat (connect-c does not write ByteArrayFormat).",
     F_GROUP, 23, CONF_WIDTH_NONE, "Headers format class", conf_validate_in, U,
     s3_side_formats, NULL},
    {"behavior.on.null.values", CONF_STRING, "fail", 0, CONF_LOW,
     "How to handle records with a null value (tombstones): fail (an error: the DLQ under "
     "errors.tolerance=all, else the task fails), ignore (skipped), or write (their keys, and "
     "headers if stored, go to the keys files of the tombstone.encoded.partition partition; "
     "needs store.kafka.keys=true).",
     F_GROUP, 24, CONF_WIDTH_SHORT, "Behavior for null-valued records", validate_null_behavior,
     U, NULL, NULL},
    {"tombstone.encoded.partition", CONF_STRING, "tombstone", 0, CONF_LOW,
     "Output s3 folder to write the tombstone records to. The configured "
     "partitioner would map tombstone records to this output folder.",
     F_GROUP, 25, CONF_WIDTH_SHORT, "Tombstone Encoded Partition", NULL, U, NULL, NULL},
    {.name = NULL},
};

/* libcurl before 8.10 sorts SigV4's canonical headers by whole "name:value" line, not by name
 * (curl #14370), so a request with two headers whose names share a prefix is signed in an order
 * S3 does not compute, and every such request is answered 403 SignatureDoesNotMatch: SSE-KMS
 * with a key id (x-amz-server-side-encryption, ...-aws-kms-key-id) and SSE-C (...-customer-key,
 * ...-customer-key-MD5). Those settings are refused up front on such a libcurl (the task would
 * otherwise retry its first upload for ever); the local store sends no headers. */
int s3_conf_sse_signable(const struct s3_conf *c, unsigned curl_version_num, struct kc_error *err)
{
    if (curl_version_num >= 0x080a00 ||
        (c->store.url != NULL && strncmp(c->store.url, "file:", 5) == 0)) {
        return KC_OK;
    }
    const char *sse = c->store.sse != NULL ? c->store.sse : "";
    const char *kms = c->store.sse_kms_key_id != NULL ? c->store.sse_kms_key_id : "";
    const char *ck = c->store.sse_customer_key != NULL ? c->store.sse_customer_key : "";
    unsigned v = curl_version_num;
    if (strncasecmp(sse, "aws:kms", 7) == 0 && kms[0] != '\0') {
        return kc_error_set(err, KC_EINVAL,
                            "s3.sse.kms.key.id: SSE-KMS with a key id needs libcurl 8.10 or "
                            "later to be signed as S3 expects (this worker runs libcurl %u.%u.%u;"
                            " scripts/build-libcurl.sh builds one)",
                            v >> 16, (v >> 8) & 0xff, v & 0xff);
    }
    if (strcasecmp(sse, "AES256") == 0 && ck[0] != '\0') {
        return kc_error_set(err, KC_EINVAL,
                            "s3.sse.customer.key: SSE-C needs libcurl 8.10 or later to be signed "
                            "as S3 expects (this worker runs libcurl %u.%u.%u; "
                            "scripts/build-libcurl.sh builds one)",
                            v >> 16, (v >> 8) & 0xff, v & 0xff);
    }
    return KC_OK;
}

int s3_conf_load(const struct conf_values *cv, struct s3_conf *c, struct kc_error *err)
{
    memset(c, 0, sizeof(*c));
    c->store.url = conf_values_string(cv, "store.url");
    const char *nulls = conf_values_string(cv, "behavior.on.null.values");
    c->ignore_nulls = nulls != NULL && strcasecmp(nulls, "ignore") == 0;
    c->write_nulls = nulls != NULL && strcasecmp(nulls, "write") == 0;
    c->tombstone_partition = conf_values_string(cv, "tombstone.encoded.partition");
    c->tagging = conf_values_bool(cv, "s3.object.tagging");
    const char *te = conf_values_string(cv, "s3.object.behavior.on.tagging.error");
    c->tagging_ignore = te == NULL || strcasecmp(te, "fail") != 0;
    c->tag_pairs = conf_values_list(cv, "s3.object.tagging.key.value.pairs", &c->n_tag_pairs);
    c->store.bucket = conf_values_string(cv, "s3.bucket.name");
    c->store.region = conf_values_string(cv, "s3.region");
    c->store.path_style = conf_values_bool(cv, "s3.path.style.access.enabled");
    c->store.access_key = conf_values_string(cv, "aws.access.key.id");
    c->store.secret_key = conf_values_password(cv, "aws.secret.access.key");
    c->store.part_size = (size_t)conf_values_int(cv, "s3.part.size");
    c->store.retries = conf_values_int(cv, "s3.part.retries");
    c->store.backoff_ms = conf_values_long(cv, "s3.retry.backoff.ms");
    c->store.conditional_writes = conf_values_bool(cv, "enable.conditional.writes");
    c->store.spool_dir = conf_values_string(cv, "s3.spool.dir");
    c->store.sse = conf_values_string(cv, "s3.ssea.name");
    c->store.sse_kms_key_id = conf_values_string(cv, "s3.sse.kms.key.id");
    c->store.sse_customer_key = conf_values_password(cv, "s3.sse.customer.key");
    c->store.acl = conf_values_string(cv, "s3.acl.canned");
    c->store.proxy_url = conf_values_string(cv, "s3.proxy.url");
    const char *provider = conf_values_string(cv, "s3.credentials.provider.class");
    if (provider != NULL && strcmp(provider, S3_ASSUME_ROLE_PROVIDER) == 0) {
        /* its keys: s3.credentials.provider. + AwsAssumeRoleCredentialsProvider's own names */
        const struct kc_strmap *raw = conf_values_raw(cv);
        c->store.role_arn = kc_strmap_get(raw, "s3.credentials.provider.sts.role.arn");
        c->store.role_session_name =
            kc_strmap_get(raw, "s3.credentials.provider.sts.role.session.name");
        c->store.role_external_id =
            kc_strmap_get(raw, "s3.credentials.provider.sts.role.external.id");
        c->store.sts_region = kc_strmap_get(raw, "s3.credentials.provider.sts.region");
        if (c->store.role_arn == NULL || c->store.role_arn[0] == '\0') {
            return kc_error_set(err, KC_EINVAL,
                                "s3.credentials.provider.sts.role.arn: Missing required "
                                "configuration \"s3.credentials.provider.sts.role.arn\" which "
                                "has no default value (s3.credentials.provider.class="
                                S3_ASSUME_ROLE_PROVIDER ")");
        }
        for (const char *r = c->store.sts_region; r != NULL && *r != '\0'; r++) {
            if (!(islower((unsigned char)*r) || isdigit((unsigned char)*r) || *r == '-')) {
                /* it goes into STS's host name and the signing scope */
                return kc_error_set(err, KC_EINVAL, "s3.credentials.provider.sts.region: '%s' is "
                                                    "not an AWS region name",
                                    c->store.sts_region);
            }
        }
        if (c->store.role_session_name == NULL || c->store.role_session_name[0] == '\0') {
            return kc_error_set(err, KC_EINVAL,
                                "s3.credentials.provider.sts.role.session.name: Missing required "
                                "configuration \"s3.credentials.provider.sts.role.session.name\" "
                                "which has no default value (s3.credentials.provider.class="
                                S3_ASSUME_ROLE_PROVIDER ")");
        }
    }
    c->store.send_digest = conf_values_bool(cv, "s3.send.digest");
    c->store.proxy_user = conf_values_string(cv, "s3.proxy.user");
    c->store.proxy_password = conf_values_password(cv, "s3.proxy.password");
    c->part.class_name = conf_values_string(cv, "partitioner.class");
    c->part.fields = conf_values_list(cv, "partition.field.name", &c->part.n_fields);
    c->part.duration_ms = conf_values_long(cv, "partition.duration.ms");
    c->part.path_format = conf_values_string(cv, "path.format");
    c->part.locale = conf_values_string(cv, "locale");
    c->part.timezone = conf_values_string(cv, "timezone");
    c->part.extractor = conf_values_string(cv, "timestamp.extractor");
    c->part.timestamp_field = conf_values_string(cv, "timestamp.field");
    c->part.dir_delim = conf_values_string(cv, "directory.delim");
    const char *fmt = conf_values_string(cv, "format.class");
    c->format = fmt != NULL && strstr(fmt, "Json") != NULL        ? S3_FORMAT_JSON
                : fmt != NULL && strstr(fmt, "ByteArray") != NULL ? S3_FORMAT_BYTES
                : fmt != NULL && strstr(fmt, ".avro.") != NULL    ? S3_FORMAT_AVRO
                                                                  : S3_FORMAT_PARQUET;
    c->avro_codec = s3_avro_codec_parse(conf_values_string(cv, "avro.codec"));
    if (c->avro_codec < 0) {
        return kc_error_set(err, KC_EINVAL, "avro.codec: unknown codec");
    }
    c->bytes_ext = conf_values_string(cv, "format.bytearray.extension");
    c->bytes_sep = conf_values_string(cv, "format.bytearray.separator");
    c->codec = parquet_codec_parse(conf_values_string(cv, "parquet.codec"));
    if (c->codec < 0) {
        return kc_error_set(err, KC_EINVAL, "parquet.codec: unknown codec");
    }
    const char *jz = conf_values_string(cv, "s3.compression.type");
    c->json_z = jz != NULL && strcmp(jz, "gzip") == 0 ? S3_Z_GZIP : S3_Z_NONE;
    c->json_level = conf_values_int(cv, "s3.compression.level");
    const char *df = conf_values_string(cv, "json.decimal.format");
    c->decimal_numeric = df != NULL && strcasecmp(df, "NUMERIC") == 0;
    c->topics_dir = conf_values_string(cv, "topics.dir");
    c->file_delim = conf_values_string(cv, "file.delim");
    c->pad_width = conf_values_int(cv, "filename.offset.zero.pad.width");
    c->flush_size = conf_values_int(cv, "flush.size");
    c->rotate_interval_ms = conf_values_long(cv, "rotate.interval.ms");
    c->rotate_schedule_ms = conf_values_long(cv, "rotate.schedule.interval.ms");
    c->rotate_on_partition_change = conf_values_bool(cv, "rotate.file.on.partition.change");
    c->on_mismatch = conf_values_string(cv, "parquet.schema.mismatch");
    c->infer_records = (size_t)conf_values_int(cv, "parquet.infer.records");
    c->infer_timestamps = conf_values_bool(cv, "parquet.infer.timestamps");
    static const char *const side_keys[2][2] = {{"store.kafka.keys", "keys.format.class"},
                                                 {"store.kafka.headers", "headers.format.class"}};
    for (int i = 0; i < 2; i++) {
        c->side[i] = conf_values_bool(cv, side_keys[i][0]);
        const char *sf = conf_values_string(cv, side_keys[i][1]);
        c->side_format[i] = sf != NULL && strstr(sf, ".json.") != NULL   ? S3_FORMAT_JSON
                            : sf != NULL && strstr(sf, ".avro.") != NULL ? S3_FORMAT_AVRO
                                                                        : S3_FORMAT_PARQUET;
        if (c->side[i] && (sf == NULL || (strstr(sf, ".json.") == NULL &&
                                          strstr(sf, ".parquet.") == NULL &&
                                          strstr(sf, ".avro.") == NULL))) {
            return kc_error_set(err, KC_EINVAL,
                                "%s: connect-c writes the %s files of %s=true as "
                                "io.confluent.connect.s3.format.avro.AvroFormat, "
                                "io.confluent.connect.s3.format.parquet.ParquetFormat or "
                                "io.confluent.connect.s3.format.json.JsonFormat, not %s",
                                side_keys[i][1], i == 0 ? "keys" : "headers", side_keys[i][0],
                                sf != NULL ? sf : "null");
        }
    }
    if (c->rotate_schedule_ms > 0 && (c->part.timezone == NULL || c->part.timezone[0] == '\0')) {
        return kc_error_set(err, KC_EINVAL, "timezone: required with rotate.schedule.interval.ms");
    }
    if (c->write_nulls && !c->side[0]) {
        return kc_error_set(err, KC_EINVAL,
                            "behavior.on.null.values: 'write' stores tombstones as their keys and "
                            "needs store.kafka.keys=true (Key Writer must be configured when "
                            "writing tombstone records is enabled.)");
    }
    if (c->write_nulls &&
        (c->tombstone_partition == NULL || c->tombstone_partition[0] == '\0')) {
        return kc_error_set(err, KC_EINVAL, "tombstone.encoded.partition: must not be empty "
                                            "with behavior.on.null.values=write");
    }
    return s3_conf_sse_signable(c, s3_store_curl_version(), err);
}

int s3_conf_validate(const struct conf_values *cv, struct conf_infos *errs, struct kc_error *err)
{
    struct s3_conf c;
    struct kc_error e;
    if (s3_conf_load(cv, &c, &e) != KC_OK) {
        const char *colon = strchr(e.msg, ':');
        char key[128] = "timezone";
        if (colon != NULL && (size_t)(colon - e.msg) < sizeof(key)) {
            memcpy(key, e.msg, (size_t)(colon - e.msg));
            key[colon - e.msg] = '\0';
        }
        if (conf_values_add_error(errs, key, colon != NULL ? colon + 2 : e.msg) != KC_OK) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        return KC_OK;
    }
    struct s3_partitioner *p = NULL;
    if (s3_partitioner_new(&c.part, &p, &e) != KC_OK) {
        const char *colon = strchr(e.msg, ':');
        char key[128] = "partitioner.class";
        if (colon != NULL && (size_t)(colon - e.msg) < sizeof(key) &&
            memchr(e.msg, ' ', (size_t)(colon - e.msg)) == NULL) {
            memcpy(key, e.msg, (size_t)(colon - e.msg));
            key[colon - e.msg] = '\0';
        }
        if (conf_values_add_error(errs, key, e.msg) != KC_OK) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
    }
    s3_partitioner_free(p);
    return KC_OK;
}

const char *s3_conf_extension(const struct s3_conf *c)
{
    if (c->format == S3_FORMAT_JSON) {
        return c->json_z == S3_Z_GZIP ? ".json.gz" : ".json"; /* JsonFormat + ".gz" */
    }
    if (c->format == S3_FORMAT_BYTES) {
        return c->bytes_ext; /* format.bytearray.extension; the sink adds ".gz" for gzip */
    }
    if (c->format == S3_FORMAT_AVRO) {
        return ".avro"; /* whatever avro.codec: the container names its codec */
    }
    switch (c->codec) {
    case PARQUET_CODEC_SNAPPY: return ".snappy.parquet";
    case PARQUET_CODEC_GZIP: return ".gz.parquet";
    case PARQUET_CODEC_ZSTD: return ".zstd.parquet";
    case PARQUET_CODEC_LZ4_RAW: return ".lz4raw.parquet";
    default: return ".parquet";
    }
}
