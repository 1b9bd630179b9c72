/*
 * connectors/questdb/questdb_conf.h: the QuestDB connector's keys (QuestDBSinkConnectorConfig,
 * v0.23) and the typed config a task runs with, including the parsed client configuration
 * string ("http::addr=host:9000;auto_flush_rows=1000;").
 *
 * client.conf.string grammar (QuestDB client's Sender.fromConfig):
 *     conf   = schema "::" { key "=" value ";" }
 *     schema = "http" | "https" | "tcp" | "tcps" | "pg"     ("pg" is connect-c's own, see below)
 * A value runs to the next ';'; ";;" inside a value stands for one ';' (the client's escape).
 * Keys read here: addr (host[:port]; the first one is used), username, password, token,
 * token_x, token_y (ILP/TCP authentication: the public key, checked against token),
 * auto_flush_rows, auto_flush_interval, auto_flush_bytes, auto_flush (on/off), retry_timeout,
 * request_timeout, request_min_throughput, init_buf_size, max_buf_size, max_name_len,
 * protocol_version, tls_verify (on / unsafe_off), tls_roots; for pg:: also dbname. Unknown keys
 * are refused, as the client refuses them. "off" for an auto_flush_* key is refused, as the
 * connector does for HTTP (it flushes by itself).
 *
 * "pg::addr=host:8812;username=admin;password=quest;dbname=qdb;" selects the PostgreSQL wire
 * transport (questdb_pg.c), which the JVM connector does not have.
 *
 * Secrets (password, token, the whole string) never appear in a message.
 */
#ifndef QUESTDB_CONF_H
#define QUESTDB_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "conf_def.h"
#include "kc_error.h"

struct conf_values;
struct conf_infos;

enum questdb_transport {
    QUESTDB_HTTP = 0,
    QUESTDB_TCP,
    QUESTDB_PG,
};

enum questdb_ts_unit {
    QUESTDB_TS_AUTO = 0, /* guessed by magnitude, as TimestampHelper.getTimestampUnits */
    QUESTDB_TS_SECONDS,
    QUESTDB_TS_MILLIS,
    QUESTDB_TS_MICROS,
    QUESTDB_TS_NANOS,
};

struct questdb_client_conf {
    enum questdb_transport transport;
    int tls;        /* https:: / tcps:: / legacy tls=true */
    int tls_verify; /* 0 = tls_verify=unsafe_off */
    char *host;     /* owned */
    int port;
    char *username; /* owned, NULL = none */
    char *password; /* owned, NULL = none; never logged */
    char *token;    /* owned, NULL = none; never logged */
    char *token_x;   /* owned: ILP/TCP auth public key x (base64url), checked if given */
    char *token_y;   /* owned: ... and y */
    char *dbname;   /* owned, pg:: only */
    char *tls_roots; /* owned, NULL = system roots */
    int64_t auto_flush_rows;     /* HTTP 75000, TCP 600, PG 10000 */
    int auto_flush_rows_set;     /* given in the string: over TCP, batch by it instead of
                                  * writing at the end of every put (the JVM connector's way) */
    int64_t auto_flush_interval; /* ms, 1000 */
    int64_t auto_flush_bytes;    /* 0 = no byte trigger */
    int64_t retry_timeout;       /* ms, 10000 */
    int64_t request_timeout;     /* ms, 10000 */
    int64_t request_min_throughput; /* bytes/s, 102400 */
    int64_t max_buf_size;        /* bytes, 100 MiB */
    int64_t max_name_len;        /* 127 */
    int protocol_version;        /* 0 = auto, 1, 2 */
};

/*
 * Parse a client configuration string into out (zeroed first, defaults applied).
 * @thread any
 * @return KC_OK, KC_EINVAL (err says which key and why; no secret is quoted), KC_ENOMEM
 */
int questdb_client_conf_parse(const char *s, struct questdb_client_conf *out,
                              struct kc_error *err);
void questdb_client_conf_fini(struct questdb_client_conf *c);

/* A compiled QuestDB date-format pattern ("yyyy-MM-ddTHH:mm:ss.SSSUUUZ"), questdb_ilp.c. */
struct questdb_ts_format;

struct questdb_conf {
    struct questdb_client_conf client;
    char *table;        /* owned template (${topic} ${key} ${partition}), NULL = topic */
    char *key_prefix;   /* owned */
    char *value_prefix; /* owned */
    int include_key;
    char **symbols;     /* owned list of owned names */
    size_t n_symbols;
    char **doubles;
    size_t n_doubles;
    char **ts_fields;   /* timestamp.field.name split on ',' (composed timestamp when > 1) */
    size_t n_ts_fields;
    enum questdb_ts_unit ts_units;
    int ts_kafka_native;
    char **ts_string_fields;
    size_t n_ts_string_fields;
    char *ts_format_text;              /* owned */
    struct questdb_ts_format *ts_format; /* owned, compiled */
    int skip_unsupported;
    int64_t allowed_lag;      /* ms */
    int64_t max_retries;      /* TCP */
    int64_t retry_backoff_ms; /* TCP */
    int dlq_send_batch_on_error;
    int arrays; /* write DOUBLE[] columns (ILP v2 binary): HTTP unless protocol_version=1 */
};

extern const struct conf_def questdb_config_def[];

/*
 * Build the typed config from a parsed connector config (start()), including the client string
 * (or the legacy host/tls/username/token keys, or QDB_CLIENT_CONF from the environment).
 * @thread task
 * @return KC_OK, KC_EINVAL (err names the key), KC_ENOMEM
 */
int questdb_conf_load(const struct conf_values *cv, struct questdb_conf *qc, struct kc_error *err);
void questdb_conf_fini(struct questdb_conf *qc);

/*
 * Cross-key checks for config/validate (host vs client.conf.string, timestamp.kafka.native vs
 * timestamp.field.name, the client string's own errors), one message per key.
 * @thread any
 * @return KC_OK or KC_ENOMEM
 */
int questdb_conf_validate(const struct conf_values *cv, struct conf_infos *errs,
                          struct kc_error *err);

/* 1 if name is in list[0..n). */
int questdb_name_in(char *const *list, size_t n, const char *name);

#endif
