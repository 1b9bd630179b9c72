# REST basic authentication: JAAS entry, users file, Authorization header (rest/rest_auth.c).
kc_fuzz_target(rest_auth kc_rest_auth)
