file(REMOVE_RECURSE
  "CMakeFiles/test_needs.dir/unit/test_needs.c.o"
  "CMakeFiles/test_needs.dir/unit/test_needs.c.o.d"
  "test_needs"
  "test_needs.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_needs.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
