file(REMOVE_RECURSE
  "CMakeFiles/test_duration.dir/unit/test_duration.c.o"
  "CMakeFiles/test_duration.dir/unit/test_duration.c.o.d"
  "test_duration"
  "test_duration.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_duration.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
