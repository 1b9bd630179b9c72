/*
 * config/conf_def.h: config key definitions -- the single source for parsing, defaults,
 * validation, PUT .../config/validate and docs (librdkafka's property table, Kafka's ConfigDef).
 * A table is a const array of struct conf_def ended by an entry with name == NULL.
 */
#ifndef CONF_DEF_H
#define CONF_DEF_H

#include <stddef.h>
#include <stdint.h>

#include "kc_error.h"
#include "kc_strmap.h"

/* Kafka's ConfigDef.Type, same order and names ("BOOLEAN", ...). */
enum conf_type {
    CONF_BOOLEAN = 0,
    CONF_STRING,
    CONF_INT,
    CONF_SHORT,
    CONF_LONG,
    CONF_DOUBLE,
    CONF_LIST,
    CONF_CLASS,
    CONF_PASSWORD,
};

enum conf_importance { CONF_HIGH = 0, CONF_MEDIUM, CONF_LOW };
enum conf_width { CONF_WIDTH_NONE = 0, CONF_WIDTH_SHORT, CONF_WIDTH_MEDIUM, CONF_WIDTH_LONG };

struct conf_def;

/* Validator: value is the raw string (never NULL here). On failure write the JVM's message
 * ("Invalid value X for configuration k: must be ...") into err and return KC_EINVAL. */
typedef int (*conf_validate_fn)(const struct conf_def *d, const char *value, struct kc_error *err);

#define CONF_NO_DEFAULT ((const char *)0)

struct conf_def {
    const char *name;
    enum conf_type type;
    const char *default_value; /* string form; CONF_NO_DEFAULT (NULL) = required */
    int default_is_null;       /* 1: has a default, and it is Java null (not required) */
    enum conf_importance importance;
    const char *doc;
    const char *group;         /* NULL = no group */
    int order_in_group;        /* -1 = none */
    enum conf_width width;
    const char *display_name;  /* NULL = name */
    conf_validate_fn validator;/* NULL = type check only */
    int64_t min, max;          /* range for numeric types when validator == conf_validate_range */
    const char *const *allowed;/* NULL-ended allowed values for conf_validate_in (case-insensitive) */
};

/* ---- ConfigInfos: the result of validating one config against tables, as the validate
 * endpoint returns it. Owned strings throughout, freed by conf_infos_free. ---- */
struct conf_info_value {
    const struct conf_def *def; /* borrowed from a static table; NULL = key with no definition */
    char *name;                 /* owned */
    char *value;                /* owned; string form, "[hidden]" for passwords, NULL = null */
    char **errors;              /* owned array of owned messages */
    size_t n_errors;
    char **recommended;         /* owned array of owned values */
    size_t n_recommended;
    int visible;
    char *group_override;       /* owned; group for dynamic defs (e.g. "Transforms: route") */
    int order_override;         /* order for dynamic defs, -1 if unused */
};

struct conf_infos {
    char *name;               /* owned: the connector.class string as given */
    int error_count;
    char **groups;            /* owned array of owned group names, in order */
    size_t n_groups;
    struct conf_info_value *configs; /* owned array, in the JVM's order */
    size_t n_configs;
};
void conf_infos_free(struct conf_infos *ci);

#endif
