/*
 * connectors/common/conv_header.c: SimpleHeaderConverter, the JVM's default header.converter.
 * It decodes the header bytes as UTF-8 (lenient, like new String(bytes, UTF_8)) and infers a
 * typed value the way Values.parseString does, for the subset that matters in practice:
 *
 *   ""                       -> STRING ""               null literal "null" -> null
 *   "true" / "false"         -> BOOLEAN
 *   integers (BigDecimal syntax, whole, |x| <= 1e19, in long range)
 *                            -> the smallest of INT8, INT16, INT32, INT64 holding them
 *   other decimals           -> FLOAT32 (Float), or FLOAT64 when Float overflows
 *   yyyy-MM-dd               -> Date; HH:mm:ss.SSS'Z' -> Time;
 *   yyyy-MM-dd'T'HH:mm:ss.SSS'Z' -> Timestamp (UTC)
 *   anything else            -> STRING (the original text)
 *
 * Known gaps, documented rather than guessed: "[...]" and "{...}" (Values' list/map syntax) and
 * integers beyond long (the JVM makes a Decimal) stay STRING here.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "conv_int.h"

static int sh_init(struct conv *c, const struct kc_strmap *props, struct kc_error *err)
{
    (void)c;
    (void)props;
    (void)err;
    return KC_OK;
}

static const struct cdata_schema sh_date = {.type = CDATA_INT32, .name = CDATA_LOGICAL_DATE,
                                            .version = 1};
static const struct cdata_schema sh_time = {.type = CDATA_INT32, .name = CDATA_LOGICAL_TIME,
                                            .version = 1};
static const struct cdata_schema sh_ts = {.type = CDATA_INT64, .name = CDATA_LOGICAL_TIMESTAMP,
                                          .version = 1};

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
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

/* yyyy-MM-dd, lenient like SimpleDateFormat: month 13 rolls into the next year, day 45 into
 * the next month ("2024-13-45" is 2025-02-14). */
static int parse_date(const char *s, int64_t *days)
{
    int y, m, d;
    if (s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &m) ||
        !digits(s + 8, 2, &d)) {
        return 0;
    }
    int64_t yy = y + (m - 1 >= 0 ? (m - 1) / 12 : -1);
    int mm = ((m - 1) % 12 + 12) % 12 + 1;
    *days = days_from_civil(yy, mm, 1) + d - 1;
    return 1;
}

static int parse_time(const char *s, int64_t *ms)
{
    int h, mi, sec, milli;
    if (s[2] != ':' || s[5] != ':' || s[8] != '.' || s[12] != 'Z' || !digits(s, 2, &h) ||
        !digits(s + 3, 2, &mi) || !digits(s + 6, 2, &sec) || !digits(s + 9, 3, &milli)) {
        return 0;
    }
    *ms = ((int64_t)h * 3600 + mi * 60 + sec) * 1000 + milli;
    return 1;
}

/*
 * BigDecimal-syntax number: [+-] digits [. digits] [eE [+-] digits]. Classify like
 * Values.parseAsNumber. Returns 0 if not a number.
 */
static int parse_number(const char *s, size_t n, struct kc_arena *a, const struct cdata_schema **schema,
                        struct cdata_value **value)
{
    size_t i = 0;
    int neg = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        neg = s[i] == '-';
        i++;
    }
    char dig[64];
    size_t nd = 0, nint = 0, nfrac = 0;
    int any = 0, too_long = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        if (nd < sizeof(dig)) {
            dig[nd++] = s[i];
        } else {
            too_long = 1;
        }
        nint++;
        i++;
        any = 1;
    }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (nd < sizeof(dig)) {
                dig[nd++] = s[i];
            } else {
                too_long = 1;
            }
            nfrac++;
            i++;
            any = 1;
        }
    }
    if (!any) {
        return 0;
    }
    long ex = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            eneg = s[i] == '-';
            i++;
        }
        if (i >= n || s[i] < '0' || s[i] > '9') {
            return 0;
        }
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (ex < 100000) {
                ex = ex * 10 + (s[i] - '0');
            }
            i++;
        }
        if (eneg) {
            ex = -ex;
        }
    }
    if (i != n || too_long) {
        return 0;
    }
    long scale = (long)nfrac - ex;
    /* Whole number? trailing `scale` digits are zeros (or scale <= 0). */
    int whole = 1;
    for (long k = 0; k < scale; k++) {
        if ((size_t)k < nd && dig[nd - 1 - (size_t)k] != '0') {
            whole = 0;
            break;
        }
    }
    int zero = 1;
    for (size_t k = 0; k < nd; k++) {
        if (dig[k] != '0') {
            zero = 0;
        }
    }
    char txt[96];
    size_t tl = n < sizeof(txt) - 1 ? n : sizeof(txt) - 1;
    memcpy(txt, s, tl);
    txt[tl] = '\0';
    double dv = strtod(txt, NULL);
    double adv = fabs(dv);
    if (zero || (whole && adv >= 1.0 && adv <= 1e19)) {
        /* Integral value from the digits. */
        __int128 v = 0;
        long keep = scale > 0 ? (long)nd - scale : (long)nd;
        for (long k = 0; k < keep; k++) {
            v = v * 10 + (dig[k] - '0');
        }
        for (long k = 0; scale < 0 && k < -scale; k++) {
            v *= 10;
            if (v > ((__int128)1 << 64)) {
                break;
            }
        }
        if (neg) {
            v = -v;
        }
        if (v >= INT64_MIN && v <= INT64_MAX) {
            int64_t x = (int64_t)v;
            enum cdata_type t = x == (int8_t)x    ? CDATA_INT8
                                : x == (int16_t)x ? CDATA_INT16
                                : x == (int32_t)x ? CDATA_INT32
                                                  : CDATA_INT64;
            static const struct cdata_schema *const sch[] = {&cdata_schema_int8, &cdata_schema_int16,
                                                             &cdata_schema_int32, &cdata_schema_int64};
            *schema = sch[t];
            *value = cdata_int(a, t, x);
            return 1;
        }
    }
    if (scale != 0) {
        float f = strtof(txt, NULL);
        if (!isinf(f)) {
            *schema = &cdata_schema_float32;
            *value = cdata_float(a, CDATA_FLOAT32, (double)f);
            return 1;
        }
        if (!isinf(dv)) {
            *schema = &cdata_schema_float64;
            *value = cdata_float(a, CDATA_FLOAT64, dv);
            return 1;
        }
    }
    return 0; /* the JVM makes a Decimal here; we keep the string (documented gap) */
}

static int sh_to_connect_header(struct conv *c, const char *topic, const char *header_key,
                                const void *data, size_t len, struct kc_arena *a,
                                const struct cdata_schema **schema,
                                const struct cdata_value **value, struct kc_error *err)
{
    (void)c;
    (void)topic;
    (void)header_key;
    if (data == NULL) {
        return KC_OK;
    }
    struct cdata_value *str = conv_utf8_string(a, data, len);
    if (str == NULL) {
        goto oom;
    }
    const char *s = str->u.s;
    size_t n = str->n;
    size_t b = 0, e = n;
    while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\n' || s[b] == '\r')) {
        b++;
    }
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\n' || s[e - 1] == '\r')) {
        e--;
    }
    const char *t = s + b;
    size_t tn = e - b;
    if (n > 0 && tn > 0) {
        if (tn == 4 && memcmp(t, "null", 4) == 0) {
            return KC_OK;
        }
        if ((tn == 4 && memcmp(t, "true", 4) == 0) || (tn == 5 && memcmp(t, "false", 5) == 0)) {
            struct cdata_value *v = cdata_bool(a, tn == 4);
            if (v == NULL) {
                goto oom;
            }
            v->schema = &cdata_schema_boolean;
            *schema = &cdata_schema_boolean;
            *value = v;
            return KC_OK;
        }
        int64_t x;
        const struct cdata_schema *ts = NULL;
        if (tn == 10 && parse_date(t, &x)) {
            ts = &sh_date;
        } else if (tn == 13 && parse_time(t, &x)) {
            ts = &sh_time;
        } else if (tn == 24 && t[10] == 'T' && parse_date(t, &x)) {
            int64_t ms;
            if (parse_time(t + 11, &ms)) {
                x = x * 86400000LL + ms;
                ts = &sh_ts;
            }
        }
        if (ts != NULL) {
            struct cdata_value *v = cdata_int(a, ts->type, x);
            if (v == NULL) {
                goto oom;
            }
            v->schema = ts;
            *schema = ts;
            *value = v;
            return KC_OK;
        }
        if ((t[0] >= '0' && t[0] <= '9') || t[0] == '+' || t[0] == '-') {
            const struct cdata_schema *ns = NULL;
            struct cdata_value *v = NULL;
            if (parse_number(t, tn, a, &ns, &v)) {
                if (v == NULL) {
                    goto oom;
                }
                v->schema = ns;
                *schema = ns;
                *value = v;
                return KC_OK;
            }
        }
    }
    str->schema = &cdata_schema_string;
    *schema = &cdata_schema_string;
    *value = str;
    return KC_OK;
oom:
    return kc_error_set(err, KC_ENOMEM, "out of memory converting header (batch arena full)");
}

static int sh_to_connect(struct conv *c, const char *topic, const void *data, size_t len,
                         struct kc_arena *a, const struct cdata_schema **schema,
                         const struct cdata_value **value, struct kc_error *err)
{
    return sh_to_connect_header(c, topic, "", data, len, a, schema, value, err);
}

const struct conv_ops conv_simple_header_ops = {
    .class_name = "org.apache.kafka.connect.storage.SimpleHeaderConverter",
    .caps = CONV_CAN_HEADER | CONV_HEADER_TOTAL, /* unparsable text stays a string */
    .init = sh_init,
    .to_connect = sh_to_connect,
    .header_to_connect = sh_to_connect_header,
};
