/*
 * tests/unit/clickhouse/clickhouse_stub.h: a tiny in-process ClickHouse HTTP server for the
 * sink's unit tests (the sink asks the server for its version at start, so the harness needs
 * one). It listens on 127.0.0.1 (a free port) and answers the three requests the sink makes:
 *   SELECT version()                               -> the configured version
 *   DESCRIBE TABLE `db`.`t` FORMAT TabSeparated    -> the table's DESCRIBE text, or code 60
 *   POST /?query=INSERT INTO `db`.`t` ... FORMAT ... -> 200, recording table, body and
 *                                                     insert_deduplication_token
 * On demand inserts fail: with a ClickHouse error (code and text, as newer servers send it) or
 * by closing the connection without an answer. Each connection gets its own thread (the sink
 * keeps one keep-alive connection per table plus one for queries).
 */
#ifndef CLICKHOUSE_STUB_H
#define CLICKHOUSE_STUB_H

#include <stddef.h>

struct clickhouse_stub;

/* One received INSERT (also the refused ones: ok == 0). */
struct clickhouse_stub_insert {
    char *table;      /* "db.t" */
    char *token;      /* insert_deduplication_token, NULL when none */
    unsigned char *body; /* a Native body as the RowBinary[WithDefaults] rows it carries */
    size_t len;
    int native;          /* sent as FORMAT Native */
    int ok;           /* answered 200 */
};

/* Start listening; version like "24.8.1.1". NULL when the socket cannot be set up. */
struct clickhouse_stub *clickhouse_stub_start(const char *version);
void clickhouse_stub_stop(struct clickhouse_stub *cs);
int clickhouse_stub_port(const struct clickhouse_stub *cs);

/* Add table "db.t" with its DESCRIBE ... FORMAT TabSeparated answer (again: replace it, as an
 * ALTER TABLE would). */
void clickhouse_stub_table(struct clickhouse_stub *cs, const char *db_table, const char *describe);

/* Make the next `count` INSERTs (-1: every one until called again with count 0) fail: code > 0
 * answers HTTP 500 with "Code: <code>. DB::Exception: <text>" (and the exception-code header);
 * code 0 closes the connection without an answer. */
void clickhouse_stub_fail(struct clickhouse_stub *cs, int count, int code, const char *text);

/* INSERTs received so far; a copy of the i-th (owned by the stub, valid until stop). */
size_t clickhouse_stub_inserts(struct clickhouse_stub *cs);
const struct clickhouse_stub_insert *clickhouse_stub_insert_at(struct clickhouse_stub *cs,
                                                               size_t i);
/* Rows (bytes) accepted into db_table so far: sum of the successful bodies' lengths. */
size_t clickhouse_stub_bytes_ok(struct clickhouse_stub *cs, const char *db_table);

#endif
