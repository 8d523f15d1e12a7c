file(REMOVE_RECURSE
  "CMakeFiles/fuzz_transcript.dir/fuzz_transcript.c.o"
  "CMakeFiles/fuzz_transcript.dir/fuzz_transcript.c.o.d"
  "CMakeFiles/fuzz_transcript.dir/replay.c.o"
  "CMakeFiles/fuzz_transcript.dir/replay.c.o.d"
  "fuzz_transcript"
  "fuzz_transcript.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_transcript.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
