/*
 * anchorage fuzz targets: the libFuzzer entry points.
 *
 * Each tests/fuzz/fuzz_<name>.c defines LLVMFuzzerTestOneInput, and
 * LLVMFuzzerInitialize when it needs setup, and has its seeds in
 * tests/fuzz/corpus/<name>/.  With ANC_FUZZ they link libFuzzer; otherwise
 * replay.c runs them once over their corpus as an ordinary test.
 *
 * A target feeds one input to one parser, frees everything it made, and
 * abort()s when a promise of the parser's contract is broken, so the
 * fuzzer reports it as a crash.
 */
#ifndef ANCHORAGE_FUZZ_H
#define ANCHORAGE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* ANCHORAGE_FUZZ_H */
