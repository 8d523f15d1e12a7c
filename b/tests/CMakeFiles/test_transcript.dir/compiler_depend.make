# Empty compiler generated dependencies file for test_transcript.
# This may be replaced when dependencies are built.
