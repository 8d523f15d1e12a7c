file(REMOVE_RECURSE
  "CMakeFiles/anc_pkcs11.dir/pkcs11/backup.c.o"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/backup.c.o.d"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/caps.c.o"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/caps.c.o.d"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/init.c.o"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/init.c.o.d"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/keys.c.o"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/keys.c.o.d"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/module.c.o"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/module.c.o.d"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/names.c.o"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/names.c.o.d"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/needs.c.o"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/needs.c.o.d"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/objects.c.o"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/objects.c.o.d"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/pin.c.o"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/pin.c.o.d"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/restore.c.o"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/restore.c.o.d"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/sign.c.o"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/sign.c.o.d"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/token.c.o"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/token.c.o.d"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/trial.c.o"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/trial.c.o.d"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/uri.c.o"
  "CMakeFiles/anc_pkcs11.dir/pkcs11/uri.c.o.d"
  "libanc_pkcs11.a"
  "libanc_pkcs11.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/anc_pkcs11.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
