/*
 * tests/bench/parquet/bench_parquet_encode.c: the encoding half of the Parquet bench, to set
 * beside pyarrow's write_table from an in-memory table. It loads the bench workload (JSON
 * lines: user_id, event_type, timestamp, session_id, device, value, seq, pad) into column
 * arrays first, untimed, then times only the typed appends and close (pages, dictionaries,
 * snappy, footer) into a file, and prints CPU seconds of that phase and the output size.
 *
 *   bench_parquet_encode IN.jsonl OUT.parquet [codec]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "kc_alloc.h"
#include "parquet.h"
#include "parquet_int.h"

#define NCOLS 8

static const char *names[NCOLS] = {"user_id", "event_type", "timestamp", "session_id",
                                   "device",  "value",      "seq",       "pad"};

struct strcol {
    char *bytes; /* all values back to back */
    size_t len;
    size_t cap;
    uint32_t *off; /* value i is bytes[off[i] .. off[i + 1]) */
};

static double cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static void str_add(struct strcol *c, size_t row, const char *p, size_t n)
{
    if (c->len + n > c->cap) {
        c->cap = (c->cap + n) * 2;
        c->bytes = realloc(c->bytes, c->cap);
        if (c->bytes == NULL) {
            abort();
        }
    }
    if (n > 0) {
        memcpy(c->bytes + c->len, p, n);
        c->len += n;
    }
    c->off[row + 1] = (uint32_t)c->len;
}

static int file_write(void *opaque, const void *buf, size_t len)
{
    return fwrite(buf, 1, len, opaque) == len ? 0 : -1;
}

int main(int argc, char **argv)
{
    FILE *in, *out;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    size_t rows = 0, rows_cap = 1 << 20;
    struct strcol sc[NCOLS];
    int64_t *ts, *seq;
    double *val;
    struct parquet_jv_parser ps;
    struct kc_error err;

    if (argc < 3) {
        fprintf(stderr, "usage: bench_parquet_encode IN.jsonl OUT.parquet [codec]\n");
        return 2;
    }
    in = fopen(argv[1], "r");
    if (in == NULL) {
        perror(argv[1]);
        return 1;
    }
    memset(sc, 0, sizeof(sc));
    ts = malloc(rows_cap * 8);
    seq = malloc(rows_cap * 8);
    val = malloc(rows_cap * 8);
    for (int c = 0; c < NCOLS; c++) {
        sc[c].off = calloc(rows_cap + 1, sizeof(uint32_t));
    }
    parquet_jv_parser_init(&ps);
    while ((n = getline(&line, &cap, in)) > 0) {
        struct parquet_jv v;
        if (rows == rows_cap) {
            rows_cap *= 2;
            ts = realloc(ts, rows_cap * 8);
            seq = realloc(seq, rows_cap * 8);
            val = realloc(val, rows_cap * 8);
            for (int c = 0; c < NCOLS; c++) {
                sc[c].off = realloc(sc[c].off, (rows_cap + 1) * sizeof(uint32_t));
            }
        }
        if (parquet_jv_parse(&ps, line, (size_t)n, &v, &err) != KC_OK) {
            fprintf(stderr, "line %zu: %s\n", rows + 1, err.msg);
            return 1;
        }
        uint32_t hint = 0;
        for (int c = 0; c < NCOLS; c++) {
            const struct parquet_jv *x = parquet_jv_get(&v, names[c], strlen(names[c]), &hint);
            if (x == NULL) {
                fprintf(stderr, "line %zu: no %s\n", rows + 1, names[c]);
                return 1;
            }
            if (c == 2) {
                ts[rows] = x->u.i;
            } else if (c == 5) {
                val[rows] = x->type == PARQUET_JV_INT ? (double)x->u.i : x->u.d;
            } else if (c == 6) {
                seq[rows] = x->u.i;
            } else {
                str_add(&sc[c], rows, x->u.s, x->n);
            }
        }
        rows++;
    }
    fclose(in);
    parquet_jv_parser_fini(&ps);

    /* Timed: schema, appends, close. */
    double t0 = cpu_now();
    struct parquet_schema *s = parquet_schema_new();
    struct parquet_logical str = {.kind = PARQUET_LOGICAL_STRING};
    struct parquet_logical tsl = {.kind = PARQUET_LOGICAL_TIMESTAMP, .unit = PARQUET_MILLIS,
                                  .utc = 1};
    for (int c = 0; c < NCOLS; c++) {
        enum parquet_type t = c == 2 || c == 6 ? PARQUET_INT64
                              : c == 5         ? PARQUET_DOUBLE
                                               : PARQUET_BYTE_ARRAY;
        if (parquet_schema_add_leaf(s, PARQUET_SCHEMA_ROOT, names[c], PARQUET_OPTIONAL, t,
                                    t == PARQUET_BYTE_ARRAY ? &str : c == 2 ? &tsl : NULL, 0,
                                    NULL, &err) != KC_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
    }
    struct parquet_writer_options o;
    struct parquet_writer *w;
    parquet_writer_options_init(&o);
    if (argc > 3) {
        o.codec = (enum parquet_codec)parquet_codec_parse(argv[3]);
    }
    out = fopen(argv[2], "wb");
    if (out == NULL) {
        perror(argv[2]);
        return 1;
    }
    setvbuf(out, NULL, _IOFBF, 1 << 20);
    if (parquet_writer_new(&w, s, &o, file_write, out, &err) != KC_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    for (size_t r = 0; r < rows; r++) {
        for (int c = 0; c < NCOLS; c++) {
            int rc;
            if (c == 2) {
                rc = parquet_writer_append_i64(w, c, ts[r], &err);
            } else if (c == 5) {
                rc = parquet_writer_append_double(w, c, val[r], &err);
            } else if (c == 6) {
                rc = parquet_writer_append_i64(w, c, seq[r], &err);
            } else {
                rc = parquet_writer_append_bytes(w, c, sc[c].bytes + sc[c].off[r],
                                                 sc[c].off[r + 1] - sc[c].off[r], &err);
            }
            if (rc != KC_OK) {
                fprintf(stderr, "%s\n", err.msg);
                return 1;
            }
        }
        if (parquet_writer_end_row(w, &err) != KC_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
    }
    if (parquet_writer_close(w, &err) != KC_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    fclose(out);
    double t1 = cpu_now();
    printf("rows %zu encode_cpu_s %.3f bytes %llu\n", rows, t1 - t0,
           (unsigned long long)parquet_writer_bytes_written(w));
    parquet_writer_free(w);
    for (int c = 0; c < NCOLS; c++) {
        free(sc[c].bytes);
        free(sc[c].off);
    }
    free(ts);
    free(seq);
    free(val);
    free(line);
    return 0;
}
