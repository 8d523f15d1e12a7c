/*
 * anchorage: writing the transcript, internal to ceremony/.
 *
 * One JSON object per line, in canonical form (jansson, JSON_COMPACT |
 * JSON_SORT_KEYS, UTF-8 unescaped), so an independent verifier can
 * recompute every hash.  Every record carries seq (its line number), time,
 * type, rehearsal, unattended and prev, the SHA-256 (hex) of the previous
 * line's bytes without its newline (64 zeros for the first line).  Each
 * line is appended with O_APPEND and fsync'd before the call returns.
 */
#ifndef ANCHORAGE_TRANSCRIPT_INT_H
#define ANCHORAGE_TRANSCRIPT_INT_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "anchorage/transcript.h"
#include "ceremony_int.h"

struct anc_err;
struct anc_transcript;

#define ANC_TR_FILE	"transcript.jsonl"
#define ANC_TR_ZERO \
	"0000000000000000000000000000000000000000000000000000000000000000"
/* jansson flags of the canonical form */
#define ANC_TR_JSON_FLAGS (JSON_COMPACT | JSON_SORT_KEYS)

extern const char *const anc_pgp_even[256];
extern const char *const anc_pgp_odd[256];

/*
 * Create ANC_TR_FILE in the directory `dirfd` (named `dir` in messages)
 * with O_CREAT|O_EXCL|O_NOFOLLOW, mode 0644.  `rehearsal` and `unattended`
 * are written into every record.  Returns ANC_OK, ANC_E_EXISTS, ANC_E_IO.
 */
int anc_tr_open(int dirfd, const char *dir, int rehearsal, int unattended,
    struct anc_transcript **out, struct anc_err *err);

/*
 * Append one record of `type` holding `fields` (a JSON object, always
 * consumed) plus the common members.  Refused once a closing record is
 * written.
 */
int anc_tr_append(struct anc_transcript *t, const char *type,
    json_t *fields, struct anc_err *err);

/*
 * Append the closing record ("end" or "abort").  With a signer, the
 * canonical form of the record without "signature" is signed (SHA-256,
 * ECDSA or RSA PKCS#1 v1.5) with `signer`, the signature is verified with
 * `pub` (the public key as the token holds it), and only then the record
 * is written with "signature" (base64 DER) added.  `fields` is consumed.
 */
int anc_tr_close(struct anc_transcript *t, const char *type,
    json_t *fields, EVP_PKEY *signer, EVP_PKEY *pub, struct anc_err *err);

/* 1 once a closing record is written. */
int anc_tr_closed(const struct anc_transcript *t);

/* SHA-256 (hex) of the last line written; ANC_TR_ZERO before any. */
const char *anc_tr_last_hash(const struct anc_transcript *t);

/* Records written so far. */
size_t anc_tr_count(const struct anc_transcript *t);

/* Close the file.  anc_tr_free(NULL) is safe. */
void anc_tr_free(struct anc_transcript *t);

/* The canonical form of a record, NUL-terminated, malloc'd; NULL on
 * failure (invalid UTF-8 never reaches jansson objects). */
char *anc_tr_dump(const json_t *rec);

/* RFC 3339 UTC, "2026-11-29T10:15:30Z", into out[21]. */
void anc_tr_time(time_t when, char out[21]);

/* A JSON string for text from outside the script (token strings, typed
 * text): control characters other than tab and newline become '?', and
 * text that is not UTF-8 has its non-ASCII bytes replaced too. */
json_t *anc_tr_str(const char *s);

/* Base64 DER of a public key (SubjectPublicKeyInfo); malloc'd or NULL. */
char *anc_tr_spki_b64(EVP_PKEY *pub);

/* SHA-256 hex of a public key's SubjectPublicKeyInfo DER. */
int anc_tr_spki_sha256(EVP_PKEY *pub, char out[65]);

/* "ecdsa-with-SHA256" or "sha256WithRSAEncryption"; NULL otherwise. */
const char *anc_tr_sig_alg(EVP_PKEY *key);

/* PGP words of a 64-digit hex digest; see anc_pgp_words(). */
int anc_pgp_words_hex(const char *hex, char *out, size_t cap);

/*
 * What a step will do, as `ceremony plan` says it, without its number or
 * the files it writes (plan.c).  *text owned by the caller.
 */
int anc_step_describe(const struct anc_step *s, char **text,
    struct anc_err *err);

/*
 * The records of a run (records.c), one function per type; each does
 * nothing when e->tr is NULL (checking).  docs/transcript-format.md lists
 * their fields.
 */
struct anc_engine;

/* Room for the inputs of the largest step. */
#define ANC_REC_ITEMS_MAX (2 * ANC_CER_LIST_MAX + 4)

int anc_rec_start(struct anc_engine *e, const char *outbox,
    const char *module, const struct anc_step *signer,
    const struct anc_input *signer_in, struct anc_err *err);
int anc_rec_participants(struct anc_engine *e, struct anc_err *err);
int anc_rec_token(struct anc_engine *e, const struct anc_slot_info *info,
    const unsigned long *mechs, size_t nmech, const char *module_path,
    const char *module_manufacturer, const char *module_description,
    struct anc_err *err);
int anc_rec_input(struct anc_engine *e, const struct anc_input *in,
    const char *sha256, struct anc_err *err);
int anc_rec_step(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err);
int anc_rec_key(struct anc_engine *e, const struct anc_key_info *k,
    const char *spki_sha256, struct anc_err *err);
/* The token asked for the PIN again for one signature with `key`. */
int anc_rec_context_login(struct anc_engine *e, const char *key,
    struct anc_err *err);
int anc_rec_output(struct anc_engine *e, const char *file,
    const char *sha256, size_t size, struct anc_err *err);
int anc_rec_confirmation(struct anc_engine *e, enum anc_confirm_phase phase,
    int step, const char *role, const char *name, const char *typed,
    struct anc_err *err);
int anc_rec_exception(struct anc_engine *e, int step, const char *role,
    const char *name, const char *text, struct anc_err *err);

/* A step's inputs with the SHA-256 of the file each came from (NULL for
 * a key in the token), into v[cap]. */
void anc_rec_step_inputs(const struct anc_engine *e,
    const struct anc_step *s, struct anc_confirm_item *v, size_t cap,
    size_t *n);

/*
 * The key that signs the closing record (closing.c): the first self-sign
 * step's, else the first input certificate's with a key in the token;
 * both NULL if the script has neither.
 */
void anc_closing_signer(const struct anc_ceremony *c,
    const struct anc_step **step, const struct anc_input **in);

/*
 * Write the closing record: "end" when `complete`, else "abort" saying
 * `cause`.  Signed when the signer's certificate exists; an abort that
 * cannot be signed is written unsigned.  Then the UI is told the closing
 * hash.  Does nothing if there is no transcript or it is closed already.
 */
int anc_closing_write(struct anc_engine *e, int complete,
    const struct anc_err *cause, struct anc_err *err);

/*
 * Read and verify a transcript (transcript_verify.c), keeping its records
 * for the report: *records is a JSON array, owned by the caller.
 */
int anc_tr_load_verified(const char *outbox, const char *anchor,
    json_t **records, struct anc_tr_summary *s, struct anc_err *err);

#endif /* ANCHORAGE_TRANSCRIPT_INT_H */
