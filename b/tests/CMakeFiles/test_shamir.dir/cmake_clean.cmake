file(REMOVE_RECURSE
  "CMakeFiles/test_shamir.dir/unit/test_shamir.c.o"
  "CMakeFiles/test_shamir.dir/unit/test_shamir.c.o.d"
  "test_shamir"
  "test_shamir.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_shamir.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
