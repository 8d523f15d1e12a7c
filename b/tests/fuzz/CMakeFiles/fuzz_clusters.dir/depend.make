# Empty dependencies file for fuzz_clusters.
# This may be replaced when dependencies are built.
