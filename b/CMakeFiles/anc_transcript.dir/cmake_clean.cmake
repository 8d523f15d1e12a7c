file(REMOVE_RECURSE
  "CMakeFiles/anc_transcript.dir/transcript/pgpwords.c.o"
  "CMakeFiles/anc_transcript.dir/transcript/pgpwords.c.o.d"
  "CMakeFiles/anc_transcript.dir/transcript/transcript.c.o"
  "CMakeFiles/anc_transcript.dir/transcript/transcript.c.o.d"
  "CMakeFiles/anc_transcript.dir/transcript/transcript_report.c.o"
  "CMakeFiles/anc_transcript.dir/transcript/transcript_report.c.o.d"
  "CMakeFiles/anc_transcript.dir/transcript/transcript_verify.c.o"
  "CMakeFiles/anc_transcript.dir/transcript/transcript_verify.c.o.d"
  "libanc_transcript.a"
  "libanc_transcript.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/anc_transcript.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
