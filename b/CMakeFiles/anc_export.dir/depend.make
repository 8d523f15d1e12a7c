# Empty dependencies file for anc_export.
# This may be replaced when dependencies are built.
