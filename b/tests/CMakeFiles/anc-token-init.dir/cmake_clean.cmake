file(REMOVE_RECURSE
  "CMakeFiles/anc-token-init.dir/tools/anc-token-init.c.o"
  "CMakeFiles/anc-token-init.dir/tools/anc-token-init.c.o.d"
  "anc-token-init"
  "anc-token-init.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/anc-token-init.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
