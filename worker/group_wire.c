/*
 * worker/group_wire.c: Kafka group-membership requests and responses, see group_wire.h.
 * Field order and versions follow Kafka's clients/src/main/resources/common/message/ (one JSON schema per API).
 */
#include "group_wire.h"

#include <string.h>

#include "kc_alloc.h"

struct api_range {
    int16_t min, max, flexible; /* first flexible version, or -1 */
};

/* The versions we speak. Kafka 4.0 dropped JoinGroup v0-1 and older FindCoordinator; 3.x
 * brokers still offer everything here. */
static const struct api_range ranges[GROUP_API_MAX] = {
    [GROUP_API_FIND_COORDINATOR] = {1, 6, 3},
    [GROUP_API_JOIN_GROUP] = {2, 9, 6},
    [GROUP_API_HEARTBEAT] = {1, 4, 4},
    [GROUP_API_LEAVE_GROUP] = {1, 5, 4},
    [GROUP_API_SYNC_GROUP] = {1, 5, 4},
    [GROUP_API_SASL_HANDSHAKE] = {1, 1, -1},
    [GROUP_API_API_VERSIONS] = {3, 3, 3},
    [GROUP_API_SASL_AUTHENTICATE] = {0, 2, 2},
};

int group_wire_supported(int api, int16_t *min, int16_t *max)
{
    if (api < 0 || api >= GROUP_API_MAX || ranges[api].max == 0)
        return 0;
    *min = ranges[api].min;
    *max = ranges[api].max;
    return 1;
}

int group_wire_flexible(int api, int16_t version)
{
    if (api < 0 || api >= GROUP_API_MAX || ranges[api].flexible < 0)
        return 0;
    return version >= ranges[api].flexible;
}

void group_wire_begin(struct group_codec_w *w, int api, int16_t version, int32_t correlation_id,
                      const char *client_id)
{
    group_codec_put_i32(w, 0); /* size, patched at the end */
    group_codec_put_i16(w, (int16_t)api);
    group_codec_put_i16(w, version);
    group_codec_put_i32(w, correlation_id);
    group_codec_put_str(w, client_id, 0); /* the header's client id is never compact */
    if (group_wire_flexible(api, version))
        group_codec_put_tags(w);
}

void group_wire_end(struct group_codec_w *w)
{
    group_codec_patch_i32(w, 0, (int32_t)(w->b.len - 4));
}

int32_t group_wire_response_header(struct group_codec_r *r, int api, int16_t version)
{
    int32_t corr = group_codec_get_i32(r);
    /* ApiVersions answers with header v0 even in its flexible versions (KIP-511) */
    if (api != GROUP_API_API_VERSIONS && group_wire_flexible(api, version))
        group_codec_skip_tags(r);
    return corr;
}

static int done(struct group_codec_r *r)
{
    return r->bad ? KC_EINVAL : KC_OK;
}

/* ---- ApiVersions ---- */

void group_wire_api_versions_body(struct group_codec_w *w)
{
    group_codec_put_str(w, "connect-c", 1);
    group_codec_put_str(w, "1.0", 1);
    group_codec_put_tags(w);
}

int group_wire_api_versions_decode(struct group_codec_r *r, struct group_wire_versions *vs)
{
    for (int i = 0; i < GROUP_API_MAX; i++)
        vs->v[i] = -1;
    int16_t error = group_codec_get_i16(r);
    if (error != 0)
        return r->bad ? -1 : error;
    int32_t n = group_codec_get_array_len(r, 1);
    for (int32_t i = 0; i < n && !r->bad; i++) {
        int16_t key = group_codec_get_i16(r);
        int16_t bmin = group_codec_get_i16(r);
        int16_t bmax = group_codec_get_i16(r);
        group_codec_skip_tags(r);
        if (key < 0 || key >= GROUP_API_MAX || ranges[key].max == 0)
            continue;
        int16_t hi = bmax < ranges[key].max ? bmax : ranges[key].max;
        int16_t lo = bmin > ranges[key].min ? bmin : ranges[key].min;
        vs->v[key] = hi >= lo ? hi : -1;
    }
    (void)group_codec_get_i32(r); /* throttle */
    group_codec_skip_tags(r);
    return r->bad ? -1 : 0;
}

/* ---- FindCoordinator ---- */

void group_wire_find_coordinator_body(struct group_codec_w *w, int16_t version,
                                      const char *group_id)
{
    int flex = group_wire_flexible(GROUP_API_FIND_COORDINATOR, version);
    if (version < 4) {
        group_codec_put_str(w, group_id, flex);
        group_codec_put_i8(w, 0); /* key type: group */
    } else {
        group_codec_put_i8(w, 0);
        group_codec_put_array_len(w, 1, 1);
        group_codec_put_str(w, group_id, 1);
    }
    if (flex)
        group_codec_put_tags(w);
}

int group_wire_find_coordinator_decode(struct group_codec_r *r, int16_t version,
                                       struct group_wire_coordinator *out)
{
    int flex = group_wire_flexible(GROUP_API_FIND_COORDINATOR, version);
    memset(out, 0, sizeof(*out));
    (void)group_codec_get_i32(r); /* throttle (v1+) */
    if (version < 4) {
        out->error = group_codec_get_i16(r);
        kc_free(group_codec_get_str(r, flex)); /* error message */
        out->node_id = group_codec_get_i32(r);
        out->host = group_codec_get_str(r, flex);
        out->port = group_codec_get_i32(r);
    } else {
        int32_t n = group_codec_get_array_len(r, 1);
        if (n < 1)
            r->bad = 1;
        for (int32_t i = 0; i < n && !r->bad; i++) {
            kc_free(group_codec_get_str(r, 1)); /* key */
            int32_t node = group_codec_get_i32(r);
            char *host = group_codec_get_str(r, 1);
            int32_t port = group_codec_get_i32(r);
            int16_t error = group_codec_get_i16(r);
            kc_free(group_codec_get_str(r, 1));
            group_codec_skip_tags(r);
            if (i == 0) {
                out->node_id = node;
                out->host = host;
                out->port = port;
                out->error = error;
            } else {
                kc_free(host);
            }
        }
    }
    if (flex)
        group_codec_skip_tags(r);
    if (r->bad || (out->error == 0 && !out->host)) {
        kc_free(out->host);
        out->host = NULL;
        return KC_EINVAL;
    }
    return KC_OK;
}

/* ---- JoinGroup ---- */

void group_wire_join_body(struct group_codec_w *w, int16_t version,
                          const struct group_wire_join_req *req)
{
    int flex = group_wire_flexible(GROUP_API_JOIN_GROUP, version);
    group_codec_put_str(w, req->group_id, flex);
    group_codec_put_i32(w, req->session_timeout_ms);
    group_codec_put_i32(w, req->rebalance_timeout_ms);
    group_codec_put_str(w, req->member_id ? req->member_id : "", flex);
    if (version >= 5)
        group_codec_put_str(w, NULL, flex); /* group instance id: Connect is never static */
    group_codec_put_str(w, req->protocol_type, flex);
    group_codec_put_array_len(w, (int32_t)req->n_protocols, flex);
    for (size_t i = 0; i < req->n_protocols; i++) {
        const struct group_wire_protocol *p = &req->protocols[i];
        group_codec_put_str(w, p->name, flex);
        group_codec_put_bytes(w, p->meta ? (const void *)p->meta : "", p->meta_len, flex);
        if (flex)
            group_codec_put_tags(w);
    }
    if (version >= 8)
        group_codec_put_str(w, req->reason, 1);
    if (flex)
        group_codec_put_tags(w);
}

int group_wire_join_decode(struct group_codec_r *r, int16_t version,
                           struct group_wire_join_resp *out)
{
    int flex = group_wire_flexible(GROUP_API_JOIN_GROUP, version);
    memset(out, 0, sizeof(*out));
    (void)group_codec_get_i32(r); /* throttle (v2+) */
    out->error = group_codec_get_i16(r);
    out->generation = group_codec_get_i32(r);
    if (version >= 7)
        kc_free(group_codec_get_str(r, flex)); /* protocol type */
    out->protocol_name = group_codec_get_str(r, flex);
    out->leader = group_codec_get_str(r, flex);
    if (version >= 9)
        (void)group_codec_get_i8(r); /* skip assignment: only for KIP-848 migration */
    out->member_id = group_codec_get_str(r, flex);
    int32_t n = group_codec_get_array_len(r, flex);
    if (n > 0) {
        out->members = kc_calloc((size_t)n, sizeof(*out->members));
        if (!out->members)
            r->bad = 1;
    }
    for (int32_t i = 0; i < n && !r->bad; i++) {
        struct group_wire_join_member *m = &out->members[i];
        m->member_id = group_codec_get_str(r, flex);
        out->n_members = (size_t)i + 1;
        if (version >= 5)
            kc_free(group_codec_get_str(r, flex));
        int32_t len;
        const uint8_t *p = group_codec_get_bytes(r, &len, flex);
        if (flex)
            group_codec_skip_tags(r);
        if (r->bad || !m->member_id)
            break;
        m->meta = kc_malloc(len > 0 ? (size_t)len : 1);
        if (!m->meta) {
            r->bad = 1;
            break;
        }
        if (len > 0)
            memcpy(m->meta, p, (size_t)len);
        m->meta_len = len > 0 ? (size_t)len : 0;
    }
    if (flex)
        group_codec_skip_tags(r);
    if (r->bad) {
        group_wire_join_resp_fini(out);
        return KC_EINVAL;
    }
    return KC_OK;
}

void group_wire_join_resp_fini(struct group_wire_join_resp *resp)
{
    kc_free(resp->protocol_name);
    kc_free(resp->leader);
    kc_free(resp->member_id);
    for (size_t i = 0; i < resp->n_members; i++) {
        kc_free(resp->members[i].member_id);
        kc_free(resp->members[i].meta);
    }
    kc_free(resp->members);
    memset(resp, 0, sizeof(*resp));
}

/* ---- SyncGroup ---- */

void group_wire_sync_body(struct group_codec_w *w, int16_t version,
                          const struct group_wire_sync_req *req)
{
    int flex = group_wire_flexible(GROUP_API_SYNC_GROUP, version);
    group_codec_put_str(w, req->group_id, flex);
    group_codec_put_i32(w, req->generation);
    group_codec_put_str(w, req->member_id, flex);
    if (version >= 3)
        group_codec_put_str(w, NULL, flex);
    if (version >= 5) {
        group_codec_put_str(w, req->protocol_type, flex);
        group_codec_put_str(w, req->protocol_name, flex);
    }
    group_codec_put_array_len(w, (int32_t)req->n_assignments, flex);
    for (size_t i = 0; i < req->n_assignments; i++) {
        group_codec_put_str(w, req->assignments[i].member_id, flex);
        group_codec_put_bytes(w, req->assignments[i].data ? (const void *)req->assignments[i].data : "",
                              req->assignments[i].len, flex);
        if (flex)
            group_codec_put_tags(w);
    }
    if (flex)
        group_codec_put_tags(w);
}

int group_wire_sync_decode(struct group_codec_r *r, int16_t version,
                           struct group_wire_sync_resp *out)
{
    int flex = group_wire_flexible(GROUP_API_SYNC_GROUP, version);
    memset(out, 0, sizeof(*out));
    (void)group_codec_get_i32(r); /* throttle (v1+) */
    out->error = group_codec_get_i16(r);
    if (version >= 5) {
        kc_free(group_codec_get_str(r, flex));
        kc_free(group_codec_get_str(r, flex));
    }
    int32_t len;
    const uint8_t *p = group_codec_get_bytes(r, &len, flex);
    if (flex)
        group_codec_skip_tags(r);
    if (r->bad)
        return KC_EINVAL;
    out->len = len > 0 ? (size_t)len : 0;
    out->assignment = kc_malloc(out->len ? out->len : 1);
    if (!out->assignment)
        return KC_ENOMEM;
    if (out->len)
        memcpy(out->assignment, p, out->len);
    return KC_OK;
}

/* ---- Heartbeat, LeaveGroup ---- */

void group_wire_heartbeat_body(struct group_codec_w *w, int16_t version, const char *group_id,
                               int32_t generation, const char *member_id)
{
    int flex = group_wire_flexible(GROUP_API_HEARTBEAT, version);
    group_codec_put_str(w, group_id, flex);
    group_codec_put_i32(w, generation);
    group_codec_put_str(w, member_id, flex);
    if (version >= 3)
        group_codec_put_str(w, NULL, flex);
    if (flex)
        group_codec_put_tags(w);
}

int group_wire_heartbeat_decode(struct group_codec_r *r, int16_t version, int16_t *error)
{
    (void)group_codec_get_i32(r);
    *error = group_codec_get_i16(r);
    if (group_wire_flexible(GROUP_API_HEARTBEAT, version))
        group_codec_skip_tags(r);
    return done(r);
}

void group_wire_leave_body(struct group_codec_w *w, int16_t version, const char *group_id,
                           const char *member_id, const char *reason)
{
    int flex = group_wire_flexible(GROUP_API_LEAVE_GROUP, version);
    group_codec_put_str(w, group_id, flex);
    if (version < 3) {
        group_codec_put_str(w, member_id, flex);
    } else {
        group_codec_put_array_len(w, 1, flex);
        group_codec_put_str(w, member_id, flex);
        group_codec_put_str(w, NULL, flex);
        if (version >= 5)
            group_codec_put_str(w, reason, flex);
        if (flex)
            group_codec_put_tags(w);
    }
    if (flex)
        group_codec_put_tags(w);
}

int group_wire_leave_decode(struct group_codec_r *r, int16_t version, int16_t *error)
{
    int flex = group_wire_flexible(GROUP_API_LEAVE_GROUP, version);
    (void)group_codec_get_i32(r);
    *error = group_codec_get_i16(r);
    if (version >= 3) {
        int32_t n = group_codec_get_array_len(r, flex);
        for (int32_t i = 0; i < n && !r->bad; i++) {
            kc_free(group_codec_get_str(r, flex));
            kc_free(group_codec_get_str(r, flex));
            int16_t e = group_codec_get_i16(r);
            if (*error == 0)
                *error = e;
            if (flex)
                group_codec_skip_tags(r);
        }
    }
    if (flex)
        group_codec_skip_tags(r);
    return done(r);
}

/* ---- SASL ---- */

void group_wire_sasl_handshake_body(struct group_codec_w *w, const char *mechanism)
{
    group_codec_put_str(w, mechanism, 0);
}

int group_wire_sasl_handshake_decode(struct group_codec_r *r, int16_t *error)
{
    *error = group_codec_get_i16(r);
    int32_t n = group_codec_get_array_len(r, 0);
    for (int32_t i = 0; i < n && !r->bad; i++)
        kc_free(group_codec_get_str(r, 0));
    return done(r);
}

void group_wire_sasl_authenticate_body(struct group_codec_w *w, int16_t version, const void *p,
                                       size_t n)
{
    int flex = group_wire_flexible(GROUP_API_SASL_AUTHENTICATE, version);
    group_codec_put_bytes(w, p ? p : "", n, flex);
    if (flex)
        group_codec_put_tags(w);
}

int group_wire_sasl_authenticate_decode(struct group_codec_r *r, int16_t version,
                                        struct group_wire_sasl_auth_resp *out)
{
    int flex = group_wire_flexible(GROUP_API_SASL_AUTHENTICATE, version);
    memset(out, 0, sizeof(*out));
    out->error = group_codec_get_i16(r);
    out->message = group_codec_get_str(r, flex);
    int32_t len;
    const uint8_t *p = group_codec_get_bytes(r, &len, flex);
    if (version >= 1)
        (void)group_codec_get_i64(r);
    if (flex)
        group_codec_skip_tags(r);
    if (!r->bad) {
        out->len = len > 0 ? (size_t)len : 0;
        out->bytes = kc_malloc(out->len + 1);
        if (out->bytes && out->len)
            memcpy(out->bytes, p, out->len);
        if (!out->bytes)
            r->bad = 1;
    }
    if (r->bad) {
        kc_free(out->message);
        out->message = NULL;
        return KC_EINVAL;
    }
    return KC_OK;
}
