file(REMOVE_RECURSE
  "CMakeFiles/fuzz_pem.dir/fuzz_pem.c.o"
  "CMakeFiles/fuzz_pem.dir/fuzz_pem.c.o.d"
  "CMakeFiles/fuzz_pem.dir/replay.c.o"
  "CMakeFiles/fuzz_pem.dir/replay.c.o.d"
  "fuzz_pem"
  "fuzz_pem.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_pem.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
