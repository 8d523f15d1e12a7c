file(REMOVE_RECURSE
  "CMakeFiles/fuzz_outbox_content.dir/fuzz_outbox_content.c.o"
  "CMakeFiles/fuzz_outbox_content.dir/fuzz_outbox_content.c.o.d"
  "CMakeFiles/fuzz_outbox_content.dir/replay.c.o"
  "CMakeFiles/fuzz_outbox_content.dir/replay.c.o.d"
  "fuzz_outbox_content"
  "fuzz_outbox_content.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_outbox_content.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
