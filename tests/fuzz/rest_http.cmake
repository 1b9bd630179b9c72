# Raw HTTP requests into the REST server (libmicrohttpd + rest/), the canned herder behind it.
kc_fuzz_target(rest_http kc_rest_fakes kc_rest kc_rest_fakes)
