/*
 * rest/rest_loggers.c: the logger registry behind /admin/loggers and its three handlers.
 *
 * Invariant: entry 0 is "root" and is always present; the others are the kc_log facility loggers
 * (present from the start, like the JVM's class loggers) and every logger a PUT has named. Names are kept sorted (strcmp, which
 * matches Java's String order for the ASCII names loggers use), so listing is the JVM's TreeMap
 * order. kc_log's single level is recomputed after each PUT from "root" and the facility loggers
 * (see rest_loggers.h). JVM behaviours copied: invalid level -> 404 "invalid log level 'x'.",
 * missing level -> 400, unknown scope -> worker, scope=cluster -> 204 (one worker here, so the
 * level is applied locally; the JVM would also write a logger-cluster-<ns> config record).
 */
#include "rest_loggers.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kc_alloc.h"
#include "kc_log.h"
#include "kc_queue.h"
#include "herder.h"
#include "rest_int.h"
#include "rest_reply.h"

struct logger_entry {
    char *name;            /* owned */
    const char *level;     /* static canonical name */
    int64_t last_modified; /* wall ms, -1 = never (JSON null) */
};

struct rest_loggers {
    pthread_mutex_t lock;      /* guards every field below */
    struct logger_entry *e;    /* owned, sorted by name except e[0] = root */
    size_t n, cap;
    const char *const *facilities; /* borrowed static list */
    size_t n_facilities;           /* registered at creation; not counted by the cap */
};

static const char *const default_facilities[] = {
    "herder", "member", "task", "rest", "sink", "config", "dlq", "worker", NULL,
};

static const char *const level_names[] = {"OFF",   "FATAL", "ERROR", "WARN",
                                          "INFO",  "DEBUG", "TRACE", "ALL"};

const char *rest_loggers_level_canon(const char *level)
{
    if (level == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
        if (strcasecmp(level, level_names[i]) == 0) {
            return level_names[i];
        }
    }
    return NULL;
}

/* Insert a logger at its sorted place (lock held or not yet shared); NULL on ENOMEM. */
static struct logger_entry *add_logger(struct rest_loggers *lg, const char *name,
                                       const char *level)
{
    if (lg->n == lg->cap) {
        struct logger_entry *ne = kc_realloc(lg->e, lg->cap * 2 * sizeof(*ne));
        if (ne == NULL) {
            return NULL;
        }
        lg->e = ne;
        lg->cap *= 2;
    }
    char *dup = kc_strdup(name);
    if (dup == NULL) {
        return NULL;
    }
    size_t pos = 1;
    while (pos < lg->n && strcmp(lg->e[pos].name, name) < 0) {
        pos++;
    }
    memmove(&lg->e[pos + 1], &lg->e[pos], (lg->n - pos) * sizeof(*lg->e));
    lg->e[pos].name = dup;
    lg->e[pos].level = level;
    lg->e[pos].last_modified = -1;
    lg->n++;
    return &lg->e[pos];
}

struct rest_loggers *rest_loggers_new(const char *const *facilities)
{
    struct rest_loggers *lg = kc_calloc(1, sizeof(*lg));
    if (lg == NULL) {
        return NULL;
    }
    lg->facilities = facilities ? facilities : default_facilities;
    lg->cap = 8;
    lg->e = kc_calloc(lg->cap, sizeof(*lg->e));
    if (lg->e == NULL || (lg->e[0].name = kc_strdup("root")) == NULL) {
        kc_free(lg->e);
        kc_free(lg);
        return NULL;
    }
    lg->e[0].level = rest_loggers_level_canon(kc_log_level_name(kc_log_level_current));
    lg->e[0].last_modified = -1;
    lg->n = 1;
    pthread_mutex_init(&lg->lock, NULL);
    /* The facility loggers exist from the start, as the JVM's class loggers do: listed by GET
     * /admin/loggers with root's level, and changed (so named in the answer) by a root PUT. */
    for (const char *const *f = lg->facilities; *f != NULL; f++) {
        if (add_logger(lg, *f, lg->e[0].level) == NULL) {
            rest_loggers_free(lg);
            return NULL;
        }
        lg->n_facilities++;
    }
    return lg;
}

void rest_loggers_free(struct rest_loggers *lg)
{
    if (lg == NULL) {
        return;
    }
    for (size_t i = 0; i < lg->n; i++) {
        kc_free(lg->e[i].name);
    }
    kc_free(lg->e);
    pthread_mutex_destroy(&lg->lock);
    kc_free(lg);
}

static int is_root(const char *name)
{
    return strcasecmp(name, "root") == 0 || name[0] == '\0';
}

static struct logger_entry *find(struct rest_loggers *lg, const char *name)
{
    if (is_root(name)) {
        return &lg->e[0];
    }
    for (size_t i = 1; i < lg->n; i++) {
        if (strcmp(lg->e[i].name, name) == 0) {
            return &lg->e[i];
        }
    }
    return NULL;
}

static int is_facility(const struct rest_loggers *lg, const char *name)
{
    for (const char *const *f = lg->facilities; *f != NULL; f++) {
        if (strcmp(*f, name) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Level a logger without its own level inherits: nearest set dotted ancestor, else root. */
static const char *effective(struct rest_loggers *lg, const char *name)
{
    const char *best = lg->e[0].level;
    size_t best_len = 0;
    for (size_t i = 1; i < lg->n; i++) {
        size_t l = strlen(lg->e[i].name);
        if (l > best_len && strncmp(name, lg->e[i].name, l) == 0 && name[l] == '.') {
            best = lg->e[i].level;
            best_len = l;
        }
    }
    return best;
}

static json_t *level_json(const char *level, int64_t last_modified)
{
    json_t *o = json_object();
    if (o == NULL || json_object_set_new(o, "level", json_string(level)) != 0 ||
        json_object_set_new(o, "last_modified",
                            last_modified < 0 ? json_null() : json_integer(last_modified)) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *rest_loggers_all_json(struct rest_loggers *lg)
{
    json_t *o = json_object();
    int placed_root = 0;
    if (o == NULL) {
        return NULL;
    }
    pthread_mutex_lock(&lg->lock);
    for (size_t i = 1; i <= lg->n; i++) {
        /* merge "root" into its sorted place among e[1..n-1] */
        if (!placed_root && (i == lg->n || strcmp("root", lg->e[i].name) < 0)) {
            if (json_object_set_new(o, "root", level_json(lg->e[0].level,
                                                          lg->e[0].last_modified)) != 0) {
                goto fail;
            }
            placed_root = 1;
        }
        if (i < lg->n && json_object_set_new(o, lg->e[i].name,
                                             level_json(lg->e[i].level,
                                                        lg->e[i].last_modified)) != 0) {
            goto fail;
        }
    }
    pthread_mutex_unlock(&lg->lock);
    return o;
fail:
    pthread_mutex_unlock(&lg->lock);
    json_decref(o);
    return NULL;
}

json_t *rest_loggers_get_json(struct rest_loggers *lg, const char *name)
{
    json_t *res = NULL;
    pthread_mutex_lock(&lg->lock);
    struct logger_entry *e = find(lg, name);
    if (e != NULL) {
        res = level_json(e->level, e->last_modified);
    } else if (is_facility(lg, name) || strncmp(name, "org.apache.kafka.", 17) == 0) {
        /* loggers that exist in the process without their own level: effective level */
        res = level_json(effective(lg, name), -1);
    }
    pthread_mutex_unlock(&lg->lock);
    return res;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* kc_log has one level: the most verbose of root and the facility loggers. */
static void apply_kc_log(struct rest_loggers *lg)
{
    int lvl = kc_log_level_parse(lg->e[0].level);
    for (size_t i = 1; i < lg->n; i++) {
        if (is_facility(lg, lg->e[i].name)) {
            int l = kc_log_level_parse(lg->e[i].level);
            if (l > lvl) {
                lvl = l;
            }
        }
    }
    if (lvl >= 0) {
        kc_log_set_level(lvl);
    }
}

/* 1 when the level really changed. */
static int set_one(struct logger_entry *e, const char *level, int64_t now_ms)
{
    if (e->level != level) { /* canonical pointers: equal names are equal pointers */
        e->level = level;
        e->last_modified = now_ms;
        return 1;
    }
    return 0;
}

int rest_loggers_full(struct rest_loggers *lg, const char *name)
{
    pthread_mutex_lock(&lg->lock);
    int full = find(lg, name) == NULL && lg->n - lg->n_facilities >= REST_LOGGERS_MAX;
    pthread_mutex_unlock(&lg->lock);
    return full;
}

json_t *rest_loggers_set(struct rest_loggers *lg, const char *name, const char *level,
                         int64_t now_ms)
{
    json_t *arr = json_array();
    const char **names = NULL;
    size_t nn = 0;
    if (arr == NULL) {
        return NULL;
    }
    pthread_mutex_lock(&lg->lock);
    if (find(lg, name) == NULL &&
        add_logger(lg, name, effective(lg, name)) == NULL) {
        /* a new logger starts from its inherited level: listed only if that changes, as the
         * JVM's (Loggers.setLevel looks it up, so creates it, before it reads the levels) */
        goto fail;
    }
    names = kc_calloc(lg->n, sizeof(*names));
    if (names == NULL) {
        goto fail;
    }
    int root = is_root(name);
    for (size_t i = 0; i < lg->n; i++) {
        int hit = root || (i > 0 && strncmp(lg->e[i].name, name, strlen(name)) == 0);
        /* the JVM's Loggers.setLevel answers the loggers whose level it changed; the others
         * under the namespace are left out */
        if (hit && set_one(&lg->e[i], level, now_ms)) {
            names[nn++] = lg->e[i].name;
        }
    }
    qsort(names, nn, sizeof(*names), cmp_str);
    for (size_t i = 0; i < nn; i++) {
        if (json_array_append_new(arr, json_string(names[i])) != 0) {
            goto fail;
        }
    }
    apply_kc_log(lg);
    pthread_mutex_unlock(&lg->lock);
    kc_free(names);
    return arr;
fail:
    pthread_mutex_unlock(&lg->lock);
    kc_free(names);
    json_decref(arr);
    return NULL;
}

/* ---- handlers ---- */

void rest_h_loggers_list(const struct rest_ctx *ctx, const struct rest_request *rq,
                         struct rest_response *rs)
{
    (void)rq;
    json_t *j = rest_loggers_all_json(ctx->loggers);
    if (j == NULL) {
        rest_respond_error(rs, 500, "out of memory");
        return;
    }
    rest_respond_json(rs, 200, j);
}

void rest_h_logger_get(const struct rest_ctx *ctx, const struct rest_request *rq,
                       struct rest_response *rs)
{
    json_t *j = rest_loggers_get_json(ctx->loggers, rq->params[0]);
    if (j == NULL) {
        char msg[KC_ERROR_MSG_MAX];
        snprintf(msg, sizeof(msg), "Logger %s not found.", rq->params[0]);
        rest_respond_error(rs, 404, msg);
        return;
    }
    rest_respond_json(rs, 200, j);
}

void rest_h_logger_put(const struct rest_ctx *ctx, const struct rest_request *rq,
                       struct rest_response *rs)
{
    struct kc_error err;
    struct rest_body body;
    const char *level = NULL;
    int status = 500;

    kc_error_clear(&err);
    if (rest_body_read_shaped(&body, rq->body, rq->body_len, REST_BODY_MAP, &status,
                              &err) != KC_OK ||
        rest_logger_body_parse(&body, &level, &status, &err) != KC_OK) {
        rest_respond_error(rs, status, err.msg);
        goto out;
    }
    const char *canon = rest_loggers_level_canon(level);
    if (canon == NULL) {
        char msg[KC_ERROR_MSG_MAX];
        snprintf(msg, sizeof(msg), "invalid log level '%s'.", level);
        rest_respond_error(rs, 404, msg);
        goto out;
    }
    const char *scope = rest_query_get(&rq->query, "scope");
    int cluster = scope != NULL && strcasecmp(scope, "cluster") == 0;
    if (scope != NULL && !cluster && strcasecmp(scope, "worker") != 0) {
        kc_log(KC_LOG_WARN, "rest",
               "Received invalid scope '%s' in request to adjust logging level; will default "
               "to worker",
               scope);
    }
    if (rest_loggers_full(ctx->loggers, rq->params[0])) {
        char msg[KC_ERROR_MSG_MAX];
        snprintf(msg, sizeof(msg),
                 "Cannot set the level of logger %.200s: connect-c keeps at most %d named "
                 "loggers",
                 rq->params[0], REST_LOGGERS_MAX);
        rest_respond_error(rs, 400, msg);
        goto out;
    }
    json_t *affected = rest_loggers_set(ctx->loggers, rq->params[0], canon, kc_wall_ms());
    if (affected == NULL) {
        rest_respond_error(rs, 500, "out of memory");
        goto out;
    }
    if (cluster) {
        /* Applied here, and written as logger-cluster-<ns> to the config topic as the JVM
         * does, so every worker sharing these topics (JVM ones included) applies it too. */
        json_decref(affected);
        struct kc_error werr;
        kc_error_clear(&werr);
        if (herder_logger_cluster(ctx->h, rq->params[0], canon, &werr) != KC_OK) {
            kc_log(KC_LOG_WARN, "rest", "Could not write the cluster-wide level of %s: %s",
                   rq->params[0], werr.msg);
        }
        rs->status = 204;
        goto out;
    }
    rest_respond_json(rs, 200, affected);
out:
    rest_body_fini(&body);
}
