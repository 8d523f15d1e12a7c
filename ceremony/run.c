/*
 * anchorage: running a ceremony against the token.
 *
 * Order matters: everything that can be checked without the token is
 * checked first (script, inputs, every certificate linted with throwaway
 * keys, every output name free); then the token is opened and logged in
 * once; then read-only checks against the token (labels free, keys
 * present and matching their certificates); only then the first call that
 * changes state.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "anchorage/ceremony.h"
#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/file.h"
#include "anchorage/hash.h"
#include "anchorage/token.h"
#include "ceremony_int.h"
#include "engine.h"
#include "preflight.h"
#include "profile.h"
#include "records.h"
#include "rehearsal.h"

static int
tok_generate(void *arg, enum anc_keyalg alg, const char *label,
    enum anc_backup_policy backup, struct anc_key_info *info,
    struct anc_err *err)
{
	return anc_token_generate_key(arg, alg, label, backup, info, err);
}

static int
tok_random(void *arg, unsigned char *buf, size_t len, struct anc_err *err)
{
	return anc_token_random(arg, buf, len, err);
}

static int
tok_signer(void *arg, const char *label, enum anc_keyalg hint,
    EVP_PKEY **out, struct anc_err *err)
{
	return anc_token_signer(arg, label, out, err);
}

static int
tok_public(void *arg, const char *label, enum anc_keyalg hint,
    EVP_PKEY **out, struct anc_err *err)
{
	return anc_token_public_key(arg, label, out, err);
}

static int
tok_issuer_cert(void *arg, const char *label, X509 *cert, X509 **out,
    struct anc_err *err)
{
	if (!X509_up_ref(cert))
		return anc_err_set(err, ANC_E_INTERNAL, "certificate reference");
	*out = cert;
	return ANC_OK;
}

static int
tok_present(void *arg, struct anc_err *err)
{
	struct anc_slot_info info;
	struct anc_err probe;

	if (anc_token_info(arg, &info, &probe) == ANC_OK &&
	    info.token_present)
		return ANC_OK;
	return anc_err_set(err, ANC_E_NOTOKEN, "the token is gone (%s); it "
	    "was removed or failed during the step", probe.code == ANC_OK ?
	    "no token in the slot" : probe.msg);
}

static int
tok_set_pin(void *arg, anc_pin_fn fn, void *fn_arg,
    struct anc_secret *new_pin, struct anc_err *err)
{
	return anc_token_set_pin(arg, fn, fn_arg, new_pin, err);
}

static int
tok_pin_fits(void *arg, size_t len, struct anc_err *err)
{
	return anc_token_pin_fits(arg, len, err);
}

/*
 * Rehearsal: the throwaway token cannot hold the key of an input
 * certificate, so a stand-in of the same algorithm is generated under its
 * label and the certificate is copied with that key and re-signed by it in
 * the token, as `ceremony check` does with software keys.  What the
 * rehearsal issues then chains to the copy, which it writes like the real
 * thing.
 */
static int
tok_stand_in(void *arg, const char *label, X509 *cert, X509 **out,
    struct anc_err *err)
{
	enum anc_keyalg alg = anc_key_alg(X509_get0_pubkey(cert));
	struct anc_key_info ki;
	EVP_PKEY *pub = NULL, *signer = NULL;
	X509 *x = NULL;
	int r = ANC_E_INTERNAL;

	if (alg == ANC_KEY_NONE)
		return anc_err_set(err, ANC_E_INPUT, "input certificate for key "
		    "\"%s\": its key is neither P-256, P-384, RSA-3072 nor "
		    "RSA-4096", label);
	if ((r = anc_token_generate_key(arg, alg, label,
	    ANC_BACKUP_NONE, &ki, err)) !=
	    ANC_OK ||
	    (r = anc_token_public_key(arg, label, &pub, err)) != ANC_OK ||
	    (r = anc_token_signer(arg, label, &signer, err)) != ANC_OK)
		goto out;
	if ((x = X509_dup(cert)) == NULL ||
	    anc_profile_set_pubkey(x, pub) != 1 ||
	    X509_sign(x, signer, anc_profile_md(pub)) <= 0 ||
	    X509_verify(x, pub) != 1) {
		r = anc_err_ossl(err, ANC_E_CRYPTO, "rehearsal copy of the "
		    "certificate for key \"%s\"", label);
		goto out;
	}
	*out = x;
	x = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	X509_free(x);
	EVP_PKEY_free(pub);
	return r;
}

/*
 * Once the transcript has a record, the outbox holds the evidence of this
 * attempt and is never reused (outputs are never overwritten): say so,
 * and name the first free OUTBOX-N for the next run.
 */
static void
name_used_up(const char *dir, const char *whose, struct anc_err *err)
{
	char next[4096];
	struct stat st;
	size_t len = strlen(err->msg);
	int i;

	for (i = 2; i < 1000; i++) {
		snprintf(next, sizeof(next), "%s-%d", dir, i);
		if (lstat(next, &st) != 0)
			break;
	}
	if (len < sizeof(err->msg))
		snprintf(err->msg + len, sizeof(err->msg) - len, "\nthe outbox "
		    "%s holds the record of %s and cannot be used again; keep "
		    "it with the ceremony's papers and run into a new one, "
		    "e.g. --outbox %s", dir, whose, next);
}

/* Every file the run will write must be absent before anything starts. */
static int
outputs_free(const struct anc_ceremony *c, struct anc_outbox *ob,
    struct anc_err *err)
{
	char names[4][128];
	size_t i, j, n;
	int r;

	if ((r = anc_outbox_check_absent(ob, ANC_TR_FILE, err)) != ANC_OK) {
		name_used_up(anc_outbox_dir(ob), "an earlier run", err);
		return r;
	}
	if ((r = anc_outbox_check_absent(ob, "SHA256SUMS", err)) != ANC_OK)
		return r;
	for (i = 0; i < c->n_steps; i++) {
		if ((r = anc_step_files(&c->steps[i], names, 4, &n)) != ANC_OK)
			return anc_err_set(err, r, "step %d: output names",
			    c->steps[i].index);
		for (j = 0; j < n; j++)
			if ((r = anc_outbox_check_absent(ob, names[j], err)) !=
			    ANC_OK)
				return anc_err_prefix(err, "%s:%d: step %d (%s)",
				    c->path, c->steps[i].line, c->steps[i].index,
				    anc_step_kind_name(c->steps[i].kind));
	}
	return ANC_OK;
}

int
anc_run_generated_here(const struct anc_ceremony *c, const char *label)
{
	size_t i;

	for (i = 0; i < c->n_steps; i++)
		if (c->steps[i].kind == ANC_STEP_GENERATE_KEY &&
		    strcmp(c->steps[i].label, label) == 0)
			return 1;
	return 0;
}

/* An input certificate's key must be in the token and match it. */
static int
input_key_matches(struct anc_token *t, const struct anc_engine *e,
    const struct anc_input *in, struct anc_err *err)
{
	EVP_PKEY *pub = NULL;
	size_t i;
	int r;

	for (i = 0; i < e->nart; i++)
		if (strcmp(e->arts[i].name, in->name) == 0)
			break;
	if (i == e->nart || e->arts[i].cert == NULL)
		return anc_err_set(err, ANC_E_INTERNAL, "input %s", in->name);
	if ((r = anc_token_public_key(t, in->key, &pub, err)) != ANC_OK)
		return anc_err_prefix(err, "input \"%s\"", in->name);
	if (EVP_PKEY_eq(pub, X509_get0_pubkey(e->arts[i].cert)) != 1)
		r = anc_err_set(err, ANC_E_UNSAFE, "input \"%s\": key \"%s\" "
		    "in the token does not match the public key of %s",
		    in->name, in->key, in->path);
	EVP_PKEY_free(pub);
	return r;
}

/*
 * Serial numbers and key ids come from the token's generator: a script
 * that needs random bytes is refused, before any change, by a token that
 * cannot give them (one test draw, not the CKF_RNG flag alone).
 */
static int
rng_preflight(const struct anc_ceremony *c, struct anc_token *t,
    struct anc_err *err)
{
	struct anc_need *needs = NULL;
	size_t n = 0, i;
	int r;

	if ((r = anc_ceremony_needs(c, &needs, &n, err)) != ANC_OK)
		return r;
	for (i = 0; i < n && needs[i].op != ANC_NEED_RANDOM; i++)
		;
	if (i < n && (r = anc_token_check_rng(t, err)) != ANC_OK)
		r = anc_err_prefix(err, "%s:%d: step %d (%s): %s", c->path,
		    needs[i].line, needs[i].step, needs[i].kind, needs[i].use);
	free(needs);
	return r;
}

/* Read-only checks against the token, before any state changes. */
static int
token_preflight(const struct anc_ceremony *c, struct anc_token *t,
    const struct anc_engine *e, struct anc_err *err)
{
	struct anc_key_info ki;
	const struct anc_step *s;
	size_t i;
	int found, r;

	if ((r = rng_preflight(c, t, err)) != ANC_OK)
		return r;
	if (e->bk != NULL && (r = anc_run_backup_preflight(c, e->bk, err)) != ANC_OK)
		return r;
	for (i = 0; i < c->n_steps; i++) {
		s = &c->steps[i];
		if (s->kind == ANC_STEP_GENERATE_KEY) {
			if ((r = anc_token_object_exists(t, s->label, NULL, 0,
			    &found, err)) != ANC_OK)
				return r;
			if (found)
				return anc_err_set(err, ANC_E_EXISTS, "%s:%d: step "
				    "%d (generate-key): label \"%s\" is already "
				    "in the token; nothing was changed", c->path,
				    s->line, s->index, s->label);
		} else if (s->kind == ANC_STEP_SELF_SIGN &&
		    !anc_run_generated_here(c, s->key)) {
			if ((r = anc_token_find_key(t, s->key, &ki, err)) !=
			    ANC_OK)
				return anc_err_prefix(err, "%s:%d: step %d "
				    "(self-sign)", c->path, s->line, s->index);
		}
	}
	for (i = 0; i < c->n_inputs; i++)
		if (c->inputs[i].key != NULL &&
		    (r = input_key_matches(t, e, &c->inputs[i], err)) != ANC_OK)
			return r;
	return ANC_OK;
}

/* Append to the message what a failed run leaves behind. */
static void
report_leftovers(const struct anc_engine *e, const struct anc_outbox *ob,
    int rehearsal, struct anc_err *err)
{
	char more[ANC_ERR_MSG_MAX];
	size_t i, n = 0, len;

	len = strlen(err->msg);
	n += (size_t)snprintf(more + n, sizeof(more) - n, "\nleft behind:");
	if (e->nmade == 0 || rehearsal)
		n += (size_t)snprintf(more + n, sizeof(more) - n, " %s;",
		    rehearsal ? "no key (the rehearsal token is removed)" :
		    "no key was generated");
	for (i = 0; !rehearsal && i < e->nmade && n < sizeof(more); i++)
		n += (size_t)snprintf(more + n, sizeof(more) - n,
		    " key \"%s\" in the token (CKA_ID %s);", e->made[i],
		    e->made_id[i]);
	for (i = 0; e->bk != NULL && i < e->bk->nmade && n < sizeof(more);
	    i++)
		n += (size_t)snprintf(more + n, sizeof(more) - n, " %s;",
		    e->bk->made[i]);
	if (e->tr != NULL && anc_tr_closed(e->tr) && n < sizeof(more))
		n += (size_t)snprintf(more + n, sizeof(more) - n, " %s/%s, "
		    "closed with an abort record;", anc_outbox_dir(ob),
		    ANC_TR_FILE);
	for (i = 0; ob != NULL && i < anc_outbox_count(ob) &&
	    n < sizeof(more); i++)
		n += (size_t)snprintf(more + n, sizeof(more) - n, " %s/%s;",
		    anc_outbox_dir(ob), anc_outbox_file(ob, i));
	for (i = 0; ob != NULL && anc_outbox_batch_dir(ob, i) != NULL &&
	    n < sizeof(more); i++)
		n += (size_t)snprintf(more + n, sizeof(more) - n, " %s/%s/ "
		    "and every file in it;", anc_outbox_dir(ob),
		    anc_outbox_batch_dir(ob, i));
	if (n < sizeof(more))
		snprintf(more + n, sizeof(more) - n, " no SHA256SUMS was "
		    "written, so the outbox does not verify (see "
		    "docs/ceremony-format.md, \"When a run fails\")");
	if (len < sizeof(err->msg))
		snprintf(err->msg + len, sizeof(err->msg) - len, "%s", more);
	if (e->tr != NULL)
		name_used_up(anc_outbox_dir(ob), "this attempt", err);
}

/* Token evidence: what the token says it is, and what it can do. */
int
anc_run_record_token(struct anc_engine *e, struct anc_module *m,
    struct anc_token *t, const char *module,
    const struct anc_slot_info *info, struct anc_err *err)
{
	unsigned long *mechs = NULL;
	size_t n = 0;
	int r;

	if ((r = anc_token_mechanisms(t, &mechs, &n, err)) != ANC_OK)
		return r;
	r = anc_rec_token(e, info, mechs, n, module,
	    anc_module_manufacturer(m), anc_module_description(m), err);
	free(mechs);
	return r;
}

/* A key generated in this run (or a rehearsal's stand-in), read back. */
static int
record_key(void *arg, struct anc_engine *e, const char *label,
    struct anc_err *err)
{
	struct anc_key_info ki;
	EVP_PKEY *pub = NULL;
	char spki[65];
	int r;

	if ((r = anc_token_find_key(arg, label, &ki, err)) != ANC_OK ||
	    (r = anc_token_public_key(arg, label, &pub, err)) != ANC_OK)
		return anc_err_prefix(err, "reading key \"%s\" back", label);
	if (anc_tr_spki_sha256(pub, spki) != 0)
		r = anc_err_ossl(err, ANC_E_CRYPTO, "key \"%s\": public key",
		    label);
	else
		r = anc_rec_key(e, &ki, spki, err);
	EVP_PKEY_free(pub);
	return r;
}

/*
 * Before the outbox or the transcript exists: the script's token must be
 * there and ready for a login (initialised, a user PIN set, not locked).
 * A first run against a token nobody initialised then costs nothing: no
 * transcript, no outbox directory, the name still free
 * (docs/getting-started.md says how to initialise one).  The module and
 * token stay open for the run.
 */
static int
token_usable(const struct anc_ceremony *c, const char *module,
    const char *args, const char *outbox, struct anc_module **m,
    struct anc_token **t, struct anc_err *err)
{
	struct anc_slot_info info;
	int r;

	if ((r = anc_module_load_args(module, args, m, err)) != ANC_OK ||
	    (r = anc_token_open(*m, c->token, t, err)) != ANC_OK ||
	    (r = anc_token_info(*t, &info, err)) != ANC_OK)
		goto out;
	if (!info.token_present || !info.initialized)
		r = anc_err_set(err, ANC_E_NOTOKEN, "token \"%s\" is not "
		    "initialised; initialise it first (docs/getting-started.md)",
		    info.label);
	else if (!info.user_pin_initialized)
		r = anc_err_set(err, ANC_E_LOGIN, "token \"%s\" (serial %s) "
		    "has no user PIN yet; the security officer sets it first "
		    "(pkcs11-tool --init-pin, docs/getting-started.md)",
		    info.label, info.serial);
	else if (info.pin_locked)
		r = anc_err_set(err, ANC_E_PIN_LOCKED, "token \"%s\" (serial "
		    "%s): the user PIN is locked; not asking for it; the "
		    "security officer must unlock it", info.label,
		    info.serial);
 out:
	if (r != ANC_OK) {
		size_t len = strlen(err->msg);

		if (len < sizeof(err->msg))
			snprintf(err->msg + len, sizeof(err->msg) - len,
			    "\nnothing was started: no transcript and no outbox "
			    "were written, so %s is still free", outbox);
	}
	return r;
}

/*
 * Each context-specific login (a CKA_ALWAYS_AUTHENTICATE key) is recorded
 * as it happens, inside its step.  The one for the closing record's own
 * signature cannot come before that record; the key record's
 * always_authenticate says it happened.
 */
static void
on_context_login(void *arg, const char *key)
{
	struct anc_engine *e = arg;

	anc_engine_say(e, "  context-specific login for one signature with "
	    "key \"%s\"", key);
	if (e->closing || e->ctx_rec_failed)
		return;
	if (anc_rec_context_login(e, key, &e->ctx_err) != ANC_OK)
		e->ctx_rec_failed = 1;
}

/*
 * Open the script's token, record what it is, and log in once.  In a
 * rehearsal the module is SoftHSM2's whatever --module says, and the token
 * is made first, under the label the script's URI names.  Otherwise
 * token_usable() opened the token already.
 */
static int
open_token(struct anc_engine *e, const struct anc_run_opts *o,
    struct anc_rehearsal *rh, struct anc_module **m, struct anc_token **t,
    struct anc_err *err)
{
	const char *module = rh != NULL ? ANC_SOFTHSM2_MODULE : o->module;
	struct anc_slot_info info;
	char uri[256];
	int r;

	if (*m == NULL && (r = anc_module_load_args(module, rh != NULL ? NULL :
	    o->module_args, m, err)) != ANC_OK)
		return r;
	if (rh != NULL) {
		if ((r = anc_rehearsal_token(rh, *m, e->c->token, uri,
		    sizeof(uri), err)) != ANC_OK)
			return anc_err_prefix(err, "rehearsal");
		anc_engine_say(e, "rehearsal: throwaway SoftHSM2 token in %s, "
		    "removed at the end", anc_rehearsal_dir(rh));
	}
	if ((*t == NULL && (r = anc_token_open(*m, rh != NULL ? uri :
	    e->c->token, t, err)) != ANC_OK) ||
	    (r = anc_token_info(*t, &info, err)) != ANC_OK)
		return r;
	anc_engine_say(e, "token \"%s\": %s %s, serial %s, firmware %s",
	    info.label, info.manufacturer, info.model, info.serial,
	    info.fw_version);
	if ((r = anc_run_record_token(e, *m, *t, module, &info, err)) != ANC_OK)
		return r;
	e->record_key = record_key;
	e->record_key_arg = *t;
	if (rh != NULL)
		return anc_token_login(*t, anc_rehearsal_pin, rh, err);
	if ((r = anc_token_login(*t, e->ui->pin, e->ui->pin_arg, err)) !=
	    ANC_OK)
		return r;
	anc_token_on_context_login(*t, on_context_login, e);
	if (e->bk == NULL)
		return ANC_OK;
	e->bk->primary = *t;
	return anc_run_open_backup(e, *m, module, err);
}

/* A rehearsal's stand-in keys, recorded like generated ones. */
static int
record_stand_ins(struct anc_engine *e, struct anc_err *err)
{
	size_t i;
	int r;

	for (i = 0; i < e->c->n_inputs; i++)
		if (e->c->inputs[i].key != NULL && (r = e->record_key(
		    e->record_key_arg, e, e->c->inputs[i].key, err)) != ANC_OK)
			return r;
	return ANC_OK;
}

static int
run_steps(const struct anc_ceremony *c, struct anc_token *t,
    struct anc_engine *e, int rehearsal, struct anc_err *err)
{
	int r;

	if ((r = anc_engine_inputs(e, err)) != ANC_OK)
		return r;
	if (rehearsal && t != NULL && (r = record_stand_ins(e, err)) != ANC_OK)
		return r;
	if ((r = token_preflight(c, t, e, err)) != ANC_OK)
		return r;
	return anc_engine_steps(e, err);
}

/* The closing record, then the transcript listed, then SHA256SUMS. */
static int
finish(struct anc_engine *e, struct anc_err *err)
{
	int r;

	if ((r = anc_closing_write(e, 1, NULL, err)) != ANC_OK ||
	    (r = anc_outbox_record(e->ob, ANC_TR_FILE, err)) != ANC_OK)
		return r;
	return anc_outbox_finish(e->ob, err);
}

/* A rehearsal's look at the real token, recorded (`probe` consumed). */
static int
record_probe(struct anc_engine *e, json_t *probe, struct anc_err *err)
{
	const json_t *tok = json_object_get(probe, "token");

	anc_engine_say(e, "rehearsal: token \"%s\" (%s %s, serial %s) can run "
	    "this script; checked read-only, without a login",
	    json_string_value(json_object_get(tok, "label")),
	    json_string_value(json_object_get(tok, "manufacturer")),
	    json_string_value(json_object_get(tok, "model")),
	    json_string_value(json_object_get(tok, "serial")));
	return anc_rec_probe(e, probe, err);
}

/* Everything after the transcript exists, so that all of it is recorded. */
static int
run_recorded(struct anc_engine *e, struct anc_backend *be,
    const struct anc_run_opts *o, struct anc_rehearsal *rh,
    struct anc_module **m, struct anc_token **t, json_t **probe,
    struct anc_err *err)
{
	const struct anc_ceremony *c = e->c;
	const struct anc_step *ss;
	const struct anc_input *si;
	int r;

	anc_closing_signer(c, &ss, &si);
	if ((r = anc_rec_start(e, o->outbox, c->token == NULL ? NULL :
	    rh != NULL ? ANC_SOFTHSM2_MODULE : o->module, ss, si, err)) !=
	    ANC_OK ||
	    (r = anc_rec_participants(e, err)) != ANC_OK ||
	    (r = anc_engine_confirm(e, ANC_CONFIRM_START, NULL, 0, err)) !=
	    ANC_OK)
		return r;
	if (*probe != NULL) {
		r = record_probe(e, *probe, err);
		*probe = NULL;	/* consumed */
		if (r != ANC_OK)
			return r;
	}
	if (c->token != NULL && (r = open_token(e, o, rh, m, t, err)) !=
	    ANC_OK)
		return r;
	be->arg = *t;
	e->now = time(NULL);
	if ((r = run_steps(c, *t, e, rh != NULL, err)) != ANC_OK)
		return r;
	return finish(e, err);
}

/* A failed or aborted run still closes its transcript, with "abort". */
static void
close_failed(struct anc_engine *e, struct anc_err *err)
{
	struct anc_err cerr;
	size_t len = strlen(err->msg);

	anc_err_clear(&cerr);
	if (e->tr == NULL || anc_tr_closed(e->tr))
		return;
	if (anc_closing_write(e, 0, err, &cerr) != ANC_OK &&
	    len < sizeof(err->msg))
		snprintf(err->msg + len, sizeof(err->msg) - len, "\nthe "
		    "transcript could not be closed: %s", cerr.msg);
}

/* The rehearsal token must not outlive the run. */
static int
end_rehearsal(struct anc_rehearsal *rh, int r, struct anc_err *err)
{
	char dir[4096];

	if (rh == NULL)
		return r;
	snprintf(dir, sizeof(dir), "%s", anc_rehearsal_dir(rh));
	if (anc_rehearsal_end(rh) == 0 || r != ANC_OK)
		return r;
	return anc_err_set(err, ANC_E_IO, "rehearsal: the throwaway token "
	    "directory %s could not be removed; remove it by hand", dir);
}

int
anc_ceremony_run(const struct anc_ceremony *c, const struct anc_run_opts *o,
    const struct anc_ui *ui, struct anc_err *err)
{
	struct anc_backend be = { NULL, tok_generate, tok_random, tok_signer,
	    tok_public, o->rehearsal ? tok_stand_in : tok_issuer_cert,
	    tok_present, o->rehearsal ? NULL : tok_set_pin,
	    o->rehearsal ? NULL : tok_pin_fits };
	struct anc_rehearsal *rh = NULL;
	struct anc_module *m = NULL;
	struct anc_token *t = NULL;
	struct anc_outbox *ob = NULL;
	struct anc_engine *e = NULL, *checked = NULL;
	json_t *probe = NULL;
	struct anc_backup_ctx bk;
	int r = ANC_E_INTERNAL;

	memset(&bk, 0, sizeof(bk));
	bk.medium_fd = -1;
	if ((r = anc_ceremony_precheck(c, &checked, err)) != ANC_OK)
		return r;
	if (!o->yes && (ui == NULL || ui->confirm == NULL)) {
		r = anc_err_set(err, ANC_E_USAGE, "no way to ask the officers "
		    "for confirmations; use --yes for an unattended run");
		goto out;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "run");
		goto out;
	}
	e->checked = checked;
	/* Before the outbox and the transcript: a token that is missing,
	 * unusable, or lacks what the script needs costs nothing. */
	if (c->token != NULL && !o->rehearsal &&
	    ((r = token_usable(c, o->module, o->module_args, o->outbox, &m,
	    &t, err)) != ANC_OK ||
	    (r = anc_preflight_fits(c, t, err)) != ANC_OK))
		goto out;
	/* A rehearsal looks at the real token first, read-only, before it
	 * points SOFTHSM2_CONF at its throwaway one. */
	if (c->token != NULL && o->rehearsal &&
	    (r = anc_preflight_real_token(c, o->module, &probe, err)) !=
	    ANC_OK) {
		anc_err_prefix(err, "rehearsal: checking the ceremony's own "
		    "token through %s (read-only)", o->module);
		goto out;
	}
	if ((r = anc_outbox_open(o->outbox, &ob, err)) != ANC_OK ||
	    (r = outputs_free(c, ob, err)) != ANC_OK)
		goto out;
	if (anc_ceremony_backup_needs(c) != 0) {
		if ((r = anc_run_backup_begin(c, o, ui, &bk, err)) != ANC_OK)
			goto out;
		e->bk = &bk;
	}
	if (o->rehearsal && (r = anc_rehearsal_begin(&rh, err)) != ANC_OK)
		goto out;
	e->c = c;
	e->be = &be;
	e->ob = ob;
	e->ui = ui;
	e->unattended = o->yes;
	if ((r = anc_tr_open(anc_outbox_dirfd(ob), anc_outbox_dir(ob),
	    o->rehearsal, o->yes, &e->tr, err)) != ANC_OK)
		goto out;
	if ((r = run_recorded(e, &be, o, rh, &m, &t, &probe, err)) != ANC_OK) {
		close_failed(e, err);
		report_leftovers(e, ob, o->rehearsal, err);
	}
 out:
	json_decref(probe);
	if (e != NULL) {
		anc_engine_clear(e);
		anc_tr_free(e->tr);
	}
	free(e);
	if (checked != NULL)
		anc_engine_clear(checked);
	free(checked);
	/* Tokens before module: libp11 must not outlive its sessions. */
	anc_token_free(bk.backup);
	anc_token_free(t);
	anc_module_free(m);
	if (bk.medium_fd >= 0)
		close(bk.medium_fd);
	r = end_rehearsal(rh, r, err);
	anc_outbox_free(ob);
	return r;
}
