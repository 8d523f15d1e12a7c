file(REMOVE_RECURSE
  "CMakeFiles/fuzz_pin.dir/fuzz_pin.c.o"
  "CMakeFiles/fuzz_pin.dir/fuzz_pin.c.o.d"
  "CMakeFiles/fuzz_pin.dir/replay.c.o"
  "CMakeFiles/fuzz_pin.dir/replay.c.o.d"
  "fuzz_pin"
  "fuzz_pin.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_pin.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
