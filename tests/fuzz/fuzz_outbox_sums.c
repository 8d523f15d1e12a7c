/*
 * Fuzz target: SHA256SUMS, the list `outbox verify` starts from.  The
 * input becomes SHA256SUMS in a copy of a small real outbox
 * (tests/fuzz/outbox/), and the whole outbox is verified: the list, the
 * walk, hashes and the content of each file listed.  Promises checked: a
 * refusal is ANC_E_VERIFY and names a failed item; a pass means every
 * item passed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "fuzz.h"

#ifndef ANC_FUZZ_OUTBOX
#error "ANC_FUZZ_OUTBOX: the directory of the fixture outbox"
#endif

static char dir[64], sums[96];

static void
remove_tree(const char *path)
{
	char *sub = NULL;
	struct dirent *de;
	DIR *d;

	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0 ||
			    asprintf(&sub, "%s/%s", path, de->d_name) < 0)
				continue;
			remove_tree(sub);
			free(sub);
		}
		closedir(d);
		rmdir(path);
	} else
		unlink(path);
}

static void
cleanup(void)
{
	remove_tree(dir);
}

/* Regular files of src into dst, and of src/manifests into dst/manifests. */
static void
copy_dir(const char *src, const char *dst, int top)
{
	char *from = NULL, *to = NULL;
	unsigned char buf[65536];
	struct dirent *de;
	struct stat st;
	ssize_t n;
	int in, out;
	DIR *d;

	if ((d = opendir(src)) == NULL)
		abort();
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&from, "%s/%s", src, de->d_name) < 0 ||
		    asprintf(&to, "%s/%s", dst, de->d_name) < 0 ||
		    stat(from, &st) != 0)
			abort();
		if (S_ISDIR(st.st_mode) && top &&
		    strcmp(de->d_name, "manifests") == 0) {
			if (mkdir(to, 0700) != 0)
				abort();
			copy_dir(from, to, 0);
		} else if (S_ISREG(st.st_mode)) {
			if ((in = open(from, O_RDONLY)) < 0 ||
			    (out = open(to, O_WRONLY | O_CREAT | O_EXCL,
			    0600)) < 0)
				abort();
			while ((n = read(in, buf, sizeof(buf))) > 0)
				if (write(out, buf, (size_t)n) != n)
					abort();
			close(in);
			close(out);
		}
		free(from);
		free(to);
	}
	closedir(d);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/anc-fuzz-outbox.XXXXXX",
	    tmp != NULL && strlen(tmp) < 32 ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	atexit(cleanup);
	copy_dir(ANC_FUZZ_OUTBOX, dir, 1);
	snprintf(sums, sizeof(sums), "%s/SHA256SUMS", dir);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct anc_verify_item *items = NULL;
	struct anc_err err;
	size_t i, n = 0, failed = 0;
	int fd, r;

	unlink(sums);
	if ((fd = open(sums, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0 ||
	    write(fd, data, size) != (ssize_t)size || close(fd) != 0)
		abort();
	anc_err_clear(&err);
	r = anc_outbox_verify(dir, &items, &n, &err);
	if (r != ANC_OK && r != ANC_E_VERIFY && r != ANC_E_NOMEM)
		abort();
	if (r != ANC_E_NOMEM) {
		if (items == NULL || n < 1 ||
		    strcmp(items[0].file, "SHA256SUMS") != 0)
			abort();
		for (i = 0; i < n; i++)
			failed += !items[i].ok;
		if ((r == ANC_OK) != (failed == 0))
			abort();
	}
	free(items);
	ERR_clear_error();
	return 0;
}
