kc_fuzz_target(connector_config kc_connector_config)
if(KC_FUZZ)
  target_compile_options(kc_connector_config PRIVATE -fsanitize=fuzzer-no-link)
endif()
