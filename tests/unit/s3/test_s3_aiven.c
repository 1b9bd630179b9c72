/*
 * tests/unit/s3/test_s3_aiven.c: Aiven's S3 sink class on our sink: file.name.template checks
 * and rendering (padding, timestamp units, prefix), the key translation's per-key refusals, and
 * the sink through the harness (JSON lines rows of format.output.fields, file.max.records sets,
 * the same object names after a crash).
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

#include <ftw.h>
#include <unistd.h>

#include <cmocka.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "kc_buf.h"
#include "kc_strmap.h"
#include "s3_conf.h"
#include "sink_harness.h"

extern const struct sink_connector_ops s3_aiven_sink_ops;

#define T0 1717236000000LL /* 2024-06-01T10:00:00Z */

static void test_template_check(void **state)
{
    (void)state;
    struct kc_error err;
    const char *good[] = {
        "{{topic}}-{{partition}}-{{start_offset}}",
        ("{{ topic }}/{{timestamp:unit=yyyy}}/{{timestamp:unit=MM}}/{{partition:padding=true}}-"
         "{{start_offset:padding=false}}.parquet"),
        "x/{{topic}}{{partition}}{{start_offset}}",
        "{{key}}",
        "{{topic}}/{{partition}}/{{key}}.json",
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_int_equal(s3_aiven_template_check(good[i], NULL, &err), KC_OK);
    }
    const struct {
        const char *t, *why;
    } bad[] = {
        {"{{topic}}-{{start_offset}}", "unsupported set of template variables"},
        {"{{topic}}-{{partition}}", "unsupported set"},
        {"{{topic}}-{{partition}}-{{start_offset:padding=1}}", "padding"},
        {"{{topic}}-{{partition}}-{{start_offset}}-{{timestamp:unit=mm}}", "unit"},
        {"{{topic}}-{{partition}}-{{start_offset}}-{{nope}}", "unsupported variable nope"},
        {"{{topic}}-{{partition}}-{{start_offset", "unclosed"},
        {"{{key}}-{{start_offset}}", "unsupported set"},
        {"{{key}}-{{topic}}", "unsupported set"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(s3_aiven_template_check(bad[i].t, NULL, &err), KC_EINVAL);
        if (strstr(err.msg, bad[i].why) == NULL) {
            print_error("%s: %s\n", bad[i].t, err.msg);
        }
        assert_non_null(strstr(err.msg, bad[i].why));
    }
}

static void render(const struct s3_aiven *a, int64_t start, int64_t ts, const char *want)
{
    struct kc_buf b;
    struct kc_error err;
    kc_buf_init(&b, 1 << 20);
    assert_int_equal(s3_aiven_render(a, "iot", 7, start, ts, "k1", 2, &b, &err), KC_OK);
    assert_int_equal(kc_buf_append_byte(&b, 0), KC_OK);
    assert_string_equal((const char *)b.data, want);
    kc_buf_fini(&b);
}

static void test_render(void **state)
{
    (void)state;
    struct s3_aiven a = {.on = 1, .prefix = "", .tmpl = "{{topic}}-{{partition}}-{{start_offset}}.gz"};
    render(&a, 42, T0, "iot-7-42.gz");
    render(&a, -1, T0, "iot-7-.gz"); /* the grouping key: no start offset */
    a.prefix = "lake/";
    a.tmpl = "{{topic}}/{{timestamp:unit=yyyy}}/{{timestamp:unit=MM}}/{{timestamp:unit=dd}}/"
             "{{timestamp:unit=HH}}/{{topic}}-{{partition:padding=true}}-"
             "{{start_offset:padding=true}}";
    render(&a, 42, T0 + 3 * 3600000LL, "lake/iot/2024/06/01/13/iot-0000000007-00000000000000000042");
    /* the caller shifts to the zone: Asia/Kolkata is +05:30 */
    render(&a, 0, T0 + 19800000LL, "lake/iot/2024/06/01/15/iot-0000000007-00000000000000000000");
}

static struct kc_strmap *base_cfg(const char *dir)
{
    struct kc_strmap *cfg = kc_strmap_new();
    char url[256];
    snprintf(url, sizeof(url), "file://%s", dir);
    kc_strmap_set(cfg, "store.url", url);
    kc_strmap_set(cfg, "aws.s3.bucket.name", "b");
    kc_strmap_set(cfg, "format.output.type", "jsonl");
    kc_strmap_set(cfg, "file.compression.type", "none");
    kc_strmap_set(cfg, "file.max.records", "5");
    kc_strmap_set(cfg, "format.output.fields", "key,offset,timestamp,value");
    return cfg;
}

static void test_refusals(void **state)
{
    (void)state;
    const struct {
        const char *k, *v, *why;
    } bad[] = {
        {"file.compression.type", "lz4", "file.compression.type: supported values are"},
        {"format.output.fields", "value,value", "format.output.fields: value given twice"},
        {"format.output.envelope", "false", "format.output.envelope: Cannot disable"},
        {"file.name.template", "{{topic}}", "file.name.template: unsupported set"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct kc_strmap *cfg = base_cfg("/tmp");
        kc_strmap_set(cfg, bad[i].k, bad[i].v);
        struct sink_harness *h = NULL;
        struct kc_error err = {0};
        int rc = sink_harness_new(&s3_aiven_sink_ops, cfg, &h, &err);
        kc_strmap_free(cfg);
        assert_int_not_equal(rc, KC_OK);
        if (strstr(err.msg, bad[i].why) == NULL) {
            print_error("%s=%s: %s\n", bad[i].k, bad[i].v, err.msg);
        }
        assert_non_null(strstr(err.msg, bad[i].why));
    }
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void test_sink_jsonl_sets_and_crash(void **state)
{
    (void)state;
    char dir[64];
    snprintf(dir, sizeof(dir), "/tmp/kc-s3-aiven-XXXXXX");
    assert_non_null(mkdtemp(dir));
    struct kc_strmap *cfg = base_cfg(dir);
    struct sink_harness *h = NULL;
    struct kc_error err = {0};
    assert_int_equal(sink_harness_new(&s3_aiven_sink_ops, cfg, &h, &err), KC_OK);
    kc_strmap_free(cfg);
    for (int i = 0; i < 12; i++) {
        char v[64], k[16];
        int n = snprintf(v, sizeof(v), "{\"seq\":%d}", i);
        snprintf(k, sizeof(k), "k%d", i % 3);
        assert_int_equal(sink_harness_produce(h, "iot", 0, k, v, (size_t)n, T0 + i * 1000), 0);
    }
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
    assert_int_equal(sink_harness_drain(h, 4, 100, &err), 0);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    /* sets of file.max.records: [0,5) [5,10) committed, [10,12) open */
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 10);
    char path[128];
    snprintf(path, sizeof(path), "%s/iot-0-5", dir);
    char *a = slurp(path);
    assert_non_null(a);
    assert_string_equal(a, "{\"key\":\"k2\",\"offset\":5,\"timestamp\":\"2024-06-01T10:00:05Z\","
                           "\"value\":{\"seq\":5}}\n"
                           "{\"key\":\"k0\",\"offset\":6,\"timestamp\":\"2024-06-01T10:00:06Z\","
                           "\"value\":{\"seq\":6}}\n"
                           "{\"key\":\"k1\",\"offset\":7,\"timestamp\":\"2024-06-01T10:00:07Z\","
                           "\"value\":{\"seq\":7}}\n"
                           "{\"key\":\"k2\",\"offset\":8,\"timestamp\":\"2024-06-01T10:00:08Z\","
                           "\"value\":{\"seq\":8}}\n"
                           "{\"key\":\"k0\",\"offset\":9,\"timestamp\":\"2024-06-01T10:00:09Z\","
                           "\"value\":{\"seq\":9}}\n");
    /* crash and restart: the open set is rebuilt from offset 10, the same names come back */
    assert_int_equal(sink_harness_crash(h, &err), 0);
    for (int i = 12; i < 15; i++) {
        char v[64];
        int n = snprintf(v, sizeof(v), "{\"seq\":%d}", i);
        assert_int_equal(sink_harness_produce(h, "iot", 0, "k", v, (size_t)n, T0 + i * 1000), 0);
    }
    assert_int_equal(sink_harness_drain(h, 4, 100, &err), 0);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 15);
    char *b = slurp(path);
    assert_string_equal(a, b);
    snprintf(path, sizeof(path), "%s/iot-0-10", dir);
    char *c = slurp(path);
    assert_non_null(c);
    assert_non_null(strstr(c, "\"offset\":14,"));
    assert_null(strstr(c, "\"offset\":15,"));
    free(a);
    free(b);
    free(c);
    sink_harness_free(h);
    nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* A whole file inflated: gzip members (zlib, windowBits 15 + 32 detects the wrapper) or zstd
 * frames. NULL when the bytes are not that. */
/*
 * A snappy-java stream (SnappyOutputStream): the 16-byte header, then blocks of a big-endian
 * length and raw Snappy, every block but the last holding exactly 32 KiB of input. NULL when
 * any of that is not so.
 */
static char *unsnappy(const unsigned char *in, size_t n, char *out, size_t cap)
{
    static const unsigned char header[16] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0,
                                             0,    0,   0,   1,   0,   0,   0,   1};
    if (n < 16 || memcmp(in, header, 16) != 0) {
        return NULL;
    }
    size_t at = 16, got = 0, last = 32768;
    while (at < n) {
        if (n - at < 4 || last != 32768) {
            return NULL; /* a short block before the end */
        }
        size_t len = (size_t)in[at] << 24 | (size_t)in[at + 1] << 16 | (size_t)in[at + 2] << 8 |
                     in[at + 3];
        at += 4;
        size_t plain = 0;
        if (len > n - at ||
            snappy_uncompressed_length((const char *)in + at, len, &plain) != SNAPPY_OK ||
            plain > 32768 || plain > cap - got ||
            snappy_uncompress((const char *)in + at, len, out + got, &plain) != SNAPPY_OK) {
            return NULL;
        }
        got += plain;
        at += len;
        last = plain;
    }
    out[got] = '\0';
    return out;
}

static char *inflate_all(const char *path, int zstd)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    unsigned char *in = malloc(1 << 20);
    size_t n = fread(in, 1, 1 << 20, f);
    fclose(f);
    size_t cap = 1 << 22;
    char *out = calloc(1, cap + 1);
    size_t got = 0;
    if (zstd == 2) {
        if (unsnappy(in, n, out, cap) == NULL) {
            free(out);
            out = NULL;
        }
    } else if (zstd) {
        size_t r = ZSTD_decompress(out, cap, in, n);
        if (ZSTD_isError(r)) {
            free(out);
            out = NULL;
        } else {
            out[r] = '\0';
        }
    } else {
        z_stream zs;
        memset(&zs, 0, sizeof(zs));
        int ok = inflateInit2(&zs, 15 + 32) == Z_OK;
        zs.next_in = in;
        zs.avail_in = (uInt)n;
        zs.next_out = (unsigned char *)out;
        zs.avail_out = (uInt)cap;
        ok = ok && inflate(&zs, Z_FINISH) == Z_STREAM_END && zs.avail_in == 0;
        got = cap - zs.avail_out;
        inflateEnd(&zs);
        if (!ok) {
            free(out);
            out = NULL;
        } else {
            out[got] = '\0';
        }
    }
    free(in);
    return out;
}

/* jsonl and json files through file.compression.type gzip (Aiven's default when unset, the
 * ".gz" template), zstd (".zst") and snappy (".snappy", snappy-java's stream, with values long
 * enough for a file to take two blocks): each file inflates to the very bytes of the same run
 * with none. */
static void test_sink_compressed_json(void **state)
{
    (void)state;
    const struct {
        const char *type, *z, *ext;
        int zstd; /* 2: snappy */
    } cases[] = {
        {"jsonl", NULL, ".gz", 0}, /* unset: gzip */
        {"jsonl", "zstd", ".zst", 1},
        {"json", "gzip", ".gz", 0},
        {"jsonl", "snappy", ".snappy", 2},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char dir[2][64];
        for (int way = 0; way < 2; way++) {
            snprintf(dir[way], sizeof(dir[way]), "/tmp/kc-s3-aivenz-XXXXXX");
            assert_non_null(mkdtemp(dir[way]));
            struct kc_strmap *cfg = base_cfg(dir[way]);
            kc_strmap_set(cfg, "format.output.type", cases[i].type);
            if (way == 0) {
                kc_strmap_set(cfg, "file.compression.type", "none");
            } else if (cases[i].z == NULL) {
                kc_strmap_del(cfg, "file.compression.type");
            } else {
                kc_strmap_set(cfg, "file.compression.type", cases[i].z);
            }
            struct sink_harness *h = NULL;
            struct kc_error err = {0};
            assert_int_equal(sink_harness_new(&s3_aiven_sink_ops, cfg, &h, &err), KC_OK);
            kc_strmap_free(cfg);
            for (int r = 0; r < 12; r++) {
                char v[12000];
                int pad = (cases[i].zstd == 2 ? 9000 : 20) + r; /* snappy: 2 blocks a file */
                int n = snprintf(v, sizeof(v), "{\"seq\":%d,\"pad\":\"%0*d\"}", r, pad, r);
                assert_int_equal(sink_harness_produce(h, "iot", 0, "k", v, (size_t)n,
                                                      T0 + r * 1000), 0);
            }
            assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
            assert_int_equal(sink_harness_drain(h, 4, 100, &err), 0);
            assert_int_equal(sink_harness_commit(h, &err), 0);
            assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 10);
            sink_harness_free(h);
        }
        for (int start = 0; start <= 5; start += 5) {
            char plain[160], packed[160];
            snprintf(plain, sizeof(plain), "%s/iot-0-%d", dir[0], start);
            snprintf(packed, sizeof(packed), "%s/iot-0-%d%s", dir[1], start, cases[i].ext);
            char *want = slurp(plain);
            char *got = inflate_all(packed, cases[i].zstd);
            assert_non_null(want);
            if (got == NULL || strcmp(got, want) != 0) {
                fail_msg("%s/%s %s: got [%s] want [%s]", cases[i].type,
                         cases[i].z ? cases[i].z : "(unset)", packed, got ? got : "(none)",
                         want);
            }
            assert_non_null(strstr(want, "\"seq\":"));
            free(want);
            free(got);
        }
        for (int way = 0; way < 2; way++) {
            nftw(dir[way], rm_one, 8, FTW_DEPTH | FTW_PHYS);
        }
    }
}

/* A row, a key or a value is as long as its record: a 200 KiB value and a 100 KiB key are
 * written whole (the row and key text had a 64 KiB cap that failed the task). */
static void test_sink_long_records(void **state)
{
    (void)state;
    char dir[64];
    snprintf(dir, sizeof(dir), "/tmp/kc-s3-aivenl-XXXXXX");
    assert_non_null(mkdtemp(dir));
    struct kc_strmap *cfg = base_cfg(dir);
    kc_strmap_set(cfg, "file.max.records", "1");
    kc_strmap_set(cfg, "format.output.fields", "key,value");
    struct sink_harness *h = NULL;
    struct kc_error err = {0};
    assert_int_equal(sink_harness_new(&s3_aiven_sink_ops, cfg, &h, &err), KC_OK);
    kc_strmap_free(cfg);
    size_t vn = 200 << 10, kn = 100 << 10;
    char *v = malloc(vn + 16), *k = malloc(kn + 1);
    memcpy(v, "{\"s\":\"", 6);
    memset(v + 6, 'x', vn);
    memcpy(v + 6 + vn, "\"}", 3);
    memset(k, 'k', kn);
    k[kn] = '\0';
    assert_int_equal(sink_harness_produce(h, "iot", 0, k, v, strlen(v), T0), 0);
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
    assert_int_equal(sink_harness_drain(h, 4, 100, &err), 0);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 1);
    char path[128];
    snprintf(path, sizeof(path), "%s/iot-0-0", dir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = vn + kn + 256;
    char *got = calloc(1, cap + 1);
    size_t n = fread(got, 1, cap, f);
    fclose(f);
    /* {"key":"kkk...","value":{"s":"xxx..."}} and a newline */
    assert_int_equal(n, 8 + kn + 10 + 6 + vn + 3 + 1);
    assert_memory_equal(got, "{\"key\":\"kkkk", 12);
    assert_memory_equal(got + n - 6, "xx\"}}\n", 6);
    free(got);
    free(v);
    free(k);
    sink_harness_free(h);
    nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* format.output.type=json: one JSON array per file, as Aiven's JsonOutputStreamWriter; a single
 * value field without the envelope is the value itself */
static void test_sink_json_array(void **state)
{
    (void)state;
    char dir[64];
    snprintf(dir, sizeof(dir), "/tmp/kc-s3-aiven-XXXXXX");
    assert_non_null(mkdtemp(dir));
    struct kc_strmap *cfg = base_cfg(dir);
    kc_strmap_set(cfg, "format.output.type", "json");
    kc_strmap_set(cfg, "format.output.fields", "value");
    kc_strmap_set(cfg, "format.output.envelope", "false");
    kc_strmap_set(cfg, "file.max.records", "3");
    kc_strmap_set(cfg, "aws.s3.prefix", "p/");
    struct sink_harness *h = NULL;
    struct kc_error err = {0};
    assert_int_equal(sink_harness_new(&s3_aiven_sink_ops, cfg, &h, &err), KC_OK);
    kc_strmap_free(cfg);
    for (int i = 0; i < 3; i++) {
        char v[64];
        int n = snprintf(v, sizeof(v), "{\"seq\":%d}", i);
        assert_int_equal(sink_harness_produce(h, "iot", 0, NULL, v, (size_t)n, T0), 0);
    }
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
    assert_int_equal(sink_harness_drain(h, 10, 100, &err), 0);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 3);
    char path[128];
    snprintf(path, sizeof(path), "%s/p/iot-0-0", dir);
    char *a = slurp(path);
    assert_non_null(a);
    assert_string_equal(a, "[\n{\"seq\":0},\n{\"seq\":1},\n{\"seq\":2}\n]");
    free(a);
    sink_harness_free(h);
    nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* {{key}}: one object per key holding its latest record, written at each interval and
 * overwritten by the next (Aiven's KeyRecordGrouper); file.max.records > 1 is refused */
static void test_sink_key_template(void **state)
{
    (void)state;
    char dir[64];
    snprintf(dir, sizeof(dir), "/tmp/kc-s3-aiven-XXXXXX");
    assert_non_null(mkdtemp(dir));
    struct kc_strmap *cfg = base_cfg(dir);
    kc_strmap_set(cfg, "file.name.template", "keys/{{key}}");
    struct sink_harness *h = NULL;
    struct kc_error err = {0};
    assert_int_not_equal(sink_harness_new(&s3_aiven_sink_ops, cfg, &h, &err), KC_OK);
    assert_non_null(strstr(err.msg, "file.max.records must be either 1 or not set"));
    kc_strmap_set(cfg, "file.max.records", "0");
    kc_strmap_set(cfg, "format.output.fields", "value");
    kc_strmap_set(cfg, "file.flush.interval.ms", "1000");
    assert_int_equal(sink_harness_new(&s3_aiven_sink_ops, cfg, &h, &err), KC_OK);
    kc_strmap_free(cfg);
    const char *keys[] = {"a", "b", "a", "c", "a", "b"};
    for (int i = 0; i < 6; i++) {
        char v[64];
        int n = snprintf(v, sizeof(v), "{\"seq\":%d}", i);
        assert_int_equal(sink_harness_produce(h, "iot", 0, keys[i], v, (size_t)n, T0), 0);
    }
    assert_int_equal(sink_harness_assign(h, "iot", 0, &err), 0);
    assert_int_equal(sink_harness_drain(h, 4, 100, &err), 0);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* tick's clock (sink.h) */
    int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    assert_int_equal(sink_harness_commit(h, &err), 0);
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 0);
    assert_int_equal(sink_harness_tick(h, now + 2000, &err), 0);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 6);
    const char *want[][2] = {{"a", "{\"value\":{\"seq\":4}}\n"},
                             {"b", "{\"value\":{\"seq\":5}}\n"},
                             {"c", "{\"value\":{\"seq\":3}}\n"}};
    for (size_t i = 0; i < 3; i++) {
        char path[128];
        snprintf(path, sizeof(path), "%s/keys/%s", dir, want[i][0]);
        char *a = slurp(path);
        assert_non_null(a);
        assert_string_equal(a, want[i][1]);
        free(a);
    }
    /* a later interval overwrites the key's object */
    assert_int_equal(sink_harness_produce(h, "iot", 0, "a", "{\"seq\":6}", 9, T0), 0);
    assert_int_equal(sink_harness_drain(h, 4, 100, &err), 0);
    assert_int_equal(sink_harness_tick(h, now + 4000, &err), 0);
    assert_int_equal(sink_harness_commit(h, &err), 0);
    assert_int_equal(sink_harness_committed(h, "iot", 0, NULL), 7);
    char path[128];
    snprintf(path, sizeof(path), "%s/keys/a", dir);
    char *a = slurp(path);
    assert_string_equal(a, "{\"value\":{\"seq\":6}}\n");
    free(a);
    sink_harness_free(h);
    nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template_check),
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_sink_jsonl_sets_and_crash),
        cmocka_unit_test(test_sink_compressed_json),
        cmocka_unit_test(test_sink_long_records),
        cmocka_unit_test(test_sink_json_array),
        cmocka_unit_test(test_sink_key_template),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
