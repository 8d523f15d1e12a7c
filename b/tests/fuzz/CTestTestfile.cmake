# CMake generated Testfile for 
# Source directory: /tmp/fl/wtm/tests/fuzz
# Build directory: /tmp/fl/wtm/b/tests/fuzz
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test(fuzz/ceremony "/tmp/fl/wtm/b/tests/fuzz/fuzz_ceremony" "/tmp/fl/wtm/tests/fuzz/corpus/ceremony")
set_tests_properties(fuzz/ceremony PROPERTIES  LABELS "fuzz" _BACKTRACE_TRIPLES "/tmp/fl/wtm/tests/fuzz/CMakeLists.txt;19;add_test;/tmp/fl/wtm/tests/fuzz/CMakeLists.txt;0;")
add_test(fuzz/clusters "/tmp/fl/wtm/b/tests/fuzz/fuzz_clusters" "/tmp/fl/wtm/tests/fuzz/corpus/clusters")
set_tests_properties(fuzz/clusters PROPERTIES  LABELS "fuzz" _BACKTRACE_TRIPLES "/tmp/fl/wtm/tests/fuzz/CMakeLists.txt;19;add_test;/tmp/fl/wtm/tests/fuzz/CMakeLists.txt;0;")
add_test(fuzz/csr "/tmp/fl/wtm/b/tests/fuzz/fuzz_csr" "/tmp/fl/wtm/tests/fuzz/corpus/csr")
set_tests_properties(fuzz/csr PROPERTIES  LABELS "fuzz" _BACKTRACE_TRIPLES "/tmp/fl/wtm/tests/fuzz/CMakeLists.txt;19;add_test;/tmp/fl/wtm/tests/fuzz/CMakeLists.txt;0;")
add_test(fuzz/inventory_k8s "/tmp/fl/wtm/b/tests/fuzz/fuzz_inventory_k8s" "/tmp/fl/wtm/tests/fuzz/corpus/inventory_k8s")
set_tests_properties(fuzz/inventory_k8s PROPERTIES  LABELS "fuzz" _BACKTRACE_TRIPLES "/tmp/fl/wtm/tests/fuzz/CMakeLists.txt;19;add_test;/tmp/fl/wtm/tests/fuzz/CMakeLists.txt;0;")
add_test(fuzz/outbox_content "/tmp/fl/wtm/b/tests/fuzz/fuzz_outbox_content" "/tmp/fl/wtm/tests/fuzz/corpus/outbox_content")
set_tests_properties(fuzz/outbox_content PROPERTIES  LABELS "fuzz" _BACKTRACE_TRIPLES "/tmp/fl/wtm/tests/fuzz/CMakeLists.txt;19;add_test;/tmp/fl/wtm/tests/fuzz/CMakeLists.txt;0;")
add_test(fuzz/outbox_sums "/tmp/fl/wtm/b/tests/fuzz/fuzz_outbox_sums" "/tmp/fl/wtm/tests/fuzz/corpus/outbox_sums")
set_tests_properties(fuzz/outbox_sums PROPERTIES  LABELS "fuzz" _BACKTRACE_TRIPLES "/tmp/fl/wtm/tests/fuzz/CMakeLists.txt;19;add_test;/tmp/fl/wtm/tests/fuzz/CMakeLists.txt;0;")
add_test(fuzz/pem "/tmp/fl/wtm/b/tests/fuzz/fuzz_pem" "/tmp/fl/wtm/tests/fuzz/corpus/pem")
set_tests_properties(fuzz/pem PROPERTIES  LABELS "fuzz" _BACKTRACE_TRIPLES "/tmp/fl/wtm/tests/fuzz/CMakeLists.txt;19;add_test;/tmp/fl/wtm/tests/fuzz/CMakeLists.txt;0;")
add_test(fuzz/pin "/tmp/fl/wtm/b/tests/fuzz/fuzz_pin" "/tmp/fl/wtm/tests/fuzz/corpus/pin")
set_tests_properties(fuzz/pin PROPERTIES  LABELS "fuzz" _BACKTRACE_TRIPLES "/tmp/fl/wtm/tests/fuzz/CMakeLists.txt;19;add_test;/tmp/fl/wtm/tests/fuzz/CMakeLists.txt;0;")
add_test(fuzz/share "/tmp/fl/wtm/b/tests/fuzz/fuzz_share" "/tmp/fl/wtm/tests/fuzz/corpus/share")
set_tests_properties(fuzz/share PROPERTIES  LABELS "fuzz" _BACKTRACE_TRIPLES "/tmp/fl/wtm/tests/fuzz/CMakeLists.txt;19;add_test;/tmp/fl/wtm/tests/fuzz/CMakeLists.txt;0;")
add_test(fuzz/transcript "/tmp/fl/wtm/b/tests/fuzz/fuzz_transcript" "/tmp/fl/wtm/tests/fuzz/corpus/transcript")
set_tests_properties(fuzz/transcript PROPERTIES  LABELS "fuzz" _BACKTRACE_TRIPLES "/tmp/fl/wtm/tests/fuzz/CMakeLists.txt;19;add_test;/tmp/fl/wtm/tests/fuzz/CMakeLists.txt;0;")
add_test(fuzz/wrapped "/tmp/fl/wtm/b/tests/fuzz/fuzz_wrapped" "/tmp/fl/wtm/tests/fuzz/corpus/wrapped")
set_tests_properties(fuzz/wrapped PROPERTIES  LABELS "fuzz" _BACKTRACE_TRIPLES "/tmp/fl/wtm/tests/fuzz/CMakeLists.txt;19;add_test;/tmp/fl/wtm/tests/fuzz/CMakeLists.txt;0;")
