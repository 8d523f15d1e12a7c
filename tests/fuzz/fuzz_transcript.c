/*
 * Fuzz target: transcript.jsonl, as `transcript verify` and `transcript
 * report` read it.  The input becomes the transcript of an outbox that
 * holds the fixture's certificates (from tests/fuzz/outbox/), so output
 * records and anchors can match.  Promises checked: a refusal is ANC_E_VERIFY and
 * names a line or a file; a pass has a closing hash and words, and the
 * report of the same transcript is made.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anchorage/err.h"
#include "anchorage/transcript.h"
#include "fuzz.h"

#ifndef ANC_FUZZ_OUTBOX
#error "ANC_FUZZ_OUTBOX: the directory of the fixture outbox"
#endif

static const char *const fixtures[] = { "issuing-2026.pem",
    "trust-bundle.pem" };
static char dir[64], path[96];

static void
cleanup(void)
{
	char f[160];
	size_t i;

	for (i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		snprintf(f, sizeof(f), "%s/%s", dir, fixtures[i]);
		unlink(f);
	}
	unlink(path);
	rmdir(dir);
}

static void
copy(const char *name)
{
	char from[512], to[160], buf[65536];
	ssize_t n;
	int in, out;

	snprintf(from, sizeof(from), "%s/%s", ANC_FUZZ_OUTBOX, name);
	snprintf(to, sizeof(to), "%s/%s", dir, name);
	if ((in = open(from, O_RDONLY)) < 0 ||
	    (out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0)
		abort();
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			abort();
	close(in);
	close(out);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	size_t i;

	snprintf(dir, sizeof(dir), "%s/anc-fuzz-tr.XXXXXX",
	    tmp != NULL && strlen(tmp) < 32 ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/transcript.jsonl", dir);
	atexit(cleanup);
	for (i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++)
		copy(fixtures[i]);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct anc_tr_summary s;
	struct anc_err err;
	char *html = NULL;
	int fd, r;

	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0 ||
	    write(fd, data, size) != (ssize_t)size || close(fd) != 0)
		abort();
	anc_err_clear(&err);
	r = anc_transcript_verify(dir, NULL, &s, &err);
	if (r == ANC_E_VERIFY && s.fail_line == 0 && s.fail_file[0] == '\0')
		abort();
	if (r != ANC_OK && r != ANC_E_VERIFY && r != ANC_E_NOMEM)
		abort();
	if (r == ANC_OK && (strlen(s.closing_hash) != 64 ||
	    s.words[0] == '\0' || s.records < 2))
		abort();
	if (r == ANC_OK && anc_transcript_report(dir, NULL, &html, &err) !=
	    ANC_OK)
		abort();
	free(html);
	return 0;
}
