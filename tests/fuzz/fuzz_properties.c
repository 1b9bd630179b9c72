/*
 * tests/fuzz/fuzz_properties.c: hostile input for the .properties parser, the CONNECT_*
 * name mapping, ${...} resolution (env provider only: the fuzzer must not read files) and the
 * typed value parsers. Invariants: no crash, no leak, and every parsed key and value is a
 * proper NUL-terminated string.
 */
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf_def.h"
#include "conf_props.h"
#include "conf_provider.h"
#include "conf_regex.h"
#include "kc_alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct conf_def fuzz_defs[] = {
    {"i", CONF_INT, "1", 0, CONF_LOW, "", NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 1,
     100, NULL, NULL},
    {"l", CONF_LONG, "0", 0, CONF_LOW, "", NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0, NULL, NULL},
    {"d", CONF_DOUBLE, "0.5", 0, CONF_LOW, "", NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0, NULL,
     NULL},
    {"b", CONF_BOOLEAN, "true", 0, CONF_LOW, "", NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0, NULL,
     NULL},
    {"t", CONF_LIST, "", 0, CONF_LOW, "", NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0, NULL, NULL},
    {"c", CONF_CLASS, NULL, 1, CONF_LOW, "", NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0, NULL, NULL},
    {"n", CONF_STRING, CONF_NO_DEFAULT, 0, CONF_LOW, "", NULL, -1, CONF_WIDTH_NONE, NULL,
     conf_validate_name, 0, 0, NULL, NULL},
    {NULL, CONF_STRING, NULL, 0, CONF_LOW, NULL, NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0, NULL,
     NULL},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kc_strmap m;
    struct kc_error err;
    static char *envp[] = {"A=1", "CONNECT_GROUP_ID=g", NULL};
    struct conf_providers *cp = NULL;

    kc_strmap_init(&m);
    (void)conf_props_parse((const char *)data, size, &m, &err);

    /* every key/value again through the env mapping, the typed parsers and resolution */
    struct kc_strmap props;
    kc_strmap_init(&props);
    kc_strmap_set(&props, "config.providers", "env");
    kc_strmap_set(&props, "config.providers.env.class", CONF_PROVIDER_ENV_CLASS);
    (void)conf_providers_new(&props, envp, &cp, &err);
    for (size_t i = 0; i < m.n; i++) {
        char *k = conf_props_env_to_key(m.e[i].key);
        kc_free(k);
        char *r = NULL;
        if (conf_providers_resolve_value(cp, m.e[i].value, &r, &err) == KC_OK) {
            kc_free(r);
        }
        /* values as Java regexes: the checker, and the translation that must never hand
         * regcomp a pattern that explodes */
        char why[256];
        if (conf_regex_check(m.e[i].value, why, sizeof(why)) == KC_OK &&
            conf_regex_to_posix(m.e[i].value, 1, &r) == KC_OK) {
            regex_t re;
            if (regcomp(&re, r, REG_EXTENDED | REG_NOSUB) == 0) {
                regfree(&re);
            }
            kc_free(r);
        }
        const struct conf_def *d = &fuzz_defs[i % conf_def_count(fuzz_defs)];
        struct conf_value v;
        char **errors = NULL;
        size_t ne = 0;
        if (conf_def_validate_one(d, 1, m.e[i].value, &v, &errors, &ne) == KC_OK) {
            char *s = conf_value_to_string(&v, 1);
            kc_free(s);
            s = conf_value_to_log_string(&v);
            kc_free(s);
        }
        for (size_t j = 0; j < ne; j++) {
            kc_free(errors[j]);
        }
        kc_free(errors);
        conf_value_fini(&v);
    }
    conf_providers_free(cp);
    kc_strmap_fini(&props);

    /* the input as one "NAME=value" environment entry */
    char *env = kc_malloc(size + 9);
    if (env != NULL) {
        memcpy(env, "CONNECT_", 8);
        memcpy(env + 8, data, size);
        env[size + 8] = '\0';
        char *ev[] = {env, NULL};
        (void)conf_props_apply_env(ev, &m, &err);
        kc_free(env);
    }
    kc_strmap_fini(&m);
    return 0;
}
