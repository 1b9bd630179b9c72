/*
 * config/conf_regex.c: a single-pass scanner over Java regex syntax that (a) reports errors
 * with java.util.regex.PatternSyntaxException's text and index, and (b) optionally writes the
 * POSIX ERE equivalent, giving up (unsupported) on constructs POSIX lacks.
 *
 * The indexes reproduce Pattern's, quirks included (an unmatched ')' is reported one char to
 * its left; an unclosed class at the last char). Expensive-to-compile shapes are refused for
 * translation by tracking the repetition a counted closure multiplies into its sub-pattern:
 * glibc copies {n,m} bodies, so nesting them multiplies compile-time memory.
 */
#include "conf_regex.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kc_alloc.h"
#include "kc_buf.h"

#define POSIX_MAX_COST 1000.0
#define POSIX_MAX_PATTERN 4096

struct scan {
    const char *p;
    size_t n;
    char *msg;
    size_t msg_len;
    struct kc_buf *out; /* NULL: check only */
    int unsup;          /* translation impossible */
    int oom;
    int depth;
    double level_cost[CONF_REGEX_MAX_DEPTH + 1];
    double atom_cost;
};

static int fail(struct scan *s, const char *desc, long idx)
{
    if (s->msg != NULL && s->msg_len > 0) {
        if (idx < 0) {
            snprintf(s->msg, s->msg_len, "%s\n%s", desc, s->p);
        } else if ((size_t)idx < s->n) {
            snprintf(s->msg, s->msg_len, "%s near index %ld\n%s\n%*s^", desc, idx, s->p, (int)idx,
                     "");
        } else {
            snprintf(s->msg, s->msg_len, "%s near index %ld\n%s", desc, idx, s->p);
        }
    }
    return KC_EINVAL;
}

static void emit(struct scan *s, const char *t, size_t len)
{
    if (s->out != NULL && !s->unsup && !s->oom && kc_buf_append(s->out, t, len) != KC_OK) {
        s->oom = 1;
    }
}

static void emit_str(struct scan *s, const char *t)
{
    emit(s, t, strlen(t));
}

/* A literal byte in ERE form. */
static void emit_literal(struct scan *s, char c)
{
    if (strchr(".[]()*+?{}|^$\\", c) != NULL && c != '\0') {
        char t[2] = {'\\', c};
        emit(s, t, 2);
    } else {
        emit(s, &c, 1);
    }
}

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static void atom(struct scan *s, double cost)
{
    s->atom_cost = cost;
    if (cost > s->level_cost[s->depth]) {
        s->level_cost[s->depth] = cost;
    }
}

/* An escape outside a class at s->p[*i] == '\\'. */
static int escape(struct scan *s, size_t *i)
{
    const char *p = s->p;
    size_t n = s->n;
    size_t j = *i + 1;

    if (j >= n) {
        return fail(s, "Unexpected internal error", (long)n);
    }
    char c = p[j];
    switch (c) {
    case '0': {
        size_t k = j + 1;
        if (k >= n || p[k] < '0' || p[k] > '7') {
            return fail(s, "Illegal octal escape sequence", (long)k);
        }
        while (k < n && k < j + 4 && p[k] >= '0' && p[k] <= '7') {
            k++;
        }
        s->unsup = 1;
        *i = k;
        atom(s, 1);
        return KC_OK;
    }
    case 'u': {
        size_t k = j + 1;
        while (k < n && k < j + 5 && is_hex(p[k])) {
            k++;
        }
        if (k < j + 5) {
            return fail(s, "Illegal Unicode escape sequence", (long)k);
        }
        s->unsup = 1;
        *i = k;
        atom(s, 1);
        return KC_OK;
    }
    case 'x': {
        size_t k = j + 1;
        if (k < n && p[k] == '{') {
            size_t h = k + 1;
            while (h < n && is_hex(p[h])) {
                h++;
            }
            if (h == k + 1 || h >= n || p[h] != '}') {
                return fail(s, "Unclosed hexadecimal escape sequence", (long)h);
            }
            k = h + 1;
        } else {
            if (k >= n || !is_hex(p[k])) {
                return fail(s, "Illegal hexadecimal escape sequence", (long)k);
            }
            if (k + 1 >= n || !is_hex(p[k + 1])) {
                return fail(s, "Illegal hexadecimal escape sequence", (long)(k + 1));
            }
            k += 2;
        }
        s->unsup = 1;
        *i = k;
        atom(s, 1);
        return KC_OK;
    }
    case 'c':
        if (j + 1 >= n) {
            return fail(s, "Illegal control escape sequence", (long)j);
        }
        s->unsup = 1;
        *i = j + 2;
        atom(s, 1);
        return KC_OK;
    case 'p':
    case 'P':
        if (j + 1 < n && p[j + 1] == '{') {
            const char *close = memchr(p + j + 2, '}', n - j - 2);
            if (close == NULL) {
                return fail(s, "Unclosed character family", (long)n);
            }
            *i = (size_t)(close - p) + 1;
        } else {
            if (j + 1 >= n) {
                return fail(s, "Illegal character family", (long)(j + 1));
            }
            *i = j + 2;
        }
        s->unsup = 1;
        atom(s, 1);
        return KC_OK;
    case 'k': {
        if (j + 1 >= n || p[j + 1] != '<') {
            return fail(s, "\\k is not followed by '<' for named capturing group", (long)(j + 1));
        }
        const char *close = memchr(p + j + 2, '>', n - j - 2);
        if (close == NULL) {
            return fail(s, "named capturing group is missing trailing '>'", (long)n);
        }
        s->unsup = 1;
        *i = (size_t)(close - p) + 1;
        atom(s, 1);
        return KC_OK;
    }
    case 'Q': {
        size_t k = j + 1;
        while (k < n && !(p[k] == '\\' && k + 1 < n && p[k + 1] == 'E')) {
            emit_literal(s, p[k]);
            k++;
        }
        *i = k < n ? k + 2 : n;
        atom(s, 1);
        return KC_OK;
    }
    case 't':
        emit_str(s, "\t");
        break;
    case 'n':
        emit_str(s, "\n");
        break;
    case 'r':
        emit_str(s, "\r");
        break;
    case 'f':
        emit_str(s, "\f");
        break;
    case 'a':
        emit_str(s, "\a");
        break;
    case 'e':
        emit_str(s, "\033");
        break;
    case 'd':
        emit_str(s, "[0-9]");
        break;
    case 'D':
        emit_str(s, "[^0-9]");
        break;
    case 'w':
        emit_str(s, "[a-zA-Z0-9_]");
        break;
    case 'W':
        emit_str(s, "[^a-zA-Z0-9_]");
        break;
    case 's':
        emit_str(s, "[ \t\n\v\f\r]");
        break;
    case 'S':
        emit_str(s, "[^ \t\n\v\f\r]");
        break;
    case 'h':
    case 'H':
    case 'v':
    case 'V':
    case 'R':
    case 'X':
    case 'N':
    case 'b':
    case 'B':
    case 'A':
    case 'G':
    case 'Z':
    case 'z':
        s->unsup = 1;
        break;
    default:
        if (c >= '1' && c <= '9') {
            s->unsup = 1; /* back-reference */
            size_t k = j + 1;
            while (k < n && is_digit(p[k])) {
                k++;
            }
            *i = k;
            atom(s, 1);
            return KC_OK;
        }
        if (is_alpha(c)) {
            return fail(s, "Illegal/unsupported escape sequence", (long)j);
        }
        emit_literal(s, c);
        break;
    }
    *i = j + 1;
    atom(s, 1);
    return KC_OK;
}

/* A character class starting at s->p[*i] == '['. */
static int char_class(struct scan *s, size_t *i)
{
    const char *p = s->p;
    size_t n = s->n;
    size_t j = *i + 1;
    int nest = 1;
    int items = 0;
    int prev = -1; /* previous literal, for range checks */
    int local_unsup = 0;

    if (j < n && p[j] == '^') {
        j++;
    }
    for (;;) {
        if (j >= n) {
            return fail(s, "Unclosed character class", (long)n - 1);
        }
        char c = p[j];
        if (c == '\\') {
            if (j + 1 >= n) {
                return fail(s, "Unclosed character class", (long)n - 1);
            }
            char e = p[j + 1];
            if (is_alpha(e) &&
                strchr("dDwWsStnrfaehHvVpPxu0cQE", e) == NULL) {
                return fail(s, "Illegal/unsupported escape sequence", (long)(j + 1));
            }
            if ((e == 'p' || e == 'P') && j + 2 < n && p[j + 2] == '{') {
                const char *close = memchr(p + j + 3, '}', n - j - 3);
                j = close != NULL ? (size_t)(close - p) + 1 : n;
            } else {
                j += 2;
            }
            local_unsup = 1;
            prev = -1;
            items++;
            continue;
        }
        if (c == '[') {
            nest++;
            local_unsup = 1;
            items = 0;
            prev = -1;
            j++;
            continue;
        }
        if (c == ']') {
            if (items == 0) {
                prev = ']';
                items++;
                j++;
                continue;
            }
            nest--;
            j++;
            if (nest == 0) {
                break;
            }
            items++;
            prev = -1;
            continue;
        }
        if (c == '&' && j + 1 < n && p[j + 1] == '&') {
            local_unsup = 1;
            prev = -1;
            j += 2;
            continue;
        }
        if (c == '-' && prev >= 0 && j + 1 < n && p[j + 1] != ']') {
            char hi = p[j + 1];
            if (hi == '\\' || hi == '[') {
                if (hi == '\\' && j + 2 < n && strchr("dDwWsS", p[j + 2]) != NULL) {
                    return fail(s, "Illegal character range", (long)(j + 2));
                }
                local_unsup = 1;
                prev = -1;
                j++;
                continue;
            }
            if ((unsigned char)hi < (unsigned char)prev) {
                return fail(s, "Illegal character range", (long)(j + 1));
            }
            j += 2;
            prev = -1;
            items++;
            continue;
        }
        if ((unsigned char)c >= 0x80) {
            local_unsup = 1;
        }
        prev = (unsigned char)c;
        items++;
        j++;
    }
    if (local_unsup) {
        s->unsup = 1;
    } else {
        emit(s, p + *i, j - *i); /* a plain Java class is a valid POSIX bracket expression */
    }
    *i = j;
    atom(s, 1);
    return KC_OK;
}

static int open_group(struct scan *s, size_t *i)
{
    const char *p = s->p;
    size_t n = s->n;
    size_t j = *i + 1;
    int push = 1;

    if (j < n && p[j] == '?') {
        j++;
        if (j >= n) {
            return fail(s, "Unknown inline modifier", (long)n);
        }
        char c = p[j];
        if (c == ':') {
            j++;
        } else if (c == '=' || c == '!' || c == '>') {
            s->unsup = 1;
            j++;
        } else if (c == '<') {
            j++;
            if (j < n && (p[j] == '=' || p[j] == '!')) {
                s->unsup = 1;
                j++;
            } else {
                if (j >= n || !is_alpha(p[j])) {
                    return fail(s, "capturing group name does not start with a Latin letter",
                                (long)j);
                }
                while (j < n && (is_alpha(p[j]) || is_digit(p[j]))) {
                    j++;
                }
                if (j >= n || p[j] != '>') {
                    return fail(s, "named capturing group is missing trailing '>'", (long)j);
                }
                j++;
            }
        } else {
            /* inline flags: (?idmsuxU-idmsuxU) or (?flags:...) */
            while (j < n && strchr("idmsuxU-", p[j]) != NULL && p[j] != '\0') {
                j++;
            }
            if (j >= n) {
                return fail(s, "Unknown inline modifier", (long)n);
            }
            if (p[j] == ')') {
                push = 0;
            } else if (p[j] != ':') {
                return fail(s, "Unknown inline modifier", (long)j);
            }
            j++;
            s->unsup = 1;
        }
    }
    if (push) {
        if (s->depth >= CONF_REGEX_MAX_DEPTH) {
            return fail(s, "Too deeply nested groups", (long)*i);
        }
        emit_str(s, "(");
        s->depth++;
        s->level_cost[s->depth] = 1;
    }
    *i = j;
    return KC_OK;
}

/* {n}, {n,} or {n,m} at s->p[*i] == '{' (after an atom). */
static int counted(struct scan *s, size_t *i, double *times)
{
    const char *p = s->p;
    size_t n = s->n;
    size_t j = *i + 1;
    uint64_t lo = 0;
    uint64_t hi = 0;
    int has_hi = 1;

    if (j >= n || !is_digit(p[j])) {
        return fail(s, "Illegal repetition", (long)j);
    }
    while (j < n && is_digit(p[j])) {
        lo = lo * 10 + (uint64_t)(p[j] - '0');
        if (lo > INT32_MAX) {
            lo = (uint64_t)INT32_MAX + 1;
        }
        j++;
    }
    hi = lo;
    if (j < n && p[j] == ',') {
        j++;
        if (j < n && is_digit(p[j])) {
            hi = 0;
            while (j < n && is_digit(p[j])) {
                hi = hi * 10 + (uint64_t)(p[j] - '0');
                if (hi > INT32_MAX) {
                    hi = (uint64_t)INT32_MAX + 1;
                }
                j++;
            }
        } else {
            has_hi = 0;
        }
    }
    if (j >= n) {
        return fail(s, "Unclosed counted closure", (long)n);
    }
    if (p[j] != '}') {
        return fail(s, "Unclosed counted closure", (long)j);
    }
    if (lo > INT32_MAX || (has_hi && (hi > INT32_MAX || hi < lo))) {
        return fail(s, "Illegal repetition range", (long)j);
    }
    emit(s, p + *i, j + 1 - *i);
    *times = (double)(has_hi ? hi : lo) + 1;
    if (lo > 255 || (has_hi && hi > 255)) {
        s->unsup = 1; /* beyond POSIX RE_DUP_MAX */
    }
    *i = j + 1;
    return KC_OK;
}

static int scan_pattern(struct scan *s)
{
    const char *p = s->p;
    size_t n = s->n;
    size_t i = 0;
    int can_quantify = 0;
    int after_quantifier = 0;
    int rc;

    s->depth = 0;
    s->level_cost[0] = 1;
    s->atom_cost = 1;
    while (i < n) {
        char c = p[i];
        switch (c) {
        case '\\':
            rc = escape(s, &i);
            can_quantify = 1;
            after_quantifier = 0;
            break;
        case '[':
            rc = char_class(s, &i);
            can_quantify = 1;
            after_quantifier = 0;
            break;
        case '(':
            rc = open_group(s, &i);
            can_quantify = 0;
            after_quantifier = 0;
            break;
        case ')':
            if (s->depth == 0) {
                return fail(s, "Unmatched closing ')'", (long)i - 1);
            }
            emit_str(s, ")");
            {
                double inner = s->level_cost[s->depth];
                s->depth--;
                atom(s, inner);
            }
            i++;
            rc = KC_OK;
            can_quantify = 1;
            after_quantifier = 0;
            break;
        case '|':
            emit_str(s, "|");
            i++;
            rc = KC_OK;
            can_quantify = 0;
            after_quantifier = 0;
            break;
        case '*':
        case '+':
        case '?':
            if (!can_quantify) {
                char desc[40];
                snprintf(desc, sizeof(desc), "Dangling meta character '%c'", c);
                return fail(s, desc, (long)i);
            }
            emit(s, &c, 1);
            i++;
            if (i < n && (p[i] == '?' || p[i] == '+')) {
                i++; /* lazy / possessive: the same set of full matches in ERE */
            }
            rc = KC_OK;
            can_quantify = 0;
            after_quantifier = 1;
            break;
        case '{': {
            double times = 1;
            if (!can_quantify && !after_quantifier) {
                if (i + 1 < n && is_digit(p[i + 1])) {
                    return fail(s, "Dangling meta character '{'", (long)i);
                }
                return fail(s, "Illegal repetition", (long)i + 1);
            }
            if (after_quantifier) {
                s->unsup = 1; /* x{2}{3}: Java takes it; stacked closures are costly in ERE */
            }
            rc = counted(s, &i, &times);
            if (rc == KC_OK) {
                atom(s, s->atom_cost * times);
                if (s->atom_cost > POSIX_MAX_COST) {
                    s->unsup = 1;
                }
                if (i < n && (p[i] == '?' || p[i] == '+')) {
                    i++;
                }
            }
            can_quantify = 0;
            after_quantifier = 1;
            break;
        }
        case '.':
        case '^':
        case '$':
            emit(s, &c, 1);
            i++;
            atom(s, 1);
            rc = KC_OK;
            can_quantify = 1;
            after_quantifier = 0;
            break;
        default:
            if (c == ']' || c == '}') {
                emit_literal(s, c);
            } else {
                emit(s, &c, 1);
            }
            i++;
            atom(s, 1);
            rc = KC_OK;
            can_quantify = 1;
            after_quantifier = 0;
            break;
        }
        if (rc != KC_OK) {
            return rc;
        }
    }
    if (s->depth > 0) {
        return fail(s, "Unclosed group", (long)n);
    }
    return KC_OK;
}

int conf_regex_check(const char *pattern, char *msg, size_t msg_len)
{
    struct scan s;

    memset(&s, 0, sizeof(s));
    s.p = pattern;
    s.n = strlen(pattern);
    s.msg = msg;
    s.msg_len = msg_len;
    return scan_pattern(&s);
}

int conf_regex_to_posix(const char *pattern, int anchor, char **out)
{
    struct scan s;
    struct kc_buf b;
    int rc;

    *out = NULL;
    memset(&s, 0, sizeof(s));
    s.p = pattern;
    s.n = strlen(pattern);
    kc_buf_init(&b, POSIX_MAX_PATTERN * 4);
    s.out = &b;
    if (anchor) {
        emit_str(&s, "^(");
    }
    rc = scan_pattern(&s);
    if (anchor) {
        emit_str(&s, ")$");
    }
    if (rc == KC_OK && (s.unsup || s.n > POSIX_MAX_PATTERN)) {
        rc = KC_ENOENT;
    } else if (rc == KC_OK && s.oom) {
        rc = KC_ENOMEM;
    }
    if (rc == KC_OK) {
        *out = kc_buf_take(&b, NULL);
        rc = *out != NULL ? KC_OK : KC_ENOMEM;
    }
    kc_buf_fini(&b);
    return rc;
}
