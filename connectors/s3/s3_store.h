/*
 * connectors/s3/s3_store.h: where finished objects go. Two back ends with one layout:
 *   - local (store.url=file:///dir): an object is written to "<dir>/<key>.inprogress" and
 *     renamed to "<dir>/<key>" after fsync on commit, so readers never see a partial file and a
 *     replay after a crash overwrites the same name;
 *   - S3 (any other store.url, or AWS when unset): an object is spooled to a local temporary
 *     file while it grows (memory stays bounded whatever the part size and the partition
 *     count) and uploaded on commit over libcurl with CURLOPT_AWS_SIGV4: one PUT up to
 *     s3.part.size, else a multipart upload (parts >= 5 MiB, <= 10,000 parts, aborted on
 *     failure; s3_store_abort_uploads aborts those a killed process left). Requests are retried with exponential backoff and jitter; PUT and
 *     CompleteMultipartUpload carry If-None-Match: * when conditional writes are on, and a 412
 *     counts as committed (the names are deterministic: the object is the one we would write).
 *
 * @thread caller: one store per task.
 */
#ifndef S3_STORE_H
#define S3_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "kc_error.h"

#define S3_PART_MIN_BYTES ((size_t)5 << 20)
#define S3_MAX_PARTS 10000

struct s3_store_config {
    const char *url;        /* store.url: NULL/"" = AWS, "file:///dir", "http(s)://host:port" */
    const char *bucket;     /* s3.bucket.name */
    const char *region;     /* s3.region */
    int path_style;         /* s3.path.style.access.enabled */
    const char *access_key; /* NULL: from the environment (AWS_ACCESS_KEY_ID) */
    const char *secret_key; /* NULL: from the environment (AWS_SECRET_ACCESS_KEY) */
    const char *session_token; /* NULL: from the environment (AWS_SESSION_TOKEN) */
    /* s3.credentials.provider.class=...AwsAssumeRoleCredentialsProvider: the role the keys
     * above (or the default chain) assume through STS (role_arn NULL: none) */
    const char *role_arn;          /* s3.credentials.provider.sts.role.arn */
    const char *role_session_name; /* ...sts.role.session.name */
    const char *role_external_id;  /* ...sts.role.external.id (NULL/"" none) */
    const char *sts_region;        /* ...sts.region (NULL/"": s3.region) */
    size_t part_size;       /* s3.part.size */
    int retries;            /* s3.part.retries */
    int64_t backoff_ms;     /* s3.retry.backoff.ms */
    int conditional_writes; /* enable.conditional.writes */
    const char *spool_dir;  /* temporary files for S3 objects; NULL = $TMPDIR or /tmp */
    /* Server-side encryption and canned ACL, as Confluent's S3OutputStream sends them (S3
     * stores only; the local store ignores them). sse: NULL/"" none, "AES256" (with
     * sse_customer_key: SSE-C), "aws:kms" or "aws:kms:dsse" (sent only with a key id). */
    const char *sse;
    const char *sse_kms_key_id;   /* s3.sse.kms.key.id */
    const char *sse_customer_key; /* s3.sse.customer.key: base64 of a 32-byte key (secret) */
    const char *acl;              /* s3.acl.canned, trimmed (as conf_values gives it): NULL/""
                                   * none */
    /* s3.proxy.url ("http://host:port", NULL/"" none: as the AWS SDK, proxies named in the
     * environment are not used either), s3.proxy.user and s3.proxy.password (secret; NULL
     * none: then the URL's own user:password, if any) */
    int send_digest;              /* s3.send.digest: Content-MD5 on each PUT of an object or part */
    const char *proxy_url;
    const char *proxy_user;
    const char *proxy_password;
};

/* Check an SSE-C key: base64 of exactly 32 bytes (padding optional, as Java's decoder reads
 * it; S3 is sent the padded form). @return KC_OK or KC_EINVAL (err says why, without the key) */
int s3_sse_customer_key_check(const char *b64, struct kc_error *err);

struct s3_store;
struct s3_object;

int s3_store_new(const struct s3_store_config *c, struct s3_store **out, struct kc_error *err);
void s3_store_free(struct s3_store *s);
int s3_store_is_local(const struct s3_store *s);
/* Where its credentials come from (s3_creds_source): "connector", "environment", "web identity",
 * "profile", "container", "instance profile", "none" (the local store: "none"). */
const char *s3_store_creds_source(const struct s3_store *s);
/* Check that the bucket (or directory) is there: the task fails at start otherwise. */
int s3_store_check(struct s3_store *s, struct kc_error *err);

/* The running libcurl's version_num (0xXXYYZZ), read once (curl_version_info fills static
 * buffers; configs are loaded on several threads). */
unsigned s3_store_curl_version(void);
/*
 * Abort the multipart uploads in progress under key prefix `prefix` whose key `match` accepts:
 * those a task killed mid-upload left behind (their parts are stored, and billed, until
 * aborted). Uses its own connection (the upload thread may be using the store's). *aborted
 * counts the uploads aborted. No-op on the local store. @thread the task
 * @return KC_OK, KC_EIO/KC_RETRY (listing failed; err says why), KC_ENOMEM
 */
int s3_store_abort_uploads(struct s3_store *s, const char *prefix,
                           int (*match)(void *ctx, const char *key), void *ctx,
                           unsigned *aborted, struct kc_error *err);

/* Start object `key` (copied). out (OUT): owned until commit or abort. */
int s3_store_open(struct s3_store *s, const char *key, struct s3_object **out,
                  struct kc_error *err);
int s3_object_write(struct s3_object *o, const void *buf, size_t len, struct kc_error *err);
/* Tags to put on the object once it is committed (s3.object.tagging), as Confluent's
 * TopicPartitionWriter.tagFile does after its commit: n key/value pairs kv[2i], kv[2i+1]
 * (copied). ignore_errors: a tagging failure leaves the commit standing and says why in *warn
 * (the caller's, may be NULL; left untouched on success); else it fails the commit with
 * KC_EFATAL. The local store has no tags. KC_ENOMEM. */
int s3_object_set_tags(struct s3_object *o, const char *const *kv, size_t n, int ignore_errors,
                       struct kc_error *warn);
uint64_t s3_object_size(const struct s3_object *o);
const char *s3_object_key(const struct s3_object *o);
/* Make the object visible under its key, and free o (also on failure: the caller re-creates
 * the object from its records). KC_RETRY for transient failures. */
int s3_object_commit(struct s3_object *o, struct kc_error *err);
/* Drop the object (temporary file removed) and free o. Accepts NULL. */
void s3_object_abort(struct s3_object *o);

/* Requests issued (tests and bench): PUTs, parts, completes, aborts, retries. */
struct s3_store_stats {
    uint64_t puts, parts, completes, aborts, retries, precondition_failed;
    uint64_t overwrites; /* 412 on an object of another size: ours written over it */
    uint64_t tagged, tag_failures; /* PutObjectTagging (s3_object_set_tags) */
};
void s3_store_stats(const struct s3_store *s, struct s3_store_stats *out);

#endif
