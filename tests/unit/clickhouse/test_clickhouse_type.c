/*
 * tests/unit/clickhouse/test_clickhouse_type.c: the type-string parser (every family the server
 * prints, round-tripped through clickhouse_type_format), refusals, and the DESCRIBE TABLE parser
 * for the 18.16 (4 columns) and modern (7 columns) answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "clickhouse_type.h"
#include "kc_alloc.h"
#include "kc_buf.h"

static void roundtrip(const char *in, const char *want)
{
    struct clickhouse_type *t = NULL;
    struct kc_error err;
    struct kc_buf b;
    int rc = clickhouse_type_parse(in, strlen(in), &t, &err);
    if (rc != KC_OK) {
        fail_msg("%s: %s", in, err.msg);
    }
    kc_buf_init(&b, 4096);
    assert_int_equal(clickhouse_type_format(t, &b), KC_OK);
    assert_string_equal(b.data, want != NULL ? want : in);
    kc_buf_fini(&b);
    clickhouse_type_free(t);
}

static void test_type_roundtrip(void **state)
{
    (void)state;
    static const char *const same[] = {
        "Int8", "Int16", "Int32", "Int64", "Int128", "Int256", "UInt8", "UInt16", "UInt32",
        "UInt64", "UInt128", "UInt256", "Float32", "Float64", "Bool", "String", "UUID", "Date",
        "Date32", "IPv4", "IPv6", "DateTime", "DateTime('Europe/Berlin')", "DateTime64(3)",
        "DateTime64(6, 'UTC')", "Decimal(18, 4)", "FixedString(16)",
        "Enum8('a' = 1, 'b' = -2)", "Enum16('x' = 1000, 'it''s' = 2)", "Nullable(Int32)",
        "LowCardinality(String)", "LowCardinality(Nullable(String))", "Array(Array(UInt8))",
        "Map(String, Nullable(UInt64))", "Tuple(UInt8, String)", "Tuple(a UInt8, b Array(String))",
    };
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        if (strstr(same[i], "it''s") != NULL) {
            roundtrip(same[i], "Enum16('x' = 1000, 'it's' = 2)");
        } else {
            roundtrip(same[i], NULL);
        }
    }
    roundtrip("Decimal32(2)", "Decimal(9, 2)");
    roundtrip("Decimal64(4)", "Decimal(18, 4)");
    roundtrip("Decimal128(10)", "Decimal(38, 10)");
    roundtrip("Decimal256(20)", "Decimal(76, 20)");
    roundtrip("Decimal(10)", "Decimal(10, 0)");
    roundtrip("Nested(a UInt8, b String)", "Array(Tuple(a UInt8, b String))");
    roundtrip("SimpleAggregateFunction(sum, UInt64)", "UInt64");
    roundtrip("Boolean", "Bool");
    roundtrip(" Nullable( DateTime64( 9 , 'UTC' ) ) ", "Nullable(DateTime64(9, 'UTC'))");
}

static void test_type_fields(void **state)
{
    (void)state;
    struct clickhouse_type *t;
    struct kc_error err;
    const char *s = "Map(LowCardinality(String), Tuple(x Decimal(9, 3), `y z` Enum8('a' = 5)))";
    assert_int_equal(clickhouse_type_parse(s, strlen(s), &t, &err), KC_OK);
    assert_int_equal(t->kind, CH_MAP);
    assert_int_equal(t->args[0]->kind, CH_LOWCARDINALITY);
    const struct clickhouse_type *tup = t->args[1];
    assert_int_equal(tup->kind, CH_TUPLE);
    assert_int_equal(tup->n_args, 2);
    assert_string_equal(tup->names[0], "x");
    assert_string_equal(tup->names[1], "y z");
    assert_int_equal(tup->args[0]->precision, 9);
    assert_int_equal(tup->args[0]->scale, 3);
    assert_int_equal(tup->args[1]->enum_values[0], 5);
    assert_int_equal(clickhouse_decimal_width(9), 4);
    assert_int_equal(clickhouse_decimal_width(10), 8);
    assert_int_equal(clickhouse_decimal_width(38), 16);
    assert_int_equal(clickhouse_decimal_width(39), 32);
    clickhouse_type_free(t);
}

static void test_type_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *in, *msg;
    } bad[] = {
        {"JSON", "JSON is not supported"},
        {"Variant(String, UInt8)", "Variant(...) is not supported"},
        {"Decimal(77, 1)", "number out of range"},
        {"Decimal(5, 6)", "number out of range"},
        {"DateTime64(10)", "number out of range"},
        {"Enum8('a' = 300)", "number out of range"},
        {"Nullable(", "expected a name"},
        {"Nullable(Int8", "expected ')'"},
        {"Int8 x", "unexpected text"},
        {"FixedString(0)", "number out of range"},
        {"Nested(UInt8)", "Nested element without a name"},
        {"DateTime('UTC", "unterminated string"},
        {"", "expected a name"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct clickhouse_type *t = (void *)1;
        struct kc_error err;
        assert_int_equal(clickhouse_type_parse(bad[i].in, strlen(bad[i].in), &t, &err), KC_EINVAL);
        assert_null(t);
        if (strstr(err.msg, bad[i].msg) == NULL) {
            fail_msg("'%s': message '%s' lacks '%s'", bad[i].in, err.msg, bad[i].msg);
        }
    }
    /* Deep nesting is refused, not a stack overflow. */
    struct kc_buf b;
    kc_buf_init(&b, 1 << 20);
    for (int i = 0; i < 5000; i++) {
        kc_buf_append_str(&b, "Array(");
    }
    struct clickhouse_type *t;
    struct kc_error err;
    assert_int_equal(clickhouse_type_parse(b.data, b.len, &t, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "nested too deeply"));
    kc_buf_fini(&b);
}

static void test_describe_1816(void **state)
{
    (void)state;
    /* What 18.16 answers for DESCRIBE TABLE t FORMAT TabSeparated (captured from the server). */
    static const char body[] = "user_id\tString\t\t\n"
                               "timestamp\tDateTime('UTC')\t\t\n"
                               "inserted_at\tDateTime\tDEFAULT\tnow()\n"
                               "day\tDate\tMATERIALIZED\ttoDate(timestamp)\n"
                               "al\tString\tALIAS\tconcat(user_id, \\'x\\')\n"
                               "n.a\tArray(UInt8)\t\t\n";
    struct clickhouse_table t;
    struct kc_error err;
    assert_int_equal(clickhouse_table_parse_describe(body, sizeof(body) - 1, &t, &err), KC_OK);
    assert_int_equal(t.n_cols, 6);
    assert_string_equal(t.cols[0].name, "user_id");
    assert_int_equal(t.cols[0].def, CH_DEFAULT_NONE);
    assert_int_equal(t.cols[1].type->kind, CH_DATETIME);
    assert_string_equal(t.cols[1].type->tz, "UTC");
    assert_int_equal(t.cols[2].def, CH_DEFAULT_DEFAULT);
    assert_string_equal(t.cols[2].default_expr, "now()");
    assert_int_equal(t.cols[3].def, CH_DEFAULT_MATERIALIZED);
    assert_int_equal(t.cols[4].def, CH_DEFAULT_ALIAS);
    assert_string_equal(t.cols[4].default_expr, "concat(user_id, 'x')");
    assert_true(clickhouse_column_insertable(&t.cols[2]));
    assert_false(clickhouse_column_insertable(&t.cols[3]));
    assert_false(clickhouse_column_insertable(&t.cols[4]));
    assert_int_equal(clickhouse_table_find(&t, "n.a", 3), 5);
    assert_int_equal(clickhouse_table_find(&t, "n", 1), -1);
    clickhouse_table_fini(&t);
}

static void test_describe_modern(void **state)
{
    (void)state;
    /* Modern servers: name, type, default_type, default_expression, comment, codec, ttl. */
    static const char body[] = "id\tUInt64\t\t\tthe id\t\t\n"
                               "tab\\tname\tLowCardinality(String)\tDEFAULT\t\\'a\\\\tb\\'\t\tZSTD(1)\t\n"
                               "e\tString\tEPHEMERAL\t\t\t\t\n";
    struct clickhouse_table t;
    struct kc_error err;
    assert_int_equal(clickhouse_table_parse_describe(body, sizeof(body) - 1, &t, &err), KC_OK);
    assert_int_equal(t.n_cols, 3);
    assert_string_equal(t.cols[1].name, "tab\tname");
    assert_string_equal(t.cols[1].default_expr, "'a\\tb'");
    assert_int_equal(t.cols[2].def, CH_DEFAULT_EPHEMERAL);
    assert_false(clickhouse_column_insertable(&t.cols[2]));
    clickhouse_table_fini(&t);

    static const char bad[] = "ok\tUInt8\t\t\nj\tJSON\t\t\n";
    assert_int_equal(clickhouse_table_parse_describe(bad, sizeof(bad) - 1, &t, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "column 'j'"));
    assert_int_equal(clickhouse_table_parse_describe("", 0, &t, &err), KC_EINVAL);
    assert_int_equal(clickhouse_table_parse_describe("x\n", 2, &t, &err), KC_EINVAL);
}

/* Allocation failure at every step frees everything (ASan checks the leaks). */
static void test_type_alloc_failures(void **state)
{
    (void)state;
    static const char body[] = "a\tMap(String, Tuple(x Enum8('a' = 1), y Array(Nullable(String))))"
                               "\tDEFAULT\tmap()\nb\tDateTime64(3, 'UTC')\t\t\n";
    for (long n = 0;; n++) {
        struct clickhouse_table t;
        struct kc_error err;
        kc_alloc_fail_after(n);
        int rc = clickhouse_table_parse_describe(body, sizeof(body) - 1, &t, &err);
        kc_alloc_fail_after(-1);
        if (rc == KC_OK) {
            assert_int_equal(t.n_cols, 2);
            clickhouse_table_fini(&t);
            break;
        }
        assert_int_equal(rc, KC_ENOMEM);
        assert_true(n < 1000);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_roundtrip),     cmocka_unit_test(test_type_fields),
        cmocka_unit_test(test_type_refusals),      cmocka_unit_test(test_describe_1816),
        cmocka_unit_test(test_describe_modern),    cmocka_unit_test(test_type_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
