/*
 * worker/herder_types.c: names of the states and the destructors of the entities herder.h hands
 * to REST. Kept apart from the herder so REST (and its unit tests, which fake the herder) link
 * the one copy.
 */
#include <string.h>

#include "herder.h"
#include "kc_alloc.h"

static const char *const state_names[] = {"UNASSIGNED", "RUNNING", "PAUSED", "STOPPED",
                                          "FAILED", "RESTARTING", "DESTROYED"};
static const char *const target_names[] = {"STARTED", "PAUSED", "STOPPED"};

const char *herder_state_name(enum herder_state s)
{
    return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "UNKNOWN";
}

int herder_state_parse(const char *s)
{
    for (size_t i = 0; s != NULL && i < sizeof(state_names) / sizeof(state_names[0]); i++) {
        if (strcmp(state_names[i], s) == 0) {
            return (int)i;
        }
    }
    return -1;
}

int herder_target_state_parse(const char *s)
{
    for (size_t i = 0; s != NULL && i < sizeof(target_names) / sizeof(target_names[0]); i++) {
        if (strcmp(target_names[i], s) == 0) {
            return (int)i;
        }
    }
    return -1;
}

const char *herder_target_state_name(enum herder_target_state t)
{
    return (unsigned)t < sizeof(target_names) / sizeof(target_names[0]) ? target_names[t]
                                                                          : "STARTED";
}

/* ------------------------------------------------------------------ small frees */

void herder_connector_info_free(struct herder_connector_info *ci)
{
    if (ci != NULL) {
        kc_free(ci->name);
        kc_strmap_fini(&ci->config);
        kc_free(ci);
    }
}

void herder_instance_status_fini(struct herder_instance_status *is)
{
    if (is == NULL) {
        return;
    }
    kc_free(is->worker_id);
    kc_free(is->trace);
    kc_free(is->version);
    is->worker_id = is->trace = is->version = NULL;
}

void herder_connector_status_free(struct herder_connector_status *cs)
{
    if (cs == NULL) {
        return;
    }
    kc_free(cs->name);
    herder_instance_status_fini(&cs->connector);
    for (size_t i = 0; i < cs->n_tasks; i++) {
        herder_instance_status_fini(&cs->tasks[i]);
    }
    kc_free(cs->tasks);
    kc_free(cs);
}

void herder_task_configs_free(struct herder_task_configs *tc)
{
    if (tc == NULL) {
        return;
    }
    for (size_t i = 0; i < tc->n; i++) {
        kc_strmap_fini(&tc->tasks[i]);
    }
    kc_free(tc->tasks);
    kc_free(tc);
}

void herder_offsets_fini(struct herder_offsets *os)
{
    if (os == NULL) {
        return;
    }
    for (size_t i = 0; i < os->n; i++) {
        kc_free(os->o[i].topic);
    }
    kc_free(os->o);
    os->o = NULL;
    os->n = 0;
}
