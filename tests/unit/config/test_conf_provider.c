/*
 * tests/unit/config/test_conf_provider.c: ${provider:[path:]key} resolution with the file,
 * directory and env providers, matching Kafka's ConfigTransformer: unknown providers and
 * missing keys leave the reference as it is; provider failures are errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf_provider.h"
#include "kc_alloc.h"

static char dir[] = "/tmp/kc_prov_XXXXXX";
static char props_path[128];

static int setup(void **state)
{
    (void)state;
    char p[256];
    FILE *f;

    if (mkdtemp(dir) == NULL) {
        return -1;
    }
    snprintf(props_path, sizeof(props_path), "%s/secrets.properties", dir);
    f = fopen(props_path, "w");
    fputs("db.password=s3cret\nuser : alice\nwith\\:colon=yes\n", f);
    fclose(f);
    snprintf(p, sizeof(p), "%s/token", dir);
    f = fopen(p, "w");
    fputs("tok-123\n", f);
    fclose(f);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char p[256];
    snprintf(p, sizeof(p), "%s/token", dir);
    unlink(p);
    unlink(props_path);
    rmdir(dir);
    return 0;
}

static struct conf_providers *make(const char *allowed, char *const *envp)
{
    struct kc_strmap props;
    struct conf_providers *cp = NULL;
    struct kc_error err;

    kc_strmap_init(&props);
    kc_strmap_set(&props, "config.providers", "file,env,dir,unused");
    kc_strmap_set(&props, "config.providers.file.class",
                  "org.apache.kafka.common.config.provider.FileConfigProvider");
    kc_strmap_set(&props, "config.providers.env.class",
                  "org.apache.kafka.common.config.provider.EnvVarConfigProvider");
    kc_strmap_set(&props, "config.providers.dir.class",
                  "org.apache.kafka.common.config.provider.DirectoryConfigProvider");
    if (allowed != NULL) {
        kc_strmap_set(&props, "config.providers.file.param.allowed.paths", allowed);
    }
    assert_int_equal(conf_providers_new(&props, envp, &cp, &err), KC_OK);
    kc_strmap_fini(&props);
    return cp;
}

static char *resolve(const struct conf_providers *cp, const char *v)
{
    char *out = NULL;
    struct kc_error err;
    assert_int_equal(conf_providers_resolve_value(cp, v, &out, &err), KC_OK);
    return out;
}

static void expect(const struct conf_providers *cp, const char *in, const char *want)
{
    char *got = resolve(cp, in);
    assert_string_equal(got, want);
    kc_free(got);
}

static void test_conf_provider_file(void **state)
{
    (void)state;
    char in[1200], want[8];
    struct conf_providers *cp = make(NULL, NULL);

    assert_int_equal(conf_providers_count(cp), 3); /* "unused" has no .class */
    snprintf(in, sizeof(in), "${file:%s:db.password}", props_path);
    expect(cp, in, "s3cret");
    snprintf(in, sizeof(in), "u=${file:%s:user};p=${file:%s:db.password}!", props_path, props_path);
    expect(cp, in, "u=alice;p=s3cret!");
    /* the key may contain ':' (the path group ends at the second ':') */
    snprintf(in, sizeof(in), "${file:%s:with:colon}", props_path);
    expect(cp, in, "yes");
    /* a missing key stays as written */
    snprintf(in, sizeof(in), "${file:%s:nope}", props_path);
    expect(cp, in, in);
    /* empty path: no data, left as is */
    expect(cp, "${file::x}", "${file::x}");
    conf_providers_free(cp);
    (void)want;
}

static void test_conf_provider_env_and_dir(void **state)
{
    (void)state;
    char *envp[] = {"DB_PASS=envpw", "EMPTY=", NULL};
    char in[1200];
    struct conf_providers *cp = make(NULL, envp);

    expect(cp, "${env:DB_PASS}", "envpw");
    expect(cp, "${env::DB_PASS}", "envpw");
    expect(cp, "${env:EMPTY}x", "x");
    expect(cp, "${env:MISSING}", "${env:MISSING}");
    snprintf(in, sizeof(in), "${dir:%s:token}", dir);
    expect(cp, in, "tok-123\n");
    snprintf(in, sizeof(in), "${dir:%s:absent}", dir);
    expect(cp, in, in);
    conf_providers_free(cp);
}

static void test_conf_provider_unresolvable_left_alone(void **state)
{
    (void)state;
    struct conf_providers *cp = make(NULL, NULL);

    expect(cp, "${vault:secret/x:pw}", "${vault:secret/x:pw}"); /* provider not configured */
    expect(cp, "${nocolon} and $ and ${", "${nocolon} and $ and ${");
    expect(cp, "plain", "plain");
    expect(cp, "", "");
    conf_providers_free(cp);
    /* no providers at all: identity */
    expect(NULL, "${env:HOME}", "${env:HOME}");
}

static void test_conf_provider_errors(void **state)
{
    (void)state;
    char *out = NULL;
    struct kc_error err;
    struct kc_strmap props;
    struct conf_providers *cp = make(NULL, NULL);

    assert_int_equal(conf_providers_resolve_value(cp, "${file:/nonexistent/x.properties:k}", &out,
                                                  &err),
                     KC_EINVAL);
    assert_string_equal(err.msg, "Could not read properties from file /nonexistent/x.properties");
    assert_int_equal(conf_providers_resolve_value(cp, "${env:/p:VAR}", &out, &err), KC_EINVAL);
    assert_string_equal(err.msg,
                        "Path is not supported for EnvVarConfigProvider, invalid value '/p'");
    conf_providers_free(cp);

    kc_strmap_init(&props);
    kc_strmap_set(&props, "config.providers", "vault");
    kc_strmap_set(&props, "config.providers.vault.class", "com.acme.VaultConfigProvider");
    assert_int_equal(conf_providers_new(&props, NULL, &cp, &err), KC_EINVAL);
    assert_string_equal(err.msg, "Invalid value com.acme.VaultConfigProvider for configuration "
                                 "config.providers.vault.class: Could not load config provider "
                                 "class or one of its dependencies");
    kc_strmap_set(&props, "config.providers", "file");
    kc_strmap_set(&props, "config.providers.file.class",
                  "org.apache.kafka.common.config.provider.FileConfigProvider");
    kc_strmap_set(&props, "config.providers.file.param.allowed.paths", "relative/dir");
    assert_int_equal(conf_providers_new(&props, NULL, &cp, &err), KC_EINVAL);
    assert_string_equal(err.msg, "Path relative/dir is not absolute");
    kc_strmap_fini(&props);
}

static void test_conf_provider_allowed_paths(void **state)
{
    (void)state;
    char in[1200];
    struct conf_providers *cp = make("/etc", NULL);

    /* outside allowed.paths: warning, reference kept */
    snprintf(in, sizeof(in), "${file:%s:db.password}", props_path);
    expect(cp, in, in);
    conf_providers_free(cp);
    cp = make(dir, NULL);
    expect(cp, in, "s3cret");
    /* ".." cannot escape */
    snprintf(in, sizeof(in), "${file:%s/../../etc/passwd:root}", dir);
    expect(cp, in, in);
    conf_providers_free(cp);
}

static void test_conf_provider_transform_map(void **state)
{
    (void)state;
    char *envp[] = {"A=1", NULL};
    struct conf_providers *cp = make(NULL, envp);
    struct kc_strmap in, out;
    struct kc_error err;

    kc_strmap_init(&in);
    kc_strmap_init(&out);
    kc_strmap_set(&in, "x", "${env:A}");
    kc_strmap_set(&in, "y", NULL);
    kc_strmap_set(&in, "z", "lit");
    assert_int_equal(conf_providers_transform(cp, &in, &out, &err), KC_OK);
    assert_string_equal(kc_strmap_get(&out, "x"), "1");
    assert_true(kc_strmap_has(&out, "y"));
    assert_null(kc_strmap_get(&out, "y"));
    assert_string_equal(out.e[2].key, "z");
    kc_strmap_fini(&in);
    kc_strmap_fini(&out);
    conf_providers_free(cp);
}

static void test_conf_provider_alloc_failures(void **state)
{
    (void)state;
    char *envp[] = {"A=1", NULL};
    char in[1200];
    struct conf_providers *cp = make(NULL, envp);

    snprintf(in, sizeof(in), "a${env:A}b${file:%s:user}c${x:y}", props_path);
    for (long n = 0; n < 1000; n++) {
        char *out = NULL;
        struct kc_error err;
        kc_alloc_fail_after(n);
        int rc = conf_providers_resolve_value(cp, in, &out, &err);
        kc_alloc_fail_after(-1);
        if (rc == KC_OK) {
            assert_string_equal(out, "a1balicec${x:y}");
            kc_free(out);
            break;
        }
        assert_true(rc == KC_ENOMEM || rc == KC_EINVAL);
        assert_null(out);
    }
    conf_providers_free(cp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conf_provider_file),
        cmocka_unit_test(test_conf_provider_env_and_dir),
        cmocka_unit_test(test_conf_provider_unresolvable_left_alone),
        cmocka_unit_test(test_conf_provider_errors),
        cmocka_unit_test(test_conf_provider_allowed_paths),
        cmocka_unit_test(test_conf_provider_transform_map),
        cmocka_unit_test(test_conf_provider_alloc_failures),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
