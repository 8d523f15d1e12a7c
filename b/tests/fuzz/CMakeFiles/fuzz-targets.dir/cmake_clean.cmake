file(REMOVE_RECURSE
  "CMakeFiles/fuzz-targets"
)

# Per-language clean rules from dependency scanning.
foreach(lang )
  include(CMakeFiles/fuzz-targets.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
