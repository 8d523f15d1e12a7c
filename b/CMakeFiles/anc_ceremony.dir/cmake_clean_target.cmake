file(REMOVE_RECURSE
  "libanc_ceremony.a"
)
