/*
 * anchorage: the export-issuer step: a cert-manager Issuer or ClusterIssuer
 * and its Helm values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "step.h"
#include "steps.h"

static const struct anc_field fields[] = {
	{ "name",			&anc_t_k8s_name,	"m8-root-ca-issuer",	S(k8s_name),		0 },
	{ "namespace",			&anc_t_namespace,	"monoskope",		S(k8s_namespace),	0 },
	{ "kind",			&anc_t_issuer_kind,	"Issuer",		S(cluster_issuer),	0 },
	{ "secret",			&anc_t_k8s_name,	"m8-trust-anchor",	S(secret),		0 },
	{ "cluster-resource-namespace",	&anc_t_namespace,	"cert-manager",		S(cluster_namespace),	0 },
};

static void
plan(struct anc_buf *t, const struct anc_step *s)
{
	if (s->cluster_issuer)
		anc_buf_put(t, "write the cert-manager ClusterIssuer %s using "
		    "Secret %s/%s (no Helm values: Monoskope's chart makes "
		    "only a namespaced Issuer)", s->k8s_name,
		    s->cluster_namespace, s->secret);
	else
		anc_buf_put(t, "write the cert-manager Issuer %s/%s using Secret "
		    "%s/%s, and the Monoskope Helm values pointing at it",
		    s->k8s_namespace, s->k8s_name, s->k8s_namespace, s->secret);
}

/* Monoskope's chart makes only a namespaced Issuer: values for a
 * ClusterIssuer would make a second, broken one. */
static int
files(const struct anc_step *s, char names[][128], size_t cap, size_t *n)
{
	return anc_step_add_file(names, cap, n, "manifests/issuer-",
	    s->k8s_name, ".yaml") || (!s->cluster_issuer &&
	    anc_step_add_file(names, cap, n, "helm-values-", s->k8s_name,
	    ".yaml"));
}

static int
run(struct anc_engine *e, const struct anc_step *s, struct anc_err *err)
{
	struct anc_provenance p;
	char file[160], *text = NULL;
	size_t len = 0;
	int r;

	anc_steps_provenance(e, &p);
	if ((r = anc_manifest_issuer(s->k8s_name, s->k8s_namespace,
	    s->cluster_issuer, s->secret, &p, &text, &len, err)) != ANC_OK)
		return r;
	snprintf(file, sizeof(file), "manifests/issuer-%s.yaml", s->k8s_name);
	if ((r = anc_steps_write_text(e, file, text, len, 0644, err)) != ANC_OK)
		return r;
	/* Monoskope's chart makes a namespaced Issuer from these values; for
	 * a ClusterIssuer they would make a second one that cannot work. */
	if (s->cluster_issuer)
		return ANC_OK;
	if ((r = anc_manifest_helm_values(s->k8s_name, s->secret, &p, &text,
	    &len, err)) != ANC_OK)
		return r;
	snprintf(file, sizeof(file), "helm-values-%s.yaml", s->k8s_name);
	return anc_steps_write_text(e, file, text, len, 0644, err);
}

const struct anc_step_type anc_kind_export_issuer = {
	.kind = ANC_STEP_EXPORT_ISSUER,
	.name = "export-issuer",
	.uses_token = 0,
	ANC_STEP_FIELDS(fields),
	.init = NULL,
	.check = NULL,
	.plan = plan,
	.files = files,
	.inputs = NULL,
	.run = run,
};
