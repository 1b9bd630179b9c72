/*
 * tests/fuzz/fuzz_rest_body.c: hostile REST request bodies, no sockets. Every input goes through
 * the JSON reader and all four body parsers (POST /connectors, config maps, offsets PATCH,
 * logger PUT), then, as text, through the query-string, path-coding, listeners and header-rule
 * parsers. Anything the parsers return must be freed cleanly (ASan) and errors must carry a
 * status and a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kc_alloc.h"
#include "rest_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(int rc, int status, const struct kc_error *err)
{
    if (rc != KC_OK && (status < 400 || status > 599 || err->msg[0] == '\0')) {
        abort();
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

    struct rest_create_body cb;
    rest_create_body_init(&cb);
    status = 0;
    rc = rest_create_body_parse(&b, &cb, &status, &err);
    check_err(rc, status, &err);
    rest_create_body_fini(&cb);

    struct kc_strmap m;
    kc_strmap_init(&m);
    status = 0;
    rc = rest_config_body_parse(&b, "connectorConfig", &m, &status, &err);
    check_err(rc, status, &err);
    if (rc == KC_OK) {
        char *s = kc_jmap_strmap_string(&m);
        kc_free(s);
    }
    kc_strmap_fini(&m);

    struct herder_offsets os = {NULL, 0};
    status = 0;
    rc = rest_offsets_body_parse(&b, &os, &status, &err);
    check_err(rc, status, &err);
    if (rc == KC_OK) {
        for (size_t i = 0; i < os.n; i++) {
            kc_free(os.o[i].topic);
        }
        kc_free(os.o);
    } else if (os.o != NULL) {
        abort(); /* parsers leave nothing behind on failure */
    }

    const char *level = NULL;
    status = 0;
    rc = rest_logger_body_parse(&b, &level, &status, &err);
    check_err(rc, status, &err);
    if (rc == KC_OK && level == NULL) {
        abort();
    }
    rest_body_fini(&b);

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
