file(REMOVE_RECURSE
  "CMakeFiles/test_fuzz_regressions.dir/unit/test_fuzz_regressions.c.o"
  "CMakeFiles/test_fuzz_regressions.dir/unit/test_fuzz_regressions.c.o.d"
  "test_fuzz_regressions"
  "test_fuzz_regressions.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_fuzz_regressions.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
