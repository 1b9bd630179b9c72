/*
 * connectors/questdb/questdb_http.c: ILP over HTTP. See questdb_http.h. The retry rules copy
 * QuestDB's Java client (AbstractLineHttpSender): network errors and HTTP 500, 503, 504, 507,
 * 509, 523, 524, 529, 599 are retried with jittered back-off from 10 ms doubling to 1 s, until
 * retry_timeout ms have passed since the first attempt.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kc_alloc.h"
#include "kc_buf.h"
#include "questdb_http.h"

struct questdb_http {
    CURL *curl;       /* owned; reused, so the connection is kept alive */
    char *url;        /* owned */
    char *settings_url; /* owned: GET /settings (protocol versions) */
    char *auth;       /* owned "Authorization: Bearer ..." or NULL */
    struct curl_slist *headers; /* owned */
    struct kc_buf resp;
    long retry_timeout_ms;
    long request_timeout_ms;
    long min_throughput;
    long requests;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct questdb_http *h = ud;
    if (kc_buf_append(&h->resp, p, size * n) != KC_OK) {
        return 0;
    }
    return size * n;
}

void questdb_http_free(struct questdb_http *h)
{
    if (h == NULL) {
        return;
    }
    if (h->curl != NULL) {
        curl_easy_cleanup(h->curl);
    }
    curl_slist_free_all(h->headers);
    if (h->auth != NULL) {
        memset(h->auth, 0, strlen(h->auth));
    }
    kc_free(h->auth);
    kc_free(h->url);
    kc_free(h->settings_url);
    kc_buf_fini(&h->resp);
    kc_free(h);
}

int questdb_http_new(const struct questdb_client_conf *c, struct questdb_http **out,
                     struct kc_error *err)
{
    *out = NULL;
    struct questdb_http *h = kc_calloc(1, sizeof(*h));
    struct kc_buf b;
    kc_buf_init(&b, 1 << 16);
    if (h == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    kc_buf_init(&h->resp, 1 << 20);
    h->retry_timeout_ms = (long)c->retry_timeout;
    h->request_timeout_ms = (long)c->request_timeout;
    h->min_throughput = (long)c->request_min_throughput;
    int ipv6 = strchr(c->host, ':') != NULL;
    if (kc_buf_printf(&b, "%s://%s%s%s:%d/write", c->tls ? "https" : "http", ipv6 ? "[" : "",
                      c->host, ipv6 ? "]" : "", c->port) != KC_OK ||
        (h->url = kc_buf_take(&b, NULL)) == NULL ||
        kc_buf_printf(&b, "%.*s/settings", (int)(strlen(h->url) - strlen("/write")), h->url) !=
            KC_OK ||
        (h->settings_url = kc_buf_take(&b, NULL)) == NULL) {
        goto nomem;
    }
    h->curl = curl_easy_init();
    if (h->curl == NULL) {
        goto nomem;
    }
    curl_easy_setopt(h->curl, CURLOPT_URL, h->url);
    curl_easy_setopt(h->curl, CURLOPT_POST, 1L);
    curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, h);
    curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS, h->request_timeout_ms);
    curl_easy_setopt(h->curl, CURLOPT_TCP_NODELAY, 1L);
    if (c->tls && !c->tls_verify) {
        curl_easy_setopt(h->curl, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h->curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (c->tls && c->tls_roots != NULL) {
        curl_easy_setopt(h->curl, CURLOPT_CAINFO, c->tls_roots);
    }
    if (c->token != NULL) {
        if (kc_buf_printf(&b, "Authorization: Bearer %s", c->token) != KC_OK ||
            (h->auth = kc_buf_take(&b, NULL)) == NULL) {
            goto nomem;
        }
        h->headers = curl_slist_append(h->headers, h->auth);
    } else if (c->username != NULL) {
        curl_easy_setopt(h->curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h->curl, CURLOPT_USERNAME, c->username);
        curl_easy_setopt(h->curl, CURLOPT_PASSWORD, c->password != NULL ? c->password : "");
    }
    h->headers = curl_slist_append(h->headers, "Content-Type: text/plain; charset=utf-8");
    h->headers = curl_slist_append(h->headers, "Expect:");
    if (h->headers == NULL) {
        goto nomem;
    }
    curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->headers);
    kc_buf_fini(&b);
    *out = h;
    return KC_OK;
nomem:
    kc_buf_fini(&b);
    questdb_http_free(h);
    return kc_error_set(err, KC_ENOMEM, "out of memory");
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int retryable_status(long s)
{
    return s == 500 || s == 503 || s == 504 || s == 507 || s == 509 || s == 523 || s == 524 ||
           s == 529 || s == 599;
}

/* The server's error JSON as one message. */
static void error_message(struct questdb_http *h, long status, long *bad_line,
                          struct kc_error *err, int rc)
{
    json_error_t je;
    json_t *j = h->resp.len > 0 ? json_loadb(h->resp.data, h->resp.len, 0, &je) : NULL;
    const char *msg = j != NULL ? json_string_value(json_object_get(j, "message")) : NULL;
    const char *id = j != NULL ? json_string_value(json_object_get(j, "errorId")) : NULL;
    json_t *line = j != NULL ? json_object_get(j, "line") : NULL;
    *bad_line = json_is_integer(line) ? (long)json_integer_value(line) : 0;
    if (msg != NULL && *bad_line > 0) {
        kc_error_set(err, rc, "QuestDB refused the write (HTTP %ld, line %ld, errorId %s): %s",
                     status, *bad_line, id != NULL ? id : "-", msg);
    } else if (msg != NULL) {
        kc_error_set(err, rc, "QuestDB refused the write (HTTP %ld, errorId %s): %s", status,
                     id != NULL ? id : "-", msg);
    } else {
        kc_error_set(err, rc, "QuestDB answered HTTP %ld: %.300s", status,
                     h->resp.data != NULL ? h->resp.data : "");
    }
    json_decref(j);
}

int questdb_http_send(struct questdb_http *h, const char *body, size_t len, long *bad_line,
                      struct kc_error *err)
{
    *bad_line = 0;
    int64_t start = now_ms();
    long backoff = 10;
    /* curl's low-speed limit gives request_min_throughput: the request may take
     * request_timeout plus len / throughput. */
    long timeout = h->request_timeout_ms;
    if (h->min_throughput > 0) {
        timeout += (long)(len * 1000 / (size_t)h->min_throughput);
    }
    curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, timeout);
    for (;;) {
        kc_buf_reset(&h->resp);
        h->requests++;
        CURLcode cc = curl_easy_perform(h->curl);
        long status = 0;
        if (cc == CURLE_OK) {
            curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
            if (status >= 200 && status < 300) {
                return KC_OK;
            }
            if (status == 401 || status == 403) {
                return kc_error_set(err, KC_EPERM,
                                    "QuestDB refused the credentials (HTTP %ld); check "
                                    "username/password or token in client.conf.string",
                                    status);
            }
            if (!retryable_status(status)) {
                error_message(h, status, bad_line, err, KC_EINVAL);
                return KC_EINVAL;
            }
            error_message(h, status, bad_line, err, KC_RETRY);
        } else {
            kc_error_set(err, KC_RETRY, "cannot reach QuestDB at %s: %s", h->url,
                         curl_easy_strerror(cc));
        }
        int64_t elapsed = now_ms() - start;
        if (elapsed + backoff > h->retry_timeout_ms) {
            return KC_RETRY; /* err says why */
        }
        long jitter = backoff / 2 > 0 ? (long)(rand() % (int)(backoff / 2 + 1)) : 0;
        struct timespec ts = {.tv_sec = (backoff + jitter) / 1000,
                              .tv_nsec = ((backoff + jitter) % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        backoff = backoff * 2 > 1000 ? 1000 : backoff * 2;
    }
}

int questdb_http_protocol_versions(struct questdb_http *h, unsigned *versions,
                                   struct kc_error *err)
{
    *versions = 0;
    kc_buf_reset(&h->resp);
    curl_easy_setopt(h->curl, CURLOPT_URL, h->settings_url);
    curl_easy_setopt(h->curl, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, h->request_timeout_ms);
    h->requests++;
    CURLcode cc = curl_easy_perform(h->curl);
    long status = 0;
    curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
    /* back to POST /write (POSTFIELDS are set again by every send) */
    curl_easy_setopt(h->curl, CURLOPT_URL, h->url);
    curl_easy_setopt(h->curl, CURLOPT_POST, 1L);
    if (cc != CURLE_OK) {
        return kc_error_set(err, KC_RETRY, "cannot reach QuestDB at %s: %s", h->settings_url,
                            curl_easy_strerror(cc));
    }
    if (status == 401 || status == 403) {
        return kc_error_set(err, KC_EPERM,
                            "QuestDB refused the credentials (HTTP %ld); check username/password "
                            "or token in client.conf.string",
                            status);
    }
    if (status == 404) {
        *versions = 1u << 1; /* a server older than /settings: ILP v1 only */
        return KC_OK;
    }
    if (status != 200) {
        return kc_error_set(err, KC_RETRY, "QuestDB answered HTTP %ld to GET /settings", status);
    }
    json_error_t je;
    json_t *j = json_loadb(h->resp.data, h->resp.len, 0, &je);
    json_t *cfg = json_object_get(j, "config");
    json_t *list = json_object_get(json_is_object(cfg) ? cfg : j, "line.proto.support.versions");
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        if (json_is_integer(v) && json_integer_value(v) >= 1 && json_integer_value(v) < 32) {
            *versions |= 1u << json_integer_value(v);
        }
    }
    json_decref(j);
    if (*versions == 0) {
        *versions = 1u << 1; /* settings without the list: as the Java client, v1 */
    }
    return KC_OK;
}

long questdb_http_requests(const struct questdb_http *h)
{
    return h->requests;
}
