/*
 * anchorage: key ceremonies.  A YAML script is parsed, then validated, into
 * an opaque struct anc_ceremony before anything touches a token; only then
 * can it be planned, checked or run.
 */
#ifndef ANCHORAGE_CEREMONY_H
#define ANCHORAGE_CEREMONY_H

#include <stddef.h>

#include "anchorage/err.h"
#include "anchorage/token.h"

struct anc_err;
struct anc_ceremony;

/*
 * Read, parse and validate a ceremony script.  Touches no token and writes
 * nothing.  Returns ANC_OK with *out owned by the caller, or ANC_E_INPUT,
 * ANC_E_SYNTAX, ANC_E_FIELD with "FILE:LINE: FIELD: expected ..." in err.
 */
ANC_MUST_CHECK
int anc_ceremony_load(const char *path, struct anc_ceremony **out,
    struct anc_err *err);

void anc_ceremony_free(struct anc_ceremony *c);

const char *anc_ceremony_name(const struct anc_ceremony *c);
const char *anc_ceremony_token_uri(const struct anc_ceremony *c);
/* SHA-256 of the script's bytes, hex. */
const char *anc_ceremony_sha256(const struct anc_ceremony *c);

/*
 * What loading found that may not work in the cluster (an Issuer naming a
 * Secret this script does not export, ...): *lines[0..n), borrowed from
 * the ceremony, each "FILE:LINE: FIELD: message".  Returns n.
 */
size_t anc_ceremony_warnings(const struct anc_ceremony *c,
    const char *const **lines);

/*
 * A script's `quorum`: the crypto officers whose shares activate the
 * token instead of a PIN (docs/quorum.md).  Everything is borrowed from
 * the ceremony.
 */
struct anc_quorum {
	unsigned threshold;		/* K shares needed */
	const char *const *officers;	/* asked in this order */
	size_t n;
	const char *commitment;		/* 16 hex digits, or NULL */
};

/* Fills *q and returns 1 when the script has a quorum, else returns 0. */
ANC_MUST_CHECK
int anc_ceremony_quorum(const struct anc_ceremony *c, struct anc_quorum *q);

/*
 * Everything that can be checked without a token: input files exist and
 * match their pinned hashes, and every certificate and CRL the script would
 * make is built with a throwaway software key of the same algorithm and
 * linted against its profile.  Returns ANC_OK, ANC_E_INPUT, ANC_E_LINT.
 */
ANC_MUST_CHECK
int anc_ceremony_check(const struct anc_ceremony *c, struct anc_err *err);

/*
 * What the script needs from its token (struct anc_need, token.h): for
 * each step in order, every key pair generated, every signature made in
 * the token, random bytes drawn (CKA_IDs, serial numbers, PIN splits) and
 * a PIN length set; last, the signature on the transcript's closing
 * record.  Algorithms of keys named by input certificates are read from
 * those files; a key known only from the token has ANC_KEY_NONE.  Touches
 * no token.  *needs is owned by the caller (free()).
 */
ANC_MUST_CHECK
int anc_ceremony_needs(const struct anc_ceremony *c, struct anc_need **needs,
    size_t *n, struct anc_err *err);

/*
 * Check every need of the script against its token's capabilities, and
 * the backup token's needs against `backup` (NULL: no backup-token)
 * (anc_need_check).  ANC_OK when nothing is missing (a need that cannot be
 * checked does not refuse); otherwise ANC_E_TOKEN_LACKS, with one line per
 * missing need: "FILE:LINE: step N (kind): what: what the token lacks".
 */
ANC_MUST_CHECK
int anc_ceremony_fits(const struct anc_ceremony *c,
    const struct anc_token_caps *caps, const struct anc_token_caps *backup,
    struct anc_err *err);

/*
 * The numbered script the administrator reads aloud, as text owned by the
 * caller (free()).
 */
ANC_MUST_CHECK
int anc_ceremony_plan(const struct anc_ceremony *c, char **text,
    struct anc_err *err);

/*
 * The plan as one JSON document (participants, inputs, each step with its
 * description and the files it writes, warnings), owned by the caller
 * (free()).
 */
ANC_MUST_CHECK
int anc_ceremony_plan_json(const struct anc_ceremony *c, char **json,
    struct anc_err *err);

/*
 * Officers' confirmations (docs/ceremony-guide.md).  Each is a word typed
 * in full by the named role, never a single key: at the start the
 * administrator types the ceremony's name; before each step the
 * administrator types "step N"; after each step the witness types
 * "witnessed", or "exception" to record a deviation first.  "abort" at
 * any prompt ends the ceremony; the abort is recorded.
 */
#define ANC_WORD_WITNESSED	"witnessed"
#define ANC_WORD_EXCEPTION	"exception"
#define ANC_WORD_ABORT		"abort"

enum anc_confirm_phase {
	ANC_CONFIRM_START = 1,	/* before anything touches the token */
	ANC_CONFIRM_BEFORE,	/* before step `step` runs */
	ANC_CONFIRM_AFTER	/* after step `step` ran */
};

/* A file or artifact shown with its SHA-256 (NULL: a key in the token). */
struct anc_confirm_item {
	const char *name;
	const char *sha256;
};

/* What the officers are asked to confirm.  Everything is borrowed. */
struct anc_confirm_req {
	enum anc_confirm_phase phase;
	const char *ceremony;
	int step;			/* 1-based; 0 at the start */
	size_t nsteps;
	const char *kind;		/* step kind; NULL at the start */
	const char *text;		/* what the step does, as in the plan */
	const char *role;		/* "administrator" or "witness" */
	const char *const *names;	/* participants in that role */
	size_t nnames;
	const char *expect;		/* the word that confirms */
	/* before: the step's inputs; after: the files it wrote */
	const struct anc_confirm_item *items;
	size_t nitems;
};

enum anc_confirm_answer {
	ANC_ANSWER_CONFIRM = 1,	/* typed req->expect */
	ANC_ANSWER_EXCEPTION,	/* after a step only: text holds it */
	ANC_ANSWER_ABORT	/* text holds the reason, may be empty */
};

struct anc_confirm {
	enum anc_confirm_answer answer;
	char name[129];		/* who answered: one of req->names */
	char text[1024];	/* UTF-8, no control characters */
};

/* What the run ended with, for the officers' paper copy. */
struct anc_closing {
	const char *transcript;	/* path of transcript.jsonl */
	int complete;		/* "end" (1) or "abort" (0) */
	const char *hash;	/* SHA-256 of the closing record, hex */
	const char *words;	/* the same as PGP words */
	int is_signed;
	const char *signer_sha256;	/* certificate fingerprint, or NULL */
	const char *unsigned_reason;	/* why not signed, or NULL */
};

/* How the appliance takes part in a run.  Only appliance/ prints. */
struct anc_ui {
	/* Supplies the PIN for the one login attempt. */
	anc_pin_fn pin;
	void *pin_arg;
	/* A line of progress for the operator ("step 2/6 self-sign"). */
	void (*progress)(void *arg, const char *line);
	void *progress_arg;
	/*
	 * The token is at work on `what` ("step 2/3 self-sign"), until
	 * called with NULL: for progress on a terminal while a signature or
	 * a key generation takes its time.  May be NULL.
	 */
	void (*busy)(void *arg, const char *what);
	void *busy_arg;
	/*
	 * Shows the request and returns the answer of the role it names:
	 * ANC_OK with *out filled, or an error (no terminal) that ends the
	 * run as an abort.  Not called with --yes.
	 */
	int (*confirm)(void *arg, const struct anc_confirm_req *req,
	    struct anc_confirm *out, struct anc_err *err);
	void *confirm_arg;
	/* Called once the transcript is closed, even when the run failed. */
	void (*closed)(void *arg, const struct anc_closing *cl);
	void *closed_arg;
	/*
	 * split-pin: show `officer` their share `text` ("2-041G-..."), share
	 * `index` of `n` of which `k` rebuild the PIN, on the terminal and to
	 * nobody else, and return ANC_OK once they confirmed writing it down.
	 * `text` is wiped after the call: keep, log or print it nowhere else.
	 * NULL (no terminal): a split-pin step refuses before showing any.
	 */
	int (*show_share)(void *arg, const char *officer, unsigned index,
	    unsigned k, unsigned n, const char *text, struct anc_err *err);
	void *show_share_arg;
	/* Backup steps (docs/backup.md): the user PIN of the backup token,
	 * and the security officer's PIN of the script's token for
	 * backup-trust.  Each is asked for once, when needed, and wiped
	 * after its login.  NULL when the script has no such step. */
	anc_pin_fn backup_pin;
	void *backup_pin_arg;
	anc_pin_fn so_pin;
	void *so_pin_arg;
};

struct anc_run_opts {
	const char *module;	/* PKCS#11 module path; in rehearsal only
				 * looked at, read-only */
	const char *module_args;	/* C_Initialize's pReserved, or NULL;
					 * for the rehearsal's look too */
	const char *outbox;	/* directory, created if absent */
	int rehearsal;		/* a throwaway SoftHSM2 token; every record
				 * marked as a rehearsal */
	int yes;		/* unattended: confirmations recorded as such */
	const char *backup_medium;	/* backup-wrap's directory: never the
					 * outbox, created if absent */
};

/* What a script needs besides its token: ANC_NEEDS_* bits. */
#define ANC_BACKUP_NEEDS_TOKEN	1u	/* backup-token, its user PIN */
#define ANC_BACKUP_NEEDS_SO_PIN	2u	/* backup-trust: the token's SO */
#define ANC_BACKUP_NEEDS_MEDIUM	4u	/* backup-wrap: --backup-medium */
unsigned anc_ceremony_backup_needs(const struct anc_ceremony *c);
/* The script's backup-token URI; NULL when it has none. */
const char *anc_ceremony_backup_token_uri(const struct anc_ceremony *c);

/*
 * Run the ceremony: check the outbox can take every output, start the
 * transcript, open the token, log in once, run each step with the
 * officers' confirmations (lint, sign in the token, verify with the
 * token's public key, then write), close the transcript with a record
 * signed by the ceremony's root key, write SHA256SUMS.
 * On failure or abort the transcript is closed with an "abort" record and
 * err says which step failed and what was left behind (files written,
 * keys generated in the token).  An abort by the officers is ANC_E_UNSAFE.
 * In rehearsal the token is a new SoftHSM2 token in a temporary
 * directory, removed at the end; no PIN is asked.
 */
ANC_MUST_CHECK
int anc_ceremony_run(const struct anc_ceremony *c,
    const struct anc_run_opts *opts, const struct anc_ui *ui,
    struct anc_err *err);

#endif /* ANCHORAGE_CEREMONY_H */
