# Empty dependencies file for test_constraints.
# This may be replaced when dependencies are built.
