/*
 * tests/unit/rest/test_rest_http.c: the HTTP layer end to end on 127.0.0.1 (ephemeral port):
 * libmicrohttpd, headers, body caps, CORS, admin listeners, with the canned herder.
 * Run with "--serve <port>" it just serves the fake herder, for manual diffs against the JVM
 * probe (tests/unit/rest/jvm_probe/).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "fake_herder.h"
#include "rest_server.h"
#include "rest_tls.h"

struct http_reply {
    long status;
    char body[65536];
    size_t body_len;
    char headers[8192];
    size_t hdr_len;
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    struct http_reply *r = ud;
    size_t len = sz * n;
    if (r->body_len + len < sizeof(r->body)) {
        memcpy(r->body + r->body_len, p, len);
        r->body_len += len;
        r->body[r->body_len] = '\0';
    }
    return len;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    struct http_reply *r = ud;
    size_t len = sz * n;
    if (r->hdr_len + len < sizeof(r->headers)) {
        memcpy(r->headers + r->hdr_len, p, len);
        r->hdr_len += len;
        r->headers[r->hdr_len] = '\0';
    }
    return len;
}

/* headers: NULL-ended "Name: value" list */
static void http(uint16_t port, const char *method, const char *path, const char *body,
                 const char *const *headers, struct http_reply *r)
{
    static char url[16384];
    memset(r, 0, sizeof(*r));
    snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", (unsigned)port, path);
    CURL *curl = curl_easy_init();
    struct curl_slist *hl = NULL;
    for (const char *const *h = headers; h && *h; h++) {
        hl = curl_slist_append(hl, *h);
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    }
    if (body != NULL) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
    assert_int_equal(curl_easy_perform(curl), CURLE_OK);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(curl);
}

static const char *header(const struct http_reply *r, const char *name)
{
    static char val[1024];
    const char *p = r->headers;
    size_t nl = strlen(name);
    while ((p = strchr(p, '\n')) != NULL) {
        p++;
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ') {
                v++;
            }
            size_t l = strcspn(v, "\r\n");
            snprintf(val, sizeof(val), "%.*s", (int)l, v);
            return val;
        }
    }
    return NULL;
}

static struct rest_server *start(const struct rest_server_config *cfg)
{
    struct rest_server *rs = NULL;
    struct kc_error err;
    kc_error_clear(&err);
    int rc = rest_server_new(cfg, NULL, &rs, &err);
    if (rc != KC_OK) {
        fprintf(stderr, "rest_server_new: %s\n", err.msg);
    }
    assert_int_equal(rc, KC_OK);
    return rs;
}

static void test_rest_http_basic(void **state)
{
    (void)state;
    struct rest_server_config cfg = {.listeners = "http://127.0.0.1:0"};
    struct rest_server *rs = start(&cfg);
    uint16_t port = rest_server_port(rs, 0);
    struct http_reply r;
    static const char *const json[] = {"Content-Type: application/json", NULL};

    http(port, "GET", "/", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(header(&r, "Content-Type"), "application/json");
    assert_non_null(strstr(r.body, "\"version\":\"4.1.0\""));

    http(port, "GET", "/nope", NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.body, "{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}");
    assert_null(header(&r, "Content-Type"));

    http(port, "POST", "/connectors", "{\"name\":\"a b/c\",\"config\":{}}", json, &r);
    assert_int_equal(r.status, 201);
    char want[128];
    snprintf(want, sizeof(want), "http://127.0.0.1:%u/connectors/a%%20b/c", (unsigned)port);
    assert_string_equal(header(&r, "Location"), want);

    static const char *const form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    http(port, "POST", "/connectors", "{}", form, &r);
    assert_int_equal(r.status, 415);

    http(port, "PUT", "/connectors/sink-a/pause", NULL, NULL, &r);
    assert_int_equal(r.status, 202);
    assert_int_equal(r.body_len, 0);

    http(port, "HEAD", "/connectors", NULL, NULL, &r);
    assert_int_equal(r.status, 200);

    http(port, "OPTIONS", "/connectors", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(header(&r, "Allow"));

    http(port, "GET", "/connectors/sink-a/status", NULL, NULL, &r);
    assert_string_equal(r.body,
                        "{\"name\":\"sink-a\",\"connector\":{\"state\":\"RUNNING\",\"worker_id\":"
                        "\"h:8083\",\"version\":\"4.1.0\"},\"tasks\":[{\"id\":0,\"state\":"
                        "\"FAILED\",\"worker_id\":\"h:8083\",\"version\":\"4.1.0\",\"trace\":"
                        "\"trace\\nline\"},{\"id\":1,\"state\":\"RUNNING\",\"worker_id\":\"h:8083\","
                        "\"version\":null}],\"type\":\"sink\"}");
    /* Jetty's 8 KiB header buffer: long URI -> 414, long headers -> 431 */
    static char longpath[9000];
    memset(longpath, 'z', sizeof(longpath) - 1);
    memcpy(longpath, "/connectors/", 12);
    http(port, "GET", longpath, NULL, NULL, &r);
    assert_int_equal(r.status, 414);
    static char bighdr[17000];
    snprintf(bighdr, sizeof(bighdr), "X-Big: %0*d", 16000, 0);
    const char *const big[] = {bighdr, NULL};
    http(port, "GET", "/", NULL, big, &r);
    assert_int_equal(r.status, 431);
    rest_server_free(rs);
}

static void test_rest_http_body_cap(void **state)
{
    (void)state;
    struct rest_server_config cfg = {.listeners = "http://127.0.0.1:0", .max_body_bytes = 64};
    struct rest_server *rs = start(&cfg);
    uint16_t port = rest_server_port(rs, 0);
    struct http_reply r;
    static const char *const json[] = {"Content-Type: application/json", NULL};
    char big[256];
    memset(big, ' ', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    big[0] = '{';
    big[sizeof(big) - 2] = '}';
    http(port, "PUT", "/connectors/sink-a/config", big, json, &r);
    assert_int_equal(r.status, 413);
    assert_string_equal(r.body,
                        "{\"error_code\":413,\"message\":\"HTTP 413 Request Entity Too Large\"}");
    rest_server_free(rs);
}

static void test_rest_http_cors_and_headers(void **state)
{
    (void)state;
    struct rest_server_config cfg = {.listeners = "http://127.0.0.1:0",
                                     .allow_origin = "http://nb.example",
                                     .response_headers = "set X-Frame-Options:DENY,add X-A:1"};
    struct rest_server *rs = start(&cfg);
    uint16_t port = rest_server_port(rs, 0);
    struct http_reply r;
    static const char *const origin[] = {"Origin: http://nb.example", NULL};
    static const char *const other[] = {"Origin: http://evil.example", NULL};
    http(port, "GET", "/connectors", NULL, origin, &r);
    assert_string_equal(header(&r, "Access-Control-Allow-Origin"), "http://nb.example");
    assert_string_equal(header(&r, "X-Frame-Options"), "DENY");
    assert_string_equal(header(&r, "X-A"), "1");
    http(port, "GET", "/connectors", NULL, other, &r);
    assert_null(header(&r, "Access-Control-Allow-Origin"));
    rest_server_free(rs);
}

static void test_rest_http_admin_listener(void **state)
{
    (void)state;
    struct rest_server_config cfg = {.listeners = "http://127.0.0.1:0",
                                     .admin_listeners = "http://127.0.0.1:0"};
    struct rest_server *rs = start(&cfg);
    assert_int_equal(rest_server_listener_count(rs), 2);
    uint16_t port = rest_server_port(rs, 0), aport = rest_server_port(rs, 1);
    struct http_reply r;
    http(port, "GET", "/admin/loggers", NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    http(aport, "GET", "/admin/loggers", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    http(aport, "GET", "/connectors", NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    rest_server_free(rs);

    struct rest_server_config off = {.listeners = "http://127.0.0.1:0", .admin_listeners = ""};
    rs = start(&off);
    http(rest_server_port(rs, 0), "GET", "/admin/loggers", NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    rest_server_free(rs);
}

static void test_rest_http_bad_listeners(void **state)
{
    (void)state;
    struct rest_server *rs = NULL;
    struct kc_error err;
    struct rest_server_config cfg = {.listeners = "https://127.0.0.1:0"};
    assert_int_equal(rest_server_new(&cfg, NULL, &rs, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "needs the ssl.* keys"));
    struct rest_tls_config tls = {.keystore_location = "/nonexistent/keystore.jks"};
    cfg.tls = &tls;
    assert_int_equal(rest_server_new(&cfg, NULL, &rs, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "/nonexistent/keystore.jks"));
    cfg.tls = NULL;
    cfg.listeners = "127.0.0.1:8083";
    assert_int_equal(rest_server_new(&cfg, NULL, &rs, &err), KC_EINVAL);
    assert_string_equal(err.msg,
                        "Listener doesn't have the right format (protocol://hostname:port).");
    assert_null(rs);
}

int main(int argc, char **argv)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (argc == 3 && strcmp(argv[1], "--serve") == 0) {
        char l[64];
        snprintf(l, sizeof(l), "http://127.0.0.1:%s", argv[2]);
        struct rest_server_config cfg = {.listeners = l};
        struct rest_server *rs = NULL;
        struct kc_error err;
        if (rest_server_new(&cfg, NULL, &rs, &err) != KC_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        fprintf(stderr, "READY\n");
        for (;;) {
            pause();
        }
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rest_http_basic),
        cmocka_unit_test(test_rest_http_body_cap),
        cmocka_unit_test(test_rest_http_cors_and_headers),
        cmocka_unit_test(test_rest_http_admin_listener),
        cmocka_unit_test(test_rest_http_bad_listeners),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    fake_herder_reset();
    curl_global_cleanup();
    return rc;
}
