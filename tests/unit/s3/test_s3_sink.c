/*
 * tests/unit/s3/test_s3_sink.c: the S3 sink on its local store, driven by the sink harness the
 * way the worker drives it: object names from flush.size and record time, commits that never
 * pass an open file's first record, kill and restart (and a rebalance) rewriting byte-identical
 * objects under the same names, rotation by record time and by schedule (tick), schema
 * mismatches and bad JSON, and one byte budget over many partitions.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <malloc.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "sink_harness.h"

extern const struct sink_connector_ops s3_sink_ops;

#define HOUR 3600000LL
#define T0 1717236000000LL /* 2024-06-01T10:00:00Z */

/* ---- a directory as a sorted list of "path size crc" lines ---- */

static char listing[1 << 20];
static size_t listing_len;
static size_t root_len;

static uint32_t crc(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint32_t h = 2166136261u;
    int c;
    assert_non_null(f);
    while ((c = fgetc(f)) != EOF) {
        h = (h ^ (uint32_t)c) * 16777619u;
    }
    fclose(f);
    return h;
}

static int visit(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)ftw;
    if (flag == FTW_F) {
        listing_len += (size_t)snprintf(listing + listing_len, sizeof(listing) - listing_len,
                                        "%s %lld %08x\n", p + root_len, (long long)sb->st_size,
                                        crc(p));
    }
    return 0;
}

static int cmp_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted listing of dir (returned string is owned by the caller). */
static char *list_dir(const char *dir)
{
    listing_len = 0;
    listing[0] = '\0'; /* an empty directory lists as nothing */
    root_len = strlen(dir) + 1;
    nftw(dir, visit, 16, FTW_PHYS);
    char *copy = strdup(listing), *lines[4096];
    size_t n = 0;
    for (char *l = strtok(copy, "\n"); l && n < 4096; l = strtok(NULL, "\n")) {
        lines[n++] = l;
    }
    qsort(lines, n, sizeof(char *), cmp_lines);
    char *out = calloc(1, listing_len + 2);
    for (size_t i = 0; i < n; i++) {
        strcat(out, lines[i]);
        strcat(out, "\n");
    }
    free(copy);
    return out;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void rm_rf(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- records and harness ---- */

static void produce_iot(struct sink_harness *h, int32_t part, int from, int to, int64_t t0,
                        int64_t step)
{
    for (int i = from; i < to; i++) {
        char v[512];
        int64_t ts = t0 + (int64_t)i * step;
        time_t s = (time_t)(ts / 1000);
        struct tm tm;
        gmtime_r(&s, &tm);
        char iso[32];
        strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
        int n = snprintf(v, sizeof(v),
                         "{\"device_id\":\"dev-%d\",\"device_type\":\"temperature\","
                         "\"timestamp\":\"%s\",\"location\":\"Living Room\",\"value\":%d.5,"
                         "\"unit\":\"\\u00b0C\",\"battery_level\":%d,\"signal_strength\":-%d,"
                         "\"metadata\":{\"firmware_version\":\"1.2.%d\"}}",
                         i % 5, iso, 20 + i % 7, 50 + i % 50, 40 + i % 30, i % 3);
        assert_int_equal(sink_harness_produce(h, "iot", part, NULL, v, (size_t)n, ts), 0);
    }
}

/* Values recs[0..n) as records 0.. of iot/0, and the partition assigned. */
static void produce_texts(struct sink_harness *h, const char *const *recs, size_t n)
{
    struct kc_error err;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(sink_harness_produce(h, "iot", 0, NULL, recs[i], strlen(recs[i]), 0), 0);
    }
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
}

static struct sink_harness *mk(const char *dir, const char *const *kv)
{
    struct kc_strmap *cfg = kc_strmap_new();
    char url[256];
    snprintf(url, sizeof(url), "file://%s", dir);
    kc_strmap_set(cfg, "store.url", url);
    kc_strmap_set(cfg, "s3.bucket.name", "iot-data");
    kc_strmap_set(cfg, "format.class", "io.confluent.connect.s3.format.parquet.ParquetFormat");
    kc_strmap_set(cfg, "topics.dir", "raw");
    kc_strmap_set(cfg, "flush.size", "10");
    kc_strmap_set(cfg, "partitioner.class",
                  "io.confluent.connect.storage.partitioner.HourlyPartitioner");
    kc_strmap_set(cfg, "locale", "en-US");
    kc_strmap_set(cfg, "timezone", "UTC");
    kc_strmap_set(cfg, "timestamp.extractor", "RecordField");
    kc_strmap_set(cfg, "parquet.infer.records", "5");
    for (; kv != NULL && kv[0] != NULL; kv += 2) {
        kc_strmap_set(cfg, kv[0], kv[1]);
    }
    struct sink_harness *h = NULL;
    struct kc_error err = {0};
    int rc = sink_harness_new(&s3_sink_ops, cfg, &h, &err);
    kc_strmap_free(cfg);
    if (rc != 0) {
        print_error("%s\n", err.msg);
    }
    assert_int_equal(rc, 0);
    return h;
}

static void tmpdir(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/kc-s3-sink-XXXXXX");
    assert_non_null(mkdtemp(buf));
}

/* ---- tests ---- */

static void test_names_and_commits(void **state)
{
    (void)state;
    char dir[64];
    tmpdir(dir, sizeof(dir));
    struct sink_harness *h = mk(dir, NULL);
    struct kc_error err;
    /* 10:15 + i * 3 min: records 0-14 in hour 10, 15-34 in hour 11, 35-44 in hour 12 */
    produce_iot(h, 0, 0, 45, T0 + 15 * 60000, 3 * 60000);
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
    assert_int_equal(sink_harness_drain(h, 7, 100, &err), 0);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    /* sets of 10 records across hours: [0,10) [10,20) [20,30) [30,40) committed, [40,45)
     * open; a set spanning two hours has a file in each */
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 40);
    char *l = list_dir(dir);
    const char *want[] = {
        "raw/iot/year=2024/month=06/day=01/hour=10/iot+0+0000000000.snappy.parquet",
        "raw/iot/year=2024/month=06/day=01/hour=10/iot+0+0000000010.snappy.parquet",
        "raw/iot/year=2024/month=06/day=01/hour=11/iot+0+0000000015.snappy.parquet",
        "raw/iot/year=2024/month=06/day=01/hour=11/iot+0+0000000020.snappy.parquet",
        "raw/iot/year=2024/month=06/day=01/hour=11/iot+0+0000000030.snappy.parquet",
        "raw/iot/year=2024/month=06/day=01/hour=12/iot+0+0000000035.snappy.parquet",
        "raw/iot/year=2024/month=06/day=01/hour=12/iot+0+0000000040.snappy.parquet.inprogress",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        if (strstr(l, want[i]) == NULL) {
            print_error("missing %s in\n%s", want[i], l);
        }
        assert_non_null(strstr(l, want[i]));
    }
    size_t files = 0;
    for (const char *c = l; *c; c++) {
        files += *c == '\n';
    }
    assert_int_equal(files, 7);
    free(l);
    sink_harness_free(h);
    rm_rf(dir);
}

/* The same records through a run with kills and a rebalance give the same objects. */
static void test_crash_and_rebalance_same_objects(void **state)
{
    (void)state;
    char a[64], b[64];
    tmpdir(a, sizeof(a));
    tmpdir(b, sizeof(b));
    struct kc_error err;
    const char *kv[] = {"flush.size", "12", NULL};
    /* reference: no interruption */
    struct sink_harness *h = mk(a, kv);
    produce_iot(h, 0, 0, 100, T0, 97000);
    produce_iot(h, 1, 0, 80, T0, 131000);
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
    assert_int_equal(sink_harness_assign(h, "iot", 1, &err), 0);
    assert_int_equal(sink_harness_drain(h, 50, 100, &err), 0);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    sink_harness_free(h);
    /* interrupted: small batches, commits, two kills mid-set, a revoke and re-assign */
    h = mk(b, kv);
    produce_iot(h, 0, 0, 100, T0, 97000);
    produce_iot(h, 1, 0, 80, T0, 131000);
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
    assert_int_equal(sink_harness_assign(h, "iot", 1, &err), 0);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(sink_harness_poll(h, 7, NULL, &err), 0);
    }
    assert_int_equal(sink_harness_commit(h, &err), 0);
    int64_t c0 = sink_harness_committed(h, "iot", 0, NULL);
    assert_true(c0 % 12 == 0); /* only set boundaries are committed */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(sink_harness_poll(h, 5, NULL, &err), 0);
    }
    assert_int_equal(sink_harness_crash(h, &err), 0); /* kill -9 */
    for (int i = 0; i < 4; i++) {
        assert_int_equal(sink_harness_poll(h, 9, NULL, &err), 0);
    }
    assert_int_equal(sink_harness_revoke(h, "iot", 1, &err), 0);
    assert_int_equal(sink_harness_poll(h, 9, NULL, &err), 0);
    assert_int_equal(sink_harness_assign(h, "iot", 1, &err), 0);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    assert_int_equal(sink_harness_poll(h, 3, NULL, &err), 0);
    assert_int_equal(sink_harness_crash(h, &err), 0);
    assert_int_equal(sink_harness_drain(h, 11, 100, &err), 0);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 96);
    assert_int_equal(sink_harness_committed(h, "iot", 1, NULL), 72);
    sink_harness_free(h);
    char *la = list_dir(a), *lb = list_dir(b);
    /* stop() drops open sets: neither run leaves an .inprogress file after a clean stop */
    assert_null(strstr(la, "inprogress"));
    assert_string_equal(la, lb); /* same names, same sizes, same bytes */
    assert_non_null(strstr(la, "iot+1+0000000060.snappy.parquet"));
    free(la);
    free(lb);
    rm_rf(a);
    rm_rf(b);
}

static void test_rotate_by_record_time(void **state)
{
    (void)state;
    char dir[64];
    tmpdir(dir, sizeof(dir));
    const char *kv[] = {"flush.size", "1000", "rotate.interval.ms", "600000",
                        "partitioner.class", "TimeBasedPartitioner", "partition.duration.ms",
                        "86400000", "path.format", "'dt'=YYYY-MM-dd", "timestamp.extractor",
                        "Record", NULL};
    struct sink_harness *h = mk(dir, kv);
    struct kc_error err;
    produce_iot(h, 0, 0, 30, T0, 60000); /* one a minute: rotate every 10 minutes of record time */
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
    assert_int_equal(sink_harness_drain(h, 30, 10, &err), 0);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 20);
    char *l = list_dir(dir);
    assert_non_null(strstr(l, "raw/iot/dt=2024-06-01/iot+0+0000000000.snappy.parquet "));
    assert_non_null(strstr(l, "raw/iot/dt=2024-06-01/iot+0+0000000010.snappy.parquet "));
    assert_non_null(strstr(l, "raw/iot/dt=2024-06-01/iot+0+0000000020.snappy.parquet.inprogress"));
    free(l);
    sink_harness_free(h);
    rm_rf(dir);
}

static void test_rotate_by_schedule(void **state)
{
    (void)state;
    char dir[64];
    tmpdir(dir, sizeof(dir));
    const char *kv[] = {"flush.size", "1000", "rotate.schedule.interval.ms", "1000", NULL};
    struct sink_harness *h = mk(dir, kv);
    struct kc_error err;
    produce_iot(h, 0, 0, 7, T0, 1000);
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
    assert_int_equal(sink_harness_drain(h, 30, 10, &err), 0);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* tick's clock (sink.h) */
    int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    assert_int_equal(sink_harness_tick(h, now - 5000, &err), 0); /* not due yet */
    assert_int_equal(sink_harness_commit(h, &err), 0);
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 0);
    assert_int_equal(sink_harness_tick(h, now + 2000, &err), 0);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 7);
    char *l = list_dir(dir);
    assert_non_null(strstr(l, "hour=10/iot+0+0000000000.snappy.parquet "));
    free(l);
    sink_harness_free(h);
    rm_rf(dir);
}

static void test_bad_records(void **state)
{
    (void)state;
    char dir[64];
    tmpdir(dir, sizeof(dir));
    const char *kv[] = {"errors.tolerance", "all", "parquet.infer.records", "2", NULL};
    struct sink_harness *h = mk(dir, kv);
    struct kc_error err;
    const char *recs[] = {
        "{\"timestamp\":\"2024-06-01T10:00:00Z\",\"value\":1.5}",
        "{\"timestamp\":\"2024-06-01T10:00:01Z\",\"value\":2.5}",
        "{\"timestamp\":\"2024-06-01T10:00:02Z\",\"value\":\"high\"}", /* mismatch: rotates */
        "{\"timestamp\":\"2024-06-01T10:00:03Z\",\"value\":\"low\"}",
        "{not json",                                                   /* reported */
        "{\"value\":1}",                                               /* no timestamp */
        "{\"timestamp\":\"2024-06-01T10:00:04Z\",\"value\":\"mid\"}",
    };
    produce_texts(h, recs, 7);
    assert_int_equal(sink_harness_drain(h, 10, 10, &err), 0);
    assert_int_equal(sink_harness_reported(h), 2);
    assert_int_equal(sink_harness_reported_offset(h, 0), 4);
    assert_int_equal(sink_harness_reported_offset(h, 1), 5);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 2); /* second file still open */
    char *l = list_dir(dir);
    assert_non_null(strstr(l, "hour=10/iot+0+0000000000.snappy.parquet "));
    assert_non_null(strstr(l, "hour=10/iot+0+0000000002.snappy.parquet.inprogress"));
    free(l);
    sink_harness_free(h);
    rm_rf(dir);
}

/* A record taken into the schema sample that the inferred schema then refuses (an integer past
 * 2^53 among doubles) is reported itself, once, and the rest land: whether the sample is written
 * when it is full or when the set is committed before it is full. */
static void blame_case(const char *infer, const char *flush, int tolerance_all)
{
    char dir[64];
    tmpdir(dir, sizeof(dir));
    const char *kv[] = {"errors.tolerance", tolerance_all ? "all" : "none",
                        "parquet.infer.records", infer, "flush.size", flush, NULL};
    struct sink_harness *h = mk(dir, kv);
    sink_harness_set_tolerance(h, tolerance_all);
    struct kc_error err;
    for (int i = 0; i < 9; i++) {
        char v[128];
        int n = i == 1 ? snprintf(v, sizeof(v), "{\"timestamp\":\"2024-06-01T10:00:0%dZ\","
                                                "\"value\":9007199254740993}", i)
                       : snprintf(v, sizeof(v), "{\"timestamp\":\"2024-06-01T10:00:0%dZ\","
                                                "\"value\":%d.5}", i, i);
        assert_int_equal(sink_harness_produce(h, "iot", 0, NULL, v, (size_t)n, 0), 0);
    }
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
    int rc = sink_harness_drain(h, 10, 20, &err);
    if (!tolerance_all) {
        assert_int_not_equal(rc, 0);
        assert_non_null(strstr(err.msg, "offset 1"));
        assert_non_null(strstr(err.msg, "no exact floating-point value"));
        sink_harness_free(h);
        rm_rf(dir);
        return;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(sink_harness_reported(h), 1);
    assert_int_equal(sink_harness_reported_offset(h, 0), 1);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 9); /* 8 rows, 1 reported */
    char *l = list_dir(dir);
    assert_non_null(strstr(l, "hour=10/iot+0+0000000000.snappy.parquet "));
    assert_null(strstr(l, ".inprogress"));
    free(l);
    sink_harness_free(h);
    rm_rf(dir);
}

/* A bad record before the blamed one is reported once, not again on the replay the blame
 * causes (the DLQ would get it twice). */
static void blame_after_bad_json(void)
{
    char dir[64];
    tmpdir(dir, sizeof(dir));
    const char *kv[] = {"errors.tolerance", "all", "parquet.infer.records", "3", "flush.size",
                        "7", NULL};
    struct sink_harness *h = mk(dir, kv);
    struct kc_error err;
    for (int i = 0; i < 9; i++) {
        char v[128];
        int n = i == 0   ? snprintf(v, sizeof(v), "{not json")
                : i == 2 ? snprintf(v, sizeof(v), "{\"timestamp\":\"2024-06-01T10:00:0%dZ\","
                                                  "\"value\":9007199254740993}", i)
                         : snprintf(v, sizeof(v), "{\"timestamp\":\"2024-06-01T10:00:0%dZ\","
                                                  "\"value\":%d.5}", i, i);
        assert_int_equal(sink_harness_produce(h, "iot", 0, NULL, v, (size_t)n, 0), 0);
    }
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
    assert_int_equal(sink_harness_drain(h, 10, 20, &err), 0);
    assert_int_equal(sink_harness_reported(h), 2);
    assert_int_equal(sink_harness_reported_offset(h, 0), 0);
    assert_int_equal(sink_harness_reported_offset(h, 1), 2);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 9); /* 7 rows, 2 reported */
    sink_harness_free(h);
    rm_rf(dir);
}

static void test_sampled_record_blamed(void **state)
{
    (void)state;
    blame_after_bad_json();
    blame_case("3", "8", 1); /* the sample is written when full, mid-set */
    blame_case("100", "8", 1); /* the set is committed before its sample is full */
    blame_case("3", "8", 0); /* errors.tolerance=none: the task fails naming offset 1 */
}

/* behavior.on.null.values=ignore passes tombstones over (not reported, offsets committed past
 * them); keys that would change what is written and that connect-c does not implement are
 * refused by name (an SSE-C key without printing it). */
static void test_null_values_and_refused_keys(void **state)
{
    (void)state;
    char dir[64];
    tmpdir(dir, sizeof(dir));
    const char *kv[] = {"behavior.on.null.values", "ignore", "parquet.infer.records", "2", NULL};
    struct sink_harness *h = mk(dir, kv);
    struct kc_error err;
    const char *recs[] = {"{\"timestamp\":\"2024-06-01T10:00:00Z\",\"value\":1.5}", NULL,
                          "{\"timestamp\":\"2024-06-01T10:00:01Z\",\"value\":2.5}"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(sink_harness_produce(h, "iot", 0, NULL, recs[i],
                                              recs[i] != NULL ? strlen(recs[i]) : 0, 0),
                         0);
    }
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
    assert_int_equal(sink_harness_drain(h, 10, 10, &err), 0);
    assert_int_equal(sink_harness_reported(h), 0);
    sink_harness_free(h);
    rm_rf(dir);
    static const char *const refused[][3] = {
        {"s3.ssea.name", "aes256", "String must be one of: , AES256, aws:kms, aws:kms:dsse"},
        {"s3.sse.customer.key", "c2VjcmV0LWtleS0xMjM=", "base64 encoding of a 32-byte"},
        {"s3.acl.canned", "public", "Value must be one of: [private, public-read, "
                                    "public-read-write, authenticated-read, aws-exec-read, "
                                    "bucket-owner-read, bucket-owner-full-control]"},
        /* (keys.format.class is ByteArrayFormat in every case below) */
        {"store.kafka.keys", "true", "JsonFormat, not io.confluent.connect.s3.format.bytearray."
                                     "ByteArrayFormat"},
        {"behavior.on.null.values", "write", "needs store.kafka.keys=true"},
        {"s3.object.tagging.key.value.pairs", "a:b, nocolon", "each item must be key:value"},
        {"s3.object.behavior.on.tagging.error", "Warn", "Invalid value warn for configuration "
                                                        "s3.object.behavior.on.tagging.error: "
                                                        "String must be one of: ignore, fail"},
        {"s3.proxy.url", "ftp://u:pw@host", "must be an http:// or https:// URL"},
        {"s3.proxy.url", "http://u:pw@host:notaport", "must be an http:// or https:// URL"},
        {"s3.proxy.url", "http://u:pw@host:99999", "must be an http:// or https:// URL"},
        {"s3.proxy.url", "http://u:pw@ho st:80", "must be an http:// or https:// URL"},
        {"s3.wan.mode", "true", "Transfer Acceleration is not supported"},
        {"s3.schema.partition.affix.type", "PREFIX", "only NONE is supported"},
        {"s3.credentials.provider.class", "com.example.VaultCredentialsProvider",
         "only those are supported"},
        {"s3.credentials.provider.class",
         "io.confluent.connect.s3.auth.AwsAssumeRoleCredentialsProvider",
         "Missing required configuration \"s3.credentials.provider.sts.role.arn\""},
        {"behavior.on.null.values", "Delete", "Invalid value delete for configuration "
                                              "behavior.on.null.values: String must be one of: "
                                              "ignore, fail, write"},
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        struct kc_strmap *cfg = kc_strmap_new();
        kc_strmap_set(cfg, "store.url", "file:///tmp/kc-s3-never");
        kc_strmap_set(cfg, "s3.bucket.name", "b");
        kc_strmap_set(cfg, "format.class", "io.confluent.connect.s3.format.json.JsonFormat");
        kc_strmap_set(cfg, "flush.size", "10");
        kc_strmap_set(cfg, "keys.format.class",
                      "io.confluent.connect.s3.format.bytearray.ByteArrayFormat");
        kc_strmap_set(cfg, refused[i][0], refused[i][1]);
        struct sink_harness *x = NULL;
        struct kc_error e2 = {0};
        assert_true(sink_harness_new(&s3_sink_ops, cfg, &x, &e2) != 0);
        kc_strmap_free(cfg);
        if (strstr(e2.msg, refused[i][0]) == NULL || strstr(e2.msg, refused[i][2]) == NULL ||
            strstr(e2.msg, "c2VjcmV0") != NULL || strstr(e2.msg, "u:pw") != NULL) {
            fail_msg("%s: %s", refused[i][0], e2.msg);
        }
    }
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* A gzip file read through zlib's gz* functions (NULL when it is not one whole gzip stream). */
static char *read_gzip(const char *path)
{
    gzFile g = gzopen(path, "rb");
    if (g == NULL || gzdirect(g)) {
        if (g != NULL) {
            gzclose(g);
        }
        return NULL;
    }
    static char buf[1 << 16];
    int n = gzread(g, buf, sizeof(buf) - 1);
    int ok = n >= 0 && gzclose(g) == Z_OK;
    if (!ok) {
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* JsonFormat writes what Confluent's writes: one compact value per line, an envelope's payload
 * (not its schema), a multi-line value on one line, numbers as Jackson prints them (Java's
 * Double.toString: 0.1, 1000.0, 1.5E-7), schemaless objects' members in java.util.HashMap
 * order (JsonConverter makes them HashMaps), a StringConverter text as a JSON string whatever
 * it holds (Jackson's writeObject of a String), a ByteArrayConverter value in base64 (of a
 * byte[]); with s3.compression.type=gzip the same lines in a .json.gz object. */
/* One object of a text format from three records (flush.size 3, errors.tolerance=all): the
 * harness drains and commits, `reported` records went to the DLQ, every offset is committed,
 * and raw/iot/partition=0/<name> holds `want` (gunzipped when gzip); name NULL: no object. */
static void format_case(const char *format_class, const char *converter,
                        const char *const *extra, int gzip, const char *const *recs, size_t n,
                        const char *name, const char *want, size_t reported)
{
    char dir[64];
    tmpdir(dir, sizeof(dir));
    const char *kv[32] = {"format.class", format_class, "partitioner.class",
                          "io.confluent.connect.storage.partitioner.DefaultPartitioner",
                          "flush.size", "3", "value.converter", converter,
                          "timestamp.extractor", "Record", "s3.compression.type",
                          gzip ? "gzip" : "none", "errors.tolerance", "all"};
    size_t k = 14;
    for (size_t i = 0; extra != NULL && extra[i] != NULL; i += 2) {
        assert_true(k + 3 < sizeof(kv) / sizeof(kv[0]));
        kv[k++] = extra[i];
        kv[k++] = extra[i + 1];
    }
    struct sink_harness *h = mk(dir, kv);
    struct kc_error err;
    produce_texts(h, recs, n);
    assert_int_equal(sink_harness_drain(h, 10, 10, &err), 0);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    assert_int_equal(sink_harness_reported(h), reported);
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), (int64_t)n);
    char *l = list_dir(dir);
    if (name == NULL) {
        assert_null(strstr(l, "iot+0+"));
    } else {
        char path[256];
        snprintf(path, sizeof(path), "%s/raw/iot/partition=0/%s", dir, name);
        const char *got = gzip ? read_gzip(path) : read_text(path); /* static buffers */
        if (got == NULL || strcmp(got, want) != 0) {
            fail_msg("%s: got [%s] want [%s]\n%s", converter, got ? got : "(none)", want, l);
        }
    }
    free(l);
    sink_harness_free(h);
    rm_rf(dir);
}

/* JsonFormat writes what Confluent's writes: one compact value per line, an envelope's payload
 * (not its schema), a multi-line value on one line, numbers as Jackson prints them (Java's
 * Double.toString: 0.1, 1000.0, 1.5E-7), schemaless objects' members in java.util.HashMap
 * order (JsonConverter makes them HashMaps), a StringConverter text as a JSON string whatever
 * it holds (Jackson's writeObject of a String), a ByteArrayConverter value in base64 (of a
 * byte[]); with s3.compression.type=gzip the same lines in a .json.gz object. */
static void json_format_case(const char *converter, const char *schemas,
                             const char *const *recs, size_t n, const char *want, int gzip,
                             size_t reported)
{
    const char *extra[] = {"s3.compression.level", gzip ? "9" : "-1",
                           schemas != NULL ? "value.converter.schemas.enable" : NULL, schemas,
                           NULL};
    format_case("io.confluent.connect.s3.format.json.JsonFormat", converter, extra, gzip, recs,
                n, gzip ? "iot+0+0000000000.json.gz" : "iot+0+0000000000.json", want, reported);
}

/* A field partitioner reads only the members its paths start at (load_needed): escaped keys,
 * nested paths, envelopes, and a record that is not JSON anywhere, even in a member it does
 * not read, is still reported as invalid. */
static void test_partition_fields_from_raw_json(void **state)
{
    (void)state;
    char dir[64];
    tmpdir(dir, sizeof(dir));
    const char *kv[] = {"errors.tolerance", "all",
                        "partitioner.class",
                        "io.confluent.connect.storage.partitioner.FieldPartitioner",
                        "partition.field.name", "region,meta.site",
                        "format.class", "io.confluent.connect.s3.format.json.JsonFormat",
                        "flush.size", "100", NULL};
    struct sink_harness *h = mk(dir, kv);
    struct kc_error err;
    const char *recs[] = {
        "{\"id\":1,\"region\":\"eu\",\"meta\":{\"site\":\"a\"}}",
        "{\"id\":2,\"re\\u0067ion\":\"us\",\"meta\":{\"site\":\"b\"}}",
        ("{\"schema\":{\"type\":\"struct\"},\"payload\":{\"id\":3,\"region\":\"ap\","
         "\"meta\":{\"site\":\"c\"}}}"),
        "{\"id\":4,\"region\":\"eu\",\"meta\":{\"site\":\"a\"}} x", /* trailing text */
        "{\"id\":5,\"bad\":[1,2,],\"region\":\"eu\",\"meta\":{\"site\":\"a\"}}",
        "[1,2]", /* not an object */
        "{\"id\":7,\"meta\":{\"site\":\"a\",\"n\":[{}]},\"region\":\"eu\"}",
        "{\"id\":8,\"region\":\"eu\",\"meta\":{\"site\":\"a\"}", /* cut short */
    };
    size_t n = sizeof(recs) / sizeof(recs[0]);
    produce_texts(h, recs, n);
    assert_int_equal(sink_harness_drain(h, 10, 10, &err), 0);
    assert_int_equal(sink_harness_reported(h), 4);
    assert_int_equal(sink_harness_reported_offset(h, 0), 3);
    assert_int_equal(sink_harness_reported_offset(h, 1), 4);
    assert_int_equal(sink_harness_reported_offset(h, 2), 5);
    assert_int_equal(sink_harness_reported_offset(h, 3), 7);
    char *l = list_dir(dir);
    assert_non_null(strstr(l, "raw/iot/region=eu/meta.site=a/iot+0+0000000000.json"));
    assert_non_null(strstr(l, "raw/iot/region=us/meta.site=b/iot+0+0000000001.json"));
    assert_non_null(strstr(l, "raw/iot/region=ap/meta.site=c/iot+0+0000000002.json"));
    free(l);
    sink_harness_free(h);
    rm_rf(dir);

    /* errors.tolerance=none: the task fails with jansson's words, as before */
    tmpdir(dir, sizeof(dir));
    kv[1] = "none";
    h = mk(dir, kv);
    sink_harness_set_tolerance(h, 0);
    produce_texts(h, &recs[4], 1);
    assert_int_not_equal(sink_harness_drain(h, 10, 10, &err), 0);
    if (strstr(err.msg, "invalid JSON: ") == NULL) {
        print_error("%s\n", err.msg);
    }
    assert_non_null(strstr(err.msg, "invalid JSON: "));
    sink_harness_free(h);
    rm_rf(dir);
}

/* The same through Parquet, where the record is parsed once for the partitioner and the
 * converter (pick_needed): the files hold what was partitioned there. */
static void test_partition_fields_parquet_parse_once(void **state)
{
    (void)state;
    char dir[64];
    tmpdir(dir, sizeof(dir));
    const char *kv[] = {"errors.tolerance", "all",
                        "partitioner.class",
                        "io.confluent.connect.storage.partitioner.FieldPartitioner",
                        "partition.field.name", "region,meta.site", "flush.size", "3",
                        "parquet.infer.records", "1", NULL};
    struct sink_harness *h = mk(dir, kv);
    struct kc_error err;
    const char *recs[] = {
        "{\"id\":1,\"region\":\"eu\",\"meta\":{\"site\":\"a\"}}",
        "{\"id\":2,\"re\\u0067ion\":\"us\",\"meta\":{\"site\":\"b\"}}",
        "{\"id\":3,\"bad\":[1,2,],\"region\":\"eu\",\"meta\":{\"site\":\"a\"}}",
        "{\"id\":4,\"meta\":{\"site\":\"a\"},\"region\":\"eu\"}",
        "{\"id\":5,\"region\":\"eu\"}", /* meta.site missing: null */
    };
    size_t n = sizeof(recs) / sizeof(recs[0]);
    produce_texts(h, recs, n);
    assert_int_equal(sink_harness_drain(h, 10, 10, &err), 0);
    assert_int_equal(sink_harness_reported(h), 1);
    assert_int_equal(sink_harness_reported_offset(h, 0), 2);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    /* the first set is three written records (0, 1, 3), the reported one inside it */
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 4);
    char *l = list_dir(dir);
    if (strstr(l, "region=eu/meta.site=null/iot+0+0000000004.snappy.parquet.inprogress") == NULL) {
        print_error("%s", l);
    }
    assert_non_null(strstr(l, "raw/iot/region=eu/meta.site=a/iot+0+0000000000.snappy.parquet "));
    assert_non_null(strstr(l, "raw/iot/region=us/meta.site=b/iot+0+0000000001.snappy.parquet "));
    assert_non_null(
        strstr(l, "raw/iot/region=eu/meta.site=null/iot+0+0000000004.snappy.parquet.inprogress"));
    free(l);
    sink_harness_free(h);
    rm_rf(dir);
}

static void test_json_format_lines(void **state)
{
    (void)state;
    const char *json[] = {
        ("{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"a\",\"type\":\"int32\"}]},"
         "\"payload\":{\"a\":1}}"),
        "{\n  \"b\": [1, 2],\n  \"s\": \"x\\ny\"\n}",
        "{\"c\":3,\"r\":0.1,\"e\":1e3,\"t\":1.5e-7}"};
    const char *text[] = {"hello", "two\nlines", "{\"c\":3}"};
    const char *js = "org.apache.kafka.connect.json.JsonConverter";
    for (int gzip = 0; gzip < 2; gzip++) {
        /* schemas.enable=false: every value is a HashMap, an envelope-shaped one too; "r",
         * "c", "t", "e" hash to HashMap buckets 2, 3, 4, 5 */
        json_format_case(js, "false", json, 3,
                         ("{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"a\","
                          "\"type\":\"int32\"}]},\"payload\":{\"a\":1}}\n"
                          "{\"b\":[1,2],\"s\":\"x\\ny\"}\n"
                          "{\"r\":0.1,\"c\":3,\"t\":1.5E-7,\"e\":1000.0}\n"),
                         gzip, 0);
        json_format_case("org.apache.kafka.connect.storage.StringConverter", NULL, text, 3,
                         "\"hello\"\n\"two\\nlines\"\n\"{\\\"c\\\":3}\"\n", gzip, 0);
    }
    /* schemas.enable=true: the Struct, fields in schema order, an absent optional one null,
     * bytes in base64; a value that is no envelope fails conversion (the DLQ here). The lines
     * are connect-json 4.1.0's. */
#define ENV_B                                                                                    \
    "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"b\",\"type\":\"bytes\"},"           \
    "{\"field\":\"a\",\"type\":\"int32\"},{\"field\":\"o\",\"type\":\"string\","                 \
    "\"optional\":true}]},\"payload\":"
    const char *env[] = {ENV_B "{\"a\":1,\"b\":\"aGk=\"}}", ENV_B "{\"a\":2,\"b\":\"\",\"o\":\"x\"}}",
                         ENV_B "{\"o\":null,\"a\":3,\"b\":\"AA==\"}}", "{\"c\":3}"};
    json_format_case(js, "true", env, 4,
                     "{\"b\":\"aGk=\",\"a\":1,\"o\":null}\n{\"b\":\"\",\"a\":2,\"o\":\"x\"}\n"
                     "{\"b\":\"AA==\",\"a\":3,\"o\":null}\n",
                     0, 1);
    /* bytes that are not UTF-8: new String(bytes, UTF_8) makes U+FFFD of each bad subpart;
     * a byte[] is written in base64 */
    const char *bin[] = {"one", "\xff\xfe bad", "two"};
    json_format_case("org.apache.kafka.connect.storage.StringConverter", NULL, bin, 3,
                     "\"one\"\n\"\xef\xbf\xbd\xef\xbf\xbd bad\"\n\"two\"\n", 0, 0);
    json_format_case("org.apache.kafka.connect.converters.ByteArrayConverter", NULL, bin, 3,
                     "\"b25l\"\n\"//4gYmFk\"\n\"dHdv\"\n", 0, 0);
}

/* ByteArrayFormat writes each value's bytes and the separator (format.bytearray.separator,
 * Java escapes read; the line separator by default) into <name>.bin (format.bytearray.extension,
 * ".gz" added under s3.compression.type=gzip), whatever the bytes hold; a value that is not
 * bytes (ByteArrayConverter.fromConnectData refuses it) is reported. */
static void bytearray_case(const char *converter, const char *sep, const char *ext, int gzip,
                           const char *const *recs, size_t n, const char *name,
                           const char *want, size_t reported)
{
    const char *extra[] = {"format.bytearray.extension", ext != NULL ? ext : ".bin",
                           sep != NULL ? "format.bytearray.separator" : NULL, sep, NULL};
    format_case("io.confluent.connect.s3.format.bytearray.ByteArrayFormat", converter, extra,
                gzip, recs, n, name, want, reported);
}

/*
 * A converted value whose Connect schema differs from its file's (ConnectSchema.equals: here a
 * new field, then only a field's optional flag) commits the partition's set before it is
 * written, in JsonFormat too, as Confluent's TopicPartitionWriter does with
 * schema.compatibility=NONE; a record the converter refuses changes nothing; the set left open
 * keeps its offsets uncommitted.
 */
static void test_schema_change_rotates_json(void **state)
{
    (void)state;
    char dir[64];
    tmpdir(dir, sizeof(dir));
    const char *kv[] = {"format.class", "io.confluent.connect.s3.format.json.JsonFormat",
                        "partitioner.class",
                        "io.confluent.connect.storage.partitioner.DefaultPartitioner",
                        "flush.size", "100", "value.converter",
                        "org.apache.kafka.connect.json.JsonConverter",
                        "value.converter.schemas.enable", "true", "errors.tolerance", "all",
                        "timestamp.extractor", "Record", NULL};
    struct sink_harness *h = mk(dir, kv);
    struct kc_error err;
#define SCH_A "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"a\",\"type\":\"int32\"}]},"
#define SCH_B                                                                                    \
    "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"a\",\"type\":\"int32\"},"            \
    "{\"field\":\"n\",\"type\":\"string\",\"optional\":true}]},"
#define SCH_C                                                                                    \
    "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"a\",\"type\":\"int32\","            \
    "\"optional\":true}]},"
    const char *recs[] = {SCH_A "\"payload\":{\"a\":1}}", SCH_A "\"payload\":{\"a\":2}}",
                          "not json",                           /* refused: DLQ */
                          SCH_B "\"payload\":{\"a\":3}}", SCH_B "\"payload\":{\"a\":4,\"n\":\"x\"}}",
                          SCH_C "\"payload\":{\"a\":5}}", SCH_A "\"payload\":{\"a\":6}}"};
    size_t n = sizeof(recs) / sizeof(recs[0]);
    produce_texts(h, recs, n);
    assert_int_equal(sink_harness_drain(h, 10, 10, &err), 0);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    assert_int_equal(sink_harness_reported(h), 1);
    /* sets [0,3), [3,5), [5,6) are committed; [6,...) is open */
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 6);
    const char *want[][2] = {{"iot+0+0000000000.json", "{\"a\":1}\n{\"a\":2}\n"},
                             {"iot+0+0000000003.json", "{\"a\":3,\"n\":null}\n{\"a\":4,\"n\":\"x\"}\n"},
                             {"iot+0+0000000005.json", "{\"a\":5}\n"}};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        char path[256];
        snprintf(path, sizeof(path), "%s/raw/iot/partition=0/%s", dir, want[i][0]);
        const char *got = read_text(path);
        if (got == NULL || strcmp(got, want[i][1]) != 0) {
            fail_msg("%s: got [%s] want [%s]", want[i][0], got ? got : "(none)", want[i][1]);
        }
    }
    char *l = list_dir(dir);
    assert_null(strstr(l, "iot+0+0000000006.json ")); /* open: at most in progress */
    free(l);
    sink_harness_free(h);
    rm_rf(dir);
}
#undef SCH_A
#undef SCH_B
#undef SCH_C

static void test_bytearray_format(void **state)
{
    (void)state;
    const char *ba = "org.apache.kafka.connect.converters.ByteArrayConverter";
    const char *bin[] = {"one", "\xff\xfe bad", "two"};
    bytearray_case(ba, NULL, NULL, 0, bin, 3, "iot+0+0000000000.bin",
                   "one\n\xff\xfe bad\ntwo\n", 0);
    bytearray_case(ba, "\\r\\n", ".raw", 1, bin, 3, "iot+0+0000000000.raw.gz",
                   "one\r\n\xff\xfe bad\r\ntwo\r\n", 0);
    bytearray_case(ba, "\\u00e9|\\t\\\\\\x", NULL, 0, bin, 3, "iot+0+0000000000.bin",
                   "one\xc3\xa9|\t\\x\xff\xfe bad\xc3\xa9|\t\\xtwo\xc3\xa9|\t\\x", 0);
    /* a surrogate pair is one code point (4 UTF-8 bytes), a lone surrogate '?', as
     * String.getBytes(UTF_8) of unescapeJava's text */
    bytearray_case(ba, "\\uD83D\\uDE00\\uD83D", NULL, 0, bin, 3, "iot+0+0000000000.bin",
                   "one\xf0\x9f\x98\x80?\xff\xfe bad\xf0\x9f\x98\x80?two\xf0\x9f\x98\x80?", 0);
    /* a String or a map is no byte[]: every record reported, no file */
    const char *text[] = {"{\"a\":1}", "\"s\"", "7"};
    bytearray_case("org.apache.kafka.connect.json.JsonConverter", NULL, NULL, 0, text, 3, NULL,
                   NULL, 3);
    bytearray_case("org.apache.kafka.connect.storage.StringConverter", NULL, NULL, 0, text, 3,
                   NULL, NULL, 3);
}

/* store.kafka.keys: a keys file beside each values file, one key per written value. JsonFormat
 * keys follow s3.compression.type (".keys.json.gz"); a null key is reported with nothing of it
 * written; a Parquet key of another Connect schema closes the set, as a value's does. */
static void test_keys_files(void **state)
{
    (void)state;
    char dir[64];
    tmpdir(dir, sizeof(dir));
    const char *kv[] = {"format.class", "io.confluent.connect.s3.format.json.JsonFormat",
                        "partitioner.class",
                        "io.confluent.connect.storage.partitioner.DefaultPartitioner",
                        "flush.size", "3", "s3.compression.type", "gzip", "store.kafka.keys",
                        "true", "keys.format.class",
                        "io.confluent.connect.s3.format.json.JsonFormat", "key.converter",
                        "org.apache.kafka.connect.json.JsonConverter",
                        "key.converter.schemas.enable", "false", "errors.tolerance", "all",
                        "timestamp.extractor", "Record", NULL};
    struct sink_harness *h = mk(dir, kv);
    struct kc_error err;
    const char *keys[] = {"\"a\"", "{\"id\":2}", NULL, "7"};
    for (int i = 0; i < 4; i++) {
        char v[32];
        snprintf(v, sizeof(v), "{\"n\":%d}", i);
        assert_int_equal(sink_harness_produce(h, "iot", 0, keys[i], v, strlen(v), 0), 0);
    }
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
    assert_int_equal(sink_harness_drain(h, 10, 10, &err), 0);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    assert_int_equal(sink_harness_reported(h), 1); /* the null key */
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 4);
    char path[256];
    snprintf(path, sizeof(path), "%s/raw/iot/partition=0/iot+0+0000000000.json.gz", dir);
    const char *got = read_gzip(path);
    assert_non_null(got);
    assert_string_equal(got, "{\"n\":0}\n{\"n\":1}\n{\"n\":3}\n");
    snprintf(path, sizeof(path), "%s/raw/iot/partition=0/iot+0+0000000000.keys.json.gz", dir);
    got = read_gzip(path);
    assert_non_null(got);
    assert_string_equal(got, "\"a\"\n{\"id\":2}\n7\n");
    sink_harness_free(h);
    rm_rf(dir);

    /* Parquet keys from JsonConverter envelopes: int32, int32, then string, int32 */
    tmpdir(dir, sizeof(dir));
    const char *kv2[] = {"partitioner.class",
                         "io.confluent.connect.storage.partitioner.DefaultPartitioner",
                         "flush.size", "10", "store.kafka.keys", "true", "keys.format.class",
                         "io.confluent.connect.s3.format.parquet.ParquetFormat", "key.converter",
                         "org.apache.kafka.connect.json.JsonConverter",
                         "key.converter.schemas.enable", "true", "timestamp.extractor", "Record",
                         NULL};
    h = mk(dir, kv2);
#define KI(n) "{\"schema\":{\"type\":\"int32\"},\"payload\":" #n "}"
#define KS(s) "{\"schema\":{\"type\":\"string\"},\"payload\":\"" s "\"}"
    /* the last: a struct without fields, which no Parquet file can hold: reported */
    const char *pkeys[] = {KI(1), KI(2), KS("x"), KI(3),
                           "{\"schema\":{\"type\":\"struct\",\"fields\":[]},\"payload\":{}}"};
#undef KI
#undef KS
    for (int i = 0; i < 5; i++) {
        char v[32];
        snprintf(v, sizeof(v), "{\"n\":%d}", i);
        assert_int_equal(sink_harness_produce(h, "iot", 0, pkeys[i], v, strlen(v), 0), 0);
    }
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
    assert_int_equal(sink_harness_drain(h, 10, 10, &err), 0);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    assert_int_equal(sink_harness_reported(h), 1);
    /* sets [0,2) and [2,3) committed, [3,...) open */
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 3);
    char *l = list_dir(dir);
    assert_non_null(strstr(l, "iot+0+0000000000.keys.snappy.parquet"));
    assert_non_null(strstr(l, "iot+0+0000000002.keys.snappy.parquet"));
    assert_non_null(strstr(l, "iot+0+0000000002.snappy.parquet"));
    free(l);
    sink_harness_free(h);
    rm_rf(dir);
}

/* behavior.on.null.values=write under a time-based partitioner: a tombstone takes the
 * extractor's time (Wallclock: now, as the values around it), not its record's, so an old
 * tombstone does not start a set that rotate.interval.ms then closes at the next value. */
static void test_tombstone_time(void **state)
{
    (void)state;
    char dir[64];
    tmpdir(dir, sizeof(dir));
    const char *kv[] = {"format.class", "io.confluent.connect.s3.format.json.JsonFormat",
                        "flush.size", "4", "timestamp.extractor", "Wallclock",
                        "rotate.interval.ms", "3600000", "rotate.file.on.partition.change",
                        "false", "behavior.on.null.values", "write", "store.kafka.keys", "true",
                        "keys.format.class", "io.confluent.connect.s3.format.json.JsonFormat",
                        NULL};
    struct sink_harness *h = mk(dir, kv);
    struct kc_error err;
    const char *vals[] = {NULL, "{\"n\":1}", "{\"n\":2}", "{\"n\":3}"};
    for (int i = 0; i < 4; i++) {
        char k[8];
        snprintf(k, sizeof(k), "k%d", i);
        /* record times a day back: only Wallclock's now counts */
        assert_int_equal(sink_harness_produce(h, "iot", 0, k, vals[i],
                                              vals[i] != NULL ? strlen(vals[i]) : 0,
                                              T0 - 86400000),
                         0);
    }
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
    assert_int_equal(sink_harness_drain(h, 10, 10, &err), 0);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    assert_int_equal(sink_harness_reported(h), 0);
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 4); /* one set of four */
    char *l = list_dir(dir);
    assert_non_null(strstr(l, "/tombstone/iot+0+0000000000.keys.json"));
    assert_null(strstr(l, "/tombstone/iot+0+0000000000.json"));
    assert_non_null(strstr(l, "iot+0+0000000001.json"));
    assert_non_null(strstr(l, "iot+0+0000000001.keys.json"));
    free(l);
    sink_harness_free(h);
    rm_rf(dir);
}

/* s3.compression.type takes Confluent's values (none, gzip) and s3.compression.level -1..9;
 * ParquetFormat ignores it (parquet.codec compresses), as Confluent's does. */
static void test_json_compression_config(void **state)
{
    (void)state;
    const struct {
        const char *k, *v;
    } bad[] = {{"s3.compression.type", "zstd"}, {"s3.compression.type", "snappy"},
               {"s3.compression.level", "10"}, {"s3.compression.level", "-2"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct kc_strmap *cfg = kc_strmap_new();
        kc_strmap_set(cfg, "store.url", "file:///tmp/kc-s3-never");
        kc_strmap_set(cfg, "s3.bucket.name", "b");
        kc_strmap_set(cfg, "format.class", "io.confluent.connect.s3.format.json.JsonFormat");
        kc_strmap_set(cfg, "flush.size", "3");
        kc_strmap_set(cfg, bad[i].k, bad[i].v);
        struct sink_harness *h = NULL;
        struct kc_error err = {0};
        assert_int_not_equal(sink_harness_new(&s3_sink_ops, cfg, &h, &err), KC_OK);
        assert_non_null(strstr(err.msg, bad[i].k));
        kc_strmap_free(cfg);
    }
    char dir[64];
    tmpdir(dir, sizeof(dir));
    const char *kv[] = {"s3.compression.type", "gzip", "flush.size", "2", NULL};
    struct sink_harness *h = mk(dir, kv);
    struct kc_error err;
    produce_iot(h, 0, 0, 2, T0, 1000);
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
    assert_int_equal(sink_harness_drain(h, 10, 10, &err), 0);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 2);
    char *l = list_dir(dir);
    assert_non_null(strstr(l, "iot+0+0000000000.snappy.parquet"));
    assert_null(strstr(l, ".gz"));
    free(l);
    sink_harness_free(h);
    rm_rf(dir);
}

/* Records with no fields at all ({}) have no Parquet column: each is reported (DLQ under
 * errors.tolerance=all), and no empty .parquet file is committed (a zero-byte or column-less
 * file breaks readers' globs over the whole dataset). */
static void test_empty_objects_not_written_as_empty_files(void **state)
{
    (void)state;
    char dir[64];
    tmpdir(dir, sizeof(dir));
    const char *kv[] = {"partitioner.class",
                        "io.confluent.connect.storage.partitioner.DefaultPartitioner",
                        "timestamp.extractor", "Record", "flush.size", "2",
                        "parquet.infer.records", "2", "errors.tolerance", "all", NULL};
    struct sink_harness *h = mk(dir, kv);
    struct kc_error err;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(sink_harness_produce(h, "iot", 0, NULL, "{}", 2, 0), 0);
    }
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
    assert_int_equal(sink_harness_drain(h, 10, 10, &err), 0);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    char *l = list_dir(dir);
    if (strstr(l, ".parquet") != NULL) {
        fail_msg("files written for records without fields:\n%s", l);
    }
    free(l);
    assert_int_equal(sink_harness_reported(h), 4);
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 4);
    sink_harness_free(h);
    rm_rf(dir);
}

static void test_budget_many_partitions(void **state)
{
    (void)state;
    char dir[64];
    tmpdir(dir, sizeof(dir));
    const char *kv[] = {"flush.size", "100000", "parquet.infer.records", "1000", NULL};
    struct sink_harness *h = mk(dir, kv);
    struct kc_error err;
    /* 200 files of 9 columns, their row groups cut by the budget, hold up to ~10 MiB of writer
     * state and row-group footers: under 3/4 of this budget, so no set is committed early and
     * object names stay exact (test_budget_counts_open_files covers the other case) */
    size_t budget = (size_t)16 << 20;
    sink_harness_set_budget(h, budget);
    for (int p = 0; p < 200; p++) {
        produce_iot(h, p, 0, 300, T0, 1000);
        assert_int_equal(sink_harness_assign(h, "iot", p, &err), 0);
    }
    assert_int_equal(sink_harness_drain(h, 500, 1000, &err), 0);
    print_message("200 partitions: peak buffered %zu bytes, budget %zu\n",
                  sink_harness_peak_buffered(h), budget);
    assert_true(sink_harness_peak_buffered(h) <= budget);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    assert_int_equal(sink_harness_committed(h, "iot", 7, NULL), 0); /* files open, not durable */
    sink_harness_free(h);
    rm_rf(dir);
}

/* Open files cost memory (writer state, parsers, a descriptor) before they hold any row: with
 * thousands of partitions, each with a few records, the heap the sink holds stays within the
 * byte budget and the descriptors within the task's share, whatever the partition count. */
static void test_budget_counts_open_files(void **state)
{
    (void)state;
    char dir[64];
    tmpdir(dir, sizeof(dir));
    const char *kv[] = {"flush.size", "100000", "parquet.infer.records", "1000", NULL};
    struct sink_harness *h = mk(dir, kv);
    struct kc_error err;
    size_t budget = (size_t)4 << 20;
    sink_harness_set_budget(h, budget);
    int parts = 3000;
    for (int p = 0; p < parts; p++) {
        produce_iot(h, p, 0, 3, T0, 1000);
    }
    for (int p = 0; p < parts; p++) {
        assert_int_equal(sink_harness_assign(h, "iot", p, &err), 0);
    }
    struct mallinfo2 before = mallinfo2();
    int rc = sink_harness_drain(h, 500, 1000, &err);
    if (rc != 0) {
        print_error("%s\n", err.msg);
    }
    assert_int_equal(rc, 0);
    struct mallinfo2 after = mallinfo2();
    size_t grown = after.uordblks > before.uordblks ? after.uordblks - before.uordblks : 0;
    size_t fds = 0;
    for (int fd = 0; fd < 65536; fd++) {
        fds += fcntl(fd, F_GETFD) != -1;
    }
    print_message("%d partitions: heap +%zu bytes, budget %zu, peak reported %zu, %zu fds\n",
                  parts, grown, budget, sink_harness_peak_buffered(h), fds);
    assert_true(grown <= budget);
    assert_true(fds < 1024);
    sink_harness_free(h);
    rm_rf(dir);
}

/* ---- an S3 endpoint that is down for a while: answers 503 to the first `down` PUTs ---- */

static struct {
    int lfd, port, down, puts_ok, puts_failed;
    const char *down_match; /* NULL: `down` counts every PUT; else only PUTs whose target has it */
    char keys[64][512]; /* keys stored, in order */
    pthread_mutex_t mu; /* the server thread writes, the test reads */
    pthread_t th;
} fake;

static void *fake_serve(void *arg)
{
    (void)arg;
    static char buf[1 << 16];
    for (;;) {
        int fd = accept(fake.lfd, NULL, NULL);
        if (fd < 0) {
            return NULL;
        }
        size_t len = 0;
        char *end = NULL;
        while (end == NULL) {
            ssize_t r = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
            if (r <= 0) {
                break;
            }
            len += (size_t)r;
            buf[len] = '\0';
            end = strstr(buf, "\r\n\r\n");
        }
        if (end == NULL) {
            close(fd);
            continue;
        }
        char method[16] = "", target[512] = "";
        sscanf(buf, "%15s %511s", method, target);
        const char *cl = strstr(buf, "Content-Length:");
        size_t want = cl ? (size_t)strtoull(cl + 15, NULL, 10) : 0, have = len - (size_t)(end + 4 - buf);
        while (have < want) {
            ssize_t r = recv(fd, buf, sizeof(buf), 0);
            if (r <= 0) {
                break;
            }
            have += (size_t)r;
        }
        int status = 200;
        pthread_mutex_lock(&fake.mu);
        if (strcmp(method, "PUT") == 0) {
            if (fake.down > 0 && (fake.down_match == NULL || strstr(target, fake.down_match))) {
                fake.down--;
                fake.puts_failed++;
                status = 503;
            } else if (fake.puts_ok < 64) {
                snprintf(fake.keys[fake.puts_ok++], sizeof(fake.keys[0]), "%s", target);
            }
        }
        pthread_mutex_unlock(&fake.mu);
        char resp[128];
        snprintf(resp, sizeof(resp), "HTTP/1.1 %d X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                 status);
        send(fd, resp, strlen(resp), MSG_NOSIGNAL);
        close(fd);
    }
}

static int fake_start(void)
{
    memset(&fake, 0, sizeof(fake));
    pthread_mutex_init(&fake.mu, NULL);
    fake.lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fake.lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t l = sizeof(a);
    getsockname(fake.lfd, (struct sockaddr *)&a, &l);
    listen(fake.lfd, 16);
    return ntohs(a.sin_port);
}

static int fake_puts_ok(void)
{
    pthread_mutex_lock(&fake.mu);
    int n = fake.puts_ok;
    pthread_mutex_unlock(&fake.mu);
    return n;
}

/* Objects stored so far for one partition ("iot+<p>+"), in order: their start offsets. */
static int fake_offsets(int p, int *out, int max)
{
    char mark[32];
    snprintf(mark, sizeof(mark), "iot%%2B%d%%2B", p);
    int n = 0;
    pthread_mutex_lock(&fake.mu);
    for (int i = 0; i < fake.puts_ok && n < max; i++) {
        const char *m = strstr(fake.keys[i], mark);
        if (m != NULL) {
            out[n++] = atoi(m + strlen(mark));
        }
    }
    pthread_mutex_unlock(&fake.mu);
    return n;
}

/*
 * Uploads travel on the task's upload thread. Partition 0's first object fails twice (two
 * commit attempts of s3.part.retries=1 each): its later closed sets, already handed over, must
 * not become visible before it (they are cancelled and rebuilt after the rewind), while
 * partition 1's objects go on; every object ends up stored once, in offset order per
 * partition, and the commits never pass an object that is not stored.
 */
static void test_upload_failure_cancels_that_partition_only(void **state)
{
    (void)state;
    int port = fake_start();
    fake.down = 4;
    fake.down_match = "iot%2B0%2B0000000000";
    pthread_create(&fake.th, NULL, fake_serve, NULL);
    char url[64], spool[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
    tmpdir(spool, sizeof(spool));
    const char *kv[] = {"store.url", url, "aws.access.key.id", "AK", "aws.secret.access.key",
                        "SK", "s3.part.retries", "1", "s3.retry.backoff.ms", "50",
                        "s3.spool.dir", spool, "flush.size", "5", NULL};
    struct sink_harness *h = mk("/unused", kv);
    struct kc_error err;
    produce_iot(h, 0, 0, 15, T0, 1000);
    produce_iot(h, 1, 0, 15, T0, 1000);
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
    assert_int_equal(sink_harness_assign(h, "iot", 1, &err), 0);
    for (int i = 0; i < 1000 && (sink_harness_committed(h, "iot", 0, NULL) != 15 ||
                                 sink_harness_committed(h, "iot", 1, NULL) != 15);
         i++) {
        assert_int_equal(sink_harness_poll(h, 10, NULL, &err), 0);
        assert_int_equal(sink_harness_commit(h, &err), 0);
        for (int p = 0; p < 2; p++) {
            int offs[16], n = fake_offsets(p, offs, 16);
            int64_t c = sink_harness_committed(h, "iot", p, NULL);
            /* never past an object: stored objects of p cover [0, 5 * n) in order */
            for (int k = 0; k < n; k++) {
                assert_int_equal(offs[k], 5 * k);
            }
            assert_true(c == SINK_OFFSET_NONE || c <= 5 * n);
        }
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 15);
    assert_int_equal(sink_harness_committed(h, "iot", 1, NULL), 15);
    pthread_mutex_lock(&fake.mu);
    assert_int_equal(fake.puts_failed, 4);
    pthread_mutex_unlock(&fake.mu);
    assert_int_equal(fake_puts_ok(), 6); /* 3 objects per partition, each once */
    int offs[16];
    assert_int_equal(fake_offsets(0, offs, 16), 3);
    assert_int_equal(fake_offsets(1, offs, 16), 3);
    sink_harness_free(h);
    shutdown(fake.lfd, SHUT_RDWR);
    close(fake.lfd);
    pthread_join(fake.th, NULL);
    rm_rf(spool);
}

/*
 * A set handed to the upload thread comes back through tick (harvest), which then asks for the
 * commit: the sink asks for a tick within 20 ms when it hands a set over, whatever its last
 * tick answered (a second away when nothing was on its way), so the offsets are committed soon
 * after the object is stored instead of up to a second later. The local store commits in put.
 */
/* Every file under dir with a final .snappy.parquet name ends in the footer magic and is
 * longer than min_size bytes. */
/* Every final Parquet file under dir is whole (and over min_size bytes); returns how many. */
static int assert_whole_parquet_files(const char *dir, long min_size)
{
    int n = 0;
    char *l = list_dir(dir);
    for (char *line = strtok(l, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (strstr(line, ".snappy.parquet ") != NULL) {
            char path[512];
            snprintf(path, sizeof(path), "%s/%.*s", dir, (int)(strchr(line, ' ') - line), line);
            FILE *pf = fopen(path, "rb");
            assert_non_null(pf);
            char magic[4];
            assert_int_equal(fseek(pf, -4, SEEK_END), 0);
            assert_int_equal(fread(magic, 1, 4, pf), 4);
            assert_memory_equal(magic, "PAR1", 4);
            assert_true(ftell(pf) > min_size);
            fclose(pf);
            n++;
        }
    }
    free(l);
    return n;
}

/* Tick and commit until offset `want` of iot/0 is committed (10 s at most). */
static void tick_until_committed(struct sink_harness *h, int64_t want)
{
    struct kc_error err;
    for (int i = 0; i < 1000 && sink_harness_committed(h, "iot", 0, NULL) != want; i++) {
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 10 * 1000000L};
        nanosleep(&ts, NULL);
        assert_int_equal(sink_harness_tick(h, 0, &err), 0);
        assert_int_equal(sink_harness_commit(h, &err), 0);
    }
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), want);
}

static void test_upload_asks_for_a_tick(void **state)
{
    (void)state;
    int port = fake_start();
    pthread_create(&fake.th, NULL, fake_serve, NULL);
    char url[64], spool[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
    tmpdir(spool, sizeof(spool));
    const char *kv[] = {"store.url", url, "aws.access.key.id", "AK", "aws.secret.access.key",
                        "SK", "s3.spool.dir", spool, "flush.size", "5", NULL};
    struct sink_harness *h = mk("/unused", kv);
    struct kc_error err;
    int64_t within = -1;
    produce_iot(h, 0, 0, 7, T0, 1000);
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
    assert_int_equal(sink_harness_tick(h, 0, &err), 0); /* nothing on its way: a second */
    assert_int_equal(sink_harness_tick_asked(h, &within), 0);
    assert_int_equal(sink_harness_poll(h, 4, NULL, &err), 0); /* the set is not full */
    assert_int_equal(sink_harness_tick_asked(h, &within), 0);
    assert_int_equal(sink_harness_poll(h, 3, NULL, &err), 0); /* full: handed over */
    assert_int_equal(sink_harness_tick_asked(h, &within), 1);
    assert_true(within >= 0 && within <= 20);
    assert_int_equal(sink_harness_tick_asked(h, &within), 0); /* cleared */
    tick_until_committed(h, 5);
    assert_int_equal(fake_puts_ok(), 1);
    sink_harness_free(h);
    shutdown(fake.lfd, SHUT_RDWR);
    close(fake.lfd);
    pthread_join(fake.th, NULL);
    rm_rf(spool);

    /* the local store hands the set to the same thread (the file finished, fsynced and
     * renamed there) and asks for the tick; a commit waits for the thread, so the file is in
     * place once its offsets are committed */
    char dir[64];
    tmpdir(dir, sizeof(dir));
    const char *kv2[] = {"flush.size", "5", NULL};
    h = mk(dir, kv2);
    produce_iot(h, 0, 0, 5, T0, 1000);
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
    assert_int_equal(sink_harness_poll(h, 5, NULL, &err), 0);
    assert_int_equal(sink_harness_tick_asked(h, &within), 1);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 5);
    char *l = list_dir(dir);
    assert_non_null(strstr(l, "iot+0+0000000000.snappy.parquet "));
    assert_null(strstr(l, ".inprogress"));
    free(l);
    /* stopped while sets are still on the upload thread (no commit asked): what it had not
     * finished is dropped with its converter (ASan: nothing leaks), nothing half-written is
     * left under a final name */
    produce_iot(h, 0, 5, 400, T0, 1000);
    assert_int_equal(sink_harness_poll(h, 400, NULL, &err), 0);
    sink_harness_free(h);
    assert_whole_parquet_files(dir, 0); /* a renamed file is a whole file */
    rm_rf(dir);
}

/*
 * Settled Parquet files are finished on the upload thread while the task reads on, but those
 * files hold at most a quarter of the byte budget together: the rest of a set is finished on
 * the task thread. 60 open files (FieldPartitioner on device_id) hold more than a quarter of
 * an 8 MiB budget (under the three quarters where the budget starts flushing); when their set
 * is committed, what the sink then reports (the files handed over, not yet back) stays under
 * the quarter, and every file is written whole and every offset committed.
 */
static void test_late_finish_keeps_to_a_quarter_of_the_budget(void **state)
{
    (void)state;
    char dir[64];
    tmpdir(dir, sizeof(dir));
    const int devices = 60, per = 5, n = devices * per;
    char flush[16];
    snprintf(flush, sizeof(flush), "%d", n);
    const char *kv[] = {"flush.size", flush,
                        "partitioner.class",
                        "io.confluent.connect.storage.partitioner.FieldPartitioner",
                        "partition.field.name", "device_id", NULL};
    struct sink_harness *h = mk(dir, kv);
    struct kc_error err;
    const size_t budget = (size_t)8 << 20;
    sink_harness_set_budget(h, budget);
    for (int i = 0; i < n; i++) {
        char v[256];
        int len = snprintf(v, sizeof(v),
                           "{\"device_id\":\"d%03d\",\"timestamp\":\"2024-06-01T13:45:30Z\","
                           "\"value\":%d.5,\"unit\":\"C\",\"battery_level\":%d}",
                           i % devices, i % 40, 50 + i % 50);
        assert_int_equal(sink_harness_produce(h, "iot", 0, NULL, v, (size_t)len, T0 + i), 0);
    }
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
    assert_int_equal(sink_harness_poll(h, n - 1, NULL, &err), 0);
    size_t open = sink_harness_buffered(h); /* every file open, none handed over */
    assert_int_equal(sink_harness_poll(h, 1, NULL, &err), 0); /* the set is full */
    size_t handed = sink_harness_buffered(h);
    print_message("%d open files: %zu bytes; handed to the upload thread: %zu (budget %zu)\n",
                  devices, open, handed, budget);
    assert_true(open > budget / 4);     /* the cap has something to hold back */
    assert_true(open < budget / 4 * 3); /* and the budget itself did not flush anything */
    assert_true(handed > 0);            /* some files went to the upload thread */
    assert_true(handed <= budget / 4);
    assert_int_equal(sink_harness_budget_commits(h), 0);
    tick_until_committed(h, n);
    assert_int_equal(assert_whole_parquet_files(dir, 0), devices);
    sink_harness_free(h);
    rm_rf(dir);
}

/*
 * A file the upload thread cannot finish (its writes fail: the process's file-size limit
 * here, a full disk in life) is not committed and leaves nothing under a final name: its
 * partition replays from the set's first offset, and once writes succeed again the same files
 * are written whole and every offset is committed.
 */
static void test_late_finish_failure_replays(void **state)
{
    (void)state;
    char dir[64];
    tmpdir(dir, sizeof(dir));
    const char *kv[] = {"flush.size", "200", NULL};
    struct sink_harness *h = mk(dir, kv);
    struct kc_error err;
    struct rlimit was, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &was), 0);
    small = was;
    small.rlim_cur = 2048; /* a finished file of 200 records is larger */
    void (*sig)(int) = signal(SIGXFSZ, SIG_IGN); /* write() then fails with EFBIG */
    produce_iot(h, 0, 0, 400, T0, 1000);
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
    fflush(stderr);
    int saved = dup(2);
    FILE *cap = tmpfile(); /* the log, to see what it says */
    assert_non_null(cap);
    assert_true(saved >= 0 && dup2(fileno(cap), 2) == 2);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    assert_int_equal(sink_harness_poll(h, 400, NULL, &err), 0); /* two sets handed over */
    assert_int_equal(sink_harness_commit(h, &err), 0); /* waits for them: both failed */
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char logged[2048] = {0};
    rewind(cap);
    size_t nlog = fread(logged, 1, sizeof(logged) - 1, cap);
    fclose(cap);
    fprintf(stderr, "%.*s", (int)nlog, logged);
    /* the object's own error, not only the writer's "write callback failed" */
    assert_non_null(strstr(logged, ".snappy.parquet.inprogress (errno 27: File too large); "
                                   "iot-0 rewinds to 0"));
    int64_t c = sink_harness_committed(h, "iot", 0, NULL);
    assert_true(c == SINK_OFFSET_NONE || c == 0);
    char *l = list_dir(dir);
    assert_null(strstr(l, ".parquet ")); /* nothing under a final name */
    free(l);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &was), 0);
    for (int i = 0; i < 20 && sink_harness_committed(h, "iot", 0, NULL) != 400; i++) {
        assert_int_equal(sink_harness_poll(h, 400, NULL, &err), 0); /* the replay */
        assert_int_equal(sink_harness_commit(h, &err), 0);
    }
    signal(SIGXFSZ, sig);
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 400);
    l = list_dir(dir);
    assert_non_null(strstr(l, "iot+0+0000000000.snappy.parquet "));
    assert_non_null(strstr(l, "iot+0+0000000200.snappy.parquet "));
    assert_null(strstr(l, ".inprogress"));
    free(l);
    assert_whole_parquet_files(dir, 2048); /* written whole once the limit was lifted */
    sink_harness_free(h);
    rm_rf(dir);
}

static void test_store_down_then_back(void **state)
{
    (void)state;
    int port = fake_start();
    fake.down = 4; /* each commit tries twice (s3.part.retries=1): two failed commits */
    pthread_create(&fake.th, NULL, fake_serve, NULL);
    char url[64], spool[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
    tmpdir(spool, sizeof(spool));
    const char *kv[] = {"store.url", url, "aws.access.key.id", "AK", "aws.secret.access.key",
                        "SK", "s3.part.retries", "1", "s3.retry.backoff.ms", "1",
                        "s3.spool.dir", spool, "flush.size", "5", NULL};
    struct sink_harness *h = mk("/unused", kv);
    struct kc_error err;
    produce_iot(h, 0, 0, 15, T0, 1000);
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
    /* the first set fails twice: dropped, rewound to 0, and rebuilt. Objects travel on the
     * upload thread: poll and commit until everything is durable (or 10 s). */
    for (int i = 0; i < 1000 && sink_harness_committed(h, "iot", 0, NULL) != 15; i++) {
        assert_int_equal(sink_harness_poll(h, 5, NULL, &err), 0);
        assert_int_equal(sink_harness_commit(h, &err), 0);
        int64_t c = sink_harness_committed(h, "iot", 0, NULL);
        assert_true(c == SINK_OFFSET_NONE || c <= fake_puts_ok() * 5); /* never past an object */
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 15);
    pthread_mutex_lock(&fake.mu);
    assert_int_equal(fake.puts_failed, 4);
    assert_int_equal(fake.puts_ok, 3);
    pthread_mutex_unlock(&fake.mu);
    assert_string_equal(fake.keys[0], "/iot-data/raw/iot/year%3D2024/month%3D06/day%3D01/"
                                      "hour%3D10/iot%2B0%2B0000000000.snappy.parquet");
    assert_non_null(strstr(fake.keys[1], "iot%2B0%2B0000000005.snappy"));
    assert_non_null(strstr(fake.keys[2], "iot%2B0%2B0000000010.snappy"));
    sink_harness_free(h);
    shutdown(fake.lfd, SHUT_RDWR);
    close(fake.lfd);
    pthread_join(fake.th, NULL);
    rm_rf(spool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_and_commits),
        cmocka_unit_test(test_crash_and_rebalance_same_objects),
        cmocka_unit_test(test_rotate_by_record_time),
        cmocka_unit_test(test_rotate_by_schedule),
        cmocka_unit_test(test_bad_records),
        cmocka_unit_test(test_sampled_record_blamed),
        cmocka_unit_test(test_empty_objects_not_written_as_empty_files),
        cmocka_unit_test(test_json_format_lines),
        cmocka_unit_test(test_bytearray_format),
        cmocka_unit_test(test_partition_fields_from_raw_json),
        cmocka_unit_test(test_partition_fields_parquet_parse_once),
        cmocka_unit_test(test_null_values_and_refused_keys),
        cmocka_unit_test(test_budget_many_partitions),
        cmocka_unit_test(test_budget_counts_open_files),
        cmocka_unit_test(test_store_down_then_back),
        cmocka_unit_test(test_schema_change_rotates_json),
        cmocka_unit_test(test_late_finish_failure_replays),
        cmocka_unit_test(test_late_finish_keeps_to_a_quarter_of_the_budget),
        cmocka_unit_test(test_upload_asks_for_a_tick),
        cmocka_unit_test(test_json_compression_config),
        cmocka_unit_test(test_keys_files),
        cmocka_unit_test(test_tombstone_time),
        cmocka_unit_test(test_upload_failure_cancels_that_partition_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
