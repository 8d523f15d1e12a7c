/*
 * anchorage: the ceremony transcript.  transcript.jsonl is written during
 * `ceremony run` (one JSON record per line, hash-chained, the closing
 * record signed by the ceremony's root key); this module writes it,
 * verifies it, prints its report, and holds the word list the closing
 * hash is read aloud with.  It knows nothing of ceremony scripts: what
 * goes into each record is ceremony/'s business (ceremony/records.c).
 * The format is docs/transcript-format.md.
 */
#ifndef ANCHORAGE_TRANSCRIPT_H
#define ANCHORAGE_TRANSCRIPT_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "anchorage/err.h"

struct anc_err;
struct anc_transcript;

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
ANC_MUST_CHECK
int anc_transcript_verify(const char *outbox, const char *anchor,
    struct anc_tr_summary *s, struct anc_err *err);

/*
 * A self-contained, printable HTML page (no scripts, no network, inline
 * CSS) from a transcript that verifies: participants, steps with their
 * times and confirmers, hashes, exceptions, the closing hash and its words,
 * and a sign-off block per participant.  *html owned by the caller.
 */
ANC_MUST_CHECK
int anc_transcript_report(const char *outbox, const char *anchor,
    char **html, struct anc_err *err);

/*
 * `len` bytes as PGP words, separated by single spaces: byte i is read
 * from the even list when i is even, from the odd list when i is odd.
 * Returns 0, or -1 when `cap` is too small (out is then "").
 */
ANC_MUST_CHECK
int anc_pgp_words(const unsigned char *data, size_t len, char *out,
    size_t cap);

/*
 * Writing.  One JSON object per line, in canonical form (jansson,
 * JSON_COMPACT | JSON_SORT_KEYS, UTF-8 unescaped), so an independent
 * verifier can recompute every hash.  Every record carries seq (its line
 * number), time, type, rehearsal, unattended and prev, the SHA-256 (hex)
 * of the previous line's bytes without its newline (64 zeros for the
 * first line).  Each line is appended with O_APPEND and fsync'd before the
 * call returns.
 */
#define ANC_TR_FILE	"transcript.jsonl"
#define ANC_TR_ZERO \
	"0000000000000000000000000000000000000000000000000000000000000000"
/*
 * The format version the writer puts in the start record ("format").
 * 1 (no "format" member): the end record lists every output file; 2: it
 * gives their count and one hash over them (docs/transcript-format.md).
 * `transcript verify` reads both.
 */
#define ANC_TR_FORMAT 2
/* jansson flags of the canonical form */
#define ANC_TR_JSON_FLAGS (JSON_COMPACT | JSON_SORT_KEYS)

/*
 * Create ANC_TR_FILE in the directory `dirfd` (named `dir` in messages)
 * with O_CREAT|O_EXCL|O_NOFOLLOW, mode 0644.  `rehearsal` and `unattended`
 * are written into every record.  Returns ANC_OK, ANC_E_EXISTS, ANC_E_IO.
 */
ANC_MUST_CHECK
int anc_tr_open(int dirfd, const char *dir, int rehearsal, int unattended,
    struct anc_transcript **out, struct anc_err *err);

/*
 * Append one record of `type` holding `fields` (a JSON object, always
 * consumed) plus the common members.  Refused once a closing record is
 * written.
 */
ANC_MUST_CHECK
int anc_tr_append(struct anc_transcript *t, const char *type,
    json_t *fields, struct anc_err *err);

/*
 * Append the closing record ("end" or "abort").  With a signer, the
 * canonical form of the record without "signature" is signed (SHA-256,
 * ECDSA or RSA PKCS#1 v1.5) with `signer`, the signature is verified with
 * `pub` (the public key as the token holds it), and only then the record
 * is written with "signature" (base64 DER) added.  `fields` is consumed.
 */
ANC_MUST_CHECK
int anc_tr_close(struct anc_transcript *t, const char *type,
    json_t *fields, EVP_PKEY *signer, EVP_PKEY *pub, struct anc_err *err);

/* 1 once a closing record is written. */
ANC_MUST_CHECK
int anc_tr_closed(const struct anc_transcript *t);

/*
 * With `on`, records are written without an fsync each, until
 * anc_tr_sync (or a record written with `on` cleared) syncs them all: a
 * batch step syncs its clusters' records every 100 clusters and at its
 * end, not one by one.
 */
void anc_tr_defer_sync(struct anc_transcript *t, int on);
ANC_MUST_CHECK
int anc_tr_sync(struct anc_transcript *t, struct anc_err *err);

/*
 * The files named by the "output" and "cluster" records written so far:
 * how many, and the SHA-256 (hex) over one line "<sha256>  <file>\n" per
 * file in record order, the end record's outputs_count and
 * outputs_sha256.  Kept as a running hash, not a list.  0, or -1.
 */
ANC_MUST_CHECK
int anc_tr_outputs(const struct anc_transcript *t, size_t *count,
    char hex[65]);

/* SHA-256 (hex) of the last line written; ANC_TR_ZERO before any. */
const char *anc_tr_last_hash(const struct anc_transcript *t);

/* Records written so far. */
size_t anc_tr_count(const struct anc_transcript *t);

/* Close the file.  anc_tr_free(NULL) is safe. */
void anc_tr_free(struct anc_transcript *t);

/* The canonical form of a record, NUL-terminated, malloc'd; NULL on
 * failure (invalid UTF-8 never reaches jansson objects). */
ANC_MUST_CHECK
char *anc_tr_dump(const json_t *rec);

/* RFC 3339 UTC, "2026-11-29T10:15:30Z", into out[21]. */
void anc_tr_time(time_t when, char out[21]);

/* A JSON string for text from outside the script (token strings, typed
 * text): control characters other than tab and newline become '?', and
 * text that is not UTF-8 has its non-ASCII bytes replaced too. */
ANC_MUST_CHECK
json_t *anc_tr_str(const char *s);

/* Base64 DER of a public key (SubjectPublicKeyInfo); malloc'd or NULL. */
ANC_MUST_CHECK
char *anc_tr_spki_b64(EVP_PKEY *pub);

/* SHA-256 hex of a public key's SubjectPublicKeyInfo DER. */
ANC_MUST_CHECK
int anc_tr_spki_sha256(EVP_PKEY *pub, char out[65]);

/* "ecdsa-with-SHA256" or "sha256WithRSAEncryption"; NULL otherwise. */
const char *anc_tr_sig_alg(EVP_PKEY *key);

/* PGP words of a 64-digit hex digest; see anc_pgp_words(). */
ANC_MUST_CHECK
int anc_pgp_words_hex(const char *hex, char *out, size_t cap);

#endif /* ANCHORAGE_TRANSCRIPT_H */
