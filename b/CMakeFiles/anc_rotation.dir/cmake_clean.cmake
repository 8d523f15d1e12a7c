file(REMOVE_RECURSE
  "CMakeFiles/anc_rotation.dir/rotation/inventory.c.o"
  "CMakeFiles/anc_rotation.dir/rotation/inventory.c.o.d"
  "CMakeFiles/anc_rotation.dir/rotation/inventory_fast.c.o"
  "CMakeFiles/anc_rotation.dir/rotation/inventory_fast.c.o.d"
  "CMakeFiles/anc_rotation.dir/rotation/inventory_k8s.c.o"
  "CMakeFiles/anc_rotation.dir/rotation/inventory_k8s.c.o.d"
  "CMakeFiles/anc_rotation.dir/rotation/inventory_pem.c.o"
  "CMakeFiles/anc_rotation.dir/rotation/inventory_pem.c.o.d"
  "CMakeFiles/anc_rotation.dir/rotation/inventory_report.c.o"
  "CMakeFiles/anc_rotation.dir/rotation/inventory_report.c.o.d"
  "CMakeFiles/anc_rotation.dir/rotation/rotation_util.c.o"
  "CMakeFiles/anc_rotation.dir/rotation/rotation_util.c.o.d"
  "CMakeFiles/anc_rotation.dir/rotation/status.c.o"
  "CMakeFiles/anc_rotation.dir/rotation/status.c.o.d"
  "libanc_rotation.a"
  "libanc_rotation.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/anc_rotation.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
