/*
 * anchorage: the issue-intermediate step: an issuing CA whose key is
 * made in software, certified by an issuer's key in the token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "step.h"
#include "steps.h"

static const struct anc_field fields[] = {
	{ "issuer",		&anc_t_artifact,		REQUIRED,	S(issuer),	SL(issuer) },
	{ "subject",		&anc_t_subject,			REQUIRED,	S(subject),	0 },
	{ "validity",		&anc_t_validity,		"43800h",	S(validity),	SL(validity) },
	{ "path-length",	&anc_t_pathlen,			"0",		S(path_length),	SL(path_length) },
	{ "algorithm",		&anc_t_soft_alg,		"ecdsa-p256",	S(algorithm),	0 },
	{ "name-constraints",	&anc_t_name_constraints,	NONE,		S(nc),		0 },
	{ "extended-key-usage",	&anc_t_eku,			NONE,		S(eku),		0 },
	{ "output",		&anc_t_artifact,		REQUIRED,	S(output),	SL(output) },
};

static int
check(struct anc_vctx *v, const struct anc_step *s)
{
	struct anc_artref a;
	int r;

	if ((r = anc_ref_issuer(v, s, &a)) != ANC_OK)
		return r;
	return anc_check_under(v, s, &a);
}

static void
plan(struct anc_buf *t, const struct anc_step *s)
{
	anc_buf_put(t, "generate an %s issuing-CA key in software, and with "
	    "the key of %s ", anc_keyalg_name(s->algorithm), s->issuer);
	anc_put_cert_step(t, s, "sign its certificate");
}

static int
needs(struct anc_derive *d, const struct anc_step *s, struct anc_err *err)
{
	return anc_need_issue(d, s, s->issuer, 1, err);
}

static int
run(struct anc_engine *e, const struct anc_step *s, struct anc_err *err)
{
	struct anc_cert_spec spec;
	struct anc_artifact *issuer;
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	int r;

	if ((r = anc_steps_issuer_of(e, s, &issuer, err)) != ANC_OK)
		return r;
	/* The issuing CA's key is made here in software: cert-manager's CA
	 * issuer needs it in its Secret.  It lives only in memory and in the
	 * Secret manifest, and is freed (cleansed) with the artifact. */
	if ((r = anc_throwaway_key(s->algorithm, &key, err)) != ANC_OK)
		return r;
	anc_steps_spec_init(&spec, e, s, issuer);
	spec.profile = ANC_PROFILE_INTERMEDIATE;
	spec.subject = &s->subject;
	spec.subject_key = key;
	if ((r = anc_steps_issue(e, &spec, issuer->key_label,
	    anc_steps_issuer_hint(issuer), &x, err)) != ANC_OK ||
	    (r = anc_steps_prove(e, x, &s->nc, s->eku, NULL, err)) != ANC_OK)
		goto out;
	r = anc_steps_keep_cert(e, s, &x, &key, "issuing CA", err);
 out:
	X509_free(x);
	EVP_PKEY_free(key);
	return r;
}

const struct anc_step_type anc_kind_issue_intermediate = {
	.kind = ANC_STEP_ISSUE_INTERMEDIATE,
	.name = "issue-intermediate",
	.uses_token = 1,
	ANC_STEP_FIELDS(fields),
	.init = NULL,
	.check = check,
	.plan = plan,
	.files = anc_step_files_pem,
	.needs = needs,
	.inputs = anc_rec_inputs_signing,
	.run = run,
};
