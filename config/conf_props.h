/*
 * config/conf_props.h: Java .properties parsing (java.util.Properties.load rules) and the
 * Confluent image's CONNECT_* environment-to-property mapping.
 *
 * Results go into a struct kc_strmap in first-seen key order; a later duplicate replaces the
 * value in place (last one wins, as Properties.put does). Bytes outside escapes are copied as
 * they are, so a UTF-8 file stays UTF-8; \uXXXX escapes (and surrogate pairs) are written as
 * UTF-8. The one thing C strings cannot carry is U+0000, so a NUL byte or \u0000 is rejected.
 */
#ifndef CONF_PROPS_H
#define CONF_PROPS_H

#include <stddef.h>

#include "kc_error.h"
#include "kc_strmap.h"

/* Largest properties file conf_props_load reads (a worker file is a few KiB). */
#define CONF_PROPS_MAX_FILE (16u * 1024u * 1024u)

/*
 * Parse buf[0..len) with the rules of java.util.Properties.load(Reader):
 *  - natural lines end at \n, \r or \r\n; leading spaces, tabs and form feeds are skipped;
 *    blank lines are skipped; a line whose first non-blank char is # or ! is a comment (no
 *    continuation on comment lines);
 *  - a line ending in an odd number of backslashes continues on the next line, whose leading
 *    whitespace is dropped;
 *  - the key ends at the first unescaped '=', ':' or whitespace; then whitespace, at most one
 *    '=' or ':', and whitespace are skipped; the rest is the value (trailing blanks kept);
 *  - escapes: \t \n \r \f, \uXXXX (exactly four hex digits, else the JVM's
 *    "Malformed \uxxxx encoding."), any other \x is x.
 * Entries are added to out (which the caller initialised; existing keys are replaced).
 * On error out keeps the entries parsed before the bad line.
 * @thread any
 * @return KC_OK, KC_EINVAL ("Malformed \uxxxx encoding. (line N)"), KC_ENOMEM
 */
int conf_props_parse(const char *buf, size_t len, struct kc_strmap *out, struct kc_error *err);

/*
 * Read and parse a file. KC_EIO with the path and errno when it cannot be read, KC_EINVAL when
 * it is larger than CONF_PROPS_MAX_FILE or malformed (message names the path and line).
 * @thread any
 */
int conf_props_load(const char *path, struct kc_strmap *out, struct kc_error *err);

/*
 * Map one environment variable name, without its "CONNECT_" prefix, to a property name the way
 * the Confluent image's Go `ub` tool does: each non-overlapping match of [^_]_[^_] has its '_'
 * turned into '.', then "___" -> "-", then "__" -> "_", then lower case (ASCII). So GROUP_ID ->
 * group.id, FOO__BAR -> foo_bar, FOO___BAR -> foo-bar and, by the non-overlap quirk, A_B_C ->
 * a.b_c. Owned result (kc_free), NULL when out of memory.
 * @thread any
 */
char *conf_props_env_to_key(const char *name);

/*
 * Apply every "CONNECT_<X>=<v>" entry of envp (NULL-ended "NAME=value" strings, as environ)
 * to out as property conf_props_env_to_key(<X>), replacing file values (the image writes
 * the environment into the properties file, so the environment wins). Exactly as in the image,
 * the entries are rendered as "key=value" lines sorted by key and read back with the
 * .properties rules, so values go through escape processing: CONNECT_X='C:\dir' gives
 * "C:dir", leading blanks are dropped, a value ending in a backslash continues onto the next
 * line. Entries without '=' or with an empty name after the prefix are skipped. Variables that are no worker property
 * (CONNECT_REST_PORT, CONNECT_LOG4J_*, CONNECT_CUB_*) land as keys too, as in the image; the
 * worker config then warns about them like the JVM does about unknown keys.
 * @thread any
 * @return KC_OK, KC_EINVAL (a malformed \uxxxx in a value, as the JVM fails on), KC_ENOMEM
 */
int conf_props_apply_env(char *const *envp, struct kc_strmap *out, struct kc_error *err);

#endif
