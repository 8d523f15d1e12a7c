file(REMOVE_RECURSE
  "CMakeFiles/fuzz_outbox_sums.dir/fuzz_outbox_sums.c.o"
  "CMakeFiles/fuzz_outbox_sums.dir/fuzz_outbox_sums.c.o.d"
  "CMakeFiles/fuzz_outbox_sums.dir/replay.c.o"
  "CMakeFiles/fuzz_outbox_sums.dir/replay.c.o.d"
  "fuzz_outbox_sums"
  "fuzz_outbox_sums.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_outbox_sums.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
