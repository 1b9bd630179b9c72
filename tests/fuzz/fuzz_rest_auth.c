/*
 * tests/fuzz/fuzz_rest_auth.c: REST basic authentication (rest/rest_auth.c) on hostile text:
 * the JAAS file's KafkaConnect entry, the PropertyFileLoginModule users file (Java properties),
 * and the Authorization header with the method and path it comes with (Basic, base64, the
 * user:password split, the worker-to-worker exemption). fuzz_rest_http runs its server without
 * authentication, so this is where the header decoding is fuzzed.
 *
 * Input: byte 0 selects what runs; the rest is cut at its first two NUL bytes into A, PATH and
 * HEADER. Bit 0: A is a JAAS file (parsed with rest_auth_parse_jaas); bits 1 and 4: A is a users file,
 * written to a scratch file and loaded through rest_auth_new as the worker does, then HEADER is
 * checked against it; otherwise HEADER is checked against users alice=s3cret and bob = pa:ss.
 * Bits 2-3 pick the method. Checks: no crash, leak or overrun; the fixed users' own credentials
 * always pass and an empty header never does (except the exempt task-config POST).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kc_alloc.h"
#include "kc_log.h"
#include "rest_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rest_auth *fixed;
static char users_path[64], jaas_path[64], opts[160];

static void write_file(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || (n > 0 && fwrite(text, 1, n, f) != n) || fclose(f) != 0) {
        abort();
    }
}

static void remove_files(void)
{
    unlink(users_path);
    unlink(jaas_path);
}

static void init(void)
{
    struct kc_error err;
    kc_log_set_level(KC_LOG_ERROR); /* rest_auth_new logs each load at INFO */
    snprintf(users_path, sizeof(users_path), "/tmp/kc-fuzz-users-%d", (int)getpid());
    snprintf(jaas_path, sizeof(jaas_path), "/tmp/kc-fuzz-jaas-%d", (int)getpid());
    char jaas[256];
    int n = snprintf(jaas, sizeof(jaas), "KafkaConnect { %s required file=\"%s\"; };\n",
                     REST_AUTH_PROPERTY_FILE_MODULE, users_path);
    write_file(jaas_path, jaas, (size_t)n);
    write_file(users_path, "alice=s3cret\nbob = pa:ss\n", 25);
    atexit(remove_files);
    snprintf(opts, sizeof(opts), "-Djava.security.auth.login.config=%s", jaas_path);
    char *classes[] = {(char *)REST_AUTH_BASIC_EXTENSION};
    if (rest_auth_new(classes, 1, opts, &fixed, &err) != KC_OK || fixed == NULL) {
        abort();
    }
    if (!rest_auth_allows(fixed, "GET", "/", "Basic YWxpY2U6czNjcmV0") ||
        !rest_auth_allows(fixed, "GET", "/", "Basic Ym9iOnBhOnNz")) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "DELETE"};
    if (fixed == NULL) {
        init();
    }
    if (size < 1) {
        return 0;
    }
    uint8_t sel = data[0];
    char *buf = kc_malloc(size + 2);
    if (buf == NULL) {
        abort();
    }
    memcpy(buf, data + 1, size - 1);
    buf[size - 1] = '\0';
    buf[size] = '\0';
    size_t alen = strlen(buf);
    char *path = buf + alen + (alen < size - 1 ? 1 : 0);
    size_t plen = strlen(path);
    char *header = path + plen + ((size_t)(path - buf) + plen < size - 1 ? 1 : 0);
    const char *method = methods[(sel >> 2) & 3];
    struct kc_error err;
    if (sel & 1) {
        char *file = NULL;
        int rc = rest_auth_parse_jaas(buf, alen, "fuzz.jaas", &file, &err);
        if (rc != KC_OK && rc != KC_EINVAL && rc != KC_ENOMEM) {
            abort();
        }
        kc_free(file);
    }
    if ((sel & 0x12) == 0x12) { /* one input in four: file I/O is the slow part */
        write_file(users_path, buf, alen);
        struct rest_auth *a = NULL;
        char *classes[] = {(char *)REST_AUTH_BASIC_EXTENSION};
        int rc = rest_auth_new(classes, 1, opts, &a, &err);
        if (rc == KC_OK) {
            (void)rest_auth_allows(a, method, path, header[0] ? header : NULL);
            rest_auth_free(a);
        } else if (rc != KC_EINVAL && rc != KC_ENOMEM) {
            abort();
        }
        /* (the fixed users were read once, at init: the file may stay as it is) */
    } else {
        int ok = rest_auth_allows(fixed, method, path, header[0] ? header : NULL);
        int exempt = rest_auth_allows(fixed, method, path, NULL);
        if (!header[0] && ok != exempt) {
            abort();
        }
        if (!rest_auth_allows(fixed, method, path, "Basic YWxpY2U6czNjcmV0")) {
            abort(); /* alice's own credentials, whatever the path */
        }
    }
    kc_free(buf);
    return 0;
}
