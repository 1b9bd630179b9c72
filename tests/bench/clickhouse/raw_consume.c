/*
 * tests/bench/clickhouse/raw_consume.c: the ceiling for a sink -- read N records of a topic from
 * the beginning with the librdkafka the worker links (a new group, nothing committed), touch
 * every payload byte (a checksum, so nothing is optimised away) and write nothing (/dev/null).
 * Batches come from rd_kafka_consume_batch_queue as the worker's task loop takes them.
 *
 *   raw_consume BOOTSTRAP TOPIC N [key=value ...]   (extra librdkafka consumer properties)
 *
 * Prints "records=N bytes=B seconds=S" (S from the first poll to the Nth record).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s BOOTSTRAP TOPIC N [key=value ...]\n", argv[0]);
        return 2;
    }
    char errstr[512], group[128];
    long long want = atoll(argv[3]);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    snprintf(group, sizeof(group), "raw-consume-%ld-%d", (long)time(NULL), (int)getpid());
    const char *kv[][2] = {{"bootstrap.servers", argv[1]},
                           {"group.id", group},
                           {"auto.offset.reset", "earliest"},
                           {"enable.auto.commit", "false"},
                           {"enable.partition.eof", "false"}};
    for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
        if (rd_kafka_conf_set(conf, kv[i][0], kv[i][1], errstr, sizeof(errstr)) !=
            RD_KAFKA_CONF_OK) {
            fprintf(stderr, "%s\n", errstr);
            return 1;
        }
    }
    for (int i = 4; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (eq == NULL) {
            fprintf(stderr, "bad property %s\n", argv[i]);
            return 2;
        }
        *eq = '\0';
        if (rd_kafka_conf_set(conf, argv[i], eq + 1, errstr, sizeof(errstr)) !=
            RD_KAFKA_CONF_OK) {
            fprintf(stderr, "%s\n", errstr);
            return 1;
        }
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    if (rk == NULL) {
        fprintf(stderr, "%s\n", errstr);
        return 1;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, argv[2], RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(rk);
    rd_kafka_message_t *msgs[500];
    long long got = 0, bytes = 0;
    uint64_t sum = 0;
    double t0 = now_s();
    while (got < want) {
        ssize_t n = rd_kafka_consume_batch_queue(q, 1000, msgs, 500);
        for (ssize_t i = 0; i < n; i++) {
            if (msgs[i]->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                const unsigned char *p = msgs[i]->payload;
                for (size_t k = 0; k < msgs[i]->len; k++) {
                    sum += p[k];
                }
                bytes += (long long)msgs[i]->len;
                got++;
            }
            rd_kafka_message_destroy(msgs[i]);
        }
    }
    double secs = now_s() - t0;
    rd_kafka_queue_destroy(q);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    FILE *devnull = fopen("/dev/null", "w");
    if (devnull != NULL) {
        fprintf(devnull, "%llu\n", (unsigned long long)sum);
        fclose(devnull);
    }
    printf("records=%lld bytes=%lld seconds=%.3f\n", got, bytes, secs);
    return 0;
}
