/*
 * base/kc_log.c: writes log lines to stderr, one fputs per line so lines from different
 * threads never interleave within a line.
 */
#include "kc_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

volatile int kc_log_level_current = KC_LOG_INFO;

static const char *const level_names[] = {"ERROR", "WARN", "INFO", "DEBUG", "TRACE"};

const char *kc_log_level_name(int level)
{
    if (level < 0 || level > KC_LOG_TRACE) {
        return "INFO";
    }
    return level_names[level];
}

int kc_log_level_parse(const char *s)
{
    if (s == NULL) {
        return -1;
    }
    for (int i = 0; i <= KC_LOG_TRACE; i++) {
        if (strcasecmp(s, level_names[i]) == 0) {
            return i;
        }
    }
    if (strcasecmp(s, "FATAL") == 0 || strcasecmp(s, "OFF") == 0) {
        return KC_LOG_ERROR;
    }
    if (strcasecmp(s, "ALL") == 0) {
        return KC_LOG_TRACE;
    }
    return -1;
}

void kc_log_set_level(int level)
{
    kc_log_level_current = level;
}

/* Escape control characters in msg[0..n) into out (room bytes, NUL-terminated): a value from a
 * request ("%0A[...] ERROR forged") must not start a line of its own. Tab stays (it cannot
 * forge a line); \n and \r print as those two characters, the rest as \xNN, DEL included.
 * Cut at a whole escape when out is full. Returns the length written. */
static size_t escape_controls(const char *msg, size_t n, char *out, size_t room)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)msg[i];
        char esc[4];
        size_t el = 0;
        if (c == '\n' || c == '\r') {
            esc[0] = '\\';
            esc[1] = c == '\n' ? 'n' : 'r';
            el = 2;
        } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
            esc[0] = '\\';
            esc[1] = 'x';
            esc[2] = hex[c >> 4];
            esc[3] = hex[c & 15];
            el = 4;
        } else {
            esc[0] = (char)c;
            el = 1;
        }
        if (o + el >= room) {
            break;
        }
        memcpy(out + o, esc, el);
        o += el;
    }
    out[o] = '\0';
    return o;
}

static void log_line(enum kc_log_level level, const char *fac, const char *msg, size_t msg_len,
                     int escape)
{
    char line[2048];
    char suffix[64];
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    int sl = snprintf(suffix, sizeof(suffix), " (%s)\n", fac ? fac : "-");
    if (sl < 0 || (size_t)sl >= sizeof(suffix)) {
        sl = (int)sizeof(suffix) - 1;
        suffix[sl - 1] = '\n';
    }
    /* Room for the message is whatever the prefix and the suffix leave; a longer message is
     * cut, never the "(facility)" tag or the newline. */
    size_t room = sizeof(line) - (size_t)sl;
    int n = snprintf(line, room, "[%04d-%02d-%02d %02d:%02d:%02d,%03d] %s ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     (int)(tv.tv_usec / 1000), kc_log_level_name((int)level));
    size_t used = n > 0 ? (size_t)n : 0;
    if (escape) {
        used += escape_controls(msg, msg_len, line + used, room - used);
    } else {
        size_t m = msg_len < room - used - 1 ? msg_len : room - used - 1;
        memcpy(line + used, msg, m);
        used += m;
    }
    memcpy(line + used, suffix, (size_t)sl + 1);
    fputs(line, stderr);
}

void kc_log_write(enum kc_log_level level, const char *fac, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    size_t len = m < 0 ? 0 : (size_t)m < sizeof(msg) ? (size_t)m : sizeof(msg) - 1;
    log_line(level, fac, msg, len, 1);
}

void kc_log_block(enum kc_log_level level, const char *fac, const char *text, size_t len)
{
    if ((int)level <= kc_log_level_current) {
        log_line(level, fac, text, len, 0);
    }
}
