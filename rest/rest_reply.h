/*
 * rest/rest_reply.h: the JVM-shaped JSON bodies of the REST API and the error mapping.
 *
 * Field order follows what Jackson writes for the JVM 4.1 entity classes (creator-parameter
 * order first), checked against a live 4.1.0 worker:
 *   ConnectorInfo      {"name","config","tasks":[{"connector","task"}],"type"}
 *   ConnectorStateInfo {"name","connector":{state,worker_id,version[,trace]},"tasks":[{id,state,
 *                       worker_id,version[,trace]}],"type"}  -- version is written as null when
 *                       unknown, trace is omitted when NULL or empty
 *   TaskInfo           {"id":{"connector","task"},"config"}
 *   tasks-config       {"<c>-<n>":{...}}
 *   ConnectorOffsets   {"offsets":[{"partition":{"kafka_partition","kafka_topic"},
 *                       "offset":{"kafka_offset"}}]}
 *   ErrorMessage       {"error_code":N,"message":"..."}
 * Output is compact (no whitespace), as Jackson's default; jansson escapes like Jackson (\n, \t,
 * \uXXXX upper-case for other controls, raw UTF-8, '/' not escaped).
 */
#ifndef REST_REPLY_H
#define REST_REPLY_H

#include <jansson.h>

#include "herder.h"
#include "kc_strmap.h"

/*
 * Key order of config maps. The JVM's maps are java.util.HashMaps (the config topic's JSON is
 * read into one), so GET responses iterate in Java HashMap order; POST/PUT echo the request's
 * LinkedHashMap (request order, "name" appended); PATCH answers a HashMap copy.
 */
enum rest_map_order {
    REST_ORDER_INSERTION = 0,   /* as stored in the kc_strmap */
    REST_ORDER_JAVA_HASHMAP,    /* new HashMap<>() filled key by key */
    REST_ORDER_JAVA_HASHMAP_COPY, /* new HashMap<>(map) */
};

/* Each returns a new reference, or NULL on allocation failure. */
json_t *rest_reply_config(const struct kc_strmap *m, enum rest_map_order o); /* null -> null */
json_t *rest_reply_connector_info(const struct herder_connector_info *ci, enum rest_map_order o);
json_t *rest_reply_instance_status(const struct herder_instance_status *st, int is_task);
json_t *rest_reply_connector_status(const struct herder_connector_status *cs);
json_t *rest_reply_task_infos(const char *connector, const struct herder_task_configs *tc);
json_t *rest_reply_tasks_config(const char *connector, const struct herder_task_configs *tc);
json_t *rest_reply_offsets(const struct herder_offsets *os);
json_t *rest_reply_error(int code, const char *message); /* message NULL -> JSON null */

/* Compact serialisation; owned string (free with free(), jansson allocates), or NULL. */
char *rest_reply_dump(const json_t *j);

/* HTTP status for a herder return code: ENOENT 404, EEXIST 409, EINVAL 400, RETRY 409, else 500. */
int rest_reply_status_for_rc(int rc);

#endif
