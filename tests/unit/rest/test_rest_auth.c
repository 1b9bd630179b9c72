/*
 * tests/unit/rest/test_rest_auth.c: REST basic authentication (rest/rest_auth.h): the JAAS
 * file's KafkaConnect entry, the users file, and which requests pass.
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

#include "kc_alloc.h"
#include "rest_auth.h"

static const char jaas_ok[] =
    "// a comment\n"
    "KafkaServer { org.apache.kafka.common.security.plain.PlainLoginModule required\n"
    "  username=\"admin\" password=\"x\"; };\n"
    "KafkaConnect {\n"
    "  /* the file */ org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule "
    "required\n    file=\"/etc/connect/users.properties\";\n};\n";

static void test_jaas_parse(void **state)
{
    (void)state;
    struct kc_error err = {0};
    char *file = NULL;
    assert_int_equal(rest_auth_parse_jaas(jaas_ok, strlen(jaas_ok), "j.conf", &file, &err),
                     KC_OK);
    assert_string_equal(file, "/etc/connect/users.properties");
    kc_free(file);

    static const char other[] = "KafkaConnect { com.acme.LdapLoginModule required url=\"x\"; };";
    assert_int_equal(rest_auth_parse_jaas(other, strlen(other), "j.conf", &file, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "com.acme.LdapLoginModule"));
    assert_null(file);

    static const char none[] = "KafkaServer { a required; };";
    assert_int_equal(rest_auth_parse_jaas(none, strlen(none), "j.conf", &file, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "No KafkaConnect entry"));

    static const char nofile[] =
        "KafkaConnect { org.apache.kafka.connect.rest.basic.auth.extension."
        "PropertyFileLoginModule required; };";
    assert_int_equal(rest_auth_parse_jaas(nofile, strlen(nofile), "j.conf", &file, &err),
                     KC_EINVAL);
    assert_non_null(strstr(err.msg, "Property Credentials file must be specified"));

    static const char broken[] =
        "KafkaConnect { org.apache.kafka.connect.rest.basic.auth.extension."
        "PropertyFileLoginModule required file=\"unterminated; };";
    assert_int_equal(rest_auth_parse_jaas(broken, strlen(broken), "j.conf", &file, &err),
                     KC_EINVAL);
    assert_non_null(strstr(err.msg, "Cannot parse"));
}

static char users_path[64], jaas_path[64];

static void write_files(const char *users)
{
    snprintf(users_path, sizeof(users_path), "/tmp/kc-users-XXXXXX");
    snprintf(jaas_path, sizeof(jaas_path), "/tmp/kc-jaas-XXXXXX");
    int fu = mkstemp(users_path), fj = mkstemp(jaas_path);
    assert_true(fu >= 0 && fj >= 0);
    assert_int_equal(write(fu, users, strlen(users)), (ssize_t)strlen(users));
    char jaas[256];
    int n = snprintf(jaas, sizeof(jaas),
                     "KafkaConnect { %s required file=\"%s\"; };\n",
                     REST_AUTH_PROPERTY_FILE_MODULE, users_path);
    assert_int_equal(write(fj, jaas, (size_t)n), n);
    close(fu);
    close(fj);
}

static void test_allows(void **state)
{
    (void)state;
    struct kc_error err = {0};
    struct rest_auth *a = NULL;
    char opts[128];
    write_files("alice=s3cret\nbob = pa:ss\n");
    snprintf(opts, sizeof(opts), "-Xmx1g -Djava.security.auth.login.config=%s -Dx=y", jaas_path);
    char *classes[] = {(char *)REST_AUTH_BASIC_EXTENSION};
    assert_int_equal(rest_auth_new(classes, 1, opts, &a, &err), KC_OK);
    assert_non_null(a);
    /* alice:s3cret, bob:pa:ss (a colon in the password), alice:wrong */
    assert_true(rest_auth_allows(a, "GET", "/connectors", "Basic YWxpY2U6czNjcmV0"));
    assert_true(rest_auth_allows(a, "GET", "/connectors", "basic YWxpY2U6czNjcmV0"));
    assert_true(rest_auth_allows(a, "GET", "/", "Basic Ym9iOnBhOnNz"));
    assert_false(rest_auth_allows(a, "GET", "/connectors", "Basic YWxpY2U6d3Jvbmc="));
    assert_false(rest_auth_allows(a, "GET", "/connectors", NULL));
    assert_false(rest_auth_allows(a, "GET", "/connectors", "Bearer YWxpY2U6czNjcmV0"));
    assert_false(rest_auth_allows(a, "GET", "/connectors", "Basic !!!!"));
    assert_false(rest_auth_allows(a, "GET", "/connectors", "Basic OnMzY3JldA==")); /* ":s3cret" */
    /* the worker-to-worker task config forward is let through, as in the JVM */
    assert_true(rest_auth_allows(a, "POST", "/connectors/c1/tasks", NULL));
    assert_false(rest_auth_allows(a, "GET", "/connectors/c1/tasks", NULL));
    assert_false(rest_auth_allows(a, "POST", "/connectors/c1/tasks/0/restart", NULL));
    rest_auth_free(a);
    unlink(users_path);
    unlink(jaas_path);
}

static void test_empty_users_file_allows_all(void **state)
{
    (void)state;
    struct kc_error err = {0};
    struct rest_auth *a = NULL;
    char opts[128];
    write_files("");
    snprintf(opts, sizeof(opts), "-Djava.security.auth.login.config==%s", jaas_path);
    char *classes[] = {(char *)REST_AUTH_BASIC_EXTENSION};
    assert_int_equal(rest_auth_new(classes, 1, opts, &a, &err), KC_OK);
    assert_true(rest_auth_allows(a, "DELETE", "/connectors/x", NULL));
    rest_auth_free(a);
    unlink(users_path);
    unlink(jaas_path);
}

static void test_refusals(void **state)
{
    (void)state;
    struct kc_error err = {0};
    struct rest_auth *a = NULL;
    char *unknown[] = {(char *)"com.acme.MyRestExtension"};
    assert_int_equal(rest_auth_new(unknown, 1, NULL, &a, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "com.acme.MyRestExtension"));
    char *classes[] = {(char *)REST_AUTH_BASIC_EXTENSION};
    assert_int_equal(rest_auth_new(classes, 1, "-Xmx1g", &a, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "java.security.auth.login.config"));
    assert_int_equal(rest_auth_new(classes, 1, "-Djava.security.auth.login.config=/nonexistent",
                                   &a, &err),
                     KC_EINVAL);
    assert_non_null(strstr(err.msg, "/nonexistent"));
    assert_null(a);
    assert_int_equal(rest_auth_new(NULL, 0, NULL, &a, &err), KC_OK);
    assert_null(a);
    assert_true(rest_auth_allows(NULL, "GET", "/", NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jaas_parse),
        cmocka_unit_test(test_allows),
        cmocka_unit_test(test_empty_users_file_allows_all),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
