/*
 * anchorage: what the steps' actions share (steps_common.c), internal to
 * ceremony/.  Each kind's action is the `run` of its step_<kind>.c; it
 * takes the engine and its step and returns an error code, and the engine
 * adds the step number and file line to any message.
 */
#ifndef ANCHORAGE_STEPS_H
#define ANCHORAGE_STEPS_H

#include "anchorage/err.h"
#include "anchorage/manifest.h"
#include "engine.h"
#include "profile.h"

struct anc_err;

/*
 * The wrapped-key blob on the backup medium (blob.c, docs/backup.md):
 * text lines "field: value" in a fixed order.  What it names is checked
 * against the tokens before it is unwrapped.
 */
#define ANC_BLOB_MAX	(64 * 1024)

struct anc_blob {
	char ceremony[ANC_CER_NAME_MAX + 1];
	char label[129];
	unsigned char id[64];
	size_t id_len;
	char spki[65], kek_spki[65];	/* SHA-256 hex of the two keys */
	struct anc_wrapped w;
};

/* The blob's text, malloc'd into *out (*len bytes, NUL-terminated). */
ANC_MUST_CHECK
int anc_blob_format(const struct anc_blob *b, char **out, size_t *len,
    struct anc_err *err);

/* Parse strictly; b->w owned by the caller (anc_wrapped_clear).
 * ANC_E_INPUT for anything but a blob of exactly this format. */
ANC_MUST_CHECK
int anc_blob_parse(const unsigned char *data, size_t len,
    struct anc_blob *b, struct anc_err *err);

/*
 * What the backup steps share (steps_backup.c).  While checking there
 * are no tokens: anc_backup_checking() says so and returns 1, and the
 * step does nothing more.
 */
ANC_MUST_CHECK
int anc_backup_checking(struct anc_engine *e, const struct anc_step *s);
/* Note an object the run made in the backup token, for the report of a
 * failed run: "<what> "<label>" in the backup token". */
void anc_backup_made(struct anc_backup_ctx *bk, const char *what,
    const char *label);
/* A token's identity for records: {label, serial}. */
struct json_t;
struct json_t *anc_backup_token_json(struct anc_token *t);
/* A backup step's own transcript record (nothing while checking).
 * Takes `body`. */
ANC_MUST_CHECK
int anc_backup_record(struct anc_engine *e, const char *type,
    struct json_t *body, struct anc_err *err);
/* One need of a backup step, on the backup token when `backup` is set
 * (anc_need_push). */
struct anc_derive;
ANC_MUST_CHECK
int anc_backup_need(struct anc_derive *d, const struct anc_step *s,
    int backup, enum anc_need_op op, enum anc_keyalg alg, const char *key,
    const char *use, struct anc_err *err);

/* Artifacts by name; NULL if absent. */
ANC_MUST_CHECK
struct anc_artifact *anc_engine_find(struct anc_engine *e, const char *name);
/* A new artifact; NULL if the name is taken or the table is full. */
ANC_MUST_CHECK
struct anc_artifact *anc_engine_new_art(struct anc_engine *e,
    const char *name, enum anc_art_kind kind, const struct anc_step *s);

/* The issuer artifact of s: a certificate whose key is in the token. */
ANC_MUST_CHECK
int anc_steps_issuer_of(struct anc_engine *e, const struct anc_step *s,
    struct anc_artifact **out, struct anc_err *err);
/* The algorithm of the issuer's key, the hint for its signer. */
enum anc_keyalg anc_steps_issuer_hint(const struct anc_artifact *a);
/* A certificate under `issuer` as step s asks: validity from now, path
 * length, name constraints and EKU limit. */
void anc_steps_spec_init(struct anc_cert_spec *spec, struct anc_engine *e,
    const struct anc_step *s, struct anc_artifact *issuer);
/* Record a new certificate artifact (and its software key, taken over
 * when soft_key is not NULL) as s's output, and write it. */
ANC_MUST_CHECK
int anc_steps_keep_cert(struct anc_engine *e, const struct anc_step *s,
    X509 **x, EVP_PKEY **soft_key, const char *what, struct anc_err *err);

/* Exports: the ceremony and tool that made a manifest. */
void anc_steps_provenance(const struct anc_engine *e,
    struct anc_provenance *p);
/* The artifact `name` if it is of `kind`, else NULL. */
ANC_MUST_CHECK
struct anc_artifact *anc_steps_art(struct anc_engine *e, const char *name,
    enum anc_art_kind kind);
/* The root that signed a certificate made by a step of this run. */
ANC_MUST_CHECK
struct anc_artifact *anc_steps_root_of(struct anc_engine *e,
    const struct anc_artifact *a);
/* Write text to the outbox and free it. */
ANC_MUST_CHECK
int anc_steps_write_text(struct anc_engine *e, const char *file, char *text,
    size_t len, mode_t mode, struct anc_err *err);

/*
 * Issue a certificate: serial from the backend's random source, build,
 * lint, sign with `signer_label`, verify with that key's public key as the
 * backend holds it, lint again.  *out owned by the caller.
 */
ANC_MUST_CHECK
int anc_steps_issue(struct anc_engine *e, struct anc_cert_spec *spec,
    const char *signer_label, enum anc_keyalg hint, X509 **out,
    struct anc_err *err);

/* The same with the serial already in spec (a batch draws many at once). */
ANC_MUST_CHECK
int anc_steps_issue_serial(struct anc_engine *e, struct anc_cert_spec *spec,
    const char *signer_label, enum anc_keyalg hint, X509 **out,
    struct anc_err *err);

/* The batch steps' actions (steps_batch.c). */
ANC_MUST_CHECK
int anc_step_batch_issue(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err);
ANC_MUST_CHECK
int anc_step_batch_sign_csr(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err);

/* When checking: prove the CA's name constraints and EKU limit with
 * throwaway leaves signed by `key` (NULL: one is made).  A no-op in the
 * run and for a CA without them. */
ANC_MUST_CHECK
int anc_steps_prove(struct anc_engine *e, X509 *ca,
    const struct anc_constraints *nc, unsigned eku, EVP_PKEY *key,
    struct anc_err *err);

/* Write PEM certificates to the outbox as "<name>.pem" (no-op when
 * checking). */
ANC_MUST_CHECK
int anc_steps_write_certs(struct anc_engine *e, const char *name,
    X509 *const *certs, size_t n, struct anc_err *err);

/* The same for every certificate of a stack, in order. */
ANC_MUST_CHECK
int anc_steps_write_stack(struct anc_engine *e, const char *name,
    STACK_OF(X509) *sk, struct anc_err *err);

/* Write any bytes to the outbox (no-op when checking). */
ANC_MUST_CHECK
int anc_steps_write(struct anc_engine *e, const char *file, const void *data,
    size_t len, mode_t mode, struct anc_err *err);

/* A CRL, PEM or DER, with no trailing data. */
ANC_MUST_CHECK
int anc_steps_read_crl(const unsigned char *data, size_t len,
    const char *what, X509_CRL **out, struct anc_err *err);

/* A request as a batch reads it (csr_fast.c): its key and subject. */
struct anc_csr {
	EVP_PKEY *key;
	X509_NAME *subject;
	int pop;		/* its proof of possession verified */
};

/* What a batch's requests share: each curve's parameters, decoded once
 * (legacy and provider forms), freed with anc_csr_keys_free. */
struct anc_csr_keys {
	EVP_PKEY *legacy[2];	/* P-256, P-384 */
	EVP_PKEY *provider[2];
};

/*
 * A PKCS#10 request, PEM or DER, with no trailing data, for a batch,
 * without the provider decoders (csr_fast.c).  With `verify` its proof of
 * possession is verified (a failure is ANC_E_POLICY "policy
 * proof-of-possession: ...") and out->pop set, and the key is in the form
 * that verifies fastest; without, in the form a certificate encodes
 * fastest.  *out is cleared with anc_csr_clear.
 */
ANC_MUST_CHECK
int anc_csr_read_fast(const unsigned char *data, size_t len,
    const char *what, int verify, struct anc_csr_keys *keys,
    struct anc_csr *out, struct anc_err *err);
void anc_csr_clear(struct anc_csr *c);
void anc_csr_keys_free(struct anc_csr_keys *keys);

/* A PKCS#10 request, PEM or DER, with no trailing data. */
ANC_MUST_CHECK
int anc_steps_read_csr(const unsigned char *data, size_t len,
    const char *what, X509_REQ **out, struct anc_err *err);

/*
 * sign-csr's policy (policy.c): proof of possession, key type and size,
 * validity and path length against the script's policy and the issuer,
 * subject rules.  Requested extensions are ignored, never copied.  Sets
 * *subject (owned by the caller) to the subject to certify.  Returns
 * ANC_OK or ANC_E_POLICY naming the rule ("policy key-size: ...").
 * `verified` (may be NULL) says whether this same request object has
 * passed the proof of possession and key validation already (1), which are
 * then not repeated; it is set to 1 when they pass.
 */
ANC_MUST_CHECK
int anc_policy_check_csr(X509_REQ *req, int *verified,
    const struct anc_step *s, X509 *issuer, const struct anc_cert_spec *spec,
    X509_NAME **subject, struct anc_err *err);

/*
 * The same for a request read by anc_csr_read_fast, whose proof of
 * possession was verified there: key (`validate`: also its public-key
 * validation), limits and subject (`name`, the request's).
 */
ANC_MUST_CHECK
int anc_policy_check_key(EVP_PKEY *pk, const X509_NAME *name, int validate,
    const struct anc_step *s, X509 *issuer, const struct anc_cert_spec *spec,
    X509_NAME **subject, struct anc_err *err);

#endif /* ANCHORAGE_STEPS_H */
