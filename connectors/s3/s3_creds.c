/*
 * connectors/s3/s3_creds.c: the AWS default credentials chain for the S3 store (s3_creds.h).
 *
 * One mutex guards the current credentials; a refresh happens under it, so two threads asking
 * at once fetch once. The HTTP calls (STS, the container endpoint, IMDS) go through their own
 * libcurl handle, never through a proxy (those endpoints are link-local, or AWS's own).
 */
#include "s3_creds.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "kc_alloc.h"
#include "kc_buf.h"

enum kind {
    C_NONE = 0,
    C_CONNECTOR,
    C_ENV,
    C_WEB_IDENTITY,
    C_PROFILE,
    C_CONTAINER,
    C_IMDS,
    C_ASSUME_ROLE
};

struct s3_creds {
    enum kind kind;
    pthread_mutex_t mu;
    char *key, *secret, *token; /* owned; current */
    int64_t expires_ms;         /* 0: they do not expire */
    int64_t next_try_ms;        /* a failed refresh waits until then (old ones still valid) */
    /* where temporary ones come from (owned) */
    char *role_arn, *token_file, *session_name, *sts_url;
    char *container_url, *container_auth, *container_auth_file;
    char *imds;
    struct s3_creds *base; /* owned: what signs AssumeRole (C_ASSUME_ROLE) */
    char *external_id, *sts_region;
};

#define REFRESH_BEFORE_MS (5 * 60 * 1000)
#define RETRY_REFRESH_MS (30 * 1000)
/* temporary credentials whose expiry is not told are fetched again after this long */
#define UNTOLD_TTL_MS (15 * 60 * 1000)
#define BODY_MAX ((size_t)1 << 20)

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *dup_env(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' ? kc_strdup(v) : NULL;
}

/* A variable set to something (Helm charts leave some set to ""). */
static int has_env(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0';
}

static void wipe_free(char *s)
{
    if (s != NULL) {
        memset(s, 0, strlen(s));
        kc_free(s);
    }
}

/* "2026-12-06T10:00:00Z" (fractions and "+00:00" accepted) as ms since the epoch; 0 if not. */
static int64_t iso_ms(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                            &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
        return 0;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    return t < 0 ? 0 : (int64_t)t * 1000;
}

static size_t body_cb(char *p, size_t size, size_t n, void *ud)
{
    struct kc_buf *b = ud;
    return kc_buf_append(b, p, size * n) == KC_OK ? size * n : 0;
}

/* One HTTP exchange: its status and body (NUL-ended). sigv4 ("aws:amz:<region>:sts") and
 * userpwd ("key:secret"): signed with them, else NULL. KC_RETRY when it could not be made. */
static int http(const char *method, const char *url, struct curl_slist *hdrs, const char *body,
                const char *sigv4, const char *userpwd, long timeout_ms, struct kc_buf *out,
                long *status, struct kc_error *err)
{
    CURL *curl = curl_easy_init();
    if (curl == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    kc_buf_reset(out);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 2000 ? timeout_ms : 2000L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
    if (sigv4 != NULL) {
        curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4);
        curl_easy_setopt(curl, CURLOPT_USERPWD, userpwd);
    }
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, body_cb);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
    if (body != NULL) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    }
    if (strcmp(method, "PUT") == 0) {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "PUT");
        if (body == NULL) {
            curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
        }
    }
    CURLcode cc = curl_easy_perform(curl);
    *status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(curl);
    if (cc == CURLE_OUT_OF_MEMORY || (cc == CURLE_OK && kc_buf_append_byte(out, 0) != KC_OK)) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    int rc = cc == CURLE_OK ? KC_OK : KC_RETRY;
    if (rc != KC_OK) {
        return kc_error_set(err, KC_RETRY, "%s %s: %s", method, url,
                            errbuf[0] ? errbuf : curl_easy_strerror(cc));
    }
    out->len--; /* the NUL stays after the text */
    return KC_OK;
}

/* Take new credentials (copies), replacing the current ones. */
static int set_creds(struct s3_creds *c, const char *key, const char *secret, const char *token,
                     int64_t expires_ms)
{
    char *k = kc_strdup(key), *s = kc_strdup(secret);
    char *t = token != NULL && token[0] != '\0' ? kc_strdup(token) : NULL;
    if (k == NULL || s == NULL || (token != NULL && token[0] != '\0' && t == NULL)) {
        kc_free(k);
        wipe_free(s);
        wipe_free(t);
        return KC_ENOMEM;
    }
    kc_free(c->key);
    wipe_free(c->secret);
    wipe_free(c->token);
    c->key = k;
    c->secret = s;
    c->token = t;
    c->expires_ms = expires_ms;
    return KC_OK;
}

/* Temporary credentials: an expiry that was not told (or not read) is taken as UNTOLD_TTL_MS,
 * so they are fetched again in time. */
static int64_t temporary_expiry(int64_t told)
{
    return told > 0 ? told : now_ms() + UNTOLD_TTL_MS;
}

/* {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}: the container endpoint's and
 * IMDS's answer. */
static int take_json(struct s3_creds *c, const char *text, const char *from,
                     struct kc_error *err)
{
    json_t *j = json_loads(text, 0, NULL);
    const char *k = json_string_value(json_object_get(j, "AccessKeyId"));
    const char *s = json_string_value(json_object_get(j, "SecretAccessKey"));
    const char *t = json_string_value(json_object_get(j, "Token"));
    const char *e = json_string_value(json_object_get(j, "Expiration"));
    int rc = k != NULL && s != NULL ? set_creds(c, k, s, t, temporary_expiry(iso_ms(e)))
                                    : kc_error_set(err, KC_RETRY, "%s: no credentials in the "
                                                                  "answer", from);
    json_decref(j);
    return rc == KC_ENOMEM ? kc_error_set(err, rc, "out of memory") : rc;
}

/* The text of <tag>...</tag> in xml, malloc'd (XML entities of a key or token do not occur). */
static char *xml_tag(const char *xml, const char *tag)
{
    char open[64], close[64];
    snprintf(open, sizeof(open), "<%s>", tag);
    snprintf(close, sizeof(close), "</%s>", tag);
    const char *a = strstr(xml, open);
    const char *b = a != NULL ? strstr(a, close) : NULL;
    return b != NULL ? kc_strndup(a + strlen(open), (size_t)(b - a - strlen(open))) : NULL;
}

/* STS's URL (malloc'd): AWS_ENDPOINT_URL_STS, else AWS's regional endpoint. */
static char *sts_url(const char *region)
{
    const char *sts = getenv("AWS_ENDPOINT_URL_STS");
    const char *rg = region != NULL && region[0] ? region : "us-east-1";
    return sts != NULL && sts[0] != '\0'
               ? kc_strdup(sts)
               : kc_asprintf("https://sts.%s.amazonaws.com%s/", rg,
                             strncmp(rg, "cn-", 3) == 0 ? ".cn" : "");
}

/* STS's answer (AssumeRole, AssumeRoleWithWebIdentity): its <Credentials>, or its error code. */
static int take_sts(struct s3_creds *c, const struct kc_buf *out, long status, const char *action,
                    struct kc_error *err)
{
    const char *x = (const char *)out->data;
    if (status != 200) {
        /* the code only: a SignatureDoesNotMatch message quotes the canonical request, session
         * token and all */
        char *code = xml_tag(x, "Code");
        int rc = kc_error_set(err, KC_RETRY, "STS %s for %s: HTTP %ld %s", action, c->role_arn,
                              status, code != NULL ? code : "");
        kc_free(code);
        return rc;
    }
    char *k = xml_tag(x, "AccessKeyId"), *s = xml_tag(x, "SecretAccessKey");
    char *st = xml_tag(x, "SessionToken"), *e = xml_tag(x, "Expiration");
    int rc = k != NULL && s != NULL ? set_creds(c, k, s, st, temporary_expiry(iso_ms(e)))
                                    : kc_error_set(err, KC_RETRY, "STS %s: no credentials in the "
                                                                  "answer", action);
    if (rc == KC_ENOMEM) {
        kc_error_set(err, rc, "out of memory");
    }
    kc_free(k);
    wipe_free(s);
    wipe_free(st);
    kc_free(e);
    return rc;
}

/* STS AssumeRole signed with the base credentials (Confluent's AwsAssumeRoleCredentialsProvider,
 * the SDK's STSAssumeRoleSessionCredentialsProvider). */
static int fetch_assume_role(struct s3_creds *c, struct kc_error *err)
{
    char *userpwd = NULL, *token_hdr = NULL;
    int rc = s3_creds_get(c->base, &userpwd, &token_hdr, err);
    if (rc != KC_OK) {
        return rc;
    }
    if (userpwd == NULL) {
        return kc_error_set(err, KC_RETRY, "STS AssumeRole for %s: no credentials to sign it "
                                           "with (aws.access.key.id, or the default chain)",
                            c->role_arn);
    }
    struct kc_buf form, out;
    kc_buf_init(&form, 1 << 16);
    kc_buf_init(&out, BODY_MAX);
    CURL *esc = curl_easy_init();
    char *r = esc != NULL ? curl_easy_escape(esc, c->role_arn, 0) : NULL;
    char *sn = esc != NULL ? curl_easy_escape(esc, c->session_name, 0) : NULL;
    char *x = esc != NULL && c->external_id != NULL ? curl_easy_escape(esc, c->external_id, 0)
                                                    : NULL;
    if (r == NULL || sn == NULL || (c->external_id != NULL && x == NULL) ||
        kc_buf_printf(&form, "Action=AssumeRole&Version=2011-06-15&RoleArn=%s&RoleSessionName=%s"
                             "%s%s", r, sn, x != NULL ? "&ExternalId=" : "",
                      x != NULL ? x : "") != KC_OK ||
        kc_buf_append_byte(&form, 0) != KC_OK) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    curl_free(r);
    curl_free(sn);
    curl_free(x);
    if (esc != NULL) {
        curl_easy_cleanup(esc);
    }
    long status = 0;
    if (rc == KC_OK) {
        char sigv4[160];
        snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:sts", c->sts_region);
        struct curl_slist *h = curl_slist_append(NULL, "Content-Type: "
                                                       "application/x-www-form-urlencoded");
        struct curl_slist *t = h != NULL && token_hdr != NULL ? curl_slist_append(h, token_hdr)
                                                              : h;
        rc = t == NULL ? kc_error_set(err, KC_ENOMEM, "out of memory") /* not without the token */
                       : http("POST", c->sts_url, t, (const char *)form.data, sigv4, userpwd,
                              10000L, &out, &status, err);
        curl_slist_free_all(h);
    }
    s3_creds_release(userpwd, token_hdr);
    if (rc == KC_OK) {
        rc = take_sts(c, &out, status, "AssumeRole", err);
    }
    if (out.data != NULL) {
        memset(out.data, 0, out.cap);
    }
    kc_buf_fini(&form);
    kc_buf_fini(&out);
    return rc;
}

static int fetch_web_identity(struct s3_creds *c, struct kc_error *err)
{
    FILE *f = fopen(c->token_file, "r");
    if (f == NULL) {
        return kc_error_set(err, KC_RETRY, "AWS_WEB_IDENTITY_TOKEN_FILE %s cannot be read",
                            c->token_file);
    }
    struct kc_buf tok, form, out;
    kc_buf_init(&tok, 1 << 20);
    kc_buf_init(&form, 1 << 20);
    kc_buf_init(&out, BODY_MAX);
    char chunk[4096];
    size_t n;
    int rc = KC_OK;
    while (rc == KC_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        rc = kc_buf_append(&tok, chunk, n);
    }
    fclose(f);
    while (rc == KC_OK && tok.len > 0 && isspace((unsigned char)tok.data[tok.len - 1])) {
        tok.len--;
    }
    if (rc == KC_OK && tok.len == 0) {
        /* empty, or a directory (fread reads nothing): no token to send */
        kc_buf_fini(&tok);
        kc_buf_fini(&form);
        kc_buf_fini(&out);
        return kc_error_set(err, KC_RETRY, "AWS_WEB_IDENTITY_TOKEN_FILE %s holds no token",
                            c->token_file);
    }
    CURL *esc = curl_easy_init();
    char *t = NULL, *r = NULL, *sn = NULL;
    if (rc == KC_OK && esc != NULL) {
        t = curl_easy_escape(esc, (const char *)tok.data, (int)tok.len);
        r = curl_easy_escape(esc, c->role_arn, 0);
        sn = curl_easy_escape(esc, c->session_name, 0);
    }
    if (t == NULL || r == NULL || sn == NULL ||
        kc_buf_printf(&form, "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=%s&"
                             "RoleSessionName=%s&WebIdentityToken=%s", r, sn, t) != KC_OK ||
        kc_buf_append_byte(&form, 0) != KC_OK) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    if (t != NULL) {
        memset(t, 0, strlen(t)); /* the token */
    }
    curl_free(t);
    curl_free(r);
    curl_free(sn);
    if (esc != NULL) {
        curl_easy_cleanup(esc);
    }
    long status = 0;
    if (rc == KC_OK) {
        struct curl_slist *h = curl_slist_append(NULL, "Accept: application/xml");
        rc = http("POST", c->sts_url, h, (const char *)form.data, NULL, NULL, 10000L, &out,
                  &status, err);
        curl_slist_free_all(h);
    }
    if (rc == KC_OK) {
        rc = take_sts(c, &out, status, "AssumeRoleWithWebIdentity", err);
    }
    if (tok.data != NULL) {
        memset(tok.data, 0, tok.cap);
    }
    if (form.data != NULL) {
        memset(form.data, 0, form.cap);
    }
    if (out.data != NULL) {
        memset(out.data, 0, out.cap); /* the credentials */
    }
    kc_buf_fini(&tok);
    kc_buf_fini(&form);
    kc_buf_fini(&out);
    return rc;
}

/* An http:// (not https) container credentials URL may only name the hosts the SDKs allow:
 * loopback, ECS's 169.254.170.2, EKS Pod Identity's 169.254.170.23 / fd00:ec2::23. */
static int container_url_ok(const char *url)
{
    if (strncasecmp(url, "https://", 8) == 0) {
        return 1;
    }
    if (strncasecmp(url, "http://", 7) != 0) {
        return 0;
    }
    static const char *const hosts[] = {"127.0.0.1", "localhost", "[::1]", "169.254.170.2",
                                        "169.254.170.23", "[fd00:ec2::23]"};
    const char *h = url + 7;
    for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        size_t n = strlen(hosts[i]);
        if (strncasecmp(h, hosts[i], n) == 0 && (h[n] == '\0' || h[n] == ':' || h[n] == '/')) {
            return 1;
        }
    }
    return 0;
}

static int fetch_container(struct s3_creds *c, struct kc_error *err)
{
    if (!container_url_ok(c->container_url)) {
        return kc_error_set(err, KC_RETRY, "container credentials: %s is not https, loopback, "
                                           "nor the ECS or EKS Pod Identity address",
                            c->container_url);
    }
    /* the token file wins over the token, as in the SDKs */
    char *auth = NULL;
    if (c->container_auth_file != NULL) {
        FILE *f = fopen(c->container_auth_file, "r");
        char line[8192] = "";
        if (f == NULL || fgets(line, sizeof(line), f) == NULL) {
            if (f != NULL) {
                fclose(f);
            }
            return kc_error_set(err, KC_RETRY, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s cannot "
                                               "be read", c->container_auth_file);
        }
        fclose(f);
        line[strcspn(line, "\r\n")] = '\0';
        auth = kc_strdup(line);
        memset(line, 0, sizeof(line));
    } else if (c->container_auth != NULL) {
        auth = kc_strdup(c->container_auth);
    }
    char *hdr = auth != NULL ? kc_asprintf("Authorization: %s", auth) : NULL;
    wipe_free(auth);
    struct curl_slist *h = hdr != NULL ? curl_slist_append(NULL, hdr) : NULL;
    wipe_free(hdr);
    struct kc_buf out;
    kc_buf_init(&out, BODY_MAX);
    long status = 0;
    int rc = http("GET", c->container_url, h, NULL, NULL, NULL, 5000L, &out, &status, err);
    curl_slist_free_all(h);
    if (rc == KC_OK && status != 200) {
        rc = kc_error_set(err, KC_RETRY, "container credentials %s: HTTP %ld", c->container_url,
                          status);
    }
    if (rc == KC_OK) {
        rc = take_json(c, (const char *)out.data, "container credentials", err);
    }
    if (out.data != NULL) {
        memset(out.data, 0, out.cap);
    }
    kc_buf_fini(&out);
    return rc;
}

/* EC2 instance profile: IMDSv2 (a session token first), else IMDSv1 (plain GETs) when the token
 * cannot be had (a hop limit of 1 seen from a container bridge), as the SDK falls back. */
static int fetch_imds(struct s3_creds *c, struct kc_error *err)
{
    struct kc_buf out, url;
    kc_buf_init(&out, BODY_MAX);
    kc_buf_init(&url, 1 << 16);
    long status = 0;
    struct kc_error terr;
    struct curl_slist *h = curl_slist_append(NULL, "X-aws-ec2-metadata-token-ttl-seconds: 21600");
    int rc = kc_buf_printf(&url, "%s/latest/api/token", c->imds) == KC_OK &&
                     kc_buf_append_byte(&url, 0) == KC_OK
                 ? KC_OK
                 : kc_error_set(err, KC_ENOMEM, "out of memory");
    int have_token = rc == KC_OK &&
                     http("PUT", (const char *)url.data, h, NULL, NULL, NULL, 2000L, &out, &status,
                          &terr) == KC_OK &&
                     status == 200 && out.len > 0;
    curl_slist_free_all(h);
    h = NULL;
    char *tok_hdr = NULL;
    if (have_token) {
        tok_hdr = kc_asprintf("X-aws-ec2-metadata-token: %s", (const char *)out.data);
        h = tok_hdr != NULL ? curl_slist_append(NULL, tok_hdr) : NULL;
        if (h == NULL) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        }
    }
    const char *base = "/latest/meta-data/iam/security-credentials/";
    kc_buf_reset(&url);
    if (rc == KC_OK) {
        rc = kc_buf_printf(&url, "%s%s", c->imds, base) == KC_OK &&
                     kc_buf_append_byte(&url, 0) == KC_OK
                 ? http("GET", (const char *)url.data, h, NULL, NULL, NULL, 2000L, &out, &status,
                        err)
                 : kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    if (rc == KC_OK && (status != 200 || out.len == 0)) {
        rc = kc_error_set(err, KC_RETRY, "instance profile: no role (HTTP %ld)", status);
    }
    if (rc == KC_OK) {
        char role[256];
        size_t n = strcspn((const char *)out.data, "\r\n");
        snprintf(role, sizeof(role), "%.*s", (int)(n < 255 ? n : 255), (const char *)out.data);
        kc_buf_reset(&url);
        rc = kc_buf_printf(&url, "%s%s%s", c->imds, base, role) == KC_OK &&
                     kc_buf_append_byte(&url, 0) == KC_OK
                 ? http("GET", (const char *)url.data, h, NULL, NULL, NULL, 2000L, &out, &status,
                        err)
                 : kc_error_set(err, KC_ENOMEM, "out of memory");
        if (rc == KC_OK && status != 200) {
            rc = kc_error_set(err, KC_RETRY, "instance profile %s: HTTP %ld", role, status);
        }
        if (rc == KC_OK) {
            rc = take_json(c, (const char *)out.data, "instance profile", err);
        }
    }
    curl_slist_free_all(h);
    wipe_free(tok_hdr);
    if (out.data != NULL) {
        memset(out.data, 0, out.cap);
    }
    kc_buf_fini(&url);
    kc_buf_fini(&out);
    return rc;
}

/* [profile] in the shared credentials file: 1 and the keys set when it names them. */
static int read_profile(const char *path, const char *profile, char **key, char **secret,
                        char **token)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return 0;
    }
    char line[8192];
    int in = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        char *p = line;
        while (isspace((unsigned char)*p)) {
            p++;
        }
        p[strcspn(p, "\r\n")] = '\0';
        if (*p == '[') {
            char *end = strchr(p, ']');
            if (end != NULL) {
                *end = '\0';
                char *name = p + 1;
                while (isspace((unsigned char)*name)) {
                    name++;
                }
                size_t n = strlen(name);
                while (n > 0 && isspace((unsigned char)name[n - 1])) {
                    name[--n] = '\0';
                }
                in = strcmp(name, profile) == 0;
            }
            continue;
        }
        char *eq = strchr(p, '=');
        if (!in || eq == NULL || *p == '#' || *p == ';') {
            continue;
        }
        char *v = eq + 1;
        *eq = '\0';
        size_t n = strlen(p);
        while (n > 0 && isspace((unsigned char)p[n - 1])) {
            p[--n] = '\0';
        }
        while (isspace((unsigned char)*v)) {
            v++;
        }
        n = strlen(v);
        while (n > 0 && isspace((unsigned char)v[n - 1])) {
            v[--n] = '\0';
        }
        char **dst = strcmp(p, "aws_access_key_id") == 0       ? key
                     : strcmp(p, "aws_secret_access_key") == 0 ? secret
                     : strcmp(p, "aws_session_token") == 0     ? token
                                                               : NULL;
        if (dst != NULL) {
            wipe_free(*dst);
            *dst = kc_strdup(v);
        }
    }
    memset(line, 0, sizeof(line));
    fclose(f);
    return *key != NULL && *secret != NULL;
}

int s3_creds_new(const char *access_key, const char *secret_key, const char *session_token,
                 const char *region, int aws_endpoint, struct s3_creds **out,
                 struct kc_error *err)
{
    *out = NULL;
    struct s3_creds *c = kc_calloc(1, sizeof(*c));
    if (c == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&c->mu, NULL);
    int rc = KC_OK;
    const char *ek = getenv("AWS_ACCESS_KEY_ID"), *es = getenv("AWS_SECRET_ACCESS_KEY");
    char *pk = NULL, *ps = NULL, *pt = NULL;
    const char *home = getenv("HOME");
    char *cred_file = dup_env("AWS_SHARED_CREDENTIALS_FILE");
    if (cred_file == NULL && home != NULL) {
        cred_file = kc_asprintf("%s/.aws/credentials", home);
    }
    const char *profile = getenv("AWS_PROFILE");
    if (access_key != NULL && access_key[0] != '\0' && secret_key != NULL) {
        c->kind = C_CONNECTOR;
        /* Confluent's BasicAWSCredentials: the keys alone, no session token from elsewhere */
        rc = set_creds(c, access_key, secret_key, session_token, 0);
    } else if (ek != NULL && ek[0] != '\0' && es != NULL) {
        c->kind = C_ENV;
        rc = set_creds(c, ek, es, getenv("AWS_SESSION_TOKEN"), 0);
    } else if (has_env("AWS_WEB_IDENTITY_TOKEN_FILE") && has_env("AWS_ROLE_ARN")) {
        c->kind = C_WEB_IDENTITY;
        c->token_file = dup_env("AWS_WEB_IDENTITY_TOKEN_FILE");
        c->role_arn = dup_env("AWS_ROLE_ARN");
        c->session_name = dup_env("AWS_ROLE_SESSION_NAME");
        if (c->session_name == NULL) {
            c->session_name = kc_asprintf("connect-c-%lld", (long long)(now_ms() / 1000));
        }
        c->sts_url = sts_url(region);
        if (c->token_file == NULL || c->role_arn == NULL || c->session_name == NULL ||
            c->sts_url == NULL) {
            rc = KC_ENOMEM;
        }
    } else if (cred_file != NULL &&
               read_profile(cred_file, profile != NULL && profile[0] ? profile : "default", &pk,
                            &ps, &pt)) {
        c->kind = C_PROFILE;
        rc = set_creds(c, pk, ps, pt, 0);
    } else if (has_env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") ||
               has_env("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
        c->kind = C_CONTAINER;
        const char *rel = has_env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
                              ? getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
                              : NULL;
        c->container_url = rel != NULL ? kc_asprintf("http://169.254.170.2%s", rel)
                                       : dup_env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
        c->container_auth = dup_env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
        c->container_auth_file = dup_env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
        rc = c->container_url != NULL ? KC_OK : KC_ENOMEM;
    } else {
        const char *dis = getenv("AWS_EC2_METADATA_DISABLED");
        const char *ep = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
        int disabled = dis != NULL && strcasecmp(dis, "true") == 0;
        if (!disabled && (aws_endpoint || (ep != NULL && ep[0] != '\0'))) {
            c->kind = C_IMDS;
            c->imds = kc_strdup(ep != NULL && ep[0] ? ep : "http://169.254.169.254");
            size_t n = c->imds != NULL ? strlen(c->imds) : 0;
            while (n > 0 && c->imds[n - 1] == '/') {
                c->imds[--n] = '\0';
            }
            rc = c->imds != NULL ? KC_OK : KC_ENOMEM;
        }
    }
    kc_free(pk);
    wipe_free(ps);
    wipe_free(pt);
    kc_free(cred_file);
    if (rc != KC_OK) {
        s3_creds_free(c);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    *out = c;
    return KC_OK;
}

void s3_creds_free(struct s3_creds *c)
{
    if (c == NULL) {
        return;
    }
    kc_free(c->key);
    wipe_free(c->secret);
    wipe_free(c->token);
    kc_free(c->role_arn);
    kc_free(c->token_file);
    kc_free(c->session_name);
    kc_free(c->sts_url);
    kc_free(c->container_url);
    wipe_free(c->container_auth);
    kc_free(c->container_auth_file);
    kc_free(c->imds);
    s3_creds_free(c->base);
    kc_free(c->external_id);
    kc_free(c->sts_region);
    pthread_mutex_destroy(&c->mu);
    kc_free(c);
}

int s3_creds_get(struct s3_creds *c, char **userpwd, char **token_hdr, struct kc_error *err)
{
    *userpwd = NULL;
    *token_hdr = NULL;
    pthread_mutex_lock(&c->mu);
    int rc = KC_OK;
    int temporary = c->kind == C_WEB_IDENTITY || c->kind == C_CONTAINER || c->kind == C_IMDS ||
                    c->kind == C_ASSUME_ROLE;
    int64_t now = now_ms();
    /* expired ones are fetched again at once, whatever the backoff; within the last minutes,
     * at most every RETRY_REFRESH_MS while a fetch fails */
    if (temporary && (c->key == NULL || now >= c->expires_ms ||
                      (now >= c->expires_ms - REFRESH_BEFORE_MS && now >= c->next_try_ms))) {
        rc = c->kind == C_WEB_IDENTITY ? fetch_web_identity(c, err)
             : c->kind == C_CONTAINER  ? fetch_container(c, err)
             : c->kind == C_IMDS       ? fetch_imds(c, err)
                                       : fetch_assume_role(c, err);
        if (rc != KC_OK && rc != KC_ENOMEM && c->key != NULL && now < c->expires_ms) {
            /* not expired yet: sign with them, and try again in a while rather than at every
             * request (a fetch can take seconds, under the lock both threads wait on) */
            c->next_try_ms = now + RETRY_REFRESH_MS;
            rc = KC_OK;
        }
    }
    if (rc == KC_OK && c->key != NULL) {
        *userpwd = kc_asprintf("%s:%s", c->key, c->secret);
        *token_hdr = c->token != NULL ? kc_asprintf("x-amz-security-token: %s", c->token) : NULL;
        if (*userpwd == NULL || (c->token != NULL && *token_hdr == NULL)) {
            s3_creds_release(*userpwd, *token_hdr);
            *userpwd = *token_hdr = NULL;
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        }
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

void s3_creds_release(char *userpwd, char *token_hdr)
{
    wipe_free(userpwd);
    wipe_free(token_hdr);
}

const char *s3_creds_source(const struct s3_creds *c)
{
    static const char *const names[] = {"none",      "connector",        "environment",
                                        "web identity", "profile",       "container",
                                        "instance profile", "assume role"};
    return names[c->kind];
}

int s3_creds_assume_role(struct s3_creds *base, const char *role_arn, const char *session_name,
                         const char *external_id, const char *sts_region, struct s3_creds **out,
                         struct kc_error *err)
{
    *out = NULL;
    struct s3_creds *c = kc_calloc(1, sizeof(*c));
    if (c == NULL) {
        s3_creds_free(base);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&c->mu, NULL);
    c->kind = C_ASSUME_ROLE;
    c->base = base;
    const char *rg = sts_region != NULL && sts_region[0] ? sts_region : "us-east-1";
    c->role_arn = kc_strdup(role_arn);
    c->session_name = kc_strdup(session_name);
    c->external_id = external_id != NULL && external_id[0] ? kc_strdup(external_id) : NULL;
    c->sts_region = kc_strdup(rg);
    c->sts_url = sts_url(rg);
    if (c->role_arn == NULL || c->session_name == NULL || c->sts_region == NULL ||
        c->sts_url == NULL || (external_id != NULL && external_id[0] && c->external_id == NULL)) {
        s3_creds_free(c);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    *out = c;
    return KC_OK;
}
