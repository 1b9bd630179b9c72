/*
 * connectors/questdb/questdb_pg.c: PostgreSQL wire transport (see questdb_pg.h).
 *
 * A flush is: parse the buffer's ILP lines (only the grammar questdb_ilp.c writes, so the parser
 * is small) into rows; make sure each table and column exists (CREATE TABLE IF NOT EXISTS / ALTER
 * TABLE ADD COLUMN IF NOT EXISTS, typed as ILP auto-creation types them, remembered per
 * connection); then one pipeline: BEGIN, one prepared INSERT per row (one statement per table and
 * column list, prepared once per connection), COMMIT, Sync, and read every result. Values travel
 * as text; timestamps as ISO-8601 with microseconds; rows without a designated timestamp get
 * now(), as atNow() gets the server's clock over ILP.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kc_alloc.h"
#include "kc_arena.h"
#include "kc_buf.h"
#include "questdb_pg.h"

enum pg_type { PG_SYMBOL, PG_LONG, PG_DOUBLE, PG_BOOLEAN, PG_VARCHAR, PG_TIMESTAMP };
static const char *const pg_type_names[] = {"SYMBOL",  "LONG",    "DOUBLE",
                                            "BOOLEAN", "VARCHAR", "TIMESTAMP"};

struct pg_col {
    const char *name;  /* arena */
    const char *value; /* arena, text form */
    enum pg_type type;
};

struct pg_row {
    const char *table; /* arena */
    struct pg_col *cols; /* arena */
    size_t n;
    const char *ts; /* arena ISO text, NULL = now() */
};

/* A statement prepared on this connection, and a column known to exist. */
struct pg_known {
    char *key;  /* owned: "table\0col" or the INSERT text */
    char *name; /* owned: statement name (statements only) */
};

struct questdb_pg {
    const struct questdb_conf *qc; /* borrowed */
    PGconn *pg;                    /* owned, NULL = not connected */
    struct pg_known *stmts;        /* owned */
    size_t n_stmts;
    char **cols; /* owned "table\x01col" entries known to exist on this connection, and
                  * "table\x02col" naming a table's designated timestamp */
    size_t n_cols;
    struct kc_arena arena; /* rows of one flush */
};

int questdb_pg_new(const struct questdb_conf *qc, struct questdb_pg **out, struct kc_error *err)
{
    *out = kc_calloc(1, sizeof(**out));
    if (*out == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    (*out)->qc = qc;
    kc_arena_init(&(*out)->arena, 1 << 20, (size_t)1 << 32);
    return KC_OK;
}

static void forget(struct questdb_pg *pg)
{
    for (size_t i = 0; i < pg->n_stmts; i++) {
        kc_free(pg->stmts[i].key);
        kc_free(pg->stmts[i].name);
    }
    kc_free(pg->stmts);
    pg->stmts = NULL;
    pg->n_stmts = 0;
    for (size_t i = 0; i < pg->n_cols; i++) {
        kc_free(pg->cols[i]);
    }
    kc_free(pg->cols);
    pg->cols = NULL;
    pg->n_cols = 0;
    if (pg->pg != NULL) {
        PQfinish(pg->pg);
        pg->pg = NULL;
    }
}

void questdb_pg_free(struct questdb_pg *pg)
{
    if (pg == NULL) {
        return;
    }
    forget(pg);
    kc_arena_fini(&pg->arena);
    kc_free(pg);
}

static int connect_pg(struct questdb_pg *pg, struct kc_error *err)
{
    const struct questdb_client_conf *c = &pg->qc->client;
    char port[16], timeout[32];
    snprintf(port, sizeof(port), "%d", c->port);
    snprintf(timeout, sizeof(timeout), "%lld", (long long)(c->request_timeout + 999) / 1000);
    const char *keys[] = {"host", "port", "user", "password", "dbname", "connect_timeout",
                          "sslmode", "application_name", NULL};
    const char *vals[] = {c->host,
                          port,
                          c->username != NULL ? c->username : "admin",
                          c->password != NULL ? c->password : "quest",
                          c->dbname != NULL ? c->dbname : "qdb",
                          timeout,
                          c->tls ? (c->tls_verify ? "verify-full" : "require") : "disable",
                          "connect-c",
                          NULL};
    pg->pg = PQconnectdbParams(keys, vals, 0);
    if (pg->pg == NULL || PQstatus(pg->pg) != CONNECTION_OK) {
        kc_error_set(err, KC_RETRY, "cannot connect to QuestDB over PostgreSQL wire at %s:%d: %s",
                     c->host, c->port, pg->pg != NULL ? PQerrorMessage(pg->pg) : "no memory");
        forget(pg);
        return KC_RETRY;
    }
    return KC_OK;
}

/* ---- ILP line parser (our own output only) ---- */

/* Read an escaped name up to one of the stop characters; unescapes into the arena. */
static const char *read_name(struct kc_arena *a, const char **p, const char *end,
                             const char *stops)
{
    char *out = kc_arena_alloc(a, (size_t)(end - *p) + 1);
    size_t n = 0;
    if (out == NULL) {
        return NULL;
    }
    while (*p < end && strchr(stops, **p) == NULL) {
        if (**p == '\\' && *p + 1 < end) {
            (*p)++;
        }
        out[n++] = *(*p)++;
    }
    out[n] = '\0';
    return out;
}

static void iso_micros(int64_t us, char *buf, size_t len)
{
    int64_t s = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
    int64_t frac = us - s * 1000000;
    time_t t = (time_t)s;
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t k = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + k, len - k, ".%06lldZ", (long long)frac);
}

static int parse_line(struct kc_arena *a, const char *p, const char *end, struct pg_row *row)
{
    size_t cap = 8;
    for (const char *q = p; q < end; q++) {
        cap += *q == ',' || *q == '=';
    }
    row->cols = kc_arena_alloc(a, cap * sizeof(*row->cols));
    row->n = 0;
    row->ts = NULL;
    if (row->cols == NULL || (row->table = read_name(a, &p, end, ", ")) == NULL) {
        return KC_ENOMEM;
    }
    while (p < end && *p == ',') { /* tags */
        p++;
        struct pg_col *c = &row->cols[row->n++];
        c->type = PG_SYMBOL;
        if ((c->name = read_name(a, &p, end, "=")) == NULL) {
            return KC_ENOMEM;
        }
        p++;
        if ((c->value = read_name(a, &p, end, ", ")) == NULL) {
            return KC_ENOMEM;
        }
    }
    if (p < end && *p == ' ') {
        p++;
    }
    while (p < end && *p != ' ') { /* fields */
        struct pg_col *c = &row->cols[row->n++];
        if ((c->name = read_name(a, &p, end, "=")) == NULL) {
            return KC_ENOMEM;
        }
        p++;
        if (p < end && *p == '"') {
            p++;
            char *v = kc_arena_alloc(a, (size_t)(end - p) + 1);
            size_t n = 0;
            if (v == NULL) {
                return KC_ENOMEM;
            }
            while (p < end && *p != '"') {
                if (*p == '\\' && p + 1 < end) {
                    p++;
                }
                v[n++] = *p++;
            }
            v[n] = '\0';
            p++;
            c->value = v;
            c->type = PG_VARCHAR;
        } else {
            const char *s = p;
            while (p < end && *p != ',' && *p != ' ') {
                p++;
            }
            size_t l = (size_t)(p - s);
            char last = s[l - 1];
            if (l == 1 && (last == 't' || last == 'f')) {
                c->type = PG_BOOLEAN;
                c->value = last == 't' ? "true" : "false";
            } else if (last == 'i') {
                c->type = PG_LONG;
                c->value = kc_arena_strndup(a, s, l - 1);
            } else if (last == 't') {
                char iso[48];
                iso_micros(strtoll(s, NULL, 10), iso, sizeof(iso));
                c->type = PG_TIMESTAMP;
                c->value = kc_arena_strndup(a, iso, strlen(iso));
            } else {
                c->type = PG_DOUBLE;
                c->value = kc_arena_strndup(a, s, l);
            }
            if (c->value == NULL) {
                return KC_ENOMEM;
            }
        }
        if (p < end && *p == ',') {
            p++;
        }
    }
    if (p < end && *p == ' ') {
        char iso[48];
        iso_micros(strtoll(p + 1, NULL, 10) / 1000, iso, sizeof(iso));
        if ((row->ts = kc_arena_strndup(a, iso, strlen(iso))) == NULL) {
            return KC_ENOMEM;
        }
    }
    return KC_OK;
}

/* ---- DDL and statements ---- */

static int append_ident(struct kc_buf *b, const char *s)
{
    int rc = kc_buf_append_byte(b, '"');
    for (; rc == KC_OK && *s != '\0'; s++) {
        rc = *s == '"' ? kc_buf_append(b, "\"\"", 2) : kc_buf_append_byte(b, (uint8_t)*s);
    }
    return rc == KC_OK ? kc_buf_append_byte(b, '"') : rc;
}

static int exec_sql(struct questdb_pg *pg, const char *sql, struct kc_error *err)
{
    PGresult *r = PQexec(pg->pg, sql);
    int ok = r != NULL && (PQresultStatus(r) == PGRES_COMMAND_OK ||
                           PQresultStatus(r) == PGRES_TUPLES_OK);
    int rc = KC_OK;
    if (!ok) {
        if (PQstatus(pg->pg) != CONNECTION_OK) {
            rc = kc_error_set(err, KC_RETRY, "PostgreSQL wire connection lost: %s",
                              PQerrorMessage(pg->pg));
        } else {
            rc = kc_error_set(err, KC_EINVAL, "QuestDB refused \"%.200s\": %s", sql,
                              r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(pg->pg));
        }
    }
    PQclear(r);
    return rc;
}

static int col_known(struct questdb_pg *pg, const char *key)
{
    for (size_t i = 0; i < pg->n_cols; i++) {
        if (strcmp(pg->cols[i], key) == 0) {
            return 1;
        }
    }
    return 0;
}

static int remember_col(struct questdb_pg *pg, const char *key)
{
    char **v = kc_realloc(pg->cols, (pg->n_cols + 1) * sizeof(*v));
    if (v == NULL) {
        return KC_ENOMEM;
    }
    pg->cols = v;
    if ((v[pg->n_cols] = kc_strdup(key)) == NULL) {
        return KC_ENOMEM;
    }
    pg->n_cols++;
    return KC_OK;
}

/* The designated timestamp column of table as learnt by ensure_schema ("table\x02col" entries
 * of pg->cols), else "timestamp", the name ILP auto-creation gives it. */
static const char *designated(const struct questdb_pg *pg, const char *table)
{
    size_t tl = strlen(table);
    for (size_t i = 0; i < pg->n_cols; i++) {
        const char *c = pg->cols[i];
        if (strncmp(c, table, tl) == 0 && c[tl] == '\x02') {
            return c + tl + 1;
        }
    }
    return "timestamp";
}

/* SQL text of table as a string literal, after prefix. */
static int table_literal(struct kc_buf *q, const char *prefix, const char *table,
                         const char *suffix)
{
    int rc = kc_buf_append_str(q, prefix);
    for (const char *c = table; rc == KC_OK && *c != '\0'; c++) {
        rc = *c == '\'' ? kc_buf_append(q, "''", 2) : kc_buf_append_byte(q, (uint8_t)*c);
    }
    return rc == KC_OK ? kc_buf_append_str(q, suffix) : rc;
}

/* One query whose rows' first values are remembered as "table<sep>value" entries.
 * A failed query on a live connection is not an error (an older server: nothing learnt). */
static int learn(struct questdb_pg *pg, const char *table, const char *sql, char sep,
                 struct kc_error *err)
{
    PGresult *r = PQexec(pg->pg, sql);
    if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        if (PQstatus(pg->pg) != CONNECTION_OK) {
            return kc_error_set(err, KC_RETRY, "PostgreSQL wire connection lost: %s",
                                PQerrorMessage(pg->pg));
        }
        return KC_OK;
    }
    int rc = KC_OK;
    for (int i = 0; i < PQntuples(r) && rc == KC_OK; i++) {
        if (PQgetisnull(r, i, 0) || PQgetvalue(r, i, 0)[0] == '\0') {
            continue;
        }
        char *entry = kc_asprintf("%s%c%s", table, sep, PQgetvalue(r, i, 0));
        rc = entry != NULL ? remember_col(pg, entry) : KC_ENOMEM;
        kc_free(entry);
    }
    PQclear(r);
    return rc == KC_OK ? KC_OK : kc_error_set(err, KC_ENOMEM, "out of memory");
}

/* What a table that may have been created beforehand already has: its columns (no ALTER for
 * them; QuestDB refuses ADD COLUMN IF NOT EXISTS of an existing column on WAL tables) and its
 * designated timestamp column (it may be called anything, e.g. TIMESTAMP(ts)). */
static int learn_table(struct questdb_pg *pg, const char *table, struct kc_error *err)
{
    struct kc_buf q;
    kc_buf_init(&q, 1 << 16);
    int rc = table_literal(&q, "SELECT \"column\" FROM table_columns('", table, "')");
    if (rc == KC_OK) {
        rc = learn(pg, table, q.data, '\x01', err);
    } else {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    kc_buf_reset(&q);
    if (rc == KC_OK) {
        rc = table_literal(&q, "SELECT designatedTimestamp FROM tables() WHERE table_name = '",
                           table, "'") == KC_OK
                 ? learn(pg, table, q.data, '\x02', err)
                 : kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    kc_buf_fini(&q);
    return rc;
}

/* Create the table / add the columns row needs (once per connection). */
static int ensure_schema(struct questdb_pg *pg, const struct pg_row *row, struct kc_error *err)
{
    struct kc_buf b, key;
    int rc = KC_OK;
    kc_buf_init(&b, 1 << 20);
    kc_buf_init(&key, 1 << 16);
    if (kc_buf_printf(&key, "%s\x01", row->table) != KC_OK) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        goto out;
    }
    if (!col_known(pg, key.data)) {
        /* As ILP auto-creation: designated `timestamp`, partitioned by day, WAL. */
        if (kc_buf_append_str(&b, "CREATE TABLE IF NOT EXISTS ") != KC_OK ||
            append_ident(&b, row->table) != KC_OK ||
            kc_buf_append_str(&b, " (timestamp TIMESTAMP) TIMESTAMP(timestamp) PARTITION BY DAY "
                                  "WAL") != KC_OK) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            goto out;
        }
        if ((rc = exec_sql(pg, b.data, err)) != KC_OK ||
            (rc = remember_col(pg, key.data)) != KC_OK ||
            (rc = learn_table(pg, row->table, err)) != KC_OK) {
            goto out;
        }
    }
    for (size_t i = 0; i < row->n; i++) {
        kc_buf_reset(&key);
        kc_buf_reset(&b);
        if (kc_buf_printf(&key, "%s\x01%s", row->table, row->cols[i].name) != KC_OK) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            goto out;
        }
        if (col_known(pg, key.data)) {
            continue;
        }
        if (kc_buf_append_str(&b, "ALTER TABLE ") != KC_OK ||
            append_ident(&b, row->table) != KC_OK ||
            kc_buf_append_str(&b, " ADD COLUMN IF NOT EXISTS ") != KC_OK ||
            append_ident(&b, row->cols[i].name) != KC_OK ||
            kc_buf_printf(&b, " %s", pg_type_names[row->cols[i].type]) != KC_OK) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            goto out;
        }
        if ((rc = exec_sql(pg, b.data, err)) != KC_OK ||
            (rc = remember_col(pg, key.data)) != KC_OK) {
            goto out;
        }
    }
out:
    kc_buf_fini(&b);
    kc_buf_fini(&key);
    return rc;
}

/* The prepared statement for row's table and columns: its name (borrowed from pg). */
static const char *statement(struct questdb_pg *pg, const struct pg_row *row,
                             struct kc_error *err)
{
    struct kc_buf b;
    kc_buf_init(&b, 1 << 20);
    int rc = kc_buf_append_str(&b, "INSERT INTO ");
    rc = rc == KC_OK ? append_ident(&b, row->table) : rc;
    rc = rc == KC_OK ? kc_buf_append_str(&b, " (") : rc;
    for (size_t i = 0; i < row->n && rc == KC_OK; i++) {
        rc = append_ident(&b, row->cols[i].name);
        rc = rc == KC_OK ? kc_buf_append_byte(&b, ',') : rc;
    }
    rc = rc == KC_OK ? append_ident(&b, designated(pg, row->table)) : rc;
    rc = rc == KC_OK ? kc_buf_append_str(&b, ") VALUES (") : rc;
    for (size_t i = 0; i < row->n && rc == KC_OK; i++) {
        rc = kc_buf_printf(&b, "$%zu,", i + 1);
    }
    rc = rc == KC_OK ? (row->ts != NULL ? kc_buf_printf(&b, "$%zu)", row->n + 1)
                                        : kc_buf_append_str(&b, "now())"))
                     : rc;
    if (rc != KC_OK) {
        kc_buf_fini(&b);
        kc_error_set(err, KC_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < pg->n_stmts; i++) {
        if (strcmp(pg->stmts[i].key, b.data) == 0) {
            kc_buf_fini(&b);
            return pg->stmts[i].name;
        }
    }
    char name[32];
    snprintf(name, sizeof(name), "kcq%zu", pg->n_stmts);
    PGresult *r = PQprepare(pg->pg, name, b.data, 0, NULL);
    int ok = r != NULL && PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) {
        kc_error_set(err, PQstatus(pg->pg) == CONNECTION_OK ? KC_EINVAL : KC_RETRY,
                     "QuestDB cannot prepare \"%.200s\": %s", b.data,
                     r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(pg->pg));
        PQclear(r);
        kc_buf_fini(&b);
        return NULL;
    }
    PQclear(r);
    struct pg_known *v = kc_realloc(pg->stmts, (pg->n_stmts + 1) * sizeof(*v));
    if (v == NULL) {
        kc_buf_fini(&b);
        kc_error_set(err, KC_ENOMEM, "out of memory");
        return NULL;
    }
    pg->stmts = v;
    v[pg->n_stmts].key = kc_buf_take(&b, NULL);
    v[pg->n_stmts].name = kc_strdup(name);
    if (v[pg->n_stmts].key == NULL || v[pg->n_stmts].name == NULL) {
        kc_free(v[pg->n_stmts].key);
        kc_free(v[pg->n_stmts].name);
        kc_error_set(err, KC_ENOMEM, "out of memory");
        return NULL;
    }
    return v[pg->n_stmts++].name;
}

/* Read every result of the pipeline up to its sync; the first failure wins. */
static int drain_pipeline(struct questdb_pg *pg, size_t n_rows, long *bad_line,
                          struct kc_error *err)
{
    int rc = KC_OK;
    size_t idx = 0; /* 0 = BEGIN, 1..n_rows = inserts, n_rows + 1 = COMMIT */
    for (;;) {
        PGresult *r = PQgetResult(pg->pg);
        if (r == NULL) {
            idx++;
            if (PQstatus(pg->pg) != CONNECTION_OK) {
                return kc_error_set(err, KC_RETRY, "PostgreSQL wire connection lost: %s",
                                    PQerrorMessage(pg->pg));
            }
            continue;
        }
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            return rc;
        }
        if (st == PGRES_FATAL_ERROR && rc == KC_OK) {
            if (idx >= 1 && idx <= n_rows) {
                *bad_line = (long)idx;
            }
            rc = kc_error_set(err, KC_EINVAL, "QuestDB refused row %zu over PostgreSQL wire: %s",
                              idx, PQresultErrorMessage(r));
        }
        PQclear(r);
    }
    (void)n_rows;
}

int questdb_pg_send(struct questdb_pg *pg, const char *lines, size_t len, long *bad_line,
                    struct kc_error *err)
{
    *bad_line = 0;
    if (pg->pg == NULL) {
        int rc = connect_pg(pg, err);
        if (rc != KC_OK) {
            return rc;
        }
    }
    kc_arena_reset(&pg->arena);
    size_t n_rows = 0, cap = 0;
    for (size_t i = 0; i < len; i++) {
        cap += lines[i] == '\n';
    }
    struct pg_row *rows = kc_arena_alloc(&pg->arena, (cap + 1) * sizeof(*rows));
    const char **names = kc_arena_alloc(&pg->arena, (cap + 1) * sizeof(*names));
    if (rows == NULL || names == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    const char *p = lines, *end = lines + len;
    int rc = KC_OK;
    while (p < end && rc == KC_OK) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        while (nl != NULL && nl > p && nl[-1] == '\\') { /* escaped newline inside a string */
            nl = memchr(nl + 1, '\n', (size_t)(end - nl - 1));
        }
        if (nl == NULL) {
            nl = end;
        }
        rc = parse_line(&pg->arena, p, nl, &rows[n_rows]);
        if (rc != KC_OK) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        rc = ensure_schema(pg, &rows[n_rows], err);
        if (rc == KC_OK && (names[n_rows] = statement(pg, &rows[n_rows], err)) == NULL) {
            rc = err->rc;
        }
        if (rc != KC_OK) {
            *bad_line = (long)n_rows + 1;
        }
        n_rows++;
        p = nl + 1;
    }
    if (rc != KC_OK) {
        if (rc == KC_RETRY) {
            forget(pg);
        }
        return rc;
    }
    if (PQenterPipelineMode(pg->pg) != 1) {
        return kc_error_set(err, KC_EIO, "libpq cannot enter pipeline mode: %s",
                            PQerrorMessage(pg->pg));
    }
    const char *params[512];
    int ok = PQsendQueryParams(pg->pg, "BEGIN", 0, NULL, NULL, NULL, NULL, 0);
    for (size_t i = 0; i < n_rows && ok; i++) {
        size_t np = rows[i].n + (rows[i].ts != NULL);
        if (np > sizeof(params) / sizeof(params[0])) {
            ok = 0;
            rc = kc_error_set(err, KC_EINVAL, "row %zu has more than 512 columns", i + 1);
            break;
        }
        for (size_t c = 0; c < rows[i].n; c++) {
            params[c] = rows[i].cols[c].value;
        }
        if (rows[i].ts != NULL) {
            params[rows[i].n] = rows[i].ts;
        }
        ok = PQsendQueryPrepared(pg->pg, names[i], (int)np, params, NULL, NULL, 0);
    }
    ok = ok && PQsendQueryParams(pg->pg, "COMMIT", 0, NULL, NULL, NULL, NULL, 0);
    ok = ok && PQpipelineSync(pg->pg);
    if (!ok) {
        if (rc == KC_OK) {
            rc = kc_error_set(err, KC_RETRY, "PostgreSQL wire send failed: %s",
                              PQerrorMessage(pg->pg));
        }
        forget(pg);
        return rc;
    }
    rc = drain_pipeline(pg, n_rows, bad_line, err);
    if (rc == KC_OK) {
        PQexitPipelineMode(pg->pg);
    } else {
        /* a failed pipeline leaves the transaction aborted: start clean next time */
        forget(pg);
    }
    return rc;
}
