/*
 * tests/unit/base/test_kc_log.c: a log line stays one line whatever the message holds. A query
 * value decoded from "%0A[2026-01-01 00:00:00,000] ERROR forged" once printed a second, forged
 * line; control characters are now escaped, and only our own multi-line blocks (the worker
 * config dump) are written as they are.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kc_log.h"

/* Run the logging calls of fn with stderr sent to a temporary file; the text written. */
static char *capture(void (*fn)(void))
{
    static char buf[8192];
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    fflush(stderr);
    int saved = dup(2);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(tmp), 2) >= 0);
    fn();
    fflush(stderr);
    assert_true(dup2(saved, 2) >= 0);
    close(saved);
    rewind(tmp);
    size_t n = fread(buf, 1, sizeof(buf) - 1, tmp);
    buf[n] = '\0';
    fclose(tmp);
    return buf;
}

static void log_forged(void)
{
    kc_log(KC_LOG_INFO, "rest", "Ignoring unknown expansion type %s",
           "x\n[2026-01-01 00:00:00,000] ERROR forged (rest)\r\x1b[31m\x7f\tend");
}

static void test_controls_escaped(void **state)
{
    (void)state;
    const char *out = capture(log_forged);
    /* one line: the only newline is the one that ends it */
    assert_non_null(strchr(out, '\n'));
    assert_null(strchr(strchr(out, '\n') + 1, '\n'));
    assert_non_null(strstr(out, " INFO Ignoring unknown expansion type x\\n[2026-01-01 00:00:00,000]"
                                " ERROR forged (rest)\\r\\x1b[31m\\x7f\tend (rest)\n"));
}

static void log_block(void)
{
    const char *dump = "DistributedConfig values: \n\tgroup.id = g\n";
    kc_log_block(KC_LOG_INFO, "config", dump, strlen(dump));
}

static void test_block_verbatim(void **state)
{
    (void)state;
    const char *out = capture(log_block);
    assert_non_null(strstr(out, " INFO DistributedConfig values: \n\tgroup.id = g\n (config)\n"));
}

static void log_long(void)
{
    char big[4096];
    memset(big, '\n', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    kc_log(KC_LOG_WARN, "task", "%s", big);
}

/* escaping doubles the length: the line is cut at a whole escape and keeps its tag */
static void test_long_cut_keeps_tag(void **state)
{
    (void)state;
    const char *out = capture(log_long);
    size_t n = strlen(out);
    assert_true(n <= 2048);
    assert_string_equal(out + n - 10, "\\n (task)\n");
    assert_ptr_equal(strchr(out, '\n'), out + n - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_controls_escaped),
        cmocka_unit_test(test_block_verbatim),
        cmocka_unit_test(test_long_cut_keeps_tag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
