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
#include <sys/stat.h>

#include "kc_alloc.h"

#define S3_PART_DAY_MS 86400000LL
#define S3_TZIF_MAX_BYTES (1 << 20)

/*
 * The rule in a TZif footer (see "TZif" below): a POSIX TZ string. Grammar (POSIX.1-2017
 * section 8.3, with RFC 8536 3.3.1's extension of the rule times):
 *
 *   std offset [dst [offset] [,start[/time],end[/time]]]
 *
 * std and dst are 3 or more letters, or <...> holding 3 or more letters, digits, '+' and '-'
 * ("<+03>"). offset is [+|-]hh[:mm[:ss]], hh 0..24, counted west of Greenwich ("EST5" is
 * UTC-5); a missing dst offset is one hour ahead of std. A date is Jn (1..365, February 29
 * never counted), n (0..365, February 29 counted) or Mm.w.d (day d, 0 = Sunday, of week w,
 * 5 = the last, of month m). time is [+|-]hh[:mm[:ss]] with hh 0..167, default 02:00:00; it is
 * local time, standard for the start and daylight for the end, and may fall on another day
 * ("M3.4.4/26", "M3.5.0/-1"). dst without rules takes tzcode's and glibc's default,
 * ",M3.2.0,M11.1.0".
 */
enum tz_date_kind {
    TZ_DATE_JULIAN_NOLEAP, /* Jn */
    TZ_DATE_JULIAN,        /* n */
    TZ_DATE_MWD,           /* Mm.w.d */
};

struct tz_date {
    enum tz_date_kind kind;
    int day;             /* Jn, n */
    int mon, week, wday; /* Mm.w.d */
    int32_t secs;        /* local time of day of the change */
};

struct tz_rule {
    int32_t std_off; /* seconds east of UTC (the sign of the POSIX offset flipped) */
    int32_t dst_off;
    int has_dst;
    struct tz_date start; /* daylight time begins (given in standard time) */
    struct tz_date end;   /* daylight time ends (given in daylight time) */
};

struct s3_partitioner {
    enum s3_partitioner_kind kind;
    enum s3_extractor extractor;
    char **fields; /* owned */
    size_t n_fields;
    int64_t duration_ms;
    char *path_format; /* owned, trailing delimiter trimmed */
    char *ts_field;    /* owned */
    /* TimeBased: the last period's encoded path (encode() is called per record) */
    struct kc_buf cache;
    int64_t cache_floor;
    int cache_valid;
    /* zone: a fixed offset, or (tzif) a TZif file's transitions, times strictly ascending,
     * with the offset after each, and its footer's rule for the times after the last one */
    int64_t fixed_offset_ms;
    int tzif;
    int64_t *trans_at;  /* owned, seconds */
    int32_t *trans_off; /* owned, seconds, offset in force from trans_at[i] */
    size_t n_trans;
    int32_t first_off; /* before the first transition */
    int has_rule;      /* the footer held a POSIX TZ string */
    struct tz_rule rule;
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

/*
 * TZif (RFC 8536), the system's zoneinfo files, read here without trusting a byte of them.
 *
 * Header, 44 bytes: "TZif", a version byte ('\0', '2', '3' or '4'), 15 unused bytes, then six
 * big-endian uint32 counts: isutcnt (20), isstdcnt (24), leapcnt (28), timecnt (32),
 * typecnt (36), charcnt (40). The data block after it: timecnt transition times (int32 in v1,
 * int64 in v2+), timecnt one-byte type indexes, typecnt 6-byte types (int32 utoff, uint8
 * isdst, uint8 desigidx), charcnt bytes of names, leapcnt leap records (time + int32 correction),
 * isstdcnt and isutcnt indicator bytes. A v2+ file repeats header and block with 64-bit times
 * and ends with a footer: '\n', a POSIX TZ string, '\n'. The footer rules local time after the
 * last transition, and at every instant when the file has no transitions (3.3). "Fat" files
 * list transitions up to 2037; "slim" ones (zic -b slim) stop where the rule takes over (2007
 * for America/New_York), so without the footer today's dates would get a stale offset.
 *
 * Every count comes from the file: each block is checked against the file's length before it
 * is read, the footer is parsed with an explicit end, and the file is held in a buffer of
 * exactly its size so that the sanitizers see any read past it.
 */

struct tzif_hdr {
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* h: 44 readable bytes. */
static void tzif_hdr_read(const unsigned char *h, struct tzif_hdr *t)
{
    t->isutcnt = be32(h + 20);
    t->isstdcnt = be32(h + 24);
    t->leapcnt = be32(h + 28);
    t->timecnt = be32(h + 32);
    t->typecnt = be32(h + 36);
    t->charcnt = be32(h + 40);
}

/* Length of the data block after a header whose times are tsz bytes (4 or 8); no overflow:
 * each count is below 2^32 and each factor at most 12. */
static uint64_t tzif_block_len(const struct tzif_hdr *t, uint64_t tsz)
{
    return (uint64_t)t->timecnt * (tsz + 1) + (uint64_t)t->typecnt * 6 + t->charcnt +
           (uint64_t)t->leapcnt * (tsz + 4) + t->isstdcnt + t->isutcnt;
}

/* ---- the POSIX TZ string of the footer ---- */

/* A cursor over untrusted bytes [s, end), which are not NUL-terminated. A failed element
 * leaves s at its start, so that the error message points at it. */
struct tz_cur {
    const char *s;
    const char *end;
    const char *why; /* static text: what was expected where parsing stopped */
};

static int cur_peek(const struct tz_cur *c)
{
    return c->s < c->end ? (unsigned char)*c->s : -1;
}

static int cur_eat(struct tz_cur *c, int ch)
{
    if (cur_peek(c) != ch) {
        return 0;
    }
    c->s++;
    return 1;
}

/* ASCII only, whatever the process locale says. */
static int is_alpha(int ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

static int is_digit(int ch)
{
    return ch >= '0' && ch <= '9';
}

static int tz_parse_name(struct tz_cur *c)
{
    const char *at = c->s;
    size_t n = 0;
    if (cur_eat(c, '<')) {
        int ch;
        while ((ch = cur_peek(c)) != -1 &&
               (is_alpha(ch) || is_digit(ch) || ch == '+' || ch == '-')) {
            c->s++;
            n++;
        }
        if (n < 3 || !cur_eat(c, '>')) {
            c->why = "a quoted name: 3 or more letters, digits, '+' or '-' between '<' and '>'";
            c->s = at;
            return 0;
        }
        return 1;
    }
    while (is_alpha(cur_peek(c))) {
        c->s++;
        n++;
    }
    if (n < 3) {
        c->why = "a zone name of 3 or more letters";
        c->s = at;
        return 0;
    }
    return 1;
}

/* 1 to max_digits decimal digits (and no more), value at most max. */
static int tz_parse_uint(struct tz_cur *c, int max_digits, int max, int *out)
{
    int v = 0, n = 0;
    while (n < max_digits && is_digit(cur_peek(c))) {
        v = v * 10 + (*c->s++ - '0');
        n++;
    }
    if (n == 0 || v > max || is_digit(cur_peek(c))) {
        return 0;
    }
    *out = v;
    return 1;
}

/* [+|-]hh[:mm[:ss]] with hh at most max_h; seconds, with the sign as written. */
static int tz_parse_hms(struct tz_cur *c, int max_h, int32_t *out)
{
    int neg = 0, h, m = 0, sec = 0;
    if (cur_eat(c, '-')) {
        neg = 1;
    } else {
        (void)cur_eat(c, '+');
    }
    if (!tz_parse_uint(c, 3, max_h, &h)) {
        return 0;
    }
    if (cur_eat(c, ':')) {
        if (!tz_parse_uint(c, 2, 59, &m)) {
            return 0;
        }
        if (cur_eat(c, ':') && !tz_parse_uint(c, 2, 59, &sec)) {
            return 0;
        }
    }
    *out = (int32_t)((neg ? -1 : 1) * (h * 3600 + m * 60 + sec));
    return 1;
}

static int tz_parse_offset(struct tz_cur *c, int32_t *east)
{
    const char *at = c->s;
    int32_t west;
    if (!tz_parse_hms(c, 24, &west)) {
        c->why = "an offset [+|-]hh[:mm[:ss]] with hh 0..24, mm and ss 0..59";
        c->s = at;
        return 0;
    }
    *east = -west;
    return 1;
}

static int tz_parse_date(struct tz_cur *c, struct tz_date *d)
{
    const char *at = c->s;
    d->secs = 7200;
    if (cur_eat(c, 'J')) {
        d->kind = TZ_DATE_JULIAN_NOLEAP;
        if (!tz_parse_uint(c, 3, 365, &d->day) || d->day < 1) {
            c->why = "a day 1..365 after 'J'";
            c->s = at;
            return 0;
        }
    } else if (cur_eat(c, 'M')) {
        d->kind = TZ_DATE_MWD;
        if (!tz_parse_uint(c, 2, 12, &d->mon) || d->mon < 1 || !cur_eat(c, '.') ||
            !tz_parse_uint(c, 1, 5, &d->week) || d->week < 1 || !cur_eat(c, '.') ||
            !tz_parse_uint(c, 1, 6, &d->wday)) {
            c->why = "Mm.w.d with m 1..12, w 1..5, d 0..6";
            c->s = at;
            return 0;
        }
    } else {
        d->kind = TZ_DATE_JULIAN;
        if (!tz_parse_uint(c, 3, 365, &d->day)) {
            c->why = "a rule date: Jn, n or Mm.w.d";
            c->s = at;
            return 0;
        }
    }
    if (cur_eat(c, '/')) {
        at = c->s;
        if (!tz_parse_hms(c, 167, &d->secs)) {
            c->why = "a time [+|-]hh[:mm[:ss]] with hh 0..167, mm and ss 0..59 after '/'";
            c->s = at;
            return 0;
        }
    }
    return 1;
}

/* Parse the n bytes at s. On failure *why (static) and *pos say what and where. */
static int tz_parse_rule(const char *s, size_t n, struct tz_rule *r, const char **why, size_t *pos)
{
    struct tz_cur c = {.s = s, .end = s + n, .why = "the end of the TZ string"};
    memset(r, 0, sizeof(*r));
    if (!tz_parse_name(&c) || !tz_parse_offset(&c, &r->std_off)) {
        goto bad;
    }
    if (cur_peek(&c) == -1) {
        return 1; /* no daylight time: "<+03>-3" */
    }
    if (!tz_parse_name(&c)) {
        goto bad;
    }
    r->has_dst = 1;
    r->dst_off = r->std_off + 3600;
    if (cur_peek(&c) != ',' && cur_peek(&c) != -1 && !tz_parse_offset(&c, &r->dst_off)) {
        goto bad;
    }
    if (cur_peek(&c) == -1) {
        r->start = (struct tz_date){.kind = TZ_DATE_MWD, .mon = 3, .week = 2, .secs = 7200};
        r->end = (struct tz_date){.kind = TZ_DATE_MWD, .mon = 11, .week = 1, .secs = 7200};
        return 1;
    }
    if (!cur_eat(&c, ',')) {
        c.why = "',' and the start of daylight time";
        goto bad;
    }
    if (!tz_parse_date(&c, &r->start)) {
        goto bad;
    }
    if (!cur_eat(&c, ',')) {
        c.why = "',' and the end of daylight time";
        goto bad;
    }
    if (!tz_parse_date(&c, &r->end)) {
        goto bad;
    }
    if (cur_peek(&c) == -1) {
        return 1;
    }
    c.why = "the end of the TZ string";
bad:
    *why = c.why;
    *pos = (size_t)(c.s - s);
    return 0;
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The day (since 1970-01-01) a rule date names in year y. */
static int64_t tz_date_day(const struct tz_date *d, int64_t y)
{
    switch (d->kind) {
    case TZ_DATE_JULIAN_NOLEAP:
        return days_from_civil(y, 1, 1) + d->day - 1 + (is_leap(y) && d->day >= 60);
    case TZ_DATE_JULIAN:
        return days_from_civil(y, 1, 1) + d->day;
    case TZ_DATE_MWD:
        break;
    }
    int64_t first = days_from_civil(y, d->mon, 1);
    int64_t next = d->mon == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, d->mon + 1, 1);
    int wday_first = (int)((first % 7 + 7 + 4) % 7); /* 1970-01-01 was a Thursday; 0 = Sunday */
    int64_t day = first + (d->wday - wday_first + 7) % 7 + (int64_t)(d->week - 1) * 7;
    while (day >= next) { /* week 5: the last such day of the month */
        day -= 7;
    }
    return day;
}

/*
 * Offset (seconds east) at UTC second s. The changes of the years around s's are walked in
 * order and the last one at or before s wins. Two years back, because with times up to 167 h
 * a change may land a week into the next year; on a tie the later change of the sequence wins,
 * so an all-year daylight rule ("EST5EDT4,0/0,J365/25") never flickers back at the new year.
 */
static int32_t tz_rule_offset(const struct tz_rule *r, int64_t s)
{
    if (!r->has_dst) {
        return r->std_off;
    }
    int64_t y;
    int m, d;
    civil_from_days(floor_div(s, 86400), &y, &m, &d);
    int64_t best = INT64_MIN;
    int32_t off = r->std_off;
    for (int64_t yy = y - 2; yy <= y + 1; yy++) {
        int64_t on = tz_date_day(&r->start, yy) * 86400 + r->start.secs - r->std_off;
        int64_t back = tz_date_day(&r->end, yy) * 86400 + r->end.secs - r->dst_off;
        int64_t at[2] = {on, back};
        int32_t to[2] = {r->dst_off, r->std_off};
        if (back < on) { /* southern hemisphere: daylight time spans the new year */
            at[0] = back;
            at[1] = on;
            to[0] = r->std_off;
            to[1] = r->dst_off;
        }
        for (int i = 0; i < 2; i++) {
            if (at[i] <= s && at[i] >= best) {
                best = at[i];
                off = to[i];
            }
        }
    }
    return off;
}

/* ---- loading ---- */

/* The footer for an error message: at most 64 bytes, others as '?', a cut shown by "...". */
static void footer_for_msg(const char *s, size_t n, char out[72])
{
    size_t i = 0;
    for (; i < n && i < 64; i++) {
        out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    }
    if (n > 64) {
        memcpy(out + i, "...", 3);
        i += 3;
    }
    out[i] = '\0';
}

/* buf/len: the whole file (owned by the caller); path only for messages. */
static int parse_tzif(struct s3_partitioner *p, const char *name, const char *path,
                      const unsigned char *buf, size_t len, struct kc_error *err)
{
    if (len < 44 || memcmp(buf, "TZif", 4) != 0) {
        return kc_error_set(err, KC_EINVAL, "Unknown timezone '%s' (%s is not a TZif file)", name,
                            path);
    }
    struct tzif_hdr hd;
    tzif_hdr_read(buf, &hd);
    const unsigned char *h = buf;
    uint64_t tsz = 4;
    int v2 = buf[4] >= '2';
    if (v2) { /* skip the 32-bit block and read the 64-bit one */
        uint64_t skip = 44 + tzif_block_len(&hd, 4);
        if (skip > len || len - skip < 44 || memcmp(buf + skip, "TZif", 4) != 0) {
            return kc_error_set(err, KC_EINVAL,
                                "Invalid timezone '%s': TZif file %s is "
                                "truncated or corrupt (no second header)",
                                name, path);
        }
        h = buf + skip;
        tzif_hdr_read(h, &hd);
        tsz = 8;
    }
    uint64_t data_at = (uint64_t)(h - buf) + 44; /* <= len: 44 bytes at h were checked */
    uint64_t block = tzif_block_len(&hd, tsz);
    if (hd.typecnt == 0 || block > len - data_at) {
        return kc_error_set(err, KC_EINVAL,
                            "Invalid timezone '%s': TZif file %s is truncated "
                            "or corrupt (%s)",
                            name, path, hd.typecnt == 0 ? "no time types" : "data block cut");
    }
    size_t timecnt = hd.timecnt, typecnt = hd.typecnt;
    const unsigned char *times = buf + data_at;
    const unsigned char *idx = times + timecnt * tsz;
    const unsigned char *types = idx + timecnt;
    p->trans_at = kc_calloc(timecnt + 1, sizeof(int64_t));
    p->trans_off = kc_calloc(timecnt + 1, sizeof(int32_t));
    if (p->trans_at == NULL || p->trans_off == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    /* before the first transition: the first non-DST type, as glibc and tzcode choose */
    p->first_off = (int32_t)be32(types);
    for (size_t t = 0; t < typecnt; t++) {
        if (types[t * 6 + 4] == 0) {
            p->first_off = (int32_t)be32(types + t * 6);
            break;
        }
    }
    for (size_t i = 0; i < timecnt; i++) {
        int64_t at = tsz == 8
                         ? (int64_t)((uint64_t)be32(times + i * 8) << 32 | be32(times + i * 8 + 4))
                         : (int64_t)(int32_t)be32(times + i * 4);
        if (idx[i] >= typecnt || (i > 0 && at <= p->trans_at[i - 1])) {
            return kc_error_set(err, KC_EINVAL,
                                "Invalid timezone '%s': TZif file %s is corrupt "
                                "(transition %zu: %s)",
                                name, path, i,
                                idx[i] >= typecnt ? "no such time type" : "times not ascending");
        }
        p->trans_at[i] = at;
        p->trans_off[i] = (int32_t)be32(types + idx[i] * 6);
    }
    p->n_trans = timecnt;
    if (!v2) {
        return KC_OK; /* v1 files have no footer: later times keep the last offset */
    }
    const char *f = (const char *)buf + data_at + block;
    size_t rest = len - (size_t)(data_at + block);
    const char *nl = rest > 1 && f[0] == '\n' ? memchr(f + 1, '\n', rest - 1) : NULL;
    if (nl == NULL) {
        return kc_error_set(err, KC_EINVAL,
                            "Invalid timezone '%s': TZif file %s has no "
                            "complete TZ string footer ('\\n' TZ '\\n')",
                            name, path);
    }
    size_t n = (size_t)(nl - (f + 1));
    if (n == 0) {
        return KC_OK; /* an empty footer: local time after the last transition is unspecified */
    }
    const char *why = NULL;
    size_t pos = 0;
    if (!tz_parse_rule(f + 1, n, &p->rule, &why, &pos)) {
        char shown[72];
        footer_for_msg(f + 1, n, shown);
        return kc_error_set(err, KC_EINVAL,
                            "Invalid timezone '%s': malformed TZ string footer "
                            "\"%s\" in %s (at byte %zu: expected %s)",
                            name, shown, path, pos, why);
    }
    p->has_rule = 1;
    return KC_OK;
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
    unsigned char *buf = NULL;
    int rc;
    struct stat st;
    FILE *f = fopen(path, "rb");
    if (f == NULL || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = kc_error_set(err, KC_EINVAL, "Unknown timezone '%s'", name);
        goto out;
    }
    if (st.st_size > S3_TZIF_MAX_BYTES) {
        rc = kc_error_set(err, KC_EINVAL,
                          "Invalid timezone '%s': %s is larger than %d bytes, "
                          "not a TZif file",
                          name, path, S3_TZIF_MAX_BYTES);
        goto out;
    }
    /* exactly the file's size, so a read past the data is a read past the allocation */
    size_t len = (size_t)st.st_size;
    buf = kc_malloc(len > 0 ? len : 1);
    if (buf == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        goto out;
    }
    size_t got = fread(buf, 1, len, f);
    if (got != len) {
        rc = ferror(f) ? kc_error_set_errno(err, KC_EINVAL, errno,
                                            "Invalid timezone '%s': cannot read %s", name, path)
                       : kc_error_set(err, KC_EINVAL,
                                      "Invalid timezone '%s': %s shrank while read (%zu of %zu "
                                      "bytes)",
                                      name, path, got, len);
        goto out;
    }
    p->tzif = 1;
    rc = parse_tzif(p, name, path, buf, len, err);
    if (rc == KC_OK && p->n_trans == 0 && (!p->has_rule || !p->rule.has_dst)) {
        /* one offset at every instant (UTC, Etc/GMT+5): asked per record, so kept as a number
         * (what s3_partitioner_utc_offset would answer from the file, every time) */
        p->fixed_offset_ms = (int64_t)(p->has_rule ? p->rule.std_off : p->first_off) * 1000;
        p->tzif = 0;
    }
out:
    kc_free(buf);
    if (f != NULL) {
        fclose(f);
    }
    kc_free(path);
    return rc;
}

int64_t s3_partitioner_utc_offset(const struct s3_partitioner *p, int64_t ts)
{
    if (!p->tzif) {
        return p->fixed_offset_ms;
    }
    int64_t s = floor_div(ts, 1000);
    /* The footer from the last transition on, as glibc; with no transitions, at every instant
     * (RFC 8536 3.3; glibc keeps the first type there, tzcode follows the RFC). */
    if (p->has_rule && (p->n_trans == 0 || s >= p->trans_at[p->n_trans - 1])) {
        return (int64_t)tz_rule_offset(&p->rule, s) * 1000;
    }
    size_t lo = 0, hi = p->n_trans; /* first transition > s */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
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
    kc_buf_fini(&p->cache);
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
    kc_buf_init(&p->cache, 64 * 1024);
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

static int first_segment_is(const char *path, const char *name, size_t len)
{
    const char *dot = strchr(path, '.');
    size_t n = dot != NULL ? (size_t)(dot - path) : strlen(path);
    return n == len && memcmp(path, name, len) == 0;
}

int s3_partitioner_reads_member(const struct s3_partitioner *p, const char *name, size_t len)
{
    if (p->kind == S3_PART_FIELD) {
        for (size_t i = 0; i < p->n_fields; i++) {
            if (first_segment_is(p->fields[i], name, len)) {
                return 1;
            }
        }
        return 0;
    }
    return p->kind == S3_PART_TIME && p->extractor == S3_EXTRACT_RECORD_FIELD &&
           first_segment_is(p->ts_field, name, len);
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

/* What is at `path` of the value, whichever way it was parsed. */
static void field_at(const struct s3_value *v, const char *path, struct parquet_doc_field *out)
{
    if (v != NULL && v->fields != NULL) {
        parquet_jsonl_fields_get(v->fields, path, out);
        return;
    }
    if (v != NULL && v->doc != NULL) {
        parquet_jsonl_doc_get(v->doc, v->from, path, out);
        return;
    }
    memset(out, 0, sizeof(*out));
    const json_t *f = get_path(v != NULL ? v->json : NULL, path);
    switch (f != NULL ? json_typeof(f) : JSON_NULL) {
    case JSON_NULL:
        out->kind = f != NULL ? PARQUET_DOC_NULL : PARQUET_DOC_MISSING;
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        out->kind = PARQUET_DOC_BOOLEAN;
        out->i = json_is_true(f);
        break;
    case JSON_INTEGER:
        out->kind = PARQUET_DOC_INTEGER;
        out->i = (int64_t)json_integer_value(f);
        break;
    case JSON_REAL:
        out->kind = PARQUET_DOC_REAL;
        out->d = json_real_value(f);
        break;
    case JSON_STRING:
        out->kind = PARQUET_DOC_STRING;
        out->s = json_string_value(f);
        out->len = json_string_length(f);
        break;
    case JSON_ARRAY:
        out->kind = PARQUET_DOC_ARRAY;
        break;
    case JSON_OBJECT:
        out->kind = PARQUET_DOC_OBJECT;
        break;
    }
}

static int value_is_object(const struct s3_value *v)
{
    if (v != NULL && v->fields != NULL) {
        return 1;
    }
    if (v != NULL && v->doc != NULL) {
        struct parquet_doc_field top;
        if (v->from == NULL) {
            parquet_jsonl_doc_root(v->doc, &top);
            return top.kind == PARQUET_DOC_OBJECT;
        }
        return v->from->kind == PARQUET_DOC_OBJECT;
    }
    return v != NULL && json_is_object(v->json);
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

int s3_partitioner_timestamp(const struct s3_partitioner *p, const struct s3_value *value,
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
    struct parquet_doc_field f;
    field_at(value, p->ts_field, &f);
    if (f.kind == PARQUET_DOC_INTEGER) {
        *out = f.i;
        return KC_OK;
    }
    if (f.kind == PARQUET_DOC_STRING && strlen(f.s) == f.len) { /* a NUL inside: no time */
        const char *s = f.s;
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

int s3_partitioner_encode(struct s3_partitioner *p, const struct s3_value *value,
                          int32_t kafka_partition, int64_t ts, struct kc_buf *out,
                          struct kc_error *err)
{
    int rc = KC_OK;
    switch (p->kind) {
    case S3_PART_DEFAULT: {
        /* once per record: without printf (it was ~7% of the sink's CPU) */
        char digits[16];
        size_t n = 0;
        uint32_t v = kafka_partition < 0 ? (uint32_t)0 - (uint32_t)kafka_partition
                                         : (uint32_t)kafka_partition;
        do {
            digits[n++] = (char)('0' + v % 10);
            v /= 10;
        } while (v != 0);
        rc = kc_buf_append(out, "partition=", 10);
        if (rc == KC_OK && kafka_partition < 0) {
            rc = kc_buf_append(out, "-", 1);
        }
        while (rc == KC_OK && n > 0) {
            rc = kc_buf_append(out, &digits[--n], 1);
        }
        break;
    }
    case S3_PART_TIME: {
        /* Records come in runs of one period: its path is formatted once per run (printf was
         * ~5% of the task thread), then copied. */
        int64_t floor = s3_partitioner_floor(p, ts, p->duration_ms);
        if (p->cache_valid && p->cache_floor == floor) {
            return kc_buf_append(out, p->cache.data, p->cache.len);
        }
        size_t at = out->len;
        rc = format_pattern(p->path_format, floor, s3_partitioner_utc_offset(p, floor), out, err);
        if (rc == KC_OK) {
            kc_buf_reset(&p->cache);
            p->cache_valid = kc_buf_append(&p->cache, out->data + at, out->len - at) == KC_OK;
            p->cache_floor = floor;
        }
        return rc;
    }
    case S3_PART_FIELD:
        if (!value_is_object(value)) {
            return kc_error_set(err, KC_EINVAL, "FieldPartitioner: the value is not a struct or "
                                                "map");
        }
        for (size_t i = 0; i < p->n_fields && rc == KC_OK; i++) {
            struct parquet_doc_field f;
            field_at(value, p->fields[i], &f);
            if (i > 0) {
                rc = kc_buf_append_str(out, "/");
            }
            if (rc != KC_OK) {
                break;
            }
            if (f.kind == PARQUET_DOC_MISSING || f.kind == PARQUET_DOC_NULL) {
                rc = kc_buf_printf(out, "%s=null", p->fields[i]);
            } else if (f.kind == PARQUET_DOC_INTEGER) {
                rc = kc_buf_printf(out, "%s=%lld", p->fields[i], (long long)f.i);
            } else if (f.kind == PARQUET_DOC_STRING && strlen(f.s) != f.len) {
                /* a path cannot hold it, and cutting it would merge distinct values */
                return kc_error_set(err, KC_EINVAL, "FieldPartitioner: field '%s' holds a NUL "
                                                    "character",
                                    p->fields[i]);
            } else if (f.kind == PARQUET_DOC_STRING) {
                rc = kc_buf_printf(out, "%s=%s", p->fields[i], f.s);
            } else if (f.kind == PARQUET_DOC_BOOLEAN) {
                rc = kc_buf_printf(out, "%s=%s", p->fields[i], f.i ? "true" : "false");
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
