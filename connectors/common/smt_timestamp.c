/*
 * connectors/common/smt_timestamp.c: TimestampConverter$Value / $Key -- convert a field (or the
 * whole value) between string (SimpleDateFormat pattern, UTC), unix (long, unix.precision),
 * Date, Time and Timestamp, as the JVM's TimestampConverter does. Every conversion goes through
 * milliseconds since the epoch (java.util.Date).
 *
 * SimpleDateFormat subset, for formatting and parsing: y M d H h k K m s S a E z Z X and quoted
 * literals ('T', 'Z', ''); M with 3+ letters and E format names but are not parsed; z/Z/X
 * format UTC ("UTC", "+0000", "Z") and, when parsing, accept exactly those. Patterns using
 * other letters (D, w, W, F, u, G, L, ...) fail at configuration with KC_EINVAL. Parsing is
 * strict where SimpleDateFormat is lenient (no "2024-13-45" rolling), and "yy" uses the JVM's
 * window: 80 years before now to 20 years after.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "kc_alloc.h"
#include "smt_int.h"

#define TPKG "org.apache.kafka.connect.transforms."

enum ts_type { TS_STRING, TS_UNIX, TS_DATE, TS_TIME, TS_TIMESTAMP };

struct fmt_item {
    char letter; /* 0 = literal */
    int count;
    const char *lit; /* literal text (conf arena) */
    size_t lit_len;
};

struct tsconv {
    const char *field; /* "" = whole value */
    enum ts_type target;
    int64_t unix_div; /* unix.precision: ms per unit (1000 = seconds) or 0 */
    int64_t unix_mul; /* units per ms (1000 = micros) */
    const char *pattern;
    struct fmt_item *items;
    size_t n_items;
};

static const char *const month_short[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const month_long[] = {"January", "February", "March",     "April",
                                         "May",     "June",     "July",      "August",
                                         "September", "October", "November", "December"};
static const char *const day_short[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const day_long[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                       "Thursday", "Friday", "Saturday"};

static int compile_pattern(struct smt *t, struct tsconv *c, const char *p, struct kc_error *err)
{
    size_t cap = strlen(p) + 1, n = 0;
    struct fmt_item *it = kc_arena_calloc(&t->conf, cap * sizeof(*it));
    char *lits = kc_arena_alloc(&t->conf, strlen(p) + 1);
    size_t lp = 0;
    if (it == NULL || lits == NULL) {
        return smt_oom(err);
    }
    for (const char *q = p; *q;) {
        if (*q == '\'') {
            size_t start = lp;
            q++;
            if (*q == '\'') { /* '' is a quote */
                lits[lp++] = '\'';
                q++;
            } else {
                while (*q && !(*q == '\'' && q[1] != '\'')) {
                    if (*q == '\'') {
                        q++;
                    }
                    lits[lp++] = *q++;
                }
                if (*q != '\'') {
                    return kc_error_set(err, KC_EINVAL,
                                        "TimestampConverter requires a SimpleDateFormat-compatible "
                                        "pattern for string timestamps: %s",
                                        p);
                }
                q++;
            }
            it[n].letter = 0;
            it[n].lit = lits + start;
            it[n].lit_len = lp - start;
            n++;
            continue;
        }
        if (isalpha((unsigned char)*q)) {
            if (strchr("yMdHhkKmsSaEzZX", *q) == NULL) {
                return kc_error_set(err, KC_EINVAL,
                                    "TimestampConverter pattern letter '%c' is not supported by "
                                    "connect-c (pattern %s)",
                                    *q, p);
            }
            char l = *q;
            int cnt = 0;
            while (*q == l) {
                q++;
                cnt++;
            }
            it[n].letter = l;
            it[n].count = cnt;
            n++;
            continue;
        }
        it[n].letter = 0;
        it[n].lit = lits + lp;
        it[n].lit_len = 1;
        lits[lp++] = *q++;
        n++;
    }
    c->items = it;
    c->n_items = n;
    return KC_OK;
}

static int ts_init(struct smt *t, const struct kc_strmap *props, struct kc_error *err)
{
    struct tsconv *c = kc_arena_calloc(&t->conf, sizeof(*c));
    if (c == NULL) {
        return smt_oom(err);
    }
    const char *field = kc_strmap_get(props, "field");
    c->field = kc_arena_strndup(&t->conf, field ? field : "", field ? strlen(field) : 0);
    const char *tt = kc_strmap_get(props, "target.type");
    static const char *const types[] = {"string", "unix", "Date", "Time", "Timestamp"};
    int found = 0;
    for (int i = 0; tt != NULL && i < 5; i++) {
        if (strcmp(tt, types[i]) == 0) {
            c->target = (enum ts_type)i;
            found = 1;
        }
    }
    if (!found) {
        return kc_error_set(err, KC_EINVAL,
                            tt == NULL ? "Missing required configuration \"target.type\" which "
                                         "has no default value."
                                       : "Invalid value for configuration target.type: String "
                                         "must be one of: string, unix, Date, Time, Timestamp");
    }
    const char *prec = kc_strmap_get(props, "unix.precision");
    c->unix_div = 1;
    c->unix_mul = 1;
    if (prec != NULL && strcmp(prec, "milliseconds") != 0) {
        if (strcmp(prec, "seconds") == 0) {
            c->unix_div = 1000;
        } else if (strcmp(prec, "microseconds") == 0) {
            c->unix_mul = 1000;
        } else if (strcmp(prec, "nanoseconds") == 0) {
            c->unix_mul = 1000000;
        } else {
            return kc_error_set(err, KC_EINVAL,
                                "Invalid value %s for configuration unix.precision: String must "
                                "be one of: nanoseconds, microseconds, milliseconds, seconds",
                                prec);
        }
    }
    const char *fmt = kc_strmap_get(props, "format");
    int blank = 1;
    for (const char *q = fmt; q != NULL && *q; q++) {
        blank &= isspace((unsigned char)*q) != 0;
    }
    if (c->target == TS_STRING && blank) {
        return kc_error_set(err, KC_EINVAL, "TimestampConverter requires format option to be "
                                            "specified when using string timestamps");
    }
    if (!blank) {
        c->pattern = kc_arena_strndup(&t->conf, fmt, strlen(fmt));
        if (c->pattern == NULL) {
            return smt_oom(err);
        }
        int rc = compile_pattern(t, c, fmt, err);
        if (rc != KC_OK) {
            return rc;
        }
    }
    t->ctx = c;
    return c->field != NULL ? KC_OK : smt_oom(err);
}

static void ts_fini(struct smt *t)
{
    (void)t;
}

/* ---------------------------------------------------------------- civil time */

static void civil(int64_t ms, int64_t *y, int *mo, int *d, int *h, int *mi, int *s, int *msec,
                  int *wday)
{
    int64_t days = ms / 86400000, rem = ms % 86400000;
    if (rem < 0) {
        rem += 86400000;
        days--;
    }
    *wday = (int)(((days % 7) + 7 + 4) % 7);
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *mo = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*mo <= 2);
    *h = (int)(rem / 3600000);
    *mi = (int)(rem / 60000 % 60);
    *s = (int)(rem / 1000 % 60);
    *msec = (int)(rem % 1000);
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* v zero-padded to width, as "%0*lld" prints it. The width is the pattern letter's repeat
 * count, which the pattern's author chooses ("yyyy...y" 40 times), so the padding is written
 * straight into b: only the digits, at most 20 of them, go through the small buffer. */
static int put_num(struct kc_buf *b, int64_t v, int width)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof(tmp), "%lld", (long long)v);
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        return KC_EINVAL; /* cannot happen for a 64-bit value */
    }
    const char *digits = tmp;
    int rc = KC_OK;
    if (v < 0) {
        rc = kc_buf_append_byte(b, '-');
        digits++;
        n--;
        width--;
    }
    for (int i = n; rc == KC_OK && i < width; i++) {
        rc = kc_buf_append_byte(b, '0');
    }
    return rc == KC_OK ? kc_buf_append(b, digits, (size_t)n) : rc;
}

static int format_ms(const struct tsconv *c, int64_t ms, struct kc_buf *b)
{
    int64_t y;
    int mo, d, h, mi, s, msec, wd;
    civil(ms, &y, &mo, &d, &h, &mi, &s, &msec, &wd);
    int rc = kc_buf_append(b, "", 0);
    for (size_t i = 0; rc == KC_OK && i < c->n_items; i++) {
        const struct fmt_item *it = &c->items[i];
        int n = it->count;
        switch (it->letter) {
        case 0:
            rc = kc_buf_append(b, it->lit, it->lit_len);
            break;
        case 'y':
            rc = n == 2 ? put_num(b, ((y % 100) + 100) % 100, 2) : put_num(b, y, n);
            break;
        case 'M':
            rc = n >= 4   ? kc_buf_append_str(b, month_long[mo - 1])
                 : n == 3 ? kc_buf_append_str(b, month_short[mo - 1])
                          : put_num(b, mo, n);
            break;
        case 'd':
            rc = put_num(b, d, n);
            break;
        case 'H':
            rc = put_num(b, h, n);
            break;
        case 'k':
            rc = put_num(b, h == 0 ? 24 : h, n);
            break;
        case 'K':
            rc = put_num(b, h % 12, n);
            break;
        case 'h':
            rc = put_num(b, h % 12 == 0 ? 12 : h % 12, n);
            break;
        case 'm':
            rc = put_num(b, mi, n);
            break;
        case 's':
            rc = put_num(b, s, n);
            break;
        case 'S':
            rc = put_num(b, msec, n);
            break;
        case 'a':
            rc = kc_buf_append_str(b, h < 12 ? "AM" : "PM");
            break;
        case 'E':
            rc = kc_buf_append_str(b, n >= 4 ? day_long[wd] : day_short[wd]);
            break;
        case 'z':
            rc = kc_buf_append_str(b, n >= 4 ? "Coordinated Universal Time" : "UTC");
            break;
        case 'Z':
            rc = kc_buf_append_str(b, "+0000");
            break;
        case 'X':
            rc = kc_buf_append_str(b, "Z");
            break;
        }
    }
    return rc;
}

/* Parse s with the pattern into ms; 0 if it does not match. */
static int parse_ms(const struct tsconv *c, const char *s, int64_t *out)
{
    int64_t y = 1970;
    int mo = 1, d = 1, h = 0, mi = 0, sec = 0, msec = 0, pm = -1, h12 = -1;
    const char *p = s;
    for (size_t i = 0; i < c->n_items; i++) {
        const struct fmt_item *it = &c->items[i];
        if (it->letter == 0) {
            if (strncmp(p, it->lit, it->lit_len) != 0) {
                return 0;
            }
            p += it->lit_len;
            continue;
        }
        if (it->letter == 'a') {
            if (strncasecmp(p, "AM", 2) == 0 || strncasecmp(p, "PM", 2) == 0) {
                pm = toupper((unsigned char)p[0]) == 'P';
                p += 2;
                continue;
            }
            return 0;
        }
        if (it->letter == 'z' || it->letter == 'Z' || it->letter == 'X') {
            static const char *const zs[] = {"UTC", "+0000", "Z", "GMT", "+00:00"};
            int ok = 0;
            for (int k = 0; k < 5 && !ok; k++) {
                size_t l = strlen(zs[k]);
                if (strncmp(p, zs[k], l) == 0) {
                    p += l;
                    ok = 1;
                }
            }
            if (!ok) {
                return 0;
            }
            continue;
        }
        if ((it->letter == 'M' && it->count >= 3) || it->letter == 'E') {
            return 0; /* names are not parsed (documented) */
        }
        /* Numeric: abutting numeric fields take exactly `count` digits. */
        int abut = i + 1 < c->n_items && c->items[i + 1].letter != 0 &&
                   strchr("yMdHhkKmsS", c->items[i + 1].letter) != NULL;
        int neg = 0;
        if (it->letter == 'y' && *p == '-') {
            neg = 1;
            p++;
        }
        int64_t v = 0;
        int nd = 0;
        while (isdigit((unsigned char)*p) && (!abut || nd < it->count) && nd < 18) {
            v = v * 10 + (*p - '0');
            p++;
            nd++;
        }
        if (nd == 0) {
            return 0;
        }
        if (it->letter != 'y' && v > INT32_MAX) {
            return 0; /* past any field's int (Calendar fields are ints) */
        }
        switch (it->letter) {
        case 'y':
            if (it->count <= 2 && nd == 2 && !neg) {
                time_t now = time(NULL);
                struct tm tmv;
                gmtime_r(&now, &tmv);
                int64_t start = tmv.tm_year + 1900 - 80;
                int64_t cand = start / 100 * 100 + v;
                y = cand < start ? cand + 100 : cand;
            } else {
                y = neg ? -v : v;
            }
            break;
        case 'M':
            mo = (int)v;
            break;
        case 'd':
            d = (int)v;
            break;
        case 'H':
        case 'k':
            h = (int)(v == 24 && it->letter == 'k' ? 0 : v);
            break;
        case 'h':
        case 'K':
            h12 = (int)(v % 12);
            break;
        case 'm':
            mi = (int)v;
            break;
        case 's':
            sec = (int)v;
            break;
        case 'S':
            msec = (int)v;
            break;
        }
    }
    if (h12 >= 0) {
        h = h12 + (pm == 1 ? 12 : 0);
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) {
        return 0;
    }
    if (y > 292278994 || y < -292275055) {
        return 0; /* outside java.util.Date's range */
    }
    __int128 ms = ((__int128)days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 +
                   (int64_t)mi * 60 + sec) *
                      1000 +
                  msec;
    if (ms > INT64_MAX || ms < INT64_MIN) {
        return 0;
    }
    *out = (int64_t)ms;
    return 1;
}

/* ---------------------------------------------------------------- conversion */

static const struct cdata_schema ts_schemas[5][2] = {
    {{.type = CDATA_STRING}, {.type = CDATA_STRING, .optional = 1}},
    {{.type = CDATA_INT64}, {.type = CDATA_INT64, .optional = 1}},
    {{.type = CDATA_INT32, .name = CDATA_LOGICAL_DATE, .version = 1},
     {.type = CDATA_INT32, .name = CDATA_LOGICAL_DATE, .version = 1, .optional = 1}},
    {{.type = CDATA_INT32, .name = CDATA_LOGICAL_TIME, .version = 1},
     {.type = CDATA_INT32, .name = CDATA_LOGICAL_TIME, .version = 1, .optional = 1}},
    {{.type = CDATA_INT64, .name = CDATA_LOGICAL_TIMESTAMP, .version = 1},
     {.type = CDATA_INT64, .name = CDATA_LOGICAL_TIMESTAMP, .version = 1, .optional = 1}},
};

/* TimeUnit conversions saturate at Long.MIN_VALUE / Long.MAX_VALUE. */
static int64_t sat_mul(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r)) {
        return (a < 0) != (b < 0) ? INT64_MIN : INT64_MAX;
    }
    return r;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* from: the input's format, or -1 to infer from the value. */
static int convert(const struct tsconv *c, const struct cdata_value *v, int from, struct kc_arena *a,
                   const struct cdata_value **out, struct kc_error *err)
{
    *out = NULL;
    if (v == NULL) {
        return KC_OK;
    }
    if (from < 0) {
        const struct cdata_schema *vs = v->schema;
        if (cdata_schema_is(vs, CDATA_LOGICAL_TIMESTAMP) || cdata_schema_is(vs, CDATA_LOGICAL_DATE) ||
            cdata_schema_is(vs, CDATA_LOGICAL_TIME)) {
            from = TS_TIMESTAMP;
        } else if (v->type == CDATA_INT64) {
            from = TS_UNIX;
        } else if (v->type == CDATA_STRING) {
            from = TS_STRING;
        } else {
            return kc_error_set(err, KC_EINVAL,
                                "TimestampConverter does not support class %s objects as "
                                "timestamps",
                                smt_java_class(v));
        }
    }
    int64_t ms;
    switch (from) {
    case TS_STRING:
        if (v->type != CDATA_STRING) {
            return kc_error_set(err, KC_EINVAL,
                                "Expected string timestamp to be a String, but found class %s",
                                smt_java_class(v));
        }
        if (c->items == NULL || !parse_ms(c, v->u.s, &ms)) {
            return kc_error_set(err, KC_EINVAL,
                                "Could not parse timestamp: value (%.200s) does not match pattern "
                                "(%.200s)",
                                v->u.s, c->pattern ? c->pattern : "");
        }
        break;
    case TS_UNIX:
        if (v->type != CDATA_INT64) {
            return kc_error_set(err, KC_EINVAL,
                                "Expected Unix timestamp to be a Long, but found class %s",
                                smt_java_class(v));
        }
        ms = c->unix_div > 1 ? sat_mul(v->u.i, c->unix_div) : v->u.i / c->unix_mul;
        break;
    default:
        if (v->type != CDATA_INT32 && v->type != CDATA_INT64) {
            return kc_error_set(err, KC_EINVAL, "Expected a java.util.Date, but found class %s",
                                smt_java_class(v));
        }
        ms = cdata_schema_is(v->schema, CDATA_LOGICAL_DATE) ? cdata_date_ms(v->u.i) : v->u.i;
        break;
    }
    struct cdata_value *r = NULL;
    switch (c->target) {
    case TS_STRING: {
        struct kc_buf b;
        kc_buf_init(&b, 4096);
        if (format_ms(c, ms, &b) != KC_OK) {
            kc_buf_fini(&b);
            return smt_oom(err);
        }
        r = cdata_string(a, b.data, b.len);
        kc_buf_fini(&b);
        break;
    }
    case TS_UNIX:
        r = cdata_int(a, CDATA_INT64,
                      c->unix_div > 1 ? ms / c->unix_div : sat_mul(ms, c->unix_mul));
        break;
    case TS_DATE:
        r = cdata_int(a, CDATA_INT32, floor_div(ms, 86400000));
        break;
    case TS_TIME: {
        int64_t t = ms % 86400000;
        r = cdata_int(a, CDATA_INT32, t < 0 ? t + 86400000 : t);
        break;
    }
    case TS_TIMESTAMP:
        r = cdata_int(a, CDATA_INT64, ms);
        break;
    }
    if (r == NULL) {
        return smt_oom(err);
    }
    if (c->target >= TS_DATE) {
        r->schema = &ts_schemas[c->target][1];
    }
    *out = r;
    return KC_OK;
}

static int from_schema(const struct cdata_schema *s, struct kc_error *err, int *from)
{
    if (cdata_schema_is(s, CDATA_LOGICAL_TIMESTAMP)) {
        *from = TS_TIMESTAMP;
    } else if (cdata_schema_is(s, CDATA_LOGICAL_DATE)) {
        *from = TS_DATE;
    } else if (cdata_schema_is(s, CDATA_LOGICAL_TIME)) {
        *from = TS_TIME;
    } else if (s->type == CDATA_STRING) {
        *from = TS_STRING;
    } else if (s->type == CDATA_INT64) {
        *from = TS_UNIX;
    } else {
        return kc_error_set(err, KC_EINVAL,
                            "Schema of type %s does not correspond to a known timestamp type "
                            "format",
                            cdata_type_name(s->type, 1));
    }
    return KC_OK;
}

static int ts_apply(struct smt *t, const struct sink_record *in, struct kc_arena *a,
                    const struct sink_record **out, struct kc_error *err)
{
    struct tsconv *c = t->ctx;
    const struct cdata_schema *s;
    const struct cdata_value *v;
    smt_part(t, in, &s, &v);
    struct sink_record *o = smt_record_dup(in, a);
    if (o == NULL) {
        return smt_oom(err);
    }
    int rc, from;
    const struct cdata_value *nv;
    if (s == NULL) {
        if (v == NULL || c->field[0] == '\0') {
            if ((rc = convert(c, v, -1, a, &nv, err)) != KC_OK) {
                return rc;
            }
            smt_set_part(t, o, NULL, nv);
            *out = o;
            return KC_OK;
        }
        if (v->type != CDATA_MAP) {
            return kc_error_set(err, KC_EINVAL,
                                "Only Map objects supported in absence of schema for [converting "
                                "timestamp formats], found: %s",
                                smt_java_class(v));
        }
        long idx = cdata_map_find(v, c->field, strlen(c->field));
        if ((rc = convert(c, idx >= 0 ? v->u.map.vals[idx] : NULL, -1, a, &nv, err)) != KC_OK) {
            return rc;
        }
        uint32_t *order = kc_arena_alloc(a, (v->n ? v->n : 1) * sizeof(uint32_t));
        const struct cdata_value **k, **vals;
        struct cdata_value *m = cdata_map(a, v->n + 1, &k, &vals);
        if (order == NULL || m == NULL || cdata_map_java_order(v, order) != KC_OK) {
            return smt_oom(err);
        }
        for (uint32_t i = 0; i < v->n; i++) {
            k[i] = v->u.map.keys[order[i]];
            vals[i] = (long)order[i] == idx ? nv : v->u.map.vals[order[i]];
        }
        m->n = v->n;
        if (idx < 0) {
            if ((k[m->n] = cdata_string(a, c->field, strlen(c->field))) == NULL) {
                return smt_oom(err);
            }
            vals[m->n++] = nv;
        }
        m->u.map.vals = vals;
        m->schema = cdata_hashmap_hint(cdata_hashmap_copied(v->n)); /* new HashMap<>(value) */
        smt_set_part(t, o, NULL, m);
        *out = o;
        return KC_OK;
    }
    if (c->field[0] == '\0') {
        if ((rc = from_schema(s, err, &from)) != KC_OK ||
            (rc = convert(c, v, from, a, &nv, err)) != KC_OK) {
            return rc;
        }
        smt_set_part(t, o, &ts_schemas[c->target][s->optional ? 1 : 0], nv);
        *out = o;
        return KC_OK;
    }
    if (v != NULL && v->type != CDATA_STRUCT) {
        return kc_error_set(err, KC_EINVAL,
                            "Only Struct objects supported for [converting timestamp formats], "
                            "found: %s",
                            smt_java_class(v));
    }
    struct cdata_schema *ns = kc_arena_calloc(a, sizeof(*ns));
    struct cdata_field *f = kc_arena_calloc(a, (s->n_fields ? s->n_fields : 1) * sizeof(*f));
    if (ns == NULL || f == NULL) {
        return smt_oom(err);
    }
    ns->type = CDATA_STRUCT;
    ns->name = s->name;
    ns->version = s->version;
    ns->doc = s->doc;
    ns->params = s->params;
    ns->n_params = s->n_params;
    ns->optional = s->optional;
    ns->fields = f;
    ns->n_fields = s->n_fields;
    for (size_t i = 0; i < s->n_fields; i++) {
        f[i] = s->fields[i];
        if (strcmp(f[i].name, c->field) == 0) {
            f[i].schema = &ts_schemas[c->target][s->fields[i].schema->optional ? 1 : 0];
        }
    }
    if (v == NULL) {
        smt_set_part(t, o, ns, NULL);
        *out = o;
        return KC_OK;
    }
    const struct cdata_value **fv;
    struct cdata_value *st = cdata_struct(a, ns, &fv);
    if (st == NULL) {
        return smt_oom(err);
    }
    for (size_t i = 0; i < s->n_fields; i++) {
        fv[i] = v->u.items[i];
        if (strcmp(s->fields[i].name, c->field) == 0) {
            if ((rc = from_schema(s->fields[i].schema, err, &from)) != KC_OK ||
                (rc = convert(c, v->u.items[i], from, a, &fv[i], err)) != KC_OK) {
                return rc;
            }
            if (fv[i] != NULL) {
                ((struct cdata_value *)fv[i])->schema = f[i].schema;
            }
        }
    }
    smt_set_part(t, o, ns, st);
    *out = o;
    return KC_OK;
}

const struct smt_ops smt_timestamp_value_ops = {.class_name = TPKG "TimestampConverter$Value",
                                                .init = ts_init,
                                                .fini = ts_fini,
                                                .apply = ts_apply};
const struct smt_ops smt_timestamp_key_ops = {.class_name = TPKG "TimestampConverter$Key",
                                              .is_key = 1,
                                              .init = ts_init,
                                              .fini = ts_fini,
                                              .apply = ts_apply};

/* ---------------------------------------------------------------- TimestampRouter */

/* topic.format with ${topic} and ${timestamp} replaced (String.replace of each, in that order,
 * so a topic name containing "${timestamp}" is expanded too, as the JVM's replaceAll does). */
struct tsrouter {
    const char *topic_format;
    struct tsconv fmt; /* only pattern/items used */
};

static int tsr_init(struct smt *t, const struct kc_strmap *props, struct kc_error *err)
{
    struct tsrouter *r = kc_arena_calloc(&t->conf, sizeof(*r));
    if (r == NULL) {
        return smt_oom(err);
    }
    const char *tf = kc_strmap_get(props, "topic.format");
    const char *pf = kc_strmap_get(props, "timestamp.format");
    if (tf == NULL) {
        tf = "${topic}-${timestamp}";
    }
    if (pf == NULL) {
        pf = "yyyyMMdd";
    }
    r->topic_format = kc_arena_strndup(&t->conf, tf, strlen(tf));
    r->fmt.pattern = kc_arena_strndup(&t->conf, pf, strlen(pf));
    if (r->topic_format == NULL || r->fmt.pattern == NULL) {
        return smt_oom(err);
    }
    int rc = compile_pattern(t, &r->fmt, pf, err);
    if (rc != KC_OK) {
        return rc;
    }
    t->ctx = r;
    return KC_OK;
}

/* Append s with every occurrence of pat replaced by rep. */
static int replace_all(struct kc_buf *out, const char *s, size_t n, const char *pat,
                       const char *rep, size_t rep_len)
{
    size_t pl = strlen(pat);
    int rc = kc_buf_append(out, "", 0);
    size_t i = 0;
    while (rc == KC_OK && i < n) {
        if (n - i >= pl && memcmp(s + i, pat, pl) == 0) {
            rc = kc_buf_append(out, rep, rep_len);
            i += pl;
        } else {
            rc = kc_buf_append_byte(out, (uint8_t)s[i++]);
        }
    }
    return rc;
}

static int tsr_apply(struct smt *t, const struct sink_record *in, struct kc_arena *a,
                     const struct sink_record **out, struct kc_error *err)
{
    struct tsrouter *r = t->ctx;
    if (in->ts_type == SINK_TS_NONE) {
        /* the JVM prints the whole SinkRecord here; the topic/partition/offset identify it */
        return kc_error_set(err, KC_EINVAL,
                            "Timestamp missing on record: SinkRecord{kafkaOffset=%lld, "
                            "timestampType=NoTimestampType} ConnectRecord{topic='%s', "
                            "kafkaPartition=%d, timestamp=null}",
                            (long long)in->offset, in->topic, (int)in->partition);
    }
    struct kc_buf ts, step, topic;
    kc_buf_init(&ts, 64 * 1024);
    kc_buf_init(&step, 1 << 20);
    kc_buf_init(&topic, 1 << 20);
    int rc = format_ms(&r->fmt, in->timestamp, &ts);
    if (rc == KC_OK) {
        rc = replace_all(&step, r->topic_format, strlen(r->topic_format), "${topic}", in->topic,
                         strlen(in->topic));
    }
    if (rc == KC_OK) {
        rc = replace_all(&topic, step.data, step.len, "${timestamp}", ts.data, ts.len);
    }
    struct sink_record *o = rc == KC_OK ? smt_record_dup(in, a) : NULL;
    char *name = o != NULL ? kc_arena_strndup(a, topic.data, topic.len) : NULL;
    kc_buf_fini(&ts);
    kc_buf_fini(&step);
    kc_buf_fini(&topic);
    if (name == NULL) {
        return smt_oom(err);
    }
    o->topic = name;
    *out = o;
    return KC_OK;
}

const struct smt_ops smt_timestamp_router_ops = {.class_name = TPKG "TimestampRouter",
                                                 .init = tsr_init,
                                                 .fini = ts_fini,
                                                 .apply = tsr_apply};
