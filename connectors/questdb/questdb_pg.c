/*
 * connectors/questdb/questdb_pg.c: PostgreSQL wire transport (see questdb_pg.h). Not finished:
 * connecting works, inserting is refused with a clear message until the ILP-line -> INSERT
 * translation lands.
 */
#include <libpq-fe.h>
#include <string.h>

#include "kc_alloc.h"
#include "questdb_pg.h"

struct questdb_pg {
    const struct questdb_conf *qc; /* borrowed */
    PGconn *pg;                    /* owned, NULL = not connected */
};

int questdb_pg_new(const struct questdb_conf *qc, struct questdb_pg **out, struct kc_error *err)
{
    *out = kc_calloc(1, sizeof(**out));
    if (*out == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    (*out)->qc = qc;
    return KC_OK;
}

void questdb_pg_free(struct questdb_pg *pg)
{
    if (pg == NULL) {
        return;
    }
    if (pg->pg != NULL) {
        PQfinish(pg->pg);
    }
    kc_free(pg);
}

int questdb_pg_send(struct questdb_pg *pg, const char *lines, size_t len, long *bad_line,
                    struct kc_error *err)
{
    (void)pg;
    (void)lines;
    (void)len;
    *bad_line = 0;
    return kc_error_set(err, KC_EINVAL, "pg:: transport: inserts are not implemented yet");
}
