/*
 * tests/fuzz/fuzz_internal_topics.c: hostile config- and status-topic records. Another worker
 * (or anyone with write access to the topics) controls every byte we read from them, so the
 * codecs and both reader state machines must survive anything.
 *
 * Input: records separated by '\n'; a record is key '\t' value, or just a key (a tombstone).
 * Every record goes through config_state_apply and status_state_apply, every decodable config
 * record is re-encoded, and the accessors are walked at the end.
 */
#include <stdint.h>
#include <string.h>

#include "config_topic.h"
#include "kc_alloc.h"
#include "kc_log.h"
#include "status_topic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void reencode(const char *key, size_t klen, const char *value, size_t vlen)
{
    struct config_record rec;
    struct kc_buf b;
    char *k = NULL;
    int is_null = 0;

    config_record_init(&rec);
    if (config_topic_decode(key, klen, value, vlen, &rec, NULL, NULL) == KC_OK &&
        rec.kind != CONFIG_RECORD_UNKNOWN) {
        kc_buf_init(&b, 1u << 20);
        if (config_topic_encode(&rec, &k, &b, &is_null) == KC_OK) {
            kc_free(k);
        }
        kc_buf_fini(&b);
    }
    config_record_fini(&rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct config_state *cs = config_state_new();
    struct status_state *ss = status_state_new();
    const char *p = (const char *)data;
    const char *end = p + size;
    const char **names = NULL;
    struct config_event ev;
    size_t n = 0;
    int64_t offset = 0;

    kc_log_set_level(-1);
    if (cs == NULL || ss == NULL) {
        goto out;
    }
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *rend = nl != NULL ? nl : end;
        const char *tab = memchr(p, '\t', (size_t)(rend - p));
        size_t klen = (size_t)((tab != NULL ? tab : rend) - p);
        const char *value = tab != NULL ? tab + 1 : NULL;
        size_t vlen = tab != NULL ? (size_t)(rend - value) : 0;

        if (offset == 8) {
            config_state_set_started(cs);
        }
        config_state_apply(cs, p, klen, value, vlen, offset++);
        status_state_apply(ss, p, klen, value, vlen);
        reencode(p, klen, value, vlen);
        p = rend + 1;
    }
    while (config_state_event_next(cs, &ev)) {
        config_event_fini(&ev);
    }
    if (config_state_connectors(cs, &names, &n) == KC_OK) {
        for (size_t i = 0; i < n; i++) {
            int tasks = config_state_tasks(cs, names[i]);
            (void)config_state_connector_config(cs, names[i]);
            (void)config_state_target_state(cs, names[i]);
            for (int t = 0; t < tasks && t < 1000; t++) {
                (void)config_state_task_config(cs, names[i], t);
            }
        }
        kc_free(names);
    }
    if (status_state_connectors(ss, &names, &n) == KC_OK) {
        for (size_t i = 0; i < n; i++) {
            int *ids = NULL;
            size_t nid = 0;
            if (status_state_task_ids(ss, names[i], &ids, &nid) == KC_OK) {
                for (size_t k = 0; k < nid; k++) {
                    (void)status_state_task(ss, names[i], ids[k]);
                }
                kc_free(ids);
            }
        }
        kc_free(names);
    }
out:
    config_state_free(cs);
    status_state_free(ss);
    return 0;
}
