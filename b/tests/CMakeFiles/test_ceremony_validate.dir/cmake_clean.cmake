file(REMOVE_RECURSE
  "CMakeFiles/test_ceremony_validate.dir/unit/test_ceremony_validate.c.o"
  "CMakeFiles/test_ceremony_validate.dir/unit/test_ceremony_validate.c.o.d"
  "test_ceremony_validate"
  "test_ceremony_validate.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_ceremony_validate.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
