# Strict warnings everywhere (the OpenSSH/curl set); -Werror on request.
add_compile_options(
  -Wall -Wextra -Wpedantic -Wformat=2 -Wformat-security -Wshadow
  -Wpointer-arith -Wcast-qual -Wwrite-strings -Wstrict-prototypes
  -Wmissing-prototypes -Wimplicit-fallthrough -Wmisleading-indentation
  -Wno-unused-parameter -Wundef
  # Messages are cut to their fixed buffers on purpose.
  -Wno-format-truncation
  -fstack-protector-strong -D_FORTIFY_SOURCE=2
  -ftrivial-auto-var-init=zero)
add_link_options(-Wl,-z,relro,-z,now)
if(ANC_WERROR)
  add_compile_options(-Werror)
endif()
