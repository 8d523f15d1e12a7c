/*
 * anchorage: closing the transcript.  The last record ("end", or "abort"
 * when the run stopped) is signed by the ceremony's root key in the token,
 * so that the record as a whole can be tied to the certificate it made.
 *
 * Which key (docs/transcript-format.md, "Who signs"): the key of the
 * script's first self-sign step; in a script without one, the token key of
 * its first input certificate that has one (the root an issuing-CA
 * ceremony signs under).  Its certificate must exist when the record is
 * written: a run that stops before the root certificate is made, or a
 * script with no such key, writes an unsigned closing record that says why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "anchorage/hash.h"
#include "profile.h"
#include "records.h"
#include "steps.h"

void
anc_closing_signer(const struct anc_ceremony *c, const struct anc_step **step,
    const struct anc_input **in)
{
	size_t i;

	*step = NULL;
	*in = NULL;
	for (i = 0; i < c->n_steps; i++)
		if (c->steps[i].kind == ANC_STEP_SELF_SIGN) {
			*step = &c->steps[i];
			return;
		}
	for (i = 0; i < c->n_inputs; i++)
		if (c->inputs[i].kind == ANC_INPUT_CERTIFICATE &&
		    c->inputs[i].key != NULL) {
			*in = &c->inputs[i];
			return;
		}
}

/* The signer's certificate as this run holds it, or NULL and why not. */
static struct anc_artifact *
signer_art(struct anc_engine *e, char *why, size_t cap)
{
	const struct anc_step *s;
	const struct anc_input *in;
	struct anc_artifact *a = NULL;

	anc_closing_signer(e->c, &s, &in);
	if (s != NULL && (a = anc_engine_find(e, s->output)) == NULL)
		snprintf(why, cap, "the run ended before step %d (self-sign) "
		    "made the root certificate %s", s->index, s->output);
	else if (in != NULL && (a = anc_engine_find(e, in->name)) == NULL)
		snprintf(why, cap, "the run ended before input %s was loaded",
		    in->name);
	if (a != NULL && a->cert != NULL && a->key_label != NULL)
		return a;
	if (why[0] == '\0')
		snprintf(why, cap, "no certificate of this ceremony has its key "
		    "in the token");
	return NULL;
}

/* Add "signer" for the artifact's key; *signer is borrowed, *pub owned. */
static int
add_signer(struct anc_engine *e, const struct anc_artifact *a, json_t *rec,
    EVP_PKEY **signer, EVP_PKEY **pub, char fp[65], struct anc_err *err)
{
	EVP_PKEY *certkey = X509_get0_pubkey(a->cert);
	enum anc_keyalg hint = anc_key_alg(certkey);
	char *spki = NULL;
	int r;

	if ((r = e->be->public_key(e->be->arg, a->key_label, hint, pub,
	    err)) != ANC_OK)
		return r;
	if (EVP_PKEY_eq(*pub, certkey) != 1)
		return anc_err_set(err, ANC_E_UNSAFE, "token key \"%s\" does "
		    "not match the public key of %s", a->key_label, a->name);
	if ((r = e->be->signer(e->be->arg, a->key_label, hint, signer,
	    err)) != ANC_OK)
		return r;
	if (anc_cert_fingerprint(a->cert, fp) != ANC_OK ||
	    (spki = anc_tr_spki_b64(*pub)) == NULL ||
	    anc_tr_sig_alg(*pub) == NULL ||
	    json_object_set_new(rec, "signer", json_pack("{s:s, s:s, s:s, "
	    "s:s, s:s}", "key", a->key_label, "certificate", a->name,
	    "certificate_sha256", fp, "spki", spki, "algorithm",
	    anc_tr_sig_alg(*pub))) != 0)
		r = anc_err_set(err, ANC_E_CRYPTO, "closing record: signer %s",
		    a->name);
	free(spki);
	return r;
}

/*
 * Format 2: the files are listed in their output and cluster records, so
 * the end record gives their count and one hash over them in record
 * order; it stays a few hundred bytes however large the fleet, and so does
 * what the token signs.
 */
static json_t *
end_fields(const struct anc_engine *e)
{
	char hex[ANC_SHA256_HEX];
	size_t n = 0;

	if (anc_tr_outputs(e->tr, &n, hex) != 0)
		return NULL;
	return json_pack("{s:i, s:I, s:s}", "steps", (int)e->c->n_steps,
	    "outputs_count", (json_int_t)n, "outputs_sha256", hex);
}

/* What the run left in the outbox: its files, except that a batch step's
 * directory (made by this run, never there before) stands for all the
 * files in it, which the outbox does not list. */
static int
left_files(const struct anc_engine *e, json_t *files, json_t *dirs)
{
	const char *d;
	size_t i;

	for (i = 0; e->ob != NULL && i < anc_outbox_count(e->ob); i++)
		if (json_array_append_new(files, json_string(
		    anc_outbox_file(e->ob, i))) != 0)
			return -1;
	for (i = 0; e->ob != NULL &&
	    (d = anc_outbox_batch_dir(e->ob, i)) != NULL; i++)
		if (json_array_append_new(dirs, json_sprintf("%s/", d)) != 0)
			return -1;
	return 0;
}

static json_t *
abort_fields(const struct anc_engine *e, const struct anc_err *cause)
{
	json_t *keys = json_array(), *ids = json_array(), *files = json_array();
	json_t *dirs = json_array(), *by = json_null();
	size_t i;

	for (i = 0; keys != NULL && ids != NULL && i < e->nmade; i++) {
		json_array_append_new(keys, anc_tr_str(e->made[i]));
		json_array_append_new(ids, json_string(e->made_id[i]));
	}
	if (files != NULL && dirs != NULL && left_files(e, files, dirs) != 0) {
		json_decref(files);
		files = NULL;
	}
	if (e->abort_role != NULL)
		by = json_pack("{s:s, s:o, s:o}", "role", e->abort_role,
		    "name", anc_tr_str(e->abort.name), "text",
		    anc_tr_str(e->abort.text));
	return json_pack("{s:i, s:o, s:o, s:{s:o, s:o, s:o, s:o}}", "step",
	    e->step, "reason", anc_tr_str(cause->msg), "by", by, "left_behind",
	    "keys", keys, "key_ids", ids, "files", files, "directories", dirs);
}

static void
tell(struct anc_engine *e, int complete, const char *fp, const char *why)
{
	struct anc_closing cl;
	char words[ANC_TR_WORDS_MAX], path[4096];

	if (e->ui == NULL || e->ui->closed == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s", anc_outbox_dir(e->ob),
	    ANC_TR_FILE);
	/* Words for a hash of ours always fit; the hash is shown anyway. */
	if (anc_pgp_words_hex(anc_tr_last_hash(e->tr), words,
	    sizeof(words)) != 0)
		words[0] = '\0';
	memset(&cl, 0, sizeof(cl));
	cl.transcript = path;
	cl.complete = complete;
	cl.hash = anc_tr_last_hash(e->tr);
	cl.words = words;
	cl.is_signed = fp != NULL;
	cl.signer_sha256 = fp;
	cl.unsigned_reason = fp == NULL ? why : NULL;
	e->ui->closed(e->ui->closed_arg, &cl);
}

/* One attempt; with `sign` 0 the record is unsigned and says `why`. */
static int
close_once(struct anc_engine *e, int complete, const struct anc_err *cause,
    int sign, char *why, size_t cap, struct anc_err *err)
{
	struct anc_artifact *a = NULL;
	EVP_PKEY *signer = NULL, *pub = NULL;
	json_t *rec = complete ? end_fields(e) : abort_fields(e, cause);
	char fp[65];
	int r = ANC_E_INTERNAL;

	if (rec == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "closing record");
		goto out;
	}
	if (sign && (a = signer_art(e, why, cap)) != NULL &&
	    (r = add_signer(e, a, rec, &signer, &pub, fp, err)) != ANC_OK)
		goto out;
	if (a == NULL && (json_object_set_new(rec, "signer", json_null()) !=
	    0 || json_object_set_new(rec, "unsigned_reason",
	    anc_tr_str(why)) != 0)) {
		r = anc_err_set(err, ANC_E_NOMEM, "closing record");
		goto out;
	}
	e->closing = 1;
	anc_engine_busy(e, "closing record");
	r = anc_tr_close(e->tr, complete ? "end" : "abort", rec, signer, pub,
	    err);
	anc_engine_busy(e, NULL);
	e->closing = 0;
	rec = NULL;	/* consumed */
	if (r == ANC_OK)
		tell(e, complete, a != NULL ? fp : NULL, why);
 out:
	json_decref(rec);
	EVP_PKEY_free(pub);
	return r;
}

int
anc_closing_write(struct anc_engine *e, int complete,
    const struct anc_err *cause, struct anc_err *err)
{
	char why[512] = "";
	int r;

	if (e->tr == NULL || anc_tr_closed(e->tr))
		return ANC_OK;
	r = close_once(e, complete, cause, 1, why, sizeof(why), err);
	/* An abort is recorded even when the token cannot sign any more:
	 * unsigned, saying why. */
	if (r != ANC_OK && !complete && !anc_tr_closed(e->tr)) {
		snprintf(why, sizeof(why), "signing failed: %s", err->msg);
		r = close_once(e, 0, cause, 0, why, sizeof(why), err);
	}
	return r;
}
