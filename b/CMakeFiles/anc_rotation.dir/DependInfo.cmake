
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/tmp/fl/wtm/rotation/inventory.c" "CMakeFiles/anc_rotation.dir/rotation/inventory.c.o" "gcc" "CMakeFiles/anc_rotation.dir/rotation/inventory.c.o.d"
  "/tmp/fl/wtm/rotation/inventory_fast.c" "CMakeFiles/anc_rotation.dir/rotation/inventory_fast.c.o" "gcc" "CMakeFiles/anc_rotation.dir/rotation/inventory_fast.c.o.d"
  "/tmp/fl/wtm/rotation/inventory_k8s.c" "CMakeFiles/anc_rotation.dir/rotation/inventory_k8s.c.o" "gcc" "CMakeFiles/anc_rotation.dir/rotation/inventory_k8s.c.o.d"
  "/tmp/fl/wtm/rotation/inventory_pem.c" "CMakeFiles/anc_rotation.dir/rotation/inventory_pem.c.o" "gcc" "CMakeFiles/anc_rotation.dir/rotation/inventory_pem.c.o.d"
  "/tmp/fl/wtm/rotation/inventory_report.c" "CMakeFiles/anc_rotation.dir/rotation/inventory_report.c.o" "gcc" "CMakeFiles/anc_rotation.dir/rotation/inventory_report.c.o.d"
  "/tmp/fl/wtm/rotation/rotation_util.c" "CMakeFiles/anc_rotation.dir/rotation/rotation_util.c.o" "gcc" "CMakeFiles/anc_rotation.dir/rotation/rotation_util.c.o.d"
  "/tmp/fl/wtm/rotation/status.c" "CMakeFiles/anc_rotation.dir/rotation/status.c.o" "gcc" "CMakeFiles/anc_rotation.dir/rotation/status.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/tmp/fl/wtm/b/CMakeFiles/anc_pkcs11.dir/DependInfo.cmake"
  "/tmp/fl/wtm/b/CMakeFiles/anc_export.dir/DependInfo.cmake"
  "/tmp/fl/wtm/b/CMakeFiles/anc_common.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
