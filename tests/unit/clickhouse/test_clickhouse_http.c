/*
 * tests/unit/clickhouse/test_clickhouse_http.c: error bodies of both server generations (18.16
 * bodies captured from Debian's server, modern ones as 24.x/26.x print them), the retriable
 * code list, and transport failures against a closed local port (no server needed).
 * The transport against a real server: tests/integration/clickhouse/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "clickhouse_http.h"

static const struct {
    const char *body;
    int code;
    const char *msg;
} vec[] = {
    /* 18.16 */
    {"Code: 60, e.displayText() = DB::Exception: Table t.nope doesn't exist., e.what() = "
     "DB::Exception\n",
     60, "Table t.nope doesn't exist."},
    {"Code: 193, e.displayText() = DB::Exception: Wrong password for user tester, e.what() = "
     "DB::Exception\n",
     193, "Wrong password for user tester"},
    {"Code: 33, e.displayText() = DB::Exception: Cannot read all data. Bytes read: 3. Bytes "
     "expected: 8.: (at row 1)\n, e.what() = DB::Exception\n",
     33, "Cannot read all data. Bytes read: 3. Bytes expected: 8.: (at row 1)\n"},
    {"Code: 241, e.displayText() = DB::Exception: Memory limit (for query) exceeded: would use "
     "9.31 GiB, e.what() = DB::Exception",
     241, "Memory limit (for query) exceeded: would use 9.31 GiB"},
    /* modern */
    {"Code: 60. DB::Exception: Table default.x does not exist. (UNKNOWN_TABLE) (version "
     "24.8.4.13 (official build))\n",
     60, "Table default.x does not exist. (UNKNOWN_TABLE)"},
    {"Code: 252. DB::Exception: Too many parts (300). Merges are processing significantly slower "
     "than inserts. (TOO_MANY_PARTS) (version 26.9.2.1)\n",
     252, "Too many parts (300). Merges are processing significantly slower than inserts. "
          "(TOO_MANY_PARTS)"},
    {"\r\n  Code: 516. DB::Exception: default: Authentication failed. (AUTHENTICATION_FAILED)",
     516, "default: Authentication failed. (AUTHENTICATION_FAILED)"},
    /* partial output then an exception (streamed SELECT) */
    {"1\n2\nCode: 159. DB::Exception: Timeout exceeded: elapsed 5.0 seconds. (TIMEOUT_EXCEEDED) "
     "(version 23.3.1.1)",
     159, "Timeout exceeded: elapsed 5.0 seconds. (TIMEOUT_EXCEEDED)"},
    /* not ClickHouse's */
    {"<html>502 Bad Gateway</html>\n", 0, "<html>502 Bad Gateway</html>"},
    {"Code: x", 0, "Code: x"},
    {"", 0, ""},
};

static void test_error_parse(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
        int code;
        const char *msg;
        size_t n;
        int found = clickhouse_error_parse(vec[i].body, strlen(vec[i].body), &code, &msg, &n);
        assert_int_equal(found, vec[i].code != 0);
        assert_int_equal(code, vec[i].code);
        if (n != strlen(vec[i].msg) || memcmp(msg, vec[i].msg, n) != 0) {
            fail_msg("vector %zu: got '%.*s' want '%s'", i, (int)n, msg, vec[i].msg);
        }
    }
}

static void test_retriable(void **state)
{
    (void)state;
    static const int yes[] = {3, 107, 159, 164, 202, 203, 209, 210, 241, 242, 252, 285, 319, 425,
                              999};
    static const int no[] = {0, 1, 27, 33, 60, 62, 131, 193, 516, 1002, 115};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        assert_true(clickhouse_error_retriable(yes[i]));
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        assert_false(clickhouse_error_retriable(no[i]));
    }
}

/* A port nobody listens on: bind, read the port, close. */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t l = sizeof(sa);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &l), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

static void test_transport_down(void **state)
{
    (void)state;
    struct clickhouse_http *ch;
    struct kc_error err;
    static const char *const settings[] = {"wait_end_of_query=1"};
    struct clickhouse_http_conf c = {.host = "127.0.0.1", .port = closed_port(),
                                     .user = "u", .password = "s3cret-pw",
                                     .settings = settings, .n_settings = 1,
                                     .connect_timeout_ms = 2000, .timeout_ms = 5000,
                                     .compression = CH_COMPRESS_GZIP};
    assert_int_equal(clickhouse_http_new(&c, &ch, &err), KC_OK);
    struct clickhouse_http_result res;
    static const char *const extra[] = {"insert_deduplication_token=t-0-1-2"};
    int rc = clickhouse_http_insert(ch, "INSERT INTO t FORMAT RowBinary", "\x01", 1, extra, 1,
                                    &res, &err);
    /* Connection refused is transient: the worker retries the same batch. */
    assert_int_equal(rc, KC_RETRY);
    assert_int_equal(res.status, 0);
    assert_null(strstr(err.msg, "s3cret-pw"));
    assert_non_null(strstr(err.msg, "127.0.0.1"));
    int maj, min, pat;
    assert_int_equal(clickhouse_http_version(ch, &maj, &min, &pat, &err), KC_RETRY);
    /* Bad extra setting text is the caller's error, not the server's. */
    static const char *const bad[] = {"nokv"};
    assert_int_equal(clickhouse_http_insert(ch, "q", "", 0, bad, 1, NULL, &err), KC_EINVAL);
    clickhouse_http_free(ch);

    struct clickhouse_http_conf nohost = {.host = "", .port = 1};
    assert_int_equal(clickhouse_http_new(&nohost, &ch, &err), KC_EINVAL);
    static const char *const bad_settings[] = {"x"};
    struct clickhouse_http_conf bads = {.host = "h", .port = 1, .settings = bad_settings,
                                        .n_settings = 1};
    assert_int_equal(clickhouse_http_new(&bads, &ch, &err), KC_EINVAL);
    clickhouse_http_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_parse),
        cmocka_unit_test(test_retriable),
        cmocka_unit_test(test_transport_down),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
