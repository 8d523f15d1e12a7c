
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/tmp/fl/wtm/pkcs11/backup.c" "CMakeFiles/anc_pkcs11.dir/pkcs11/backup.c.o" "gcc" "CMakeFiles/anc_pkcs11.dir/pkcs11/backup.c.o.d"
  "/tmp/fl/wtm/pkcs11/caps.c" "CMakeFiles/anc_pkcs11.dir/pkcs11/caps.c.o" "gcc" "CMakeFiles/anc_pkcs11.dir/pkcs11/caps.c.o.d"
  "/tmp/fl/wtm/pkcs11/init.c" "CMakeFiles/anc_pkcs11.dir/pkcs11/init.c.o" "gcc" "CMakeFiles/anc_pkcs11.dir/pkcs11/init.c.o.d"
  "/tmp/fl/wtm/pkcs11/keys.c" "CMakeFiles/anc_pkcs11.dir/pkcs11/keys.c.o" "gcc" "CMakeFiles/anc_pkcs11.dir/pkcs11/keys.c.o.d"
  "/tmp/fl/wtm/pkcs11/module.c" "CMakeFiles/anc_pkcs11.dir/pkcs11/module.c.o" "gcc" "CMakeFiles/anc_pkcs11.dir/pkcs11/module.c.o.d"
  "/tmp/fl/wtm/pkcs11/names.c" "CMakeFiles/anc_pkcs11.dir/pkcs11/names.c.o" "gcc" "CMakeFiles/anc_pkcs11.dir/pkcs11/names.c.o.d"
  "/tmp/fl/wtm/pkcs11/needs.c" "CMakeFiles/anc_pkcs11.dir/pkcs11/needs.c.o" "gcc" "CMakeFiles/anc_pkcs11.dir/pkcs11/needs.c.o.d"
  "/tmp/fl/wtm/pkcs11/objects.c" "CMakeFiles/anc_pkcs11.dir/pkcs11/objects.c.o" "gcc" "CMakeFiles/anc_pkcs11.dir/pkcs11/objects.c.o.d"
  "/tmp/fl/wtm/pkcs11/pin.c" "CMakeFiles/anc_pkcs11.dir/pkcs11/pin.c.o" "gcc" "CMakeFiles/anc_pkcs11.dir/pkcs11/pin.c.o.d"
  "/tmp/fl/wtm/pkcs11/restore.c" "CMakeFiles/anc_pkcs11.dir/pkcs11/restore.c.o" "gcc" "CMakeFiles/anc_pkcs11.dir/pkcs11/restore.c.o.d"
  "/tmp/fl/wtm/pkcs11/sign.c" "CMakeFiles/anc_pkcs11.dir/pkcs11/sign.c.o" "gcc" "CMakeFiles/anc_pkcs11.dir/pkcs11/sign.c.o.d"
  "/tmp/fl/wtm/pkcs11/token.c" "CMakeFiles/anc_pkcs11.dir/pkcs11/token.c.o" "gcc" "CMakeFiles/anc_pkcs11.dir/pkcs11/token.c.o.d"
  "/tmp/fl/wtm/pkcs11/trial.c" "CMakeFiles/anc_pkcs11.dir/pkcs11/trial.c.o" "gcc" "CMakeFiles/anc_pkcs11.dir/pkcs11/trial.c.o.d"
  "/tmp/fl/wtm/pkcs11/uri.c" "CMakeFiles/anc_pkcs11.dir/pkcs11/uri.c.o" "gcc" "CMakeFiles/anc_pkcs11.dir/pkcs11/uri.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/tmp/fl/wtm/b/CMakeFiles/anc_common.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
