file(REMOVE_RECURSE
  "CMakeFiles/test_transcript.dir/unit/test_transcript.c.o"
  "CMakeFiles/test_transcript.dir/unit/test_transcript.c.o.d"
  "test_transcript"
  "test_transcript.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_transcript.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
