# Empty compiler generated dependencies file for fuzz_outbox_content.
# This may be replaced when dependencies are built.
