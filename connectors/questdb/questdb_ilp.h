/*
 * connectors/questdb/questdb_ilp.h: one Kafka record -> one line of InfluxDB Line Protocol as the
 * QuestDB connector writes it (grammar and escaping in questdb_ilp.c), and QuestDB's date-format
 * patterns for string timestamps.
 */
#ifndef QUESTDB_ILP_H
#define QUESTDB_ILP_H

#include <stddef.h>
#include <stdint.h>

#include "cdata.h"
#include "kc_buf.h"
#include "kc_error.h"
#include "questdb_conf.h"

struct sink_record;

/*
 * Compile a QuestDB/Java-style date pattern (y M d H h m s S U N a E Z z, other characters and
 * '...' quoted text literal; a single letter reads a variable number of digits, a repeated
 * letter a fixed number). *out owned (questdb_ts_format_free).
 * @thread any @return KC_OK, KC_EINVAL (err names the pattern and the problem), KC_ENOMEM
 */
int questdb_ts_format_compile(const char *pattern, struct questdb_ts_format **out,
                              struct kc_error *err);
void questdb_ts_format_free(struct questdb_ts_format *f);
/*
 * Parse s[0..n) with f into microseconds since the epoch (UTC unless the text has a zone).
 * @thread any @return KC_OK, KC_EINVAL ("Cannot parse timestamp: ..." as the connector says)
 */
int questdb_ts_format_parse(const struct questdb_ts_format *f, const char *s, size_t n,
                            int64_t *micros, struct kc_error *err);

/* A numeric designated timestamp in `unit` (auto: < 1e10 s, < 1e13 ms, < 1e16 us, else ns, as
 * TimestampHelper guesses) as nanoseconds; saturates instead of overflowing. */
int64_t questdb_ts_to_nanos(int64_t v, enum questdb_ts_unit unit);

/* Per-task encoder: the config plus scratch buffers reused across records. */
struct questdb_ilp {
    const struct questdb_conf *qc; /* borrowed */
    struct kc_buf tags;   /* ",sym=val" pairs of the line being built */
    struct kc_buf fields; /* "name=value," pairs */
    struct kc_buf scratch;
    int64_t ts_nanos;     /* designated timestamp of the line being built */
    int has_ts;
    const struct cdata_value **composed; /* n_ts_fields slots for a composed timestamp */
};

/* @thread task */
int questdb_ilp_init(struct questdb_ilp *e, const struct questdb_conf *qc, struct kc_error *err);
void questdb_ilp_fini(struct questdb_ilp *e);

/*
 * Render rec as one ILP line appended to buf. The value comes from (vs, v): the converted value
 * (rec->value_schema, rec->value) or what the raw fast path parsed; the key from rec->key.
 *
 * buf     on any failure it is left exactly as it was (the line is built aside first); a line
 *         that does not fit buf's limit gives KC_ENOMEM with buf untouched (flush, then retry)
 * *skipped 1 when the record produces no line (tombstone), buf untouched, KC_OK
 * @thread task
 * @return KC_OK; KC_EINVAL: the record cannot be expressed (unsupported type, bad timestamp,
 *         illegal name; err says which field) -- report it; KC_ENOMEM
 */
int questdb_ilp_append(struct questdb_ilp *e, const struct sink_record *rec,
                       const struct cdata_schema *vs, const struct cdata_value *v,
                       struct kc_buf *buf, int *skipped, struct kc_error *err);

/* Append name escaped for a table name / column name (space, comma, '=', backslash, CR/LF get
 * a backslash). @return KC_OK, KC_ENOMEM */
int questdb_ilp_escape_name(struct kc_buf *b, const char *s, size_t n);
/* Append a string field value in double quotes ('"', '\\', CR and LF get a backslash). */
int questdb_ilp_quote(struct kc_buf *b, const char *s, size_t n);

#endif
