/*
 * config/conf_def.h: config key definitions -- the single source for parsing, defaults,
 * validation, PUT .../config/validate and docs (librdkafka's property table, Kafka's ConfigDef).
 * A table is a const array of struct conf_def ended by an entry with name == NULL.
 *
 * Parsing and validation copy Kafka's ConfigDef.parseType() and its validators, down to the
 * message text, because the validate endpoint shows those messages verbatim: every error reads
 * "Invalid value <v> for configuration <k>: <why>". As in the JVM, a value that fails to parse
 * becomes Java null and the validator still runs on it, so `tasks.max=x` reports two errors
 * ("Not a number of type INT" and "Value must be non-null").
 *
 * @thread any, for every function below: they touch only their arguments (conf_infos_* and
 * conf_info_value_* mutate only the object passed, which one thread owns at a time).
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

/*
 * Validator (Kafka's ConfigDef.Validator.ensureValid). value is the parsed value in string form
 * (trimmed; a LIST as its items joined with ","), or NULL when the Java value is null: the key is
 * absent with a null default, or its value failed to parse. On failure write the JVM's message
 * ("Invalid value X for configuration k: ...", see conf_error_invalid) into err and return
 * KC_EINVAL.
 */
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
    int64_t min, max;          /* range for numeric types when validator == conf_validate_range;
                                * INT64_MIN / INT64_MAX = unbounded on that side */
    const char *const *allowed;/* NULL-ended allowed values for conf_validate_in (case-sensitive)
                                * and conf_validate_in_ci (case-insensitive) */
    const char *const *dependents; /* NULL or NULL-ended names, shown as "dependents" */
};

/* ---- lookup and metadata ---- */

/* The definition named name in table (NULL-name terminated), or NULL. @thread any */
const struct conf_def *conf_def_find(const struct conf_def *table, const char *name);
/* Number of entries before the terminator. @thread any */
size_t conf_def_count(const struct conf_def *table);
/* 1 if the key has no default (Kafka's NO_DEFAULT_VALUE): required. */
int conf_def_required(const struct conf_def *d);
/* "BOOLEAN", "STRING", ...; "HIGH"...; "NONE"... as Kafka's enum names. */
const char *conf_type_name(enum conf_type t);
const char *conf_importance_name(enum conf_importance i);
const char *conf_width_name(enum conf_width w);

/* ---- parsed values ---- */

struct conf_value {
    enum conf_type type;
    int is_null; /* Java null */
    union {
        int b;       /* BOOLEAN */
        int64_t i;   /* INT, SHORT, LONG (range-checked by type) */
        double d;    /* DOUBLE */
        char *s;     /* STRING, CLASS, PASSWORD: owned, trimmed */
        struct {
            char **items; /* owned array of owned strings */
            size_t n;
        } list;      /* LIST */
    } u;
};

/*
 * Kafka's ConfigDef.parseType: trim, then parse by type. raw NULL gives a null value.
 * BOOLEAN accepts true/false in any case; INT/SHORT/LONG take Java parseInt syntax (optional
 * sign, decimal digits) and range; DOUBLE takes Java double syntax; LIST splits the trimmed
 * string on commas with surrounding whitespace ("" = empty list); CLASS needs a syntactically
 * valid Java class name (we cannot load classes; callers that know which classes exist check
 * further, e.g. connector_config for converters).
 * out is always initialised (null on failure). err gets the JVM text, e.g.
 * "Invalid value x for configuration tasks.max: Not a number of type INT".
 * @thread any
 * @return KC_OK, KC_EINVAL, KC_ENOMEM
 */
int conf_value_parse(const struct conf_def *d, const char *raw, struct conf_value *out,
                     struct kc_error *err);
void conf_value_fini(struct conf_value *v);
/*
 * Kafka's ConfigDef.convertToString: LIST joined with ",", booleans "true"/"false", DOUBLE as
 * Java's Double.toString. A password prints as "[hidden]" unless reveal is set. NULL for a null
 * value or when out of memory (check v->is_null to tell). Owned, free with kc_free.
 */
char *conf_value_to_string(const struct conf_value *v, int reveal);
/* The JVM's log form (AbstractConfig.logAll): LIST "[a, b]", CLASS "class x", null "null",
 * passwords "[hidden]". Owned. */
char *conf_value_to_log_string(const struct conf_value *v);

/* Java's Double.toString(d) into buf (at least 32 bytes). */
void conf_double_to_string(double d, char *buf, size_t len);

/*
 * Parse and validate one key as ConfigDef.parseForValidate does: present -> parseType (error
 * added on failure, value becomes null); absent and required -> "Missing required configuration
 * \"k\" which has no default value."; absent otherwise -> the default. Then the validator runs
 * (also on null). Appends each message (owned) to *errors / *n_errors and fills *value (parsed,
 * owned). raw_present tells absent from a present value; raw may then still be NULL (JSON null).
 * @return KC_OK (even with errors) or KC_ENOMEM
 */
int conf_def_validate_one(const struct conf_def *d, int raw_present, const char *raw,
                          struct conf_value *value, char ***errors, size_t *n_errors);

/*
 * Run vd's validator (vd may be an embedded plugin's own definition; d is the key as the user
 * named it) on value, the string form of a parsed value (NULL = Java null). When d is a
 * PASSWORD the value is replaced by "[hidden]" in the message, as the JVM prints the Password
 * object. @thread any
 * @return the validator's code
 */
int conf_def_run_validator(const struct conf_def *d, const struct conf_def *vd, const char *value,
                           struct kc_error *err);

/* ---- generic validators (Kafka's messages) ---- */

/* Range.atLeast / between over d->min..d->max: "Value must be at least N" / "Value must be no
 * more than N"; null -> "Value must be non-null". */
int conf_validate_range(const struct conf_def *d, const char *value, struct kc_error *err);
/* ValidString.in(d->allowed): "String must be one of: a, b" (case-sensitive). */
int conf_validate_in(const struct conf_def *d, const char *value, struct kc_error *err);
/* CaseInsensitiveValidString: "String must be one of (case insensitive): A, B". */
int conf_validate_in_ci(const struct conf_def *d, const char *value, struct kc_error *err);
/* ValidList.in(d->allowed) over the items of a LIST. */
int conf_validate_list_in(const struct conf_def *d, const char *value, struct kc_error *err);
/* NonEmptyString: "String must be non-empty" (null passes). */
int conf_validate_non_empty(const struct conf_def *d, const char *value, struct kc_error *err);
/* NonEmptyStringWithoutControlChars: "String may not be empty" / "String may not contain
 * control sequences but had the following ASCII chars: 1, 2" (null passes). */
int conf_validate_name(const struct conf_def *d, const char *value, struct kc_error *err);
/* NonNullValidator: "entry must be non null" (value printed as "null"). */
int conf_validate_non_null(const struct conf_def *d, const char *value, struct kc_error *err);
/* RegexValidator: Java regex syntax (conf_regex_check): "Invalid regex: <PatternSyntaxException
 * message>". */
int conf_validate_regex(const struct conf_def *d, const char *value, struct kc_error *err);

/*
 * Write "Invalid value <value> for configuration <name>: <why>" (ConfigException(name, value,
 * message)); value NULL prints "null". Returns KC_EINVAL.
 */
int conf_error_invalid(struct kc_error *err, const char *name, const char *value,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

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
    char *name_override;        /* owned; definition name when it differs from def->name
                                 * (embedded/prefixed keys: "transforms.a.type",
                                 * "consumer.override.x"); NULL = def->name */
    int has_value;              /* 0: the JVM's "value": null (definition-only entry) */
    struct conf_def *def_owned; /* owned dynamic definition (alias keys such as
                                 * "transforms.a.type"); when set, def points to it and its
                                 * name, doc, group, display_name and default_value strings
                                 * are owned too */
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

/*
 * Append one entry to ci (copies name/value/errors' strings; errors may be NULL/0). Returns the
 * new entry, or NULL when out of memory. @thread any
 */
struct conf_info_value *conf_infos_add(struct conf_infos *ci, const struct conf_def *def,
                                       const char *name, const char *value, int has_value);
/* Append an owned copy of msg to iv's errors. KC_OK / KC_ENOMEM. */
int conf_info_value_add_error(struct conf_info_value *iv, const char *msg);
/* Append group unless present. KC_OK / KC_ENOMEM. */
int conf_infos_add_group(struct conf_infos *ci, const char *group);

/* ---- JSON (jansson). Both return a new reference or NULL when out of memory. ---- */
struct json_t;
/*
 * The JVM's ConfigKeyInfo object: name, type, required, default_value, importance,
 * documentation, group, width, display_name, dependents, order. name_override/group_override
 * replace d->name/d->group when not NULL, order_override (>= 0) d->order_in_group.
 * @thread any
 */
struct json_t *conf_def_to_json(const struct conf_def *d, const char *name_override,
                                const char *group_override, int order_override);
/* The ConfigInfos object: {"name","error_count","groups","configs":[{"definition","value"}]}. */
struct json_t *conf_infos_to_json(const struct conf_infos *ci);

#endif
