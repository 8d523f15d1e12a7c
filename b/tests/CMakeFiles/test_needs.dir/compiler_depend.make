# Empty compiler generated dependencies file for test_needs.
# This may be replaced when dependencies are built.
