# Empty dependencies file for fuzz_share.
# This may be replaced when dependencies are built.
