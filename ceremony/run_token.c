/*
 * anchorage: the run's token.  Before the outbox exists, whether the
 * script's token is there and ready for a login; then opening it (or the
 * rehearsal's throwaway one), the evidence record of what it is, the one
 * login and the record of each context-specific login; then the read-only
 * checks before the first call that changes state: random bytes when the
 * script needs them, labels free, keys present and matching their input
 * certificates.  Keys generated in the run are read back and recorded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/ceremony.h"
#include "anchorage/err.h"
#include "anchorage/token.h"
#include "anchorage/transcript.h"
#include "ceremony_int.h"
#include "engine.h"
#include "records.h"
#include "rehearsal.h"
#include "run.h"

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

int
anc_run_rng_preflight(const struct anc_ceremony *c, struct anc_token *t,
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

int
anc_run_keys_preflight(const struct anc_ceremony *c, struct anc_token *t,
    const struct anc_engine *e, struct anc_err *err)
{
	struct anc_key_info ki;
	const struct anc_step *s;
	size_t i;
	int found, r;

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

int
anc_run_token_usable(const struct anc_ceremony *c, const char *module,
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

int
anc_run_open_token(struct anc_engine *e, const struct anc_run_opts *o,
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
	return ANC_OK;
}

