/*
 * rest/rest_body.c: request-body parsing with the JVM's answers.
 *
 * The JVM reads bodies with Jackson (FAIL_ON_UNKNOWN_PROPERTIES on, trailing content ignored,
 * scalars coerced to String) and every Jackson failure reaches ConnectExceptionMapper as a plain
 * exception: HTTP 500 with Jackson's message, e.g.
 *   Unrecognized field "extra" (class ...CreateConnectorRequest), not marked as ignorable (...)
 *    at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1,
 *    column: 84] (through reference chain: ...CreateConnectorRequest["extra"])
 * (observed on 4.1.0). We reproduce the first line of Jackson's message for the shapes users
 * actually send, with the same status, location suffix and reference chain; syntax errors keep
 * the status (500) and location but word the reason more simply than Jackson does. A missing
 * body reaches the resource as null and the JVM answers 500 with the JDK's helpful-NPE text,
 * which we copy verbatim. Semantic checks that the JVM makes after parsing (name mismatch,
 * offsets shape per SinkUtils.parseSinkConnectorOffsets) answer 400 with the JVM's text.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kc_alloc.h"
#include "kc_buf.h"
#include "kc_text.h"
#include "rest_int.h"

#define CCR "org.apache.kafka.connect.runtime.rest.entities.CreateConnectorRequest"
#define CO_S "org.apache.kafka.connect.runtime.rest.entities.ConnectorOffsets"
#define CO_1 "org.apache.kafka.connect.runtime.rest.entities.ConnectorOffset"
#define JACKSON_SRC "[Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled)"

/* The JSON type of a tree value, telling numbers (marked strings, see rest_json.c) apart. */
static json_type jtype(const json_t *v)
{
    if (json_is_string(v) && json_string_length(v) >= 2 &&
        json_string_value(v)[0] == REST_JSON_NUM_MARK) {
        return json_string_value(v)[1] == 'i' ? JSON_INTEGER : JSON_REAL;
    }
    return json_typeof(v);
}

/* Source text of a number value. */
static const char *num_text(const json_t *v)
{
    return json_string_value(v) + 2;
}

static int is_str(const json_t *v)
{
    return jtype(v) == JSON_STRING;
}

/* String.valueOf of the Integer/Long/BigInteger/Double Jackson's untyped reader makes. */
static void java_number(char *buf, size_t sz, const json_t *v);

static int fail(int *status, int code, struct kc_error *err, enum kc_rc rc, const char *msg)
{
    *status = code;
    return kc_error_set(err, rc, "%s", msg);
}

/* ---- locating values in the raw body, for Jackson's "line: L, column: C" ---- */

struct loc_scan {
    const char *s;
    size_t n;
    size_t i;
};

static void ls_ws(struct loc_scan *ls)
{
    while (ls->i < ls->n && (ls->s[ls->i] == ' ' || ls->s[ls->i] == '\t' ||
                             ls->s[ls->i] == '\n' || ls->s[ls->i] == '\r')) {
        ls->i++;
    }
}

/* Skip one JSON value starting at ls->i (already validated by jansson). */
static void ls_skip(struct loc_scan *ls)
{
    ls_ws(ls);
    if (ls->i >= ls->n) {
        return;
    }
    char c = ls->s[ls->i];
    if (c == '"') {
        ls->i++;
        while (ls->i < ls->n && ls->s[ls->i] != '"') {
            ls->i += ls->s[ls->i] == '\\' ? 2 : 1;
        }
        ls->i++;
        if (ls->i > ls->n) {
            ls->i = ls->n; /* never past the body, whatever it holds */
        }
    } else if (c == '{' || c == '[') {
        int depth = 0;
        while (ls->i < ls->n) {
            char d = ls->s[ls->i];
            if (d == '"') {
                ls_skip(ls);
                continue;
            }
            ls->i++;
            if (d == '{' || d == '[') {
                depth++;
            } else if (d == '}' || d == ']') {
                if (--depth == 0) {
                    break;
                }
            }
        }
    } else {
        while (ls->i < ls->n && strchr(",}] \t\r\n", ls->s[ls->i]) == NULL) {
            ls->i++;
        }
    }
}

/* One step of a path into the body: an object key, or (key == NULL) an array index. */
struct loc_step {
    const char *key;
    size_t idx;
};

/* Find the value at the end of path (depth steps; 0 = the root value). On success start/end are
 * byte offsets of the value's first byte and one past its last byte. */
static int ls_find_path(const char *s, size_t n, const struct loc_step *path, size_t depth,
                        size_t *start, size_t *end)
{
    struct loc_scan ls = {s, n, 0};
    if (s == NULL) {
        return -1;
    }
    for (size_t d = 0; d < depth; d++) {
        ls_ws(&ls);
        if (path[d].key == NULL) {
            if (ls.i >= n || s[ls.i] != '[') {
                return -1;
            }
            ls.i++;
            for (size_t k = 0; k < path[d].idx; k++) {
                ls_skip(&ls);
                ls_ws(&ls);
                if (ls.i >= n || s[ls.i] != ',') {
                    return -1;
                }
                ls.i++;
            }
            continue;
        }
        if (ls.i >= n || s[ls.i] != '{') {
            return -1;
        }
        ls.i++;
        for (;;) {
            ls_ws(&ls);
            if (ls.i >= n || s[ls.i] != '"') {
                return -1;
            }
            size_t ks = ls.i + 1;
            ls_skip(&ls);
            size_t ke = ls.i - 1;
            ls_ws(&ls);
            if (ls.i >= n || s[ls.i] != ':') {
                return -1;
            }
            ls.i++;
            if (ke - ks == strlen(path[d].key) && memcmp(s + ks, path[d].key, ke - ks) == 0) {
                break;
            }
            ls_skip(&ls);
            ls_ws(&ls);
            if (ls.i >= n || s[ls.i] != ',') {
                return -1;
            }
            ls.i++;
        }
    }
    ls_ws(&ls);
    *start = ls.i < n ? ls.i : n;
    ls_skip(&ls);
    *end = ls.i < n ? ls.i : n;
    return 0;
}

static int ls_find(const char *s, size_t n, const char *k1, const char *k2, size_t *start,
                   size_t *end)
{
    struct loc_step p[2] = {{k1, 0}, {k2, 0}};
    return ls_find_path(s, n, p, k1 == NULL ? 0 : k2 == NULL ? 1 : 2, start, end);
}

static void line_col(const char *s, size_t off, int *line, int *col)
{
    int l = 1;
    size_t bol = 0;
    for (size_t i = 0; i < off; i++) {
        if (s[i] == '\n') {
            l++;
            bol = i + 1;
        }
    }
    *line = l;
    *col = (int)(off - bol) + 1;
}

/* " at [Source: ...; line: L, column: C]" for byte offset off, or "" when off is unknown. */
static void loc_suffix(char *buf, size_t sz, const char *body, size_t off, int known)
{
    if (!known || body == NULL) {
        buf[0] = '\0';
        return;
    }
    int line, col;
    line_col(body, off, &line, &col);
    snprintf(buf, sz, "\n at " JACKSON_SRC "; line: %d, column: %d]", line, col);
}

/* Where the body's root value starts (Jackson reports root mismatches there). */
static size_t root_start(const char *body, size_t len)
{
    size_t i = 0;
    while (i < len && strchr(" \t\r\n", body[i]) != NULL) {
        i++;
    }
    return i;
}

/* ---- body -> tree ---- */

static int body_read(struct rest_body *b, const char *text, size_t len,
                     const struct rest_json_keep *keep, int *status, struct kc_error *err)
{
    memset(b, 0, sizeof(*b));
    b->text = text;
    b->len = text ? len : 0;
    if (text == NULL || len == 0) {
        return KC_OK;
    }
    if (rest_json_read_pruned(text, len, keep, &b->jr) != KC_OK) {
        return fail(status, 500, err, KC_ENOMEM, "out of memory");
    }
    return KC_OK;
}

int rest_body_read(struct rest_body *b, const char *text, size_t len, int *status,
                   struct kc_error *err)
{
    return body_read(b, text, len, &rest_json_keep_all, status, err);
}

int rest_body_read_shaped(struct rest_body *b, const char *text, size_t len,
                          enum rest_body_shape shape, int *status, struct kc_error *err)
{
    /* What each parser looks into; every other container is only asked for its type.
     * create: the root object and its "config" object; no array anywhere.
     * map: the root object. offsets: every object, and arrays below the root (the "offsets"
     * list, and values printed whole into messages). */
    static const struct rest_json_keep keep_create = {2, 0, 0, REST_BODY_MAX_MEMBERS};
    static const struct rest_json_keep keep_map = {1, 0, 0, REST_BODY_MAX_MEMBERS};
    static const struct rest_json_keep keep_offsets = {SIZE_MAX, 1, SIZE_MAX,
                                                       REST_BODY_MAX_MEMBERS};
    const struct rest_json_keep *keep = shape == REST_BODY_CREATE ? &keep_create
                                        : shape == REST_BODY_MAP  ? &keep_map
                                                                  : &keep_offsets;
    int rc = body_read(b, text, len, keep, status, err);
    if (rc == KC_OK && b->jr.too_many) {
        /* not the JVM's (it has no bound): connect-c refuses what would cost it hundreds of MiB */
        *status = 400;
        return kc_error_set(err, KC_EINVAL,
                            "Request body has more than %d entries in one JSON object or array",
                            REST_BODY_MAX_MEMBERS);
    }
    return rc;
}

void rest_body_fini(struct rest_body *b)
{
    if (b != NULL) {
        rest_json_result_fini(&b->jr);
    }
}

enum body_kind { BODY_CREATE, BODY_MAP, BODY_OFFSETS };

/* Report the body's syntax error, with the reference chain Jackson adds when the error happened
 * inside a bean property's value (or inside a list element). */
static int syntax_fail(const struct rest_body *b, enum body_kind kind, int *status,
                       struct kc_error *err)
{
    const struct rest_json_result *r = &b->jr;
    char chain[KC_ERROR_MSG_MAX] = "";
    size_t cl = 0;
    for (size_t d = 0; d < r->depth && kind != BODY_MAP; d++) {
        const struct rest_json_frame *f = &r->path[d];
        int inside = d + 1 < r->depth || (r->in_string && f->value_started);
        if (!inside) {
            break;
        }
        const char *piece = NULL;
        char tmp[256];
        if (kind == BODY_CREATE && d == 0 &&
            (strcmp(f->key, "name") == 0 || strcmp(f->key, "config") == 0 ||
             strcmp(f->key, "initial_state") == 0)) {
            snprintf(tmp, sizeof(tmp), CCR "[\"%s\"]", f->key);
            piece = tmp;
        } else if (kind == BODY_OFFSETS && d == 0 && strcmp(f->key, "offsets") == 0) {
            piece = CO_S "[\"offsets\"]";
        } else if (kind == BODY_OFFSETS && d == 1 && f->is_array) {
            snprintf(tmp, sizeof(tmp), "java.util.ArrayList[%zu]", f->index);
            piece = tmp;
        } else if (kind == BODY_OFFSETS && d == 2 &&
                   (strcmp(f->key, "partition") == 0 || strcmp(f->key, "offset") == 0)) {
            snprintf(tmp, sizeof(tmp), CO_1 "[\"%s\"]", f->key);
            piece = tmp;
        }
        if (piece == NULL) {
            break;
        }
        cl += (size_t)snprintf(chain + cl, sizeof(chain) - cl, "%s%s", cl ? "->" : "", piece);
        if (cl >= sizeof(chain)) {
            break;
        }
        if (kind == BODY_CREATE) {
            break;
        }
    }
    *status = 500;
    if (chain[0] != '\0') {
        return kc_error_set(err, KC_EINVAL, "%.380s (through reference chain: %.120s)", r->msg,
                            chain);
    }
    return kc_error_set(err, KC_EINVAL, "%s", r->msg);
}

/* Jackson's location for an unknown property: the parser has read the value's first token;
 * strings and containers are read lazily, so it stands just after their first character,
 * while numbers and keywords are read whole. */
static size_t unknown_loc(const char *body, size_t s, size_t e)
{
    if (body != NULL && (body[s] == '"' || body[s] == '{' || body[s] == '[')) {
        return s + 1;
    }
    return e;
}

/* ---- Jackson coercions ---- */

/* Java's Double.toString for the common range; shortest round-trip digits. */
static void java_double(char *buf, size_t sz, double d)
{
    if (isnan(d)) {
        snprintf(buf, sz, "NaN");
        return;
    }
    if (isinf(d)) {
        snprintf(buf, sz, d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    double a = fabs(d);
    if (a == 0.0 || (a >= 1e-3 && a < 1e7)) {
        for (int p = 1; p <= 17; p++) {
            snprintf(buf, sz, "%.*f", p, d);
            if (strtod(buf, NULL) == d) {
                break;
            }
        }
        /* trim trailing zeros but keep one digit after the point */
        char *dot = strchr(buf, '.');
        if (dot != NULL) {
            char *e = buf + strlen(buf) - 1;
            while (e > dot + 1 && *e == '0') {
                *e-- = '\0';
            }
        }
        return;
    }
    char tmp[32];
    for (int p = 0; p <= 16; p++) {
        snprintf(tmp, sizeof(tmp), "%.*e", p, d);
        if (strtod(tmp, NULL) == d) {
            break;
        }
    }
    /* tmp = "-1.5e+20" -> "-1.5E20" */
    char *e = strchr(tmp, 'e');
    *e = '\0';
    int ex = atoi(e + 1);
    snprintf(buf, sz, "%s%sE%d", tmp, strchr(tmp, '.') ? "" : ".0", ex);
}

static void java_number(char *buf, size_t sz, const json_t *v)
{
    const char *t = num_text(v);
    if (jtype(v) == JSON_INTEGER) {
        /* Integer/Long print as parsed; a BigInteger keeps its digits ("-0" becomes "0") */
        if (strcmp(t, "-0") == 0) {
            t = "0";
        }
        snprintf(buf, sz, "%s", t);
        return;
    }
    java_double(buf, sz, strtod(t, NULL));
}

/* String.valueOf(o) of a Jackson-untyped value (LinkedHashMap/ArrayList/Integer/Double...). */
static int java_value_string(struct kc_buf *b, const json_t *v)
{
    char num[64];
    switch (jtype(v)) {
    case JSON_STRING:
        return kc_buf_append(b, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
    case JSON_REAL:
        java_number(num, sizeof(num), v);
        return kc_buf_append_str(b, num);
    case JSON_TRUE:
        return kc_buf_append_str(b, "true");
    case JSON_FALSE:
        return kc_buf_append_str(b, "false");
    case JSON_NULL:
        return kc_buf_append_str(b, "null");
    case JSON_OBJECT: {
        const char *k;
        json_t *x;
        int first = 1;
        int rc = kc_buf_append_byte(b, '{');
        json_object_foreach((json_t *)v, k, x)
        {
            if (rc == KC_OK && !first) {
                rc = kc_buf_append_str(b, ", ");
            }
            first = 0;
            if (rc == KC_OK) {
                rc = kc_buf_printf(b, "%s=", k);
            }
            if (rc == KC_OK) {
                rc = java_value_string(b, x);
            }
        }
        return rc == KC_OK ? kc_buf_append_byte(b, '}') : rc;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *x;
        int rc = kc_buf_append_byte(b, '[');
        json_array_foreach((json_t *)v, i, x)
        {
            if (rc == KC_OK && i > 0) {
                rc = kc_buf_append_str(b, ", ");
            }
            if (rc == KC_OK) {
                rc = java_value_string(b, x);
            }
        }
        return rc == KC_OK ? kc_buf_append_byte(b, ']') : rc;
    }
    }
    return KC_EINVAL;
}

/* Jackson's StringDeserializer: scalars to text, null stays null (*out = NULL, KC_OK),
 * containers -> KC_EINVAL. *out owned. */
static int scalar_text(const json_t *v, char **out)
{
    char num[64];
    *out = NULL;
    (void)num;
    switch (jtype(v)) {
    case JSON_NULL:
        return KC_OK;
    case JSON_STRING:
        *out = kc_strndup(json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
    case JSON_REAL:
        *out = kc_strdup(num_text(v)); /* Jackson keeps a number's text for a String */
        break;
    case JSON_TRUE:
        *out = kc_strdup("true");
        break;
    case JSON_FALSE:
        *out = kc_strdup("false");
        break;
    default:
        return KC_EINVAL;
    }
    return *out ? KC_OK : KC_ENOMEM;
}

static const char *token_name(const json_t *v)
{
    return json_is_array(v) ? "Array value (token `JsonToken.START_ARRAY`)"
                            : "Object value (token `JsonToken.START_OBJECT`)";
}

/* "<Kind> value (token `JsonToken.<TOKEN>`)" as Jackson names the token it found. */
static const char *token_desc(const json_t *v)
{
    switch (jtype(v)) {
    case JSON_ARRAY:
        return "Array value (token `JsonToken.START_ARRAY`)";
    case JSON_OBJECT:
        return "Object value (token `JsonToken.START_OBJECT`)";
    case JSON_STRING:
        return "String value (token `JsonToken.VALUE_STRING`)";
    case JSON_INTEGER:
        return "Integer value (token `JsonToken.VALUE_NUMBER_INT`)";
    case JSON_REAL:
        return "Floating-point value (token `JsonToken.VALUE_NUMBER_FLOAT`)";
    case JSON_TRUE:
        return "Boolean value (token `JsonToken.VALUE_TRUE`)";
    case JSON_FALSE:
        return "Boolean value (token `JsonToken.VALUE_FALSE`)";
    default:
        return "Null value (token `JsonToken.VALUE_NULL`)";
    }
}

/* The message Jackson gives when a Map of type `type` is wanted and v (not an object) was found:
 * a String goes through the (absent) String creator, everything else is a token mismatch. */
static void map_mismatch_t(char *buf, size_t sz, const json_t *v, const char *type)
{
    if (is_str(v)) {
        snprintf(buf, sz,
                 "Cannot construct instance of `java.util.LinkedHashMap` (although at least one "
                 "Creator exists): no String-argument constructor/factory method to deserialize "
                 "from String value ('%.200s')",
                 json_string_value(v));
        return;
    }
    snprintf(buf, sz, "Cannot deserialize value of type `%s` from %s", type, token_desc(v));
}

static void map_mismatch(char *buf, size_t sz, const json_t *v)
{
    map_mismatch_t(buf, sz, v, "java.util.LinkedHashMap<java.lang.String,java.lang.String>");
}

/* Fill out from a JSON object of scalars. chain_prefix: Jackson's reference chain up to the map
 * ("" for a root map). body/k1: to locate a failing value. */
static int map_from_object(const json_t *obj, struct kc_strmap *out, const char *chain_prefix,
                           const char *body, size_t len, const char *k1, int *status,
                           struct kc_error *err)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        char *text = NULL;
        int rc = scalar_text(v, &text);
        if (rc == KC_ENOMEM) {
            return fail(status, 500, err, KC_ENOMEM, "out of memory");
        }
        if (rc != KC_OK) {
            size_t s = 0, e = 0;
            char loc[256];
            int known = ls_find(body, len, k1 ? k1 : k, k1 ? k : NULL, &s, &e) == 0;
            loc_suffix(loc, sizeof(loc), body, s, known);
            *status = 500;
            return kc_error_set(err, KC_EINVAL,
                                "Cannot deserialize value of type `java.lang.String` from "
                                "%s%s (through reference chain: %sjava.util.LinkedHashMap[\"%s\"])",
                                token_name(v), loc, chain_prefix, k);
        }
        rc = kc_strmap_set(out, k, text);
        kc_free(text);
        if (rc != KC_OK) {
            return fail(status, 500, err, KC_ENOMEM, "out of memory");
        }
    }
    return KC_OK;
}

/* ---- POST /connectors ---- */

void rest_create_body_init(struct rest_create_body *cb)
{
    memset(cb, 0, sizeof(*cb));
    kc_strmap_init(&cb->config);
}

void rest_create_body_fini(struct rest_create_body *cb)
{
    if (cb == NULL) {
        return;
    }
    kc_free(cb->name);
    kc_strmap_fini(&cb->config);
    memset(cb, 0, sizeof(*cb));
}

static char *trim_java(const char *s)
{
    /* String.trim(): strips every char <= ' ' at both ends */
    size_t n = strlen(s);
    while (n > 0 && (unsigned char)*s <= ' ') {
        s++;
        n--;
    }
    while (n > 0 && (unsigned char)s[n - 1] <= ' ') {
        n--;
    }
    return kc_strndup(s, n);
}

int rest_create_body_parse(const struct rest_body *b, struct rest_create_body *out, int *status,
                           struct kc_error *err)
{
    char msg[KC_ERROR_MSG_MAX];
    char loc[256];
    int config_seen = 0;
    size_t s = 0, e = 0;
    const json_t *j = b->jr.root;
    const char *body = b->text;
    size_t len = b->len;

    if (b->jr.has_error && (j == NULL || json_is_null(j))) {
        return syntax_fail(b, BODY_CREATE, status, err);
    }
    if (j == NULL || json_is_null(j)) {
        return fail(status, 500, err, KC_EINVAL,
                    "Cannot invoke \"" CCR ".name()\" because \"createRequest\" is null");
    }
    if (!json_is_object(j)) {
        loc_suffix(loc, sizeof(loc), body, root_start(body ? body : "", len), body != NULL);
        *status = 500;
        if (json_is_array(j)) {
            return kc_error_set(err, KC_EINVAL,
                                "Cannot deserialize value of type `" CCR
                                "` from Array value (token `JsonToken.START_ARRAY`)%s",
                                loc);
        }
        return kc_error_set(err, KC_EINVAL,
                            "Cannot construct instance of `" CCR
                            "` (although at least one Creator exists): no %s-argument "
                            "constructor/factory method to deserialize from %s%s",
                            is_str(j)                   ? "String"
                            : jtype(j) == JSON_INTEGER ? "int/Int"
                            : jtype(j) == JSON_REAL    ? "double/Double"
                                                       : "boolean/Boolean",
                            is_str(j) ? "String value" : "value", loc);
    }
    /* Jackson buffers properties it does not know until all three creator properties have
     * been seen, and reports them once the object is complete (at its end); after that an
     * unknown property fails at once. */
    const char *deferred = NULL;
    unsigned seen = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)j, k, v)
    {
        unsigned bit = strcmp(k, "name") == 0 ? 1u : strcmp(k, "config") == 0 ? 2u
                       : strcmp(k, "initial_state") == 0 ? 4u : 0u;
        seen |= bit;
        if (bit == 0 && seen != 7u) {
            if (deferred == NULL) {
                deferred = k;
            }
            continue;
        }
        if (strcmp(k, "name") == 0) {
            char *text = NULL;
            int rc = scalar_text(v, &text);
            if (rc == KC_EINVAL) {
                int known = ls_find(body, len, "name", NULL, &s, &e) == 0;
                loc_suffix(loc, sizeof(loc), body, s, known);
                *status = 500;
                return kc_error_set(err, KC_EINVAL,
                                    "Cannot deserialize value of type `java.lang.String` from "
                                    "%s%s (through reference chain: " CCR "[\"name\"])",
                                    token_name(v), loc);
            }
            if (rc != KC_OK) {
                return fail(status, 500, err, KC_ENOMEM, "out of memory");
            }
            kc_free(out->name);
            out->name = text;
        } else if (strcmp(k, "config") == 0) {
            kc_strmap_fini(&out->config);
            config_seen = 0;
            if (json_is_null(v)) {
                continue;
            }
            if (!json_is_object(v)) {
                int known = ls_find(body, len, "config", NULL, &s, &e) == 0;
                loc_suffix(loc, sizeof(loc), body, s, known);
                map_mismatch(msg, sizeof(msg), v);
                *status = 500;
                return kc_error_set(err, KC_EINVAL, "%s%s (through reference chain: " CCR
                                    "[\"config\"])", msg, loc);
            }
            int rc = map_from_object(v, &out->config, CCR "[\"config\"]->", body, len, "config",
                                     status, err);
            if (rc != KC_OK) {
                return rc;
            }
            config_seen = 1;
        } else if (strcmp(k, "initial_state") == 0) {
            out->has_state = 0;
            if (json_is_null(v)) {
                continue;
            }
            char *text = NULL;
            int rc = scalar_text(v, &text);
            int known = ls_find(body, len, "initial_state", NULL, &s, &e) == 0;
            loc_suffix(loc, sizeof(loc), body, s, known);
            if (rc == KC_EINVAL) {
                *status = 500;
                return kc_error_set(err, KC_EINVAL,
                                    "Cannot deserialize value of type `" CCR
                                    "$InitialState` from %s%s (through reference chain: " CCR
                                    "[\"initial_state\"])",
                                    token_name(v), loc);
            }
            if (rc != KC_OK) {
                return fail(status, 500, err, KC_ENOMEM, "out of memory");
            }
            /* InitialState.forValue: valueOf(value.toUpperCase(Locale.ROOT)) */
            for (char *p = text; *p; p++) {
                *p = (char)toupper((unsigned char)*p);
            }
            if (strcmp(text, "RUNNING") == 0) {
                out->state = HERDER_TARGET_STARTED;
            } else if (strcmp(text, "PAUSED") == 0) {
                out->state = HERDER_TARGET_PAUSED;
            } else if (strcmp(text, "STOPPED") == 0) {
                out->state = HERDER_TARGET_STOPPED;
            } else {
                *status = 500;
                kc_error_set(err, KC_EINVAL,
                             "Cannot construct instance of `" CCR
                             "$InitialState`, problem: No enum constant " CCR
                             ".InitialState.%.100s%s (through reference chain: " CCR
                             "[\"initial_state\"])",
                             text, loc);
                kc_free(text);
                return KC_EINVAL;
            }
            kc_free(text);
            out->has_state = 1;
        } else {
            int known = ls_find(body, len, k, NULL, &s, &e) == 0;
            loc_suffix(loc, sizeof(loc), body, known ? unknown_loc(body, s, e) : 0, known);
            *status = 500;
            return kc_error_set(err, KC_EINVAL,
                                "Unrecognized field \"%.100s\" (class " CCR
                                "), not marked as ignorable (3 known properties: \"config\", "
                                "\"name\", \"initial_state\"])%s (through reference chain: " CCR
                                "[\"%.100s\"])",
                                k, loc, k);
        }
    }
    if (b->jr.has_error) {
        return syntax_fail(b, BODY_CREATE, status, err);
    }
    if (deferred != NULL) {
        int known = ls_find_path(body, len, NULL, 0, &s, &e) == 0;
        loc_suffix(loc, sizeof(loc), body, e, known);
        *status = 500;
        return kc_error_set(err, KC_EINVAL,
                            "Unrecognized field \"%.100s\" (class " CCR
                            "), not marked as ignorable (3 known properties: \"config\", "
                            "\"name\", \"initial_state\"])%s (through reference chain: " CCR
                            "[\"%.100s\"])",
                            deferred, loc, deferred);
    }
    /* name: null -> "" (the JVM then lets the validator complain), trimmed */
    char *trimmed = trim_java(out->name ? out->name : "");
    if (trimmed == NULL) {
        return fail(status, 500, err, KC_ENOMEM, "out of memory");
    }
    kc_free(out->name);
    out->name = trimmed;
    if (!config_seen) {
        return fail(status, 500, err, KC_EINVAL,
                    "Cannot invoke \"java.util.Map.get(Object)\" because \"connectorConfig\" is "
                    "null");
    }
    return KC_OK;
}

/* ---- flat config maps ---- */

int rest_config_body_parse(const struct rest_body *b, const char *what, struct kc_strmap *out,
                           int *status, struct kc_error *err)
{
    char msg[KC_ERROR_MSG_MAX];
    char loc[256];
    const json_t *j = b->jr.root;
    const char *body = b->text;
    size_t len = b->len;
    if (b->jr.has_error && (j == NULL || json_is_null(j))) {
        return syntax_fail(b, BODY_MAP, status, err);
    }
    if (j == NULL || json_is_null(j)) {
        *status = 500;
        return kc_error_set(err, KC_EINVAL,
                            "Cannot invoke \"java.util.Map.get(Object)\" because \"%s\" is null",
                            what);
    }
    if (!json_is_object(j)) {
        map_mismatch(msg, sizeof(msg), j);
        loc_suffix(loc, sizeof(loc), body, root_start(body ? body : "", len), body != NULL);
        *status = 500;
        return kc_error_set(err, KC_EINVAL, "%s%s", msg, loc);
    }
    int rc = map_from_object(j, out, "", body, len, NULL, status, err);
    if (rc == KC_OK && b->jr.has_error) {
        kc_strmap_fini(out);
        return syntax_fail(b, BODY_MAP, status, err);
    }
    return rc;
}

/* ---- PATCH /connectors/{c}/offsets ---- */

static char *value_string(const json_t *v)
{
    struct kc_buf b;
    kc_buf_init(&b, 64 * 1024);
    if (java_value_string(&b, v) != KC_OK || kc_buf_append(&b, "", 0) != KC_OK) {
        kc_buf_fini(&b);
        return NULL;
    }
    return kc_buf_take(&b, NULL);
}

#define CHAIN_ENT CO_S "[\"offsets\"]->java.util.ArrayList[%zu]->" CO_1

int rest_offsets_body_parse(const struct rest_body *b, struct herder_offsets *out, int *status,
                            struct kc_error *err)
{
    char *text = NULL;
    char loc[256];
    char msg[KC_ERROR_MSG_MAX];
    size_t s = 0, e = 0;
    int rc = KC_OK;
    const json_t *j = b->jr.root;
    const char *body = b->text;
    size_t len = b->len;

    out->o = NULL;
    out->n = 0;
    if (b->jr.has_error && (j == NULL || json_is_null(j))) {
        return syntax_fail(b, BODY_OFFSETS, status, err);
    }
    if (j == NULL || json_is_null(j)) {
        return fail(status, 500, err, KC_EINVAL,
                    "Cannot invoke \"" CO_S ".offsets()\" because \"offsets\" is null");
    }
    if (!json_is_object(j)) {
        loc_suffix(loc, sizeof(loc), body, root_start(body ? body : "", len), body != NULL);
        *status = 500;
        if (is_str(j)) {
            return kc_error_set(err, KC_EINVAL,
                                "Cannot construct instance of `" CO_S
                                "` (although at least one Creator exists): no String-argument "
                                "constructor/factory method to deserialize from String value "
                                "('%.200s')%s",
                                json_string_value(j), loc);
        }
        return kc_error_set(err, KC_EINVAL, "Cannot deserialize value of type `" CO_S "` from %s%s",
                            token_desc(j), loc);
    }
    /* as for CreateConnectorRequest: unknown properties before the creator's "offsets" are
     * reported at the end of the object, later ones at once */
    const char *deferred = NULL;
    int seen_offsets = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)j, k, v)
    {
        if (strcmp(k, "offsets") != 0 && !seen_offsets) {
            if (deferred == NULL) {
                deferred = k;
            }
            continue;
        }
        if (strcmp(k, "offsets") == 0) {
            seen_offsets = 1;
        }
        if (strcmp(k, "offsets") != 0) {
            struct loc_step p[1] = {{k, 0}};
            int known = ls_find_path(body, len, p, 1, &s, &e) == 0;
            loc_suffix(loc, sizeof(loc), body, known ? unknown_loc(body, s, e) : 0, known);
            *status = 500;
            return kc_error_set(err, KC_EINVAL,
                                "Unrecognized field \"%.100s\" (class " CO_S
                                "), not marked as ignorable (one known property: \"offsets\"])%s "
                                "(through reference chain: " CO_S "[\"%.100s\"])",
                                k, loc, k);
        }
        if (!json_is_null(v) && !json_is_array(v)) {
            struct loc_step p[1] = {{"offsets", 0}};
            int known = ls_find_path(body, len, p, 1, &s, &e) == 0;
            loc_suffix(loc, sizeof(loc), body, s, known);
            *status = 500;
            return kc_error_set(err, KC_EINVAL,
                                "Cannot deserialize value of type `java.util.ArrayList<" CO_1
                                ">` from %s%s (through reference chain: " CO_S "[\"offsets\"])",
                                token_desc(v), loc);
        }
    }
    const json_t *arr = json_object_get(j, "offsets");
    size_t n = json_array_size(arr);
    /* Jackson maps the whole list before the resource looks at it */
    for (size_t i = 0; i < n; i++) {
        const json_t *ent = json_array_get(arr, i);
        struct loc_step p[3] = {{"offsets", 0}, {NULL, i}, {NULL, 0}};
        if (json_is_null(ent)) {
            continue;
        }
        if (!json_is_object(ent)) {
            int known = ls_find_path(body, len, p, 2, &s, &e) == 0;
            loc_suffix(loc, sizeof(loc), body, s, known);
            *status = 500;
            return kc_error_set(err, KC_EINVAL,
                                "Cannot deserialize value of type `" CO_1 "` from %s%s (through "
                                "reference chain: " CO_S "[\"offsets\"]->java.util.ArrayList[%zu])",
                                token_desc(ent), loc, i);
        }
        const char *edeferred = NULL;
        unsigned eseen = 0;
        json_object_foreach((json_t *)ent, k, v)
        {
            unsigned bit = strcmp(k, "partition") == 0 ? 1u : strcmp(k, "offset") == 0 ? 2u : 0u;
            eseen |= bit;
            if (bit == 0 && eseen != 3u) {
                if (edeferred == NULL) {
                    edeferred = k;
                }
                continue;
            }
            p[2].key = k;
            int known = ls_find_path(body, len, p, 3, &s, &e) == 0;
            if (strcmp(k, "partition") != 0 && strcmp(k, "offset") != 0) {
                loc_suffix(loc, sizeof(loc), body, known ? unknown_loc(body, s, e) : 0, known);
                *status = 500;
                return kc_error_set(err, KC_EINVAL,
                                    "Unrecognized field \"%.100s\" (class " CO_1
                                    "), not marked as ignorable (2 known properties: "
                                    "\"partition\", \"offset\"])%s (through reference chain: "
                                    CHAIN_ENT "[\"%.100s\"])",
                                    k, loc, i, k);
            }
            if (!json_is_null(v) && !json_is_object(v)) {
                loc_suffix(loc, sizeof(loc), body, s, known);
                map_mismatch_t(msg, sizeof(msg), v,
                               "java.util.LinkedHashMap<java.lang.String,java.lang.Object>");
                *status = 500;
                return kc_error_set(err, KC_EINVAL,
                                    "%s%s (through reference chain: " CHAIN_ENT "[\"%s\"])", msg,
                                    loc, i, k);
            }
        }
        if (edeferred != NULL) {
            if (b->jr.has_error) {
                return syntax_fail(b, BODY_OFFSETS, status, err);
            }
            int known = ls_find_path(body, len, p, 2, &s, &e) == 0;
            loc_suffix(loc, sizeof(loc), body, e, known);
            *status = 500;
            return kc_error_set(err, KC_EINVAL,
                                "Unrecognized field \"%.100s\" (class " CO_1
                                "), not marked as ignorable (2 known properties: \"partition\", "
                                "\"offset\"])%s (through reference chain: " CHAIN_ENT
                                "[\"%.100s\"])",
                                edeferred, loc, i, edeferred);
        }
    }
    if (deferred != NULL) {
        if (b->jr.has_error) {
            return syntax_fail(b, BODY_OFFSETS, status, err);
        }
        int known = ls_find_path(body, len, NULL, 0, &s, &e) == 0;
        loc_suffix(loc, sizeof(loc), body, e, known);
        *status = 500;
        return kc_error_set(err, KC_EINVAL,
                            "Unrecognized field \"%.100s\" (class " CO_S
                            "), not marked as ignorable (one known property: \"offsets\"])%s "
                            "(through reference chain: " CO_S "[\"%.100s\"])",
                            deferred, loc, deferred);
    }
    if (b->jr.has_error) {
        return syntax_fail(b, BODY_OFFSETS, status, err);
    }
    if (arr == NULL || json_is_null(arr) || n == 0) {
        return fail(status, 400, err, KC_EINVAL,
                    "Partitions / offsets need to be provided for an alter offsets request");
    }
    for (size_t i = 0; i < n; i++) {
        if (json_is_null(json_array_get(arr, i))) {
            return fail(status, 500, err, KC_EINVAL,
                        "Cannot invoke \"" CO_1 ".partition()\" because \"offset\" is null");
        }
    }
    out->o = kc_calloc(n, sizeof(*out->o));
    if (out->o == NULL) {
        return fail(status, 500, err, KC_ENOMEM, "out of memory");
    }
    /* SinkUtils.parseSinkConnectorOffsets (run by the herder side in the JVM) */
    for (size_t i = 0; i < n; i++) {
        const json_t *ent = json_array_get(arr, i);
        const json_t *part = json_object_get(ent, "partition");
        const json_t *off = json_object_get(ent, "offset");
        if (part == NULL || json_is_null(part)) {
            rc = fail(status, 400, err, KC_EINVAL,
                      "The partition for a sink connector offset cannot be null or missing");
            goto out;
        }
        const json_t *tv = json_object_get(part, "kafka_topic");
        const json_t *pv = json_object_get(part, "kafka_partition");
        if (tv == NULL || pv == NULL) {
            rc = fail(status, 400, err, KC_EINVAL,
                      "The partition for a sink connector offset must contain the keys "
                      "'kafka_topic' and 'kafka_partition'");
            goto out;
        }
        if (json_is_null(tv)) {
            rc = fail(status, 400, err, KC_EINVAL,
                      "Kafka topic names must be valid strings and may not be null");
            goto out;
        }
        if (json_is_null(pv)) {
            rc = fail(status, 400, err, KC_EINVAL,
                      "Kafka partitions must be valid numbers and may not be null");
            goto out;
        }
        out->n = i + 1;
        out->o[i].topic = value_string(tv);
        text = value_string(pv);
        if (out->o[i].topic == NULL || text == NULL) {
            rc = fail(status, 500, err, KC_ENOMEM, "out of memory");
            goto out;
        }
        int64_t pnum = 0;
        if (kc_parse_java_int(text, strlen(text), INT32_MIN, INT32_MAX, &pnum) != 0) {
            *status = 400;
            rc = kc_error_set(err, KC_EINVAL,
                              "Failed to parse the following Kafka partition value in the "
                              "provided offsets: '%.200s'. Partition values for sink connectors "
                              "need to be integers.",
                              text);
            goto out;
        }
        out->o[i].partition = (int32_t)pnum;
        kc_free(text);
        text = NULL;
        if (off == NULL || json_is_null(off)) {
            out->o[i].offset = -1; /* reset this partition */
            continue;
        }
        const json_t *ov = json_object_get(off, "kafka_offset");
        if (ov == NULL) {
            rc = fail(status, 400, err, KC_EINVAL,
                      "The offset for a sink connector should either be null or contain the key "
                      "'kafka_offset'");
            goto out;
        }
        text = value_string(ov);
        if (text == NULL) {
            rc = fail(status, 500, err, KC_ENOMEM, "out of memory");
            goto out;
        }
        int64_t onum = 0;
        if (kc_parse_java_int(text, strlen(text), INT64_MIN, INT64_MAX, &onum) != 0) {
            *status = 400;
            rc = kc_error_set(err, KC_EINVAL,
                              "Failed to parse the following Kafka offset value in the provided "
                              "offsets: '%.200s'. Offset values for sink connectors need to be "
                              "integers.",
                              text);
            goto out;
        }
        if (onum < 0) {
            /* Kafka's OffsetAndMetadata refuses it; -1 is our "reset" marker, so never pass it */
            rc = fail(status, 500, err, KC_EINVAL, "Invalid negative offset");
            goto out;
        }
        out->o[i].offset = onum;
        kc_free(text);
        text = NULL;
    }
out:
    kc_free(text);
    if (rc != KC_OK) {
        herder_offsets_fini(out);
    }
    return rc;
}

/* ---- PUT /admin/loggers/{n} ---- */

int rest_logger_body_parse(const struct rest_body *b, const char **level, int *status,
                           struct kc_error *err)
{
    char msg[KC_ERROR_MSG_MAX];
    char loc[256];
    size_t s = 0, e = 0;
    const json_t *j = b->jr.root;
    const char *body = b->text;
    size_t len = b->len;
    *level = NULL;
    if (b->jr.has_error && (j == NULL || json_is_null(j))) {
        return syntax_fail(b, BODY_MAP, status, err);
    }
    if (j == NULL || json_is_null(j)) {
        return fail(status, 500, err, KC_EINVAL,
                    "Cannot invoke \"java.util.Map.get(Object)\" because \"levelMap\" is null");
    }
    if (!json_is_object(j)) {
        map_mismatch(msg, sizeof(msg), j);
        loc_suffix(loc, sizeof(loc), body, root_start(body ? body : "", len), body != NULL);
        *status = 500;
        return kc_error_set(err, KC_EINVAL, "%s%s", msg, loc);
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)j, k, v)
    {
        if (!json_is_null(v) && (json_is_object(v) || json_is_array(v))) {
            int known = ls_find(body, len, k, NULL, &s, &e) == 0;
            loc_suffix(loc, sizeof(loc), body, s, known);
            *status = 500;
            return kc_error_set(err, KC_EINVAL,
                                "Cannot deserialize value of type `java.lang.String` from %s%s "
                                "(through reference chain: java.util.LinkedHashMap[\"%s\"])",
                                token_name(v), loc, k);
        }
    }
    if (b->jr.has_error) {
        return syntax_fail(b, BODY_MAP, status, err);
    }
    const json_t *lv = json_object_get(j, "level");
    if (lv == NULL || json_is_null(lv)) {
        return fail(status, 400, err, KC_EINVAL,
                    "Desired 'level' parameter was not specified in request.");
    }
    if (!is_str(lv)) {
        /* numbers/booleans become text in Jackson and are then no level */
        *status = 404;
        char *t = NULL;
        if (scalar_text(lv, &t) != KC_OK) {
            return fail(status, 500, err, KC_ENOMEM, "out of memory");
        }
        kc_error_set(err, KC_EINVAL, "invalid log level '%s'.", t);
        kc_free(t);
        return KC_EINVAL;
    }
    *level = json_string_value(lv);
    return KC_OK;
}
