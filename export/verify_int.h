/*
 * anchorage: what the files of `outbox verify` share (verify.c, the
 * checks; verify_unlisted.c, naming the files SHA256SUMS does not list;
 * verify_sums.c, reading SHA256SUMS and sending findings, used by both;
 * verify_content.c, each file's content as it is read; verify_text.c,
 * the text files in pieces).
 */
#ifndef ANCHORAGE_VERIFY_INT_H
#define ANCHORAGE_VERIFY_INT_H

#include <stdint.h>
#include <stdio.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/hash.h"
#include "export_int.h"

/* A multiset of names: how many, and the sum of their SHA-256. */
struct anc_ov_sum {
	uint64_t w[4];
	size_t n;
};

/* One line of SHA256SUMS. */
struct anc_ov_line {
	char name[ANC_OUTBOX_NAME_MAX + 1];
	char want[ANC_SHA256_HEX];
	size_t line;
};

struct anc_ov {
	const char *dir;
	int dirfd;
	anc_verify_fn fn;
	void *arg;
	FILE *sums;		/* SHA256SUMS, or NULL */
	size_t line;		/* of the last line read */
	int sums_ok;		/* read whole, every line well formed */
	struct anc_ov_sum listed, found;
	int failed;
	struct anc_err first;	/* the first failure */
};

/* Copy a message cut to fit an item's field. */
void anc_ov_copy_msg(char *dst, size_t cap, const char *src);
/* Send one finding to the caller; the first failure goes to v->first. */
ANC_MUST_CHECK
int anc_ov_emit(struct anc_ov *v, struct anc_verify_item *it,
    struct anc_err *err);
/* Parse one line (without its newline) into *out. */
ANC_MUST_CHECK
int anc_ov_parse_line(const char *l, size_t len, size_t line,
    struct anc_ov_line *out, struct anc_err *err);
/* The next line of v->sums: 1, 0 at the end, or an error. */
ANC_MUST_CHECK
int anc_ov_next(struct anc_ov *v, struct anc_ov_line *out,
    struct anc_err *err);
void anc_ov_sum_add(struct anc_ov_sum *m, const char *name);
/* Report `name` as failed with `detail`. */
ANC_MUST_CHECK
int anc_ov_emit_problem(struct anc_ov *v, const char *name,
    const char *detail, struct anc_err *err);

/* Does SHA256SUMS list `name`?  Read through: for the rare entry that is
 * neither a file nor a directory. */
int anc_ov_listed(struct anc_ov *v, const char *name);

/*
 * The names found and listed differ: report each regular file SHA256SUMS
 * does not list, and each name it lists twice.  A table of 8-byte
 * fingerprints of the listed names, built only here.
 */
ANC_MUST_CHECK
int anc_ov_name_unlisted(struct anc_ov *v, struct anc_err *err);

/*
 * A text file (transcript, README) checked in pieces as it is read, in
 * memory that does not grow with it (verify_text.c): no NUL byte, no
 * private or wrapped key.  _piece and _end return ANC_OK, or ANC_E_VERIFY
 * (ANC_E_NOMEM) with err saying why, without the file name; _end gives
 * the number of lines.
 */
struct anc_ov_text;
ANC_MUST_CHECK
struct anc_ov_text *anc_ov_text_new(void);
void anc_ov_text_free(struct anc_ov_text *t);
ANC_MUST_CHECK
int anc_ov_text_piece(struct anc_ov_text *t, const unsigned char *p,
    size_t n, struct anc_err *err);
ANC_MUST_CHECK
int anc_ov_text_end(struct anc_ov_text *t, size_t *lines,
    struct anc_err *err);

/*
 * One outbox file's content, checked as it is read (verify_content.c):
 * anc_ov_content_piece is an anc_file_piece_fn.  A text file is checked in
 * pieces; any other kind (PEM, manifests, Helm values) needs its bytes
 * whole and is held, up to ANC_OUTBOX_FILE_MAX: the outbox writes no
 * larger file of those kinds (anc_outbox_add refuses one).  A failure is
 * kept, not returned, so the file is still hashed to the end: a changed
 * file is named as changed before what its content lacks.
 */
struct anc_ov_content {
	const char *name;		/* borrowed */
	struct anc_buf *whole;		/* a kind read whole: its bytes */
	struct anc_ov_text *text;	/* a text kind */
	int failed;
	int code;			/* of the kept failure */
	struct anc_err first;		/* the kept failure */
};

ANC_MUST_CHECK
int anc_ov_content_init(struct anc_ov_content *c, const char *name,
    struct anc_err *err);
ANC_MUST_CHECK
int anc_ov_content_piece(void *arg, const unsigned char *p, size_t n,
    struct anc_err *err);
/* The verdict on the whole file, as anc_outbox_check_content. */
ANC_MUST_CHECK
int anc_ov_content_end(struct anc_ov_content *c,
    struct anc_verify_item *it, struct anc_err *err);
void anc_ov_content_free(struct anc_ov_content *c);

#endif /* ANCHORAGE_VERIFY_INT_H */
