/*
 * tests/unit/clickhouse/clickhouse_stub.c: see clickhouse_stub.h. HTTP/1.1 with Content-Length
 * bodies only (what libcurl sends for the sink's POSTs), keep-alive, a thread per connection.
 */
#include "clickhouse_stub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kc_alloc.h"

#define STUB_MAX_CONNS 64

struct stub_table {
    char *name;     /* "db.t" */
    char *describe;
};

struct clickhouse_stub {
    int fd;
    int port;
    char *version;
    int stopping;
    pthread_t accept_th;
    pthread_mutex_t mu;
    struct stub_table tables[16];
    size_t n_tables;
    struct clickhouse_stub_insert **ins;
    size_t n_ins;
    int fail_count; /* -1 = until cleared */
    int fail_code;
    char *fail_text;
    pthread_t conn_th[STUB_MAX_CONNS];
    int conn_fd[STUB_MAX_CONNS];
    size_t n_conns;
};

struct conn_arg {
    struct clickhouse_stub *cs;
    int fd;
};

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) {
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int respond(int fd, int status, int code, const char *body)
{
    char head[256];
    char codeh[64] = "";
    if (code > 0) {
        snprintf(codeh, sizeof(codeh), "X-ClickHouse-Exception-Code: %d\r\n", code);
    }
    size_t len = strlen(body);
    int n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\n%s"
                     "Content-Length: %zu\r\nConnection: keep-alive\r\n\r\n", status,
                     status == 200 ? "OK" : "Error", codeh, len);
    return send_all(fd, head, (size_t)n) || send_all(fd, body, len) ? -1 : 0;
}

/* URL-decode the value of key in the query string of target (malloc'd, NULL if absent). */
static char *url_param(const char *target, const char *key)
{
    const char *q = strchr(target, '?');
    size_t kl = strlen(key);
    while (q != NULL) {
        q++;
        if (strncmp(q, key, kl) == 0 && q[kl] == '=') {
            const char *v = q + kl + 1;
            const char *e = strchr(v, '&');
            size_t n = e != NULL ? (size_t)(e - v) : strlen(v);
            char *out = kc_malloc(n + 1);
            size_t o = 0;
            for (size_t i = 0; i < n; i++) {
                if (v[i] == '%' && i + 2 < n) {
                    char hex[3] = {v[i + 1], v[i + 2], 0};
                    out[o++] = (char)strtol(hex, NULL, 16);
                    i += 2;
                } else {
                    out[o++] = v[i] == '+' ? ' ' : v[i];
                }
            }
            out[o] = 0;
            return out;
        }
        q = strchr(q, '&');
    }
    return NULL;
}

/* "db.t" out of "... `db`.`t` ..." (the first two backquoted names). */
static char *table_of(const char *sql)
{
    char a[256], b[256];
    const char *p = strchr(sql, '`');
    if (p == NULL || sscanf(p, "`%255[^`]`.`%255[^`]`", a, b) != 2) {
        return kc_strdup("?");
    }
    return kc_asprintf("%s.%s", a, b);
}

static int leb(const unsigned char *b, size_t n, size_t *pos, uint64_t *v)
{
    *v = 0;
    for (int i = 0; i < 10 && *pos < n; i++) {
        unsigned char c = b[(*pos)++];
        *v |= (uint64_t)(c & 0x7f) << (7 * i);
        if (!(c & 0x80)) {
            return 1;
        }
    }
    return 0;
}

/* Bytes of a value of the type named t (n chars), 0 for String, -1 for what the stub does
 * not read. */
static int stub_width(const char *t, size_t n)
{
    static const struct { const char *name; int w; } k[] = {
        {"Int8", 1},  {"UInt8", 1},  {"Int16", 2},   {"UInt16", 2},  {"Int32", 4}, {"UInt32", 4},
        {"Int64", 8}, {"UInt64", 8}, {"Float32", 4}, {"Float64", 8}, {"String", 0}};
    for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
        if (strlen(k[i].name) == n && memcmp(k[i].name, t, n) == 0) {
            return k[i].w;
        }
    }
    return -1;
}

/* A Native body back into the rows it carries, as RowBinary (with a 0 "value follows" byte
 * before each column when flags): so the tests' byte expectations hold whichever format the
 * sink chose. Only the stub's column types (integers, floats, String, Nullable of them).
 * NULL when the body does not decode. */
static unsigned char *native_rows(const unsigned char *b, size_t n, int flags, size_t *out_len)
{
    size_t pos = 0, cap = n * 2 + 64, len = 0;
    unsigned char *out = kc_malloc(cap);
    while (out != NULL && pos < n) {
        uint64_t nc, nr;
        if (!leb(b, n, &pos, &nc) || !leb(b, n, &pos, &nr) || nc == 0 || nc > 64) {
            goto bad;
        }
        size_t start[64], cur[64], nulls[64];
        int w[64], nul[64];
        for (uint64_t c = 0; c < nc; c++) {
            uint64_t l;
            if (!leb(b, n, &pos, &l) || l > n - pos) {
                goto bad;
            }
            pos += l; /* the name */
            if (!leb(b, n, &pos, &l) || l > n - pos) {
                goto bad;
            }
            const char *t = (const char *)b + pos;
            nul[c] = l > 10 && memcmp(t, "Nullable(", 9) == 0;
            w[c] = nul[c] ? stub_width(t + 9, l - 10) : stub_width(t, l);
            pos += l;
            if (w[c] < 0) {
                goto bad;
            }
            nulls[c] = pos;
            if (nul[c]) {
                if (nr > n - pos) {
                    goto bad;
                }
                pos += nr;
            }
            start[c] = cur[c] = pos;
            for (uint64_t r = 0; r < nr; r++) { /* skip the column's values */
                uint64_t sl = (uint64_t)w[c];
                if (w[c] == 0 && !leb(b, n, &pos, &sl)) {
                    goto bad;
                }
                if (sl > n - pos) {
                    goto bad;
                }
                pos += sl;
            }
        }
        (void)start;
        for (uint64_t r = 0; r < nr; r++) {
            for (uint64_t c = 0; c < nc; c++) {
                size_t at = cur[c], vl = (size_t)w[c];
                if (w[c] == 0) {
                    uint64_t sl;
                    leb(b, n, &cur[c], &sl);
                    vl = cur[c] - at + sl;
                }
                cur[c] = at + vl;
                if (len + vl + 3 > cap) {
                    cap = (len + vl + 3) * 2;
                    unsigned char *no = kc_realloc(out, cap);
                    if (no == NULL) {
                        goto bad;
                    }
                    out = no;
                }
                if (flags) {
                    out[len++] = 0;
                }
                if (nul[c]) {
                    out[len++] = b[nulls[c] + r];
                    if (b[nulls[c] + r]) {
                        continue;
                    }
                }
                memcpy(out + len, b + at, vl);
                len += vl;
            }
        }
    }
    *out_len = len;
    return out;
bad:
    kc_free(out);
    return NULL;
}

static void handle(struct clickhouse_stub *cs, int fd, const char *target, char *body,
                   size_t len, int *drop)
{
    char *query = url_param(target, "query");
    if (query != NULL && strncmp(query, "INSERT", 6) == 0) {
        struct clickhouse_stub_insert *in = kc_calloc(1, sizeof(*in));
        in->table = table_of(query);
        in->token = url_param(target, "insert_deduplication_token");
        size_t ql = strlen(query);
        in->native = ql >= 13 && strcmp(query + ql - 13, "FORMAT Native") == 0;
        if (in->native) {
            in->body = native_rows((const unsigned char *)body, len, atoi(cs->version) >= 23,
                                   &in->len);
            if (in->body == NULL) {
                fprintf(stderr, "clickhouse_stub: a Native body the stub cannot read\n");
                abort();
            }
        } else {
            in->body = kc_malloc(len + 1);
            memcpy(in->body, body, len);
            in->len = len;
        }
        pthread_mutex_lock(&cs->mu);
        int fail = cs->fail_count != 0;
        int code = cs->fail_code;
        char *text = kc_strdup(cs->fail_text != NULL ? cs->fail_text : "failure");
        if (cs->fail_count > 0) {
            cs->fail_count--;
        }
        in->ok = !fail;
        struct clickhouse_stub_insert **ni = kc_realloc(cs->ins, (cs->n_ins + 1) * sizeof(*ni));
        cs->ins = ni;
        cs->ins[cs->n_ins++] = in;
        pthread_mutex_unlock(&cs->mu);
        if (fail && code == 0) {
            *drop = 1;
        } else if (fail) {
            char *msg = kc_asprintf("Code: %d. DB::Exception: %s. (STUB) (version %s)\n", code,
                                    text, cs->version);
            respond(fd, 500, code, msg);
            kc_free(msg);
        } else {
            respond(fd, 200, 0, "");
        }
        kc_free(text);
        kc_free(query);
        return;
    }
    kc_free(query);
    body[len] = 0;
    if (strstr(body, "version()") != NULL) {
        char v[64];
        snprintf(v, sizeof(v), "%s\n", cs->version);
        respond(fd, 200, 0, v);
        return;
    }
    if (strncmp(body, "DESCRIBE", 8) == 0) {
        char *t = table_of(body);
        const char *d = NULL;
        pthread_mutex_lock(&cs->mu);
        for (size_t i = 0; i < cs->n_tables; i++) {
            if (strcmp(cs->tables[i].name, t) == 0) {
                d = cs->tables[i].describe;
            }
        }
        pthread_mutex_unlock(&cs->mu);
        if (d != NULL) {
            respond(fd, 200, 0, d);
        } else {
            char *msg = kc_asprintf("Code: 60. DB::Exception: Table %s doesn't exist. "
                                    "(UNKNOWN_TABLE) (version %s)\n", t, cs->version);
            respond(fd, 404, 60, msg);
            kc_free(msg);
        }
        kc_free(t);
        return;
    }
    respond(fd, 400, 62, "Code: 62. DB::Exception: Syntax error (stub). (SYNTAX_ERROR)\n");
}

static void *conn_thread(void *arg)
{
    struct conn_arg *ca = arg;
    struct clickhouse_stub *cs = ca->cs;
    int fd = ca->fd;
    kc_free(ca);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        /* Read until the end of the headers, then the Content-Length body. */
        char *hend = NULL;
        size_t need = 0;
        for (;;) {
            if (hend == NULL && len > 0) {
                buf[len] = 0;
                hend = strstr(buf, "\r\n\r\n");
                if (hend != NULL) {
                    const char *cl = strstr(buf, "\r\nContent-Length:") /* as libcurl spells it */;
                    need = (size_t)(hend + 4 - buf) + (cl != NULL && cl < hend
                                                           ? strtoull(cl + 17, NULL, 10) : 0);
                }
            }
            if (hend != NULL && len >= need) {
                break;
            }
            if (cap - len < 65536 + 1) {
                cap = cap * 2 + 65536 + 1;
                buf = kc_realloc(buf, cap);
                hend = NULL; /* buf moved: find it again */
                if (len > 0) {
                    buf[len] = 0;
                    hend = strstr(buf, "\r\n\r\n");
                }
            }
            ssize_t r = recv(fd, buf + len, cap - len - 1, 0);
            if (r <= 0) {
                goto out;
            }
            len += (size_t)r;
        }
        size_t hlen = (size_t)(hend + 4 - buf);
        char target[8192];
        if (sscanf(buf, "%*s %8191s", target) != 1) {
            goto out;
        }
        /* body needs one spare byte for the terminating NUL handle() writes. */
        char *body = kc_malloc(need - hlen + 1);
        memcpy(body, buf + hlen, need - hlen);
        int drop = 0;
        handle(cs, fd, target, body, need - hlen, &drop);
        kc_free(body);
        memmove(buf, buf + need, len - need);
        len -= need;
        if (drop) {
            break;
        }
    }
out:
    kc_free(buf);
    shutdown(fd, SHUT_RDWR);
    return NULL;
}

static void *accept_thread(void *arg)
{
    struct clickhouse_stub *cs = arg;
    for (;;) {
        struct pollfd pfd = {.fd = cs->fd, .events = POLLIN};
        int pr = poll(&pfd, 1, 20);
        pthread_mutex_lock(&cs->mu);
        int stopping = cs->stopping;
        pthread_mutex_unlock(&cs->mu);
        if (stopping) {
            return NULL;
        }
        if (pr <= 0) {
            continue;
        }
        int fd = accept(cs->fd, NULL, NULL);
        if (fd < 0) {
            continue;
        }
        struct conn_arg *ca = kc_calloc(1, sizeof(*ca));
        ca->cs = cs;
        ca->fd = fd;
        pthread_mutex_lock(&cs->mu);
        if (cs->n_conns == STUB_MAX_CONNS ||
            pthread_create(&cs->conn_th[cs->n_conns], NULL, conn_thread, ca) != 0) {
            pthread_mutex_unlock(&cs->mu);
            close(fd);
            kc_free(ca);
            continue;
        }
        cs->conn_fd[cs->n_conns++] = fd;
        pthread_mutex_unlock(&cs->mu);
    }
}

struct clickhouse_stub *clickhouse_stub_start(const char *version)
{
    struct clickhouse_stub *cs = kc_calloc(1, sizeof(*cs));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    socklen_t al = sizeof(a);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cs->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (cs->fd < 0 || bind(cs->fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(cs->fd, 64) != 0 || getsockname(cs->fd, (struct sockaddr *)&a, &al) != 0) {
        if (cs->fd >= 0) {
            close(cs->fd);
        }
        kc_free(cs);
        return NULL;
    }
    cs->port = ntohs(a.sin_port);
    cs->version = kc_strdup(version);
    pthread_mutex_init(&cs->mu, NULL);
    if (pthread_create(&cs->accept_th, NULL, accept_thread, cs) != 0) {
        close(cs->fd);
        kc_free(cs->version);
        kc_free(cs);
        return NULL;
    }
    return cs;
}

void clickhouse_stub_stop(struct clickhouse_stub *cs)
{
    if (cs == NULL) {
        return;
    }
    pthread_mutex_lock(&cs->mu);
    cs->stopping = 1;
    pthread_mutex_unlock(&cs->mu);
    pthread_join(cs->accept_th, NULL);
    for (size_t i = 0; i < cs->n_conns; i++) {
        shutdown(cs->conn_fd[i], SHUT_RDWR);
        pthread_join(cs->conn_th[i], NULL);
        close(cs->conn_fd[i]);
    }
    close(cs->fd);
    for (size_t i = 0; i < cs->n_ins; i++) {
        kc_free(cs->ins[i]->table);
        kc_free(cs->ins[i]->token);
        kc_free(cs->ins[i]->body);
        kc_free(cs->ins[i]);
    }
    kc_free(cs->ins);
    for (size_t i = 0; i < cs->n_tables; i++) {
        kc_free(cs->tables[i].name);
        kc_free(cs->tables[i].describe);
    }
    kc_free(cs->fail_text);
    kc_free(cs->version);
    pthread_mutex_destroy(&cs->mu);
    kc_free(cs);
}

int clickhouse_stub_port(const struct clickhouse_stub *cs)
{
    return cs->port;
}

void clickhouse_stub_table(struct clickhouse_stub *cs, const char *db_table, const char *describe)
{
    pthread_mutex_lock(&cs->mu);
    for (size_t i = 0; i < cs->n_tables; i++) { /* known: the table changed (ALTER) */
        if (strcmp(cs->tables[i].name, db_table) == 0) {
            kc_free(cs->tables[i].describe);
            cs->tables[i].describe = kc_strdup(describe);
            pthread_mutex_unlock(&cs->mu);
            return;
        }
    }
    if (cs->n_tables < sizeof(cs->tables) / sizeof(cs->tables[0])) {
        cs->tables[cs->n_tables].name = kc_strdup(db_table);
        cs->tables[cs->n_tables].describe = kc_strdup(describe);
        cs->n_tables++;
    }
    pthread_mutex_unlock(&cs->mu);
}

void clickhouse_stub_fail(struct clickhouse_stub *cs, int count, int code, const char *text)
{
    pthread_mutex_lock(&cs->mu);
    cs->fail_count = count;
    cs->fail_code = code;
    kc_free(cs->fail_text);
    cs->fail_text = text != NULL ? kc_strdup(text) : NULL;
    pthread_mutex_unlock(&cs->mu);
}

size_t clickhouse_stub_inserts(struct clickhouse_stub *cs)
{
    pthread_mutex_lock(&cs->mu);
    size_t n = cs->n_ins;
    pthread_mutex_unlock(&cs->mu);
    return n;
}

const struct clickhouse_stub_insert *clickhouse_stub_insert_at(struct clickhouse_stub *cs,
                                                               size_t i)
{
    pthread_mutex_lock(&cs->mu);
    const struct clickhouse_stub_insert *in = i < cs->n_ins ? cs->ins[i] : NULL;
    pthread_mutex_unlock(&cs->mu);
    return in;
}

size_t clickhouse_stub_bytes_ok(struct clickhouse_stub *cs, const char *db_table)
{
    size_t n = 0;
    pthread_mutex_lock(&cs->mu);
    for (size_t i = 0; i < cs->n_ins; i++) {
        if (cs->ins[i]->ok && strcmp(cs->ins[i]->table, db_table) == 0) {
            n += cs->ins[i]->len;
        }
    }
    pthread_mutex_unlock(&cs->mu);
    return n;
}
