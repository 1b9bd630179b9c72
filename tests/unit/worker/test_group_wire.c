/*
 * tests/unit/worker/test_group_wire.c: group requests and responses at the versions Kafka 3.x
 * and 4.x brokers negotiate (flexible and not), against bytes written by hand from Kafka's
 * message schemas; ApiVersions negotiation; SASL PLAIN and the SCRAM-SHA-256 example of RFC 7677.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "group_sasl.h"
#include "group_wire.h"
#include "kc_alloc.h"

#define B(s) (const uint8_t *)(s), sizeof(s) - 1

static void expect_frame(struct group_codec_w *w, const uint8_t *want, size_t n)
{
    group_wire_end(w);
    assert_int_equal(w->rc, KC_OK);
    assert_int_equal(w->b.len, n);
    assert_memory_equal(w->b.data, want, n);
    group_codec_w_fini(w);
}

static void test_heartbeat_v4_flexible(void **state)
{
    (void)state;
    struct group_codec_w w;
    group_codec_w_init(&w);
    group_wire_begin(&w, GROUP_API_HEARTBEAT, 4, 7, "c");
    group_wire_heartbeat_body(&w, 4, "g", 5, "m");
    /* size 22 | key 12 v4 corr 7 | client id "c" (INT16 length even in flexible headers) | no
     * header tags | group "g" compact | generation 5 | member "m" | instance id null | no tags */
    expect_frame(&w, B("\x00\x00\x00\x16"
                       "\x00\x0c\x00\x04\x00\x00\x00\x07\x00\x01" "c" "\x00"
                       "\x02" "g" "\x00\x00\x00\x05\x02" "m" "\x00\x00"));
    struct group_codec_r r;
    int16_t e;
    /* response: corr 7, header tags, throttle 0, error 27, tags */
    group_codec_r_init(&r, B("\x00\x00\x00\x07\x00\x00\x00\x00\x00\x00\x1b\x00"));
    assert_int_equal(group_wire_response_header(&r, GROUP_API_HEARTBEAT, 4), 7);
    assert_int_equal(group_wire_heartbeat_decode(&r, 4, &e), KC_OK);
    assert_int_equal(e, GROUP_ERR_REBALANCE_IN_PROGRESS);
    assert_int_equal(group_codec_left(&r), 0);
}

static void test_heartbeat_v1(void **state)
{
    (void)state;
    struct group_codec_w w;
    group_codec_w_init(&w);
    group_wire_begin(&w, GROUP_API_HEARTBEAT, 1, 1, NULL);
    group_wire_heartbeat_body(&w, 1, "g", -1, "");
    expect_frame(&w, B("\x00\x00\x00\x13"
                       "\x00\x0c\x00\x01\x00\x00\x00\x01\xff\xff"
                       "\x00\x01" "g" "\xff\xff\xff\xff\x00\x00"));
    struct group_codec_r r;
    int16_t e;
    group_codec_r_init(&r, B("\x00\x00\x00\x01\x00\x00\x00\x00\x00\x19"));
    assert_int_equal(group_wire_response_header(&r, GROUP_API_HEARTBEAT, 1), 1);
    assert_int_equal(group_wire_heartbeat_decode(&r, 1, &e), KC_OK);
    assert_int_equal(e, GROUP_ERR_UNKNOWN_MEMBER_ID);
}

static const struct group_wire_protocol protos[] = {
    {"sessioned", (const uint8_t *)"\x00\x02", 2},
    {"default", (const uint8_t *)"\x00\x00", 2},
};

static void test_join_request_v9_and_v5(void **state)
{
    (void)state;
    struct group_wire_join_req req = {.group_id = "g", .session_timeout_ms = 10000,
                                      .rebalance_timeout_ms = 60000, .member_id = "",
                                      .protocol_type = "connect", .protocols = protos,
                                      .n_protocols = 2, .reason = NULL};
    struct group_codec_w w;
    group_codec_w_init(&w);
    group_wire_join_body(&w, 9, &req);
    static const char v9[] = "\x02" "g" "\x00\x00\x27\x10" "\x00\x00\xea\x60"
                             "\x01"                /* member id "" */
                             "\x00"                /* group instance id null */
                             "\x08" "connect"
                             "\x03"                /* 2 protocols */
                             "\x0a" "sessioned" "\x03\x00\x02" "\x00"
                             "\x08" "default" "\x03\x00\x00" "\x00"
                             "\x00"                /* reason null (v8+) */
                             "\x00";               /* tags */
    assert_int_equal(w.b.len, sizeof(v9) - 1);
    assert_memory_equal(w.b.data, v9, sizeof(v9) - 1);
    group_codec_w_fini(&w);

    group_codec_w_init(&w);
    req.member_id = "m1";
    group_wire_join_body(&w, 5, &req);
    static const char v5[] = "\x00\x01" "g" "\x00\x00\x27\x10" "\x00\x00\xea\x60"
                             "\x00\x02" "m1" "\xff\xff" "\x00\x07" "connect"
                             "\x00\x00\x00\x02"
                             "\x00\x09" "sessioned" "\x00\x00\x00\x02\x00\x02"
                             "\x00\x07" "default" "\x00\x00\x00\x02\x00\x00";
    assert_int_equal(w.b.len, sizeof(v5) - 1);
    assert_memory_equal(w.b.data, v5, sizeof(v5) - 1);
    group_codec_w_fini(&w);
}

static void test_join_response_v9_and_v2(void **state)
{
    (void)state;
    struct group_codec_r r;
    struct group_wire_join_resp jr;
    group_codec_r_init(&r, B("\x00\x00\x00\x00" /* throttle */
                             "\x00\x00"         /* error */
                             "\x00\x00\x00\x03" /* generation */
                             "\x08" "connect" "\x0a" "sessioned"
                             "\x02" "L"         /* leader */
                             "\x00"             /* skip assignment */
                             "\x02" "L"         /* member id */
                             "\x03"             /* 2 members */
                             "\x02" "L" "\x00" "\x03\x00\x02" "\x00"
                             "\x02" "F" "\x00" "\x01" "\x00"
                             "\x00"));
    assert_int_equal(group_wire_join_decode(&r, 9, &jr), KC_OK);
    assert_int_equal(jr.generation, 3);
    assert_string_equal(jr.protocol_name, "sessioned");
    assert_string_equal(jr.leader, "L");
    assert_string_equal(jr.member_id, "L");
    assert_int_equal(jr.n_members, 2);
    assert_string_equal(jr.members[1].member_id, "F");
    assert_int_equal(jr.members[0].meta_len, 2);
    assert_int_equal(jr.members[1].meta_len, 0);
    group_wire_join_resp_fini(&jr);

    /* v2, MEMBER_ID_REQUIRED-style answer: error 79 with the member id to use */
    group_codec_r_init(&r, B("\x00\x00\x00\x00\x00\x4f\xff\xff\xff\xff\x00\x00\x00\x00"
                             "\x00\x03" "m-1" "\x00\x00\x00\x00"));
    assert_int_equal(group_wire_join_decode(&r, 2, &jr), KC_OK);
    assert_int_equal(jr.error, GROUP_ERR_MEMBER_ID_REQUIRED);
    assert_string_equal(jr.member_id, "m-1");
    group_wire_join_resp_fini(&jr);

    /* truncated */
    group_codec_r_init(&r, B("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x08" "conn"));
    assert_int_equal(group_wire_join_decode(&r, 9, &jr), KC_EINVAL);
}

static void test_sync_v5(void **state)
{
    (void)state;
    struct group_wire_sync_assignment as[] = {{"L", (const uint8_t *)"AB", 2}};
    struct group_wire_sync_req req = {.group_id = "g", .generation = 3, .member_id = "L",
                                      .protocol_type = "connect", .protocol_name = "sessioned",
                                      .assignments = as, .n_assignments = 1};
    struct group_codec_w w;
    group_codec_w_init(&w);
    group_wire_sync_body(&w, 5, &req);
    static const char v5[] = "\x02" "g" "\x00\x00\x00\x03" "\x02" "L" "\x00"
                             "\x08" "connect" "\x0a" "sessioned"
                             "\x02" "\x02" "L" "\x03" "AB" "\x00" "\x00";
    assert_int_equal(w.b.len, sizeof(v5) - 1);
    assert_memory_equal(w.b.data, v5, sizeof(v5) - 1);
    group_codec_w_fini(&w);

    struct group_codec_r r;
    struct group_wire_sync_resp sr;
    group_codec_r_init(&r, B("\x00\x00\x00\x00\x00\x00\x08" "connect" "\x0a" "sessioned"
                             "\x04" "xyz" "\x00"));
    assert_int_equal(group_wire_sync_decode(&r, 5, &sr), KC_OK);
    assert_int_equal(sr.len, 3);
    assert_memory_equal(sr.assignment, "xyz", 3);
    kc_free(sr.assignment);
    /* v1: throttle, error, BYTES */
    group_codec_r_init(&r, B("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02" "ok"));
    assert_int_equal(group_wire_sync_decode(&r, 1, &sr), KC_OK);
    assert_int_equal(sr.len, 2);
    kc_free(sr.assignment);
}

static void test_leave_v5_and_v1(void **state)
{
    (void)state;
    struct group_codec_w w;
    group_codec_w_init(&w);
    group_wire_leave_body(&w, 5, "g", "m", "bye");
    static const char v5[] = "\x02" "g" "\x02" "\x02" "m" "\x00" "\x04" "bye" "\x00" "\x00";
    assert_int_equal(w.b.len, sizeof(v5) - 1);
    assert_memory_equal(w.b.data, v5, sizeof(v5) - 1);
    group_codec_w_fini(&w);
    group_codec_w_init(&w);
    group_wire_leave_body(&w, 1, "g", "m", "bye");
    assert_int_equal(w.b.len, 6);
    assert_memory_equal(w.b.data, "\x00\x01" "g" "\x00\x01" "m", 6);
    group_codec_w_fini(&w);

    struct group_codec_r r;
    int16_t e;
    /* v5: throttle, error 0, members [{m, null, error 25}] -> the member's error */
    group_codec_r_init(&r, B("\x00\x00\x00\x00\x00\x00\x02\x02" "m" "\x00\x00\x19\x00\x00"));
    assert_int_equal(group_wire_leave_decode(&r, 5, &e), KC_OK);
    assert_int_equal(e, GROUP_ERR_UNKNOWN_MEMBER_ID);
}

static void test_find_coordinator_v6_v3(void **state)
{
    (void)state;
    struct group_codec_w w;
    group_codec_w_init(&w);
    group_wire_find_coordinator_body(&w, 6, "g");
    assert_int_equal(w.b.len, 5);
    assert_memory_equal(w.b.data, "\x00\x02\x02" "g" "\x00", 5);
    group_codec_w_fini(&w);
    group_codec_w_init(&w);
    group_wire_find_coordinator_body(&w, 2, "g");
    assert_int_equal(w.b.len, 4);
    assert_memory_equal(w.b.data, "\x00\x01" "g" "\x00", 4);
    group_codec_w_fini(&w);

    struct group_codec_r r;
    struct group_wire_coordinator co;
    group_codec_r_init(&r, B("\x00\x00\x00\x00" "\x02"
                             "\x02" "g" "\x00\x00\x00\x01" "\x0a" "127.0.0.1" "\x00\x00\x23\x84"
                             "\x00\x00" "\x00" "\x00" "\x00"));
    assert_int_equal(group_wire_find_coordinator_decode(&r, 6, &co), KC_OK);
    assert_int_equal(co.node_id, 1);
    assert_string_equal(co.host, "127.0.0.1");
    assert_int_equal(co.port, 9092);
    kc_free(co.host);
    /* v3 (flexible, single key): error 15 with a message, no host */
    group_codec_r_init(&r, B("\x00\x00\x00\x00\x00\x0f\x03" "no" "\xff\xff\xff\xff\x01"
                             "\xff\xff\xff\xff\x00"));
    assert_int_equal(group_wire_find_coordinator_decode(&r, 3, &co), KC_OK);
    assert_int_equal(co.error, GROUP_ERR_COORDINATOR_NOT_AVAILABLE);
    kc_free(co.host);
}

static void test_api_versions_negotiation(void **state)
{
    (void)state;
    struct group_codec_w w;
    group_codec_w_init(&w);
    group_wire_begin(&w, GROUP_API_API_VERSIONS, 3, 1, "c");
    group_wire_api_versions_body(&w);
    group_wire_end(&w);
    static const char req[] = "\x00\x12\x00\x03\x00\x00\x00\x01\x00\x01" "c" "\x00"
                              "\x0a" "connect-c" "\x04" "1.0" "\x00";
    assert_int_equal(w.b.len, 4 + sizeof(req) - 1);
    assert_memory_equal(w.b.data + 4, req, sizeof(req) - 1);
    group_codec_w_fini(&w);

    /* a 4.1-like broker (JoinGroup 2-9, FindCoordinator 0-6 ...) and a 2.x-like one */
    struct group_codec_r r;
    struct group_wire_versions vs;
    group_codec_r_init(&r, B("\x00\x00" "\x07"
                             "\x00\x0a\x00\x00\x00\x06\x00"
                             "\x00\x0b\x00\x02\x00\x09\x00"
                             "\x00\x0c\x00\x00\x00\x04\x00"
                             "\x00\x0d\x00\x00\x00\x05\x00"
                             "\x00\x0e\x00\x00\x00\x05\x00"
                             "\x00\x24\x00\x00\x00\x02\x00"
                             "\x00\x00\x00\x00" "\x00"));
    assert_int_equal(group_wire_api_versions_decode(&r, &vs), 0);
    assert_int_equal(vs.v[GROUP_API_FIND_COORDINATOR], 6);
    assert_int_equal(vs.v[GROUP_API_JOIN_GROUP], 9);
    assert_int_equal(vs.v[GROUP_API_SYNC_GROUP], 5);
    assert_int_equal(vs.v[GROUP_API_SASL_AUTHENTICATE], 2);
    assert_int_equal(vs.v[GROUP_API_SASL_HANDSHAKE], -1);
    group_codec_r_init(&r, B("\x00\x00" "\x03"
                             "\x00\x0b\x00\x00\x00\x05\x00"
                             "\x00\x0c\x00\x05\x00\x07\x00" /* min above what we speak */
                             "\x00\x00\x00\x00" "\x00"));
    assert_int_equal(group_wire_api_versions_decode(&r, &vs), 0);
    assert_int_equal(vs.v[GROUP_API_JOIN_GROUP], 5);
    assert_int_equal(vs.v[GROUP_API_HEARTBEAT], -1);
    /* UNSUPPORTED_VERSION */
    group_codec_r_init(&r, B("\x00\x23\x00\x00\x00\x00"));
    assert_int_equal(group_wire_api_versions_decode(&r, &vs), GROUP_ERR_UNSUPPORTED_VERSION);
}

static void test_sasl_plain(void **state)
{
    (void)state;
    struct group_sasl *s;
    uint8_t *out;
    size_t n;
    int fin;
    assert_int_equal(group_sasl_new("PLAIN", "alice", "pw", &s, NULL), KC_OK);
    assert_int_equal(group_sasl_step(s, NULL, 0, &out, &n, &fin, NULL), KC_OK);
    assert_int_equal(fin, 1);
    assert_int_equal(n, 9);
    assert_memory_equal(out, "\0alice\0pw", 9);
    kc_free(out);
    group_sasl_free(s);
    assert_int_equal(group_sasl_supported("GSSAPI"), 0);
}

/* RFC 7677 section 3: user "user", password "pencil" */
static void test_scram_sha256_rfc7677(void **state)
{
    (void)state;
    struct group_sasl *s;
    uint8_t *out;
    size_t n;
    int fin;
    struct kc_error err;
    assert_int_equal(group_sasl_new("SCRAM-SHA-256", "user", "pencil", &s, &err), KC_OK);
    assert_int_equal(group_sasl_set_nonce(s, "rOprNGfwEbeRWgbNEkqO"), KC_OK);
    assert_int_equal(group_sasl_step(s, NULL, 0, &out, &n, &fin, &err), KC_OK);
    assert_int_equal(fin, 0);
    assert_string_equal((char *)out, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    kc_free(out);
    const char *sf = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                     "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    assert_int_equal(group_sasl_step(s, (const uint8_t *)sf, strlen(sf), &out, &n, &fin, &err),
                     KC_OK);
    assert_int_equal(fin, 0);
    assert_string_equal((char *)out, "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                                     "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    kc_free(out);
    const char *bad = "v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
    const char *good = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
    assert_int_equal(group_sasl_step(s, (const uint8_t *)good, strlen(good), &out, &n, &fin, &err),
                     KC_OK);
    assert_int_equal(fin, 1);
    assert_null(out);
    group_sasl_free(s);

    /* a server that cannot prove it knows the password is refused */
    assert_int_equal(group_sasl_new("SCRAM-SHA-256", "user", "pencil", &s, &err), KC_OK);
    group_sasl_set_nonce(s, "rOprNGfwEbeRWgbNEkqO");
    group_sasl_step(s, NULL, 0, &out, &n, &fin, &err);
    kc_free(out);
    group_sasl_step(s, (const uint8_t *)sf, strlen(sf), &out, &n, &fin, &err);
    kc_free(out);
    assert_int_equal(group_sasl_step(s, (const uint8_t *)bad, strlen(bad), &out, &n, &fin, &err),
                     KC_EPERM);
    group_sasl_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heartbeat_v4_flexible),
        cmocka_unit_test(test_heartbeat_v1),
        cmocka_unit_test(test_join_request_v9_and_v5),
        cmocka_unit_test(test_join_response_v9_and_v2),
        cmocka_unit_test(test_sync_v5),
        cmocka_unit_test(test_leave_v5_and_v1),
        cmocka_unit_test(test_find_coordinator_v6_v3),
        cmocka_unit_test(test_api_versions_negotiation),
        cmocka_unit_test(test_sasl_plain),
        cmocka_unit_test(test_scram_sha256_rfc7677),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
