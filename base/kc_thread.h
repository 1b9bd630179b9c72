/*
 * base/kc_thread.h: names of the process's threads, and the scheduling of its helpers.
 *
 * A sink task's throughput is its one task thread's. The threads working beside it (the message
 * reaper, the task consumer's fetch threads) are woken by it or by the network many times a
 * second; under the default policy each wake-up on its CPU preempted the task thread (perf:
 * ~1,700 switches of the task thread in a 1M-record run, a fifth of its stream time waiting). SCHED_BATCH keeps their share of the CPU and their nice value, and only
 * gives up wake-up preemption: a woken helper runs on an idle core or at the next tick.
 *
 * Not the S3 sink's upload thread: what it has not finished yet stays in memory, and delayed
 * it held more (peak RSS up to 56 MiB in the bench against 45-52).
 */
#ifndef KC_THREAD_H
#define KC_THREAD_H

/* Name the calling thread (top -H, ps -L, perf, /proc/PID/task/TID/comm). Linux keeps 15
 * bytes: a longer name keeps its first 15 - strlen(tail) bytes and then tail ("-0", a task's
 * number, survives a long connector name). tail may be NULL. */
void kc_thread_name(const char *name, const char *tail);

/* Mark the calling thread a helper (SCHED_BATCH). Best effort: where the policy is not
 * available, nothing changes. */
void kc_thread_helper(void);

#endif
