/*
 * tests/bench/convert/bench_convert.c: ns/record for JsonConverter (schemas.enable=false) parse,
 * and parse + cdata_to_java_string (what FileStreamSink needs), on ~200-byte records shaped like
 * the pipeline benchmark's: user_id, event_type, timestamp (ms), session_id, device, value
 * (double), seq, pad. Records are pre-generated so only conversion is timed; the batch arena is
 * reset every 500 records, as the worker releases a batch after commit.
 * Usage: bench_convert [records]   (default 1000000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conv.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    enum { DISTINCT = 4096 };
    static char recs[DISTINCT][256];
    static size_t lens[DISTINCT];
    static const char *const events[] = {"click", "view", "purchase", "scroll"};
    static const char *const devices[] = {"ios", "android", "web"};
    srand(42);
    size_t total = 0;
    for (int i = 0; i < DISTINCT; i++) {
        char pad[64];
        int pl = 20 + rand() % 30;
        memset(pad, 'x', (size_t)pl);
        pad[pl] = '\0';
        int len = snprintf(recs[i], sizeof(recs[i]),
                           "{\"user_id\":%d,\"event_type\":\"%s\",\"timestamp\":%lld,\"session_id\":"
                           "\"%08x-%04x-%04x-%04x-%012x\",\"device\":\"%s\",\"value\":%d.%02d,"
                           "\"seq\":%d,\"pad\":\"%s\"}",
                           rand() % 1000000, events[rand() % 4], 1700000000000LL + rand(), rand(),
                           rand() & 0xffff, rand() & 0xffff, rand() & 0xffff, rand(),
                           devices[rand() % 3], rand() % 1000, rand() % 100, i, pad);
        lens[i] = (size_t)len;
        total += (size_t)len;
    }
    struct kc_strmap *p = kc_strmap_new();
    kc_strmap_set(p, "schemas.enable", "false");
    struct conv *c;
    struct kc_error err;
    if (conv_new("org.apache.kafka.connect.json.JsonConverter", p, 0, &c, &err) != KC_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    kc_strmap_free(p);
    struct kc_arena a;
    kc_arena_init(&a, 256 * 1024, 1u << 30);
    struct kc_buf b;
    kc_buf_init(&b, 1u << 20);
    const struct cdata_schema *s;
    const struct cdata_value *v;
    size_t out_bytes = 0;

    for (int pass = 0; pass < 2; pass++) {
        double t0 = now_s();
        for (long i = 0; i < n; i++) {
            if (i % 500 == 0) {
                kc_arena_reset(&a);
            }
            int k = (int)(i % DISTINCT);
            if (conv_to_connect(c, "t", recs[k], lens[k], &a, &s, &v, &err) != KC_OK) {
                fprintf(stderr, "convert: %s\n", err.msg);
                return 1;
            }
            if (pass == 1) {
                kc_buf_reset(&b);
                if (cdata_to_java_string(v, &b) != KC_OK) {
                    return 1;
                }
                out_bytes += b.len;
            }
        }
        double dt = now_s() - t0;
        printf("%-22s %8.1f ns/record  (%ld records, avg %zu B in, %.2f CPU-s per 1M)\n",
               pass == 0 ? "parse" : "parse+toString", dt * 1e9 / (double)n, n,
               total / DISTINCT, dt * 1e6 / (double)n);
    }
    kc_buf_reset(&b);
    conv_to_connect(c, "t", recs[0], lens[0], &a, &s, &v, &err);
    cdata_to_java_string(v, &b);
    printf("sample in : %.*s\nsample out: %s\n(avg out %zu B)\n", (int)lens[0], recs[0], b.data,
           out_bytes / (size_t)n);
    kc_buf_fini(&b);
    kc_arena_fini(&a);
    conv_free(c);
    return 0;
}
