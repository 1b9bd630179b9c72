/*
 * rest/rest_auth.c: BasicAuthSecurityRestExtension + PropertyFileLoginModule (see rest_auth.h).
 */
#include "rest_auth.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf_props.h"
#include "kc_alloc.h"
#include "kc_buf.h"
#include "kc_log.h"
#include "kc_strmap.h"
#include "kc_text.h"

struct rest_auth {
    struct kc_strmap users; /* user -> password */
};

/* ---------------------------------------------------------------- JAAS file */

struct jaas_lex {
    const char *s, *end;
};

/* Skip white space and comments (line and block). */
static void skip_ws(struct jaas_lex *lx)
{
    for (;;) {
        while (lx->s < lx->end && isspace((unsigned char)*lx->s)) {
            lx->s++;
        }
        if (lx->end - lx->s >= 2 && lx->s[0] == '/' && lx->s[1] == '/') {
            while (lx->s < lx->end && *lx->s != '\n') {
                lx->s++;
            }
            continue;
        }
        if (lx->end - lx->s >= 2 && lx->s[0] == '/' && lx->s[1] == '*') {
            const char *e = lx->s + 2;
            while (e + 1 < lx->end && !(e[0] == '*' && e[1] == '/')) {
                e++;
            }
            lx->s = e + 1 < lx->end ? e + 2 : lx->end;
            continue;
        }
        return;
    }
}

/* A word (name, flag, option key) or a quoted string; the token points into the text (quotes
 * stripped; JAAS files have no escapes in practice, a backslash is kept as is). */
static int next_token(struct jaas_lex *lx, const char **tok, size_t *len, int *quoted)
{
    skip_ws(lx);
    *quoted = 0;
    if (lx->s >= lx->end) {
        return 0;
    }
    if (*lx->s == '"') {
        const char *b = ++lx->s;
        while (lx->s < lx->end && *lx->s != '"') {
            lx->s++;
        }
        if (lx->s >= lx->end) {
            return -1;
        }
        *tok = b;
        *len = (size_t)(lx->s - b);
        lx->s++;
        *quoted = 1;
        return 1;
    }
    if (strchr("{};=", *lx->s) != NULL) {
        *tok = lx->s++;
        *len = 1;
        return 1;
    }
    const char *b = lx->s;
    while (lx->s < lx->end && !isspace((unsigned char)*lx->s) && strchr("{};=\"", *lx->s) == NULL) {
        lx->s++;
    }
    *tok = b;
    *len = (size_t)(lx->s - b);
    return 1;
}

static int tok_is(const char *tok, size_t len, const char *word)
{
    return strlen(word) == len && strncmp(tok, word, len) == 0;
}

int rest_auth_parse_jaas(const char *text, size_t len, const char *jaas_path, char **file,
                         struct kc_error *err)
{
    struct jaas_lex lx = {text, text + len};
    const char *tok;
    size_t tl;
    int q, r;
    *file = NULL;
    /* Entries: Name { Module Flag key=value ... ; ... } ; */
    while ((r = next_token(&lx, &tok, &tl, &q)) > 0) {
        int ours = tok_is(tok, tl, "KafkaConnect");
        if (next_token(&lx, &tok, &tl, &q) <= 0 || !tok_is(tok, tl, "{")) {
            goto syntax;
        }
        int modules = 0;
        for (;;) {
            if (next_token(&lx, &tok, &tl, &q) <= 0) {
                goto syntax;
            }
            if (tok_is(tok, tl, "}")) {
                break;
            }
            const char *mod = tok;
            size_t ml = tl;
            if (next_token(&lx, &tok, &tl, &q) <= 0) { /* flag: required, sufficient... */
                goto syntax;
            }
            modules++;
            if (ours && !tok_is(mod, ml, REST_AUTH_PROPERTY_FILE_MODULE)) {
                kc_free(*file);
                *file = NULL;
                return kc_error_set(err, KC_EINVAL,
                                    "The KafkaConnect entry of %s uses the login module %.*s; "
                                    "connect-c implements only %s",
                                    jaas_path, (int)ml, mod, REST_AUTH_PROPERTY_FILE_MODULE);
            }
            /* options until ';' */
            for (;;) {
                if (next_token(&lx, &tok, &tl, &q) <= 0) {
                    goto syntax;
                }
                if (!q && tok_is(tok, tl, ";")) {
                    break;
                }
                const char *key = tok;
                size_t kl = tl;
                if (next_token(&lx, &tok, &tl, &q) <= 0 || !tok_is(tok, tl, "=") ||
                    next_token(&lx, &tok, &tl, &q) <= 0) {
                    goto syntax;
                }
                if (ours && tok_is(key, kl, "file")) {
                    kc_free(*file);
                    if ((*file = kc_strndup(tok, tl)) == NULL) {
                        return kc_error_set(err, KC_ENOMEM, "out of memory");
                    }
                }
            }
        }
        if (next_token(&lx, &tok, &tl, &q) <= 0 || !tok_is(tok, tl, ";")) {
            goto syntax;
        }
        if (ours) {
            if (modules == 0 || *file == NULL || (*file)[0] == '\0') {
                kc_free(*file);
                *file = NULL;
                return kc_error_set(err, KC_EINVAL, "Property Credentials file must be "
                                    "specified (the file option of %s in %s)",
                                    REST_AUTH_PROPERTY_FILE_MODULE, jaas_path);
            }
            return KC_OK;
        }
    }
    if (r < 0) {
        goto syntax;
    }
    return kc_error_set(err, KC_EINVAL, "No KafkaConnect entry in the JAAS configuration %s",
                        jaas_path);
syntax:
    kc_free(*file);
    *file = NULL;
    return kc_error_set(err, KC_EINVAL, "Cannot parse the JAAS configuration %s near byte %zu",
                        jaas_path, (size_t)(lx.s - text));
}

/* -Djava.security.auth.login.config=<path> (or ==<path>) in KAFKA_OPTS; owned, NULL if absent. */
static char *jaas_path_from_opts(const char *opts)
{
    static const char key[] = "-Djava.security.auth.login.config=";
    const char *p = opts != NULL ? strstr(opts, key) : NULL;
    if (p == NULL) {
        return NULL;
    }
    p += sizeof(key) - 1;
    if (*p == '=') {
        p++;
    }
    const char *e = p;
    while (*e != '\0' && !isspace((unsigned char)*e)) {
        e++;
    }
    return e > p ? kc_strndup(p, (size_t)(e - p)) : NULL;
}

static int read_file(const char *path, char **out, size_t *len, struct kc_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return kc_error_set_errno(err, KC_EINVAL, errno, "Cannot read %s", path);
    }
    struct kc_buf b;
    char chunk[4096];
    size_t n;
    int rc = KC_OK;
    kc_buf_init(&b, (size_t)16 << 20);
    while (rc == KC_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        rc = kc_buf_append(&b, chunk, n);
    }
    fclose(f);
    if (rc != KC_OK) {
        kc_buf_fini(&b);
        return kc_error_set(err, KC_EINVAL, "%s is too large", path);
    }
    if (kc_buf_append_byte(&b, '\0') != KC_OK) {
        kc_buf_fini(&b);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    *out = kc_buf_take(&b, len);
    (*len)--;
    return *out != NULL ? KC_OK : kc_error_set(err, KC_ENOMEM, "out of memory");
}

int rest_auth_new(char *const *extension_classes, size_t n, const char *kafka_opts,
                  struct rest_auth **out, struct kc_error *err)
{
    *out = NULL;
    int basic = 0;
    for (size_t i = 0; i < n; i++) {
        if (extension_classes[i][0] == '\0') {
            continue;
        }
        if (strcmp(extension_classes[i], REST_AUTH_BASIC_EXTENSION) != 0) {
            return kc_error_set(err, KC_EINVAL,
                                "rest.extension.classes: unknown REST extension class %s "
                                "(connect-c implements %s)",
                                extension_classes[i], REST_AUTH_BASIC_EXTENSION);
        }
        basic = 1;
    }
    if (!basic) {
        return KC_OK;
    }
    char *jaas = jaas_path_from_opts(kafka_opts);
    if (jaas == NULL) {
        return kc_error_set(err, KC_EINVAL,
                            "%s needs a JAAS configuration: set "
                            "KAFKA_OPTS=-Djava.security.auth.login.config=<file> with a "
                            "KafkaConnect entry",
                            REST_AUTH_BASIC_EXTENSION);
    }
    char *text = NULL, *users_path = NULL;
    size_t len = 0;
    int rc = read_file(jaas, &text, &len, err);
    if (rc == KC_OK) {
        rc = rest_auth_parse_jaas(text, len, jaas, &users_path, err);
    }
    kc_free(text);
    struct rest_auth *a = NULL;
    if (rc == KC_OK && (a = kc_calloc(1, sizeof(*a))) == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    if (rc == KC_OK) {
        kc_strmap_init(&a->users);
        rc = conf_props_load(users_path, &a->users, err);
        if (rc != KC_OK) {
            kc_error_set(err, KC_EINVAL, "Error loading Property Credentials file %s",
                         users_path);
        }
    }
    if (rc == KC_OK) {
        if (a->users.n == 0) {
            kc_log(KC_LOG_WARN, "rest",
                   "Credential properties file '%s' is empty; all requests will be permitted",
                   users_path);
        } else {
            kc_log(KC_LOG_INFO, "rest", "REST basic authentication on (%zu user%s from %s)",
                   a->users.n, a->users.n == 1 ? "" : "s", users_path);
        }
        *out = a;
        a = NULL;
    }
    rest_auth_free(a);
    kc_free(users_path);
    kc_free(jaas);
    return rc;
}

void rest_auth_free(struct rest_auth *a)
{
    if (a == NULL) {
        return;
    }
    kc_strmap_fini(&a->users);
    kc_free(a);
}

/* ---------------------------------------------------------------- requests */

/* Standard base64 with padding into out (cap bytes); the decoded length, or -1. */
static long b64_decode(const char *s, char *out, size_t cap)
{
    size_t n = strlen(s), k = 0;
    if (n % 4 != 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        for (int j = 0; j < 4; j++) {
            v[j] = s[i + j] == '=' && i + 4 == n && j >= 2 ? 0
                                                      : kc_b64val((unsigned char)s[i + j], 0);
            if (v[j] < 0) {
                return -1;
            }
        }
        int pad = (s[i + 2] == '=') + (s[i + 3] == '=');
        if (s[i + 2] == '=' && s[i + 3] != '=') {
            return -1;
        }
        unsigned triple = (unsigned)(v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);
        for (int j = 0; j < 3 - pad; j++) {
            if (k >= cap) {
                return -1;
            }
            out[k++] = (char)((triple >> (16 - 8 * j)) & 0xff);
        }
    }
    return (long)k;
}

/* Constant time in the length of the longer string. */
static int same_secret(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), n = la > lb ? la : lb;
    unsigned diff = (unsigned)(la ^ lb);
    for (size_t i = 0; i < n; i++) {
        unsigned char ca = i < la ? (unsigned char)a[i] : 0;
        unsigned char cb = i < lb ? (unsigned char)b[i] : 0;
        diff |= (unsigned)(ca ^ cb);
    }
    return diff == 0;
}

/* POST /connectors/<c>/tasks: the worker-to-worker task config forward, which the JVM lets
 * through (signed in sessioned mode). */
static int internal_request(const char *method, const char *path)
{
    if (strcmp(method, "POST") != 0 || path == NULL) {
        return 0;
    }
    const char *p = path[0] == '/' ? path + 1 : path;
    if (strncmp(p, "connectors/", 11) != 0) {
        return 0;
    }
    p += 11;
    const char *slash = strchr(p, '/');
    if (slash == NULL || slash == p) {
        return 0;
    }
    return strcmp(slash, "/tasks") == 0 || strcmp(slash, "/tasks/") == 0;
}

int rest_auth_allows(const struct rest_auth *a, const char *method, const char *path,
                     const char *authorization)
{
    if (a == NULL || internal_request(method, path)) {
        return 1;
    }
    if (a->users.n == 0) {
        return 1;
    }
    if (authorization == NULL) {
        return 0;
    }
    const char *sp = strchr(authorization, ' ');
    if (sp == NULL || sp == authorization || (size_t)(sp - authorization) != 5 ||
        strncasecmp(authorization, "basic", 5) != 0) {
        return 0;
    }
    const char *b64 = sp + 1;
    size_t cap = strlen(b64) / 4 * 3 + 1;
    char *dec = kc_malloc(cap + 1);
    if (dec == NULL) {
        return 0;
    }
    long dl = b64_decode(b64, dec, cap);
    int ok = 0;
    if (dl > 0) {
        dec[dl] = '\0';
        char *colon = memchr(dec, ':', (size_t)dl);
        if (colon != NULL && colon != dec && strlen(dec) == (size_t)dl) {
            *colon = '\0';
            const char *want = kc_strmap_get(&a->users, dec);
            /* Compare against something even for an unknown user: no timing hint. */
            ok = same_secret(want != NULL ? want : "\x01unknown-user", colon + 1) &&
                 want != NULL;
        }
    }
    memset(dec, 0, cap + 1);
    kc_free(dec);
    return ok;
}
