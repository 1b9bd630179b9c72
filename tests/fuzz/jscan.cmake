kc_fuzz_target(jscan kc_base)
if(KC_FUZZ)
  target_compile_options(kc_base PRIVATE -fsanitize=fuzzer-no-link)
endif()
