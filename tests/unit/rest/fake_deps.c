/*
 * tests/unit/rest/fake_deps.c: stand-ins for the registry, sink.c and the config room's
 * validate/render functions (declared in rest/rest_deps.h), for REST unit tests only.
 * One sink: org.apache.kafka.connect.file.FileStreamSinkConnector, version 4.1.0.
 */
#include <stdlib.h>
#include <string.h>

#include "kc_alloc.h"
#include "registry.h"
#include "rest_deps.h"

static const char *const file_classes[] = {"org.apache.kafka.connect.file.FileStreamSinkConnector",
                                           NULL};

static const struct sink_connector_ops file_ops = {
    .version = SINK_OPS_VERSION,
    .name = "file",
    .class_names = file_classes,
    .plugin_version = "4.1.0",
};

const struct sink_connector_ops *sink_registry_find(const char *connector_class)
{
    return sink_class_matches(file_classes[0], connector_class) ? &file_ops : NULL;
}

size_t sink_registry_count(void)
{
    return 1;
}

const struct sink_connector_ops *sink_registry_get(size_t i)
{
    return i == 0 ? &file_ops : NULL;
}

int sink_class_matches(const char *canonical, const char *user_value)
{
    if (strcmp(canonical, user_value) == 0) {
        return 1;
    }
    const char *simple = strrchr(canonical, '.');
    simple = simple ? simple + 1 : canonical;
    if (strcmp(simple, user_value) == 0) {
        return 1;
    }
    size_t n = strlen(simple);
    return n > 9 && strcmp(simple + n - 9, "Connector") == 0 && strlen(user_value) == n - 9 &&
           strncmp(simple, user_value, n - 9) == 0;
}

void conf_infos_free(struct conf_infos *ci)
{
    if (ci == NULL) {
        return;
    }
    kc_free(ci->name);
    kc_free(ci);
}

json_t *conf_infos_to_json(const struct conf_infos *ci)
{
    return json_pack("{s:s,s:i,s:[],s:[]}", "name", ci->name, "error_count", ci->error_count,
                     "groups", "configs");
}

json_t *connector_plugin_config_json(const struct sink_connector_ops *ops)
{
    (void)ops;
    return json_pack("[{s:s}]", "name", "file");
}

int connector_config_validate(const struct kc_strmap *cfg, const struct connector_worker_facts *facts,
                              struct conf_infos **infos, struct kc_error *err)
{
    (void)facts;
    const char *cls = kc_strmap_get(cfg, "connector.class");
    if (sink_registry_find(cls) == NULL) {
        return kc_error_set(err, KC_EIO,
                            "Failed to find any class that implements Connector and which name "
                            "matches %s",
                            cls);
    }
    *infos = kc_calloc(1, sizeof(**infos));
    (*infos)->name = kc_strdup(cls);
    (*infos)->error_count = 0;
    return KC_OK;
}
