file(REMOVE_RECURSE
  "CMakeFiles/test_outbox.dir/unit/test_outbox.c.o"
  "CMakeFiles/test_outbox.dir/unit/test_outbox.c.o.d"
  "test_outbox"
  "test_outbox.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_outbox.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
