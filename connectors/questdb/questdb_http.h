/*
 * connectors/questdb/questdb_http.h: ILP over HTTP (POST /write) through libcurl. One request is
 * one flush; QuestDB commits the rows of a request together (one transaction per table), answers
 * 204, or an error JSON {"code","message","line","errorId"} that becomes the error message.
 * Transient failures (no connection, timeouts, 5xx QuestDB's client retries) are retried with
 * back-off until retry_timeout has passed, then KC_RETRY; the caller keeps the batch.
 */
#ifndef QUESTDB_HTTP_H
#define QUESTDB_HTTP_H

#include <stddef.h>

#include "kc_error.h"
#include "questdb_conf.h"

struct questdb_http;

/* c borrowed for the call (copied). @thread task @return KC_OK, KC_ENOMEM, KC_EINVAL */
int questdb_http_new(const struct questdb_client_conf *c, struct questdb_http **out,
                     struct kc_error *err);
void questdb_http_free(struct questdb_http *h);

/*
 * Send body[0..len) (whole ILP lines). *bad_line: the 1-based line QuestDB refused, 0 when it
 * named none.
 * @thread task
 * @return KC_OK (QuestDB committed it), KC_RETRY (transient, retry_timeout spent), KC_EINVAL
 *         (QuestDB refused the data; err has its message), KC_EPERM (401/403)
 */
int questdb_http_send(struct questdb_http *h, const char *body, size_t len, long *bad_line,
                      struct kc_error *err);

/*
 * The ILP protocol versions the server takes (GET /settings, "line.proto.support.versions"), as
 * a bit set: bit v for version v. A server without /settings (404) takes version 1 only.
 * @thread task @return KC_OK, KC_RETRY (unreachable), KC_EPERM (401/403)
 */
int questdb_http_protocol_versions(struct questdb_http *h, unsigned *versions,
                                   struct kc_error *err);

/* Requests sent and connections opened so far (tests). */
long questdb_http_requests(const struct questdb_http *h);

#endif
