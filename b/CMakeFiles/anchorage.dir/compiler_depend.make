# Empty compiler generated dependencies file for anchorage.
# This may be replaced when dependencies are built.
