
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/tmp/fl/wtm/transcript/pgpwords.c" "CMakeFiles/anc_transcript.dir/transcript/pgpwords.c.o" "gcc" "CMakeFiles/anc_transcript.dir/transcript/pgpwords.c.o.d"
  "/tmp/fl/wtm/transcript/transcript.c" "CMakeFiles/anc_transcript.dir/transcript/transcript.c.o" "gcc" "CMakeFiles/anc_transcript.dir/transcript/transcript.c.o.d"
  "/tmp/fl/wtm/transcript/transcript_report.c" "CMakeFiles/anc_transcript.dir/transcript/transcript_report.c.o" "gcc" "CMakeFiles/anc_transcript.dir/transcript/transcript_report.c.o.d"
  "/tmp/fl/wtm/transcript/transcript_verify.c" "CMakeFiles/anc_transcript.dir/transcript/transcript_verify.c.o" "gcc" "CMakeFiles/anc_transcript.dir/transcript/transcript_verify.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/tmp/fl/wtm/b/CMakeFiles/anc_export.dir/DependInfo.cmake"
  "/tmp/fl/wtm/b/CMakeFiles/anc_common.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
