/*
 * rest/rest_request.c: socket-free parsing of what arrives with a request or in the REST
 * settings: %-decoding, query strings, Content-Type, the "listeners" list, response header rules,
 * and Java HashMap ordering for messages that print a config map the way the JVM does.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kc_alloc.h"
#include "kc_buf.h"
#include "kc_text.h"
#include "rest_int.h"

void rest_request_init(struct rest_request *rq)
{
    memset(rq, 0, sizeof(*rq));
    rq->method = REST_OTHER;
}

void rest_request_fini(struct rest_request *rq)
{
    if (rq == NULL) {
        return;
    }
    for (size_t i = 0; i < rq->query.n; i++) {
        kc_free(rq->query.name[i]);
        kc_free(rq->query.value[i]);
    }
    rq->query.n = 0;
    kc_free(rq->params[0]);
    kc_free(rq->params[1]);
    rq->params[0] = rq->params[1] = NULL;
}

void rest_response_init(struct rest_response *rs)
{
    memset(rs, 0, sizeof(*rs));
}

void rest_response_fini(struct rest_response *rs)
{
    if (rs == NULL) {
        return;
    }
    free(rs->body); /* jansson's json_dumps allocates with malloc */
    kc_free(rs->location);
    kc_free(rs->allow);
    memset(rs, 0, sizeof(*rs));
}

char *rest_url_decode(const char *s, size_t n, int plus_is_space)
{
    char *out = kc_malloc(n + 1);
    size_t o = 0;
    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n) {
                kc_free(out);
                return NULL;
            }
            int a = kc_hexval((unsigned char)s[i + 1]);
            int b = kc_hexval((unsigned char)s[i + 2]);
            if (a < 0 || b < 0 || (a == 0 && b == 0)) {
                kc_free(out);
                return NULL;
            }
            out[o++] = (char)(a * 16 + b);
            i += 2;
        } else if (plus_is_space && s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '\0') {
            kc_free(out);
            return NULL;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

char *rest_path_encode(const char *s)
{
    static const char keep[] = "-._~!$&'()*+,;=:@/";
    struct kc_buf b;
    kc_buf_init(&b, 64 * 1024);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        int rc;
        if (isalnum(*p) || (*p != '\0' && strchr(keep, *p) != NULL)) {
            rc = kc_buf_append_byte(&b, *p);
        } else if (*p == '%' && kc_hexval(p[1]) >= 0 && kc_hexval(p[2]) >= 0) {
            rc = kc_buf_append_byte(&b, *p); /* already encoded: UriBuilder keeps it */
        } else {
            rc = kc_buf_printf(&b, "%%%02X", *p);
        }
        if (rc != KC_OK) {
            kc_buf_fini(&b);
            return NULL;
        }
    }
    if (b.data == NULL && kc_buf_append(&b, "", 0) != KC_OK) {
        return NULL;
    }
    return kc_buf_take(&b, NULL);
}

int rest_query_add(struct rest_query *q, const char *raw_name, const char *raw_value)
{
    if (q->n >= REST_MAX_QUERY) {
        return KC_OK; /* more parameters than any endpoint reads: ignore the rest */
    }
    char *n = rest_url_decode(raw_name, strlen(raw_name), 1);
    char *v = rest_url_decode(raw_value ? raw_value : "", raw_value ? strlen(raw_value) : 0, 1);
    if (n == NULL || v == NULL) {
        kc_free(n);
        kc_free(v);
        return KC_OK; /* undecodable parameter: the JVM would 400/404 it; we ignore it */
    }
    q->name[q->n] = n;
    q->value[q->n] = v;
    q->n++;
    return KC_OK;
}

int rest_query_parse(struct rest_query *q, const char *raw)
{
    if (raw == NULL) {
        return KC_OK;
    }
    const char *p = raw;
    while (*p != '\0') {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > 0) {
            char *pair = kc_strndup(p, len);
            if (pair == NULL) {
                return KC_ENOMEM;
            }
            char *eq = strchr(pair, '=');
            if (eq != NULL) {
                *eq = '\0';
            }
            int rc = rest_query_add(q, pair, eq ? eq + 1 : "");
            kc_free(pair);
            if (rc != KC_OK) {
                return rc;
            }
        }
        p += len;
        if (*p == '&') {
            p++;
        }
    }
    return KC_OK;
}

const char *rest_query_get(const struct rest_query *q, const char *name)
{
    for (size_t i = 0; i < q->n; i++) {
        if (strcmp(q->name[i], name) == 0) {
            return q->value[i];
        }
    }
    return NULL;
}

int rest_query_bool(const struct rest_query *q, const char *name, int dflt)
{
    const char *v = rest_query_get(q, name);
    if (v == NULL) {
        return dflt;
    }
    return strcasecmp(v, "true") == 0; /* Boolean.valueOf */
}

int rest_content_type_is_json(const char *ct)
{
    if (ct == NULL) {
        return 0;
    }
    while (*ct == ' ' || *ct == '\t') {
        ct++;
    }
    size_t n = strcspn(ct, ";");
    while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t')) {
        n--;
    }
    if ((n == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
        (n == 3 && strncmp(ct, "*/*", 3) == 0) ||
        (n == 13 && strncasecmp(ct, "application/*", 13) == 0)) {
        return 1;
    }
    /* application/<x>+json is also JSON to Jackson's provider */
    if (n > 17 && strncasecmp(ct, "application/", 12) == 0 &&
        strncasecmp(ct + n - 5, "+json", 5) == 0) {
        return 1;
    }
    return 0;
}

static char *trim_dup(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1])) {
        n--;
    }
    return kc_strndup(s, n);
}

int rest_listeners_parse(const char *s, struct rest_listener **out, size_t *n,
                         struct kc_error *err)
{
    struct rest_listener *arr = NULL;
    size_t cnt = 0;
    char *item = NULL;
    int rc = KC_OK;
    const char *p = s;

    *out = NULL;
    *n = 0;
    while (p != NULL && *p != '\0') {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        item = trim_dup(p, len);
        if (item == NULL) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            goto out;
        }
        if (item[0] == '\0') {
            rc = kc_error_set(err, KC_EINVAL, "Empty URL found when parsing listeners list.");
            goto out;
        }
        char *sep = strstr(item, "://");
        if (sep == NULL) {
            rc = kc_error_set(err, KC_EINVAL,
                              "Listener doesn't have the right format (protocol://hostname:port).");
            goto out;
        }
        *sep = '\0';
        int https = strcasecmp(item, "https") == 0;
        if (!https && strcasecmp(item, "http") != 0) {
            rc = kc_error_set(err, KC_EINVAL,
                              "Listener protocol must be either \"http\" or \"https\".");
            goto out;
        }
        char *hp = sep + 3;
        char *colon = strrchr(hp, ':');
        if (colon == NULL || colon[1] == '\0') {
            rc = kc_error_set(err, KC_EINVAL,
                              "Listener doesn't have the right format (protocol://hostname:port).");
            goto out;
        }
        *colon = '\0';
        char *end = NULL;
        long port = strtol(colon + 1, &end, 10);
        if (*end != '\0' && *end != '/') {
            rc = kc_error_set(err, KC_EINVAL,
                              "Listener doesn't have the right format (protocol://hostname:port).");
            goto out;
        }
        if (port < 0 || port > 65535) {
            rc = kc_error_set(err, KC_EINVAL, "Listener port %ld is out of range", port);
            goto out;
        }
        size_t hl = strlen(hp);
        if (hl >= 2 && hp[0] == '[' && hp[hl - 1] == ']') {
            hp[hl - 1] = '\0';
            hp++;
            hl -= 2;
        }
        if (hl >= sizeof(arr[0].host)) {
            rc = kc_error_set(err, KC_EINVAL, "Listener host name too long");
            goto out;
        }
        struct rest_listener *na = kc_realloc(arr, (cnt + 1) * sizeof(*arr));
        if (na == NULL) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            goto out;
        }
        arr = na;
        memcpy(arr[cnt].host, hp, hl + 1);
        arr[cnt].port = (uint16_t)port;
        arr[cnt].https = https;
        cnt++;
        kc_free(item);
        item = NULL;
        p = comma ? comma + 1 : NULL;
    }
    if (cnt == 0) {
        rc = kc_error_set(err, KC_EINVAL,
                          "Invalid value for listeners, at least one URL is expected, ex: "
                          "http://localhost:8080,https://localhost:8443.");
        goto out;
    }
    *out = arr;
    *n = cnt;
    arr = NULL;
out:
    kc_free(item);
    kc_free(arr);
    return rc;
}

void rest_header_rules_free(struct rest_header_rule *r, size_t n)
{
    if (r == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        kc_free(r[i].name);
        kc_free(r[i].value);
    }
    kc_free(r);
}

/* Split on commas outside double quotes (Jetty's StringUtil.csvSplit), quotes removed. */
static int csv_next(const char **pp, char **item)
{
    const char *p = *pp;
    struct kc_buf b;
    int inq = 0;
    kc_buf_init(&b, 64 * 1024);
    while (*p != '\0' && (inq || *p != ',')) {
        if (*p == '"') {
            inq = !inq;
        } else if (kc_buf_append_byte(&b, (uint8_t)*p) != KC_OK) {
            return KC_ENOMEM;
        }
        p++;
    }
    if (kc_buf_append(&b, "", 0) != KC_OK) {
        return KC_ENOMEM;
    }
    *item = kc_buf_take(&b, NULL);
    if (*item == NULL) {
        *item = kc_strdup("");
    }
    *pp = *p == ',' ? p + 1 : p;
    return *item ? KC_OK : KC_ENOMEM;
}

int rest_header_rules_parse(const char *s, struct rest_header_rule **out, size_t *n,
                            struct kc_error *err)
{
    struct rest_header_rule *arr = NULL;
    size_t cnt = 0;
    char *item = NULL;
    int rc = KC_OK;
    const char *p = s;

    *out = NULL;
    *n = 0;
    while (p != NULL && *p != '\0') {
        if (csv_next(&p, &item) != KC_OK) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            goto out;
        }
        char *t = item;
        while (isspace((unsigned char)*t)) {
            t++;
        }
        if (*t == '\0') {
            kc_free(item);
            item = NULL;
            continue;
        }
        size_t al = strcspn(t, " \t");
        if (t[al] == '\0') {
            rc = kc_error_set(err, KC_EINVAL,
                              "Invalid format of header config '%s'. Expected: '[action] [header "
                              "name]:[header value]'",
                              item);
            goto out;
        }
        enum rest_header_action act;
        if (al == 3 && strncasecmp(t, "set", 3) == 0) {
            act = REST_HDR_SET;
        } else if (al == 3 && strncasecmp(t, "add", 3) == 0) {
            act = REST_HDR_ADD;
        } else if (al == 7 && strncasecmp(t, "setDate", 7) == 0) {
            act = REST_HDR_SETDATE;
        } else if (al == 7 && strncasecmp(t, "addDate", 7) == 0) {
            act = REST_HDR_ADDDATE;
        } else {
            t[al] = '\0';
            rc = kc_error_set(err, KC_EINVAL,
                              "Invalid header config action: '%s'. Expected one of [set, add, "
                              "setDate, addDate]",
                              t);
            goto out;
        }
        char *hv = t + al;
        char *colon = strchr(hv, ':');
        if (colon == NULL || strchr(colon + 1, ':') != NULL) {
            rc = kc_error_set(err, KC_EINVAL,
                              "Invalid format of header name and header value pair '%s'. "
                              "Expected: '[header name]:[header value]'",
                              hv);
            goto out;
        }
        char *name = trim_dup(hv, (size_t)(colon - hv));
        char *value = trim_dup(colon + 1, strlen(colon + 1));
        if (name == NULL || value == NULL) {
            kc_free(name);
            kc_free(value);
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            goto out;
        }
        if (name[0] == '\0' || strpbrk(name, " \t") != NULL) {
            rc = kc_error_set(err, KC_EINVAL,
                              "Invalid header name '%s'. The '[header name]' cannot contain "
                              "whitespace",
                              name);
            kc_free(name);
            kc_free(value);
            goto out;
        }
        struct rest_header_rule *na = kc_realloc(arr, (cnt + 1) * sizeof(*arr));
        if (na == NULL) {
            kc_free(name);
            kc_free(value);
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            goto out;
        }
        arr = na;
        arr[cnt].action = act;
        arr[cnt].name = name;
        arr[cnt].value = value;
        cnt++;
        kc_free(item);
        item = NULL;
    }
    *out = arr;
    *n = cnt;
    arr = NULL;
    cnt = 0;
out:
    kc_free(item);
    rest_header_rules_free(arr, cnt);
    return rc;
}

/* Next code point of UTF-8 s at *i (invalid bytes map to U+FFFD, as Java's decoder does). */
