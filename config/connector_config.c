/*
 * config/connector_config.c: connector-config validation in the JVM's shape.
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
 *  3. converter entries: each converter the connector sets itself, validated against the
 *     converter's own definition when the worker's facts carry it.
 * error_count counts messages in part 1 and failing keys in part 2, as mergeConfigInfos does.
 * Transformation and predicate classes are checked for syntax only until SMTs exist in C.
 */
#include "connector_config.h"

#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf_regex.h"
#include "conf_values.h"
#include "conf_worker.h"
#include "kc_alloc.h"
#include "kc_buf.h"
#include "kc_jmap.h"

#define NULL_VALUE_MSG "Null value can not be supplied as the configuration value."

/* One key of the enriched definition and its result, before it becomes a conf_info_value. */
struct vkey {
    const struct conf_def *def;  /* borrowed, or def_owned */
    const struct conf_def *vdef; /* def whose validator runs (embedded plugin keys: the plugin's
                                  * own, unprefixed, as ConfigDef.embed does); NULL = def */
    struct conf_def *def_owned;  /* owned dynamic definition */
    int class_kind;              /* enum connector_plugin_kind the CLASS value names, or -1 */
    char *name;                  /* owned */
    char *value;                 /* owned string form (passwords hidden), NULL = null */
    char **errors;               /* owned */
    size_t n_errors;
    char **recommended;          /* owned */
    size_t n_recommended;
    int invisible;               /* ConfigValue.visible(false) */
};

struct vlist {
    struct vkey *k;
    size_t n;
};

static void free_strings(char **a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        kc_free(a[i]);
    }
    kc_free(a);
}

static void def_owned_free(struct conf_def *d)
{
    if (d != NULL) {
        kc_free((char *)d->name);
        kc_free((char *)d->doc);
        kc_free((char *)d->group);
        kc_free((char *)d->display_name);
        kc_free((char *)d->default_value);
        kc_free(d);
    }
}

static void vkey_fini(struct vkey *k)
{
    kc_free(k->name);
    kc_free(k->value);
    free_strings(k->errors, k->n_errors);
    free_strings(k->recommended, k->n_recommended);
    def_owned_free(k->def_owned);
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

/* Append a key; the returned pointer is valid until the next vlist_add. */
static struct vkey *vlist_add(struct vlist *l, const char *name)
{
    struct vkey *nk = kc_realloc(l->k, (l->n + 1) * sizeof(*nk));

    if (nk == NULL) {
        return NULL;
    }
    l->k = nk;
    memset(&nk[l->n], 0, sizeof(nk[0]));
    nk[l->n].class_kind = -1;
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
    return kc_strv_push(&k->errors, &k->n_errors, msg);
}

/* ---- plugins known to the worker ---- */

static const char *const kind_suffix[] = {"Transformation", "Predicate", "Converter",
                                          "HeaderConverter"};

int connector_config_class_matches(const char *class_name, const char *suffix, const char *name)
{
    const char *simple = strrchr(class_name, '.');
    size_t slen;
    size_t xlen = suffix != NULL ? strlen(suffix) : 0;

    if (name == NULL) {
        return 0;
    }
    simple = simple != NULL ? simple + 1 : class_name;
    slen = strlen(simple);
    return strcmp(class_name, name) == 0 || strcmp(simple, name) == 0 ||
           (xlen > 0 && slen > xlen && strcmp(simple + slen - xlen, suffix) == 0 &&
            strlen(name) == slen - xlen && strncmp(simple, name, slen - xlen) == 0);
}

/* The plugin of this kind named cls (full name, simple name, or simple name without the kind's
 * suffix, like the JVM's aliases); NULL if unknown or no list. */
static const struct connector_plugin_info *plugin_find(const struct connector_worker_facts *wf,
                                                       int kind, const char *cls)
{
    const struct connector_plugin_info *p;

    if (wf == NULL || kind < 0 || cls == NULL || (p = wf->plugins[kind]) == NULL) {
        return NULL;
    }
    for (; p->class_name != NULL; p++) {
        if (connector_config_class_matches(p->class_name, kind_suffix[kind], cls)) {
            return p;
        }
    }
    return NULL;
}

/* The sink that accepts cls (any of its class names, or their JVM aliases), or NULL. */
static const struct connector_sink_info *sink_find(const struct connector_worker_facts *wf,
                                                   const char *cls)
{
    for (size_t i = 0; wf != NULL && wf->sinks != NULL && i < wf->n_sinks; i++) {
        for (const char *const *c = wf->sinks[i].class_names; c != NULL && *c != NULL; c++) {
            if (connector_config_class_matches(*c, "Connector", cls)) {
                return &wf->sinks[i];
            }
        }
    }
    return NULL;
}

static int plugin_list_known(const struct connector_worker_facts *wf, int kind)
{
    return wf != NULL && kind >= 0 && wf->plugins[kind] != NULL;
}

static int recommend_plugins(struct vkey *k, const struct connector_worker_facts *wf, int kind)
{
    if (!plugin_list_known(wf, kind)) {
        return KC_OK;
    }
    for (const struct connector_plugin_info *p = wf->plugins[kind]; p->class_name != NULL; p++) {
        if (kc_strv_push(&k->recommended, &k->n_recommended, p->class_name) != KC_OK) {
            return KC_ENOMEM;
        }
    }
    return KC_OK;
}

/*
 * Parse and validate one defined key against cfg (ConfigDef.parseForValidate), filling
 * k->value and k->errors. A CLASS naming a plugin kind must be one the worker has, when the
 * worker said which it has; its value is then the full class name.
 */
static int vkey_validate(struct vkey *k, const struct kc_strmap *cfg,
                         const struct connector_worker_facts *wf)
{
    struct conf_def d = *k->def;
    const struct conf_def *vd = k->vdef != NULL ? k->vdef : k->def;
    struct conf_value v;
    struct kc_error e;
    char *str = NULL;
    int present = kc_strmap_has(cfg, k->name);
    const char *raw = kc_strmap_get(cfg, k->name);
    int rc;

    d.validator = NULL;
    rc = conf_def_validate_one(&d, present, raw, &v, &k->errors, &k->n_errors);
    if (rc == KC_OK && !v.is_null && k->class_kind >= 0 && plugin_list_known(wf, k->class_kind)) {
        const struct connector_plugin_info *p = plugin_find(wf, k->class_kind, v.u.s);
        char *canon = p != NULL ? kc_strdup(p->class_name) : NULL;
        if (p == NULL) {
            const char *shown = present && raw != NULL ? raw : v.u.s;
            conf_error_invalid(&e, k->name, shown, "Class %s could not be found.", shown);
            rc = vkey_add_error(k, e.msg);
            conf_value_fini(&v);
        } else if (canon == NULL) {
            rc = KC_ENOMEM;
        } else {
            kc_free(v.u.s);
            v.u.s = canon;
        }
    }
    if (rc == KC_OK && vd->validator != NULL) {
        if (!v.is_null && (str = conf_value_to_string(&v, 1)) == NULL) {
            rc = KC_ENOMEM;
        } else {
            kc_error_clear(&e);
            int vrc = conf_def_run_validator(k->def, vd, str, &e);
            if (vrc == KC_ENOMEM) {
                rc = KC_ENOMEM;
            } else if (vrc != KC_OK) {
                rc = vkey_add_error(k, e.msg);
            }
        }
    }
    if (rc == KC_OK && !v.is_null) {
        k->value = conf_value_to_string(&v, 0);
        if (k->value == NULL) {
            rc = KC_ENOMEM;
        }
    }
    kc_free(str);
    conf_value_fini(&v);
    return rc;
}

/* An owned copy of tmpl under another name (embedded and alias keys). Strings are copied. */
static struct conf_def *dyn_def(const struct conf_def *tmpl, const char *name, const char *doc,
                                const char *group, int order, const char *display,
                                const char *dflt, int dflt_null)
{
    struct conf_def *d = kc_calloc(1, sizeof(*d));

    if (d == NULL) {
        return NULL;
    }
    *d = *tmpl;
    d->name = kc_strdup(name);
    d->doc = doc != NULL ? kc_strdup(doc) : NULL;
    d->group = group != NULL ? kc_strdup(group) : NULL;
    d->display_name = display != NULL ? kc_strdup(display) : NULL;
    d->default_value = dflt != NULL ? kc_strdup(dflt) : NULL;
    d->default_is_null = dflt == NULL && dflt_null;
    d->order_in_group = order;
    if (d->name == NULL || (doc != NULL && d->doc == NULL) || (group != NULL && d->group == NULL) ||
        (display != NULL && d->display_name == NULL) || (dflt != NULL && d->default_value == NULL)) {
        def_owned_free(d);
        return NULL;
    }
    return d;
}

/* Add a key with an owned definition; the vkey pointer is returned through *out. */
static int add_dyn_key(struct vlist *l, const struct conf_def *tmpl, const char *name,
                       const char *doc, const char *group, int order, const char *display,
                       const char *dflt, int dflt_null, struct vkey **out)
{
    struct vkey *k = vlist_add(l, name);

    *out = NULL;
    if (k == NULL) {
        return KC_ENOMEM;
    }
    k->def_owned = dyn_def(tmpl, name, doc, group, order, display, dflt, dflt_null);
    if (k->def_owned == NULL) {
        return KC_ENOMEM;
    }
    k->def = k->def_owned;
    *out = k;
    return KC_OK;
}

static const struct conf_def alias_type_tmpl = {
    .name = "type", .type = CONF_CLASS, .default_value = CONF_NO_DEFAULT, .importance = CONF_HIGH,
    .width = CONF_WIDTH_LONG, .order_in_group = 0,
};
static const struct conf_def alias_version_tmpl = {
    .name = "plugin.version", .type = CONF_STRING, .importance = CONF_HIGH,
    .width = CONF_WIDTH_LONG, .order_in_group = 1,
};
/* TransformationStage's implicit keys, defined without group, order or display name */
static const struct conf_def implicit_keys[] = {
    {"predicate", CONF_STRING, NULL, 1, CONF_MEDIUM,
     "The alias of a predicate used to determine whether to apply this transformation.", NULL,
     -1, CONF_WIDTH_NONE, "predicate", NULL, 0, 0, NULL, NULL},
    {"negate", CONF_BOOLEAN, "false", 0, CONF_MEDIUM,
     "Whether the configured predicate should be negated.", NULL, -1, CONF_WIDTH_NONE, "negate",
     NULL, 0, 0, NULL, NULL},
    {NULL, CONF_STRING, NULL, 0, CONF_LOW, NULL, NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0, NULL,
     NULL},
};

/* ConfigDef.sortedConfigs: group (null first, then by first appearance), order in group, keys
 * without default first, importance, name. */
struct embed_key {
    const struct conf_def *d;
    int group_ord;
};

static int embed_cmp(const void *a, const void *b)
{
    const struct embed_key *x = a;
    const struct embed_key *y = b;
    int xr = conf_def_required(x->d);
    int yr = conf_def_required(y->d);

    if (x->group_ord != y->group_ord) {
        return x->group_ord < y->group_ord ? -1 : 1;
    }
    if (x->d->order_in_group != y->d->order_in_group) {
        return x->d->order_in_group < y->d->order_in_group ? -1 : 1;
    }
    if (xr != yr) {
        return xr ? -1 : 1;
    }
    if (x->d->importance != y->d->importance) {
        return x->d->importance < y->d->importance ? -1 : 1;
    }
    return strcmp(x->d->name, y->d->name);
}

/* Embed a plugin's keys (plus the implicit ones for transformations) after its type and
 * version keys, as ConfigDef.embed(prefix, group, 2, child) does. */
static int embed_plugin_keys(struct vlist *defined, const struct kc_strmap *cfg,
                             const struct connector_worker_facts *wf, const char *prefix,
                             const char *group, const struct conf_def *plugin_def, int transforms)
{
    struct embed_key *ek = NULL;
    const char **groups = NULL;
    size_t n = 0;
    size_t n_groups = 0;
    size_t cap = conf_def_count(plugin_def) + (transforms ? 2 : 0);
    int rc = KC_OK;

    if (cap == 0) {
        return KC_OK;
    }
    ek = kc_calloc(cap, sizeof(*ek));
    groups = kc_calloc(cap, sizeof(*groups));
    if (ek == NULL || groups == NULL) {
        rc = KC_ENOMEM;
        goto out;
    }
    for (const struct conf_def *d = plugin_def; d != NULL && d->name != NULL; d++) {
        /* the implicit keys mask a transformation's own keys of the same name */
        if (transforms && (strcmp(d->name, "predicate") == 0 || strcmp(d->name, "negate") == 0)) {
            continue;
        }
        ek[n].d = d;
        ek[n].group_ord = -1;
        if (d->group != NULL) {
            size_t g = 0;
            while (g < n_groups && strcmp(groups[g], d->group) != 0) {
                g++;
            }
            if (g == n_groups) {
                groups[n_groups++] = d->group;
            }
            ek[n].group_ord = (int)g;
        }
        n++;
    }
    for (size_t i = 0; transforms && i < 2; i++) {
        ek[n].d = &implicit_keys[i];
        ek[n].group_ord = -1;
        n++;
    }
    qsort(ek, n, sizeof(*ek), embed_cmp);
    for (size_t i = 0; rc == KC_OK && i < n; i++) {
        const struct conf_def *d = ek[i].d;
        char *name = kc_asprintf("%s%s", prefix, d->name);
        char *grp = d->group != NULL ? kc_asprintf("%s: %s", group, d->group) : kc_strdup(group);
        struct vkey *k = NULL;
        if (name == NULL || grp == NULL) {
            rc = KC_ENOMEM;
        } else {
            /* a key defined without display name shows its own (unprefixed) name */
            rc = add_dyn_key(defined, d, name, d->doc, grp, 2 + (int)i,
                             d->display_name != NULL ? d->display_name : d->name,
                             d->default_value, d->default_is_null, &k);
        }
        if (rc == KC_OK) {
            k->vdef = d;
            rc = vkey_validate(k, cfg, wf);
        }
        kc_free(name);
        kc_free(grp);
    }
out:
    kc_free(ek);
    kc_free(groups);
    return rc;
}

/* Unique aliases of a LIST key in first-seen order (LinkedHashSet). Owned strings. */
static int unique_aliases(const struct kc_strmap *cfg, const char *key, char ***out, size_t *n)
{
    struct conf_def d = {.name = key, .type = CONF_LIST};
    struct conf_value v;
    int rc = KC_OK;

    *out = NULL;
    *n = 0;
    if (conf_value_parse(&d, kc_strmap_get(cfg, key), &v, NULL) == KC_ENOMEM) {
        return KC_ENOMEM;
    }
    for (size_t i = 0; !v.is_null && rc == KC_OK && i < v.u.list.n; i++) {
        int seen = 0;
        for (size_t j = 0; j < *n; j++) {
            seen |= strcmp((*out)[j], v.u.list.items[i]) == 0;
        }
        if (!seen) {
            rc = kc_strv_push(out, n, v.u.list.items[i]);
        }
    }
    conf_value_fini(&v);
    return rc;
}

/* transforms.<a>.type, .plugin.version and embedded keys for every transformation alias (or
 * the same for predicates). */
static int add_alias_keys(struct vlist *defined, const struct kc_strmap *cfg,
                          const struct connector_worker_facts *wf, int transforms)
{
    const char *list_key = transforms ? "transforms" : "predicates";
    const char *kind_word = transforms ? "transformation" : "predicate";
    const char *kind_cap = transforms ? "Transformation" : "Predicate";
    int kind = transforms ? CONNECTOR_PLUGIN_TRANSFORMATION : CONNECTOR_PLUGIN_PREDICATE;
    char **aliases = NULL;
    size_t n = 0;
    int rc = unique_aliases(cfg, list_key, &aliases, &n);

    for (size_t i = 0; rc == KC_OK && i < n; i++) {
        const char *a = aliases[i];
        char *group = kc_asprintf("%s: %s", transforms ? "Transforms" : "Predicates", a);
        char *prefix = kc_asprintf("%s.%s.", list_key, a);
        char *name = kc_asprintf("%s.%s.type", list_key, a);
        char *doc = kc_asprintf("Class for the '%s' %s.", a, kind_word);
        char *disp = kc_asprintf("%s type for %s", kind_cap, a);
        char *vname = kc_asprintf("%s.%s.plugin.version", list_key, a);
        char *vdoc = kc_asprintf("Version of the '%s' %s.", a, kind_word);
        char *vdisp = kc_asprintf("%s version for %s", kind_cap, a);
        struct vkey *k = NULL;
        const struct connector_plugin_info *plugin = NULL;
        int type_ok = 0;

        rc = KC_ENOMEM;
        if (group != NULL && prefix != NULL && name != NULL && doc != NULL && disp != NULL &&
            vname != NULL && vdoc != NULL && vdisp != NULL) {
            rc = add_dyn_key(defined, &alias_type_tmpl, name, doc, group, 0, disp, NULL, 0, &k);
        }
        if (rc == KC_OK) {
            k->class_kind = kind;
            rc = vkey_validate(k, cfg, wf);
            rc = rc == KC_OK ? recommend_plugins(k, wf, kind) : rc;
            type_ok = k->value != NULL;
            plugin = type_ok ? plugin_find(wf, kind, k->value) : NULL;
        }
        if (rc == KC_OK && transforms) {
            /* TransformationStage validateProps, run by the type key's validator */
            char neg[512], pred[512];
            snprintf(neg, sizeof(neg), "%snegate", prefix);
            snprintf(pred, sizeof(pred), "%spredicate", prefix);
            if (kc_strmap_has(cfg, neg) && !kc_strmap_has(cfg, pred)) {
                char *msg = kc_asprintf("Config '%s' was provided but there is no config '%s' "
                                        "defining a predicate to be negated.",
                                        neg, pred);
                rc = msg != NULL ? vkey_add_error(k, msg) : KC_ENOMEM;
                kc_free(msg);
            }
        }
        if (rc == KC_OK) {
            const char *ver = plugin != NULL ? plugin->version : NULL;
            rc = add_dyn_key(defined, &alias_version_tmpl, vname, vdoc, group, 1, vdisp, ver, 1,
                             &k);
            rc = rc == KC_OK ? vkey_validate(k, cfg, wf) : rc;
            if (rc == KC_OK && ver != NULL) {
                rc = kc_strv_push(&k->recommended, &k->n_recommended, ver);
            }
        }
        /* the plugin's keys are embedded only when the type names a loadable class */
        if (rc == KC_OK && type_ok) {
            rc = embed_plugin_keys(defined, cfg, wf, prefix, group,
                                   plugin != NULL ? plugin->config_def : NULL, transforms);
        }
        kc_free(group);
        kc_free(prefix);
        kc_free(name);
        kc_free(doc);
        kc_free(disp);
        kc_free(vname);
        kc_free(vdoc);
        kc_free(vdisp);
    }
    free_strings(aliases, n);
    return rc;
}

/* The framework keys, with the 4.1 dynamic defaults (worker converters, plugin versions). */
static int add_framework_keys(struct vlist *defined, const struct kc_strmap *cfg,
                              const struct connector_sink_info *sink,
                              const struct connector_worker_facts *wf)
{
    static const struct {
        const char *key;
        int kind;
    } conv[] = {{"key.converter", CONNECTOR_PLUGIN_CONVERTER},
                {"value.converter", CONNECTOR_PLUGIN_CONVERTER},
                {"header.converter", CONNECTOR_PLUGIN_HEADER_CONVERTER}};
    int rc = KC_OK;

    for (const struct conf_def *d = connector_sink_def; rc == KC_OK && d->name != NULL; d++) {
        const char *dflt = NULL;
        const char *version = NULL;
        int kind = -1;
        int is_version = 0;
        struct vkey *k = NULL;

        if (strcmp(d->name, "connector.plugin.version") == 0) {
            version = sink != NULL ? sink->version : NULL;
            is_version = 1;
        }
        for (size_t i = 0; i < 3; i++) {
            size_t kl = strlen(conv[i].key);
            if (strcmp(d->name, conv[i].key) == 0) {
                kind = conv[i].kind;
                dflt = wf == NULL ? NULL
                       : i == 0   ? wf->key_converter
                       : i == 1   ? wf->value_converter
                                  : wf->header_converter;
            } else if (strncmp(d->name, conv[i].key, kl) == 0 &&
                       strcmp(d->name + kl, ".plugin.version") == 0) {
                /* the version of the converter in effect: the connector's, else the worker's */
                const char *cls = kc_strmap_get(cfg, conv[i].key);
                if (cls == NULL && wf != NULL) {
                    cls = i == 0 ? wf->key_converter : i == 1 ? wf->value_converter
                                                              : wf->header_converter;
                }
                const struct connector_plugin_info *p = plugin_find(wf, conv[i].kind, cls);
                version = p != NULL ? p->version : NULL;
                is_version = 1;
            }
        }
        if (dflt != NULL || version != NULL) {
            rc = add_dyn_key(defined, d, d->name, d->doc, d->group, d->order_in_group,
                             d->display_name, dflt != NULL ? dflt : version, 1, &k);
        } else {
            k = vlist_add(defined, d->name);
            rc = k != NULL ? KC_OK : KC_ENOMEM;
            if (k != NULL) {
                k->def = d;
            }
        }
        if (rc != KC_OK) {
            break;
        }
        k->class_kind = kind;
        rc = vkey_validate(k, cfg, wf);
        if (rc == KC_OK && kind >= 0) {
            rc = recommend_plugins(k, wf, kind);
        }
        if (rc == KC_OK && is_version && version != NULL) {
            rc = kc_strv_push(&k->recommended, &k->n_recommended, version);
        }
    }
    /* a converter's version key is visible only while the converter class resolves (the JVM's
     * version recommender looks at the parsed class) */
    for (size_t i = 0; rc == KC_OK && i < 3; i++) {
        struct vkey *kc = vlist_find(defined, conv[i].key);
        char vname[64];
        snprintf(vname, sizeof(vname), "%s.plugin.version", conv[i].key);
        struct vkey *kv = vlist_find(defined, vname);
        if (kc != NULL && kv != NULL && kc->value == NULL && kc_strmap_has(cfg, conv[i].key)) {
            kv->invisible = 1;
        }
    }
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
        char *anchored = NULL;
        /* Matcher.matches() semantics through POSIX; patterns POSIX cannot express (or that
         * would be costly to compile) skip this check rather than guess */
        int trc = conf_regex_to_posix(regex, 1, &anchored);
        if (trc == KC_ENOMEM) {
            rc = KC_ENOMEM;
        } else if (trc == KC_OK && regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB) == 0) {
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
                     const struct connector_sink_info *sink,
                     const struct connector_worker_facts *wf)
{
    struct kc_error e;
    int rc = KC_OK;

    for (const struct conf_def *d = sink->config_def; d != NULL && d->name != NULL; d++) {
        if (vlist_find(defined, d->name) != NULL) {
            continue; /* a framework key the sink redeclares keeps its framework entry */
        }
        struct vkey *k = vlist_add(defined, d->name);
        if (k == NULL) {
            return KC_ENOMEM;
        }
        k->def = d;
        rc = vkey_validate(k, cfg, wf);
        if (rc != KC_OK) {
            return rc;
        }
    }
    if (sink->validate == NULL) {
        return KC_OK; /* the default of the MAY slot: accept */
    }
    /* Cross-key checks run on the typed values, as Connector.validate runs after ConfigDef's
     * per-key pass: a key that failed that pass (its error is listed already) reads as its
     * default here. */
    const struct conf_def *const tables[] = {sink->config_def};
    struct conf_values *cv = NULL;
    struct kc_strmap *good = kc_strmap_dup(cfg);
    if (good == NULL) {
        return KC_ENOMEM;
    }
    for (const struct conf_def *d = sink->config_def; d != NULL && d->name != NULL; d++) {
        const struct vkey *k = vlist_find(defined, d->name);
        if (k != NULL && k->n_errors > 0) {
            kc_strmap_del(good, d->name);
        }
    }
    kc_error_clear(&e);
    rc = conf_values_parse(tables, 1, good, &cv, NULL, &e);
    kc_strmap_free(good);
    if (rc == KC_ENOMEM) {
        return KC_ENOMEM;
    }
    if (rc != KC_OK) {
        return KC_OK; /* a required key is missing: listed already */
    }
    struct conf_infos *errs = kc_calloc(1, sizeof(*errs));
    if (errs == NULL) {
        conf_values_free(cv);
        return KC_ENOMEM;
    }
    rc = sink->validate(cv, errs, &e);
    for (size_t i = 0; rc == KC_OK && i < errs->n_configs; i++) {
        const struct conf_info_value *iv = &errs->configs[i];
        struct vkey *k = vlist_find(defined, iv->name);
        if (k == NULL && kc_strmap_has(cfg, iv->name)) {
            k = vlist_find(undefined, iv->name);
            if (k == NULL) {
                k = vlist_add(undefined, iv->name);
                const char *v = kc_strmap_get(cfg, iv->name);
                if (k == NULL || (v != NULL && (k->value = kc_strdup(v)) == NULL)) {
                    rc = KC_ENOMEM;
                    break;
                }
            }
        }
        if (k == NULL) {
            k = vlist_find(defined, "connector.class"); /* a key nobody set: name the sink */
        }
        for (size_t j = 0; rc == KC_OK && k != NULL && j < iv->n_errors; j++) {
            rc = vkey_add_error(k, iv->errors[j]);
        }
    }
    conf_infos_free(errs);
    conf_values_free(cv);
    return rc == KC_ENOMEM ? KC_ENOMEM : KC_OK;
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

/* ---- java.util.HashMap iteration order ----
 * Several parts of the JVM's answer are listed in HashMap order (validateAll's result map,
 * originalsWithPrefix, ConfigDef.validate): buckets by the spread String.hashCode at the
 * map's final capacity, insertion order inside a bucket. Clients compare these lists, so we
 * reproduce the order rather than sort. */

/* Reorder l->k in the iteration order of a HashMap of map_size entries containing them. */
static int vlist_hash_order(struct vlist *l, size_t map_size)
{
    const char **keys;
    size_t *order;
    struct vkey *sorted;

    if (l->n < 2) {
        return KC_OK;
    }
    keys = kc_malloc(l->n * sizeof(*keys));
    order = kc_malloc(l->n * sizeof(*order));
    sorted = kc_malloc(l->n * sizeof(*sorted));
    if (keys == NULL || order == NULL || sorted == NULL) {
        kc_free(keys);
        kc_free(order);
        kc_free(sorted);
        return KC_ENOMEM;
    }
    for (size_t i = 0; i < l->n; i++) {
        keys[i] = l->k[i].name;
    }
    kc_jmap_order(keys, l->n, kc_jmap_table_size(map_size, 0), order);
    for (size_t i = 0; i < l->n; i++) {
        sorted[i] = l->k[order[i]];
    }
    memcpy(l->k, sorted, l->n * sizeof(*sorted));
    kc_free(sorted);
    kc_free(order);
    kc_free(keys);
    return KC_OK;
}

/* Move a vlist into ci (ownership of every string moves; the list is emptied).
 * count_keys: error_count grows by failing keys (prefixed parts) instead of by messages. */
static int vlist_emit(struct conf_infos *ci, struct vlist *l, const char *name_prefix,
                      int count_keys)
{
    for (size_t i = 0; i < l->n; i++) {
        struct vkey *k = &l->k[i];
        struct conf_info_value *iv = conf_infos_add(ci, k->def, k->name, k->value, 1);
        if (iv == NULL) {
            return KC_ENOMEM;
        }
        iv->errors = k->errors;
        iv->n_errors = k->n_errors;
        iv->recommended = k->recommended;
        iv->n_recommended = k->n_recommended;
        iv->def_owned = k->def_owned;
        iv->visible = !k->invisible;
        k->errors = NULL;
        k->n_errors = 0;
        k->recommended = NULL;
        k->n_recommended = 0;
        k->def_owned = NULL;
        if (name_prefix != NULL && iv->def != NULL) {
            iv->name_override = kc_strdup(k->name);
            if (iv->name_override == NULL) {
                return KC_ENOMEM;
            }
        }
        ci->error_count += count_keys ? iv->n_errors > 0 : (int)iv->n_errors;
        if (iv->def != NULL && iv->def->group != NULL &&
            conf_infos_add_group(ci, iv->def->group) != KC_OK) {
            return KC_ENOMEM;
        }
    }
    return KC_OK;
}

/*
 * One client-override part (AbstractHerder.validateClientOverrides + prefixedConfigInfos):
 * every <prefix><k> key, typed by the client's definition, checked against the policy, in
 * HashMap order. A value that does not parse as its type is the JVM's uncaught 500.
 */
static int override_part(struct conf_infos *ci, const struct kc_strmap *cfg, const char *prefix,
                         const struct conf_def *table, const char *policy, struct kc_error *err)
{
    struct vlist part = {NULL, 0};
    size_t plen = strlen(prefix);
    int rc = KC_OK;

    for (size_t i = 0; rc == KC_OK && i < cfg->n; i++) {
        const char *key = cfg->e[i].key;
        const char *raw = cfg->e[i].value;
        char msg[KC_ERROR_MSG_MAX];
        struct kc_error e;

        if (strncmp(key, prefix, plen) != 0 || key[plen] == '\0') {
            continue;
        }
        const char *name = key + plen;
        const struct conf_def *d = conf_def_find(table, name);
        if (d == NULL) {
            d = conf_def_find(connector_client_common_def, name);
        }
        struct vkey *k = vlist_add(&part, key);
        if (k == NULL) {
            rc = KC_ENOMEM;
            break;
        }
        k->def = d;
        if (d != NULL && raw != NULL) {
            struct conf_value v;
            int prc = conf_value_parse(d, raw, &v, &e);
            if (prc == KC_OK && !v.is_null && (k->value = conf_value_to_string(&v, 0)) == NULL) {
                prc = KC_ENOMEM;
            }
            conf_value_fini(&v);
            if (prc == KC_EINVAL) {
                rc = kc_error_set(err, KC_EIO, "org.apache.kafka.common.config.ConfigException: %s",
                                  e.msg);
                goto out;
            }
            rc = prc;
        } else if (raw != NULL && (k->value = kc_strdup(raw)) == NULL) {
            rc = KC_ENOMEM;
        }
        if (rc == KC_OK && !policy_allows(policy, name)) {
            snprintf(msg, sizeof(msg),
                     "The '%s' policy does not allow '%s' to be overridden in the connector "
                     "configuration.",
                     policy_name(policy), name);
            rc = vkey_add_error(k, msg);
        }
    }
    if (rc == KC_OK) {
        /* HashMap order of the stripped names */
        for (size_t i = 0; i < part.n; i++) {
            memmove(part.k[i].name, part.k[i].name + plen, strlen(part.k[i].name + plen) + 1);
        }
        rc = vlist_hash_order(&part, part.n);
        for (size_t i = 0; rc == KC_OK && i < part.n; i++) {
            char *full = kc_asprintf("%s%s", prefix, part.k[i].name);
            if (full == NULL) {
                rc = KC_ENOMEM;
                break;
            }
            kc_free(part.k[i].name);
            part.k[i].name = full;
        }
    }
    if (rc == KC_OK) {
        rc = vlist_emit(ci, &part, prefix, 1);
    }
    if (rc == KC_ENOMEM) {
        kc_error_set(err, KC_ENOMEM, "out of memory validating the connector config");
    }
out:
    vlist_fini(&part);
    return rc;
}

/*
 * A converter the connector configures itself (AbstractHerder.validateConverterConfig): its
 * keys, read from <prop>.* plus converter.type=key|value|header, validated against the
 * converter's own definition and listed as <prop>.<k> in HashMap order.
 */
static int converter_part(struct conf_infos *ci, const struct kc_strmap *cfg,
                          const struct conf_infos *main_part, const char *prop,
                          const char *type_value, int kind,
                          const struct connector_worker_facts *wf)
{
    const struct connector_plugin_info *p;
    const struct conf_info_value *mv = NULL;
    struct kc_strmap sub;
    struct vlist part = {NULL, 0};
    size_t plen = strlen(prop);
    int rc = KC_OK;

    if (kc_strmap_get(cfg, prop) == NULL) {
        return KC_OK;
    }
    for (size_t i = 0; i < main_part->n_configs; i++) {
        if (strcmp(main_part->configs[i].name, prop) == 0) {
            mv = &main_part->configs[i];
        }
    }
    if (mv == NULL || mv->n_errors > 0 || mv->value == NULL) {
        return KC_OK;
    }
    p = plugin_find(wf, kind, mv->value);
    if (p == NULL || p->config_def == NULL) {
        return KC_OK;
    }
    kc_strmap_init(&sub);
    for (size_t i = 0; rc == KC_OK && i < cfg->n; i++) {
        const char *k = cfg->e[i].key;
        if (strncmp(k, prop, plen) == 0 && k[plen] == '.' && k[plen + 1] != '\0') {
            rc = kc_strmap_set(&sub, k + plen + 1, cfg->e[i].value);
        }
    }
    if (rc == KC_OK && !kc_strmap_has(&sub, "converter.type")) {
        rc = kc_strmap_set(&sub, "converter.type", type_value);
    }
    for (const struct conf_def *d = p->config_def; rc == KC_OK && d->name != NULL; d++) {
        struct vkey *k = vlist_add(&part, d->name);
        if (k == NULL) {
            rc = KC_ENOMEM;
            break;
        }
        k->def = d;
        rc = vkey_validate(k, &sub, wf);
    }
    rc = rc == KC_OK ? vlist_hash_order(&part, part.n) : rc;
    for (size_t i = 0; rc == KC_OK && i < part.n; i++) {
        char *full = kc_asprintf("%s.%s", prop, part.k[i].name);
        if (full == NULL) {
            rc = KC_ENOMEM;
            break;
        }
        kc_free(part.k[i].name);
        part.k[i].name = full;
    }
    rc = rc == KC_OK ? vlist_emit(ci, &part, prop, 1) : rc;
    vlist_fini(&part);
    kc_strmap_fini(&sub);
    return rc;
}


/* Replace every occurrence of secret in *s with shown; KC_OK or KC_ENOMEM (then *s is kept). */
static int replace_all(char **s, const char *secret, const char *shown)
{
    size_t sl = strlen(secret);
    if (*s == NULL || sl == 0 || strstr(*s, secret) == NULL) {
        return KC_OK;
    }
    struct kc_buf b;
    kc_buf_init(&b, (size_t)1 << 24);
    const char *p = *s, *hit;
    int rc = KC_OK;
    while (rc == KC_OK && (hit = strstr(p, secret)) != NULL) {
        rc = kc_buf_append(&b, p, (size_t)(hit - p));
        rc = rc == KC_OK ? kc_buf_append_str(&b, shown) : rc;
        p = hit + sl;
    }
    rc = rc == KC_OK ? kc_buf_append_str(&b, p) : rc;
    rc = rc == KC_OK ? kc_buf_append(&b, "", 0) : rc;
    if (rc != KC_OK) {
        kc_buf_fini(&b);
        return rc;
    }
    kc_free(*s);
    *s = kc_buf_take(&b, NULL);
    return KC_OK;
}

/*
 * A value a config provider resolved (${file:...}, ${env:...}) may be a secret: the validate
 * endpoint and the 400 of a failed create would echo it, in the entry's value and in messages
 * such as "Invalid value <secret> for configuration ...". Show the reference instead. The JVM
 * echoes the resolved value; connect-c does not. Short values (under 6 bytes) are replaced only
 * in their own key's entry, where they cannot be mistaken for other text.
 */
static int mask_resolved(struct conf_infos *ci, const struct kc_strmap *raw,
                         const struct kc_strmap *resolved)
{
    int rc = KC_OK;
    for (size_t k = 0; rc == KC_OK && k < raw->n; k++) {
        const char *ref = raw->e[k].value;
        const char *val = kc_strmap_get(resolved, raw->e[k].key);
        if (ref == NULL || val == NULL || strcmp(ref, val) == 0 || val[0] == '\0') {
            continue;
        }
        for (size_t i = 0; rc == KC_OK && i < ci->n_configs; i++) {
            struct conf_info_value *iv = &ci->configs[i];
            int own = iv->name != NULL && strcmp(iv->name, raw->e[k].key) == 0;
            if (!own && strlen(val) < 6) {
                continue;
            }
            if (own && iv->value != NULL && strcmp(iv->value, val) == 0) {
                char *r = kc_strdup(ref);
                if (r == NULL) {
                    return KC_ENOMEM;
                }
                kc_free(iv->value);
                iv->value = r;
            }
            for (size_t j = 0; rc == KC_OK && j < iv->n_errors; j++) {
                rc = replace_all(&iv->errors[j], val, ref);
            }
        }
    }
    return rc;
}

int connector_config_validate_sink(const struct kc_strmap *cfg,
                                   const struct connector_sink_info *sink,
                                   const struct connector_worker_facts *wf, struct conf_infos **out,
                                   struct kc_error *err)
{
    struct kc_strmap resolved;
    struct vlist defined = {NULL, 0};
    struct vlist undefined = {NULL, 0};
    struct vlist sink_undefined = {NULL, 0};
    struct conf_infos *ci = NULL;
    const char *policy = wf != NULL ? wf->override_policy : NULL;
    const char *dlq;
    const struct kc_strmap *raw = cfg;
    size_t n_enriched;
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
    /* 1. the enriched definition: framework keys, then transformation and predicate aliases */
    rc = add_framework_keys(&defined, cfg, sink, wf);
    rc = rc == KC_OK ? add_alias_keys(&defined, cfg, wf, 1) : rc;
    rc = rc == KC_OK ? add_alias_keys(&defined, cfg, wf, 0) : rc;
    n_enriched = defined.n;
    rc = rc == KC_OK ? sink_rules(&defined, cfg) : rc;
    rc = rc == KC_OK ? group_id_rule(&defined, &undefined, cfg,
                                     wf != NULL ? wf->worker_group_id : NULL)
                     : rc;
    rc = rc == KC_OK ? null_rule(&defined, &undefined, cfg) : rc;
    /* undefined entries come out of validateAll's HashMap, which also holds every enriched key */
    rc = rc == KC_OK ? vlist_hash_order(&undefined, n_enriched + undefined.n) : rc;
    rc = rc == KC_OK && sink != NULL ? sink_keys(&defined, &sink_undefined, cfg, sink, wf) : rc;
    rc = rc == KC_OK ? vlist_emit(ci, &undefined, NULL, 0) : rc;
    rc = rc == KC_OK ? vlist_emit(ci, &sink_undefined, NULL, 0) : rc;
    rc = rc == KC_OK ? vlist_emit(ci, &defined, NULL, 0) : rc;
    if (rc != KC_OK) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory validating the connector config");
        goto out;
    }
    /* 2. client overrides: producer, consumer, admin (mergeConfigInfos order); the producer
     * and admin client exist for a sink only when it has a DLQ topic */
    dlq = kc_strmap_get(cfg, "errors.deadletterqueue.topic.name");
    if (!is_blank(dlq)) {
        rc = override_part(ci, cfg, "producer.override.", connector_producer_def, policy, err);
    }
    rc = rc == KC_OK ? override_part(ci, cfg, "consumer.override.", connector_consumer_def, policy,
                                     err)
                     : rc;
    if (rc == KC_OK && !is_blank(dlq)) {
        rc = override_part(ci, cfg, "admin.override.", connector_admin_def, policy, err);
    }
    if (rc != KC_OK) {
        goto out;
    }
    /* 3. converters the connector sets itself: header, key, value */
    rc = converter_part(ci, cfg, ci, "header.converter", "header",
                        CONNECTOR_PLUGIN_HEADER_CONVERTER, wf);
    rc = rc == KC_OK ? converter_part(ci, cfg, ci, "key.converter", "key",
                                      CONNECTOR_PLUGIN_CONVERTER, wf)
                     : rc;
    rc = rc == KC_OK ? converter_part(ci, cfg, ci, "value.converter", "value",
                                      CONNECTOR_PLUGIN_CONVERTER, wf)
                     : rc;
    rc = rc == KC_OK && cfg != raw ? mask_resolved(ci, raw, cfg) : rc;
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
    vlist_fini(&sink_undefined);
    kc_strmap_fini(&resolved);
    return rc;
}

int connector_config_validate(const struct kc_strmap *cfg, const struct connector_worker_facts *wf,
                              struct conf_infos **out, struct kc_error *err)
{
    const char *cls = kc_strmap_get(cfg, "connector.class");
    const struct connector_sink_info *sink;

    *out = NULL;
    if (cls == NULL) {
        char *shown = kc_jmap_strmap_string(cfg);
        int rc = shown != NULL ? kc_error_set(err, KC_EINVAL,
                                              "Connector config %s contains no connector type", shown)
                               : kc_error_set(err, KC_ENOMEM, "out of memory");
        kc_free(shown);
        return rc;
    }
    sink = sink_find(wf, cls);
    if (sink == NULL) {
        struct kc_buf b;
        int rc;
        kc_buf_init(&b, KC_ERROR_MSG_MAX * 4);
        rc = kc_buf_printf(&b,
                           "Failed to find any class that implements Connector and which name "
                           "matches %s, available connectors are: ",
                           cls);
        for (size_t i = 0; rc == KC_OK && wf != NULL && wf->sinks != NULL && i < wf->n_sinks; i++) {
            const struct connector_sink_info *o = &wf->sinks[i];
            if (o->class_names == NULL || o->class_names[0] == NULL) {
                continue;
            }
            const char *c = o->class_names[0];
            const char *ver = o->version != NULL ? o->version : "undefined";
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
    return connector_config_validate_sink(cfg, sink, wf, out, err);
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

json_t *connector_config_plugin_json(const struct connector_sink_info *sink)
{
    json_t *arr = json_array();

    if (arr == NULL) {
        return NULL;
    }
    for (const struct conf_def *d = sink->config_def; d != NULL && d->name != NULL; d++) {
        if (json_array_append_new(arr, conf_def_to_json(d, NULL, NULL, -1)) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    for (const struct conf_def *d = connector_sink_def; d->name != NULL; d++) {
        struct conf_def dv = *d;
        if (conf_def_find(sink->config_def, d->name) != NULL) {
            continue;
        }
        if (strcmp(d->name, "connector.plugin.version") == 0 && sink->version != NULL) {
            /* 4.1 reports the plugin's own version as this key's default */
            dv.default_value = sink->version;
            dv.default_is_null = 0;
        }
        if (json_array_append_new(arr, conf_def_to_json(&dv, NULL, NULL, -1)) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

int connector_config_value(const struct kc_strmap *cfg, const char *key, struct conf_value *out,
                           struct kc_error *err)
{
    const struct conf_def *d = conf_def_find(connector_sink_def, key);
    if (d == NULL) {
        memset(out, 0, sizeof(*out));
        out->is_null = 1;
        return kc_error_set(err, KC_EINVAL, "Unknown configuration '%s'", key);
    }
    const char *raw = kc_strmap_get(cfg, key);
    return conf_value_parse(d, raw != NULL ? raw : d->default_value, out, err);
}

int connector_config_resolve(const struct kc_strmap *cfg, const struct worker_config *wc,
                             struct kc_strmap *out, struct kc_error *err)
{
    return conf_providers_transform(wc != NULL ? wc->providers : NULL, cfg, out, err);
}

void connector_config_facts_init(struct connector_worker_facts *wf, const struct worker_config *wc)
{
    memset(wf, 0, sizeof(*wf));
    wf->worker_group_id = wc->group_id;
    wf->override_policy = wc->override_policy_name;
    wf->providers = wc->providers;
    wf->key_converter = wc->key_converter;
    wf->value_converter = wc->value_converter;
    wf->header_converter = wc->header_converter;
}
