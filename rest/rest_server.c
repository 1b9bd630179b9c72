/*
 * rest/rest_server.c: libmicrohttpd setup, the route table, body caps and the glue between a
 * socket and rest_dispatch().
 *
 * One MHD daemon per listener, thread-per-connection (a request may wait up to 90 s for the
 * herder, so a small shared pool could be starved by a few slow calls). Paths reach us still
 * %-encoded (identity unescape callback), so a %2F inside a connector name cannot be mistaken for
 * a separator; segments and query values are decoded here.
 *
 * JVM behaviours copied (observed on a 4.1.0 worker): unknown path -> 404 "HTTP 404 Not Found"
 * and wrong method -> 405 "HTTP 405 Method Not Allowed", both without a Content-Type header;
 * a non-JSON Content-Type on any Connect resource -> 415 "HTTP 415 Unsupported Media Type"; a
 * trailing '/' is ignored; HEAD runs the GET route without a body; OPTIONS answers 200
 * text/plain with an Allow list; an empty path segment or an encoded '/' -> 400 (Jetty's
 * "Ambiguous URI ..." rejections; Jetty writes them as HTML, we as the usual JSON error).
 * Not in the JVM: a request body cap (Jetty has none for JSON) -> 413
 * {"error_code":413,"message":"HTTP 413 Request Entity Too Large"}; a cap on connections in all
 * and per client address, and deadlines for a request's headers and body (rest_guard.c), so
 * slow clients cannot take every connection thread.
 */
#include "rest_server.h"
#include "rest_auth.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "kc_alloc.h"
#include "kc_buf.h"
#include "kc_log.h"
#include "rest_guard.h"
#include "rest_int.h"
#include "rest_reply.h"
#include "rest_tls.h"

/* ---- route table ---- */

#define R_CONSUMES 0x1 /* resource class has @Consumes(application/json) */
#define R_BODY 0x2     /* the method reads an entity */
#define R_ADMIN 0x4    /* LoggingResource: follows admin.listeners */
#define R_LEADER 0x8   /* only the group's leader serves it: followers forward (§2.2) */

struct rest_route {
    enum rest_method method;
    const char *pattern;
    rest_handler_fn fn;
    unsigned flags;
};

#define CR R_CONSUMES
static const struct rest_route routes[] = {
    {REST_GET, "/", rest_h_root, 0},
    {REST_GET, "/health", rest_h_health, 0},
    {REST_GET, "/metrics", rest_h_metrics, 0},
    {REST_POST, "/connectors", rest_h_connector_create, CR | R_BODY | R_LEADER},
    {REST_GET, "/connectors", rest_h_connectors_list, CR},
    {REST_GET, "/connectors/{c}", rest_h_connector_get, CR},
    {REST_DELETE, "/connectors/{c}", rest_h_connector_delete, CR | R_LEADER},
    {REST_GET, "/connectors/{c}/config", rest_h_config_get, CR},
    {REST_PUT, "/connectors/{c}/config", rest_h_config_put, CR | R_BODY | R_LEADER},
    {REST_PATCH, "/connectors/{c}/config", rest_h_config_patch, CR | R_BODY | R_LEADER},
    {REST_GET, "/connectors/{c}/status", rest_h_status, CR},
    {REST_POST, "/connectors/{c}/restart", rest_h_restart, CR | R_LEADER},
    {REST_PUT, "/connectors/{c}/pause", rest_h_pause, CR},
    {REST_PUT, "/connectors/{c}/resume", rest_h_resume, CR},
    {REST_PUT, "/connectors/{c}/stop", rest_h_stop, CR | R_LEADER},
    {REST_GET, "/connectors/{c}/tasks", rest_h_tasks, CR},
    {REST_POST, "/connectors/{c}/tasks", rest_h_tasks_post, CR | R_BODY | R_LEADER},
    {REST_GET, "/connectors/{c}/tasks-config", rest_h_tasks_config, CR},
    {REST_GET, "/connectors/{c}/tasks/{n}/status", rest_h_task_status, CR},
    {REST_POST, "/connectors/{c}/tasks/{n}/restart", rest_h_task_restart, CR},
    {REST_PUT, "/connectors/{c}/fence", rest_h_fence, CR},
    {REST_GET, "/connectors/{c}/topics", rest_h_topics, CR},
    {REST_PUT, "/connectors/{c}/topics/reset", rest_h_topics_reset, CR},
    {REST_GET, "/connectors/{c}/offsets", rest_h_offsets_get, CR},
    {REST_PATCH, "/connectors/{c}/offsets", rest_h_offsets_patch, CR | R_BODY | R_LEADER},
    {REST_DELETE, "/connectors/{c}/offsets", rest_h_offsets_delete, CR | R_LEADER},
    {REST_GET, "/connector-plugins", rest_h_plugins_list, CR},
    {REST_GET, "/connector-plugins/{p}/config", rest_h_plugin_config, CR},
    {REST_PUT, "/connector-plugins/{p}/config/validate", rest_h_plugin_validate, CR | R_BODY},
    {REST_GET, "/admin/loggers", rest_h_loggers_list, CR | R_ADMIN},
    {REST_GET, "/admin/loggers/{n}", rest_h_logger_get, CR | R_ADMIN},
    {REST_PUT, "/admin/loggers/{n}", rest_h_logger_put, CR | R_ADMIN | R_BODY},
};
#undef CR

static const char *const method_names[] = {"GET",    "POST", "PUT",     "PATCH",
                                           "DELETE", "HEAD", "OPTIONS", NULL};

enum rest_method rest_method_parse(const char *m)
{
    for (int i = 0; method_names[i] != NULL; i++) {
        if (strcmp(m, method_names[i]) == 0) {
            return (enum rest_method)i;
        }
    }
    return REST_OTHER;
}

#define MAX_SEGS 8

struct split_path {
    const char *seg[MAX_SEGS]; /* borrowed into the path */
    size_t len[MAX_SEGS];
    size_t n;
};

/* 0 ok, -1 too many segments (no route has that many: 404), -2 empty segment (400). */
static int split(const char *path, struct split_path *sp)
{
    size_t plen = strlen(path);
    sp->n = 0;
    if (plen > 1 && path[plen - 1] == '/') {
        plen--; /* Jersey matches "/connectors/" as "/connectors" */
    }
    if (plen == 0 || path[0] != '/') {
        return -1;
    }
    size_t i = 1;
    if (plen == 1) {
        return 0;
    }
    while (i <= plen) {
        size_t j = i;
        while (j < plen && path[j] != '/') {
            j++;
        }
        if (j == i) {
            return -2;
        }
        if (sp->n == MAX_SEGS) {
            return -1;
        }
        sp->seg[sp->n] = path + i;
        sp->len[sp->n] = j - i;
        sp->n++;
        i = j + 1;
    }
    return 0;
}

/* Does route r's pattern match? Fills up to two decoded parameters when params != NULL. */
static int pattern_match(const char *pattern, const struct split_path *sp, const char **praw,
                         size_t *plen)
{
    struct split_path pp;
    int np = 0;
    if (split(pattern, &pp) != 0 || pp.n != sp->n) {
        return 0;
    }
    for (size_t i = 0; i < pp.n; i++) {
        if (pp.seg[i][0] == '{') {
            if (np < 2) {
                praw[np] = sp->seg[i];
                plen[np] = sp->len[i];
                np++;
            }
            continue;
        }
        if (pp.len[i] != sp->len[i] || memcmp(pp.seg[i], sp->seg[i], pp.len[i]) != 0) {
            return 0;
        }
    }
    return 1;
}

static void respond_error(struct rest_response *rs, int status, const char *msg, int json_ctype)
{
    json_t *j = rest_reply_error(status, msg);
    rs->status = status;
    rs->json = json_ctype;
    rs->body = j ? rest_reply_dump(j) : NULL;
    rs->body_len = rs->body ? strlen(rs->body) : 0;
    json_decref(j);
}

static int route_visible(const struct rest_ctx *ctx, const struct rest_request *rq,
                         const struct rest_route *r)
{
    if (r->flags & R_ADMIN) {
        if (ctx->admin_mode == 2) {
            return 0;
        }
        if (ctx->admin_mode == 1) {
            return rq->on_admin_listener;
        }
        return 1;
    }
    return !rq->on_admin_listener;
}

void rest_dispatch(const struct rest_ctx *ctx, struct rest_request *rq, struct rest_response *rs)
{
    struct split_path sp;
    const struct rest_route *hit = NULL;
    int path_known = 0;
    char allow[128] = "";
    int has_get = 0;

    int sr = split(rq->path, &sp);
    if (sr == -2) {
        respond_error(rs, 400, "Ambiguous URI empty segment", 1);
        return;
    }
    for (size_t i = 0; sr == 0 && i < sp.n; i++) {
        for (size_t k = 0; k + 2 < sp.len[i]; k++) {
            if (sp.seg[i][k] == '%' && sp.seg[i][k + 1] == '2' &&
                (sp.seg[i][k + 2] == 'F' || sp.seg[i][k + 2] == 'f')) {
                respond_error(rs, 400, "Ambiguous URI path separator", 1);
                return;
            }
        }
    }
    enum rest_method m = rq->method == REST_HEAD ? REST_GET : rq->method;
    const char *praw[2] = {NULL, NULL};
    size_t plen[2] = {0, 0};
    for (size_t i = 0; sr == 0 && i < sizeof(routes) / sizeof(routes[0]); i++) {
        const char *tr[2] = {NULL, NULL};
        size_t tl[2] = {0, 0};
        if (!route_visible(ctx, rq, &routes[i]) || !pattern_match(routes[i].pattern, &sp, tr, tl)) {
            continue;
        }
        path_known = 1;
        if (routes[i].method == REST_GET) {
            has_get = 1;
        }
        size_t al = strlen(allow);
        snprintf(allow + al, sizeof(allow) - al, "%s%s", al ? "," : "",
                 method_names[routes[i].method]);
        if (routes[i].method == m && hit == NULL) {
            hit = &routes[i];
            memcpy(praw, tr, sizeof(tr));
            memcpy(plen, tl, sizeof(tl));
        }
    }
    if (!path_known) {
        respond_error(rs, 404, "HTTP 404 Not Found", 0);
        return;
    }
    if (rq->method == REST_OPTIONS) {
        char list[160];
        snprintf(list, sizeof(list), "%s%s,OPTIONS", has_get ? "HEAD," : "", allow);
        char text[256];
        size_t o = 0;
        for (const char *p = list; *p != '\0' && o + 2 < sizeof(text); p++) {
            text[o++] = *p;
            if (*p == ',') {
                text[o++] = ' ';
            }
        }
        text[o] = '\0';
        rs->status = 200;
        rs->ctype = "text/plain";
        rs->allow = kc_strdup(list);
        rs->body = strdup(text); /* response bodies are free()d (jansson allocates with malloc) */
        rs->body_len = rs->body ? strlen(rs->body) : 0;
        return;
    }
    if (hit == NULL) {
        respond_error(rs, 405, "HTTP 405 Method Not Allowed", 0);
        return;
    }
    if (hit->flags & R_CONSUMES) {
        if (rq->content_type != NULL && !rest_content_type_is_json(rq->content_type)) {
            respond_error(rs, 415, "HTTP 415 Unsupported Media Type", 0);
            return;
        }
        if ((hit->flags & R_BODY) && rq->content_type == NULL && rq->body_len > 0) {
            respond_error(rs, 415, "HTTP 415 Unsupported Media Type", 1);
            return;
        }
    }
    for (int i = 0; i < 2; i++) {
        if (praw[i] != NULL) {
            rq->params[i] = rest_url_decode(praw[i], plen[i], 0);
            if (rq->params[i] == NULL) {
                respond_error(rs, 404, "HTTP 404 Not Found", 0);
                return;
            }
        }
    }
    if ((hit->flags & R_LEADER) && ctx->h != NULL) {
        /* The JVM's completeOrForwardRequest: a follower re-issues the request to the leader;
         * the first hop sends forward=true, a second one forward=false, a third gives up. */
        const char *fw = rest_query_get(&rq->query, "forward");
        int forward = fw == NULL ? -1 : rest_query_bool(&rq->query, "forward", 1);
        char *leader = NULL;
        struct kc_error err;
        kc_error_clear(&err);
        int rc = herder_request_target(ctx->h, forward, &leader, &err);
        if (rc == KC_OK && leader != NULL) {
            rest_forward(ctx, rq, leader, forward == -1, rs);
            kc_free(leader);
            return;
        }
        if (rc != KC_OK) {
            rest_respond_herder(rs, &err);
            return;
        }
    }
    hit->fn(ctx, rq, rs);
    if (rs->status == 0) {
        respond_error(rs, 500, "out of memory", 1);
    }
}

/* ---- libmicrohttpd glue ---- */

struct rest_daemon {
    struct MHD_Daemon *d;
    struct rest_server *rs; /* back pointer */
    int admin;
    uint16_t port;
    struct rest_tls_listener *tls_l; /* owned, https listeners only */
};

struct rest_server {
    struct rest_ctx ctx;
    struct rest_daemon *daemons; /* owned */
    size_t n_daemons;
    struct rest_guard *guard; /* owned: header and body deadlines */
    size_t max_body;
    char *allow_origin;  /* owned or NULL */
    char *allow_methods; /* owned */
    struct rest_header_rule *rules;
    size_t n_rules;
    const struct rest_auth *auth; /* borrowed, NULL = no authentication */
    struct rest_tls *tls;         /* owned, NULL without https listeners */
};

/* Per-connection state, from the first access-handler call to the completed callback. */
struct conn_state {
    struct kc_buf body;
    int too_large;
    int has_body;
    int reject;    /* 414/431: request line or headers over REST_MAX_HEADER_BYTES; 401 */
    int drop_body; /* 401 after the body, which is read and not kept */
};

#define REST_MAX_HEADER_BYTES 8192
/* A request without credentials announcing more body than this is answered at once. */
#define REST_AUTH_EARLY_BYTES (1024 * 1024)

struct hdr_size {
    size_t uri;
    size_t headers;
};

static enum MHD_Result add_size(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    (void)kind;
    *(size_t *)cls += strlen(key) + (value ? strlen(value) : 0) + 4;
    return MHD_YES;
}

static size_t identity_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

static enum MHD_Result add_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    (void)kind;
    rest_query_add(cls, key, value);
    return MHD_YES;
}

static int origin_allowed(const char *allowed, const char *origin)
{
    const char *p = allowed;
    while (*p) {
        size_t n = strcspn(p, ",");
        while (n > 0 && (*p == ' ')) {
            p++;
            n--;
        }
        size_t m = n;
        while (m > 0 && p[m - 1] == ' ') {
            m--;
        }
        if ((m == 1 && *p == '*') || (strlen(origin) == m && strncmp(origin, p, m) == 0)) {
            return 1;
        }
        /* Jetty also allows a "*" wildcard inside an origin, e.g. http://<star>.example.com */
        const char *star = memchr(p, '*', m);
        if (star != NULL) {
            size_t pre = (size_t)(star - p), post = m - pre - 1;
            size_t ol = strlen(origin);
            if (ol >= pre + post && strncmp(origin, p, pre) == 0 &&
                strncmp(origin + ol - post, star + 1, post) == 0) {
                return 1;
            }
        }
        p += n;
        if (*p == ',') {
            p++;
        }
    }
    return 0;
}

static void http_date(char *buf, size_t sz, int64_t add_ms)
{
    time_t t = time(NULL) + (time_t)(add_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, sz, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static enum MHD_Result send_response(struct rest_server *srv, struct MHD_Connection *conn,
                                     const struct rest_request *rq, struct rest_response *resp)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        resp->body_len, resp->body ? resp->body : (void *)"", MHD_RESPMEM_MUST_COPY);
    if (r == NULL) {
        return MHD_NO;
    }
    if (resp->json && resp->body_len > 0) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    } else if (resp->ctype != NULL) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->ctype);
    } else if (resp->json && rq->method == REST_HEAD) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    }
    if (resp->location != NULL) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, resp->location);
    }
    if (resp->allow != NULL) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, resp->allow);
    }
    if (resp->www_authenticate) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                "Basic realm=\"Kafka Connect\", charset=\"UTF-8\"");
    }
    const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
    if (srv->allow_origin != NULL && origin != NULL && origin_allowed(srv->allow_origin, origin)) {
        MHD_add_response_header(r, "Access-Control-Allow-Origin", origin);
        MHD_add_response_header(r, "Access-Control-Allow-Credentials", "true");
        if (rq->method == REST_OPTIONS &&
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Access-Control-Request-Method")) {
            MHD_add_response_header(r, "Access-Control-Allow-Methods", srv->allow_methods);
            MHD_add_response_header(r, "Access-Control-Allow-Headers",
                                    "X-Requested-With,Content-Type,Accept,Origin");
            MHD_add_response_header(r, "Access-Control-Max-Age", "1800");
        }
    }
    for (size_t i = 0; i < srv->n_rules; i++) {
        const struct rest_header_rule *hr = &srv->rules[i];
        char date[64];
        const char *v = hr->value;
        if (hr->action == REST_HDR_SETDATE || hr->action == REST_HDR_ADDDATE) {
            http_date(date, sizeof(date), strtoll(hr->value, NULL, 10));
            v = date;
        }
        if (hr->action == REST_HDR_SET || hr->action == REST_HDR_SETDATE) {
            const char *old = MHD_get_response_header(r, hr->name);
            while (old != NULL) {
                char *copy = strdup(old);
                if (copy == NULL || MHD_del_response_header(r, hr->name, copy) != MHD_YES) {
                    free(copy);
                    break;
                }
                free(copy);
                old = MHD_get_response_header(r, hr->name);
            }
        }
        MHD_add_response_header(r, hr->name, v);
    }
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_data_size,
                                 void **con_cls)
{
    struct rest_daemon *rd = cls;
    struct rest_server *srv = rd->rs;
    struct conn_state *cs = *con_cls;
    (void)version;

    if (cs == NULL) {
        cs = kc_calloc(1, sizeof(*cs));
        if (cs == NULL) {
            return MHD_NO;
        }
        kc_buf_init(&cs->body, srv->max_body);
        *con_cls = cs;
        rest_guard_mark(conn, REST_GUARD_BODY);
        /* Jetty's 8 KiB request-header buffer: a longer URI -> 414, longer headers -> 431 */
        struct hdr_size hs = {0, 0};
        MHD_get_connection_values(conn, MHD_HEADER_KIND, add_size, &hs.headers);
        MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_size, &hs.uri);
        hs.uri += strlen(url) + strlen(method) + 10;
        if (hs.uri > REST_MAX_HEADER_BYTES) {
            cs->reject = 414;
        } else if (hs.uri + hs.headers > REST_MAX_HEADER_BYTES) {
            cs->reject = 431;
        }
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl != NULL && strtoull(cl, NULL, 10) > srv->max_body) {
            cs->too_large = 1;
        }
        /* Credentials are checked on the headers: a client without them never makes us hold
         * a body. Its body is read and dropped, then the 401 sent (closing on a client still
         * sending would reset the connection before it reads the answer), unless it waits for
         * "100 Continue" or announces more than REST_AUTH_EARLY_BYTES: then the 401 goes at
         * once and the connection closes. */
        if (cs->reject == 0 && !cs->too_large &&
            !rest_auth_allows(srv->auth, method, url,
                              MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                          "Authorization"))) {
            cs->reject = 401;
            const char *ex = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect");
            if ((ex == NULL || strcasecmp(ex, "100-continue") != 0) &&
                (cl == NULL || strtoull(cl, NULL, 10) <= REST_AUTH_EARLY_BYTES)) {
                cs->drop_body = 1;
            }
        }
        if (!cs->too_large && (cs->reject == 0 || cs->drop_body)) {
            return MHD_YES;
        }
        /* else answer now, before any body; MHD closes the connection afterwards */
    }
    if (*upload_data_size > 0) {
        cs->has_body = 1;
        if (!cs->too_large && !cs->drop_body &&
            kc_buf_append(&cs->body, upload_data, *upload_data_size) != KC_OK) {
            cs->too_large = 1;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    rest_guard_mark(conn, REST_GUARD_HANDLING);

    struct rest_request rq;
    struct rest_response resp;
    rest_request_init(&rq);
    rest_response_init(&resp);
    rq.method = rest_method_parse(method);
    rq.method_name = method;
    rq.path = url;
    rq.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    rq.host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
    rq.body = cs->body.data;
    rq.body_len = cs->body.len;
    rq.on_admin_listener = rd->admin;
    rq.https = rd->tls_l != NULL;
    rq.signature = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Connect-Authorization");
    rq.signature_algorithm =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Connect-Request-Signature-Algorithm");
    rq.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_query, &rq.query);

    if (cs->reject == 414) {
        respond_error(&resp, 414, "URI Too Long", 1);
    } else if (cs->reject == 431) {
        respond_error(&resp, 431, "Request Header Fields Too Large", 1);
    } else if (cs->too_large) {
        respond_error(&resp, 413, "HTTP 413 Request Entity Too Large", 1);
    } else if (cs->reject == 401) {
        /* The JVM's JaasBasicAuthFilter answer, plus the challenge browsers and curl expect. */
        resp.status = 401;
        resp.body = kc_strdup(REST_AUTH_DENIED);
        resp.body_len = resp.body != NULL ? strlen(resp.body) : 0;
        resp.ctype = "text/plain";
        resp.json = 0;
        resp.www_authenticate = 1;
    } else {
        rest_dispatch(&srv->ctx, &rq, &resp);
    }
    kc_log(KC_LOG_DEBUG, "rest", "%s %s %d", method, url, resp.status);
    enum MHD_Result ret = send_response(srv, conn, &rq, &resp);
    rest_response_fini(&resp);
    rest_request_fini(&rq);
    return ret;
}

static void completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)toe;
    rest_guard_mark(conn, REST_GUARD_HEADERS); /* keep-alive: the next request's clock starts */
    struct conn_state *cs = *con_cls;
    if (cs != NULL) {
        kc_buf_fini(&cs->body);
        kc_free(cs);
        *con_cls = NULL;
    }
}

static int start_daemon(struct rest_server *srv, struct rest_daemon *rd,
                        const struct rest_listener *l, const struct rest_server_config *cfg,
                        struct kc_error *err)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_POLL;
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    rd->rs = srv;
    unsigned max_conn = cfg->max_connections ? cfg->max_connections : REST_DEFAULT_MAX_CONNECTIONS;
    unsigned per_ip = cfg->max_connections_per_ip ? cfg->max_connections_per_ip
                                                  : REST_DEFAULT_MAX_CONNECTIONS_PER_IP;
    if (l->https) {
        /* TLS is ours (rest_tls.c): the daemon gets decrypted connections, no socket */
        rd->d = MHD_start_daemon(flags | MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC, 0, NULL, NULL,
                                 access_cb, rd,
                                 MHD_OPTION_UNESCAPE_CALLBACK, identity_unescape, NULL,
                                 MHD_OPTION_NOTIFY_COMPLETED, completed_cb, NULL,
                                 MHD_OPTION_CONNECTION_LIMIT, max_conn,
                                 MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
                                 MHD_OPTION_NOTIFY_CONNECTION, rest_guard_notify, srv->guard,
                                 MHD_OPTION_CONNECTION_TIMEOUT, REST_IDLE_TIMEOUT_S, MHD_OPTION_END);
        if (rd->d == NULL) {
            return kc_error_set(err, KC_EIO, "Unable to initialize the https REST server");
        }
        return rest_tls_listen(srv->tls, l->host, l->port, rd->d, max_conn, per_ip,
                               cfg->header_timeout_ms ? cfg->header_timeout_ms
                                                      : REST_DEFAULT_HEADER_TIMEOUT_MS,
                               &rd->tls_l, &rd->port, err);
    }
    if (l->host[0] == '\0') {
        rd->d = MHD_start_daemon(flags | MHD_USE_DUAL_STACK, l->port, NULL, NULL, access_cb, rd,
                                 MHD_OPTION_UNESCAPE_CALLBACK, identity_unescape, NULL,
                                 MHD_OPTION_NOTIFY_COMPLETED, completed_cb, NULL,
                                 MHD_OPTION_CONNECTION_LIMIT, max_conn,
                                 MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
                                 MHD_OPTION_NOTIFY_CONNECTION, rest_guard_notify, srv->guard,
                                 MHD_OPTION_CONNECTION_TIMEOUT, REST_IDLE_TIMEOUT_S, MHD_OPTION_END);
        if (rd->d == NULL) { /* no IPv6 in this container: IPv4 only */
            rd->d = MHD_start_daemon(flags, l->port, NULL, NULL, access_cb, rd,
                                     MHD_OPTION_UNESCAPE_CALLBACK, identity_unescape, NULL,
                                     MHD_OPTION_NOTIFY_COMPLETED, completed_cb, NULL,
                                     MHD_OPTION_CONNECTION_LIMIT, max_conn,
                                     MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
                                 MHD_OPTION_NOTIFY_CONNECTION, rest_guard_notify, srv->guard,
                                 MHD_OPTION_CONNECTION_TIMEOUT, REST_IDLE_TIMEOUT_S, MHD_OPTION_END);
        }
    } else {
        struct addrinfo hints, *ai = NULL;
        memset(&hints, 0, sizeof(hints));
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_PASSIVE;
        int gr = getaddrinfo(l->host, NULL, &hints, &ai);
        if (gr != 0 || ai == NULL) {
            return kc_error_set(err, KC_EINVAL, "Cannot resolve REST listener host %s: %s",
                                l->host, gai_strerror(gr));
        }
        memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
        freeaddrinfo(ai);
        if (ss.ss_family == AF_INET6) {
            ((struct sockaddr_in6 *)&ss)->sin6_port = htons(l->port);
            flags |= MHD_USE_IPv6;
        } else {
            ((struct sockaddr_in *)&ss)->sin_port = htons(l->port);
        }
        rd->d = MHD_start_daemon(flags, l->port, NULL, NULL, access_cb, rd,
                                 MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                                 MHD_OPTION_UNESCAPE_CALLBACK, identity_unescape, NULL,
                                 MHD_OPTION_NOTIFY_COMPLETED, completed_cb, NULL,
                                 MHD_OPTION_CONNECTION_LIMIT, max_conn,
                                 MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
                                 MHD_OPTION_NOTIFY_CONNECTION, rest_guard_notify, srv->guard,
                                 MHD_OPTION_CONNECTION_TIMEOUT, REST_IDLE_TIMEOUT_S, MHD_OPTION_END);
    }
    if (rd->d == NULL) {
        return kc_error_set(err, KC_EIO, "Unable to initialize REST server: failed to bind to %s:%u",
                            l->host[0] ? l->host : "0.0.0.0", (unsigned)l->port);
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(rd->d, MHD_DAEMON_INFO_BIND_PORT);
    rd->port = di ? di->port : l->port;
    return KC_OK;
}

/* GET / "commit": the 16 leading hex digits of the git commit this was built from, as the JVM
 * reports its own; a build outside git says so with zeros. */
#ifndef KC_GIT_COMMIT
#define KC_GIT_COMMIT "0000000000000000"
#endif
static const char *default_commit = KC_GIT_COMMIT;

int rest_server_new(const struct rest_server_config *cfg, struct herder *h,
                    struct rest_server **out, struct kc_error *err)
{
    struct rest_server *srv = NULL;
    struct rest_listener *main_l = NULL, *admin_l = NULL;
    size_t n_main = 0, n_admin = 0;
    int rc;

    *out = NULL;
    const char *ls = cfg->listeners && cfg->listeners[0] ? cfg->listeners : REST_DEFAULT_LISTENERS;
    rc = rest_listeners_parse(ls, &main_l, &n_main, err);
    if (rc != KC_OK) {
        goto out;
    }
    int admin_mode = 0;
    if (cfg->admin_listeners != NULL) {
        const char *a = cfg->admin_listeners;
        while (*a == ' ') {
            a++;
        }
        if (*a == '\0') {
            admin_mode = 2;
        } else {
            admin_mode = 1;
            rc = rest_listeners_parse(a, &admin_l, &n_admin, err);
            if (rc != KC_OK) {
                goto out;
            }
        }
    }
    srv = kc_calloc(1, sizeof(*srv));
    if (srv == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        goto out;
    }
    srv->ctx.h = h;
    srv->ctx.admin_mode = admin_mode;
    srv->ctx.topic_tracking_disable = cfg->topic_tracking_disable;
    srv->ctx.facts = cfg->facts;
    srv->ctx.topic_tracking_reset_disable = cfg->topic_tracking_reset_disable;
    srv->max_body = cfg->max_body_bytes ? cfg->max_body_bytes : REST_DEFAULT_MAX_BODY_BYTES;
    srv->ctx.commit_id = kc_strdup(cfg->commit_id ? cfg->commit_id : default_commit);
    srv->ctx.loggers = rest_loggers_new(NULL);
    srv->auth = cfg->auth;
    srv->allow_methods = kc_strdup(cfg->allow_methods && cfg->allow_methods[0]
                                       ? cfg->allow_methods
                                       : "GET,POST,HEAD");
    if (cfg->allow_origin != NULL && cfg->allow_origin[0] != '\0') {
        srv->allow_origin = kc_strdup(cfg->allow_origin);
        if (srv->allow_origin == NULL) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            goto out;
        }
    }
    if (srv->ctx.commit_id == NULL || srv->ctx.loggers == NULL || srv->allow_methods == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        goto out;
    }
    if (cfg->response_headers != NULL) {
        rc = rest_header_rules_parse(cfg->response_headers, &srv->rules, &srv->n_rules, err);
        if (rc != KC_OK) {
            goto out;
        }
    }
    srv->daemons = kc_calloc(n_main + n_admin, sizeof(*srv->daemons));
    if (srv->daemons == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        goto out;
    }
    rc = rest_guard_new(cfg->header_timeout_ms ? cfg->header_timeout_ms
                                               : REST_DEFAULT_HEADER_TIMEOUT_MS,
                        cfg->body_timeout_ms ? cfg->body_timeout_ms : REST_DEFAULT_BODY_TIMEOUT_MS,
                        &srv->guard, err);
    if (rc != KC_OK) {
        goto out;
    }
    int any_https = 0;
    for (size_t i = 0; i < n_main + n_admin; i++) {
        any_https |= i < n_main ? main_l[i].https : admin_l[i - n_main].https;
    }
    if (any_https) {
        if (cfg->tls == NULL) {
            rc = kc_error_set(err, KC_EINVAL, "An https listener needs the ssl.* keys");
            goto out;
        }
        if ((rc = rest_tls_new(cfg->tls, &srv->tls, err)) != KC_OK) {
            goto out;
        }
    }
    for (size_t i = 0; i < n_main + n_admin; i++) {
        struct rest_daemon *rd = &srv->daemons[i];
        rd->admin = i >= n_main;
        rc = start_daemon(srv, rd, i < n_main ? &main_l[i] : &admin_l[i - n_main], cfg, err);
        if (rc != KC_OK) {
            MHD_stop_daemon(rd->d); /* an https daemon whose socket could not be bound */
            rd->d = NULL;
            goto out;
        }
        srv->n_daemons++;
    }
    if (cfg->advertised_url != NULL && cfg->advertised_url[0] != '\0') {
        size_t l = strlen(cfg->advertised_url);
        while (l > 0 && cfg->advertised_url[l - 1] == '/') {
            l--;
        }
        srv->ctx.advertised_base = kc_strndup(cfg->advertised_url, l);
    } else {
        srv->ctx.advertised_base =
            kc_asprintf("%s://%s:%u", main_l[0].https ? "https" : "http",
                        main_l[0].host[0] ? main_l[0].host : "localhost",
                        (unsigned)srv->daemons[0].port);
    }
    if (srv->ctx.advertised_base == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        goto out;
    }
    srv->ctx.scheme = strncasecmp(srv->ctx.advertised_base, "https://", 8) == 0 ? "https" : "http";
    srv->ctx.client_tls = cfg->client_tls;
    kc_log(KC_LOG_INFO, "rest", "REST server listening at %s (%zu listener(s)), admin %s",
           srv->ctx.advertised_base, n_main,
           admin_mode == 0 ? "on main listeners" : admin_mode == 1 ? "on own listeners"
                                                                   : "disabled");
    *out = srv;
    srv = NULL;
    rc = KC_OK;
out:
    rest_server_free(srv);
    kc_free(main_l);
    kc_free(admin_l);
    return rc;
}

void rest_server_free(struct rest_server *rs)
{
    if (rs == NULL) {
        return;
    }
    for (size_t i = 0; i < rs->n_daemons; i++) {
        rest_tls_listener_stop(rs->daemons[i].tls_l);
        MHD_stop_daemon(rs->daemons[i].d);
        rest_tls_listener_free(rs->daemons[i].tls_l);
    }
    rest_tls_free(rs->tls);
    rest_guard_free(rs->guard);
    kc_free(rs->daemons);
    rest_loggers_free(rs->ctx.loggers);
    kc_free(rs->ctx.advertised_base);
    kc_free(rs->ctx.commit_id);
    kc_free(rs->allow_origin);
    kc_free(rs->allow_methods);
    rest_header_rules_free(rs->rules, rs->n_rules);
    kc_free(rs);
}

size_t rest_server_listener_count(const struct rest_server *rs)
{
    return rs ? rs->n_daemons : 0;
}

uint16_t rest_server_port(const struct rest_server *rs, size_t i)
{
    if (rs == NULL || i >= rs->n_daemons) {
        return 0;
    }
    return rs->daemons[i].port;
}
