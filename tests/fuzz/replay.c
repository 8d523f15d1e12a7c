/*
 * Runs a fuzz target once over files and directories of inputs, for
 * builds without libFuzzer: the committed corpora then run as ordinary
 * tests under GCC, the ASan build and valgrind.  A broken promise
 * aborts, as it does under the fuzzer.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "anchorage/err.h"
#include "anchorage/file.h"
#include "fuzz.h"

/* Larger than any corpus file; libFuzzer's default -max_len is 4096. */
#define INPUT_MAX (1u << 20)

static int
run_file(const char *path, size_t *count)
{
	unsigned char *data = NULL;
	size_t len = 0;
	struct anc_err err;

	if (anc_file_read(path, INPUT_MAX, &data, &len, &err) != ANC_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	/* Named first: if it aborts, the last name shown is the culprit. */
	fprintf(stderr, "%s\n", path);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	(*count)++;
	return 0;
}

/* Every file of a directory but hidden ones, in name order. */
static int
run_dir(const char *path, size_t *count)
{
	struct dirent **ents;
	char file[4096];
	int i, n, r = 0;

	if ((n = scandir(path, &ents, NULL, alphasort)) < 0) {
		perror(path);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (r == 0 && ents[i]->d_name[0] != '.') {
			snprintf(file, sizeof(file), "%s/%s", path,
			    ents[i]->d_name);
			r = run_file(file, count);
		}
		free(ents[i]);
	}
	free(ents);
	return r;
}

int
main(int argc, char **argv)
{
	struct stat st;
	size_t count = 0;
	int i, r;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize(&argc, &argv) != 0)
		return 1;
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			return 1;
		}
		r = S_ISDIR(st.st_mode) ? run_dir(argv[i], &count) :
		    run_file(argv[i], &count);
		if (r != 0)
			return 1;
	}
	if (count == 0) {
		fprintf(stderr, "%s: no inputs\n", argv[0]);
		return 1;
	}
	printf("%zu inputs, no failure\n", count);
	return 0;
}
