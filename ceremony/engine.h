/*
 * anchorage: the step engine, internal to ceremony/.
 *
 * The same step code runs for `ceremony check` and `ceremony run`.  What
 * differs is the backend: for check, throwaway software keys and host
 * randomness, and no outbox; for run, the token.  So everything but the
 * token itself is exercised before the day.
 */
#ifndef ANCHORAGE_ENGINE_H
#define ANCHORAGE_ENGINE_H

#include <time.h>

#include <openssl/x509.h>

#include "anchorage/ceremony.h"
#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/token.h"
#include "ceremony_int.h"

struct anc_err;
struct anc_transcript;

/* Where keys, signatures and randomness come from. */
struct anc_backend {
	void *arg;
	int (*generate)(void *arg, enum anc_keyalg alg, const char *label,
	    enum anc_backup_policy backup, struct anc_key_info *info,
	    struct anc_err *err);
	int (*random)(void *arg, unsigned char *buf, size_t len,
	    struct anc_err *err);
	/* Borrowed signing key.  `hint` is the algorithm expected, which a
	 * throwaway backend uses for keys it has not generated. */
	int (*signer)(void *arg, const char *label, enum anc_keyalg hint,
	    EVP_PKEY **out, struct anc_err *err);
	/* The public key as the backend holds it, owned by the caller. */
	int (*public_key)(void *arg, const char *label, enum anc_keyalg hint,
	    EVP_PKEY **out, struct anc_err *err);
	/* The certificate to issue under, for an input certificate whose key
	 * is `label`: the token backend keeps it; the throwaway backend
	 * makes a copy that carries its throwaway key, so that what it
	 * signs chains as the real thing will.  *out owned by the caller. */
	int (*issuer_cert)(void *arg, const char *label, X509 *cert,
	    X509 **out, struct anc_err *err);
	/* After a signature failed: ANC_OK if the token is still there,
	 * else ANC_E_NOTOKEN with err set, so a token pulled out is told
	 * apart from a signing error. */
	int (*present)(void *arg, struct anc_err *err);
	/* split-pin: change the user PIN to `new_pin`, asking for the
	 * current one through `fn` once more (anc_token_set_pin).  NULL when
	 * checking or rehearsing: neither changes a PIN, nor asks for one. */
	int (*set_pin)(void *arg, anc_pin_fn fn, void *fn_arg,
	    struct anc_secret *new_pin, struct anc_err *err);
	/* split-pin, before any share is shown: can the token take a user
	 * PIN of `len` characters (anc_token_pin_fits)?  NULL with set_pin. */
	int (*pin_fits)(void *arg, size_t len, struct anc_err *err);
};

enum anc_art_kind {
	ANC_ART_CERT = 1,	/* one certificate */
	ANC_ART_BUNDLE,		/* several anchors */
	ANC_ART_CSR,
	ANC_ART_CRL,
	ANC_ART_CHAIN,		/* intermediate then root, for Vault */
	ANC_ART_INVENTORY,	/* raw bytes of an inventory report */
	ANC_ART_PUBKEY,		/* backup-keypair: the unwrap public key */
	ANC_ART_WRAPPED,	/* backup-wrap: the blob on the medium */
	ANC_ART_CLUSTERS	/* raw bytes of a cluster list */
};

/*
 * The backup steps' world (steps_backup.c), run only: the two tokens
 * and the medium.  NULL while checking, where those steps only say
 * what they will do.
 */
struct anc_backup_ctx {
	struct anc_token *primary;	/* the script's token */
	struct anc_token *backup;	/* backup-token */
	struct anc_slot_info backup_info;
	/* The primary's SO PIN for backup-trust, then its user PIN again. */
	anc_pin_fn so_pin;
	void *so_pin_arg;
	anc_pin_fn pin;
	void *pin_arg;
	const char *medium;		/* --backup-medium */
	int medium_fd;
	/* Objects made in the backup token, for the failure report. */
	char made[4][160];
	size_t nmade;
};

/* A named thing a step made or an input brought in. */
struct anc_artifact {
	const char *name;		/* borrowed from the model */
	enum anc_art_kind kind;
	const struct anc_step *step;	/* producer, NULL for inputs */
	X509 *cert;
	const char *key_label;		/* token key of a certificate, or NULL */
	EVP_PKEY *soft_key;		/* issuing-CA key made in software */
	STACK_OF(X509) *certs;		/* bundle or chain */
	X509_REQ *csr;
	int csr_verified;		/* proof of possession, key valid */
	X509_CRL *crl;
	unsigned char *raw;		/* input bytes (inventory), blob */
	size_t raw_len;
	EVP_PKEY *pub;			/* backup-keypair's public key */
};

#define ANC_ARTS_MAX (ANC_CER_STEPS_MAX + ANC_CER_INPUTS_MAX)

struct anc_engine {
	const struct anc_ceremony *c;
	const struct anc_backend *be;
	struct anc_outbox *ob;		/* NULL when checking */
	const struct anc_ui *ui;	/* may be NULL */
	time_t now;			/* one clock reading for the whole run */
	struct anc_artifact arts[ANC_ARTS_MAX];
	size_t nart;
	/* keys generated in this run, for the failure report: label and
	 * CKA_ID (hex) */
	char made[ANC_CER_STEPS_MAX][129];
	char made_id[ANC_CER_STEPS_MAX][129];
	size_t nmade;
	/* The closing record is being signed: a context-specific login then
	 * cannot be recorded before it (the key record says the key needs
	 * one). */
	int closing;
	/* A context-specific login that could not be recorded ends its step. */
	int ctx_rec_failed;
	struct anc_err ctx_err;
	/* The run's record and the officers (NULL and 0 when checking). */
	struct anc_transcript *tr;
	int unattended;			/* --yes */
	int step;			/* step in progress, 0 outside steps */
	char in_sha256[ANC_CER_INPUTS_MAX][65];	/* of each input's file */
	/* Set when an officer typed "abort": who, in which role, why. */
	const char *abort_role;
	struct anc_confirm abort;
	/* Run only: read a key just generated back from the token and
	 * record it (ALWAYS_SENSITIVE, NEVER_EXTRACTABLE, LOCAL, ...). */
	int (*record_key)(void *arg, struct anc_engine *e, const char *label,
	    struct anc_err *err);
	void *record_key_arg;
	/* Run only: the check made first (anc_ceremony_precheck), whose
	 * parsed and verified CSRs the run takes over. */
	struct anc_engine *checked;
	struct anc_backup_ctx *bk;	/* run only; NULL while checking */
	/* batch-sign-csr, filled by the check: the SHA-256 of each cluster's
	 * CSR that passed proof of possession, so the run verifies it once
	 * (a CSR whose bytes differ by then is verified again). */
	struct anc_pop_memo {
		int step;
		size_t n;
		char (*sha256)[64];
	} *pop;
	size_t npop;
};

/* Load every input into an artifact (hash-checked). */
ANC_MUST_CHECK
int anc_engine_inputs(struct anc_engine *e, struct anc_err *err);

/* Run every step in order.  On failure err names the step. */
ANC_MUST_CHECK
int anc_engine_steps(struct anc_engine *e, struct anc_err *err);

/* Release artifacts; wipes software keys. */
void anc_engine_clear(struct anc_engine *e);

/* Release every artifact but the CSRs read as inputs. */
void anc_engine_keep_csrs(struct anc_engine *e);

/*
 * anc_ceremony_check, handing back its engine with the CSRs it read and
 * verified (anc_engine_keep_csrs), for the run that follows to take over
 * instead of parsing and verifying them again.  *out is freed with
 * anc_engine_clear and free().
 */
ANC_MUST_CHECK
int anc_ceremony_precheck(const struct anc_ceremony *c,
    struct anc_engine **out, struct anc_err *err);

/*
 * The check, handing back its engine whole: every artifact the steps
 * made, signed with throwaway keys, for a caller that examines them (the
 * step tests).  *out is freed with anc_engine_clear and free().
 */
ANC_MUST_CHECK
int anc_ceremony_check_keep(const struct anc_ceremony *c,
    struct anc_engine **out, struct anc_err *err);

/*
 * Officers' confirmation of one phase of a step (start: s == NULL), and
 * its records.  After a step, the files it wrote are the outbox's from
 * index `first_file` on.  Returns ANC_OK to go on, ANC_E_UNSAFE when an
 * officer aborted (e->abort says who), or the UI's error.
 */
ANC_MUST_CHECK
int anc_engine_confirm(struct anc_engine *e, enum anc_confirm_phase phase,
    const struct anc_step *s, size_t first_file, struct anc_err *err);

/* The token is at work on `what` (NULL: done), for the UI's progress. */
void anc_engine_busy(struct anc_engine *e, const char *what);

/* Send a progress line to the UI, if any. */
void anc_engine_say(struct anc_engine *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* ANCHORAGE_ENGINE_H */
