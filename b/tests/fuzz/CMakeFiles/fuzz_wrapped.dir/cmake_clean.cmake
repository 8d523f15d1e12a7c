file(REMOVE_RECURSE
  "CMakeFiles/fuzz_wrapped.dir/fuzz_wrapped.c.o"
  "CMakeFiles/fuzz_wrapped.dir/fuzz_wrapped.c.o.d"
  "CMakeFiles/fuzz_wrapped.dir/replay.c.o"
  "CMakeFiles/fuzz_wrapped.dir/replay.c.o.d"
  "fuzz_wrapped"
  "fuzz_wrapped.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_wrapped.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
