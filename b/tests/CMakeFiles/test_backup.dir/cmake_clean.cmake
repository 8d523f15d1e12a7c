file(REMOVE_RECURSE
  "CMakeFiles/test_backup.dir/unit/test_backup.c.o"
  "CMakeFiles/test_backup.dir/unit/test_backup.c.o.d"
  "test_backup"
  "test_backup.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_backup.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
