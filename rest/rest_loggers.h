/*
 * rest/rest_loggers.h: the in-process logger registry behind /admin/loggers.
 *
 * The JVM keeps log4j loggers; we keep a small table: "root" (always present, level mirrored from
 * kc_log at creation), the kc_log facility loggers ("herder", "task", ...: ours, as the JVM's
 * class loggers are its) plus every logger a PUT has named. A PUT on namespace N sets N and
 * every known logger whose name starts with N (string prefix, as the JVM's Loggers does); "root"
 * sets every logger. The answer lists, as the JVM's does, the loggers whose level changed (a
 * logger the PUT creates starts at its inherited level), sorted. last_modified (wall ms) changes only when a logger's level really
 * changes. kc_log has one global level, so the effective kc_log level is the most verbose of
 * "root" and the registered kc_log facility names ("herder", "task", ...): asking for DEBUG on a
 * facility gives DEBUG lines everywhere (more, never fewer, than asked). Thread-safe (mutex).
 */
#ifndef REST_LOGGERS_H
#define REST_LOGGERS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct rest_loggers;

/* facilities: NULL-ended names that drive kc_log (borrowed, static); NULL = the default list.
 * Returns NULL on allocation failure. @thread any */
struct rest_loggers *rest_loggers_new(const char *const *facilities);
void rest_loggers_free(struct rest_loggers *lg);

/* Level name as the JVM would print it ("DEBUG"), upper-cased from a log4j level name
 * (OFF FATAL ERROR WARN INFO DEBUG TRACE ALL, any case); NULL when not a level. */
const char *rest_loggers_level_canon(const char *level);

/* {"name":{"level":..,"last_modified":..},...} sorted by name (JVM TreeMap). New ref or NULL. */
json_t *rest_loggers_all_json(struct rest_loggers *lg);
/* {"level":..,"last_modified":..} or NULL when the logger is unknown. New reference. */
json_t *rest_loggers_get_json(struct rest_loggers *lg, const char *name);
/* Set level (already validated by rest_loggers_level_canon) on name and its children at time
 * now_ms; returns the sorted JSON array of the names whose level changed (new ref), or NULL on
 * ENOMEM. */
json_t *rest_loggers_set(struct rest_loggers *lg, const char *name, const char *level,
                         int64_t now_ms);
/* Named loggers kept at most (root included, our facility loggers not counted): names are the
 * client's to choose, so without a bound every PUT /admin/loggers/<new name> grows the
 * registry. log4j configs name tens. */
#define REST_LOGGERS_MAX 1024
/* 1 when name is not known yet and the registry already holds REST_LOGGERS_MAX entries. */
int rest_loggers_full(struct rest_loggers *lg, const char *name);

#endif
