/*
 * connectors/questdb/questdb_tcp.c: ILP over TCP. See questdb_tcp.h for what "sent" means.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kc_alloc.h"
#include "questdb_tcp.h"

struct questdb_tcp {
    char *host; /* owned */
    char port[8];
    int fd;     /* -1 = not connected */
    int timeout_ms;
    long connects;
};

int questdb_tcp_new(const struct questdb_client_conf *c, struct questdb_tcp **out,
                    struct kc_error *err)
{
    *out = NULL;
    if (c->tls) {
        return kc_error_set(err, KC_EINVAL,
                            "tcps:: (ILP over TCP with TLS) is not supported by connect-c; use "
                            "https:: or a TLS proxy");
    }
    if (c->token != NULL) {
        return kc_error_set(err, KC_EINVAL,
                            "ILP/TCP token authentication is not supported by connect-c; use "
                            "http:: with username/password or token");
    }
    struct questdb_tcp *t = kc_calloc(1, sizeof(*t));
    if (t == NULL || (t->host = kc_strdup(c->host)) == NULL) {
        kc_free(t);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    snprintf(t->port, sizeof(t->port), "%d", c->port);
    t->fd = -1;
    t->timeout_ms = (int)c->request_timeout;
    *out = t;
    return KC_OK;
}

void questdb_tcp_free(struct questdb_tcp *t)
{
    if (t == NULL) {
        return;
    }
    if (t->fd >= 0) {
        close(t->fd);
    }
    kc_free(t->host);
    kc_free(t);
}

static int drop(struct questdb_tcp *t, struct kc_error *err, int e, const char *what)
{
    if (t->fd >= 0) {
        close(t->fd);
        t->fd = -1;
    }
    return kc_error_set_errno(err, KC_RETRY, e, "ILP/TCP %s %s:%s", what, t->host, t->port);
}

static int connect_now(struct questdb_tcp *t, struct kc_error *err)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_socktype = SOCK_STREAM;
    int g = getaddrinfo(t->host, t->port, &hints, &res);
    if (g != 0) {
        return kc_error_set(err, KC_RETRY, "ILP/TCP cannot resolve %s: %s", t->host,
                            gai_strerror(g));
    }
    int e = 0;
    for (struct addrinfo *a = res; a != NULL; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            e = errno;
            continue;
        }
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
            struct timeval tv = {.tv_sec = t->timeout_ms / 1000,
                                 .tv_usec = (t->timeout_ms % 1000) * 1000};
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
            t->fd = fd;
            t->connects++;
            break;
        }
        e = errno;
        close(fd);
    }
    freeaddrinfo(res);
    if (t->fd < 0) {
        return drop(t, err, e, "cannot connect to");
    }
    return KC_OK;
}

/* 1 when the server closed (or reset) the connection: QuestDB's way of refusing a line. */
static int peer_closed(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 0) <= 0) {
        return 0;
    }
    if ((p.revents & (POLLERR | POLLHUP)) != 0) {
        return 1;
    }
    char c;
    ssize_t r = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

int questdb_tcp_send(struct questdb_tcp *t, const char *body, size_t len, struct kc_error *err)
{
    if (t->fd >= 0 && peer_closed(t->fd)) {
        /* Closed since the last batch: that batch may not have been read whole. */
        return drop(t, err, ECONNRESET, "connection closed by");
    }
    if (t->fd < 0) {
        int rc = connect_now(t, err);
        if (rc != KC_OK) {
            return rc;
        }
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = send(t->fd, body + off, len - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return drop(t, err, errno, "write failed to");
        }
        off += (size_t)w;
    }
    if (peer_closed(t->fd)) {
        return drop(t, err, ECONNRESET, "connection closed by");
    }
    return KC_OK;
}

long questdb_tcp_connects(const struct questdb_tcp *t)
{
    return t->connects;
}
