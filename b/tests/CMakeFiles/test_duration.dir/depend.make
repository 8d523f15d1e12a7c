# Empty dependencies file for test_duration.
# This may be replaced when dependencies are built.
