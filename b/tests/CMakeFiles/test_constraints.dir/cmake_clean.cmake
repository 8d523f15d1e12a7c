file(REMOVE_RECURSE
  "CMakeFiles/test_constraints.dir/unit/test_constraints.c.o"
  "CMakeFiles/test_constraints.dir/unit/test_constraints.c.o.d"
  "test_constraints"
  "test_constraints.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_constraints.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
