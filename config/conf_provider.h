/*
 * config/conf_provider.h: Kafka config providers -- `${provider:[path:]key}` references in
 * worker properties and connector configs, resolved with the providers the worker configured:
 *
 *   config.providers=file,env,dir
 *   config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider
 *   config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider
 *   config.providers.dir.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider
 *   config.providers.<name>.param.allowed.paths=/etc/secrets     (file, dir)
 *   config.providers.<name>.param.allowlist.pattern=KAFKA_.*      (env)
 *
 * ${file:/p/x.properties:k} reads key k of that properties file; ${dir:/p:f} the whole content
 * of file f in directory /p; ${env:VAR} and ${env::VAR} the environment variable VAR.
 *
 * Matching Kafka's ConfigTransformer: a reference to a provider that is not configured, or to
 * a key the provider does not have (or a path outside allowed.paths), is left in the text
 * unchanged. Provider failures are errors: an unreadable properties file ("Could not read
 * properties from file <p>"), an unreadable file in a directory, a path given to the env
 * provider ("Path is not supported for EnvVarConfigProvider, invalid value '<p>'").
 * Connector configs are stored unresolved and resolved at use time.
 */
#ifndef CONF_PROVIDER_H
#define CONF_PROVIDER_H

#include <stddef.h>

#include "kc_error.h"
#include "kc_strmap.h"

#define CONF_PROVIDER_FILE_CLASS "org.apache.kafka.common.config.provider.FileConfigProvider"
#define CONF_PROVIDER_DIR_CLASS "org.apache.kafka.common.config.provider.DirectoryConfigProvider"
#define CONF_PROVIDER_ENV_CLASS "org.apache.kafka.common.config.provider.EnvVarConfigProvider"

struct conf_providers; /* opaque, immutable once built: safe to share between threads */

/*
 * Build the providers named in props' config.providers (split on ',' without trimming, as
 * AbstractConfig does; names without a .class property are skipped). envp is the environment
 * the env provider reads (NULL-ended "NAME=value"; borrowed for the providers' lifetime; NULL =
 * the process environment). An unknown class fails with the JVM's "Invalid value <c> for
 * configuration config.providers.<n>.class: Could not load config provider class or one of its
 * dependencies"; a bad allowed.paths entry with "Path <p> is not absolute" / "... does not
 * exist". With no providers *out is still a valid (empty) object.
 * @thread any
 * @return KC_OK, KC_EINVAL, KC_ENOMEM
 */
int conf_providers_new(const struct kc_strmap *props, char *const *envp,
                       struct conf_providers **out, struct kc_error *err);
/* NULL ok. @thread any (once no other thread uses cp) */
void conf_providers_free(struct conf_providers *cp);
/* Number of configured providers (0 = resolution is the identity). @thread any */
size_t conf_providers_count(const struct conf_providers *cp);

/*
 * Resolve every reference in value. *out is an owned string (kc_free), equal to value when
 * nothing resolved. cp may be NULL (no providers).
 * @thread any (reads files and the environment)
 * @return KC_OK, KC_EINVAL / KC_EIO (provider failure; err says which), KC_ENOMEM
 */
int conf_providers_resolve_value(const struct conf_providers *cp, const char *value, char **out,
                                 struct kc_error *err);

/*
 * Resolve every value of in into out (caller-initialised; keys added in in's order, NULL
 * values kept NULL). On failure out holds the entries done so far.
 * @thread any
 */
int conf_providers_transform(const struct conf_providers *cp, const struct kc_strmap *in,
                             struct kc_strmap *out, struct kc_error *err);

#endif
