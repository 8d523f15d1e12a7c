/*
 * anchorage: what the files of `transcript verify` share.  The verifier
 * reads the transcript line by line and keeps nothing per record, so it
 * runs in bounded memory however many clusters a ceremony had.
 */
#ifndef ANCHORAGE_TRANSCRIPT_VERIFY_INT_H
#define ANCHORAGE_TRANSCRIPT_VERIFY_INT_H

#include <jansson.h>
#include <openssl/evp.h>

#include "anchorage/err.h"
#include "anchorage/hash.h"
#include "anchorage/transcript.h"

struct vctx {
	const char *outbox;
	const char *anchor;
	struct anc_tr_summary *s;
	char prev[ANC_SHA256_HEX];	/* SHA-256 of the line before */
	int rehearsal, unattended;
	int expect_signed;		/* the start record names a signer */
	int format;			/* the start record's, 1 or 2 */
	EVP_MD_CTX *files_md;		/* the files output and cluster
					 * records name, in order */
	size_t files;
};

/* "OUTBOX/transcript.jsonl:LINE: record LINE: ..." and the line in the
 * summary; returns ANC_E_VERIFY. */
ANC_MUST_CHECK
int anc_trv_fail(struct vctx *v, size_t line, struct anc_err *err,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A string member, or NULL. */
const char *anc_trv_str(const json_t *rec, const char *key);

/* An "output" record, or a "cluster" record's files: each file exists
 * with the recorded SHA-256, and goes into the running list hash. */
ANC_MUST_CHECK
int anc_trv_output(struct vctx *v, const json_t *rec, size_t no,
    struct anc_err *err);
ANC_MUST_CHECK
int anc_trv_cluster(struct vctx *v, const json_t *rec, size_t no,
    struct anc_err *err);

/* An "end" record's account of the files (format 1: its list; format 2:
 * its count and hash) against the records, then the outbox against it:
 * no file the transcript does not record. */
ANC_MUST_CHECK
int anc_trv_end_outputs(struct vctx *v, const json_t *rec, size_t no,
    struct anc_err *err);

/* The closing record's signature and the certificate that vouches for
 * its key, or the reason it is unsigned. */
ANC_MUST_CHECK
int anc_trv_closing(struct vctx *v, const json_t *rec, size_t no,
    struct anc_err *err);

#endif /* ANCHORAGE_TRANSCRIPT_VERIFY_INT_H */
