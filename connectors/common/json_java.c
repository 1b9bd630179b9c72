/*
 * connectors/common/json_java.c: json_dumps' compact text with Java's double formatting.
 */
#include "json_java.h"

#include <stdio.h>

#include "cdata.h"
#include "kc_error.h"
#include "kc_text.h"

/* jansson parses 2048 levels; a sink may wrap such a value in a few more (Aiven's row) */
#define JSON_JAVA_MAX_DEPTH 4096

static int put_string(const char *s, size_t n, struct kc_buf *out)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!kc_utf8_valid(s, n)) {
        return KC_EINVAL; /* json_dumps refuses it too: no text a reader could not decode */
    }
    if (kc_buf_append_byte(out, '"') != KC_OK) {
        return KC_ENOMEM;
    }
    size_t run = 0; /* bytes copied as they are, appended in one go */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        if (kc_buf_append(out, s + run, i - run) != KC_OK) {
            return KC_ENOMEM;
        }
        run = i + 1;
        char esc[7] = {'\\', 0};
        size_t len = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            len = 6;
        }
        if (kc_buf_append(out, esc, len) != KC_OK) {
            return KC_ENOMEM;
        }
    }
    if (kc_buf_append(out, s + run, n - run) != KC_OK || kc_buf_append_byte(out, '"') != KC_OK) {
        return KC_ENOMEM;
    }
    return KC_OK;
}

static int dump(const json_t *v, struct kc_buf *out, int depth)
{
    if (depth > JSON_JAVA_MAX_DEPTH) {
        return KC_EINVAL;
    }
    switch (json_typeof(v)) {
    case JSON_NULL:
        return kc_buf_append(out, "null", 4);
    case JSON_TRUE:
        return kc_buf_append(out, "true", 4);
    case JSON_FALSE:
        return kc_buf_append(out, "false", 5);
    case JSON_INTEGER: {
        char num[24];
        int k = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return kc_buf_append(out, num, (size_t)k);
    }
    case JSON_REAL: {
        char num[CDATA_JAVA_DOUBLE_MAX];
        size_t k = cdata_java_double_fmt(json_real_value(v), num);
        return kc_buf_append(out, num, k);
    }
    case JSON_STRING:
        return put_string(json_string_value(v), json_string_length(v), out);
    case JSON_ARRAY: {
        if (kc_buf_append_byte(out, '[') != KC_OK) {
            return KC_ENOMEM;
        }
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i > 0 && kc_buf_append_byte(out, ',') != KC_OK) {
                return KC_ENOMEM;
            }
            int rc = dump(json_array_get(v, i), out, depth + 1);
            if (rc != KC_OK) {
                return rc;
            }
        }
        return kc_buf_append_byte(out, ']');
    }
    case JSON_OBJECT: {
        if (kc_buf_append_byte(out, '{') != KC_OK) {
            return KC_ENOMEM;
        }
        int first = 1;
        const char *key;
        size_t klen;
        json_t *x;
        /* jansson keeps insertion order: json_dumps prints members in it */
        json_object_keylen_foreach((json_t *)v, key, klen, x) {
            if (!first && kc_buf_append_byte(out, ',') != KC_OK) {
                return KC_ENOMEM;
            }
            int rc = put_string(key, klen, out);
            if (rc != KC_OK) {
                return rc;
            }
            if (kc_buf_append_byte(out, ':') != KC_OK) {
                return KC_ENOMEM;
            }
            first = 0;
            rc = dump(x, out, depth + 1);
            if (rc != KC_OK) {
                return rc;
            }
        }
        return kc_buf_append_byte(out, '}');
    }
    }
    return KC_EINVAL;
}

int json_java_dump(const json_t *v, struct kc_buf *out)
{
    return v != NULL ? dump(v, out, 0) : KC_EINVAL;
}
