/*
 * anchorage: what the files of `outbox verify` share (verify.c, the
 * checks; verify_unlisted.c, naming the files SHA256SUMS does not list;
 * verify_sums.c, reading SHA256SUMS and sending findings, used by both).
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

#endif /* ANCHORAGE_VERIFY_INT_H */
