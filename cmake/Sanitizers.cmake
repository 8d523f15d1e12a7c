# ASan/UBSan builds (scripts/test runs the whole suite in one: build-asan)
# and the libFuzzer build (tests/fuzz/run.sh: build-fuzz).  Sanitizer
# runtimes conflict with _FORTIFY_SOURCE wrappers, so fortify is dropped
# there.  UBSan stops at the first report, so a test cannot pass with one.
if(ANC_ASAN)
  add_compile_options(-fsanitize=address -fno-omit-frame-pointer -U_FORTIFY_SOURCE)
  add_link_options(-fsanitize=address)
endif()
if(ANC_UBSAN)
  add_compile_options(-fsanitize=undefined -fno-sanitize-recover=all -U_FORTIFY_SOURCE)
  add_link_options(-fsanitize=undefined)
endif()
# libFuzzer needs clang.  Every library gets coverage instrumentation
# (fuzzer-no-link) and ASan+UBSan; only the targets in tests/fuzz link the
# fuzzer's main (-fsanitize=fuzzer, added there).
if(ANC_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "ANC_FUZZ needs clang (configure with CC=clang), "
        "not ${CMAKE_C_COMPILER_ID}")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined
      -fno-sanitize-recover=all -fno-omit-frame-pointer -U_FORTIFY_SOURCE)
  add_link_options(-fsanitize=address,undefined)
endif()
