# ASan/UBSan builds.  Sanitizer runtimes conflict with _FORTIFY_SOURCE
# wrappers, so fortify is dropped there.
if(ANC_ASAN)
  add_compile_options(-fsanitize=address -fno-omit-frame-pointer -U_FORTIFY_SOURCE)
  add_link_options(-fsanitize=address)
endif()
if(ANC_UBSAN)
  add_compile_options(-fsanitize=undefined -fno-sanitize-recover=all -U_FORTIFY_SOURCE)
  add_link_options(-fsanitize=undefined)
endif()
