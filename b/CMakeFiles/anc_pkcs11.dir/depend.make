# Empty dependencies file for anc_pkcs11.
# This may be replaced when dependencies are built.
