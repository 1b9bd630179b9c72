/*
 * tests/bench/worker/raw_consume.c: the ceiling for the worker benchmark. It consumes a topic the
 * way a sink task's consumer does and throws the records away, so bench_worker.py can show how
 * much CPU the worker spends on top of librdkafka for the same records.
 *
 * Same consumer as a task (worker/herder.c start_task, worker/task.c make_consumer and
 * budget_prefetch with the default 256 MiB budget, worker/kafka_admin.c kafka_admin_conf_new):
 *   enable.auto.commit=false, enable.auto.offset.store=false, auto.offset.reset=earliest,
 *   partition.assignment.strategy=cooperative-sticky, fetch.queue.backoff.ms=3,
 *   queued.max.messages.kbytes=8192, queued.min.messages=20000, fetch.max.bytes=33554432,
 *   enable.metrics.push=false; a fresh group; rd_kafka_poll_set_consumer, subscribe, then
 *   rd_kafka_consume_batch_queue() of up to 500 messages with a 200 ms wait, each message
 *   destroyed after its batch. -X key=value changes or adds a property (applied last).
 *
 * It stops at N messages and prints one line of key=value figures on stdout:
 *   records, bytes (key + value), wall_s (start -> N messages, consumer creation and the group
 *   join included, as the worker's POST -> N lines is), first_s (start -> first message),
 *   cpu_s / user_s / sys_s (getrusage(RUSAGE_SELF) at the Nth message: every thread of the
 *   process, librdkafka's included) and maxrss_kib.
 *
 * Usage: kc_bench_raw_consume -b BOOTSTRAP -t TOPIC -n N [-g GROUP] [-X key=value ...]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#define RAW_BATCH_MAX 500 /* worker/task.c TASK_BATCH_MAX */
#define RAW_POLL_MS 200   /* worker/task.c TASK_POLL_MS */
#define RAW_IDLE_LIMIT_S 120.0 /* give up when nothing arrives for this long */

static double raw_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double tv_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static int set(rd_kafka_conf_t *conf, const char *k, const char *v)
{
    char errstr[512];
    if (rd_kafka_conf_set(conf, k, v, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "raw_consume: %s=%s: %s\n", k, v, errstr);
        return -1;
    }
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: kc_bench_raw_consume -b BOOTSTRAP -t TOPIC -n N [-g GROUP] "
                    "[-X key=value ...]\n");
}

int main(int argc, char **argv)
{
    const char *bootstrap = NULL, *topic = NULL, *group = NULL;
    long long want = 0;
    char group_buf[96];
    char errstr[512];
    const char *extra[64];
    int n_extra = 0, opt;
    while ((opt = getopt(argc, argv, "b:t:n:g:X:")) != -1) {
        switch (opt) {
        case 'b':
            bootstrap = optarg;
            break;
        case 't':
            topic = optarg;
            break;
        case 'n':
            want = atoll(optarg);
            break;
        case 'g':
            group = optarg;
            break;
        case 'X':
            if (n_extra == (int)(sizeof(extra) / sizeof(extra[0]))) {
                fprintf(stderr, "raw_consume: too many -X\n");
                return 2;
            }
            extra[n_extra++] = optarg;
            break;
        default:
            usage();
            return 2;
        }
    }
    if (bootstrap == NULL || topic == NULL || want <= 0) {
        usage();
        return 2;
    }
    double t0 = raw_now();
    if (group == NULL) {
        snprintf(group_buf, sizeof(group_buf), "kc-bench-raw-%ld-%lld", (long)getpid(),
                 (long long)(t0 * 1e3));
        group = group_buf;
    }

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    static const char *const props[][2] = {
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"auto.offset.reset", "earliest"},
        {"partition.assignment.strategy", "cooperative-sticky"},
        {"fetch.queue.backoff.ms", "3"},
        {"queued.max.messages.kbytes", "8192"},
        {"queued.min.messages", "20000"},
        {"fetch.max.bytes", "33554432"},
        {"enable.metrics.push", "false"},
        {"client.id", "kc-bench-raw-consume"},
    };
    int bad = set(conf, "bootstrap.servers", bootstrap) || set(conf, "group.id", group);
    for (size_t i = 0; i < sizeof(props) / sizeof(props[0]) && !bad; i++) {
        bad = set(conf, props[i][0], props[i][1]);
    }
    for (int i = 0; i < n_extra && !bad; i++) {
        char kv[1024];
        snprintf(kv, sizeof(kv), "%s", extra[i]);
        char *eq = strchr(kv, '=');
        if (eq == NULL) {
            fprintf(stderr, "raw_consume: -X %s: expected key=value\n", extra[i]);
            bad = 1;
            break;
        }
        *eq = '\0';
        bad = set(conf, kv, eq + 1);
    }
    if (bad) {
        rd_kafka_conf_destroy(conf);
        return 2;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    if (rk == NULL) {
        fprintf(stderr, "raw_consume: %s\n", errstr);
        rd_kafka_conf_destroy(conf);
        return 1;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(rk, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "raw_consume: subscribe: %s\n", rd_kafka_err2str(e));
        rd_kafka_destroy(rk);
        return 1;
    }

    rd_kafka_queue_t *cq = rd_kafka_queue_get_consumer(rk);
    rd_kafka_message_t *msgs[RAW_BATCH_MAX];
    long long got = 0, bytes = 0;
    unsigned sum = 0; /* touches every payload, so nothing is skipped unread */
    double first = 0, last_msg = raw_now();
    int rc = 0;
    while (got < want) {
        ssize_t n = rd_kafka_consume_batch_queue(cq, RAW_POLL_MS, msgs, RAW_BATCH_MAX);
        for (ssize_t i = 0; i < n; i++) {
            const rd_kafka_message_t *m = msgs[i];
            if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                got++;
                bytes += (long long)(m->len + m->key_len);
                if (m->len > 0) {
                    sum += ((const unsigned char *)m->payload)[m->len - 1];
                }
            } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                fprintf(stderr, "raw_consume: consumer error: %s\n", rd_kafka_message_errstr(m));
            }
            rd_kafka_message_destroy(msgs[i]);
        }
        double now = raw_now();
        if (n > 0) {
            if (first == 0) {
                first = now;
            }
            last_msg = now;
        } else if (now - last_msg > RAW_IDLE_LIMIT_S) {
            fprintf(stderr, "raw_consume: only %lld of %lld messages, nothing for %.0f s\n", got,
                    want, RAW_IDLE_LIMIT_S);
            rc = 1;
            break;
        }
    }
    double t1 = raw_now();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("records=%lld bytes=%lld wall_s=%.4f first_s=%.4f cpu_s=%.4f user_s=%.4f "
           "sys_s=%.4f maxrss_kib=%ld librdkafka=%s check=%u\n",
           got, bytes, t1 - t0, first > 0 ? first - t0 : -1.0,
           tv_s(ru.ru_utime) + tv_s(ru.ru_stime), tv_s(ru.ru_utime), tv_s(ru.ru_stime),
           ru.ru_maxrss, rd_kafka_version_str(), sum);
    fflush(stdout);
    rd_kafka_queue_destroy(cq);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rc;
}
