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

void kc_log_write(enum kc_log_level level, const char *fac, const char *fmt, ...)
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
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + used, room - used, fmt, ap);
    va_end(ap);
    if (m > 0) {
        used += (size_t)m < room - used ? (size_t)m : room - used - 1;
    }
    memcpy(line + used, suffix, (size_t)sl + 1);
    fputs(line, stderr);
}
