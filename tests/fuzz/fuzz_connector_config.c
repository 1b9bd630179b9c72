/*
 * tests/fuzz/fuzz_connector_config.c: hostile connector configs (a JSON object, as a REST body
 * carries them) through the whole validation -- framework keys, alias enrichment, sink rules,
 * overrides, converter entries -- then the ConfigInfos JSON and the 400 text. Invariants: no
 * crash, no leak, and error_count equals what the JSON reports.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf_values.h"
#include "connector_config.h"
#include "kc_alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct conf_def fz_sink_def[] = {
    {"file", CONF_STRING, CONF_NO_DEFAULT, 0, CONF_HIGH, "f", "Sink", 1, CONF_WIDTH_LONG, "File",
     NULL, 0, 0, NULL, NULL},
    {"batch", CONF_INT, "10", 0, CONF_LOW, "b", "Sink", 2, CONF_WIDTH_SHORT, NULL,
     conf_validate_range, 1, 100, NULL, NULL},
    {"pw", CONF_PASSWORD, NULL, 1, CONF_LOW, "p", NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0,
     NULL, NULL},
    {NULL, CONF_STRING, NULL, 0, CONF_LOW, NULL, NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0, NULL,
     NULL},
};
static const struct conf_def fz_smt_def[] = {
    {"regex", CONF_STRING, CONF_NO_DEFAULT, 0, CONF_HIGH, "r", NULL, -1, CONF_WIDTH_NONE, NULL,
     conf_validate_regex, 0, 0, NULL, NULL},
    {"negate", CONF_STRING, "x", 0, CONF_HIGH, "masked", "G", 1, CONF_WIDTH_NONE, NULL, NULL, 0, 0,
     NULL, NULL},
    {NULL, CONF_STRING, NULL, 0, CONF_LOW, NULL, NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0, NULL,
     NULL},
};
static const struct connector_plugin_info fz_smts[] = {
    {"org.apache.kafka.connect.transforms.RegexRouter", "4.1.0", fz_smt_def},
    {"org.apache.kafka.connect.transforms.Filter", "4.1.0", NULL},
    {NULL, NULL, NULL},
};
/* [1] gets JsonConverter's real keys (connector_converter_def) at the first input */
static struct connector_plugin_info fz_convs[] = {
    {"org.apache.kafka.connect.storage.StringConverter", "4.1.0", fz_sink_def},
    {"org.apache.kafka.connect.json.JsonConverter", "4.1.0", NULL},
    {NULL, NULL, NULL},
};

static int fz_validate(const struct conf_values *cv, struct conf_infos *errs,
                       struct kc_error *err)
{
    (void)err;
    const char *f = kc_strmap_get(conf_values_raw(cv), "file");
    return f != NULL && f[0] == '!' ? conf_values_add_error(errs, f + 1, "bad") : KC_OK;
}

static const char *const fz_classes[] = {"com.acme.FuzzSinkConnector", NULL};
static const struct connector_sink_info fz_sink = {
    .class_names = fz_classes,
    .version = "1.0",
    .config_def = fz_sink_def,
    .validate = fz_validate,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t je;
    json_t *in = json_loadb((const char *)data, size, JSON_DECODE_ANY, &je);
    struct kc_strmap m;
    const char *k;
    json_t *v;
    struct connector_worker_facts wf = {
        .worker_group_id = "connect-w",
        .override_policy = size % 3 == 0 ? "None" : size % 3 == 1 ? "Principal" : "All",
        .key_converter = "org.apache.kafka.connect.storage.StringConverter",
        .plugins = {fz_smts, NULL, fz_convs, NULL},
    };
    struct conf_infos *ci = NULL;
    struct kc_error err;

    if (fz_convs[1].config_def == NULL) {
        fz_convs[1].config_def = connector_converter_def(fz_convs[1].class_name);
    }
    if (in == NULL || !json_is_object(in)) {
        json_decref(in);
        return 0;
    }
    kc_strmap_init(&m);
    json_object_foreach(in, k, v)
    {
        if (json_is_string(v)) {
            kc_strmap_set(&m, k, json_string_value(v));
        } else if (json_is_null(v)) {
            kc_strmap_set(&m, k, NULL);
        }
    }
    if (connector_config_validate_sink(&m, &fz_sink, &wf, &ci, &err) == KC_OK) {
        json_t *j = conf_infos_to_json(ci);
        int counted = 0;
        for (size_t i = 0; i < ci->n_configs; i++) {
            counted += ci->configs[i].n_errors > 0;
        }
        if ((ci->error_count == 0) != (counted == 0)) {
            abort();
        }
        char *s = json_dumps(j, JSON_COMPACT);
        free(s);
        json_decref(j);
        char *t = connector_config_error_text(ci);
        kc_free(t);
        conf_infos_free(ci);
    }
    if (connector_config_validate(&m, &wf, &ci, &err) == KC_OK) {
        conf_infos_free(ci);
    }
    kc_strmap_fini(&m);
    json_decref(in);
    return 0;
}
