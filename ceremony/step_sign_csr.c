/*
 * anchorage: the sign-csr step: a CA certificate for a request from outside,
 * held to the script's policy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "step.h"
#include "steps.h"

/* The policy a request is held to. */

/* Indexed by enum anc_policy_alg. */
static const char *const policy_alg_names[] = {
	"rsa-2048", "rsa-3072", "rsa-4096", "ecdsa-p256", "ecdsa-p384"
};
static const int policy_algs[] = { ANC_POLICY_RSA_2048, ANC_POLICY_RSA_3072,
    ANC_POLICY_RSA_4096, ANC_POLICY_EC_P256, ANC_POLICY_EC_P384 };

#define POLICY_ALGS_ALL ((1u << ANC_N(policy_algs)) - 1)

static const char *
policy_alg_name(int v)
{
	return policy_alg_names[v];
}

static const struct anc_type t_policy_alg = ANC_ONE_OF(policy_alg_name,
    policy_algs);

/* One bit per algorithm in the step's policy_algs. */
static int
policy_alg_item(struct anc_reader *p, void *obj)
{
	static const struct anc_field item = { "", &t_policy_alg, REQUIRED,
	    0, 0 };
	struct anc_step *s = obj;
	struct anc_scalar v;
	int alg, r;

	if ((r = anc_sc_one_of(p, &alg, &item, anc_read_scalar(p, &v))) !=
	    ANC_OK)
		return r;
	if ((s->policy_algs & (1u << alg)) != 0)
		return anc_read_bad(p, "duplicate algorithm \"%s\"",
		    policy_alg_names[alg]);
	s->policy_algs |= 1u << alg;
	return ANC_OK;
}

/* The list given replaces the default of all algorithms. */
static int
nd_policy_algs(struct anc_reader *p, void *obj, const struct anc_field *f)
{
	((struct anc_step *)obj)->policy_algs = 0;
	return anc_nd_list(p, obj, f);
}

static const struct anc_type t_policy_algs = { .node = nd_policy_algs,
    .min = 1, .max = ANC_N(policy_algs), .what = "algorithms",
    .item = policy_alg_item };

static const struct anc_field policy_fields[] = {
	{ "algorithms",		&t_policy_algs,		NONE,		0,				0 },
	{ "max-validity",	&anc_t_validity,	"87600h",	S(policy_max_validity),		0 },
	{ "max-path-length",	&anc_t_pathlen,		"0",		S(policy_max_path_length),	0 },
};

const struct anc_type anc_t_policy = ANC_MAPPING(policy_fields);

/* A sign-csr step has a policy even when the script gives none. */
int
anc_sign_csr_init(struct anc_reader *p, struct anc_step *s)
{
	s->policy_algs = POLICY_ALGS_ALL;
	return anc_read_defaults(p, policy_fields, ANC_N(policy_fields), s);
}

static const struct anc_field fields[] = {
	{ "issuer",		&anc_t_artifact,		REQUIRED,	S(issuer),	SL(issuer) },
	{ "csr",		&anc_t_artifact,		REQUIRED,	S(csr),		SL(csr) },
	{ "subject",		&anc_t_subject,			NONE,		S(subject),	0 },
	{ "validity",		&anc_t_validity,		"43800h",	S(validity),	SL(validity) },
	{ "path-length",	&anc_t_pathlen,			"0",		S(path_length),	SL(path_length) },
	{ "policy",		&anc_t_policy,			NONE,		0,		0 },
	{ "name-constraints",	&anc_t_name_constraints,	NONE,		S(nc),		0 },
	{ "extended-key-usage",	&anc_t_eku,			NONE,		S(eku),		0 },
	{ "output",		&anc_t_artifact,		REQUIRED,	S(output),	SL(output) },
};

int
anc_check_policy(struct anc_vctx *v, const struct anc_step *s)
{
	int max = s->policy_max_path_length;
	char f[128], d[32];

	if (max != ANC_PATHLEN_NONE &&
	    (s->path_length == ANC_PATHLEN_NONE || s->path_length > max))
		return anc_verr(v, anc_line_or(s, s->lines.path_length),
		    anc_step_field(f, sizeof(f), s, "path-length"), "expected "
		    "at most %d, the policy's max-path-length", max);
	if (s->validity > s->policy_max_validity) {
		anc_duration_format(s->policy_max_validity, d, sizeof(d));
		return anc_verr(v, anc_line_or(s, s->lines.validity),
		    anc_step_field(f, sizeof(f), s, "validity"), "expected at "
		    "most %s, the policy's max-validity", d);
	}
	return ANC_OK;
}

static int
check(struct anc_vctx *v, const struct anc_step *s)
{
	struct anc_artref issuer, csr;
	char f[128];
	int r;

	if ((r = anc_ref_issuer(v, s, &issuer)) != ANC_OK ||
	    (r = anc_ref(v, s, anc_step_field(f, sizeof(f), s, "csr"),
	    anc_line_or(s, s->lines.csr), s->csr, ANC_ART_CSR_IN, "a csr input",
	    &csr)) != ANC_OK ||
	    (r = anc_check_under(v, s, &issuer)) != ANC_OK)
		return r;
	return anc_check_policy(v, s);
}

static void
plan(struct anc_buf *t, const struct anc_step *s)
{
	anc_buf_put(t, "check the request %s against the policy, then with the "
	    "key of %s ", s->csr, s->issuer);
	anc_put_cert_step(t, s, "sign a CA certificate");
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
	struct anc_artifact *issuer, *csr;
	X509_NAME *subject = NULL;
	X509 *x = NULL;
	int r;

	if ((r = anc_steps_issuer_of(e, s, &issuer, err)) != ANC_OK)
		return r;
	csr = anc_engine_find(e, s->csr);
	if (csr == NULL || csr->kind != ANC_ART_CSR)
		return anc_err_set(err, ANC_E_INTERNAL, "csr \"%s\"", s->csr);
	anc_steps_spec_init(&spec, e, s, issuer);
	if ((r = anc_policy_check_csr(csr->csr, &csr->csr_verified, s,
	    issuer->cert, &spec, &subject, err)) != ANC_OK)
		goto out;
	anc_engine_say(e, "  %s: proof of possession verified; requested "
	    "extensions ignored; policy passed", s->csr);
	spec.profile = ANC_PROFILE_INTERMEDIATE;
	spec.subject_name = subject;
	spec.subject_key = X509_REQ_get0_pubkey(csr->csr);
	if ((r = anc_steps_issue(e, &spec, issuer->key_label,
	    anc_steps_issuer_hint(issuer), &x, err)) != ANC_OK ||
	    (r = anc_steps_prove(e, x, &s->nc, s->eku, NULL, err)) != ANC_OK)
		goto out;
	r = anc_steps_keep_cert(e, s, &x, NULL, "CA certificate", err);
 out:
	X509_NAME_free(subject);
	X509_free(x);
	return r;
}

const struct anc_step_type anc_kind_sign_csr = {
	.kind = ANC_STEP_SIGN_CSR,
	.name = "sign-csr",
	.uses_token = 1,
	ANC_STEP_FIELDS(fields),
	.init = anc_sign_csr_init,
	.check = check,
	.plan = plan,
	.files = anc_step_files_pem,
	.needs = needs,
	.inputs = anc_rec_inputs_signing,
	.run = run,
};
