/*
 * connectors/clickhouse/clickhouse_http.c: the HTTP transport. See clickhouse_http.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <zlib.h>
#include <zstd.h>

#include "clickhouse_http.h"
#include "kc_alloc.h"

#define CH_ERROR_BODY_MAX (64 * 1024) /* error bodies beyond this are cut (text, for messages) */
#define CH_QUERY_RESP_MAX ((size_t)64 << 20)

struct clickhouse_http {
    CURL *curl;          /* owned; reused, so its connection cache keeps the socket */
    char *base;          /* owned: "http(s)://host:port/" */
    char *database;      /* owned or NULL */
    char *user;          /* owned */
    char *password;      /* owned; only ever handed to curl */
    char **settings;     /* owned "k=v" strings */
    size_t n_settings;
    struct curl_slist *resolve; /* owned; SNI override (host:port:addr) */
    struct clickhouse_http_conf conf; /* copy; its pointers are not used after _new */
    struct kc_buf zbuf;  /* compressed body scratch, reused */
    int hdr_code;        /* X-ClickHouse-Exception-Code of the current answer */
};

struct sink_ctx {
    struct kc_buf *b;
    int overflow;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct sink_ctx *s = ud;
    size_t len = size * n;
    if (s->overflow) {
        return len;
    }
    if (kc_buf_append(s->b, p, len) != KC_OK) {
        /* kc_buf emptied itself; keep reading so the connection stays reusable. */
        s->overflow = 1;
    }
    return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct clickhouse_http *ch = ud;
    size_t len = size * n;
    static const char name[] = "x-clickhouse-exception-code:";
    if (len > sizeof(name) - 1 && strncasecmp(p, name, sizeof(name) - 1) == 0) {
        ch->hdr_code = atoi(p + sizeof(name) - 1);
    }
    return len;
}

int clickhouse_http_new(const struct clickhouse_http_conf *conf, struct clickhouse_http **out,
                        struct kc_error *err)
{
    *out = NULL;
    if (conf->host == NULL || conf->host[0] == '\0' || conf->port < 1 || conf->port > 65535) {
        return kc_error_set(err, KC_EINVAL, "ClickHouse: hostname and a port in 1..65535 are "
                            "required");
    }
    struct clickhouse_http *ch = kc_calloc(1, sizeof(*ch));
    if (ch == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    ch->conf = *conf;
    kc_buf_init(&ch->zbuf, SIZE_MAX / 2);
    int v6 = strchr(conf->host, ':') != NULL; /* literal IPv6 needs brackets in a URL */
    ch->base = kc_asprintf("%s://%s%s%s:%d/", conf->ssl ? "https" : "http", v6 ? "[" : "",
                           conf->host, v6 ? "]" : "", conf->port);
    ch->user = kc_strdup(conf->user != NULL && conf->user[0] != '\0' ? conf->user : "default");
    ch->password = kc_strdup(conf->password != NULL ? conf->password : "");
    ch->database = conf->database != NULL && conf->database[0] != '\0' ? kc_strdup(conf->database)
                                                                     : NULL;
    ch->curl = curl_easy_init();
    if (ch->base == NULL || ch->user == NULL || ch->password == NULL || ch->curl == NULL ||
        (conf->database != NULL && conf->database[0] != '\0' && ch->database == NULL)) {
        clickhouse_http_free(ch);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < conf->n_settings; i++) {
        if (strchr(conf->settings[i], '=') == NULL) {
            clickhouse_http_free(ch);
            return kc_error_set(err, KC_EINVAL, "ClickHouse setting '%s' is not key=value",
                                conf->settings[i]);
        }
        if (kc_strv_push(&ch->settings, &ch->n_settings, conf->settings[i]) != KC_OK) {
            clickhouse_http_free(ch);
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
    }
    /* The pointers of the copied conf are the caller's; drop them so nothing uses them later. */
    ch->conf.host = ch->conf.user = ch->conf.password = ch->conf.database = ch->conf.sni = NULL;
    ch->conf.proxy = NULL;
    ch->conf.settings = NULL;

    CURL *curl = ch->curl;
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     conf->connect_timeout_ms > 0 ? conf->connect_timeout_ms : 10000L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, conf->timeout_ms > 0 ? conf->timeout_ms : 0L);
    if (conf->socket_timeout_ms > 0) {
        /* The JVM client's socket timeout: libcurl has no per-read timeout, so "less than one
         * byte per second for that long" aborts the transfer (CURLE_OPERATION_TIMEDOUT). */
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, (conf->socket_timeout_ms + 999) / 1000);
    }
    if (conf->proxy != NULL && conf->proxy[0] != '\0') {
        curl_easy_setopt(curl, CURLOPT_PROXY, conf->proxy); /* curl copies the string */
    }
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, ch);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    if (conf->auth == CH_AUTH_BASIC) {
        curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(curl, CURLOPT_USERNAME, ch->user);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, ch->password);
    }
    if (conf->ssl) {
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, conf->ssl_verify ? 1L : 0L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, conf->ssl_verify ? 2L : 0L);
        if (conf->sni != NULL && conf->sni[0] != '\0') {
            /* SNI override as the official ssl_socket_sni: connect to host, present sni. We map
             * sni:port to host via CURLOPT_CONNECT_TO and use sni in the URL. */
            char *ct = kc_asprintf("%s:%d:%s:%d", conf->sni, conf->port, conf->host, conf->port);
            char *nb = kc_asprintf("https://%s:%d/", conf->sni, conf->port);
            struct curl_slist *l = ct != NULL ? curl_slist_append(NULL, ct) : NULL;
            kc_free(ct);
            if (l == NULL || nb == NULL) {
                curl_slist_free_all(l);
                kc_free(nb);
                clickhouse_http_free(ch);
                return kc_error_set(err, KC_ENOMEM, "out of memory");
            }
            ch->resolve = l;
            kc_free(ch->base);
            ch->base = nb;
            curl_easy_setopt(curl, CURLOPT_CONNECT_TO, ch->resolve);
        }
    }
    *out = ch;
    return KC_OK;
}

void clickhouse_http_free(struct clickhouse_http *ch)
{
    if (ch == NULL) {
        return;
    }
    if (ch->curl != NULL) {
        curl_easy_cleanup(ch->curl);
    }
    curl_slist_free_all(ch->resolve);
    for (size_t i = 0; i < ch->n_settings; i++) {
        kc_free(ch->settings[i]);
    }
    kc_free(ch->settings);
    if (ch->password != NULL) {
        memset(ch->password, 0, strlen(ch->password));
    }
    kc_free(ch->password);
    kc_free(ch->user);
    kc_free(ch->database);
    kc_free(ch->base);
    kc_buf_fini(&ch->zbuf);
    kc_free(ch);
}

/* ---- error bodies ---- */

static const char *find(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++) {
        if (memcmp(s + i, needle, k) == 0) {
            return s + i;
        }
    }
    return NULL;
}

int clickhouse_error_parse(const char *body, size_t len, int *code, const char **msg,
                           size_t *msg_len)
{
    const char *s = body, *end = body + len;
    *code = 0;
    while (s < end && isspace((unsigned char)*s)) {
        s++;
    }
    while (end > s && isspace((unsigned char)end[-1])) {
        end--;
    }
    *msg = s;
    *msg_len = (size_t)(end - s);
    /* The exception may follow partial output; look for the last "Code: ". */
    const char *c = NULL, *p = s;
    while ((p = find(p, (size_t)(end - p), "Code: ")) != NULL) {
        c = p;
        p += 6;
    }
    if (c == NULL) {
        return 0;
    }
    p = c + 6;
    int v = 0, nd = 0;
    while (p < end && *p >= '0' && *p <= '9' && nd < 9) {
        v = v * 10 + (*p - '0');
        p++;
        nd++;
    }
    if (nd == 0 || p >= end || (*p != ',' && *p != '.')) {
        return 0;
    }
    *code = v;
    p++;
    while (p < end && *p == ' ') {
        p++;
    }
    static const char disp[] = "e.displayText() = ";
    if ((size_t)(end - p) >= sizeof(disp) - 1 && memcmp(p, disp, sizeof(disp) - 1) == 0) {
        p += sizeof(disp) - 1;
    }
    static const char exc[] = "DB::Exception: ";
    if ((size_t)(end - p) >= sizeof(exc) - 1 && memcmp(p, exc, sizeof(exc) - 1) == 0) {
        p += sizeof(exc) - 1;
    }
    /* Tails: 18.16 ", e.what() = DB::Exception", newer " (version 24.3.1.1)". */
    const char *w = find(p, (size_t)(end - p), ", e.what() = ");
    if (w != NULL) {
        end = w;
    }
    const char *ver = find(p, (size_t)(end - p), " (version ");
    if (ver != NULL && end[-1] == ')') {
        end = ver;
    }
    *msg = p;
    *msg_len = (size_t)(end - p);
    return 1;
}

int clickhouse_error_retriable(int code)
{
    switch (code) {
    case 3:   /* UNEXPECTED_END_OF_FILE */
    case 107: /* FILE_DOESNT_EXIST */
    case 159: /* TIMEOUT_EXCEEDED */
    case 164: /* READONLY */
    case 202: /* TOO_MANY_SIMULTANEOUS_QUERIES */
    case 203: /* NO_FREE_CONNECTION */
    case 209: /* SOCKET_TIMEOUT */
    case 210: /* NETWORK_ERROR */
    case 241: /* MEMORY_LIMIT_EXCEEDED */
    case 242: /* TABLE_IS_READ_ONLY */
    case 252: /* TOO_MANY_PARTS */
    case 285: /* TOO_FEW_LIVE_REPLICAS */
    case 319: /* UNKNOWN_STATUS_OF_INSERT */
    case 425: /* SYSTEM_ERROR */
    case 999: /* KEEPER_EXCEPTION */
        return 1;
    default:
        return 0;
    }
}

static int curl_retriable(CURLcode c)
{
    switch (c) {
    case CURLE_COULDNT_RESOLVE_HOST: /* the JVM retries UnknownHostException */
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
        return 1;
    default:
        return 0;
    }
}

/* ---- requests ---- */

static int append_param(CURL *curl, struct kc_buf *url, const char *key, size_t klen,
                        const char *val, int *first)
{
    char *k = curl_easy_escape(curl, key, (int)klen);
    char *v = curl_easy_escape(curl, val, 0);
    int rc = (k == NULL || v == NULL) ? KC_ENOMEM
                                      : kc_buf_printf(url, "%s%s=%s", *first ? "?" : "&", k, v);
    curl_free(k);
    curl_free(v);
    *first = 0;
    return rc;
}

static int append_kv(CURL *curl, struct kc_buf *url, const char *kv, int *first)
{
    const char *eq = strchr(kv, '=');
    if (eq == NULL) {
        return KC_EINVAL;
    }
    return append_param(curl, url, kv, (size_t)(eq - kv), eq + 1, first);
}

static int compress_body(struct clickhouse_http *ch, const void *body, size_t len,
                         const void **out, size_t *out_len, struct kc_error *err)
{
    kc_buf_reset(&ch->zbuf);
    if (ch->conf.compression == CH_COMPRESS_ZSTD) {
        size_t bound = ZSTD_compressBound(len);
        if (kc_buf_reserve(&ch->zbuf, bound) != KC_OK) {
            return kc_error_set(err, KC_ENOMEM, "out of memory compressing a request body");
        }
        size_t n = ZSTD_compress(ch->zbuf.data, bound, body, len,
                                 ch->conf.compression_level ? ch->conf.compression_level : 3);
        if (ZSTD_isError(n)) {
            return kc_error_set(err, KC_EFATAL, "zstd: %s", ZSTD_getErrorName(n));
        }
        *out = ch->zbuf.data;
        *out_len = n;
        return KC_OK;
    }
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    int level = ch->conf.compression_level ? ch->conf.compression_level : 1;
    if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return kc_error_set(err, KC_ENOMEM, "zlib: deflateInit2 failed");
    }
    size_t bound = deflateBound(&zs, (uLong)len);
    if (kc_buf_reserve(&ch->zbuf, bound) != KC_OK) {
        deflateEnd(&zs);
        return kc_error_set(err, KC_ENOMEM, "out of memory compressing a request body");
    }
    zs.next_in = (Bytef *)(uintptr_t)body;
    zs.avail_in = (uInt)len;
    zs.next_out = (Bytef *)ch->zbuf.data;
    zs.avail_out = (uInt)bound;
    int zr = deflate(&zs, Z_FINISH);
    size_t n = zs.total_out;
    deflateEnd(&zs);
    if (zr != Z_STREAM_END) {
        return kc_error_set(err, KC_EFATAL, "zlib: deflate failed (%d)", zr);
    }
    *out = ch->zbuf.data;
    *out_len = n;
    return KC_OK;
}

/*
 * One POST. query (may be NULL) goes in the URL, body as the request body. The answer is
 * appended to resp (caller's) or kept in a local buffer for the error message.
 */
static int do_post(struct clickhouse_http *ch, const char *query, const char *const *extra,
                   size_t n_extra, const void *body, size_t len, int compress, struct kc_buf *resp,
                   struct clickhouse_http_result *res, struct kc_error *err)
{
    struct clickhouse_http_result local_res;
    struct kc_buf url, ebuf;
    struct curl_slist *hdrs = NULL;
    char *auth_user = NULL, *auth_key = NULL;
    int first = 1, rc = KC_OK;
    CURL *curl = ch->curl;
    if (res == NULL) {
        res = &local_res;
    }
    memset(res, 0, sizeof(*res));
    kc_buf_init(&url, 1 << 20);
    kc_buf_init(&ebuf, CH_ERROR_BODY_MAX);
    if (kc_buf_append_str(&url, ch->base) != KC_OK) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        goto out;
    }
    if ((query != NULL && append_param(curl, &url, "query", 5, query, &first) != KC_OK) ||
        (ch->database != NULL && append_param(curl, &url, "database", 8, ch->database, &first) !=
                                     KC_OK)) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory building the request URL");
        goto out;
    }
    for (size_t i = 0; i < ch->n_settings; i++) {
        if (append_kv(curl, &url, ch->settings[i], &first) != KC_OK) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory building the request URL");
            goto out;
        }
    }
    for (size_t i = 0; i < n_extra; i++) {
        if ((rc = append_kv(curl, &url, extra[i], &first)) != KC_OK) {
            rc = rc == KC_EINVAL ? kc_error_set(err, KC_EINVAL, "setting '%s' is not key=value",
                                                extra[i])
                                 : kc_error_set(err, KC_ENOMEM, "out of memory");
            goto out;
        }
    }
    const void *wire = body;
    size_t wire_len = len;
    if (compress && ch->conf.compression != CH_COMPRESS_NONE && len > 0) {
        if ((rc = compress_body(ch, body, len, &wire, &wire_len, err)) != KC_OK) {
            goto out;
        }
        hdrs = curl_slist_append(hdrs, ch->conf.compression == CH_COMPRESS_ZSTD
                                           ? "Content-Encoding: zstd"
                                           : "Content-Encoding: gzip");
    }
    hdrs = curl_slist_append(hdrs, "Content-Type: application/octet-stream");
    hdrs = curl_slist_append(hdrs, "Expect:"); /* no 100-continue round trip */
    if (ch->conf.auth == CH_AUTH_HEADER) {
        auth_user = kc_asprintf("X-ClickHouse-User: %s", ch->user);
        auth_key = kc_asprintf("X-ClickHouse-Key: %s", ch->password);
        if (auth_user == NULL || auth_key == NULL) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            goto out;
        }
        hdrs = curl_slist_append(hdrs, auth_user);
        hdrs = curl_slist_append(hdrs, auth_key);
    }
    if (hdrs == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        goto out;
    }
    struct sink_ctx sc = {.b = resp != NULL ? resp : &ebuf, .overflow = 0};
    size_t resp_mark = sc.b->len;
    ch->hdr_code = 0;
    curl_easy_setopt(curl, CURLOPT_URL, url.data);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, wire_len ? wire : "");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)wire_len);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sc);
    CURLcode cc = curl_easy_perform(curl);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
    res->curl_code = (int)cc;
    res->sent_bytes = wire_len;
    curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &res->new_connections);
    if (cc != CURLE_OK) {
        rc = kc_error_set(err, curl_retriable(cc) ? KC_RETRY : KC_EIO,
                          "ClickHouse at %s: %s", ch->base, curl_easy_strerror(cc));
        goto out;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &res->status);
    if (res->status == 200 && !sc.overflow) {
        rc = KC_OK;
        goto out;
    }
    if (res->status == 200) {
        rc = kc_error_set(err, KC_EIO, "ClickHouse answer larger than the buffer's cap");
        goto out;
    }
    const char *body_text = sc.b->data != NULL ? sc.b->data + resp_mark : "";
    size_t body_len = sc.b->data != NULL ? sc.b->len - resp_mark : 0;
    const char *msg;
    size_t msg_len;
    int code = 0;
    clickhouse_error_parse(body_text, body_len, &code, &msg, &msg_len);
    if (ch->hdr_code > 0) {
        code = ch->hdr_code;
    }
    res->code = code;
    int retry = code != 0 ? clickhouse_error_retriable(code)
                          : (res->status == 502 || res->status == 503 || res->status == 504);
    if (code != 0) {
        rc = kc_error_set(err, retry ? KC_RETRY : KC_EIO, "ClickHouse error %d (HTTP %ld): %.*s",
                          code, res->status, (int)(msg_len > 700 ? 700 : msg_len), msg);
    } else {
        rc = kc_error_set(err, retry ? KC_RETRY : KC_EIO, "ClickHouse HTTP %ld: %.*s",
                          res->status, (int)(msg_len > 700 ? 700 : msg_len), msg);
    }
    if (resp != NULL) {
        resp->len = resp_mark; /* an error body is not an answer */
        if (resp->data != NULL) {
            resp->data[resp_mark] = '\0';
        }
    }
out:
    curl_slist_free_all(hdrs);
    if (auth_key != NULL) {
        memset(auth_key, 0, strlen(auth_key));
    }
    kc_free(auth_key);
    kc_free(auth_user);
    kc_buf_fini(&ebuf);
    kc_buf_fini(&url);
    return rc;
}

int clickhouse_http_insert(struct clickhouse_http *ch, const char *query, const void *body,
                           size_t len, const char *const *extra, size_t n_extra,
                           struct clickhouse_http_result *res, struct kc_error *err)
{
    return do_post(ch, query, extra, n_extra, body, len, 1, NULL, res, err);
}

int clickhouse_http_query(struct clickhouse_http *ch, const char *sql, struct kc_buf *resp,
                          struct clickhouse_http_result *res, struct kc_error *err)
{
    return do_post(ch, NULL, NULL, 0, sql, strlen(sql), 0, resp, res, err);
}

int clickhouse_http_version(struct clickhouse_http *ch, int *major, int *minor, int *patch,
                            struct kc_error *err)
{
    struct kc_buf b;
    kc_buf_init(&b, 4096);
    int rc = clickhouse_http_query(ch, "SELECT version()", &b, NULL, err);
    if (rc == KC_OK) {
        *major = *minor = *patch = 0;
        if (b.data == NULL || sscanf(b.data, "%d.%d.%d", major, minor, patch) < 2) {
            rc = kc_error_set(err, KC_EIO, "ClickHouse: cannot read a version from '%.40s'",
                              b.data != NULL ? b.data : "");
        }
    }
    kc_buf_fini(&b);
    return rc;
}

static int put_ident(struct kc_buf *out, const char *s)
{
    int rc = kc_buf_append_byte(out, '`');
    for (; *s != '\0' && rc == KC_OK; s++) {
        if (*s == '`' || *s == '\\') {
            rc = kc_buf_append_byte(out, '\\');
        }
        rc = rc ? rc : kc_buf_append_byte(out, (uint8_t)*s);
    }
    return rc ? rc : kc_buf_append_byte(out, '`');
}

int clickhouse_http_describe(struct clickhouse_http *ch, const char *db, const char *table,
                             struct clickhouse_table *t, struct kc_error *err)
{
    struct kc_buf sql, resp;
    kc_buf_init(&sql, 1 << 16);
    kc_buf_init(&resp, CH_QUERY_RESP_MAX);
    int rc = kc_buf_append_str(&sql, "DESCRIBE TABLE ");
    if (db != NULL && rc == KC_OK) {
        rc = put_ident(&sql, db);
        rc = rc ? rc : kc_buf_append_byte(&sql, '.');
    }
    rc = rc ? rc : put_ident(&sql, table);
    rc = rc ? rc : kc_buf_append_str(&sql, " FORMAT TabSeparated");
    if (rc != KC_OK) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
    } else if ((rc = clickhouse_http_query(ch, sql.data, &resp, NULL, err)) == KC_OK) {
        rc = clickhouse_table_parse_describe(resp.data != NULL ? resp.data : "", resp.len, t, err);
    }
    kc_buf_fini(&sql);
    kc_buf_fini(&resp);
    return rc;
}
