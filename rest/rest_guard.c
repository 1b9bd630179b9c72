/*
 * rest/rest_guard.c: per-connection header and body deadlines (see rest_guard.h).
 *
 * Every open connection is a node in one list under the guard's mutex. The notify callback adds
 * the node when MHD accepts the socket and removes it when MHD closes the connection, and MHD
 * calls that before it closes the descriptor, so the watchdog, which holds the same mutex while
 * it calls shutdown(), never touches a descriptor that was closed and handed out again.
 */
#include "rest_guard.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "kc_alloc.h"
#include "kc_log.h"
#include "kc_thread.h"

struct guard_conn {
    struct rest_guard *g;
    int fd;
    enum rest_guard_phase phase;
    int64_t since_ms; /* when the current phase began */
    int cut;          /* shut down already */
    struct guard_conn *prev, *next;
};

struct rest_guard {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    int stop;
    unsigned header_ms, body_ms;
    struct guard_conn *head;
    unsigned long cuts;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *watchdog(void *arg)
{
    struct rest_guard *g = arg;
    kc_thread_name("rest-guard", NULL);
    unsigned shortest = g->header_ms && (g->body_ms == 0 || g->header_ms < g->body_ms)
                            ? g->header_ms
                            : g->body_ms;
    /* A quarter of the shortest deadline, between 50 ms and 1 s: a cut lands at most that late. */
    unsigned tick = shortest / 4 < 50 ? 50 : shortest / 4 > 1000 ? 1000 : shortest / 4;
    pthread_mutex_lock(&g->mu);
    while (!g->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)(tick % 1000) * 1000000L;
        until.tv_sec += tick / 1000 + until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&g->cv, &g->mu, &until);
        int64_t now = now_ms();
        for (struct guard_conn *c = g->head; c != NULL && !g->stop; c = c->next) {
            unsigned limit = c->phase == REST_GUARD_HEADERS ? g->header_ms
                             : c->phase == REST_GUARD_BODY  ? g->body_ms
                                                            : 0;
            if (c->cut || limit == 0 || now - c->since_ms <= (int64_t)limit) {
                continue;
            }
            /* Wakes the connection's thread with end of stream; MHD closes it from there. */
            shutdown(c->fd, SHUT_RDWR);
            c->cut = 1;
            g->cuts++;
            kc_log(KC_LOG_DEBUG, "rest", "closing a connection that sent no complete %s in %u ms",
                   c->phase == REST_GUARD_HEADERS ? "request headers" : "request body", limit);
        }
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

int rest_guard_new(unsigned header_ms, unsigned body_ms, struct rest_guard **out,
                   struct kc_error *err)
{
    struct rest_guard *g = kc_calloc(1, sizeof(*g));
    *out = NULL;
    if (g == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    g->header_ms = header_ms;
    g->body_ms = body_ms;
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    int e = pthread_create(&g->thread, NULL, watchdog, g);
    if (e != 0) {
        pthread_cond_destroy(&g->cv);
        pthread_mutex_destroy(&g->mu);
        kc_free(g);
        return kc_error_set(err, KC_EIO, "Cannot start the REST connection watchdog: errno %d", e);
    }
    *out = g;
    return KC_OK;
}

void rest_guard_free(struct rest_guard *g)
{
    if (g == NULL) {
        return;
    }
    pthread_mutex_lock(&g->mu);
    g->stop = 1;
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->thread, NULL);
    /* The daemons are stopped, so every connection was closed and its node freed. */
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
    kc_free(g);
}

void rest_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                       enum MHD_ConnectionNotificationCode toe)
{
    struct rest_guard *g = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct guard_conn *c = ci != NULL ? kc_calloc(1, sizeof(*c)) : NULL;
        *socket_context = c;
        if (c == NULL) {
            return; /* untracked: only MHD's idle timeout applies to it */
        }
        c->g = g;
        c->fd = ci->connect_fd;
        c->phase = REST_GUARD_HEADERS;
        c->since_ms = now_ms();
        pthread_mutex_lock(&g->mu);
        c->next = g->head;
        if (g->head != NULL) {
            g->head->prev = c;
        }
        g->head = c;
        pthread_mutex_unlock(&g->mu);
        return;
    }
    struct guard_conn *c = *socket_context;
    if (c == NULL) {
        return;
    }
    pthread_mutex_lock(&g->mu);
    if (c->prev != NULL) {
        c->prev->next = c->next;
    } else {
        g->head = c->next;
    }
    if (c->next != NULL) {
        c->next->prev = c->prev;
    }
    pthread_mutex_unlock(&g->mu);
    kc_free(c);
    *socket_context = NULL;
}

void rest_guard_mark(struct MHD_Connection *conn, enum rest_guard_phase phase)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct guard_conn *c = ci != NULL ? ci->socket_context : NULL;
    if (c == NULL || c->phase == phase) {
        return;
    }
    pthread_mutex_lock(&c->g->mu);
    c->phase = phase;
    c->since_ms = now_ms();
    pthread_mutex_unlock(&c->g->mu);
}

unsigned long rest_guard_cut_count(struct rest_guard *g)
{
    pthread_mutex_lock(&g->mu);
    unsigned long n = g->cuts;
    pthread_mutex_unlock(&g->mu);
    return n;
}
