/*
 * anchorage: the ceremony transcript, read back.  transcript.jsonl is
 * written by `ceremony run` (one JSON record per line, hash-chained, the
 * closing record signed by the ceremony's root key); this is the reading
 * side: verification, the printable report, and the word list the
 * closing hash is read aloud with.  The format is docs/transcript-format.md.
 */
#ifndef ANCHORAGE_TRANSCRIPT_H
#define ANCHORAGE_TRANSCRIPT_H

#include <stddef.h>

struct anc_err;

/* 32 words of at most 11 letters, separated by spaces. */
#define ANC_TR_WORDS_MAX 512

/* What a verified transcript says about itself. */
struct anc_tr_summary {
	char ceremony[129];
	size_t records;
	size_t outputs;		/* output records whose file was checked */
	int rehearsal;		/* every record says "rehearsal": true */
	int unattended;		/* run with --yes */
	int complete;		/* closed by "end"; 0: closed by "abort" */
	int is_signed;		/* the closing record carries a signature */
	char unsigned_reason[256];
	char closing_hash[65];	/* SHA-256 of the closing line, hex */
	char words[ANC_TR_WORDS_MAX];	/* the same as PGP words */
	char anchor_sha256[65];	/* certificate whose key signed, DER SHA-256 */
	char anchor_file[512];	/* where that certificate was found */
	/* On failure: the line (= seq) or the file that failed; 0 / "". */
	size_t fail_line;
	char fail_file[256];
};

/*
 * Verify OUTBOX/transcript.jsonl: every line is a canonical JSON record,
 * numbered in order, whose "prev" is the SHA-256 of the line before; it
 * opens with "start" and closes with "end" or "abort"; every output file
 * it records has the recorded SHA-256; and a signed closing record's
 * signature verifies with a public key that belongs to a certificate in
 * OUTBOX/NAME.pem or in `anchor` (a PEM file, may be NULL).
 * Returns ANC_OK, or ANC_E_VERIFY with err naming the first record (line
 * and seq) or file that fails (a missing transcript included).
 * *s is filled as far as verification got.
 */
int anc_transcript_verify(const char *outbox, const char *anchor,
    struct anc_tr_summary *s, struct anc_err *err);

/*
 * A self-contained, printable HTML page (no scripts, no network, inline
 * CSS) from a transcript that verifies: participants, steps with their
 * times and confirmers, hashes, exceptions, the closing hash and its words,
 * and a sign-off block per participant.  *html owned by the caller.
 */
int anc_transcript_report(const char *outbox, const char *anchor,
    char **html, struct anc_err *err);

/*
 * `len` bytes as PGP words, separated by single spaces: byte i is read
 * from the even list when i is even, from the odd list when i is odd.
 * Returns 0, or -1 when `cap` is too small (out is then "").
 */
int anc_pgp_words(const unsigned char *data, size_t len, char *out,
    size_t cap);

#endif /* ANCHORAGE_TRANSCRIPT_H */
