file(REMOVE_RECURSE
  "libanc_rotation.a"
)
