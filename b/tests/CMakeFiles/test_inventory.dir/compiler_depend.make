# Empty compiler generated dependencies file for test_inventory.
# This may be replaced when dependencies are built.
