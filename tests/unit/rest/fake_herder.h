/*
 * tests/unit/rest/fake_herder.h: knobs of the canned herder that the REST unit tests link
 * instead of worker/herder.c. Canned data mirrors what tests/unit/rest/jvm_probe/RestProbe.java
 * feeds the JVM's REST layer, so answers can be compared byte for byte.
 */
#ifndef FAKE_HERDER_H
#define FAKE_HERDER_H

#include "herder.h"
#include "kc_strmap.h"

extern int fake_herder_is_ready;
extern int fake_herder_created;       /* what herder_connector_put reports */
extern int fake_herder_put_rc;        /* forced rc for herder_connector_put (KC_OK default) */
extern char fake_herder_put_msg[512];
extern struct kc_strmap fake_herder_last_put; /* copy of the last config put */
extern char fake_herder_last_put_name[256];
extern int fake_herder_last_put_state; /* -1 = none */
extern int fake_herder_last_put_replace;
extern struct herder_offsets fake_herder_last_alter; /* copy of the last alter */
extern int fake_herder_restart_async; /* 1: restart answers a status (202) */

void fake_herder_reset(void);

#endif
