/*
 * anchorage: the records of a transcript that verified, read again for
 * `transcript report` a line at a time, each checked to be a line that
 * verified (report_int.h).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/file.h"
#include "anchorage/hash.h"
#include "report_int.h"

static int
changed(const char *path, size_t no, struct anc_err *err)
{
	return anc_err_set(err, ANC_E_VERIFY, "%s:%zu: not the line that "
	    "verified: the transcript changed while the report was made",
	    path, no);
}

/* Is the record's prev the SHA-256 of the line before? */
static int
chained(const json_t *rec, const char *prev)
{
	const char *p = json_string_value(json_object_get(rec, "prev"));

	return p != NULL && strcmp(p, prev) == 0;
}

int
anc_tr_each_verified(const char *outbox, const struct anc_tr_summary *s,
    anc_tr_record_fn *fn, void *arg, struct anc_err *err)
{
	char path[4096], prev[ANC_SHA256_HEX] = ANC_TR_ZERO, *line = NULL;
	size_t len = 0, cap = 0, no = 0;
	json_t *rec;
	FILE *f;
	int got = 0, r;

	snprintf(path, sizeof(path), "%s/%s", outbox, ANC_TR_FILE);
	if ((r = anc_file_open_stream(AT_FDCWD, NULL, path, &f, err)) !=
	    ANC_OK)
		return r;
	/* The verifier's longest line. */
	while (r == ANC_OK && (got = anc_file_getline(f, ANC_OUTBOX_FILE_MAX,
	    &line, &cap, &len)) == 1) {
		no++;
		rec = json_loadb(line, len, 0, NULL);
		if (rec == NULL || !chained(rec, prev))
			r = changed(path, no, err);
		else
			r = fn(arg, rec, err);
		json_decref(rec);
		anc_sha256_hex(line, len, prev);
	}
	if (r == ANC_OK && (got != 0 || no != s->records ||
	    strcmp(prev, s->closing_hash) != 0))
		r = changed(path, no, err);
	free(line);
	fclose(f);
	return r;
}
