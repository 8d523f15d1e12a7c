file(REMOVE_RECURSE
  "libanc_transcript.a"
)
