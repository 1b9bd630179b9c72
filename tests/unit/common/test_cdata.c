/*
 * tests/unit/common/test_cdata.c: the data model -- constructors, lookups, Java hashCode and
 * the Java toString pieces not already covered by the JsonConverter vectors: Double/Float
 * toString against JDK 25 output (fp_vectors.inc, 8000 bit patterns), HashMap order for
 * non-string keys, BigDecimal and Date rendering, buffer caps and allocation failure, and the
 * order memo (cdata_to_java_string_memo) printing what the plain printer prints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cdata.h"
#include "kc_alloc.h"

static const struct {
    uint64_t bits;
    const char *d; /* JDK 25 Double.toString */
    const char *f; /* JDK 25 Float.toString of the low 32 bits */
} fpv[] = {
#include "fp_vectors.inc"
};

static char *tostr(const struct cdata_value *v)
{
    static struct kc_buf b;
    static int init;
    if (!init) {
        kc_buf_init(&b, 1 << 20);
        init = 1;
    }
    kc_buf_reset(&b);
    assert_int_equal(cdata_to_java_string(v, &b), KC_OK);
    return b.data;
}

static void test_cdata_double_tostring_jdk(void **state)
{
    (void)state;
    struct kc_buf b;
    kc_buf_init(&b, 1024);
    size_t nd = 0, nf = 0;
    for (size_t i = 0; i < sizeof(fpv) / sizeof(fpv[0]); i++) {
        double d;
        memcpy(&d, &fpv[i].bits, sizeof(d));
        char out[CDATA_JAVA_DOUBLE_MAX + 1];
        size_t n = cdata_java_double_fmt(d, out);
        out[n] = '\0';
        if (fpv[i].d != NULL) {
            if (strcmp(out, fpv[i].d) != 0) {
                fail_msg("double %016llx: got %s want %s", (unsigned long long)fpv[i].bits, out,
                         fpv[i].d);
            }
            nd++;
        } else if (d == d) {
            /* JDK 19+ territory: at least round-trips. */
            assert_true(strtod(out, NULL) == d);
        }
        uint32_t fb = (uint32_t)fpv[i].bits;
        float f;
        memcpy(&f, &fb, sizeof(f));
        kc_buf_reset(&b);
        assert_int_equal(cdata_java_float(f, &b), KC_OK);
        if (fpv[i].f != NULL) {
            if (strcmp(b.data, fpv[i].f) != 0) {
                fail_msg("float %08x: got %s want %s", fb, b.data, fpv[i].f);
            }
            nf++;
        } else if (f == f) {
            assert_true(strtof(b.data, NULL) == f);
        }
    }
    print_message("checked %zu doubles and %zu floats against the JDK\n", nd, nf);
    assert_true(nd > 8000 && nf > 8000);
    kc_buf_fini(&b);
}

/* JDK 19+ answers (Raffaello Giulietti's algorithm, JDK-4511638) where JDK 17 differs. */
static void test_cdata_double_tostring_jdk19(void **state)
{
    (void)state;
    static const struct {
        double d;
        const char *s;
    } v[] = {
        {2e23, "2.0E23"}, {1e23, "1.0E23"}, {4.9e-324, "4.9E-324"}, {1.0, "1.0"},
        {1e7, "1.0E7"}, {9999999.0, "9999999.0"}, {0.001, "0.001"}, {0.0001, "1.0E-4"},
        {-0.0, "-0.0"}, {1.7976931348623157e308, "1.7976931348623157E308"},
        {123456789012.0, "1.23456789012E11"}, {0.1 + 0.2, "0.30000000000000004"},
    };
    char out[CDATA_JAVA_DOUBLE_MAX + 1];
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        size_t n = cdata_java_double_fmt(v[i].d, out);
        out[n] = '\0';
        assert_string_equal(out, v[i].s);
    }
    struct kc_buf b;
    kc_buf_init(&b, 64);
    assert_int_equal(cdata_java_float(1.0e10f, &b), KC_OK);
    assert_string_equal(b.data, "1.0E10");
    kc_buf_fini(&b);
}

static void test_cdata_constructors_lookups(void **state)
{
    (void)state;
    struct kc_arena a;
    kc_arena_init(&a, 1024, 1 << 20);
    const struct cdata_value **k, **v;
    struct cdata_value *m = cdata_map(&a, 2, &k, &v);
    assert_non_null(m);
    k[0] = cdata_string(&a, "x", 1);
    v[0] = cdata_int(&a, CDATA_INT64, 5);
    k[1] = cdata_string(&a, "y", 1);
    v[1] = NULL;
    assert_int_equal(cdata_map_get(m, "x")->u.i, 5);
    assert_null(cdata_map_get(m, "y"));
    assert_int_equal(cdata_map_find(m, "y", 1), 1);
    assert_int_equal(cdata_map_find(m, "z", 1), -1);

    struct cdata_field fields[2] = {{"a", 0, &cdata_schema_int32}, {"b", 1, &cdata_schema_optional_string}};
    struct cdata_param params[1] = {{"scale", "2"}};
    struct cdata_schema ss = {.type = CDATA_STRUCT, .fields = fields, .n_fields = 2};
    const struct cdata_value **f;
    struct cdata_value *st = cdata_struct(&a, &ss, &f);
    f[0] = cdata_int(&a, CDATA_INT32, 7);
    assert_int_equal(cdata_struct_get(st, "a")->u.i, 7);
    assert_null(cdata_struct_get(st, "b"));
    assert_null(cdata_struct_get(st, "zz"));
    assert_string_equal(tostr(st), "Struct{a=7}");
    f[1] = cdata_string(&a, "q", 1);
    assert_string_equal(tostr(st), "Struct{a=7,b=q}");
    assert_ptr_equal(cdata_schema_field(&ss, "b"), &fields[1]);

    struct cdata_schema ds = {.type = CDATA_BYTES, .name = CDATA_LOGICAL_DECIMAL, .params = params,
                              .n_params = 1};
    assert_string_equal(cdata_schema_param(&ds, "scale"), "2");
    assert_true(cdata_schema_is(&ds, CDATA_LOGICAL_DECIMAL));
    int32_t sc;
    assert_int_equal(cdata_decimal_scale(&ds, &sc, NULL), KC_OK);
    assert_int_equal(sc, 2);
    assert_string_equal(cdata_type_name(CDATA_FLOAT32, 0), "float32");
    assert_string_equal(cdata_type_name(CDATA_STRUCT, 1), "STRUCT");
    assert_int_equal(cdata_type_parse("float"), CDATA_FLOAT32);
    assert_int_equal(cdata_type_parse("double"), CDATA_FLOAT64);
    assert_int_equal(cdata_type_parse("float64"), -1);
    assert_int_equal(cdata_type_parse("int16"), CDATA_INT16);
    kc_arena_fini(&a);
}

static struct cdata_value *dec(struct kc_arena *a, const char *bytes, size_t n, const char *scale)
{
    struct cdata_param *p = kc_arena_alloc(a, sizeof(*p));
    p->key = "scale";
    p->value = scale;
    struct cdata_schema *s = kc_arena_calloc(a, sizeof(*s));
    s->type = CDATA_BYTES;
    s->name = CDATA_LOGICAL_DECIMAL;
    s->params = p;
    s->n_params = 1;
    struct cdata_value *v = cdata_bytes(a, bytes, n);
    v->schema = s;
    return v;
}

/* BigDecimal.toString, expected strings from the JDK. */
static void test_cdata_decimal_tostring(void **state)
{
    (void)state;
    struct kc_arena a;
    kc_arena_init(&a, 1024, 1 << 20);
    assert_string_equal(tostr(dec(&a, "\x04\xd2", 2, "2")), "12.34");
    assert_string_equal(tostr(dec(&a, "\xff", 1, "3")), "-0.001");
    assert_string_equal(tostr(dec(&a, "\x01", 1, "10")), "1E-10");
    assert_string_equal(tostr(dec(&a, "\x07", 1, "-2")), "7E+2");
    assert_string_equal(tostr(dec(&a, "\x01", 1, "7")), "1E-7");
    assert_string_equal(tostr(dec(&a, "\x01", 1, "6")), "0.000001");
    assert_string_equal(tostr(dec(&a, "\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 16, "2")),
                        "6646139978924579364519035301401722.88" /* 2^119 / 100 */);
    assert_string_equal(tostr(dec(&a, "\x80\x00\x00\x00\x00\x00\x00\x00", 8, "0")), "-9223372036854775808");
    assert_string_equal(tostr(dec(&a, "\x00", 1, "2")), "0.00");
    /* lengths that are not whole 32-bit words */
    assert_string_equal(tostr(dec(&a, "\x01\x00\x00", 3, "0")), "65536");
    assert_string_equal(tostr(dec(&a, "\xff\x00\x00", 3, "0")), "-65536");
    assert_string_equal(tostr(dec(&a, "\x7f\xff\xff\xff\xff", 5, "0")), "549755813887");
    assert_string_equal(tostr(dec(&a, "\x00\x00\x00\x00\x00\x00\x01", 7, "0")), "1");
    kc_arena_fini(&a);
}

/* Decimal -> string was quadratic in the value's length, one pass over the bytes per nine
 * digits: a 1 MB Decimal held a task for minutes. Words instead of bytes, and a cap. */
static void test_cdata_decimal_long(void **state)
{
    (void)state;
    struct kc_arena a;
    kc_arena_init(&a, 1 << 16, 1 << 26);
    /* 10^1000, built by repeated multiplication by 10 of a big-endian byte string */
    static unsigned char ten[512];
    memset(ten, 0, sizeof(ten));
    ten[sizeof(ten) - 1] = 1;
    for (int k = 0; k < 1000; k++) {
        unsigned carry = 0;
        for (size_t i = sizeof(ten); i-- > 0;) {
            unsigned v = ten[i] * 10u + carry;
            ten[i] = (unsigned char)v;
            carry = v >> 8;
        }
    }
    char want[1002];
    want[0] = '1';
    memset(want + 1, '0', 1000);
    want[1001] = '\0';
    assert_string_equal(tostr(dec(&a, (const char *)ten, sizeof(ten), "0")), want);

    /* the cap: CDATA_DECIMAL_MAX_BYTES prints quickly, one byte more is refused */
    size_t n = CDATA_DECIMAL_MAX_BYTES + 1;
    char *big = kc_arena_alloc(&a, n);
    memset(big, 0x5a, n);
    struct kc_buf b;
    kc_buf_init(&b, 1 << 24);
    assert_int_equal(cdata_to_java_string(dec(&a, big, n, "0"), &b), KC_EINVAL);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(cdata_to_java_string(dec(&a, big, n - 1, "0"), &b), KC_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double dt = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    print_message("16 KiB Decimal: %zu digits in %.3f s\n", b.len, dt);
    assert_true(b.len > 39000);
    assert_true(dt < 1.0);
    kc_buf_fini(&b);
    kc_arena_fini(&a);
}

static void test_cdata_java_hash(void **state)
{
    (void)state;
    struct kc_arena a;
    kc_arena_init(&a, 1024, 1 << 20);
    assert_int_equal(cdata_java_hash(cdata_string(&a, "Aa", 2)), 2112);
    assert_int_equal(cdata_java_hash(cdata_string(&a, "BB", 2)), 2112);
    assert_int_equal(cdata_java_hash(cdata_string(&a, "hello", 5)), 99162322);
    /* "\xF0\x9F\x98\x80" is U+1F600 = UTF-16 D83D DE00 */
    assert_int_equal(cdata_java_hash(cdata_string(&a, "\xF0\x9F\x98\x80", 4)), 0xD83D * 31 + 0xDE00);
    assert_int_equal(cdata_java_hash(cdata_int(&a, CDATA_INT64, -1)), 0);
    assert_int_equal(cdata_java_hash(cdata_int(&a, CDATA_INT32, -5)), -5);
    assert_int_equal(cdata_java_hash(cdata_bool(&a, 1)), 1231);
    assert_int_equal(cdata_java_hash(cdata_float(&a, CDATA_FLOAT64, 1.0)), 1072693248);
    assert_int_equal(cdata_java_hash(NULL), 0);
    kc_arena_fini(&a);
}

/* HashMap order with Integer keys ({1=a, 2=b, 3=c} whatever the insertion order) and with
 * more than 64 keys (the heap path); JDK: new HashMap<>() of 100 Integer keys prints sorted. */
static void test_cdata_hashmap_int_keys(void **state)
{
    (void)state;
    struct kc_arena a;
    kc_arena_init(&a, 4096, 1 << 20);
    const struct cdata_value **k, **v;
    struct cdata_value *m = cdata_map(&a, 100, &k, &v);
    for (int i = 0; i < 100; i++) {
        k[i] = cdata_int(&a, CDATA_INT32, 99 - i);
        v[i] = cdata_bool(&a, i & 1);
    }
    char *s = tostr(m);
    assert_true(strncmp(s, "{0=true, 1=false, 2=true, ", 26) == 0);
    assert_non_null(strstr(s, ", 99=false}"));
    kc_alloc_fail_after(0);
    struct kc_buf b;
    kc_buf_init(&b, 1 << 20);
    int rc = cdata_to_java_string(m, &b);
    kc_alloc_fail_after(-1);
    assert_int_equal(rc, KC_ENOMEM);
    kc_buf_fini(&b);
    kc_arena_fini(&a);
}

/* Long.toString at every digit count and both ends (two digits per division in the printer). */
static void test_cdata_long_tostring(void **state)
{
    (void)state;
    struct kc_arena a;
    kc_arena_init(&a, 4096, 1 << 20);
    char want[32];
    int64_t v = 1;
    for (int d = 1; d <= 19; d++, v = d <= 19 ? v * 10 : v) { /* v = 10^(d-1), no overflow */
        const int64_t cases[] = {v, v - 1, -v, v + 7, v * 9 / 10 + v / 3};
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            snprintf(want, sizeof(want), "%lld", (long long)cases[i]);
            assert_string_equal(tostr(cdata_int(&a, CDATA_INT64, cases[i])), want);
        }
    }
    assert_string_equal(tostr(cdata_int(&a, CDATA_INT64, INT64_MAX)), "9223372036854775807");
    assert_string_equal(tostr(cdata_int(&a, CDATA_INT64, INT64_MIN)), "-9223372036854775808");
    assert_string_equal(tostr(cdata_int(&a, CDATA_INT32, 0)), "0");
    kc_arena_fini(&a);
}

/* A map of string keys (values: their index) with an optional construction marker. */
static struct cdata_value *strmap(struct kc_arena *a, const char *const *keys, uint32_t n,
                                  const struct cdata_schema *marker)
{
    const struct cdata_value **k, **v;
    struct cdata_value *m = cdata_map(a, n, &k, &v);
    for (uint32_t i = 0; i < n; i++) {
        k[i] = cdata_string(a, keys[i], strlen(keys[i]));
        v[i] = cdata_int(a, CDATA_INT32, i);
    }
    m->schema = marker;
    return m;
}

/* The memo printer prints what the plain one prints, whatever sequence of maps it sees: the
 * same keys (a hit), reordered keys, other keys of the same lengths, another capacity hint,
 * a LinkedHashMap, a nested map, non-string keys, 9+ keys, and a memo that cannot allocate. */
static void test_cdata_memo_same_output(void **state)
{
    (void)state;
    struct kc_arena a;
    kc_arena_init(&a, 4096, 1 << 20);
    static const char *const abc[] = {"user_id", "event_type", "seq"};
    static const char *const cab[] = {"seq", "user_id", "event_type"};
    static const char *const xyz[] = {"xxxx_xx", "yyyyy_yyyy", "zzz"};
    static const char *const many[] = {"k0", "k1", "k2", "k3", "k4", "k5", "k6",
                                       "k7", "k8", "k9", "Aa", "BB"}; /* Aa, BB collide */
    struct cdata_value *maps[12];
    size_t nm = 0;
    maps[nm++] = strmap(&a, abc, 3, NULL);
    maps[nm++] = strmap(&a, abc, 3, NULL);
    maps[nm++] = strmap(&a, cab, 3, NULL);
    maps[nm++] = strmap(&a, xyz, 3, NULL);
    maps[nm++] = strmap(&a, abc, 3, cdata_hashmap_hint(2));
    maps[nm++] = strmap(&a, abc, 3, &cdata_schema_linked_map);
    maps[nm++] = strmap(&a, many, 12, NULL);
    maps[nm++] = strmap(&a, many, 12, NULL);
    maps[nm++] = strmap(&a, abc, 3, NULL);
    const struct cdata_value **k, **v;
    struct cdata_value *nested = cdata_map(&a, 2, &k, &v); /* {seq=.., user_id={...}} */
    k[0] = cdata_string(&a, "seq", 3);
    v[0] = cdata_int(&a, CDATA_INT64, 7);
    k[1] = cdata_string(&a, "user_id", 7);
    v[1] = strmap(&a, cab, 3, NULL);
    maps[nm++] = nested;
    struct cdata_value *ints = cdata_map(&a, 2, &k, &v);
    k[0] = cdata_int(&a, CDATA_INT32, 17);
    k[1] = cdata_int(&a, CDATA_INT32, 1);
    v[0] = v[1] = cdata_bool(&a, 1);
    maps[nm++] = ints;
    maps[nm++] = strmap(&a, abc, 3, NULL);

    struct cdata_memo memo = {0};
    struct kc_buf b;
    kc_buf_init(&b, 1 << 20);
    for (size_t i = 0; i < nm; i++) {
        kc_buf_reset(&b);
        assert_int_equal(cdata_to_java_string_memo(maps[i], &b, &memo), KC_OK);
        assert_string_equal(b.data, tostr(maps[i]));
        if (i == 0) {
            assert_int_equal(memo.n, 3); /* remembered */
        }
    }
    /* A memo that cannot allocate stays empty and changes nothing. */
    cdata_memo_fini(&memo);
    kc_alloc_fail_after(0);
    kc_buf_reset(&b);
    int rc = cdata_to_java_string_memo(maps[0], &b, &memo);
    kc_alloc_fail_after(-1);
    assert_int_equal(rc, KC_OK);
    assert_int_equal(memo.n, 0);
    assert_string_equal(b.data, tostr(maps[0]));
    cdata_memo_fini(&memo);
    cdata_memo_fini(NULL);
    kc_buf_fini(&b);
    kc_arena_fini(&a);
}

static void test_cdata_buf_cap_and_dates(void **state)
{
    (void)state;
    struct kc_arena a;
    kc_arena_init(&a, 1024, 1 << 20);
    struct kc_buf b;
    kc_buf_init(&b, 8);
    assert_int_equal(cdata_to_java_string(cdata_string(&a, "0123456789", 10), &b), KC_ENOMEM);
    kc_buf_fini(&b);
    struct cdata_schema ts = {.type = CDATA_INT64, .name = CDATA_LOGICAL_TIMESTAMP};
    struct cdata_value *t = cdata_int(&a, CDATA_INT64, -1);
    t->schema = &ts;
    assert_string_equal(tostr(t), "Wed Dec 31 23:59:59 UTC 1969");
    t = cdata_int(&a, CDATA_INT64, 253402300799999LL);
    t->schema = &ts;
    assert_string_equal(tostr(t), "Fri Dec 31 23:59:59 UTC 9999");
    struct cdata_schema ds = {.type = CDATA_INT32, .name = CDATA_LOGICAL_DATE};
    t = cdata_int(&a, CDATA_INT32, -719162);
    t->schema = &ds;
    assert_string_equal(tostr(t), "Mon Jan 03 00:00:00 UTC 1"); /* Julian */
    /* Lone surrogate kept as WTF-8 prints '?' like the JVM's UTF-8 PrintStream. */
    assert_string_equal(tostr(cdata_string(&a, "a\xED\xA0\x80z", 5)), "a?z");
    kc_arena_fini(&a);
}

/* Equal schemas built apart fingerprint alike; a change in any attribute ConnectSchema.equals
 * compares (field name, type, optional, name, version, doc, parameter, default, nesting)
 * changes it; NULL has its own. */
static void test_cdata_schema_fingerprint(void **state)
{
    (void)state;
    struct kc_arena a;
    kc_arena_init(&a, 1024, 1 << 20);
    struct cdata_param p1[1] = {{"scale", "2"}}, p2[1] = {{"scale", "3"}};
    struct cdata_schema dec = {.type = CDATA_BYTES, .name = CDATA_LOGICAL_DECIMAL, .version = 1,
                               .params = p1, .n_params = 1};
    struct cdata_schema dec2 = dec;
    struct cdata_schema inner = {.type = CDATA_ARRAY, .optional = 1, .items = &cdata_schema_int64};
    struct cdata_field f1[3] = {{"a", 0, &cdata_schema_int32}, {"d", 1, &dec}, {"l", 2, &inner}};
    struct cdata_field f2[3] = {{"a", 0, &cdata_schema_int32}, {"d", 1, &dec2}, {"l", 2, &inner}};
    struct cdata_schema s1 = {.type = CDATA_STRUCT, .name = "iot.reading", .fields = f1,
                              .n_fields = 3};
    struct cdata_schema s2 = {.type = CDATA_STRUCT, .name = "iot.reading", .fields = f2,
                              .n_fields = 3};
    uint64_t base = cdata_schema_fingerprint(&s1);
    assert_true(base == cdata_schema_fingerprint(&s2));
    assert_true(base != cdata_schema_fingerprint(NULL));
    assert_true(cdata_schema_fingerprint(NULL) == cdata_schema_fingerprint(NULL));
    uint64_t seen[16];
    size_t n = 0;
#define DIFFERS()                                                                                \
    do {                                                                                         \
        uint64_t fp = cdata_schema_fingerprint(&s2);                                             \
        assert_true(fp != base);                                                                 \
        for (size_t i = 0; i < n; i++) {                                                         \
            assert_true(fp != seen[i]);                                                          \
        }                                                                                        \
        seen[n++] = fp;                                                                          \
    } while (0)
    f2[0].name = "b";
    DIFFERS();
    f2[0].name = "a";
    f2[0].schema = &cdata_schema_optional_int32;
    DIFFERS();
    f2[0].schema = &cdata_schema_int64;
    DIFFERS();
    f2[0].schema = &cdata_schema_int32;
    dec2.params = p2;
    DIFFERS();
    dec2.params = p1;
    dec2.version = 2;
    DIFFERS();
    dec2.version = 1;
    dec2.doc = "";
    DIFFERS();
    dec2.doc = NULL;
    dec2.has_default = 1; /* a null default */
    DIFFERS();
    dec2.default_value = cdata_bytes(&a, "\x01", 1);
    DIFFERS();
    dec2.default_value = cdata_bytes(&a, "\x02", 1);
    DIFFERS();
    dec2.has_default = 0;
    dec2.default_value = NULL;
    s2.name = "iot.reading2";
    DIFFERS();
    s2.name = "iot.reading";
    s2.n_fields = 2;
    DIFFERS();
    s2.n_fields = 3;
    assert_true(cdata_schema_fingerprint(&s2) == base); /* all undone */
#undef DIFFERS
    kc_arena_fini(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cdata_double_tostring_jdk),
        cmocka_unit_test(test_cdata_double_tostring_jdk19),
        cmocka_unit_test(test_cdata_constructors_lookups),
        cmocka_unit_test(test_cdata_decimal_tostring),
        cmocka_unit_test(test_cdata_decimal_long),
        cmocka_unit_test(test_cdata_java_hash),
        cmocka_unit_test(test_cdata_hashmap_int_keys),
        cmocka_unit_test(test_cdata_buf_cap_and_dates),
        cmocka_unit_test(test_cdata_memo_same_output),
        cmocka_unit_test(test_cdata_long_tostring),
        cmocka_unit_test(test_cdata_schema_fingerprint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
