# Empty compiler generated dependencies file for test_fuzz_regressions.
# This may be replaced when dependencies are built.
