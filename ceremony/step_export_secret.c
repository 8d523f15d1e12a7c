/*
 * anchorage: the export-secret step: the kubernetes.io/tls Secret of an
 * issuing CA and its key, for cert-manager.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "anchorage/secmem.h"
#include "step.h"
#include "steps.h"

static const struct anc_field fields[] = {
	{ "name",	&anc_t_k8s_name,	"m8-trust-anchor",	S(k8s_name),		0 },
	{ "namespace",	&anc_t_namespace,	"monoskope",		S(k8s_namespace),	0 },
	{ "issuing-ca",	&anc_t_artifact,	REQUIRED,		S(issuing_ca),		SL(issuing_ca) },
};

/* An export names the one kind of artifact it knows how to write. */
static int
check(struct anc_vctx *v, const struct anc_step *s)
{
	struct anc_artref a;
	char f[128];

	return anc_ref(v, s, anc_step_field(f, sizeof(f), s, "issuing-ca"),
	    anc_line_or(s, s->lines.issuing_ca), s->issuing_ca,
	    ANC_ART_STEP(ANC_STEP_ISSUE_INTERMEDIATE),
	    "an issue-intermediate output", &a);
}

static void
plan(struct anc_buf *t, const struct anc_step *s)
{
	anc_buf_put(t, "write the kubernetes.io/tls Secret %s/%s holding %s and "
	    "its key", s->k8s_namespace, s->k8s_name, s->issuing_ca);
}

static int
files(const struct anc_step *s, char names[][128], size_t cap, size_t *n)
{
	return anc_step_add_file(names, cap, n, "manifests/secret-",
	    s->k8s_name, ".yaml");
}

static void
inputs(const struct anc_engine *e, const struct anc_step *s,
    struct anc_confirm_item *v, size_t cap, size_t *n)
{
	anc_rec_item(e, v, cap, n, s->issuing_ca, 0);
}

static int
run(struct anc_engine *e, const struct anc_step *s, struct anc_err *err)
{
	struct anc_artifact *ica, *root;
	struct anc_provenance p;
	X509 *chain[2];
	char file[160], *text = NULL;
	size_t len = 0;
	int r;

	ica = anc_steps_art(e, s->issuing_ca, ANC_ART_CERT);
	if (ica == NULL || ica->soft_key == NULL ||
	    (root = anc_steps_root_of(e, ica)) == NULL)
		return anc_err_set(err, ANC_E_INTERNAL, "issuing-ca \"%s\"",
		    s->issuing_ca);
	anc_steps_provenance(e, &p);
	chain[0] = ica->cert;
	chain[1] = root->cert;
	if ((r = anc_manifest_tls_secret(s->k8s_name, s->k8s_namespace, chain,
	    2, ica->soft_key, &p, &text, &len, err)) != ANC_OK)
		goto out;
	snprintf(file, sizeof(file), "manifests/secret-%s.yaml", s->k8s_name);
	/* The only file that holds a private key: owner-only. */
	r = anc_steps_write(e, file, text, len, 0600, err);
	anc_engine_say(e, "  Secret %s/%s: tls.crt = %s + %s, ca.crt = %s",
	    s->k8s_namespace, s->k8s_name, s->issuing_ca, root->name,
	    root->name);
 out:
	anc_freezero(text, len);
	return r;
}

const struct anc_step_type anc_kind_export_secret = {
	.kind = ANC_STEP_EXPORT_SECRET,
	.name = "export-secret",
	.uses_token = 0,
	ANC_STEP_FIELDS(fields),
	.init = NULL,
	.check = check,
	.plan = plan,
	.files = files,
	.inputs = inputs,
	.run = run,
};
