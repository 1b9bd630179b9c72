# REST request bodies and settings parsers (rest/rest_body.c, rest/rest_request.c).
kc_fuzz_target(rest_body kc_rest)
