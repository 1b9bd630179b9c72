/*
 * connectors/s3/s3_partitioner.c: Confluent's partitioners and timestamp extractors, with a
 * Joda-time pattern formatter and a TZif reader (no global TZ switching: the worker runs many
 * task threads, and setenv("TZ") would race with every other localtime call).
 */
#include "s3_partitioner.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kc_alloc.h"

#define S3_PART_DAY_MS 86400000LL
#define S3_TZIF_MAX_BYTES (1 << 20)

struct s3_partitioner {
    enum s3_partitioner_kind kind;
    enum s3_extractor extractor;
    char **fields; /* owned */
    size_t n_fields;
    int64_t duration_ms;
    char *path_format; /* owned, trailing delimiter trimmed */
    char *ts_field;    /* owned */
    /* zone: a fixed offset, or transitions (times ascending) with the offset after each */
    int64_t fixed_offset_ms;
    int64_t *trans_at; /* owned, seconds */
    int32_t *trans_off; /* owned, seconds, offset in force from trans_at[i] */
    size_t n_trans;
    int32_t first_off; /* before the first transition */
};

static const char *const month_long[] = {"January", "February", "March",     "April",
                                         "May",     "June",     "July",      "August",
                                         "September", "October", "November", "December"};
static const char *const day_long[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                       "Friday", "Saturday", "Sunday"};

/* ---- calendar (proleptic Gregorian, days since 1970-01-01) ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* ---- zones ---- */

static int parse_fixed_offset(const char *s, int64_t *ms)
{
    /* "+02:00", "-0530", "+2", "UTC+01:00", "GMT-3" */
    if (strncmp(s, "UTC", 3) == 0 || strncmp(s, "GMT", 3) == 0) {
        s += 3;
    }
    if (*s == '\0') {
        *ms = 0;
        return 1;
    }
    if (*s != '+' && *s != '-') {
        return 0;
    }
    int neg = *s++ == '-';
    int h = 0, m = 0, nd = 0;
    while (isdigit((unsigned char)*s) && nd < 2) {
        h = h * 10 + (*s++ - '0');
        nd++;
    }
    if (nd == 0) {
        return 0;
    }
    if (*s == ':') {
        s++;
    }
    nd = 0;
    while (isdigit((unsigned char)*s) && nd < 2) {
        m = m * 10 + (*s++ - '0');
        nd++;
    }
    if (*s != '\0' || (nd != 0 && nd != 2) || h > 18 || m > 59) {
        return 0;
    }
    *ms = (neg ? -1 : 1) * ((int64_t)h * 3600 + m * 60) * 1000;
    return 1;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int load_tzif(struct s3_partitioner *p, const char *name, struct kc_error *err)
{
    for (const char *c = name; *c; c++) {
        if (!(isalnum((unsigned char)*c) || *c == '/' || *c == '_' || *c == '-' || *c == '+')) {
            return kc_error_set(err, KC_EINVAL, "Invalid timezone '%s'", name);
        }
    }
    if (name[0] == '/' || strstr(name, "..") != NULL) {
        return kc_error_set(err, KC_EINVAL, "Invalid timezone '%s'", name);
    }
    const char *dir = getenv("TZDIR");
    char *path = kc_asprintf("%s/%s", dir != NULL && dir[0] ? dir : "/usr/share/zoneinfo", name);
    if (path == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    FILE *f = fopen(path, "rb");
    kc_free(path);
    if (f == NULL) {
        return kc_error_set(err, KC_EINVAL, "Unknown timezone '%s'", name);
    }
    unsigned char *buf = kc_malloc(S3_TZIF_MAX_BYTES);
    size_t len = buf != NULL ? fread(buf, 1, S3_TZIF_MAX_BYTES, f) : 0;
    fclose(f);
    if (buf == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    int rc = kc_error_set(err, KC_EINVAL, "Unknown timezone '%s' (not a TZif file)", name);
    if (len < 44 || memcmp(buf, "TZif", 4) != 0) {
        goto out;
    }
    const unsigned char *h = buf;
    size_t tsz = 4;
    /* v2+: skip the 32-bit block and read the 64-bit one */
    if (buf[4] >= '2') {
        size_t skip = 44 + be32(h + 32) * 5 + be32(h + 36) * 6 + be32(h + 40) + be32(h + 28) * 8 +
                      be32(h + 24) + be32(h + 20);
        if (skip + 44 > len || memcmp(buf + skip, "TZif", 4) != 0) {
            goto out;
        }
        h = buf + skip;
        tsz = 8;
    }
    size_t timecnt = be32(h + 32), typecnt = be32(h + 36);
    const unsigned char *d = h + 44;
    if (typecnt == 0 || (size_t)(d - buf) + timecnt * (tsz + 1) + typecnt * 6 > len) {
        goto out;
    }
    const unsigned char *times = d, *idx = d + timecnt * tsz, *types = idx + timecnt;
    p->trans_at = kc_calloc(timecnt + 1, sizeof(int64_t));
    p->trans_off = kc_calloc(timecnt + 1, sizeof(int32_t));
    if (p->trans_at == NULL || p->trans_off == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        goto out;
    }
    /* before the first transition: the first non-DST type (RFC 8536 3.2) */
    p->first_off = (int32_t)be32(types);
    for (size_t t = 0; t < typecnt; t++) {
        if (types[t * 6 + 4] == 0) {
            p->first_off = (int32_t)be32(types + t * 6);
            break;
        }
    }
    for (size_t i = 0; i < timecnt; i++) {
        int64_t at = tsz == 8 ? (int64_t)((uint64_t)be32(times + i * 8) << 32 |
                                          be32(times + i * 8 + 4))
                              : (int64_t)(int32_t)be32(times + i * 4);
        if (idx[i] >= typecnt) {
            goto out;
        }
        p->trans_at[i] = at;
        p->trans_off[i] = (int32_t)be32(types + idx[i] * 6);
    }
    p->n_trans = timecnt;
    rc = KC_OK;
out:
    kc_free(buf);
    return rc;
}

int64_t s3_partitioner_utc_offset(const struct s3_partitioner *p, int64_t ts)
{
    if (p->trans_at == NULL) {
        return p->fixed_offset_ms;
    }
    int64_t s = floor_div(ts, 1000);
    size_t lo = 0, hi = p->n_trans; /* first transition > s */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (p->trans_at[mid] <= s) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return (int64_t)(lo == 0 ? p->first_off : p->trans_off[lo - 1]) * 1000;
}

int64_t s3_partitioner_floor(const struct s3_partitioner *p, int64_t ts, int64_t width_ms)
{
    /* As Confluent: convert to local, floor, convert back with the offset then in force. */
    int64_t local = ts + s3_partitioner_utc_offset(p, ts);
    int64_t fl = floor_div(local, width_ms) * width_ms;
    int64_t back = fl - s3_partitioner_utc_offset(p, fl - s3_partitioner_utc_offset(p, ts));
    return back;
}

/* ---- Joda-time patterns ---- */

static int put_num(struct kc_buf *out, int64_t v, int width)
{
    char tmp[32];
    if (v < 0) {
        return kc_buf_printf(out, "-%0*lld", width, (long long)-v);
    }
    snprintf(tmp, sizeof(tmp), "%0*lld", width > 30 ? 30 : width, (long long)v);
    return kc_buf_append_str(out, tmp);
}

static int format_pattern(const char *pat, int64_t ts, int64_t off_ms, struct kc_buf *out,
                          struct kc_error *err)
{
    int64_t local = ts + off_ms;
    int64_t days = floor_div(local, S3_PART_DAY_MS);
    int64_t msod = local - days * S3_PART_DAY_MS;
    int64_t year;
    int mon, mday;
    civil_from_days(days, &year, &mon, &mday);
    int hour = (int)(msod / 3600000), min = (int)(msod / 60000 % 60), sec = (int)(msod / 1000 % 60);
    int ms = (int)(msod % 1000);
    int dow = (int)((days % 7 + 7 + 3) % 7); /* 1970-01-01 was a Thursday; 0 = Monday */
    int doy = (int)(days - days_from_civil(year, 1, 1)) + 1;
    int rc = KC_OK;
    for (const char *c = pat; *c && rc == KC_OK;) {
        if (*c == '\'') {
            c++;
            if (*c == '\'') { /* '' is a quote */
                rc = kc_buf_append_byte(out, '\'');
                c++;
                continue;
            }
            for (;;) {
                if (*c == '\0') {
                    return kc_error_set(err, KC_EINVAL, "Invalid path.format '%s': unterminated "
                                                        "quote", pat);
                }
                if (*c == '\'') {
                    if (c[1] == '\'') {
                        rc = kc_buf_append_byte(out, '\'');
                        c += 2;
                        continue;
                    }
                    c++;
                    break;
                }
                rc = kc_buf_append_byte(out, (uint8_t)*c++);
            }
            continue;
        }
        if (!isalpha((unsigned char)*c)) {
            rc = kc_buf_append_byte(out, (uint8_t)*c++);
            continue;
        }
        char l = *c;
        int n = 0;
        while (*c == l) {
            c++;
            n++;
        }
        switch (l) {
        case 'y':
        case 'Y':
        case 'u':
            rc = n == 2 ? put_num(out, ((year % 100) + 100) % 100, 2) : put_num(out, year, n);
            break;
        case 'M':
            rc = n >= 4   ? kc_buf_append_str(out, month_long[mon - 1])
                 : n == 3 ? kc_buf_append(out, month_long[mon - 1], 3)
                          : put_num(out, mon, n);
            break;
        case 'd': rc = put_num(out, mday, n); break;
        case 'D': rc = put_num(out, doy, n); break;
        case 'H': rc = put_num(out, hour, n); break;
        case 'k': rc = put_num(out, hour == 0 ? 24 : hour, n); break;
        case 'K': rc = put_num(out, hour % 12, n); break;
        case 'h': rc = put_num(out, hour % 12 == 0 ? 12 : hour % 12, n); break;
        case 'm': rc = put_num(out, min, n); break;
        case 's': rc = put_num(out, sec, n); break;
        case 'S': { /* fraction of second, n digits */
            char f[3] = {(char)('0' + ms / 100), (char)('0' + ms / 10 % 10),
                         (char)('0' + ms % 10)};
            for (int i = 0; i < n && rc == KC_OK; i++) {
                rc = kc_buf_append_byte(out, (uint8_t)(i < 3 ? f[i] : '0'));
            }
            break;
        }
        case 'E':
            rc = n >= 4 ? kc_buf_append_str(out, day_long[dow]) : kc_buf_append(out, day_long[dow], 3);
            break;
        case 'e': rc = put_num(out, dow + 1, n); break;
        case 'a': rc = kc_buf_append_str(out, hour < 12 ? "AM" : "PM"); break;
        case 'G': rc = kc_buf_append_str(out, year > 0 ? "AD" : "BC"); break;
        case 'Z': {
            int64_t o = off_ms / 60000;
            char sign = o < 0 ? '-' : '+';
            o = o < 0 ? -o : o;
            rc = n == 1 ? kc_buf_printf(out, "%c%02d%02d", sign, (int)(o / 60), (int)(o % 60))
                        : kc_buf_printf(out, "%c%02d:%02d", sign, (int)(o / 60), (int)(o % 60));
            break;
        }
        default:
            return kc_error_set(err, KC_EINVAL,
                                "Invalid path.format '%s': unsupported pattern letter '%c'", pat,
                                l);
        }
    }
    return rc == KC_OK ? KC_OK : kc_error_set(err, KC_ENOMEM, "out of memory");
}

int s3_partitioner_format_time(const struct s3_partitioner *p, int64_t ts, struct kc_buf *out,
                               struct kc_error *err)
{
    return format_pattern(p->path_format, ts, s3_partitioner_utc_offset(p, ts), out, err);
}

/* ---- construction ---- */

static const char *simple_name(const char *cls)
{
    const char *dot = strrchr(cls, '.');
    return dot != NULL ? dot + 1 : cls;
}

void s3_partitioner_free(struct s3_partitioner *p)
{
    if (p == NULL) {
        return;
    }
    for (size_t i = 0; i < p->n_fields; i++) {
        kc_free(p->fields[i]);
    }
    kc_free(p->fields);
    kc_free(p->path_format);
    kc_free(p->ts_field);
    kc_free(p->trans_at);
    kc_free(p->trans_off);
    kc_free(p);
}

int s3_partitioner_new(const struct s3_partitioner_config *c, struct s3_partitioner **out,
                       struct kc_error *err)
{
    *out = NULL;
    struct s3_partitioner *p = kc_calloc(1, sizeof(*p));
    if (p == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    const char *delim = c->dir_delim != NULL && c->dir_delim[0] ? c->dir_delim : "/";
    const char *cls = simple_name(c->class_name != NULL ? c->class_name : "DefaultPartitioner");
    const char *fmt = c->path_format != NULL ? c->path_format : "";
    int rc = KC_OK;
    char *preset = NULL;
    if (strcmp(cls, "DefaultPartitioner") == 0) {
        p->kind = S3_PART_DEFAULT;
    } else if (strcmp(cls, "FieldPartitioner") == 0) {
        p->kind = S3_PART_FIELD;
        if (c->n_fields == 0) {
            rc = kc_error_set(err, KC_EINVAL, "partition.field.name: FieldPartitioner needs at "
                                              "least one field");
            goto fail;
        }
        p->fields = kc_calloc(c->n_fields, sizeof(char *));
        if (p->fields == NULL) {
            goto oom;
        }
        for (size_t i = 0; i < c->n_fields; i++, p->n_fields++) {
            if ((p->fields[i] = kc_strdup(c->fields[i])) == NULL) {
                goto oom;
            }
        }
    } else if (strcmp(cls, "TimeBasedPartitioner") == 0 || strcmp(cls, "DailyPartitioner") == 0 ||
               strcmp(cls, "HourlyPartitioner") == 0) {
        p->kind = S3_PART_TIME;
        p->duration_ms = c->duration_ms;
        if (strcmp(cls, "DailyPartitioner") == 0 || strcmp(cls, "HourlyPartitioner") == 0) {
            int hourly = cls[0] == 'H';
            p->duration_ms = hourly ? 3600000 : S3_PART_DAY_MS;
            preset = kc_asprintf("'year'=YYYY%s'month'=MM%s'day'=dd%s%s", delim, delim,
                                 hourly ? delim : "", hourly ? "'hour'=HH" : "");
            if (preset == NULL) {
                goto oom;
            }
            fmt = preset;
        } else if (p->duration_ms <= 0) {
            rc = kc_error_set(err, KC_EINVAL, "partition.duration.ms: must be set to a positive "
                                              "value for TimeBasedPartitioner");
            goto fail;
        }
        if (fmt[0] == '\0') {
            rc = kc_error_set(err, KC_EINVAL, "path.format: Path format cannot be empty.");
            goto fail;
        }
        if (c->locale == NULL || c->locale[0] == '\0') {
            rc = kc_error_set(err, KC_EINVAL, "locale: Locale cannot be empty.");
            goto fail;
        }
        if (c->timezone == NULL || c->timezone[0] == '\0') {
            rc = kc_error_set(err, KC_EINVAL, "timezone: Timezone cannot be empty.");
            goto fail;
        }
    } else {
        rc = kc_error_set(err, KC_EINVAL, "partitioner.class: unsupported partitioner '%s' "
                                          "(Default, Field, TimeBased, Daily, Hourly)",
                          c->class_name);
        goto fail;
    }
    if (c->timezone != NULL && c->timezone[0] != '\0' &&
        !parse_fixed_offset(strcmp(c->timezone, "Z") == 0 ? "" : c->timezone,
                            &p->fixed_offset_ms) &&
        (rc = load_tzif(p, c->timezone, err)) != KC_OK) {
        goto fail;
    }
    /* Confluent trims one trailing delimiter from path.format. */
    p->path_format = kc_strdup(fmt);
    if (p->path_format == NULL) {
        goto oom;
    }
    size_t fl = strlen(p->path_format), dl = strlen(delim);
    if (fl >= dl && strcmp(p->path_format + fl - dl, delim) == 0) {
        p->path_format[fl - dl] = '\0';
    }
    const char *ex = simple_name(c->extractor != NULL ? c->extractor : "Wallclock");
    const char *dollar = strrchr(ex, '$');
    ex = dollar != NULL ? dollar + 1 : ex;
    if (strcmp(ex, "Wallclock") == 0 || strcmp(ex, "WallclockTimestampExtractor") == 0) {
        p->extractor = S3_EXTRACT_WALLCLOCK;
    } else if (strcmp(ex, "Record") == 0 || strcmp(ex, "RecordTimestampExtractor") == 0) {
        p->extractor = S3_EXTRACT_RECORD;
    } else if (strcmp(ex, "RecordField") == 0 ||
               strcmp(ex, "RecordFieldTimestampExtractor") == 0) {
        p->extractor = S3_EXTRACT_RECORD_FIELD;
    } else {
        rc = kc_error_set(err, KC_EINVAL, "timestamp.extractor: unsupported extractor '%s' "
                                          "(Wallclock, Record, RecordField)", c->extractor);
        goto fail;
    }
    p->ts_field = kc_strdup(c->timestamp_field != NULL ? c->timestamp_field : "timestamp");
    if (p->ts_field == NULL) {
        goto oom;
    }
    if (p->kind == S3_PART_TIME) { /* reject a bad pattern now, not at the first record */
        struct kc_buf probe;
        kc_buf_init(&probe, 4096);
        rc = format_pattern(p->path_format, 0, 0, &probe, err);
        kc_buf_fini(&probe);
        if (rc != KC_OK) {
            goto fail;
        }
    }
    kc_free(preset);
    *out = p;
    return KC_OK;
oom:
    rc = kc_error_set(err, KC_ENOMEM, "out of memory");
fail:
    kc_free(preset);
    s3_partitioner_free(p);
    return rc;
}

enum s3_partitioner_kind s3_partitioner_kind(const struct s3_partitioner *p)
{
    return p->kind;
}

enum s3_extractor s3_partitioner_extractor(const struct s3_partitioner *p)
{
    return p->extractor;
}

int s3_partitioner_needs_value(const struct s3_partitioner *p)
{
    return p->kind == S3_PART_FIELD ||
           (p->kind == S3_PART_TIME && p->extractor == S3_EXTRACT_RECORD_FIELD);
}

/* ---- record access ---- */

/* Nested lookup "a.b.c" in a JSON object. */
static const json_t *get_path(const json_t *v, const char *path)
{
    const char *s = path;
    while (v != NULL) {
        const char *dot = strchr(s, '.');
        size_t n = dot != NULL ? (size_t)(dot - s) : strlen(s);
        if (!json_is_object(v)) {
            return NULL;
        }
        v = json_object_getn(v, s, n);
        if (dot == NULL) {
            return v;
        }
        s = dot + 1;
    }
    return NULL;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) {
            return 0;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

/* ISO-8601 "YYYY-MM-DD[THH:MM[:SS[.fff...]]][Z|+hh:mm|+hhmm]"; no zone = UTC. */
static int parse_iso(const char *s, int64_t *ms)
{
    int y, mo, d, h = 0, mi = 0, se = 0, frac = 0;
    size_t n = strlen(s);
    if (n < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31) {
        return 0;
    }
    const char *c = s + 10;
    if (*c == 'T' || *c == ' ') {
        c++;
        if (!digits(c, 2, &h) || c[2] != ':' || !digits(c + 3, 2, &mi)) {
            return 0;
        }
        c += 5;
        if (*c == ':') {
            if (!digits(c + 1, 2, &se)) {
                return 0;
            }
            c += 3;
            if (*c == '.' || *c == ',') {
                c++;
                int nd = 0;
                while (isdigit((unsigned char)*c)) {
                    if (nd < 3) {
                        frac = frac * 10 + (*c - '0');
                    }
                    nd++;
                    c++;
                }
                if (nd == 0) {
                    return 0;
                }
                for (; nd < 3; nd++) {
                    frac *= 10;
                }
            }
        }
    }
    int64_t off = 0;
    if (*c == 'Z') {
        c++;
    } else if (*c == '+' || *c == '-') {
        int oh, om = 0;
        int neg = *c == '-';
        if (!digits(c + 1, 2, &oh)) {
            return 0;
        }
        c += 3;
        if (*c == ':') {
            c++;
        }
        if (isdigit((unsigned char)*c)) {
            if (!digits(c, 2, &om)) {
                return 0;
            }
            c += 2;
        }
        off = (neg ? -1 : 1) * ((int64_t)oh * 3600 + om * 60) * 1000;
    }
    if (*c != '\0' || h > 23 || mi > 59 || se > 60) {
        return 0;
    }
    *ms = days_from_civil(y, mo, d) * S3_PART_DAY_MS + (int64_t)h * 3600000 + mi * 60000 +
          se * 1000 + frac - off;
    return 1;
}

int s3_partitioner_timestamp(const struct s3_partitioner *p, const json_t *value,
                             int64_t record_ts, int has_ts, int64_t now_ms, int64_t *out,
                             struct kc_error *err)
{
    switch (p->extractor) {
    case S3_EXTRACT_WALLCLOCK:
        *out = now_ms;
        return KC_OK;
    case S3_EXTRACT_RECORD:
        if (!has_ts) {
            return kc_error_set(err, KC_EINVAL, "Unable to determine timestamp using "
                                                "timestamp.extractor Record: the record has no "
                                                "timestamp");
        }
        *out = record_ts;
        return KC_OK;
    case S3_EXTRACT_RECORD_FIELD:
        break;
    }
    const json_t *f = get_path(value, p->ts_field);
    if (json_is_integer(f)) {
        *out = (int64_t)json_integer_value(f);
        return KC_OK;
    }
    if (json_is_string(f)) {
        const char *s = json_string_value(f);
        size_t i = 0;
        while (isdigit((unsigned char)s[i])) {
            i++;
        }
        if (i > 0 && s[i] == '\0' && i < 19) {
            *out = strtoll(s, NULL, 10);
            return KC_OK;
        }
        if (parse_iso(s, out)) {
            return KC_OK;
        }
        return kc_error_set(err, KC_EINVAL, "Unable to parse timestamp field '%s': '%.100s'",
                            p->ts_field, s);
    }
    return kc_error_set(err, KC_EINVAL, "Unable to determine timestamp using "
                                        "timestamp.extractor RecordField for field: %s",
                        p->ts_field);
}

int s3_partitioner_encode(const struct s3_partitioner *p, const json_t *value,
                          int32_t kafka_partition, int64_t ts, struct kc_buf *out,
                          struct kc_error *err)
{
    int rc = KC_OK;
    switch (p->kind) {
    case S3_PART_DEFAULT:
        rc = kc_buf_printf(out, "partition=%d", (int)kafka_partition);
        break;
    case S3_PART_TIME:
        return format_pattern(p->path_format, s3_partitioner_floor(p, ts, p->duration_ms),
                              s3_partitioner_utc_offset(p, s3_partitioner_floor(p, ts,
                                                                                p->duration_ms)),
                              out, err);
    case S3_PART_FIELD:
        if (!json_is_object(value)) {
            return kc_error_set(err, KC_EINVAL, "FieldPartitioner: the value is not a struct or "
                                                "map");
        }
        for (size_t i = 0; i < p->n_fields && rc == KC_OK; i++) {
            const json_t *f = get_path(value, p->fields[i]);
            if (i > 0) {
                rc = kc_buf_append_str(out, "/");
            }
            if (rc != KC_OK) {
                break;
            }
            if (f == NULL || json_is_null(f)) {
                rc = kc_buf_printf(out, "%s=null", p->fields[i]);
            } else if (json_is_integer(f)) {
                rc = kc_buf_printf(out, "%s=%lld", p->fields[i],
                                   (long long)json_integer_value(f));
            } else if (json_is_string(f)) {
                rc = kc_buf_printf(out, "%s=%s", p->fields[i], json_string_value(f));
            } else if (json_is_boolean(f)) {
                rc = kc_buf_printf(out, "%s=%s", p->fields[i], json_is_true(f) ? "true" : "false");
            } else {
                return kc_error_set(err, KC_EINVAL, "FieldPartitioner: field '%s' is not an "
                                                    "integer, string or boolean",
                                    p->fields[i]);
            }
        }
        break;
    }
    return rc == KC_OK ? KC_OK : kc_error_set(err, KC_ENOMEM, "out of memory");
}
