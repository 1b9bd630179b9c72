/* base/kc_thread.c: see kc_thread.h. */
#define _GNU_SOURCE /* SCHED_BATCH */
#include "kc_thread.h"

#include <pthread.h>
#include <sched.h>

void kc_thread_helper(void)
{
#ifdef SCHED_BATCH
    struct sched_param sp = {.sched_priority = 0};
    (void)pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp);
#endif
}
