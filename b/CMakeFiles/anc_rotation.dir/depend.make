# Empty dependencies file for anc_rotation.
# This may be replaced when dependencies are built.
