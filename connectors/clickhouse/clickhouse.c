/*
 * connectors/clickhouse/clickhouse.c: the ClickHouse sink (drop-in for
 * com.clickhouse.kafka.connect.ClickHouseSinkConnector) over the core in this folder: typed
 * config (clickhouse_config), table descriptions (clickhouse_type), RowBinary rows
 * (clickhouse_rowbinary) and HTTP inserts (clickhouse_http).
 *
 * Records become rows as soon as put() gets them: each record is routed to its table
 * (topic2TableMap, else the topic name), the table is described on first use (and again every
 * tableRefreshInterval seconds, and after a schema error), and its rows are appended to a
 * RowBinary buffer kept per (partition, table): a "slot". A record that does not fit the table
 * is reported alone (sink_task_report: DLQ or task failure per errors.tolerance); a JSON array
 * value is one row per element. Nothing else of a record is kept, so memory is the encoded rows
 * (reported to the worker with sink_task_buffered, for the byte budget).
 *
 * A table's slots are sent as one INSERT when the table holds bufferCount rows (100000 when
 * bufferCount is 0: the official connector then inserts every put(), which on a MergeTree makes
 * a part per 500 records), a quarter of the byte budget, or rows older than bufferFlushTime
 * (1000 ms when 0; the idle flush runs from tick). Tables due together are inserted in
 * parallel, one thread and one keep-alive connection per table. pre_commit answers, per
 * partition, the offset before the oldest row not yet inserted.
 *
 * Failures: a retriable ClickHouse error (clickhouse_http.h) keeps the rows; the next put()
 * first tries them again and answers KC_RETRY while they still fail, so the worker backs off
 * and hands the same records again, and memory stays bounded. A schema error (the table changed
 * under us) drops the encoded rows, re-describes the table and rewinds the partitions to the
 * first dropped record, so they are encoded again. A CSV / TSV batch refused at a row the
 * server names is traced to that line's record (each slot keeps its lines' offsets): the rows
 * are dropped and read again, and that record is reported instead of encoded
 * (isolate_refused_line, part_skip_find). Any other refusal fails the task with ClickHouse's
 * message (records are not kept to route a whole batch to the DLQ).
 *
 * Exactly-once (exactlyOnce=true), without KeeperMap: batches are per partition (one slot per
 * partition) and cut at a boundary [first, last] that is recorded in Kafka before the insert:
 * a cut slot is "sealed", a commit is requested, and pre_commit answers offset `first` with
 * metadata "clickhouse-eo:<first>-<last>". Only after that answer has been committed is the
 * slot inserted, with insert_deduplication_token "<topic>-<partition>-<first>-<last>". After
 * a kill -9 the task is handed back offset `first` and the metadata, rebuilds exactly
 * [first, last] from Kafka and inserts it with the same token, which the server drops if the
 * first insert had landed. It needs tokens (ClickHouse >= 22.2: older servers are refused at
 * start) and a table that deduplicates: Replicated*MergeTree, or MergeTree with
 * SETTINGS non_replicated_deduplication_window = 100 (or more).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clickhouse_config.h"
#include "clickhouse_http.h"
#include "clickhouse_rowbinary.h"
#include "clickhouse_type.h"
#include "conf_values.h"
#include "kc_alloc.h"
#include "kc_arena.h"
#include "kc_buf.h"
#include "kc_log.h"
#include "kc_queue.h"
#include "kc_thread.h"
#include "sink.h"

#define CH_VERSION "v1.5.0"
#define CH_DEFAULT_ROWS 100000
#define CH_DEFAULT_AGE_MS 1000
#define CH_MAX_BATCH_BYTES ((size_t)64 << 20)
#define CH_EO_MD_PREFIX "clickhouse-eo:"
#define CH_BACKOFF_MAX_MS 10000
#define CH_SCHEMA_RETRIES 3 /* describe-and-re-read rounds before a schema error fails */

struct ch_table {
    char *name; /* owned */
    char *db;   /* owned; NULL = the configured database (enableDbTopicSplit names others) */
    const char *text; /* "CSV" / "TSV": string records passed through (insertFormat); NULL:
                       * RowBinary. The same table is two ch_tables when both come. */
    struct clickhouse_table desc;
    struct clickhouse_rb_plan plan;
    int ready;          /* desc + plan valid */
    int warned_dropped; /* the plan.dropped warning was logged */
    int stale;          /* describe again before the next row */
    int schema_retries; /* schema errors since the last insert that landed */
    int64_t described_ms;
    char *insert_sql;   /* owned, for plan */
    char *native_sql;   /* owned: the same INSERT with FORMAT Native, NULL when the plan's
                         * columns have no Native form (clickhouse_rb_native) */
    struct clickhouse_http *http; /* own connection: tables flush in parallel */
    size_t rows;        /* rows pending in its slots */
    size_t bytes;
    int64_t oldest_ms;  /* when its oldest pending row was added, 0 = none */
    /* one flush, filled by the flushing thread */
    struct kc_buf body;
    int rc;
    struct kc_error err;
    struct clickhouse_http_result res;
};

struct ch_slot {
    struct ch_table *t; /* borrowed from the sink's table list */
    struct kc_buf rows;
    size_t n;           /* rows */
    int64_t first;      /* kafka offset of its first record, -1 when empty */
    int64_t last;
    int flush;          /* chosen for the current flush */
    /* CSV / TSV slots (at-least-once): the offset of the record of each of the n lines, so a
     * row the server names in its refusal is traced to its record; multi: some record held
     * more than one line (the trace is then off) */
    int64_t *offs; /* owned */
    size_t cap_offs;
    int multi;
};

/* A record to report instead of inserting when it comes again (after a rewind), and to pass
 * over on every later rewind until its partition is durable past it. */
struct ch_skip {
    int64_t offset;
    int reported;
    struct kc_error why;
};

struct ch_part {
    char *topic; /* owned */
    int32_t partition;
    int64_t next;                /* offset after the last record put, -1 = none yet */
    struct ch_slot *slots;       /* owned; at-least-once: one per table; exactly-once: one */
    size_t n_slots;
    int64_t rewind_to;           /* -1, or a rewind to ask at the next put() */
    int rewound;                 /* rewound during the current put(): its records of this
                                  * partition come again after the seek, so they are skipped */
    /* exactly-once */
    struct ch_slot sealed;       /* cut, boundary recorded or to be recorded; n == 0 = none */
    int sealed_announced;        /* pre_commit answered its boundary */
    int64_t replay_first;        /* a recorded batch to rebuild: [replay_first, replay_last] */
    int64_t replay_last;         /* -1 = none */
    char md[96];                 /* metadata of the last answer */
    struct ch_skip *skips;       /* owned: records the server refused (CSV / TSV lines) */
    size_t n_skips;
};

struct ch_sink {
    struct clickhouse_config cfg;
    struct clickhouse_http_conf hc;
    char **hc_settings;
    size_t n_hc_settings;
    struct clickhouse_http *http; /* the task thread's (describe, version) */
    int major, minor;
    enum clickhouse_rb_format format;
    struct ch_table **tables; /* owned */
    size_t n_tables;
    struct ch_part **parts;   /* owned */
    size_t n_parts;
    size_t held;              /* encoded bytes across every slot */
    size_t max_rows;
    size_t max_bytes;
    int64_t max_age_ms;
    int64_t retry_at_ms;      /* after a retriable failure: no flush before */
    int64_t backoff_ms;
    int failing;              /* a retriable failure is pending */
    struct kc_arena arena;
    struct kc_error last_err; /* of the retriable failure */
    struct kc_buf route_db;   /* scratch of route(): the database a split topic names */
    struct kc_buf route_tbl;  /* scratch of route(): the topic part after the database */
    int string_values;        /* the value converter is StringConverter: raw bytes are text */
    const char *text_format;  /* insertFormat CSV / TSV, else NULL */
    char *connector;
    int id;
};

/* ------------------------------------------------------------------ tables */

static void table_free(struct ch_table *t)
{
    if (t == NULL) {
        return;
    }
    clickhouse_rb_plan_fini(&t->plan);
    clickhouse_table_fini(&t->desc);
    clickhouse_http_free(t->http);
    kc_buf_fini(&t->body);
    kc_free(t->insert_sql);
    kc_free(t->native_sql);
    kc_free(t->name);
    kc_free(t->db);
    kc_free(t);
}

/* The table `name` in database db (NULL: the configured one), written as RowBinary (text
 * NULL) or as CSV/TSV text, added on first use. */
static struct ch_table *table_get(struct ch_sink *s, const char *db, const char *name,
                                  const char *text)
{
    for (size_t i = 0; i < s->n_tables; i++) {
        const struct ch_table *t = s->tables[i];
        if (strcmp(t->name, name) == 0 && t->text == text &&
            (db == NULL ? t->db == NULL : t->db != NULL && strcmp(t->db, db) == 0)) {
            return s->tables[i];
        }
    }
    struct ch_table *t = kc_calloc(1, sizeof(*t));
    struct ch_table **nt = kc_realloc(s->tables, (s->n_tables + 1) * sizeof(*nt));
    if (t == NULL || nt == NULL) {
        kc_free(t);
        if (nt != NULL) {
            s->tables = nt;
        }
        return NULL;
    }
    s->tables = nt;
    if ((t->name = kc_strdup(name)) == NULL ||
        (db != NULL && (t->db = kc_strdup(db)) == NULL)) {
        kc_free(t->name);
        kc_free(t);
        return NULL;
    }
    kc_buf_init(&t->body, SIZE_MAX / 2);
    t->text = text;
    t->stale = 1;
    s->tables[s->n_tables++] = t;
    return t;
}

/* Describe t (again). Only called when t holds no rows: rows encoded under an old plan must
 * not meet a new one. KC_EIO with err when the table cannot be written. */
static int table_describe(struct ch_sink *s, struct ch_table *t, struct kc_error *err)
{
    struct clickhouse_table d = {0};
    const char *db = t->db != NULL ? t->db : s->cfg.database;
    int rc = clickhouse_http_describe(s->http, db, t->name, &d, err);
    if (rc != KC_OK) {
        return rc;
    }
    clickhouse_rb_plan_fini(&t->plan);
    clickhouse_table_fini(&t->desc);
    kc_free(t->insert_sql);
    kc_free(t->native_sql);
    t->insert_sql = t->native_sql = NULL;
    t->desc = d;
    t->ready = 0;
    struct kc_buf sql;
    kc_buf_init(&sql, 1 << 20);
    if ((rc = clickhouse_rb_plan_init(&t->plan, &t->desc, s->format, err)) != KC_OK ||
        (rc = t->text != NULL ? clickhouse_text_insert_sql(db, t->name, t->text, &sql)
                              : clickhouse_rb_insert_sql(&t->plan, db, t->name, &sql)) != KC_OK ||
        (t->insert_sql = kc_buf_take(&sql, NULL)) == NULL ||
        (t->text == NULL && t->plan.native != NULL &&
         ((rc = clickhouse_rb_native_sql(&t->plan, db, t->name, &sql)) != KC_OK ||
          (t->native_sql = kc_buf_take(&sql, NULL)) == NULL))) {
        kc_buf_fini(&sql);
        return rc != KC_OK ? rc : kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    t->ready = 1;
    t->warned_dropped = 0;
    t->stale = 0;
    t->described_ms = kc_now_ms();
    return KC_OK;
}

/* ------------------------------------------------------------------ partitions and slots */

static void slot_init(struct ch_slot *sl, struct ch_table *t)
{
    memset(sl, 0, sizeof(*sl));
    sl->t = t;
    sl->first = sl->last = -1;
    kc_buf_init(&sl->rows, SIZE_MAX / 2);
}

/* Forget what sl holds (sent, or dropped). */
static void slot_clear(struct ch_sink *s, struct ch_slot *sl)
{
    if (sl->t != NULL) {
        sl->t->rows -= sl->n;
        sl->t->bytes -= sl->rows.len;
        if (sl->t->rows == 0) {
            sl->t->oldest_ms = 0;
        }
    }
    s->held -= sl->rows.len;
    kc_buf_reset(&sl->rows);
    sl->n = 0;
    sl->first = sl->last = -1;
    sl->flush = 0;
    sl->multi = 0;
}

/* Remember that rows sl->n .. sl->n + count - 1 of sl (about to be added) are the record at
 * offset, so a row the server names in a refusal is traced to its record. */
static int slot_note(struct ch_slot *sl, int64_t offset, size_t count)
{
    if (sl->n + count > sl->cap_offs) {
        size_t cap = sl->cap_offs ? sl->cap_offs : 256;
        while (cap < sl->n + count) {
            cap *= 2;
        }
        int64_t *o = kc_realloc(sl->offs, cap * sizeof(*o));
        if (o == NULL) {
            return KC_ENOMEM;
        }
        sl->offs = o;
        sl->cap_offs = cap;
    }
    for (size_t i = 0; i < count; i++) {
        sl->offs[sl->n + i] = offset;
    }
    return KC_OK;
}

static struct ch_part *part_find(struct ch_sink *s, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < s->n_parts; i++) {
        if (s->parts[i]->partition == partition && strcmp(s->parts[i]->topic, topic) == 0) {
            return s->parts[i];
        }
    }
    return NULL;
}

static struct ch_part *part_get(struct ch_sink *s, const char *topic, int32_t partition)
{
    struct ch_part *p = part_find(s, topic, partition);
    if (p != NULL) {
        return p;
    }
    struct ch_part **np = kc_realloc(s->parts, (s->n_parts + 1) * sizeof(*np));
    if (np == NULL) {
        return NULL;
    }
    s->parts = np;
    if ((p = kc_calloc(1, sizeof(*p))) == NULL || (p->topic = kc_strdup(topic)) == NULL) {
        kc_free(p);
        return NULL;
    }
    p->partition = partition;
    p->next = -1;
    p->rewind_to = -1;
    p->replay_last = -1;
    slot_init(&p->sealed, NULL);
    s->parts[s->n_parts++] = p;
    return p;
}

static void part_free(struct ch_sink *s, struct ch_part *p)
{
    for (size_t i = 0; i < p->n_slots; i++) {
        slot_clear(s, &p->slots[i]);
        kc_buf_fini(&p->slots[i].rows);
        kc_free(p->slots[i].offs);
    }
    slot_clear(s, &p->sealed);
    kc_buf_fini(&p->sealed.rows);
    kc_free(p->sealed.offs);
    kc_free(p->skips);
    kc_free(p->slots);
    kc_free(p->topic);
    kc_free(p);
}

static struct ch_slot *part_slot(struct ch_part *p, struct ch_table *t)
{
    for (size_t i = 0; i < p->n_slots; i++) {
        if (p->slots[i].t == t) {
            return &p->slots[i];
        }
    }
    struct ch_slot *ns = kc_realloc(p->slots, (p->n_slots + 1) * sizeof(*ns));
    if (ns == NULL) {
        return NULL;
    }
    p->slots = ns;
    slot_init(&p->slots[p->n_slots], t);
    return &p->slots[p->n_slots++];
}

/* Exactly-once: the open slot becomes p's sealed batch (p->sealed must be empty). announced:
 * its boundary is already in Kafka (a replay), so it may be inserted at once. */
static void eo_seal(struct ch_part *p, int announced)
{
    struct ch_slot *sl = &p->slots[0];
    struct kc_buf spare = p->sealed.rows; /* empty: swap the buffers, copy nothing */
    int64_t *spare_offs = p->sealed.offs;
    size_t spare_cap = p->sealed.cap_offs;
    p->sealed = *sl;
    sl->rows = spare;
    sl->offs = spare_offs;
    sl->cap_offs = spare_cap;
    kc_buf_reset(&sl->rows);
    sl->n = 0;
    sl->first = sl->last = -1;
    sl->flush = 0;
    sl->multi = 0;
    p->sealed_announced = announced;
}

/* The offset up to which p's records are in ClickHouse (or were reported / skipped). */
static int64_t part_durable(const struct ch_part *p)
{
    int64_t d = p->next;
    if (p->rewind_to >= 0 && (d < 0 || p->rewind_to < d)) {
        d = p->rewind_to;
    }
    if (p->sealed.n > 0 && p->sealed.first < d) {
        d = p->sealed.first;
    }
    for (size_t i = 0; i < p->n_slots; i++) {
        if (p->slots[i].n > 0 && p->slots[i].first < d) {
            d = p->slots[i].first;
        }
    }
    return d;
}

/* The partition a slot belongs to. */
static struct ch_part *slot_owner(struct ch_sink *s, const struct ch_slot *sl)
{
    for (size_t q = 0; q < s->n_parts; q++) {
        struct ch_part *p = s->parts[q];
        if (sl == &p->sealed) {
            return p;
        }
        for (size_t r = 0; r < p->n_slots; r++) {
            if (sl == &p->slots[r]) {
                return p;
            }
        }
    }
    return NULL;
}

static int64_t part_durable(const struct ch_part *p);

/* The skip entry for offset, or NULL. Entries the partition is durable past are forgotten. */
static struct ch_skip *part_skip_find(struct ch_part *p, int64_t offset)
{
    int64_t durable = part_durable(p);
    struct ch_skip *hit = NULL;
    for (size_t i = 0; i < p->n_skips;) {
        if (durable >= 0 && p->skips[i].offset < durable && p->skips[i].offset != offset) {
            p->skips[i] = p->skips[--p->n_skips];
            continue;
        }
        if (p->skips[i].offset == offset) {
            hit = &p->skips[i];
        }
        i++;
    }
    return hit;
}

static int part_skip_add(struct ch_part *p, int64_t offset, const struct kc_error *why)
{
    struct ch_skip *n = kc_realloc(p->skips, (p->n_skips + 1) * sizeof(*n));
    if (n == NULL) {
        return KC_ENOMEM;
    }
    p->skips = n;
    p->skips[p->n_skips].offset = offset;
    p->skips[p->n_skips].reported = 0;
    p->skips[p->n_skips].why = *why;
    p->n_skips++;
    return KC_OK;
}

/* The row number ClickHouse names in a refusal of CSV / TSV input ("... (at row 3)"), 0 if
 * none. */
static size_t refused_row(const char *msg, int text)
{
    /* CSV / TSV parse errors: "(at row N)" (text tables only); CHECK constraints: "is
     * violated at row N." (looked for first: a value echoed after it may hold anything) */
    const char *at = strstr(msg, "is violated at row ");
    size_t skip = 19;
    if (at == NULL && text) {
        at = strstr(msg, "(at row ");
        skip = 8;
    }
    if (at == NULL) {
        return 0;
    }
    char *end;
    unsigned long long v = strtoull(at + skip, &end, 10);
    return end != at + skip && (*end == ')' || *end == '.' || *end == ',' || *end == ' ')
               ? (size_t)v
               : 0;
}

/* msg is "Constraint `c` for table <db>.<table> [(<uuid>)] is violated at row N ...", with
 * <table> ours (names may be backquoted; newer servers add the table's UUID). */
static int constraint_of(const char *msg, const char *table)
{
    const char *f = strstr(msg, " for table ");
    const char *v = f != NULL ? strstr(f, " is violated at row ") : NULL;
    if (v == NULL) {
        return 0;
    }
    const char *b = f + 11, *e = v;
    if (e > b && e[-1] == ')') { /* " (uuid)" */
        const char *open = e - 1;
        while (open > b && *open != '(') {
            open--;
        }
        if (open > b && open[-1] == ' ') {
            e = open - 1;
        }
    }
    if (e > b && e[-1] == '`') {
        e--;
    }
    size_t tl = strlen(table);
    if ((size_t)(e - b) < tl || strncmp(e - tl, table, tl) != 0) {
        return 0;
    }
    const char *pre = e - tl;
    return pre == b || pre[-1] == '.' || pre[-1] == '`';
}

/*
 * After a schema error: drop every row p holds (encoded for the old columns) and read them
 * again from the first one (rewind at the next put). A sealed batch whose boundary is in Kafka
 * is rebuilt with exactly that boundary.
 */
static void part_drop_rows(struct ch_sink *s, struct ch_part *p)
{
    int64_t from = -1;
    if (p->sealed.n > 0) {
        from = p->sealed.first;
        if (p->sealed_announced) {
            p->replay_first = p->sealed.first;
            p->replay_last = p->sealed.last;
        }
        slot_clear(s, &p->sealed);
    }
    for (size_t r = 0; r < p->n_slots; r++) {
        struct ch_slot *sl = &p->slots[r];
        if (sl->n > 0 && (from < 0 || sl->first < from)) {
            from = sl->first;
        }
        slot_clear(s, sl);
    }
    if (from >= 0 && (p->rewind_to < 0 || from < p->rewind_to)) {
        p->rewind_to = from;
    }
}

/*
 * A CSV / TSV insert refused at row `row` (1-based, slots in body order): the record of that
 * line is noted to be reported when it comes again, and every row of the slots' partitions is
 * dropped and read again (the insert stored nothing). 0 when the line cannot be traced (a
 * record held several lines, or exactly-once), and nothing changed.
 */
static int isolate_refused_line(struct sink_task *st, struct ch_sink *s, struct ch_table *t,
                                struct ch_slot **slots, size_t n_slots, size_t row)
{
    size_t left = row;
    struct ch_slot *hit = NULL;
    for (size_t k = 0; k < n_slots && hit == NULL; k++) {
        struct ch_slot *sl = slots[k];
        if (sl->multi || sl->offs == NULL || s->cfg.exactly_once) {
            return 0;
        }
        if (left <= sl->n) {
            hit = sl;
        } else {
            left -= sl->n;
        }
    }
    struct ch_part *owner = hit != NULL ? slot_owner(s, hit) : NULL;
    if (owner == NULL) {
        return 0;
    }
    int64_t off = hit->offs[left - 1];
    struct kc_error why = {0};
    kc_error_set(&why, KC_EINVAL, "Record %s-%d@%lld: %s refused it: %s", owner->topic,
                 (int)owner->partition, (long long)off, t->name, t->err.msg);
    if (part_skip_add(owner, off, &why) != KC_OK) {
        return 0;
    }
    sink_task_log(st, KC_LOG_WARN, "%s refused %s row %zu (record %s-%d@%lld); reading its "
                  "batch again without it", t->name, t->text != NULL ? t->text : "the batch's",
                  row, owner->topic,
                  (int)owner->partition, (long long)off);
    for (size_t k = 0; k < n_slots; k++) {
        struct ch_part *p = slot_owner(s, slots[k]);
        if (p != NULL) {
            part_drop_rows(s, p);
        }
    }
    return 1;
}

/* ------------------------------------------------------------------ inserts */

struct flush_job {
    struct ch_sink *s;
    struct ch_table *t;
    const char *token; /* exactly-once: "insert_deduplication_token=..." */
    const char *sql;   /* borrowed: the table's insert_sql or native_sql, as the body is */
    int64_t elapsed_us; /* the INSERT's time, for the task's metrics */
};

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void *flush_thread(void *arg)
{
    struct flush_job *j = arg;
    const char *extra[1] = {j->token};
    kc_thread_name("ch-flush", NULL);
    int64_t t0 = mono_us();
    j->t->rc = clickhouse_http_insert(j->t->http, j->sql, j->t->body.data,
                                      j->t->body.len, extra, j->token != NULL ? 1 : 0,
                                      &j->t->res, &j->t->err);
    j->elapsed_us = mono_us() - t0;
    return NULL;
}

/* ClickHouse codes that say our rows do not match the table (it changed under us). */
static int schema_error(int code)
{
    switch (code) {
    case 8:   /* THERE_IS_NO_COLUMN */
    case 10:  /* NOT_FOUND_COLUMN_IN_BLOCK */
    case 16:  /* NO_SUCH_COLUMN_IN_TABLE */
    case 33:  /* CANNOT_READ_ALL_DATA */
    case 47:  /* UNKNOWN_IDENTIFIER */
    case 53:  /* TYPE_MISMATCH */
    case 131: /* TOO_LARGE_STRING_SIZE */
        return 1;
    default:
        return 0;
    }
}

/* The body of job's INSERT from its slots: one Native block when the table's columns and the
 * rows allow it (far less work for the server), else the RowBinary (or CSV / TSV) rows as
 * they are. */
static int build_body(struct flush_job *job, struct ch_slot **slots, size_t n,
                      struct kc_error *err)
{
    struct ch_table *t = job->t;
    kc_buf_reset(&t->body);
    job->sql = t->insert_sql;
    if (t->native_sql != NULL && n > 0) {
        const unsigned char *data[8];
        size_t lens[8];
        const unsigned char **pd = n <= 8 ? data : kc_calloc(n, sizeof(*pd));
        size_t *pl = n <= 8 ? lens : kc_calloc(n, sizeof(*pl));
        int rc = KC_ENOMEM;
        if (pd != NULL && pl != NULL) {
            for (size_t k = 0; k < n; k++) {
                pd[k] = (const unsigned char *)slots[k]->rows.data;
                pl[k] = slots[k]->rows.len;
            }
            rc = clickhouse_rb_native(&t->plan, pd, pl, n, &t->body, err);
        }
        if (n > 8) {
            kc_free(pd);
            kc_free(pl);
        }
        if (rc == KC_OK) {
            job->sql = t->native_sql;
            return KC_OK;
        }
        if (rc != 1) {
            return rc == KC_ENOMEM && (pd == NULL || pl == NULL)
                       ? kc_error_set(err, KC_ENOMEM, "out of memory building an insert")
                       : rc;
        }
    }
    for (size_t k = 0; k < n; k++) {
        if (kc_buf_append(&t->body, slots[k]->rows.data, slots[k]->rows.len) != KC_OK) {
            return kc_error_set(err, KC_ENOMEM, "out of memory building an insert");
        }
    }
    return KC_OK;
}

/*
 * Insert the slots marked .flush, one INSERT per table (tables in parallel), or with tokens
 * (exactly-once) one INSERT per slot. in_put: rewinds may be asked now. KC_OK when every one
 * landed; KC_RETRY (rows kept, backoff set) or negative with err.
 */
static int insert_marked(struct sink_task *st, struct ch_sink *s, struct ch_slot **marked,
                         size_t n_marked, int in_put, struct kc_error *err)
{
    if (n_marked == 0) {
        return KC_OK;
    }
    /* Group by table. In exactly-once each slot is its own insert, so a slot per job. */
    struct flush_job *jobs = kc_calloc(n_marked, sizeof(*jobs));
    char **tokens = kc_calloc(n_marked, sizeof(*tokens));
    pthread_t *th = kc_calloc(n_marked, sizeof(*th));
    int *started = kc_calloc(n_marked, sizeof(*started));
    struct ch_slot ***job_slots = kc_calloc(n_marked, sizeof(*job_slots));
    size_t *job_nslots = kc_calloc(n_marked, sizeof(*job_nslots));
    size_t nj = 0;
    int rc = KC_OK;
    if (jobs == NULL || tokens == NULL || th == NULL || started == NULL || job_slots == NULL ||
        job_nslots == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        goto out;
    }
    /* In exactly-once a table with several partitions' slots inserts them one after another;
     * tables still go in parallel. Rounds: each round takes at most one slot per table. */
    size_t done = 0;
    while (done < n_marked && rc == KC_OK) {
        nj = 0;
        for (size_t i = 0; i < n_marked; i++) {
            struct ch_slot *sl = marked[i];
            if (sl == NULL) {
                continue;
            }
            size_t j = 0;
            while (j < nj && jobs[j].t != sl->t) {
                j++;
            }
            if (j < nj && s->cfg.exactly_once) {
                continue; /* next round */
            }
            if (j == nj) {
                jobs[nj].s = s;
                jobs[nj].t = sl->t;
                jobs[nj].token = NULL;
                kc_buf_reset(&sl->t->body);
                job_nslots[nj] = 0;
                kc_free(job_slots[nj]);
                if ((job_slots[nj] = kc_calloc(n_marked, sizeof(**job_slots))) == NULL) {
                    rc = kc_error_set(err, KC_ENOMEM, "out of memory");
                    goto out;
                }
                nj++;
            }
            if (s->cfg.exactly_once) {
                struct ch_part *owner = NULL;
                for (size_t k = 0; k < s->n_parts && owner == NULL; k++) {
                    if (&s->parts[k]->sealed == sl) {
                        owner = s->parts[k];
                    }
                }
                kc_free(tokens[j]);
                tokens[j] = kc_asprintf("insert_deduplication_token=%s-%d-%lld-%lld",
                                        owner != NULL ? owner->topic : "?",
                                        owner != NULL ? (int)owner->partition : -1,
                                        (long long)sl->first, (long long)sl->last);
                if (tokens[j] == NULL) {
                    rc = kc_error_set(err, KC_ENOMEM, "out of memory");
                    goto out;
                }
                jobs[j].token = tokens[j];
            }
            job_slots[j][job_nslots[j]++] = sl;
            marked[i] = NULL;
            done++;
        }
        for (size_t j = 0; j < nj; j++) {
            if ((rc = build_body(&jobs[j], job_slots[j], job_nslots[j], err)) != KC_OK) {
                goto out;
            }
        }
        for (size_t j = 0; j < nj; j++) {
            if (jobs[j].t->http == NULL &&
                (rc = clickhouse_http_new(&s->hc, &jobs[j].t->http, err)) != KC_OK) {
                goto out;
            }
        }
        /* One thread per table beyond the first; the first runs here. */
        for (size_t j = 1; j < nj; j++) {
            started[j] = pthread_create(&th[j], NULL, flush_thread, &jobs[j]) == 0;
            if (!started[j]) {
                flush_thread(&jobs[j]);
            }
        }
        flush_thread(&jobs[0]);
        for (size_t j = 1; j < nj; j++) {
            if (started[j]) {
                pthread_join(th[j], NULL);
                started[j] = 0;
            }
        }
        for (size_t j = 0; j < nj; j++) {
            struct ch_table *t = jobs[j].t;
            sink_task_record_insert(st, t->rc == KC_OK ? t->body.len : 0, jobs[j].elapsed_us,
                                    t->rc == KC_OK);
            if (t->rc == KC_RETRY) {
                sink_task_record_retry(st);
            }
            if (t->rc == KC_OK) {
                t->schema_retries = 0;
                sink_task_log(st, KC_LOG_DEBUG, "Inserted %zu slot(s), %zu bytes into %s",
                              job_nslots[j], t->body.len, t->name);
                for (size_t k = 0; k < job_nslots[j]; k++) {
                    slot_clear(s, job_slots[j][k]);
                }
                continue;
            }
            if (t->rc == KC_RETRY) {
                if (rc == KC_OK || rc == KC_RETRY) {
                    rc = KC_RETRY;
                    *err = t->err;
                }
                continue;
            }
            if (t->rc == KC_EIO && t->text == NULL && schema_error(t->res.code) &&
                ++t->schema_retries <= CH_SCHEMA_RETRIES) {
                /* Rows encoded for the old columns: drop them, describe again, read the
                 * records again from the first dropped one. The same error again and again
                 * after fresh descriptions is not a change under us: it fails the task below
                 * (else the task would re-read the same records for ever). */
                sink_task_log(st, KC_LOG_WARN, "Table %s changed (%s); describing it again and "
                              "re-reading its records", t->name, t->err.msg);
                t->stale = 1;
                for (size_t k = 0; k < job_nslots[j]; k++) {
                    struct ch_part *p = slot_owner(s, job_slots[j][k]);
                    if (p != NULL) {
                        part_drop_rows(s, p);
                    }
                }
                continue;
            }
            size_t row;
            /* RowBinary / Native: only a CHECK constraint of this very table (code 469; a
             * materialized view's target would number its own rows) names one of ours */
            if (t->rc == KC_EIO &&
                (t->text != NULL ||
                 (t->res.code == 469 && constraint_of(t->err.msg, t->name))) &&
                (row = refused_row(t->err.msg, t->text != NULL)) > 0 &&
                isolate_refused_line(st, s, t, job_slots[j], job_nslots[j], row)) {
                continue;
            }
            if (rc >= 0) {
                rc = t->rc;
                kc_error_set(err, t->rc, "Insert into %s failed: %s", t->name, t->err.msg);
            }
        }
    }
    if (rc == KC_OK) {
        s->failing = 0;
        s->backoff_ms = 0;
    }
out:
    for (size_t j = 0; j < n_marked; j++) {
        if (job_slots != NULL) {
            kc_free(job_slots[j]);
        }
        if (tokens != NULL) {
            kc_free(tokens[j]);
        }
    }
    /* Slots not inserted (KC_RETRY, or a failure) stay as they are. */
    if (rc == KC_RETRY) {
        s->failing = 1;
        s->last_err = *err;
        s->backoff_ms = s->backoff_ms == 0 ? 100 : s->backoff_ms * 2;
        if (s->backoff_ms > CH_BACKOFF_MAX_MS) {
            s->backoff_ms = CH_BACKOFF_MAX_MS;
        }
        s->retry_at_ms = kc_now_ms() + s->backoff_ms;
        sink_task_log(st, KC_LOG_WARN, "Insert will be retried in %lld ms: %s",
                      (long long)s->backoff_ms, err->msg);
    }
    /* Rewinds from schema errors, asked now (the contract allows it from put, tick and
     * pre_commit; the worker applies it before its next poll, even on a quiet topic). */
    (void)in_put;
    {
        for (size_t q = 0; q < s->n_parts && rc >= 0; q++) {
            struct ch_part *p = s->parts[q];
            if (p->rewind_to >= 0) {
                struct kc_error e2 = {0};
                if (sink_task_rewind(st, p->topic, p->partition, p->rewind_to, &e2) == KC_OK) {
                    p->next = p->rewind_to;
                    p->rewind_to = -1;
                    p->rewound = 1;
                }
            }
        }
    }
    kc_free(jobs);
    kc_free(tokens);
    kc_free(th);
    kc_free(started);
    kc_free(job_slots);
    kc_free(job_nslots);
    sink_task_buffered(st, s->held);
    return rc;
}

/* Mark what is due (force: everything) and insert it. Exactly-once: only announced sealed
 * slots are inserted; open slots that are due are sealed and a commit requested. */
static int flush_due(struct sink_task *st, struct ch_sink *s, int force, int in_put,
                     struct kc_error *err)
{
    int64_t now = kc_now_ms();
    if (s->failing && now < s->retry_at_ms) {
        *err = s->last_err;
        return KC_RETRY;
    }
    size_t cap = 0;
    for (size_t i = 0; i < s->n_parts; i++) {
        cap += s->parts[i]->n_slots + 1;
    }
    struct ch_slot **marked = kc_calloc(cap + 1, sizeof(*marked));
    if (marked == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    size_t nm = 0;
    int over_budget = s->held > sink_task_budget(st) / 2;
    for (size_t i = 0; i < s->n_parts; i++) {
        struct ch_part *p = s->parts[i];
        for (size_t k = 0; k < p->n_slots; k++) {
            struct ch_slot *sl = &p->slots[k];
            struct ch_table *t = sl->t;
            if (sl->n == 0) {
                continue;
            }
            int due = force || over_budget || t->rows >= s->max_rows ||
                      t->bytes >= s->max_bytes ||
                      (t->oldest_ms > 0 && now - t->oldest_ms >= s->max_age_ms);
            if (!due) {
                continue;
            }
            if (!s->cfg.exactly_once) {
                marked[nm++] = sl;
            } else if (p->sealed.n == 0 && p->replay_last < 0) {
                /* Cut here; the boundary goes to Kafka before the insert. (A batch being
                 * replayed ends where it was recorded, whatever the thresholds say.) */
                eo_seal(p, 0);
                sink_task_request_commit(st);
            }
        }
        if (s->cfg.exactly_once && p->sealed.n > 0 && p->sealed_announced) {
            marked[nm++] = &p->sealed;
        }
    }
    int rc = insert_marked(st, s, marked, nm, in_put, err);
    kc_free(marked);
    return rc;
}

/* ------------------------------------------------------------------ put */

static int report(struct sink_task *st, const struct sink_record *r, const char *cls,
                  const struct kc_error *cause, struct kc_error *err)
{
    int rc = sink_task_report_exception(st, r, cls, cause);
    if (rc != KC_OK) {
        return kc_error_set(err, rc, "%s", cause->msg);
    }
    return KC_OK;
}

/* Rows of one record into sl->rows (all or none). *rows = rows added. KC_EINVAL: the record
 * does not fit (cause in err). */
/* The text of a string record (StringConverter), or NULL when the value is not one. */
static const char *record_text(const struct ch_sink *s, const struct sink_record *r, size_t *len)
{
    if (!r->value_converted) {
        *len = r->value_len;
        return s->string_values ? r->value_raw : NULL;
    }
    if (r->value != NULL && r->value->type == CDATA_STRING) {
        *len = r->value->n;
        return r->value->u.s;
    }
    return NULL;
}

static int encode_record(struct ch_sink *s, struct ch_table *t, const struct sink_record *r,
                         struct kc_buf *out, size_t *rows, struct kc_error *err)
{
    *rows = 0;
    const struct cdata_value *v = r->value;
    size_t tlen = 0;
    const char *text = record_text(s, r, &tlen);
    if (text != NULL && strcmp(s->cfg.insert_format, "none") == 0) {
        return kc_error_set(err, KC_EINVAL, "a string record (StringConverter) needs insertFormat "
                            "CSV, TSV or JSON; insertFormat is none");
    }
    if (t->text != NULL) { /* CSV / TSV: the record's text is one line (or more), as it is */
        if (tlen == 0) {
            return kc_error_set(err, KC_EINVAL, "an empty string is no %s row", t->text);
        }
        size_t before = out->len;
        if (kc_buf_append(out, text, tlen) != KC_OK ||
            (text[tlen - 1] != '\n' && kc_buf_append_byte(out, '\n') != KC_OK)) {
            out->len = before;
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        *rows = 1;
        return KC_OK;
    }
    if (!r->value_converted) {
        kc_arena_reset(&s->arena);
        return clickhouse_rb_json(&t->plan, r->value_raw, r->value_len, &s->arena, out, rows,
                                  err);
    }
    if (v->type == CDATA_STRING) { /* StringConverter: the text is JSON (insertFormat JSON) */
        kc_arena_reset(&s->arena);
        return clickhouse_rb_json(&t->plan, v->u.s, v->n, &s->arena, out, rows, err);
    }
    if (v->type == CDATA_STRUCT || v->type == CDATA_MAP) {
        int rc = clickhouse_rb_row(&t->plan, v, out, err);
        *rows = rc == KC_OK;
        return rc;
    }
    if (v->type == CDATA_ARRAY) {
        size_t before = out->len;
        for (uint32_t i = 0; i < v->n; i++) {
            const struct cdata_value *e = v->u.items[i];
            int rc = e == NULL ? kc_error_set(err, KC_EINVAL, "element %u of the array is null",
                                              i)
                               : clickhouse_rb_row(&t->plan, e, out, err);
            if (rc != KC_OK) {
                if (rc == KC_EINVAL) {
                    out->len = before; /* all rows of the message, or none */
                }
                *rows = 0;
                return rc;
            }
            (*rows)++;
        }
        return KC_OK;
    }
    return kc_error_set(err, KC_EINVAL, "a record value of this type cannot be a row of %s: "
                        "expected an object, a struct or an array of them", t->name);
}

/* Exactly-once replay: once p reaches offset `at` past the recorded batch's last offset, the
 * rows gathered since its first offset are that batch again, sealed and already announced. */
static void eo_replay_end(struct ch_sink *s, struct ch_part *p, int64_t at)
{
    if (!s->cfg.exactly_once || p->replay_last < 0 || at <= p->replay_last) {
        return;
    }
    if (p->n_slots > 0 && p->slots[0].n > 0 && p->sealed.n == 0) {
        eo_seal(p, 1);
    }
    p->replay_last = -1;
}

/*
 * The table for a record's topic, and its database (*db, NULL = the configured one). With
 * enableDbTopicSplit a topic "<db><dbTopicSplitChar><topic>" names the database, and the part
 * after it is the topic that topic2TableMap (or the table of the same name) applies to. As the
 * official connector (Java's String.split: trailing empty parts dropped), only a topic that
 * splits in exactly two parts is split; any other is routed whole in the configured database.
 * NULL when out of memory.
 */
static const char *route(struct ch_sink *s, const char *topic, const char **db)
{
    *db = NULL;
    const char *sep = s->cfg.db_topic_split_char;
    if (s->cfg.enable_db_topic_split && sep != NULL && sep[0] != '\0') {
        /* The pieces between non-overlapping matches, left to right. Java's split drops
         * trailing empty pieces: the count is up to the last non-empty one. */
        size_t seplen = strlen(sep), pieces = 0, last_nonempty = 0, l0 = 0, l1 = 0;
        const char *p0 = NULL, *p1 = NULL, *q = topic;
        for (;;) {
            const char *m = strstr(q, sep);
            size_t l = m != NULL ? (size_t)(m - q) : strlen(q);
            if (pieces == 0) {
                p0 = q;
                l0 = l;
            } else if (pieces == 1) {
                p1 = q;
                l1 = l;
            }
            pieces++;
            if (l > 0) {
                last_nonempty = pieces;
            }
            if (m == NULL) {
                break;
            }
            q = m + seplen;
        }
        if (last_nonempty == 2) {
            kc_buf_reset(&s->route_db);
            kc_buf_reset(&s->route_tbl);
            if (kc_buf_append(&s->route_db, p0, l0) != KC_OK ||
                kc_buf_append_byte(&s->route_db, 0) != KC_OK ||
                kc_buf_append(&s->route_tbl, p1, l1) != KC_OK ||
                kc_buf_append_byte(&s->route_tbl, 0) != KC_OK) {
                return NULL;
            }
            *db = (const char *)s->route_db.data;
            topic = (const char *)s->route_tbl.data;
        }
    }
    return clickhouse_topic_map_table(&s->cfg.topic2table, topic);
}

static int ch_put(struct sink_task *st, const struct sink_record *recs, size_t n,
                  struct kc_error *err)
{
    struct ch_sink *s = sink_task_ctx(st);
    for (size_t q = 0; q < s->n_parts; q++) {
        s->parts[q]->rewound = 0;
    }
    /* Rows that could not be inserted before: try them first; while they fail, take nothing
     * new (the worker backs off and hands this batch again). */
    if (s->failing) {
        int rc = flush_due(st, s, 1, 1, err);
        if (rc != KC_OK) {
            return rc;
        }
    }
    for (size_t q = 0; q < s->n_parts; q++) {
        struct ch_part *p = s->parts[q];
        if (p->rewind_to >= 0) {
            int rc = sink_task_rewind(st, p->topic, p->partition, p->rewind_to, err);
            if (rc != KC_OK) {
                return rc;
            }
            p->next = p->rewind_to;
            p->rewind_to = -1;
            p->rewound = 1;
        }
    }
    int64_t now = kc_now_ms();
    for (size_t i = 0; i < n; i++) {
        const struct sink_record *r = &recs[i];
        struct ch_part *p = part_get(s, r->kafka_topic, r->kafka_partition);
        if (p == NULL) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        if (p->rewound) {
            continue; /* read again after the seek this put asked for */
        }
        eo_replay_end(s, p, r->kafka_offset);
        struct ch_skip *sk = p->n_skips > 0 ? part_skip_find(p, r->kafka_offset) : NULL;
        if (sk != NULL) {
            /* a line the server refused: reported once, alone; the rest of its batch goes in */
            if (!sk->reported) {
                sk->reported = 1;
                int rc = report(st, r, "org.apache.kafka.connect.errors.DataException",
                                &sk->why, err);
                if (rc != KC_OK) {
                    return rc;
                }
            }
            p->next = r->kafka_offset + 1;
            continue;
        }
        if (r->value_converted ? r->value == NULL : r->value_raw == NULL) {
            /* Tombstone: skipped, as the official connector does. */
            p->next = r->kafka_offset + 1;
            continue;
        }
        const char *tdb = NULL;
        const char *tname = route(s, r->topic, &tdb);
        size_t tlen;
        const char *text = s->text_format != NULL && record_text(s, r, &tlen) != NULL
                               ? s->text_format
                               : NULL;
        struct ch_table *t = tname != NULL ? table_get(s, tdb, tname, text) : NULL;
        if (t == NULL) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        if ((t->stale || (s->cfg.table_refresh_interval_s > 0 &&
                          now - t->described_ms >= s->cfg.table_refresh_interval_s * 1000)) &&
            t->rows == 0) {
            struct kc_error derr = {0};
            int rc = table_describe(s, t, &derr);
            if (rc == KC_RETRY || rc == KC_ENOMEM) {
                /* Nothing of this record kept; earlier records of the batch are. */
                if (i > 0) {
                    /* Ask for this record again: rewind its partitions to here. */
                    for (size_t k = i; k < n; k++) {
                        struct ch_part *pk =
                            part_find(s, recs[k].kafka_topic, recs[k].kafka_partition);
                        if (pk == NULL && (pk = part_get(s, recs[k].kafka_topic,
                                                         recs[k].kafka_partition)) == NULL) {
                            return kc_error_set(err, KC_ENOMEM, "out of memory");
                        }
                        if (pk->rewind_to < 0 || recs[k].kafka_offset < pk->rewind_to) {
                            pk->rewind_to = recs[k].kafka_offset;
                        }
                    }
                    for (size_t q = 0; q < s->n_parts; q++) {
                        struct ch_part *pq = s->parts[q];
                        if (pq->rewind_to >= 0 &&
                            sink_task_rewind(st, pq->topic, pq->partition, pq->rewind_to,
                                             err) == KC_OK) {
                            pq->next = pq->rewind_to;
                            pq->rewind_to = -1;
                        }
                    }
                    sink_task_buffered(st, s->held);
                    return KC_OK;
                }
                *err = derr;
                return rc == KC_ENOMEM ? rc : KC_RETRY;
            }
            if (rc != KC_OK) {
                if (!t->ready && s->cfg.suppress_table_existence_exception &&
                    strstr(derr.msg, "error 60 ") != NULL) {
                    sink_task_log(st, KC_LOG_WARN, "Table %s does not exist; skipping the "
                                  "record (suppressTableExistenceException)", tname);
                    p->next = r->kafka_offset + 1;
                    continue;
                }
                if (!t->ready) {
                    struct kc_error cause = {0};
                    kc_error_set(&cause, KC_EINVAL, "Cannot write to table %s: %s", tname,
                                 derr.msg);
                    if ((rc = report(st, r, "org.apache.kafka.connect.errors.ConnectException",
                                     &cause, err)) != KC_OK) {
                        return rc;
                    }
                    p->next = r->kafka_offset + 1;
                    continue;
                }
                /* Keep the old description. */
                sink_task_log(st, KC_LOG_WARN, "Could not describe %s again: %s", tname,
                              derr.msg);
                t->described_ms = now;
            }
        }
        struct ch_slot *sl;
        if (s->cfg.exactly_once) {
            if (p->n_slots > 0 && p->slots[0].t != t && p->slots[0].n > 0) {
                return kc_error_set(err, KC_EINVAL, "exactlyOnce=true needs every record of "
                                    "%s-%d to go to one table (%s, then %s)", p->topic,
                                    (int)p->partition, p->slots[0].t->name, t->name);
            }
            if (p->n_slots == 0 && part_slot(p, t) == NULL) {
                return kc_error_set(err, KC_ENOMEM, "out of memory");
            }
            sl = &p->slots[0];
            sl->t = t;
        } else if ((sl = part_slot(p, t)) == NULL) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        size_t before = sl->rows.len, rows = 0;
        struct kc_error cause = {0};
        struct ch_table *base = t;
        if (t->plan.dropped != NULL && !t->warned_dropped) {
            *t->plan.dropped = 0; /* this record's, below */
        }
        int rc = encode_record(s, t, r, &sl->rows, &rows, &cause);
        if (base->plan.dropped != NULL && *base->plan.dropped > 0 &&
            !base->warned_dropped) {
            /* once per description of the table: the value is not lost silently */
            base->warned_dropped = 1;
            sink_task_log(st, KC_LOG_WARN, "Table %s: column %s has a DEFAULT expression (%s) "
                          "and this ClickHouse (%d.%d) has no RowBinaryWithDefaults, so values "
                          "records give for it are not sent; the server computes the DEFAULT. "
                          "Make the DEFAULT a literal, or upgrade to 23.1 or later.", tname,
                          base->desc.cols[*base->plan.dropped - 1].name,
                          base->desc.cols[*base->plan.dropped - 1].default_expr, s->major,
                          s->minor);
        }
        if (rc == KC_EINVAL) {
            struct kc_error why = {0};
            kc_error_set(&why, KC_EINVAL, "Record %s-%d@%lld does not fit table %s: %s",
                         r->kafka_topic, (int)r->kafka_partition, (long long)r->kafka_offset,
                         tname, cause.msg);
            if ((rc = report(st, r, "org.apache.kafka.connect.errors.DataException", &why,
                             err)) != KC_OK) {
                return rc;
            }
            p->next = r->kafka_offset + 1;
            continue;
        }
        if (rc != KC_OK) {
            return kc_error_set(err, rc, "%s", cause.msg);
        }
        if (rows > 0 && t->text != NULL && !s->cfg.exactly_once) {
            /* one line per record, as records usually are: note its offset */
            size_t lines = 0;
            for (size_t b = before; b < sl->rows.len; b++) {
                lines += sl->rows.data[b] == '\n';
            }
            if (lines != 1) {
                sl->multi = 1;
            } else if ((rc = slot_note(sl, r->kafka_offset, 1)) != KC_OK) {
                sl->rows.len = before; /* not kept: the record comes again */
                sl->rows.data[before] = '\0';
                return kc_error_set(err, rc, "out of memory");
            }
        } else if (rows > 0 && !s->cfg.exactly_once &&
                   (rc = slot_note(sl, r->kafka_offset, rows)) != KC_OK) {
            sl->rows.len = before; /* RowBinary: each row's record, for refusals */
            if (sl->rows.data != NULL) {
                sl->rows.data[before] = '\0';
            }
            return kc_error_set(err, rc, "out of memory");
        }
        if (rows > 0) {
            if (sl->n == 0) {
                sl->first = r->kafka_offset;
            }
            if (t->oldest_ms == 0) {
                t->oldest_ms = now;
            }
            sl->n += rows;
            sl->last = r->kafka_offset;
            t->rows += rows;
        }
        size_t added = sl->rows.len - before;
        t->bytes += added;
        s->held += added;
        p->next = r->kafka_offset + 1;
    }
    for (size_t q = 0; q < s->n_parts; q++) {
        eo_replay_end(s, s->parts[q], s->parts[q]->next);
    }
    sink_task_buffered(st, s->held);
    int rc = flush_due(st, s, 0, 1, err);
    if (rc == KC_RETRY) {
        return KC_OK; /* the records of this batch are kept; the next put or tick retries */
    }
    return rc;
}

/* ------------------------------------------------------------------ commit, tick, rebalance */

static int ch_pre_commit(struct sink_task *st, const struct sink_offset *consumed, size_t n,
                         struct sink_offset *durable, size_t *n_out, struct kc_error *err)
{
    struct ch_sink *s = sink_task_ctx(st);
    /* Insert what is announced (exactly-once) or due; a failure here is not the commit's:
     * it answers what is in ClickHouse. */
    struct kc_error ferr = {0};
    int rc = flush_due(st, s, 1, 0, &ferr);
    if (rc < 0) {
        *err = ferr;
        return rc;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        struct ch_part *p = part_find(s, consumed[i].topic, consumed[i].partition);
        durable[k] = consumed[i];
        durable[k].metadata = NULL;
        if (p != NULL) {
            int64_t d = part_durable(p);
            if (d < 0 || d > consumed[i].offset) {
                d = consumed[i].offset;
            }
            durable[k].offset = d;
            if (s->cfg.exactly_once && p->replay_last >= 0 && p->replay_first <= d) {
                /* Rebuilding a recorded batch: keep its record in Kafka until it is sent. */
                durable[k].offset = p->replay_first;
                snprintf(p->md, sizeof(p->md), CH_EO_MD_PREFIX "%lld-%lld",
                         (long long)p->replay_first, (long long)p->replay_last);
                durable[k].metadata = p->md;
            } else if (s->cfg.exactly_once && p->sealed.n > 0 && d == p->sealed.first) {
                snprintf(p->md, sizeof(p->md), CH_EO_MD_PREFIX "%lld-%lld",
                         (long long)p->sealed.first, (long long)p->sealed.last);
                durable[k].metadata = p->md;
                p->sealed_announced = 1;
                sink_task_request_commit(st); /* to insert it soon and move past it */
            }
        }
        k++;
    }
    *n_out = k;
    return KC_OK;
}

static int ch_flush(struct sink_task *st, struct kc_error *err)
{
    struct ch_sink *s = sink_task_ctx(st);
    if (s->cfg.exactly_once) {
        return KC_OK; /* pre_commit is the only way rows become durable in this mode */
    }
    s->failing = 0;
    return flush_due(st, s, 1, 0, err);
}

static int ch_tick(struct sink_task *st, int64_t now_ms, int64_t *next_ms, struct kc_error *err)
{
    struct ch_sink *s = sink_task_ctx(st);
    int rc = s->held > 0 || s->failing ? flush_due(st, s, 0, 0, err) : KC_OK;
    int64_t step = s->max_age_ms / 4 > 50 ? s->max_age_ms / 4 : 50;
    *next_ms = now_ms + (step < 200 ? step : 200);
    return rc;
}

static int ch_open(struct sink_task *st, const struct tp_list *parts, struct kc_error *err)
{
    struct ch_sink *s = sink_task_ctx(st);
    for (size_t i = 0; i < parts->n; i++) {
        const struct tp *tp = &parts->tp[i];
        struct ch_part *p = part_get(s, tp->topic, tp->partition);
        if (p == NULL) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        long long a, b;
        if (s->cfg.exactly_once && tp->metadata != NULL &&
            sscanf(tp->metadata, CH_EO_MD_PREFIX "%lld-%lld", &a, &b) == 2 && a <= b) {
            /* A batch was cut and maybe inserted: rebuild exactly [a, b], same token. */
            sink_task_log(st, KC_LOG_INFO, "%s-%d: replaying the recorded batch %lld-%lld "
                          "with its deduplication token", tp->topic, (int)tp->partition, a, b);
            p->replay_first = a;
            p->replay_last = b;
            if (tp->committed != a) {
                int rc = sink_task_rewind(st, tp->topic, tp->partition, a, err);
                if (rc != KC_OK) {
                    return rc;
                }
            }
        }
    }
    return KC_OK;
}

static int ch_close(struct sink_task *st, const struct tp_list *parts, struct kc_error *err)
{
    (void)err;
    struct ch_sink *s = sink_task_ctx(st);
    for (size_t i = 0; i < parts->n; i++) {
        for (size_t q = 0; q < s->n_parts; q++) {
            struct ch_part *p = s->parts[q];
            if (p->partition == parts->tp[i].partition &&
                strcmp(p->topic, parts->tp[i].topic) == 0) {
                /* Not inserted, not committed: the new owner reads them again. */
                part_free(s, p);
                memmove(&s->parts[q], &s->parts[q + 1], (s->n_parts - q - 1) * sizeof(*s->parts));
                s->n_parts--;
                break;
            }
        }
    }
    sink_task_buffered(st, s->held);
    return KC_OK;
}

/* ------------------------------------------------------------------ start / stop */

static void ch_free(struct ch_sink *s)
{
    for (size_t i = 0; i < s->n_parts; i++) {
        part_free(s, s->parts[i]);
    }
    kc_free(s->parts);
    for (size_t i = 0; i < s->n_tables; i++) {
        table_free(s->tables[i]);
    }
    kc_free(s->tables);
    clickhouse_http_free(s->http);
    clickhouse_config_free_strv(s->hc_settings, s->n_hc_settings);
    clickhouse_config_fini(&s->cfg);
    kc_arena_fini(&s->arena);
    kc_buf_fini(&s->route_db);
    kc_buf_fini(&s->route_tbl);
    kc_free(s);
}

static int ch_start(struct sink_task *st, const struct conf_values *cv, struct kc_error *err)
{
    struct ch_sink *s = kc_calloc(1, sizeof(*s));
    if (s == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    kc_arena_init(&s->arena, 1 << 16, (size_t)1 << 30);
    kc_buf_init(&s->route_db, (size_t)1 << 20);
    kc_buf_init(&s->route_tbl, (size_t)1 << 20);
    /* The typed values were checked by config_def; clickhouse_config_parse applies the JVM
     * task's effective defaults, which depend on whether a key was given at all. */
    int rc = clickhouse_config_parse(conf_values_raw(cv), &s->cfg, err);
    if (rc != KC_OK) {
        kc_arena_fini(&s->arena);
        kc_free(s);
        return rc;
    }
    s->text_format = strcmp(s->cfg.insert_format, "CSV") == 0   ? "CSV"
                     : strcmp(s->cfg.insert_format, "TSV") == 0 ? "TSV"
                                                                : NULL;
    int schemas_enable;
    const char *vconv = sink_task_value_converter(st, &schemas_enable);
    s->string_values =
        vconv != NULL && strcmp(vconv, "org.apache.kafka.connect.storage.StringConverter") == 0;
    if ((rc = clickhouse_config_http(&s->cfg, 0, &s->hc, &s->hc_settings, &s->n_hc_settings,
                                     err)) != KC_OK ||
        (rc = clickhouse_http_new(&s->hc, &s->http, err)) != KC_OK) {
        goto fail;
    }
    int patch;
    rc = clickhouse_http_version(s->http, &s->major, &s->minor, &patch, err);
    if (rc != KC_OK) {
        char m[KC_ERROR_MSG_MAX];
        snprintf(m, sizeof(m), "%s", err->msg);
        rc = kc_error_set(err, rc == KC_RETRY ? KC_EIO : rc,
                          "Connection to ClickHouse is not active: %s", m);
        goto fail;
    }
    /* The settings now that the server is known (async_insert=0 only where it exists). */
    clickhouse_http_free(s->http);
    s->http = NULL;
    clickhouse_config_free_strv(s->hc_settings, s->n_hc_settings);
    s->hc_settings = NULL;
    if ((rc = clickhouse_config_http(&s->cfg, s->major, &s->hc, &s->hc_settings,
                                     &s->n_hc_settings, err)) != KC_OK ||
        (rc = clickhouse_http_new(&s->hc, &s->http, err)) != KC_OK) {
        goto fail;
    }
    if (s->cfg.exactly_once && (s->major < 22 || (s->major == 22 && s->minor < 2))) {
        rc = kc_error_set(err, KC_EINVAL, "exactlyOnce=true needs insert_deduplication_token, "
                          "which ClickHouse %d.%d does not have (22.2 or newer; this server "
                          "would refuse the setting with code 115 UNKNOWN_SETTING); refusing to "
                          "start rather than insert duplicates after a restart",
                          s->major, s->minor);
        goto fail;
    }
    s->format = s->major >= 23 ? CH_RB_WITH_DEFAULTS : CH_RB_PLAIN;
    s->max_rows = s->cfg.buffer_count > 0 ? (size_t)s->cfg.buffer_count : CH_DEFAULT_ROWS;
    s->max_age_ms = s->cfg.buffer_flush_time_ms > 0 ? s->cfg.buffer_flush_time_ms
                                                    : CH_DEFAULT_AGE_MS;
    size_t budget = sink_task_budget(st);
    s->max_bytes = budget / 4 < CH_MAX_BATCH_BYTES ? budget / 4 : CH_MAX_BATCH_BYTES;
    if (s->max_bytes < 4096) {
        s->max_bytes = 4096;
    }
    sink_task_log(st, KC_LOG_INFO, "ClickHouse %d.%d at %s:%d, database %s, user %s; batches "
                  "of %zu rows / %zu bytes / %lld ms%s", s->major, s->minor, s->cfg.hostname,
                  s->cfg.port, s->cfg.database, s->cfg.username, s->max_rows, s->max_bytes,
                  (long long)s->max_age_ms, s->cfg.exactly_once ? ", exactly-once" : "");
    sink_task_set_ctx(st, s);
    return KC_OK;
fail:
    ch_free(s);
    return rc;
}

static void ch_stop(struct sink_task *st)
{
    struct ch_sink *s = sink_task_ctx(st);
    if (s == NULL) {
        return;
    }
    ch_free(s);
    sink_task_set_ctx(st, NULL);
}

static int ch_validate(const struct conf_values *cv, struct conf_infos *errs,
                       struct kc_error *err)
{
    (void)err;
    if (conf_values_bool(cv, "exactlyOnce") && conf_values_long(cv, "bufferFlushTime") > 0) {
        return conf_values_add_error(errs, "bufferFlushTime",
                                     "bufferFlushTime > 0 is not allowed with exactlyOnce=true");
    }
    const char *sep = conf_values_string(cv, "dbTopicSplitChar");
    if (conf_values_bool(cv, "enableDbTopicSplit") && (sep == NULL || sep[0] == '\0')) {
        return conf_values_add_error(errs, "dbTopicSplitChar",
                                     "enableDbTopicSplit=true needs a dbTopicSplitChar (the "
                                     "separator between database and table in topic names, "
                                     "e.g. _ or .)");
    }
    return KC_OK;
}

static const char *const ch_classes[] = {
    "com.clickhouse.kafka.connect.ClickHouseSinkConnector",
    "io.connectc.clickhouse.ClickHouseSinkConnector",
    NULL,
};

const struct sink_connector_ops clickhouse_sink_ops = {
    .version = SINK_OPS_VERSION,
    .name = "clickhouse",
    .class_names = ch_classes,
    .task_class = "com.clickhouse.kafka.connect.sink.ClickHouseSinkTask",
    .plugin_version = CH_VERSION,
    .config_def = clickhouse_config_def,
    /* raw bytes only for schemaless JSON and text: envelopes and Avro come converted */
    .flags = SINK_FLAG_RAW_VALUE | SINK_FLAG_RAW_SCHEMALESS | SINK_FLAG_NO_KEY |
             SINK_FLAG_NO_HEADERS,
    .start = ch_start,
    .put = ch_put,
    .flush = ch_flush,
    .stop = ch_stop,
    .validate = ch_validate,
    .open = ch_open,
    .close = ch_close,
    .pre_commit = ch_pre_commit,
    .tick = ch_tick,
};
