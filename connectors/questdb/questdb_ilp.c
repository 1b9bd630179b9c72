/*
 * connectors/questdb/questdb_ilp.c: Kafka records as InfluxDB Line Protocol text, the way the
 * QuestDB connector's QuestDBSinkTask and QuestDB's Java client write it.
 *
 * One record is one line:
 *
 *     line   = table { "," tag "=" tagval } " " field "=" fval { "," field "=" fval }
 *              [ " " ts ] "\n"
 *     fval   = int "i" | double | "t" | "f" | '"' string '"' | micros "t"   (TIMESTAMP column)
 *            | "=" 0x0E 0x0A ndims dim*(u32 LE) double*(f64 LE)   (DOUBLE[], ILP v2 binary)
 *     ts     = nanoseconds since the epoch (absent: the server stamps the row, "atNow")
 *
 * Escaping: in the table name, tag names, tag values and field names a backslash goes before
 * ' ', ',', '=', '\\', '\r' and '\n'; in string values before '"', '\\', '\r' and '\n'. Doubles are
 * written with Java's Double.toString digits ("1.0", "1.0E10", "NaN"), which QuestDB parses.
 *
 * Mapping (QuestDBSinkTask.handleObject): the key (include.key) is written under key.prefix and
 * the value under value.prefix; struct fields and map keys are flattened with '_' ("a_b"), a
 * primitive key or value becomes "key" / "value" when its prefix is empty, and '.' in a name
 * becomes '_'. Null fields are left out. Symbols (the `symbols` list) become tags, which ILP puts
 * before fields; a number in a symbol column is sent as its text. Arrays of numbers (rectangular,
 * no nulls) become DOUBLE[] columns in ILP v2's binary field form when the server takes it
 * (questdb_conf's `arrays`); their bytes may include '\n', so lines are found by the offsets the
 * sink keeps, never by scanning. The designated timestamp field
 * is consumed (not written as a column). Invariant: a record that fails leaves the output buffer
 * byte for byte as it was, and state from a failed record never leaks into the next one (the
 * JVM connector's bug #40).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kc_alloc.h"
#include "questdb_ilp.h"
#include "sink.h"

/* ---------------------------------------------------------------------------------------------
 * date-format patterns */

enum tok {
    T_LIT,
    T_YEAR,
    T_MONTH,
    T_MONTH_NAME,
    T_DAY,
    T_HOUR24,
    T_HOUR12,
    T_AMPM,
    T_MINUTE,
    T_SECOND,
    T_MILLIS,
    T_MICROS,
    T_NANOS,
    T_DAY_NAME,
    T_ZONE,
};

struct ts_op {
    enum tok t;
    int width; /* fixed digits; 0 = variable (greedy, up to max) */
    char *lit; /* T_LIT: owned text */
};

struct questdb_ts_format {
    struct ts_op *ops; /* owned */
    size_t n;
};

void questdb_ts_format_free(struct questdb_ts_format *f)
{
    if (f == NULL) {
        return;
    }
    for (size_t i = 0; i < f->n; i++) {
        kc_free(f->ops[i].lit);
    }
    kc_free(f->ops);
    kc_free(f);
}

static int push_op(struct questdb_ts_format *f, enum tok t, int width, const char *lit,
                   size_t lit_len)
{
    struct ts_op *o = kc_realloc(f->ops, (f->n + 1) * sizeof(*o));
    if (o == NULL) {
        return KC_ENOMEM;
    }
    f->ops = o;
    o[f->n].t = t;
    o[f->n].width = width;
    o[f->n].lit = NULL;
    if (t == T_LIT) {
        o[f->n].lit = kc_malloc(lit_len + 1);
        if (o[f->n].lit == NULL) {
            return KC_ENOMEM;
        }
        memcpy(o[f->n].lit, lit, lit_len);
        o[f->n].lit[lit_len] = '\0';
    }
    f->n++;
    return KC_OK;
}

int questdb_ts_format_compile(const char *pattern, struct questdb_ts_format **out,
                              struct kc_error *err)
{
    *out = NULL;
    struct questdb_ts_format *f = kc_calloc(1, sizeof(*f));
    if (f == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    const char *p = pattern;
    int rc = KC_OK;
    while (*p != '\0' && rc == KC_OK) {
        char c = *p;
        size_t run = 1;
        while (p[run] == c) {
            run++;
        }
        int w = run == 1 ? 0 : (int)run;
        switch (c) {
        case 'y':
            rc = push_op(f, T_YEAR, run == 2 ? 2 : (run >= 4 ? 4 : 0), NULL, 0);
            break;
        case 'M':
            rc = run >= 3 ? push_op(f, T_MONTH_NAME, (int)run, NULL, 0)
                          : push_op(f, T_MONTH, w, NULL, 0);
            break;
        case 'd':
            rc = push_op(f, T_DAY, w, NULL, 0);
            break;
        case 'H':
            rc = push_op(f, T_HOUR24, w, NULL, 0);
            break;
        case 'h':
            rc = push_op(f, T_HOUR12, w, NULL, 0);
            break;
        case 'a':
            rc = push_op(f, T_AMPM, 0, NULL, 0);
            break;
        case 'm':
            rc = push_op(f, T_MINUTE, w, NULL, 0);
            break;
        case 's':
            rc = push_op(f, T_SECOND, w, NULL, 0);
            break;
        case 'S':
            rc = push_op(f, T_MILLIS, run >= 3 ? 3 : 0, NULL, 0);
            break;
        case 'U':
            rc = push_op(f, T_MICROS, run >= 3 ? 3 : 0, NULL, 0);
            break;
        case 'N':
            rc = push_op(f, T_NANOS, run >= 3 ? 3 : 0, NULL, 0);
            break;
        case 'E':
            rc = push_op(f, T_DAY_NAME, (int)run, NULL, 0);
            break;
        case 'Z':
        case 'z':
            rc = push_op(f, T_ZONE, 0, NULL, 0);
            break;
        case '\'': {
            const char *end = strchr(p + 1, '\'');
            if (end == NULL) {
                questdb_ts_format_free(f);
                return kc_error_set(err, KC_EINVAL,
                                    "timestamp format '%s': unterminated quoted text", pattern);
            }
            rc = end == p + 1 ? push_op(f, T_LIT, 0, "'", 1)
                              : push_op(f, T_LIT, 0, p + 1, (size_t)(end - p - 1));
            run = (size_t)(end - p) + 1;
            break;
        }
        default:
            if (isalpha((unsigned char)c) && c != 'T') {
                questdb_ts_format_free(f);
                return kc_error_set(err, KC_EINVAL,
                                    "timestamp format '%s': unsupported pattern letter '%c'",
                                    pattern, c);
            }
            rc = push_op(f, T_LIT, 0, p, run);
            break;
        }
        p += run;
    }
    if (rc != KC_OK) {
        questdb_ts_format_free(f);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    *out = f;
    return KC_OK;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static const char *const month_names[] = {"january", "february", "march",     "april",
                                          "may",     "june",     "july",      "august",
                                          "september", "october", "november", "december"};
static const char *const day_names[] = {"monday", "tuesday",  "wednesday", "thursday",
                                        "friday", "saturday", "sunday"};

/* Digits at *p: exactly width (width > 0) or 1..max (width == 0). */
static int read_num(const char **p, const char *end, int width, int max, int64_t *out)
{
    int n = 0;
    int64_t v = 0;
    int lim = width > 0 ? width : max;
    while (*p < end && n < lim && isdigit((unsigned char)**p)) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    if (n == 0 || (width > 0 && n != width)) {
        return -1;
    }
    *out = v;
    return n;
}

/* Match a name (full or 3-letter) case-insensitively; index or -1. */
static int read_name(const char **p, const char *end, const char *const *names, int count)
{
    for (int i = 0; i < count; i++) {
        size_t full = strlen(names[i]);
        if ((size_t)(end - *p) >= full && strncasecmp(*p, names[i], full) == 0) {
            *p += full;
            return i;
        }
    }
    for (int i = 0; i < count; i++) {
        if (end - *p >= 3 && strncasecmp(*p, names[i], 3) == 0) {
            *p += 3;
            return i;
        }
    }
    return -1;
}

int questdb_ts_format_parse(const struct questdb_ts_format *f, const char *s, size_t n,
                            int64_t *micros, struct kc_error *err)
{
    const char *p = s, *end = s + n;
    int64_t year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0,
            us = 0, pm = -1, offset_s = 0, x = 0;
    for (size_t i = 0; i < f->n; i++) {
        const struct ts_op *o = &f->ops[i];
        int ok = 1;
        switch (o->t) {
        case T_LIT: {
            size_t l = strlen(o->lit);
            ok = (size_t)(end - p) >= l && memcmp(p, o->lit, l) == 0;
            p += ok ? l : 0;
            break;
        }
        case T_YEAR: {
            int neg = 0;
            if (o->width == 0 && p < end && *p == '-') {
                neg = 1;
                p++;
            }
            int got = read_num(&p, end, o->width, 9, &year);
            ok = got > 0;
            if (ok && o->width == 2) {
                year += year < 70 ? 2000 : 1900; /* two-digit years, as QuestDB's yy */
            }
            year = neg ? -year : year;
            break;
        }
        case T_MONTH:
            ok = read_num(&p, end, o->width, 2, &month) > 0 && month >= 1 && month <= 12;
            break;
        case T_MONTH_NAME: {
            int m = read_name(&p, end, month_names, 12);
            ok = m >= 0;
            month = m + 1;
            break;
        }
        case T_DAY:
            ok = read_num(&p, end, o->width, 2, &day) > 0 && day >= 1 && day <= 31;
            break;
        case T_HOUR24:
            ok = read_num(&p, end, o->width, 2, &hour) > 0 && hour <= 23;
            break;
        case T_HOUR12:
            ok = read_num(&p, end, o->width, 2, &hour) > 0 && hour >= 1 && hour <= 12;
            break;
        case T_AMPM:
            if (end - p >= 2 && strncasecmp(p, "am", 2) == 0) {
                pm = 0;
            } else if (end - p >= 2 && strncasecmp(p, "pm", 2) == 0) {
                pm = 1;
            } else {
                ok = 0;
            }
            p += ok ? 2 : 0;
            break;
        case T_MINUTE:
            ok = read_num(&p, end, o->width, 2, &minute) > 0 && minute <= 59;
            break;
        case T_SECOND:
            ok = read_num(&p, end, o->width, 2, &second) > 0 && second <= 59;
            break;
        case T_MILLIS: {
            int got = read_num(&p, end, o->width, 3, &millis);
            ok = got > 0;
            break;
        }
        case T_MICROS:
            ok = read_num(&p, end, o->width, 3, &us) > 0;
            break;
        case T_NANOS:
            ok = read_num(&p, end, o->width, 3, &x) > 0; /* below our resolution */
            break;
        case T_DAY_NAME:
            ok = read_name(&p, end, day_names, 7) >= 0;
            break;
        case T_ZONE:
            if (p < end && (*p == 'Z' || *p == 'z')) {
                p++;
            } else if (end - p >= 3 && strncmp(p, "UTC", 3) == 0) {
                p += 3;
            } else if (end - p >= 3 && strncmp(p, "GMT", 3) == 0) {
                p += 3;
            } else if (p < end && (*p == '+' || *p == '-')) {
                int sign = *p == '-' ? -1 : 1;
                int64_t hh = 0, mm = 0;
                p++;
                ok = read_num(&p, end, 2, 2, &hh) == 2 && hh <= 23;
                if (ok && p < end && *p == ':') {
                    p++;
                    ok = read_num(&p, end, 2, 2, &mm) == 2 && mm <= 59;
                } else if (ok && p < end && isdigit((unsigned char)*p)) {
                    ok = read_num(&p, end, 2, 2, &mm) == 2 && mm <= 59;
                }
                offset_s = sign * (hh * 3600 + mm * 60);
            } else {
                ok = 0;
            }
            break;
        }
        if (!ok) {
            return kc_error_set(err, KC_EINVAL,
                                "Cannot parse timestamp: %.*s at position %d with the configured "
                                "format (timestamp.string.format)",
                                (int)(n > 200 ? 200 : n), s, (int)(p - s));
        }
    }
    if (p != end) {
        return kc_error_set(err, KC_EINVAL,
                            "Cannot parse timestamp: %.*s (unexpected text at position %d)",
                            (int)(n > 200 ? 200 : n), s, (int)(p - s));
    }
    if (pm >= 0) {
        hour = hour % 12 + (pm ? 12 : 0);
    }
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (day > mdays[month - 1] || (month == 2 && day == 29 && !leap)) {
        return kc_error_set(err, KC_EINVAL, "Cannot parse timestamp: %.*s (no such day)",
                            (int)(n > 200 ? 200 : n), s);
    }
    int64_t days = days_from_civil(year, (unsigned)month, (unsigned)day);
    int64_t secs, m;
    /* a year of many digits is a number, but not a timestamp QuestDB can hold (int64 micros) */
    if (days > 106751990 || days < -106751990 ||
        __builtin_mul_overflow(days, (int64_t)86400, &secs) ||
        __builtin_add_overflow(secs, (int64_t)hour * 3600 + minute * 60 + second - offset_s,
                               &secs) ||
        __builtin_mul_overflow(secs, (int64_t)1000000, &m) ||
        __builtin_add_overflow(m, (int64_t)millis * 1000 + us, &m)) {
        return kc_error_set(err, KC_EINVAL, "Cannot parse timestamp: %.*s (out of range)",
                            (int)(n > 200 ? 200 : n), s);
    }
    *micros = m;
    return KC_OK;
}

int64_t questdb_ts_to_nanos(int64_t v, enum questdb_ts_unit unit)
{
    if (unit == QUESTDB_TS_AUTO) {
        int64_t a = v < 0 ? -v : v;
        unit = a < 10000000000LL           ? QUESTDB_TS_SECONDS
               : a < 10000000000000LL      ? QUESTDB_TS_MILLIS
               : a < 10000000000000000LL   ? QUESTDB_TS_MICROS
                                           : QUESTDB_TS_NANOS;
    }
    int64_t mul = unit == QUESTDB_TS_SECONDS  ? 1000000000LL
                  : unit == QUESTDB_TS_MILLIS ? 1000000LL
                  : unit == QUESTDB_TS_MICROS ? 1000LL
                                              : 1;
    if (v > INT64_MAX / mul) {
        return INT64_MAX;
    }
    if (v < INT64_MIN / mul) {
        return INT64_MIN;
    }
    return v * mul;
}

/* ---------------------------------------------------------------------------------------------
 * escaping */

int questdb_ilp_escape_name(struct kc_buf *b, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == ' ' || c == ',' || c == '=' || c == '\\' || c == '\n' || c == '\r') {
            if (kc_buf_append(b, s + start, i - start) != KC_OK ||
                kc_buf_append_byte(b, '\\') != KC_OK) {
                return KC_ENOMEM;
            }
            start = i;
        }
    }
    return kc_buf_append(b, s + start, n - start);
}

int questdb_ilp_quote(struct kc_buf *b, const char *s, size_t n)
{
    if (kc_buf_append_byte(b, '"') != KC_OK) {
        return KC_ENOMEM;
    }
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '"' || c == '\\' || c == '\n' || c == '\r') {
            if (kc_buf_append(b, s + start, i - start) != KC_OK ||
                kc_buf_append_byte(b, '\\') != KC_OK) {
                return KC_ENOMEM;
            }
            start = i;
        }
    }
    if (kc_buf_append(b, s + start, n - start) != KC_OK) {
        return KC_ENOMEM;
    }
    return kc_buf_append_byte(b, '"');
}

/* ---------------------------------------------------------------------------------------------
 * record -> line */

#define QDB_LINE_MAX ((size_t)1 << 30)

int questdb_ilp_init(struct questdb_ilp *e, const struct questdb_conf *qc, struct kc_error *err)
{
    memset(e, 0, sizeof(*e));
    e->qc = qc;
    kc_buf_init(&e->tags, QDB_LINE_MAX);
    kc_buf_init(&e->fields, QDB_LINE_MAX);
    kc_buf_init(&e->scratch, QDB_LINE_MAX);
    if (qc->n_ts_fields > 1) {
        e->composed = kc_calloc(qc->n_ts_fields, sizeof(*e->composed));
        if (e->composed == NULL) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
    }
    return KC_OK;
}

void questdb_ilp_fini(struct questdb_ilp *e)
{
    kc_buf_fini(&e->tags);
    kc_buf_fini(&e->fields);
    kc_buf_fini(&e->scratch);
    kc_free(e->composed);
    memset(e, 0, sizeof(*e));
}

/* Column names QuestDB refuses (TableUtils.isValidColumnName). */
static int bad_column_char(unsigned char c)
{
    return c == '?' || c == '.' || c == ',' || c == '\'' || c == '"' || c == '\\' || c == '/' ||
           c == ':' || c == ')' || c == '(' || c == '+' || c == '-' || c == '*' || c == '%' ||
           c == '~' || c < 0x20 || c == 0x7f;
}

static int oom(struct kc_error *err)
{
    return kc_error_set(err, KC_ENOMEM, "out of memory while building an ILP line");
}

/* The column name for (name, fallback): '.' -> '_', then QuestDB's rules. Into e->scratch. */
static int column_name(struct questdb_ilp *e, const char *name, const char *fallback,
                       struct kc_error *err)
{
    const char *src = name[0] != '\0' ? name : fallback;
    size_t n = strlen(src);
    kc_buf_reset(&e->scratch);
    if (n == 0) {
        return kc_error_set(err, KC_EINVAL, "empty column name");
    }
    if ((int64_t)n > e->qc->client.max_name_len) {
        return kc_error_set(err, KC_EINVAL, "column name '%.64s...' is longer than %lld bytes",
                            src, (long long)e->qc->client.max_name_len);
    }
    if (kc_buf_append(&e->scratch, src, n) != KC_OK) {
        return oom(err);
    }
    for (size_t i = 0; i < n; i++) {
        if (e->scratch.data[i] == '.') {
            e->scratch.data[i] = '_';
        } else if (bad_column_char((unsigned char)e->scratch.data[i])) {
            return kc_error_set(err, KC_EINVAL,
                                "column name '%s' contains an illegal char '%c' (QuestDB column "
                                "names cannot contain ?.,'\"\\/:()+-*%%~ or control characters)",
                                e->scratch.data,
                                isprint((unsigned char)e->scratch.data[i]) ? e->scratch.data[i]
                                                                           : '?');
        }
    }
    return KC_OK;
}

static int field_start(struct questdb_ilp *e, struct kc_error *err)
{
    if (e->fields.len > 0 && kc_buf_append_byte(&e->fields, ',') != KC_OK) {
        return oom(err);
    }
    if (questdb_ilp_escape_name(&e->fields, e->scratch.data, e->scratch.len) != KC_OK ||
        kc_buf_append_byte(&e->fields, '=') != KC_OK) {
        return oom(err);
    }
    return KC_OK;
}

static int put_symbol(struct questdb_ilp *e, const char *v, size_t n, struct kc_error *err)
{
    if (kc_buf_append_byte(&e->tags, ',') != KC_OK ||
        questdb_ilp_escape_name(&e->tags, e->scratch.data, e->scratch.len) != KC_OK ||
        kc_buf_append_byte(&e->tags, '=') != KC_OK ||
        questdb_ilp_escape_name(&e->tags, v, n) != KC_OK) {
        return oom(err);
    }
    return KC_OK;
}

/* Decimal digits of v into out (at least 21 bytes); returns the length. snprintf costs a
 * locale-aware formatter per column. */
static size_t fmt_i64(int64_t v, char *out)
{
    char tmp[24];
    size_t n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    size_t k = 0;
    if (v < 0) {
        out[k++] = '-';
    }
    while (n > 0) {
        out[k++] = tmp[--n];
    }
    out[k] = '\0';
    return k;
}

static int put_long(struct questdb_ilp *e, int64_t v, struct kc_error *err)
{
    char num[32];
    const struct questdb_conf *qc = e->qc;
    if (questdb_name_in(qc->symbols, qc->n_symbols, e->scratch.data)) {
        int l = snprintf(num, sizeof(num), "%lld", (long long)v);
        return put_symbol(e, num, (size_t)l, err);
    }
    int rc = field_start(e, err);
    if (rc != KC_OK) {
        return rc;
    }
    size_t l;
    if (questdb_name_in(qc->doubles, qc->n_doubles, e->scratch.data)) {
        l = cdata_java_double_fmt((double)v, num);
    } else {
        l = fmt_i64(v, num);
        num[l++] = 'i';
    }
    return kc_buf_append(&e->fields, num, l) == KC_OK ? KC_OK : oom(err);
}

static int put_double(struct questdb_ilp *e, double v, struct kc_error *err)
{
    char num[CDATA_JAVA_DOUBLE_MAX];
    size_t l = cdata_java_double_fmt(v, num);
    if (questdb_name_in(e->qc->symbols, e->qc->n_symbols, e->scratch.data)) {
        return put_symbol(e, num, l, err);
    }
    int rc = field_start(e, err);
    if (rc == KC_OK && kc_buf_append(&e->fields, num, l) != KC_OK) {
        rc = oom(err);
    }
    return rc;
}

static int put_bool(struct questdb_ilp *e, int v, struct kc_error *err)
{
    if (questdb_name_in(e->qc->symbols, e->qc->n_symbols, e->scratch.data)) {
        return put_symbol(e, v ? "true" : "false", v ? 4 : 5, err);
    }
    int rc = field_start(e, err);
    if (rc == KC_OK && kc_buf_append_byte(&e->fields, v ? 't' : 'f') != KC_OK) {
        rc = oom(err);
    }
    return rc;
}

static int put_ts_column(struct questdb_ilp *e, int64_t micros, struct kc_error *err)
{
    char num[32];
    int rc = field_start(e, err);
    if (rc != KC_OK) {
        return rc;
    }
    int l = snprintf(num, sizeof(num), "%lldt", (long long)micros);
    return kc_buf_append(&e->fields, num, (size_t)l) == KC_OK ? KC_OK : oom(err);
}

static int put_string(struct questdb_ilp *e, const char *s, size_t n, struct kc_error *err)
{
    const struct questdb_conf *qc = e->qc;
    if (questdb_name_in(qc->ts_string_fields, qc->n_ts_string_fields, e->scratch.data)) {
        int64_t us;
        int rc = questdb_ts_format_parse(qc->ts_format, s, n, &us, err);
        return rc != KC_OK ? rc : put_ts_column(e, us, err);
    }
    if (questdb_name_in(qc->symbols, qc->n_symbols, e->scratch.data)) {
        if (memchr(s, '\n', n) != NULL || memchr(s, '\r', n) != NULL) {
            /* QuestDB ends the line at a raw newline even when escaped in a tag. */
            return kc_error_set(err, KC_EINVAL, "symbol %s: a line break in a symbol value",
                                e->scratch.data);
        }
        return put_symbol(e, s, n, err);
    }
    int rc = field_start(e, err);
    if (rc == KC_OK && questdb_ilp_quote(&e->fields, s, n) != KC_OK) {
        rc = oom(err);
    }
    return rc;
}

static int unsupported(struct questdb_ilp *e, const char *name, const char *what,
                       struct kc_error *err);

#define QDB_ARRAY_MAX_DIMS 32
#define QDB_ARRAY_BINARY 14 /* ILP v2: '=' then this type byte marks a binary array field */
#define QDB_ARRAY_DOUBLE 10 /* element type tag: DOUBLE */

/* Shape of a rectangular array of numbers; KC_EINVAL for jagged, nulls or non-numbers. */
static int array_shape(const struct cdata_value *v, int depth, uint32_t *dims, int *ndims,
                       int *leaf, struct kc_error *err)
{
    if (depth >= QDB_ARRAY_MAX_DIMS) {
        return kc_error_set(err, KC_EINVAL, "array has more than %d dimensions",
                            QDB_ARRAY_MAX_DIMS);
    }
    if (depth >= *ndims) {
        *ndims = depth + 1;
        dims[depth] = v->n;
    } else if (dims[depth] != v->n) {
        return kc_error_set(err, KC_EINVAL, "array is not rectangular (jagged)");
    }
    int nested = -1;
    for (uint32_t i = 0; i < v->n; i++) {
        const struct cdata_value *it = v->u.items[i];
        if (it == NULL) {
            return kc_error_set(err, KC_EINVAL, "array has a null element");
        }
        int is_arr = it->type == CDATA_ARRAY;
        if (!is_arr && (it->type > CDATA_FLOAT64)) {
            return kc_error_set(err, KC_EINVAL, "array element of type %s (numbers only)",
                                cdata_type_name(it->type, 1));
        }
        if (nested >= 0 && nested != is_arr) {
            return kc_error_set(err, KC_EINVAL, "array is not rectangular (jagged)");
        }
        nested = is_arr;
        if (is_arr) {
            int rc = array_shape(it, depth + 1, dims, ndims, leaf, err);
            if (rc != KC_OK) {
                return rc;
            }
        } else if (*leaf < 0) {
            *leaf = depth;
        } else if (*leaf != depth) {
            return kc_error_set(err, KC_EINVAL, "array is not rectangular (jagged)");
        }
    }
    return KC_OK;
}

static int array_data(struct kc_buf *b, const struct cdata_value *v)
{
    for (uint32_t i = 0; i < v->n; i++) {
        const struct cdata_value *it = v->u.items[i];
        if (it->type == CDATA_ARRAY) {
            if (array_data(b, it) != KC_OK) {
                return KC_ENOMEM;
            }
            continue;
        }
        double d = it->type <= CDATA_INT64 ? (double)it->u.i : it->u.f;
        uint64_t bits;
        unsigned char le[8];
        memcpy(&bits, &d, 8);
        for (int k = 0; k < 8; k++) {
            le[k] = (unsigned char)(bits >> (8 * k));
        }
        if (kc_buf_append(b, le, 8) != KC_OK) {
            return KC_ENOMEM;
        }
    }
    return KC_OK;
}

/* A DOUBLE[] field in ILP v2's binary form: name "==" 14 10 ndims dims(u32 LE)... data(f64 LE). */
static int put_array(struct questdb_ilp *e, const struct cdata_value *v, struct kc_error *err)
{
    uint32_t dims[QDB_ARRAY_MAX_DIMS];
    int ndims = 0, leaf = -1;
    int rc = array_shape(v, 0, dims, &ndims, &leaf, err);
    if (rc == KC_OK && leaf >= 0 && leaf != ndims - 1) {
        rc = kc_error_set(err, KC_EINVAL, "array is not rectangular (jagged)");
    }
    if (rc != KC_OK) {
        char msg[KC_ERROR_MSG_MAX];
        snprintf(msg, sizeof(msg), "%s", err->msg);
        return kc_error_set(err, KC_EINVAL, "column %s: %s", e->scratch.data, msg);
    }
    if (questdb_name_in(e->qc->symbols, e->qc->n_symbols, e->scratch.data)) {
        return kc_error_set(err, KC_EINVAL, "column %s: an array cannot be a symbol",
                            e->scratch.data);
    }
    if ((rc = field_start(e, err)) != KC_OK) {
        return rc;
    }
    unsigned char hdr[3 + 4 * QDB_ARRAY_MAX_DIMS];
    size_t hl = 0;
    hdr[hl++] = '=';
    hdr[hl++] = QDB_ARRAY_BINARY;
    hdr[hl++] = QDB_ARRAY_DOUBLE;
    if (kc_buf_append(&e->fields, hdr, hl) != KC_OK ||
        kc_buf_append_byte(&e->fields, (uint8_t)ndims) != KC_OK) {
        return oom(err);
    }
    for (int i = 0; i < ndims; i++) {
        unsigned char le[4] = {(unsigned char)dims[i], (unsigned char)(dims[i] >> 8),
                               (unsigned char)(dims[i] >> 16), (unsigned char)(dims[i] >> 24)};
        if (kc_buf_append(&e->fields, le, 4) != KC_OK) {
            return oom(err);
        }
    }
    return array_data(&e->fields, v) == KC_OK ? KC_OK : oom(err);
}

static int unsupported(struct questdb_ilp *e, const char *name, const char *what,
                       struct kc_error *err)
{
    if (e->qc->skip_unsupported) {
        return KC_OK;
    }
    return kc_error_set(err, KC_EINVAL,
                        "Unsupported type %s for column %s (set skip.unsupported.types=true to "
                        "drop such fields)",
                        what, name);
}

/* Name for a child: parent + '_' + child, or child alone. Arena-free: a kc_buf on the stack. */
static int child_name(struct kc_buf *b, const char *parent, const char *child)
{
    if (parent[0] != '\0' &&
        (kc_buf_append_str(b, parent) != KC_OK || kc_buf_append_byte(b, '_') != KC_OK)) {
        return KC_ENOMEM;
    }
    if (kc_buf_append_str(b, child) != KC_OK) {
        return KC_ENOMEM;
    }
    return KC_OK;
}

static int designated(struct questdb_ilp *e, const struct cdata_schema *s,
                      const struct cdata_value *v, struct kc_error *err)
{
    const struct questdb_conf *qc = e->qc;
    if (v == NULL) {
        return kc_error_set(err, KC_EINVAL, "Timestamp column value cannot be null");
    }
    if (s == NULL) {
        s = v->schema;
    }
    if (cdata_schema_is(s, CDATA_LOGICAL_TIMESTAMP)) {
        e->ts_nanos = questdb_ts_to_nanos(v->u.i, QUESTDB_TS_MILLIS);
    } else if (cdata_schema_is(s, CDATA_LOGICAL_DATE)) {
        e->ts_nanos = questdb_ts_to_nanos(cdata_date_ms(v->u.i), QUESTDB_TS_MILLIS);
    } else if (v->type == CDATA_STRING) {
        int64_t us;
        int rc = questdb_ts_format_parse(qc->ts_format, v->u.s, v->n, &us, err);
        if (rc != KC_OK) {
            return rc;
        }
        e->ts_nanos = questdb_ts_to_nanos(us, QUESTDB_TS_MICROS);
    } else if (v->type == CDATA_INT64 || (s != NULL && v->type <= CDATA_INT64)) {
        int micro = s != NULL && s->name != NULL &&
                    strcmp(s->name, "io.debezium.time.MicroTimestamp") == 0;
        e->ts_nanos = questdb_ts_to_nanos(v->u.i, micro ? QUESTDB_TS_MICROS : qc->ts_units);
    } else {
        return kc_error_set(err, KC_EINVAL, "Unsupported timestamp column type: %s",
                            cdata_type_name(v->type, 1));
    }
    e->has_ts = 1;
    return KC_OK;
}

static int handle_object(struct questdb_ilp *e, const char *name, const struct cdata_schema *s,
                         const struct cdata_value *v, const char *fallback, int depth,
                         struct kc_error *err);

static int handle_children(struct questdb_ilp *e, const char *name, const struct cdata_schema *s,
                           const struct cdata_value *v, const char *fallback, int depth,
                           struct kc_error *err)
{
    /* Child names are built on the stack when they fit (no allocation per record), else in a
     * kc_buf. */
    char small[256];
    struct kc_buf cn;
    int rc = KC_OK;
    size_t plen = strlen(name);
    kc_buf_init(&cn, 1 << 20);
    for (uint32_t i = 0; i < v->n && rc == KC_OK; i++) {
        const char *child;
        const struct cdata_schema *cs = NULL;
        const struct cdata_value *cv;
        if (v->type == CDATA_STRUCT) {
            const struct cdata_schema *ss = s != NULL ? s : v->schema;
            child = ss->fields[i].name;
            cs = ss->fields[i].schema;
            cv = v->u.items[i];
        } else {
            const struct cdata_value *k = v->u.map.keys[i];
            if (k == NULL || k->type != CDATA_STRING) {
                rc = kc_error_set(err, KC_EINVAL, "Map keys must be strings");
                break;
            }
            child = k->u.s;
            cv = v->u.map.vals[i];
            cs = s != NULL ? s->values : NULL;
        }
        const char *full;
        size_t clen = strlen(child);
        if (plen + 1 + clen < sizeof(small)) {
            if (plen > 0) {
                memcpy(small, name, plen);
                small[plen] = '_';
                memcpy(small + plen + 1, child, clen + 1);
            } else {
                memcpy(small, child, clen + 1);
            }
            full = small;
        } else {
            kc_buf_reset(&cn);
            if (child_name(&cn, name, child) != KC_OK) {
                rc = oom(err);
                break;
            }
            full = cn.data;
        }
        /* A struct's fields lose the fallback (handleStruct passes ""); a map's keep it. */
        rc = handle_object(e, full, cs, cv, v->type == CDATA_STRUCT ? "" : fallback, depth + 1,
                           err);
    }
    kc_buf_fini(&cn);
    return rc;
}

static int handle_object(struct questdb_ilp *e, const char *name, const struct cdata_schema *s,
                         const struct cdata_value *v, const char *fallback, int depth,
                         struct kc_error *err)
{
    const struct questdb_conf *qc = e->qc;
    if (depth > 64) {
        return kc_error_set(err, KC_EINVAL, "value nested deeper than 64 levels");
    }
    /* Designated timestamp (isDesignatedColumnName): the full prefixed name. */
    if (qc->n_ts_fields == 1 && name[0] != '\0' && qc->ts_fields[0][0] == name[0] &&
        strcmp(qc->ts_fields[0], name) == 0) {
        return designated(e, s, v, err);
    }
    if (qc->n_ts_fields > 1) {
        for (size_t i = 0; i < qc->n_ts_fields; i++) {
            if (strcmp(qc->ts_fields[i], name) == 0) {
                if (v == NULL || v->type != CDATA_STRING) {
                    return kc_error_set(err, KC_EINVAL,
                                        "composed timestamp field %s must be a non-null string",
                                        name);
                }
                e->composed[i] = v;
                return KC_OK;
            }
        }
    }
    if (v == NULL) {
        return KC_OK;
    }
    if (s == NULL) {
        s = v->schema;
    }
    if (v->type == CDATA_STRUCT || v->type == CDATA_MAP) {
        if (v->type == CDATA_MAP && s != NULL && s->keys != NULL) {
            /* schema'd MAP: unsupported by the connector */
            int rc = column_name(e, name, fallback, err);
            return rc != KC_OK ? rc : unsupported(e, e->scratch.data, "MAP", err);
        }
        return handle_children(e, name, s, v, fallback, depth, err);
    }
    int rc = column_name(e, name, fallback, err);
    if (rc != KC_OK) {
        return rc;
    }
    if (cdata_schema_is(s, CDATA_LOGICAL_TIMESTAMP)) {
        return put_ts_column(e, v->u.i * 1000, err);
    }
    if (cdata_schema_is(s, CDATA_LOGICAL_DATE)) {
        return put_ts_column(e, cdata_date_ms(v->u.i) * 1000, err);
    }
    if (cdata_schema_is(s, CDATA_LOGICAL_DECIMAL)) {
        return unsupported(e, e->scratch.data, "Decimal", err);
    }
    /* Debezium's time types, as the JVM connector's tryWriteLogicalType: micros since the
     * epoch, and days since the epoch, become TIMESTAMP columns */
    if (s != NULL && s->name != NULL && v->type == CDATA_INT64 &&
        strcmp(s->name, "io.debezium.time.MicroTimestamp") == 0) {
        return put_ts_column(e, v->u.i, err);
    }
    if (s != NULL && s->name != NULL && v->type == CDATA_INT32 &&
        strcmp(s->name, "io.debezium.time.Date") == 0) {
        return put_ts_column(e, v->u.i * 86400000000LL, err); /* |int32| days fit in micros */
    }
    switch (v->type) {
    case CDATA_INT8:
    case CDATA_INT16:
    case CDATA_INT32:
    case CDATA_INT64:
        return put_long(e, v->u.i, err);
    case CDATA_FLOAT32:
    case CDATA_FLOAT64:
        return put_double(e, v->u.f, err);
    case CDATA_BOOLEAN:
        return put_bool(e, v->u.b, err);
    case CDATA_STRING:
        return put_string(e, v->u.s, v->n, err);
    case CDATA_BYTES:
        return unsupported(e, e->scratch.data, "BYTES", err);
    case CDATA_ARRAY:
        if (!e->qc->arrays) {
            return unsupported(e, e->scratch.data, "ARRAY", err);
        }
        return put_array(e, v, err);
    default:
        return unsupported(e, e->scratch.data, cdata_type_name(v->type, 1), err);
    }
}

/* The table name for rec: the template with ${topic}, ${key}, ${partition}, into out. */
static int table_name(struct questdb_ilp *e, const struct sink_record *rec, struct kc_buf *out,
                      struct kc_error *err)
{
    const char *t = e->qc->table != NULL ? e->qc->table : NULL;
    int rc = KC_OK;
    if (t == NULL) {
        rc = kc_buf_append_str(out, rec->topic);
    } else {
        for (const char *p = t; *p != '\0' && rc == KC_OK;) {
            if (*p == '$' && strncmp(p, "${topic}", 8) == 0) {
                rc = kc_buf_append_str(out, rec->topic);
                p += 8;
            } else if (*p == '$' && strncmp(p, "${partition}", 12) == 0) {
                rc = kc_buf_printf(out, "%d", (int)rec->partition);
                p += 12;
            } else if (*p == '$' && strncmp(p, "${key}", 6) == 0) {
                if (rec->key != NULL) {
                    rc = cdata_to_java_string(rec->key, out);
                } else {
                    rc = kc_buf_append_str(out, "null");
                }
                p += 6;
            } else {
                rc = kc_buf_append_byte(out, (uint8_t)*p++);
            }
        }
    }
    if (rc != KC_OK) {
        return oom(err);
    }
    if (out->len == 0) {
        return kc_error_set(err, KC_EINVAL, "empty table name");
    }
    for (size_t i = 0; i < out->len; i++) {
        unsigned char c = (unsigned char)out->data[i];
        if (c == '?' || c == ',' || c == '\'' || c == '"' || c == '\\' || c == '/' || c == ':' ||
            c == ')' || c == '(' || c == '+' || c == '*' || c == '%' || c == '~' || c < 0x20 ||
            c == 0x7f || (c == '.' && (i == 0 || i + 1 == out->len || out->data[i + 1] == '.'))) {
            return kc_error_set(err, KC_EINVAL, "table name '%s' contains an illegal char",
                                out->data);
        }
    }
    return KC_OK;
}

int questdb_ilp_append(struct questdb_ilp *e, const struct sink_record *rec,
                       const struct cdata_schema *vs, const struct cdata_value *v,
                       struct kc_buf *buf, int *skipped, struct kc_error *err)
{
    const struct questdb_conf *qc = e->qc;
    *skipped = 0;
    if (v == NULL && rec->value_raw == NULL) {
        *skipped = 1; /* tombstone */
        return KC_OK;
    }
    kc_buf_reset(&e->tags);
    kc_buf_reset(&e->fields);
    e->has_ts = 0;
    e->ts_nanos = 0;
    if (e->composed != NULL) {
        memset(e->composed, 0, qc->n_ts_fields * sizeof(*e->composed));
    }
    int rc = KC_OK;
    if (qc->include_key) {
        rc = handle_object(e, qc->key_prefix, rec->key_schema, rec->key, "key", 0, err);
    }
    if (rc == KC_OK) {
        rc = handle_object(e, qc->value_prefix, vs, v, "value", 0, err);
    }
    if (rc != KC_OK) {
        return rc;
    }
    if (qc->n_ts_fields > 1) {
        struct kc_buf c;
        kc_buf_init(&c, QDB_LINE_MAX);
        for (size_t i = 0; i < qc->n_ts_fields && rc == KC_OK; i++) {
            if (e->composed[i] == NULL) {
                rc = kc_error_set(err, KC_EINVAL, "composed timestamp field %s is missing",
                                  qc->ts_fields[i]);
            } else if (kc_buf_append(&c, e->composed[i]->u.s, e->composed[i]->n) != KC_OK) {
                rc = oom(err);
            }
        }
        int64_t us = 0;
        if (rc == KC_OK) {
            rc = questdb_ts_format_parse(qc->ts_format, c.data != NULL ? c.data : "", c.len, &us,
                                         err);
        }
        kc_buf_fini(&c);
        if (rc != KC_OK) {
            return rc;
        }
        e->ts_nanos = questdb_ts_to_nanos(us, QUESTDB_TS_MICROS);
        e->has_ts = 1;
    }
    if (qc->ts_kafka_native) {
        if (rec->ts_type == SINK_TS_NONE) {
            return kc_error_set(err, KC_EINVAL,
                                "timestamp.kafka.native is set but the record has no timestamp");
        }
        e->ts_nanos = questdb_ts_to_nanos(rec->timestamp, QUESTDB_TS_MILLIS);
        e->has_ts = 1;
    }
    if (e->fields.len == 0 && e->tags.len == 0) {
        return kc_error_set(err, KC_EINVAL, "the record has no column to write");
    }
    /* Assemble aside, then append whole: buf changes only on success. */
    kc_buf_reset(&e->scratch);
    rc = table_name(e, rec, &e->scratch, err);
    if (rc != KC_OK) {
        return rc;
    }
    char num[32];
    int nl = 0;
    if (e->has_ts) {
        num[0] = ' ';
        nl = (int)fmt_i64(e->ts_nanos, num + 1) + 1;
    }
    size_t need = e->scratch.len + e->tags.len + (e->fields.len > 0 ? e->fields.len + 1 : 0) +
                  (size_t)nl + 1;
    for (size_t i = 0; i < e->scratch.len; i++) {
        char c = e->scratch.data[i];
        need += c == ' ' || c == '=' || c == '\\';
    }
    if (buf->len + need > buf->limit) {
        return kc_error_set(err, KC_ENOMEM, "the ILP buffer is full");
    }
    /* Room is checked, so an append fails only when memory runs out (buf then frees itself). */
    if (questdb_ilp_escape_name(buf, e->scratch.data, e->scratch.len) != KC_OK ||
        kc_buf_append(buf, e->tags.data, e->tags.len) != KC_OK ||
        (e->fields.len > 0 && (kc_buf_append_byte(buf, ' ') != KC_OK ||
                               kc_buf_append(buf, e->fields.data, e->fields.len) != KC_OK)) ||
        kc_buf_append(buf, num, (size_t)nl) != KC_OK || kc_buf_append_byte(buf, '\n') != KC_OK) {
        return oom(err);
    }
    return KC_OK;
}
