/*
 * config/conf_provider.c: the three built-in Kafka config providers and ConfigTransformer's
 * reference syntax.
 *
 * The reference pattern is Kafka's \$\{([^}]*?):(([^}]*?):)?([^}]*?)\} matched left to right
 * without overlap. Because every group excludes '}', a match starting at "${" ends at the first
 * '}' after it; the lazy provider group ends at the first ':' and the optional lazy path group
 * at the next ':' (so the key may itself contain ':'). No ':' before the '}' means no match at
 * that "${", and scanning goes on one char later -- exactly what Matcher.find() does.
 */
#include "conf_provider.h"

#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "conf_props.h"
#include "conf_regex.h"
#include "kc_alloc.h"
#include "kc_buf.h"
#include "kc_log.h"

extern char **environ;

enum provider_kind { PROVIDER_FILE, PROVIDER_DIR, PROVIDER_ENV };

struct provider {
    char *name;            /* owned */
    enum provider_kind kind;
    char **allowed;        /* owned normalised allowed.paths, NULL = all paths */
    size_t n_allowed;
    regex_t allow_re;      /* env: allowlist.pattern, anchored */
    int has_re;
};

struct conf_providers {
    struct provider *p; /* owned array */
    size_t n;
    char *const *envp;  /* borrowed */
};

static void provider_fini(struct provider *pv)
{
    kc_free(pv->name);
    for (size_t i = 0; i < pv->n_allowed; i++) {
        kc_free(pv->allowed[i]);
    }
    kc_free(pv->allowed);
    if (pv->has_re) {
        regfree(&pv->allow_re);
    }
}

void conf_providers_free(struct conf_providers *cp)
{
    if (cp == NULL) {
        return;
    }
    for (size_t i = 0; i < cp->n; i++) {
        provider_fini(&cp->p[i]);
    }
    kc_free(cp->p);
    kc_free(cp);
}

size_t conf_providers_count(const struct conf_providers *cp)
{
    return cp != NULL ? cp->n : 0;
}

/* Lexical normalisation as java.nio Path.normalize(): drop "." and empty components, fold
 * "x/.." pairs. Owned. */
static char *normalize_path(const char *path)
{
    size_t n = strlen(path);
    char *out = kc_malloc(n + 2);
    size_t o = 0;
    int abs = path[0] == '/';
    const char *p = path;

    if (out == NULL) {
        return NULL;
    }
    if (abs) {
        out[o++] = '/';
    }
    while (*p != '\0') {
        while (*p == '/') {
            p++;
        }
        const char *e = p;
        while (*e != '\0' && *e != '/') {
            e++;
        }
        size_t len = (size_t)(e - p);
        if (len == 0 || (len == 1 && p[0] == '.')) {
            p = e;
            continue;
        }
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            /* fold with the previous real component, if any */
            size_t start = o;
            while (start > (size_t)abs && out[start - 1] != '/') {
                start--;
            }
            int prev_is_dotdot = o - start == 2 && out[start] == '.' && out[start + 1] == '.';
            if (o > (size_t)abs && !prev_is_dotdot) {
                o = start > (size_t)abs ? start - 1 : (size_t)abs;
                p = e;
                continue;
            }
            if (abs) {
                p = e; /* "/.." is "/" */
                continue;
            }
        }
        if (o > (size_t)abs) {
            out[o++] = '/';
        }
        memcpy(out + o, p, len);
        o += len;
        p = e;
    }
    out[o] = '\0';
    return out;
}

/* Path.startsWith: component-wise prefix. */
static int path_starts_with(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);

    if (strncmp(path, prefix, n) != 0) {
        return 0;
    }
    return path[n] == '\0' || path[n] == '/' || (n > 0 && prefix[n - 1] == '/');
}

/* AllowedPaths.parseUntrustedPath: owned path to use, or NULL with *denied set. */
static char *untrusted_path(const struct provider *pv, const char *path, int *denied)
{
    *denied = 0;
    if (pv->allowed == NULL) {
        return kc_strdup(path);
    }
    char *norm = normalize_path(path);
    if (norm == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < pv->n_allowed; i++) {
        if (path_starts_with(norm, pv->allowed[i])) {
            return norm;
        }
    }
    kc_free(norm);
    *denied = 1;
    return NULL;
}

static int parse_allowed_paths(struct provider *pv, const char *value, struct kc_error *err)
{
    const char *p = value;

    if (value == NULL || value[0] == '\0') {
        return KC_OK;
    }
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        char *raw = kc_strndup(p, len);
        char *norm = raw != NULL ? normalize_path(raw) : NULL;
        char **na = NULL;
        struct stat sb;

        kc_free(raw);
        if (norm == NULL) {
            return kc_error_set(err, KC_ENOMEM, "out of memory configuring %s", pv->name);
        }
        if (norm[0] != '/') {
            int rc = kc_error_set(err, KC_EINVAL, "Path %s is not absolute", norm);
            kc_free(norm);
            return rc;
        }
        if (stat(norm, &sb) != 0) {
            int rc = kc_error_set(err, KC_EINVAL, "Path %s does not exist", norm);
            kc_free(norm);
            return rc;
        }
        na = kc_realloc(pv->allowed, (pv->n_allowed + 1) * sizeof(*na));
        if (na == NULL) {
            kc_free(norm);
            return kc_error_set(err, KC_ENOMEM, "out of memory configuring %s", pv->name);
        }
        pv->allowed = na;
        pv->allowed[pv->n_allowed++] = norm;
        if (comma == NULL) {
            break;
        }
        p = comma + 1;
    }
    return KC_OK;
}

static int configure(struct provider *pv, const struct kc_strmap *props, struct kc_error *err)
{
    char key[512];

    snprintf(key, sizeof(key), "config.providers.%s.param.allowed.paths", pv->name);
    if (pv->kind != PROVIDER_ENV) {
        return parse_allowed_paths(pv, kc_strmap_get(props, key), err);
    }
    snprintf(key, sizeof(key), "config.providers.%s.param.allowlist.pattern", pv->name);
    const char *pat = kc_strmap_get(props, key);
    if (pat == NULL) {
        return KC_OK;
    }
    /* Java's matcher().matches() is a whole-string match */
    char *anchored = NULL;
    char why[KC_ERROR_MSG_MAX];
    int rc = conf_regex_check(pat, why, sizeof(why));
    if (rc != KC_OK) {
        return kc_error_set(err, KC_EINVAL, "Invalid value %s for configuration %s: %s", pat, key,
                            why);
    }
    rc = conf_regex_to_posix(pat, 1, &anchored);
    if (rc == KC_ENOMEM) {
        return kc_error_set(err, KC_ENOMEM, "out of memory configuring %s", pv->name);
    }
    if (rc != KC_OK) {
        return kc_error_set(err, KC_EINVAL,
                            "%s=%s uses regular-expression features connect-c cannot evaluate "
                            "(look-around, back-references, inline flags, \\p{...}, ...)",
                            key, pat);
    }
    rc = regcomp(&pv->allow_re, anchored, REG_EXTENDED | REG_NOSUB);
    kc_free(anchored);
    if (rc != 0) {
        return kc_error_set(err, KC_EINVAL, "Invalid value %s for configuration %s: invalid regex",
                            pat, key);
    }
    pv->has_re = 1;
    return KC_OK;
}

int conf_providers_new(const struct kc_strmap *props, char *const *envp,
                       struct conf_providers **out, struct kc_error *err)
{
    struct conf_providers *cp = NULL;
    const char *names = kc_strmap_get(props, "config.providers");
    const char *p;
    int rc = KC_OK;

    *out = NULL;
    cp = kc_calloc(1, sizeof(*cp));
    if (cp == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory building config providers");
    }
    cp->envp = envp;
    if (names == NULL || names[0] == '\0') {
        *out = cp;
        return KC_OK;
    }
    p = names;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        char *name = kc_strndup(p, len);
        char *class_key = name != NULL ? kc_asprintf("config.providers.%s.class", name) : NULL;
        const char *cls = class_key != NULL ? kc_strmap_get(props, class_key) : NULL;
        int dup = 0;

        if (name == NULL || class_key == NULL) {
            kc_free(name);
            kc_free(class_key);
            rc = kc_error_set(err, KC_ENOMEM, "out of memory building config providers");
            goto out;
        }
        for (size_t i = 0; i < cp->n; i++) {
            dup |= strcmp(cp->p[i].name, name) == 0;
        }
        if (cls != NULL && !dup) {
            enum provider_kind kind;
            if (strcmp(cls, CONF_PROVIDER_FILE_CLASS) == 0) {
                kind = PROVIDER_FILE;
            } else if (strcmp(cls, CONF_PROVIDER_DIR_CLASS) == 0) {
                kind = PROVIDER_DIR;
            } else if (strcmp(cls, CONF_PROVIDER_ENV_CLASS) == 0) {
                kind = PROVIDER_ENV;
            } else {
                rc = kc_error_set(err, KC_EINVAL,
                                  "Invalid value %s for configuration %s: Could not load config "
                                  "provider class or one of its dependencies",
                                  cls, class_key);
                kc_free(name);
                kc_free(class_key);
                goto out;
            }
            struct provider *np = kc_realloc(cp->p, (cp->n + 1) * sizeof(*np));
            if (np == NULL) {
                kc_free(name);
                kc_free(class_key);
                rc = kc_error_set(err, KC_ENOMEM, "out of memory building config providers");
                goto out;
            }
            cp->p = np;
            memset(&cp->p[cp->n], 0, sizeof(cp->p[0]));
            cp->p[cp->n].name = name;
            cp->p[cp->n].kind = kind;
            name = NULL;
            cp->n++;
            rc = configure(&cp->p[cp->n - 1], props, err);
            if (rc != KC_OK) {
                kc_free(class_key);
                goto out;
            }
        }
        kc_free(name);
        kc_free(class_key);
        if (comma == NULL) {
            break;
        }
        p = comma + 1;
    }
out:
    if (rc != KC_OK) {
        conf_providers_free(cp);
        return rc;
    }
    *out = cp;
    return KC_OK;
}

static const struct provider *find_provider(const struct conf_providers *cp, const char *name,
                                            size_t len)
{
    for (size_t i = 0; cp != NULL && i < cp->n; i++) {
        if (strlen(cp->p[i].name) == len && memcmp(cp->p[i].name, name, len) == 0) {
            return &cp->p[i];
        }
    }
    return NULL;
}

/* Look a key up. *found = 0 leaves the reference as is. Returns KC_OK or an error. */
static int provider_get(const struct conf_providers *cp, const struct provider *pv,
                        const char *path, const char *key, char **value, struct kc_error *err)
{
    int denied = 0;
    char *real = NULL;
    int rc = KC_OK;

    *value = NULL;
    if (pv->kind == PROVIDER_ENV) {
        char *const *env = cp->envp != NULL ? cp->envp : environ;
        size_t klen = strlen(key);
        if (path[0] != '\0') {
            return kc_error_set(err, KC_EINVAL,
                                "Path is not supported for EnvVarConfigProvider, invalid value '%s'",
                                path);
        }
        if (pv->has_re && regexec(&pv->allow_re, key, 0, NULL, 0) != 0) {
            return KC_OK;
        }
        for (size_t i = 0; env != NULL && env[i] != NULL; i++) {
            if (strncmp(env[i], key, klen) == 0 && env[i][klen] == '=') {
                *value = kc_strdup(env[i] + klen + 1);
                return *value != NULL ? KC_OK : kc_error_set(err, KC_ENOMEM, "out of memory");
            }
        }
        return KC_OK;
    }
    if (path[0] == '\0') {
        return KC_OK;
    }
    real = untrusted_path(pv, path, &denied);
    if (real == NULL) {
        if (denied) {
            kc_log(KC_LOG_WARN, "config", "The path %s is not allowed to be accessed", path);
            return KC_OK;
        }
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    if (pv->kind == PROVIDER_FILE) {
        struct kc_strmap props;
        struct kc_error e;
        kc_strmap_init(&props);
        rc = conf_props_load(real, &props, &e);
        if (rc == KC_ENOMEM) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        } else if (rc != KC_OK) {
            kc_log(KC_LOG_ERROR, "config", "Could not read properties from file %s: %s", path,
                   e.msg);
            rc = kc_error_set(err, KC_EINVAL, "Could not read properties from file %s", path);
        } else if (kc_strmap_has(&props, key)) {
            *value = kc_strdup(kc_strmap_get(&props, key));
            if (*value == NULL) {
                rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            }
        }
        kc_strmap_fini(&props);
        kc_free(real);
        return rc;
    }
    /* directory: the file named key, if it is a regular file directly in the directory */
    struct stat sb;
    if (stat(real, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        kc_log(KC_LOG_WARN, "config", "The path %s is not a directory", path);
        kc_free(real);
        return KC_OK;
    }
    char *file = strchr(key, '/') == NULL && strcmp(key, ".") != 0 && strcmp(key, "..") != 0
                     ? kc_asprintf("%s/%s", real, key)
                     : NULL;
    if (file != NULL && stat(file, &sb) == 0 && S_ISREG(sb.st_mode)) {
        FILE *f = fopen(file, "rb");
        struct kc_buf b;
        kc_buf_init(&b, CONF_PROPS_MAX_FILE);
        if (f == NULL) {
            rc = kc_error_set(err, KC_EIO, "Could not read file %s for property %s", file, key);
        } else {
            char chunk[4096];
            size_t n;
            while (rc == KC_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
                if (kc_buf_append(&b, chunk, n) != KC_OK) {
                    rc = kc_error_set(err, KC_EIO, "Could not read file %s for property %s", file,
                                      key);
                }
            }
            if (rc == KC_OK && ferror(f)) {
                rc = kc_error_set(err, KC_EIO, "Could not read file %s for property %s", file, key);
            }
            fclose(f);
        }
        if (rc == KC_OK) {
            *value = kc_buf_take(&b, NULL);
            if (*value == NULL) {
                rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            }
        }
        kc_buf_fini(&b);
    }
    kc_free(file);
    kc_free(real);
    return rc;
}

int conf_providers_resolve_value(const struct conf_providers *cp, const char *value, char **out,
                                 struct kc_error *err)
{
    struct kc_buf b;
    size_t i = 0;
    size_t copied = 0;
    size_t n;
    int rc = KC_OK;

    *out = NULL;
    if (value == NULL) {
        return KC_OK;
    }
    n = strlen(value);
    kc_buf_init(&b, (size_t)1 << 30);
    while (conf_providers_count(cp) > 0 && i + 1 < n) {
        if (value[i] != '$' || value[i + 1] != '{') {
            i++;
            continue;
        }
        const char *body = value + i + 2;
        const char *close = strchr(body, '}');
        if (close == NULL) {
            break; /* no '}' anywhere after: no further match is possible */
        }
        const char *c1 = memchr(body, ':', (size_t)(close - body));
        if (c1 == NULL) {
            i++;
            continue;
        }
        const char *rest = c1 + 1;
        const char *c2 = memchr(rest, ':', (size_t)(close - rest));
        char *path = c2 != NULL ? kc_strndup(rest, (size_t)(c2 - rest)) : kc_strdup("");
        char *key = c2 != NULL ? kc_strndup(c2 + 1, (size_t)(close - c2 - 1))
                               : kc_strndup(rest, (size_t)(close - rest));
        char *repl = NULL;
        const struct provider *pv = find_provider(cp, body, (size_t)(c1 - body));
        size_t end = (size_t)(close - value) + 1;

        if (path == NULL || key == NULL) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory resolving config references");
        } else if (pv != NULL) {
            rc = provider_get(cp, pv, path, key, &repl, err);
        }
        kc_free(path);
        kc_free(key);
        if (rc != KC_OK) {
            goto out;
        }
        if (repl != NULL) {
            if (kc_buf_append(&b, value + copied, i - copied) != KC_OK ||
                kc_buf_append_str(&b, repl) != KC_OK) {
                kc_free(repl);
                rc = kc_error_set(err, KC_ENOMEM, "out of memory resolving config references");
                goto out;
            }
            kc_free(repl);
            copied = end;
        }
        i = end;
    }
    if (kc_buf_append(&b, value + copied, n - copied) != KC_OK) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory resolving config references");
        goto out;
    }
    *out = kc_buf_take(&b, NULL);
    if (*out == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory resolving config references");
    }
out:
    kc_buf_fini(&b);
    return rc;
}

int conf_providers_transform(const struct conf_providers *cp, const struct kc_strmap *in,
                             struct kc_strmap *out, struct kc_error *err)
{
    for (size_t i = 0; i < in->n; i++) {
        char *v = NULL;
        int rc = conf_providers_resolve_value(cp, in->e[i].value, &v, err);
        if (rc != KC_OK) {
            return rc;
        }
        rc = kc_strmap_set(out, in->e[i].key, v);
        kc_free(v);
        if (rc != KC_OK) {
            return kc_error_set(err, KC_ENOMEM, "out of memory resolving config references");
        }
    }
    return KC_OK;
}
