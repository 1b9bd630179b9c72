kc_fuzz_target(truststore kc_config)
