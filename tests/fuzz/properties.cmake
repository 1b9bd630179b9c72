kc_fuzz_target(properties kc_config)
# libFuzzer needs coverage in the library under test, not only in the harness.
if(KC_FUZZ)
  target_compile_options(kc_config PRIVATE -fsanitize=fuzzer-no-link)
endif()
