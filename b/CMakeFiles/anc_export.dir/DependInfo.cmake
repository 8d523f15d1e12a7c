
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/tmp/fl/wtm/export/manifest.c" "CMakeFiles/anc_export.dir/export/manifest.c.o" "gcc" "CMakeFiles/anc_export.dir/export/manifest.c.o.d"
  "/tmp/fl/wtm/export/outbox.c" "CMakeFiles/anc_export.dir/export/outbox.c.o" "gcc" "CMakeFiles/anc_export.dir/export/outbox.c.o.d"
  "/tmp/fl/wtm/export/pem.c" "CMakeFiles/anc_export.dir/export/pem.c.o" "gcc" "CMakeFiles/anc_export.dir/export/pem.c.o.d"
  "/tmp/fl/wtm/export/verify.c" "CMakeFiles/anc_export.dir/export/verify.c.o" "gcc" "CMakeFiles/anc_export.dir/export/verify.c.o.d"
  "/tmp/fl/wtm/export/verify_content.c" "CMakeFiles/anc_export.dir/export/verify_content.c.o" "gcc" "CMakeFiles/anc_export.dir/export/verify_content.c.o.d"
  "/tmp/fl/wtm/export/yaml_emit.c" "CMakeFiles/anc_export.dir/export/yaml_emit.c.o" "gcc" "CMakeFiles/anc_export.dir/export/yaml_emit.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/tmp/fl/wtm/b/CMakeFiles/anc_common.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
