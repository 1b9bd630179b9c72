/*
 * connectors/questdb/questdb_pg.h: the PostgreSQL wire transport (pg::addr=host:8812;...), for
 * sites where only QuestDB's port 8812 is reachable. It takes the same ILP lines the other
 * transports send (questdb_ilp.c's exact grammar), so table, symbol and timestamp rules are the
 * same, and turns each into a prepared INSERT run in libpq pipeline mode inside one transaction
 * per flush. Tables and columns are created as ILP would create them (tags SYMBOL, `i` LONG,
 * doubles DOUBLE, t/f BOOLEAN, strings VARCHAR, `t` TIMESTAMP, designated `timestamp`,
 * PARTITION BY DAY WAL).
 */
#ifndef QUESTDB_PG_H
#define QUESTDB_PG_H

#include <stddef.h>

#include "kc_error.h"
#include "questdb_conf.h"

struct questdb_pg;

/* qc borrowed until questdb_pg_free. @thread task @return KC_OK, KC_ENOMEM */
int questdb_pg_new(const struct questdb_conf *qc, struct questdb_pg **out, struct kc_error *err);
void questdb_pg_free(struct questdb_pg *pg);
/*
 * Insert the rows of lines[0..len). *bad_line: 1-based line QuestDB refused, or 0.
 * @thread task @return KC_OK (committed), KC_RETRY (connection), KC_EINVAL (refused data)
 */
int questdb_pg_send(struct questdb_pg *pg, const char *lines, size_t len, long *bad_line,
                    struct kc_error *err);

#endif
