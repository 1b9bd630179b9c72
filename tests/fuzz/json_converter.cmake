kc_fuzz_target(json_converter kc_common)
# libFuzzer needs coverage feedback from the code under test, not only from the harness:
# instrument the libraries the target exercises (without linking the fuzzer main into them).
if(KC_FUZZ)
  target_compile_options(kc_common PRIVATE -fsanitize=fuzzer-no-link)
  target_link_options(kc_common INTERFACE -fsanitize=fuzzer-no-link)
endif()
