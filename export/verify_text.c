/*
 * anchorage: the text files of an outbox (the transcript, READMEs)
 * checked for `outbox verify` as they are read, in memory that does not
 * grow with the file.  The transcript is appended record by record and is
 * the one outbox file not bound by ANC_OUTBOX_FILE_MAX: a fleet of 10,000
 * clusters writes one of several MiB.
 *
 * The checks are those of a file held whole: no NUL byte, no wrapped key,
 * no private key in any form keyscan.c finds.  The search runs over a
 * window at a time.  Each window starts with the end of the one before:
 * the last TEXT_OVERLAP bytes (longer than a label or any private key in
 * DER without a zero byte, the only DER a text file can hold) and, if the
 * window ended inside a run of base64, the whole of that run, so that
 * nothing the search finds is cut in two by a window's edge.  A run longer
 * than TEXT_RUN_MAX is refused: no record, no README holds one (JSON and
 * prose break base64 with other characters), and carrying it on would
 * make memory grow with the file again.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/secmem.h"
#include "keyscan.h"
#include "verify_int.h"

#define TEXT_STEP (1u << 20)	/* new bytes per window */
#define TEXT_OVERLAP (64u << 10)
#define TEXT_RUN_MAX (1u << 20)
#define TEXT_CAP (TEXT_RUN_MAX + TEXT_STEP)

struct anc_ov_text {
	unsigned char *win;	/* TEXT_CAP bytes */
	size_t len;		/* bytes in the window */
	size_t fresh;		/* of them, not searched yet */
	size_t used;		/* the most the window held: to wipe */
	size_t lines;
};

struct anc_ov_text *
anc_ov_text_new(void)
{
	struct anc_ov_text *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->win = malloc(TEXT_CAP)) == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void
anc_ov_text_free(struct anc_ov_text *t)
{
	if (t == NULL)
		return;
	/* A file that fails may hold a key.  Only what was used: a README
	 * of a few lines is not worth wiping 2 MiB for. */
	anc_freezero(t->win, t->used);
	free(t);
}

/* The window searched; unless it is the last, its end kept for the next. */
static int
search(struct anc_ov_text *t, int last, struct anc_err *err)
{
	size_t cut, from;
	int found;

	if (t->fresh == 0)
		return ANC_OK;
	if (memmem(t->win, t->len, ANC_WRAPPED_MAGIC,
	    strlen(ANC_WRAPPED_MAGIC)) != NULL)
		return anc_err_set(err, ANC_E_VERIFY, "holds a wrapped key "
		    "(\"%s\"), which belongs on the backup medium; the outbox "
		    "never carries key material, wrapped or not",
		    ANC_WRAPPED_MAGIC);
	if (memmem(t->win, t->len, ANC_PRIVATE_KEY_TAG,
	    strlen(ANC_PRIVATE_KEY_TAG)) != NULL)
		return anc_err_set(err, ANC_E_VERIFY, "holds \"%s\", expected "
		    "no private key", ANC_PRIVATE_KEY_TAG);
	if ((found = anc_holds_private_key(t->win, t->len,
	    ANC_KEY_B64_DEPTH)) != 0)
		return anc_err_set(err, found < 0 ? ANC_E_NOMEM : ANC_E_VERIFY,
		    "%s", found < 0 ? "looking for private keys" : "holds a "
		    "private key in base64 or DER, expected none");
	t->fresh = 0;
	if (last)
		return ANC_OK;
	for (cut = t->len; cut > 0 && anc_b64_run_char(t->win[cut - 1]);
	    cut--)
		;
	from = t->len > TEXT_OVERLAP ? t->len - TEXT_OVERLAP : 0;
	if (cut < from)
		from = cut;
	if (t->len - from > TEXT_RUN_MAX)
		return anc_err_set(err, ANC_E_VERIFY, "a run of more than %u "
		    "bytes of base64 and white space, expected text that "
		    "other characters break up", TEXT_RUN_MAX);
	memmove(t->win, t->win + from, t->len - from);
	t->len -= from;
	return ANC_OK;
}

int
anc_ov_text_piece(struct anc_ov_text *t, const unsigned char *p, size_t n,
    struct anc_err *err)
{
	size_t i, m;
	int r;

	if (n > 0 && memchr(p, '\0', n) != NULL)
		return anc_err_set(err, ANC_E_VERIFY, "binary data, expected "
		    "text");
	for (i = 0; i < n; i++)
		t->lines += p[i] == '\n';
	while (n > 0) {
		m = TEXT_CAP - t->len < n ? TEXT_CAP - t->len : n;
		memcpy(t->win + t->len, p, m);
		t->len += m;
		t->fresh += m;
		if (t->len > t->used)
			t->used = t->len;
		p += m;
		n -= m;
		if (t->len == TEXT_CAP && (r = search(t, 0, err)) != ANC_OK)
			return r;
	}
	return ANC_OK;
}

int
anc_ov_text_end(struct anc_ov_text *t, size_t *lines, struct anc_err *err)
{
	int r;

	if ((r = search(t, 1, err)) != ANC_OK)
		return r;
	*lines = t->lines;
	return ANC_OK;
}
