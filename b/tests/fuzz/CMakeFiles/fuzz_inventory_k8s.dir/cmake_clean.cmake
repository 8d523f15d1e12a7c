file(REMOVE_RECURSE
  "CMakeFiles/fuzz_inventory_k8s.dir/fuzz_inventory_k8s.c.o"
  "CMakeFiles/fuzz_inventory_k8s.dir/fuzz_inventory_k8s.c.o.d"
  "CMakeFiles/fuzz_inventory_k8s.dir/replay.c.o"
  "CMakeFiles/fuzz_inventory_k8s.dir/replay.c.o.d"
  "fuzz_inventory_k8s"
  "fuzz_inventory_k8s.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_inventory_k8s.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
