file(REMOVE_RECURSE
  "libanc_pkcs11.a"
)
