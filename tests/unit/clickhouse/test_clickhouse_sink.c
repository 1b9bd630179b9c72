/*
 * tests/unit/clickhouse/test_clickhouse_sink.c: the ClickHouse sink's ops table driven by the
 * sink harness (tests/harness: the worker's task cycle over an in-memory Kafka log) against
 * clickhouse_stub (an in-process HTTP server answering version, DESCRIBE and INSERT). What a
 * real server does with the rows is the integration tests' business; here: which rows go in
 * which INSERT with which token, and which offsets get committed around failures, rebalances,
 * kill and restart, and the byte budget.
 *
 * Rows are {"id":N,"name":"xy"} into (id UInt32, name String) on a "24.8" server, so
 * RowBinaryWithDefaults: per column a 0 byte (value present), then the value -- 9 bytes a row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "clickhouse_stub.h"
#include "sink_harness.h"

extern const struct sink_connector_ops clickhouse_sink_ops;

#define ROW_BYTES 9
#define DESCRIBE "id\tUInt32\t\t\t\t\t\nname\tString\t\t\t\t\t\n"

struct fix {
    struct clickhouse_stub *cs;
    struct sink_harness *h;
};

static void ok(int rc, const struct kc_error *err)
{
    if (rc != KC_OK) {
        fail_msg("rc %d: %s", rc, err->msg);
    }
}

/* A stub with tables db.a and db.b, and the sink started on it with kv's extra keys. */
static void fix_start(struct fix *f, const char *const *kv)
{
    struct kc_error err = {0};
    char port[16];
    f->cs = clickhouse_stub_start("24.8.1.1");
    assert_non_null(f->cs);
    clickhouse_stub_table(f->cs, "db.a", DESCRIBE);
    clickhouse_stub_table(f->cs, "db.b", DESCRIBE);
    snprintf(port, sizeof(port), "%d", clickhouse_stub_port(f->cs));
    struct kc_strmap *cfg = kc_strmap_new();
    kc_strmap_set(cfg, "connector.class", "com.clickhouse.kafka.connect.ClickHouseSinkConnector");
    kc_strmap_set(cfg, "hostname", "127.0.0.1");
    kc_strmap_set(cfg, "port", port);
    kc_strmap_set(cfg, "ssl", "false");
    kc_strmap_set(cfg, "database", "db");
    kc_strmap_set(cfg, "username", "default");
    kc_strmap_set(cfg, "password", "");
    for (; kv != NULL && kv[0] != NULL; kv += 2) {
        kc_strmap_set(cfg, kv[0], kv[1]);
    }
    int rc = sink_harness_new(&clickhouse_sink_ops, cfg, &f->h, &err);
    kc_strmap_free(cfg);
    ok(rc, &err);
}

static void fix_stop(struct fix *f)
{
    sink_harness_free(f->h);
    clickhouse_stub_stop(f->cs);
}

static void produce_n(struct sink_harness *h, const char *topic, int32_t p, int from, int to)
{
    for (int i = from; i < to; i++) {
        char v[64];
        int n = snprintf(v, sizeof(v), "{\"id\":%d,\"name\":\"xy\"}", i);
        assert_int_equal(sink_harness_produce(h, topic, p, NULL, v, (size_t)n, 1000 + i), KC_OK);
    }
}

/* The RowBinaryWithDefaults bytes of row id. */
static void row_bytes(int id, unsigned char out[ROW_BYTES])
{
    const unsigned char r[ROW_BYTES] = {0, (unsigned char)id, (unsigned char)(id >> 8),
                                        (unsigned char)(id >> 16), (unsigned char)(id >> 24),
                                        0, 2, 'x', 'y'};
    memcpy(out, r, ROW_BYTES);
}

/* Successful INSERT bodies into table, concatenated, hold each id of [from, to) exactly once
 * (in any order across inserts, in order within one partition's run). */
static void assert_ids_once(struct clickhouse_stub *cs, const char *table, int from, int to)
{
    int n = to - from;
    int *seen = calloc((size_t)n, sizeof(*seen));
    size_t total = 0;
    for (size_t i = 0; i < clickhouse_stub_inserts(cs); i++) {
        const struct clickhouse_stub_insert *in = clickhouse_stub_insert_at(cs, i);
        if (!in->ok || strcmp(in->table, table) != 0) {
            continue;
        }
        assert_int_equal(in->len % ROW_BYTES, 0);
        for (size_t o = 0; o < in->len; o += ROW_BYTES) {
            const unsigned char *r = in->body + o;
            int id = r[1] | r[2] << 8 | r[3] << 16 | r[4] << 24;
            unsigned char want[ROW_BYTES];
            row_bytes(id, want);
            assert_memory_equal(r, want, ROW_BYTES);
            assert_true(id >= from && id < to);
            seen[id - from]++;
            total++;
        }
    }
    for (int i = 0; i < n; i++) {
        if (seen[i] != 1) {
            fail_msg("%s: id %d inserted %d times", table, from + i, seen[i]);
        }
    }
    assert_int_equal(total, (size_t)n);
    free(seen);
}

/* ------------------------------------------------------------------ scenarios */

static void test_batches_routed_to_two_tables(void **state)
{
    (void)state;
    struct fix f;
    struct kc_error err = {0};
    const char *kv[] = {"topic2TableMap", "ta=a,tb=b", NULL};
    fix_start(&f, kv);
    produce_n(f.h, "ta", 0, 0, 30);
    produce_n(f.h, "tb", 0, 100, 120);
    ok(sink_harness_assign(f.h, "ta", 0, &err), &err);
    ok(sink_harness_assign(f.h, "tb", 0, &err), &err);
    ok(sink_harness_drain(f.h, 7, 20, &err), &err);
    /* Below bufferCount (100000), bytes and age: nothing sent, nothing committed. */
    assert_int_equal(clickhouse_stub_inserts(f.cs), 0);
    ok(sink_harness_commit(f.h, &err), &err);
    assert_int_equal(sink_harness_committed(f.h, "ta", 0, NULL), 30);
    assert_int_equal(sink_harness_committed(f.h, "tb", 0, NULL), 20);
    /* One INSERT per table, rows in offset order, byte-exact. */
    assert_int_equal(clickhouse_stub_inserts(f.cs), 2);
    assert_ids_once(f.cs, "db.a", 0, 30);
    assert_ids_once(f.cs, "db.b", 100, 120);
    for (size_t i = 0; i < 2; i++) {
        const struct clickhouse_stub_insert *in = clickhouse_stub_insert_at(f.cs, i);
        unsigned char first[ROW_BYTES];
        row_bytes(strcmp(in->table, "db.a") == 0 ? 0 : 100, first);
        assert_memory_equal(in->body, first, ROW_BYTES);
        assert_null(in->token); /* at-least-once: no token */
        assert_true(in->native); /* every column has a Native form: sent as one block */
    }
    fix_stop(&f);
}

/* JsonConverter with schemas.enable=true: the worker converts the envelope (the raw fast path
 * is for schemaless JSON only), so the payload's values land, not a row of zeros. */
static void test_schema_envelopes_are_converted(void **state)
{
    (void)state;
    struct fix f;
    struct kc_error err = {0};
    const char *kv[] = {"topic2TableMap", "ta=a", "value.converter.schemas.enable", "true", NULL};
    fix_start(&f, kv);
    for (int i = 0; i < 3; i++) {
        char v[256];
        int n = snprintf(v, sizeof(v),
                         "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"id\","
                         "\"type\":\"int32\"},{\"field\":\"name\",\"type\":\"string\"}]},"
                         "\"payload\":{\"id\":%d,\"name\":\"xy\"}}", 40 + i);
        assert_int_equal(sink_harness_produce(f.h, "ta", 0, NULL, v, (size_t)n, 1000 + i), KC_OK);
    }
    ok(sink_harness_assign(f.h, "ta", 0, &err), &err);
    ok(sink_harness_drain(f.h, 7, 20, &err), &err);
    ok(sink_harness_commit(f.h, &err), &err);
    assert_int_equal(sink_harness_committed(f.h, "ta", 0, NULL), 3);
    assert_ids_once(f.cs, "db.a", 40, 43);
    fix_stop(&f);
}

static void test_bad_record_isolated(void **state)
{
    (void)state;
    struct fix f;
    struct kc_error err = {0};
    const char *kv[] = {"topic2TableMap", "ta=a,tm=missing", NULL};
    fix_start(&f, kv);
    produce_n(f.h, "ta", 0, 0, 5);
    assert_int_equal(sink_harness_produce(f.h, "ta", 0, NULL, "not json", 8, 1), KC_OK); /* 5 */
    const char *big = "{\"id\":99999999999,\"name\":\"xy\"}"; /* 6: UInt32 overflow */
    assert_int_equal(sink_harness_produce(f.h, "ta", 0, NULL, big, strlen(big), 1), KC_OK);
    produce_n(f.h, "ta", 0, 7, 10);
    produce_n(f.h, "tm", 0, 0, 2); /* its table does not exist */
    ok(sink_harness_assign(f.h, "ta", 0, &err), &err);
    ok(sink_harness_assign(f.h, "tm", 0, &err), &err);
    ok(sink_harness_drain(f.h, 4, 20, &err), &err);
    ok(sink_harness_commit(f.h, &err), &err);
    assert_int_equal(sink_harness_reported(f.h), 4);
    int64_t want_ta[] = {5, 6};
    size_t k = 0;
    for (size_t i = 0; i < sink_harness_reported(f.h); i++) {
        int64_t o = sink_harness_reported_offset(f.h, i);
        if (o == 5 || o == 6) {
            assert_true(k < 2 && o == want_ta[k]);
            k++;
        }
    }
    assert_int_equal(k, 2);
    /* The rest of the batch went in; the reported records are committed past. */
    assert_int_equal(sink_harness_committed(f.h, "ta", 0, NULL), 10);
    assert_int_equal(sink_harness_committed(f.h, "tm", 0, NULL), 2);
    size_t rows = clickhouse_stub_bytes_ok(f.cs, "db.a") / ROW_BYTES;
    assert_int_equal(rows, 8);
    fix_stop(&f);
}

/* A row the server refuses in a RowBinary / Native insert (a CHECK constraint, code 469, names
 * it "at row N"): that row's record is reported alone (DLQ under errors.tolerance=all), the
 * batch is read again without it and inserted, nothing else is lost or repeated. */
static void test_server_refused_row_isolated(void **state)
{
    (void)state;
    struct fix f;
    struct kc_error err = {0};
    const char *kv[] = {"topic2TableMap", "ta=a", NULL};
    fix_start(&f, kv);
    produce_n(f.h, "ta", 0, 0, 6);
    ok(sink_harness_assign(f.h, "ta", 0, &err), &err);
    clickhouse_stub_fail(f.cs, 1, 469, "Constraint `small` for table db.a is violated at row 3. "
                         "Expression: (id != 2). Column values: id = 2");
    ok(sink_harness_drain(f.h, 10, 20, &err), &err);
    ok(sink_harness_commit(f.h, &err), &err);
    ok(sink_harness_drain(f.h, 10, 20, &err), &err);
    ok(sink_harness_commit(f.h, &err), &err);
    assert_int_equal(sink_harness_reported(f.h), 1);
    assert_int_equal(sink_harness_reported_offset(f.h, 0), 2);
    assert_int_equal(sink_harness_committed(f.h, "ta", 0, NULL), 6);
    /* ids 0, 1, 3, 4, 5 once each, in the insert after the refused one */
    size_t total = 0;
    int seen[6] = {0};
    for (size_t i = 0; i < clickhouse_stub_inserts(f.cs); i++) {
        const struct clickhouse_stub_insert *in = clickhouse_stub_insert_at(f.cs, i);
        if (!in->ok) {
            continue;
        }
        for (size_t o = 0; o + ROW_BYTES <= in->len; o += ROW_BYTES) {
            seen[in->body[o + 1]]++;
            total++;
        }
    }
    assert_int_equal(total, 5);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(seen[i], i == 2 ? 0 : 1);
    }
    fix_stop(&f);
}

/* A schema error (code 53) that comes back after each fresh DESCRIBE is not the table
 * changing under the sink: after a few rounds of describe-and-re-read the task fails with
 * ClickHouse's message instead of re-reading the same records for ever. */
static void persistent_schema_error(int code, const char *text)
{
    struct fix f;
    struct kc_error err = {0};
    const char *kv[] = {"topic2TableMap", "ta=a", NULL};
    fix_start(&f, kv);
    produce_n(f.h, "ta", 0, 0, 5);
    ok(sink_harness_assign(f.h, "ta", 0, &err), &err);
    clickhouse_stub_fail(f.cs, -1, code, text);
    int rc = KC_OK;
    for (int i = 0; i < 20 && rc >= 0; i++) {
        rc = sink_harness_drain(f.h, 10, 20, &err);
        if (rc >= 0) {
            rc = sink_harness_commit(f.h, &err);
        }
    }
    assert_true(rc < 0);
    if (strstr(err.msg, "Insert into a failed") == NULL || strstr(err.msg, text) == NULL) {
        fail_msg("%s", err.msg);
    }
    size_t tries = clickhouse_stub_inserts(f.cs);
    assert_true(tries >= 2 && tries <= 6);
    assert_true(sink_harness_committed(f.h, "ta", 0, NULL) <= 0);
    /* a RowBinary parse error naming a row is not a record to set aside: nothing reported */
    assert_int_equal(sink_harness_reported(f.h), 0);
    fix_stop(&f);
}

static void test_persistent_schema_error_fails_the_task(void **state)
{
    (void)state;
    persistent_schema_error(53, "Type mismatch in IN or VALUES section");
    persistent_schema_error(33, "Cannot read all data. Bytes read: 3. (at row 1)");
}

static int64_t mono_ms(void) /* tick()'s clock (sink.h) */
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Rows below bufferCount and the byte cap go in from the task's timer once they are older
 * than bufferFlushTime (1000 ms when 0), with no further put and no commit. */
static void test_idle_rows_flushed_by_tick(void **state)
{
    (void)state;
    struct fix f;
    struct kc_error err = {0};
    const char *kv[] = {"topic2TableMap", "ta=a", NULL};
    fix_start(&f, kv);
    produce_n(f.h, "ta", 0, 0, 3);
    ok(sink_harness_assign(f.h, "ta", 0, &err), &err);
    ok(sink_harness_drain(f.h, 10, 5, &err), &err);
    ok(sink_harness_tick(f.h, mono_ms(), &err), &err);
    assert_int_equal(clickhouse_stub_inserts(f.cs), 0); /* young rows wait */
    usleep(1150 * 1000);
    ok(sink_harness_tick(f.h, mono_ms(), &err), &err);
    assert_int_equal(clickhouse_stub_inserts(f.cs), 1);
    assert_ids_once(f.cs, "db.a", 0, 3);
    fix_stop(&f);
}

/* tableRefreshInterval: a column added to the table (ALTER) is seen at the next refresh, with
 * no error first: rows that lack it take its DEFAULT (RowBinaryWithDefaults, one flag byte
 * more per row, since Native cannot say DEFAULT). */
static void test_table_refresh_sees_a_new_column(void **state)
{
    (void)state;
    struct fix f;
    struct kc_error err = {0};
    const char *kv[] = {"topic2TableMap", "ta=a", "tableRefreshInterval", "1", NULL};
    fix_start(&f, kv);
    produce_n(f.h, "ta", 0, 0, 3);
    ok(sink_harness_assign(f.h, "ta", 0, &err), &err);
    ok(sink_harness_drain(f.h, 10, 5, &err), &err);
    ok(sink_harness_commit(f.h, &err), &err);
    assert_int_equal(clickhouse_stub_inserts(f.cs), 1);
    clickhouse_stub_table(f.cs, "db.a", DESCRIBE "extra\tString\tDEFAULT\t'x'\t\t\t\n");
    usleep(1100 * 1000);
    produce_n(f.h, "ta", 0, 3, 5);
    ok(sink_harness_drain(f.h, 10, 5, &err), &err);
    ok(sink_harness_commit(f.h, &err), &err);
    assert_int_equal(clickhouse_stub_inserts(f.cs), 2);
    const struct clickhouse_stub_insert *in = clickhouse_stub_insert_at(f.cs, 1);
    assert_true(in->ok);
    assert_false(in->native);
    assert_int_equal(in->len, 2 * (ROW_BYTES + 1));
    assert_int_equal(in->body[ROW_BYTES], 1); /* extra: "use the DEFAULT" */
    assert_int_equal(sink_harness_committed(f.h, "ta", 0, NULL), 5);
    fix_stop(&f);
}

/* The retry at the start of a put is refused naming a row: the partition is rewound there, and
 * the put's own records of that partition are not encoded (they come again after the seek), so
 * nothing lands twice and the refused record is reported, not inserted. */
static void test_refusal_on_retry_in_put_does_not_duplicate(void **state)
{
    (void)state;
    struct fix f;
    struct kc_error err = {0};
    const char *kv[] = {"topic2TableMap", "ta=a", "bufferCount", "4", NULL};
    fix_start(&f, kv);
    produce_n(f.h, "ta", 0, 0, 8);
    ok(sink_harness_assign(f.h, "ta", 0, &err), &err);
    clickhouse_stub_fail(f.cs, 1, 0, NULL); /* the first insert's connection drops */
    ok(sink_harness_poll(f.h, 4, NULL, &err), &err);
    clickhouse_stub_fail(f.cs, 1, 469, "Constraint `c` for table db.a is violated at row 2. "
                         "Expression: (id != 1). Column values: id = 1");
    usleep(300 * 1000); /* past the backoff: the next put retries first */
    ok(sink_harness_drain(f.h, 4, 20, &err), &err);
    ok(sink_harness_commit(f.h, &err), &err);
    ok(sink_harness_drain(f.h, 4, 20, &err), &err);
    ok(sink_harness_commit(f.h, &err), &err);
    assert_int_equal(sink_harness_reported(f.h), 1);
    assert_int_equal(sink_harness_reported_offset(f.h, 0), 1);
    assert_int_equal(sink_harness_committed(f.h, "ta", 0, NULL), 8);
    int seen[8] = {0};
    size_t total = 0;
    for (size_t i = 0; i < clickhouse_stub_inserts(f.cs); i++) {
        const struct clickhouse_stub_insert *in = clickhouse_stub_insert_at(f.cs, i);
        for (size_t o = 0; in->ok && o + ROW_BYTES <= in->len; o += ROW_BYTES) {
            seen[in->body[o + 1]]++;
            total++;
        }
    }
    assert_int_equal(total, 7);
    for (int i = 0; i < 8; i++) {
        if (seen[i] != (i == 1 ? 0 : 1)) {
            fail_msg("id %d inserted %d times", i, seen[i]);
        }
    }
    fix_stop(&f);
}

/* A retriable failure (code, or 0 = dropped connection) keeps the rows: nothing committed
 * until the insert lands, then every row exactly once. */
static void retriable(int code)
{
    struct fix f;
    struct kc_error err = {0};
    fix_start(&f, NULL);
    produce_n(f.h, "a", 0, 0, 20);
    ok(sink_harness_assign(f.h, "a", 0, &err), &err);
    clickhouse_stub_fail(f.cs, -1, code, "Too many parts (300). Merges are processing "
                         "significantly slower than inserts");
    ok(sink_harness_poll(f.h, 10, NULL, &err), &err);
    ok(sink_harness_commit(f.h, &err), &err); /* the insert fails: durable stays at 0 */
    int64_t c = sink_harness_committed(f.h, "a", 0, NULL);
    assert_true(c == SINK_OFFSET_NONE || c == 0);
    size_t tries = clickhouse_stub_inserts(f.cs);
    assert_true(tries >= 1);
    /* Still failing: put answers KC_RETRY, the harness keeps the batch. */
    int rc = sink_harness_poll(f.h, 10, NULL, &err);
    assert_int_equal(rc, KC_RETRY);
    usleep(250 * 1000); /* past the backoff */
    rc = sink_harness_poll(f.h, 10, NULL, &err);
    assert_int_equal(rc, KC_RETRY);
    c = sink_harness_committed(f.h, "a", 0, NULL);
    assert_true(c == SINK_OFFSET_NONE || c == 0);
    assert_int_equal(clickhouse_stub_bytes_ok(f.cs, "db.a"), 0);
    /* Every attempt carried the same rows. */
    const struct clickhouse_stub_insert *first = clickhouse_stub_insert_at(f.cs, 0);
    for (size_t i = 1; i < clickhouse_stub_inserts(f.cs); i++) {
        const struct clickhouse_stub_insert *in = clickhouse_stub_insert_at(f.cs, i);
        assert_int_equal(in->len, first->len);
        assert_memory_equal(in->body, first->body, first->len);
    }
    clickhouse_stub_fail(f.cs, 0, 0, NULL);
    usleep(1000 * 1000); /* past the (doubled) backoff */
    ok(sink_harness_drain(f.h, 10, 20, &err), &err);
    ok(sink_harness_commit(f.h, &err), &err);
    assert_int_equal(sink_harness_committed(f.h, "a", 0, NULL), 20);
    assert_ids_once(f.cs, "db.a", 0, 20);
    fix_stop(&f);
}

static void test_retriable_code_252_keeps_rows(void **state)
{
    (void)state;
    retriable(252);
}

static void test_dropped_connection_keeps_rows(void **state)
{
    (void)state;
    retriable(0);
}

static void test_partial_revocation_drops_only_its_rows(void **state)
{
    (void)state;
    struct fix f;
    struct kc_error err = {0};
    fix_start(&f, NULL);
    produce_n(f.h, "a", 0, 0, 10);
    produce_n(f.h, "a", 1, 100, 110);
    ok(sink_harness_assign(f.h, "a", 0, &err), &err);
    ok(sink_harness_assign(f.h, "a", 1, &err), &err);
    ok(sink_harness_drain(f.h, 6, 20, &err), &err);
    size_t held = sink_harness_peak_buffered(f.h);
    assert_int_equal(held, 20 * ROW_BYTES);
    /* The revocation's commit point cannot insert (server failing): partition 1's rows are not
     * in ClickHouse, so its commit stays at 0 and close() drops them. */
    clickhouse_stub_fail(f.cs, -1, 252, "Too many parts");
    ok(sink_harness_revoke(f.h, "a", 1, &err), &err);
    int64_t c1 = sink_harness_committed(f.h, "a", 1, NULL);
    assert_true(c1 == SINK_OFFSET_NONE || c1 == 0);
    clickhouse_stub_fail(f.cs, 0, 0, NULL);
    usleep(250 * 1000);
    produce_n(f.h, "a", 0, 10, 12);
    ok(sink_harness_drain(f.h, 6, 20, &err), &err);
    ok(sink_harness_commit(f.h, &err), &err);
    assert_int_equal(sink_harness_committed(f.h, "a", 0, NULL), 12);
    /* Partition 0's rows exactly once; none of partition 1's after the revocation. */
    size_t before = 0;
    for (size_t i = 0; i < clickhouse_stub_inserts(f.cs); i++) {
        const struct clickhouse_stub_insert *in = clickhouse_stub_insert_at(f.cs, i);
        before += !in->ok;
    }
    assert_true(before >= 1);
    assert_ids_once(f.cs, "db.a", 0, 12);
    fix_stop(&f);
}

/* exactlyOnce: the boundary goes to Kafka, then the insert; a kill -9 after the insert left
 * (maybe landed: here the server got it and the connection died) replays the same rows with
 * the same token, and the commit never passes a row not inserted. */
static void test_exactly_once_crash_replays_same_insert(void **state)
{
    (void)state;
    struct fix f;
    struct kc_error err = {0};
    const char *kv[] = {"exactlyOnce", "true", "bufferCount", "5", NULL};
    const char *md = NULL;
    fix_start(&f, kv);
    produce_n(f.h, "a", 0, 0, 8);
    ok(sink_harness_assign(f.h, "a", 0, &err), &err);
    ok(sink_harness_poll(f.h, 8, NULL, &err), &err); /* 8 >= 5 rows: sealed [0, 7] */
    assert_int_equal(clickhouse_stub_inserts(f.cs), 0); /* not before the boundary is in Kafka */
    ok(sink_harness_commit(f.h, &err), &err);
    assert_int_equal(sink_harness_committed(f.h, "a", 0, &md), 0);
    assert_non_null(md);
    assert_string_equal(md, "clickhouse-eo:0-7");
    assert_int_equal(clickhouse_stub_inserts(f.cs), 0);
    /* The insert reaches the server, whose answer is lost. */
    clickhouse_stub_fail(f.cs, -1, 0, NULL);
    ok(sink_harness_commit(f.h, &err), &err);
    assert_true(clickhouse_stub_inserts(f.cs) >= 1);
    assert_int_equal(sink_harness_committed(f.h, "a", 0, &md), 0);
    assert_string_equal(md, "clickhouse-eo:0-7");
    const struct clickhouse_stub_insert *lost = clickhouse_stub_insert_at(f.cs, 0);
    assert_non_null(lost->token);
    assert_string_equal(lost->token, "a-0-0-7");
    assert_int_equal(lost->len, 8 * ROW_BYTES);
    /* kill -9 and restart: the new instance gets offset 0 and the boundary back. */
    ok(sink_harness_crash(f.h, &err), &err);
    clickhouse_stub_fail(f.cs, 0, 0, NULL);
    produce_n(f.h, "a", 0, 8, 11);
    size_t n0 = clickhouse_stub_inserts(f.cs);
    ok(sink_harness_drain(f.h, 3, 20, &err), &err);
    ok(sink_harness_commit(f.h, &err), &err);
    /* The replay: the same token, the same bytes; and it is exactly [0, 7] again. */
    assert_true(clickhouse_stub_inserts(f.cs) > n0);
    const struct clickhouse_stub_insert *again = clickhouse_stub_insert_at(f.cs, n0);
    assert_true(again->ok);
    assert_string_equal(again->token, lost->token);
    assert_int_equal(again->len, lost->len);
    assert_memory_equal(again->body, lost->body, lost->len);
    /* That commit point (force) also cut 8..10 and recorded its boundary: committed stops at
     * 8, the first row not inserted. */
    assert_int_equal(sink_harness_committed(f.h, "a", 0, &md), 8);
    assert_string_equal(md, "clickhouse-eo:8-10");
    size_t n1 = clickhouse_stub_inserts(f.cs);
    /* The next commit point inserts it, with its own token, and moves past it. */
    ok(sink_harness_commit(f.h, &err), &err);
    assert_int_equal(clickhouse_stub_inserts(f.cs), n1 + 1);
    assert_int_equal(sink_harness_committed(f.h, "a", 0, NULL), 11);
    const struct clickhouse_stub_insert *last =
        clickhouse_stub_insert_at(f.cs, clickhouse_stub_inserts(f.cs) - 1);
    assert_string_equal(last->token, "a-0-8-10");
    assert_ids_once(f.cs, "db.a", 0, 11);
    fix_stop(&f);
}

static void test_budget_bounds_what_is_held(void **state)
{
    (void)state;
    struct fix f;
    struct kc_error err = {0};
    fix_start(&f, NULL);
    sink_harness_set_budget(f.h, 4096);
    produce_n(f.h, "a", 0, 0, 2000);
    ok(sink_harness_assign(f.h, "a", 0, &err), &err);
    ok(sink_harness_drain(f.h, 50, 200, &err), &err);
    ok(sink_harness_commit(f.h, &err), &err);
    /* Held bytes never exceed the budget (half of it triggers an insert, plus one batch). */
    assert_true(sink_harness_peak_buffered(f.h) > 2048);
    assert_true(sink_harness_peak_buffered(f.h) <= 4096);
    assert_true(clickhouse_stub_inserts(f.cs) >= 2000 * ROW_BYTES / 4096);
    assert_int_equal(sink_harness_committed(f.h, "a", 0, NULL), 2000);
    assert_ids_once(f.cs, "db.a", 0, 2000);
    fix_stop(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batches_routed_to_two_tables),
        cmocka_unit_test(test_bad_record_isolated),
        cmocka_unit_test(test_server_refused_row_isolated),
        cmocka_unit_test(test_refusal_on_retry_in_put_does_not_duplicate),
        cmocka_unit_test(test_table_refresh_sees_a_new_column),
        cmocka_unit_test(test_idle_rows_flushed_by_tick),
        cmocka_unit_test(test_persistent_schema_error_fails_the_task),
        cmocka_unit_test(test_schema_envelopes_are_converted),
        cmocka_unit_test(test_retriable_code_252_keeps_rows),
        cmocka_unit_test(test_dropped_connection_keeps_rows),
        cmocka_unit_test(test_partial_revocation_drops_only_its_rows),
        cmocka_unit_test(test_exactly_once_crash_replays_same_insert),
        cmocka_unit_test(test_budget_bounds_what_is_held),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
