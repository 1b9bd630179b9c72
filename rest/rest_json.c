/*
 * rest/rest_json.c: a JSON reader that fails the way Jackson (2.19, the JVM 4.1 worker's) does.
 *
 * The JVM reads request bodies with Jackson's streaming parser, so a body with a syntax error
 * answers 500 with Jackson's message, its 1-based line/column, and -- when the error happened
 * while a bean property was being read -- a reference chain. Jackson also maps while it parses:
 * a type mismatch in the part before a syntax error is reported instead of the syntax error.
 * So this reader builds the tree of everything it could read (containers open at the error are
 * closed), records the first syntax error with its offset and the path of open values at that
 * point, and the body parsers (rest_body.c) check the partial tree's mapping first.
 *
 * Rules copied from Jackson (observed on 4.1.0): "Unexpected character ('c' (code N)): <why>"
 * points at the character; "Unrecognized token 'abc': was expecting (...)" points after the
 * token plus the character that ended it; end of input points after the last byte; trailing
 * content after the root value is read as one more token only (an invalid one is an error, a
 * valid one is ignored); nesting deeper than 1000 is refused.
 *
 * Jackson maps a body onto a bean or a Map<String,String> and stops at the first value of the
 * wrong type, so most of a hostile body is never materialised on the JVM. A full jansson tree of
 * 10 MiB of "[{"a":1},...]" is half a GiB, so rest_json_read_pruned reads every byte (syntax
 * errors, their locations and paths are unchanged) but keeps children only in the containers
 * the body's reader looks into: the others stay in the tree empty, with their type.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kc_alloc.h"
#include "kc_buf.h"
#include "rest_int.h"

#define SRC_PREFIX "[Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled)"
#define TOKEN_LIST "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
#define MAX_DEPTH 1000

struct jr {
    const unsigned char *s;
    size_t n;
    size_t i;
    struct rest_json_result *res;
    /* path of the values being read (one entry per open container) */
    struct rest_json_frame *path;
    size_t depth;
    struct rest_json_keep keep;
};

/* Whether the container just opened (its frame is the top one) keeps its children. */
static int keeps_children(const struct jr *r, int is_array)
{
    size_t d = r->depth - 1;
    return is_array ? d >= r->keep.array_from && d < r->keep.array_to : d < r->keep.object_depth;
}

static void loc_of(const unsigned char *s, size_t off, int *line, int *col)
{
    int l = 1;
    size_t bol = 0;
    for (size_t k = 0; k < off; k++) {
        if (s[k] == '\n') {
            l++;
            bol = k + 1;
        }
    }
    *line = l;
    *col = (int)(off - bol) + 1;
}

/* Record the first syntax error: message text (without location), offset for the location. */
static int syntax(struct jr *r, size_t off, int in_string, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int syntax(struct jr *r, size_t off, int in_string, const char *fmt, ...)
{
    struct rest_json_result *res = r->res;
    if (res->has_error) {
        return -1;
    }
    char text[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    int line, col;
    loc_of(r->s, off, &line, &col);
    res->has_error = 1;
    res->offset = off;
    snprintf(res->msg, sizeof(res->msg), "%s\n at " SRC_PREFIX "; line: %d, column: %d]", text,
             line, col);
    size_t d = r->depth < REST_JSON_MAX_PATH ? r->depth : REST_JSON_MAX_PATH;
    memcpy(res->path, r->path, d * sizeof(*r->path));
    res->depth = d;
    res->in_string = in_string;
    return -1;
}

static void char_desc(char *buf, size_t sz, unsigned c)
{
    if (c < 0x20) {
        snprintf(buf, sz, "(CTRL-CHAR, code %u)", c);
    } else {
        snprintf(buf, sz, "'%c' (code %u)", (int)c, c);
    }
}

static int unexpected(struct jr *r, size_t off, const char *why)
{
    char d[64];
    unsigned c = r->s[off];
    if (c >= 0x80) {
        /* a non-ASCII character: Jackson decodes it first; show the code point */
        size_t k = off;
        unsigned cp = c;
        int extra = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 0;
        cp = extra == 1 ? c & 0x1F : extra == 2 ? c & 0x0F : c & 0x07;
        for (int e = 0; e < extra && k + 1 < r->n; e++) {
            cp = (cp << 6) | (r->s[++k] & 0x3F);
        }
        snprintf(d, sizeof(d), "'?' (code %u / 0x%x)", cp, cp);
        return syntax(r, off, 0, "Unexpected character (%s): %s", d, why);
    }
    char_desc(d, sizeof(d), c);
    return syntax(r, off, 0, "Unexpected character (%s): %s", d, why);
}

static void ws(struct jr *r)
{
    while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' ||
                           r->s[r->i] == '\r')) {
        r->i++;
    }
}

static int ident_part(unsigned c)
{
    return isalnum((int)c) || c == '_' || c == '$' || c >= 0x80;
}

/* Jackson's _reportInvalidToken: the token is what was matched plus following identifier
 * characters; the character that ends it is consumed too. */
static int invalid_token(struct jr *r, size_t start)
{
    size_t k = r->i;
    while (k < r->n && ident_part(r->s[k])) {
        k++;
    }
    size_t tl = k - start;
    if (k < r->n) {
        k++; /* the terminating character is read */
    }
    return syntax(r, k, 0, "Unrecognized token '%.*s': was expecting %s", (int)(tl > 256 ? 256 : tl),
                  (const char *)r->s + start, TOKEN_LIST);
}

static int eof_in(struct jr *r, const char *what)
{
    return syntax(r, r->n, 1, "Unexpected end-of-input in %s", what);
}

static int eof_container(struct jr *r)
{
    if (r->depth == 0) {
        return syntax(r, r->n, 0, "Unexpected end-of-input");
    }
    const struct rest_json_frame *f = &r->path[r->depth - 1];
    int line, col;
    loc_of(r->s, f->start, &line, &col);
    return syntax(r, r->n, 0,
                  "Unexpected end-of-input: expected close marker for %s (start marker at "
                  SRC_PREFIX "; line: %d, column: %d])",
                  f->is_array ? "Array" : "Object", line, col);
}

static int close_mismatch(struct jr *r, unsigned c)
{
    if (r->depth == 0) {
        return syntax(r, r->i, 0, "Unexpected close marker '%c': no open %s to close", (int)c,
                      c == '}' ? "Object" : "Array");
    }
    const struct rest_json_frame *f = &r->path[r->depth - 1];
    int line, col;
    loc_of(r->s, f->start, &line, &col);
    return syntax(r, r->i, 0,
                  "Unexpected close marker '%c': expected '%c' (for %s starting at " SRC_PREFIX
                  "; line: %d, column: %d])",
                  (int)c, f->is_array ? ']' : '}', f->is_array ? "Array" : "Object", line, col);
}

/* Read a string starting at the opening quote. *out gets an owned json string (partial text
 * when the input ends inside it). Returns 0, or -1 on a syntax error. */
static int read_string(struct jr *r, json_t **out, int field_name, struct kc_buf *b)
{
    kc_buf_reset(b);
    r->i++; /* opening quote */
    *out = NULL;
    for (;;) {
        if (r->i >= r->n) {
            /* no partial string in the tree: Jackson fails reading it before mapping it */
            return eof_in(r, field_name ? "field name" : "VALUE_STRING");
        }
        unsigned c = r->s[r->i];
        if (c == '"') {
            r->i++;
            break;
        }
        if (c < 0x20) {
            char d[64];
            char_desc(d, sizeof(d), c);
            return syntax(r, r->i, 1,
                          "Illegal unquoted character (%s): has to be escaped using backslash to "
                          "be included in %s",
                          d, field_name ? "name" : "string value");
        }
        if (c == '\\') {
            if (r->i + 1 >= r->n) {
                r->i = r->n;
                continue;
            }
            unsigned e = r->s[r->i + 1];
            const char *rep = NULL;
            switch (e) {
            case '"': rep = "\""; break;
            case '\\': rep = "\\"; break;
            case '/': rep = "/"; break;
            case 'b': rep = "\b"; break;
            case 'f': rep = "\f"; break;
            case 'n': rep = "\n"; break;
            case 'r': rep = "\r"; break;
            case 't': rep = "\t"; break;
            case 'u': break;
            default: {
                char d[64];
                char_desc(d, sizeof(d), e);
                return syntax(r, r->i + 2, 1, "Unrecognized character escape %s", d);
            }
            }
            if (rep != NULL) {
                kc_buf_append(b, rep, 1);
                r->i += 2;
                continue;
            }
            unsigned cp = 0;
            size_t k = r->i + 2;
            for (int h = 0; h < 4; h++, k++) {
                if (k >= r->n) {
                    r->i = r->n;
                    return eof_in(r, field_name ? "field name" : "VALUE_STRING");
                }
                int v = isxdigit(r->s[k]) ? (isdigit(r->s[k]) ? r->s[k] - '0'
                                                              : (tolower(r->s[k]) - 'a' + 10))
                                          : -1;
                if (v < 0) {
                    char d[64];
                    char_desc(d, sizeof(d), r->s[k]);
                    return syntax(r, k + 1, 1,
                                  "Unexpected character (%s): expected a hex-digit for character "
                                  "escape sequence",
                                  d);
                }
                cp = cp * 16 + (unsigned)v;
            }
            r->i = k;
            /* surrogate pair -> one code point; lone surrogates become U+FFFD */
            if (cp >= 0xD800 && cp <= 0xDBFF && r->i + 6 <= r->n && r->s[r->i] == '\\' &&
                r->s[r->i + 1] == 'u') {
                unsigned lo = (unsigned)strtoul((const char *)r->s + r->i + 2, NULL, 16);
                char hex[5];
                memcpy(hex, r->s + r->i + 2, 4);
                hex[4] = '\0';
                lo = (unsigned)strtoul(hex, NULL, 16);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    r->i += 6;
                }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                cp = 0xFFFD;
            }
            unsigned char u[4];
            size_t ul;
            if (cp < 0x80) {
                u[0] = (unsigned char)cp;
                ul = 1;
            } else if (cp < 0x800) {
                u[0] = (unsigned char)(0xC0 | (cp >> 6));
                u[1] = (unsigned char)(0x80 | (cp & 0x3F));
                ul = 2;
            } else if (cp < 0x10000) {
                u[0] = (unsigned char)(0xE0 | (cp >> 12));
                u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
                u[2] = (unsigned char)(0x80 | (cp & 0x3F));
                ul = 3;
            } else {
                u[0] = (unsigned char)(0xF0 | (cp >> 18));
                u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
                u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
                u[3] = (unsigned char)(0x80 | (cp & 0x3F));
                ul = 4;
            }
            kc_buf_append(b, u, ul);
            continue;
        }
        if (c >= 0x80) {
            int extra = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
            if (extra < 0 || c == 0xC0 || c == 0xC1 || c > 0xF4) {
                return syntax(r, r->i + 1, 1, "Invalid UTF-8 start byte 0x%x", c);
            }
            for (int e = 1; e <= extra; e++) {
                if (r->i + (size_t)e >= r->n) {
                    r->i = r->n;
                    return eof_in(r, field_name ? "field name" : "VALUE_STRING");
                }
                if ((r->s[r->i + (size_t)e] & 0xC0) != 0x80) {
                    return syntax(r, r->i + (size_t)e + 1, 1, "Invalid UTF-8 middle byte 0x%x",
                                  r->s[r->i + (size_t)e]);
                }
            }
            kc_buf_append(b, r->s + r->i, (size_t)extra + 1);
            r->i += (size_t)extra + 1;
            continue;
        }
        kc_buf_append_byte(b, (uint8_t)c);
        r->i++;
    }
    *out = json_stringn_nocheck(b->data ? b->data : "", b->len);
    return *out ? 0 : -2;
}

static int read_number(struct jr *r, json_t **out)
{
    size_t st = r->i;
    size_t k = r->i;
    int is_real = 0;
    *out = NULL;
    if (r->s[k] == '-') {
        k++;
        if (k >= r->n) {
            return syntax(r, r->n, 0, "Unexpected end-of-input in a Number value");
        }
        if (!isdigit(r->s[k])) {
            char d[64];
            char_desc(d, sizeof(d), r->s[k]);
            return syntax(r, k + 1, 0,
                          "Unexpected character (%s) in numeric value: expected digit (0-9) to "
                          "follow minus sign, for valid numeric value",
                          d);
        }
    }
    if (r->s[k] == '0' && k + 1 < r->n && isdigit(r->s[k + 1])) {
        return syntax(r, k + 1, 0, "Invalid numeric value: Leading zeroes not allowed");
    }
    while (k < r->n && isdigit(r->s[k])) {
        k++;
    }
    if (k < r->n && r->s[k] == '.') {
        is_real = 1;
        k++;
        if (k >= r->n || !isdigit(r->s[k])) {
            if (k >= r->n) {
                return syntax(r, r->n, 0, "Unexpected end-of-input in a Number value");
            }
            char d[64];
            char_desc(d, sizeof(d), r->s[k]);
            return syntax(r, k + 1, 0,
                          "Unexpected character (%s) in numeric value: Decimal point not followed "
                          "by a digit",
                          d);
        }
        while (k < r->n && isdigit(r->s[k])) {
            k++;
        }
    }
    if (k < r->n && (r->s[k] == 'e' || r->s[k] == 'E')) {
        is_real = 1;
        k++;
        if (k < r->n && (r->s[k] == '+' || r->s[k] == '-')) {
            k++;
        }
        if (k >= r->n || !isdigit(r->s[k])) {
            if (k >= r->n) {
                return syntax(r, r->n, 0, "Unexpected end-of-input in a Number value");
            }
            char d[64];
            char_desc(d, sizeof(d), r->s[k]);
            return syntax(r, k + 1, 0,
                          "Unexpected character (%s) in numeric value: Exponent indicator not "
                          "followed by a digit",
                          d);
        }
        while (k < r->n && isdigit(r->s[k])) {
            k++;
        }
    }
    /* Numbers keep their source text (Jackson's String deserializer uses it as is): a string
     * marked with REST_JSON_NUM_MARK, then 'i' or 'r', then the text. */
    struct kc_buf nb;
    kc_buf_init(&nb, k - st + 8);
    r->i = k;
    if (kc_buf_append_byte(&nb, (uint8_t)REST_JSON_NUM_MARK) != KC_OK ||
        kc_buf_append_byte(&nb, is_real ? 'r' : 'i') != KC_OK ||
        kc_buf_append(&nb, r->s + st, k - st) != KC_OK) {
        kc_buf_fini(&nb);
        return -2;
    }
    *out = json_stringn_nocheck(nb.data, nb.len);
    kc_buf_fini(&nb);
    return *out ? 0 : -2;
}

static int read_value(struct jr *r, json_t **out, struct kc_buf *b);

static int push(struct jr *r, int is_array)
{
    if (r->depth >= MAX_DEPTH) {
        syntax(r, r->i + 1, 0, "depth");
        /* Jackson's StreamConstraintsException carries no location */
        snprintf(r->res->msg, sizeof(r->res->msg),
                 "Document nesting depth (%d) exceeds the maximum allowed (%d, from "
                 "`StreamReadConstraints.getMaxNestingDepth()`)",
                 MAX_DEPTH + 1, MAX_DEPTH);
        return -1;
    }
    struct rest_json_frame *f = &r->path[r->depth]; /* path has MAX_DEPTH entries */
    memset(f, 0, sizeof(*f));
    f->is_array = is_array;
    f->start = r->i;
    r->depth++;
    return 0;
}

static void pop(struct jr *r)
{
    r->depth--;
}

static struct rest_json_frame *top(struct jr *r)
{
    return r->depth > 0 ? &r->path[r->depth - 1] : NULL;
}

static int read_object(struct jr *r, json_t **out, struct kc_buf *b)
{
    json_t *o = json_object();
    *out = o;
    if (o == NULL) {
        return -2;
    }
    if (push(r, 0) != 0) {
        return -1;
    }
    r->i++; /* '{' */
    int first = 1;
    int keep = keeps_children(r, 0);
    for (;;) {
        ws(r);
        if (r->i >= r->n) {
            return eof_container(r);
        }
        unsigned c = r->s[r->i];
        if (first && c == '}') {
            r->i++;
            break;
        }
        struct rest_json_frame *f = top(r);
        if (f != NULL) {
            f->key[0] = '\0';
            f->value_started = 0;
        }
        if (c != '"') {
            if (c == ']') {
                return close_mismatch(r, c);
            }
            return unexpected(r, r->i, "was expecting double-quote to start field name");
        }
        json_t *key = NULL;
        int rc = read_string(r, &key, 1, b);
        if (rc != 0) {
            json_decref(key);
            return rc;
        }
        char *kname = kc_strndup(json_string_value(key), json_string_length(key));
        json_decref(key);
        if (kname == NULL) {
            return -2;
        }
        if (f != NULL) {
            snprintf(f->key, sizeof(f->key), "%s", kname);
            f->value_started = 0;
        }
        ws(r);
        if (r->i >= r->n) {
            kc_free(kname);
            return eof_container(r);
        }
        if (r->s[r->i] != ':') {
            kc_free(kname);
            return unexpected(r, r->i, "was expecting a colon to separate field name and value");
        }
        r->i++;
        ws(r);
        json_t *v = NULL;
        rc = read_value(r, &v, b);
        if (v != NULL && keep && r->keep.max_members > 0 &&
            json_object_size(o) >= r->keep.max_members) {
            r->res->too_many = 1;
            keep = 0; /* the rest is read for its syntax only; the body is refused */
        }
        if (v != NULL && keep) {
            json_object_set_new(o, kname, v);
        } else {
            json_decref(v); /* read for its syntax only: the body's reader needs its type */
        }
        kc_free(kname);
        if (rc != 0) {
            return rc;
        }
        ws(r);
        if (r->i >= r->n) {
            return eof_container(r);
        }
        c = r->s[r->i];
        if (c == '}') {
            r->i++;
            break;
        }
        if (c == ']') {
            return close_mismatch(r, c);
        }
        if (c != ',') {
            return unexpected(r, r->i, "was expecting comma to separate Object entries");
        }
        r->i++;
        first = 0;
    }
    pop(r);
    return 0;
}

static int read_array(struct jr *r, json_t **out, struct kc_buf *b)
{
    json_t *a = json_array();
    *out = a;
    if (a == NULL) {
        return -2;
    }
    if (push(r, 1) != 0) {
        return -1;
    }
    r->i++; /* '[' */
    size_t idx = 0;
    int keep = keeps_children(r, 1);
    for (;;) {
        ws(r);
        if (r->i >= r->n) {
            return eof_container(r);
        }
        if (idx == 0 && r->s[r->i] == ']') {
            r->i++;
            break;
        }
        struct rest_json_frame *f = top(r);
        if (f != NULL) {
            f->index = idx;
            f->value_started = 0;
        }
        json_t *v = NULL;
        int rc = read_value(r, &v, b);
        if (v != NULL && keep && r->keep.max_members > 0 &&
            json_array_size(a) >= r->keep.max_members) {
            r->res->too_many = 1;
            keep = 0;
        }
        if (v != NULL && keep) {
            json_array_append_new(a, v);
        } else {
            json_decref(v);
        }
        if (rc != 0) {
            return rc;
        }
        ws(r);
        if (r->i >= r->n) {
            return eof_container(r);
        }
        unsigned c = r->s[r->i];
        if (c == ']') {
            r->i++;
            break;
        }
        if (c == '}') {
            return close_mismatch(r, c);
        }
        if (c != ',') {
            return unexpected(r, r->i, "was expecting comma to separate Array entries");
        }
        r->i++;
        idx++;
    }
    pop(r);
    return 0;
}

static int match_keyword(struct jr *r, const char *kw)
{
    size_t st = r->i;
    size_t l = strlen(kw);
    for (size_t k = 1; k < l; k++) {
        if (st + k >= r->n) {
            r->i = st + k;
            return syntax(r, r->n, 0, "Unexpected end-of-input in a value");
        }
        if (r->s[st + k] != (unsigned char)kw[k]) {
            r->i = st + k;
            return invalid_token(r, st);
        }
    }
    r->i = st + l;
    if (r->i < r->n && ident_part(r->s[r->i])) {
        return invalid_token(r, st);
    }
    return 0;
}

static int read_value(struct jr *r, json_t **out, struct kc_buf *b)
{
    *out = NULL;
    if (r->i >= r->n) {
        return eof_container(r);
    }
    unsigned c = r->s[r->i];
    struct rest_json_frame *f = top(r);
    switch (c) {
    case '{':
        if (f) {
            f->value_started = 1;
        }
        return read_object(r, out, b);
    case '[':
        if (f) {
            f->value_started = 1;
        }
        return read_array(r, out, b);
    case '"':
        if (f) {
            f->value_started = 1; /* Jackson reads string contents lazily, inside the mapper */
        }
        return read_string(r, out, 0, b);
    case 't':
        if (match_keyword(r, "true") != 0) {
            return -1;
        }
        *out = json_true();
        return 0;
    case 'f':
        if (match_keyword(r, "false") != 0) {
            return -1;
        }
        *out = json_false();
        return 0;
    case 'n':
        if (match_keyword(r, "null") != 0) {
            return -1;
        }
        *out = json_null();
        return 0;
    case '-':
        return read_number(r, out);
    case ']':
        if (f != NULL && f->is_array) {
            return unexpected(r, r->i, "expected a value");
        }
        break;
    case ',':
    case '}':
        if (r->depth > 0) {
            return unexpected(r, r->i, "expected a value");
        }
        break;
    default:
        if (isdigit((int)c)) {
            return read_number(r, out);
        }
        break;
    }
    if (c == '}' || c == ']') {
        return close_mismatch(r, c);
    }
    if (isalpha((int)c) || c == '_' || c == '$' || c >= 0x80) {
        r->i++;
        return invalid_token(r, r->i - 1);
    }
    return unexpected(r, r->i, "expected a valid value " TOKEN_LIST);
}

const struct rest_json_keep rest_json_keep_all = {SIZE_MAX, 0, SIZE_MAX, 0};

int rest_json_read(const char *body, size_t len, struct rest_json_result *res)
{
    return rest_json_read_pruned(body, len, &rest_json_keep_all, res);
}

int rest_json_read_pruned(const char *body, size_t len, const struct rest_json_keep *keep,
                          struct rest_json_result *res)
{
    struct jr r;
    struct kc_buf b;

    memset(res, 0, sizeof(*res));
    memset(&r, 0, sizeof(r));
    r.keep = *keep;
    r.s = (const unsigned char *)body;
    r.n = len;
    r.res = res;
    kc_buf_init(&b, len + 16);
    ws(&r);
    if (r.i >= r.n) {
        kc_buf_fini(&b);
        return KC_OK; /* empty: no value, no error (Jackson's provider gives null) */
    }
    /* one frame per open container, up to Jackson's nesting limit (on the heap: 1000 frames
     * would be a lot of stack for a connection thread) */
    r.path = kc_calloc(MAX_DEPTH + 1, sizeof(*r.path));
    if (r.path == NULL) {
        kc_buf_fini(&b);
        return KC_ENOMEM;
    }
    int rc = read_value(&r, &res->root, &b);
    if (rc == 0) {
        /* the provider reads one more token after the root value */
        ws(&r);
        if (r.i < r.n) {
            unsigned c = r.s[r.i];
            json_t *extra = NULL;
            r.depth = 0;
            if (c == '"') {
                rc = read_string(&r, &extra, 0, &b);
            } else if (c == '-' || isdigit((int)c)) {
                rc = read_number(&r, &extra);
            } else if (c == 't' || c == 'f' || c == 'n') {
                rc = match_keyword(&r, c == 't' ? "true" : c == 'f' ? "false" : "null");
            } else if (c != '{' && c != '[') {
                rc = read_value(&r, &extra, &b);
            }
            json_decref(extra);
            res->trailing = res->has_error;
        }
    }
    kc_buf_fini(&b);
    kc_free(r.path);
    if (rc == -2) {
        return KC_ENOMEM;
    }
    return KC_OK;
}

void rest_json_result_fini(struct rest_json_result *res)
{
    if (res != NULL) {
        json_decref(res->root);
        res->root = NULL;
    }
}
