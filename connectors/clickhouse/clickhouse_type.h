/*
 * connectors/clickhouse/clickhouse_type.h: ClickHouse column types as a tree, parsed from the type
 * strings system.columns and DESCRIBE TABLE print ("Nullable(DateTime64(3, 'UTC'))"), and a
 * target table's column list parsed from `DESCRIBE TABLE db.t FORMAT TabSeparated`.
 *
 * Wrappers the RowBinary writer does not need to see are resolved here: SimpleAggregateFunction
 * (f, T) becomes T; Nested(a T, b U) (a table created with flatten_nested=0) becomes
 * Array(Tuple(a T, b U)), which is how the server reads it. With flatten_nested=1 (the default)
 * the server already describes a Nested column as `n.a Array(T)`, `n.b Array(U)`.
 *
 * Every node is heap memory owned by its parent; clickhouse_type_free frees a whole tree.
 */
#ifndef CLICKHOUSE_TYPE_H
#define CLICKHOUSE_TYPE_H

#include <stddef.h>
#include <stdint.h>

#include "kc_error.h"

enum clickhouse_kind {
    CH_INT8 = 0,
    CH_INT16,
    CH_INT32,
    CH_INT64,
    CH_INT128,
    CH_INT256,
    CH_UINT8,
    CH_UINT16,
    CH_UINT32,
    CH_UINT64,
    CH_UINT128,
    CH_UINT256,
    CH_FLOAT32,
    CH_FLOAT64,
    CH_BOOL,
    CH_DECIMAL, /* precision, scale; Decimal32/64/128/256(S) set precision 9/18/38/76 */
    CH_STRING,
    CH_FIXEDSTRING, /* fixed_len */
    CH_UUID,
    CH_DATE,
    CH_DATE32,
    CH_DATETIME,   /* tz */
    CH_DATETIME64, /* precision, tz */
    CH_ENUM8,      /* enum_names / enum_values */
    CH_ENUM16,
    CH_IPV4,
    CH_IPV6,
    CH_NULLABLE,       /* args[0] */
    CH_LOWCARDINALITY, /* args[0]; RowBinary writes it as the inner type */
    CH_ARRAY,          /* args[0] */
    CH_MAP,            /* args[0] key, args[1] value */
    CH_TUPLE,          /* args[0..n_args), names[i] or NULL when unnamed */
    CH_NOTHING,        /* Nullable(Nothing): the NULL literal's type; only NULL fits */
};

struct clickhouse_type {
    enum clickhouse_kind kind;
    int precision; /* DECIMAL: P (1..76); DATETIME64: p (0..9) */
    int scale;     /* DECIMAL: S */
    uint32_t fixed_len;
    char *tz; /* owned; DATETIME/DATETIME64 zone, NULL = the server's (we assume UTC) */
    char **enum_names; /* owned array of owned names, n_enum entries */
    int *enum_values;
    size_t n_enum;
    struct clickhouse_type **args; /* owned children */
    char **names;                  /* owned; TUPLE element names (entries NULL if unnamed) */
    size_t n_args;
};

/*
 * Parse a type string (len bytes, need not be NUL-terminated) into *out (owned by the caller).
 * @thread any
 * @return KC_OK, KC_EINVAL (err: the type text and what was wrong; an unknown family such as
 *         JSON or Variant is reported as unsupported), KC_ENOMEM
 */
int clickhouse_type_parse(const char *s, size_t len, struct clickhouse_type **out,
                          struct kc_error *err);
void clickhouse_type_free(struct clickhouse_type *t);
/* Append the canonical text of t ("Nullable(DateTime64(3, 'UTC'))") to buf (for messages). */
struct kc_buf;
int clickhouse_type_format(const struct clickhouse_type *t, struct kc_buf *buf);
/* Bytes of a Decimal of precision p in RowBinary: 4, 8, 16 or 32. */
int clickhouse_decimal_width(int precision);

/* How DESCRIBE's default_type column marks a column. */
enum clickhouse_default {
    CH_DEFAULT_NONE = 0,
    CH_DEFAULT_DEFAULT,      /* DEFAULT expr: insertable, server fills it when omitted */
    CH_DEFAULT_MATERIALIZED, /* computed: never inserted */
    CH_DEFAULT_ALIAS,        /* not stored: never inserted */
    CH_DEFAULT_EPHEMERAL,    /* skipped as the JVM connector does */
};

struct clickhouse_column {
    char *name;                   /* owned */
    struct clickhouse_type *type; /* owned */
    char *type_text;              /* owned: the type as DESCRIBE spelled it */
    enum clickhouse_default def;
    char *default_expr; /* owned, "" when none */
};

struct clickhouse_table {
    struct clickhouse_column *cols; /* owned array, n_cols, in table order */
    size_t n_cols;
};

/*
 * Parse the body of `DESCRIBE TABLE db.t FORMAT TabSeparated`: one line per column, fields
 * name, type, default_type, default_expression (18.16); newer servers add comment,
 * codec_expression and ttl_expression, which are ignored. Fields use TabSeparated escaping
 * (\t \n \\ \' ...), which is undone. A column whose type does not parse fails the whole table
 * (err names the column), so the sink refuses a table it cannot write rather than guessing.
 * @thread any
 * @return KC_OK, KC_EINVAL, KC_ENOMEM
 */
int clickhouse_table_parse_describe(const char *body, size_t len, struct clickhouse_table *t,
                                    struct kc_error *err);
void clickhouse_table_fini(struct clickhouse_table *t);
/* 1 if the column is written by an INSERT (not MATERIALIZED, ALIAS or EPHEMERAL). */
int clickhouse_column_insertable(const struct clickhouse_column *c);
/* Index of the column called name, or -1. */
long clickhouse_table_find(const struct clickhouse_table *t, const char *name, size_t len);

#endif
