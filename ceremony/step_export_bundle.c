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
plan(struct anc_buf *t, const struct anc_step *s)
{
	anc_buf_put(t, "write the ConfigMap %s/%s-source of %s (trust-manager's "
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

static int
stack_array(STACK_OF(X509) *sk, X509 ***v, size_t *n, struct anc_err *err)
{
	int i;

	*n = (size_t)sk_X509_num(sk);
	if ((*v = calloc(*n + 1, sizeof(**v))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "bundle");
	for (i = 0; i < (int)*n; i++)
		(*v)[i] = sk_X509_value(sk, i);
	return ANC_OK;
}

static int
run(struct anc_engine *e, const struct anc_step *s, struct anc_err *err)
{
	struct anc_artifact *b = anc_steps_art(e, s->bundle, ANC_ART_BUNDLE);
	struct anc_provenance p;
	X509 **v = NULL;
	char file[160], source[128], *text = NULL;
	size_t n = 0, len = 0;
	int r;

	if (b == NULL)
		return anc_err_set(err, ANC_E_INTERNAL, "bundle \"%s\"",
		    s->bundle);
	anc_steps_provenance(e, &p);
	/* The Bundle writes a ConfigMap named after itself into the target
	 * namespaces; the source gets its own name so the two never meet. */
	snprintf(source, sizeof(source), "%s-source", s->k8s_name);
	if ((r = stack_array(b->certs, &v, &n, err)) != ANC_OK)
		return r;
	if ((r = anc_manifest_bundle_configmap(source, s->k8s_namespace, v, n,
	    &p, &text, &len, err)) != ANC_OK)
		goto out;
	snprintf(file, sizeof(file), "manifests/configmap-%s.yaml",
	    s->k8s_name);
	if ((r = anc_steps_write_text(e, file, text, len, 0644, err)) != ANC_OK)
		goto out;
	if ((r = anc_manifest_trust_bundle(s->k8s_name, source,
	    s->target_namespace, v, n, &p, &text, &len, err)) != ANC_OK)
		goto out;
	snprintf(file, sizeof(file), "manifests/bundle-%s.yaml", s->k8s_name);
	r = anc_steps_write_text(e, file, text, len, 0644, err);
 out:
	free(v);
	return r;
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
	.run = run,
};
