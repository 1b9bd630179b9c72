/*
 * rest/rest_forward.c: requests only the group's leader serves, re-issued to it
 * (connect-compat.md §2.2, the JVM's HerderRequestHandler.completeOrForwardRequest): same
 * method, path and body, the original query plus forward=<bool>, only the Authorization header
 * copied, Accept: application/json, User-Agent: kafka-connect. The leader's answer is relayed:
 * 2xx as is (201 vs 200 kept), 4xx/5xx with the remote status, error_code and message, any other
 * status a 500 "Unexpected status code when handling forwarded request: <code>", and I/O errors a
 * 500 "IO Error trying to forward REST request: <reason>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "kc_alloc.h"
#include "kc_curl_tls.h"
#include "kc_log.h"
#include "rest_int.h"

#define REST_FORWARD_TIMEOUT_MS 90000 /* the JVM's request timeout */

struct fwd_buf {
    char *p;
    size_t n;
};

static size_t fwd_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct fwd_buf *b = ud;
    size_t add = size * nmemb;
    char *np = realloc(b->p, b->n + add + 1); /* response bodies are free()d */
    if (np == NULL) {
        return 0;
    }
    memcpy(np + b->n, ptr, add);
    b->n += add;
    np[b->n] = '\0';
    b->p = np;
    return add;
}

/* "<base><path>?forward=<b>&<other query>": base without its trailing '/'. Owned. */
static char *forward_url(CURL *curl, const struct rest_request *rq, const char *base, int recursive)
{
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/') {
        bl--;
    }
    char *url = kc_asprintf("%.*s%s?forward=%s", (int)bl, base, rq->path,
                            recursive ? "true" : "false");
    for (size_t i = 0; url != NULL && i < rq->query.n; i++) {
        if (strcmp(rq->query.name[i], "forward") == 0) {
            continue;
        }
        char *n = curl_easy_escape(curl, rq->query.name[i], 0);
        char *v = curl_easy_escape(curl, rq->query.value[i] ? rq->query.value[i] : "", 0);
        char *next = n != NULL && v != NULL ? kc_asprintf("%s&%s=%s", url, n, v) : NULL;
        curl_free(n);
        curl_free(v);
        kc_free(url);
        url = next;
    }
    return url;
}

static void set_location(const struct rest_request *rq, struct rest_response *rs)
{
    json_t *j = json_loadb(rs->body, rs->body_len, 0, NULL);
    const char *name = json_string_value(json_object_get(j, "name"));
    char *enc = name != NULL ? rest_path_encode(name) : NULL;
    if (enc != NULL && rq->host != NULL && rq->host[0] != '\0') {
        rs->location = kc_asprintf("%s://%s/connectors/%s", rq->https ? "https" : "http", rq->host,
                                   enc);
    }
    kc_free(enc);
    json_decref(j);
}

void rest_forward(const struct rest_ctx *ctx, const struct rest_request *rq, const char *base,
                  int recursive, struct rest_response *rs)
{
    CURL *curl = curl_easy_init();
    char *url = curl != NULL ? forward_url(curl, rq, base, recursive) : NULL;
    char *auth = rq->authorization != NULL ? kc_asprintf("Authorization: %s", rq->authorization)
                                           : NULL;
    struct curl_slist *hd = NULL;
    struct fwd_buf resp = {0};
    if (url == NULL || (rq->authorization != NULL && auth == NULL)) {
        rest_respond_error(rs, 500, "out of memory");
        goto out;
    }
    kc_log(KC_LOG_DEBUG, "rest", "Forwarding %s %s to %s", rq->method_name, rq->path, url);
    hd = curl_slist_append(hd, "Accept: application/json");
    hd = curl_slist_append(hd, "Expect:");
    if (rq->body != NULL || rq->method == REST_POST || rq->method == REST_PUT ||
        rq->method == REST_PATCH) {
        hd = curl_slist_append(hd, "Content-Type: application/json");
    }
    if (auth != NULL) {
        hd = curl_slist_append(hd, auth);
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, rq->method_name);
    if (rq->body != NULL) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, rq->body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)rq->body_len);
    } else if (rq->method == REST_POST || rq->method == REST_PUT || rq->method == REST_PATCH) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, 0L);
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "kafka-connect");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)REST_FORWARD_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, fwd_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &resp);
    kc_curl_tls_apply(curl, ctx->client_tls);
    CURLcode cr = curl_easy_perform(curl);
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    if (cr != CURLE_OK) {
        char msg[512];
        snprintf(msg, sizeof(msg), "IO Error trying to forward REST request: %s",
                 curl_easy_strerror(cr));
        rest_respond_error(rs, 500, msg);
    } else if (code >= 200 && code < 300) {
        free(rs->body);
        rs->status = (int)code;
        rs->json = 1;
        rs->body = resp.p;
        rs->body_len = resp.n;
        resp.p = NULL;
        if (code == 201 && rq->method == REST_POST && rs->body != NULL) {
            set_location(rq, rs);
        }
    } else if (code >= 400 && code < 600) {
        json_t *j = resp.p != NULL ? json_loadb(resp.p, resp.n, 0, NULL) : NULL;
        const char *m = json_string_value(json_object_get(j, "message"));
        rest_respond_error(rs, (int)code, m != NULL ? m : (resp.p != NULL ? resp.p : ""));
        json_decref(j);
    } else {
        char msg[128];
        snprintf(msg, sizeof(msg), "Unexpected status code when handling forwarded request: %ld",
                 code);
        rest_respond_error(rs, 500, msg);
    }
out:
    curl_slist_free_all(hd);
    if (curl != NULL) {
        curl_easy_cleanup(curl);
    }
    free(resp.p);
    kc_free(url);
    kc_free(auth);
}
