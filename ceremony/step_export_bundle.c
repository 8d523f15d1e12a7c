/*
 * anchorage: the export-bundle step: a trust bundle as a ConfigMap and a
 * trust-manager Bundle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "step.h"
#include "steps.h"

static const struct anc_field fields[] = {
	{ "name",		&anc_t_k8s_name,	"m8-trust-bundle",	S(k8s_name),		0 },
	/* trust-manager's trust namespace: the source ConfigMap's */
	{ "trust-namespace",	&anc_t_namespace,	"cert-manager",		S(k8s_namespace),	0 },
	{ "target-namespace",	&anc_t_namespace,	"monoskope",		S(target_namespace),	0 },
	{ "bundle",		&anc_t_artifact,	REQUIRED,		S(bundle),		SL(bundle) },
};

static int
check(struct anc_vctx *v, const struct anc_step *s)
{
	struct anc_artref a;
	char f[128];

	/* The source ConfigMap is "<name>-source", itself a name of at most
	 * 63 characters. */
	if (strlen(s->k8s_name) > 56)
		return anc_verr(v, s->line, anc_step_field(f, sizeof(f), s,
		    "name"), "expected at most 56 characters, so that the "
		    "ConfigMap \"%s-source\" fits in 63", s->k8s_name);
	return anc_ref(v, s, anc_step_field(f, sizeof(f), s, "bundle"),
	    anc_line_or(s, s->lines.bundle), s->bundle,
	    ANC_ART_STEP(ANC_STEP_BUNDLE), "a bundle output", &a);
}

static void
plan(struct anc_text *t, const struct anc_step *s)
{
	anc_put(t, "write the ConfigMap %s/%s-source of %s (trust-manager's "
	    "trust namespace) and the trust-manager Bundle %s that delivers "
	    "it to namespace %s", s->k8s_namespace, s->k8s_name, s->bundle,
	    s->k8s_name, s->target_namespace);
}

static int
files(const struct anc_step *s, char names[][128], size_t cap, size_t *n)
{
	return anc_step_add_file(names, cap, n, "manifests/configmap-",
	    s->k8s_name, ".yaml") ||
	    anc_step_add_file(names, cap, n, "manifests/bundle-", s->k8s_name,
	    ".yaml");
}

static void
inputs(const struct anc_engine *e, const struct anc_step *s,
    struct anc_confirm_item *v, size_t cap, size_t *n)
{
	anc_rec_item(e, v, cap, n, s->bundle, 0);
}

const struct anc_step_type anc_kind_export_bundle = {
	.kind = ANC_STEP_EXPORT_BUNDLE,
	.name = "export-bundle",
	.uses_token = 0,
	ANC_STEP_FIELDS(fields),
	.init = NULL,
	.check = check,
	.plan = plan,
	.files = files,
	.inputs = inputs,
	.run = anc_step_export_bundle,
};
