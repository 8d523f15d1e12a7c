file(REMOVE_RECURSE
  "CMakeFiles/anc_export.dir/export/manifest.c.o"
  "CMakeFiles/anc_export.dir/export/manifest.c.o.d"
  "CMakeFiles/anc_export.dir/export/outbox.c.o"
  "CMakeFiles/anc_export.dir/export/outbox.c.o.d"
  "CMakeFiles/anc_export.dir/export/pem.c.o"
  "CMakeFiles/anc_export.dir/export/pem.c.o.d"
  "CMakeFiles/anc_export.dir/export/verify.c.o"
  "CMakeFiles/anc_export.dir/export/verify.c.o.d"
  "CMakeFiles/anc_export.dir/export/verify_content.c.o"
  "CMakeFiles/anc_export.dir/export/verify_content.c.o.d"
  "CMakeFiles/anc_export.dir/export/yaml_emit.c.o"
  "CMakeFiles/anc_export.dir/export/yaml_emit.c.o.d"
  "libanc_export.a"
  "libanc_export.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/anc_export.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
