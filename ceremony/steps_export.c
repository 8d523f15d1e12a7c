/*
 * anchorage: the export steps.  They turn artifacts of this run into
 * manifests and chain files; export/ formats them and never sees a token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "anchorage/err.h"
#include "anchorage/manifest.h"
#include "anchorage/secmem.h"
#include "steps.h"

#ifndef ANC_VERSION
#define ANC_VERSION "unknown"
#endif

static void
provenance(const struct anc_engine *e, struct anc_provenance *p)
{
	p->ceremony = e->c->name;
	p->ceremony_sha256 = e->c->sha256;
	p->tool_version = ANC_VERSION;
}

static struct anc_artifact *
art(struct anc_engine *e, const char *name, enum anc_art_kind kind)
{
	struct anc_artifact *a = anc_engine_find(e, name);

	return a != NULL && a->kind == kind ? a : NULL;
}

/* The root that signed a certificate made by a step of this run. */
static struct anc_artifact *
root_of(struct anc_engine *e, const struct anc_artifact *a)
{
	if (a->step == NULL || a->step->issuer == NULL)
		return NULL;
	return art(e, a->step->issuer, ANC_ART_CERT);
}

static int
write_text(struct anc_engine *e, const char *file, char *text, size_t len,
    mode_t mode, struct anc_err *err)
{
	int r = anc_steps_write(e, file, text, len, mode, err);

	free(text);
	return r;
}

int
anc_step_export_secret(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err)
{
	struct anc_artifact *ica, *root;
	struct anc_provenance p;
	X509 *chain[2];
	char file[160], *text = NULL;
	size_t len = 0;
	int r;

	ica = art(e, s->issuing_ca, ANC_ART_CERT);
	if (ica == NULL || ica->soft_key == NULL || (root = root_of(e, ica)) ==
	    NULL)
		return anc_err_set(err, ANC_E_INTERNAL, "issuing-ca \"%s\"",
		    s->issuing_ca);
	provenance(e, &p);
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

int
anc_step_export_bundle(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err)
{
	struct anc_artifact *b = art(e, s->bundle, ANC_ART_BUNDLE);
	struct anc_provenance p;
	X509 **v = NULL;
	char file[160], source[128], *text = NULL;
	size_t n = 0, len = 0;
	int r;

	if (b == NULL)
		return anc_err_set(err, ANC_E_INTERNAL, "bundle \"%s\"",
		    s->bundle);
	provenance(e, &p);
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
	if ((r = write_text(e, file, text, len, 0644, err)) != ANC_OK)
		goto out;
	if ((r = anc_manifest_trust_bundle(s->k8s_name, source,
	    s->target_namespace, v, n, &p, &text, &len, err)) != ANC_OK)
		goto out;
	snprintf(file, sizeof(file), "manifests/bundle-%s.yaml", s->k8s_name);
	r = write_text(e, file, text, len, 0644, err);
 out:
	free(v);
	return r;
}

int
anc_step_export_issuer(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err)
{
	struct anc_provenance p;
	char file[160], *text = NULL;
	size_t len = 0;
	int r;

	provenance(e, &p);
	if ((r = anc_manifest_issuer(s->k8s_name, s->k8s_namespace,
	    s->cluster_issuer, s->secret, &p, &text, &len, err)) != ANC_OK)
		return r;
	snprintf(file, sizeof(file), "manifests/issuer-%s.yaml", s->k8s_name);
	if ((r = write_text(e, file, text, len, 0644, err)) != ANC_OK)
		return r;
	/* Monoskope's chart makes a namespaced Issuer from these values; for
	 * a ClusterIssuer they would make a second one that cannot work. */
	if (s->cluster_issuer)
		return ANC_OK;
	if ((r = anc_manifest_helm_values(s->k8s_name, s->secret, &p, &text,
	    &len, err)) != ANC_OK)
		return r;
	snprintf(file, sizeof(file), "helm-values-%s.yaml", s->k8s_name);
	return write_text(e, file, text, len, 0644, err);
}

int
anc_step_export_vault(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err)
{
	struct anc_artifact *ica = art(e, s->certificate, ANC_ART_CERT), *root;
	struct anc_provenance p;
	X509 *chain[2];
	char file[160], *text = NULL;
	size_t len = 0;
	int r;

	if (ica == NULL || (root = root_of(e, ica)) == NULL)
		return anc_err_set(err, ANC_E_INTERNAL, "certificate \"%s\"",
		    s->certificate);
	chain[0] = ica->cert;
	chain[1] = root->cert;
	/* Intermediate first, then the root: Vault imports each as an issuer
	 * and the root lands in ca_chain, so cert-manager's ca.crt is it. */
	if ((r = anc_steps_write_certs(e, s->output, chain, 2, err)) != ANC_OK)
		return r;
	provenance(e, &p);
	snprintf(file, sizeof(file), "%s.pem", s->output);
	if ((r = anc_manifest_vault_readme(file, ica->cert, root->cert, &p,
	    &text, &len, err)) != ANC_OK)
		return r;
	snprintf(file, sizeof(file), "%s.README.txt", s->output);
	return write_text(e, file, text, len, 0644, err);
}
