/* base/kc_thread.c: see kc_thread.h. */
#define _GNU_SOURCE /* SCHED_BATCH */
#include "kc_thread.h"

#include <pthread.h>
#include <sched.h>
#include <string.h>

void kc_thread_name(const char *name, const char *tail)
{
    char buf[16]; /* the kernel's TASK_COMM_LEN */
    size_t t = tail != NULL ? strlen(tail) : 0;
    if (t > sizeof(buf) - 1) {
        t = sizeof(buf) - 1;
    }
    size_t n = strlen(name);
    if (n > sizeof(buf) - 1 - t) {
        n = sizeof(buf) - 1 - t;
    }
    memcpy(buf, name, n);
    memcpy(buf + n, tail != NULL ? tail : "", t);
    buf[n + t] = '\0';
    (void)pthread_setname_np(pthread_self(), buf);
}

void kc_thread_helper(void)
{
#ifdef SCHED_BATCH
    struct sched_param sp = {.sched_priority = 0};
    (void)pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp);
#endif
}
