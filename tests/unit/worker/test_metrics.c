/*
 * tests/unit/worker/test_metrics.c: the metrics registry (worker/metrics.h) and its Prometheus
 * text exposition: the JMX-exporter names and labels, escaping of label values, state changes
 * of connectors and tasks, the windowed averages, and that every line is a valid sample line.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kc_error.h"
#include "metrics.h"

static char *render(void)
{
    struct kc_buf b;
    kc_buf_init(&b, (size_t)1 << 24);
    assert_int_equal(metrics_render(&b), KC_OK);
    assert_int_equal(kc_buf_append_byte(&b, '\0'), KC_OK);
    size_t len;
    return kc_buf_take(&b, &len);
}

/* The value of the sample line that starts with `series` (name and labels exactly), or NAN
 * when none; fails when the series appears twice. */
static double sample(const char *text, const char *series)
{
    double v = NAN;
    int seen = 0;
    size_t n = strlen(series);
    for (const char *p = text; p != NULL && *p != '\0';) {
        const char *eol = strchr(p, '\n');
        if (strncmp(p, series, n) == 0 && p[n] == ' ') {
            seen++;
            v = strtod(p + n + 1, NULL);
        }
        p = eol != NULL ? eol + 1 : NULL;
    }
    assert_true(seen <= 1);
    return v;
}

static int count_of(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

static int reset(void **state)
{
    (void)state;
    metrics_reset();
    return 0;
}

static void test_task_counters_render_with_jmx_names(void **state)
{
    (void)state;
    struct metrics_task *m = metrics_task_new("orders", 0, "file");
    assert_non_null(m);
    metrics_task_read(m, 7, 700);
    metrics_task_put_done(m, 5, 12);
    metrics_task_put_done(m, 2, 30);
    metrics_task_commit_done(m, 1, 4);
    metrics_task_commit_done(m, 0, 9);
    METRICS_ADD(m, commit_skips, 1);
    METRICS_SET(m, partitions, 3);
    METRICS_ADD(m, record_errors, 2);
    METRICS_ADD(m, records_skipped, 2);
    METRICS_ADD(m, dlq_requests, 2);
    metrics_task_insert_done(m, 1000, 2500, 1);
    metrics_task_insert_done(m, 24, 500, 0);
    METRICS_SET(m, budget_limit, 1000);
    METRICS_SET(m, budget_used, 250);

    char *t = render();
    const char *l = "{connector=\"orders\",task=\"0\"}";
    char s[256];
#define S(name) (snprintf(s, sizeof(s), "%s%s", name, l), s)
    assert_true(sample(t, S("kafka_connect_sink_task_sink_record_read_total")) == 7);
    assert_true(sample(t, S("kafka_connect_sink_task_sink_record_send_total")) == 7);
    assert_true(sample(t, S("kafka_connect_sink_task_put_batch_avg_time_ms")) == 21);
    assert_true(sample(t, S("kafka_connect_sink_task_put_batch_max_time_ms")) == 30);
    assert_true(sample(t, S("kafka_connect_connector_task_batch_size_max")) == 5);
    assert_true(sample(t, S("kafka_connect_connector_task_batch_size_avg")) == 3.5);
    assert_true(sample(t, S("kafka_connect_sink_task_offset_commit_completion_total")) == 1);
    assert_true(sample(t, S("kafka_connect_sink_task_offset_commit_skip_total")) == 1);
    assert_true(sample(t, S("kafka_connect_sink_task_offset_commit_seq_no")) == 2);
    assert_true(sample(t, S("kafka_connect_connector_task_offset_commit_failure_percentage")) ==
                0.5);
    assert_true(sample(t, S("kafka_connect_connector_task_offset_commit_max_time_ms")) == 4);
    assert_true(sample(t, S("kafka_connect_sink_task_partition_count")) == 3);
    assert_true(sample(t, S("kafka_connect_task_error_total_record_errors")) == 2);
    assert_true(sample(t, S("kafka_connect_task_error_total_records_skipped")) == 2);
    assert_true(sample(t, S("kafka_connect_task_error_deadletterqueue_produce_requests")) == 2);
    assert_true(sample(t, S("connect_c_task_budget_use_ratio")) == 0.25);
    assert_true(sample(t, S("kafka_connect_connector_task_running_ratio")) == 1);
    assert_true(sample(t, S("kafka_connect_connector_task_pause_ratio")) == 0);
    /* 7 records in a young window: the JVM's Rate counts at least one full 30 s window. */
    double rate = sample(t, S("kafka_connect_sink_task_sink_record_read_rate"));
    assert_true(rate > 0 && rate <= 7.0 / 30);
    assert_true(sample(t, S("kafka_connect_sink_task_offset_commit_completion_rate")) > 0);
    assert_true(sample(t, S("connect_c_task_record_bytes_read_total")) == 700);
#undef S
    const char *ls = "{connector=\"orders\",task=\"0\",sink=\"file\"}";
    snprintf(s, sizeof(s), "connect_c_sink_bytes_sent_total%s", ls);
    assert_true(sample(t, s) == 1024);
    snprintf(s, sizeof(s), "connect_c_sink_insert_total%s", ls);
    assert_true(sample(t, s) == 1);
    snprintf(s, sizeof(s), "connect_c_sink_insert_failures_total%s", ls);
    assert_true(sample(t, s) == 1);
    snprintf(s, sizeof(s), "connect_c_sink_insert_time_ms_total%s", ls);
    assert_true(sample(t, s) == 3);
    snprintf(s, sizeof(s), "connect_c_sink_insert_max_time_ms%s", ls);
    assert_true(sample(t, s) == 2.5);
    /* HELP and TYPE once per family, with a counter type for totals. */
    assert_int_equal(count_of(t, "# TYPE kafka_connect_sink_task_sink_record_read_total counter\n"),
                     1);
    assert_int_equal(count_of(t, "# TYPE kafka_connect_sink_task_put_batch_avg_time_ms gauge\n"), 1);
    free(t);

    /* A second task of the same connector: one family header, two series. */
    struct metrics_task *m2 = metrics_task_new("orders", 1, "file");
    t = render();
    assert_int_equal(count_of(t, "# HELP kafka_connect_sink_task_sink_record_read_total "), 1);
    assert_true(sample(t, "kafka_connect_sink_task_sink_record_read_total{connector=\"orders\","
                          "task=\"1\"}") == 0);
    free(t);
    metrics_task_free(m2);
    metrics_task_free(m);
    t = render();
    assert_null(strstr(t, "kafka_connect_sink_task_sink_record_read_total"));
    free(t);
}

static void test_statuses_and_worker_counts(void **state)
{
    (void)state;
    metrics_status_set("a", -1, "RUNNING", "org.apache.kafka.connect.file.FileStreamSinkConnector",
                       "4.1.0");
    metrics_status_set("a", 0, "RUNNING", NULL, NULL);
    metrics_status_set("a", 1, "FAILED", NULL, NULL);
    metrics_status_set("b", -1, "PAUSED", NULL, NULL);
    metrics_status_set("b", 0, "PAUSED", NULL, NULL);
    metrics_worker_rebalanced(7, 40);
    metrics_worker_startup(0, 1);
    metrics_worker_startup(1, 1);
    metrics_worker_startup(1, 0);
    char *t = render();
    assert_true(sample(t, "kafka_connect_worker_connector_count") == 2);
    assert_true(sample(t, "kafka_connect_worker_task_count") == 3);
    assert_true(sample(t, "kafka_connect_connector_task_status{connector=\"a\",task=\"1\","
                          "status=\"failed\"}") == 1);
    assert_true(sample(t, "kafka_connect_connector_status{connector=\"b\",status=\"paused\"}") ==
                1);
    assert_true(sample(t, "kafka_connect_connector_connector_class{connector=\"a\","
                          "connector_class=\"org.apache.kafka.connect.file."
                          "FileStreamSinkConnector\"}") == 1);
    assert_true(sample(t, "kafka_connect_worker_connector_total_task_count{connector=\"a\"}") == 2);
    assert_true(sample(t, "kafka_connect_worker_connector_failed_task_count{connector=\"a\"}") ==
                1);
    assert_true(sample(t, "kafka_connect_worker_connector_running_task_count{connector=\"b\"}") ==
                0);
    assert_true(sample(t, "kafka_connect_worker_rebalance_completed_rebalances_total") == 1);
    assert_true(sample(t, "kafka_connect_worker_rebalance_rebalance_max_time_ms") == 40);
    assert_true(sample(t, "kafka_connect_worker_rebalance_rebalancing") == 0);
    assert_true(sample(t, "kafka_connect_worker_rebalance_epoch") == 7);
    assert_true(sample(t, "kafka_connect_connector_connector_version{connector=\"a\","
                          "connector_version=\"4.1.0\"}") == 1);
    assert_true(sample(t, "kafka_connect_connector_connector_type{connector=\"a\","
                          "connector_type=\"sink\"}") == 1);
    assert_true(sample(t, "kafka_connect_worker_connector_startup_success_total") == 1);
    assert_true(sample(t, "kafka_connect_worker_task_startup_attempts_total") == 2);
    assert_true(sample(t, "kafka_connect_worker_task_startup_failure_total") == 1);
    assert_true(sample(t, "kafka_connect_worker_task_startup_failure_percentage") == 0.5);
    free(t);

    /* A restart moves the task's status; DESTROYED forgets the connector and its tasks. */
    metrics_status_set("a", 1, "RUNNING", NULL, NULL);
    metrics_status_set("b", -1, "DESTROYED", NULL, NULL);
    t = render();
    assert_true(isnan(sample(t, "kafka_connect_connector_task_status{connector=\"a\",task=\"1\","
                                "status=\"failed\"}")));
    assert_true(sample(t, "kafka_connect_connector_task_status{connector=\"a\",task=\"1\","
                          "status=\"running\"}") == 1);
    assert_null(strstr(t, "connector=\"b\""));
    assert_true(sample(t, "kafka_connect_worker_connector_count") == 1);
    free(t);
}

static void test_label_values_are_escaped(void **state)
{
    (void)state;
    struct metrics_task *m = metrics_task_new("we\"ird\\na\nme", 2, "file");
    char *t = render();
    assert_true(sample(t, "kafka_connect_sink_task_sink_record_read_total{connector="
                          "\"we\\\"ird\\\\na\\nme\",task=\"2\"}") == 0);
    free(t);
    metrics_task_free(m);
}

/* Every line is a comment or `name{labels} value` with a name Prometheus accepts. */
static void test_every_line_parses(void **state)
{
    (void)state;
    struct metrics_task *m = metrics_task_new("x", 0, "file");
    metrics_status_set("x", -1, "RUNNING", NULL, NULL);
    metrics_status_set("x", 0, "RUNNING", NULL, NULL);
    char *t = render();
    int lines = 0;
    for (char *p = t; *p != '\0';) {
        char *eol = strchr(p, '\n');
        assert_non_null(eol);
        *eol = '\0';
        lines++;
        if (p[0] != '#') {
            size_t i = 0;
            while ((p[i] >= 'a' && p[i] <= 'z') || p[i] == '_' || (p[i] >= '0' && p[i] <= '9')) {
                i++;
            }
            assert_true(i > 0 && (p[i] == '{' || p[i] == ' '));
            char *sp = strrchr(p, ' ');
            assert_non_null(sp);
            char *end = NULL;
            double v = strtod(sp + 1, &end);
            (void)v;
            assert_true(*end == '\0');
        } else {
            assert_true(strncmp(p, "# HELP ", 7) == 0 || strncmp(p, "# TYPE ", 7) == 0);
        }
        p = eol + 1;
    }
    assert_true(lines > 50);
    free(t);
    metrics_task_free(m);
}

static void test_window_drops_old_samples(void **state)
{
    (void)state;
    struct metrics_stat s;
    memset(&s, 0, sizeof(s));
    int64_t t0 = 1700000000000LL - 1700000000000LL % METRICS_SAMPLE_MS;
    assert_true(isnan(metrics_stat_avg(&s, t0)));
    metrics_stat_record(&s, 10, t0 + 1);
    metrics_stat_record(&s, 20, t0 + METRICS_SAMPLE_MS + 1);
    assert_true(metrics_stat_avg(&s, t0 + METRICS_SAMPLE_MS + 2) == 15);
    assert_true(metrics_stat_max(&s, t0 + METRICS_SAMPLE_MS + 2) == 20);
    /* Two windows later the first sample is gone, then the second. */
    assert_true(metrics_stat_avg(&s, t0 + 2 * METRICS_SAMPLE_MS + 1) == 20);
    assert_true(isnan(metrics_stat_max(&s, t0 + 3 * METRICS_SAMPLE_MS + 1)));
    metrics_stat_record(&s, 5, t0 + 4 * METRICS_SAMPLE_MS);
    assert_true(metrics_stat_max(&s, t0 + 4 * METRICS_SAMPLE_MS) == 5);

    /* Rates: 60 in the first second of a window, padded to one full window; later the real
     * elapsed time counts. */
    memset(&s, 0, sizeof(s));
    assert_true(metrics_stat_rate(&s, t0) == 0);
    metrics_stat_record(&s, 60, t0);
    assert_true(fabs(metrics_stat_rate(&s, t0 + 1000) - 60.0 * 1000 / 31000) < 1e-9);
    metrics_stat_record(&s, 60, t0 + METRICS_SAMPLE_MS + 10000);
    assert_true(fabs(metrics_stat_rate(&s, t0 + METRICS_SAMPLE_MS + 10000) -
                     120.0 * 1000 / (METRICS_SAMPLE_MS + 10000)) < 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_task_counters_render_with_jmx_names, reset),
        cmocka_unit_test_setup(test_statuses_and_worker_counts, reset),
        cmocka_unit_test_setup(test_label_values_are_escaped, reset),
        cmocka_unit_test_setup(test_every_line_parses, reset),
        cmocka_unit_test_setup(test_window_drops_old_samples, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
