/*
 * anchorage: key ceremonies.  A YAML script is parsed, then validated, into
 * an opaque struct anc_ceremony before anything touches a token; only then
 * can it be planned, checked or run.
 */
#ifndef ANCHORAGE_CEREMONY_H
#define ANCHORAGE_CEREMONY_H

#include <stddef.h>

#include "anchorage/token.h"

struct anc_err;
struct anc_ceremony;

/*
 * Read, parse and validate a ceremony script.  Touches no token and writes
 * nothing.  Returns ANC_OK with *out owned by the caller, or ANC_E_INPUT,
 * ANC_E_SYNTAX, ANC_E_FIELD with "FILE:LINE: FIELD: expected ..." in err.
 */
int anc_ceremony_load(const char *path, struct anc_ceremony **out,
    struct anc_err *err);

void anc_ceremony_free(struct anc_ceremony *c);

const char *anc_ceremony_name(const struct anc_ceremony *c);
const char *anc_ceremony_token_uri(const struct anc_ceremony *c);
/* SHA-256 of the script's bytes, hex. */
const char *anc_ceremony_sha256(const struct anc_ceremony *c);

/*
 * Everything that can be checked without a token: input files exist and
 * match their pinned hashes, and every certificate and CRL the script would
 * make is built with a throwaway software key of the same algorithm and
 * linted against its profile.  Returns ANC_OK, ANC_E_INPUT, ANC_E_LINT.
 */
int anc_ceremony_check(const struct anc_ceremony *c, struct anc_err *err);

/*
 * The numbered script the administrator reads aloud, as text owned by the
 * caller (free()).
 */
int anc_ceremony_plan(const struct anc_ceremony *c, char **text,
    struct anc_err *err);

/* How the appliance takes part in a run.  Only appliance/ prints. */
struct anc_ui {
	/* Supplies the PIN for the one login attempt. */
	anc_pin_fn pin;
	void *pin_arg;
	/* A line of progress for the operator ("step 2/6 self-sign"). */
	void (*progress)(void *arg, const char *line);
	void *progress_arg;
};

struct anc_run_opts {
	const char *module;	/* PKCS#11 module path */
	const char *outbox;	/* directory, created if absent */
	int rehearsal;		/* mark every record as a rehearsal */
	int yes;		/* unattended: no confirmations */
};

/*
 * Run the ceremony: check the outbox can take every output, open the
 * token, log in once, run each step (lint, sign in the token, verify with
 * the token's public key, then write), write SHA256SUMS.
 * On failure err says which step failed and what was left behind (files
 * written, keys generated in the token).
 */
int anc_ceremony_run(const struct anc_ceremony *c,
    const struct anc_run_opts *opts, const struct anc_ui *ui,
    struct anc_err *err);

#endif /* ANCHORAGE_CEREMONY_H */
