# Empty compiler generated dependencies file for fuzz_csr.
# This may be replaced when dependencies are built.
