file(REMOVE_RECURSE
  "CMakeFiles/fuzz_csr.dir/fuzz_csr.c.o"
  "CMakeFiles/fuzz_csr.dir/fuzz_csr.c.o.d"
  "CMakeFiles/fuzz_csr.dir/replay.c.o"
  "CMakeFiles/fuzz_csr.dir/replay.c.o.d"
  "fuzz_csr"
  "fuzz_csr.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_csr.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
