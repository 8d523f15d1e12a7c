file(REMOVE_RECURSE
  "libanc_export.a"
)
