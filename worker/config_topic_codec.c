/*
 * worker/config_topic_codec.c: keys and values of the config topic, byte for byte as the JVM's
 * KafkaConfigBackingStore writes them through JsonConverter (schemas.enable=false), which
 * serialises with Jackson: compact, fields in schema order, UTF-8, Jackson's string escaping.
 *
 * Record layout (key -> value):
 *   connector-<c>          {"properties":{<connector config, map order>}}   | null = deleted
 *   task-<c>-<n>           {"properties":{<task config, map order>}}         (null ignored)
 *   commit-<c>             {"tasks":<int>}
 *   target-state-<c>       {"state":"STARTED|PAUSED","state.v2":"STARTED|PAUSED|STOPPED"} | null
 *   restart-connector-<c>  {"include-tasks":<bool>,"only-failed":<bool>}
 *   tasks-fencing-<c>      {"task-count":<int>}
 *   session-key            {"key":"<base64>","algorithm":"HmacSHA256","creation-timestamp":<long>}
 *   logger-cluster-<ns>    {"level":"DEBUG"}
 * A task key's connector is everything between the first and the last '-', split the way Java's
 * String.split("-") does (trailing empty parts dropped). Integers are JSON integers; a float
 * makes the JVM reject the record, so we reject it too.
 */
#include "config_topic.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "kc_alloc.h"
#include "kc_text.h"

void config_record_init(struct config_record *rec)
{
    memset(rec, 0, sizeof(*rec));
    kc_strmap_init(&rec->props);
}

void config_record_fini(struct config_record *rec)
{
    if (rec == NULL) {
        return;
    }
    kc_free(rec->name);
    kc_strmap_fini(&rec->props);
    kc_free(rec->level);
    kc_free(rec->session_key);
    kc_free(rec->session_algorithm);
    config_record_init(rec);
}

/* ---- keys ---- */

char *config_topic_key(enum config_record_kind kind, const char *name, int task)
{
    switch (kind) {
    case CONFIG_RECORD_CONNECTOR:
        return kc_asprintf(CONFIG_TOPIC_KEY_CONNECTOR "%s", name);
    case CONFIG_RECORD_TASK:
        return kc_asprintf(CONFIG_TOPIC_KEY_TASK "%s-%d", name, task);
    case CONFIG_RECORD_COMMIT:
        return kc_asprintf(CONFIG_TOPIC_KEY_COMMIT "%s", name);
    case CONFIG_RECORD_TARGET_STATE:
        return kc_asprintf(CONFIG_TOPIC_KEY_TARGET_STATE "%s", name);
    case CONFIG_RECORD_RESTART:
        return kc_asprintf(CONFIG_TOPIC_KEY_RESTART "%s", name);
    case CONFIG_RECORD_TASKS_FENCING:
        return kc_asprintf(CONFIG_TOPIC_KEY_TASKS_FENCING "%s", name);
    case CONFIG_RECORD_SESSION_KEY:
        return kc_strdup(CONFIG_TOPIC_KEY_SESSION_KEY);
    case CONFIG_RECORD_LOGGER_CLUSTER:
        return kc_asprintf(CONFIG_TOPIC_KEY_LOGGER "%s", name);
    case CONFIG_RECORD_UNKNOWN:
    default:
        return NULL;
    }
}

static int has_prefix(const char *key, size_t klen, const char *prefix)
{
    size_t n = strlen(prefix);
    return klen >= n && memcmp(key, prefix, n) == 0;
}

/*
 * The JVM's parseTaskId: key.split("-"), at least 3 parts, last part an int, connector = parts
 * 1..len-2 joined with "-". String.split drops trailing empty strings, so "task-a-0-" parses as
 * ("a", 0) and "task-a-" has too few parts.
 */
static int parse_task_key(const char *key, size_t klen, struct config_record *rec)
{
    size_t end = klen;
    size_t nparts = 1;
    size_t first_dash;
    size_t last_dash = 0;

    while (end > 0 && key[end - 1] == '-') { /* trailing empty parts */
        end--;
    }
    for (size_t i = 0; i < end; i++) {
        if (key[i] == '-') {
            nparts++;
            last_dash = i;
        }
    }
    if (nparts < 3) {
        return 0;
    }
    first_dash = (size_t)((const char *)memchr(key, '-', end) - key);
    int64_t task;
    if (kc_parse_java_int(key + last_dash + 1, end - last_dash - 1, INT32_MIN, INT32_MAX, &task) !=
        0) {
        return 0;
    }
    rec->task = (int)task;
    rec->name = kc_strndup(key + first_dash + 1, last_dash - first_dash - 1);
    return rec->name != NULL ? 1 : -1;
}

int config_topic_key_parse(const char *key, size_t klen, struct config_record *rec)
{
    static const struct {
        const char *prefix;
        enum config_record_kind kind;
    } order[] = {
        /* KafkaConfigBackingStore.ConsumeCallback tests them in this order. */
        {CONFIG_TOPIC_KEY_TARGET_STATE, CONFIG_RECORD_TARGET_STATE},
        {CONFIG_TOPIC_KEY_CONNECTOR, CONFIG_RECORD_CONNECTOR},
        {CONFIG_TOPIC_KEY_TASK, CONFIG_RECORD_TASK},
        {CONFIG_TOPIC_KEY_COMMIT, CONFIG_RECORD_COMMIT},
        {CONFIG_TOPIC_KEY_RESTART, CONFIG_RECORD_RESTART},
        {CONFIG_TOPIC_KEY_TASKS_FENCING, CONFIG_RECORD_TASKS_FENCING},
    };

    kc_free(rec->name);
    rec->name = NULL;
    rec->kind = CONFIG_RECORD_UNKNOWN;
    rec->task = 0;
    if (key == NULL) {
        return KC_OK;
    }
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        size_t plen = strlen(order[i].prefix);
        if (!has_prefix(key, klen, order[i].prefix)) {
            continue;
        }
        if (order[i].kind == CONFIG_RECORD_TASK) {
            int r = parse_task_key(key, klen, rec);
            if (r < 0) {
                return KC_ENOMEM;
            }
            rec->kind = r == 1 ? CONFIG_RECORD_TASK : CONFIG_RECORD_UNKNOWN;
            return KC_OK;
        }
        rec->name = kc_strndup(key + plen, klen - plen);
        if (rec->name == NULL) {
            return KC_ENOMEM;
        }
        rec->kind = order[i].kind;
        return KC_OK;
    }
    if (klen == strlen(CONFIG_TOPIC_KEY_SESSION_KEY) &&
        memcmp(key, CONFIG_TOPIC_KEY_SESSION_KEY, klen) == 0) {
        rec->kind = CONFIG_RECORD_SESSION_KEY;
        return KC_OK;
    }
    if (has_prefix(key, klen, CONFIG_TOPIC_KEY_LOGGER)) {
        size_t plen = strlen(CONFIG_TOPIC_KEY_LOGGER);
        rec->name = kc_strndup(key + plen, klen - plen);
        if (rec->name == NULL) {
            return KC_ENOMEM;
        }
        rec->kind = CONFIG_RECORD_LOGGER_CLUSTER;
    }
    return KC_OK;
}

/* ---- JSON writing (Jackson's compact output) ---- */

int config_topic_json_string(struct kc_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *run = p;

    if (kc_buf_append_byte(b, '"') != KC_OK) {
        return KC_ENOMEM;
    }
    for (; *p != '\0'; p++) {
        char esc[7];
        size_t elen = 2;
        unsigned char c = *p;
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        if (kc_buf_append(b, run, (size_t)(p - run)) != KC_OK) {
            return KC_ENOMEM;
        }
        esc[0] = '\\';
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\t':
            esc[1] = 't';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 0xf];
            elen = 6;
            break;
        }
        if (kc_buf_append(b, esc, elen) != KC_OK) {
            return KC_ENOMEM;
        }
        run = p + 1;
    }
    if (kc_buf_append(b, run, (size_t)(p - run)) != KC_OK) {
        return KC_ENOMEM;
    }
    return kc_buf_append_byte(b, '"');
}

static int json_string_or_null(struct kc_buf *b, const char *s)
{
    if (s == NULL) {
        return kc_buf_append_str(b, "null");
    }
    return config_topic_json_string(b, s);
}

int config_topic_value_properties(struct kc_buf *b, const struct kc_strmap *props)
{
    if (kc_buf_append_str(b, "{\"properties\":{") != KC_OK) {
        return KC_ENOMEM;
    }
    for (size_t i = 0; i < props->n; i++) {
        if ((i > 0 && kc_buf_append_byte(b, ',') != KC_OK) ||
            config_topic_json_string(b, props->e[i].key) != KC_OK ||
            kc_buf_append_byte(b, ':') != KC_OK ||
            json_string_or_null(b, props->e[i].value) != KC_OK) {
            return KC_ENOMEM;
        }
    }
    return kc_buf_append_str(b, "}}");
}

int config_topic_value_commit(struct kc_buf *b, int n_tasks)
{
    return kc_buf_printf(b, "{\"tasks\":%d}", n_tasks);
}

int config_topic_value_target_state(struct kc_buf *b, enum herder_target_state ts)
{
    /* KafkaConfigBackingStore.putTargetState: old readers only know STARTED and PAUSED. */
    enum herder_target_state v1 = ts == HERDER_TARGET_STOPPED ? HERDER_TARGET_PAUSED : ts;
    return kc_buf_printf(b, "{\"state\":\"%s\",\"state.v2\":\"%s\"}",
                         herder_target_state_name(v1), herder_target_state_name(ts));
}

int config_topic_value_restart(struct kc_buf *b, int include_tasks, int only_failed)
{
    return kc_buf_printf(b, "{\"include-tasks\":%s,\"only-failed\":%s}",
                         include_tasks ? "true" : "false", only_failed ? "true" : "false");
}

int config_topic_value_tasks_fencing(struct kc_buf *b, int task_count)
{
    return kc_buf_printf(b, "{\"task-count\":%d}", task_count);
}

int config_topic_value_session_key(struct kc_buf *b, const uint8_t *key, size_t key_len,
                                   const char *algorithm, int64_t created_ms)
{
    if (kc_buf_append_str(b, "{\"key\":\"") != KC_OK) {
        return KC_ENOMEM;
    }
    /* java.util.Base64.getEncoder(): standard alphabet, with padding. */
    if (kc_b64_append(b, key, key_len) != KC_OK) {
        return KC_ENOMEM;
    }
    if (kc_buf_append_str(b, "\",\"algorithm\":") != KC_OK ||
        config_topic_json_string(b, algorithm) != KC_OK) {
        return KC_ENOMEM;
    }
    return kc_buf_printf(b, ",\"creation-timestamp\":%lld}", (long long)created_ms);
}

int config_topic_value_logger_level(struct kc_buf *b, const char *level)
{
    if (kc_buf_append_str(b, "{\"level\":") != KC_OK ||
        config_topic_json_string(b, level) != KC_OK) {
        return KC_ENOMEM;
    }
    return kc_buf_append_byte(b, '}');
}

int config_topic_encode(const struct config_record *rec, char **key_out, struct kc_buf *value,
                        int *is_null)
{
    int rc = KC_OK;

    *key_out = NULL;
    *is_null = 0;
    if (rec->kind == CONFIG_RECORD_UNKNOWN) {
        return KC_EINVAL;
    }
    *key_out = config_topic_key(rec->kind, rec->name, rec->task);
    if (*key_out == NULL) {
        return KC_ENOMEM;
    }
    if (rec->is_null) {
        *is_null = 1;
        return KC_OK;
    }
    switch (rec->kind) {
    case CONFIG_RECORD_CONNECTOR:
    case CONFIG_RECORD_TASK:
        rc = config_topic_value_properties(value, &rec->props);
        break;
    case CONFIG_RECORD_COMMIT:
        rc = config_topic_value_commit(value, rec->count);
        break;
    case CONFIG_RECORD_TARGET_STATE:
        rc = config_topic_value_target_state(value, rec->target);
        break;
    case CONFIG_RECORD_RESTART:
        rc = config_topic_value_restart(value, rec->include_tasks, rec->only_failed);
        break;
    case CONFIG_RECORD_TASKS_FENCING:
        rc = config_topic_value_tasks_fencing(value, rec->count);
        break;
    case CONFIG_RECORD_SESSION_KEY:
        rc = config_topic_value_session_key(value, rec->session_key, rec->session_key_len,
                                            rec->session_algorithm != NULL ? rec->session_algorithm
                                                                           : "HmacSHA256",
                                            rec->session_created_ms);
        break;
    case CONFIG_RECORD_LOGGER_CLUSTER:
        rc = config_topic_value_logger_level(value, rec->level != NULL ? rec->level : "");
        break;
    case CONFIG_RECORD_UNKNOWN:
    default:
        rc = KC_EINVAL;
        break;
    }
    if (rc != KC_OK) {
        kc_free(*key_out);
        *key_out = NULL;
    }
    return rc;
}

/* ---- JSON reading ---- */

static const char *json_type_name(const json_t *j)
{
    if (j == NULL) {
        return "null";
    }
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a float";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
    default:
        return "null";
    }
}

/* Java's JsonConverter turns integral JSON numbers into Long; intValue() then casts to int. */
static int json_int_field(const json_t *obj, const char *field, int *out, struct kc_error *err)
{
    const json_t *v = json_object_get(obj, field);
    if (!json_is_integer(v)) {
        return kc_error_set(err, KC_EINVAL, "'%s' field should be an integer but is %s", field,
                            json_type_name(v));
    }
    *out = (int)(int32_t)(uint32_t)(uint64_t)json_integer_value(v);
    return KC_OK;
}

static int decode_properties(const json_t *root, struct config_record *rec, struct kc_error *err)
{
    const json_t *props = json_object_get(root, "properties");
    const char *k;
    json_t *v;

    if (!json_is_object(props)) {
        return kc_error_set(err, KC_EINVAL, "'properties' field should be a Map but is %s",
                            json_type_name(props));
    }
    json_object_foreach((json_t *)props, k, v)
    {
        int rc;
        if (json_is_string(v)) {
            rc = kc_strmap_set(&rec->props, k, json_string_value(v));
        } else if (json_is_null(v)) {
            rc = kc_strmap_set(&rec->props, k, NULL);
        } else {
            char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            if (text == NULL) {
                return kc_error_set(err, KC_ENOMEM, "out of memory");
            }
            rc = kc_strmap_set(&rec->props, k, text);
            free(text);
        }
        if (rc != KC_OK) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
    }
    return KC_OK;
}

static int b64_value(int c)
{
    return kc_b64val((unsigned char)c, 0);
}

/* java.util.Base64.getDecoder(): standard alphabet; padding optional at the end only. */
static int b64_decode(const char *s, uint8_t **out, size_t *out_len)
{
    size_t n = strlen(s);
    uint8_t *buf;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    size_t i;

    while (n > 0 && s[n - 1] == '=') {
        n--;
    }
    buf = kc_malloc(n * 3 / 4 + 3);
    if (buf == NULL) {
        return KC_ENOMEM;
    }
    for (i = 0; i < n; i++) {
        int v = b64_value((unsigned char)s[i]);
        if (v < 0) {
            kc_free(buf);
            return KC_EINVAL;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[o++] = (uint8_t)(acc >> bits);
        }
    }
    if (n % 4 == 1) {
        kc_free(buf);
        return KC_EINVAL;
    }
    *out = buf;
    *out_len = o;
    return KC_OK;
}

static int decode_value(const json_t *root, struct config_record *rec, struct kc_error *err)
{
    const json_t *v;
    const json_t *v2;
    int ts;

    switch (rec->kind) {
    case CONFIG_RECORD_CONNECTOR:
    case CONFIG_RECORD_TASK:
        return decode_properties(root, rec, err);
    case CONFIG_RECORD_COMMIT:
        return json_int_field(root, "tasks", &rec->count, err);
    case CONFIG_RECORD_TASKS_FENCING:
        return json_int_field(root, "task-count", &rec->count, err);
    case CONFIG_RECORD_TARGET_STATE:
        /* processTargetStateRecord: a non-string state.v2 falls back to state. */
        v2 = json_object_get(root, "state.v2");
        v = json_is_string(v2) ? v2 : json_object_get(root, "state");
        if (!json_is_string(v)) {
            return kc_error_set(err, KC_EINVAL, "'state' field should be a String but is %s",
                                json_type_name(v));
        }
        ts = herder_target_state_parse(json_string_value(v));
        if (ts < 0) {
            return kc_error_set(err, KC_EINVAL, "invalid target state '%s'", json_string_value(v));
        }
        rec->target = (enum herder_target_state)ts;
        return KC_OK;
    case CONFIG_RECORD_RESTART:
        /* recordToRestartRequest: missing or non-boolean fields default to false. */
        v = json_object_get(root, "include-tasks");
        rec->include_tasks = json_is_true(v);
        v = json_object_get(root, "only-failed");
        rec->only_failed = json_is_true(v);
        return KC_OK;
    case CONFIG_RECORD_SESSION_KEY:
        v = json_object_get(root, "key");
        if (!json_is_string(v)) {
            return kc_error_set(err, KC_EINVAL,
                                "session key 'key' field should be a String but is %s",
                                json_type_name(v));
        }
        switch (b64_decode(json_string_value(v), &rec->session_key, &rec->session_key_len)) {
        case KC_OK:
            break;
        case KC_ENOMEM:
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        default:
            return kc_error_set(err, KC_EINVAL, "session key 'key' field is not valid base64");
        }
        v = json_object_get(root, "algorithm");
        if (!json_is_string(v)) {
            return kc_error_set(err, KC_EINVAL,
                                "session key 'algorithm' field should be a String but it is %s",
                                json_type_name(v));
        }
        rec->session_algorithm = kc_strdup(json_string_value(v));
        if (rec->session_algorithm == NULL) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        v = json_object_get(root, "creation-timestamp");
        if (!json_is_integer(v)) {
            return kc_error_set(
                err, KC_EINVAL,
                "session key 'creation-timestamp' field should be a long but it is %s",
                json_type_name(v));
        }
        rec->session_created_ms = (int64_t)json_integer_value(v);
        return KC_OK;
    case CONFIG_RECORD_LOGGER_CLUSTER:
        v = json_object_get(root, "level");
        if (!json_is_string(v)) {
            return kc_error_set(err, KC_EINVAL, "'level' field should be a String but it is %s",
                                json_type_name(v));
        }
        rec->level = kc_strdup(json_string_value(v));
        return rec->level != NULL ? KC_OK : kc_error_set(err, KC_ENOMEM, "out of memory");
    case CONFIG_RECORD_UNKNOWN:
    default:
        return KC_OK;
    }
}

int config_topic_decode(const char *key, size_t klen, const void *value, size_t vlen,
                        struct config_record *rec, int *json_ok, struct kc_error *err)
{
    json_t *root = NULL;
    json_error_t jerr;
    int ok_dummy;
    int rc;

    if (json_ok == NULL) {
        json_ok = &ok_dummy;
    }
    *json_ok = 0;
    rc = config_topic_key_parse(key, klen, rec);
    if (rc != KC_OK) {
        return kc_error_set(err, rc, "out of memory");
    }
    /* JsonConverter maps a null value, and Jackson an empty document, to null. */
    if (value == NULL || vlen == 0) {
        *json_ok = 1;
        rec->is_null = 1;
        return KC_OK;
    }
    if (vlen > CONFIG_TOPIC_VALUE_MAX) {
        return kc_error_set(err, KC_EINVAL, "value of %zu bytes is larger than %u", vlen,
                            CONFIG_TOPIC_VALUE_MAX);
    }
    root = json_loadb(value, vlen, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (root == NULL) {
        return kc_error_set(err, KC_EINVAL, "value is not JSON: %s (line %d, column %d)", jerr.text,
                            jerr.line, jerr.column);
    }
    *json_ok = 1;
    if (json_is_null(root)) {
        rec->is_null = 1;
        rc = KC_OK;
    } else if (rec->kind == CONFIG_RECORD_UNKNOWN) {
        rc = KC_OK;
    } else if (!json_is_object(root)) {
        rc = kc_error_set(err, KC_EINVAL, "value is not a Map but is %s", json_type_name(root));
    } else {
        rc = decode_value(root, rec, err);
    }
    json_decref(root);
    return rc;
}
