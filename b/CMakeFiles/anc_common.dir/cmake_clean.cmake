file(REMOVE_RECURSE
  "CMakeFiles/anc_common.dir/common/err.c.o"
  "CMakeFiles/anc_common.dir/common/err.c.o.d"
  "CMakeFiles/anc_common.dir/common/file.c.o"
  "CMakeFiles/anc_common.dir/common/file.c.o.d"
  "CMakeFiles/anc_common.dir/common/hash.c.o"
  "CMakeFiles/anc_common.dir/common/hash.c.o.d"
  "CMakeFiles/anc_common.dir/common/secmem.c.o"
  "CMakeFiles/anc_common.dir/common/secmem.c.o.d"
  "CMakeFiles/anc_common.dir/common/shamir.c.o"
  "CMakeFiles/anc_common.dir/common/shamir.c.o.d"
  "CMakeFiles/anc_common.dir/common/sigcheck.c.o"
  "CMakeFiles/anc_common.dir/common/sigcheck.c.o.d"
  "libanc_common.a"
  "libanc_common.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/anc_common.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
