/*
 * base/kc_alloc.h: the one allocation seam. Every room allocates through kc_malloc and
 * friends, so tests can fail the Nth allocation (curl's torture mode) and count live bytes.
 */
#ifndef KC_ALLOC_H
#define KC_ALLOC_H

#include <stddef.h>

void *kc_malloc(size_t n);
void *kc_calloc(size_t nmemb, size_t size);
void *kc_realloc(void *p, size_t n);
void kc_free(void *p);
/* Owned copy of s (NULL in, NULL out; NULL also on allocation failure). */
char *kc_strdup(const char *s);
/* Owned NUL-terminated copy of the first n bytes of s. */
char *kc_strndup(const char *s, size_t n);
/* Owned printf result, or NULL on failure. */
char *kc_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Append an owned copy of s to the owned array *arr of *n strings: KC_OK, or KC_ENOMEM with
 * *arr and *n unchanged. */
int kc_strv_push(char ***arr, size_t *n, const char *s);

/*
 * Failure injection for tests: after kc_alloc_fail_after(n), the (n+1)th allocation from now
 * fails and every later one succeeds again; n < 0 disables. Global, not thread-safe by design:
 * only single-threaded unit tests use it.
 * @thread test
 */
void kc_alloc_fail_after(long n);
/* Number of allocation calls seen since start (for torture loops). */
long kc_alloc_calls(void);

#endif
