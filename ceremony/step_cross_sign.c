/*
 * anchorage: the cross-sign step: one root's key certifies another
 * root's key and subject.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "step.h"
#include "steps.h"

static const struct anc_field fields[] = {
	{ "issuer",		&anc_t_artifact,	REQUIRED,	S(issuer),	SL(issuer) },
	{ "certificate",	&anc_t_artifact,	REQUIRED,	S(certificate),	SL(certificate) },
	{ "validity",		&anc_t_validity,	"43800h",	S(validity),	SL(validity) },
	{ "path-length",	&anc_t_pathlen,		"1",		S(path_length),	SL(path_length) },
	{ "output",		&anc_t_artifact,	REQUIRED,	S(output),	SL(output) },
};

static int
check(struct anc_vctx *v, const struct anc_step *s)
{
	struct anc_artref issuer, cert;
	char f[128];
	int r;

	if ((r = anc_ref_issuer(v, s, &issuer)) != ANC_OK ||
	    (r = anc_ref(v, s, anc_step_field(f, sizeof(f), s, "certificate"),
	    anc_line_or(s, s->lines.certificate), s->certificate,
	    ANC_ART_STEP(ANC_STEP_SELF_SIGN) | ANC_ART_CERT_IN,
	    "a self-sign output or a certificate input", &cert)) != ANC_OK)
		return r;
	if (strcmp(s->certificate, s->issuer) == 0)
		return anc_verr(v, anc_line_or(s, s->lines.certificate), f,
		    "expected a certificate other than the issuer");
	return anc_check_under(v, s, &issuer);
}

static void
plan(struct anc_buf *t, const struct anc_step *s)
{
	anc_buf_put(t, "with the key of %s, certify the key and subject of %s",
	    s->issuer, s->certificate);
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
	struct anc_artifact *issuer, *subj;
	X509 *x = NULL;
	int r;

	if ((r = anc_steps_issuer_of(e, s, &issuer, err)) != ANC_OK)
		return r;
	subj = anc_engine_find(e, s->certificate);
	if (subj == NULL || subj->kind != ANC_ART_CERT)
		return anc_err_set(err, ANC_E_INTERNAL, "certificate \"%s\"",
		    s->certificate);
	anc_steps_spec_init(&spec, e, s, issuer);
	spec.profile = ANC_PROFILE_CROSS;
	spec.subject_name = X509_get_subject_name(subj->cert);
	spec.subject_key = X509_get0_pubkey(subj->cert);
	if ((r = anc_steps_issue(e, &spec, issuer->key_label,
	    anc_steps_issuer_hint(issuer), &x, err)) != ANC_OK)
		goto out;
	r = anc_steps_keep_cert(e, s, &x, NULL, "cross-certificate", err);
 out:
	X509_free(x);
	return r;
}

const struct anc_step_type anc_kind_cross_sign = {
	.kind = ANC_STEP_CROSS_SIGN,
	.name = "cross-sign",
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
