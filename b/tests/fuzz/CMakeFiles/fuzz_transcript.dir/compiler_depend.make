# Empty compiler generated dependencies file for fuzz_transcript.
# This may be replaced when dependencies are built.
