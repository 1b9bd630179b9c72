/*
 * kc_curl_tls.h: point a libcurl handle at the TLS material of conf_client_tls (requests from
 * one worker to another's https listener). Header-only: the REST room and the herder both send
 * such requests and both link libcurl already.
 */
#ifndef KC_CURL_TLS_H
#define KC_CURL_TLS_H

#include <string.h>

#include <curl/curl.h>

#include "conf_client_tls.h"

/* No-op for NULL or an empty c (libcurl's defaults: the system trust store). */
static inline void kc_curl_tls_apply(CURL *curl, const struct conf_client_tls *c)
{
    if (c == NULL) {
        return;
    }
    if (c->ca_pem != NULL) {
        struct curl_blob b = {c->ca_pem, strlen(c->ca_pem), CURL_BLOB_COPY};
        curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &b);
    }
    if (c->cert_pem != NULL && c->key_pem != NULL) {
        struct curl_blob cb = {c->cert_pem, strlen(c->cert_pem), CURL_BLOB_COPY};
        struct curl_blob kb = {c->key_pem, strlen(c->key_pem), CURL_BLOB_COPY};
        curl_easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
        curl_easy_setopt(curl, CURLOPT_SSLCERT_BLOB, &cb);
        curl_easy_setopt(curl, CURLOPT_SSLKEYTYPE, "PEM");
        curl_easy_setopt(curl, CURLOPT_SSLKEY_BLOB, &kb);
    }
    if (!c->verify_host) {
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
}

#endif
