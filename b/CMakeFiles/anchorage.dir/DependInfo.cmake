
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/tmp/fl/wtm/appliance/cmd_ceremony.c" "CMakeFiles/anchorage.dir/appliance/cmd_ceremony.c.o" "gcc" "CMakeFiles/anchorage.dir/appliance/cmd_ceremony.c.o.d"
  "/tmp/fl/wtm/appliance/cmd_inventory.c" "CMakeFiles/anchorage.dir/appliance/cmd_inventory.c.o" "gcc" "CMakeFiles/anchorage.dir/appliance/cmd_inventory.c.o.d"
  "/tmp/fl/wtm/appliance/cmd_outbox.c" "CMakeFiles/anchorage.dir/appliance/cmd_outbox.c.o" "gcc" "CMakeFiles/anchorage.dir/appliance/cmd_outbox.c.o.d"
  "/tmp/fl/wtm/appliance/cmd_probe.c" "CMakeFiles/anchorage.dir/appliance/cmd_probe.c.o" "gcc" "CMakeFiles/anchorage.dir/appliance/cmd_probe.c.o.d"
  "/tmp/fl/wtm/appliance/cmd_status.c" "CMakeFiles/anchorage.dir/appliance/cmd_status.c.o" "gcc" "CMakeFiles/anchorage.dir/appliance/cmd_status.c.o.d"
  "/tmp/fl/wtm/appliance/cmd_token.c" "CMakeFiles/anchorage.dir/appliance/cmd_token.c.o" "gcc" "CMakeFiles/anchorage.dir/appliance/cmd_token.c.o.d"
  "/tmp/fl/wtm/appliance/cmd_transcript.c" "CMakeFiles/anchorage.dir/appliance/cmd_transcript.c.o" "gcc" "CMakeFiles/anchorage.dir/appliance/cmd_transcript.c.o.d"
  "/tmp/fl/wtm/appliance/main.c" "CMakeFiles/anchorage.dir/appliance/main.c.o" "gcc" "CMakeFiles/anchorage.dir/appliance/main.c.o.d"
  "/tmp/fl/wtm/appliance/output.c" "CMakeFiles/anchorage.dir/appliance/output.c.o" "gcc" "CMakeFiles/anchorage.dir/appliance/output.c.o.d"
  "/tmp/fl/wtm/appliance/probe_print.c" "CMakeFiles/anchorage.dir/appliance/probe_print.c.o" "gcc" "CMakeFiles/anchorage.dir/appliance/probe_print.c.o.d"
  "/tmp/fl/wtm/appliance/prompt.c" "CMakeFiles/anchorage.dir/appliance/prompt.c.o" "gcc" "CMakeFiles/anchorage.dir/appliance/prompt.c.o.d"
  "/tmp/fl/wtm/appliance/quorum.c" "CMakeFiles/anchorage.dir/appliance/quorum.c.o" "gcc" "CMakeFiles/anchorage.dir/appliance/quorum.c.o.d"
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
