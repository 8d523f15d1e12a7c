/*
 * anchorage: the sign-crl step: a CRL signed by an issuer's key in the token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "anchorage/err.h"
#include "step.h"
#include "steps.h"

/* The certificates revoked, each once. */

#define RV(m) offsetof(struct anc_revocation, m)

static const struct anc_field revoke_fields[] = {
	{ "certificate",	&anc_t_artifact,	REQUIRED,	RV(certificate),	0 },
	{ "reason",		&anc_t_reason,		"unspecified",	RV(reason),		0 },
};

static int
revoke_item(struct anc_reader *p, void *obj)
{
	struct anc_step *s = obj;
	struct anc_revocation *rv;
	size_t i;
	int r;

	if ((rv = anc_read_add(p, &s->revoke, &s->n_revoke, sizeof(*rv))) ==
	    NULL)
		return ANC_E_NOMEM;
	rv->line = anc_read_line(p);
	if ((r = anc_read_defaults(p, revoke_fields, ANC_N(revoke_fields),
	    rv)) != ANC_OK || (r = anc_read_map(p, revoke_fields,
	    ANC_N(revoke_fields), rv)) != ANC_OK)
		return r;
	for (i = 0; i + 1 < s->n_revoke; i++)
		if (strcmp(s->revoke[i].certificate, rv->certificate) == 0) {
			anc_read_push(p, "certificate");
			return anc_read_err(p, ANC_E_FIELD, rv->line, "\"%s\" "
			    "is already revoked by revoke[%zu]",
			    rv->certificate, i + 1);
		}
	return ANC_OK;
}

static const struct anc_type t_revoke = ANC_LIST(0, ANC_CER_LIST_MAX,
    "revocations", revoke_item);

static const struct anc_field fields[] = {
	{ "issuer",	&anc_t_artifact,	REQUIRED,	S(issuer),	SL(issuer) },
	{ "revoke",	&t_revoke,		NONE,		0,		0 },
	{ "crl-number",	&anc_t_crl_number,	REQUIRED,	S(crl_number),	0 },
	{ "previous",	&anc_t_artifact,	NONE,		S(previous),	0 },
	{ "validity",	&anc_t_crl_validity,	"720h",		S(validity),	SL(validity) },
	{ "output",	&anc_t_artifact,	REQUIRED,	S(output),	SL(output) },
};

/* What a CRL can revoke: certificates made under an issuer. */
#define REVOCABLE (ANC_ART_CERT_IN | \
	ANC_ART_STEP(ANC_STEP_ISSUE_INTERMEDIATE) | \
	ANC_ART_STEP(ANC_STEP_SIGN_CSR) | ANC_ART_STEP(ANC_STEP_CROSS_SIGN))

/* A CRL lists certificates of its own issuer only. */
static int
check(struct anc_vctx *v, const struct anc_step *s)
{
	const struct anc_revocation *rv;
	struct anc_artref a;
	char f[128], param[48];
	size_t i;
	int r;

	if ((r = anc_ref_issuer(v, s, &a)) != ANC_OK)
		return r;
	for (i = 0; i < s->n_revoke; i++) {
		rv = &s->revoke[i];
		snprintf(param, sizeof(param), "revoke[%zu].certificate",
		    i + 1);
		if ((r = anc_ref(v, s, anc_step_field(f, sizeof(f), s, param),
		    anc_line_or(s, rv->line), rv->certificate, REVOCABLE,
		    "a certificate input or an issue-intermediate, sign-csr "
		    "or cross-sign output", &a)) != ANC_OK)
			return r;
		if (a.step != NULL && strcmp(a.step->issuer, s->issuer) != 0)
			return anc_verr(v, anc_line_or(s, rv->line), f,
			    "\"%s\" was issued by \"%s\", not by this CRL's "
			    "issuer \"%s\"", rv->certificate, a.step->issuer,
			    s->issuer);
	}
	if (s->previous != NULL)
		return anc_ref(v, s, anc_step_field(f, sizeof(f), s,
		    "previous"), s->line, s->previous, ANC_ART_CRL_IN,
		    "a crl input", &a);
	return ANC_OK;
}

static void
plan(struct anc_buf *t, const struct anc_step *s)
{
	anc_buf_put(t, "with the key of %s, sign CRL number %llu revoking %zu "
	    "certificate(s)", s->issuer,
	    (unsigned long long)s->crl_number, s->n_revoke);
}

static void
inputs(const struct anc_engine *e, const struct anc_step *s,
    struct anc_confirm_item *v, size_t cap, size_t *n)
{
	size_t i;

	anc_rec_item(e, v, cap, n, s->issuer, 0);
	for (i = 0; i < s->n_revoke; i++)
		anc_rec_item(e, v, cap, n, s->revoke[i].certificate, 0);
}

/* A CRL has no serial number: a signature only. */
static int
needs(struct anc_derive *d, const struct anc_step *s, struct anc_err *err)
{
	return anc_need_issue(d, s, s->issuer, 0, err);
}

/* The CRL builder's inputs, from the step and its artifacts. */
static int
crl_build(struct anc_engine *e, const struct anc_step *s, X509 *issuer,
    X509_CRL **out, struct anc_err *err)
{
	struct anc_crl_revoked rv[ANC_CER_LIST_MAX];
	struct anc_crl_spec sp;
	struct anc_artifact *a;
	size_t i;

	memset(&sp, 0, sizeof(sp));
	if (s->n_revoke > ANC_CER_LIST_MAX)
		return anc_err_set(err, ANC_E_INTERNAL, "revoke");
	/* validate.c guarantees certificates and a CRL. */
	for (i = 0; i < s->n_revoke; i++) {
		a = anc_engine_find(e, s->revoke[i].certificate);
		if (a == NULL || a->kind != ANC_ART_CERT)
			return anc_err_set(err, ANC_E_INTERNAL, "revoke \"%s\"",
			    s->revoke[i].certificate);
		rv[i].name = s->revoke[i].certificate;
		rv[i].cert = a->cert;
		rv[i].reason = s->revoke[i].reason;
	}
	if (s->previous != NULL) {
		a = anc_engine_find(e, s->previous);
		if (a == NULL || a->kind != ANC_ART_CRL)
			return anc_err_set(err, ANC_E_INTERNAL, "previous "
			    "\"%s\"", s->previous);
		sp.previous = a->crl;
		sp.previous_name = s->previous;
	}
	sp.issuer = issuer;
	sp.issuer_name = s->issuer;
	sp.now = e->now;
	sp.validity = s->validity;
	sp.number = s->crl_number;
	sp.revoked = rv;
	sp.n_revoked = s->n_revoke;
	/* When checking, the issuer carries a throwaway key, so only the
	 * run can check the previous CRL's signature. */
	sp.check_previous = e->ob != NULL;
	return anc_crl_build(&sp, out, err);
}

static int
run(struct anc_engine *e, const struct anc_step *s, struct anc_err *err)
{
	struct anc_artifact *issuer, *a;
	EVP_PKEY *signer = NULL, *pub = NULL;
	X509_CRL *crl = NULL;
	BIO *bio = NULL;
	BUF_MEM *mem;
	char file[128];
	int r;

	if ((r = anc_steps_issuer_of(e, s, &issuer, err)) != ANC_OK)
		return r;
	if ((r = crl_build(e, s, issuer->cert, &crl, err)) != ANC_OK)
		goto out;
	if ((r = e->be->signer(e->be->arg, issuer->key_label,
	    anc_steps_issuer_hint(issuer), &signer, err)) != ANC_OK ||
	    (r = e->be->public_key(e->be->arg, issuer->key_label,
	    anc_steps_issuer_hint(issuer), &pub, err)) != ANC_OK)
		goto out;
	if (X509_CRL_sign(crl, signer, anc_profile_md(signer)) <= 0) {
		anc_err_ossl(err, ANC_E_CRYPTO, "signing the CRL");
		(void)e->be->present(e->be->arg, err);
		r = err->code;
		goto out;
	}
	if (X509_CRL_verify(crl, pub) != 1) {
		r = anc_err_ossl(err, ANC_E_BADSIG, "the CRL signature does "
		    "not verify with the public key of %s; nothing written",
		    s->issuer);
		goto out;
	}
	if ((a = anc_engine_new_art(e, s->output, ANC_ART_CRL, s)) == NULL) {
		r = anc_err_set(err, ANC_E_INTERNAL, "output %s", s->output);
		goto out;
	}
	a->crl = crl;
	crl = NULL;	/* transferred */
	anc_engine_say(e, "  CRL %s number %llu, %zu revocation(s), signed "
	    "and verified", s->output, (unsigned long long)s->crl_number,
	    s->n_revoke);
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_X509_CRL(bio, a->crl) != 1) {
		r = anc_err_ossl(err, ANC_E_CRYPTO, "CRL PEM");
		goto out;
	}
	BIO_get_mem_ptr(bio, &mem);
	snprintf(file, sizeof(file), "%s.pem", s->output);
	r = anc_steps_write(e, file, mem->data, mem->length, 0644, err);
 out:
	BIO_free(bio);
	X509_CRL_free(crl);
	EVP_PKEY_free(pub);
	return r;
}

const struct anc_step_type anc_kind_sign_crl = {
	.kind = ANC_STEP_SIGN_CRL,
	.name = "sign-crl",
	.uses_token = 1,
	ANC_STEP_FIELDS(fields),
	.init = NULL,
	.check = check,
	.plan = plan,
	.files = anc_step_files_pem,
	.needs = needs,
	.inputs = inputs,
	.run = run,
};
