# Empty dependencies file for fuzz_pem.
# This may be replaced when dependencies are built.
