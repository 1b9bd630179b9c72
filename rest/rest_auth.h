/*
 * rest/rest_auth.h: REST authentication as the JVM's BasicAuthSecurityRestExtension does it.
 *
 * A worker with rest.extension.classes=org.apache.kafka.connect.rest.basic.auth.extension.
 * BasicAuthSecurityRestExtension reads the JAAS file named by -Djava.security.auth.login.config
 * in KAFKA_OPTS (how the Connect images are configured), takes its KafkaConnect entry, whose
 * login module must be PropertyFileLoginModule with file="<users.properties>", and loads that
 * Java properties file of user=password lines. Every request then needs "Authorization: Basic
 * base64(user:password)" matching a line (compared in constant time), except the worker-to-worker
 * POST /connectors/<c>/tasks, as in the JVM (sessioned mode signs it). A failure answers 401
 * "User cannot access the resource." with WWW-Authenticate. An empty users file lets every
 * request through (the JVM's rule, warned about at start). Any other extension class, a missing
 * or unreadable JAAS file, or another login module stops the worker with a message naming it.
 */
#ifndef REST_AUTH_H
#define REST_AUTH_H

#include <stddef.h>

#include "kc_error.h"

#define REST_AUTH_BASIC_EXTENSION \
    "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension"
#define REST_AUTH_PROPERTY_FILE_MODULE \
    "org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule"
#define REST_AUTH_DENIED "User cannot access the resource."

struct rest_auth;

/*
 * From the worker's rest.extension.classes and the KAFKA_OPTS text (may be NULL). *out = NULL
 * when no extension is configured (no authentication). KC_EINVAL with a message naming the
 * class, file or key at fault.
 * @thread main
 */
int rest_auth_new(char *const *extension_classes, size_t n, const char *kafka_opts,
                  struct rest_auth **out, struct kc_error *err);
void rest_auth_free(struct rest_auth *a);

/* 1 when the request may go on. authorization: the header's value or NULL. @thread any */
int rest_auth_allows(const struct rest_auth *a, const char *method, const char *path,
                     const char *authorization);

/* The JAAS file's KafkaConnect entry, parsed (exposed for tests): *file = the PropertyFileLoginModule
 * file option (owned). KC_EINVAL naming what is wrong. */
int rest_auth_parse_jaas(const char *text, size_t len, const char *jaas_path, char **file,
                         struct kc_error *err);

#endif
