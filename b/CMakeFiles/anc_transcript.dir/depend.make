# Empty dependencies file for anc_transcript.
# This may be replaced when dependencies are built.
