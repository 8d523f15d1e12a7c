# Empty compiler generated dependencies file for fuzz_ceremony.
# This may be replaced when dependencies are built.
