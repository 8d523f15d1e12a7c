file(REMOVE_RECURSE
  "CMakeFiles/test_ceremony_parse.dir/unit/test_ceremony_parse.c.o"
  "CMakeFiles/test_ceremony_parse.dir/unit/test_ceremony_parse.c.o.d"
  "test_ceremony_parse"
  "test_ceremony_parse.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_ceremony_parse.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
