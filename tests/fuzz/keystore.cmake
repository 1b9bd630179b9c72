kc_fuzz_target(keystore kc_config)
