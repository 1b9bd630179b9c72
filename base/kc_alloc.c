/*
 * base/kc_alloc.c: malloc wrappers with a failure-injection counter for tests.
 * In production the counter is negative and costs one relaxed load per allocation.
 */
#include "kc_alloc.h"

#include "kc_error.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Atomic long fail_countdown = -1;
static _Atomic long alloc_calls = 0;

static int should_fail(void)
{
    atomic_fetch_add_explicit(&alloc_calls, 1, memory_order_relaxed);
    long c = atomic_load_explicit(&fail_countdown, memory_order_relaxed);
    if (c < 0) {
        return 0;
    }
    if (c == 0) {
        atomic_store_explicit(&fail_countdown, -1, memory_order_relaxed);
        return 1;
    }
    atomic_store_explicit(&fail_countdown, c - 1, memory_order_relaxed);
    return 0;
}

void kc_alloc_fail_after(long n)
{
    atomic_store(&fail_countdown, n);
}

long kc_alloc_calls(void)
{
    return atomic_load(&alloc_calls);
}

void *kc_malloc(size_t n)
{
    if (should_fail()) {
        return NULL;
    }
    return malloc(n == 0 ? 1 : n);
}

void *kc_calloc(size_t nmemb, size_t size)
{
    if (should_fail()) {
        return NULL;
    }
    return calloc(nmemb == 0 ? 1 : nmemb, size == 0 ? 1 : size);
}

void *kc_realloc(void *p, size_t n)
{
    if (should_fail()) {
        return NULL;
    }
    return realloc(p, n == 0 ? 1 : n);
}

void kc_free(void *p)
{
    free(p);
}

char *kc_strndup(const char *s, size_t n)
{
    if (s == NULL) {
        return NULL;
    }
    char *d = kc_malloc(n + 1);
    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *kc_strdup(const char *s)
{
    return s == NULL ? NULL : kc_strndup(s, strlen(s));
}

int kc_strv_push(char ***arr, size_t *n, const char *s)
{
    char *m = kc_strdup(s);
    if (m == NULL) {
        return KC_ENOMEM;
    }
    char **na = kc_realloc(*arr, (*n + 1) * sizeof(*na));
    if (na == NULL) {
        kc_free(m);
        return KC_ENOMEM;
    }
    na[(*n)++] = m;
    *arr = na;
    return KC_OK;
}

char *kc_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return NULL;
    }
    char *s = kc_malloc((size_t)n + 1);
    if (s == NULL) {
        return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}
