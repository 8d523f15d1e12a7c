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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "anchorage/ceremony.h"
#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/hash.h"
#include "anchorage/token.h"
#include "ceremony_int.h"
#include "engine.h"

static int
tok_generate(void *arg, enum anc_keyalg alg, const char *label,
    struct anc_key_info *info, struct anc_err *err)
{
	return anc_token_generate_key(arg, alg, label, info, err);
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

/* Every file the run will write must be absent before anything starts. */
static int
outputs_free(const struct anc_ceremony *c, struct anc_outbox *ob,
    struct anc_err *err)
{
	char names[4][128];
	size_t i, j, n;
	int r;

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

static int
generated_here(const struct anc_ceremony *c, const char *label)
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

/* Read-only checks against the token, before any state changes. */
static int
token_preflight(const struct anc_ceremony *c, struct anc_token *t,
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
		    !generated_here(c, s->key)) {
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
    struct anc_err *err)
{
	char more[ANC_ERR_MSG_MAX];
	size_t i, n = 0, len;

	len = strlen(err->msg);
	n += (size_t)snprintf(more + n, sizeof(more) - n, "\nleft behind:");
	if (e->nmade == 0)
		n += (size_t)snprintf(more + n, sizeof(more) - n,
		    " no key was generated;");
	for (i = 0; i < e->nmade && n < sizeof(more); i++)
		n += (size_t)snprintf(more + n, sizeof(more) - n,
		    " key \"%s\" in the token;", e->made[i]);
	for (i = 0; ob != NULL && i < anc_outbox_count(ob) &&
	    n < sizeof(more); i++)
		n += (size_t)snprintf(more + n, sizeof(more) - n, " %s/%s;",
		    anc_outbox_dir(ob), anc_outbox_file(ob, i));
	if (n < sizeof(more))
		snprintf(more + n, sizeof(more) - n, " no SHA256SUMS was "
		    "written, so the outbox does not verify (see "
		    "docs/ceremony-format.md, \"When a run fails\")");
	if (len < sizeof(err->msg))
		snprintf(err->msg + len, sizeof(err->msg) - len, "%s", more);
}

/* Open and log in to the script's token, saying which token it is. */
static int
open_token(struct anc_engine *e, const struct anc_run_opts *o,
    struct anc_module **m, struct anc_token **t, struct anc_err *err)
{
	struct anc_slot_info info;
	int r;

	if ((r = anc_module_load(o->module, m, err)) != ANC_OK ||
	    (r = anc_token_open(*m, e->c->token, t, err)) != ANC_OK ||
	    (r = anc_token_info(*t, &info, err)) != ANC_OK)
		return r;
	anc_engine_say(e, "token \"%s\": %s %s, serial %s, firmware %s",
	    info.label, info.manufacturer, info.model, info.serial,
	    info.fw_version);
	return anc_token_login(*t, e->ui->pin, e->ui->pin_arg, err);
}

static int
run_steps(const struct anc_ceremony *c, struct anc_token *t,
    struct anc_engine *e, struct anc_err *err)
{
	int r;

	if ((r = anc_engine_inputs(e, err)) != ANC_OK)
		return r;
	if ((r = token_preflight(c, t, e, err)) != ANC_OK)
		return r;
	if ((r = anc_engine_steps(e, err)) != ANC_OK)
		return r;
	return anc_outbox_finish(e->ob, err);
}

int
anc_ceremony_run(const struct anc_ceremony *c, const struct anc_run_opts *o,
    const struct anc_ui *ui, struct anc_err *err)
{
	struct anc_backend be = { NULL, tok_generate, tok_random, tok_signer,
	    tok_public, tok_issuer_cert, tok_present };
	struct anc_module *m = NULL;
	struct anc_token *t = NULL;
	struct anc_outbox *ob = NULL;
	struct anc_engine *e = NULL;
	int r = ANC_E_INTERNAL;

	if ((r = anc_ceremony_check(c, err)) != ANC_OK)
		return r;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "run");
	if ((r = anc_outbox_open(o->outbox, &ob, err)) != ANC_OK ||
	    (r = outputs_free(c, ob, err)) != ANC_OK)
		goto out;
	e->c = c;
	e->be = &be;
	e->ob = ob;
	e->ui = ui;
	if (c->token != NULL && (r = open_token(e, o, &m, &t, err)) != ANC_OK)
		goto out;
	be.arg = t;
	e->now = time(NULL);
	if ((r = run_steps(c, t, e, err)) != ANC_OK)
		report_leftovers(e, ob, err);
 out:
	if (e != NULL)
		anc_engine_clear(e);
	free(e);
	/* Token before module: libp11 must not outlive its sessions. */
	anc_token_free(t);
	anc_module_free(m);
	anc_outbox_free(ob);
	return r;
}
