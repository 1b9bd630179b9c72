/*
 * config/conf_values.h: a connector config parsed by its definitions, so a sink reads typed,
 * defaulted values instead of re-parsing strings (Kafka's AbstractConfig over ConfigDef.parse).
 *
 * A struct conf_values holds the resolved raw map (every key, known or not) and, for every key
 * of the conf_def tables it was parsed with, the value ConfigDef.parse gives it: trimmed, typed,
 * the definition's default when absent, the validator run. Keys no table defines stay in the raw
 * map only (AbstractConfig.originals()), e.g. for prefix lookups. Immutable once built; any
 * thread may read it, one owner frees it.
 *
 * Getters name a key the tables define and ask for its type: anything else is a bug in the
 * caller and asserts (as AbstractConfig.getInt on an undefined key throws). A password is
 * revealed only by conf_values_password/conf_values_string; every to-string here prints
 * "[hidden]", as Password.toString() does.
 */
#ifndef CONF_VALUES_H
#define CONF_VALUES_H

#include <stddef.h>
#include <stdint.h>

#include "conf_def.h"
#include "kc_error.h"
#include "kc_strmap.h"

struct conf_values;

/*
 * Parse raw with n_tables definition tables (each NULL-name-terminated; a key defined by more
 * than one table takes the first definition, so put the sink's own table first). Every defined
 * key goes through ConfigDef.parse's steps (conf_def_validate_one): present -> parseType, absent
 * and required -> "Missing required configuration \"k\" which has no default value.", absent ->
 * default; then the validator.
 *
 * raw      borrowed; copied (the caller resolves ${...} references before)
 * out      on KC_OK an owned object (conf_values_free); NULL otherwise
 * errors_out may be NULL; otherwise, on KC_OK and KC_EINVAL, an owned struct conf_infos
 *          (conf_infos_free) with one entry per defined key in table order (value in string
 *          form, passwords "[hidden]", errors as the validate endpoint lists them; error_count =
 *          number of messages, as ConfigInfos counts them), name = connector.class if present.
 *          A sink's cross-key checks append to it with conf_values_add_error. NULL on ENOMEM.
 * @thread any
 * @return KC_OK; KC_EINVAL with err = the first message in table order (what ConfigDef.parse
 *         throws, e.g. "Invalid value x for configuration batch.size: Not a number of type INT");
 *         KC_ENOMEM
 */
int conf_values_parse(const struct conf_def *const *tables, size_t n_tables,
                      const struct kc_strmap *raw, struct conf_values **out,
                      struct conf_infos **errors_out, struct kc_error *err);
/* NULL is fine. @thread the owner */
void conf_values_free(struct conf_values *cv);

/*
 * The parsed value of key, borrowed from cv, or NULL if no table defines key.
 * @thread any
 */
const struct conf_value *conf_values_get(const struct conf_values *cv, const char *key);
/* The definition key was parsed with, or NULL. @thread any */
const struct conf_def *conf_values_def(const struct conf_values *cv, const char *key);
/* 1 if key's value is Java null (absent with a null default, or JSON null). Asserts key is
 * defined. @thread any */
int conf_values_is_null(const struct conf_values *cv, const char *key);

/*
 * Typed getters. Each asserts that a table defines key with the matching type:
 *   bool: BOOLEAN; int: INT or SHORT; long: LONG; double: DOUBLE; list: LIST;
 *   string: STRING, CLASS or PASSWORD (the password itself); password: PASSWORD.
 * A Java-null value reads as 0 / 0.0 / NULL (list: NULL with *n = 0); tell it apart with
 * conf_values_is_null. Strings and lists are borrowed from cv.
 * @thread any
 */
int conf_values_bool(const struct conf_values *cv, const char *key);
int conf_values_int(const struct conf_values *cv, const char *key);
int64_t conf_values_long(const struct conf_values *cv, const char *key);
double conf_values_double(const struct conf_values *cv, const char *key);
const char *conf_values_string(const struct conf_values *cv, const char *key);
const char *const *conf_values_list(const struct conf_values *cv, const char *key, size_t *n);
const char *conf_values_password(const struct conf_values *cv, const char *key);

/* The resolved raw map, every key as given (untrimmed), borrowed from cv: for keys the tables
 * do not define, such as prefixed pass-through settings. @thread any */
const struct kc_strmap *conf_values_raw(const struct conf_values *cv);

/*
 * AbstractConfig.logAll's text: "\t<key> = <value>\n" per defined key, sorted by key, LIST as
 * "[a, b]", CLASS as "class x", null as "null", passwords "[hidden]". Owned (kc_free), NULL when
 * out of memory. @thread any
 */
char *conf_values_log_string(const struct conf_values *cv);

/*
 * Report one more error on key, as a connector's validate() does with
 * ConfigValue.addErrorMessage: appended to key's entry in errs (a new entry without definition
 * when errs has none for key), and errs->error_count grows by one.
 * @thread the owner of errs
 * @return KC_OK, KC_ENOMEM
 */
int conf_values_add_error(struct conf_infos *errs, const char *key, const char *msg);

#endif
