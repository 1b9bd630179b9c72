/*
 * tests/fuzz/fuzz_rest_body.c: hostile REST request bodies, no sockets. Every input goes through
 * the JSON reader and all four body parsers (POST /connectors, config maps, offsets PATCH,
 * logger PUT), then, as text, through the query-string, path-coding, listeners and header-rule
 * parsers. Anything the parsers return must be freed cleanly (ASan) and errors must carry a
 * status and a message. The pruned trees the request handlers read (rest_body_read_shaped)
 * must give each parser exactly the answer the full tree gives.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kc_alloc.h"
#include "kc_buf.h"
#include "rest_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(int rc, int status, const struct kc_error *err)
{
    if (rc != KC_OK && (status < 400 || status > 599 || err->msg[0] == '\0')) {
        abort();
    }
}

/* What one parser answered: rc, status, message and what it produced, as text. */
static void outcome(struct kc_buf *o, int rc, int status, const struct kc_error *err)
{
    kc_buf_printf(o, "|%d %d %s|", rc, rc == KC_OK ? 0 : status, rc == KC_OK ? "" : err->msg);
}

static void map_text(struct kc_buf *o, const struct kc_strmap *m)
{
    for (size_t i = 0; i < m->n; i++) {
        kc_buf_printf(o, "%s=%s;", m->e[i].key, m->e[i].value ? m->e[i].value : "(null)");
    }
}

enum { P_CREATE, P_MAP, P_OFFSETS, P_LOGGER, P_N };

/* Body parser `which` over b; its answer appended to o. */
static void parse_one(const struct rest_body *b, int which, struct kc_buf *o)
{
    struct kc_error err;
    int status = 0;
    int rc;
    kc_error_clear(&err);

    if (which == P_CREATE) {
    struct rest_create_body cb;
    rest_create_body_init(&cb);
    rc = rest_create_body_parse(b, &cb, &status, &err);
    check_err(rc, status, &err);
    outcome(o, rc, status, &err);
    if (rc == KC_OK) {
        kc_buf_printf(o, "%s/%d/%d:", cb.name ? cb.name : "(null)", cb.has_state, (int)cb.state);
        map_text(o, &cb.config);
    }
    rest_create_body_fini(&cb);
    return;
    }

    if (which == P_MAP) {
    struct kc_strmap m;
    kc_strmap_init(&m);
    status = 0;
    rc = rest_config_body_parse(b, "connectorConfig", &m, &status, &err);
    check_err(rc, status, &err);
    outcome(o, rc, status, &err);
    if (rc == KC_OK) {
        char *s = kc_jmap_strmap_string(&m);
        kc_free(s);
        map_text(o, &m);
    }
    kc_strmap_fini(&m);
    return;
    }

    if (which == P_OFFSETS) {
    struct herder_offsets os = {NULL, 0};
    status = 0;
    rc = rest_offsets_body_parse(b, &os, &status, &err);
    check_err(rc, status, &err);
    outcome(o, rc, status, &err);
    if (rc == KC_OK) {
        for (size_t i = 0; i < os.n; i++) {
            kc_buf_printf(o, "%s/%d/%lld;", os.o[i].topic ? os.o[i].topic : "(null)",
                          (int)os.o[i].partition, (long long)os.o[i].offset);
            kc_free(os.o[i].topic);
        }
        kc_free(os.o);
    } else if (os.o != NULL) {
        abort(); /* parsers leave nothing behind on failure */
    }
    return;
    }

    const char *level = NULL;
    status = 0;
    rc = rest_logger_body_parse(b, &level, &status, &err);
    check_err(rc, status, &err);
    outcome(o, rc, status, &err);
    if (rc == KC_OK && level == NULL) {
        abort();
    }
    if (rc == KC_OK) {
        kc_buf_printf(o, "%s", level);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    struct kc_error err;
    struct rest_body b;
    int status = 0;

    kc_error_clear(&err);
    int rc = rest_body_read(&b, body, size, &status, &err);
    check_err(rc, status, &err);
    if (rc != KC_OK) {
        rest_body_fini(&b); /* out of memory: nothing to parse */
        return 0;
    }
    /* Each parser answers on the pruned tree the request handler gives it (see
     * rest_body_read_shaped) exactly as on the full tree. */
    static const enum rest_body_shape shape_of[P_N] = {REST_BODY_CREATE, REST_BODY_MAP,
                                                       REST_BODY_OFFSETS, REST_BODY_MAP};
    struct kc_buf full[P_N];
    for (int k = 0; k < P_N; k++) {
        kc_buf_init(&full[k], (size_t)1 << 30);
        parse_one(&b, k, &full[k]);
    }
    rest_body_fini(&b);
    for (int k = 0; k < P_N; k++) {
        status = 0;
        rc = rest_body_read_shaped(&b, body, size, shape_of[k], &status, &err);
        check_err(rc, status, &err);
        if (rc == KC_OK) {
            struct kc_buf pruned;
            kc_buf_init(&pruned, (size_t)1 << 30);
            parse_one(&b, k, &pruned);
            if (pruned.len != full[k].len ||
                (pruned.len > 0 && memcmp(pruned.data, full[k].data, pruned.len) != 0)) {
                abort();
            }
            kc_buf_fini(&pruned);
        }
        rest_body_fini(&b);
        kc_buf_fini(&full[k]);
    }

    /* the same bytes as text for the other parsers */
    char *text = kc_strndup(body, size);
    if (text == NULL) {
        return 0;
    }
    struct rest_query q;
    memset(&q, 0, sizeof(q));
    rest_query_parse(&q, text);
    for (size_t i = 0; i < q.n; i++) {
        kc_free(q.name[i]);
        kc_free(q.value[i]);
    }
    char *dec = rest_url_decode(text, strlen(text), 1);
    kc_free(dec);
    char *enc = rest_path_encode(text);
    kc_free(enc);
    struct rest_listener *l = NULL;
    size_t n = 0;
    if (rest_listeners_parse(text, &l, &n, &err) == KC_OK) {
        kc_free(l);
    }
    struct rest_header_rule *hr = NULL;
    if (rest_header_rules_parse(text, &hr, &n, &err) == KC_OK) {
        rest_header_rules_free(hr, n);
    }
    kc_free(text);
    return 0;
}
