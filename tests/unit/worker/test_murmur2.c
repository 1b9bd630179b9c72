/*
 * tests/unit/worker/test_murmur2.c: murmur2.c against values computed by the JVM's own
 * org.apache.kafka.common.utils.Utils (kafka-clients 4.1.0), see Murmur2Vectors.java.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "murmur2.h"

struct vec {
    const char *key;
    int32_t hash;
    int32_t p5, p25, p3;
};

static const struct vec vectors[] = {
    {"", 275646681, 1, 6, 0},
    {"\x61", -1563381124, 4, 24, 1},
    {"\x61\x62", 316155434, 4, 9, 2},
    {"\x61\x62\x63", 479470107, 2, 7, 0},
    {"\x61\x62\x63\x64", -1323649548, 0, 0, 2},
    {"status-connector-fsink", 1442763380, 0, 5, 2},
    {"status-task-fsink-0", -1554139019, 4, 4, 0},
    {"status-task-my-sink-connector-12", -1986217394, 4, 4, 0},
    {"status-topic-orders:connector-sink-a", -863445933, 0, 15, 2},
    {"connector-fsink", 1803063894, 4, 19, 0},
    {"commit-fsink", -789288757, 1, 16, 1},
    {"\x68\xc3\xa9\x6c\x6c\x6f\x2d\x77\xc3\xb6\x72\x6c\x64", 1388409540, 0, 15, 0},
    {"status-connector-\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x82\xb3\xe3\x83\x8d\xe3\x82\xaf\xe3"
     "\x82\xbf",
     1791431440, 0, 15, 1},
    {"status-task-\xf0\x9f\x9a\x80rocket-3", -1351149991, 2, 7, 1},
    {"\xc3\xbf\xc3\xbe\xc3\xbd", -827240790, 3, 8, 2},
    {"status-connector-x", 415363098, 3, 23, 0},
};

static void test_murmur2_java_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        const struct vec *v = &vectors[i];
        size_t len = strlen(v->key);
        assert_int_equal(murmur2_hash(v->key, len), v->hash);
        assert_int_equal(murmur2_partition(v->key, len, 5), v->p5);
        assert_int_equal(murmur2_partition(v->key, len, 25), v->p25);
        assert_int_equal(murmur2_partition(v->key, len, 3), v->p3);
        assert_int_equal(murmur2_partition(v->key, len, 1), 0);
    }
}

static void test_murmur2_to_positive(void **state)
{
    (void)state;
    assert_int_equal(murmur2_to_positive(INT32_MIN), 0); /* not abs() */
    assert_int_equal(murmur2_to_positive(-1), INT32_MAX);
    assert_int_equal(murmur2_to_positive(5), 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_murmur2_java_vectors),
        cmocka_unit_test(test_murmur2_to_positive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
