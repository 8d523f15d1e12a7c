/*
 * anchorage: the step engine.  Each step builds, lints, signs, verifies
 * and only then writes; see engine.h for why check and run share it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "anchorage/err.h"
#include "anchorage/file.h"
#include "anchorage/hash.h"
#include "anchorage/rotation.h"
#include "anchorage/secmem.h"
#include "engine.h"
#include "profile.h"
#include "records.h"
#include "step.h"
#include "steps.h"

static enum anc_art_kind
input_art_kind(enum anc_input_kind kind)
{
	switch (kind) {
	case ANC_INPUT_CERTIFICATE:
		return ANC_ART_CERT;
	case ANC_INPUT_CSR:
		return ANC_ART_CSR;
	case ANC_INPUT_BUNDLE:
		return ANC_ART_BUNDLE;
	case ANC_INPUT_CRL:
		return ANC_ART_CRL;
	case ANC_INPUT_CLUSTERS:
		return ANC_ART_CLUSTERS;
	default:
		return ANC_ART_INVENTORY;
	}
}

/*
 * The CSR the check before this run read from the same bytes, and whether
 * it passed proof of possession there: each CSR is then parsed and
 * verified once per run.  0 when there is none to take.
 */
static int
take_csr(struct anc_engine *e, const struct anc_input *in, const char *hex,
    struct anc_artifact *a)
{
	struct anc_artifact *p;

	if (e->checked == NULL ||
	    strcmp(e->checked->in_sha256[in - e->c->inputs], hex) != 0 ||
	    (p = anc_engine_find(e->checked, in->name)) == NULL ||
	    p->kind != ANC_ART_CSR || p->csr == NULL)
		return 0;
	a->csr = p->csr;
	a->csr_verified = p->csr_verified;
	p->csr = NULL;	/* transferred */
	return 1;
}

/*
 * An input certificate: exactly one.  With a key, the certificate to issue
 * under is the backend's (the token's own, or a check's or rehearsal's
 * copy carrying its throwaway key).
 */
static int
load_cert(struct anc_engine *e, const struct anc_input *in,
    const unsigned char *data, size_t len, struct anc_artifact *a,
    struct anc_err *err)
{
	STACK_OF(X509) *certs = NULL;
	int r;

	if ((r = anc_pem_read_certs(data, len, in->path, &certs, err)) !=
	    ANC_OK)
		return r;
	if (sk_X509_num(certs) != 1) {
		r = anc_err_set(err, ANC_E_INPUT, "input \"%s\": %s holds %d "
		    "certificates, expected exactly one", in->name, in->path,
		    sk_X509_num(certs));
		goto out;
	}
	a->key_label = in->key;
	if (in->key == NULL)
		a->cert = sk_X509_shift(certs);
	else
		r = e->be->issuer_cert(e->be->arg, in->key,
		    sk_X509_value(certs, 0), &a->cert, err);
 out:
	sk_X509_pop_free(certs, X509_free);
	return r;
}

static int
load_input(struct anc_engine *e, const struct anc_input *in,
    struct anc_err *err)
{
	struct anc_artifact *a;
	unsigned char *data = NULL;
	char hex[ANC_SHA256_HEX];
	size_t len = 0;
	int r;

	/* A cluster's inventory report outgrows any outbox file. */
	if ((r = anc_file_read(in->path, in->kind == ANC_INPUT_INVENTORY ?
	    ANC_INV_REPORT_MAX : ANC_OUTBOX_FILE_MAX, &data, &len, err)) !=
	    ANC_OK)
		return anc_err_prefix(err, "input \"%s\"", in->name);
	anc_sha256_hex(data, len, hex);
	if (in->sha256 != NULL && strcmp(hex, in->sha256) != 0) {
		r = anc_err_set(err, ANC_E_INPUT, "input \"%s\": %s has SHA-256 "
		    "%s, expected %s as the script pins it", in->name, in->path,
		    hex, in->sha256);
		goto out;
	}
	a = anc_engine_new_art(e, in->name, input_art_kind(in->kind), NULL);
	if (a == NULL) {
		r = anc_err_set(err, ANC_E_INTERNAL, "input \"%s\"", in->name);
		goto out;
	}
	switch (in->kind) {
	case ANC_INPUT_CERTIFICATE:
		if ((r = load_cert(e, in, data, len, a, err)) != ANC_OK)
			goto out;
		break;
	case ANC_INPUT_CSR:
		if (!take_csr(e, in, hex, a) && (r = anc_steps_read_csr(data,
		    len, in->path, &a->csr, err)) != ANC_OK)
			goto out;
		break;
	case ANC_INPUT_INVENTORY:
	case ANC_INPUT_CLUSTERS:
		/* Kept as bytes: a batch step reads its clusters from them
		 * one at a time. */
		a->raw = data;
		a->raw_len = len;
		data = NULL;	/* transferred */
		break;
	case ANC_INPUT_BUNDLE:
		/* Every certificate: never only the first block. */
		if ((r = anc_pem_read_certs(data, len, in->path, &a->certs,
		    err)) != ANC_OK)
			goto out;
		break;
	case ANC_INPUT_CRL:
		if ((r = anc_steps_read_crl(data, len, in->path, &a->crl,
		    err)) != ANC_OK)
			goto out;
		break;
	default:
		r = anc_err_set(err, ANC_E_INTERNAL, "input kind %d", in->kind);
		goto out;
	}
	anc_engine_say(e, "input %s: %s (sha256 %s)", in->name, in->path, hex);
	memcpy(e->in_sha256[in - e->c->inputs], hex, sizeof(hex));
	if ((r = anc_rec_input(e, in, hex, err)) != ANC_OK)
		goto out;
	/* success */
	r = ANC_OK;
 out:
	free(data);
	return r;
}

int
anc_engine_inputs(struct anc_engine *e, struct anc_err *err)
{
	size_t i;
	int r;

	for (i = 0; i < e->c->n_inputs; i++)
		if ((r = load_input(e, &e->c->inputs[i], err)) != ANC_OK)
			return r;
	return ANC_OK;
}

/* One step between its two confirmations, each phase recorded. */
static int
run_one(struct anc_engine *e, const struct anc_step *s,
    const struct anc_step_type *t, struct anc_err *err)
{
	size_t first = e->ob != NULL ? anc_outbox_count(e->ob) : 0;
	char what[64];
	int r;

	snprintf(what, sizeof(what), "step %d/%zu %s", s->index,
	    e->c->n_steps, anc_step_kind_name(s));
	anc_engine_say(e, "%s", what);
	if ((r = anc_rec_step(e, s, err)) != ANC_OK ||
	    (r = anc_engine_confirm(e, ANC_CONFIRM_BEFORE, s, 0, err)) !=
	    ANC_OK)
		return r;
	anc_engine_busy(e, what);
	r = t->run(e, s, err);
	anc_engine_busy(e, NULL);
	if (r == ANC_OK && e->ctx_rec_failed) {
		*err = e->ctx_err;
		r = err->code;
	}
	if (r != ANC_OK)
		return r;
	return anc_engine_confirm(e, ANC_CONFIRM_AFTER, s, first, err);
}

int
anc_engine_steps(struct anc_engine *e, struct anc_err *err)
{
	const struct anc_step_type *t;
	const struct anc_step *s;
	size_t i;
	int r;

	for (i = 0; i < e->c->n_steps; i++) {
		s = &e->c->steps[i];
		if ((t = s->type) == NULL || t->run == NULL)
			return anc_err_set(err, ANC_E_INTERNAL, "step %d: no "
			    "handler", s->index);
		/* Left set on failure: the abort record names the step. */
		e->step = s->index;
		if ((r = run_one(e, s, t, err)) != ANC_OK)
			return anc_err_prefix(err, "%s:%d: step %d (%s)",
			    e->c->path, s->line, s->index,
			    anc_step_kind_name(s));
	}
	e->step = 0;
	return ANC_OK;
}

/* Free what an artifact holds; its name and kind stay. */
static void
art_free(struct anc_artifact *a)
{
	X509_free(a->cert);
	/* EVP_PKEY_free cleanses private key material. */
	EVP_PKEY_free(a->soft_key);
	sk_X509_pop_free(a->certs, X509_free);
	X509_REQ_free(a->csr);
	X509_CRL_free(a->crl);
	free(a->raw);
	EVP_PKEY_free(a->pub);
	a->pub = NULL;
	a->cert = NULL;
	a->soft_key = NULL;
	a->certs = NULL;
	a->csr = NULL;
	a->crl = NULL;
	a->raw = NULL;
	a->raw_len = 0;
}

void
anc_engine_clear(struct anc_engine *e)
{
	size_t i;

	for (i = 0; i < e->nart; i++)
		art_free(&e->arts[i]);
	e->nart = 0;
	for (i = 0; i < e->npop; i++)
		free(e->pop[i].sha256);
	free(e->pop);
	e->pop = NULL;
	e->npop = 0;
}

void
anc_engine_keep_csrs(struct anc_engine *e)
{
	size_t i;

	/* An input CSR holds its request and nothing else.  The others stay
	 * in place, empty, so that names still find what they should. */
	for (i = 0; i < e->nart; i++)
		if (e->arts[i].step != NULL || e->arts[i].kind != ANC_ART_CSR)
			art_free(&e->arts[i]);
}
