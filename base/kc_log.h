/*
 * base/kc_log.h: leveled logging in the JVM worker's line shape, so operators' greps keep
 * working: "[2026-11-21 12:00:00,123] INFO message (facility)".
 * kc_log() checks the level before evaluating its arguments (redis's serverLog).
 */
#ifndef KC_LOG_H
#define KC_LOG_H

#include <stddef.h>

enum kc_log_level {
    KC_LOG_ERROR = 0,
    KC_LOG_WARN = 1,
    KC_LOG_INFO = 2,
    KC_LOG_DEBUG = 3,
    KC_LOG_TRACE = 4,
};

extern volatile int kc_log_level_current;

#define kc_log(level, fac, ...)                                                                    \
    do {                                                                                           \
        if ((int)(level) <= kc_log_level_current) {                                                \
            kc_log_write((level), (fac), __VA_ARGS__);                                             \
        }                                                                                          \
    } while (0)

/* @thread any. fac is a short facility tag ("herder", "task", "rest"). Control characters in
 * the formatted message are escaped (\n, \r, \xNN; tab kept), so text from a request or a
 * record cannot forge a log line. */
void kc_log_write(enum kc_log_level level, const char *fac, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A multi-line block of our own text (the worker config dump), written as is. @thread any */
void kc_log_block(enum kc_log_level level, const char *fac, const char *text, size_t len);
/* Parse "INFO", "debug", ...; -1 if unknown. Java names: ERROR WARN INFO DEBUG TRACE (+ FATAL, OFF, ALL). */
int kc_log_level_parse(const char *s);
const char *kc_log_level_name(int level);
void kc_log_set_level(int level);

#endif
