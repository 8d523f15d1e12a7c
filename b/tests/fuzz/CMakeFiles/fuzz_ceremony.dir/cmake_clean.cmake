file(REMOVE_RECURSE
  "CMakeFiles/fuzz_ceremony.dir/fuzz_ceremony.c.o"
  "CMakeFiles/fuzz_ceremony.dir/fuzz_ceremony.c.o.d"
  "CMakeFiles/fuzz_ceremony.dir/replay.c.o"
  "CMakeFiles/fuzz_ceremony.dir/replay.c.o.d"
  "fuzz_ceremony"
  "fuzz_ceremony.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_ceremony.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
