
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/tmp/fl/wtm/common/err.c" "CMakeFiles/anc_common.dir/common/err.c.o" "gcc" "CMakeFiles/anc_common.dir/common/err.c.o.d"
  "/tmp/fl/wtm/common/file.c" "CMakeFiles/anc_common.dir/common/file.c.o" "gcc" "CMakeFiles/anc_common.dir/common/file.c.o.d"
  "/tmp/fl/wtm/common/hash.c" "CMakeFiles/anc_common.dir/common/hash.c.o" "gcc" "CMakeFiles/anc_common.dir/common/hash.c.o.d"
  "/tmp/fl/wtm/common/secmem.c" "CMakeFiles/anc_common.dir/common/secmem.c.o" "gcc" "CMakeFiles/anc_common.dir/common/secmem.c.o.d"
  "/tmp/fl/wtm/common/shamir.c" "CMakeFiles/anc_common.dir/common/shamir.c.o" "gcc" "CMakeFiles/anc_common.dir/common/shamir.c.o.d"
  "/tmp/fl/wtm/common/sigcheck.c" "CMakeFiles/anc_common.dir/common/sigcheck.c.o" "gcc" "CMakeFiles/anc_common.dir/common/sigcheck.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
