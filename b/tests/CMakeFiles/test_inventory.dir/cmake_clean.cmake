file(REMOVE_RECURSE
  "CMakeFiles/test_inventory.dir/unit/test_inventory.c.o"
  "CMakeFiles/test_inventory.dir/unit/test_inventory.c.o.d"
  "test_inventory"
  "test_inventory.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_inventory.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
