# Empty compiler generated dependencies file for test_shamir.
# This may be replaced when dependencies are built.
