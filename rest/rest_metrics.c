/*
 * rest/rest_metrics.c: GET /metrics, the worker's metrics in Prometheus text format 0.0.4
 * (worker/metrics.h has the names). Not a JVM endpoint: the JVM worker needs the JMX exporter
 * agent on its own port for this; connect-c serves it on the REST listener.
 */
#include <stdlib.h>
#include <string.h>

#include "kc_buf.h"
#include "metrics.h"
#include "rest_int.h"

#define REST_METRICS_MAX_BYTES ((size_t)64 << 20) /* 1024 connectors of 1024 tasks fit */

void rest_h_metrics(const struct rest_ctx *ctx, const struct rest_request *rq,
                    struct rest_response *rs)
{
    (void)ctx;
    (void)rq;
    struct kc_buf b;
    kc_buf_init(&b, REST_METRICS_MAX_BYTES);
    if (metrics_render(&b) != KC_OK) {
        kc_buf_fini(&b);
        rest_respond_error(rs, 500, "out of memory rendering metrics");
        return;
    }
    /* The response owns a malloc'd body (rest_response_fini frees it with free()). */
    char *body = malloc(b.len + 1);
    if (body == NULL) {
        kc_buf_fini(&b);
        rest_respond_error(rs, 500, "out of memory rendering metrics");
        return;
    }
    if (b.len > 0) {
        memcpy(body, b.data, b.len);
    }
    body[b.len] = '\0';
    rs->status = 200;
    rs->body = body;
    rs->body_len = b.len;
    rs->json = 0;
    rs->ctype = METRICS_CONTENT_TYPE;
    kc_buf_fini(&b);
}
