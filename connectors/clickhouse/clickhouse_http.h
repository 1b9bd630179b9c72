/*
 * connectors/clickhouse/clickhouse_http.h: ClickHouse's HTTP interface over libcurl -- the only
 * protocol the official connector speaks, and ours for now.
 *
 * One struct clickhouse_http is one connection: a CURL easy handle kept for its lifetime, so
 * consecutive requests reuse the TCP (and TLS) connection (HTTP/1.1 keep-alive). It belongs to
 * one thread at a time; inserts to several tables in parallel use one connection each.
 *
 * Requests:
 *   insert  POST /?query=INSERT...FORMAT RowBinary&database=db&<settings>, the rows as the body
 *           (Content-Type application/octet-stream, optionally Content-Encoding gzip or zstd);
 *   query   POST /?database=db&<settings> with the SQL as the body (DESCRIBE, SELECT version()).
 * Settings (clickhouseSettings, insert_deduplication_token, ...) travel as URL parameters, as
 * the server reads them from there. Authentication is HTTP Basic or X-ClickHouse-User/-Key
 * headers; the password is never put in a URL or a message.
 *
 * Errors. A non-200 answer carries the server's exception text:
 *   18.16:  "Code: 60, e.displayText() = DB::Exception: Table t.x doesn't exist., e.what() = DB::Exception"
 *   newer:  "Code: 60. DB::Exception: Table t.x doesn't exist. (UNKNOWN_TABLE) (version 24.8.1.1)"
 * (newer servers also send X-ClickHouse-Exception-Code, which wins when present). It becomes
 * "ClickHouse error <code> (HTTP <status>): <text>" in err, with the code in the result.
 * Classification (the official connector's Utils.handleException list, by root cause, plus the
 * timeouts it meant to retry): network failures, timeouts, HTTP 502/503/504 without a code,
 * and codes 3, 107, 159, 164, 202, 203, 209, 210, 241, 242, 252, 285, 319, 425, 999 return
 * KC_RETRY; any other server error returns KC_EIO (the caller routes it to errors.tolerance).
 */
#ifndef CLICKHOUSE_HTTP_H
#define CLICKHOUSE_HTTP_H

#include <stddef.h>

#include "clickhouse_type.h"
#include "kc_buf.h"
#include "kc_error.h"

enum clickhouse_compression {
    CH_COMPRESS_NONE = 0,
    CH_COMPRESS_GZIP, /* every server (18.16 included) */
    CH_COMPRESS_ZSTD, /* servers >= 20.x; 18.16 answers Code 1 / 400 */
};

enum clickhouse_auth {
    CH_AUTH_BASIC = 0, /* Authorization: Basic */
    CH_AUTH_HEADER,    /* X-ClickHouse-User / X-ClickHouse-Key */
};

struct clickhouse_http_conf {
    const char *host;     /* borrowed (copied by _new) */
    int port;             /* the HTTP(S) port */
    int ssl;              /* https */
    int ssl_verify;       /* verify peer and host name (the official ssl_socket_sni turns it off) */
    const char *sni;      /* NULL, or the TLS server name to present instead of host */
    const char *user;     /* NULL = "default" */
    const char *password; /* NULL = "" */
    enum clickhouse_auth auth;
    const char *database;        /* NULL = the user's default */
    const char *const *settings; /* "key=value" strings sent with every request */
    size_t n_settings;
    long connect_timeout_ms; /* 0 = 10000 */
    long timeout_ms;         /* whole request; 0 = none */
    long socket_timeout_ms;  /* abort when nothing moves for this long (timeoutSeconds); 0 = none */
    const char *proxy;       /* NULL, or a curl proxy URL: "http://h:p", "socks5h://h:p" */
    enum clickhouse_compression compression;
    int compression_level; /* 0 = the codec's default */
};

struct clickhouse_http;

struct clickhouse_http_result {
    long status;      /* HTTP status, 0 when no answer */
    int code;         /* ClickHouse exception code, 0 when none */
    int curl_code;    /* CURLcode of the transfer */
    size_t sent_bytes; /* body bytes on the wire (after compression) */
    long new_connections; /* connections opened for this request: 0 when keep-alive reused one */
};

/* @return KC_OK, KC_EINVAL (bad conf), KC_ENOMEM. The handle connects on first use. */
int clickhouse_http_new(const struct clickhouse_http_conf *conf, struct clickhouse_http **out,
                        struct kc_error *err);
void clickhouse_http_free(struct clickhouse_http *ch);

/*
 * POST body to `query` (an INSERT ... FORMAT ...). extra: "key=value" settings for this request
 * only (e.g. "insert_deduplication_token=t-0-100-199"); res may be NULL.
 * @thread the connection's owner
 * @return KC_OK, KC_RETRY (transient; same request later), KC_EIO (server refused), KC_ENOMEM
 */
int clickhouse_http_insert(struct clickhouse_http *ch, const char *query, const void *body,
                           size_t len, const char *const *extra, size_t n_extra,
                           struct clickhouse_http_result *res, struct kc_error *err);

/* Run sql (sent as the body) and collect the answer into resp (appended; its cap applies). */
int clickhouse_http_query(struct clickhouse_http *ch, const char *sql, struct kc_buf *resp,
                          struct clickhouse_http_result *res, struct kc_error *err);

/* SELECT version() parsed as major.minor.patch (18.16.1 -> 18, 16, 1). */
int clickhouse_http_version(struct clickhouse_http *ch, int *major, int *minor, int *patch,
                            struct kc_error *err);

/* DESCRIBE TABLE `db`.`table` FORMAT TabSeparated into t (db NULL = the connection's). */
int clickhouse_http_describe(struct clickhouse_http *ch, const char *db, const char *table,
                             struct clickhouse_table *t, struct kc_error *err);

/*
 * Parse a ClickHouse error body (either server generation). *code gets the code (0 if none
 * found); *msg / *msg_len the exception text without the "Code: N" prefix, the "e.displayText()
 * = DB::Exception: " wrapper, the ", e.what() = ..." tail and the " (version x)" tail.
 * @return 1 if a code was found, else 0 (msg is then the trimmed body)
 */
int clickhouse_error_parse(const char *body, size_t len, int *code, const char **msg,
                           size_t *msg_len);
/* 1 if a ClickHouse error code is worth retrying (see above). */
int clickhouse_error_retriable(int code);

#endif
