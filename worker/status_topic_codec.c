/*
 * worker/status_topic_codec.c: status topic records and the reader's cache, ported from the JVM's
 * KafkaStatusBackingStore (4.1.0).
 *
 * Record layout (key -> value, compact JSON in this field order):
 *   status-connector-<c>                {"state":"RUNNING","trace":null,"worker_id":"h:p",
 *                                         "generation":5,"version":"4.1.0"}     | null = destroyed
 *   status-task-<c>-<n>                 same shape                               | null
 *   status-topic-<topic>:connector-<c>  {"topic":{"name":"t","connector":"c","task":0,
 *                                         "discoverTimestamp":1700000000000}}    | null = reset
 * "trace" is JSON null when there is none; "version" (4.x) is the plugin version, null when
 * unknown, and absent from records written by 3.x workers. "generation" is an INT32, the worker
 * group generation at write time. The JVM reads integers as Long and casts, so a float or a
 * missing field makes it drop the record; so do we.
 */
#include "status_topic.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config_topic.h"
#include "kc_alloc.h"
#include "kc_log.h"
#include "kc_text.h"

#define LOG_FAC "status"


void status_entry_fini(struct status_entry *e)
{
    if (e != NULL) {
        kc_free(e->trace);
        kc_free(e->worker_id);
        kc_free(e->version);
        memset(e, 0, sizeof(*e));
    }
}

void status_topic_entry_fini(struct status_topic_entry *e)
{
    if (e != NULL) {
        kc_free(e->topic);
        kc_free(e->connector);
        memset(e, 0, sizeof(*e));
    }
}

void status_record_init(struct status_record *rec)
{
    memset(rec, 0, sizeof(*rec));
}

void status_record_fini(struct status_record *rec)
{
    if (rec != NULL) {
        kc_free(rec->connector);
        kc_free(rec->topic);
        status_entry_fini(&rec->st);
        status_topic_entry_fini(&rec->tp);
        status_record_init(rec);
    }
}

/* ---- keys and values ---- */

char *status_topic_key_connector(const char *connector)
{
    return kc_asprintf(STATUS_TOPIC_KEY_CONNECTOR "%s", connector);
}

char *status_topic_key_task(const char *connector, int task)
{
    return kc_asprintf(STATUS_TOPIC_KEY_TASK "%s-%d", connector, task);
}

char *status_topic_key_topic(const char *topic, const char *connector)
{
    return kc_asprintf(STATUS_TOPIC_KEY_TOPIC "%s" STATUS_TOPIC_KEY_TOPIC_SEP "%s", topic,
                       connector);
}

static int str_or_null(struct kc_buf *b, const char *s)
{
    return s == NULL ? kc_buf_append_str(b, "null") : config_topic_json_string(b, s);
}

int status_topic_value_status(struct kc_buf *b, enum herder_state state, const char *trace,
                              const char *worker_id, int32_t generation, const char *version)
{
    if (kc_buf_printf(b, "{\"state\":\"%s\",\"trace\":", herder_state_name(state)) != KC_OK ||
        str_or_null(b, trace) != KC_OK || kc_buf_append_str(b, ",\"worker_id\":") != KC_OK ||
        str_or_null(b, worker_id) != KC_OK ||
        kc_buf_printf(b, ",\"generation\":%d,\"version\":", (int)generation) != KC_OK ||
        str_or_null(b, version) != KC_OK) {
        return KC_ENOMEM;
    }
    return kc_buf_append_byte(b, '}');
}

int status_topic_value_topic(struct kc_buf *b, const char *topic, const char *connector,
                             int32_t task, int64_t discover_ms)
{
    if (kc_buf_append_str(b, "{\"topic\":{\"name\":") != KC_OK || str_or_null(b, topic) != KC_OK ||
        kc_buf_append_str(b, ",\"connector\":") != KC_OK || str_or_null(b, connector) != KC_OK) {
        return KC_ENOMEM;
    }
    return kc_buf_printf(b, ",\"task\":%d,\"discoverTimestamp\":%lld}}", (int)task,
                         (long long)discover_ms);
}

/* ---- decoding ---- */

/* parseConnectorTaskId: key.split("-") (trailing empties dropped), >= 4 parts. */
static int parse_task_key(const char *key, size_t klen, struct status_record *rec)
{
    size_t end = klen;
    size_t nparts = 1;
    size_t dash[2] = {0, 0}; /* first and second '-' */
    size_t ndash = 0;
    size_t last = 0;

    while (end > 0 && key[end - 1] == '-') {
        end--;
    }
    for (size_t i = 0; i < end; i++) {
        if (key[i] == '-') {
            if (ndash < 2) {
                dash[ndash++] = i;
            }
            nparts++;
            last = i;
        }
    }
    int64_t task;
    if (nparts < 4 ||
        kc_parse_java_int(key + last + 1, end - last - 1, INT32_MIN, INT32_MAX, &task) != 0) {
        return 0;
    }
    rec->task = (int)task;
    rec->connector = kc_strndup(key + dash[1] + 1, last - dash[1] - 1);
    return rec->connector != NULL ? 1 : -1;
}

static int decode_status(const json_t *root, struct status_entry *st, struct kc_error *err)
{
    const json_t *v = json_object_get(root, "state");
    int s;

    if (!json_is_string(v) || (s = herder_state_parse(json_string_value(v))) < 0) {
        return kc_error_set(err, KC_EINVAL, "invalid or missing 'state'");
    }
    st->state = (enum herder_state)s;
    v = json_object_get(root, "trace");
    if (v != NULL && !json_is_null(v)) {
        if (!json_is_string(v)) {
            return kc_error_set(err, KC_EINVAL, "'trace' is not a string");
        }
        if ((st->trace = kc_strdup(json_string_value(v))) == NULL) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
    }
    v = json_object_get(root, "worker_id");
    if (v != NULL && !json_is_null(v)) {
        if (!json_is_string(v)) {
            return kc_error_set(err, KC_EINVAL, "'worker_id' is not a string");
        }
        if ((st->worker_id = kc_strdup(json_string_value(v))) == NULL) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
    }
    v = json_object_get(root, "generation");
    if (!json_is_integer(v)) {
        return kc_error_set(err, KC_EINVAL, "invalid or missing 'generation'");
    }
    st->generation = (int32_t)(uint32_t)(uint64_t)json_integer_value(v);
    v = json_object_get(root, "version");
    if (v != NULL && !json_is_null(v)) {
        if (!json_is_string(v)) {
            return kc_error_set(err, KC_EINVAL, "'version' is not a string");
        }
        if ((st->version = kc_strdup(json_string_value(v))) == NULL) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
    }
    return KC_OK;
}

static int dup_opt_string(const json_t *v, char **out)
{
    if (v == NULL || json_is_null(v)) {
        return KC_OK;
    }
    if (!json_is_string(v)) {
        return KC_EINVAL;
    }
    *out = kc_strdup(json_string_value(v));
    return *out != NULL ? KC_OK : KC_ENOMEM;
}

static int decode_topic(const json_t *root, struct status_topic_entry *tp, struct kc_error *err)
{
    const json_t *inner = json_object_get(root, "topic");
    const json_t *v;
    int rc;

    if (!json_is_object(inner)) {
        return kc_error_set(err, KC_EINVAL, "invalid topic status value for field topic");
    }
    if ((rc = dup_opt_string(json_object_get(inner, "name"), &tp->topic)) != KC_OK ||
        (rc = dup_opt_string(json_object_get(inner, "connector"), &tp->connector)) != KC_OK) {
        return kc_error_set(err, rc,
                            rc == KC_ENOMEM ? "out of memory" : "name/connector not strings");
    }
    v = json_object_get(inner, "task");
    if (!json_is_integer(v)) {
        return kc_error_set(err, KC_EINVAL, "invalid or missing 'task'");
    }
    tp->task = (int32_t)(uint32_t)(uint64_t)json_integer_value(v);
    v = json_object_get(inner, "discoverTimestamp");
    if (!json_is_integer(v)) {
        return kc_error_set(err, KC_EINVAL, "invalid or missing 'discoverTimestamp'");
    }
    tp->discover_ms = (int64_t)json_integer_value(v);
    return KC_OK;
}

static int has_prefix(const char *key, size_t klen, const char *prefix)
{
    size_t n = strlen(prefix);
    return klen >= n && memcmp(key, prefix, n) == 0;
}

static int parse_key(const char *key, size_t klen, struct status_record *rec, struct kc_error *err)
{
    if (has_prefix(key, klen, STATUS_TOPIC_KEY_CONNECTOR)) {
        size_t p = strlen(STATUS_TOPIC_KEY_CONNECTOR);
        if (klen == p) {
            return kc_error_set(err, KC_EINVAL, "invalid connector status key %.*s", (int)klen,
                                key);
        }
        rec->kind = STATUS_RECORD_CONNECTOR;
        rec->connector = kc_strndup(key + p, klen - p);
        return rec->connector != NULL ? KC_OK : kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    if (has_prefix(key, klen, STATUS_TOPIC_KEY_TASK)) {
        int r = parse_task_key(key, klen, rec);
        if (r < 0) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        if (r == 0) {
            return kc_error_set(err, KC_EINVAL, "invalid task status key %.*s", (int)klen, key);
        }
        rec->kind = STATUS_RECORD_TASK;
        return KC_OK;
    }
    if (has_prefix(key, klen, STATUS_TOPIC_KEY_TOPIC)) {
        /* readTopicStatus: topic up to the first ':', connector after ':' + len(":connector-"),
         * without checking that the separator really says ":connector-". */
        size_t begin = strlen(STATUS_TOPIC_KEY_TOPIC);
        const char *colon = memchr(key, ':', klen);
        size_t delim;
        size_t cbegin;
        if (colon == NULL || (delim = (size_t)(colon - key)) < begin) {
            return kc_error_set(err, KC_EINVAL, "invalid topic status key %.*s", (int)klen, key);
        }
        if (delim == begin) {
            return kc_error_set(err, KC_EINVAL,
                                "invalid topic status key containing empty topic %.*s", (int)klen,
                                key);
        }
        cbegin = delim + strlen(STATUS_TOPIC_KEY_TOPIC_SEP);
        if (cbegin > klen) {
            return kc_error_set(err, KC_EINVAL, "invalid topic status key %.*s", (int)klen, key);
        }
        if (cbegin == klen) {
            return kc_error_set(err, KC_EINVAL,
                                "invalid topic status key containing empty connector %.*s",
                                (int)klen, key);
        }
        rec->kind = STATUS_RECORD_TOPIC;
        rec->topic = kc_strndup(key + begin, delim - begin);
        rec->connector = kc_strndup(key + cbegin, klen - cbegin);
        if (rec->topic == NULL || rec->connector == NULL) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        return KC_OK;
    }
    return kc_error_set(err, KC_EINVAL, "invalid key %.*s", (int)klen, key);
}

int status_topic_decode(const char *key, size_t klen, const void *value, size_t vlen,
                        struct status_record *rec, struct kc_error *err)
{
    json_t *root;
    json_error_t jerr;
    int rc;

    if (key == NULL) {
        return kc_error_set(err, KC_EINVAL, "null key");
    }
    rc = parse_key(key, klen, rec, err);
    if (rc != KC_OK) {
        return rc;
    }
    if (value == NULL) {
        rec->is_null = 1;
        return KC_OK;
    }
    root = json_loadb(value, vlen, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (root == NULL) {
        return kc_error_set(err, KC_EINVAL, "value is not JSON: %s", jerr.text);
    }
    if (!json_is_object(root)) {
        rc = kc_error_set(err, KC_EINVAL, "value is not a JSON object");
    } else if (rec->kind == STATUS_RECORD_TOPIC) {
        rc = decode_topic(root, &rec->tp, err);
    } else {
        rc = decode_status(root, &rec->st, err);
    }
    json_decref(root);
    return rc;
}

/* ---- reader state ---- */

struct ss_conn {
    char *name; /* owned */
    struct status_entry st;
};

struct ss_task {
    char *connector; /* owned */
    int id;
    struct status_entry st;
};

struct ss_topic {
    char *connector; /* owned, from the key */
    char *topic;     /* owned, from the key */
    struct status_topic_entry tp;
};

struct status_state {
    struct ss_conn *c; /* owned arrays */
    size_t nc, capc;
    struct ss_task *t;
    size_t nt, capt;
    struct ss_topic *p;
    size_t np, capp;
};

struct status_state *status_state_new(void)
{
    return kc_calloc(1, sizeof(struct status_state));
}

void status_state_free(struct status_state *ss)
{
    if (ss == NULL) {
        return;
    }
    for (size_t i = 0; i < ss->nc; i++) {
        kc_free(ss->c[i].name);
        status_entry_fini(&ss->c[i].st);
    }
    for (size_t i = 0; i < ss->nt; i++) {
        kc_free(ss->t[i].connector);
        status_entry_fini(&ss->t[i].st);
    }
    for (size_t i = 0; i < ss->np; i++) {
        kc_free(ss->p[i].connector);
        kc_free(ss->p[i].topic);
        status_topic_entry_fini(&ss->p[i].tp);
    }
    kc_free(ss->c);
    kc_free(ss->t);
    kc_free(ss->p);
    kc_free(ss);
}

static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap) {
        return KC_OK;
    }
    size_t ncap = *cap ? *cap * 2 : 8;
    void *a = kc_realloc(*arr, ncap * elem);
    if (a == NULL) {
        return KC_ENOMEM;
    }
    *arr = a;
    *cap = ncap;
    return KC_OK;
}

static long find_conn(const struct status_state *ss, const char *name)
{
    for (size_t i = 0; i < ss->nc; i++) {
        if (strcmp(ss->c[i].name, name) == 0) {
            return (long)i;
        }
    }
    return -1;
}

static long find_task(const struct status_state *ss, const char *connector, int id)
{
    for (size_t i = 0; i < ss->nt; i++) {
        if (ss->t[i].id == id && strcmp(ss->t[i].connector, connector) == 0) {
            return (long)i;
        }
    }
    return -1;
}

static long find_topic(const struct status_state *ss, const char *connector, const char *topic)
{
    for (size_t i = 0; i < ss->np; i++) {
        if (strcmp(ss->p[i].connector, connector) == 0 && strcmp(ss->p[i].topic, topic) == 0) {
            return (long)i;
        }
    }
    return -1;
}

static void remove_task_at(struct status_state *ss, size_t i)
{
    kc_free(ss->t[i].connector);
    status_entry_fini(&ss->t[i].st);
    memmove(ss->t + i, ss->t + i + 1, (ss->nt - i - 1) * sizeof(*ss->t));
    ss->nt--;
}

static int apply_connector(struct status_state *ss, struct status_record *rec)
{
    long i = find_conn(ss, rec->connector);

    if (rec->is_null) {
        /* remove(connector): the connector's status and all its task statuses. */
        if (i >= 0) {
            kc_free(ss->c[i].name);
            status_entry_fini(&ss->c[i].st);
            memmove(ss->c + i, ss->c + i + 1, (ss->nc - (size_t)i - 1) * sizeof(*ss->c));
            ss->nc--;
        }
        for (size_t k = ss->nt; k-- > 0;) {
            if (strcmp(ss->t[k].connector, rec->connector) == 0) {
                remove_task_at(ss, k);
            }
        }
        return KC_OK;
    }
    if (i < 0) {
        if (grow((void **)&ss->c, &ss->capc, ss->nc, sizeof(*ss->c)) != KC_OK) {
            return KC_ENOMEM;
        }
        i = (long)ss->nc++;
        ss->c[i].name = rec->connector;
        rec->connector = NULL;
        memset(&ss->c[i].st, 0, sizeof(ss->c[i].st));
    }
    status_entry_fini(&ss->c[i].st);
    ss->c[i].st = rec->st;
    memset(&rec->st, 0, sizeof(rec->st));
    return KC_OK;
}

static int apply_task(struct status_state *ss, struct status_record *rec)
{
    long i = find_task(ss, rec->connector, rec->task);

    if (rec->is_null) {
        if (i >= 0) {
            remove_task_at(ss, (size_t)i);
        }
        return KC_OK;
    }
    if (i >= 0 && rec->st.state == HERDER_STATE_UNASSIGNED &&
        ss->t[i].st.state == HERDER_STATE_RUNNING && ss->t[i].st.generation >= rec->st.generation) {
        /* A worker that missed the newer RUNNING record wrote UNASSIGNED during a rebalance. */
        kc_log(KC_LOG_TRACE, LOG_FAC, "Ignoring stale status UNASSIGNED of %s-%d", rec->connector,
               rec->task);
        return KC_OK;
    }
    if (i < 0) {
        if (grow((void **)&ss->t, &ss->capt, ss->nt, sizeof(*ss->t)) != KC_OK) {
            return KC_ENOMEM;
        }
        i = (long)ss->nt++;
        ss->t[i].connector = rec->connector;
        ss->t[i].id = rec->task;
        rec->connector = NULL;
        memset(&ss->t[i].st, 0, sizeof(ss->t[i].st));
    }
    status_entry_fini(&ss->t[i].st);
    ss->t[i].st = rec->st;
    memset(&rec->st, 0, sizeof(rec->st));
    return KC_OK;
}

static int apply_topic(struct status_state *ss, struct status_record *rec)
{
    long i = find_topic(ss, rec->connector, rec->topic);

    if (rec->is_null) {
        if (i >= 0) {
            kc_free(ss->p[i].connector);
            kc_free(ss->p[i].topic);
            status_topic_entry_fini(&ss->p[i].tp);
            memmove(ss->p + i, ss->p + i + 1, (ss->np - (size_t)i - 1) * sizeof(*ss->p));
            ss->np--;
        }
        return KC_OK;
    }
    if (i < 0) {
        if (grow((void **)&ss->p, &ss->capp, ss->np, sizeof(*ss->p)) != KC_OK) {
            return KC_ENOMEM;
        }
        i = (long)ss->np++;
        ss->p[i].connector = rec->connector;
        ss->p[i].topic = rec->topic;
        rec->connector = NULL;
        rec->topic = NULL;
        memset(&ss->p[i].tp, 0, sizeof(ss->p[i].tp));
    }
    status_topic_entry_fini(&ss->p[i].tp);
    ss->p[i].tp = rec->tp;
    memset(&rec->tp, 0, sizeof(rec->tp));
    return KC_OK;
}

int status_state_apply(struct status_state *ss, const char *key, size_t klen, const void *value,
                       size_t vlen)
{
    struct status_record rec;
    struct kc_error err;
    int rc;

    status_record_init(&rec);
    kc_error_clear(&err);
    rc = status_topic_decode(key, klen, value, vlen, &rec, &err);
    if (rc == KC_ENOMEM) {
        goto out;
    }
    if (rc != KC_OK) {
        kc_log(KC_LOG_WARN, LOG_FAC, "Discarding status record %.*s: %s", (int)klen,
               key != NULL ? key : "", err.msg);
        rc = KC_OK;
        goto out;
    }
    switch (rec.kind) {
    case STATUS_RECORD_CONNECTOR:
        rc = apply_connector(ss, &rec);
        break;
    case STATUS_RECORD_TASK:
        rc = apply_task(ss, &rec);
        break;
    case STATUS_RECORD_TOPIC:
        rc = apply_topic(ss, &rec);
        break;
    case STATUS_RECORD_UNKNOWN:
    default:
        break;
    }
out:
    status_record_fini(&rec);
    return rc;
}

const struct status_entry *status_state_connector(const struct status_state *ss,
                                                  const char *connector)
{
    long i = find_conn(ss, connector);
    return i >= 0 ? &ss->c[i].st : NULL;
}

const struct status_entry *status_state_task(const struct status_state *ss, const char *connector,
                                             int task)
{
    long i = find_task(ss, connector, task);
    return i >= 0 ? &ss->t[i].st : NULL;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a;
    int y = *(const int *)b;
    return (x > y) - (x < y);
}

int status_state_task_ids(const struct status_state *ss, const char *connector, int **ids,
                          size_t *n)
{
    int *a = kc_malloc((ss->nt + 1) * sizeof(*a));
    size_t k = 0;

    *ids = NULL;
    *n = 0;
    if (a == NULL) {
        return KC_ENOMEM;
    }
    for (size_t i = 0; i < ss->nt; i++) {
        if (strcmp(ss->t[i].connector, connector) == 0) {
            a[k++] = ss->t[i].id;
        }
    }
    qsort(a, k, sizeof(*a), cmp_int);
    *ids = a;
    *n = k;
    return KC_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int status_state_connectors(const struct status_state *ss, const char ***names, size_t *n)
{
    const char **a = kc_malloc((ss->nc + 1) * sizeof(*a));

    *names = NULL;
    *n = 0;
    if (a == NULL) {
        return KC_ENOMEM;
    }
    for (size_t i = 0; i < ss->nc; i++) {
        a[i] = ss->c[i].name;
    }
    qsort(a, ss->nc, sizeof(*a), cmp_str);
    *names = a;
    *n = ss->nc;
    return KC_OK;
}

int status_state_topics(const struct status_state *ss, const char *connector,
                        const struct status_topic_entry ***out, size_t *n)
{
    const struct status_topic_entry **a = kc_malloc((ss->np + 1) * sizeof(*a));
    size_t k = 0;

    *out = NULL;
    *n = 0;
    if (a == NULL) {
        return KC_ENOMEM;
    }
    for (size_t i = 0; i < ss->np; i++) {
        if (strcmp(ss->p[i].connector, connector) == 0) {
            a[k++] = &ss->p[i].tp;
        }
    }
    *out = a;
    *n = k;
    return KC_OK;
}

const struct status_topic_entry *status_state_topic(const struct status_state *ss,
                                                    const char *connector, const char *topic)
{
    long i = find_topic(ss, connector, topic);
    return i >= 0 ? &ss->p[i].tp : NULL;
}

int status_state_can_write_safely(const struct status_state *ss, const char *connector, int task,
                                  const char *worker_id, int32_t generation)
{
    const struct status_entry *cur =
        task < 0 ? status_state_connector(ss, connector) : status_state_task(ss, connector, task);

    if (cur == NULL) {
        return 1;
    }
    if (cur->worker_id != NULL && worker_id != NULL && strcmp(cur->worker_id, worker_id) == 0) {
        return 1;
    }
    return cur->generation <= generation;
}
