# Empty compiler generated dependencies file for test_ceremony_validate.
# This may be replaced when dependencies are built.
