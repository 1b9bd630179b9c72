/*
 * tests/unit/questdb/test_questdb_sink.c: the QuestDB sink driven by the sink harness (in-memory
 * Kafka log) against a stub QuestDB /write endpoint on loopback that records every body and
 * answers 204, 500 (transient) or, for a body with a line holding BAD, 400 with QuestDB's error
 * JSON naming that line. Proves: offsets are committed
 * only for rows QuestDB acknowledged; a failed flush inside put takes the batch's lines back out
 * (KC_RETRY, no line sent twice from one buffer); allowed.lag flushes an idle buffer on tick; bad
 * records are reported one by one while the rest is written, including rows QuestDB itself
 * refuses (found by the line number in its answer); a crash replays from the last
 * commit; the buffer stays within the task's byte budget.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "kc_alloc.h"
#include "kc_buf.h"
#include "sink_harness.h"

extern const struct sink_connector_ops questdb_sink_ops;

/* ---- stub QuestDB ---- */

struct stub {
    int lfd;
    int port;
    pthread_t thr;
    pthread_mutex_t mu;
    struct kc_buf bodies; /* every acknowledged body, concatenated */
    int status;           /* answer: 204, 500, 400 */
    int settings_404;     /* GET /settings answers 404 (a server older than ILP v2) */
    int settings_asked;
    int requests;
    int stop;
};

static void handle(struct stub *s, int fd)
{
    struct kc_buf in;
    kc_buf_init(&in, 1 << 28);
    char tmp[65536];
    for (;;) {
        char *hdr_end = in.data != NULL ? strstr(in.data, "\r\n\r\n") : NULL;
        if (hdr_end != NULL) {
            const char *cl = strstr(in.data, "Content-Length: ");
            size_t len = cl != NULL && cl < hdr_end ? strtoul(cl + 16, NULL, 10) : 0;
            size_t hl = (size_t)(hdr_end + 4 - in.data);
            if (in.len >= hl + len && strncmp(in.data, "GET /settings ", 14) == 0) {
                /* the protocol negotiation (protocol_version=auto), not a write */
                pthread_mutex_lock(&s->mu);
                s->settings_asked++;
                int old = s->settings_404;
                pthread_mutex_unlock(&s->mu);
                const char *body = old ? "" : "{\"config\":{\"release.version\":\"9.3.2\","
                                              "\"line.proto.support.versions\":[1,2,3]}}";
                char resp[512];
                int n = snprintf(resp, sizeof(resp),
                                 "HTTP/1.1 %s\r\nContent-Type: application/json\r\n"
                                 "Content-Length: %zu\r\n\r\n%s",
                                 old ? "404 Not Found" : "200 OK", strlen(body), body);
                if (write(fd, resp, (size_t)n) != n) {
                    break;
                }
                size_t rest = in.len - hl - len;
                memmove(in.data, in.data + hl + len, rest);
                in.len = rest;
                in.data[rest] = '\0';
                continue;
            }
            if (in.len >= hl + len) {
                pthread_mutex_lock(&s->mu);
                int st = s->status;
                s->requests++;
                /* A line holding BAD is refused, as QuestDB refuses a cast error: the whole
                 * request, naming the 1-based line. */
                long bad_line = 0, line = 1;
                for (size_t i = hl; i < hl + len && st == 204; i++) {
                    if (in.data[i] == '\n') {
                        line++;
                    } else if (i + 3 <= hl + len && memcmp(in.data + i, "BAD", 3) == 0) {
                        bad_line = line;
                        st = 400;
                    }
                }
                if (st == 400 && bad_line == 0) {
                    bad_line = 1;
                }
                if (st == 204) {
                    kc_buf_append(&s->bodies, in.data + hl, len);
                }
                pthread_mutex_unlock(&s->mu);
                char resp[512], body[256] = "";
                if (st == 422) { /* refused as a whole, naming no line */
                    snprintf(body, sizeof(body), "{\"code\":\"internal error\",\"message\":"
                             "\"table is being dropped\",\"errorId\":\"x-2\"}");
                }
                if (st == 400) {
                    snprintf(body, sizeof(body),
                             "{\"code\":\"invalid\",\"message\":\"failed to parse line "
                             "protocol:errors encountered on line(s):\\nerror in line %ld: cast "
                             "error\",\"line\":%ld,\"errorId\":\"x-1\"}",
                             bad_line, bad_line);
                }
                int n = snprintf(resp, sizeof(resp),
                                 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
                                 "Content-Length: %zu\r\n\r\n%s",
                                 st, strlen(body), body);
                if (write(fd, resp, (size_t)n) != n) {
                    break;
                }
                size_t rest = in.len - hl - len;
                memmove(in.data, in.data + hl + len, rest);
                in.len = rest;
                in.data[rest] = '\0';
                continue;
            }
        }
        ssize_t r = read(fd, tmp, sizeof(tmp));
        if (r <= 0 || kc_buf_append(&in, tmp, (size_t)r) != KC_OK) {
            break;
        }
    }
    kc_buf_fini(&in);
    close(fd);
}

static void *stub_main(void *arg)
{
    struct stub *s = arg;
    for (;;) {
        int fd = accept(s->lfd, NULL, NULL);
        if (fd < 0 || s->stop) {
            if (fd >= 0) {
                close(fd);
            }
            return NULL;
        }
        handle(s, fd); /* one client at a time is all the sink uses */
    }
}

static struct stub *stub_start(void)
{
    struct stub *s = calloc(1, sizeof(*s));
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(s->lfd, 8), 0);
    socklen_t al = sizeof(a);
    getsockname(s->lfd, (struct sockaddr *)&a, &al);
    s->port = ntohs(a.sin_port);
    s->status = 204;
    pthread_mutex_init(&s->mu, NULL);
    kc_buf_init(&s->bodies, 1 << 28);
    pthread_create(&s->thr, NULL, stub_main, s);
    return s;
}

static void stub_set(struct stub *s, int status)
{
    pthread_mutex_lock(&s->mu);
    s->status = status;
    pthread_mutex_unlock(&s->mu);
}

static size_t stub_lines(struct stub *s)
{
    pthread_mutex_lock(&s->mu);
    size_t n = 0;
    for (size_t i = 0; i < s->bodies.len; i++) {
        n += s->bodies.data[i] == '\n';
    }
    pthread_mutex_unlock(&s->mu);
    return n;
}

static void stub_stop(struct stub *s)
{
    s->stop = 1;
    shutdown(s->lfd, SHUT_RDWR);
    close(s->lfd);
    pthread_join(s->thr, NULL);
    kc_buf_fini(&s->bodies);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

/* ---- helpers ---- */

static struct sink_harness *start(struct stub *s, const char *extra_conf, const char *k1,
                                  const char *v1)
{
    struct kc_strmap m;
    kc_strmap_init(&m);
    char conf[256];
    snprintf(conf, sizeof(conf), "http::addr=127.0.0.1:%d;retry_timeout=0;%s", s->port,
             extra_conf);
    kc_strmap_set(&m, "connector.class", "io.questdb.kafka.QuestDBSinkConnector");
    kc_strmap_set(&m, "topics", "t");
    kc_strmap_set(&m, "client.conf.string", conf);
    kc_strmap_set(&m, "include.key", "false");
    kc_strmap_set(&m, "value.converter", "org.apache.kafka.connect.json.JsonConverter");
    kc_strmap_set(&m, "value.converter.schemas.enable", "false");
    if (k1 != NULL && strcmp(k1, "default.value.converter.schemas.enable") == 0) {
        /* no value.converter in the connector config: the worker's (here the harness's
         * JsonConverter) applies, with this schemas.enable */
        kc_strmap_del(&m, "value.converter");
        kc_strmap_set(&m, "value.converter.schemas.enable", v1);
    } else if (k1 != NULL) {
        kc_strmap_set(&m, k1, v1);
    }
    struct sink_harness *h = NULL;
    struct kc_error err = {0};
    int rc = sink_harness_new(&questdb_sink_ops, &m, &h, &err);
    kc_strmap_fini(&m);
    if (rc != KC_OK) {
        fail_msg("start: %s", err.msg);
    }
    assert_int_equal(sink_harness_assign(h, "t", 0, &err), KC_OK);
    return h;
}

static void produce(struct sink_harness *h, int from, int n)
{
    for (int i = from; i < from + n; i++) {
        char v[128];
        int l = snprintf(v, sizeof(v), "{\"seq\":%d,\"v\":%d.5,\"s\":\"x\"}", i, i);
        assert_int_equal(sink_harness_produce(h, "t", 0, NULL, v, (size_t)l, 1700000000000 + i),
                         KC_OK);
    }
}

static int64_t mono_ms(void) /* tick()'s clock (sink.h) */
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- tests ---- */

/* protocol_version=auto over HTTP: the array field goes as ILP v2 only when the server's
 * /settings lists version 2; a server without /settings gets v1 (the array is an unsupported
 * type, skipped here with skip.unsupported.types). */
static void negotiated(int old_server)
{
    struct stub *s = stub_start();
    s->settings_404 = old_server;
    struct sink_harness *h = start(s, "", "skip.unsupported.types", "true");
    struct kc_error err = {0};
    const char *v = "{\"seq\":1,\"arr\":[1.5,2.5]}";
    assert_int_equal(sink_harness_produce(h, "t", 0, NULL, v, strlen(v), 1700000000000), KC_OK);
    assert_int_equal(sink_harness_drain(h, 100, 10, &err), KC_OK);
    assert_int_equal(sink_harness_commit(h, &err), KC_OK);
    pthread_mutex_lock(&s->mu);
    /* the stub's bodies are NUL-terminated text before any binary array part */
    kc_buf_append_byte(&s->bodies, 0);
    s->bodies.len--;
    int has_arr = s->bodies.data != NULL && strstr(s->bodies.data, "arr=") != NULL;
    int has_seq = s->bodies.data != NULL && strstr(s->bodies.data, "seq=1i") != NULL;
    int asked = s->settings_asked;
    pthread_mutex_unlock(&s->mu);
    assert_int_equal(asked, 1);
    assert_true(has_seq);
    assert_int_equal(has_arr, !old_server);
    sink_harness_free(h);
    stub_stop(s);
}

static void test_questdb_sink_protocol_v2_negotiated(void **state)
{
    (void)state;
    negotiated(0);
}

static void test_questdb_sink_protocol_v1_for_old_server(void **state)
{
    (void)state;
    negotiated(1);
}

/* No value.converter in the connector config and the worker's JsonConverter with
 * schemas.enable=true: the worker converts the envelope (raw bytes are for schemaless JSON
 * only) and the payload's fields become the line. Before, the raw envelope was read as a
 * schemaless object. */
static void test_questdb_sink_schema_envelopes(void **state)
{
    (void)state;
    struct stub *s = stub_start();
    struct sink_harness *h = start(s, "", "default.value.converter.schemas.enable", "true");
    struct kc_error err = {0};
    const char *v = "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"seq\",\"type\":"
                    "\"int64\"},{\"field\":\"s\",\"type\":\"string\"}]},"
                    "\"payload\":{\"seq\":7,\"s\":\"x\"}}";
    assert_int_equal(sink_harness_produce(h, "t", 0, NULL, v, strlen(v), 1700000000000), KC_OK);
    assert_int_equal(sink_harness_drain(h, 100, 10, &err), KC_OK);
    assert_int_equal(sink_harness_commit(h, &err), KC_OK);
    assert_int_equal(sink_harness_committed(h, "t", 0, NULL), 1);
    pthread_mutex_lock(&s->mu);
    kc_buf_append_byte(&s->bodies, 0);
    s->bodies.len--;
    int ok = s->bodies.data != NULL && strstr(s->bodies.data, "seq=7i,s=\"x\"") != NULL &&
             strstr(s->bodies.data, "payload") == NULL;
    pthread_mutex_unlock(&s->mu);
    assert_true(ok);
    sink_harness_free(h);
    stub_stop(s);
}

static void test_questdb_sink_commits_only_acknowledged(void **state)
{
    (void)state;
    struct stub *s = stub_start();
    struct sink_harness *h = start(s, "", NULL, NULL);
    struct kc_error err = {0};
    produce(h, 0, 10);
    assert_int_equal(sink_harness_drain(h, 100, 10, &err), KC_OK);
    assert_int_equal(stub_lines(s), 0); /* 10 < auto_flush_rows: buffered */
    stub_set(s, 500);
    (void)sink_harness_commit(h, &err); /* flush fails: nothing acknowledged */
    assert_int_equal(sink_harness_committed(h, "t", 0, NULL), SINK_OFFSET_NONE);
    stub_set(s, 204);
    assert_int_equal(sink_harness_commit(h, &err), KC_OK);
    assert_int_equal(sink_harness_committed(h, "t", 0, NULL), 10);
    assert_int_equal(stub_lines(s), 10);
    sink_harness_free(h);
    stub_stop(s);
}

static void test_questdb_sink_put_retry_rolls_back(void **state)
{
    (void)state;
    struct stub *s = stub_start();
    struct sink_harness *h = start(s, "auto_flush_rows=5;", NULL, NULL);
    struct kc_error err = {0};
    produce(h, 0, 12);
    stub_set(s, 500);
    size_t n_put = 0;
    assert_int_equal(sink_harness_poll(h, 6, &n_put, &err), KC_RETRY);
    assert_int_equal(sink_harness_poll(h, 6, &n_put, &err), KC_RETRY);
    stub_set(s, 204);
    assert_int_equal(sink_harness_drain(h, 6, 10, &err), KC_OK);
    assert_int_equal(sink_harness_commit(h, &err), KC_OK);
    assert_int_equal(sink_harness_committed(h, "t", 0, NULL), 12);
    assert_int_equal(stub_lines(s), 12); /* each record once: the failed tries took theirs back */
    sink_harness_free(h);
    stub_stop(s);
}

static void test_questdb_sink_allowed_lag_tick(void **state)
{
    (void)state;
    struct stub *s = stub_start();
    struct sink_harness *h = start(s, "auto_flush_interval=100000;", "allowed.lag", "50");
    struct kc_error err = {0};
    produce(h, 0, 3);
    int64_t t0 = mono_ms();
    assert_int_equal(sink_harness_drain(h, 100, 10, &err), KC_OK);
    assert_int_equal(sink_harness_tick(h, t0 + 1, &err), KC_OK);
    assert_int_equal(stub_lines(s), 0);
    assert_int_equal(sink_harness_tick(h, mono_ms() + 60, &err), KC_OK);
    assert_int_equal(stub_lines(s), 3);
    sink_harness_free(h);
    stub_stop(s);
}

static void test_questdb_sink_reports_bad_records(void **state)
{
    (void)state;
    struct stub *s = stub_start();
    struct sink_harness *h = start(s, "", "errors.tolerance", "all");
    struct kc_error err = {0};
    produce(h, 0, 2);
    const char *bad[] = {"{not json", "{\"a\":[[1],2]}", "{\"a-b\":1}"};
    for (size_t i = 0; i < 3; i++) {
        sink_harness_produce(h, "t", 0, NULL, bad[i], strlen(bad[i]), 1);
    }
    produce(h, 2, 2);
    assert_int_equal(sink_harness_drain(h, 100, 10, &err), KC_OK);
    assert_int_equal(sink_harness_commit(h, &err), KC_OK);
    assert_int_equal(sink_harness_reported(h), 3);
    assert_int_equal(sink_harness_reported_offset(h, 0), 2);
    assert_int_equal(sink_harness_reported_offset(h, 2), 4);
    assert_int_equal(stub_lines(s), 4);
    assert_int_equal(sink_harness_committed(h, "t", 0, NULL), 7);
    sink_harness_free(h);
    stub_stop(s);
}

static void produce_bad(struct sink_harness *h)
{
    const char *v = "{\"seq\":99,\"v\":1.5,\"s\":\"BAD\"}";
    assert_int_equal(sink_harness_produce(h, "t", 0, NULL, v, strlen(v), 1), KC_OK);
}

/* QuestDB refuses a row written by the current put: it is reported, the rest is sent again. */
static void test_questdb_sink_refused_row_in_put(void **state)
{
    (void)state;
    struct stub *s = stub_start();
    struct sink_harness *h = start(s, "auto_flush_rows=5;", "errors.tolerance", "all");
    struct kc_error err = {0};
    produce(h, 0, 2);
    produce_bad(h);
    produce(h, 3, 2);
    assert_int_equal(sink_harness_drain(h, 100, 10, &err), KC_OK);
    assert_int_equal(sink_harness_reported(h), 1);
    assert_int_equal(sink_harness_reported_offset(h, 0), 2);
    assert_int_equal(stub_lines(s), 4);
    assert_int_equal(sink_harness_commit(h, &err), KC_OK);
    assert_int_equal(sink_harness_committed(h, "t", 0, NULL), 5);
    sink_harness_free(h);
    stub_stop(s);
}

/* Refused at a commit point, where the records are gone (errors.tolerance=none buffers across
 * puts): the task fails with QuestDB's words and nothing is committed. */
static void test_questdb_sink_refused_at_commit_fails(void **state)
{
    (void)state;
    struct stub *s = stub_start();
    struct sink_harness *h = start(s, "", NULL, NULL);
    struct kc_error err = {0};
    produce(h, 0, 3);
    produce_bad(h);
    assert_int_equal(sink_harness_drain(h, 2, 10, &err), KC_OK);
    assert_int_equal(stub_lines(s), 0);
    int rc = sink_harness_commit(h, &err);
    assert_true(rc < 0);
    assert_non_null(strstr(err.msg, "cast error"));
    assert_non_null(strstr(err.msg, "line 4"));
    assert_int_equal(sink_harness_committed(h, "t", 0, NULL), SINK_OFFSET_NONE);
    sink_harness_free(h);
    stub_stop(s);
}

/* A refusal that names no line: HTTP status, errorId and QuestDB's message, nothing run
 * together. */
static void test_questdb_sink_refusal_without_line(void **state)
{
    (void)state;
    struct stub *s = stub_start();
    struct sink_harness *h = start(s, "", NULL, NULL);
    struct kc_error err = {0};
    produce(h, 0, 3);
    assert_int_equal(sink_harness_drain(h, 2, 10, &err), KC_OK);
    stub_set(s, 422);
    assert_true(sink_harness_commit(h, &err) < 0);
    if (strstr(err.msg, "QuestDB refused the write (HTTP 422, errorId x-2): table is being "
                        "dropped") == NULL) {
        fail_msg("%s", err.msg);
    }
    assert_int_equal(sink_harness_committed(h, "t", 0, NULL), SINK_OFFSET_NONE);
    sink_harness_free(h);
    stub_stop(s);
}

/* errors.tolerance=all: every put is flushed, so a refused row always belongs to the put. */
static void test_questdb_sink_tolerance_all_flushes_every_put(void **state)
{
    (void)state;
    struct stub *s = stub_start();
    struct sink_harness *h = start(s, "", "errors.tolerance", "all");
    struct kc_error err = {0};
    produce(h, 0, 3);
    produce_bad(h);
    produce(h, 4, 3);
    assert_int_equal(sink_harness_poll(h, 2, NULL, &err), KC_OK);
    assert_int_equal(stub_lines(s), 2);
    assert_int_equal(sink_harness_drain(h, 2, 10, &err), KC_OK);
    assert_int_equal(sink_harness_reported(h), 1);
    assert_int_equal(sink_harness_reported_offset(h, 0), 3);
    assert_int_equal(stub_lines(s), 6);
    assert_int_equal(sink_harness_commit(h, &err), KC_OK);
    assert_int_equal(sink_harness_committed(h, "t", 0, NULL), 7);
    sink_harness_free(h);
    stub_stop(s);
}

static void test_questdb_sink_crash_replays(void **state)
{
    (void)state;
    struct stub *s = stub_start();
    struct sink_harness *h = start(s, "auto_flush_rows=8;", NULL, NULL);
    struct kc_error err = {0};
    produce(h, 0, 10);
    assert_int_equal(sink_harness_drain(h, 5, 10, &err), KC_OK); /* 5 held, then 10 sent */
    assert_int_equal(sink_harness_commit(h, &err), KC_OK);
    produce(h, 10, 13);
    assert_int_equal(sink_harness_drain(h, 5, 10, &err), KC_OK); /* 10 more sent, 3 held */
    assert_int_equal(stub_lines(s), 20);
    assert_int_equal(sink_harness_crash(h, &err), KC_OK);
    assert_int_equal(sink_harness_committed(h, "t", 0, NULL), 10);
    assert_int_equal(sink_harness_drain(h, 5, 10, &err), KC_OK);
    assert_int_equal(sink_harness_commit(h, &err), KC_OK);
    assert_int_equal(sink_harness_committed(h, "t", 0, NULL), 23);
    /* the 10 rows sent after the last commit were sent again: at-least-once, which a DEDUP
     * UPSERT KEYS table turns into exactly-once (tests/integration/questdb) */
    assert_int_equal(stub_lines(s), 33);
    sink_harness_free(h);
    stub_stop(s);
}

static void test_questdb_sink_budget(void **state)
{
    (void)state;
    struct stub *s = stub_start();
    struct kc_strmap m;
    kc_strmap_init(&m);
    char conf[128];
    snprintf(conf, sizeof(conf), "http::addr=127.0.0.1:%d;", s->port);
    kc_strmap_set(&m, "client.conf.string", conf);
    kc_strmap_set(&m, "include.key", "false");
    struct sink_harness *h = NULL;
    struct kc_error err = {0};
    assert_int_equal(sink_harness_new(&questdb_sink_ops, &m, &h, &err), KC_OK);
    kc_strmap_fini(&m);
    sink_harness_set_budget(h, 65536);
    assert_int_equal(sink_harness_assign(h, "t", 0, &err), KC_OK);
    produce(h, 0, 5000);
    assert_int_equal(sink_harness_drain(h, 200, 1000, &err), KC_OK);
    assert_int_equal(sink_harness_commit(h, &err), KC_OK);
    assert_int_equal(stub_lines(s), 5000);
    assert_true(sink_harness_peak_buffered(h) <= 65536);
    sink_harness_free(h);
    stub_stop(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_questdb_sink_schema_envelopes),
        cmocka_unit_test(test_questdb_sink_commits_only_acknowledged),
        cmocka_unit_test(test_questdb_sink_protocol_v2_negotiated),
        cmocka_unit_test(test_questdb_sink_protocol_v1_for_old_server),
        cmocka_unit_test(test_questdb_sink_put_retry_rolls_back),
        cmocka_unit_test(test_questdb_sink_allowed_lag_tick),
        cmocka_unit_test(test_questdb_sink_reports_bad_records),
        cmocka_unit_test(test_questdb_sink_refused_row_in_put),
        cmocka_unit_test(test_questdb_sink_refused_at_commit_fails),
        cmocka_unit_test(test_questdb_sink_refusal_without_line),
        cmocka_unit_test(test_questdb_sink_tolerance_all_flushes_every_put),
        cmocka_unit_test(test_questdb_sink_crash_replays),
        cmocka_unit_test(test_questdb_sink_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
