/*
 * tests/unit/clickhouse/clickhouse_rb_tool.c: a test-only command around the ClickHouse core, so
 * the integration tests drive the real encoder and transport from Python:
 *
 *   clickhouse_rb_tool encode DESCRIBE_TSV plain|defaults IN_JSONL OUT_BIN [native]
 *       encode each line of IN_JSONL (one message value: object or array of objects) for the
 *       table DESCRIBE_TSV describes; bad messages are reported ("line N: why") and skipped.
 *       With `native`, OUT_BIN gets those rows as the sink sends them when it can: one Native
 *       block (clickhouse_rb_native); "native=no" is printed when they must stay RowBinary.
 *   clickhouse_rb_tool insert HOST PORT DB TABLE IN_JSONL [options]
 *       SELECT version(), DESCRIBE the table, encode (RowBinaryWithDefaults from 23.x, else
 *       RowBinary), POST one INSERT.
 *   clickhouse_rb_tool query HOST PORT SQL [options]
 *   options: --user U --password P --auth basic|header --compression none|gzip|zstd
 *            --setting k=v (repeatable) --token T (insert_deduplication_token)
 * Prints "rows=N errors=M" (encode/insert) or the answer (query); on a failed request prints
 * "error rc=KC_x code=N status=S: message" and exits 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clickhouse_http.h"
#include "clickhouse_rowbinary.h"
#include "kc_alloc.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    struct kc_buf b;
    kc_buf_init(&b, (size_t)1 << 30);
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
        if (kc_buf_append(&b, tmp, n) != KC_OK) {
            fprintf(stderr, "%s: too large\n", path);
            exit(1);
        }
    }
    fclose(f);
    *len = b.len;
    return b.data != NULL ? kc_buf_take(&b, len) : kc_strdup("");
}

/* Encode every line of jsonl into out; returns rows, counts errors. */
static size_t encode_lines(const struct clickhouse_rb_plan *p, const char *data, size_t len,
                           struct kc_buf *out, size_t *errors)
{
    struct kc_arena a;
    size_t rows = 0, line = 0, pos = 0;
    kc_arena_init(&a, 1 << 16, (size_t)1 << 30);
    *errors = 0;
    while (pos < len) {
        size_t e = pos;
        while (e < len && data[e] != '\n') {
            e++;
        }
        line++;
        if (e > pos) {
            struct kc_error err;
            size_t r;
            int rc = clickhouse_rb_json(p, data + pos, e - pos, &a, out, &r, &err);
            if (rc == KC_OK) {
                rows += r;
            } else if (rc == KC_EINVAL) {
                fprintf(stderr, "line %zu: %s\n", line, err.msg);
                (*errors)++;
            } else {
                fprintf(stderr, "line %zu: fatal: %s\n", line, err.msg);
                exit(1);
            }
            kc_arena_reset(&a);
        }
        pos = e + 1;
    }
    kc_arena_fini(&a);
    return rows;
}

static int fail_req(int rc, const struct clickhouse_http_result *res, const struct kc_error *err)
{
    printf("error rc=%s code=%d status=%ld: %s\n", kc_rc_name(rc), res->code, res->status,
           err->msg);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc >= 6 && strcmp(argv[1], "encode") == 0) {
        size_t dl, jl, errors;
        char *desc = slurp(argv[2], &dl), *json = slurp(argv[4], &jl);
        struct clickhouse_table t;
        struct clickhouse_rb_plan p;
        struct kc_error err;
        if (clickhouse_table_parse_describe(desc, dl, &t, &err) != KC_OK ||
            clickhouse_rb_plan_init(&p, &t, strcmp(argv[3], "defaults") == 0 ? CH_RB_WITH_DEFAULTS
                                                                             : CH_RB_PLAIN,
                                    &err) != KC_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        struct kc_buf out;
        kc_buf_init(&out, (size_t)1 << 30);
        size_t rows = encode_lines(&p, json, jl, &out, &errors);
        if (argc >= 7 && strcmp(argv[6], "native") == 0) {
            struct kc_buf nat;
            kc_buf_init(&nat, (size_t)1 << 30);
            const unsigned char *chunk = (const unsigned char *)out.data;
            int nrc = clickhouse_rb_native(&p, &chunk, &out.len, 1, &nat, &err);
            if (nrc == 1) {
                printf("native=no\n");
            } else if (nrc != KC_OK) {
                fprintf(stderr, "native: %s\n", err.msg);
                return 1;
            } else {
                kc_buf_fini(&out);
                out = nat;
            }
        }
        FILE *f = fopen(argv[5], "wb");
        if (f == NULL || (out.len && fwrite(out.data, 1, out.len, f) != out.len) || fclose(f)) {
            perror(argv[5]);
            return 1;
        }
        printf("rows=%zu errors=%zu\n", rows, errors);
        kc_buf_fini(&out);
        clickhouse_rb_plan_fini(&p);
        clickhouse_table_fini(&t);
        kc_free(desc);
        kc_free(json);
        return 0;
    }
    int is_insert = argc >= 7 && strcmp(argv[1], "insert") == 0;
    int is_query = argc >= 5 && strcmp(argv[1], "query") == 0;
    if (!is_insert && !is_query) {
        fprintf(stderr, "usage: see the comment at the top of clickhouse_rb_tool.c\n");
        return 1;
    }
    struct clickhouse_http_conf c = {.host = argv[2], .port = atoi(argv[3]),
                                     .connect_timeout_ms = 5000, .timeout_ms = 60000};
    const char *settings[32], *token = NULL;
    size_t ns = 0;
    for (int i = is_insert ? 7 : 5; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (strcmp(k, "--user") == 0) {
            c.user = v;
        } else if (strcmp(k, "--password") == 0) {
            c.password = v;
        } else if (strcmp(k, "--auth") == 0) {
            c.auth = strcmp(v, "header") == 0 ? CH_AUTH_HEADER : CH_AUTH_BASIC;
        } else if (strcmp(k, "--compression") == 0) {
            c.compression = strcmp(v, "gzip") == 0   ? CH_COMPRESS_GZIP
                            : strcmp(v, "zstd") == 0 ? CH_COMPRESS_ZSTD
                                                     : CH_COMPRESS_NONE;
        } else if (strcmp(k, "--setting") == 0 && ns < 32) {
            settings[ns++] = v;
        } else if (strcmp(k, "--token") == 0) {
            token = v;
        }
    }
    c.settings = settings;
    c.n_settings = ns;
    struct clickhouse_http *ch = NULL;
    struct clickhouse_http_result res = {0};
    struct kc_error err;
    struct clickhouse_table t = {0};
    struct clickhouse_rb_plan p = {0};
    struct kc_buf body, sql, answer;
    char *json = NULL;
    int rc, status = 0;
    kc_buf_init(&body, (size_t)1 << 30);
    kc_buf_init(&sql, 1 << 20);
    kc_buf_init(&answer, (size_t)1 << 30);
    if ((rc = clickhouse_http_new(&c, &ch, &err)) != KC_OK) {
        goto out;
    }
    if (is_query) {
        if ((rc = clickhouse_http_query(ch, argv[4], &answer, &res, &err)) == KC_OK) {
            fwrite(answer.data != NULL ? answer.data : "", 1, answer.len, stdout);
        }
        goto out;
    }
    int maj, min, pat;
    if ((rc = clickhouse_http_version(ch, &maj, &min, &pat, &err)) != KC_OK ||
        (rc = clickhouse_http_describe(ch, argv[4], argv[5], &t, &err)) != KC_OK) {
        goto out;
    }
    /* RowBinaryWithDefaults exists from 23.x; 18.16 gets plain RowBinary. */
    if ((rc = clickhouse_rb_plan_init(&p, &t, maj >= 23 ? CH_RB_WITH_DEFAULTS : CH_RB_PLAIN,
                                      &err)) != KC_OK) {
        goto out;
    }
    size_t jl, errors;
    json = slurp(argv[6], &jl);
    size_t rows = encode_lines(&p, json, jl, &body, &errors);
    clickhouse_rb_insert_sql(&p, argv[4], argv[5], &sql);
    char tokset[512];
    const char *extra[1];
    size_t n_extra = 0;
    if (token != NULL) {
        snprintf(tokset, sizeof(tokset), "insert_deduplication_token=%s", token);
        extra[n_extra++] = tokset;
    }
    rc = clickhouse_http_insert(ch, sql.data, body.data, body.len, extra, n_extra, &res, &err);
    if (rc == KC_OK) {
        printf("rows=%zu errors=%zu server=%d.%d.%d new_connections=%ld sent=%zu\n", rows,
               errors, maj, min, pat, res.new_connections, res.sent_bytes);
    }
out:
    if (rc != KC_OK) {
        status = fail_req(rc, &res, &err);
    }
    kc_free(json);
    kc_buf_fini(&answer);
    kc_buf_fini(&body);
    kc_buf_fini(&sql);
    clickhouse_rb_plan_fini(&p);
    clickhouse_table_fini(&t);
    clickhouse_http_free(ch);
    return status;
}
