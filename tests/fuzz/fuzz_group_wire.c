/*
 * tests/fuzz/fuzz_group_wire.c: hostile bytes from a broker or a group member: the first byte
 * picks the decoder (Connect metadata, Connect assignment, JoinGroup/SyncGroup/FindCoordinator/
 * LeaveGroup/SaslAuthenticate responses at a version, ApiVersions, SCRAM server messages).
 * Invariants: no crash, no leak; a decoded Connect blob re-encodes to bytes that decode to the
 * same lists.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "group_connect.h"
#include "group_sasl.h"
#include "group_wire.h"
#include "kc_alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_lists(const struct connect_assignment *a, const struct connect_assignment *b)
{
    if (a->n_connectors != b->n_connectors || a->n_tasks != b->n_tasks ||
        (a->version >= 1 && (a->n_revoked_connectors != b->n_revoked_connectors ||
                             a->n_revoked_tasks != b->n_revoked_tasks)))
        abort();
}

static void assignment(const uint8_t *p, size_t n)
{
    struct connect_assignment a, b;
    if (group_connect_assignment_decode(p, n, &a, NULL) != KC_OK)
        return;
    uint8_t *out;
    size_t len;
    if (a.leader && a.leader_url && group_connect_assignment_encode(&a, &out, &len, NULL) == KC_OK) {
        if (group_connect_assignment_decode(out, len, &b, NULL) != KC_OK)
            abort();
        same_lists(&a, &b);
        group_connect_assignment_fini(&b);
        kc_free(out);
    }
    group_connect_assignment_fini(&a);
}

static void meta(const uint8_t *p, size_t n)
{
    struct connect_member_meta m, d;
    if (group_connect_meta_decode(p, n, &m, NULL) != KC_OK)
        return;
    uint8_t *out;
    size_t len;
    int ok = !m.prev || (m.prev->leader && m.prev->leader_url);
    if (ok && group_connect_meta_encode(&m, m.prev ? 2 : 0, &out, &len, NULL) == KC_OK) {
        if (group_connect_meta_decode(out, len, &d, NULL) != KC_OK)
            abort();
        if (!d.prev != !m.prev)
            abort();
        if (m.prev)
            same_lists(m.prev, d.prev);
        group_connect_meta_fini(&d);
        kc_free(out);
    }
    group_connect_meta_fini(&m);
}

static void scram(const uint8_t *p, size_t n, int sha512)
{
    struct group_sasl *s;
    uint8_t *out;
    size_t len;
    int fin;
    if (group_sasl_new(sha512 ? "SCRAM-SHA-512" : "SCRAM-SHA-256", "u", "p", &s, NULL) != KC_OK)
        return;
    group_sasl_set_nonce(s, "abc");
    group_sasl_step(s, NULL, 0, &out, &len, &fin, NULL);
    kc_free(out);
    /* split the input at the first NUL into server-first and server-final */
    const uint8_t *z = memchr(p, 0, n);
    size_t first = z ? (size_t)(z - p) : n;
    if (group_sasl_step(s, p, first, &out, &len, &fin, NULL) == KC_OK) {
        kc_free(out);
        if (z)
            group_sasl_step(s, z + 1, n - first - 1, &out, &len, &fin, NULL);
        else
            out = NULL;
        kc_free(out);
    }
    group_sasl_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int sel = data[0] % 10;
    int16_t version = (int16_t)(data[1] % 10);
    const uint8_t *p = data + 2;
    size_t n = size - 2;
    struct group_codec_r r;
    group_codec_r_init(&r, p, n);
    switch (sel) {
    case 0:
        meta(p, n);
        break;
    case 1:
        assignment(p, n);
        break;
    case 2: {
        struct group_wire_join_resp jr;
        if (group_wire_join_decode(&r, version < 2 ? 2 : version, &jr) == KC_OK)
            group_wire_join_resp_fini(&jr);
        break;
    }
    case 3: {
        struct group_wire_sync_resp sr;
        if (group_wire_sync_decode(&r, version % 5 + 1, &sr) == KC_OK)
            kc_free(sr.assignment);
        break;
    }
    case 4: {
        struct group_wire_coordinator co;
        if (group_wire_find_coordinator_decode(&r, version % 6 + 1, &co) == KC_OK)
            kc_free(co.host);
        break;
    }
    case 5: {
        struct group_wire_versions vs;
        (void)group_wire_api_versions_decode(&r, &vs);
        break;
    }
    case 6: {
        int16_t e;
        (void)group_wire_leave_decode(&r, version % 5 + 1, &e);
        (void)group_wire_response_header(&r, GROUP_API_HEARTBEAT, 4);
        break;
    }
    case 7: {
        struct group_wire_sasl_auth_resp ar;
        if (group_wire_sasl_authenticate_decode(&r, version % 3, &ar) == KC_OK) {
            kc_free(ar.message);
            kc_free(ar.bytes);
        }
        break;
    }
    default:
        scram(p, n, sel == 9);
        break;
    }
    return 0;
}
