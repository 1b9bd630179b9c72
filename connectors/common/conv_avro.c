/*
 * connectors/common/conv_avro.c: io.confluent.connect.avro.AvroConverter -- Confluent's wire
 * format (magic byte 0, 4-byte big-endian schema id, Avro binary), the schema fetched from a
 * Schema Registry by id (GET {url}/schemas/ids/{id}, libcurl) and cached, then decoded by
 * conv_avro_dec.c into Connect data.
 *
 * Settings (prefix-stripped, as the worker hands them over):
 *   schema.registry.url                 comma-separated list (required); tried in order, the
 *                                       next one after a network failure or a 5xx
 *   basic.auth.credentials.source       URL (default: user info in the URL, if any) or USER_INFO
 *   basic.auth.user.info                "user:password" for USER_INFO (also accepted as
 *                                       schema.registry.basic.auth.user.info); never logged and
 *                                       never put in an error message
 *   max.schemas.per.subject             schemas cached by id (default 1000, Confluent's default
 *                                       cache bound); past it a schema is fetched and parsed per
 *                                       record into the batch arena
 *   schema.registry.request.timeout.ms  per HTTP request (default 30000)
 *   schema.registry.ssl.truststore.location / .password   a JKS or PKCS12 truststore (read by
 *                                       conf_truststore, handed to libcurl as PEM) for an https
 *                                       registry; without it the system CAs are trusted.
 *                                       .truststore.type is accepted (the format is detected)
 *   schema.registry.ssl.endpoint.identification.algorithm  "https" (default) or "" (no host
 *                                       name check, as the JVM's empty value)
 *   Others (auto.register.schemas, use.latest.version, ...) only matter when serializing and
 *   are ignored; SASL_INHERIT and bearer auth are refused with a ConfigException-like error.
 *
 * Errors follow Confluent: every failure is a DataException "Failed to deserialize data for
 * topic T to Avro: " whose cause (our detail) is "Unknown magic byte!", "Error retrieving Avro
 * value schema for id N" (+ the registry's message) or "Error deserializing Avro message for id
 * N" (+ where the bytes went wrong). An unreachable registry is a DataException too, as in the
 * JVM, so errors.tolerance decides between the DLQ and failing the task.
 *
 * Memory: cached schemas live in one arena per entry, owned by the conv until conv_free (records
 * of a batch point at them, as conv.h allows).
 */
#include "conv_avro.h"
#include "conv_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>

#include "conf_truststore.h"
#include "kc_alloc.h"
#include "kc_buf.h"
#include "kc_log.h"

#define AVRO_CLASS "io.confluent.connect.avro.AvroConverter"
#define AVRO_SCHEMA_ARENA_LIMIT (64u << 20)
#define AVRO_RESPONSE_LIMIT (16u << 20)

struct avro_entry {
    int32_t id;
    struct kc_arena arena; /* owns the schema */
    const struct conv_avro_schema *schema;
};

struct avro_ctx {
    char **urls; /* owned, trailing '/' removed */
    size_t n_urls;
    size_t cur_url;    /* the one that answered last */
    char *user_info;   /* owned; "user:password" (USER_INFO) or NULL */
    long timeout_ms;
    char *ca_pem;      /* owned; the truststore's certificates, or NULL for the system CAs */
    int verify_host;   /* endpoint identification */
    int cache_max;
    struct avro_entry *cache; /* owned array of n_cache */
    size_t n_cache;
    size_t last;       /* index of the last hit */
    int warned_full;
    CURL *curl;
    struct kc_buf body;
};

/* ---------------------------------------------------------------- settings */

static void ctx_free(struct avro_ctx *ac)
{
    if (ac == NULL) {
        return;
    }
    for (size_t i = 0; i < ac->n_urls; i++) {
        kc_free(ac->urls[i]);
    }
    kc_free(ac->urls);
    if (ac->user_info != NULL) {
        memset(ac->user_info, 0, strlen(ac->user_info));
        kc_free(ac->user_info);
    }
    for (size_t i = 0; i < ac->n_cache; i++) {
        kc_arena_fini(&ac->cache[i].arena);
    }
    kc_free(ac->cache);
    kc_free(ac->ca_pem);
    if (ac->curl != NULL) {
        curl_easy_cleanup(ac->curl);
    }
    kc_buf_fini(&ac->body);
    kc_free(ac);
}

static int parse_urls(struct avro_ctx *ac, const char *list, struct kc_error *err)
{
    size_t n = 1;
    for (const char *s = list; *s != '\0'; s++) {
        n += *s == ',';
    }
    ac->urls = kc_calloc(n, sizeof(*ac->urls));
    if (ac->urls == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    const char *s = list;
    while (*s != '\0') {
        const char *e = strchr(s, ',');
        if (e == NULL) {
            e = s + strlen(s);
        }
        const char *b = s;
        while (b < e && isspace((unsigned char)*b)) {
            b++;
        }
        const char *t = e;
        while (t > b && (isspace((unsigned char)t[-1]) || t[-1] == '/')) {
            t--;
        }
        if (t > b) {
            if (strncasecmp(b, "http://", 7) != 0 && strncasecmp(b, "https://", 8) != 0) {
                return kc_error_set(err, KC_EINVAL,
                                    "Invalid value for configuration schema.registry.url: "
                                    "not an http(s) URL");
            }
            char *u = kc_malloc((size_t)(t - b) + 1);
            if (u == NULL) {
                return kc_error_set(err, KC_ENOMEM, "out of memory");
            }
            memcpy(u, b, (size_t)(t - b));
            u[t - b] = '\0';
            ac->urls[ac->n_urls++] = u;
        }
        s = *e == ',' ? e + 1 : e;
    }
    if (ac->n_urls == 0) {
        return kc_error_set(err, KC_EINVAL,
                            "Missing required configuration \"schema.registry.url\" which has no "
                            "default value.");
    }
    return KC_OK;
}

static int avro_init(struct conv *c, const struct kc_strmap *props, struct kc_error *err)
{
    struct avro_ctx *ac = kc_calloc(1, sizeof(*ac));
    if (ac == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory creating AvroConverter");
    }
    kc_buf_init(&ac->body, AVRO_RESPONSE_LIMIT);
    int rc;
    const char *urls = kc_strmap_get(props, "schema.registry.url");
    if (urls == NULL) {
        rc = kc_error_set(err, KC_EINVAL,
                          "Missing required configuration \"schema.registry.url\" which has no "
                          "default value.");
        goto fail;
    }
    if ((rc = parse_urls(ac, urls, err)) != KC_OK) {
        goto fail;
    }
    int timeout;
    if ((rc = conv_prop_int(props, "max.schemas.per.subject", 1000, &ac->cache_max, err)) !=
            KC_OK ||
        (rc = conv_prop_int(props, "schema.registry.request.timeout.ms", 30000, &timeout, err)) !=
            KC_OK) {
        goto fail;
    }
    if (ac->cache_max < 0 || timeout <= 0) {
        rc = kc_error_set(err, KC_EINVAL, "Invalid value for configuration %s: must be positive",
                          ac->cache_max < 0 ? "max.schemas.per.subject"
                                            : "schema.registry.request.timeout.ms");
        goto fail;
    }
    ac->timeout_ms = timeout;
    const char *ts = kc_strmap_get(props, "schema.registry.ssl.truststore.location");
    if (ts != NULL && ts[0] != '\0') {
        const char *pw = kc_strmap_get(props, "schema.registry.ssl.truststore.password");
        rc = conf_truststore_to_pem(ts, pw, &ac->ca_pem, err);
        if (rc != KC_OK) {
            goto fail;
        }
    }
    const char *eia = kc_strmap_get(props, "schema.registry.ssl.endpoint.identification.algorithm");
    ac->verify_host = eia == NULL || eia[0] != '\0';
    const char *src = kc_strmap_get(props, "basic.auth.credentials.source");
    if (src == NULL || strcasecmp(src, "URL") == 0) {
        /* user info in the URL: libcurl sends it as basic auth */
    } else if (strcasecmp(src, "USER_INFO") == 0) {
        const char *ui = kc_strmap_get(props, "basic.auth.user.info");
        if (ui == NULL) {
            ui = kc_strmap_get(props, "schema.registry.basic.auth.user.info");
        }
        if (ui == NULL || strchr(ui, ':') == NULL) {
            rc = kc_error_set(err, KC_EINVAL,
                              "Invalid value for configuration basic.auth.user.info: "
                              "USER_INFO needs \"user:password\" (value hidden)");
            goto fail;
        }
        ac->user_info = kc_malloc(strlen(ui) + 1);
        if (ac->user_info == NULL) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            goto fail;
        }
        memcpy(ac->user_info, ui, strlen(ui) + 1);
    } else {
        rc = kc_error_set(err, KC_EINVAL,
                          "Invalid value %s for configuration basic.auth.credentials.source: "
                          "connect-c supports URL and USER_INFO",
                          src);
        goto fail;
    }
    c->ctx = ac;
    return KC_OK;
fail:
    ctx_free(ac);
    return rc;
}

static void avro_fini(struct conv *c)
{
    ctx_free(c->ctx);
    c->ctx = NULL;
}

/* ---------------------------------------------------------------- registry */

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    struct kc_buf *b = ud;
    size_t n = size * nmemb;
    return kc_buf_append(b, p, n) == KC_OK ? n : 0;
}

/* The URL without its user info, for messages. */
static void url_for_log(const char *url, char *out, size_t cap)
{
    const char *scheme = strstr(url, "://");
    const char *host = scheme != NULL ? scheme + 3 : url;
    const char *at = strchr(host, '@');
    const char *slash = strchr(host, '/');
    if (at != NULL && (slash == NULL || at < slash)) {
        snprintf(out, cap, "%.*s%s", (int)(host - url), url, at + 1);
    } else {
        snprintf(out, cap, "%s", url);
    }
}

/*
 * GET /schemas/ids/{id}; on success ac->body holds the JSON. *status = the HTTP status of the
 * last URL tried (0: no answer). Tries each URL from the one that last answered, moving on after
 * a network failure or a 5xx.
 */
static int http_get_schema(struct avro_ctx *ac, int32_t id, long *status, char *why, size_t cap)
{
    if (ac->curl == NULL && (ac->curl = curl_easy_init()) == NULL) {
        snprintf(why, cap, "cannot create an HTTP client");
        return KC_ENOMEM;
    }
    CURL *curl = ac->curl;
    *status = 0;
    for (size_t k = 0; k < ac->n_urls; k++) {
        size_t ui = (ac->cur_url + k) % ac->n_urls;
        const char *base = ac->urls[ui];
        size_t ul = strlen(base) + 32;
        char *url = kc_malloc(ul);
        if (url == NULL) {
            snprintf(why, cap, "out of memory");
            return KC_ENOMEM;
        }
        snprintf(url, ul, "%s/schemas/ids/%d", base, (int)id);
        kc_buf_reset(&ac->body);
        curl_easy_reset(curl);
        struct curl_slist *hdrs = curl_slist_append(
            NULL, "Accept: application/vnd.schemaregistry.v1+json, "
                  "application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5");
        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &ac->body);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, ac->timeout_ms);
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, ac->timeout_ms < 10000 ? ac->timeout_ms
                                                                                 : 10000L);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(curl, CURLOPT_USERAGENT, "connect-c AvroConverter");
        if (ac->ca_pem != NULL) {
            struct curl_blob ca = {.data = ac->ca_pem, .len = strlen(ac->ca_pem),
                                   .flags = CURL_BLOB_COPY};
            curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &ca);
        }
        if (!ac->verify_host) {
            curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        if (ac->user_info != NULL) {
            curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
            curl_easy_setopt(curl, CURLOPT_USERPWD, ac->user_info);
        }
        CURLcode cc = curl_easy_perform(curl);
        curl_slist_free_all(hdrs);
        char shown[512];
        url_for_log(base, shown, sizeof(shown));
        kc_free(url);
        if (cc != CURLE_OK) {
            snprintf(why, cap, "%s: %s", shown, curl_easy_strerror(cc));
            kc_log(KC_LOG_WARN, "avro", "schema registry %s: %s", shown, curl_easy_strerror(cc));
            continue;
        }
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
        if (*status >= 500) {
            snprintf(why, cap, "%s answered HTTP %ld", shown, *status);
            continue;
        }
        ac->cur_url = ui;
        return KC_OK;
    }
    return KC_EIO;
}

/* "message; error code: N" from a registry error body, as Confluent's RestClientException. */
static void registry_error(const struct kc_buf *body, long status, char *out, size_t cap)
{
    json_t *j = body->len > 0 ? json_loadb(body->data, body->len, 0, NULL) : NULL;
    json_t *m = json_object_get(j, "message");
    json_t *code = json_object_get(j, "error_code");
    if (json_is_string(m)) {
        snprintf(out, cap, "%s; error code: %lld", json_string_value(m),
                 json_is_integer(code) ? (long long)json_integer_value(code) : (long long)status);
    } else {
        snprintf(out, cap, "HTTP %ld; error code: %ld", status, status);
    }
    json_decref(j);
}

/*
 * Fetch schema id and parse it into a. KC_EINVAL with detail in why for anything the record
 * should fail for (unknown id, registry down, a schema we cannot use).
 */
static int fetch_schema(struct avro_ctx *ac, int32_t id, struct kc_arena *a,
                        const struct conv_avro_schema **out, char *why, size_t cap)
{
    long status;
    int rc = http_get_schema(ac, id, &status, why, cap);
    if (rc == KC_ENOMEM) {
        return rc;
    }
    if (rc != KC_OK) {
        return KC_EINVAL;
    }
    if (status != 200) {
        registry_error(&ac->body, status, why, cap);
        return KC_EINVAL;
    }
    json_error_t jerr;
    json_t *j = json_loadb(ac->body.data != NULL ? ac->body.data : "", ac->body.len, 0, &jerr);
    json_t *js = json_object_get(j, "schema");
    json_t *jt = json_object_get(j, "schemaType");
    if (!json_is_string(js)) {
        snprintf(why, cap, "the registry's answer has no \"schema\" string");
        json_decref(j);
        return KC_EINVAL;
    }
    if (jt != NULL && !(json_is_string(jt) && strcmp(json_string_value(jt), "AVRO") == 0)) {
        snprintf(why, cap, "schema %d is not an Avro schema (schemaType %s)", (int)id,
                 json_is_string(jt) ? json_string_value(jt) : "?");
        json_decref(j);
        return KC_EINVAL;
    }
    struct kc_error perr;
    rc = conv_avro_schema_parse(json_string_value(js), json_string_length(js), a, out, &perr);
    json_decref(j);
    if (rc != KC_OK) {
        snprintf(why, cap, "%.*s", (int)(cap - 1), perr.msg);
    }
    return rc;
}

static int lookup_schema(struct avro_ctx *ac, int32_t id, struct kc_arena *batch,
                         const struct conv_avro_schema **out, char *why, size_t cap)
{
    if (ac->n_cache > 0 && ac->cache[ac->last].id == id) {
        *out = ac->cache[ac->last].schema;
        return KC_OK;
    }
    for (size_t i = 0; i < ac->n_cache; i++) {
        if (ac->cache[i].id == id) {
            ac->last = i;
            *out = ac->cache[i].schema;
            return KC_OK;
        }
    }
    if (ac->n_cache >= (size_t)ac->cache_max) {
        if (!ac->warned_full) {
            ac->warned_full = 1;
            kc_log(KC_LOG_WARN, "avro",
                   "schema cache full (%d schemas, max.schemas.per.subject): further schemas "
                   "are fetched for every record",
                   ac->cache_max);
        }
        return fetch_schema(ac, id, batch, out, why, cap);
    }
    struct avro_entry *grown = kc_realloc(ac->cache, (ac->n_cache + 1) * sizeof(*grown));
    if (grown == NULL) {
        snprintf(why, cap, "out of memory");
        return KC_ENOMEM;
    }
    ac->cache = grown;
    struct avro_entry *e = &ac->cache[ac->n_cache];
    kc_arena_init(&e->arena, 16384, AVRO_SCHEMA_ARENA_LIMIT);
    int rc = fetch_schema(ac, id, &e->arena, &e->schema, why, cap);
    if (rc != KC_OK) {
        kc_arena_fini(&e->arena);
        return rc;
    }
    e->id = id;
    ac->last = ac->n_cache++;
    kc_log(KC_LOG_DEBUG, "avro", "cached Avro schema id %d", (int)id);
    *out = e->schema;
    return KC_OK;
}

/* ---------------------------------------------------------------- conversion */

static int avro_to_connect(struct conv *c, const char *topic, const void *data, size_t len,
                           struct kc_arena *a, const struct cdata_schema **schema,
                           const struct cdata_value **value, struct kc_error *err)
{
    struct avro_ctx *ac = c->ctx;
    if (data == NULL) {
        return KC_OK; /* SchemaAndValue.NULL */
    }
    char jmsg[600];
    snprintf(jmsg, sizeof(jmsg), "Failed to deserialize data for topic %s to Avro: ",
             topic != NULL ? topic : "null");
    const uint8_t *p = data;
    if (len < 1 || p[0] != 0) {
        return conv_data_error(c, err, jmsg, "Unknown magic byte!");
    }
    if (len < 5) {
        return conv_data_error(c, err, jmsg,
                               "Error deserializing Avro message for id -1: %zu bytes is too "
                               "short for a schema id",
                               len);
    }
    int32_t id = (int32_t)((uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 |
                           (uint32_t)p[4]);
    const struct conv_avro_schema *s;
    char why[700];
    why[0] = '\0';
    int rc = lookup_schema(ac, id, a, &s, why, sizeof(why));
    if (rc == KC_ENOMEM) {
        return kc_error_set(err, KC_ENOMEM, "out of memory fetching Avro schema %d", (int)id);
    }
    if (rc != KC_OK) {
        return conv_data_error(c, err, jmsg, "Error retrieving Avro %s schema for id %d: %s",
                               c->role == CONV_ROLE_KEY ? "key" : "value", (int)id, why);
    }
    const struct cdata_value *v;
    struct kc_error derr;
    rc = conv_avro_decode(s, p + 5, len - 5, a, &v, &derr);
    if (rc == KC_ENOMEM) {
        return kc_error_set(err, KC_ENOMEM, "%s", derr.msg);
    }
    if (rc != KC_OK) {
        return conv_data_error(c, err, jmsg, "Error deserializing Avro message for id %d: %s",
                               (int)id, derr.msg);
    }
    *schema = conv_avro_connect_schema(s);
    *value = v;
    return KC_OK;
}

const struct conv_ops conv_avro_ops = {
    .class_name = AVRO_CLASS,
    .caps = CONV_CAN_CONVERT,
    .init = avro_init,
    .fini = avro_fini,
    .to_connect = avro_to_connect,
};
