/*
 * tests/unit/config/test_conf_regex.c: Java regex syntax checking with PatternSyntaxException's
 * messages, and the POSIX translation used for full-match checks. Every expected message below
 * was printed by java.util.regex.Pattern.compile on JDK 17 for the same pattern (NULL = it
 * compiled).
 */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "conf_regex.h"
#include "kc_alloc.h"

static void test_conf_regex_java_messages(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"(o.*", "Unclosed group near index 4\n(o.*"},
        {"a[", "Unclosed character class near index 1\na[\n ^"},
        {"a+++", "Dangling meta character '+' near index 3\na+++\n   ^"},
        {"*a", "Dangling meta character '*' near index 0\n*a\n^"},
        {"a)", "Unmatched closing ')' near index 0\na)\n^"},
        {")", "Unmatched closing ')'\n)"},
        {"(*a)", "Dangling meta character '*' near index 1\n(*a)\n ^"},
        {"a|*b", "Dangling meta character '*' near index 2\na|*b\n  ^"},
        {"a{", "Illegal repetition near index 2\na{"},
        {"a{x}", "Illegal repetition near index 2\na{x}\n  ^"},
        {"a{3,1}", "Illegal repetition range near index 5\na{3,1}\n     ^"},
        {"\\", "Unexpected internal error near index 1\n\\"},
        {"\\y", "Illegal/unsupported escape sequence near index 1\n\\y\n ^"},
        {"[]a]", NULL},
        {"[a-]", NULL},
        {"[z-a]", "Illegal character range near index 3\n[z-a]\n   ^"},
        {"a**", "Dangling meta character '*' near index 2\na**\n  ^"},
        {"a{2}+", NULL},
        {"a++", NULL},
        {"(?<n>x)", NULL},
        {"(?i)x", NULL},
        {"(?=x)", NULL},
        {"\\p{Alpha}", NULL},
        {"\\Qa+\\E+", NULL},
        {"x{2,}?", NULL},
        {"[[a]", "Unclosed character class near index 3\n[[a]\n   ^"},
        {"[a&&[b]]", NULL},
        {"(a", "Unclosed group near index 2\n(a"},
        {"((a)", "Unclosed group near index 4\n((a)"},
        {"a{1,2", "Unclosed counted closure near index 5\na{1,2"},
        {"?", "Dangling meta character '?' near index 0\n?\n^"},
        {"a??+", "Dangling meta character '+' near index 3\na??+\n   ^"},
        {"[^]", "Unclosed character class near index 2\n[^]\n  ^"},
        {"[\\]", "Unclosed character class near index 2\n[\\]\n  ^"},
        {"(?<1>x)", "capturing group name does not start with a Latin letter near index 3\n(?<1>x)\n   ^"},
        {"\\x{41}", NULL},
        {"\\u00", "Illegal Unicode escape sequence near index 4\n\\u00"},
        {"\\0", "Illegal octal escape sequence near index 2\n\\0"},
        {"\\8", NULL},
        {"{", "Illegal repetition near index 1\n{"},
        {"a{}", "Illegal repetition near index 2\na{}\n  ^"},
        {"^*", NULL},
        {"(?", "Unknown inline modifier near index 2\n(?"},
        {"(?<", "capturing group name does not start with a Latin letter near index 3\n(?<"},
        {"[a-\\d]", "Illegal character range near index 4\n[a-\\d]\n    ^"},
        {"\\c", "Illegal control escape sequence near index 1\n\\c\n ^"},
        {"\\x4", "Illegal hexadecimal escape sequence near index 3\n\\x4"},
        {"\\xZZ", "Illegal hexadecimal escape sequence near index 2\n\\xZZ\n  ^"},
        {"(?:a", "Unclosed group near index 4\n(?:a"},
        {"a{,3}", "Illegal repetition near index 2\na{,3}\n  ^"},
        {"\\E", "Illegal/unsupported escape sequence near index 1\n\\E\n ^"},
        {"(|a)*", NULL},
        {"()+", NULL},
        {"orders-.*", NULL},
        {"(foo|bar)\\d{2,4}", NULL},
        {"[A-Za-z0-9._-]+", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char msg[512];
        int rc = conf_regex_check(cases[i][0], msg, sizeof(msg));
        if (cases[i][1] == NULL) {
            if (rc != KC_OK) {
                fail_msg("pattern %s: unexpected error %s", cases[i][0], msg);
            }
        } else {
            assert_int_equal(rc, KC_EINVAL);
            if (strcmp(msg, cases[i][1]) != 0) {
                fail_msg("pattern %s: got [%s] want [%s]", cases[i][0], msg, cases[i][1]);
            }
        }
    }
}

static int full_match(const char *java, const char *subject)
{
    char *posix = NULL;
    regex_t re;
    int m;

    assert_int_equal(conf_regex_to_posix(java, 1, &posix), KC_OK);
    assert_int_equal(regcomp(&re, posix, REG_EXTENDED | REG_NOSUB), 0);
    m = regexec(&re, subject, 0, NULL, 0) == 0;
    regfree(&re);
    kc_free(posix);
    return m;
}

static void test_conf_regex_posix_translation(void **state)
{
    (void)state;
    char *out = NULL;

    assert_true(full_match("orders-.*", "orders-eu"));
    assert_false(full_match("orders-.*", "x-orders-eu")); /* matches() is anchored */
    assert_true(full_match("(?:dlq|errors)\\d{2}", "dlq42"));
    assert_false(full_match("(?:dlq|errors)\\d{2}", "dlq4"));
    assert_true(full_match("a++b*?", "aaab"));
    assert_true(full_match("\\Q.+\\E", ".+"));
    assert_false(full_match("\\Q.+\\E", "ab"));
    assert_true(full_match("[a-c]\\.x", "b.x"));
    assert_true(full_match("\\w+\\s\\S", "ab_1 z"));
    /* not expressible or too costly: KC_ENOENT, never a regcomp blow-up */
    assert_int_equal(conf_regex_to_posix("(?=a)a", 1, &out), KC_ENOENT);
    assert_int_equal(conf_regex_to_posix("(a)\\1", 1, &out), KC_ENOENT);
    assert_int_equal(conf_regex_to_posix("[a&&[b]]", 1, &out), KC_ENOENT);
    assert_int_equal(conf_regex_to_posix("((a{1,50}){1,50}){1,50}", 1, &out), KC_ENOENT);
    assert_int_equal(conf_regex_to_posix("x{2}{3}", 1, &out), KC_ENOENT);
    assert_int_equal(conf_regex_to_posix("a{1000}", 1, &out), KC_ENOENT);
    assert_int_equal(conf_regex_to_posix("a+++", 1, &out), KC_EINVAL);
    assert_null(out);
}

static void test_conf_regex_alloc_failures(void **state)
{
    (void)state;
    for (long n = 0; n < 100; n++) {
        char *out = NULL;
        kc_alloc_fail_after(n);
        int rc = conf_regex_to_posix("(?:a|b)[0-9]+\\d", 1, &out);
        kc_alloc_fail_after(-1);
        if (rc == KC_OK) {
            assert_string_equal(out, "^((a|b)[0-9]+[0-9])$");
            kc_free(out);
            return;
        }
        assert_int_equal(rc, KC_ENOMEM);
    }
    fail_msg("never succeeded");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conf_regex_java_messages),
        cmocka_unit_test(test_conf_regex_posix_translation),
        cmocka_unit_test(test_conf_regex_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
