# Empty dependencies file for anc-token-init.
# This may be replaced when dependencies are built.
