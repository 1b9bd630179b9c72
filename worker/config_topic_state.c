/*
 * worker/config_topic_state.c: the config topic reader's state machine, a port of the JVM's
 * KafkaConfigBackingStore.ConsumeCallback (connect-compat.md §4.2).
 *
 * Invariant: task configs become visible only through a commit record whose task count they
 * complete. Until then they sit in the connector's deferred set; a commit that finds the set
 * incomplete (compaction ate some) marks the connector inconsistent and exposes no tasks, and
 * the deferred set is cleared either way. A connector entry outlives its config while a target
 * state is still recorded for it, exactly as the JVM keeps its two maps apart.
 */
#include "config_topic.h"

#include <stdlib.h>
#include <string.h>

#include "kc_alloc.h"
#include "kc_log.h"

#define LOG_FAC "config"

struct cs_task {
    int id;
    struct kc_strmap *config; /* owned */
};

/* Task configs by id, kept sorted. */
struct cs_taskmap {
    struct cs_task *t; /* owned array */
    size_t n;
    size_t cap;
};

struct cs_conn {
    char *name;               /* owned */
    struct kc_strmap *config; /* owned; NULL = no config (deleted or never seen) */
    int has_target;
    enum herder_target_state target;
    int task_count; /* last commit's count, -1 none */
    struct cs_taskmap committed;
    struct cs_taskmap deferred;
    int deferred_exists; /* the JVM's deferredTaskUpdates.get(c) != null */
    int inconsistent;
    int64_t task_generation;   /* -1 none */
    struct kc_strmap *applied; /* owned; config at the last consistent commit */
    int fencing_count;         /* -1 none */
};

struct config_state {
    struct cs_conn *c; /* owned array */
    size_t n;
    size_t cap;
    int64_t offset;
    uint64_t version;
    int started;
    struct config_session_key session; /* key == NULL when none */
    int has_session;
    struct config_event *ev; /* owned FIFO: ev[ev_head..ev_n) */
    size_t ev_head;
    size_t ev_n;
    size_t ev_cap;
};

/* ---- task maps ---- */

static void taskmap_clear(struct cs_taskmap *tm)
{
    for (size_t i = 0; i < tm->n; i++) {
        kc_strmap_free(tm->t[i].config);
    }
    tm->n = 0;
}

static void taskmap_fini(struct cs_taskmap *tm)
{
    taskmap_clear(tm);
    kc_free(tm->t);
    memset(tm, 0, sizeof(*tm));
}

static long taskmap_find(const struct cs_taskmap *tm, int id)
{
    size_t lo = 0;
    size_t hi = tm->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tm->t[mid].id == id) {
            return (long)mid;
        }
        if (tm->t[mid].id < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return -(long)lo - 1;
}

/* Takes ownership of config (freed on failure). */
static int taskmap_put(struct cs_taskmap *tm, int id, struct kc_strmap *config)
{
    long pos = taskmap_find(tm, id);
    size_t at;

    if (pos >= 0) {
        kc_strmap_free(tm->t[pos].config);
        tm->t[pos].config = config;
        return KC_OK;
    }
    at = (size_t)(-pos - 1);
    if (tm->n == tm->cap) {
        size_t ncap = tm->cap ? tm->cap * 2 : 4;
        struct cs_task *t = kc_realloc(tm->t, ncap * sizeof(*t));
        if (t == NULL) {
            kc_strmap_free(config);
            return KC_ENOMEM;
        }
        tm->t = t;
        tm->cap = ncap;
    }
    memmove(tm->t + at + 1, tm->t + at, (tm->n - at) * sizeof(*tm->t));
    tm->t[at].id = id;
    tm->t[at].config = config;
    tm->n++;
    return KC_OK;
}

static const struct kc_strmap *taskmap_get(const struct cs_taskmap *tm, int id)
{
    long pos = taskmap_find(tm, id);
    return pos >= 0 ? tm->t[pos].config : NULL;
}

/* ---- connectors ---- */

static void conn_fini(struct cs_conn *c)
{
    kc_free(c->name);
    kc_strmap_free(c->config);
    taskmap_fini(&c->committed);
    taskmap_fini(&c->deferred);
    kc_strmap_free(c->applied);
}

static struct cs_conn *conn_find(const struct config_state *cs, const char *name)
{
    for (size_t i = 0; i < cs->n; i++) {
        if (strcmp(cs->c[i].name, name) == 0) {
            return &cs->c[i];
        }
    }
    return NULL;
}

static struct cs_conn *conn_get(struct config_state *cs, const char *name)
{
    struct cs_conn *c = conn_find(cs, name);
    if (c != NULL) {
        return c;
    }
    if (cs->n == cs->cap) {
        size_t ncap = cs->cap ? cs->cap * 2 : 8;
        struct cs_conn *a = kc_realloc(cs->c, ncap * sizeof(*a));
        if (a == NULL) {
            return NULL;
        }
        cs->c = a;
        cs->cap = ncap;
    }
    c = &cs->c[cs->n];
    memset(c, 0, sizeof(*c));
    c->name = kc_strdup(name);
    if (c->name == NULL) {
        return NULL;
    }
    c->task_count = -1;
    c->task_generation = -1;
    c->fencing_count = -1;
    cs->n++;
    return c;
}

/* The JVM's processConnectorRemoval: target state and the inconsistent mark are kept. */
static void conn_remove_config(struct cs_conn *c)
{
    kc_strmap_free(c->config);
    c->config = NULL;
    c->task_count = -1;
    taskmap_clear(&c->committed);
    taskmap_clear(&c->deferred);
    c->deferred_exists = 0;
    kc_strmap_free(c->applied);
    c->applied = NULL;
}

/* ---- events ---- */

void config_event_fini(struct config_event *ev)
{
    if (ev != NULL) {
        kc_free(ev->name);
        kc_free(ev->level);
        memset(ev, 0, sizeof(*ev));
    }
}

static int event_push(struct config_state *cs, enum config_event_type type, const char *name,
                      int include_tasks, int only_failed, const char *level)
{
    struct config_event *ev;

    if (!cs->started) {
        return KC_OK;
    }
    if (cs->ev_head > 0 && cs->ev_head == cs->ev_n) {
        cs->ev_head = cs->ev_n = 0;
    }
    if (cs->ev_n == cs->ev_cap) {
        size_t ncap = cs->ev_cap ? cs->ev_cap * 2 : 8;
        struct config_event *a = kc_realloc(cs->ev, ncap * sizeof(*a));
        if (a == NULL) {
            return KC_ENOMEM;
        }
        cs->ev = a;
        cs->ev_cap = ncap;
    }
    ev = &cs->ev[cs->ev_n];
    memset(ev, 0, sizeof(*ev));
    ev->type = type;
    ev->include_tasks = include_tasks;
    ev->only_failed = only_failed;
    if (name != NULL && (ev->name = kc_strdup(name)) == NULL) {
        return KC_ENOMEM;
    }
    if (level != NULL && (ev->level = kc_strdup(level)) == NULL) {
        kc_free(ev->name);
        return KC_ENOMEM;
    }
    cs->ev_n++;
    return KC_OK;
}

int config_state_event_next(struct config_state *cs, struct config_event *ev)
{
    if (cs->ev_head >= cs->ev_n) {
        return 0;
    }
    *ev = cs->ev[cs->ev_head++];
    if (cs->ev_head == cs->ev_n) {
        cs->ev_head = cs->ev_n = 0;
    }
    return 1;
}

/* ---- lifecycle ---- */

struct config_state *config_state_new(void)
{
    struct config_state *cs = kc_calloc(1, sizeof(*cs));
    if (cs != NULL) {
        cs->offset = -1;
    }
    return cs;
}

void config_state_free(struct config_state *cs)
{
    if (cs == NULL) {
        return;
    }
    for (size_t i = 0; i < cs->n; i++) {
        conn_fini(&cs->c[i]);
    }
    kc_free(cs->c);
    for (size_t i = cs->ev_head; i < cs->ev_n; i++) {
        config_event_fini(&cs->ev[i]);
    }
    kc_free(cs->ev);
    kc_free(cs->session.key);
    kc_free(cs->session.algorithm);
    kc_free(cs);
}

void config_state_set_started(struct config_state *cs)
{
    cs->started = 1;
}

int config_state_started(const struct config_state *cs)
{
    return cs->started;
}

/* ---- record handlers ---- */

static int apply_target_state(struct config_state *cs, struct config_record *rec)
{
    struct cs_conn *c = conn_find(cs, rec->name);
    int changed;

    if (rec->is_null) {
        kc_log(KC_LOG_DEBUG, LOG_FAC,
               "Removed target state for connector %s due to null value in topic.", rec->name);
        if (c != NULL) {
            c->has_target = 0;
            /* Keep every connector with a config at a valid target state. */
            if (c->config != NULL) {
                c->has_target = 1;
                c->target = HERDER_TARGET_STARTED;
            }
            cs->version++;
        }
        /* No event: the connector's own tombstone notifies. */
        return KC_OK;
    }
    if ((c = conn_get(cs, rec->name)) == NULL) {
        return KC_ENOMEM;
    }
    changed = !c->has_target || c->target != rec->target;
    c->has_target = 1;
    c->target = rec->target;
    if (changed) {
        cs->version++;
    }
    /* Not notified when the connector does not exist yet (create with an initial state). */
    if (changed && c->config != NULL) {
        return event_push(cs, CONFIG_EVENT_TARGET_STATE, rec->name, 0, 0, NULL);
    }
    return KC_OK;
}

static int apply_connector(struct config_state *cs, struct config_record *rec)
{
    struct cs_conn *c;

    if (rec->is_null) {
        c = conn_find(cs, rec->name);
        if (c != NULL) {
            conn_remove_config(c);
        }
        cs->version++;
        kc_log(KC_LOG_INFO, LOG_FAC, "Successfully processed removal of connector '%s'", rec->name);
        return event_push(cs, CONFIG_EVENT_CONNECTOR_REMOVE, rec->name, 0, 0, NULL);
    }
    if ((c = conn_get(cs, rec->name)) == NULL) {
        return KC_ENOMEM;
    }
    struct kc_strmap *config = kc_strmap_dup(&rec->props);
    if (config == NULL) {
        return KC_ENOMEM;
    }
    kc_strmap_free(c->config);
    c->config = config;
    /* Connectors created by 0.9 Connect have no target-state record: start them. */
    if (!c->has_target) {
        c->has_target = 1;
        c->target = HERDER_TARGET_STARTED;
    }
    cs->version++;
    return event_push(cs, CONFIG_EVENT_CONNECTOR_UPDATE, rec->name, 0, 0, NULL);
}

static int apply_task(struct config_state *cs, struct config_record *rec)
{
    struct cs_conn *c;
    struct kc_strmap *config;

    if (rec->is_null) {
        kc_log(KC_LOG_ERROR, LOG_FAC,
               "Ignoring task configuration for task %s-%d because it is unexpectedly null",
               rec->name, rec->task);
        return KC_OK;
    }
    if ((c = conn_get(cs, rec->name)) == NULL) {
        return KC_ENOMEM;
    }
    if ((config = kc_strmap_dup(&rec->props)) == NULL) {
        return KC_ENOMEM;
    }
    c->deferred_exists = 1;
    kc_log(KC_LOG_DEBUG, LOG_FAC,
           "Storing new config for task %s-%d; this will wait for a commit message before the new "
           "config will take effect.",
           rec->name, rec->task);
    return taskmap_put(&c->deferred, rec->task, config);
}

static int apply_commit(struct config_state *cs, struct config_record *rec)
{
    struct cs_conn *c = conn_find(cs, rec->name);
    int complete = 1;

    if (c == NULL || c->config == NULL) {
        /* Deleted before these task configs were published, and compaction removed both the
         * config and its tombstone. */
        if (c != NULL) {
            conn_remove_config(c);
        }
        kc_log(KC_LOG_DEBUG, LOG_FAC,
               "Ignoring task configs for connector %s; it appears that the connector was deleted "
               "previously and that log compaction has since removed any trace of its previous "
               "configurations from the config topic",
               rec->name);
        return KC_OK;
    }
    if (rec->is_null) {
        kc_log(KC_LOG_ERROR, LOG_FAC,
               "Ignoring connector tasks configuration commit for connector '%s' because it is in "
               "the wrong format: null",
               rec->name);
        return KC_OK;
    }
    /* Every id in 0..N-1 must be deferred; extra ids are fine (compaction of a shrink). */
    if (rec->count < 0 || (size_t)rec->count > c->deferred.n) {
        complete = rec->count <= 0;
    }
    for (int i = 0; complete && i < rec->count; i++) {
        if (taskmap_get(&c->deferred, i) == NULL) {
            complete = 0;
        }
    }
    if (!complete) {
        kc_log(KC_LOG_DEBUG, LOG_FAC,
               "We have an incomplete set of task configs for connector '%s' probably due to "
               "compaction. So we are not doing anything with the new configuration.",
               rec->name);
        c->inconsistent = 1;
    } else {
        struct kc_strmap *applied = kc_strmap_dup(c->config);
        if (applied == NULL) {
            return KC_ENOMEM;
        }
        if (c->deferred_exists) {
            for (size_t i = 0; i < c->deferred.n; i++) {
                struct kc_strmap *cfg = c->deferred.t[i].config;
                c->deferred.t[i].config = NULL;
                if (taskmap_put(&c->committed, c->deferred.t[i].id, cfg) != KC_OK) {
                    kc_strmap_free(applied);
                    return KC_ENOMEM;
                }
            }
            c->task_generation = c->task_generation < 0 ? 0 : c->task_generation + 1;
        }
        c->inconsistent = 0;
        kc_strmap_free(c->applied);
        c->applied = applied;
    }
    taskmap_clear(&c->deferred);
    c->task_count = rec->count;
    cs->version++;
    return event_push(cs, CONFIG_EVENT_TASK_CONFIGS, rec->name, 0, 0, NULL);
}

static int apply_session_key(struct config_state *cs, struct config_record *rec)
{
    if (rec->is_null) {
        kc_log(KC_LOG_ERROR, LOG_FAC, "Ignoring session key because it is unexpectedly null");
        return KC_OK;
    }
    kc_free(cs->session.key);
    kc_free(cs->session.algorithm);
    cs->session.key = rec->session_key;
    cs->session.key_len = rec->session_key_len;
    cs->session.algorithm = rec->session_algorithm;
    cs->session.created_ms = rec->session_created_ms;
    rec->session_key = NULL;
    rec->session_algorithm = NULL;
    cs->has_session = 1;
    cs->version++;
    return event_push(cs, CONFIG_EVENT_SESSION_KEY, NULL, 0, 0, NULL);
}

int config_state_apply(struct config_state *cs, const char *key, size_t klen, const void *value,
                       size_t vlen, int64_t offset)
{
    struct config_record rec;
    struct kc_error err;
    int json_ok = 0;
    int rc;

    config_record_init(&rec);
    kc_error_clear(&err);
    rc = config_topic_decode(key, klen, value, vlen, &rec, &json_ok, &err);
    if (rc == KC_ENOMEM) {
        goto out;
    }
    if (!json_ok) {
        /* The JVM logs "Failed to convert config data" and does not advance its offset. */
        kc_log(KC_LOG_ERROR, LOG_FAC, "Failed to convert config data at offset %lld: %s",
               (long long)offset, err.msg);
        rc = KC_OK;
        goto out;
    }
    cs->offset = offset + 1;
    if (rc != KC_OK) {
        if (rec.kind == CONFIG_RECORD_RESTART || rec.kind == CONFIG_RECORD_TASKS_FENCING) {
            kc_log(KC_LOG_ERROR, LOG_FAC, "Ignoring %.*s: %s", (int)klen, key, err.msg);
        } else {
            kc_log(KC_LOG_ERROR, LOG_FAC,
                   "Ignoring config record %.*s because it is in the wrong format: %s", (int)klen,
                   key, err.msg);
        }
        rc = KC_OK;
        goto out;
    }
    switch (rec.kind) {
    case CONFIG_RECORD_TARGET_STATE:
        rc = apply_target_state(cs, &rec);
        break;
    case CONFIG_RECORD_CONNECTOR:
        rc = apply_connector(cs, &rec);
        break;
    case CONFIG_RECORD_TASK:
        rc = apply_task(cs, &rec);
        break;
    case CONFIG_RECORD_COMMIT:
        rc = apply_commit(cs, &rec);
        break;
    case CONFIG_RECORD_RESTART:
        if (rec.is_null) {
            kc_log(KC_LOG_ERROR, LOG_FAC,
                   "Ignoring restart request because the value is not a Map but is null");
            break;
        }
        /* Acted on only after the initial catch-up: old requests are history. */
        rc = event_push(cs, CONFIG_EVENT_RESTART, rec.name, rec.include_tasks, rec.only_failed,
                        NULL);
        break;
    case CONFIG_RECORD_TASKS_FENCING:
        if (!rec.is_null) {
            struct cs_conn *c = conn_get(cs, rec.name);
            if (c == NULL) {
                rc = KC_ENOMEM;
                break;
            }
            c->fencing_count = rec.count;
        }
        break;
    case CONFIG_RECORD_SESSION_KEY:
        rc = apply_session_key(cs, &rec);
        break;
    case CONFIG_RECORD_LOGGER_CLUSTER:
        if (rec.is_null) {
            kc_log(KC_LOG_ERROR, LOG_FAC,
                   "Ignoring logging level for namespace %s because it is unexpectedly null",
                   rec.name);
            break;
        }
        rc = event_push(cs, CONFIG_EVENT_LOGGER_LEVEL, rec.name, 0, 0, rec.level);
        break;
    case CONFIG_RECORD_UNKNOWN:
    default:
        kc_log(KC_LOG_ERROR, LOG_FAC, "Discarding config update record with invalid key: %.*s",
               (int)klen, key != NULL ? key : "");
        break;
    }
out:
    config_record_fini(&rec);
    return rc;
}

/* ---- accessors ---- */

int64_t config_state_offset(const struct config_state *cs)
{
    return cs->offset;
}

uint64_t config_state_version(const struct config_state *cs)
{
    return cs->version;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int config_state_connectors(const struct config_state *cs, const char ***names, size_t *n)
{
    const char **a = kc_malloc((cs->n + 1) * sizeof(*a));
    size_t k = 0;

    *names = NULL;
    *n = 0;
    if (a == NULL) {
        return KC_ENOMEM;
    }
    for (size_t i = 0; i < cs->n; i++) {
        if (cs->c[i].config != NULL) {
            a[k++] = cs->c[i].name;
        }
    }
    qsort(a, k, sizeof(*a), cmp_names);
    *names = a;
    *n = k;
    return KC_OK;
}

int config_state_contains(const struct config_state *cs, const char *name)
{
    const struct cs_conn *c = conn_find(cs, name);
    return c != NULL && c->config != NULL;
}

const struct kc_strmap *config_state_connector_config(const struct config_state *cs,
                                                      const char *name)
{
    const struct cs_conn *c = conn_find(cs, name);
    return c != NULL ? c->config : NULL;
}

int config_state_target_state(const struct config_state *cs, const char *name)
{
    const struct cs_conn *c = conn_find(cs, name);
    return c != NULL && c->has_target ? (int)c->target : -1;
}

int config_state_task_count(const struct config_state *cs, const char *name)
{
    const struct cs_conn *c = conn_find(cs, name);
    return c != NULL ? c->task_count : -1;
}

int config_state_tasks(const struct config_state *cs, const char *name)
{
    const struct cs_conn *c = conn_find(cs, name);
    if (c == NULL || c->inconsistent || c->task_count < 0) {
        return 0;
    }
    return c->task_count;
}

int config_state_inconsistent(const struct config_state *cs, const char *name)
{
    const struct cs_conn *c = conn_find(cs, name);
    return c != NULL && c->inconsistent;
}

const struct kc_strmap *config_state_task_config(const struct config_state *cs, const char *name,
                                                 int task)
{
    const struct cs_conn *c = conn_find(cs, name);
    return c != NULL ? taskmap_get(&c->committed, task) : NULL;
}

int64_t config_state_task_generation(const struct config_state *cs, const char *name)
{
    const struct cs_conn *c = conn_find(cs, name);
    return c != NULL ? c->task_generation : -1;
}

const struct kc_strmap *config_state_applied_config(const struct config_state *cs, const char *name)
{
    const struct cs_conn *c = conn_find(cs, name);
    return c != NULL ? c->applied : NULL;
}

int config_state_fencing_count(const struct config_state *cs, const char *name)
{
    const struct cs_conn *c = conn_find(cs, name);
    return c != NULL ? c->fencing_count : -1;
}

const struct config_session_key *config_state_session_key(const struct config_state *cs)
{
    return cs->has_session ? &cs->session : NULL;
}

static int maps_equal(const struct kc_strmap *a, const struct kc_strmap *b)
{
    if (a == NULL || b == NULL) {
        return a == b;
    }
    return kc_strmap_equal(a, b);
}

int config_state_task_configs_changed(const struct config_state *cs, const char *name,
                                      const struct kc_strmap *tasks, size_t n)
{
    const struct cs_conn *c = conn_find(cs, name);
    int current = c != NULL && c->task_count > 0 ? c->task_count : 0;

    if ((size_t)current != n) {
        kc_log(KC_LOG_DEBUG, LOG_FAC, "Connector %s task count changed from %d to %zu", name,
               current, n);
        return 1;
    }
    for (int i = 0; i < current; i++) {
        const struct kc_strmap *committed = taskmap_get(&c->committed, i);
        if (committed == NULL || !kc_strmap_equal(committed, &tasks[i])) {
            kc_log(KC_LOG_DEBUG, LOG_FAC, "Connector %s has change in configuration for task %s-%d",
                   name, name, i);
            return 1;
        }
    }
    /* Objects.equals(applied, current): both absent counts as equal. */
    if (c != NULL && !maps_equal(c->applied, c->config)) {
        kc_log(KC_LOG_DEBUG, LOG_FAC,
               "Forcing task restart for connector %s as its configuration appears to be updated",
               name);
        return 1;
    }
    return 0;
}
