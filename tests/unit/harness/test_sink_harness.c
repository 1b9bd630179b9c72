/*
 * tests/unit/harness/test_sink_harness.c: the sink harness (tests/harness) driving FileStreamSink
 * and the buffering test sink through what a worker does to them: batches, commits, partial
 * revocation, KC_RETRY with errant records, rewinds from open(), the byte budget, kill and
 * restart from committed offsets; and a sink that claims more than it was given.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf_def.h"
#include "sink_harness.h"

extern const struct sink_connector_ops file_sink_ops;
extern const struct sink_connector_ops buffering_sink_ops;

struct tmp {
    char path[64];
};

static void tmp_make(struct tmp *t)
{
    snprintf(t->path, sizeof(t->path), "/tmp/kc-harness-XXXXXX");
    int fd = mkstemp(t->path);
    assert_true(fd >= 0);
    close(fd);
}

/* Lines of the file, as offsets when the line is the buffering sink's "t\tp\to\tv". */
static size_t count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    size_t n = 0;
    int c;
    assert_non_null(f);
    while ((c = fgetc(f)) != EOF) {
        n += c == '\n';
    }
    fclose(f);
    return n;
}

/* How many times each offset of partition p appears in a buffering-sink file. */
static void offset_counts(const char *path, int32_t p, int *counts, size_t n)
{
    FILE *f = fopen(path, "r");
    char line[512];
    memset(counts, 0, n * sizeof(*counts));
    assert_non_null(f);
    while (fgets(line, sizeof(line), f) != NULL) {
        char topic[128];
        int part;
        long long off;
        if (sscanf(line, "%127[^\t]\t%d\t%lld\t", topic, &part, &off) == 3 && part == p &&
            off >= 0 && (size_t)off < n) {
            counts[off]++;
        }
    }
    fclose(f);
}

static struct sink_harness *harness(const struct sink_connector_ops *ops, const char *file,
                                    const char *const *kv)
{
    struct kc_strmap *cfg = kc_strmap_new();
    struct sink_harness *h = NULL;
    struct kc_error err = {0};
    kc_strmap_set(cfg, "file", file);
    for (; kv != NULL && kv[0] != NULL; kv += 2) {
        kc_strmap_set(cfg, kv[0], kv[1]);
    }
    int rc = sink_harness_new(ops, cfg, &h, &err);
    kc_strmap_free(cfg);
    if (rc != KC_OK) {
        fail_msg("sink_harness_new: %s", err.msg);
    }
    return h;
}

static void produce_n(struct sink_harness *h, const char *topic, int32_t p, int from, int to)
{
    for (int i = from; i < to; i++) {
        char v[64];
        int n = snprintf(v, sizeof(v), "{\"i\":%d}", i);
        assert_int_equal(sink_harness_produce(h, topic, p, NULL, v, (size_t)n, 1000 + i), KC_OK);
    }
}

static void ok(int rc, const struct kc_error *err)
{
    if (rc != KC_OK) {
        fail_msg("rc %d: %s", rc, err->msg);
    }
}

static void test_file_sink_at_least_once_across_a_crash(void **state)
{
    (void)state;
    struct tmp t;
    struct kc_error err = {0};
    tmp_make(&t);
    struct sink_harness *h = harness(&file_sink_ops, t.path, NULL);
    produce_n(h, "t", 0, 0, 10);
    ok(sink_harness_assign(h, "t", 0, &err), &err);
    ok(sink_harness_drain(h, 4, 10, &err), &err);
    ok(sink_harness_commit(h, &err), &err);
    assert_int_equal(sink_harness_committed(h, "t", 0, NULL), 10);
    produce_n(h, "t", 0, 10, 15);
    ok(sink_harness_poll(h, 3, NULL, &err), &err); /* 10..12 put, not committed */
    ok(sink_harness_crash(h, &err), &err);
    ok(sink_harness_drain(h, 4, 10, &err), &err);
    ok(sink_harness_commit(h, &err), &err);
    assert_int_equal(sink_harness_committed(h, "t", 0, NULL), 15);
    /* FileStreamSink writes at put: 10..12 twice (at least once), nothing lost. */
    assert_int_equal(count_lines(t.path), 18);
    sink_harness_free(h);
    unlink(t.path);
}

static void test_buffering_sink_commits_only_what_pre_commit_wrote(void **state)
{
    (void)state;
    struct tmp t;
    struct kc_error err = {0};
    tmp_make(&t);
    struct sink_harness *h = harness(&buffering_sink_ops, t.path, NULL);
    produce_n(h, "t", 0, 0, 20);
    ok(sink_harness_assign(h, "t", 0, &err), &err);
    ok(sink_harness_drain(h, 7, 10, &err), &err);
    assert_int_equal(count_lines(t.path), 0); /* held */
    assert_int_equal(sink_harness_committed(h, "t", 0, NULL), SINK_OFFSET_NONE);
    ok(sink_harness_commit(h, &err), &err);
    const char *md = NULL;
    assert_int_equal(sink_harness_committed(h, "t", 0, &md), 20);
    assert_string_equal(md, "buffering:20");
    assert_int_equal(count_lines(t.path), 20);
    sink_harness_free(h);
    unlink(t.path);
}

static void test_partial_revocation_keeps_the_other_partition(void **state)
{
    (void)state;
    struct tmp t;
    struct kc_error err = {0};
    int counts[10];
    tmp_make(&t);
    struct sink_harness *h = harness(&buffering_sink_ops, t.path, NULL);
    produce_n(h, "t", 0, 0, 10);
    produce_n(h, "t", 1, 0, 10);
    ok(sink_harness_assign(h, "t", 0, &err), &err);
    ok(sink_harness_assign(h, "t", 1, &err), &err);
    ok(sink_harness_drain(h, 6, 10, &err), &err);
    ok(sink_harness_revoke(h, "t", 1, &err), &err);
    assert_int_equal(sink_harness_committed(h, "t", 1, NULL), 10);
    assert_int_equal(sink_harness_committed(h, "t", 0, NULL), SINK_OFFSET_NONE);
    offset_counts(t.path, 0, counts, 10);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(counts[i], 0); /* still buffered */
    }
    ok(sink_harness_commit(h, &err), &err);
    assert_int_equal(sink_harness_committed(h, "t", 0, NULL), 10);
    offset_counts(t.path, 0, counts, 10);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(counts[i], 1);
    }
    sink_harness_free(h);
    unlink(t.path);
}

static void test_retry_reports_each_errant_record_once(void **state)
{
    (void)state;
    struct tmp t;
    struct kc_error err = {0};
    tmp_make(&t);
    const char *kv[] = {"retry.puts", "2", "report.every", "3", NULL};
    struct sink_harness *h = harness(&buffering_sink_ops, t.path, kv);
    produce_n(h, "t", 0, 0, 10);
    ok(sink_harness_assign(h, "t", 0, &err), &err);
    size_t n = 0;
    assert_int_equal(sink_harness_poll(h, 100, &n, &err), KC_RETRY);
    assert_int_equal(sink_harness_poll(h, 100, &n, &err), KC_RETRY);
    ok(sink_harness_poll(h, 100, &n, &err), &err);
    assert_int_equal(n, 6); /* 0, 3, 6, 9 went to the DLQ in the first try */
    assert_int_equal(sink_harness_reported(h), 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(sink_harness_reported_offset(h, i), (int64_t)i * 3);
    }
    ok(sink_harness_commit(h, &err), &err);
    assert_int_equal(sink_harness_committed(h, "t", 0, NULL), 10);
    assert_int_equal(count_lines(t.path), 6);
    sink_harness_free(h);
    unlink(t.path);
}

static void test_rewind_from_open(void **state)
{
    (void)state;
    struct tmp t;
    struct kc_error err = {0};
    int counts[10];
    tmp_make(&t);
    const char *kv[] = {"rewind.offset", "4", NULL};
    struct sink_harness *h = harness(&buffering_sink_ops, t.path, kv);
    produce_n(h, "t", 0, 0, 10);
    ok(sink_harness_assign(h, "t", 0, &err), &err);
    ok(sink_harness_drain(h, 3, 10, &err), &err);
    ok(sink_harness_commit(h, &err), &err);
    offset_counts(t.path, 0, counts, 10);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(counts[i], i >= 4);
    }
    sink_harness_free(h);
    unlink(t.path);
}

static void test_budget_forces_commits_and_bounds_the_sink(void **state)
{
    (void)state;
    struct tmp t;
    struct kc_error err = {0};
    tmp_make(&t);
    struct sink_harness *h = harness(&buffering_sink_ops, t.path, NULL);
    sink_harness_set_budget(h, 4096);
    produce_n(h, "t", 0, 0, 2000);
    ok(sink_harness_assign(h, "t", 0, &err), &err);
    ok(sink_harness_drain(h, 10, 1000, &err), &err);
    /* Never more than the budget plus the one batch that crossed it (10 lines of ~16 bytes). */
    assert_true(sink_harness_peak_buffered(h) <= 4096 + 10 * 32);
    assert_true(sink_harness_budget_commits(h) > 0);
    assert_true(sink_harness_committed(h, "t", 0, NULL) > 0);
    ok(sink_harness_commit(h, &err), &err);
    assert_int_equal(sink_harness_committed(h, "t", 0, NULL), 2000);
    assert_int_equal(count_lines(t.path), 2000);
    sink_harness_free(h);
    unlink(t.path);
}

static void test_crash_restarts_from_commit_with_metadata(void **state)
{
    (void)state;
    struct tmp t, opened;
    struct kc_error err = {0};
    int counts[30];
    tmp_make(&t);
    tmp_make(&opened);
    const char *kv[] = {"opened.file", opened.path, NULL};
    struct sink_harness *h = harness(&buffering_sink_ops, t.path, kv);
    produce_n(h, "t", 0, 0, 20);
    ok(sink_harness_assign(h, "t", 0, &err), &err);
    ok(sink_harness_drain(h, 8, 10, &err), &err);
    ok(sink_harness_commit(h, &err), &err);
    produce_n(h, "t", 0, 20, 30);
    ok(sink_harness_drain(h, 8, 10, &err), &err); /* 20..29 held, not committed */
    ok(sink_harness_crash(h, &err), &err);        /* held records die with the process */
    FILE *f = fopen(opened.path, "r");
    char line[256] = "", last[256] = "";
    while (fgets(line, sizeof(line), f) != NULL) {
        memcpy(last, line, sizeof(last));
    }
    fclose(f);
    assert_string_equal(last, "t\t0\t20\tbuffering:20\n");
    ok(sink_harness_drain(h, 8, 10, &err), &err);
    ok(sink_harness_commit(h, &err), &err);
    assert_int_equal(sink_harness_committed(h, "t", 0, NULL), 30);
    offset_counts(t.path, 0, counts, 30);
    for (int i = 0; i < 30; i++) {
        assert_int_equal(counts[i], 1); /* this sink is exactly once across the crash */
    }
    sink_harness_free(h);
    unlink(t.path);
    unlink(opened.path);
}

static void test_tick_writes_and_commit_follows(void **state)
{
    (void)state;
    struct tmp t;
    struct kc_error err = {0};
    tmp_make(&t);
    const char *kv[] = {"tick.flush.ms", "1", NULL};
    struct sink_harness *h = harness(&buffering_sink_ops, t.path, kv);
    produce_n(h, "t", 0, 0, 10);
    ok(sink_harness_assign(h, "t", 0, &err), &err);
    ok(sink_harness_drain(h, 4, 10, &err), &err);
    ok(sink_harness_commit(h, &err), &err);
    /* nothing written yet: pre_commit answers nothing durable */
    assert_int_equal(sink_harness_committed(h, "t", 0, NULL), SINK_OFFSET_NONE);
    assert_int_equal(count_lines(t.path), 0);
    usleep(5000);
    ok(sink_harness_tick(h, INT64_MAX / 2, &err), &err);
    assert_int_equal(count_lines(t.path), 10);
    ok(sink_harness_commit(h, &err), &err);
    assert_int_equal(sink_harness_committed(h, "t", 0, NULL), 10);
    sink_harness_free(h);
    unlink(t.path);
}

/* A sink that rewinds every partition to 0 on its first tick, and counts what it is given. */
static int rewinder_seen;
static int rewinder_ticks;

static int rewinder_put(struct sink_task *st, const struct sink_record *recs, size_t n,
                        struct kc_error *err)
{
    (void)st;
    (void)recs;
    (void)err;
    rewinder_seen += (int)n;
    return KC_OK;
}

static int rewinder_tick(struct sink_task *st, int64_t now_ms, int64_t *next_ms,
                         struct kc_error *err)
{
    *next_ms = now_ms + 1000;
    if (rewinder_ticks++ == 0) {
        return sink_task_rewind(st, "t", 0, 0, err);
    }
    return KC_OK;
}

/* A sink that claims one record more than it was given. */
static int greedy_start(struct sink_task *st, const struct conf_values *cv, struct kc_error *err)
{
    (void)st;
    (void)cv;
    (void)err;
    return KC_OK;
}

static int greedy_put(struct sink_task *st, const struct sink_record *recs, size_t n,
                      struct kc_error *err)
{
    (void)st;
    (void)recs;
    (void)n;
    (void)err;
    return KC_OK;
}

static int greedy_flush(struct sink_task *st, struct kc_error *err)
{
    (void)st;
    (void)err;
    return KC_OK;
}

static void greedy_stop(struct sink_task *st)
{
    (void)st;
}

static int greedy_pre_commit(struct sink_task *st, const struct sink_offset *consumed, size_t n,
                             struct sink_offset *durable, size_t *n_out, struct kc_error *err)
{
    (void)st;
    (void)err;
    for (size_t i = 0; i < n; i++) {
        durable[i] = consumed[i];
        durable[i].offset++;
    }
    *n_out = n;
    return KC_OK;
}

static const struct conf_def greedy_def[] = {{.name = NULL}};
static const char *const greedy_classes[] = {"com.acme.GreedySinkConnector", NULL};
static const struct sink_connector_ops greedy_ops = {
    .version = SINK_OPS_VERSION,
    .name = "greedy",
    .class_names = greedy_classes,
    .config_def = greedy_def,
    .start = greedy_start,
    .put = greedy_put,
    .flush = greedy_flush,
    .stop = greedy_stop,
    .pre_commit = greedy_pre_commit,
};

static const struct conf_def rewinder_def[] = {{.name = NULL}};
static const char *const rewinder_classes[] = {"com.acme.RewinderSinkConnector", NULL};
static int nop_start(struct sink_task *st, const struct conf_values *cv, struct kc_error *err);
static int nop_flush(struct sink_task *st, struct kc_error *err);
static void nop_stop(struct sink_task *st);
static const struct sink_connector_ops rewinder_ops = {
    .version = SINK_OPS_VERSION,
    .name = "rewinder",
    .class_names = rewinder_classes,
    .config_def = rewinder_def,
    .flags = SINK_FLAG_RAW_VALUE,
    .start = nop_start,
    .put = rewinder_put,
    .flush = nop_flush,
    .stop = nop_stop,
    .tick = rewinder_tick,
};

static int nop_start(struct sink_task *st, const struct conf_values *cv, struct kc_error *err)
{
    return greedy_start(st, cv, err);
}

static int nop_flush(struct sink_task *st, struct kc_error *err)
{
    return greedy_flush(st, err);
}

static void nop_stop(struct sink_task *st)
{
    greedy_stop(st);
}

static void test_rewind_from_tick_and_value_converter(void **state)
{
    (void)state;
    struct kc_error err = {0};
    struct sink_harness *h = harness(&rewinder_ops, "/dev/null", NULL);
    int schemas = -1;
    struct sink_task *st = (struct sink_task *)(void *)h; /* the harness's handle comes first */
    assert_string_equal(sink_task_value_converter(st, &schemas),
                        "org.apache.kafka.connect.json.JsonConverter");
    assert_int_equal(schemas, 0);
    produce_n(h, "t", 0, 0, 6);
    ok(sink_harness_assign(h, "t", 0, &err), &err);
    ok(sink_harness_drain(h, 10, 3, &err), &err);
    assert_int_equal(rewinder_seen, 6);
    ok(sink_harness_tick(h, 1, &err), &err); /* rewinds to 0 */
    ok(sink_harness_drain(h, 10, 3, &err), &err);
    assert_int_equal(rewinder_seen, 12);
    sink_harness_free(h);
}

static void test_tolerance_none_fails_put(void **state)
{
    (void)state;
    struct tmp t;
    struct kc_error err = {0};
    tmp_make(&t);
    const char *kv[] = {"report.every", "2", NULL};
    struct sink_harness *h = harness(&buffering_sink_ops, t.path, kv);
    sink_harness_set_tolerance(h, 0);
    produce_n(h, "t", 0, 0, 4);
    ok(sink_harness_assign(h, "t", 0, &err), &err);
    assert_true(sink_harness_poll(h, 10, NULL, &err) < 0);
    sink_harness_free(h);
    unlink(t.path);
}

static void test_pre_commit_above_consumed_is_refused(void **state)
{
    (void)state;
    struct kc_error err = {0};
    struct sink_harness *h = harness(&greedy_ops, "/dev/null", NULL);
    produce_n(h, "t", 0, 0, 5);
    ok(sink_harness_assign(h, "t", 0, &err), &err);
    ok(sink_harness_drain(h, 5, 3, &err), &err);
    assert_int_equal(sink_harness_commit(h, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "greedy"));
    assert_non_null(strstr(err.msg, "t-0"));
    assert_int_equal(sink_harness_committed(h, "t", 0, NULL), SINK_OFFSET_NONE);
    sink_harness_free(h);
}

/* Which converters leave a raw-value sink the raw bytes: every one for SINK_FLAG_RAW_VALUE
 * alone; schemaless JSON and text for RAW_SCHEMALESS (envelopes converted by the worker); any
 * JsonConverter and text for RAW_JSON (Avro and the rest converted by the worker). */
static void test_raw_value_ok(void **state)
{
    (void)state;
    const char *json = "org.apache.kafka.connect.json.JsonConverter";
    const char *str = "org.apache.kafka.connect.storage.StringConverter";
    const char *avro = "io.confluent.connect.avro.AvroConverter";
    const unsigned raw = SINK_FLAG_RAW_VALUE, sl = raw | SINK_FLAG_RAW_SCHEMALESS,
                   js = raw | SINK_FLAG_RAW_JSON;
    assert_false(sink_raw_value_ok(0, json, 0));
    assert_true(sink_raw_value_ok(raw, avro, 0));
    assert_true(sink_raw_value_ok(sl, json, 0));
    assert_false(sink_raw_value_ok(sl, json, 1));
    assert_true(sink_raw_value_ok(sl, str, 1));
    assert_false(sink_raw_value_ok(sl, avro, 0));
    assert_true(sink_raw_value_ok(js, json, 1));
    assert_true(sink_raw_value_ok(js, json, 0));
    assert_true(sink_raw_value_ok(js, str, 0));
    assert_false(sink_raw_value_ok(js, avro, 0));
    assert_false(sink_raw_value_ok(js, NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_sink_at_least_once_across_a_crash),
        cmocka_unit_test(test_buffering_sink_commits_only_what_pre_commit_wrote),
        cmocka_unit_test(test_partial_revocation_keeps_the_other_partition),
        cmocka_unit_test(test_retry_reports_each_errant_record_once),
        cmocka_unit_test(test_rewind_from_open),
        cmocka_unit_test(test_budget_forces_commits_and_bounds_the_sink),
        cmocka_unit_test(test_crash_restarts_from_commit_with_metadata),
        cmocka_unit_test(test_pre_commit_above_consumed_is_refused),
        cmocka_unit_test(test_tick_writes_and_commit_follows),
        cmocka_unit_test(test_rewind_from_tick_and_value_converter),
        cmocka_unit_test(test_tolerance_none_fails_put),
        cmocka_unit_test(test_raw_value_ok),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
