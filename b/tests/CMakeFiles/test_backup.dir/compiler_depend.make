# Empty compiler generated dependencies file for test_backup.
# This may be replaced when dependencies are built.
