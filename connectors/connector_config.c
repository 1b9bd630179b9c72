/*
 * connectors/connector_config.c: connector-config validation in the JVM's shape.
 *
 * The JVM builds one ConfigInfos from three sources, and so do we, in this order:
 *  1. "main": every key of the enriched definition (framework keys, then for each unique
 *     transform alias transforms.<a>.type plus its embedded negate/predicate keys, then
 *     predicates.<p>.type per predicate alias, then the sink's own keys), each with its parsed
 *     value and errors; entries for keys without a definition (a consumer.override.group.id
 *     entry, keys whose value is null, keys the sink's validate() names) come first, with
 *     "definition": null;
 *  2. consumer.override.* (and producer.override.* / admin.override.* when a DLQ topic is set,
 *     producer before consumer before admin) checked against the override policy;
 *  3. converter entries -- not produced yet: converter config definitions live with the
 *     converters in connectors/common.
 * error_count counts messages in part 1 and failing keys in part 2, as mergeConfigInfos does.
 * Transformation and predicate classes are checked for syntax only until SMTs exist in C.
 */
#include "connector_config.h"

#include "jmap.h"

#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf_worker.h"
#include "kc_alloc.h"
#include "kc_buf.h"
#include "registry.h"
#include "sink.h"

#define NULL_VALUE_MSG "Null value can not be supplied as the configuration value."

/* One key of the enriched definition and its result, before it becomes a conf_info_value. */
struct vkey {
    const struct conf_def *def; /* borrowed, or def_owned */
    struct conf_def *def_owned; /* owned dynamic definition */
    char *name;                 /* owned */
    char *value;                /* owned string form (passwords hidden), NULL = null */
    char **errors;              /* owned */
    size_t n_errors;
};

struct vlist {
    struct vkey *k;
    size_t n;
};

static void vkey_fini(struct vkey *k)
{
    kc_free(k->name);
    kc_free(k->value);
    for (size_t i = 0; i < k->n_errors; i++) {
        kc_free(k->errors[i]);
    }
    kc_free(k->errors);
    if (k->def_owned != NULL) {
        kc_free((char *)k->def_owned->name);
        kc_free((char *)k->def_owned->doc);
        kc_free((char *)k->def_owned->group);
        kc_free((char *)k->def_owned->display_name);
        kc_free(k->def_owned);
    }
}

static void vlist_fini(struct vlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        vkey_fini(&l->k[i]);
    }
    kc_free(l->k);
    l->k = NULL;
    l->n = 0;
}

static struct vkey *vlist_add(struct vlist *l, const char *name)
{
    struct vkey *nk = kc_realloc(l->k, (l->n + 1) * sizeof(*nk));

    if (nk == NULL) {
        return NULL;
    }
    l->k = nk;
    memset(&nk[l->n], 0, sizeof(nk[0]));
    nk[l->n].name = kc_strdup(name);
    if (nk[l->n].name == NULL) {
        return NULL;
    }
    return &nk[l->n++];
}

static struct vkey *vlist_find(struct vlist *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->k[i].name, name) == 0) {
            return &l->k[i];
        }
    }
    return NULL;
}

static int vkey_add_error(struct vkey *k, const char *msg)
{
    char *m = kc_strdup(msg);
    char **ne;

    if (m == NULL) {
        return KC_ENOMEM;
    }
    ne = kc_realloc(k->errors, (k->n_errors + 1) * sizeof(*ne));
    if (ne == NULL) {
        kc_free(m);
        return KC_ENOMEM;
    }
    ne[k->n_errors++] = m;
    k->errors = ne;
    return KC_OK;
}

/* Parse and validate one defined key against cfg, filling k->value and k->errors. */
static int vkey_validate(struct vkey *k, const struct kc_strmap *cfg)
{
    struct conf_value v;
    int rc = conf_def_validate_one(k->def, kc_strmap_has(cfg, k->name), kc_strmap_get(cfg, k->name),
                                   &v, &k->errors, &k->n_errors);

    if (rc == KC_OK && !v.is_null) {
        k->value = conf_value_to_string(&v, 0);
        if (k->value == NULL) {
            rc = KC_ENOMEM;
        }
    }
    conf_value_fini(&v);
    return rc;
}

/* An owned definition for an alias key ("transforms.<a>.type" and friends). */
static struct conf_def *dyn_def(const struct conf_def *tmpl, const char *name, const char *doc,
                                const char *group, int order, const char *display)
{
    struct conf_def *d = kc_malloc(sizeof(*d));

    if (d == NULL) {
        return NULL;
    }
    *d = *tmpl;
    d->name = kc_strdup(name);
    d->doc = kc_strdup(doc);
    d->group = kc_strdup(group);
    d->display_name = kc_strdup(display);
    d->order_in_group = order;
    if (d->name == NULL || d->doc == NULL || d->group == NULL || d->display_name == NULL) {
        kc_free((char *)d->name);
        kc_free((char *)d->doc);
        kc_free((char *)d->group);
        kc_free((char *)d->display_name);
        kc_free(d);
        return NULL;
    }
    return d;
}

static const struct conf_def alias_type_tmpl = {
    .name = "type", .type = CONF_CLASS, .default_value = CONF_NO_DEFAULT, .importance = CONF_HIGH,
    .width = CONF_WIDTH_LONG, .order_in_group = 0,
};
static const struct conf_def negate_tmpl = {
    .name = "negate", .type = CONF_BOOLEAN, .default_value = "false", .importance = CONF_MEDIUM,
    .width = CONF_WIDTH_NONE,
};
static const struct conf_def predicate_tmpl = {
    .name = "predicate", .type = CONF_STRING, .default_is_null = 1, .importance = CONF_MEDIUM,
    .width = CONF_WIDTH_NONE,
};

/* Unique aliases of a LIST key in first-seen order (LinkedHashSet). Owned strings. */
static int unique_aliases(const struct kc_strmap *cfg, const char *key, char ***out, size_t *n)
{
    struct conf_def d = {.name = key, .type = CONF_LIST};
    struct conf_value v;
    int rc;

    *out = NULL;
    *n = 0;
    rc = conf_value_parse(&d, kc_strmap_get(cfg, key), &v, NULL);
    if (rc != KC_OK || v.is_null) {
        conf_value_fini(&v);
        return rc == KC_ENOMEM ? KC_ENOMEM : KC_OK;
    }
    for (size_t i = 0; i < v.u.list.n; i++) {
        int seen = 0;
        for (size_t j = 0; j < *n; j++) {
            seen |= strcmp((*out)[j], v.u.list.items[i]) == 0;
        }
        if (seen) {
            continue;
        }
        char **na = kc_realloc(*out, (*n + 1) * sizeof(*na));
        if (na == NULL) {
            conf_value_fini(&v);
            return KC_ENOMEM;
        }
        *out = na;
        na[*n] = kc_strdup(v.u.list.items[i]);
        if (na[*n] == NULL) {
            conf_value_fini(&v);
            return KC_ENOMEM;
        }
        (*n)++;
    }
    conf_value_fini(&v);
    return KC_OK;
}

static void free_strings(char **a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        kc_free(a[i]);
    }
    kc_free(a);
}

/* Add transforms.<a>.* or predicates.<p>.* keys for every alias. */
static int add_alias_keys(struct vlist *defined, const struct kc_strmap *cfg, int transforms)
{
    const char *list_key = transforms ? "transforms" : "predicates";
    char **aliases = NULL;
    size_t n = 0;
    int rc = unique_aliases(cfg, list_key, &aliases, &n);

    for (size_t i = 0; rc == KC_OK && i < n; i++) {
        const char *a = aliases[i];
        char *group = kc_asprintf("%s: %s", transforms ? "Transforms" : "Predicates", a);
        char *name = kc_asprintf("%s.%s.type", list_key, a);
        char *doc = kc_asprintf("Class for the '%s' %s.", a, transforms ? "transformation" : "predicate");
        char *disp = kc_asprintf("%s type for %s", transforms ? "Transformation" : "Predicate", a);
        struct vkey *k = NULL;

        rc = KC_ENOMEM;
        if (group != NULL && name != NULL && doc != NULL && disp != NULL &&
            (k = vlist_add(defined, name)) != NULL &&
            (k->def_owned = dyn_def(&alias_type_tmpl, name, doc, group, 0, disp)) != NULL) {
            k->def = k->def_owned;
            rc = vkey_validate(k, cfg);
        }
        if (rc == KC_OK && transforms) {
            /* TransformationStage validateProps, run by the type key's validator */
            char *neg = kc_asprintf("transforms.%s.negate", a);
            char *pred = kc_asprintf("transforms.%s.predicate", a);
            if (neg == NULL || pred == NULL) {
                rc = KC_ENOMEM;
            } else if (kc_strmap_has(cfg, neg) && !kc_strmap_has(cfg, pred)) {
                char msg[KC_ERROR_MSG_MAX];
                snprintf(msg, sizeof(msg),
                         "Config '%s' was provided but there is no config '%s' defining a "
                         "predicate to be negated.",
                         neg, pred);
                rc = vkey_add_error(k, msg);
            }
            /* the embedded keys exist only when the type names a loadable class */
            if (rc == KC_OK && k->n_errors == 0) {
                struct vkey *kn = vlist_add(defined, neg);
                rc = kn != NULL && (kn->def_owned = dyn_def(&negate_tmpl, neg,
                                                             "Whether the configured predicate "
                                                             "should be negated.",
                                                             group, 1, "negate")) != NULL
                         ? KC_OK
                         : KC_ENOMEM;
                if (rc == KC_OK) {
                    kn->def = kn->def_owned;
                    rc = vkey_validate(kn, cfg);
                }
                struct vkey *kp = rc == KC_OK ? vlist_add(defined, pred) : NULL;
                rc = kp != NULL && (kp->def_owned = dyn_def(&predicate_tmpl, pred,
                                                             "The alias of a predicate used to "
                                                             "determine whether to apply this "
                                                             "transformation.",
                                                             group, 2, "predicate")) != NULL
                         ? KC_OK
                         : KC_ENOMEM;
                if (rc == KC_OK) {
                    kp->def = kp->def_owned;
                    rc = vkey_validate(kp, cfg);
                }
            }
            kc_free(neg);
            kc_free(pred);
        }
        kc_free(group);
        kc_free(name);
        kc_free(doc);
        kc_free(disp);
    }
    free_strings(aliases, n);
    return rc;
}

/* Utils.isBlank */
static int is_blank(const char *s)
{
    if (s == NULL) {
        return 1;
    }
    for (; *s != '\0'; s++) {
        if ((unsigned char)*s > ' ') {
            return 0;
        }
    }
    return 1;
}

/* SinkConnectorConfig.validate: topics / topics.regex / DLQ rules. */
static int sink_rules(struct vlist *defined, const struct kc_strmap *cfg)
{
    const char *topics = kc_strmap_get(cfg, "topics");
    const char *regex = kc_strmap_get(cfg, "topics.regex");
    const char *dlq_raw = kc_strmap_get(cfg, "errors.deadletterqueue.topic.name");
    struct vkey *kt = vlist_find(defined, "topics");
    struct vkey *kr = vlist_find(defined, "topics.regex");
    char *dlq = NULL;
    int rc = KC_OK;

    if (kt == NULL || kr == NULL) {
        return KC_OK;
    }
    if (!is_blank(topics) && !is_blank(regex)) {
        const char *m = "topics and topics.regex are mutually exclusive options, but both are set.";
        rc = vkey_add_error(kt, m);
        rc = rc == KC_OK ? vkey_add_error(kr, m) : rc;
    }
    if (rc == KC_OK && is_blank(topics) && is_blank(regex)) {
        const char *m = "Must configure one of topics or topics.regex";
        rc = vkey_add_error(kt, m);
        rc = rc == KC_OK ? vkey_add_error(kr, m) : rc;
    }
    if (rc != KC_OK || is_blank(dlq_raw)) {
        return rc;
    }
    /* trimmed DLQ topic name */
    const char *b = dlq_raw;
    size_t len = strlen(b);
    while (*b != '\0' && (unsigned char)*b <= ' ') {
        b++;
        len--;
    }
    while (len > 0 && (unsigned char)b[len - 1] <= ' ') {
        len--;
    }
    dlq = kc_strndup(b, len);
    if (dlq == NULL) {
        return KC_ENOMEM;
    }
    if (!is_blank(topics)) {
        /* parseTopicsList: non-empty, distinct, printed as a Java list */
        struct conf_def d = {.name = "topics", .type = CONF_LIST};
        struct conf_value v;
        struct kc_buf shown;
        int found = 0;
        rc = conf_value_parse(&d, topics, &v, NULL);
        kc_buf_init(&shown, 1 << 20);
        if (rc == KC_OK) {
            rc = kc_buf_append_byte(&shown, '[');
            for (size_t i = 0; rc == KC_OK && i < v.u.list.n; i++) {
                const char *t = v.u.list.items[i];
                int dup = 0;
                for (size_t j = 0; j < i; j++) {
                    dup |= strcmp(v.u.list.items[j], t) == 0;
                }
                if (t[0] == '\0' || dup) {
                    continue;
                }
                found |= strcmp(t, dlq) == 0;
                if (shown.len > 1) {
                    rc = kc_buf_append_str(&shown, ", ");
                }
                rc = rc == KC_OK ? kc_buf_append_str(&shown, t) : rc;
            }
            rc = rc == KC_OK ? kc_buf_append_byte(&shown, ']') : rc;
        }
        if (rc == KC_OK && found) {
            char *m = kc_asprintf("The DLQ topic '%s' may not be included in the list of topics "
                                  "('topics=%s') consumed by the connector",
                                  dlq, shown.data);
            rc = m != NULL ? vkey_add_error(kt, m) : KC_ENOMEM;
            kc_free(m);
        }
        kc_buf_fini(&shown);
        conf_value_fini(&v);
        rc = rc == KC_OK ? KC_OK : KC_ENOMEM;
    }
    if (rc == KC_OK && !is_blank(regex)) {
        regex_t re;
        char *anchored = kc_asprintf("^(%s)$", regex);
        if (anchored == NULL) {
            rc = KC_ENOMEM;
        } else if (regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB) == 0) {
            if (regexec(&re, dlq, 0, NULL, 0) == 0) {
                char *m = kc_asprintf("The DLQ topic '%s' may not be matched by the regex for the "
                                      "topics ('topics.regex=%s') consumed by the connector",
                                      dlq, regex);
                rc = m != NULL ? vkey_add_error(kr, m) : KC_ENOMEM;
                kc_free(m);
            }
            regfree(&re);
        }
        kc_free(anchored);
    }
    kc_free(dlq);
    return rc;
}

/* DistributedHerder.validateSinkConnectorGroupId */
static int group_id_rule(struct vlist *defined, struct vlist *undefined,
                         const struct kc_strmap *cfg, const char *worker_group)
{
    const char *okey = "consumer.override.group.id";
    char msg[KC_ERROR_MSG_MAX];

    if (worker_group == NULL) {
        return KC_OK;
    }
    if (kc_strmap_has(cfg, okey)) {
        const char *g = kc_strmap_get(cfg, okey);
        struct vkey *k = vlist_find(undefined, okey);
        if (k == NULL) {
            k = vlist_add(undefined, okey);
            if (k == NULL || (g != NULL && (k->value = kc_strdup(g)) == NULL)) {
                return KC_ENOMEM;
            }
        }
        if (g != NULL && strcmp(g, worker_group) == 0) {
            snprintf(msg, sizeof(msg), "Consumer group %s conflicts with Connect worker group %s", g,
                     worker_group);
            return vkey_add_error(k, msg);
        }
        return KC_OK;
    }
    struct vkey *kn = vlist_find(defined, "name");
    const char *name = kn != NULL && kn->value != NULL ? kn->value : "null";
    if (kn != NULL && strncmp(worker_group, "connect-", 8) == 0 &&
        strcmp(worker_group + 8, name) == 0) {
        snprintf(msg, sizeof(msg),
                 "Consumer group for sink connector named %s conflicts with Connect worker group %s",
                 name, worker_group);
        return vkey_add_error(kn, msg);
    }
    return KC_OK;
}

/* Keys with a null value: an error on the key's entry (a new undefined entry if needed). */
static int null_rule(struct vlist *defined, struct vlist *undefined, const struct kc_strmap *cfg)
{
    for (size_t i = 0; i < cfg->n; i++) {
        if (cfg->e[i].value != NULL) {
            continue;
        }
        struct vkey *k = vlist_find(defined, cfg->e[i].key);
        if (k == NULL) {
            k = vlist_find(undefined, cfg->e[i].key);
        }
        if (k == NULL && (k = vlist_add(undefined, cfg->e[i].key)) == NULL) {
            return KC_ENOMEM;
        }
        if (vkey_add_error(k, NULL_VALUE_MSG) != KC_OK) {
            return KC_ENOMEM;
        }
    }
    return KC_OK;
}

/* The sink's own keys and its validate() slot. */
static int sink_keys(struct vlist *defined, struct vlist *undefined, const struct kc_strmap *cfg,
                     const struct sink_connector_ops *ops)
{
    struct kc_error e;
    int rc = KC_OK;

    for (const struct conf_def *d = ops->config_def; d != NULL && d->name != NULL; d++) {
        if (vlist_find(defined, d->name) != NULL) {
            continue; /* a framework key the sink redeclares keeps its framework entry */
        }
        struct vkey *k = vlist_add(defined, d->name);
        if (k == NULL) {
            return KC_ENOMEM;
        }
        k->def = d;
        rc = vkey_validate(k, cfg);
        if (rc != KC_OK) {
            return rc;
        }
    }
    if (ops->validate == NULL) {
        return KC_OK; /* the default of the MAY slot: accept */
    }
    kc_error_clear(&e);
    rc = ops->validate(cfg, &e);
    if (rc == KC_ENOMEM) {
        return KC_ENOMEM;
    }
    if (rc == KC_OK) {
        return KC_OK;
    }
    /* contract: "<key>: <message>"; anything else lands on connector.class */
    const char *sep = strstr(e.msg, ": ");
    struct vkey *k = NULL;
    const char *msg = e.msg;
    if (sep != NULL) {
        char key[256];
        snprintf(key, sizeof(key), "%.*s", (int)(sep - e.msg), e.msg);
        k = vlist_find(defined, key);
        if (k == NULL && kc_strmap_has(cfg, key)) {
            k = vlist_find(undefined, key);
            if (k == NULL) {
                k = vlist_add(undefined, key);
                const char *v = kc_strmap_get(cfg, key);
                if (k == NULL || (v != NULL && (k->value = kc_strdup(v)) == NULL)) {
                    return KC_ENOMEM;
                }
            }
        }
        if (k != NULL) {
            msg = sep + 2;
        }
    }
    if (k == NULL) {
        k = vlist_find(defined, "connector.class");
    }
    return k != NULL ? vkey_add_error(k, msg) : KC_OK;
}

static int policy_allows(const char *policy, const char *key)
{
    if (policy == NULL || strcmp(policy, "All") == 0 || strstr(policy, "AllConnector") != NULL) {
        return 1;
    }
    if (strcmp(policy, "Principal") == 0 || strstr(policy, "PrincipalConnector") != NULL) {
        return strcmp(key, "sasl.jaas.config") == 0 || strcmp(key, "sasl.mechanism") == 0 ||
               strcmp(key, "security.protocol") == 0;
    }
    return 0;
}

static const char *policy_name(const char *policy)
{
    if (policy == NULL || strcmp(policy, "All") == 0 || strstr(policy, "AllConnector") != NULL) {
        return "All";
    }
    if (strcmp(policy, "Principal") == 0 || strstr(policy, "PrincipalConnector") != NULL) {
        return "Principal";
    }
    return "None";
}

/* One client-override part (AbstractHerder.validateClientOverrides + prefixedConfigInfos). */
static int override_part(struct conf_infos *ci, const struct kc_strmap *cfg, const char *prefix,
                         const struct conf_def *table, const char *policy)
{
    size_t plen = strlen(prefix);

    for (size_t i = 0; i < cfg->n; i++) {
        const char *key = cfg->e[i].key;
        const char *raw = cfg->e[i].value;
        char *value = NULL;
        char msg[KC_ERROR_MSG_MAX];
        struct kc_error e;
        int failed = 0;

        if (strncmp(key, prefix, plen) != 0 || key[plen] == '\0') {
            continue;
        }
        const char *name = key + plen;
        const struct conf_def *d = conf_def_find(table, name);
        if (d != NULL && raw != NULL) {
            struct conf_value v;
            int rc = conf_value_parse(d, raw, &v, &e);
            if (rc == KC_ENOMEM) {
                return KC_ENOMEM;
            }
            if (rc == KC_OK && !v.is_null && (value = conf_value_to_string(&v, 0)) == NULL) {
                conf_value_fini(&v);
                return KC_ENOMEM;
            }
            conf_value_fini(&v);
            failed = rc != KC_OK;
        } else if (raw != NULL && (value = kc_strdup(raw)) == NULL) {
            return KC_ENOMEM;
        }
        struct conf_info_value *iv = conf_infos_add(ci, d, key, value, 1);
        kc_free(value);
        if (iv == NULL) {
            return KC_ENOMEM;
        }
        if (d != NULL && (iv->name_override = kc_strdup(key)) == NULL) {
            return KC_ENOMEM;
        }
        if (failed && conf_info_value_add_error(iv, e.msg) != KC_OK) {
            return KC_ENOMEM;
        }
        if (!policy_allows(policy, name)) {
            snprintf(msg, sizeof(msg),
                     "The '%s' policy does not allow '%s' to be overridden in the connector "
                     "configuration.",
                     policy_name(policy), name);
            if (conf_info_value_add_error(iv, msg) != KC_OK) {
                return KC_ENOMEM;
            }
        }
        if (iv->n_errors > 0) {
            ci->error_count++;
        }
    }
    return KC_OK;
}

/* Move a vlist into ci (ownership of every string moves; the list is emptied). */
static int vlist_emit(struct conf_infos *ci, struct vlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        struct vkey *k = &l->k[i];
        struct conf_info_value *iv = conf_infos_add(ci, k->def, k->name, k->value, 1);
        if (iv == NULL) {
            return KC_ENOMEM;
        }
        iv->errors = k->errors;
        iv->n_errors = k->n_errors;
        iv->def_owned = k->def_owned;
        k->errors = NULL;
        k->n_errors = 0;
        k->def_owned = NULL;
        ci->error_count += (int)iv->n_errors;
        if (iv->def != NULL && iv->def->group != NULL &&
            conf_infos_add_group(ci, iv->def->group) != KC_OK) {
            return KC_ENOMEM;
        }
    }
    return KC_OK;
}

int connector_config_validate_ops(const struct kc_strmap *cfg, const struct sink_connector_ops *ops,
                                  const struct connector_worker_facts *wf, struct conf_infos **out,
                                  struct kc_error *err)
{
    struct kc_strmap resolved;
    struct vlist defined = {NULL, 0};
    struct vlist undefined = {NULL, 0};
    struct conf_infos *ci = NULL;
    const char *policy = wf != NULL ? wf->override_policy : NULL;
    int rc = KC_OK;

    *out = NULL;
    kc_strmap_init(&resolved);
    if (wf != NULL && conf_providers_count(wf->providers) > 0) {
        rc = conf_providers_transform(wf->providers, cfg, &resolved, err);
        if (rc != KC_OK) {
            goto out;
        }
        cfg = &resolved;
    }
    ci = kc_calloc(1, sizeof(*ci));
    if (ci == NULL) {
        rc = KC_ENOMEM;
        goto out;
    }
    ci->name = kc_strdup(kc_strmap_get(cfg, "connector.class") != NULL
                             ? kc_strmap_get(cfg, "connector.class")
                             : "");
    if (ci->name == NULL) {
        rc = KC_ENOMEM;
        goto out;
    }
    /* 1. framework keys, alias keys, sink keys */
    for (const struct conf_def *d = connector_sink_def; rc == KC_OK && d->name != NULL; d++) {
        struct vkey *k = vlist_add(&defined, d->name);
        if (k == NULL) {
            rc = KC_ENOMEM;
            break;
        }
        k->def = d;
        rc = vkey_validate(k, cfg);
    }
    rc = rc == KC_OK ? add_alias_keys(&defined, cfg, 1) : rc;
    rc = rc == KC_OK ? add_alias_keys(&defined, cfg, 0) : rc;
    rc = rc == KC_OK ? sink_rules(&defined, cfg) : rc;
    rc = rc == KC_OK ? group_id_rule(&defined, &undefined, cfg,
                                     wf != NULL ? wf->worker_group_id : NULL)
                     : rc;
    rc = rc == KC_OK ? null_rule(&defined, &undefined, cfg) : rc;
    rc = rc == KC_OK && ops != NULL ? sink_keys(&defined, &undefined, cfg, ops) : rc;
    rc = rc == KC_OK ? vlist_emit(ci, &undefined) : rc;
    rc = rc == KC_OK ? vlist_emit(ci, &defined) : rc;
    /* 2. client overrides: producer, consumer, admin (mergeConfigInfos order) */
    if (rc == KC_OK && !is_blank(kc_strmap_get(cfg, "errors.deadletterqueue.topic.name"))) {
        rc = override_part(ci, cfg, "producer.override.", connector_producer_def, policy);
    }
    rc = rc == KC_OK ? override_part(ci, cfg, "consumer.override.", connector_consumer_def, policy)
                     : rc;
    if (rc == KC_OK && !is_blank(kc_strmap_get(cfg, "errors.deadletterqueue.topic.name"))) {
        rc = override_part(ci, cfg, "admin.override.", connector_admin_def, policy);
    }
    if (rc != KC_OK) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory validating the connector config");
        goto out;
    }
    *out = ci;
    ci = NULL;
out:
    conf_infos_free(ci);
    vlist_fini(&defined);
    vlist_fini(&undefined);
    kc_strmap_fini(&resolved);
    return rc;
}

int connector_config_validate(const struct kc_strmap *cfg, const struct connector_worker_facts *wf,
                              struct conf_infos **out, struct kc_error *err)
{
    const char *cls = kc_strmap_get(cfg, "connector.class");
    const struct sink_connector_ops *ops;

    *out = NULL;
    if (cls == NULL) {
        char *shown = jmap_strmap_string(cfg);
        int rc = shown != NULL ? kc_error_set(err, KC_EINVAL,
                                              "Connector config %s contains no connector type", shown)
                               : kc_error_set(err, KC_ENOMEM, "out of memory");
        kc_free(shown);
        return rc;
    }
    ops = sink_registry_find(cls);
    if (ops == NULL) {
        struct kc_buf b;
        int rc;
        kc_buf_init(&b, KC_ERROR_MSG_MAX * 4);
        rc = kc_buf_printf(&b,
                           "Failed to find any class that implements Connector and which name "
                           "matches %s, available connectors are: ",
                           cls);
        for (size_t i = 0; rc == KC_OK && i < sink_registry_count(); i++) {
            const struct sink_connector_ops *o = sink_registry_get(i);
            const char *c = o->class_names != NULL && o->class_names[0] != NULL
                                ? o->class_names[0]
                                : o->name;
            const char *ver = o->plugin_version != NULL ? o->plugin_version : "undefined";
            rc = kc_buf_printf(&b,
                               "%sPluginDesc{klass=class %s, name='%s', version='%s', "
                               "encodedVersion=%s, type=sink, typeName='sink', "
                               "location='classpath'}",
                               i > 0 ? ", " : "", c, c, ver, ver);
        }
        rc = kc_error_set(err, KC_ENOENT, "%s", b.data != NULL ? b.data : "Failed to find any class that implements Connector");
        kc_buf_fini(&b);
        return rc;
    }
    return connector_config_validate_ops(cfg, ops, wf, out, err);
}

char *connector_config_error_text(const struct conf_infos *ci)
{
    struct kc_buf b;
    int rc;

    kc_buf_init(&b, 1 << 24);
    rc = kc_buf_printf(&b,
                       "Connector configuration is invalid and contains the following %d "
                       "error(s):",
                       ci->error_count);
    for (size_t i = 0; rc == KC_OK && i < ci->n_configs; i++) {
        for (size_t j = 0; rc == KC_OK && j < ci->configs[i].n_errors; j++) {
            rc = kc_buf_printf(&b, "\n%s", ci->configs[i].errors[j]);
        }
    }
    if (rc != KC_OK ||
        kc_buf_append_str(&b, "\nYou can also find the above list of errors at the endpoint "
                              "`/connector-plugins/{connectorType}/config/validate`") != KC_OK) {
        kc_buf_fini(&b);
        return NULL;
    }
    return kc_buf_take(&b, NULL);
}

int connector_config_error_message(const struct conf_infos *ci, struct kc_error *err)
{
    char *s;
    int rc;

    if (ci->error_count == 0) {
        return KC_OK;
    }
    s = connector_config_error_text(ci);
    rc = kc_error_set(err, KC_EINVAL, "%s",
                      s != NULL ? s
                                : "Connector configuration is invalid (out of memory while "
                                  "formatting the errors)");
    kc_free(s);
    return rc;
}

json_t *connector_plugin_config_json(const struct sink_connector_ops *ops)
{
    json_t *arr = json_array();

    if (arr == NULL) {
        return NULL;
    }
    for (const struct conf_def *d = ops->config_def; d != NULL && d->name != NULL; d++) {
        if (json_array_append_new(arr, conf_def_to_json(d, NULL, NULL, -1)) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    for (const struct conf_def *d = connector_sink_def; d->name != NULL; d++) {
        if (conf_def_find(ops->config_def, d->name) != NULL) {
            continue;
        }
        if (json_array_append_new(arr, conf_def_to_json(d, NULL, NULL, -1)) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

int connector_config_resolve(const struct kc_strmap *cfg, const struct worker_config *wc,
                             struct kc_strmap *out, struct kc_error *err)
{
    return conf_providers_transform(wc != NULL ? wc->providers : NULL, cfg, out, err);
}
