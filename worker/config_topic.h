/*
 * worker/config_topic.h: the config topic (`config.storage.topic`), shared with JVM workers.
 *
 * Three layers, usable separately:
 *  - the record codec: keys and compact JSON values exactly as the JVM's KafkaConfigBackingStore
 *    writes them (connect-compat.md §4.2), and a decoder that follows the JVM's key parsing order;
 *  - struct config_state: the JVM reader's state machine (deferred task configs until commit,
 *    inconsistent connectors, target-state defaults, tombstones, config offset), fed one record
 *    at a time, plus an event list the herder drains after the initial catch-up;
 *  - struct config_topic: librdkafka producer (synchronous writes) and a group-less consumer of
 *    partition 0 that reads to the end and tails, feeding a config_state.
 * The record layout is documented in config_topic.c.
 *
 * Threading: nothing here locks. A config_state and a config_topic belong to one thread (the
 * herder); the codec functions are pure and callable from any thread.
 */
#ifndef CONFIG_TOPIC_H
#define CONFIG_TOPIC_H

#include <stddef.h>
#include <stdint.h>

#include "herder.h"
#include "kc_buf.h"
#include "kc_error.h"
#include "kc_strmap.h"

/* ---- record codec ---- */

#define CONFIG_TOPIC_KEY_CONNECTOR     "connector-"
#define CONFIG_TOPIC_KEY_TASK          "task-"
#define CONFIG_TOPIC_KEY_COMMIT        "commit-"
#define CONFIG_TOPIC_KEY_TARGET_STATE  "target-state-"
#define CONFIG_TOPIC_KEY_RESTART       "restart-connector-"
#define CONFIG_TOPIC_KEY_TASKS_FENCING "tasks-fencing-"
#define CONFIG_TOPIC_KEY_SESSION_KEY   "session-key"
#define CONFIG_TOPIC_KEY_LOGGER        "logger-cluster-"

/* Values are small; a connector config is a few KiB. The cap guards decoding hostile input. */
#define CONFIG_TOPIC_VALUE_MAX (16u * 1024u * 1024u)

enum config_record_kind {
    CONFIG_RECORD_UNKNOWN = 0,    /* key matched no prefix: logged and ignored */
    CONFIG_RECORD_CONNECTOR,      /* connector-<c> */
    CONFIG_RECORD_TASK,           /* task-<c>-<n> */
    CONFIG_RECORD_COMMIT,         /* commit-<c> */
    CONFIG_RECORD_TARGET_STATE,   /* target-state-<c> */
    CONFIG_RECORD_RESTART,        /* restart-connector-<c> */
    CONFIG_RECORD_TASKS_FENCING,  /* tasks-fencing-<c> (exactly-once source only) */
    CONFIG_RECORD_SESSION_KEY,    /* session-key */
    CONFIG_RECORD_LOGGER_CLUSTER, /* logger-cluster-<ns> */
};

/* A decoded (or to-be-encoded) config record. Which fields mean something depends on kind. */
struct config_record {
    enum config_record_kind kind;
    char *name;  /* owned: connector name (logger namespace for LOGGER_CLUSTER); NULL for
                  * SESSION_KEY and UNKNOWN */
    int task;    /* TASK: task number */
    int is_null; /* 1 = tombstone (null value) */
    /* CONNECTOR, TASK: the "properties" map in JSON order. Non-string JSON scalars are kept as
     * their JSON text (the JVM would carry them as Long/Boolean); JSON null as a NULL value. */
    struct kc_strmap props;
    int count;                       /* COMMIT: "tasks"; TASKS_FENCING: "task-count" */
    enum herder_target_state target; /* TARGET_STATE: state.v2 if a string, else state */
    int include_tasks;               /* RESTART: missing or non-boolean -> 0 */
    int only_failed;                 /* RESTART: missing or non-boolean -> 0 */
    char *level;                     /* LOGGER_CLUSTER: owned */
    uint8_t *session_key;            /* SESSION_KEY: owned raw key bytes */
    size_t session_key_len;
    char *session_algorithm; /* SESSION_KEY: owned, e.g. "HmacSHA256" */
    int64_t session_created_ms;
};

void config_record_init(struct config_record *rec);
void config_record_fini(struct config_record *rec);

/*
 * Owned key for a record kind: name is the connector (or logger namespace; ignored for
 * SESSION_KEY), task is used for TASK only. NULL on allocation failure or for UNKNOWN.
 * @thread any
 */
char *config_topic_key(enum config_record_kind kind, const char *name, int task);

/*
 * Parse a key in the JVM's order (target-state-, connector-, task-, commit-, restart-connector-,
 * tasks-fencing-, session-key, logger-cluster-). Fills rec->kind, rec->name and rec->task;
 * rec must be initialised. A task key whose number does not parse becomes UNKNOWN, as the JVM
 * ignores it. KC_OK or KC_ENOMEM. @thread any
 */
int config_topic_key_parse(const char *key, size_t klen, struct config_record *rec);

/*
 * Decode one record. rec must be initialised; on return it holds what could be decoded.
 * value == NULL (or vlen == 0) is a tombstone.
 * @return KC_OK: rec is valid and applicable;
 *         KC_EINVAL: the value is JSON but not the shape the kind needs (*json_ok = 1), or not
 *                    JSON at all (*json_ok = 0); err says why. The JVM advances its config offset
 *                    in the first case and not in the second;
 *         KC_ENOMEM.
 * json_ok may be NULL. @thread any
 */
int config_topic_decode(const char *key, size_t klen, const void *value, size_t vlen,
                        struct config_record *rec, int *json_ok, struct kc_error *err);

/*
 * Encode rec as the JVM would: *key_out gets an owned key (kc_free), value gets the compact JSON
 * appended (nothing appended for a tombstone, and *is_null set to 1). Field orders: properties
 * map in map order; target state {"state":..,"state.v2":..} with STOPPED written as PAUSED in
 * "state"; restart {"include-tasks":..,"only-failed":..}; session key
 * {"key":..,"algorithm":..,"creation-timestamp":..}.
 * @return KC_OK, KC_EINVAL (UNKNOWN kind), KC_ENOMEM. @thread any
 */
int config_topic_encode(const struct config_record *rec, char **key_out, struct kc_buf *value,
                        int *is_null);

/* Value encoders used by config_topic_encode, for callers that do not build a record.
 * Each appends compact JSON to b; KC_OK or KC_ENOMEM. @thread any */
int config_topic_value_properties(struct kc_buf *b, const struct kc_strmap *props);
int config_topic_value_commit(struct kc_buf *b, int n_tasks);
int config_topic_value_target_state(struct kc_buf *b, enum herder_target_state ts);
int config_topic_value_restart(struct kc_buf *b, int include_tasks, int only_failed);
int config_topic_value_tasks_fencing(struct kc_buf *b, int task_count);
int config_topic_value_session_key(struct kc_buf *b, const uint8_t *key, size_t key_len,
                                   const char *algorithm, int64_t created_ms);
int config_topic_value_logger_level(struct kc_buf *b, const char *level);

/* Append s as a JSON string with Jackson's escaping (\" \\ \b \t \n \f \r, other control
 * characters as \u00XX upper-case; '/' and non-ASCII UTF-8 as is). Shared with status_topic.c. */
int config_topic_json_string(struct kc_buf *b, const char *s);

/* Target-state names: herder_target_state_name / herder_target_state_parse (herder.h; exact,
 * case-sensitive like TargetState.valueOf). */

/* ---- reader state machine ---- */

struct config_state;

/* Events surfaced after config_state_set_started() (the JVM's UpdateListener callbacks; before
 * the initial catch-up none are recorded, and old restart/logger records are thereby ignored). */
enum config_event_type {
    CONFIG_EVENT_CONNECTOR_UPDATE = 1, /* name: config created or changed */
    CONFIG_EVENT_CONNECTOR_REMOVE,     /* name: connector tombstone */
    CONFIG_EVENT_TARGET_STATE,         /* name: target state changed (connector exists) */
    CONFIG_EVENT_TASK_CONFIGS,         /* name: a commit record was applied (maybe inconsistent) */
    CONFIG_EVENT_RESTART,              /* name, include_tasks, only_failed */
    CONFIG_EVENT_SESSION_KEY,          /* read the key with config_state_session_key() */
    CONFIG_EVENT_LOGGER_LEVEL,         /* name = namespace, level */
};

struct config_event {
    enum config_event_type type;
    char *name; /* owned; NULL for SESSION_KEY */
    int include_tasks;
    int only_failed;
    char *level; /* owned; LOGGER_LEVEL only */
};

void config_event_fini(struct config_event *ev);

struct config_session_key {
    uint8_t *key; /* owned by the config_state */
    size_t key_len;
    char *algorithm; /* owned by the config_state */
    int64_t created_ms;
};

/* Owned, empty state (offset -1). NULL on allocation failure. */
struct config_state *config_state_new(void);
/* NULL ok. */
void config_state_free(struct config_state *cs);

/*
 * Apply one record read at `offset`, in offset order (connect-compat.md §4.2, the JVM's
 * KafkaConfigBackingStore.ConsumeCallback). Bad records are logged and skipped; the config offset
 * becomes offset + 1 for every record whose value is null or JSON, even one ignored later.
 * value may be NULL (tombstone). Borrowed inputs.
 * @return KC_OK, or KC_ENOMEM (the state may then be partially updated; treat as fatal).
 * @thread herder
 */
int config_state_apply(struct config_state *cs, const char *key, size_t klen, const void *value,
                       size_t vlen, int64_t offset);

/* Mark the initial catch-up done: from now on events are recorded. */
void config_state_set_started(struct config_state *cs);
int config_state_started(const struct config_state *cs);

/* Pop the oldest event into *ev (owned by the caller: config_event_fini). 1 if one, 0 if none. */
int config_state_event_next(struct config_state *cs, struct config_event *ev);

/* Config offset for join metadata: last applied record's offset + 1, or -1 if none yet. */
int64_t config_state_offset(const struct config_state *cs);

/* Bumped on every change a reader could observe (configs, states, task configs, session key);
 * lets the herder tell "something changed" without diffing. Starts at 0. */
uint64_t config_state_version(const struct config_state *cs);

/*
 * Connectors with a config, sorted by name (strcmp). *names is an owned array (kc_free it, not
 * its elements); the strings are borrowed until the next apply or free. KC_OK / KC_ENOMEM.
 */
int config_state_connectors(const struct config_state *cs, const char ***names, size_t *n);
int config_state_contains(const struct config_state *cs, const char *name);
/* Borrowed until the next apply or free; NULL if the connector has no config. */
const struct kc_strmap *config_state_connector_config(const struct config_state *cs,
                                                      const char *name);
/* Target state, or -1 when none is known (no config and no target-state record). */
int config_state_target_state(const struct config_state *cs, const char *name);
/* Task count of the last commit record (JVM connectorTaskCounts), -1 if none. */
int config_state_task_count(const struct config_state *cs, const char *name);
/* Visible tasks: the committed count, or 0 when inconsistent / never committed. */
int config_state_tasks(const struct config_state *cs, const char *name);
/* 1 if the last commit found an incomplete set of task configs. */
int config_state_inconsistent(const struct config_state *cs, const char *name);
/* Committed config of task n (borrowed), NULL if none. Independent of the visible count. */
const struct kc_strmap *config_state_task_config(const struct config_state *cs, const char *name,
                                                 int task);
/* JVM connectorTaskConfigGenerations: 0 at the first applied commit, +1 per later one; -1 none. */
int64_t config_state_task_generation(const struct config_state *cs, const char *name);
/* Connector config as of the last consistent commit (JVM AppliedConnectorConfig), or NULL. */
const struct kc_strmap *config_state_applied_config(const struct config_state *cs,
                                                    const char *name);
/* Task count of the last tasks-fencing record, -1 if none. */
int config_state_fencing_count(const struct config_state *cs, const char *name);
/* Borrowed, NULL if no valid session-key record was read. */
const struct config_session_key *config_state_session_key(const struct config_state *cs);

/*
 * AbstractHerder.taskConfigsChanged: 1 if tasks[0..n) differ from what is committed for name
 * (count, or any task map by content), or the connector config changed since the last
 * consistent commit; 0 if the leader can skip rewriting them.
 */
int config_state_task_configs_changed(const struct config_state *cs, const char *name,
                                      const struct kc_strmap *tasks, size_t n);

/* ---- Kafka I/O ---- */

struct config_topic;

/*
 * Producer and consumer for `topic`, configured from props (borrowed; librdkafka properties
 * built by the caller from the worker's top-level properties: bootstrap.servers, security.*,
 * sasl.*, ...) plus our settings: producer acks=all, enable.idempotence=false,
 * message.timeout.ms=30000 unless props set it; consumer without a group, reading partition 0
 * from the beginning. client_id may be NULL. librdkafka logs go to kc_log (facility "kafka").
 * Waits up to 30 s for the topic's metadata (it must exist: kafka_admin creates it).
 * @return KC_OK, KC_EINVAL (a property librdkafka rejects; err names it), KC_ENOENT (no such
 *         topic), KC_RETRY/KC_EIO (metadata unavailable), KC_ENOMEM.
 * @thread herder
 */
int config_topic_new(const struct kc_strmap *props, const char *topic, const char *client_id,
                     struct config_topic **out, struct kc_error *err);
/* Flushes pending writes (up to 5 s) and closes both clients. NULL ok. */
void config_topic_free(struct config_topic *ct);

/*
 * Produce one record and wait for its delivery report. value == NULL is a tombstone.
 * @return KC_OK; KC_EIO with the broker's/librdkafka's error (the record may or may not have
 *         been written); KC_ENOMEM.
 * @thread herder
 */
int config_topic_write(struct config_topic *ct, const char *key, const void *value, size_t vlen,
                       struct kc_error *err);

/*
 * Read to the end: fetch the high watermark of partition 0, then consume and apply until our
 * position reaches it. KC_RETRY when timeout_ms passes first (the state keeps what was applied),
 * KC_EIO on a consumer error, KC_ENOMEM.
 * @thread herder
 */
int config_topic_read_to_end(struct config_topic *ct, struct config_state *cs, int timeout_ms,
                             struct kc_error *err);

/* Apply whatever arrives within timeout_ms (tailing). Returns the number of records applied
 * (>= 0) or a negative kc_rc. */
int config_topic_poll(struct config_topic *ct, struct config_state *cs, int timeout_ms);

/* Next offset this consumer will read (position), -1 before anything was read. */
int64_t config_topic_position(const struct config_topic *ct);

/*
 * The JVM's KafkaConfigBackingStore write operations, each with its write sequence
 * (connect-compat.md §4.2) and its 30 s budget (READ_WRITE_TOTAL_TIMEOUT_MS). The ones that
 * read back apply everything up to the end of the topic into cs before returning, so the
 * caller sees its own write. Errors: KC_EIO/KC_RETRY with the JVM's "Error writing ... to
 * Kafka" text and the cause; KC_ENOMEM. All borrowed inputs. @thread herder
 */
#define CONFIG_TOPIC_RW_TIMEOUT_MS 30000

/* [target-state-<c> if initial != NULL] + connector-<c>, sent together; then read to end. */
int config_topic_put_connector(struct config_topic *ct, struct config_state *cs, const char *name,
                               const struct kc_strmap *config,
                               const enum herder_target_state *initial, struct kc_error *err);
/* connector-<c> and target-state-<c> tombstones, sent together; then read to end. Old task and
 * commit records stay, as in the JVM. */
int config_topic_remove_connector(struct config_topic *ct, struct config_state *cs,
                                  const char *name, struct kc_error *err);
/* Read to end; task-<c>-0..n-1; read to end if n > 0; commit-<c> {"tasks":n}; read to end.
 * n == 0 is the first half of a stop. */
int config_topic_put_task_configs(struct config_topic *ct, struct config_state *cs,
                                  const char *name, const struct kc_strmap *tasks, size_t n,
                                  struct kc_error *err);
/* target-state-<c>, waiting for delivery only (any worker may write it; no read-back). */
int config_topic_put_target_state(struct config_topic *ct, const char *name,
                                  enum herder_target_state ts, struct kc_error *err);
/* restart-connector-<c>; then read to end. */
int config_topic_put_restart(struct config_topic *ct, struct config_state *cs, const char *name,
                             int include_tasks, int only_failed, struct kc_error *err);
/* session-key; then read to end. */
int config_topic_put_session_key(struct config_topic *ct, struct config_state *cs,
                                 const uint8_t *key, size_t key_len, const char *algorithm,
                                 int64_t created_ms, struct kc_error *err);
/* logger-cluster-<ns>, waiting for delivery only. */
int config_topic_put_logger_level(struct config_topic *ct, const char *ns, const char *level,
                                  struct kc_error *err);

#endif
