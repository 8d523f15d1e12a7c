# Empty dependencies file for anc-mock-p11.
# This may be replaced when dependencies are built.
