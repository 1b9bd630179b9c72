/*
 * worker/base/kc_log.c: writes log lines to stderr, one fputs per line so lines from different
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
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    int n = snprintf(line, sizeof(line), "[%04d-%02d-%02d %02d:%02d:%02d,%03d] %s ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, (int)(tv.tv_usec / 1000), kc_log_level_name((int)level));
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    size_t used = (size_t)n + (m > 0 ? (size_t)m : 0);
    if (used >= sizeof(line) - 1) {
        used = sizeof(line) - 2;
    }
    snprintf(line + used, sizeof(line) - used, " (%s)\n", fac ? fac : "-");
    line[sizeof(line) - 2] = line[sizeof(line) - 2] ? line[sizeof(line) - 2] : '\n';
    fputs(line, stderr);
}
