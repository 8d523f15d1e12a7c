# Empty dependencies file for fuzz_inventory_k8s.
# This may be replaced when dependencies are built.
