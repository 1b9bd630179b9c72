/*
 * tests/unit/base/test_kc_thread.c: thread names as top -H and the S3 bench's per-thread CPU
 * split read them (/proc/self/task/TID/comm): a short name whole, a long one cut to 15 bytes
 * with its tail kept, a tail alone when it is all that fits.
 */
#define _GNU_SOURCE /* pthread_getname_np */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kc_thread.h"

struct naming {
    const char *name;
    const char *tail;
    char got[64];
};

static void *name_and_read(void *arg)
{
    struct naming *n = arg;
    kc_thread_name(n->name, n->tail);
    if (pthread_getname_np(pthread_self(), n->got, sizeof(n->got)) != 0) {
        snprintf(n->got, sizeof(n->got), "(getname failed)");
    }
    return NULL;
}

/* Names a new thread, so the test runner's own name stays as it was. */
static void named(const char *name, const char *tail, const char *want)
{
    struct naming n = {.name = name, .tail = tail};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, name_and_read, &n), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_string_equal(n.got, want);
}

static void test_names(void **state)
{
    (void)state;
    named("s3-upload", NULL, "s3-upload");
    named("kc-reaper", "", "kc-reaper");
    named("orders", "-3", "orders-3");
    /* 15 bytes is what Linux keeps: exactly that fits whole */
    named("abcdefghijklm", "-7", "abcdefghijklm-7");
    /* a long connector name is cut so that the task's number survives */
    named("clickhouse-orders-sink", "-12", "clickhouse-o-12");
    named("rest-tls-accept-more", NULL, "rest-tls-accept");
    /* a tail longer than the room: its first 15 bytes */
    named("x", "-0123456789abcdefgh", "-0123456789abcd");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
