file(REMOVE_RECURSE
  "CMakeFiles/fuzz_clusters.dir/fuzz_clusters.c.o"
  "CMakeFiles/fuzz_clusters.dir/fuzz_clusters.c.o.d"
  "CMakeFiles/fuzz_clusters.dir/replay.c.o"
  "CMakeFiles/fuzz_clusters.dir/replay.c.o.d"
  "fuzz_clusters"
  "fuzz_clusters.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_clusters.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
