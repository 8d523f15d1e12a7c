file(REMOVE_RECURSE
  "CMakeFiles/fuzz_share.dir/fuzz_share.c.o"
  "CMakeFiles/fuzz_share.dir/fuzz_share.c.o.d"
  "CMakeFiles/fuzz_share.dir/replay.c.o"
  "CMakeFiles/fuzz_share.dir/replay.c.o.d"
  "fuzz_share"
  "fuzz_share.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_share.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
