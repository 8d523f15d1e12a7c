# Empty compiler generated dependencies file for fuzz_wrapped.
# This may be replaced when dependencies are built.
