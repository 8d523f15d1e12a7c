file(REMOVE_RECURSE
  "libanc_common.a"
)
