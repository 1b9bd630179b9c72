/*
 * worker/group_wire.h: the Kafka requests a Connect group member sends (ApiVersions,
 * FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, SaslHandshake,
 * SaslAuthenticate), encoded and decoded at the version negotiated with the broker through
 * ApiVersions (the highest both sides know), flexible (compact, tagged) versions included. Pure
 * codecs; group_net.c moves the bytes.
 */
#ifndef GROUP_WIRE_H
#define GROUP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "group_codec.h"
#include "kc_error.h"

enum group_wire_api {
    GROUP_API_FIND_COORDINATOR = 10,
    GROUP_API_JOIN_GROUP = 11,
    GROUP_API_HEARTBEAT = 12,
    GROUP_API_LEAVE_GROUP = 13,
    GROUP_API_SYNC_GROUP = 14,
    GROUP_API_SASL_HANDSHAKE = 17,
    GROUP_API_API_VERSIONS = 18,
    GROUP_API_SASL_AUTHENTICATE = 36,
    GROUP_API_MAX = 37
};

/* Kafka error codes the member acts on. */
#define GROUP_ERR_NONE 0
#define GROUP_ERR_COORDINATOR_LOAD_IN_PROGRESS 14
#define GROUP_ERR_COORDINATOR_NOT_AVAILABLE 15
#define GROUP_ERR_NOT_COORDINATOR 16
#define GROUP_ERR_ILLEGAL_GENERATION 22
#define GROUP_ERR_INCONSISTENT_GROUP_PROTOCOL 23
#define GROUP_ERR_UNKNOWN_MEMBER_ID 25
#define GROUP_ERR_INVALID_SESSION_TIMEOUT 26
#define GROUP_ERR_REBALANCE_IN_PROGRESS 27
#define GROUP_ERR_GROUP_AUTHORIZATION_FAILED 30
#define GROUP_ERR_UNSUPPORTED_VERSION 35
#define GROUP_ERR_MEMBER_ID_REQUIRED 79
#define GROUP_ERR_GROUP_MAX_SIZE_REACHED 81

/* Negotiated version per API key, -1 when the broker and we share none. */
struct group_wire_versions {
    int16_t v[GROUP_API_MAX];
};

/* The version range we implement for an API, or 0 if we do not use it. */
int group_wire_supported(int api, int16_t *min, int16_t *max);
/* Is (api, version) a flexible version (compact strings, tagged fields)? */
int group_wire_flexible(int api, int16_t version);

/* Frame start: INT32 size (patched by group_wire_end), request header v1/v2. */
void group_wire_begin(struct group_codec_w *w, int api, int16_t version, int32_t correlation_id,
                      const char *client_id);
void group_wire_end(struct group_codec_w *w);
/* Read a response header (the frame's size already stripped): correlation id and, for
 * flexible versions except ApiVersions, the header's tagged fields. */
int32_t group_wire_response_header(struct group_codec_r *r, int api, int16_t version);

/* ---- ApiVersions (request always v3; our client name) ---- */
void group_wire_api_versions_body(struct group_codec_w *w);
/* Fill vs with the highest version each side knows. Returns the Kafka error code, or -1 if the
 * response is malformed. */
int group_wire_api_versions_decode(struct group_codec_r *r, struct group_wire_versions *vs);

/* ---- FindCoordinator (key type 0 = group) ---- */
void group_wire_find_coordinator_body(struct group_codec_w *w, int16_t version,
                                      const char *group_id);
struct group_wire_coordinator {
    int16_t error;
    int32_t node_id;
    char *host; /* owned */
    int32_t port;
};
int group_wire_find_coordinator_decode(struct group_codec_r *r, int16_t version,
                                       struct group_wire_coordinator *out);

/* ---- JoinGroup ---- */
struct group_wire_protocol {
    const char *name;
    const uint8_t *meta;
    size_t meta_len;
};
struct group_wire_join_req {
    const char *group_id;
    int32_t session_timeout_ms, rebalance_timeout_ms;
    const char *member_id; /* "" on the first join */
    const char *protocol_type;
    const struct group_wire_protocol *protocols;
    size_t n_protocols;
    const char *reason; /* v8+, may be NULL */
};
struct group_wire_join_member {
    char *member_id; /* owned */
    uint8_t *meta;   /* owned copy */
    size_t meta_len;
};
struct group_wire_join_resp {
    int16_t error;
    int32_t generation;
    char *protocol_name; /* owned, may be NULL */
    char *leader;
    char *member_id;
    struct group_wire_join_member *members; /* leader only */
    size_t n_members;
};
void group_wire_join_body(struct group_codec_w *w, int16_t version,
                          const struct group_wire_join_req *req);
int group_wire_join_decode(struct group_codec_r *r, int16_t version,
                           struct group_wire_join_resp *out);
void group_wire_join_resp_fini(struct group_wire_join_resp *resp);

/* ---- SyncGroup ---- */
struct group_wire_sync_assignment {
    const char *member_id;
    const uint8_t *data;
    size_t len;
};
struct group_wire_sync_req {
    const char *group_id;
    int32_t generation;
    const char *member_id;
    const char *protocol_type, *protocol_name; /* v5+ */
    const struct group_wire_sync_assignment *assignments; /* leader only */
    size_t n_assignments;
};
struct group_wire_sync_resp {
    int16_t error;
    uint8_t *assignment; /* owned copy */
    size_t len;
};
void group_wire_sync_body(struct group_codec_w *w, int16_t version,
                          const struct group_wire_sync_req *req);
int group_wire_sync_decode(struct group_codec_r *r, int16_t version,
                           struct group_wire_sync_resp *out);

/* ---- Heartbeat and LeaveGroup: both answer an error code ---- */
void group_wire_heartbeat_body(struct group_codec_w *w, int16_t version, const char *group_id,
                               int32_t generation, const char *member_id);
int group_wire_heartbeat_decode(struct group_codec_r *r, int16_t version, int16_t *error);
void group_wire_leave_body(struct group_codec_w *w, int16_t version, const char *group_id,
                           const char *member_id, const char *reason);
int group_wire_leave_decode(struct group_codec_r *r, int16_t version, int16_t *error);

/* ---- SASL ---- */
void group_wire_sasl_handshake_body(struct group_codec_w *w, const char *mechanism);
int group_wire_sasl_handshake_decode(struct group_codec_r *r, int16_t *error);
void group_wire_sasl_authenticate_body(struct group_codec_w *w, int16_t version, const void *p,
                                       size_t n);
struct group_wire_sasl_auth_resp {
    int16_t error;
    char *message;   /* owned, may be NULL */
    uint8_t *bytes;  /* owned copy */
    size_t len;
};
int group_wire_sasl_authenticate_decode(struct group_codec_r *r, int16_t version,
                                        struct group_wire_sasl_auth_resp *out);

#endif
