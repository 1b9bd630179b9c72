/*
 * connectors/parquet/parquet_jsonl.c: a stream of JSON lines into Parquet files, shared by
 * the connect-parquet command and the fuzz target.
 *
 * Each line is one record: a JSON object, or a JsonConverter envelope {"schema", "payload"}
 * whose payload is the record (the first envelope's schema is used when no schema was given),
 * or an array of such objects, each a record of that line (one message carrying many rows).
 * Blank lines are skipped. With no Connect schema, the first infer_records good records are
 * held as parsed values (the only memory that grows with input, and it is capped by
 * infer_records x max_line_bytes), a schema is inferred from them, and they are written; later
 * records that do not fit are reported, or with PARQUET_JSON_ROTATE close the file and start a
 * new sample from that record. A bad record never reaches a file: it is reported with its
 * 1-based line number and the converter goes on.
 */
#include <stdio.h>
#include <string.h>

#include "kc_alloc.h"
#include "parquet_int.h"
#include "parquet_json.h"

enum jsonl_mode {
    MODE_UNDECIDED = 0,
    MODE_CONNECT,
    MODE_INFER,
};

struct pending {
    char *text; /* owned copy of the line, parsed again when the sample is written */
    size_t len;
    uint64_t line;
};

struct parquet_jsonl_doc {
    struct parquet_jv v; /* in the parsers' ps arena */
};

struct parquet_jsonl_parsers {
    struct parquet_jv_parser ps;        /* parses each line into its arena */
    struct parquet_jv_parser sample_ps; /* re-parses held records: ps may still be in use */
    struct parquet_jsonl_doc doc;       /* the last parquet_jsonl_parse() result */
    struct kc_buf direct_text;          /* the direct path's decoded strings, one record's */
    struct parquet_direct_stage *stage; /* owned, made on first use: parquet_jsonl_stage's */
    const struct parquet_jsonl *staged_by; /* the converter and text staged, if any */
    const void *staged_buf;
    size_t staged_len;
};

static void parsers_init(struct parquet_jsonl_parsers *p)
{
    parquet_jv_parser_init(&p->ps);
    parquet_jv_parser_init(&p->sample_ps);
    kc_buf_init(&p->direct_text, PARQUET_BUF_LIMIT);
}

static void parsers_fini(struct parquet_jsonl_parsers *p)
{
    parquet_jv_parser_fini(&p->ps);
    parquet_jv_parser_fini(&p->sample_ps);
    kc_buf_fini(&p->direct_text);
    parquet_direct_stage_free(p->stage);
    p->stage = NULL;
}

struct parquet_jsonl_parsers *parquet_jsonl_parsers_new(void)
{
    struct parquet_jsonl_parsers *p = kc_calloc(1, sizeof(*p));
    if (p != NULL) {
        parsers_init(p);
    }
    return p;
}

size_t parquet_jsonl_parsers_footprint(const struct parquet_jsonl_parsers *p)
{
    return sizeof(*p) + parquet_jv_parser_footprint(&p->ps) +
           parquet_jv_parser_footprint(&p->sample_ps) + p->direct_text.cap +
           parquet_direct_stage_footprint(p->stage);
}

void parquet_jsonl_parsers_free(struct parquet_jsonl_parsers *p)
{
    if (p != NULL) {
        parsers_fini(p);
        kc_free(p);
    }
}

struct parquet_jsonl {
    struct parquet_jsonl_options o;
    json_t *connect_schema; /* owned reference, or NULL */
    struct kc_buf schema_text; /* compact text of the envelope schema in use (empty when the
                                * schema was given): later envelopes are compared with it */
    struct kc_buf env_raw; /* the raw bytes of the "schema" member of an envelope found to have
                            * that schema: a record that begins {"schema":<these bytes>,"payload":
                            * has it too, and its payload takes the direct path (envelope_fast) */
    struct kc_buf scratch;
    parquet_jsonl_open_fn *open;
    parquet_jsonl_close_fn *close;
    parquet_jsonl_bad_fn *bad;
    void *opaque;
    enum jsonl_mode mode;
    struct parquet_writer *w; /* owned; the open file */
    struct parquet_direct direct; /* for w's schema */
    unsigned files;           /* files opened so far */
    struct parquet_json_infer *inf; /* owned; the sample in progress */
    struct pending *pend;           /* owned array */
    size_t npend;
    size_t pend_cap;
    struct parquet_jsonl_parsers own;  /* used when no shared set was given */
    struct parquet_jsonl_parsers *p;   /* &own or the options' shared set */
    struct kc_buf line; /* a line split across feed calls */
    int skipping;       /* the current line is too long: drop it */
    uint64_t lineno;
    uint64_t rows;
    uint64_t direct_rows;
    uint64_t nbad;
};

void parquet_jsonl_options_init(struct parquet_jsonl_options *o)
{
    memset(o, 0, sizeof(*o));
    parquet_writer_options_init(&o->writer);
    o->infer_records = 1000;
    o->on_mismatch = PARQUET_JSON_SKIP;
    o->max_line_bytes = (size_t)64 << 20;
}

static void report(struct parquet_jsonl *c, uint64_t line, const struct kc_error *why)
{
    c->nbad++;
    if (c->bad != NULL) {
        c->bad(c->opaque, line, why);
    }
}

static void report_msg(struct parquet_jsonl *c, uint64_t line, const char *msg)
{
    struct kc_error e;
    kc_error_set(&e, KC_EINVAL, "%s", msg);
    report(c, line, &e);
}

static int is_key(const struct parquet_jv_member *m, const char *k)
{
    return m->key_len == strlen(k) && memcmp(m->key, k, m->key_len) == 0;
}

/* The "schema" member of an envelope (envelope_payload(v) != v). */
static const struct parquet_jv *envelope_schema(const struct parquet_jv *v)
{
    const struct parquet_jv_member *m = v->u.members;
    return is_key(&m[0], "schema") ? &m[0].v : &m[1].v;
}

/* A JsonConverter envelope {"schema": ..., "payload": ...}: its payload; else v itself. */
static const struct parquet_jv *envelope_payload(const struct parquet_jv *v)
{
    if (v->type == PARQUET_JV_OBJECT && v->n == 2) {
        const struct parquet_jv_member *m = v->u.members;
        if (is_key(&m[0], "schema") && is_key(&m[1], "payload")) {
            return &m[1].v;
        }
        if (is_key(&m[1], "schema") && is_key(&m[0], "payload")) {
            return &m[0].v;
        }
    }
    return v;
}

static int open_file(struct parquet_jsonl *c, struct parquet_schema *s, struct kc_error *err)
{
    parquet_write_fn *write = NULL;
    void *wopaque = NULL;
    int rc = c->open(c->opaque, c->files, &write, &wopaque, err);
    if (rc != KC_OK) {
        parquet_schema_free(s);
        return rc;
    }
    c->files++;
    rc = parquet_writer_new(&c->w, s, &c->o.writer, write, wopaque, err);
    if (rc == KC_OK && !c->o.no_direct &&
        parquet_direct_init(&c->direct, parquet_writer_schema(c->w), c->o.keep_member,
                            c->o.keep_arg) != KC_OK) {
        rc = kc_error_set(err, KC_ENOMEM, "parquet: out of memory");
    }
    for (size_t i = 0; rc == KC_OK && i < c->o.nkv; i++) {
        rc = parquet_writer_kv_add(c->w, c->o.kv[2 * i], c->o.kv[2 * i + 1], err);
    }
    return rc;
}

static int close_file(struct parquet_jsonl *c, struct kc_error *err)
{
    int rc;
    if (c->w == NULL) {
        return KC_OK;
    }
    rc = parquet_writer_close(c->w, err);
    parquet_writer_free(c->w);
    c->w = NULL;
    parquet_direct_fini(&c->direct);
    if (rc == KC_OK && c->close != NULL) {
        rc = c->close(c->opaque, c->files - 1, err);
    }
    return rc;
}

/* Write one record to the open file: KC_EINVAL = this record does not fit (err says why). */
static int write_record(struct parquet_jsonl *c, const struct parquet_jv *rec,
                        struct kc_error *err)
{
    int rc = parquet_json_write_jv(c->w, rec, c->o.write_flags, err);
    if (rc == KC_OK) {
        c->rows++;
    }
    return rc;
}

static void drop_pending(struct parquet_jsonl *c)
{
    for (size_t i = 0; i < c->npend; i++) {
        kc_free(c->pend[i].text);
    }
    c->npend = 0;
}

/* The sample is complete: infer, open a file, write the sampled records. */
static int flush_sample(struct parquet_jsonl *c, struct kc_error *err)
{
    struct parquet_schema *s = NULL;
    struct kc_error e;
    int rc = KC_OK;

    if (c->npend == 0) {
        goto out;
    }
    rc = parquet_json_infer_schema(c->inf, &s, &e);
    if (rc == KC_EINVAL) {
        for (size_t i = 0; i < c->npend; i++) {
            report(c, c->pend[i].line, &e);
        }
        rc = KC_OK;
        goto out;
    }
    if (rc != KC_OK) {
        *err = e;
        goto out;
    }
    rc = open_file(c, s, err);
    if (rc != KC_OK) {
        goto out;
    }
    for (size_t i = 0; i < c->npend; i++) {
        struct parquet_jv v;
        rc = parquet_jv_parse(&c->p->sample_ps, c->pend[i].text, c->pend[i].len, &v, &e);
        if (rc == KC_OK) {
            rc = write_record(c, &v, &e);
        }
        if (rc == KC_EINVAL) {
            report(c, c->pend[i].line, &e);
            rc = KC_OK;
        } else if (rc != KC_OK) {
            *err = e;
            goto out;
        }
    }
out:
    drop_pending(c);
    kc_free(c->pend); /* up to infer_records entries: not kept for the file's lifetime */
    c->pend = NULL;
    c->pend_cap = 0;
    parquet_json_infer_free(c->inf);
    c->inf = NULL;
    return rc;
}

static int sample_add(struct parquet_jsonl *c, const struct parquet_jv *rec, uint64_t line,
                      struct kc_error *err)
{
    struct kc_error e;
    struct kc_buf text;
    int rc;
    if (c->inf == NULL) {
        c->inf = parquet_json_infer_new(c->o.infer_timestamps);
        if (c->inf == NULL) {
            return kc_error_set(err, KC_ENOMEM, "parquet: out of memory");
        }
    }
    if (c->npend == c->pend_cap) {
        size_t ncap = c->pend_cap ? c->pend_cap * 2 : 64;
        struct pending *p = kc_realloc(c->pend, ncap * sizeof(*p));
        if (p == NULL) {
            return kc_error_set(err, KC_ENOMEM, "parquet: out of memory");
        }
        c->pend = p;
        c->pend_cap = ncap;
    }
    rc = parquet_json_infer_add_jv(c->inf, rec, &e);
    if (rc == KC_EINVAL) {
        report(c, line, &e);
        return KC_OK;
    }
    if (rc != KC_OK) {
        *err = e;
        return rc;
    }
    /* Keep the record as compact JSON text (not the line: a line may hold several records). */
    kc_buf_init(&text, PARQUET_BUF_LIMIT);
    if (parquet_jv_dump(rec, &text) != KC_OK) {
        kc_buf_fini(&text);
        return kc_error_set(err, KC_ENOMEM, "parquet: out of memory");
    }
    c->pend[c->npend].text = kc_buf_take(&text, &c->pend[c->npend].len);
    if (c->pend[c->npend].text == NULL) {
        return kc_error_set(err, KC_ENOMEM, "parquet: out of memory");
    }
    c->pend[c->npend].line = line;
    c->npend++;
    if (c->npend >= c->o.infer_records) {
        return flush_sample(c, err);
    }
    return KC_OK;
}

static int handle_record(struct parquet_jsonl *c, const struct parquet_jv *rec, uint64_t line,
                         struct kc_error *err)
{
    struct kc_error e;
    int rc;

    if (rec->type != PARQUET_JV_OBJECT) {
        kc_error_set(&e, KC_EINVAL, "record is not a JSON object");
        report(c, line, &e);
        return KC_OK;
    }
    if (c->mode == MODE_CONNECT) {
        if (c->w == NULL) {
            struct parquet_schema *s;
            rc = parquet_json_schema_from_connect(c->connect_schema, &s, err);
            if (rc == KC_OK) {
                rc = open_file(c, s, err);
            }
            if (rc != KC_OK) {
                return rc;
            }
        }
        rc = write_record(c, rec, &e);
        if (rc == KC_EINVAL) {
            report(c, line, &e);
            return KC_OK;
        }
        if (rc != KC_OK) {
            *err = e;
        }
        return rc;
    }
    if (c->w == NULL) {
        return sample_add(c, rec, line, err);
    }
    rc = write_record(c, rec, &e);
    if (rc == KC_EINVAL && c->o.on_mismatch == PARQUET_JSON_ROTATE) {
        rc = close_file(c, err);
        if (rc != KC_OK) {
            return rc;
        }
        return sample_add(c, rec, line, err);
    }
    if (rc == KC_EINVAL) {
        report(c, line, &e);
        return KC_OK;
    }
    if (rc != KC_OK) {
        *err = e;
    }
    return rc;
}

/* A line's length without trailing CR and blanks; *blank (OUT): only blanks remain. */
static size_t trim_line(const char *p, size_t n, int *blank)
{
    size_t i = 0;
    while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t')) {
        n--;
    }
    while (i < n && (p[i] == ' ' || p[i] == '\t')) {
        i++;
    }
    *blank = i == n;
    return n;
}

static int process_parsed(struct parquet_jsonl *c, const char *p, size_t n, uint64_t line,
                          const struct parquet_jv *vp, struct kc_error *err);

#define ENV_HEAD "{\"schema\":"
#define ENV_HEAD_LEN 10
#define ENV_MID ",\"payload\":"
#define ENV_MID_LEN 11

/* The payload of envelope p[0..n) when it is {"schema":<env_raw>,"payload":<payload>}: 1 and
 * its span (what follows "payload": up to the envelope's closing brace; the direct path checks
 * it is one JSON object and nothing else), else 0. */
static int envelope_fast(const struct parquet_jsonl *c, const char *p, size_t n, const char **pl,
                         size_t *pn)
{
    size_t raw = c->env_raw.len;
    size_t at = ENV_HEAD_LEN + raw + ENV_MID_LEN;
    if (raw == 0 || n < at + 2 || p[n - 1] != '}' || memcmp(p, ENV_HEAD, ENV_HEAD_LEN) != 0 ||
        memcmp(p + ENV_HEAD_LEN, c->env_raw.data, raw) != 0 ||
        memcmp(p + ENV_HEAD_LEN + raw, ENV_MID, ENV_MID_LEN) != 0) {
        return 0;
    }
    *pl = p + at;
    *pn = n - 1 - at;
    return 1;
}

/* Remember the raw text of the schema of envelope p[0..n) (known to be the file's schema), when
 * the envelope is written compactly with its schema first, as JsonConverter writes it. */
static void envelope_learn(struct parquet_jsonl *c, const char *p, size_t n)
{
    const char *pl;
    size_t pn;
    if (n <= ENV_HEAD_LEN || memcmp(p, ENV_HEAD, ENV_HEAD_LEN) != 0 ||
        envelope_fast(c, p, n, &pl, &pn)) {
        return; /* not the compact form, or its schema bytes are known already (records the
                 * direct path declines come here every time: no rescan of the schema) */
    }
    struct kc_jscan *js = &c->p->ps.js;
    struct kc_jscan_val v;
    struct kc_error e;
    kc_jscan_begin(js, p + ENV_HEAD_LEN, n - ENV_HEAD_LEN, &e);
    if (kc_jscan_value(js, &v) != KC_OK || v.kind != KC_JSCAN_OBJECT ||
        (size_t)(v.raw - p) != ENV_HEAD_LEN) {
        return; /* (white space before the schema: not the compact form) */
    }
    kc_buf_reset(&c->env_raw);
    if (kc_buf_append(&c->env_raw, v.raw, v.raw_len) != KC_OK) {
        kc_buf_reset(&c->env_raw); /* only a shortcut: without it every envelope is parsed */
    }
}

/* pre: the line already parsed by the caller (parquet_jsonl_parse), or NULL. */
static int process_line(struct parquet_jsonl *c, const char *p, size_t n, uint64_t line,
                        const struct parquet_jv *pre, struct kc_error *err)
{
    struct parquet_jv v;
    struct kc_error e;
    int blank;
    int rc;

    n = trim_line(p, n, &blank);
    if (blank) {
        return KC_OK;
    }
    if (pre != NULL) {
        return process_parsed(c, p, n, line, pre, err);
    }
    if (c->direct.ok && c->w != NULL && c->mode != MODE_UNDECIDED) {
        /* A file is open: most records go to it straight from their text (an envelope with
         * the file's schema: its payload's text). */
        struct kc_buf *text = &c->p->direct_text;
        const char *dp = p;
        size_t dn = n;
        if (c->mode == MODE_CONNECT && envelope_fast(c, p, n, &dp, &dn) == 0) {
            dp = p;
            dn = n;
        }
        rc = parquet_json_write_text(c->w, &c->direct, &c->p->ps.js, text, dp, dn,
                                     c->o.write_flags, &e);
        if (text->cap > PARQUET_DIRECT_TEXT_KEEP) {
            kc_buf_fini(text); /* a huge record's: not held for the next ones */
            kc_buf_init(text, PARQUET_BUF_LIMIT);
        }
        if (rc == KC_OK) {
            c->rows++;
            c->direct_rows++;
            return KC_OK;
        }
        if (rc != PARQUET_DIRECT_DECLINED) {
            *err = e;
            return rc;
        }
    }
    rc = parquet_jv_parse(&c->p->ps, p, n, &v, &e);
    if (rc == KC_EINVAL) {
        report(c, line, &e);
        return KC_OK;
    }
    if (rc != KC_OK) {
        *err = e;
        return rc;
    }
    return process_parsed(c, p, n, line, &v, err);
}

/* One parsed line (vp lives in an arena nothing below resets: samples use sample_ps). */
static int process_parsed(struct parquet_jsonl *c, const char *p, size_t n, uint64_t line,
                          const struct parquet_jv *vp, struct kc_error *err)
{
    const struct parquet_jv v = *vp;
    const struct parquet_jv *rec;
    struct kc_error e;
    int rc;

    rec = envelope_payload(&v);
    if (rec != &v && c->mode == MODE_CONNECT && c->schema_text.len > 0) {
        /* Another schema (an evolved Avro schema, another table): its records belong in
         * another file, never written under the first one's columns. */
        kc_buf_reset(&c->scratch);
        if (parquet_jv_dump(envelope_schema(&v), &c->scratch) != KC_OK) {
            return kc_error_set(err, KC_ENOMEM, "parquet: out of memory");
        }
        if (c->scratch.len != c->schema_text.len ||
            memcmp(c->scratch.data, c->schema_text.data, c->scratch.len) != 0) {
            if (c->o.on_mismatch != PARQUET_JSON_ROTATE) {
                kc_error_set(&e, PARQUET_JSONL_SCHEMA_CHANGED,
                             "the record's Connect schema differs from the file's");
                report(c, line, &e);
                return KC_OK;
            }
            rc = close_file(c, err);
            if (rc != KC_OK) {
                return rc;
            }
            json_decref(c->connect_schema);
            c->connect_schema = NULL;
            kc_buf_reset(&c->schema_text);
            kc_buf_reset(&c->env_raw);
            c->mode = MODE_UNDECIDED;
        }
    }
    if (rec != &v && c->mode == MODE_UNDECIDED) {
        /* The first envelope's schema becomes the file schema (parsed by jansson, once). */
        json_t *j = json_loadb(p, n, 0, NULL);
        json_t *schema = json_object_get(j, "schema");
        if (json_is_object(schema)) {
            struct parquet_schema *s = NULL;
            rc = parquet_json_schema_from_connect(schema, &s, &e);
            parquet_schema_free(s);
            if (rc == KC_ENOMEM) {
                json_decref(j);
                *err = e;
                return rc;
            }
            if (rc != KC_OK) {
                /* A schema we cannot use: this record is bad, the next envelope may do. */
                json_decref(j);
                report(c, line, &e);
                return KC_OK;
            }
            kc_buf_reset(&c->schema_text);
            kc_buf_reset(&c->env_raw);
            if (parquet_jv_dump(envelope_schema(&v), &c->schema_text) != KC_OK) {
                json_decref(j);
                return kc_error_set(err, KC_ENOMEM, "parquet: out of memory");
            }
            c->connect_schema = json_incref(schema);
            c->mode = MODE_CONNECT;
        }
        json_decref(j);
    }
    if (c->mode == MODE_UNDECIDED) {
        c->mode = MODE_INFER;
    }
    if (rec != &v && c->mode == MODE_CONNECT && c->schema_text.len > 0) {
        /* this envelope has the file's schema: later ones with the same schema bytes need
         * neither a parse of their schema nor a tree of their payload */
        envelope_learn(c, p, n);
    }
    if (rec->type == PARQUET_JV_NULL) {
        report_msg(c, line, "null record (tombstone): nothing to write");
        return KC_OK;
    }
    if (rec->type == PARQUET_JV_ARRAY) {
        /* One message carrying an array of rows (as the network-telemetry pipeline sends):
         * each item is a record of this line, as ClickHouse's JSONEachRow would take it. */
        for (uint32_t k = 0; k < rec->n; k++) {
            rc = handle_record(c, &rec->u.items[k], line, err);
            if (rc != KC_OK) {
                return rc;
            }
        }
        return KC_OK;
    }
    return handle_record(c, rec, line, err);
}

int parquet_jsonl_new(struct parquet_jsonl **out, const struct parquet_jsonl_options *o,
                      parquet_jsonl_open_fn *open, parquet_jsonl_close_fn *close,
                      parquet_jsonl_bad_fn *bad, void *opaque, struct kc_error *err)
{
    struct parquet_jsonl *c;
    *out = NULL;
    if (open == NULL) {
        return kc_error_set(err, KC_EINVAL, "parquet: jsonl converter needs an open callback");
    }
    c = kc_calloc(1, sizeof(*c));
    if (c == NULL) {
        return kc_error_set(err, KC_ENOMEM, "parquet: out of memory");
    }
    c->o = *o;
    if (c->o.infer_records == 0) {
        c->o.infer_records = 1000;
    }
    if (c->o.max_line_bytes == 0) {
        c->o.max_line_bytes = (size_t)64 << 20;
    }
    c->open = open;
    c->close = close;
    c->bad = bad;
    c->opaque = opaque;
    kc_buf_init(&c->line, c->o.max_line_bytes);
    kc_buf_init(&c->schema_text, PARQUET_BUF_LIMIT);
    kc_buf_init(&c->env_raw, PARQUET_BUF_LIMIT);
    kc_buf_init(&c->scratch, PARQUET_BUF_LIMIT);
    parsers_init(&c->own);
    c->p = o->parsers != NULL ? o->parsers : &c->own;
    if (o->connect_schema != NULL) {
        /* Check it now, so a bad schema is an error before any input. */
        struct parquet_schema *s;
        int rc = parquet_json_schema_from_connect(o->connect_schema, &s, err);
        if (rc != KC_OK) {
            kc_free(c);
            return rc;
        }
        parquet_schema_free(s);
        c->connect_schema = json_incref((json_t *)o->connect_schema);
        c->mode = MODE_CONNECT;
    }
    *out = c;
    return KC_OK;
}

int parquet_jsonl_feed(struct parquet_jsonl *c, const void *buf, size_t len,
                       struct kc_error *err)
{
    const char *p = buf;
    const char *end = p + len;
    int rc = KC_OK;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl != NULL ? nl : end;
        size_t n = (size_t)(stop - p);

        if (c->skipping) {
            /* Rest of an over-long line. */
        } else if (c->line.len == 0 && nl != NULL) {
            if (n > c->o.max_line_bytes) {
                c->skipping = 1;
            } else {
                rc = process_line(c, p, n, c->lineno + 1, NULL, err);
            }
        } else if (kc_buf_append(&c->line, p, n) != KC_OK) {
            c->skipping = 1; /* the buffer emptied itself at its cap */
        } else if (nl != NULL) {
            rc = process_line(c, c->line.data, c->line.len, c->lineno + 1, NULL, err);
            kc_buf_reset(&c->line);
        }
        if (rc != KC_OK) {
            return rc;
        }
        if (nl == NULL) {
            break;
        }
        c->lineno++;
        if (c->skipping) {
            char msg[96];
            snprintf(msg, sizeof(msg), "line longer than %zu bytes", c->o.max_line_bytes);
            report_msg(c, c->lineno, msg);
            c->skipping = 0;
            kc_buf_reset(&c->line);
        }
        p = nl + 1;
    }
    return KC_OK;
}

int parquet_jsonl_record(struct parquet_jsonl *c, const void *buf, size_t len, uint64_t id,
                         struct kc_error *err)
{
    if (len > c->o.max_line_bytes) {
        char msg[96];
        snprintf(msg, sizeof(msg), "record longer than %zu bytes", c->o.max_line_bytes);
        report_msg(c, id, msg);
        return KC_OK;
    }
    return process_line(c, buf, len, id, NULL, err);
}

/* Forget the staged record, if any. */
static void unstage(struct parquet_jsonl_parsers *p)
{
    p->staged_by = NULL;
    if (p->stage != NULL) {
        parquet_direct_stage_drop(p->stage);
    }
}

int parquet_jsonl_stage(struct parquet_jsonl *c, const void *buf, size_t len,
                        const struct parquet_jsonl_fields **out, struct kc_error *err)
{
    struct parquet_jsonl_parsers *p = c->p;
    int blank;
    *out = NULL;
    unstage(p);
    if (!c->direct.ok || c->w == NULL || c->mode == MODE_UNDECIDED ||
        len > c->o.max_line_bytes || (c->o.write_flags & PARQUET_JSON_IGNORE_UNKNOWN)) {
        /* (skipped keys are not captured: the fields would miss what a parse holds) */
        return PARQUET_JSONL_NOT_STAGED;
    }
    size_t n = trim_line(buf, len, &blank);
    if (blank) {
        return PARQUET_JSONL_NOT_STAGED;
    }
    if (p->stage == NULL && (p->stage = parquet_direct_stage_new()) == NULL) {
        return kc_error_set(err, KC_ENOMEM, "parquet: out of memory");
    }
    struct kc_error e;
    const char *sp = buf;
    size_t sn = n;
    if (c->mode == MODE_CONNECT && envelope_fast(c, buf, n, &sp, &sn) == 0) {
        sp = buf;
        sn = n;
    }
    int rc = parquet_json_stage_text(p->stage, c->w, &c->direct, &p->ps.js, sp, sn,
                                     c->o.write_flags, &e);
    if (rc == PARQUET_DIRECT_DECLINED) {
        return PARQUET_JSONL_NOT_STAGED;
    }
    if (rc != KC_OK) {
        *err = e;
        return rc;
    }
    p->staged_by = c;
    p->staged_buf = buf;
    p->staged_len = len;
    *out = (const struct parquet_jsonl_fields *)p->stage;
    return KC_OK;
}

void parquet_jsonl_fields_get(const struct parquet_jsonl_fields *f, const char *path,
                              struct parquet_doc_field *out)
{
    size_t n;
    const struct parquet_direct_member *m =
        parquet_direct_stage_members((const struct parquet_direct_stage *)f, &n);
    int parent = -1;
    const char *seg = path;
    memset(out, 0, sizeof(*out));
    for (;;) {
        const char *dot = strchr(seg, '.');
        size_t sl = dot != NULL ? (size_t)(dot - seg) : strlen(seg);
        size_t i;
        /* a staged record holds no key twice (the direct path declines such records) */
        for (i = 0; i < n; i++) {
            if (m[i].parent == parent && m[i].key_len == sl && memcmp(m[i].key, seg, sl) == 0) {
                break;
            }
        }
        if (i == n) {
            return;
        }
        if (dot == NULL) {
            *out = m[i].f;
            return;
        }
        if (m[i].f.kind != PARQUET_DOC_OBJECT) {
            return;
        }
        parent = (int)i;
        seg = dot + 1;
    }
}

int parquet_jsonl_record_staged(struct parquet_jsonl *c, const void *buf, size_t len,
                                uint64_t id, struct kc_error *err)
{
    struct parquet_jsonl_parsers *p = c->p;
    if (p->stage != NULL && p->staged_by == c && p->staged_buf == buf &&
        p->staged_len == len && c->w != NULL) {
        p->staged_by = NULL;
        int rc = parquet_json_stage_commit(p->stage, c->w, err);
        if (rc == KC_OK) {
            c->rows++;
            c->direct_rows++;
        }
        if (rc != PARQUET_DIRECT_DECLINED) {
            return rc;
        }
    }
    unstage(p);
    return parquet_jsonl_record(c, buf, len, id, err);
}

int parquet_jsonl_parse(struct parquet_jsonl_parsers *p, const void *buf, size_t len,
                        const struct parquet_jsonl_doc **out, struct kc_error *err)
{
    int blank;
    *out = NULL;
    len = trim_line(buf, len, &blank);
    if (blank) {
        return kc_error_set(err, KC_EINVAL, "no JSON value");
    }
    int rc = parquet_jv_parse(&p->ps, buf, len, &p->doc.v, err);
    if (rc == KC_OK) {
        *out = &p->doc;
    }
    return rc;
}

void parquet_jsonl_doc_root(const struct parquet_jsonl_doc *d, struct parquet_doc_field *out)
{
    parquet_jv_doc_field(&d->v, out);
}

void parquet_jsonl_doc_get(const struct parquet_jsonl_doc *d, const struct parquet_doc_field *from,
                           const char *path, struct parquet_doc_field *out)
{
    const struct parquet_jv *v = from != NULL ? from->node : &d->v;
    if (v == NULL) { /* from a MISSING field: nothing under it */
        memset(out, 0, sizeof(*out));
        return;
    }
    const char *seg = path;
    for (;;) {
        const char *dot = strchr(seg, '.');
        size_t n = dot != NULL ? (size_t)(dot - seg) : strlen(seg);
        const struct parquet_jv *found = NULL;
        if (v->type == PARQUET_JV_OBJECT) {
            for (uint32_t i = 0; i < v->n; i++) { /* the last of duplicates wins */
                const struct parquet_jv_member *m = &v->u.members[i];
                if (m->key_len == n && memcmp(m->key, seg, n) == 0) {
                    found = &m->v;
                }
            }
        }
        v = found;
        if (v == NULL || dot == NULL) {
            break;
        }
        seg = dot + 1;
    }
    if (v == NULL) {
        memset(out, 0, sizeof(*out));
        return;
    }
    parquet_jv_doc_field(v, out);
}

int parquet_jsonl_record_doc(struct parquet_jsonl *c, const struct parquet_jsonl_doc *d,
                             const void *buf, size_t len, uint64_t id, struct kc_error *err)
{
    if (d == NULL || len > c->o.max_line_bytes) {
        return parquet_jsonl_record(c, buf, len, id, err);
    }
    return process_line(c, buf, len, id, &d->v, err);
}

int parquet_jsonl_rotate(struct parquet_jsonl *c, struct kc_error *err)
{
    int rc = KC_OK;
    if (c->w == NULL && c->npend > 0) {
        rc = flush_sample(c, err); /* a file for the records held so far */
    }
    if (rc == KC_OK) {
        rc = close_file(c, err);
    }
    return rc;
}

int parquet_jsonl_flush_row_group(struct parquet_jsonl *c, struct kc_error *err)
{
    int rc = KC_OK;
    if (c->w == NULL && c->npend > 0) {
        rc = flush_sample(c, err); /* infer from what is held: the sample is memory too */
    }
    if (rc == KC_OK && c->w != NULL) {
        rc = parquet_writer_flush_row_group(c->w, err);
    }
    return rc;
}

size_t parquet_jsonl_buffered_bytes(const struct parquet_jsonl *c)
{
    size_t n = c->w != NULL ? parquet_writer_buffered_bytes(c->w) : 0;
    for (size_t i = 0; i < c->npend; i++) {
        n += c->pend[i].len;
    }
    return n + c->line.len;
}

size_t parquet_jsonl_footprint(const struct parquet_jsonl *c)
{
    const size_t block = 16; /* malloc's per-block overhead */
    size_t n = sizeof(*c) + block + (c->w != NULL ? parquet_writer_footprint(c->w) : 0);
    n += c->pend_cap * sizeof(c->pend[0]) + block;
    for (size_t i = 0; i < c->npend; i++) {
        n += c->pend[i].len + block;
    }
    n += c->line.cap + c->schema_text.cap + c->env_raw.cap + c->scratch.cap + 4 * block;
    if (c->inf != NULL) {
        /* per inferred column: its node, name, index entry (a jansson object per object) */
        n += parquet_json_infer_nodes(c->inf) * 192 + 64;
    }
    if (c->p == &c->own) {
        n += parquet_jsonl_parsers_footprint(c->p);
    }
    return n;
}

int parquet_jsonl_finish(struct parquet_jsonl *c, struct kc_error *err)
{
    int rc = KC_OK;
    if (c->skipping) {
        char msg[96];
        snprintf(msg, sizeof(msg), "line longer than %zu bytes", c->o.max_line_bytes);
        report_msg(c, c->lineno + 1, msg);
        c->skipping = 0;
    } else if (c->line.len > 0) {
        rc = process_line(c, c->line.data, c->line.len, c->lineno + 1, NULL, err);
    }
    kc_buf_fini(&c->line);
    if (rc == KC_OK && c->w == NULL && c->npend > 0) {
        rc = flush_sample(c, err);
    }
    if (rc == KC_OK && c->w == NULL && c->mode == MODE_CONNECT && c->files == 0) {
        /* No records: still write an empty file with the given schema. */
        struct parquet_schema *s;
        rc = parquet_json_schema_from_connect(c->connect_schema, &s, err);
        if (rc == KC_OK) {
            rc = open_file(c, s, err);
        }
    }
    if (rc == KC_OK) {
        rc = close_file(c, err);
    }
    return rc;
}

int parquet_jsonl_settled(const struct parquet_jsonl *c)
{
    return c->w != NULL && c->npend == 0 && c->line.len == 0 && !c->skipping;
}

uint64_t parquet_jsonl_rows(const struct parquet_jsonl *c)
{
    return c->rows;
}

uint64_t parquet_jsonl_direct_rows(const struct parquet_jsonl *c)
{
    return c->direct_rows;
}

uint64_t parquet_jsonl_bad_records(const struct parquet_jsonl *c)
{
    return c->nbad;
}

unsigned parquet_jsonl_files(const struct parquet_jsonl *c)
{
    return c->files;
}

void parquet_jsonl_free(struct parquet_jsonl *c)
{
    if (c == NULL) {
        return;
    }
    parquet_writer_free(c->w);
    parquet_direct_fini(&c->direct);
    if (c->p->staged_by == c) {
        unstage(c->p); /* a converter made later at this address stages afresh */
    }
    drop_pending(c);
    kc_free(c->pend);
    parquet_json_infer_free(c->inf);
    json_decref(c->connect_schema);
    parsers_fini(&c->own);
    kc_buf_fini(&c->line);
    kc_buf_fini(&c->schema_text);
    kc_buf_fini(&c->env_raw);
    kc_buf_fini(&c->scratch);
    kc_free(c);
}
