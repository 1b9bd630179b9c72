/*
 * tests/unit/s3/test_s3_partitioner.c: Confluent's partitioners as the JVM formats them: Joda
 * patterns with quoted literals, floors to partition.duration.ms in the zone (fixed offsets and
 * IANA zones across DST), the Daily/Hourly presets, FieldPartitioner values, and the extractors'
 * timestamps (ISO-8601 with zones, digits, Kafka time). Time zones from TZif files: the system's
 * fat files, slim and footer-only files assembled here byte by byte (and made by zic when the
 * machine has it), the POSIX TZ rule of the v2+ footer after the last transition checked
 * against glibc's localtime_r up to 2037 and against known offsets after, malformed footers,
 * and truncated or mutated files (run this under the ASan+UBSan build).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "kc_alloc.h"
#include "parquet_json.h"
#include "s3_partitioner.h"

/*
 * The value every way the sink gives it: jansson's tree of the text, the Parquet converter's
 * parse of it (s3_value.doc, from the payload of an envelope), and, when the record can be
 * staged, its members as staged for a file whose schema was inferred from it
 * (s3_value.fields). All must place a record alike: the results and errors are compared, the
 * first one returned.
 */
struct both {
    json_t *tree;
    struct parquet_jsonl_parsers *ps;
    struct parquet_doc_field from;
    struct s3_value v[3];
    int ways;
    struct parquet_jsonl *pj; /* the staging converter */
    struct kc_buf file;
};

static unsigned staged_ways; /* records compared staged too */

static int both_write(void *opaque, const void *buf, size_t len)
{
    return kc_buf_append(opaque, buf, len) == KC_OK ? 0 : -1;
}

static int both_open(void *opaque, unsigned index, parquet_write_fn **write, void **wopaque,
                     struct kc_error *err)
{
    (void)index;
    (void)err;
    *write = both_write;
    *wopaque = opaque;
    return KC_OK;
}

/* as the sink's files keep members: only those under a root member p reads */
static int keep_member(void *arg, const char *name, size_t len)
{
    return s3_partitioner_reads_member(arg, name, len);
}

static void both_init(struct both *b, struct s3_partitioner *p, const char *text, int envelope)
{
    struct kc_error err;
    const struct parquet_jsonl_doc *d = NULL;
    b->tree = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    assert_non_null(b->tree);
    b->ps = parquet_jsonl_parsers_new();
    assert_non_null(b->ps);
    assert_int_equal(parquet_jsonl_parse(b->ps, text, strlen(text), &d, &err), KC_OK);
    b->v[0] = s3_value_json(envelope ? json_object_get(b->tree, "payload") : b->tree);
    b->v[1].json = NULL;
    b->v[1].doc = d;
    b->v[1].from = NULL;
    b->v[1].fields = NULL;
    if (envelope) {
        parquet_jsonl_doc_get(d, NULL, "payload", &b->from);
        b->v[1].from = &b->from;
    }
    /* a file inferred from this one record, then the record staged for it */
    struct parquet_jsonl_options o;
    const struct parquet_jsonl_fields *fields = NULL;
    parquet_jsonl_options_init(&o);
    o.infer_records = 1;
    o.keep_member = keep_member;
    o.keep_arg = p;
    kc_buf_init(&b->file, (size_t)1 << 24);
    b->ways = 2;
    assert_int_equal(parquet_jsonl_new(&b->pj, &o, both_open, NULL, NULL, &b->file, &err), KC_OK);
    assert_int_equal(parquet_jsonl_record(b->pj, text, strlen(text), 0, &err), KC_OK);
    if (parquet_jsonl_stage(b->pj, text, strlen(text), &fields, &err) == KC_OK) {
        memset(&b->v[2], 0, sizeof(b->v[2]));
        b->v[2].fields = fields;
        b->ways = 3;
        staged_ways++;
    }
}

static void both_fini(struct both *b)
{
    json_decref(b->tree);
    parquet_jsonl_parsers_free(b->ps);
    parquet_jsonl_free(b->pj);
    kc_buf_fini(&b->file);
}

static int encode_both(struct s3_partitioner *p, const char *text, int envelope,
                       struct kc_buf *out, struct kc_error *err)
{
    struct both b;
    struct kc_buf o2;
    struct kc_error e2;
    both_init(&b, p, text, envelope);
    kc_buf_init(&o2, 256);
    size_t at = out->len;
    int rc = s3_partitioner_encode(p, &b.v[0], 0, 0, out, err);
    for (int w = 1; w < b.ways; w++) {
        kc_buf_reset(&o2);
        int rc2 = s3_partitioner_encode(p, &b.v[w], 0, 0, &o2, &e2);
        assert_int_equal(rc, rc2);
        if (rc == KC_OK) {
            assert_int_equal(out->len - at, o2.len);
            assert_memory_equal(out->data + at, o2.data, o2.len);
        } else {
            assert_string_equal(err->msg, e2.msg);
        }
    }
    kc_buf_fini(&o2);
    both_fini(&b);
    return rc;
}

static int timestamp_both(struct s3_partitioner *p, const char *text, int envelope,
                          int64_t *ts, struct kc_error *err)
{
    struct both b;
    struct kc_error e2;
    int64_t t2 = -1;
    both_init(&b, p, text, envelope);
    int rc = s3_partitioner_timestamp(p, &b.v[0], 0, 0, 0, ts, err);
    for (int w = 1; w < b.ways; w++) {
        int rc2 = s3_partitioner_timestamp(p, &b.v[w], 0, 0, 0, &t2, &e2);
        assert_int_equal(rc, rc2);
        if (rc == KC_OK) {
            assert_int_equal(*ts, t2);
        } else {
            assert_string_equal(err->msg, e2.msg);
        }
    }
    both_fini(&b);
    return rc;
}

static struct s3_partitioner *mk(const char *cls, const char *fmt, int64_t dur, const char *tz,
                                 const char *ex)
{
    struct s3_partitioner_config c = {.class_name = cls, .path_format = fmt, .duration_ms = dur,
                                      .locale = "en-US", .timezone = tz, .extractor = ex,
                                      .timestamp_field = "timestamp", .dir_delim = "/"};
    struct s3_partitioner *p = NULL;
    struct kc_error err;
    int rc = s3_partitioner_new(&c, &p, &err);
    if (rc != 0) {
        print_error("%s\n", err.msg);
    }
    assert_int_equal(rc, 0);
    return p;
}

static void check_enc(struct s3_partitioner *p, int64_t ts, const char *want)
{
    struct kc_buf b;
    struct kc_error err;
    kc_buf_init(&b, 4096);
    assert_int_equal(s3_partitioner_encode(p, NULL, 3, ts, &b, &err), 0);
    assert_int_equal(kc_buf_append_byte(&b, 0), 0);
    assert_string_equal(b.data, want);
    kc_buf_fini(&b);
}

/* 2024-06-01T13:45:30.123Z */
#define T0 1717249530123LL

static void test_default(void **state)
{
    (void)state;
    struct s3_partitioner *p = mk("io.confluent.connect.storage.partitioner.DefaultPartitioner",
                                  "", 0, "", NULL);
    check_enc(p, T0, "partition=3");
    const int32_t parts[] = {0, 9, 10, 1234567, 2147483647};
    const char *want[] = {"partition=0", "partition=9", "partition=10", "partition=1234567",
                          "partition=2147483647"};
    for (size_t i = 0; i < 5; i++) {
        struct kc_buf b;
        struct kc_error err;
        kc_buf_init(&b, 4096);
        assert_int_equal(s3_partitioner_encode(p, NULL, parts[i], T0, &b, &err), 0);
        assert_int_equal(kc_buf_append_byte(&b, 0), 0);
        assert_string_equal(b.data, want[i]);
        kc_buf_fini(&b);
    }
    s3_partitioner_free(p);
}

static void test_hourly_utc_and_zones(void **state)
{
    (void)state;
    struct s3_partitioner *p = mk("HourlyPartitioner", "", 0, "UTC", "Record");
    check_enc(p, T0, "year=2024/month=06/day=01/hour=13");
    s3_partitioner_free(p);
    p = mk("io.confluent.connect.storage.partitioner.DailyPartitioner", "", 0, "UTC", "Record");
    check_enc(p, T0, "year=2024/month=06/day=01");
    s3_partitioner_free(p);
    /* Europe/Paris is UTC+2 in June (CEST), +1 in January (CET) */
    p = mk("TimeBasedPartitioner", "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH/", 3600000,
           "Europe/Paris", "Record");
    check_enc(p, T0, "year=2024/month=06/day=01/hour=15");
    check_enc(p, 1704067199000LL /* 2023-12-31T23:59:59Z */, "year=2024/month=01/day=01/hour=00");
    s3_partitioner_free(p);
    /* fixed offsets; bare numeric pipeline layout YYYY/MM/dd/HH */
    p = mk("TimeBasedPartitioner", "YYYY/MM/dd/HH", 3600000, "-05:30", "Record");
    check_enc(p, T0, "2024/06/01/08");
    s3_partitioner_free(p);
    p = mk("TimeBasedPartitioner", "YYYY/MM/dd/HH", 3600000, "America/New_York", "Record");
    check_enc(p, 1710054000000LL /* 2024-03-10T07:00Z = 03:00 EDT, just after the jump */,
              "2024/03/10/03");
    check_enc(p, 1710053999000LL /* 06:59:59Z = 01:59:59 EST */, "2024/03/10/01");
    s3_partitioner_free(p);
}

static void test_patterns(void **state)
{
    (void)state;
    /* quoted literals, '' escapes, names, 2-digit years, 15-minute buckets */
    struct s3_partitioner *p = mk("TimeBasedPartitioner",
                                  "'dt'=yyyy-MM-dd/'it''s'/MMM/EEEE/yy/HH-mm", 900000, "UTC",
                                  "Record");
    check_enc(p, T0, "dt=2024-06-01/it's/Jun/Saturday/24/13-45");
    s3_partitioner_free(p);
    /* day buckets floored in local time: Asia/Tokyo (+9) */
    p = mk("TimeBasedPartitioner", "'d'=dd/'h'=HH", 86400000, "Asia/Tokyo", "Record");
    check_enc(p, T0, "d=01/h=00");
    check_enc(p, 1717257600000LL /* 2024-06-01T16:00Z = 06-02 01:00 JST */, "d=02/h=00");
    s3_partitioner_free(p);
}

static void test_bad_configs(void **state)
{
    (void)state;
    struct s3_partitioner_config c = {.class_name = "TimeBasedPartitioner",
                                      .path_format = "'unterminated", .duration_ms = 1000,
                                      .locale = "en", .timezone = "UTC"};
    struct s3_partitioner *p = NULL;
    struct kc_error err;
    assert_int_equal(s3_partitioner_new(&c, &p, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "unterminated"));
    c.path_format = "YYYY/qq";
    assert_int_equal(s3_partitioner_new(&c, &p, &err), KC_EINVAL);
    c.path_format = "YYYY";
    c.timezone = "Mars/Olympus";
    assert_int_equal(s3_partitioner_new(&c, &p, &err), KC_EINVAL);
    c.timezone = "../../etc/passwd";
    assert_int_equal(s3_partitioner_new(&c, &p, &err), KC_EINVAL);
    c.timezone = "";
    assert_int_equal(s3_partitioner_new(&c, &p, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "timezone"));
    c.timezone = "UTC";
    c.duration_ms = -1;
    assert_int_equal(s3_partitioner_new(&c, &p, &err), KC_EINVAL);
    c.duration_ms = 1000;
    c.extractor = "Bogus";
    assert_int_equal(s3_partitioner_new(&c, &p, &err), KC_EINVAL);
    c.class_name = "FieldPartitioner";
    c.extractor = NULL;
    assert_int_equal(s3_partitioner_new(&c, &p, &err), KC_EINVAL);
    assert_null(p);
}

static void test_field(void **state)
{
    (void)state;
    unsigned staged_before = staged_ways;
    const char *fields[] = {"device_type", "meta.site", "n"};
    struct s3_partitioner_config c = {.class_name = "FieldPartitioner", .fields = fields,
                                      .n_fields = 3};
    struct s3_partitioner *p = NULL;
    struct kc_error err;
    assert_int_equal(s3_partitioner_new(&c, &p, &err), 0);
    struct kc_buf b;
    kc_buf_init(&b, 4096);
    assert_int_equal(encode_both(p, "{\"device_type\":\"temp\",\"meta\":{\"site\":\"a\"},"
                                    "\"n\":7}", 0, &b, &err), 0);
    kc_buf_append_byte(&b, 0);
    assert_string_equal(b.data, "device_type=temp/meta.site=a/n=7");
    /* missing and null are "null"; booleans; the last of a key given twice; an envelope's
     * payload */
    const struct {
        const char *json;
        int envelope;
        const char *want;
    } ok[] = {
        {"{\"device_type\":null,\"meta\":{}}", 0, "device_type=null/meta.site=null/n=null"},
        {"{\"n\":true,\"device_type\":\"x\",\"meta\":{\"site\":false}}", 0,
         "device_type=x/meta.site=false/n=true"},
        {"{\"n\":1,\"n\":-2,\"device_type\":\"d\",\"meta\":{\"site\":\"\\u00e9\"}}", 0,
         "device_type=d/meta.site=\xc3\xa9/n=-2"},
        {"{\"schema\":{},\"payload\":{\"n\":3,\"device_type\":\"p\"}}", 1,
         "device_type=p/meta.site=null/n=3"},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        kc_buf_reset(&b);
        assert_int_equal(encode_both(p, ok[i].json, ok[i].envelope, &b, &err), 0);
        kc_buf_append_byte(&b, 0);
        assert_string_equal(b.data, ok[i].want);
    }
    /* a NUL inside a value: a path cannot hold it, and cutting it there would put "d\0e" and
     * "d" in one partition */
    const char *bad[] = {"{\"device_type\":1.5}", "{\"device_type\":[1]}",
                         "{\"meta\":{\"site\":{}}}", "[1]", "\"text\"",
                         "{\"device_type\":\"d\\u0000e\"}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(encode_both(p, bad[i], 0, &b, &err), KC_EINVAL);
    }
    assert_int_equal(encode_both(p, "{\"schema\":{},\"payload\":null}", 1, &b, &err),
                     KC_EINVAL);
    assert_non_null(strstr(err.msg, "not a struct or map"));
    kc_buf_fini(&b);
    s3_partitioner_free(p);
    assert_int_equal(staged_ways - staged_before, 4); /* the objects of scalars and objects */
}

static void test_extractors(void **state)
{
    (void)state;
    unsigned staged_before = staged_ways;
    struct s3_partitioner *p = mk("HourlyPartitioner", "", 0, "UTC", "RecordField");
    struct kc_error err;
    int64_t ts;
    const struct {
        const char *json;
        int64_t want;
    } ok[] = {
        {"{\"timestamp\":\"2024-06-01T13:45:30.123Z\"}", T0},
        {"{\"timestamp\":\"2024-06-01T15:45:30.123456+02:00\"}", T0},
        {"{\"timestamp\":\"2024-06-01 13:45:30.123\"}", T0},
        {"{\"timestamp\":1717249530123}", T0},
        {"{\"timestamp\":\"1717249530123\"}", T0},
        {"{\"timestamp\":\"2024-06-01\"}", 1717200000000LL},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        assert_int_equal(timestamp_both(p, ok[i].json, 0, &ts, &err), 0);
        assert_int_equal(ts, ok[i].want);
    }
    assert_int_equal(timestamp_both(p, "{\"schema\":1,\"payload\":{\"timestamp\":1717249530123}}",
                                    1, &ts, &err), 0);
    assert_int_equal(ts, T0);
    const char *bad[] = {"{\"timestamp\":\"yesterday\"}", "{\"other\":1}",
                         "{\"timestamp\":1.7e12}", "{\"timestamp\":null}", "[1]",
                         "{\"timestamp\":\"12\\u00003\"}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(timestamp_both(p, bad[i], 0, &ts, &err), KC_EINVAL);
    }
    s3_partitioner_free(p);
    p = mk("HourlyPartitioner", "", 0, "UTC", "Record");
    assert_int_equal(s3_partitioner_timestamp(p, NULL, 5, 1, 9, &ts, &err), 0);
    assert_int_equal(ts, 5);
    assert_int_equal(s3_partitioner_timestamp(p, NULL, 5, 0, 9, &ts, &err), KC_EINVAL);
    s3_partitioner_free(p);
    assert_int_equal(staged_ways - staged_before, 11);
}

/* ---- time zones: TZif transitions and the v2+ footer's POSIX TZ rule ---- */

/* A scratch zoneinfo directory for the hand-made files (TZDIR points the partitioner at it). */
static char *tz_dir; /* owned, from mkdtemp */

static int tz_group_setup(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/test_s3_tz_XXXXXX";
    if (mkdtemp(tmpl) == NULL) {
        return -1;
    }
    tz_dir = kc_asprintf("%s", tmpl);
    char *sub = kc_asprintf("%s/Test", tmpl);
    int rc = tz_dir != NULL && sub != NULL && mkdir(sub, 0700) == 0 ? 0 : -1;
    kc_free(sub);
    return rc;
}

static int tz_group_teardown(void **state)
{
    (void)state;
    if (tz_dir != NULL) {
        char *cmd = kc_asprintf("rm -rf '%s'", tz_dir);
        if (cmd != NULL && system(cmd) != 0) {
            print_error("could not remove %s\n", tz_dir);
        }
        kc_free(cmd);
    }
    kc_free(tz_dir);
    tz_dir = NULL;
    unsetenv("TZ");
    unsetenv("TZDIR");
    tzset();
    return 0;
}

static int64_t test_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* UTC seconds of a UTC civil time. */
static int64_t utc(int64_t y, int mo, int d, int h, int mi, int s)
{
    return test_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

/* The partitioner's offset (seconds) at UTC second t. */
static int64_t our_off(const struct s3_partitioner *p, int64_t t)
{
    return s3_partitioner_utc_offset(p, t * 1000) / 1000;
}

/* Build a partitioner for zone tz, reading TZif files from dir (NULL: the system's). */
static int try_zone(const char *dir, const char *tz, struct s3_partitioner **p,
                    struct kc_error *err)
{
    struct s3_partitioner_config c = {.class_name = "TimeBasedPartitioner",
                                      .path_format = "YYYY/MM/dd/HH",
                                      .duration_ms = 3600000,
                                      .locale = "en-US",
                                      .timezone = tz,
                                      .extractor = "Record"};
    if (dir != NULL) {
        setenv("TZDIR", dir, 1);
    }
    *p = NULL;
    int rc = s3_partitioner_new(&c, p, err);
    unsetenv("TZDIR");
    return rc;
}

static struct s3_partitioner *mk_zone(const char *dir, const char *tz)
{
    struct s3_partitioner *p = NULL;
    struct kc_error err;
    int rc = try_zone(dir, tz, &p, &err);
    if (rc != KC_OK) {
        print_error("zone %s: %s\n", tz, err.msg);
    }
    assert_int_equal(rc, KC_OK);
    return p;
}

/* ---- hand-assembled TZif files (RFC 8536) ---- */

struct tt {
    int32_t utoff;
    uint8_t isdst;
    uint8_t desig;
};

static void put_be(struct kc_buf *b, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        assert_int_equal(kc_buf_append_byte(b, (uint8_t)(v >> (8 * i))), 0);
    }
}

static void put_hdr(struct kc_buf *b, uint32_t timecnt, uint32_t typecnt, uint32_t charcnt)
{
    static const char unused[15];
    assert_int_equal(kc_buf_append(b, "TZif2", 5), 0);
    assert_int_equal(kc_buf_append(b, unused, sizeof(unused)), 0);
    put_be(b, 0, 4); /* isutcnt */
    put_be(b, 0, 4); /* isstdcnt */
    put_be(b, 0, 4); /* leapcnt */
    put_be(b, timecnt, 4);
    put_be(b, typecnt, 4);
    put_be(b, charcnt, 4);
}

/*
 * A v2 file as `zic -b slim` lays it out: a minimal v1 block (no transitions, one type), the
 * v2 block with 64-bit times, then '\n' footer '\n'. The footer is footer_len bytes (it may
 * hold a NUL on purpose).
 */
static void tzif_v2(struct kc_buf *b, const int64_t *at, const uint8_t *idx, size_t n,
                    const struct tt *types, size_t ntypes, const char *names, size_t nnames,
                    const char *footer, size_t footer_len)
{
    put_hdr(b, 0, 1, 1);
    put_be(b, (uint32_t)types[0].utoff, 4);
    put_be(b, types[0].isdst, 1);
    put_be(b, 0, 1);
    put_be(b, 0, 1); /* the one name byte */
    put_hdr(b, (uint32_t)n, (uint32_t)ntypes, (uint32_t)nnames);
    for (size_t i = 0; i < n; i++) {
        put_be(b, (uint64_t)at[i], 8);
    }
    for (size_t i = 0; i < n; i++) {
        put_be(b, idx[i], 1);
    }
    for (size_t i = 0; i < ntypes; i++) {
        put_be(b, (uint32_t)types[i].utoff, 4);
        put_be(b, types[i].isdst, 1);
        put_be(b, types[i].desig, 1);
    }
    assert_int_equal(kc_buf_append(b, names, nnames), 0);
    assert_int_equal(kc_buf_append_byte(b, '\n'), 0);
    assert_int_equal(kc_buf_append(b, footer, footer_len), 0);
    assert_int_equal(kc_buf_append_byte(b, '\n'), 0);
}

/* New York as a slim file has it in spirit: explicit transitions end in 2007, the footer
 * carries every later year. */
static void tzif_slim_ny(struct kc_buf *b)
{
    static const int64_t at[] = {1173596400 /* 2007-03-11T07:00Z */,
                                 1194156000 /* 2007-11-04T06:00Z */};
    static const uint8_t idx[] = {1, 0};
    static const struct tt types[] = {{-18000, 0, 4}, {-14400, 1, 0}};
    const char *footer = "EST5EDT,M3.2.0,M11.1.0";
    tzif_v2(b, at, idx, 2, types, 2, "EDT\0EST", 8, footer, strlen(footer));
}

/* No transitions at all: the footer rules every instant (RFC 8536 3.3). */
static void tzif_footer_only(struct kc_buf *b, int32_t utoff, const char *footer, size_t len)
{
    const struct tt types[1] = {{utoff, 0, 0}};
    tzif_v2(b, NULL, NULL, 0, types, 1, "ZZZ", 4, footer, len);
}

static void write_zone(const char *name, const void *data, size_t n)
{
    char *path = kc_asprintf("%s/%s", tz_dir, name);
    assert_non_null(path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    kc_free(path);
}

static void write_zone_buf(const char *name, struct kc_buf *b)
{
    write_zone(name, b->data, b->len);
    kc_buf_reset(b);
}

/* ---- glibc as the oracle (this test process only; the partitioner never touches TZ) ---- */

static void oracle_set(const char *tz, const char *dir)
{
    if (dir != NULL) {
        setenv("TZDIR", dir, 1);
    } else {
        unsetenv("TZDIR");
    }
    setenv("TZ", tz, 1);
    tzset();
}

static void oracle_reset(void)
{
    unsetenv("TZ");
    unsetenv("TZDIR");
    tzset();
}

static int64_t glibc_off(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    assert_non_null(localtime_r(&tt, &tm));
    int64_t local = test_days_from_civil(tm.tm_year + 1900LL, tm.tm_mon + 1, tm.tm_mday) * 86400 +
                    tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    return local - t;
}

static void expect_same(const struct s3_partitioner *p, const char *zone, int64_t t)
{
    int64_t ours = our_off(p, t), theirs = glibc_off(t);
    if (ours != theirs) {
        print_error("%s at %lld: ours %+lld s, glibc %+lld s\n", zone, (long long)t,
                    (long long)ours, (long long)theirs);
    }
    assert_int_equal(ours, theirs);
}

/*
 * Compare with glibc's localtime_r for zone glibc_tz (a name read under dir, or a POSIX TZ
 * string) every `step` seconds over [from, to), and at each change of offset glibc shows, found
 * by bisection, the second before it and the second of it. Returns the number of changes.
 */
static int compare_with_glibc(const struct s3_partitioner *p, const char *glibc_tz, const char *dir,
                              int64_t from, int64_t to, int64_t step)
{
    oracle_set(glibc_tz, dir);
    int changes = 0;
    int64_t prev_t = from, prev = glibc_off(from);
    for (int64_t t = from; t < to; t += step) {
        int64_t g = glibc_off(t);
        expect_same(p, glibc_tz, t);
        if (g != prev) {
            int64_t lo = prev_t, hi = t; /* glibc: offset prev at lo, g at hi */
            while (hi - lo > 1) {
                int64_t mid = lo + (hi - lo) / 2;
                if (glibc_off(mid) == prev) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            expect_same(p, glibc_tz, hi - 1);
            expect_same(p, glibc_tz, hi);
            changes++;
        }
        prev = g;
        prev_t = t;
    }
    oracle_reset();
    return changes;
}

/* One change of offset: `before` up to the second before `at`, `after` from it on. */
struct tz_change {
    int64_t at;
    int32_t before, after;
};

static void expect_changes(const struct s3_partitioner *p, const char *zone,
                           const struct tz_change *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int64_t b = our_off(p, c[i].at - 1), a = our_off(p, c[i].at);
        if (b != c[i].before || a != c[i].after) {
            print_error("%s at %lld: %+lld then %+lld, want %+d then %+d\n", zone,
                        (long long)c[i].at, (long long)b, (long long)a, c[i].before, c[i].after);
        }
        assert_int_equal(b, c[i].before);
        assert_int_equal(a, c[i].after);
        /* and in the middle of the half year after it */
        assert_int_equal(our_off(p, c[i].at + 90 * 86400), c[i].after);
    }
}

#define Y2000 946684800LL
#define Y2020 1577836800LL
#define Y2038 2145916800LL /* glibc is the oracle up to here; later years use known offsets */

/* Hand-made slim and footer-only files against glibc reading the same bytes (or the footer
 * itself as TZ): offsets on a 3-hour grid and at every change, to the second. */
static void test_tz_footer_hand_made_vs_glibc(void **state)
{
    (void)state;
    struct kc_buf b;
    kc_buf_init(&b, 1 << 16);
    tzif_slim_ny(&b);
    write_zone_buf("Test/SlimNY", &b);
    struct s3_partitioner *p = mk_zone(tz_dir, "Test/SlimNY");
    /* 2000 to 2007-03: before the first transition, EST; then the file's two, then 30 years
     * of the footer's two a year */
    assert_int_equal(compare_with_glibc(p, "Test/SlimNY", tz_dir, Y2000, Y2038, 3 * 3600),
                     2 + 2 * 30);
    s3_partitioner_free(p);

    /* glibc reads these footers as TZ itself. Changes must stay inside their year: glibc
     * evaluates a rule one UTC year at a time, so a change that spills into the next year
     * (J365/25) is where it and RFC 8536 part (see test_tz_footer_all_year_dst). */
    static const struct {
        const char *footer;
        int changes_per_year;
        int32_t jan_2100; /* offset on 2100-01-15, past glibc's range here */
        int32_t jul_2100;
    } cases[] = {
        {"EST5EDT,M3.2.0,M11.1.0", 2, -18000, -14400},
        {"<+03>-3", 0, 10800, 10800},                                      /* no DST */
        {"IST-2IDT,M3.4.4/26,M10.5.0", 2, 7200, 10800},                    /* Asia/Jerusalem */
        {"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", 2, -7200, -3600},              /* America/Nuuk */
        {"<-04>4<-03>,M9.1.6/24,M4.1.6/24", 2, -10800, -14400},            /* America/Santiago */
        {"<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45", 2, 49500, 45900}, /* Pacific/Chatham */
        {"AEST-10AEDT,M10.1.0,M4.1.0/3", 2, 39600, 36000},                 /* Australia/Sydney */
        {"XXX3YYY,J60/1:30:15,280/-2", 2, -10800, -7200},                  /* Jn, n, negative */
        {"<-0330>3:30<-0130>1:30,J2/0,J364/23:59:59", 2, -5400, -5400},    /* 2 h std a year */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *name = kc_asprintf("Test/Footer%zu", i);
        assert_non_null(name);
        tzif_footer_only(&b, cases[i].jan_2100, cases[i].footer, strlen(cases[i].footer));
        write_zone_buf(name, &b);
        p = mk_zone(tz_dir, name);
        kc_free(name);
        int changes = compare_with_glibc(p, cases[i].footer, NULL, Y2020, Y2038, 3 * 3600);
        if (changes != 18 * cases[i].changes_per_year) {
            print_error("%s: %d changes\n", cases[i].footer, changes);
        }
        assert_int_equal(changes, 18 * cases[i].changes_per_year);
        assert_int_equal(our_off(p, utc(2100, 1, 15, 12, 0, 0)), cases[i].jan_2100);
        assert_int_equal(our_off(p, utc(2100, 7, 15, 12, 0, 0)), cases[i].jul_2100);
        s3_partitioner_free(p);
    }
    /* dst without rules takes M3.2.0,M11.1.0 (glibc would take them from posixrules) */
    tzif_footer_only(&b, 19815, "ABC-5:30:15DEF", 14);
    write_zone_buf("Test/NoRules", &b);
    p = mk_zone(tz_dir, "Test/NoRules");
    static const struct tz_change no_rules[] = {
        {2215062000 - 19815 - 18000 /* 2040-03-11 02:00 local std */, 19815, 23415},
        {2235621600 - 23415 - 14400 /* 2040-11-04 02:00 local dst */, 23415, 19815}};
    expect_changes(p, "Test/NoRules", no_rules, 2);
    s3_partitioner_free(p);
    kc_buf_fini(&b);
}

/* DST all year (RFC 8536 3.3.1's own example): daylight time never ends, not even for the
 * hours around the new year where glibc, which evaluates one UTC year at a time, falls back. */
static void test_tz_footer_all_year_dst(void **state)
{
    (void)state;
    struct kc_buf b;
    kc_buf_init(&b, 1 << 16);
    const char *footer = "EST5EDT4,0/0,J365/25";
    tzif_footer_only(&b, -14400, footer, strlen(footer));
    write_zone_buf("Test/AllYearDST", &b);
    kc_buf_fini(&b);
    struct s3_partitioner *p = mk_zone(tz_dir, "Test/AllYearDST");
    for (int64_t y = 2020; y <= 2101; y += 9) {
        for (int h = 0; h < 8; h++) {
            assert_int_equal(our_off(p, utc(y, 1, 1, h, 0, 0) - 1), -14400);
            assert_int_equal(our_off(p, utc(y, 1, 1, h, 0, 0)), -14400);
        }
        assert_int_equal(our_off(p, utc(y, 7, 1, 0, 0, 0)), -14400);
    }
    s3_partitioner_free(p);
}

/* The system's zones against glibc up to 2037: the fat files' transitions, and, after the last
 * one, the footer. */
static void test_tz_system_zones_vs_glibc(void **state)
{
    (void)state;
    static const char *const zones[] = {"America/New_York", "Europe/Berlin",  "Australia/Sydney",
                                        "Asia/Dubai",       "Asia/Jerusalem", "America/Nuuk",
                                        "America/Santiago", "Pacific/Chatham"};
    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
        struct s3_partitioner *p = mk_zone(NULL, zones[i]);
        int changes = compare_with_glibc(p, zones[i], NULL, Y2000, Y2038, 6 * 3600);
        assert_true(strcmp(zones[i], "Asia/Dubai") == 0 ? changes == 0 : changes >= 30);
        s3_partitioner_free(p);
    }
}

/* New York, from the fat system file, a hand-made slim file and a transition-free one: 2026
 * (today, where slim files without the footer went wrong), 2040 and 2100 (past every fat
 * file). Offsets as the US rules since 2007 give them. */
static void test_tz_new_york_2026_2040_2100(void **state)
{
    (void)state;
    static const struct tz_change ny[] = {
        {1772953200 /* 2026-03-08T07:00Z */, -18000, -14400},
        {1793512800 /* 2026-11-01T06:00Z */, -14400, -18000},
        {2215062000 /* 2040-03-11T07:00Z */, -18000, -14400},
        {2235621600 /* 2040-11-04T06:00Z */, -14400, -18000},
        {4108690800 /* 2100-03-14T07:00Z */, -18000, -14400},
        {4129250400 /* 2100-11-07T06:00Z */, -14400, -18000},
    };
    struct kc_buf b;
    kc_buf_init(&b, 1 << 16);
    tzif_slim_ny(&b);
    write_zone_buf("Test/SlimNY2", &b);
    const char *footer = "EST5EDT,M3.2.0,M11.1.0";
    tzif_footer_only(&b, -18000, footer, strlen(footer));
    write_zone_buf("Test/ZeroNY", &b);
    kc_buf_fini(&b);
    const struct {
        const char *dir, *zone;
    } files[] = {{NULL, "America/New_York"}, {tz_dir, "Test/SlimNY2"}, {tz_dir, "Test/ZeroNY"}};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        struct s3_partitioner *p = mk_zone(files[i].dir, files[i].zone);
        expect_changes(p, files[i].zone, ny, sizeof(ny) / sizeof(ny[0]));
        assert_int_equal(our_off(p, utc(2026, 7, 15, 12, 0, 0)), -14400);
        assert_int_equal(our_off(p, utc(2026, 1, 15, 12, 0, 0)), -18000);
        /* and what lands in the paths */
        check_enc(p, utc(2026, 7, 15, 12, 30, 0) * 1000, "2026/07/15/08");
        check_enc(p, utc(2026, 1, 15, 12, 30, 0) * 1000, "2026/01/15/07");
        check_enc(p, utc(2100, 7, 15, 12, 30, 0) * 1000, "2100/07/15/08");
        check_enc(p, utc(2100, 12, 25, 3, 0, 0) * 1000, "2100/12/24/22");
        s3_partitioner_free(p);
    }
}

/* Past 2037, where only the footers speak: Berlin 2050, Sydney 2045 (daylight time across the
 * new year), Jerusalem, Nuuk, Santiago and Chatham 2060 (odd rule times), Dubai (no DST).
 * Instants from the current tzdata rules (Python's zoneinfo agrees). */
static void test_tz_system_zones_after_2037(void **state)
{
    (void)state;
    static const struct tz_change berlin[] = {{2531955600 /* 2050-03-27T01:00Z */, 3600, 7200},
                                              {2550704400 /* 2050-10-30T01:00Z */, 7200, 3600}};
    static const struct tz_change sydney[] = {{2374675200 /* 2045-04-01T16:00Z */, 39600, 36000},
                                              {2390400000 /* 2045-09-30T16:00Z */, 36000, 39600}};
    static const struct tz_change jerusalem[] = {{2847484800 /* 2060-03-26T00:00Z */, 7200, 10800},
                                                 {2866402800 /* 2060-10-30T23:00Z */, 10800, 7200}};
    static const struct tz_change nuuk[] = {{2847661200 /* 2060-03-28T01:00Z */, -7200, -3600},
                                            {2866410000 /* 2060-10-31T01:00Z */, -3600, -7200}};
    static const struct tz_change santiago[] = {
        {2848273200 /* 2060-04-04T03:00Z */, -10800, -14400},
        {2861582400 /* 2060-09-05T04:00Z */, -14400, -10800}};
    static const struct tz_change chatham[] = {{2848226400 /* 2060-04-03T14:00Z */, 49500, 45900},
                                               {2863346400 /* 2060-09-25T14:00Z */, 45900, 49500}};
    static const struct {
        const char *zone;
        const struct tz_change *c;
        size_t n;
    } zones[] = {{"Europe/Berlin", berlin, 2},      {"Australia/Sydney", sydney, 2},
                 {"Asia/Jerusalem", jerusalem, 2},  {"America/Nuuk", nuuk, 2},
                 {"America/Santiago", santiago, 2}, {"Pacific/Chatham", chatham, 2}};
    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
        struct s3_partitioner *p = mk_zone(NULL, zones[i].zone);
        expect_changes(p, zones[i].zone, zones[i].c, zones[i].n);
        s3_partitioner_free(p);
    }
    struct s3_partitioner *p = mk_zone(NULL, "Australia/Sydney");
    /* the southern summer spans 2045/2046: AEDT on both sides of the new year */
    assert_int_equal(our_off(p, utc(2046, 1, 1, 0, 0, 0) - 1), 39600);
    assert_int_equal(our_off(p, utc(2046, 1, 1, 0, 0, 0)), 39600);
    check_enc(p, utc(2045, 12, 31, 13, 0, 0) * 1000, "2046/01/01/00");
    s3_partitioner_free(p);
    p = mk_zone(NULL, "Europe/Berlin");
    check_enc(p, utc(2050, 7, 1, 12, 0, 0) * 1000, "2050/07/01/14");
    check_enc(p, utc(2050, 1, 1, 12, 0, 0) * 1000, "2050/01/01/13");
    s3_partitioner_free(p);
    p = mk_zone(NULL, "Asia/Dubai");
    for (int64_t y = 2038; y <= 2400; y += 11) {
        assert_int_equal(our_off(p, utc(y, 1, 1, 0, 0, 0)), 14400);
        assert_int_equal(our_off(p, utc(y, 7, 1, 0, 0, 0)), 14400);
    }
    s3_partitioner_free(p);
    /* a hand-made no-DST footer, past glibc's range too */
    struct kc_buf b;
    kc_buf_init(&b, 1 << 16);
    tzif_footer_only(&b, 10800, "<+03>-3", 7);
    write_zone_buf("Test/Plus3", &b);
    kc_buf_fini(&b);
    p = mk_zone(tz_dir, "Test/Plus3");
    assert_int_equal(our_off(p, utc(1900, 1, 1, 0, 0, 0)), 10800);
    assert_int_equal(our_off(p, utc(2300, 7, 1, 0, 0, 0)), 10800);
    check_enc(p, utc(2200, 3, 1, 22, 0, 0) * 1000, "2200/03/02/01");
    s3_partitioner_free(p);
}

/* Footers that are not POSIX TZ strings are refused with a message naming the zone. */
static void test_tz_footer_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *footer;
        size_t len; /* 0: strlen */
        const char *msg;
    } bad[] = {
        {"EST", 0, "an offset"},
        {"ES5", 0, "3 or more letters"},
        {"5EST", 0, "3 or more letters"},
        {"<+3>-3", 0, "quoted name"},
        {"<+03-3", 0, "quoted name"},
        {"<+0 3>-3", 0, "quoted name"},
        {"EST25", 0, "hh 0..24"},
        {"EST0005", 0, "an offset"},
        {"EST5:60", 0, "an offset"},
        {"EST5:", 0, "an offset"},
        {"EST+", 0, "an offset"},
        {"EST 5", 0, "an offset"},
        {"EST5EDT,M3.2.0", 0, "end of daylight time"},
        {"EST5EDT;M3.2.0,M11.1.0", 0, "an offset"},
        {"EST5EDT,M13.2.0,M11.1.0", 0, "m 1..12"},
        {"EST5EDT,M0.2.0,M11.1.0", 0, "m 1..12"},
        {"EST5EDT,M3.6.0,M11.1.0", 0, "w 1..5"},
        {"EST5EDT,M3.0.0,M11.1.0", 0, "w 1..5"},
        {"EST5EDT,M3.2.7,M11.1.0", 0, "d 0..6"},
        {"EST5EDT,M3..0,M11.1.0", 0, "Mm.w.d"},
        {"EST5EDT,M3.2.0/168,M11.1.0", 0, "hh 0..167"},
        {"EST5EDT,M3.2.0/-168,M11.1.0", 0, "hh 0..167"},
        {"EST5EDT,M3.2.0/,M11.1.0", 0, "hh 0..167"},
        {"EST5EDT,M3.2.0/1:2:3:4,M11.1.0", 0, "end of daylight time"},
        {"EST5EDT,J0,J365", 0, "1..365 after 'J'"},
        {"EST5EDT,366,0", 0, "Jn, n or Mm.w.d"},
        {"EST5EDT,,M11.1.0", 0, "Jn, n or Mm.w.d"},
        {"EST5EDT,M3.2.0,M11.1.0x", 0, "the end of the TZ string"},
        {"EST5EDT,M3.2.0,M11.1.0,", 0, "the end of the TZ string"},
        {"EST5\0EDT", 8, "3 or more letters"},
        {"EST5EDT,M3.2.0,M11.1.0\xff", 0, "the end of the TZ string"},
        {"\xc3\x89ST5", 0, "3 or more letters"},
    };
    struct kc_buf b;
    kc_buf_init(&b, 1 << 16);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t len = bad[i].len != 0 ? bad[i].len : strlen(bad[i].footer);
        tzif_footer_only(&b, -18000, bad[i].footer, len);
        write_zone_buf("Test/Bad", &b);
        struct s3_partitioner *p = NULL;
        struct kc_error err;
        int rc = try_zone(tz_dir, "Test/Bad", &p, &err);
        if (rc != KC_EINVAL || strstr(err.msg, bad[i].msg) == NULL) {
            print_error("footer #%zu: rc %d, %s\n", i, rc, rc != KC_OK ? err.msg : "(accepted)");
        }
        assert_int_equal(rc, KC_EINVAL);
        assert_null(p);
        assert_non_null(strstr(err.msg, "'Test/Bad'"));
        assert_non_null(strstr(err.msg, "malformed TZ string footer"));
        assert_non_null(strstr(err.msg, bad[i].msg));
    }
    /* the message shows the footer (non-printable bytes as '?', long ones cut visibly) */
    tzif_footer_only(&b, -18000, "EST5EDT,M13.2.0,M11.1.0", 23);
    write_zone_buf("Test/Bad", &b);
    struct s3_partitioner *p = NULL;
    struct kc_error err;
    assert_int_equal(try_zone(tz_dir, "Test/Bad", &p, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "\"EST5EDT,M13.2.0,M11.1.0\""));
    assert_non_null(strstr(err.msg, "at byte 8"));
    char longf[200];
    memset(longf, 'A', sizeof(longf));
    tzif_footer_only(&b, -18000, longf, sizeof(longf));
    write_zone_buf("Test/Bad", &b);
    assert_int_equal(try_zone(tz_dir, "Test/Bad", &p, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "AAAA...\""));

    /* a footer's frame: no leading or trailing newline */
    tzif_footer_only(&b, -18000, "EST5", 4);
    b.len--; /* drop the final '\n' */
    write_zone_buf("Test/Bad", &b);
    assert_int_equal(try_zone(tz_dir, "Test/Bad", &p, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "no complete TZ string footer"));
    tzif_footer_only(&b, -18000, "EST5", 4);
    b.data[b.len - 6] = 'x'; /* the leading '\n' */
    write_zone_buf("Test/Bad", &b);
    assert_int_equal(try_zone(tz_dir, "Test/Bad", &p, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "no complete TZ string footer"));

    /* and well-formed edge cases are accepted */
    static const char *const good[] = {
        "<+0330>-3:30",
        "EST5EDT",
        "<-00>0",
        "UTC0",
        "XXX-24:00:00YYY+24,M1.1.0/-167,M12.5.6/167",
        "AAA+1BBB+0:30:15,J365/0,0/-0:00:01",
        "<A+1>1<B-2>,M12.5.0/24,M1.1.1",
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        tzif_footer_only(&b, 0, good[i], strlen(good[i]));
        write_zone_buf("Test/Good", &b);
        int rc = try_zone(tz_dir, "Test/Good", &p, &err);
        if (rc != KC_OK) {
            print_error("%s: %s\n", good[i], err.msg);
        }
        assert_int_equal(rc, KC_OK);
        int64_t off = our_off(p, utc(2200, 1, 1, 0, 0, 0));
        assert_true(off >= -86400 && off <= 86400);
        s3_partitioner_free(p);
    }
    kc_buf_fini(&b);
}

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Load the bytes as a zone. If accepted, the offset must stay within the bounds a TZ string
 * allows (|utoff| <= 25 h) or the file's own (anything int32) and never crash; ASan and UBSan
 * watch the reads, the file being held in a buffer of exactly its size. */
static void load_untrusted(const void *data, size_t n, int footer_only)
{
    write_zone("Test/Fuzz", data, n);
    struct s3_partitioner *p = NULL;
    struct kc_error err;
    int rc = try_zone(tz_dir, "Test/Fuzz", &p, &err);
    assert_true(rc == KC_OK || rc == KC_EINVAL);
    if (rc != KC_OK) {
        assert_null(p);
        assert_non_null(strstr(err.msg, "Test/Fuzz"));
        return;
    }
    static const int64_t probes[] = {-(INT64_MAX / 2000), -1, 0, 1173596400, 1794000000, 4000000000,
                                     INT64_MAX / 2000};
    for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
        int64_t off = our_off(p, probes[i]);
        if (footer_only) {
            assert_true(off >= -25 * 3600 && off <= 25 * 3600);
        }
    }
    s3_partitioner_free(p);
}

/* Where tzif_v2 puts the second header: after 44 + 6 + 1 bytes of header and v1 block. */
#define SLIM_V2_HDR 51

/* Every truncation of a valid slim file, random byte flips in it, and random footers. */
static void test_tz_untrusted_bytes(void **state)
{
    (void)state;
    struct kc_buf b;
    kc_buf_init(&b, 1 << 16);
    tzif_slim_ny(&b);
    size_t n = b.len;
    unsigned char *good = kc_malloc(n);
    assert_non_null(good);
    memcpy(good, b.data, n);
    kc_buf_reset(&b);
    for (size_t len = 0; len < n; len++) {
        write_zone("Test/Fuzz", good, len);
        struct s3_partitioner *p = NULL;
        struct kc_error err;
        assert_int_equal(try_zone(tz_dir, "Test/Fuzz", &p, &err), KC_EINVAL);
        assert_null(p);
    }
    load_untrusted(good, n, 0);
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    unsigned char *m = kc_malloc(n);
    assert_non_null(m);
    for (int round = 0; round < 3000; round++) {
        memcpy(m, good, n);
        int flips = 1 + (int)(xorshift(&seed) % 4);
        for (int k = 0; k < flips; k++) {
            uint64_t r = xorshift(&seed);
            /* half the flips in the counts of the two headers, the rest anywhere */
            size_t at = r % 2 == 0 ? (r >> 8) % 2 == 0 ? 20 + (r >> 16) % 24
                                                       : SLIM_V2_HDR + 20 + (r >> 16) % 24
                                   : (r >> 8) % n;
            m[at] = (unsigned char)(r >> 32);
        }
        load_untrusted(m, n, 0);
    }
    static const char alphabet[] = "ESTDUCAJM<>+-:,./0123456789 \n";
    for (int round = 0; round < 3000; round++) {
        char f[40];
        size_t len = xorshift(&seed) % sizeof(f);
        for (size_t i = 0; i < len; i++) {
            f[i] = alphabet[xorshift(&seed) % (sizeof(alphabet) - 1)];
        }
        tzif_footer_only(&b, 0, f, len);
        load_untrusted(b.data, b.len, 1);
        kc_buf_reset(&b);
    }
    kc_free(m);
    kc_free(good);
    kc_buf_fini(&b);
}

static const char *find_zic(void)
{
    if (access("/usr/sbin/zic", X_OK) == 0) {
        return "/usr/sbin/zic";
    }
    return system("command -v zic >/dev/null 2>&1") == 0 ? "zic" : NULL;
}

/* Slim files from zic itself, when the machine has it (Debian: libc-bin), against glibc
 * reading the same files, and against the US and Australian rules past 2037. */
static void test_tz_zic_slim(void **state)
{
    (void)state;
    const char *zic = find_zic();
    if (zic == NULL) {
        print_message("zic not found: slim files from zic not tested (hand-made ones are)\n");
        skip();
    }
    static const char src[] = "Rule TNY 1967 2006 - Oct lastSun 2:00 0 S\n"
                              "Rule TNY 1987 2006 - Apr Sun>=1 2:00 1:00 D\n"
                              "Rule TNY 2007 max - Mar Sun>=8 2:00 1:00 D\n"
                              "Rule TNY 2007 max - Nov Sun>=1 2:00 0 S\n"
                              "Zone Test/ZicNY -5:00 TNY E%sT\n"
                              "Rule TAS 1996 2005 - Mar lastSun 2:00s 0 S\n"
                              "Rule TAS 1995 2007 - Oct lastSun 2:00s 1:00 D\n"
                              "Rule TAS 2006 only - Apr Sun>=1 2:00s 0 S\n"
                              "Rule TAS 2007 only - Mar lastSun 2:00s 0 S\n"
                              "Rule TAS 2008 max - Apr Sun>=1 2:00s 0 S\n"
                              "Rule TAS 2008 max - Oct Sun>=1 2:00s 1:00 D\n"
                              "Zone Test/ZicSydney 10:00 TAS AE%sT\n";
    write_zone("zones.zi", src, sizeof(src) - 1);
    char *cmd = kc_asprintf("%s -b slim -d '%s' '%s/zones.zi'", zic, tz_dir, tz_dir);
    assert_non_null(cmd);
    assert_int_equal(system(cmd), 0);
    kc_free(cmd);

    struct s3_partitioner *p = mk_zone(tz_dir, "Test/ZicNY");
    /* a slim file stops at 2007; the rest is the footer */
    int changes = compare_with_glibc(p, "Test/ZicNY", tz_dir, Y2000, Y2038, 3 * 3600);
    assert_int_equal(changes, 2 * 38);
    static const struct tz_change ny[] = {
        {1772953200 /* 2026-03-08T07:00Z */, -18000, -14400},
        {1793512800 /* 2026-11-01T06:00Z */, -14400, -18000},
        {2215062000 /* 2040-03-11T07:00Z */, -18000, -14400},
        {4129250400 /* 2100-11-07T06:00Z */, -14400, -18000},
    };
    expect_changes(p, "Test/ZicNY", ny, sizeof(ny) / sizeof(ny[0]));
    s3_partitioner_free(p);

    p = mk_zone(tz_dir, "Test/ZicSydney");
    changes = compare_with_glibc(p, "Test/ZicSydney", tz_dir, Y2000, Y2038, 3 * 3600);
    assert_int_equal(changes, 2 * 38);
    static const struct tz_change syd[] = {{2374675200 /* 2045-04-01T16:00Z */, 39600, 36000},
                                           {2390400000 /* 2045-09-30T16:00Z */, 36000, 39600}};
    expect_changes(p, "Test/ZicSydney", syd, 2);
    s3_partitioner_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default),
        cmocka_unit_test(test_hourly_utc_and_zones),
        cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_bad_configs),
        cmocka_unit_test(test_field),
        cmocka_unit_test(test_extractors),
        cmocka_unit_test(test_tz_footer_hand_made_vs_glibc),
        cmocka_unit_test(test_tz_footer_all_year_dst),
        cmocka_unit_test(test_tz_system_zones_vs_glibc),
        cmocka_unit_test(test_tz_new_york_2026_2040_2100),
        cmocka_unit_test(test_tz_system_zones_after_2037),
        cmocka_unit_test(test_tz_footer_malformed),
        cmocka_unit_test(test_tz_untrusted_bytes),
        cmocka_unit_test(test_tz_zic_slim),
    };
    return cmocka_run_group_tests(tests, tz_group_setup, tz_group_teardown);
}
