/*
 * tests/fuzz/fuzz_rest_http.c: raw bytes into the REST server over a real socket -- request
 * lines, headers, chunked and fixed bodies, pipelined requests, garbage -- with libmicrohttpd,
 * the deadlines (rest_guard.c), the router and every handler behind it, answered by the canned
 * herder of the REST unit tests. One server for the process, on an ephemeral 127.0.0.1 port;
 * each input is one connection: send it all, close our side, read until the server closes.
 *
 * Checks: no crash or sanitizer report anywhere in the server; whatever comes back starts with
 * an HTTP status line; the server closes the connection within 10 s of our end of input (a
 * request it never answers and never times out would pin a thread). Client sockets close with
 * RST (SO_LINGER 0), so millions of runs leave no TIME_WAIT behind.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "fake_herder.h"
#include "kc_log.h"
#include "rest_server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rest_server *server;
static uint16_t port;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void start_server(void)
{
    struct rest_server_config cfg;
    struct kc_error err;
    memset(&cfg, 0, sizeof(cfg));
    cfg.listeners = "http://127.0.0.1:0";
    cfg.max_body_bytes = 64 * 1024; /* small bodies keep runs fast; the cap is fuzzed too */
    cfg.header_timeout_ms = 2000;
    cfg.body_timeout_ms = 2000;
    kc_log_set_level(KC_LOG_ERROR);
    fake_herder_reset();
    if (rest_server_new(&cfg, NULL, &server, &err) != KC_OK) {
        fprintf(stderr, "fuzz_rest_http: rest_server_new: %s\n", err.msg);
        abort();
    }
    port = rest_server_port(server, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (server == NULL) {
        start_server();
    }
    /* An input may PUT /admin/loggers/... to DEBUG: every later run would then log each
     * request (tens of MB a minute), so each input starts at ERROR again. */
    kc_log_set_level(KC_LOG_ERROR);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return 0;
    }
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return 0;
    }
    /* Send it all; the server may answer (413, 400) and close before reading everything. */
    size_t off = 0;
    while (off < size) {
        ssize_t n = send(fd, data + off, size - off, MSG_NOSIGNAL);
        if (n <= 0) {
            break;
        }
        off += (size_t)n;
    }
    shutdown(fd, SHUT_WR);
    char head[16];
    size_t got = 0;
    char buf[65536];
    int64_t deadline = now_ms() + 10000;
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            fprintf(stderr, "fuzz_rest_http: the server kept the connection open for 10 s after "
                            "the end of the input\n");
            abort();
        }
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, (int)left) <= 0) {
            continue;
        }
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) {
            break; /* closed (or reset after our half-close) */
        }
        for (ssize_t i = 0; i < n && got < sizeof(head); i++) {
            head[got++] = buf[i];
        }
    }
    close(fd);
    if (got > 0 && (got < 7 ? memcmp(head, "HTTP/1.", got) : memcmp(head, "HTTP/1.", 7)) != 0) {
        fprintf(stderr, "fuzz_rest_http: the answer does not start with a status line\n");
        abort();
    }
    return 0;
}
