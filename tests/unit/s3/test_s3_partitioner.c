/*
 * tests/unit/s3/test_s3_partitioner.c: Confluent's partitioners as the JVM formats them: Joda
 * patterns with quoted literals, floors to partition.duration.ms in the zone (fixed offsets and
 * IANA zones across DST), the Daily/Hourly presets, FieldPartitioner values, and the extractors'
 * timestamps (ISO-8601 with zones, digits, Kafka time).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "s3_partitioner.h"

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
    const char *fields[] = {"device_type", "meta.site", "n"};
    struct s3_partitioner_config c = {.class_name = "FieldPartitioner", .fields = fields,
                                      .n_fields = 3};
    struct s3_partitioner *p = NULL;
    struct kc_error err;
    assert_int_equal(s3_partitioner_new(&c, &p, &err), 0);
    json_t *v = json_loads("{\"device_type\":\"temp\",\"meta\":{\"site\":\"a\"},\"n\":7}", 0,
                           NULL);
    struct kc_buf b;
    kc_buf_init(&b, 4096);
    assert_int_equal(s3_partitioner_encode(p, v, 0, 0, &b, &err), 0);
    kc_buf_append_byte(&b, 0);
    assert_string_equal(b.data, "device_type=temp/meta.site=a/n=7");
    json_decref(v);
    v = json_loads("{\"device_type\":1.5}", 0, NULL);
    assert_int_equal(s3_partitioner_encode(p, v, 0, 0, &b, &err), KC_EINVAL);
    json_decref(v);
    kc_buf_fini(&b);
    s3_partitioner_free(p);
}

static void test_extractors(void **state)
{
    (void)state;
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
        json_t *v = json_loads(ok[i].json, 0, NULL);
        assert_int_equal(s3_partitioner_timestamp(p, v, 0, 0, 0, &ts, &err), 0);
        assert_int_equal(ts, ok[i].want);
        json_decref(v);
    }
    json_t *v = json_loads("{\"timestamp\":\"yesterday\"}", 0, NULL);
    assert_int_equal(s3_partitioner_timestamp(p, v, 0, 0, 0, &ts, &err), KC_EINVAL);
    json_decref(v);
    v = json_loads("{\"other\":1}", 0, NULL);
    assert_int_equal(s3_partitioner_timestamp(p, v, 0, 0, 0, &ts, &err), KC_EINVAL);
    json_decref(v);
    s3_partitioner_free(p);
    p = mk("HourlyPartitioner", "", 0, "UTC", "Record");
    assert_int_equal(s3_partitioner_timestamp(p, NULL, 5, 1, 9, &ts, &err), 0);
    assert_int_equal(ts, 5);
    assert_int_equal(s3_partitioner_timestamp(p, NULL, 5, 0, 9, &ts, &err), KC_EINVAL);
    s3_partitioner_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default),   cmocka_unit_test(test_hourly_utc_and_zones),
        cmocka_unit_test(test_patterns),  cmocka_unit_test(test_bad_configs),
        cmocka_unit_test(test_field),     cmocka_unit_test(test_extractors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
