# Empty dependencies file for anc_common.
# This may be replaced when dependencies are built.
