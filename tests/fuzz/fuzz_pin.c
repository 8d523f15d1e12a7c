/*
 * Fuzz target: pin-source files (--pin-source file:PATH).  The input is
 * written to a 0600 file of the caller's, which anc_file_read_pin reads
 * into a buffer the size the appliance gives it.  Promises checked: an
 * accepted PIN is one non-empty line without NUL, shorter than the
 * buffer, NUL-terminated, and the file's bytes less one line ending.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "anchorage/err.h"
#include "anchorage/file.h"
#include "anchorage/secmem.h"
#include "fuzz.h"

#define CAP (ANC_SECRET_MAX + 1)

static char dir[64], path[96];

static void
cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/anc-fuzz-pin.XXXXXX",
	    tmp != NULL && strlen(tmp) < 32 ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/pin", dir);
	atexit(cleanup);
	return 0;
}

static void
write_pin(const uint8_t *data, size_t size)
{
	FILE *f;

	umask(077);
	if ((f = fopen(path, "w")) == NULL ||
	    fwrite(data, 1, size, f) != size || fclose(f) != 0 ||
	    chmod(path, 0600) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct anc_err err;
	char *buf;
	size_t len = 0, want = size;
	int r;

	write_pin(data, size);
	/* Exactly the appliance's size, so ASan sees a byte too many. */
	if ((buf = malloc(CAP)) == NULL)
		abort();
	anc_err_clear(&err);
	r = anc_file_read_pin(path, buf, CAP, &len, &err);
	if (want > 0 && data[want - 1] == '\n')
		want--;
	if (want > 0 && data[want - 1] == '\r')
		want--;
	if (r == ANC_OK) {
		if (len == 0 || len >= CAP || len != want || buf[len] != '\0' ||
		    memchr(buf, '\n', len) != NULL ||
		    memchr(buf, '\0', len) != NULL ||
		    memcmp(buf, data, len) != 0)
			abort();
	} else if (r != ANC_E_PIN_SOURCE && r != ANC_E_INPUT)
		abort();
	anc_freezero(buf, CAP);
	return 0;
}
