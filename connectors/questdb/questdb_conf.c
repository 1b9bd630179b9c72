/*
 * connectors/questdb/questdb_conf.c: QuestDBSinkConnectorConfig's keys and defaults (v0.23), the
 * client configuration string parser, and the typed config built from both. The grammar of the
 * client string is in questdb_conf.h.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf_values.h"
#include "kc_alloc.h"
#include "kc_buf.h"
#include "questdb_conf.h"
#include "questdb_ilp.h"

static const char *const ts_units[] = {"auto", "seconds", "millis", "micros", "nanos", NULL};

#define U INT64_MIN, INT64_MAX
/* name, type, default, default_is_null, importance, doc, group, order, width, display, validator,
 * min, max, allowed, dependents */
const struct conf_def questdb_config_def[] = {
    {"client.conf.string", CONF_PASSWORD, NULL, 1, CONF_HIGH,
     "Client configuration string, e.g. http::addr=localhost:9000; (schemas http, https, tcp, "
     "tcps; connect-c also takes pg:: for PostgreSQL wire). ${VAR} is read from the environment "
     "($$ is a literal $). Alternative: the QDB_CLIENT_CONF environment variable.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"host", CONF_STRING, NULL, 1, CONF_HIGH,
     "Legacy: host:port of QuestDB's ILP/TCP endpoint. Mutually exclusive with client.conf.string.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"table", CONF_STRING, NULL, 1, CONF_MEDIUM,
     "Target table; ${topic}, ${key} and ${partition} are replaced per record. Default: the topic.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"key.prefix", CONF_STRING, "key", 0, CONF_MEDIUM, "Prefix for key fields.", NULL, -1,
     CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"value.prefix", CONF_STRING, "", 0, CONF_MEDIUM, "Prefix for value fields.", NULL, -1,
     CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"skip.unsupported.types", CONF_BOOLEAN, "false", 0, CONF_MEDIUM,
     "Skip fields of unsupported types instead of failing the record.", NULL, -1,
     CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"timestamp.field.name", CONF_STRING, NULL, 1, CONF_MEDIUM,
     "Designated timestamp field; a comma list composes the timestamp from several string "
     "fields parsed with timestamp.string.format.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"timestamp.units", CONF_STRING, "auto", 0, CONF_LOW,
     "Units of a numeric designated timestamp: auto, seconds, millis, micros or nanos.", NULL, -1,
     CONF_WIDTH_NONE, NULL, conf_validate_in, U, ts_units, NULL},
    {"timestamp.kafka.native", CONF_BOOLEAN, "false", 0, CONF_MEDIUM,
     "Use the Kafka record timestamp as the designated timestamp.", NULL, -1, CONF_WIDTH_NONE,
     NULL, NULL, U, NULL, NULL},
    {"timestamp.string.fields", CONF_STRING, NULL, 1, CONF_MEDIUM,
     "String fields to parse into TIMESTAMP columns with timestamp.string.format.", NULL, -1,
     CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"timestamp.string.format", CONF_STRING, "yyyy-MM-ddTHH:mm:ss.SSSUUUZ", 0, CONF_MEDIUM,
     "QuestDB date-format pattern for string timestamps.", NULL, -1, CONF_WIDTH_NONE, NULL, NULL,
     U, NULL, NULL},
    {"include.key", CONF_BOOLEAN, "true", 0, CONF_MEDIUM, "Include the record key in the row.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"symbols", CONF_STRING, NULL, 1, CONF_MEDIUM, "Comma list of columns sent as SYMBOL.", NULL,
     -1, CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"doubles", CONF_STRING, NULL, 1, CONF_MEDIUM,
     "Comma list of columns always sent as DOUBLE, even for integer values.", NULL, -1,
     CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"username", CONF_STRING, "admin", 0, CONF_MEDIUM, "Legacy: ILP/TCP authentication key id.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"token", CONF_PASSWORD, NULL, 1, CONF_MEDIUM, "Legacy: ILP/TCP authentication token.", NULL,
     -1, CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"tls", CONF_BOOLEAN, "false", 0, CONF_MEDIUM, "Legacy: TLS for host.", NULL, -1,
     CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"tls.validation.mode", CONF_STRING, "default", 0, CONF_LOW,
     "Legacy: default or insecure (no certificate checks).", NULL, -1, CONF_WIDTH_NONE, NULL, NULL,
     U, NULL, NULL},
    {"max.retries", CONF_INT, "10", 0, CONF_LOW, "TCP: send attempts before the task fails.", NULL,
     -1, CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"retry.backoff.ms", CONF_LONG, "3000", 0, CONF_LOW, "TCP: back-off between attempts (ms).",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {"allowed.lag", CONF_INT, "1000", 0, CONF_LOW,
     "ms rows may stay buffered when no new records arrive before they are flushed.", NULL, -1,
     CONF_WIDTH_NONE, NULL, conf_validate_range, 1, INT32_MAX, NULL, NULL},
    {"dlq.send.batch.on.error", CONF_BOOLEAN, "false", 0, CONF_LOW,
     "On a server-side parse error send the whole in-flight batch to the DLQ.", NULL, -1,
     CONF_WIDTH_NONE, NULL, NULL, U, NULL, NULL},
    {.name = NULL},
};

int questdb_name_in(char *const *list, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (list[i][0] == name[0] && strcmp(list[i], name) == 0) {
            return 1;
        }
    }
    return 0;
}

/* ---- client configuration string ---- */

static int parse_long_key(const char *key, const char *v, int64_t min, int64_t *out,
                          struct kc_error *err)
{
    if (strcmp(v, "off") == 0 && strncmp(key, "auto_flush", 10) == 0) {
        return kc_error_set(err, KC_EINVAL,
                            "client.conf.string: %s=off is not supported; the connector flushes "
                            "by itself (use allowed.lag and auto_flush_rows)",
                            key);
    }
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (v[0] == '\0' || *end != '\0' || errno != 0 || x < min) {
        return kc_error_set(err, KC_EINVAL,
                            "client.conf.string: invalid %s value '%s' (an integer >= %lld)", key,
                            v, (long long)min);
    }
    *out = x;
    return KC_OK;
}

static int set_str(char **dst, const char *v, struct kc_error *err)
{
    char *d = kc_strdup(v);
    if (d == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    kc_free(*dst);
    *dst = d;
    return KC_OK;
}

static int parse_addr(struct questdb_client_conf *c, const char *v, struct kc_error *err)
{
    if (c->host != NULL) {
        return KC_OK; /* fail-over addresses: we use the first */
    }
    const char *colon = strrchr(v, ':');
    size_t hl = colon != NULL ? (size_t)(colon - v) : strlen(v);
    if (hl == 0) {
        return kc_error_set(err, KC_EINVAL, "client.conf.string: addr '%s' has no host", v);
    }
    if (colon != NULL) {
        char *end;
        long p = strtol(colon + 1, &end, 10);
        if (colon[1] == '\0' || *end != '\0' || p < 1 || p > 65535) {
            return kc_error_set(err, KC_EINVAL, "client.conf.string: addr '%s' has a bad port", v);
        }
        c->port = (int)p;
    }
    c->host = kc_malloc(hl + 1);
    if (c->host == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    memcpy(c->host, v, hl);
    c->host[hl] = '\0';
    return KC_OK;
}

static int apply_key(struct questdb_client_conf *c, const char *k, const char *v,
                     int *rows_set, struct kc_error *err)
{
    if (strcmp(k, "addr") == 0) {
        return parse_addr(c, v, err);
    }
    if (strcmp(k, "username") == 0 || strcmp(k, "user") == 0) {
        return set_str(&c->username, v, err);
    }
    if (strcmp(k, "password") == 0 || strcmp(k, "pass") == 0) {
        return set_str(&c->password, v, err);
    }
    if (strcmp(k, "token") == 0) {
        return set_str(&c->token, v, err);
    }
    if (strcmp(k, "token_x") == 0) {
        return set_str(&c->token_x, v, err);
    }
    if (strcmp(k, "token_y") == 0) {
        return set_str(&c->token_y, v, err);
    }
    if (strcmp(k, "dbname") == 0 && c->transport == QUESTDB_PG) {
        return set_str(&c->dbname, v, err);
    }
    if (strcmp(k, "tls_roots") == 0) {
        return set_str(&c->tls_roots, v, err);
    }
    if (strcmp(k, "tls_roots_password") == 0) {
        return KC_OK; /* Java key stores only; we read PEM roots */
    }
    if (strcmp(k, "tls_verify") == 0) {
        if (strcmp(v, "on") == 0) {
            c->tls_verify = 1;
        } else if (strcmp(v, "unsafe_off") == 0) {
            c->tls_verify = 0;
        } else {
            return kc_error_set(err, KC_EINVAL,
                                "client.conf.string: tls_verify must be on or unsafe_off, not '%s'",
                                v);
        }
        return KC_OK;
    }
    if (strcmp(k, "auto_flush") == 0) {
        if (strcmp(v, "on") == 0) {
            return KC_OK;
        }
        return kc_error_set(err, KC_EINVAL,
                            "client.conf.string: auto_flush=%s is not supported; the connector "
                            "flushes by itself",
                            v);
    }
    if (strcmp(k, "auto_flush_rows") == 0) {
        *rows_set = 1;
        return parse_long_key(k, v, 1, &c->auto_flush_rows, err);
    }
    struct {
        const char *name;
        int64_t min;
        int64_t *dst;
    } longs[] = {
        {"auto_flush_interval", 1, &c->auto_flush_interval},
        {"auto_flush_bytes", 1, &c->auto_flush_bytes},
        {"retry_timeout", 0, &c->retry_timeout},
        {"request_timeout", 1, &c->request_timeout},
        {"request_min_throughput", 0, &c->request_min_throughput},
        {"max_buf_size", 1024, &c->max_buf_size},
        {"init_buf_size", 0, NULL},
        {"max_name_len", 16, &c->max_name_len},
        {"protocol_version", 1, NULL},
        {"max_schemas_per_request", 1, NULL},
    };
    for (size_t i = 0; i < sizeof(longs) / sizeof(longs[0]); i++) {
        if (strcmp(k, longs[i].name) == 0) {
            int64_t x = 0;
            if (strcmp(k, "protocol_version") == 0 && strcmp(v, "auto") == 0) {
                c->protocol_version = 0;
                return KC_OK;
            }
            int rc = parse_long_key(k, v, longs[i].min, &x, err);
            if (rc == KC_OK && longs[i].dst != NULL) {
                *longs[i].dst = x;
            }
            if (rc == KC_OK && strcmp(k, "protocol_version") == 0) {
                if (x > 2) {
                    return kc_error_set(err, KC_EINVAL,
                                        "client.conf.string: protocol_version %lld is not "
                                        "supported (1 or 2)",
                                        (long long)x);
                }
                c->protocol_version = (int)x;
            }
            return rc;
        }
    }
    return kc_error_set(err, KC_EINVAL, "client.conf.string: unknown key '%s'", k);
}

int questdb_client_conf_parse(const char *s, struct questdb_client_conf *out,
                              struct kc_error *err)
{
    memset(out, 0, sizeof(*out));
    out->tls_verify = 1;
    out->auto_flush_interval = 1000;
    out->retry_timeout = 10000;
    out->request_timeout = 10000;
    out->request_min_throughput = 102400;
    out->max_buf_size = 100 * 1024 * 1024;
    out->max_name_len = 127;
    int rc = KC_OK, rows_set = 0;
    /* The secret key just read, if any: a lone ';' inside a password or token ends the value
     * early, and what follows must not be quoted back in an error (it is part of the secret). */
    const char *after_secret = NULL;
    struct kc_buf key, val;
    kc_buf_init(&key, 4096);
    kc_buf_init(&val, 1 << 20);

    const char *sep = strstr(s, "::");
    if (sep == NULL) {
        rc = kc_error_set(err, KC_EINVAL,
                          "client.conf.string: missing '::' after the schema (expected e.g. "
                          "http::addr=localhost:9000;)");
        goto out;
    }
    size_t sl = (size_t)(sep - s);
    static const struct {
        const char *name;
        enum questdb_transport t;
        int tls;
        int port;
    } schemas[] = {{"http", QUESTDB_HTTP, 0, 9000}, {"https", QUESTDB_HTTP, 1, 9000},
                   {"tcp", QUESTDB_TCP, 0, 9009},   {"tcps", QUESTDB_TCP, 1, 9009},
                   {"pg", QUESTDB_PG, 0, 8812}};
    size_t si;
    for (si = 0; si < sizeof(schemas) / sizeof(schemas[0]); si++) {
        if (strlen(schemas[si].name) == sl && strncmp(s, schemas[si].name, sl) == 0) {
            break;
        }
    }
    if (si == sizeof(schemas) / sizeof(schemas[0])) {
        rc = kc_error_set(err, KC_EINVAL,
                          "client.conf.string: unknown schema '%.*s' (http, https, tcp, tcps or "
                          "pg)",
                          (int)(sl > 32 ? 32 : sl), s);
        goto out;
    }
    out->transport = schemas[si].t;
    out->tls = schemas[si].tls;
    out->port = schemas[si].port;

    const char *p = sep + 2;
    static const char *const secrets[] = {"password", "pass", "token", "token_x", "token_y"};
    while (*p != '\0') {
        while (*p == ' ') {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        kc_buf_reset(&key);
        kc_buf_reset(&val);
        while (*p != '\0' && *p != '=' && *p != ';') {
            if (kc_buf_append_byte(&key, (uint8_t)*p++) != KC_OK) {
                rc = kc_error_set(err, KC_ENOMEM, "client.conf.string: key too long");
                goto out;
            }
        }
        if (*p != '=') {
            rc = kc_error_set(err, KC_EINVAL, "client.conf.string: key '%s' has no value",
                              key.data != NULL ? key.data : "");
            goto out;
        }
        p++;
        for (;;) {
            if (*p == '\0') {
                rc = kc_error_set(err, KC_EINVAL,
                                  "client.conf.string: value of '%s' is not terminated by ';'",
                                  key.data != NULL ? key.data : "");
                goto out;
            }
            if (*p == ';') {
                if (p[1] == ';') {
                    p += 2;
                    if (kc_buf_append_byte(&val, ';') != KC_OK) {
                        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
                        goto out;
                    }
                    continue;
                }
                p++;
                break;
            }
            if (kc_buf_append_byte(&val, (uint8_t)*p++) != KC_OK) {
                rc = kc_error_set(err, KC_ENOMEM, "client.conf.string: value too long");
                goto out;
            }
        }
        if (key.data == NULL) {
            rc = kc_error_set(err, KC_EINVAL, "client.conf.string: empty key");
            goto out;
        }
        rc = apply_key(out, key.data, val.data != NULL ? val.data : "", &rows_set, err);
        if (rc != KC_OK) {
            goto out;
        }
        after_secret = NULL;
        for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
            if (strcmp(key.data, secrets[i]) == 0) {
                after_secret = secrets[i];
            }
        }
    }
    if (out->host == NULL) {
        rc = kc_error_set(err, KC_EINVAL, "client.conf.string: addr is required");
        goto out;
    }
    out->auto_flush_rows_set = rows_set;
    if (!rows_set) {
        /* PG: a pipeline's results are all held by libpq until read, so keep them fewer. */
        out->auto_flush_rows = out->transport == QUESTDB_TCP  ? 600
                               : out->transport == QUESTDB_PG ? 10000
                                                              : 75000;
    }
    if (out->transport == QUESTDB_PG && out->dbname == NULL) {
        rc = set_str(&out->dbname, "qdb", err);
    }
out:
    if (rc == KC_EINVAL && after_secret != NULL) {
        rc = kc_error_set(err, KC_EINVAL, "client.conf.string: what follows the value of '%s' "
                          "does not parse (not shown: it may be part of the secret; a ';' inside "
                          "a value is written ';;')", after_secret);
    }
    kc_buf_fini(&key);
    kc_buf_fini(&val);
    if (rc != KC_OK) {
        questdb_client_conf_fini(out);
    }
    return rc;
}

static void wipe_free(char *s)
{
    if (s != NULL) {
        memset(s, 0, strlen(s));
        kc_free(s);
    }
}

void questdb_client_conf_fini(struct questdb_client_conf *c)
{
    kc_free(c->host);
    kc_free(c->username);
    wipe_free(c->password);
    wipe_free(c->token);
    kc_free(c->token_x);
    kc_free(c->token_y);
    kc_free(c->dbname);
    kc_free(c->tls_roots);
    memset(c, 0, sizeof(*c));
}

/* ${VAR} from the environment, $$ = '$' (the connector's ClientConfUtils). Owned result. */
static int expand_env(const char *s, char **out, struct kc_error *err)
{
    struct kc_buf b;
    kc_buf_init(&b, 1 << 20);
    int rc = KC_OK;
    for (const char *p = s; *p != '\0'; p++) {
        if (p[0] == '$' && p[1] == '$') {
            rc = kc_buf_append_byte(&b, '$');
            p++;
        } else if (p[0] == '$' && p[1] == '{') {
            const char *end = strchr(p + 2, '}');
            if (end == NULL) {
                rc = kc_error_set(err, KC_EINVAL, "client.conf.string: unterminated ${");
                break;
            }
            char name[256];
            size_t nl = (size_t)(end - p - 2);
            if (nl == 0 || nl >= sizeof(name)) {
                rc = kc_error_set(err, KC_EINVAL, "client.conf.string: bad variable name");
                break;
            }
            memcpy(name, p + 2, nl);
            name[nl] = '\0';
            const char *v = getenv(name);
            if (v == NULL) {
                rc = kc_error_set(err, KC_EINVAL,
                                  "client.conf.string: environment variable '%s' is not set",
                                  name);
                break;
            }
            rc = kc_buf_append_str(&b, v);
            p = end;
        } else {
            rc = kc_buf_append_byte(&b, (uint8_t)*p);
        }
        if (rc != KC_OK) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            break;
        }
    }
    if (rc == KC_OK) {
        *out = b.data != NULL ? kc_buf_take(&b, NULL) : kc_strdup("");
        if (*out == NULL) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        }
    }
    if (b.data != NULL) {
        memset(b.data, 0, b.len);
    }
    kc_buf_fini(&b);
    return rc;
}

/* Build the client config from the connector keys; also the validate path. */
static int client_from_cv(const struct conf_values *cv, struct questdb_client_conf *c,
                          const char **bad_key, struct kc_error *err)
{
    const char *ccs = conf_values_is_null(cv, "client.conf.string")
                          ? NULL
                          : conf_values_password(cv, "client.conf.string");
    const char *env = getenv("QDB_CLIENT_CONF");
    const char *host = conf_values_string(cv, "host");
    if (ccs != NULL && ccs[0] == '\0') {
        ccs = NULL;
    }
    if (host != NULL && host[0] == '\0') {
        host = NULL;
    }
    *bad_key = "client.conf.string";
    if (ccs != NULL && env != NULL) {
        return kc_error_set(err, KC_EINVAL,
                            "client.conf.string is set and so is the QDB_CLIENT_CONF environment "
                            "variable; use one");
    }
    if (ccs == NULL) {
        ccs = env;
    }
    if (ccs != NULL && host != NULL) {
        *bad_key = "host";
        return kc_error_set(err, KC_EINVAL,
                            "host and client.conf.string are mutually exclusive; use "
                            "client.conf.string");
    }
    if (ccs != NULL) {
        char *x = NULL;
        int rc = expand_env(ccs, &x, err);
        if (rc == KC_OK) {
            rc = questdb_client_conf_parse(x, c, err);
        }
        wipe_free(x);
        return rc;
    }
    if (host == NULL) {
        return kc_error_set(err, KC_EINVAL,
                            "either client.conf.string or host must be set (e.g. "
                            "http::addr=localhost:9000;)");
    }
    /* Legacy keys: ILP over TCP. */
    *bad_key = "host";
    struct kc_buf b;
    kc_buf_init(&b, 1 << 16);
    int rc = kc_buf_printf(&b, "%s::addr=%s;", conf_values_bool(cv, "tls") ? "tcps" : "tcp", host);
    if (rc == KC_OK && strchr(host, ';') != NULL) {
        kc_buf_fini(&b);
        return kc_error_set(err, KC_EINVAL, "host: ';' is not allowed in '%s'", host);
    }
    if (rc == KC_OK && strcmp(conf_values_string(cv, "tls.validation.mode"), "insecure") == 0) {
        rc = kc_buf_append_str(&b, "tls_verify=unsafe_off;");
    }
    if (rc != KC_OK) {
        kc_buf_fini(&b);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    rc = questdb_client_conf_parse(b.data, c, err);
    kc_buf_fini(&b);
    if (rc == KC_OK && !conf_values_is_null(cv, "token")) {
        const char *user = conf_values_string(cv, "username");
        if (user == NULL || user[0] == '\0') {
            questdb_client_conf_fini(c);
            *bad_key = "username";
            return kc_error_set(err, KC_EINVAL,
                                "Username cannot be empty when using ILP authentication");
        }
        if (set_str(&c->token, conf_values_password(cv, "token"), err) != KC_OK ||
            set_str(&c->username, user, err) != KC_OK) {
            questdb_client_conf_fini(c);
            return KC_ENOMEM;
        }
    }
    return rc;
}

static int split_list(const char *s, char ***out, size_t *n, struct kc_error *err)
{
    *out = NULL;
    *n = 0;
    if (s == NULL) {
        return KC_OK;
    }
    size_t cap = 1;
    for (const char *p = s; *p; p++) {
        cap += *p == ',';
    }
    char **v = kc_calloc(cap, sizeof(*v));
    if (v == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    size_t k = 0;
    const char *p = s;
    for (;;) {
        size_t l = strcspn(p, ",");
        const char *a = p, *b = p + l;
        while (a < b && isspace((unsigned char)*a)) {
            a++;
        }
        while (b > a && isspace((unsigned char)b[-1])) {
            b--;
        }
        if (b > a) {
            v[k] = kc_malloc((size_t)(b - a) + 1);
            if (v[k] == NULL) {
                *out = v;
                *n = k;
                return kc_error_set(err, KC_ENOMEM, "out of memory");
            }
            memcpy(v[k], a, (size_t)(b - a));
            v[k][b - a] = '\0';
            k++;
        }
        if (p[l] == '\0') {
            break;
        }
        p += l + 1;
    }
    *out = v;
    *n = k;
    return KC_OK;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        kc_free(v[i]);
    }
    kc_free(v);
}

static int dup_opt(const struct conf_values *cv, const char *key, char **dst, struct kc_error *err)
{
    const char *v = conf_values_string(cv, key);
    *dst = NULL;
    if (v == NULL) {
        return KC_OK;
    }
    return set_str(dst, v, err);
}

int questdb_conf_load(const struct conf_values *cv, struct questdb_conf *qc, struct kc_error *err)
{
    memset(qc, 0, sizeof(*qc));
    const char *bad = NULL;
    int rc = client_from_cv(cv, &qc->client, &bad, err);
    if (rc != KC_OK) {
        return rc;
    }
    const char *table = conf_values_string(cv, "table");
    if ((rc = dup_opt(cv, "key.prefix", &qc->key_prefix, err)) != KC_OK ||
        (rc = dup_opt(cv, "value.prefix", &qc->value_prefix, err)) != KC_OK ||
        (rc = dup_opt(cv, "timestamp.string.format", &qc->ts_format_text, err)) != KC_OK ||
        (rc = split_list(conf_values_string(cv, "symbols"), &qc->symbols, &qc->n_symbols, err)) !=
            KC_OK ||
        (rc = split_list(conf_values_string(cv, "doubles"), &qc->doubles, &qc->n_doubles, err)) !=
            KC_OK ||
        (rc = split_list(conf_values_string(cv, "timestamp.field.name"), &qc->ts_fields,
                         &qc->n_ts_fields, err)) != KC_OK ||
        (rc = split_list(conf_values_string(cv, "timestamp.string.fields"),
                         &qc->ts_string_fields, &qc->n_ts_string_fields, err)) != KC_OK) {
        goto fail;
    }
    if (table != NULL && table[0] != '\0' && (rc = set_str(&qc->table, table, err)) != KC_OK) {
        goto fail;
    }
    if (qc->key_prefix == NULL) {
        rc = set_str(&qc->key_prefix, "key", err);
    }
    if (rc == KC_OK && qc->value_prefix == NULL) {
        rc = set_str(&qc->value_prefix, "", err);
    }
    if (rc != KC_OK) {
        goto fail;
    }
    qc->include_key = conf_values_bool(cv, "include.key");
    qc->ts_kafka_native = conf_values_bool(cv, "timestamp.kafka.native");
    qc->skip_unsupported = conf_values_bool(cv, "skip.unsupported.types");
    qc->allowed_lag = conf_values_int(cv, "allowed.lag");
    qc->max_retries = conf_values_int(cv, "max.retries");
    qc->retry_backoff_ms = conf_values_long(cv, "retry.backoff.ms");
    qc->dlq_send_batch_on_error = conf_values_bool(cv, "dlq.send.batch.on.error");
    /* Arrays need ILP protocol v2 (QuestDB 9). Over HTTP with protocol_version=auto the sink
     * asks the server (questdb.c settle_protocol) and may turn this off; TCP stays v1 unless
     * protocol_version=2; PG wire has no array path here. */
    qc->arrays = (qc->client.transport == QUESTDB_HTTP && qc->client.protocol_version != 1) ||
                 (qc->client.transport == QUESTDB_TCP && qc->client.protocol_version == 2);
    const char *u = conf_values_string(cv, "timestamp.units");
    for (int i = 0; ts_units[i] != NULL; i++) {
        if (strcmp(u, ts_units[i]) == 0) {
            qc->ts_units = (enum questdb_ts_unit)i;
        }
    }
    if (qc->ts_kafka_native && qc->n_ts_fields > 0) {
        rc = kc_error_set(err, KC_EINVAL,
                          "timestamp.kafka.native and timestamp.field.name are mutually exclusive");
        goto fail;
    }
    if (qc->n_ts_string_fields > 0 || qc->n_ts_fields > 0) {
        rc = questdb_ts_format_compile(qc->ts_format_text, &qc->ts_format, err);
        if (rc != KC_OK) {
            goto fail;
        }
    }
    return KC_OK;
fail:
    questdb_conf_fini(qc);
    return rc;
}

void questdb_conf_fini(struct questdb_conf *qc)
{
    questdb_client_conf_fini(&qc->client);
    kc_free(qc->table);
    kc_free(qc->key_prefix);
    kc_free(qc->value_prefix);
    free_list(qc->symbols, qc->n_symbols);
    free_list(qc->doubles, qc->n_doubles);
    free_list(qc->ts_fields, qc->n_ts_fields);
    free_list(qc->ts_string_fields, qc->n_ts_string_fields);
    kc_free(qc->ts_format_text);
    questdb_ts_format_free(qc->ts_format);
    memset(qc, 0, sizeof(*qc));
}

int questdb_conf_validate(const struct conf_values *cv, struct conf_infos *errs,
                          struct kc_error *err)
{
    struct questdb_client_conf c;
    struct kc_error e = {0};
    const char *bad = NULL;
    int rc = client_from_cv(cv, &c, &bad, &e);
    if (rc == KC_OK) {
        questdb_client_conf_fini(&c);
    } else if (rc == KC_ENOMEM) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    } else if (conf_values_add_error(errs, bad, e.msg) != KC_OK) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    if (conf_values_bool(cv, "timestamp.kafka.native") &&
        !conf_values_is_null(cv, "timestamp.field.name") &&
        conf_values_string(cv, "timestamp.field.name")[0] != '\0') {
        if (conf_values_add_error(errs, "timestamp.kafka.native",
                                  "timestamp.kafka.native cannot be used together with "
                                  "timestamp.field.name") != KC_OK) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
    }
    const char *fmt = conf_values_string(cv, "timestamp.string.format");
    struct questdb_ts_format *f = NULL;
    kc_error_clear(&e);
    if (fmt != NULL && questdb_ts_format_compile(fmt, &f, &e) != KC_OK) {
        if (conf_values_add_error(errs, "timestamp.string.format", e.msg) != KC_OK) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
    }
    questdb_ts_format_free(f);
    return KC_OK;
}
