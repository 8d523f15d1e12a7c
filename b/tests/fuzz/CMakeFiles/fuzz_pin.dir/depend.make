# Empty dependencies file for fuzz_pin.
# This may be replaced when dependencies are built.
