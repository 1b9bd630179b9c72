/*
 * tests/bench/worker/rdkafka_shim.c: an LD_PRELOAD shim for experiments with the worker benchmark
 * (never linked into the worker). It
 *   - applies librdkafka-only properties that worker.properties cannot express, from
 *     KCB_CONSUMER / KCB_PRODUCER ("key=value,key=value"), to every consumer / producer the
 *     worker creates (e.g. KCB_CONSUMER=fetch.queue.backoff.ms=10,queued.max.messages.kbytes=4096,
 *     the first of which needs librdkafka >= 2.2: point LD_LIBRARY_PATH at a newer librdkafka.so.1);
 *   - with KCB_PRODUCER_WARMUP=1, asks every new producer for all topics' metadata once;
 *   - counts what the sink task's rd_kafka_consume_batch_queue() returned, how long the calls that
 *     returned records took, how many returned nothing (each such call waited the task's whole
 *     poll timeout: the fetcher had stalled), and the time spent in write(2) calls of >= 16 KiB
 *     (FileStreamSink's batches). The counts go to stderr (the worker log) at exit.
 * Usage: bench_worker.py --cc-env LD_PRELOAD=<build>/tests/bench/worker/libkc_bench_rdkafka_shim.so
 *        --cc-env KCB_CONSUMER=...
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

typedef rd_kafka_t *new_fn(rd_kafka_type_t, rd_kafka_conf_t *, char *, size_t);
typedef ssize_t batch_fn(rd_kafka_queue_t *, int, rd_kafka_message_t **, size_t);
typedef ssize_t write_fn(int, const void *, size_t);

static double shim_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Only the sink task thread calls consume_batch_queue and writes big blocks: no locking. */
static double batch_s, first_t, last_t, write_s;
static long batch_calls, batch_msgs, batch_empty, write_calls;
static size_t write_bytes;

static void apply_props(rd_kafka_conf_t *conf, const char *list)
{
    char *d = strdup(list);
    char *save = NULL;
    if (d == NULL) {
        return;
    }
    for (char *kv = strtok_r(d, ",", &save); kv != NULL; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        char e[256];
        if (eq == NULL) {
            continue;
        }
        *eq = '\0';
        if (rd_kafka_conf_set(conf, kv, eq + 1, e, sizeof(e)) != RD_KAFKA_CONF_OK) {
            fprintf(stderr, "rdkafka_shim: %s: %s\n", kv, e);
        }
    }
    free(d);
}

rd_kafka_t *rd_kafka_new(rd_kafka_type_t type, rd_kafka_conf_t *conf, char *errstr, size_t size)
{
    new_fn *real = (new_fn *)dlsym(RTLD_NEXT, "rd_kafka_new");
    const char *list = getenv(type == RD_KAFKA_CONSUMER ? "KCB_CONSUMER" : "KCB_PRODUCER");
    if (list != NULL && list[0] != '\0' && conf != NULL) {
        apply_props(conf, list);
    }
    rd_kafka_t *rk = real(type, conf, errstr, size);
    /* KCB_PRODUCER_WARMUP=1: fetch all topics' metadata once when a producer is created, so its
     * first send to an existing topic does not wait for librdkafka's topic scan. */
    const char *warm = getenv("KCB_PRODUCER_WARMUP");
    if (rk != NULL && type == RD_KAFKA_PRODUCER && warm != NULL && strcmp(warm, "1") == 0) {
        const struct rd_kafka_metadata *md = NULL;
        if (rd_kafka_metadata(rk, 1, NULL, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            rd_kafka_metadata_destroy(md);
        }
    }
    return rk;
}

ssize_t rd_kafka_consume_batch_queue(rd_kafka_queue_t *rkqu, int timeout_ms,
                                     rd_kafka_message_t **rkmessages, size_t rkmessages_size)
{
    batch_fn *real = (batch_fn *)dlsym(RTLD_NEXT, "rd_kafka_consume_batch_queue");
    double t = shim_now();
    ssize_t r = real(rkqu, timeout_ms, rkmessages, rkmessages_size);
    double e = shim_now();
    if (r > 0) {
        if (batch_calls == 0) {
            first_t = t;
        }
        last_t = e;
        batch_s += e - t;
        batch_calls++;
        batch_msgs += r;
    } else if (batch_calls > 0) {
        batch_empty++;
    }
    return r;
}

ssize_t write(int fd, const void *buf, size_t n)
{
    write_fn *real = (write_fn *)dlsym(RTLD_NEXT, "write");
    if (n < 16384) {
        return real(fd, buf, n);
    }
    double t = shim_now();
    ssize_t r = real(fd, buf, n);
    write_s += shim_now() - t;
    write_calls++;
    write_bytes += n;
    return r;
}

__attribute__((destructor)) static void shim_report(void)
{
    if (batch_calls > 0) {
        fprintf(stderr,
                "rdkafka_shim: consume_batch_queue: %ld calls returned %ld records in %.3f s "
                "(first to last batch: %.3f s); %ld calls after the first batch returned none\n",
                batch_calls, batch_msgs, batch_s, last_t - first_t, batch_empty);
    }
    if (write_calls > 0) {
        fprintf(stderr, "rdkafka_shim: write(2) >= 16 KiB: %ld calls, %zu bytes, %.3f s\n",
                write_calls, write_bytes, write_s);
    }
}
