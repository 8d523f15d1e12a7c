/*
 * anchorage: the batch-issue-intermediate step: one name-constrained
 * issuing CA per cluster of a clusters input, each with its Secret,
 * Issuer, Helm values and trust bundle in its own outbox sub-directory
 * (docs/fleet.md).  The action is in steps_batch.c, shared with
 * batch-sign-csr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "step.h"
#include "steps.h"

static const char *
overlap_name(int v)
{
	return v ? "allow" : "forbid";
}

static const int overlaps[] = { 0, 1 };

const struct anc_type anc_t_overlap = ANC_ONE_OF(overlap_name, overlaps);

/* Each cluster's CN is this and its name, at most 64 characters: checked
 * per cluster, as the names differ. */
static const struct anc_type t_cn_prefix = ANC_STRING(anc_rule_line, 1, 32,
    "expected 1 to 32 characters on one line, without spaces at either "
    "end");

static const struct anc_field fields[] = {
	{ "issuer",		&anc_t_artifact,	REQUIRED,		S(issuer),		SL(issuer) },
	{ "clusters",		&anc_t_artifact,	REQUIRED,		S(clusters),		SL(clusters) },
	{ "common-name-prefix",	&t_cn_prefix,		"m8-issuing-ca-",	S(cn_prefix),		0 },
	{ "validity",		&anc_t_validity,	"43800h",		S(validity),		SL(validity) },
	{ "path-length",	&anc_t_pathlen,		"0",			S(path_length),		SL(path_length) },
	{ "algorithm",		&anc_t_soft_alg,	"ecdsa-p256",		S(algorithm),		0 },
	{ "name-constraints",	&anc_t_name_constraints, NONE,			S(nc),			0 },
	{ "extended-key-usage",	&anc_t_eku,		NONE,			S(eku),			0 },
	{ "overlap",		&anc_t_overlap,		"forbid",		S(allow_overlap),	0 },
	{ "bundle",		&anc_t_artifact,	REQUIRED,		S(bundle),		SL(bundle) },
	{ "secret",		&anc_t_k8s_name,	"m8-trust-anchor",	S(secret),		0 },
	{ "issuer-name",	&anc_t_k8s_name,	"m8-root-ca-issuer",	S(k8s_name),		0 },
	{ "issuer-kind",	&anc_t_issuer_kind,	"Issuer",		S(cluster_issuer),	0 },
	{ "bundle-name",	&anc_t_k8s_name,	"m8-trust-bundle",	S(bundle_name),		0 },
	{ "trust-namespace",	&anc_t_namespace,	"cert-manager",		S(k8s_namespace),	0 },
	{ "output",		&anc_t_artifact,	REQUIRED,		S(output),		SL(output) },
};

int
anc_check_batch(struct anc_vctx *v, const struct anc_step *s)
{
	const struct anc_subtrees *p = &s->nc.permitted;
	struct anc_artref a;
	char f[128];
	int r;

	if ((r = anc_ref_issuer(v, s, &a)) != ANC_OK ||
	    (r = anc_check_under(v, s, &a)) != ANC_OK ||
	    (r = anc_ref(v, s, anc_step_field(f, sizeof(f), s, "clusters"),
	    anc_line_or(s, s->lines.clusters), s->clusters,
	    ANC_ART_CLUSTERS_IN, "a clusters input", &a)) != ANC_OK)
		return r;
	if (s->bundle != NULL && (r = anc_ref(v, s, anc_step_field(f,
	    sizeof(f), s, "bundle"), anc_line_or(s, s->lines.bundle),
	    s->bundle, ANC_ART_STEP(ANC_STEP_BUNDLE), "a bundle output",
	    &a)) != ANC_OK)
		return r;
	/* Each cluster's permitted names come from the list. */
	if (p->n_dns + p->n_ip + p->n_email > 0)
		return anc_verr(v, s->nc.line, anc_step_field(f, sizeof(f), s,
		    "name-constraints.permitted"), "not allowed here; each "
		    "cluster's permitted names come from the cluster list, "
		    "expected only excluded");
	if (strlen(s->bundle_name) > 56)
		return anc_verr(v, s->line, anc_step_field(f, sizeof(f), s,
		    "bundle-name"), "expected at most 56 characters, so that "
		    "the ConfigMap \"%s-source\" fits in 63", s->bundle_name);
	return ANC_OK;
}

static void
plan(struct anc_buf *t, const struct anc_step *s)
{
	anc_buf_put(t, "for each cluster of %s, generate an %s issuing-CA key in "
	    "software, and with the key of %s ", s->clusters,
	    anc_keyalg_name(s->algorithm), s->issuer);
	anc_put_cert_step(t, s, "sign its certificate");
	anc_buf_put(t, "; the cluster's names from the list are its only "
	    "permitted names%s; write its Secret %s, %s %s, Helm values and "
	    "the trust bundle %s", s->allow_overlap ? "" : " (no two clusters "
	    "share a name)", s->secret, s->cluster_issuer ? "ClusterIssuer" :
	    "Issuer", s->k8s_name, s->bundle);
}

/* One sub-directory per cluster: docs/fleet.md lists its files. */
int
anc_step_files_batch(const struct anc_step *s, char names[][128],
    size_t cap, size_t *n)
{
	*n = 0;
	return anc_step_add_file(names, cap, n, "", s->output, "/") != 0 ?
	    ANC_E_INTERNAL : ANC_OK;
}

/* Per cluster: a serial and a signature; the same calls as one step. */
int
anc_needs_batch(struct anc_derive *d, const struct anc_step *s,
    struct anc_err *err)
{
	return anc_need_issue(d, s, s->issuer, 1, err);
}

const struct anc_step_type anc_kind_batch_issue_intermediate = {
	.kind = ANC_STEP_BATCH_ISSUE,
	.name = "batch-issue-intermediate",
	.uses_token = 1,
	ANC_STEP_FIELDS(fields),
	.init = NULL,
	.check = anc_check_batch,
	.plan = plan,
	.files = anc_step_files_batch,
	.needs = anc_needs_batch,
	.inputs = anc_rec_inputs_signing,
	.run = anc_step_batch_issue,
};
