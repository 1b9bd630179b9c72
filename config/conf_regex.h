/*
 * config/conf_regex.h: Java regular expressions in configs (topics.regex, the env provider's
 * allowlist.pattern) -- a syntax check that answers like java.util.regex.Pattern.compile, and a
 * translation to POSIX ERE for the few places that must match.
 *
 * Why not regcomp() directly: POSIX syntax differs from Java's (possessive and lazy quantifiers,
 * \d, (?:...)), its error texts are not the JVM's, and glibc's regcomp needs memory exponential
 * in stacked quantifiers ("o+++++...") -- a REST body could exhaust the worker. The checker
 * never allocates per pattern character beyond a fixed group stack, and the translation refuses
 * patterns whose bounded repetitions would make regcomp blow up.
 */
#ifndef CONF_REGEX_H
#define CONF_REGEX_H

#include <stddef.h>

#include "kc_error.h"

/* Deepest group nesting conf_regex_check accepts (Java has no limit; configs never come close). */
#define CONF_REGEX_MAX_DEPTH 64

/*
 * Check pattern as Pattern.compile would. KC_OK, or KC_EINVAL with PatternSyntaxException's
 * message in msg: "<description> near index <i>\n<pattern>[\n<spaces>^]", e.g.
 * "Unclosed group near index 4\n(o.*", "Dangling meta character '+' near index 3\na+++\n   ^".
 * Covers groups and inline flags, classes (nested, &&), escapes, quantifiers and counted
 * closures; named-group back-references are not cross-checked.
 * @thread any
 */
int conf_regex_check(const char *pattern, char *msg, size_t msg_len);

/*
 * Translate a valid Java pattern into POSIX ERE; anchor=1 wraps it as ^(...)$ for a full match
 * (Matcher.matches). *out is owned (kc_free). KC_ENOENT when the pattern uses what POSIX cannot
 * express (look-around, back-references, inline flags, \p{..}, \b, escapes inside classes,
 * class intersections) or when its bounded repetitions are too costly to compile; KC_EINVAL if
 * the pattern is not valid Java; KC_ENOMEM.
 * @thread any
 */
int conf_regex_to_posix(const char *pattern, int anchor, char **out);

#endif
