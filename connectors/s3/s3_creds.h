/*
 * connectors/s3/s3_creds.h: the credentials an S3 store signs with, found as the AWS SDK's
 * default chain finds them (DefaultAWSCredentialsProviderChain, Confluent's default
 * s3.credentials.provider.class):
 *   1. aws.access.key.id / aws.secret.access.key (Confluent's static keys);
 *   2. the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN;
 *   3. web identity (EKS IRSA): AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, exchanged with
 *      STS AssumeRoleWithWebIdentity (AWS_ROLE_SESSION_NAME; endpoint AWS_ENDPOINT_URL_STS,
 *      else https://sts.<region>.amazonaws.com);
 *   4. the shared credentials file: AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials, profile
 *      AWS_PROFILE or "default";
 *   5. container credentials (ECS, EKS Pod Identity): AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
 *      (from http://169.254.170.2) or AWS_CONTAINER_CREDENTIALS_FULL_URI (https, or http to
 *      loopback or the ECS / EKS Pod Identity address), with
 *      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or AWS_CONTAINER_AUTHORIZATION_TOKEN;
 *   6. the instance profile (EC2 IMDSv2, else v1; AWS_EC2_METADATA_SERVICE_ENDPOINT or
 *      http://169.254.169.254), unless AWS_EC2_METADATA_DISABLED=true: only for AWS itself
 *      (no store.url, or one under amazonaws.com) or when that endpoint is named.
 * None of them: requests go unsigned (anonymous). For AWS itself the instance profile is the
 * last source, and an unreachable one fails the requests (as the SDK's chain does).
 * Temporary credentials (3, 5, 6) are fetched on first use and again within 5 minutes of their
 * expiry. Thread-safe: the task thread and the upload thread sign with the same store.
 */
#ifndef S3_CREDS_H
#define S3_CREDS_H

#include "kc_error.h"

struct s3_creds;

/* access_key/secret_key/session_token: the connector's (NULL or "" = none); region: for STS;
 * aws_endpoint: 1 when the store talks to AWS itself (instance profile allowed). KC_ENOMEM;
 * a named source that cannot be read fails the first request (s3_creds_get), which the task
 * reports at its start. */
int s3_creds_new(const char *access_key, const char *secret_key, const char *session_token,
                 const char *region, int aws_endpoint, struct s3_creds **out,
                 struct kc_error *err);
/* Confluent's AwsAssumeRoleCredentialsProvider: the credentials `base` (taken: freed with the
 * result) assume role_arn through STS AssumeRole, signed with them (SigV4 "sts"; endpoint
 * AWS_ENDPOINT_URL_STS, else https://sts.<sts_region>.amazonaws.com); the temporary
 * credentials are refreshed as the chain's. external_id may be NULL. */
int s3_creds_assume_role(struct s3_creds *base, const char *role_arn, const char *session_name,
                         const char *external_id, const char *sts_region, struct s3_creds **out,
                         struct kc_error *err);
void s3_creds_free(struct s3_creds *c);

/* The credentials to sign with now: *userpwd "key:secret" and *token_hdr
 * "x-amz-security-token: ..." (both malloc'd copies, NULL when absent; free them with
 * s3_creds_release, which wipes the secret). KC_RETRY (err set) when temporary credentials
 * could not be fetched; KC_ENOMEM. */
int s3_creds_get(struct s3_creds *c, char **userpwd, char **token_hdr, struct kc_error *err);
void s3_creds_release(char *userpwd, char *token_hdr);

/* Where they come from, for logs: "connector", "environment", "web identity", "profile",
 * "container", "instance profile", "assume role", "none". */
const char *s3_creds_source(const struct s3_creds *c);

#endif
