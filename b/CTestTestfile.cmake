# CMake generated Testfile for 
# Source directory: /tmp/fl/wtm
# Build directory: /tmp/fl/wtm/b
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
subdirs("tests")
