# Empty dependencies file for fuzz_outbox_sums.
# This may be replaced when dependencies are built.
