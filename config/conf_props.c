/*
 * config/conf_props.c: java.util.Properties.load() and the `ub` CONNECT_* mapping in C.
 *
 * The parser works in two steps like the JDK's LineReader + loadConvert: first it cuts one
 * logical line (joining continuations, dropping comments and blank lines) into a scratch buffer
 * with escapes still in place, then it splits key from value on that raw text and decodes the
 * escapes of each part. Keeping the JDK's structure is what keeps odd inputs (escaped
 * separators, "\\" at a line end, "a:=b") identical to the JVM's reading.
 */
#include "conf_props.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kc_alloc.h"
#include "kc_buf.h"
#include "kc_text.h"

/* One logical line can be as long as the input; the cap only guards against wraparound. */
#define LINE_CAP ((size_t)1 << 31)

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\f';
}

/*
 * Read the next logical line from buf at *pos into line (reset first). Returns 1 when a line
 * was read, 0 at end of input, KC_ENOMEM on failure. *lineno is advanced over every natural
 * line consumed; *start_line gets the number of the line where this logical line began.
 */
static int read_line(const char *buf, size_t len, size_t *pos, size_t *lineno,
                     size_t *start_line, struct kc_buf *line)
{
    size_t i = *pos;
    int skip_ws = 1;
    int appended = 0; /* right after a continuation: a line end here ends the logical line */
    int comment = 0;
    int backslash = 0;

    kc_buf_reset(line);
    *start_line = *lineno;
    for (;;) {
        if (i >= len) {
            *pos = i;
            if (line->len == 0 || comment) {
                return 0;
            }
            if (backslash) {
                /* a trailing backslash at EOF is dropped; the JDK still returns the line even
                 * when nothing is left of it ("\" alone reads as the entry ""="") */
                line->len--;
                line->data[line->len] = '\0';
            }
            return 1;
        }
        char c = buf[i++];
        if (skip_ws) {
            if (is_ws(c)) {
                continue;
            }
            if (!appended && (c == '\r' || c == '\n')) {
                if (c == '\n' || i >= len || buf[i] != '\n') {
                    (*lineno)++;
                } /* \r\n counts once, at its \n */
                *start_line = *lineno;
                continue;
            }
            skip_ws = 0;
            appended = 0;
        }
        /* as the JDK's LineReader: '#' or '!' while the logical line is still empty starts a
         * comment -- also right after a continuation of a line that held only "\" */
        if (line->len == 0 && !comment && (c == '#' || c == '!') && c != '\n' && c != '\r') {
            comment = 1;
        }
        if (c != '\n' && c != '\r') {
            if (comment) {
                continue;
            }
            if (kc_buf_append_byte(line, (uint8_t)c) != KC_OK) {
                return KC_ENOMEM;
            }
            backslash = c == '\\' ? !backslash : 0;
            continue;
        }
        /* c is a line terminator. The JDK looks for more input right here, before handling a
         * continuation: a terminator that ends the input ends the logical line, even one ending
         * in "\" ("a\\\n<EOF>" reads as "a", "\\\n<EOF>" as an empty entry). */
        int at_eof = i >= len;
        if (c == '\r' && i < len && buf[i] == '\n') {
            i++; /* swallow the \n of \r\n */
        }
        (*lineno)++;
        if (comment || line->len == 0) {
            /* comment or whitespace-only line: start over */
            comment = 0;
            skip_ws = 1;
            backslash = 0;
            kc_buf_reset(line);
            *start_line = *lineno;
            continue;
        }
        if (at_eof) {
            if (backslash) {
                line->len--;
                line->data[line->len] = '\0';
            }
            *pos = i;
            return 1;
        }
        if (backslash) {
            line->len--; /* drop the continuation backslash and join the next line */
            line->data[line->len] = '\0';
            backslash = 0;
            skip_ws = 1;
            appended = 1;
            continue;
        }
        *pos = i;
        return 1;
    }
}

static int put_utf8(struct kc_buf *out, uint32_t cp)
{
    uint8_t b[4];
    size_t n;

    if (cp < 0x80) {
        b[0] = (uint8_t)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (uint8_t)(0xC0 | (cp >> 6));
        b[1] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (uint8_t)(0xE0 | (cp >> 12));
        b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (uint8_t)(0xF0 | (cp >> 18));
        b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return kc_buf_append(out, b, n);
}

/* Read four hex digits at s[*i..]; -1 when malformed or short. */
static long read_u4(const char *s, size_t n, size_t *i)
{
    long v = 0;

    if (*i + 4 > n) {
        return -1;
    }
    for (int k = 0; k < 4; k++) {
        int h = kc_hexval((unsigned char)s[*i + (size_t)k]);
        if (h < 0) {
            return -1;
        }
        v = (v << 4) | h;
    }
    *i += 4;
    return v;
}

/*
 * Decode escapes of s[0..n) into out (reset first), as Properties.loadConvert. Returns KC_OK,
 * KC_EINVAL (malformed \u or a NUL), KC_ENOMEM.
 */
static int load_convert(const char *s, size_t n, struct kc_buf *out, struct kc_error *err,
                        size_t lineno)
{
    size_t i = 0;

    kc_buf_reset(out);
    if (kc_buf_reserve(out, n + 1) != KC_OK) {
        return kc_error_set(err, KC_ENOMEM, "out of memory reading properties");
    }
    while (i < n) {
        char c = s[i++];
        if (c == '\0') {
            return kc_error_set(err, KC_EINVAL,
                                "NUL character in properties input (line %zu) is not supported",
                                lineno);
        }
        if (c != '\\' || i >= n) {
            if (kc_buf_append_byte(out, (uint8_t)c) != KC_OK) {
                return kc_error_set(err, KC_ENOMEM, "out of memory reading properties");
            }
            continue;
        }
        c = s[i++];
        int rc = KC_OK;
        if (c == 'u') {
            long v = read_u4(s, n, &i);
            if (v < 0) {
                return kc_error_set(err, KC_EINVAL, "Malformed \\uxxxx encoding. (line %zu)",
                                    lineno);
            }
            uint32_t cp = (uint32_t)v;
            if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= n && s[i] == '\\' && s[i + 1] == 'u') {
                /* a high surrogate followed by an escaped low one: one code point */
                size_t j = i + 2;
                long lo = read_u4(s, n, &j);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
                    i = j;
                }
            }
            if (cp == 0) {
                return kc_error_set(err, KC_EINVAL,
                                    "\\u0000 in properties input (line %zu) is not supported",
                                    lineno);
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                cp = '?'; /* a lone surrogate has no UTF-8 form; Java's encoder writes '?' */
            }
            rc = put_utf8(out, cp);
        } else {
            char d = c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c == 'f' ? '\f' : c;
            if (d == '\0') {
                return kc_error_set(err, KC_EINVAL,
                                    "NUL character in properties input (line %zu) is not supported",
                                    lineno);
            }
            rc = kc_buf_append_byte(out, (uint8_t)d);
        }
        if (rc != KC_OK) {
            return kc_error_set(err, KC_ENOMEM, "out of memory reading properties");
        }
    }
    if (kc_buf_reserve(out, 1) != KC_OK) {
        return kc_error_set(err, KC_ENOMEM, "out of memory reading properties");
    }
    out->data[out->len] = '\0';
    return KC_OK;
}

int conf_props_parse(const char *buf, size_t len, struct kc_strmap *out, struct kc_error *err)
{
    struct kc_buf line, key, val;
    size_t pos = 0;
    size_t lineno = 1;
    size_t start_line = 1;
    int rc = KC_OK;

    kc_buf_init(&line, LINE_CAP);
    kc_buf_init(&key, LINE_CAP);
    kc_buf_init(&val, LINE_CAP);
    for (;;) {
        int got = read_line(buf, len, &pos, &lineno, &start_line, &line);
        if (got == KC_ENOMEM) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory reading properties");
            goto out;
        }
        if (got == 0) {
            break;
        }
        const char *s = line.data;
        size_t limit = line.len;
        size_t key_len = 0;
        size_t value_start = limit;
        int has_sep = 0;
        int backslash = 0;

        while (key_len < limit) {
            char c = s[key_len];
            if ((c == '=' || c == ':') && !backslash) {
                value_start = key_len + 1;
                has_sep = 1;
                break;
            }
            if (is_ws(c) && !backslash) {
                value_start = key_len + 1;
                break;
            }
            backslash = c == '\\' ? !backslash : 0;
            key_len++;
        }
        while (value_start < limit) {
            char c = s[value_start];
            if (!is_ws(c)) {
                if (!has_sep && (c == '=' || c == ':')) {
                    has_sep = 1;
                } else {
                    break;
                }
            }
            value_start++;
        }
        rc = load_convert(s, key_len, &key, err, start_line);
        if (rc == KC_OK) {
            rc = load_convert(s + value_start, limit - value_start, &val, err, start_line);
        }
        if (rc != KC_OK) {
            goto out;
        }
        if (kc_strmap_set(out, key.data, val.data) != KC_OK) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory reading properties");
            goto out;
        }
    }
out:
    kc_buf_fini(&val);
    kc_buf_fini(&key);
    kc_buf_fini(&line);
    return rc;
}

int conf_props_load(const char *path, struct kc_strmap *out, struct kc_error *err)
{
    struct stat sb;
    char *data = NULL;
    size_t got = 0;
    int fd = -1;
    int rc = KC_OK;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return kc_error_set_errno(err, KC_EIO, errno, "Cannot read properties file %s", path);
    }
    if (fstat(fd, &sb) != 0) {
        rc = kc_error_set_errno(err, KC_EIO, errno, "Cannot read properties file %s", path);
        goto out;
    }
    if (!S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > CONF_PROPS_MAX_FILE) {
        rc = kc_error_set(err, KC_EINVAL, "Properties file %s is not a regular file of at most %u bytes",
                          path, CONF_PROPS_MAX_FILE);
        goto out;
    }
    data = kc_malloc((size_t)sb.st_size + 1);
    if (data == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory reading %s", path);
        goto out;
    }
    while (got < (size_t)sb.st_size) {
        ssize_t n = read(fd, data + got, (size_t)sb.st_size - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            rc = kc_error_set_errno(err, KC_EIO, errno, "Cannot read properties file %s", path);
            goto out;
        }
        if (n == 0) {
            break;
        }
        got += (size_t)n;
    }
    rc = conf_props_parse(data, got, out, err);
    if (rc == KC_EINVAL && err != NULL) {
        char msg[KC_ERROR_MSG_MAX];
        snprintf(msg, sizeof(msg), "%s", err->msg);
        kc_error_set(err, KC_EINVAL, "%s: %s", path, msg);
    }
out:
    kc_free(data);
    if (fd >= 0) {
        close(fd);
    }
    return rc;
}

/* Width of the UTF-8 rune at s (1 for an invalid byte, as Go's decoder treats it). */
static size_t rune_width(const unsigned char *s)
{
    size_t n = s[0] >= 0xF0 && s[0] < 0xF8 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 1;

    if (s[0] < 0x80) {
        return 1;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 1;
        }
    }
    return n;
}

char *conf_props_env_to_key(const char *name)
{
    size_t n = strlen(name);
    char *a = kc_strdup(name);
    char *b = NULL;
    size_t i = 0;
    size_t o = 0;

    if (a == NULL) {
        return NULL;
    }
    /* pass 1: non-overlapping [^_]_[^_] -> [^_].[^_], leftmost first, rune-aware */
    while (i < n) {
        const unsigned char *u = (const unsigned char *)a;
        if (u[i] != '_') {
            size_t w1 = rune_width(u + i);
            if (i + w1 < n && u[i + w1] == '_' && i + w1 + 1 < n && u[i + w1 + 1] != '_') {
                size_t w2 = rune_width(u + i + w1 + 1);
                a[i + w1] = '.';
                i += w1 + 1 + w2;
                continue;
            }
            i += w1;
            continue;
        }
        i++;
    }
    b = kc_malloc(n + 1);
    if (b == NULL) {
        kc_free(a);
        return NULL;
    }
    /* pass 2: "___" -> "-" (left to right, non-overlapping), pass 3: "__" -> "_" */
    for (i = 0; i < n;) {
        if (i + 2 < n && a[i] == '_' && a[i + 1] == '_' && a[i + 2] == '_') {
            b[o++] = '-';
            i += 3;
        } else {
            b[o++] = a[i++];
        }
    }
    b[o] = '\0';
    n = o;
    o = 0;
    for (i = 0; i < n;) {
        if (i + 1 < n && b[i] == '_' && b[i + 1] == '_') {
            a[o++] = '_';
            i += 2;
        } else {
            char c = b[i++];
            a[o++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
        }
    }
    a[o] = '\0';
    kc_free(b);
    return a;
}

struct env_prop {
    char *key;         /* owned */
    const char *value; /* borrowed from envp */
};

static int env_prop_cmp(const void *a, const void *b)
{
    return strcmp(((const struct env_prop *)a)->key, ((const struct env_prop *)b)->key);
}

int conf_props_apply_env(char *const *envp, struct kc_strmap *out, struct kc_error *err)
{
    static const char prefix[] = "CONNECT_";
    struct env_prop *props = NULL;
    size_t n = 0;
    struct kc_buf text;
    struct kc_strmap parsed;
    int rc = KC_OK;

    kc_buf_init(&text, (size_t)1 << 28);
    kc_strmap_init(&parsed);
    for (size_t i = 0; envp != NULL && envp[i] != NULL; i++) {
        const char *e = envp[i];
        const char *eq = strchr(e, '=');
        if (eq == NULL || strncmp(e, prefix, sizeof(prefix) - 1) != 0 ||
            eq == e + sizeof(prefix) - 1) {
            continue;
        }
        char *name = kc_strndup(e + sizeof(prefix) - 1, (size_t)(eq - e) - (sizeof(prefix) - 1));
        char *key = name != NULL ? conf_props_env_to_key(name) : NULL;
        struct env_prop *np = key != NULL ? kc_realloc(props, (n + 1) * sizeof(*np)) : NULL;
        kc_free(name);
        if (np == NULL) {
            kc_free(key);
            rc = kc_error_set(err, KC_ENOMEM, "out of memory applying the environment");
            goto out;
        }
        props = np;
        props[n].key = key;
        props[n].value = eq + 1;
        n++;
    }
    /* The image's `ub render-properties` writes "key=value" lines sorted by key, and the JVM
     * then reads that file with java.util.Properties: escapes in values are interpreted (a
     * backslash must be doubled), leading blanks dropped. Render and parse the same text. */
    if (n > 1) {
        qsort(props, n, sizeof(*props), env_prop_cmp);
    }
    for (size_t i = 0; i < n && rc == KC_OK; i++) {
        rc = kc_buf_printf(&text, "%s=%s\n", props[i].key, props[i].value);
    }
    if (rc != KC_OK) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory applying the environment");
        goto out;
    }
    rc = conf_props_parse(text.data != NULL ? text.data : "", text.len, &parsed, err);
    if (rc == KC_EINVAL && err != NULL) {
        char msg[KC_ERROR_MSG_MAX];
        snprintf(msg, sizeof(msg), "%s", err->msg);
        kc_error_set(err, KC_EINVAL, "CONNECT_* environment: %s", msg);
    }
    for (size_t i = 0; rc == KC_OK && i < parsed.n; i++) {
        if (kc_strmap_set(out, parsed.e[i].key, parsed.e[i].value) != KC_OK) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory applying the environment");
        }
    }
out:
    for (size_t i = 0; i < n; i++) {
        kc_free(props[i].key);
    }
    kc_free(props);
    kc_strmap_fini(&parsed);
    kc_buf_fini(&text);
    return rc;
}
