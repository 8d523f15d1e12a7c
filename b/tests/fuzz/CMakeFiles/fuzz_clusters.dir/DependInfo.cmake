
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/tmp/fl/wtm/tests/fuzz/fuzz_clusters.c" "tests/fuzz/CMakeFiles/fuzz_clusters.dir/fuzz_clusters.c.o" "gcc" "tests/fuzz/CMakeFiles/fuzz_clusters.dir/fuzz_clusters.c.o.d"
  "/tmp/fl/wtm/tests/fuzz/replay.c" "tests/fuzz/CMakeFiles/fuzz_clusters.dir/replay.c.o" "gcc" "tests/fuzz/CMakeFiles/fuzz_clusters.dir/replay.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/tmp/fl/wtm/b/CMakeFiles/anc_ceremony.dir/DependInfo.cmake"
  "/tmp/fl/wtm/b/CMakeFiles/anc_transcript.dir/DependInfo.cmake"
  "/tmp/fl/wtm/b/CMakeFiles/anc_rotation.dir/DependInfo.cmake"
  "/tmp/fl/wtm/b/CMakeFiles/anc_pkcs11.dir/DependInfo.cmake"
  "/tmp/fl/wtm/b/CMakeFiles/anc_export.dir/DependInfo.cmake"
  "/tmp/fl/wtm/b/CMakeFiles/anc_common.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
