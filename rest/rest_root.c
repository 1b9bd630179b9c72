/*
 * rest/rest_root.c: GET / (ServerInfo) and GET /health (WorkerStatus).
 *
 * "version" is the Kafka Connect version whose REST API we reproduce ("4.1.0"), not connect-c's
 * own: notebooks and tools compare it against Kafka versions to decide which endpoints exist
 * (e.g. >= 3.5 for offsets, >= 3.9 for /health). "commit" is a 16-hex build id like the JVM's.
 */
#include <string.h>
#include <time.h>

#include "herder.h"
#include "rest_int.h"
#include "rest_reply.h"

#define REST_KAFKA_VERSION "4.1.0"
#define REST_ROOT_CLUSTER_ID_WAIT_MS 10000
#define REST_ROOT_CLUSTER_ID_POLL_MS 50

void rest_h_root(const struct rest_ctx *ctx, const struct rest_request *rq,
                 struct rest_response *rs)
{
    (void)rq;
    /* The JVM looks the cluster id up before its REST resources exist, so its GET / always
     * names it. Ours listens from the start: a request that comes before the worker has reached
     * Kafka waits for the id (as long as /health waits) rather than answer null. */
    const char *cid = herder_kafka_cluster_id(ctx->h);
    for (int waited = 0; cid == NULL && waited < REST_ROOT_CLUSTER_ID_WAIT_MS;
         waited += REST_ROOT_CLUSTER_ID_POLL_MS) {
        struct timespec ts = {0, REST_ROOT_CLUSTER_ID_POLL_MS * 1000L * 1000L};
        nanosleep(&ts, NULL);
        cid = herder_kafka_cluster_id(ctx->h);
    }
    json_t *o = json_object();
    if (o == NULL || json_object_set_new(o, "version", json_string(REST_KAFKA_VERSION)) != 0 ||
        json_object_set_new(o, "commit", json_string(ctx->commit_id)) != 0 ||
        json_object_set_new(o, "kafka_cluster_id", cid ? json_string(cid) : json_null()) != 0) {
        json_decref(o);
        o = NULL;
    }
    rest_respond_json(rs, 200, o);
}

/*
 * The JVM asks the herder thread to answer within 10 s: ready -> healthy; still starting ->
 * 503 starting; not answering afterwards -> 500 unhealthy.
 */
#define REST_HEALTH_TIMEOUT_MS 10000

void rest_h_health(const struct rest_ctx *ctx, const struct rest_request *rq,
                   struct rest_response *rs)
{
    (void)rq;
    struct kc_error err;
    kc_error_clear(&err);
    int rc = herder_health_check(ctx->h, REST_HEALTH_TIMEOUT_MS, &err);
    const char *status = rc == KC_OK ? "healthy" : rc == KC_RETRY ? "starting" : "unhealthy";
    const char *msg = rc == KC_OK    ? "Worker has completed startup and is ready to handle requests."
                      : rc == KC_RETRY ? "Worker is still starting up."
                                       : "Worker was unable to handle this request and may be "
                                         "unable to handle other requests.";
    json_t *o = json_object();
    if (o == NULL || json_object_set_new(o, "status", json_string(status)) != 0 ||
        json_object_set_new(o, "message", json_string(msg)) != 0) {
        json_decref(o);
        o = NULL;
    }
    rest_respond_json(rs, rc == KC_OK ? 200 : rc == KC_RETRY ? 503 : 500, o);
}
