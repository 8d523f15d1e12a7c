/*
 * anchorage: the batch-sign-csr step: one CA certificate per cluster of a
 * clusters input, for the cluster's own CSR, held to sign-csr's policy and
 * constrained to the cluster's names, in its own outbox sub-directory
 * (docs/fleet.md).  The action is in steps_batch.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "step.h"
#include "steps.h"

static const struct anc_field fields[] = {
	{ "issuer",		&anc_t_artifact,	REQUIRED,		S(issuer),		SL(issuer) },
	{ "clusters",		&anc_t_artifact,	REQUIRED,		S(clusters),		SL(clusters) },
	{ "validity",		&anc_t_validity,	"43800h",		S(validity),		SL(validity) },
	{ "path-length",	&anc_t_pathlen,		"0",			S(path_length),		SL(path_length) },
	{ "policy",		&anc_t_policy,		NONE,			0,			0 },
	{ "name-constraints",	&anc_t_name_constraints, NONE,			S(nc),			0 },
	{ "extended-key-usage",	&anc_t_eku,		NONE,			S(eku),			0 },
	{ "overlap",		&anc_t_overlap,		"forbid",		S(allow_overlap),	0 },
	{ "bundle",		&anc_t_artifact,	NONE,			S(bundle),		SL(bundle) },
	{ "bundle-name",	&anc_t_k8s_name,	"m8-trust-bundle",	S(bundle_name),		0 },
	{ "trust-namespace",	&anc_t_namespace,	"cert-manager",		S(k8s_namespace),	0 },
	{ "output",		&anc_t_artifact,	REQUIRED,		S(output),		SL(output) },
};

static int
check(struct anc_vctx *v, const struct anc_step *s)
{
	int r;

	if ((r = anc_check_batch(v, s)) != ANC_OK)
		return r;
	return anc_check_policy(v, s);
}

static void
plan(struct anc_buf *t, const struct anc_step *s)
{
	anc_buf_put(t, "for each cluster of %s, check its CSR against the policy, "
	    "then with the key of %s ", s->clusters, s->issuer);
	anc_put_cert_step(t, s, "sign a CA certificate");
	anc_buf_put(t, "; the cluster's names from the list are its only "
	    "permitted names%s; write the certificate and its root%s%s",
	    s->allow_overlap ? "" : " (no two clusters share a name)",
	    s->bundle != NULL ? " and the trust bundle " : "",
	    s->bundle != NULL ? s->bundle : "");
}

const struct anc_step_type anc_kind_batch_sign_csr = {
	.kind = ANC_STEP_BATCH_SIGN_CSR,
	.name = "batch-sign-csr",
	.uses_token = 1,
	ANC_STEP_FIELDS(fields),
	.init = anc_sign_csr_init,
	.check = check,
	.plan = plan,
	.files = anc_step_files_batch,
	.needs = anc_needs_batch,
	.inputs = anc_rec_inputs_signing,
	.run = anc_step_batch_sign_csr,
};
