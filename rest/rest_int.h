/*
 * rest/rest_int.h: internals shared by the rest_*.c files and their unit tests; nothing outside
 * rest/ and tests/ includes it.
 *
 * A request travels: libmicrohttpd (rest_server.c) -> struct rest_request (socket-free) ->
 * rest_dispatch() (route table, 404/405/415) -> a handler in rest_<resource>.c -> struct
 * rest_response -> libmicrohttpd. Everything from rest_dispatch() down runs without a socket, so
 * the unit tests drive it directly.
 *
 * Every function here runs on libmicrohttpd's connection threads (@thread rest) and keeps no
 * state between calls except the logger registry (its own mutex); nothing here is global.
 */
#ifndef REST_INT_H
#define REST_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "herder.h"
#include "kc_error.h"
#include "kc_jmap.h"
#include "kc_strmap.h"
#include "rest_loggers.h"

struct conf_client_tls;

enum rest_method {
    REST_GET = 0,
    REST_POST,
    REST_PUT,
    REST_PATCH,
    REST_DELETE,
    REST_HEAD,
    REST_OPTIONS,
    REST_OTHER,
};

/* Settings and collaborators every handler may read; immutable after rest_server_new() except
 * the logger registry, which has its own mutex. */
struct rest_ctx {
    struct herder *h;             /* borrowed */
    struct rest_loggers *loggers; /* owned by the server */
    char *advertised_base;        /* owned: "http://host:port" without trailing slash */
    char *commit_id;              /* owned: GET / "commit" */
    int topic_tracking_disable;
    int topic_tracking_reset_disable;
    const struct connector_worker_facts *facts; /* borrowed: what validation knows of us */
    int admin_mode;               /* 0: /admin on main listeners, 1: own listeners, 2: disabled */
    const char *scheme;           /* "http" or "https": how other workers are reached */
    const struct conf_client_tls *client_tls; /* borrowed, NULL = libcurl defaults */
};

#define REST_MAX_QUERY 32

struct rest_query {
    /* URL-decoded pairs, owned; repeated names kept in order. */
    char *name[REST_MAX_QUERY];
    char *value[REST_MAX_QUERY];
    size_t n;
};

struct rest_request {
    enum rest_method method;
    const char *method_name; /* borrowed, as received */
    const char *path;        /* borrowed, raw (still %-encoded), no query */
    struct rest_query query; /* owned (rest_request_fini) */
    const char *content_type;/* borrowed header or NULL */
    const char *host;        /* borrowed Host header or NULL */
    int https;               /* arrived on an https listener */
    const char *body;        /* borrowed; NULL = no body */
    size_t body_len;
    int on_admin_listener;   /* the request came in on an admin.listeners socket */
    const char *signature;   /* borrowed X-Connect-Authorization header or NULL */
    const char *signature_algorithm; /* borrowed X-Connect-Request-Signature-Algorithm or NULL */
    const char *authorization; /* borrowed Authorization header or NULL (copied when forwarding) */
    char *params[2];         /* owned: URL-decoded {c} and {n}/{p}/{logger} segments */
};

struct rest_response {
    int status;
    char *body;          /* owned, NUL-terminated; NULL = empty body */
    size_t body_len;
    int json;            /* 1: Content-Type: application/json */
    const char *ctype;   /* other static content type (OPTIONS answers text/plain), or NULL */
    char *location;      /* owned Location header value, or NULL */
    char *allow;         /* owned Allow header value, or NULL */
    int www_authenticate; /* 1: a 401 that carries the Basic challenge */
};

void rest_request_init(struct rest_request *rq);
void rest_request_fini(struct rest_request *rq);
void rest_response_init(struct rest_response *rs);
void rest_response_fini(struct rest_response *rs);

/* Fill rs (rest_reply.c). rest_respond_json steals j; j NULL -> 500 "out of memory". */
void rest_respond_json(struct rest_response *rs, int status, json_t *j);
void rest_respond_error(struct rest_response *rs, int status, const char *msg);
/* status from the herder's rc (rest_reply_status_for_rc), message err->msg */
void rest_respond_herder(struct rest_response *rs, const struct kc_error *err);
void rest_respond_empty(struct rest_response *rs, int status);

/* ---- rest_server.c: routing (socket-free) ---- */

typedef void (*rest_handler_fn)(const struct rest_ctx *ctx, const struct rest_request *rq,
                                struct rest_response *rs);

/* Route a request and run its handler; rs always gets a complete answer. @thread rest */
void rest_dispatch(const struct rest_ctx *ctx, struct rest_request *rq, struct rest_response *rs);
/* rest_forward.c: re-issue rq to the leader at base (connect-compat.md §2.2) and relay its
 * answer into rs. recursive: the forward= value to send. */
void rest_forward(const struct rest_ctx *ctx, const struct rest_request *rq, const char *base,
                  int recursive, struct rest_response *rs);
enum rest_method rest_method_parse(const char *m);

/* ---- rest_request.c: parsing helpers ---- */

/* Decode %XX (and '+' as space when plus_is_space) into an owned string; NULL on bad input
 * (truncated %X, %00) or allocation failure. */
char *rest_url_decode(const char *s, size_t n, int plus_is_space);
/* Path-segment encoding as JAX-RS UriBuilder.path() does it: unreserved, sub-delims, ':', '@',
 * '/' and existing %XX stay; everything else becomes %XX. Owned or NULL. */
char *rest_path_encode(const char *s);
/* Parse "a=1&b=2" (raw) into q (appending). KC_OK / KC_ENOMEM. */
int rest_query_parse(struct rest_query *q, const char *raw);
int rest_query_add(struct rest_query *q, const char *raw_name, const char *raw_value);
/* First value of name, or NULL. */
const char *rest_query_get(const struct rest_query *q, const char *name);
/* JAX-RS Boolean param: "true" (any case) = 1, anything else 0; absent = dflt. */
int rest_query_bool(const struct rest_query *q, const char *name, int dflt);
/* Content-Type accepted by @Consumes(application/json): media type application/json (or
 * application/<x>+json, or a missing-subtype wildcard) ignoring parameters and case. */
int rest_content_type_is_json(const char *ct);

/* One parsed listener. */
struct rest_listener {
    char host[256]; /* "" = all interfaces */
    uint16_t port;
    int https;      /* https://: TLS (rest_tls.h) */
};
/* Parse a "listeners" value like the JVM (protocol://host:port, [v6] allowed). Schemes other
 * than http and https -> KC_EINVAL. *out owned (kc_free). */
int rest_listeners_parse(const char *s, struct rest_listener **out, size_t *n,
                         struct kc_error *err);

/* One response.http.headers.config rule. */
enum rest_header_action { REST_HDR_SET, REST_HDR_ADD, REST_HDR_SETDATE, REST_HDR_ADDDATE };
struct rest_header_rule {
    enum rest_header_action action;
    char *name;  /* owned */
    char *value; /* owned */
};
int rest_header_rules_parse(const char *s, struct rest_header_rule **out, size_t *n,
                            struct kc_error *err);
void rest_header_rules_free(struct rest_header_rule *r, size_t n);

/* Java HashMap order of config maps: base/kc_jmap.h */

/* ---- rest_json.c: JSON reading with Jackson's failures ---- */

#define REST_JSON_MAX_PATH 16

/* One open container at the point of a syntax error. */
struct rest_json_frame {
    int is_array;
    size_t start;      /* offset of its '{' or '[' */
    char key[128];     /* object: the key whose value is being read */
    size_t index;      /* array: the element being read */
    int value_started; /* the slot's value got past its first token (or is a string) */
};

struct rest_json_result {
    json_t *root;      /* owned: the tree, partial (open containers closed) on a syntax error */
    int has_error;     /* 1: a syntax error; msg/offset/path describe it */
    int trailing;      /* the error is in content after the root value */
    size_t offset;     /* where Jackson reports it */
    char msg[KC_ERROR_MSG_MAX]; /* Jackson's message with its location suffix */
    struct rest_json_frame path[REST_JSON_MAX_PATH];
    size_t depth;      /* open containers at the error */
    int in_string;     /* the error is inside a string value */
    int too_many;      /* a kept container had more than keep->max_members children */
};

/* Numbers in the tree are strings holding this byte (never valid UTF-8, so never in a real
 * string), then 'i' (integer) or 'r' (fraction/exponent), then the number's source text. */
#define REST_JSON_NUM_MARK '\xff'

/* Read body (not NUL-terminated). KC_OK (check res->has_error) or KC_ENOMEM. An empty or
 * all-white-space body gives root NULL and no error. */
int rest_json_read(const char *body, size_t len, struct rest_json_result *res);
/* Which containers keep their children (depth 0 = the root): objects at depth < object_depth,
 * arrays at depth in [array_from, array_to). Others are read and left empty. */
struct rest_json_keep {
    size_t object_depth;
    size_t array_from, array_to;
    size_t max_members; /* a kept container with more children sets too_many; 0 = no cap */
};
extern const struct rest_json_keep rest_json_keep_all;
int rest_json_read_pruned(const char *body, size_t len, const struct rest_json_keep *keep,
                          struct rest_json_result *res);
void rest_json_result_fini(struct rest_json_result *res);

/* ---- rest_body.c: request-body parsers (socket-free, fuzzed) ----
 * Each returns KC_OK, or fills *status (400/500) and err with the JVM's message. */

/* A request body as Jackson saw it: the raw text and what rest_json_read() made of it. */
struct rest_body {
    const char *text; /* borrowed; NULL = no body */
    size_t len;
    struct rest_json_result jr;
};

/* Read text into b (a NULL/empty/white-space body gives jr.root NULL: JAX-RS then hands the
 * resource a null entity). Syntax errors are kept in b->jr for the parsers below, which report
 * them after the mapping errors Jackson would have raised first. KC_OK, or KC_ENOMEM with
 * *status 500. b must be finished with rest_body_fini either way. */
int rest_body_read(struct rest_body *b, const char *text, size_t len, int *status,
                   struct kc_error *err);
/* The same, keeping only what the parser for shape reads (see rest_json_read_pruned): what a
 * request handler calls, so a 10 MiB body costs a few times its size, not 50 times. The parser
 * answers exactly as it does on the full tree (the fuzz target checks it). */
/* Entries in one object or array of a body (config keys, offsets): past it, 400. A JVM config
 * has tens of keys; 65536 leaves room for generated ones and bounds the tree to tens of MiB. */
#define REST_BODY_MAX_MEMBERS 65536
enum rest_body_shape {
    REST_BODY_CREATE,  /* rest_create_body_parse */
    REST_BODY_MAP,     /* rest_config_body_parse, rest_logger_body_parse */
    REST_BODY_OFFSETS, /* rest_offsets_body_parse */
};
int rest_body_read_shaped(struct rest_body *b, const char *text, size_t len,
                          enum rest_body_shape shape, int *status, struct kc_error *err);
void rest_body_fini(struct rest_body *b);

/* The parsers below return KC_OK, or fill *status (400/404/500) and err with the JVM's message
 * and return a negative code. */

/* POST /connectors body {name, config, initial_state}. name: owned, trimmed ("" if absent).
 * config: filled (JSON null values kept as NULL). has_state/state from initial_state. */
struct rest_create_body {
    char *name;
    struct kc_strmap config;
    int has_state;
    enum herder_target_state state;
};
void rest_create_body_init(struct rest_create_body *cb);
void rest_create_body_fini(struct rest_create_body *cb);
int rest_create_body_parse(const struct rest_body *b, struct rest_create_body *out, int *status,
                           struct kc_error *err);
/* A flat Map<String,String> body (PUT/PATCH config, validate). Numbers/booleans become their
 * text, null stays NULL (as Jackson's String deserializer does); objects/arrays -> 500. A null
 * body -> 500 with the NPE text the JVM gives for variable `what` ("connectorConfig", ...). */
int rest_config_body_parse(const struct rest_body *b, const char *what, struct kc_strmap *out,
                           int *status, struct kc_error *err);
/* PATCH /connectors/{c}/offsets body, validated like SinkUtils.parseSinkConnectorOffsets.
 * out is owned by the caller on KC_OK (herder_offsets_fini); left empty on failure. */
int rest_offsets_body_parse(const struct rest_body *b, struct herder_offsets *out, int *status,
                            struct kc_error *err);
/* PUT /admin/loggers/{n} body: *level = "level" string borrowed from b, never NULL on KC_OK. */
int rest_logger_body_parse(const struct rest_body *b, const char **level, int *status,
                           struct kc_error *err);

/* ---- handlers (rest_root.c, rest_connectors.c, rest_plugins.c, rest_loggers.c) ---- */
void rest_h_root(const struct rest_ctx *, const struct rest_request *, struct rest_response *);
void rest_h_health(const struct rest_ctx *, const struct rest_request *, struct rest_response *);
/* rest_metrics.c: GET /metrics (Prometheus text) */
void rest_h_metrics(const struct rest_ctx *, const struct rest_request *, struct rest_response *);
void rest_h_connectors_list(const struct rest_ctx *, const struct rest_request *,
                            struct rest_response *);
void rest_h_connector_create(const struct rest_ctx *, const struct rest_request *,
                             struct rest_response *);
void rest_h_connector_get(const struct rest_ctx *, const struct rest_request *,
                          struct rest_response *);
void rest_h_connector_delete(const struct rest_ctx *, const struct rest_request *,
                             struct rest_response *);
void rest_h_config_get(const struct rest_ctx *, const struct rest_request *,
                       struct rest_response *);
void rest_h_config_put(const struct rest_ctx *, const struct rest_request *,
                       struct rest_response *);
void rest_h_config_patch(const struct rest_ctx *, const struct rest_request *,
                         struct rest_response *);
void rest_h_status(const struct rest_ctx *, const struct rest_request *, struct rest_response *);
void rest_h_restart(const struct rest_ctx *, const struct rest_request *, struct rest_response *);
void rest_h_pause(const struct rest_ctx *, const struct rest_request *, struct rest_response *);
void rest_h_resume(const struct rest_ctx *, const struct rest_request *, struct rest_response *);
void rest_h_stop(const struct rest_ctx *, const struct rest_request *, struct rest_response *);
void rest_h_tasks(const struct rest_ctx *, const struct rest_request *, struct rest_response *);
void rest_h_tasks_post(const struct rest_ctx *, const struct rest_request *,
                       struct rest_response *);
void rest_h_tasks_config(const struct rest_ctx *, const struct rest_request *,
                         struct rest_response *);
void rest_h_task_status(const struct rest_ctx *, const struct rest_request *,
                        struct rest_response *);
void rest_h_task_restart(const struct rest_ctx *, const struct rest_request *,
                         struct rest_response *);
void rest_h_fence(const struct rest_ctx *, const struct rest_request *, struct rest_response *);
void rest_h_topics(const struct rest_ctx *, const struct rest_request *, struct rest_response *);
void rest_h_topics_reset(const struct rest_ctx *, const struct rest_request *,
                         struct rest_response *);
void rest_h_offsets_get(const struct rest_ctx *, const struct rest_request *,
                        struct rest_response *);
void rest_h_offsets_patch(const struct rest_ctx *, const struct rest_request *,
                          struct rest_response *);
void rest_h_offsets_delete(const struct rest_ctx *, const struct rest_request *,
                           struct rest_response *);
void rest_h_plugins_list(const struct rest_ctx *, const struct rest_request *,
                         struct rest_response *);
void rest_h_plugin_config(const struct rest_ctx *, const struct rest_request *,
                          struct rest_response *);
void rest_h_plugin_validate(const struct rest_ctx *, const struct rest_request *,
                            struct rest_response *);
void rest_h_loggers_list(const struct rest_ctx *, const struct rest_request *,
                         struct rest_response *);
void rest_h_logger_get(const struct rest_ctx *, const struct rest_request *,
                       struct rest_response *);
void rest_h_logger_put(const struct rest_ctx *, const struct rest_request *,
                       struct rest_response *);

/* rest_plugins.c: the validate endpoint's type check, as the JVM's
 * normalized(included).endsWith(normalized(requested)), "Connector" suffixes dropped. */
int rest_plugin_type_matches(const char *included, const char *requested);

/* rest_plugins.c: TODO hook for converters/transforms/predicates listed with
 * connectorsOnly=false; appends PluginInfo objects to arr. Today: nothing. */
void rest_plugins_extra(json_t *arr);

#endif
