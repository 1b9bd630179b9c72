/*
 * tests/unit/rest/test_helpers.h: drive rest_dispatch() without a socket.
 */
#ifndef TEST_HELPERS_H
#define TEST_HELPERS_H

#include <string.h>

#include "rest_int.h"

struct call {
    struct rest_request rq;
    struct rest_response rs;
};

/* path may carry "?query"; ct/body may be NULL. Result in c->rs (fini with call_fini). */
static inline void call_run(const struct rest_ctx *ctx, struct call *c, const char *method,
                            const char *path_q, const char *ct, const char *body)
{
    static char path[1024];
    rest_request_init(&c->rq);
    rest_response_init(&c->rs);
    snprintf(path, sizeof(path), "%s", path_q);
    char *q = strchr(path, '?');
    if (q != NULL) {
        *q = '\0';
        rest_query_parse(&c->rq.query, q + 1);
    }
    c->rq.method = rest_method_parse(method);
    c->rq.method_name = method;
    c->rq.path = path;
    c->rq.content_type = ct;
    c->rq.host = "localhost:8083";
    c->rq.body = body;
    c->rq.body_len = body ? strlen(body) : 0;
    rest_dispatch(ctx, &c->rq, &c->rs);
}

static inline void call_fini(struct call *c)
{
    rest_request_fini(&c->rq);
    rest_response_fini(&c->rs);
}

#endif
