file(REMOVE_RECURSE
  "CMakeFiles/anc-mock-p11.dir/mock/anc-mock-p11.c.o"
  "CMakeFiles/anc-mock-p11.dir/mock/anc-mock-p11.c.o.d"
  "anc-mock-p11.pdb"
  "anc-mock-p11.so"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/anc-mock-p11.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
