/*
 * base/kc_error.h: return codes and the caller-owned error object used everywhere.
 *
 * Every fallible function returns an enum kc_rc and writes its message once, where the cause is
 * known, into the caller's struct kc_error (curl's error buffer, librdkafka's error object).
 * Reporting an error never allocates.
 */
#ifndef KC_ERROR_H
#define KC_ERROR_H

enum kc_rc {
    KC_OK = 0,
    KC_RETRY = 1,   /* transient: back off and try the same thing again */
    KC_EINVAL = -1, /* bad input from a user: config, request body, record */
    KC_ENOMEM = -2,
    KC_EIO = -3,    /* network, disk or remote system failed */
    KC_EFATAL = -4, /* stop the task (or the worker) */
    KC_ENOENT = -5, /* the thing asked for does not exist (REST maps to 404) */
    KC_EEXIST = -6, /* the thing to create exists already (REST maps to 409) */
    KC_EPERM = -7,  /* not allowed by configuration (REST maps to 403) */
};

#define KC_ERROR_MSG_MAX 1024

struct kc_error {
    enum kc_rc rc;
    int sys_errno;              /* errno captured at the failing call, or 0 */
    char msg[KC_ERROR_MSG_MAX]; /* fixed size: reporting an error never allocates */
};

/*
 * Fill err (which may be NULL) and return rc, so callers can write
 * `return kc_error_set(err, KC_EINVAL, "...")`.
 * @thread any
 */
int kc_error_set(struct kc_error *err, enum kc_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Same, and records errno (as sys_errno) and appends "(errno N: text)" to the message. */
int kc_error_set_errno(struct kc_error *err, enum kc_rc rc, int sys_errno, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reset to KC_OK with an empty message. err may be NULL. */
void kc_error_clear(struct kc_error *err);

/* Short name of a return code: "KC_EINVAL". */
const char *kc_rc_name(int rc);

#endif
