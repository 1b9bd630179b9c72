/*
 * connectors/s3/s3_store.c: local and S3 object stores (see s3_store.h). The S3 requests are
 * signed by libcurl (CURLOPT_AWS_SIGV4 "aws:amz:<region>:s3"); we only build URLs whose path
 * is already in S3's canonical encoding, so what curl signs is what the server recomputes.
 */
#include "s3_store.h"

#include "s3_creds.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "kc_alloc.h"
#include "kc_buf.h"
#include "kc_text.h"

#define S3_BODY_MAX ((size_t)1 << 20)

struct s3_store {
    int local;
    char *dir;      /* local: owned, no trailing '/' */
    char *base;     /* s3: owned, "http://host:port/bucket" or "https://bucket.host" */
    char *region;   /* owned */
    struct s3_creds *creds; /* owned: what requests are signed with (s3_creds.h) */
    /* owned header lines: sent when an object is created (PUT, CreateMultipartUpload) and,
     * for SSE-C, with every part and HEAD of it too */
    char *create_hdr[3];
    int n_create;
    char *ssec_hdr[3];
    int n_ssec;
    int send_digest; /* s3.send.digest: Content-MD5 on every PUT of an object or a part */
    char *proxy;    /* owned: s3.proxy.url, "" none */
    char *proxy_user; /* owned or NULL */
    char *proxy_pass; /* owned or NULL */
    char *spool;    /* owned */
    size_t part_size;
    int retries;
    int64_t backoff_ms;
    int conditional;
    CURL *curl; /* reused: keeps the connection */
    struct s3_store_stats stats;
    unsigned seq; /* spool file names */
};

struct s3_object {
    struct s3_store *s;
    char *key;  /* owned */
    char *tmp;  /* owned: the file being written */
    int fd;
    uint64_t size;
    char *tagging;            /* owned: the PutObjectTagging body, or NULL (s3_object_set_tags) */
    int tags_ignore_errors;
    struct kc_error *tag_warn; /* the caller's: why tagging failed when its errors are ignored */
};

/* ---- helpers ---- */

/* A local file error that waiting will not fix (no descriptors, no space, no permission):
 * KC_EFATAL fails the task with the reason, instead of a rewind-and-retry loop that keeps it
 * RUNNING with no progress. Other errors stay KC_EIO (retried). */
static int file_error(int e)
{
    switch (e) {
    case EMFILE:
    case ENFILE:
    case ENOSPC:
    case EDQUOT:
    case EROFS:
    case EACCES:
    case EPERM:
        return KC_EFATAL;
    default:
        return KC_EIO;
    }
}

static int mkdirs(char *path, struct kc_error *err)
{
    for (char *p = path + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            int r = mkdir(path, 0755);
            int e = errno;
            *p = '/';
            if (r != 0 && e != EEXIST) {
                return kc_error_set_errno(err, file_error(e), e, "cannot create directory for %s",
                                          path);
            }
        }
    }
    return KC_OK;
}

static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* S3 canonical URI encoding: everything but unreserved characters and '/'. */
static int url_encode(struct kc_buf *b, const char *s, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = KC_OK;
    for (const unsigned char *c = (const unsigned char *)s; *c && rc == KC_OK; c++) {
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
            *c == '-' || *c == '_' || *c == '.' || *c == '~' || (keep_slash && *c == '/')) {
            rc = kc_buf_append_byte(b, *c);
        } else {
            char t[3] = {'%', hex[*c >> 4], hex[*c & 15]};
            rc = kc_buf_append(b, t, 3);
        }
    }
    return rc;
}

/* ---- store ---- */

void s3_store_free(struct s3_store *s)
{
    if (s == NULL) {
        return;
    }
    if (s->curl != NULL) {
        curl_easy_cleanup(s->curl);
    }
    kc_free(s->dir);
    kc_free(s->base);
    kc_free(s->region);
    s3_creds_free(s->creds);
    for (int i = 0; i < s->n_create; i++) {
        kc_free(s->create_hdr[i]);
    }
    for (int i = 0; i < s->n_ssec; i++) {
        if (s->ssec_hdr[i] != NULL) {
            memset(s->ssec_hdr[i], 0, strlen(s->ssec_hdr[i])); /* the key */
        }
        kc_free(s->ssec_hdr[i]);
    }
    kc_free(s->spool);
    kc_free(s->proxy);
    kc_free(s->proxy_user);
    if (s->proxy_pass != NULL) {
        memset(s->proxy_pass, 0, strlen(s->proxy_pass)); /* the secret */
    }
    kc_free(s->proxy_pass);
    kc_free(s);
}

/* An SSE-C key: base64 (standard alphabet, padding optional, as Java's Base64 decoder reads
 * it) of exactly 32 bytes, into key. */
static int b64_key32(const char *b64, unsigned char key[32])
{
    struct kc_buf b;
    kc_buf_init(&b, 64); /* longer text is not a 32-byte key anyway */
    int rc = b64 != NULL && kc_b64_decode(b64, strlen(b64), 0, &b) == 0 && b.len == 32 ? 0 : -1;
    if (rc == 0) {
        memcpy(key, b.data, 32);
    }
    if (b.data != NULL) {
        memset(b.data, 0, b.cap); /* the secret */
    }
    kc_buf_fini(&b);
    return rc;
}

int s3_sse_customer_key_check(const char *b64, struct kc_error *err)
{
    unsigned char key[32];
    int ok = b64_key32(b64, key) == 0;
    memset(key, 0, sizeof(key));
    return ok ? KC_OK
              : kc_error_set(err, KC_EINVAL, "must be the base64 encoding of a 32-byte "
                                             "(256-bit) key");
}

/* The headers c's encryption and ACL settings add, as Confluent's S3OutputStream picks them:
 * AES256 without a customer key is SSE-S3; aws:kms (or aws:kms:dsse) goes with its key id
 * only (without one Confluent sends nothing, and neither do we); a customer key is SSE-C when
 * the algorithm is AES256. */
static int sse_headers(struct s3_store *s, const struct s3_store_config *c, struct kc_error *err)
{
    const char *sse = c->sse != NULL ? c->sse : "";
    const char *kms = c->sse_kms_key_id != NULL ? c->sse_kms_key_id : "";
    const char *ck = c->sse_customer_key != NULL ? c->sse_customer_key : "";
    int ssec = strcasecmp(sse, "AES256") == 0 && ck[0] != '\0';
    if (strcasecmp(sse, "AES256") == 0 && !ssec) {
        s->create_hdr[s->n_create++] = kc_strdup("x-amz-server-side-encryption: AES256");
    } else if (strncasecmp(sse, "aws:kms", 7) == 0 && kms[0] != '\0') {
        s->create_hdr[s->n_create++] = kc_asprintf("x-amz-server-side-encryption: %s", sse);
        s->create_hdr[s->n_create++] =
            kc_asprintf("x-amz-server-side-encryption-aws-kms-key-id: %s", kms);
    }
    if (c->acl != NULL && c->acl[0] != '\0') {
        s->create_hdr[s->n_create++] = kc_asprintf("x-amz-acl: %s", c->acl);
    }
    for (int i = 0; i < s->n_create; i++) {
        if (s->create_hdr[i] == NULL) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
    }
    if (!ssec) {
        return KC_OK;
    }
    unsigned char key[32], md5[EVP_MAX_MD_SIZE];
    unsigned int md5_len = 0;
    char md5_b64[32], key_b64[48];
    if (b64_key32(ck, key) != 0) {
        return kc_error_set(err, KC_EINVAL, "s3.sse.customer.key: must be the base64 encoding of "
                                            "a 32-byte (256-bit) key");
    }
    int ok = EVP_Digest(key, sizeof(key), md5, &md5_len, EVP_md5(), NULL) == 1 && md5_len == 16;
    /* the key as S3 reads it: padded standard base64, however it was given */
    EVP_EncodeBlock((unsigned char *)key_b64, key, sizeof(key)); /* 44 characters and a NUL */
    memset(key, 0, sizeof(key));
    if (!ok) {
        return kc_error_set(err, KC_EFATAL, "s3.sse.customer.key: MD5 of the key failed");
    }
    EVP_EncodeBlock((unsigned char *)md5_b64, md5, 16); /* 24 characters and a NUL */
    s->ssec_hdr[s->n_ssec++] = kc_strdup("x-amz-server-side-encryption-customer-algorithm: AES256");
    s->ssec_hdr[s->n_ssec++] =
        kc_asprintf("x-amz-server-side-encryption-customer-key: %s", key_b64);
    memset(key_b64, 0, sizeof(key_b64));
    s->ssec_hdr[s->n_ssec++] =
        kc_asprintf("x-amz-server-side-encryption-customer-key-MD5: %s", md5_b64);
    for (int i = 0; i < s->n_ssec; i++) {
        if (s->ssec_hdr[i] == NULL) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
    }
    return KC_OK;
}

/* 1 for AWS itself: no store.url, or one whose host is under amazonaws.com(.cn) (a regional
 * or VPC endpoint) -- where the instance profile may sign. */
static int aws_host(const char *url)
{
    if (url[0] == '\0') {
        return 1;
    }
    const char *h = strstr(url, "://");
    h = h != NULL ? h + 3 : url;
    size_t n = strcspn(h, "/:?");
    static const char *const tails[] = {".amazonaws.com", ".amazonaws.com.cn"};
    for (size_t i = 0; i < 2; i++) {
        size_t t = strlen(tails[i]);
        if (n >= t && strncasecmp(h + n - t, tails[i], t) == 0) {
            return 1;
        }
    }
    return 0;
}

int s3_store_new(const struct s3_store_config *c, struct s3_store **out, struct kc_error *err)
{
    *out = NULL;
    struct s3_store *s = kc_calloc(1, sizeof(*s));
    if (s == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    const char *url = c->url != NULL ? c->url : "";
    s->part_size = c->part_size < S3_PART_MIN_BYTES ? S3_PART_MIN_BYTES : c->part_size;
    s->retries = c->retries < 0 ? 0 : c->retries;
    s->backoff_ms = c->backoff_ms < 0 ? 0 : c->backoff_ms;
    s->conditional = c->conditional_writes;
    s->send_digest = c->send_digest;
    if (strncmp(url, "file://", 7) == 0) {
        const char *d = url + 7;
        if (d[0] != '/') {
            s3_store_free(s);
            return kc_error_set(err, KC_EINVAL, "store.url: '%s' must be file:///absolute/dir",
                                url);
        }
        size_t n = strlen(d);
        while (n > 1 && d[n - 1] == '/') {
            n--;
        }
        s->local = 1;
        s->dir = kc_strndup(d, n);
        if (s->dir == NULL) {
            s3_store_free(s);
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        *out = s;
        return KC_OK;
    }
    if (c->bucket == NULL || c->bucket[0] == '\0') {
        s3_store_free(s);
        return kc_error_set(err, KC_EINVAL, "s3.bucket.name: required for an S3 store");
    }
    const char *region = c->region != NULL && c->region[0] ? c->region : "us-west-2";
    struct kc_buf b;
    kc_buf_init(&b, 8192);
    int rc = KC_OK;
    if (url[0] == '\0') {
        rc = c->path_style ? kc_buf_printf(&b, "https://s3.%s.amazonaws.com/%s", region, c->bucket)
                           : kc_buf_printf(&b, "https://%s.s3.%s.amazonaws.com", c->bucket, region);
    } else {
        const char *scheme = strstr(url, "://") != NULL ? "" : "https://";
        size_t n = strlen(url);
        while (n > 0 && url[n - 1] == '/') {
            n--;
        }
        if (c->path_style) {
            rc = kc_buf_printf(&b, "%s%.*s/%s", scheme, (int)n, url, c->bucket);
        } else { /* virtual host: bucket.host */
            const char *host = strstr(url, "://");
            host = host != NULL ? host + 3 : url;
            rc = kc_buf_printf(&b, "%s%.*s%s.%.*s", scheme, (int)(host - url), url, c->bucket,
                               (int)(n - (size_t)(host - url)), host);
        }
    }
    if (rc == KC_OK) {
        rc = kc_buf_append_byte(&b, 0);
    }
    s->base = rc == KC_OK ? kc_buf_take(&b, NULL) : NULL;
    kc_buf_fini(&b);
    if (rc == KC_OK) {
        rc = s3_creds_new(c->access_key, c->secret_key, c->session_token, region, aws_host(url),
                          &s->creds, err);
        if (rc == KC_OK && c->role_arn != NULL && c->role_arn[0] != '\0') {
            struct s3_creds *base = s->creds; /* taken by the role's */
            s->creds = NULL;
            rc = s3_creds_assume_role(base, c->role_arn, c->role_session_name,
                                      c->role_external_id,
                                      c->sts_region != NULL && c->sts_region[0] ? c->sts_region
                                                                                : region,
                                      &s->creds, err);
        }
        if (rc != KC_OK) {
            s3_store_free(s);
            return rc;
        }
    }
    const char *tmpdir = c->spool_dir != NULL && c->spool_dir[0] ? c->spool_dir : getenv("TMPDIR");
    s->spool = kc_strdup(tmpdir != NULL && tmpdir[0] ? tmpdir : "/tmp");
    s->region = kc_strdup(region);
    s->curl = curl_easy_init();
    s->proxy = kc_strdup(c->proxy_url != NULL ? c->proxy_url : "");
    int proxy_oom = s->proxy == NULL;
    if (c->proxy_user != NULL && c->proxy_user[0] != '\0') {
        proxy_oom |= (s->proxy_user = kc_strdup(c->proxy_user)) == NULL;
        proxy_oom |= (s->proxy_pass = kc_strdup(c->proxy_password != NULL ? c->proxy_password
                                                                           : "")) == NULL;
    }
    if (s->base == NULL || s->spool == NULL || s->region == NULL || s->curl == NULL ||
        proxy_oom) {
        s3_store_free(s);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    if ((rc = sse_headers(s, c, err)) != KC_OK) {
        s3_store_free(s);
        return rc;
    }
    *out = s;
    return KC_OK;
}

const char *s3_store_creds_source(const struct s3_store *s)
{
    return s->creds != NULL ? s3_creds_source(s->creds) : "none";
}

int s3_store_is_local(const struct s3_store *s)
{
    return s->local;
}

void s3_store_stats(const struct s3_store *s, struct s3_store_stats *out)
{
    *out = s->stats;
}

/* ---- one HTTP request, retried ---- */

struct s3_req {
    const char *method; /* PUT, POST, DELETE, HEAD, GET */
    const char *key;    /* NULL: the bucket itself */
    const char *query;  /* NULL or "uploads=" / "partNumber=1&uploadId=..." (encoded) */
    int fd;             /* body from fd at off, len bytes; -1 = mem body */
    uint64_t off, len;
    const char *mem;    /* body when fd < 0 (may be NULL) */
    int if_none_match;
    int creates;        /* PUT of a whole object or CreateMultipartUpload: SSE and ACL headers */
    int ssec;           /* a part or a HEAD of an object: the SSE-C headers (if any) */
    const char *extra_hdr; /* one more header line (Content-MD5 of a tagging body), or NULL */
    CURL *curl;         /* NULL: the store's handle (the upload thread's); else the caller's */
    /* out */
    long status;
    struct kc_buf body;
    char etag[256];
    long long length; /* Content-Length of the answer, -1 when absent */
    int body_cut;     /* the answer was longer than S3_BODY_MAX: body holds its start */
};

struct s3_reader {
    int fd;
    uint64_t off, left;
    const char *mem;
};

static size_t read_cb(char *buf, size_t size, size_t nitems, void *ud)
{
    struct s3_reader *r = ud;
    size_t want = size * nitems;
    if (want > r->left) {
        want = (size_t)r->left;
    }
    if (want == 0) {
        return 0;
    }
    if (r->fd < 0) {
        memcpy(buf, r->mem, want);
        r->mem += want;
        r->left -= want;
        return want;
    }
    ssize_t n = pread(r->fd, buf, want, (off_t)r->off);
    if (n <= 0) {
        return CURL_READFUNC_ABORT;
    }
    r->off += (uint64_t)n;
    r->left -= (uint64_t)n;
    return (size_t)n;
}

static size_t body_cb(char *p, size_t size, size_t n, void *ud)
{
    struct s3_req *q = ud;
    size_t len = size * n;
    if (q->body.len + len <= S3_BODY_MAX) {
        (void)kc_buf_append(&q->body, p, len);
    } else {
        q->body_cut = 1; /* error bodies need no more; a listing says it was cut */
    }
    return len;
}

static size_t header_cb(char *p, size_t size, size_t n, void *ud)
{
    struct s3_req *q = ud;
    size_t len = size * n;
    if (len > 15 && strncasecmp(p, "content-length:", 15) == 0) {
        char num[32];
        size_t m = len - 15 < sizeof(num) - 1 ? len - 15 : sizeof(num) - 1;
        memcpy(num, p + 15, m);
        num[m] = '\0';
        q->length = strtoll(num, NULL, 10);
    }
    if (len > 5 && strncasecmp(p, "etag:", 5) == 0) {
        size_t i = 5;
        while (i < len && (p[i] == ' ' || p[i] == '\t')) {
            i++;
        }
        size_t e = len;
        while (e > i && (p[e - 1] == '\r' || p[e - 1] == '\n' || p[e - 1] == ' ')) {
            e--;
        }
        size_t m = e - i < sizeof(q->etag) - 1 ? e - i : sizeof(q->etag) - 1;
        memcpy(q->etag, p + i, m);
        q->etag[m] = '\0';
    }
    return len;
}

static char *xml_in(const char *p, const char *end, const char *tag);

static unsigned curl_num;
static pthread_once_t curl_num_once = PTHREAD_ONCE_INIT;

static void read_curl_num(void)
{
    curl_num = curl_version_info(CURLVERSION_NOW)->version_num;
}

unsigned s3_store_curl_version(void)
{
    pthread_once(&curl_num_once, read_curl_num);
    return curl_num;
}

/* The answers the AWS SDK (v1, what Confluent's sink runs) retries, by error code: throttling,
 * a request the server timed out, and the clock-skew family, which includes a signature the
 * server did not compute (the SDK adjusts its clock and signs again). */
static int transient_code(const char *code)
{
    static const char *const codes[] = {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException",
        "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
        "RequestThrottled", "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
        "RequestTimeout", "RequestTimeoutException", "IDPCommunicationError",
        "RequestTimeTooSkewed", "RequestExpired", "InvalidSignatureException",
        "SignatureDoesNotMatch", "AuthFailure", "RequestInTheFuture"};
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        if (strcmp(code, codes[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

/* How much of an S3 error's <Message> goes into the task's error (kc_error holds 1 KiB). */
#define S3_ERROR_MESSAGE_MAX 400

/* 1 when the n bytes at needle occur in the string hay */
static int contains(const char *hay, const char *needle, size_t n)
{
    for (; *hay != '\0'; hay++) {
        if (strncmp(hay, needle, n) == 0) {
            return 1;
        }
    }
    return n == 0;
}

static int once(struct s3_store *s, struct s3_req *q, struct kc_error *err)
{
    CURL *curl = q->curl != NULL ? q->curl : s->curl;
    curl_easy_reset(curl);
    struct kc_buf url;
    kc_buf_init(&url, 64 * 1024);
    int rc = kc_buf_append_str(&url, s->base);
    if (rc == KC_OK) {
        rc = kc_buf_append_byte(&url, '/');
    }
    if (rc == KC_OK && q->key != NULL) {
        rc = url_encode(&url, q->key, 1);
    }
    if (rc == KC_OK && q->query != NULL) {
        rc = kc_buf_printf(&url, "?%s", q->query);
    }
    if (rc == KC_OK) {
        rc = kc_buf_append_byte(&url, 0);
    }
    if (rc != KC_OK) {
        kc_buf_fini(&url);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    char *userpwd = NULL, *token_hdr = NULL;
    q->status = 0;
    if ((rc = s3_creds_get(s->creds, &userpwd, &token_hdr, err)) != KC_OK) {
        kc_buf_fini(&url);
        return rc; /* KC_RETRY: temporary credentials could not be fetched (err says why) */
    }
    char sigv4[160];
    snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:s3", s->region);
    struct curl_slist *h = NULL, *t;
    int hok = 1;
    /* Unsigned payload: the body is streamed from the spool file, and TLS protects it. */
    hok &= (t = curl_slist_append(h, "x-amz-content-sha256: UNSIGNED-PAYLOAD")) != NULL, h = t ? t : h;
    /* No "Header:" removals here: curl 7.88 signs a removed header it then does not send
     * (tests/unit/s3 caught it). curl's own Expect/Content-Type are sent unsigned, which S3
     * accepts. */
    if (q->if_none_match && s->conditional) {
        hok &= (t = curl_slist_append(h, "If-None-Match: *")) != NULL, h = t ? t : h;
    }
    if (token_hdr != NULL) {
        hok &= (t = curl_slist_append(h, token_hdr)) != NULL, h = t ? t : h;
    }
    for (int i = 0; q->creates && i < s->n_create; i++) {
        hok &= (t = curl_slist_append(h, s->create_hdr[i])) != NULL, h = t ? t : h;
    }
    for (int i = 0; (q->creates || q->ssec) && i < s->n_ssec; i++) {
        hok &= (t = curl_slist_append(h, s->ssec_hdr[i])) != NULL, h = t ? t : h;
    }
    if (q->extra_hdr != NULL) {
        hok &= (t = curl_slist_append(h, q->extra_hdr)) != NULL, h = t ? t : h;
    }
    struct s3_reader rd = {.fd = q->fd, .off = q->off, .left = q->len, .mem = q->mem};
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl, CURLOPT_URL, (char *)url.data);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
    /* s3.proxy.url, or none: "" also keeps libcurl from taking http(s)_proxy from the
     * environment, which the JVM connector's AWS SDK does not read either */
    curl_easy_setopt(curl, CURLOPT_PROXY, s->proxy);
    if (s->proxy[0] != '\0') {
        /* the environment's no_proxy would still send some hosts around the proxy */
        curl_easy_setopt(curl, CURLOPT_NOPROXY, "");
    }
    if (s->proxy_user != NULL) {
        curl_easy_setopt(curl, CURLOPT_PROXYUSERNAME, s->proxy_user);
        curl_easy_setopt(curl, CURLOPT_PROXYPASSWORD, s->proxy_pass);
    }
    if (userpwd != NULL) {
        curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4);
        curl_easy_setopt(curl, CURLOPT_USERPWD, userpwd); /* libcurl keeps its own copy */
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, body_cb);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, q);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, q);
    if (strcmp(q->method, "PUT") == 0) {
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
        curl_easy_setopt(curl, CURLOPT_READDATA, &rd);
        curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)q->len);
    } else if (strcmp(q->method, "POST") == 0) {
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, q->mem != NULL ? q->mem : "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->len);
    } else if (strcmp(q->method, "HEAD") == 0) {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (strcmp(q->method, "GET") != 0) {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, q->method);
    }
    kc_buf_reset(&q->body);
    q->etag[0] = '\0';
    q->status = 0;
    CURLcode cc = hok ? curl_easy_perform(curl) : CURLE_OUT_OF_MEMORY;
    curl_slist_free_all(h);
    s3_creds_release(userpwd, token_hdr);
    kc_buf_fini(&url);
    if (cc != CURLE_OK) {
        const char *msg = errbuf[0] ? errbuf : curl_easy_strerror(cc);
        /* libcurl may quote the proxy URL, user:password and all ("Unsupported proxy syntax in
         * '...'"): then only its generic text */
        const char *at = strchr(s->proxy, '@');
        const char *ui = strstr(s->proxy, "://");
        ui = ui != NULL ? ui + 3 : s->proxy;
        if ((at != NULL && at > ui && contains(msg, ui, (size_t)(at - ui))) ||
            (s->proxy_pass != NULL && s->proxy_pass[0] != '\0' &&
             strstr(msg, s->proxy_pass) != NULL)) {
            msg = curl_easy_strerror(cc);
        }
        return kc_error_set(err, cc == CURLE_OUT_OF_MEMORY ? KC_ENOMEM : KC_RETRY,
                            "S3 %s %s: %s", q->method, q->key ? q->key : "", msg);
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &q->status);
    if (q->status >= 200 && q->status < 300) {
        return KC_OK;
    }
    /* the statuses the SDK retries (501 NotImplemented, 505 are answers, not outages); 408
     * and 409 (a conflicting concurrent operation) as well */
    int transient = q->status == 500 || q->status == 502 || q->status == 503 ||
                    q->status == 504 || q->status == 429 || q->status == 408 || q->status == 409;
    /* S3's XML error: <Code>..</Code><Message>..</Message>, both in what the task reports (the
     * JVM's AmazonS3Exception shows both); a message past S3_ERROR_MESSAGE_MAX is cut, and says
     * so. */
    char *code = NULL, *msg = NULL;
    if (q->body.len > 0 && q->body.data != NULL) {
        const char *b = (const char *)q->body.data;
        code = xml_in(b, b + q->body.len, "Code");
        msg = xml_in(b, b + q->body.len, "Message");
    }
    int msg_len = msg != NULL ? (int)strnlen(msg, S3_ERROR_MESSAGE_MAX + 1) : 0;
    int cut = msg_len > S3_ERROR_MESSAGE_MAX;
    if (cut) {
        msg_len = S3_ERROR_MESSAGE_MAX;
        while (msg_len > 0 && ((unsigned char)msg[msg_len] & 0xC0) == 0x80) {
            msg_len--; /* not inside a UTF-8 character: the trace goes into JSON */
        }
    }
    int code_len = code != NULL ? (int)strnlen(code, 64) : 0;
    transient = transient || (code != NULL && transient_code(code));
    /* an upload that is gone (completed before a lost answer, or aborted by another task's
     * cleanup): the set is read again and written again, where 412 tells what exists */
    int gone = code != NULL && strcmp(code, "NoSuchUpload") == 0;
    /* As Confluent's S3ErrorUtils: what the AWS SDK would retry is retried, anything else
     * (access denied, a KMS key that does not exist, 501) fails the task with S3's answer
     * instead of a rewind loop that keeps it RUNNING with no progress. Callers that expect a
     * status (404, 412) read q->status. */
    int erc = kc_error_set(err, transient ? KC_RETRY : gone ? KC_EIO : KC_EFATAL,
                           "S3 %s %s: HTTP %ld %.*s%s%.*s%s", q->method, q->key ? q->key : "",
                           q->status, code_len, code != NULL ? code : "", msg_len > 0 ? ": " : "",
                           msg_len, msg != NULL ? msg : "", cut ? " (cut)" : "");
    kc_free(code);
    kc_free(msg);
    return erc;
}

static int request(struct s3_store *s, struct s3_req *q, struct kc_error *err)
{
    int rc = KC_OK;
    for (int attempt = 0;; attempt++) {
        rc = once(s, q, err);
        if (rc != KC_RETRY || attempt >= s->retries) {
            return rc;
        }
        s->stats.retries++;
        /* exponential backoff with full jitter, as the AWS SDK's default strategy */
        int64_t cap = s->backoff_ms << (attempt < 20 ? attempt : 20);
        int64_t sleep_ms = cap > 0 ? (int64_t)(rand() % (cap + 1)) : 0;
        struct timespec ts = {.tv_sec = sleep_ms / 1000, .tv_nsec = (sleep_ms % 1000) * 1000000};
        nanosleep(&ts, NULL);
    }
}

int s3_store_check(struct s3_store *s, struct kc_error *err)
{
    if (s->local) {
        char *d = kc_asprintf("%s/", s->dir);
        if (d == NULL) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        int rc = mkdirs(d, err);
        kc_free(d);
        return rc;
    }
    struct s3_req q = {.method = "HEAD", .fd = -1};
    kc_buf_init(&q.body, S3_BODY_MAX + 1);
    int rc = request(s, &q, err);
    kc_buf_fini(&q.body);
    if (rc != KC_OK && q.status == 404) {
        return kc_error_set(err, KC_EFATAL, "S3 bucket does not exist (%s)", s->base);
    }
    return rc;
}

/* ---- objects ---- */

/*
 * The local store's path of key: dir/key, except that a path segment "." or ".." (a field value
 * or a Kafka key the partitioner put in the name) is written "%2E" / "%2E%2E", so no object
 * lands outside dir or on top of another; the same key always gives the same path. suffix is
 * appended (".inprogress" or ""). Owned by the caller; NULL on OOM.
 */
static char *local_path(const char *dir, const char *key, const char *suffix)
{
    struct kc_buf b;
    kc_buf_init(&b, (size_t)1 << 20);
    int rc = kc_buf_append_str(&b, dir);
    const char *seg = key;
    while (rc == KC_OK) {
        const char *slash = strchr(seg, '/');
        size_t n = slash != NULL ? (size_t)(slash - seg) : strlen(seg);
        rc = kc_buf_append_byte(&b, '/');
        if (rc == KC_OK && n == 1 && seg[0] == '.') {
            rc = kc_buf_append_str(&b, "%2E");
        } else if (rc == KC_OK && n == 2 && seg[0] == '.' && seg[1] == '.') {
            rc = kc_buf_append_str(&b, "%2E%2E");
        } else if (rc == KC_OK) {
            rc = kc_buf_append(&b, seg, n);
        }
        if (slash == NULL) {
            break;
        }
        seg = slash + 1;
    }
    rc = rc == KC_OK ? kc_buf_append_str(&b, suffix) : rc;
    if (rc != KC_OK) {
        kc_buf_fini(&b);
        return NULL;
    }
    return kc_buf_take(&b, NULL);
}

int s3_store_open(struct s3_store *s, const char *key, struct s3_object **out,
                  struct kc_error *err)
{
    *out = NULL;
    struct s3_object *o = kc_calloc(1, sizeof(*o));
    if (o == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    o->s = s;
    o->fd = -1;
    o->key = kc_strdup(key);
    o->tmp = s->local ? local_path(s->dir, key, ".inprogress")
                      : kc_asprintf("%s/kc-s3-%ld-%u.spool", s->spool, (long)getpid(), s->seq++);
    if (o->key == NULL || o->tmp == NULL) {
        s3_object_abort(o);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    int rc = s->local ? mkdirs(o->tmp, err) : KC_OK;
    if (rc != KC_OK) {
        s3_object_abort(o);
        return rc;
    }
    o->fd = open(o->tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (o->fd < 0) {
        int e = errno;
        rc = kc_error_set_errno(err, file_error(e), e, "cannot create %s%s", o->tmp,
                                e == EMFILE || e == ENFILE
                                    ? " (one file is open per partition and time window: raise "
                                      "the process's open-file limit, or fewer partitions per "
                                      "task)"
                                    : "");
        s3_object_abort(o);
        return rc;
    }
    if (!s->local) {
        unlink(o->tmp); /* anonymous spool: nothing to clean after a crash */
    }
    *out = o;
    return KC_OK;
}

int s3_object_write(struct s3_object *o, const void *buf, size_t len, struct kc_error *err)
{
    if (write_all(o->fd, buf, len) != 0) {
        int e = errno;
        return kc_error_set_errno(err, file_error(e), e, "cannot write %s", o->tmp);
    }
    o->size += len;
    return KC_OK;
}

uint64_t s3_object_size(const struct s3_object *o)
{
    return o->size;
}

const char *s3_object_key(const struct s3_object *o)
{
    return o->key;
}

void s3_object_abort(struct s3_object *o)
{
    if (o == NULL) {
        return;
    }
    if (o->fd >= 0) {
        close(o->fd);
        if (o->s->local) {
            unlink(o->tmp);
        }
    }
    kc_free(o->key);
    kc_free(o->tmp);
    kc_free(o->tagging);
    kc_free(o);
}

static int local_commit(struct s3_object *o, struct kc_error *err)
{
    char *dst = local_path(o->s->dir, o->key, "");
    if (dst == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    int rc = KC_OK;
    if (fsync(o->fd) != 0 || rename(o->tmp, dst) != 0) {
        rc = kc_error_set_errno(err, KC_EIO, errno, "cannot commit %s", dst);
    } else {
        /* the rename itself must survive a crash before the offsets are committed */
        char *slash = strrchr(dst, '/');
        *slash = '\0';
        int dfd = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            (void)fsync(dfd);
            close(dfd);
        }
    }
    kc_free(dst);
    return rc;
}

/* "<UploadId>...</UploadId>" */
static char *xml_value(const struct kc_buf *b, const char *tag)
{
    if (b->len == 0) {
        return NULL;
    }
    char open_tag[64], close_tag[64];
    snprintf(open_tag, sizeof(open_tag), "<%s>", tag);
    snprintf(close_tag, sizeof(close_tag), "</%s>", tag);
    const char *d = (const char *)b->data;
    const char *end = d + b->len;
    size_t ol = strlen(open_tag);
    for (const char *p = d; p + ol <= end; p++) {
        if (memcmp(p, open_tag, ol) == 0) {
            const char *v = p + ol;
            for (const char *q = v; q + strlen(close_tag) <= end; q++) {
                if (memcmp(q, close_tag, strlen(close_tag)) == 0) {
                    return kc_strndup(v, (size_t)(q - v));
                }
            }
        }
    }
    return NULL;
}

static int xml_has(const struct kc_buf *b, const char *tag)
{
    char *v = xml_value(b, tag);
    int found = v != NULL;
    kc_free(v);
    return found;
}

/*
 * A conditional write found the key taken (412). With deterministic names that is the object
 * we would write -- unless the earlier run cut the set at another offset (an early commit
 * under memory pressure, an inference sample cut short): then its rows are not ours and
 * counting it as committed would lose the records past its end. 1 when the stored object has
 * our size (the same rows, as a replay writes them byte for byte), 0 when it differs or
 * cannot be read (the caller then writes ours over it: the same first records, perhaps more).
 */
static int same_object(struct s3_store *s, const struct s3_object *o)
{
    struct s3_req q = {.method = "HEAD", .key = o->key, .fd = -1, .length = -1, .ssec = 1};
    kc_buf_init(&q.body, S3_BODY_MAX + 1);
    struct kc_error e;
    int rc = request(s, &q, &e);
    kc_buf_fini(&q.body);
    return rc == KC_OK && q.length >= 0 && (uint64_t)q.length == o->size;
}

/* CompleteMultipartUpload of the parts listed in done (conditional: If-None-Match: *).
 * body is the caller's answer buffer, lent for the call; *status the HTTP status. */
static int complete_upload(struct s3_store *s, const struct s3_object *o, const char *query,
                           const struct kc_buf *done, int conditional, struct kc_buf *body,
                           long *status, struct kc_error *err)
{
    struct s3_req cq = {.method = "POST", .key = o->key, .query = query, .fd = -1,
                        .mem = (const char *)done->data, .len = done->len,
                        .if_none_match = conditional};
    cq.body = *body;
    int rc = request(s, &cq, err);
    *body = cq.body;
    *status = cq.status;
    if (rc == KC_OK && cq.body.len > 0 && xml_has(&cq.body, "Code")) {
        /* 200 with an error body: S3 reports late failures of Complete this way */
        rc = kc_error_set(err, KC_RETRY, "S3 CompleteMultipartUpload %s failed", o->key);
    }
    return rc;
}

/* "Content-MD5: <base64>" of len bytes of fd at off into hdr (s3.send.digest: S3 refuses the
 * body with BadDigest if it arrives different). KC_EIO when the spool file cannot be read. */
static int md5_header(int fd, uint64_t off, uint64_t len, char hdr[64], struct kc_error *err)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char buf[1 << 16], md5[EVP_MAX_MD_SIZE];
    unsigned int md5_len = 0;
    int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) == 1;
    while (ok && len > 0) {
        size_t want = len < sizeof(buf) ? (size_t)len : sizeof(buf);
        ssize_t n = pread(fd, buf, want, (off_t)off);
        if (n <= 0) {
            EVP_MD_CTX_free(ctx);
            return kc_error_set(err, KC_EIO, "reading the spool file for its MD5: %s",
                                n < 0 ? strerror(errno) : "short file");
        }
        ok = EVP_DigestUpdate(ctx, buf, (size_t)n) == 1;
        off += (uint64_t)n;
        len -= (uint64_t)n;
    }
    ok = ok && EVP_DigestFinal_ex(ctx, md5, &md5_len) == 1 && md5_len == 16;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
        return kc_error_set(err, KC_EFATAL, "MD5 of an upload failed");
    }
    strcpy(hdr, "Content-MD5: ");
    EVP_EncodeBlock((unsigned char *)hdr + strlen(hdr), md5, 16);
    return KC_OK;
}

static int multipart(struct s3_object *o, struct kc_error *err)
{
    struct s3_store *s = o->s;
    size_t part = s->part_size;
    if ((o->size + part - 1) / part > S3_MAX_PARTS) { /* grow parts to stay under 10,000 */
        part = (size_t)((o->size + S3_MAX_PARTS - 1) / S3_MAX_PARTS);
    }
    struct s3_req q = {.method = "POST", .key = o->key, .query = "uploads=", .fd = -1,
                       .creates = 1};
    kc_buf_init(&q.body, S3_BODY_MAX + 1);
    struct kc_buf done, qs;
    kc_buf_init(&done, (size_t)1 << 30);
    kc_buf_init(&qs, 64 * 1024);
    char *upload_id = NULL;
    int rc = request(s, &q, err);
    if (rc == KC_OK && (upload_id = xml_value(&q.body, "UploadId")) == NULL) {
        rc = kc_error_set(err, KC_EIO, "S3 CreateMultipartUpload %s: no UploadId in the answer",
                          o->key);
    }
    unsigned cv = s3_store_curl_version();
    if (rc == KC_OK && strchr(upload_id, '+') != NULL && cv >= 0x080000) {
        /* libcurl 8 signs a '+' in a query value as a space; every request naming this upload
         * would be refused (AWS and MinIO ids have no '+'). Left for the bucket's lifecycle
         * rule: aborting it would be refused the same way. */
        rc = kc_error_set(err, KC_EFATAL,
                          "S3 CreateMultipartUpload %s: the server's upload id contains '+', "
                          "which libcurl %u.%u.%u signs as a space, so its parts cannot be "
                          "signed; raise s3.part.size above the largest object (one PUT each)",
                          o->key, cv >> 16, (cv >> 8) & 0xff, cv & 0xff);
    }
    if (rc != KC_OK) {
        goto out;
    }
    rc = kc_buf_append_str(&done, "<CompleteMultipartUpload>");
    unsigned n = 0;
    for (uint64_t off = 0; rc == KC_OK && off < o->size; off += part) {
        n++;
        kc_buf_reset(&qs);
        rc = kc_buf_printf(&qs, "partNumber=%u&uploadId=", n);
        if (rc == KC_OK) {
            rc = url_encode(&qs, upload_id, 0);
        }
        if (rc == KC_OK) {
            rc = kc_buf_append_byte(&qs, 0);
        }
        if (rc != KC_OK) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            break;
        }
        struct s3_req pq = {.method = "PUT", .key = o->key, .query = (char *)qs.data,
                            .fd = o->fd, .off = off,
                            .len = o->size - off < part ? o->size - off : part, .ssec = 1};
        char md5[64];
        if (s->send_digest) {
            if ((rc = md5_header(o->fd, pq.off, pq.len, md5, err)) != KC_OK) {
                break;
            }
            pq.extra_hdr = md5;
        }
        pq.body = q.body;
        rc = request(s, &pq, err);
        q.body = pq.body;
        s->stats.parts++;
        if (rc == KC_OK) {
            rc = kc_buf_printf(&done, "<Part><PartNumber>%u</PartNumber><ETag>%s</ETag></Part>", n,
                               pq.etag);
            if (rc != KC_OK) {
                rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            }
        }
    }
    if (rc == KC_OK && kc_buf_append_str(&done, "</CompleteMultipartUpload>") != KC_OK) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    kc_buf_reset(&qs);
    if (kc_buf_append_str(&qs, "uploadId=") != KC_OK || url_encode(&qs, upload_id, 0) != KC_OK ||
        kc_buf_append_byte(&qs, 0) != KC_OK) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory"); /* cannot even abort: leak the parts */
        goto out;
    }
    int unused = 0; /* the parts went into no object: abort them, as on a failure */
    if (rc == KC_OK) {
        long status = 0;
        rc = complete_upload(s, o, (const char *)qs.data, &done, 1, &q.body, &status, err);
        if (rc != KC_OK && status == 412) {
            s->stats.precondition_failed++;
            if (same_object(s, o)) {
                rc = KC_OK; /* exists: a previous run committed this very object */
                unused = 1;
            } else {
                /* another cut of the set: complete ours over it, unconditionally */
                rc = complete_upload(s, o, (const char *)qs.data, &done, 0, &q.body, &status,
                                     err);
                s->stats.overwrites++;
            }
        }
        s->stats.completes++;
    }
    if (rc != KC_OK || unused) { /* leave no orphaned parts behind */
        struct kc_error e2;
        struct s3_req aq = {.method = "DELETE", .key = o->key, .query = (char *)qs.data, .fd = -1};
        aq.body = q.body;
        (void)request(s, &aq, &e2);
        q.body = aq.body;
        s->stats.aborts++;
    }
out:
    kc_free(upload_id);
    kc_buf_fini(&q.body);
    kc_buf_fini(&done);
    kc_buf_fini(&qs);
    return rc;
}

/* XML text with the five predefined entities decoded (S3 escapes keys); owned, NULL on OOM. */
static char *xml_text(const char *v, size_t n)
{
    static const struct {
        const char *ent;
        char c;
    } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    char *out = kc_malloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; out != NULL && i < n;) {
        size_t e = 0;
        while (e < 5 && (v[i] != '&' || strlen(ents[e].ent) > n - i ||
                         memcmp(v + i, ents[e].ent, strlen(ents[e].ent)) != 0)) {
            e++;
        }
        if (e < 5) {
            out[k++] = ents[e].c;
            i += strlen(ents[e].ent);
        } else {
            out[k++] = v[i++];
        }
    }
    if (out != NULL) {
        out[k] = '\0';
    }
    return out;
}

/* The text of <tag>...</tag> inside [p, end), decoded; NULL when absent or on OOM. */
static char *xml_in(const char *p, const char *end, const char *tag)
{
    size_t tl = strlen(tag);
    for (const char *q = p; q + tl + 2 <= end; q++) {
        if (q[0] == '<' && memcmp(q + 1, tag, tl) == 0 && q[tl + 1] == '>') {
            const char *v = q + tl + 2;
            for (const char *c = v; c + tl + 3 <= end; c++) {
                if (c[0] == '<' && c[1] == '/' && memcmp(c + 2, tag, tl) == 0 && c[tl + 2] == '>') {
                    return xml_text(v, (size_t)(c - v));
                }
            }
            return NULL;
        }
    }
    return NULL;
}

int s3_store_abort_uploads(struct s3_store *s, const char *prefix,
                           int (*match)(void *ctx, const char *key), void *ctx,
                           unsigned *aborted, struct kc_error *err)
{
    *aborted = 0;
    if (s->local) {
        return KC_OK;
    }
    CURL *curl = curl_easy_init(); /* the store's handle may be uploading on the other thread */
    if (curl == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    struct kc_buf qs, body;
    kc_buf_init(&qs, 64 * 1024);
    kc_buf_init(&body, S3_BODY_MAX + 1);
    char *key_marker = NULL, *id_marker = NULL;
    int rc = KC_OK;
    for (int page = 0; rc == KC_OK && page < 1000; page++) {
        /* parameters in SigV4's canonical (sorted) order: libcurl 7.x signs them as given */
        kc_buf_reset(&qs);
        rc = KC_OK;
        if (key_marker != NULL) {
            rc = kc_buf_append_str(&qs, "key-marker=");
            rc = rc == KC_OK ? url_encode(&qs, key_marker, 0) : rc;
            rc = rc == KC_OK ? kc_buf_append_str(&qs, "&") : rc;
        }
        rc = rc == KC_OK ? kc_buf_append_str(&qs, "prefix=") : rc;
        rc = rc == KC_OK ? url_encode(&qs, prefix, 0) : rc;
        if (rc == KC_OK && key_marker != NULL) {
            rc = kc_buf_append_str(&qs, "&upload-id-marker=");
            rc = rc == KC_OK ? url_encode(&qs, id_marker != NULL ? id_marker : "", 0) : rc;
        }
        rc = rc == KC_OK ? kc_buf_append_str(&qs, "&uploads=") : rc;
        rc = rc == KC_OK ? kc_buf_append_byte(&qs, 0) : rc;
        if (rc != KC_OK) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            break;
        }
        struct s3_req q = {.method = "GET", .query = qs.data, .fd = -1, .curl = curl};
        q.body = body;
        rc = once(s, &q, err);
        body = q.body;
        if (rc == KC_OK && q.body_cut) { /* 1,000 uploads of long keys: not read half */
            rc = kc_error_set(err, KC_EIO, "ListMultipartUploads answer past %d bytes",
                              (int)S3_BODY_MAX);
        }
        if (rc != KC_OK) {
            break;
        }
        const char *d = (const char *)body.data, *end = d + body.len;
        for (const char *u = d; d != NULL && u < end;) {
            const char *open = NULL, *close = NULL;
            for (const char *c = u; c + 9 <= end; c++) {
                if (memcmp(c, "<Upload>", 8) == 0) {
                    open = c;
                    break;
                }
            }
            for (const char *c = open; c != NULL && c + 9 <= end; c++) {
                if (memcmp(c, "</Upload>", 9) == 0) {
                    close = c;
                    break;
                }
            }
            if (open == NULL || close == NULL) {
                break;
            }
            char *key = xml_in(open, close, "Key"), *id = xml_in(open, close, "UploadId");
            if (key != NULL && id != NULL && strncmp(key, prefix, strlen(prefix)) == 0 &&
                match(ctx, key)) {
                struct kc_buf aqs;
                kc_buf_init(&aqs, 64 * 1024);
                int arc = kc_buf_append_str(&aqs, "uploadId=");
                arc = arc == KC_OK ? url_encode(&aqs, id, 0) : arc;
                arc = arc == KC_OK ? kc_buf_append_byte(&aqs, 0) : arc;
                struct s3_req aq = {.method = "DELETE", .key = key, .query = aqs.data, .fd = -1,
                                    .curl = curl};
                kc_buf_init(&aq.body, S3_BODY_MAX + 1);
                struct kc_error e2;
                if (arc == KC_OK && once(s, &aq, &e2) == KC_OK) {
                    (*aborted)++;
                }
                kc_buf_fini(&aq.body);
                kc_buf_fini(&aqs);
            }
            kc_free(key);
            kc_free(id);
            u = close + 9;
        }
        char *truncated = xml_value(&body, "IsTruncated");
        int more = truncated != NULL && strcmp(truncated, "true") == 0;
        kc_free(truncated);
        kc_free(key_marker);
        kc_free(id_marker);
        const char *bd = (const char *)body.data;
        key_marker = more ? xml_in(bd, bd + body.len, "NextKeyMarker") : NULL; /* decoded */
        id_marker = more ? xml_in(bd, bd + body.len, "NextUploadIdMarker") : NULL;
        if (key_marker == NULL) {
            break;
        }
    }
    kc_free(key_marker);
    kc_free(id_marker);
    kc_buf_fini(&qs);
    kc_buf_fini(&body);
    curl_easy_cleanup(curl);
    return rc;
}

/* XML text of s (its &, <, >, ", ' escaped) onto b */
static int xml_escape(struct kc_buf *b, const char *s)
{
    int rc = KC_OK;
    for (; *s != '\0' && rc == KC_OK; s++) {
        switch (*s) {
        case '&': rc = kc_buf_append_str(b, "&amp;"); break;
        case '<': rc = kc_buf_append_str(b, "&lt;"); break;
        case '>': rc = kc_buf_append_str(b, "&gt;"); break;
        case '"': rc = kc_buf_append_str(b, "&quot;"); break;
        case '\'': rc = kc_buf_append_str(b, "&apos;"); break;
        default: rc = kc_buf_append_byte(b, (uint8_t)*s); break;
        }
    }
    return rc;
}

int s3_object_set_tags(struct s3_object *o, const char *const *kv, size_t n, int ignore_errors,
                       struct kc_error *warn)
{
    struct kc_buf b;
    kc_buf_init(&b, 1 << 20);
    int rc = kc_buf_append_str(&b, "<Tagging><TagSet>");
    for (size_t i = 0; rc == KC_OK && i < n; i++) {
        rc = kc_buf_append_str(&b, "<Tag><Key>");
        if (rc == KC_OK) {
            rc = xml_escape(&b, kv[2 * i]);
        }
        if (rc == KC_OK) {
            rc = kc_buf_append_str(&b, "</Key><Value>");
        }
        if (rc == KC_OK) {
            rc = xml_escape(&b, kv[2 * i + 1]);
        }
        if (rc == KC_OK) {
            rc = kc_buf_append_str(&b, "</Value></Tag>");
        }
    }
    if (rc == KC_OK) {
        rc = kc_buf_append_str(&b, "</TagSet></Tagging>");
    }
    if (rc == KC_OK) {
        rc = kc_buf_append_byte(&b, 0);
    }
    char *x = rc == KC_OK ? kc_buf_take(&b, NULL) : NULL;
    kc_buf_fini(&b);
    if (x == NULL) {
        return KC_ENOMEM;
    }
    kc_free(o->tagging);
    o->tagging = x;
    o->tags_ignore_errors = ignore_errors;
    o->tag_warn = warn;
    return KC_OK;
}

/* PutObjectTagging of a committed object (Content-MD5 is required there). A failure fails the
 * commit for good (KC_EFATAL: the object is there, its tags are not), or with ignored errors
 * is told in o->tag_warn and the commit stands, as Confluent's s3.object.behavior.on.tagging.
 * error=fail / ignore. */
static int put_tagging(struct s3_object *o, struct kc_error *err)
{
    size_t len = strlen(o->tagging);
    unsigned char md5[EVP_MAX_MD_SIZE];
    unsigned int md5_len = 0;
    char hdr[64] = "Content-MD5: ";
    struct kc_error e;
    int rc;
    if (EVP_Digest(o->tagging, len, md5, &md5_len, EVP_md5(), NULL) != 1 || md5_len != 16) {
        rc = kc_error_set(&e, KC_EFATAL, "the MD5 of the tagging request failed");
    } else {
        EVP_EncodeBlock((unsigned char *)hdr + strlen(hdr), md5, 16);
        struct s3_req q = {.method = "PUT", .key = o->key, .query = "tagging=", .fd = -1,
                           .mem = o->tagging, .len = len, .extra_hdr = hdr};
        kc_buf_init(&q.body, S3_BODY_MAX + 1);
        rc = request(o->s, &q, &e);
        kc_buf_fini(&q.body);
    }
    if (rc == KC_OK) {
        o->s->stats.tagged++;
        return KC_OK;
    }
    o->s->stats.tag_failures++;
    if (o->tags_ignore_errors) {
        if (o->tag_warn != NULL) {
            kc_error_set(o->tag_warn, rc, "Unable to tag S3 object %s: %s", o->key, e.msg);
        }
        return KC_OK;
    }
    return kc_error_set(err, KC_EFATAL, "Unable to tag S3 object %s: %s", o->key, e.msg);
}

int s3_object_commit(struct s3_object *o, struct kc_error *err)
{
    int rc;
    if (o->s->local) {
        rc = local_commit(o, err);
        if (rc == KC_OK) {
            close(o->fd);
            o->fd = -1;
        }
    } else if (o->size <= o->s->part_size) {
        struct s3_req q = {.method = "PUT", .key = o->key, .fd = o->fd, .len = o->size,
                           .if_none_match = 1, .creates = 1};
        char md5[64];
        if (o->s->send_digest && (rc = md5_header(o->fd, 0, o->size, md5, err)) != KC_OK) {
            s3_object_abort(o);
            return rc;
        }
        q.extra_hdr = o->s->send_digest ? md5 : NULL;
        kc_buf_init(&q.body, S3_BODY_MAX + 1);
        rc = request(o->s, &q, err);
        if (rc != KC_OK && q.status == 412) {
            o->s->stats.precondition_failed++;
            rc = KC_OK;
            if (!same_object(o->s, o)) { /* another cut of the set (see same_object) */
                struct s3_req u = {.method = "PUT", .key = o->key, .fd = o->fd, .len = o->size,
                                   .creates = 1, .extra_hdr = q.extra_hdr};
                u.body = q.body;
                rc = request(o->s, &u, err);
                q.body = u.body;
                o->s->stats.overwrites++;
            }
        }
        o->s->stats.puts++;
        kc_buf_fini(&q.body);
    } else {
        rc = multipart(o, err);
    }
    if (rc == KC_OK && o->tagging != NULL && !o->s->local) {
        rc = put_tagging(o, err);
    }
    s3_object_abort(o);
    return rc;
}
