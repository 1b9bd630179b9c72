/*
 * base/kc_error.c: filling struct kc_error. Formatting into the fixed buffer truncates
 * rather than allocates, so an out-of-memory path can still report itself.
 */
#include "kc_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int kc_error_set(struct kc_error *err, enum kc_rc rc, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        err->rc = rc;
        err->sys_errno = 0;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return rc;
}

int kc_error_set_errno(struct kc_error *err, enum kc_rc rc, int sys_errno, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        char ebuf[128];
        err->rc = rc;
        err->sys_errno = sys_errno;
        va_start(ap, fmt);
        int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < sizeof(err->msg)) {
            /* strerror_r is the XSI one under _POSIX_C_SOURCE; fall back to the number. */
            if (strerror_r(sys_errno, ebuf, sizeof(ebuf)) != 0) {
                snprintf(ebuf, sizeof(ebuf), "unknown error");
            }
            snprintf(err->msg + n, sizeof(err->msg) - (size_t)n, " (errno %d: %s)", sys_errno,
                     ebuf);
        }
    }
    return rc;
}

void kc_error_clear(struct kc_error *err)
{
    if (err != NULL) {
        err->rc = KC_OK;
        err->sys_errno = 0;
        err->msg[0] = '\0';
    }
}

const char *kc_rc_name(int rc)
{
    switch (rc) {
    case KC_OK:
        return "KC_OK";
    case KC_RETRY:
        return "KC_RETRY";
    case KC_EINVAL:
        return "KC_EINVAL";
    case KC_ENOMEM:
        return "KC_ENOMEM";
    case KC_EIO:
        return "KC_EIO";
    case KC_EFATAL:
        return "KC_EFATAL";
    case KC_ENOENT:
        return "KC_ENOENT";
    case KC_EEXIST:
        return "KC_EEXIST";
    case KC_EPERM:
        return "KC_EPERM";
    default:
        return "KC_UNKNOWN";
    }
}
