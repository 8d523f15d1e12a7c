# Strict warnings everywhere (the OpenSSH/curl set); -Werror on request.
# GCC builds the product; clang (the fuzz build) takes the same set, less
# what it does not know.
include(CheckCCompilerFlag)

add_compile_options(
  -Wall -Wextra -Wpedantic -Wformat=2 -Wformat-security -Wshadow
  -Wpointer-arith -Wcast-qual -Wwrite-strings -Wstrict-prototypes
  -Wmissing-prototypes -Wimplicit-fallthrough -Wmisleading-indentation
  -Wno-unused-parameter -Wundef -Wconversion
  -fstack-protector-strong -D_FORTIFY_SOURCE=2)
# Messages are cut to their fixed buffers on purpose.  The positive form
# is probed: GCC accepts any -Wno-* silently.
check_c_compiler_flag(-Wformat-truncation ANC_HAVE_WFORMAT_TRUNCATION)
if(ANC_HAVE_WFORMAT_TRUNCATION)
  add_compile_options(-Wno-format-truncation)
endif()
# clang 14 accepts this only behind a flag it says will go away.
check_c_compiler_flag(-ftrivial-auto-var-init=zero ANC_HAVE_AUTO_VAR_INIT)
if(ANC_HAVE_AUTO_VAR_INIT)
  add_compile_options(-ftrivial-auto-var-init=zero)
endif()
add_link_options(-Wl,-z,relro,-z,now)
if(ANC_WERROR)
  add_compile_options(-Werror)
endif()
