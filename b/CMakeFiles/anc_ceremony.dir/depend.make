# Empty dependencies file for anc_ceremony.
# This may be replaced when dependencies are built.
